"""Quality of the schedulers: hypervolume vs simulated time, ε-net MO-ASHA vs baselines.

For each table (the embedded one when it is shipped, TrimTuner cnn/rnn with hardware + cost),
runs ``n_seeds`` seeds of each method with the single-seed driver (``vmap`` over seeds), and
reports the hypervolume of all results seen up to a few simulated times (mean ± s.e.m. over
seeds), with the table's fixed ``Table.ref_point`` (minimization space).

Methods: ``moasha`` (ε-net rule, stopping variant), ``moasha-promotion`` (ε-net, promotion
variant), ``asha`` (single objective: the first of the ranked objectives), ``random`` (random
search, no early stopping), ``mohb`` (synchronous MO-Hyperband, ε-net).

Usage::

    .venv/bin/python bench/schedulers_quality.py --seeds 50 --tables trimtuner_cnn embedded

Results of TrimTuner: Mendes, Casimiro, Romano, Garlan, "TrimTuner: Efficient Optimization of
Machine Learning Jobs in the Cloud via Sub-Sampling", MASCOTS 2020.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import time

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.sim.driver import make_simulator, max_fidelity_budget
from mohb_jax.hypervolume import hypervolume_curve
from mohb_jax.tables import load_benchmark

METHODS = {
    "moasha": dict(method="moasha"),
    "moasha-promotion": dict(method="moasha", variant="promotion"),
    "mohb": dict(method="mohb"),
    "asha": dict(method="asha"),
    "random": dict(method="random"),
}


def hv_at(df, table, objectives, ref, times):
    """HV of the results with arrival time <= each of ``times``."""
    y = []
    for o in objectives:
        d = table.directions[table.objective_index(o)]
        y.append(-df[o].to_numpy() if d == "max" else df[o].to_numpy())
    y = np.stack(y, 1)
    inside = np.all(y < ref, axis=1)  # points outside the reference box contribute nothing
    if not inside.any():
        return np.zeros(len(times))
    curve = np.asarray(hypervolume_curve(jnp.asarray(y), jnp.asarray(ref), jnp.asarray(inside)))
    t = df["time"].to_numpy()
    idx = np.searchsorted(t, times, side="right") - 1
    return np.where(idx >= 0, curve[np.maximum(idx, 0)], 0.0)


def run_table(name, n_seeds, n_workers, k_budget, methods, fractions):
    table = load_benchmark(name)
    objectives = list(table.default_objectives)
    ref = np.asarray(table.ref_point, dtype=np.float64)
    ref = (
        ref[[table.objective_index(o) for o in objectives]]
        if len(ref) == len(table.objectives)
        else ref
    )
    budget = max_fidelity_budget(table, k_budget, n_workers=n_workers)
    times = np.asarray(fractions) * budget
    print(f"\n## {name}: objectives {objectives}, reference point {ref.tolist()}")
    print(
        f"budget = {k_budget} max-fidelity equivalents / {n_workers} workers = {budget:.0f} s "
        f"simulated; {n_seeds} seeds; eta = 3"
    )
    rows = {}
    for label in methods:
        sim = make_simulator(
            table, n_workers=n_workers, budget=budget, objectives=objectives, **METHODS[label]
        )
        keys = jax.vmap(jax.random.key)(jnp.arange(n_seeds, dtype=jnp.uint32))
        t0 = time.perf_counter()
        out = jax.block_until_ready(jax.jit(jax.vmap(sim.run, in_axes=(0, None)))(keys, sim.data))
        wall = time.perf_counter() - t0
        hv = []
        n_res = []
        for s in range(n_seeds):
            one = jax.tree.map(lambda a, s=s: np.asarray(a)[s], out)
            df = sim.to_frame(one, seed=s)
            hv.append(hv_at(df, table, objectives, ref, times))
            n_res.append(len(df))
        hv = np.asarray(hv)
        rows[label] = (hv.mean(0), hv.std(0, ddof=1) / np.sqrt(n_seeds), np.mean(n_res), wall)
    head = " | ".join(f"t = {f:.0%} ({t:.0f} s)" for f, t in zip(fractions, times, strict=True))
    print(f"\n| method | results/seed | run s (compile incl.) | {head} |")
    print("|---|---|---|" + "---|" * len(times))
    for label, (m, se, nr, wall) in rows.items():
        cells = " | ".join(f"{a:.4g} ± {b:.2g}" for a, b in zip(m, se, strict=True))
        print(f"| {label} | {nr:.0f} | {wall:.1f} | {cells} |")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--budget", type=float, default=100.0, help="max-fidelity equivalents")
    ap.add_argument("--tables", nargs="+", default=["embedded", "trimtuner_cnn"])
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--fractions", nargs="+", type=float, default=[0.05, 0.1, 0.25, 0.5, 1.0])
    a = ap.parse_args()
    print(f"# schedulers quality, {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC")
    for name in a.tables:
        try:
            run_table(name, a.seeds, a.workers, a.budget, a.methods, a.fractions)
        except ValueError as e:  # e.g. the embedded table is not shipped yet
            print(f"\n## {name}: skipped ({e})")


if __name__ == "__main__":
    main()
