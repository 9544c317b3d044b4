"""The paper's headline in our terms: time- and cost-to-target of ε-net MO-ASHA vs random search.

Salinas et al. (arXiv 2106.05680) report that MO-ASHA with the ε-net rule reaches the HV of
random search sooner, in wall-clock time and in dollars, on hardware-selection tables. Here,
on each table: ``epsnet`` and ``random`` simulated with the same seeds (4 workers, budget 100
max-fidelity evaluations' worth), HV traces normalized by the table's reachable front, target
= 25 % quantile of random's final HV, speed-up = ratio of median time (cost) to target with a
95 % percentile-bootstrap CI (censored seeds = +inf), under both counting rules (``all``
fidelities: Syne Tune's convention; ``max``: only highest-fidelity results).

Run: ``nice -n 10 python bench/paper_headline.py --seeds 0:1000 [--tables trimtuner_cnn ...]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _ci(v) -> str:
    def f(x):
        return "inf" if np.isinf(x) else f"{x:.2f}"

    return f"{f(v[0])} [{f(v[1])}, {f(v[2])}]"


HEADER = (
    "| table | HV counts | target (HV/best) | time speed-up [95 % CI] | cost speed-up "
    "[95 % CI] | median time to target (method / random) | reached (method / random) | "
    "final HV/best (method / random) |\n|---|---|---|---|---|---|---|---|"
)


def _row(r) -> str:
    tm = r.get("time_med", (np.nan, np.nan))
    cost = _ci(r["cost"]) if "cost" in r else "-"
    return (
        f"| {r['table']} | {r['hv_fidelity']} | {r['target']:.3f} | {_ci(r['time'])} | {cost} | "
        f"{tm[0]:.0f} s / {tm[1]:.0f} s | {r['reached'][0]:.0%} / {r['reached'][1]:.0%} | "
        f"{r['final'][0]:.3f} / {r['final'][1]:.3f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", nargs="+", default=["trimtuner_cnn", "trimtuner_rnn"])
    ap.add_argument("--seeds", default="0:1000")
    ap.add_argument("--methods", nargs="+", default=["epsnet", "random"])
    ap.add_argument("--budget", default="100x")
    ap.add_argument("--n-workers", type=int, default=4)
    args = ap.parse_args()

    from mohb_jax._src.sim.report import annotate, summarize
    from mohb_jax._src.sim.sweep import compare
    from mohb_jax.metrics import final_hypervolume
    from mohb_jax.tables import load_benchmark

    print(f"load before: {os.getloadavg()}", flush=True)
    print(HEADER, flush=True)
    for name in args.tables:
        try:
            table = load_benchmark(name)
        except Exception as e:  # a table that is not available here: say so, go on
            print(f"{name}: not loadable ({type(e).__name__}: {e})", flush=True)
            continue
        t0 = time.perf_counter()
        df = compare(
            table,
            methods=args.methods,
            seeds=args.seeds,
            n_workers=args.n_workers,
            budget=args.budget,
            progress=False,
        )
        annotate(df, table)
        sim_s = time.perf_counter() - t0
        for rule in ("all", "max"):
            s = summarize(df, baseline="random", hv_fidelity=rule)
            fin = final_hypervolume(s.traces).groupby("method")["hv"].mean()
            sp = s.speedups.set_index(["method", "x"])
            for m in args.methods:
                if m == "random":
                    continue
                r = {"table": name, "hv_fidelity": rule, "method": m, "target": s.target}
                for x in ("time", "cost"):
                    if (m, x) in sp.index:
                        q = sp.loc[(m, x)]
                        r[x] = (q["speedup"], q["lo"], q["hi"])
                        r[f"{x}_med"] = (q["x_to_target"], q["baseline_x_to_target"])
                        r["reached"] = (q["reached_frac"], sp.loc[("random", x), "reached_frac"])
                r["final"] = (fin[m], fin["random"])
                print(_row(r), flush=True)
        dt = time.perf_counter() - t0
        print(f"{name}: simulated + summarized in {dt:.1f} s (sim {sim_s:.1f} s)", flush=True)

    print(f"load after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
