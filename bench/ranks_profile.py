"""Where the batched dense ranks spend their time: 1000 rungs x 256 points, float32.

Times, in one process and alternating, medians over ``--rounds``:

* the kernel (``nondominated_ranks``' jitted batch kernel, the kernels' compiler options);
* its build alone: the bit-packed domination matrices of the batch (``_dense_bits`` under
  ``vmap``, with the key-sum test the kernel uses when it applies), 1000 x 8 x 256 uint32;
* its peel alone on the prebuilt matrices (the kernel's own loop, ``_peel_bits`` under
  ``vmap``): per front, AND with the packed set of remaining rows, test every column, update
  the ranks and pack the new set;
* a pure read of the matrices 16 times (AND + test only; uniform 3-D rungs have at most 16
  fronts), in GB/s;
* NumPy's OR-reduce of the same 8 MB on one core, in GB/s (a bandwidth reference).

Also prints an upper bound for the build from this CPU's vector compare port, read off
``/proc/cpuinfo``'s clock: the 3-D build tests 16 pairs per AVX-512 instruction and needs
four compares per pair group (three "<=" and one key-sum "!="), and on Skylake-SP / Cascade
Lake cores only one port runs 512-bit compares into mask registers, so at most
``16 / 4 = 4`` pairs per cycle per core. This is an estimate from the instruction count, not a
measurement.

Run: ``python bench/ranks_profile.py [--m 3] [--rounds 15]``.
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import jax.numpy as jnp
import numpy as np
from _timing import seconds as _seconds
from jax import lax

from mohb_jax._src import pareto as impl
from mohb_jax._src.compile import WIDE_OPTIONS

B, N, FRONTS = 1000, 256, 16


def _clock_ghz() -> float | None:
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(line.split(":")[1]) for line in f if line.startswith("cpu MHz")]
        return mhz[0] / 1e3 if mhz else None
    except OSError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m", type=int, default=3, choices=[3, 4, 5])
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    y = rng.random((B, N, args.m)).astype(np.float32)
    k = impl._order_keys(jnp.asarray(y))
    mask = jnp.ones((B, N), bool)
    by_sum = impl._sum_test_ok(k, mask)

    def jit(f):
        return jax.jit(f, compiler_options=WIDE_OPTIONS)

    kernel = jit(impl._ranks_batch)
    build = jit(lambda k, m, s: jax.vmap(lambda a, c: impl._dense_bits(a, c, s)[0])(k, m))
    peel = jax.vmap(lambda b, m: impl._peel_bits(b, m, None)[0])

    def read(bits, m):
        def body(i, acc):
            rem = jnp.full((B, N // 32), 0xFFFFFFFF, jnp.uint32) ^ i.astype(jnp.uint32)
            return acc ^ jnp.any((bits & rem[:, :, None]) != 0, axis=1)

        return lax.fori_loop(0, FRONTS, body, jnp.zeros((B, N), bool))

    peel_j, read_j = jit(peel), jit(read)
    bits = build(k, mask, by_sum)
    ranks = np.asarray(kernel(k, mask))
    assert (np.asarray(peel_j(bits, mask)) == ranks).all()
    fronts = ranks.max(axis=1) + 1
    words = np.asarray(bits).ravel()
    cases = {
        "kernel": (kernel, k, mask),
        "build": (build, k, mask, by_sum),
        "peel": (peel_j, bits, mask),
        "read (16 passes)": (read_j, bits, mask),
    }
    times = {name: [] for name in cases}
    times["numpy OR-reduce (1 core)"] = []
    for r in range(args.rounds):
        order = list(cases) if r % 2 == 0 else list(cases)[::-1]
        for name in order:
            f, *a = cases[name]
            times[name].append(_seconds(f, *a))
        t0 = time.perf_counter()
        np.bitwise_or.reduce(words)
        times["numpy OR-reduce (1 core)"].append(time.perf_counter() - t0)
    med = {name: float(np.median(v)) for name, v in times.items()}
    load = os.getloadavg()[0]
    print(
        f"# bench/ranks_profile.py {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"M = {args.m}, {B} x {N} uniform, load {load:.2f}; fronts per rung: max "
        f"{fronts.max()}, mean {fronts.mean():.1f}; bit matrices {bits.nbytes / 1e6:.1f} MB"
    )
    for name, t in med.items():
        extra = ""
        if name == "read (16 passes)":
            extra = f"  ({FRONTS * bits.nbytes / t / 1e9:.1f} GB/s)"
        elif name.startswith("numpy"):
            extra = f"  ({bits.nbytes / t / 1e9:.1f} GB/s)"
        elif name == "build":
            extra = f"  ({B * N * N / t / 1e9:.2f} G pairs/s)"
        print(f"{name:26s} {t * 1e3:7.2f} ms{extra}")
    ghz = _clock_ghz()
    if ghz:
        cores = len(os.sched_getaffinity(0))
        bound = 4 * ghz * cores
        got = B * N * N / med["build"] / 1e9
        print(
            f"build vs the compare-port estimate: {got:.2f} of {bound:.1f} G pairs/s "
            f"({cores} cores x {ghz:.2f} GHz x 4 pairs per cycle) = {got / bound:.0%}"
        )


if __name__ == "__main__":
    main()
