"""Bitonic network stages fused per pass over memory: the sort alone and the batched 2-D HV.

Times ``mohb_jax._src.sortnet.bitonic_sort`` on 1000 batch-last columns of 256 rows with one
stage per pass (``fuse=1``) and two or three (``fuse=2, 3``), for the key/payload mixes the
kernels use, then the 2-D hypervolume of 1000 x 256 uniform rungs (the public path's jitted
batch) with its sort at ``fuse=1`` and ``fuse=2``, its running minimum as an associative scan
or a loop, and the library's own batch kernel (which also writes its batch-last input out
before the sort), against a loop of moocore calls, all interleaved in one process. Also the
compile time of each variant.

Run: ``python bench/sort_fuse.py [--reps 15] [--hv-only]``
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import jax.numpy as jnp
import moocore
import numpy as np
from _timing import interleaved

from mohb_jax._src import hypervolume as H
from mohb_jax._src.sortnet import bitonic_sort


def _compiled(fn, *args):
    t = time.perf_counter()
    exe = jax.jit(fn).lower(*args).compile()
    return exe, time.perf_counter() - t


def _hv2(fuse, loop_min=False):
    """The batched 2-D HV of mohb_jax.hypervolume with its sort at ``fuse``, its running
    minimum as a scan (or the library's loop), and the transpose to batch-last left for XLA
    to fuse into the sort (the library writes it out first: ``H._materialized``)."""

    def f(y, ref, mask):
        Y, valid, R, lead = H._to_batch_last(y, ref, mask)
        valid = valid & jnp.all(Y < R[:, None, :], axis=0)
        Y = jnp.where(valid[None], Y, R[:, None, :])
        s1, (s2,) = H._bitonic_sort(Y[0], (Y[1],), fuse=fuse)
        g = H._cummin0(s2) if loop_min else jax.lax.associative_scan(jnp.minimum, s2, axis=0)
        nxt = jnp.concatenate([s1[1:], R[0][None]], axis=0)
        return jnp.sum((nxt - s1) * (R[1][None] - g), axis=0).reshape(lead)

    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--hv-only", action="store_true", help="skip the sort-alone timings")
    a = ap.parse_args()
    flags = os.environ.get("XLA_FLAGS", "")
    print(f"load {os.getloadavg()[0]:.2f}; jax {jax.__version__}; XLA_FLAGS={flags!r}")
    rng = np.random.default_rng(0)
    n, b = 256, 1000

    def f32():
        return jnp.asarray(rng.random((n, b)), jnp.float32)

    def i32():
        return jnp.asarray(rng.integers(0, 1 << 30, (n, b)), jnp.int32)

    cases = {
        "1 key + 1 payload (2-D HV)": ((f32(),), (f32(),)),
        "2 keys + 1 payload (2-D ranks)": ((i32(), i32()), (i32(),)),
        "1 key + 3 payloads (3-D HV sweep)": ((f32(),), (f32(), f32(), jnp.ones((n, b), bool))),
    }
    if not a.hv_only:
        print(f"\n## bitonic_sort, {b} columns x {n} rows (median of {a.reps}, interleaved)")
    for name, (k, p) in ({} if a.hv_only else cases).items():
        fns, comp = {}, {}
        for fuse in (1, 2, 3):
            exe, comp[fuse] = _compiled(lambda k, p, fuse=fuse: bitonic_sort(k, p, fuse=fuse), k, p)
            fns[fuse] = lambda exe=exe, k=k, p=p: exe(k, p)
        ref = fns[1]()
        for fuse in (2, 3):
            for x, z in zip(ref[0], fns[fuse]()[0], strict=True):  # the sorted keys agree
                assert np.array_equal(np.asarray(x), np.asarray(z)), (name, fuse)
        t = interleaved(fns, a.reps)
        print(f"{name}:")
        for fuse in (1, 2, 3):
            print(
                f"  fuse={fuse}: {t[fuse] * 1e3:7.2f} ms ({t[fuse] / t[1]:.2f}x fuse=1), "
                f"compile {comp[fuse]:.2f} s"
            )

    print(f"\n## batched 2-D HV, {b} uniform rungs x {n} points, float32, vs a moocore loop")
    y = rng.random((b, n, 2))
    refp = np.ones(2)
    yj, rj = jnp.asarray(y, jnp.float32), jnp.asarray(refp, jnp.float32)
    mask = jnp.ones((b, n), bool)
    exp = np.array([moocore.hypervolume(q, ref=refp) for q in y])
    fns, comp = {}, {}
    kernels = {f"fuse={f}": _hv2(f) for f in (1, 2)}
    kernels["fuse=2, loop minimum"] = _hv2(2, loop_min=True)
    kernels["library (+ input written out)"] = H._hv_batch
    for label, kernel in kernels.items():
        exe, comp[label] = _compiled(kernel, yj, rj, mask)
        err = np.max(np.abs(np.asarray(exe(yj, rj, mask)) - exp) / exp)
        assert err < 1e-5, (label, err)
        fns[label] = lambda exe=exe: exe(yj, rj, mask)
    fns["moocore loop"] = lambda: [moocore.hypervolume(q, ref=refp) for q in y]
    t = interleaved(fns, a.reps)
    for k, v in t.items():
        c = f", compile {comp[k]:.2f} s" if k in comp else ""
        print(f"  {k:30s} {v * 1e3:7.2f} ms   moocore/this {t['moocore loop'] / v:5.2f}x{c}")


if __name__ == "__main__":
    main()
