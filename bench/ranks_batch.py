"""Batched ranks (1000 rungs x 256 points, M = 2, 3) vs a loop of moocore calls, timed two ways.

The jitted ``nondominated_ranks`` on device arrays (the kernel, as in ``bench/pareto.py``),
float32: its median over ``--reps`` calls each made right after a moocore loop
("interleaved": XLA:CPU's worker threads have gone idle meanwhile) and over ``2 * reps`` calls
made back-to-back; uniform points and fronts (uniform points scaled onto the simplex
``sum(y) = 1``); ``--m`` picks the numbers of objectives. Checks the ranks against
moocore on every 97th problem.

``--compare-with <checkout>``: also loads that checkout's ``mohb_jax/_src/pareto.py`` (the
rest of the package from this one) and times both kernels in one process, alternating
A B / B A for ``--ab-rounds`` rounds (machine noise moves whole processes between a fast and a
slow mode here, so separate processes compare poorly); the two must give the same ranks.

Run: ``python bench/ranks_batch.py [--m 2 3] [--reps 11] [--compare-with ../old-checkout]``.
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

import mohb_jax
from mohb_jax import pareto
from mohb_jax._src import pareto as impl


def _seconds(f, *args) -> float:
    """Wall time of one call ``f(*args)``, until its result is ready."""
    t0 = time.perf_counter()
    jax.block_until_ready(f(*args))
    return time.perf_counter() - t0


def _moocore_loop(y) -> list:
    return [moocore.pareto_rank(p) for p in y]


def compare(cases: dict, checkout: str, rounds: int) -> None:
    """This checkout's batched ranks kernel against another checkout's, in one process."""
    path = os.path.join(checkout, "mohb_jax", "_src", "pareto.py")
    spec = importlib.util.spec_from_file_location("other_pareto", path)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    for name, y in cases.items():
        k, m = impl._keys(jnp.asarray(y)), jnp.ones(y.shape[:2], bool)
        fns = {
            "other": jax.jit(other._nondominated_ranks),
            "this": jax.jit(impl._nondominated_ranks),
        }
        assert (np.asarray(fns["other"](k, m)) == np.asarray(fns["this"](k, m))).all()
        t = {lab: [] for lab in fns}
        for r in range(rounds):
            for lab in ("other", "this") if r % 2 == 0 else ("this", "other"):
                fns[lab](k, m).block_until_ready()
                t[lab].append(_seconds(fns[lab], k, m))
        q = {lab: np.percentile(np.array(v) * 1e3, [25, 50, 75]) for lab, v in t.items()}
        print(
            f"{name}, {rounds} A/B rounds: other {q['other'][1]:.2f} ms [{q['other'][0]:.2f}, "
            f"{q['other'][2]:.2f}], this {q['this'][1]:.2f} ms [{q['this'][0]:.2f}, "
            f"{q['this'][2]:.2f}] (median [quartiles]); "
            f"this / other {q['this'][1] / q['other'][1]:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--compare-with", help="another checkout of the repository")
    ap.add_argument("--ab-rounds", type=int, default=40)
    ap.add_argument("--m", type=int, nargs="+", default=[2, 3], choices=[2, 3])
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    b, n = 1000, 256
    cases = {}
    for m in a.m:
        front = rng.random((b, n, m))
        front /= front.sum(-1, keepdims=True)  # on the simplex: one front
        cases[f"M={m} uniform"] = rng.random((b, n, m)).astype(np.float32)
        cases[f"M={m} front"] = front.astype(np.float32)
    kern = jax.jit(pareto.nondominated_ranks)
    print(
        f"# bench/ranks_batch.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"mohb_jax from {os.path.dirname(mohb_jax.__file__)} load {os.getloadavg()[0]:.2f}"
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
    print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
