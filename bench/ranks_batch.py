"""Batched ranks (1000 rungs x 256 points, M = 2, 3) vs a loop of moocore calls, timed two ways.

The jitted ``nondominated_ranks`` on device arrays (the kernel, as in ``bench/pareto.py``,
compiled with the kernels' own compiler options, ``mohb_jax._src.compile``), float32: its
median over ``--reps`` calls each made right after a moocore loop ("interleaved": XLA:CPU's
worker threads have gone idle meanwhile) and over ``2 * reps`` calls made back-to-back;
uniform points and fronts (uniform points scaled onto the simplex ``sum(y) = 1``); ``--m``
picks the numbers of objectives. Checks the ranks against moocore on every 97th problem.

``--compare-with <checkout>``: also loads that checkout's ``mohb_jax/_src/pareto.py`` (the
rest of the package from this one) and times both kernels in one process, alternating
A B / B A for ``--ab-rounds`` rounds (machine noise moves whole processes between a fast and a
slow mode here, so separate processes compare poorly); the two must give the same ranks.

``--vector-width``: also times the kernel compiled for 256-bit and for 512-bit vectors
(``xla_cpu_prefer_vector_width``) in one process, alternating, and checks they agree.

Run: ``python bench/ranks_batch.py [--m 2 3] [--reps 11] [--compare-with ../old-checkout]
[--vector-width]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

import jax
import jax.numpy as jnp
import moocore
import numpy as np
from _timing import seconds as _seconds

import mohb_jax
from mohb_jax import pareto
from mohb_jax._src import pareto as impl
from mohb_jax._src.compile import WIDE_OPTIONS


def _moocore_loop(y) -> list:
    return [moocore.pareto_rank(p) for p in y]


def _ab(name: str, fns: dict, k, m, rounds: int) -> None:
    """Median [quartiles] of each of two jitted kernels, alternating A B / B A."""
    first = [np.asarray(f(k, m)) for f in fns.values()]
    assert all((x == first[0]).all() for x in first)
    t = {lab: [] for lab in fns}
    for r in range(rounds):
        for lab in list(fns) if r % 2 == 0 else list(fns)[::-1]:
            t[lab].append(_seconds(fns[lab], k, m))
    q = {lab: np.percentile(np.array(v) * 1e3, [25, 50, 75]) for lab, v in t.items()}
    (a, qa), (b, qb) = q.items()
    print(
        f"{name}, {rounds} A/B rounds: {a} {qa[1]:.2f} ms [{qa[0]:.2f}, {qa[2]:.2f}], "
        f"{b} {qb[1]:.2f} ms [{qb[0]:.2f}, {qb[2]:.2f}] (median [quartiles]); "
        f"{b} / {a} {qb[1] / qa[1]:.3f}"
    )


def vector_widths(cases: dict, rounds: int) -> None:
    """The kernel compiled for 256-bit and for 512-bit vectors, in one process."""
    for name, y in cases.items():
        k, m = impl._keys(jnp.asarray(y)), jnp.ones(y.shape[:2], bool)
        fns = {
            f"{w}-bit": jax.jit(
                impl._nondominated_ranks, compiler_options={"xla_cpu_prefer_vector_width": w}
            )
            for w in (256, 512)
        }
        _ab(name, fns, k, m, rounds)


def compare(cases: dict, checkout: str, rounds: int) -> None:
    """This checkout's batched ranks kernel against another checkout's, in one process."""
    path = os.path.join(checkout, "mohb_jax", "_src", "pareto.py")
    spec = importlib.util.spec_from_file_location("other_pareto", path)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    for name, y in cases.items():
        k, m = impl._keys(jnp.asarray(y)), jnp.ones(y.shape[:2], bool)
        fns = {
            "other": jax.jit(other._nondominated_ranks, compiler_options=WIDE_OPTIONS or None),
            "this": jax.jit(impl._nondominated_ranks, compiler_options=WIDE_OPTIONS or None),
        }
        _ab(name, fns, k, m, rounds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--compare-with", help="another checkout of the repository")
    ap.add_argument("--ab-rounds", type=int, default=40)
    ap.add_argument("--m", type=int, nargs="+", default=[2, 3], choices=[2, 3])
    ap.add_argument("--vector-width", action="store_true", help="256- vs 512-bit A/B")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    b, n = 1000, 256
    cases = {}
    for m in a.m:
        front = rng.random((b, n, m))
        front /= front.sum(-1, keepdims=True)  # on the simplex: one front
        cases[f"M={m} uniform"] = rng.random((b, n, m)).astype(np.float32)
        cases[f"M={m} front"] = front.astype(np.float32)
    kern = jax.jit(pareto.nondominated_ranks, compiler_options=WIDE_OPTIONS or None)
    print(
        f"# bench/ranks_batch.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"mohb_jax from {os.path.dirname(mohb_jax.__file__)} load {os.getloadavg()[0]:.2f}; "
        f"kernel compiler options {WIDE_OPTIONS}"
    )
    for name, y in cases.items():
        yd, md = jnp.asarray(y), jnp.ones((b, n), bool)
        r = np.asarray(kern(yd, md))
        assert all((r[i] == moocore.pareto_rank(y[i])).all() for i in range(0, b, 97))
        inter, loop = [], []
        for _ in range(a.reps):
            loop.append(_seconds(_moocore_loop, y))
            inter.append(_seconds(kern, yd, md))
        back = [_seconds(kern, yd, md) for _ in range(2 * a.reps)]
        ti, tb, tm = (float(np.median(v)) * 1e3 for v in (inter, back, loop))
        print(
            f"{name}: interleaved {ti:.2f} ms, back-to-back {tb:.2f} ms, moocore loop "
            f"{tm:.1f} ms; moocore / ours {tm / ti:.2f}x interleaved, {tm / tb:.2f}x back-to-back"
        )
    if a.compare_with:
        compare(cases, a.compare_with, a.ab_rounds)
    if a.vector_width:
        vector_widths(cases, a.ab_rounds)
    print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
