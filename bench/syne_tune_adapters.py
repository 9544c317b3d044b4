#!/usr/bin/env python3
"""Syne Tune 0.16's tabular simulator on TrimTuner cnn: MOASHA's priority vs ours vs our scheduler.

Arms (same seeds; objectives 1 - accuracy as ``neg_acc`` and ``cost_usd``, both minimized;
fidelity = training-set size 1000..60000, eta = 3, one bracket, 4 workers, a simulated budget of
100 mean full-size evaluations over 4 workers = 10 173 s, Syne Tune's 5 s tuner tick):

* ``moasha_theirs``: ``MOASHA`` with its default ``NonDominatedPriority`` (as shipped);
* ``moasha_ours``:   ``MOASHA(multiobjective_priority=JaxNonDominatedPriority())``, raw
  (unnormalized) ε-net distances as theirs: only the ranking bug is fixed;
* ``mohb_promotion``: ``MOHBScheduler`` (our core's MO-ASHA, promotion variant, ε-net on
  min-max normalized objectives, seeded brackets, candidates = the table's 288 configs).

Configurations are the table's rows (hyperparameter ``row``, uniform over the 288 rows for
every arm): Syne Tune samples columns independently, which would propose VM-flavor/worker
combinations the table lacks. ``MOHBScheduler`` compiles before ``Tuner.run`` (Syne Tune's
simulator adds the scheduler's real compute time to its simulated clock).

Every (arm, seed) runs in a fresh subprocess (Syne Tune's MOASHA samples with the global numpy
RNG, seeded here). HV of all results so far (any fidelity; the table's fixed reference point)
vs simulated time; time-to-target with the target = the 25 % quantile of the shipped MOASHA's
final HV; percentile-bootstrap 95 % CIs over seeds (``mohb_jax.metrics``).

Usage (in the Syne Tune venv, from the repository root)::

    python bench/syne_tune_adapters.py --seeds 0 1 2 --out /tmp/st_bench --jobs 2
    python bench/syne_tune_adapters.py --report /tmp/st_bench
    python bench/syne_tune_adapters.py --overhead

Data: the TrimTuner table via ``mohb_jax.tables.load_benchmark("trimtuner_cnn")`` (set
``MOHB_JAX_DATA``); it is a real measured table, not a surrogate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARMS = ("moasha_theirs", "moasha_ours", "mohb_promotion")
BUDGET_MULT_S = 100.0  # full-size evaluations' worth of simulated time
N_WORKERS = 4


def one_run(arm: str, seed: int, out: Path, data_dir: str | None, budget_s: float | None) -> None:
    import numpy as np
    import pandas as pd

    os.environ.setdefault("SYNETUNE_FOLDER", tempfile.mkdtemp(prefix="st_bench_"))
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend
    from syne_tune.optimizer.schedulers.multiobjective.moasha import MOASHA

    from mohb_jax import tables
    from mohb_jax.integrations.syne_tune import (
        JaxNonDominatedPriority,
        MOHBScheduler,
        blackbox_from_table,
    )

    t = tables.load_benchmark("trimtuner_cnn", data_dir=data_dir)
    bb, names = blackbox_from_table(t, by_row=True)
    metrics = ["neg_acc", "cost_usd"]
    fid = t.fidelity_name
    grid = t.fidelities
    if budget_s is None:
        full_time = np.asarray(t.values[0, :, 0, -1, t.objective_index(t.time_objective)])
        budget_s = BUDGET_MULT_S * float(full_time.mean()) / N_WORKERS
    np.random.seed(seed)  # noqa: NPY002 (MOASHA samples with the global numpy RNG)
    import random

    random.seed(seed)
    t0 = time.perf_counter()
    if arm.startswith("moasha"):
        sched = MOASHA(
            config_space=bb.configuration_space,
            metrics=metrics,
            do_minimize=True,
            time_attr=fid,
            max_t=int(grid[-1]),
            grace_period=int(grid[0]),
            reduction_factor=3,
            multiobjective_priority=JaxNonDominatedPriority() if arm == "moasha_ours" else None,
            random_seed=seed,
        )
    elif arm == "mohb_promotion":
        sched = MOHBScheduler(
            {},
            metrics,
            time_attr=fid,
            max_t=float(grid[-1]),
            grace_period=float(grid[0]),
            fidelities=grid,
            candidates=pd.DataFrame({"row": np.arange(t.n_configs), "table": t.name}),
            variant="promotion",
            random_seed=seed,
        )
    else:
        raise ValueError(arm)
    build_s = time.perf_counter() - t0
    backend = UserBlackboxBackend(
        blackbox=bb, elapsed_time_attr=t.time_objective, tuner_sleep_time=5.0
    )
    cb = SimulatorCallback()
    tuner = Tuner(
        trial_backend=backend,
        scheduler=sched,
        stop_criterion=StoppingCriterion(max_wallclock_time=budget_s),
        n_workers=N_WORKERS,
        sleep_time=0,
        callbacks=[cb],
        save_tuner=False,
        print_update_interval=1e9,
        results_update_interval=1e9,
        tuner_name=f"bench-{arm}-{seed}",
    )
    t1 = time.perf_counter()
    tuner.run()
    run_s = time.perf_counter() - t1
    df = cb.dataframe()
    keep = ["trial_id", fid, *metrics, "st_tuner_time", "st_decision"]
    df = df[keep].rename(columns={"st_tuner_time": "time", fid: "fidelity"})
    df.insert(0, "seed", seed)
    df.insert(0, "method", arm)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / f"{arm}_{seed}.csv.gz", index=False)
    rec = {
        "arm": arm,
        "seed": seed,
        "build_s": build_s,
        "run_s": run_s,
        "n_results": len(df),
        "n_trials": int(df.trial_id.nunique()),
        "n_full": int((df.fidelity == grid[-1]).sum()),
        "budget_s": budget_s,
    }
    with open(out / "records.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")


def report(out: Path) -> str:
    import numpy as np
    import pandas as pd

    from mohb_jax import metrics, tables

    frames = [pd.read_csv(p) for p in sorted(out.glob("*.csv.gz"))]
    df = pd.concat(frames, ignore_index=True)
    arms = df.groupby("seed").method.nunique()
    df = df[df.seed.isin(arms[arms == df.method.nunique()].index)]  # seeds every arm finished
    df = df.sort_values(["method", "seed", "time"], kind="stable").reset_index(drop=True)
    t = tables.load_benchmark("trimtuner_cnn", data_dir=os.environ.get("MOHB_JAX_DATA"))
    ref_all = np.asarray(t.ref_point)  # minimization space (acc negated)
    ref = [ref_all[t.objective_index("acc")], ref_all[t.objective_index("cost_usd")]]
    tr = metrics.hypervolume_traces(
        df, objectives=["neg_acc", "cost_usd"], ref=ref, directions=["min", "min"], keep=["time"]
    )
    seeds = df.groupby("method").seed.nunique().to_dict()
    fin = tr.groupby(["method", "seed"]).hv.last().unstack(0)
    target = float(np.quantile(fin["moasha_theirs"].dropna(), 0.25))
    ttt = metrics.time_to_target(tr, target, x="time")
    sp = metrics.speedups(tr, baseline="moasha_theirs", target=target, x="time")
    budget = float(df.groupby(["method", "seed"]).time.max().median())
    marks = np.array([0.1, 0.25, 0.5, 1.0]) * budget
    band = metrics.aggregate_curves(tr, x="time", grid=marks)
    recs = [json.loads(x) for x in (out / "records.jsonl").read_text().splitlines()]
    recs = [r for r in recs if r["seed"] in set(df.seed)]
    rr = pd.DataFrame(recs).groupby("arm")[["run_s", "n_results", "n_trials", "n_full"]].median()
    rng = np.random.default_rng(0)
    lines = [
        f"seeds per arm: {seeds}; target HV = {target:.5f} "
        "(25 % quantile of moasha_theirs' final HV)",
        "",
        "| arm | final HV mean [95 % CI] | median time-to-target s (reached) | speed-up vs theirs "
        "[95 % CI] | median real s per run | results | trials | full-size results |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for arm in ARMS:
        if arm not in fin:
            continue
        v = fin[arm].dropna().to_numpy()
        boots = [rng.choice(v, len(v)).mean() for _ in range(2000)]
        lo, hi = np.quantile(boots, [0.025, 0.975])
        tt = ttt[ttt.method == arm]
        s = sp[sp.method == arm]
        spd = (
            f"{s.speedup.iloc[0]:.2f} [{s.lo.iloc[0]:.2f}, {s.hi.iloc[0]:.2f}]"
            if len(s) and "speedup" in s
            else "-"
        )
        r = rr.loc[arm]
        lines.append(
            f"| {arm} | {v.mean():.5f} [{lo:.5f}, {hi:.5f}] | {np.median(tt.time):.0f} "
            f"({int(tt.reached.sum())}/{len(tt)}) | {spd} | {r.run_s:.1f} | {r.n_results:.0f} | "
            f"{r.n_trials:.0f} | {r.n_full:.0f} |"
        )
    xcol = "time" if "time" in band.columns else "x"
    lines += [
        "",
        "HV (mean over seeds [95 % bootstrap CI]) at simulated times:",
        "",
        "| arm | " + " | ".join(f"{m:.0f} s" for m in marks) + " |",
        "|---|" + "---|" * len(marks),
    ]
    for arm in ARMS:
        b = band[band.method == arm].sort_values(xcol)
        if len(b):
            cells = [f"{r.mean:.4f} [{r.lo:.4f}, {r.hi:.4f}]" for r in b.itertuples()]
            lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def overhead() -> str:
    """Per-call cost: our priority vs NonDominatedPriority on random 2-D rungs of n rows, and
    one MOASHA rung decision (Bracket.on_result) with each."""
    import numpy as np
    from syne_tune.optimizer.schedulers.asha import Bracket
    from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import (
        NonDominatedPriority,
    )

    from mohb_jax.integrations.syne_tune import JaxNonDominatedPriority

    rng = np.random.default_rng(0)
    ours, theirs = JaxNonDominatedPriority(), NonDominatedPriority()
    lines = [
        "| rung size n | ours CPU ms / call | theirs CPU ms / call | theirs / ours |",
        "|---|---|---|---|",
    ]
    for n in (10, 30, 100, 300, 1000):
        y = rng.random((n, 2))
        ours(y)  # compile this bucket
        k = max(3, int(2000 / n))
        k2 = max(1, k // 10 if n >= 300 else k)
        t0 = time.process_time()  # CPU time: the machine is shared
        for _ in range(k):
            ours(y)
        t1 = time.process_time()
        for _ in range(k2):
            theirs(y)
        t2 = time.process_time()
        a, b = (t1 - t0) / k * 1e3, (t2 - t1) / k2 * 1e3
        lines.append(f"| {n} | {a:.3f} | {b:.3f} | {b / a:.1f}x |")
    # a whole rung of 200 arrivals through MOASHA's Bracket
    ys = rng.random((200, 2))
    out = []
    warm = Bracket(1, 9, 3, 0, priority=ours)  # compile every bucket up to 256 rows first
    for i, y in enumerate(ys):
        warm.on_result(i, 1, {"a": y[0], "b": y[1]})
    for prio in (ours, theirs):
        b = Bracket(1, 9, 3, 0, priority=prio)
        t0 = time.process_time()
        for i, y in enumerate(ys):
            b.on_result(i, 1, {"a": y[0], "b": y[1]})
        out.append((time.process_time() - t0) / len(ys) * 1e3)
    lines.append(
        f"| Bracket.on_result, 200 arrivals (mean) | {out[0]:.3f} | {out[1]:.3f} | "
        f"{out[1] / out[0]:.1f}x |"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--one", nargs=2, metavar=("ARM", "SEED"))
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--arms", nargs="*", default=list(ARMS))
    ap.add_argument("--out", type=Path, default=Path("/tmp/st_bench"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--budget-s", type=float, default=None)
    ap.add_argument("--report", type=Path)
    ap.add_argument("--overhead", action="store_true")
    a = ap.parse_args()
    if a.overhead:
        print(os.popen("uptime").read().strip())
        print(overhead())
        print(os.popen("uptime").read().strip())
        return
    data_dir = os.environ.get("MOHB_JAX_DATA")
    if a.report:
        print(report(a.report))
        return
    if a.one:
        one_run(a.one[0], int(a.one[1]), a.out, data_dir, a.budget_s)
        return
    todo = [(arm, s) for s in a.seeds for arm in a.arms]
    running: list[subprocess.Popen] = []
    for arm, s in todo:
        while len(running) >= a.jobs:
            running = [p for p in running if p.poll() is None]
            time.sleep(0.5)
        cmd = [sys.executable, __file__, "--one", arm, str(s), "--out", str(a.out)]
        if a.budget_s:
            cmd += ["--budget-s", str(a.budget_s)]
        log = open(a.out.with_suffix(".log"), "a")
        running.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
    for p in running:
        p.wait()
    print(report(a.out))


if __name__ == "__main__":
    main()
