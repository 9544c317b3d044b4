"""Speed of the single-seed driver vmapped over seeds (compile excluded, second call timed).

Usage: ``.venv/bin/python bench/schedulers_speed.py --table embedded --seeds 200 --method moasha``
Prints seconds per call of ``jit(vmap(sim.run))`` over ``--seeds`` keys, and seeds / second.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp

from mohb_jax._src.sim.driver import make_simulator, max_fidelity_budget
from mohb_jax.tables import load_benchmark


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", default="embedded")
    ap.add_argument("--method", nargs="+", default=["moasha", "asha", "random"])
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--budget", type=float, default=100.0)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    t = load_benchmark(a.table)
    budget = max_fidelity_budget(t, a.budget, n_workers=4)
    keys = jax.vmap(jax.random.key)(jnp.arange(a.seeds, dtype=jnp.uint32))
    fns = {}
    for m in a.method:
        sim = make_simulator(t, method=m, n_workers=4, budget=budget)
        f = jax.jit(jax.vmap(sim.run, in_axes=(0, None)))
        t0 = time.perf_counter()
        jax.block_until_ready(f(keys, sim.data))
        fns[m] = (f, sim, time.perf_counter() - t0)
    best = {m: float("inf") for m in fns}
    for _ in range(a.repeats):  # interleaved
        for m, (f, sim, _) in fns.items():
            t0 = time.perf_counter()
            jax.block_until_ready(f(keys, sim.data))
            best[m] = min(best[m], time.perf_counter() - t0)
    for m, (_f, sim, first) in fns.items():
        print(
            f"{a.table} {m}: {a.seeds} seeds: first call (compile+run) {first:.1f} s, "
            f"run {best[m]:.2f} s = {a.seeds / best[m]:.0f} seeds/s "
            f"(N={sim.max_trials}, J={sim.max_jobs})"
        )


if __name__ == "__main__":
    main()
