#!/usr/bin/env python3
"""Optuna 5, a table-backed objective: no pruning vs multi_metric_pruner(MedianPruner) vs ours.

No pruning vs OptunaHub's ``multi_metric_pruner(MedianPruner)`` vs our MOHBPruner (ε-net,
single), and the per-call overhead of the pruners.

Objective: TrimTuner cnn (a real measured table, not a surrogate) through a lookup: a trial draws
a table row (``RandomSampler``, seeded per study), then reports ``(1 - acc, cost_usd)`` at steps
1..5 (training-set sizes 1k..60k) and returns the values at step 5 unless pruned. Simulated time
of a trial = the table's training time at the last size it reached (the table's sizes are
separate runs from scratch, so the time at a size is the full time of that run); a study runs
its trials one after another.

Arms (same study seeds, so the same row sequence): ``none`` (no pruning: every trial to 60k),
``mohb_epsnet`` (our MO-ASHA stopping rule, rung levels at steps 1, 3, 5, eta = 3, one bracket),
``mohb_single`` (the same on ``1 - acc`` alone: classic ASHA) and, with
``--multi-metric-pruner-dir``, ``mmp_median``: OptunaHub's ``multi_metric_pruner`` in its joint
(Pareto-rank) mode around Optuna's default ``MedianPruner()``, reporting the same dicts at the
same steps. HV of all results so far (any size; the table's fixed reference point) vs trials and
vs simulated time; percentile-bootstrap 95 % CIs over studies; time (and trials) to a target HV
with speed-ups against ``mmp_median`` and ``none`` measured in the same run.

``multi_metric_pruner`` is not part of this repository: ``--multi-metric-pruner-dir`` names a
local copy of the registry package (a directory ``.../pruners/multi_metric_pruner`` holding its
``__init__.py``). It is loaded with ``optunahub.load_local_module`` when ``optunahub`` is
installed, else with ``importlib`` the same way (a package imported from that directory).

Usage (from the repository root, any venv with Optuna)::

    python bench/optuna_adapters.py --studies 60 --trials 50 --out OUT.csv \
        [--multi-metric-pruner-dir DIR]
    python bench/optuna_adapters.py --overhead [--multi-metric-pruner-dir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time

import numpy as np
import pandas as pd

ARMS = ("none", "mohb_epsnet", "mohb_single")
MMP_ARM = "mmp_median"


def load_multi_metric_pruner(path: str):
    """OptunaHub's ``multi_metric_pruner`` package from a local directory (see the module doc)."""
    path = os.path.abspath(path)
    if not os.path.isfile(os.path.join(path, "__init__.py")):
        raise ValueError(f"--multi-metric-pruner-dir: no __init__.py in {path}")
    root, name = os.path.split(path)
    root, kind = os.path.split(root)
    try:
        import optunahub
    except ImportError:
        optunahub = None
    if optunahub is not None:
        return optunahub.load_local_module(f"{kind}/{name}", registry_root=root)
    mod_name = f"optunahub_registry.package.{kind}.{name}"
    spec = importlib.util.spec_from_file_location(mod_name, os.path.join(path, "__init__.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


def load():
    from mohb_jax import tables

    t = tables.load_benchmark("trimtuner_cnn", data_dir=os.environ.get("MOHB_JAX_DATA"))
    v = np.asarray(t.values[0, :, 0])  # [C, F, O], minimization space: acc is negated
    err = 1.0 + v[..., t.objective_index("acc")]
    cost = v[..., t.objective_index("cost_usd")]
    tim = v[..., t.objective_index("training_time_s")]
    ref_all = np.asarray(t.ref_point)
    ref = np.array(
        [1.0 + ref_all[t.objective_index("acc")], ref_all[t.objective_index("cost_usd")]]
    )
    return err, cost, tim, ref


def run_study(arm: str, seed: int, n_trials: int, err, cost, tim, mmp=None) -> pd.DataFrame:
    import optuna

    from mohb_jax.integrations.optuna import MOHBPruner, MOHBTrial

    if arm == MMP_ARM and mmp is None:
        raise ValueError(f"arm {MMP_ARM!r} needs the multi_metric_pruner module")
    wrap = mmp.MultiMetricPrunerTrial if arm == MMP_ARM else MOHBTrial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    C, F = err.shape
    rows = []
    clock = [0.0]

    def objective(trial):
        r = trial.suggest_int("row", 0, C - 1)
        steps = range(1, F + 1) if arm != "none" else [F]
        t = wrap(trial) if arm != "none" else None
        for s in steps:
            e, c = float(err[r, s - 1]), float(cost[r, s - 1])
            rows.append((trial.number, s, e, c, clock[0] + float(tim[r, s - 1])))
            if t is not None:
                t.report({"err": e, "cost": c}, s)
                if t.should_prune():
                    clock[0] += float(tim[r, s - 1])
                    raise optuna.TrialPruned()
        clock[0] += float(tim[r, F - 1])
        return e, c

    pruner = None
    if arm == MMP_ARM:
        pruner = mmp.MultiMetricPruner(
            optuna.pruners.MedianPruner(),
            metric_directions={"err": "minimize", "cost": "minimize"},
            joint=True,
        )
    elif arm != "none":
        pruner = MOHBPruner(
            {"err": "minimize", "cost": "minimize"},
            min_resource=1,
            max_resource=F,
            reduction_factor=3,
            n_brackets=1,
            rule="epsnet" if arm == "mohb_epsnet" else "single",
        )
    study = optuna.create_study(
        directions=["minimize", "minimize"],
        sampler=optuna.samplers.RandomSampler(seed=seed),
        pruner=pruner,
    )
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    wall = time.perf_counter() - t0
    df = pd.DataFrame(rows, columns=["trial", "step", "err", "cost", "time"])
    df["method"], df["seed"], df["wall_s"] = arm, seed, wall
    return df


def hv_at(df: pd.DataFrame, ref, xs, col):
    from mohb_jax.hypervolume import hypervolume

    out = []
    cap = 1 << max(6, (len(df) - 1).bit_length())  # one padded shape: one compilation
    for x in xs:
        sub = df[df[col] <= x]
        y = np.zeros((cap, 2), np.float32)
        y[: len(sub)] = sub[["err", "cost"]].to_numpy(np.float32)
        mask = (np.arange(cap) < len(sub)) & np.all(y < ref, axis=1)
        out.append(float(hypervolume(y, np.asarray(ref, np.float32), mask)))
    return out


def table_header(columns: list[str]) -> list[str]:
    """A markdown table's two header lines: ``arm`` then ``columns``."""
    return ["| arm | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]


def ci(v, rng, n=2000):
    v = np.asarray(v)
    b = [rng.choice(v, len(v)).mean() for _ in range(n)]
    lo, hi = np.quantile(b, [0.025, 0.975])
    return f"{v.mean():.4f} [{lo:.4f}, {hi:.4f}]"


def bench(n_studies: int, n_trials: int, out: str | None = None, mmp=None) -> str:
    """Run (or, with ``out``, continue and extend) the studies; report the ones finished."""
    err, cost, tim, ref = load()
    arms = ARMS + ((MMP_ARM,) if mmp is not None else ())
    done = pd.read_csv(out) if out and os.path.exists(out) else None
    frames = [] if done is None else [done]
    have = set() if done is None else set(zip(done.method, done.seed, strict=True))
    for s in range(n_studies):
        for a in arms:  # arms interleaved per study seed: a partial run stays balanced
            if (a, s) in have:
                continue
            f = run_study(a, s, n_trials, err, cost, tim, mmp)
            frames.append(f)
            if out:
                f.to_csv(out, mode="a", header=not os.path.exists(out), index=False)
    df = pd.concat(frames, ignore_index=True)
    df = df[df.method.isin(arms)]
    full = df.groupby("seed").method.nunique()
    df = df[df.seed.isin(full[full == len(arms)].index)]
    n_studies = df.seed.nunique()
    trial_marks = sorted({10, 25, n_trials})
    total_none = df[df.method == "none"].groupby("seed").time.max().median()
    time_marks = [total_none * f for f in (0.1, 0.25, 0.5, 1.0)]
    rng = np.random.default_rng(0)
    lines = [
        f"{n_studies} studies x {n_trials} trials per arm; time marks = fractions of the median "
        f"simulated time of a no-pruning study ({total_none:.0f} s)",
        "",
        *table_header(
            [f"HV @ {m} trials" for m in trial_marks]
            + [f"HV @ {f:.0f} s" for f in time_marks]
            + ["results", "trials stopped early", "real s per study"]
        ),
    ]
    for arm in arms:
        a = df[df.method == arm]
        by_trials, by_time, n_res, n_pruned, wall = [], [], [], [], []
        for _, g in a.groupby("seed"):
            g = g.assign(trial1=g.trial + 1)
            by_trials.append(hv_at(g, ref, [m - 0.5 for m in trial_marks], "trial1"))
            by_time.append(hv_at(g, ref, time_marks, "time"))
            n_res.append(len(g))
            n_pruned.append(int((g.groupby("trial").step.max() < g.step.max()).sum()))
            wall.append(g.wall_s.iloc[0])
        bt, bm = np.array(by_trials), np.array(by_time)
        cells = [ci(bt[:, j], rng) for j in range(bt.shape[1])]
        cells += [ci(bm[:, j], rng) for j in range(bm.shape[1])]
        lines.append(
            f"| {arm} | "
            + " | ".join(cells)
            + f" | {np.median(n_res):.0f} | {np.median(n_pruned):.0f} | {np.median(wall):.2f} |"
        )
    for base in ("none", MMP_ARM) if mmp is not None else ("none",):
        lines += ["", *to_target(df, ref, arms, base)]
    return "\n".join(lines)


def to_target(df: pd.DataFrame, ref, arms, target_arm: str) -> list[str]:
    """Simulated time and trials to a target HV (the 25 % quantile of ``target_arm``'s final
    HV), with median speed-ups [95 % bootstrap CI] against each baseline arm."""
    from mohb_jax import metrics

    traces = {}
    for x, order in (("time", ["method", "seed", "time"]), ("trial1", ["method", "seed"])):
        d = df.assign(trial1=df.trial + 1).sort_values(order, kind="stable")
        if x != "time":  # the HV-vs-trials trace is in trial order: its times may go back
            d = d.drop(columns="time")
        traces[x] = metrics.hypervolume_traces(
            d, objectives=["err", "cost"], ref=list(ref), directions=["min", "min"], keep=[x]
        )
    fin = traces["time"].groupby(["method", "seed"]).hv.last().unstack(0)
    target = float(np.quantile(fin[target_arm], 0.25))
    bases = [b for b in (MMP_ARM, "none") if b in arms]
    lines = [
        f"target HV = {target:.5f} (25 % quantile of {target_arm}'s final HV); "
        "speed-up = baseline's median / arm's median (censored runs count as never)",
        "",
        *table_header(
            ["median simulated s to target (reached)"]
            + [f"time speed-up vs {b} [95 % CI]" for b in bases]
            + ["median trials to target"]
            + [f"trials speed-up vs {b} [95 % CI]" for b in bases]
        ),
    ]
    sp = {
        (x, b): metrics.speedups(traces[x], baseline=b, target=target, x=x).set_index("method")
        for x in ("time", "trial1")
        for b in bases
    }
    for arm in arms:
        cells = []
        for x in ("time", "trial1"):
            r0 = sp[(x, bases[0])].loc[arm]
            cells.append(
                f"{r0.x_to_target:.0f}"
                + (f" ({r0.reached_frac * r0.n_seeds:.0f}/{r0.n_seeds})" if x == "time" else "")
            )
            for b in bases:
                r = sp[(x, b)].loc[arm]
                cells.append(f"{r.speedup:.2f} [{r.lo:.2f}, {r.hi:.2f}]")
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return lines


def overhead() -> str:
    """Per-call cost of MOHBTrial.report + should_prune, against Optuna's own single-objective
    report + should_prune with MedianPruner (multi_metric_pruner is not available offline)."""
    import optuna

    from mohb_jax.integrations.optuna import ARRIVAL_KEY, VALUES_KEY, MOHBPruner, MOHBTrial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = np.random.default_rng(0)
    lines = [
        "| trials in study | ours: report + should_prune ms "
        "| Optuna MedianPruner (1 objective) ms | CPU ratio |",
        "|---|---|---|---|",
    ]
    for n in (50, 200, 800):
        ours = optuna.create_study(
            directions=["minimize", "minimize"],
            pruner=MOHBPruner(["minimize", "minimize"], min_resource=1, max_resource=9),
        )
        med = optuna.create_study(pruner=optuna.pruners.MedianPruner())
        for i in range(n):  # fill both studies with n finished trials of 9 reports
            t = ours.ask()  # our layout, written directly (arrival numbers in order)
            t.set_user_attr(ARRIVAL_KEY, {str(s): 9 * i + s for s in range(1, 10)})
            vals = {str(s): {"0": rng.random(), "1": rng.random()} for s in range(1, 10)}
            t.set_user_attr(VALUES_KEY, vals)
            ours.tell(t, list(rng.random(2)))
            u = med.ask()
            for s in range(1, 10):
                u.report(float(rng.random()), s)
            med.tell(u, float(rng.random()))
        t = MOHBTrial(ours.ask())
        u = med.ask()
        t.report(list(rng.random(2)), 1)
        t.should_prune()  # replays the n filled trials once (compiles on the first study)
        k = 8  # steps 2..9 of a 9-step trial (rung levels at 1, 3, 9)
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(2, k + 2):
            t.report(list(rng.random(2)), s)
            t.should_prune()
        t1, c1 = time.perf_counter(), time.process_time()
        for s in range(2, k + 2):
            u.report(float(rng.random()), s)
            u.should_prune()
        t2, c2 = time.perf_counter(), time.process_time()
        a, b = (t1 - t0) / k * 1e3, (t2 - t1) / k * 1e3
        ca, cb = (c1 - c0) / k * 1e3, (c2 - c1) / k * 1e3
        lines.append(
            f"| {n} | {a:.2f} (CPU {ca:.2f}) | {b:.2f} (CPU {cb:.2f}) | {ca / max(cb, 1e-9):.1f}x |"
        )
    return "\n".join(lines)


def overhead_prune(mmp) -> str:
    """``prune()`` per call, ours against ``multi_metric_pruner(MedianPruner)`` (joint mode), on
    the same study state: n finished trials of 9 reports written by ``MultiMetricPrunerTrial``
    (the layout both read), and one running trial reporting steps 1..9; after each report both
    pruners decide on the same frozen trial."""
    import optuna

    from mohb_jax.integrations.optuna import MOHBPruner

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = np.random.default_rng(0)
    names = {"err": "minimize", "cost": "minimize"}
    lines = [
        "| finished trials | theirs: prune() ms wall (CPU) | ours: prune() ms wall (CPU) "
        "| CPU ratio theirs / ours | ours: first call s (replays every trial; compiles) "
        "| rung results ours parsed from their data |",
        "|---|---|---|---|---|---|",
    ]
    for n in (50, 200, 800):
        theirs = mmp.MultiMetricPruner(optuna.pruners.MedianPruner(), metric_directions=names,
                                       joint=True)  # fmt: skip
        ours = MOHBPruner(names, min_resource=1, max_resource=9, reduction_factor=3)
        study = optuna.create_study(directions=["minimize", "minimize"], pruner=theirs)
        for _ in range(n):
            t = study.ask()
            w = mmp.MultiMetricPrunerTrial(t)
            for s in range(1, 10):
                w.report({"err": float(rng.random()), "cost": float(rng.random())}, s)
            study.tell(t, list(rng.random(2)))
        t = study.ask()
        w = mmp.MultiMetricPrunerTrial(t)
        w.report({"err": float(rng.random()), "cost": float(rng.random())}, 1)
        frozen = study._storage.get_trial(t._trial_id)
        t0 = time.perf_counter()
        ours.prune(study, frozen)
        first = time.perf_counter() - t0
        parsed = len(ours._done)
        wall = {"theirs": 0.0, "ours": 0.0}
        cpu = {"theirs": 0.0, "ours": 0.0}
        k = 0
        for s in range(2, 10):
            w.report({"err": float(rng.random()), "cost": float(rng.random())}, s)
            frozen = study._storage.get_trial(t._trial_id)
            for who, p in (("theirs", theirs), ("ours", ours)):
                t0, c0 = time.perf_counter(), time.process_time()
                p.prune(study, frozen)
                wall[who] += time.perf_counter() - t0
                cpu[who] += time.process_time() - c0
            k += 1
        ms = {w_: (wall[w_] / k * 1e3, cpu[w_] / k * 1e3) for w_ in wall}
        lines.append(
            f"| {n} | {ms['theirs'][0]:.2f} ({ms['theirs'][1]:.2f}) "
            f"| {ms['ours'][0]:.2f} ({ms['ours'][1]:.2f}) "
            f"| {ms['theirs'][1] / max(ms['ours'][1], 1e-9):.1f}x | {first:.2f} | {parsed} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--studies", type=int, default=60)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--overhead", action="store_true")
    ap.add_argument("--out", help="CSV of finished studies: appended to, and reused when rerun")
    ap.add_argument(
        "--multi-metric-pruner-dir",
        help="a local copy of OptunaHub's pruners/multi_metric_pruner package: adds its arm",
    )
    a = ap.parse_args()
    mmp = load_multi_metric_pruner(a.multi_metric_pruner_dir) if a.multi_metric_pruner_dir else None
    print(os.popen("uptime").read().strip())
    if a.overhead:
        print(overhead())
        if mmp is not None:
            print()
            print(overhead_prune(mmp))
    else:
        print(bench(a.studies, a.trials, a.out, mmp))
    print(os.popen("uptime").read().strip())


if __name__ == "__main__":
    main()
