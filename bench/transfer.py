"""Benchmarks of mohb_jax.transfer (Gaussian-copula transfer), printed as markdown.

Sections (pick with argv; default: ``copula fit``):

* ``copula``: rank back-ends of ``copula_transform`` (NumPy sort+searchsorted, JAX sort +
  searchsorted, JAX dense O(N²) count) at several N, interleaved in one process.
* ``fit``: leave-one-task-out fit time on real tables (FCNet ≈ 750 k rows, NAS-Bench-201,
  ICML-2020 XGBoost and DeepAR): the MLP (first call incl. compile, then cached), the exact GP
  (gpjax, subsampled) on the smaller tables, and a scikit-learn HistGradientBoostingRegressor
  + constant σ baseline (stand-in for Syne Tune's XGBoost + constant σ; xgboost is not
  installed). Then calibration on the held-out target task: coverage of the 50/80/95 % central
  predictive intervals, NLL and Spearman of μ with the target's copula values.
* ``fittime``: the FCNet MLP leave-one-task-out fit, first call (incl. compilation) and cached.
* ``paired``: paired per-seed final-HV differences from the sweep's parquet summaries.
* ``corr``: how well the leave-one-task-out prior ranks each target task's configurations
  (Spearman of μ with the target's values at the lowest and highest fidelity), on the sweep's
  tables (``--sweep-tables``).
* ``sweep``: MO-ASHA with the ``copula`` searcher vs the random searcher, leave-one-task-out,
  anytime hypervolume, speed-up to random search's final HV (median time-to-target) with
  bootstrap CIs.

Usage::

    .venv/bin/python bench/transfer.py copula fit
    .venv/bin/python bench/transfer.py sweep --seeds 1000 --sweep-tables nasbench201 \
        --searchers random copula copula_fit --out bench/out_transfer
    .venv/bin/python bench/transfer.py paired --out bench/out_transfer

References: Salinas, Shen & Perrone, ICML 2020; NAS-Bench-201 (Dong & Yang, ICLR 2020);
FCNet (Klein & Hutter, arXiv 1905.04970); LCBench via YAHPO Gym (surrogate).
"""

from __future__ import annotations

import argparse
import time

import jax
import numpy as np
from scipy import stats

from mohb_jax import tables, transfer
from mohb_jax._src.transfer.copula import _counts_numpy

FIT_TABLES = ["fcnet", "nasbench201", "icml2020_xgboost", "icml2020_deepar"]


def timeit(f, *args, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        jax.block_until_ready(f(*args))
        best = min(best, time.perf_counter() - t)
    return best


def bench_copula():
    print("\n## copula_transform rank back-ends (best of 3, one process, interleaved)\n")
    print(
        "| T×N×M | numpy sort+searchsorted | jax sort+searchsorted (jit) | jax dense O(N²) (jit) |"
    )
    print("|---|---|---|---|")
    import jax.numpy as jnp

    from mohb_jax._src.transfer import copula as cop

    for T, N, M in [
        (1000, 16, 2),
        (1000, 32, 2),
        (1000, 64, 2),
        (100, 256, 2),
        (100, 512, 2),
        (10, 4096, 2),
        (3, 250_000, 2),
    ]:
        y = np.random.default_rng(0).normal(size=(T, N, M)).astype(np.float32)
        m = np.ones((T, N), bool)
        yj, mj = jnp.asarray(y), jnp.asarray(m)

        def make(fn):
            f1 = jax.vmap(jax.vmap(fn, in_axes=(1, None), out_axes=1))
            return jax.jit(f1)

        f_sort, f_dense = make(cop._counts_sorted), make(cop._counts_dense)
        row = [f"{T}×{N}×{M}", f"{timeit(_counts_numpy, y, m) * 1e3:.2f} ms"]
        f_sort(yj, mj)
        row.append(f"{timeit(f_sort, yj, mj) * 1e3:.2f} ms")
        if N <= 4096:
            f_dense(yj, mj)
            row.append(f"{timeit(f_dense, yj, mj) * 1e3:.2f} ms")
        else:
            row.append("(N² memory)")
        print("| " + " | ".join(row) + " |", flush=True)


def coverage(mu, sd, z, levels=(0.5, 0.8, 0.95)):
    out = []
    for lev in levels:
        h = stats.norm.ppf(0.5 + lev / 2) * sd
        out.append(float(np.mean(np.abs(z - mu) <= h)))
    return out


def calib_rows(name, label, mu_rows, sd_rows, zt, fit_s, objectives):
    for j, o in enumerate(objectives):
        cov = coverage(mu_rows[:, j], sd_rows[:, j], zt[:, j])
        nll = float(
            np.mean(np.log(sd_rows[:, j]) + 0.5 * ((zt[:, j] - mu_rows[:, j]) / sd_rows[:, j]) ** 2)
            + 0.5 * np.log(2 * np.pi)
        )
        rho = stats.spearmanr(mu_rows[:, j], zt[:, j])[0]
        print(
            f"| {name} | {label} | {o} | {fit_s} | {cov[0]:.2f} / {cov[1]:.2f} / {cov[2]:.2f} "
            f"| {nll:.3f} | {rho:.3f} |"
        )


def bench_fit(table_names, gp_max_points=1000):
    from sklearn.ensemble import HistGradientBoostingRegressor

    print("\n## Leave-one-task-out fit time and calibration on the held-out target task\n")
    print(
        "Coverage = fraction of the target task's copula values (every config × seed) inside "
        "the 50 / 80 / 95 % central intervals of N(μ, σ); ideal 0.50 / 0.80 / 0.95. NLL in nats "
        "(standard normal: 1.42). ρ = Spearman(μ, target z).\n"
    )
    print("| table (target) | model | objective | fit s | coverage 50/80/95 | NLL | ρ |")
    print("|---|---|---|---|---|---|---|")
    for name in table_names:
        tb = tables.load_benchmark(name)
        target = tb.tasks[0]
        objectives = tuple(tb.default_objectives)
        tag = f"{name} ({target})"
        t0 = time.perf_counter()
        rows = [transfer.task_copula_rows(tb, t, objectives) for t in range(1, tb.n_tasks)]
        t_rows = time.perf_counter() - t0
        n_rows = sum(len(r[0]) for r in rows)
        ct, zt = transfer.task_copula_rows(tb, target, objectives)
        enc = np.asarray(tb.encoded, np.float32)
        # MLP: first call includes compilation; second call (another key) is the cached cost
        t0 = time.perf_counter()
        fit = transfer.fit_source(tb, target, objectives, key=jax.random.key(0))
        t_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        fit = transfer.fit_source(tb, target, objectives, key=jax.random.key(1))
        t_second = time.perf_counter() - t0
        print(
            f"| {tag} | MLP | – | {t_first:.1f} (1st, incl. compile) / {t_second:.1f} (2nd); "
            f"rows: {n_rows} pooled, copula+gather {t_rows:.1f} s | | | |"
        )
        calib_rows(tag, "MLP", fit.mu[ct], fit.sigma[ct], zt, f"{t_second:.1f}", objectives)
        # HGB + constant sigma (Syne Tune's recipe with sklearn instead of xgboost)
        c = np.concatenate([r[0] for r in rows])
        z = np.concatenate([r[1] for r in rows])
        x = enc[c]
        rng = np.random.default_rng(0)
        perm = rng.permutation(len(c))
        n_va = max(1, len(c) // 10)
        va, tr = perm[:n_va], perm[n_va:]
        t0 = time.perf_counter()
        mu_h, sd_h = [], []
        for j in range(z.shape[1]):
            h = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(x[tr], z[tr, j])
            res = z[va, j] - h.predict(x[va])
            mu_h.append(h.predict(enc))
            sd_h.append(np.full(len(enc), res.std()))
        t_h = time.perf_counter() - t0
        mu_h, sd_h = np.stack(mu_h, 1), np.stack(sd_h, 1)
        calib_rows(tag, "HGB + const σ", mu_h[ct], sd_h[ct], zt, f"{t_h:.1f}", objectives)
        if n_rows <= 300_000:
            t0 = time.perf_counter()
            g = transfer.fit_source(
                tb, target, objectives, model="gp", max_points=gp_max_points, steps=200
            )
            t_g = time.perf_counter() - t0
            calib_rows(
                tag,
                f"GP ({gp_max_points} pts)",
                g.mu[ct],
                g.sigma[ct],
                zt,
                f"{t_g:.1f}",
                objectives,
            )


#: LCDB's anchors are training-set sizes that end at each dataset's own size, so no learner
#: has a result at every anchor on more than one dataset. The transfer sweep uses the anchors
#: 16 .. 1024 (fidelity indices 0..12) and the 139 datasets on which at least 15 of the 20
#: learners have a complete seed there (targets: the first 4, sources: the other 138).
LCDB_FIDELITIES = 13
LCDB_MIN_LEARNERS = 15


def load_table(name: str):
    """``tables.load_benchmark(name)``; for ``lcdb`` the sub-table described above."""
    tb = tables.load_benchmark(name)
    if name == "lcdb":
        m = np.asarray(tb.mask)[..., :LCDB_FIDELITIES]
        ok = m.all(-1).any(-1).sum(-1) >= LCDB_MIN_LEARNERS  # [T]
        keep = [t for t, k in zip(tb.tasks, ok, strict=True) if k]
        tb = tb.select(task=keep, fidelities=np.arange(LCDB_FIDELITIES))
    return tb


_FIT = {"lengthscale": "grid", "noise": "grid"}
# the guard as first measured: 4:1 for the prior, no warm-up (results_transfer.md §5b-§5d)
_G4 = {**_FIT, "guard": True, "guard_prior": (4.0, 1.0), "guard_warmup": 0}

SEARCHERS = {
    # label -> copula_searcher options (None: the simulator's random searcher)
    "random": None,
    # residual GP with fixed (ℓ, τ²) = (sqrt(D)/2, 0.1): the searcher's default until the third
    # session of 2026-11-22 (the recorded "copula" rows); the default is now copula_fit's grid
    "copula": {"lengthscale": None, "noise": 0.1, "guard": False},
    "copula_fit": {**_FIT, "guard": False},  # type-II ML grid
    # the default searcher: copula_fit plus the guard against negative transfer (a bandit over
    # {prior, random} credited by rung outcomes, 16:1 for the prior, a warm-up until the first
    # result; no floor on the random arm's share)
    "guarded": {**_FIT, "guard": True},
    # 4:1 without warm-up, and random floors on top (§5c)
    "guarded_nofloor": {**_G4, "guard_floor": 0.0},
    "guarded_floor25": {**_G4, "guard_floor": 0.25},
    "guarded_floor50": {**_G4, "guard_floor": 0.5},
    "guarded_nowarm": _G4,
    # 16:1 without warm-up (§5e)
    "guarded_p16": {**_G4, "guard_prior": (16.0, 1.0)},
    # 4:1, the first 4 proposals (one wave of the sweep's 4 workers) from the prior (§5e)
    "guarded_warm4": {**_G4, "guard_warmup": 4},
    # 4:1 with the warm-up until the first result (§5e's "at 4:1" rows)
    "guarded_4w": {**_G4, "guard_warmup": "evidence"},
    # 16:1 with the warm-up: the default's options, spelled out (§5e)
    "guarded_p16w": {**_FIT, "guard": True, "guard_prior": (16.0, 1.0), "guard_warmup": "evidence"},
    # 4:1 with the warm-up, credited at every fidelity (each result against recent ones there)
    "guarded_all": {**_G4, "guard_warmup": "evidence", "guard_fidelity": "all"},
}


def searcher_kw(tb, fit, label: str, n_candidates: int = 128) -> dict:
    """``simulate`` keyword arguments for searcher ``label`` of :data:`SEARCHERS` ({} for the
    simulator's random searcher)."""
    opts = SEARCHERS[label]
    if opts is None:
        return {}
    if opts.get("guard_fidelity") == "all":
        opts = {**opts, "guard_fidelity": tuple(range(tb.n_fidelities))}
    return {"searcher": transfer.copula_searcher_for(tb, fit, n_candidates=n_candidates, **opts)}


def _mean_sem(v):
    v = np.asarray(v, np.float64)
    return f"{v.mean():.4g} ± {v.std(ddof=1) / np.sqrt(len(v)):.2g}"


def bench_sweep(specs, seeds: int, n_candidates: int, searchers, out_dir=None, on_exhausted=None):
    import pandas as pd

    import mohb_jax
    from mohb_jax import metrics

    others = [m for m in searchers if m != "random"]
    print(f"\n## MO-ASHA: {' / '.join(searchers)} searchers, leave-one-task-out, {seeds} seeds\n")
    print(
        "Final HV: mean ± s.e.m. over seeds. Speed-up: median over seeds of random's time (or "
        "cost) to reach random's target HV (its final HV's 25 % quantile) / the method's, 95 % "
        "bootstrap CI over seeds; 0 = the method's median run never reaches it. sim s = "
        "compile + run seconds of `mohb_jax.simulate` for all seeds.\n"
    )
    head = ["table", "target task", "fit s"]
    head += [f"final HV {m}" for m in searchers]
    for m in others:
        head += [f"{m}: speed-up time [95 % CI]", f"{m}: reached", f"{m}: speed-up cost [CI]"]
    head += ["sim s (" + " / ".join(searchers) + ")"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, task_list, budget in specs:
        tb = load_table(name)
        objectives = tuple(tb.default_objectives)
        for task in task_list:
            t0 = time.perf_counter()
            fit = transfer.fit_source(tb, task, objectives)
            t_fit = time.perf_counter() - t0
            traces, secs = [], []
            for label in searchers:
                kw = searcher_kw(tb, fit, label, n_candidates)
                df = mohb_jax.simulate(
                    tb,
                    method="epsnet",
                    task=task,
                    objectives=objectives,
                    seeds=seeds,
                    budget=budget,
                    progress=False,
                    on_exhausted=on_exhausted,
                    **kw,
                )
                meta = df.attrs["mohb_jax"]
                secs.append(f"{meta['compile_seconds']:.0f}+{meta['run_seconds']:.0f}")
                df["method"] = label
                tr = metrics.hypervolume_traces(df)
                traces.append(tr[["method", "seed", "time", "cost", "hv"]].copy())
                del df, tr
            tr = pd.concat(traces, ignore_index=True)
            fin = metrics.final_hypervolume(tr)
            target = metrics.default_target(tr, "random")
            sp = metrics.speedups(tr, baseline="random", x="time", target=target).set_index(
                "method"
            )
            has_cost = bool(np.isfinite(tr["cost"].to_numpy(np.float64)).any())
            spc = (
                metrics.speedups(tr, baseline="random", x="cost", target=target).set_index("method")
                if has_cost
                else None
            )
            row = [name, str(task), f"{t_fit:.0f}"]
            row += [_mean_sem(fin.loc[fin["method"] == m, "hv"]) for m in searchers]
            for m in others:
                r = sp.loc[m]
                row += [
                    f"{r['speedup']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]",
                    f"{r['reached_frac']:.2f}",
                    (
                        f"{spc.loc[m, 'speedup']:.2f} [{spc.loc[m, 'lo']:.2f}, "
                        f"{spc.loc[m, 'hi']:.2f}]"
                        if has_cost
                        else "–"
                    ),
                ]
            row.append(" / ".join(secs))
            print("| " + " | ".join(row) + " |", flush=True)
            if out_dir is not None:
                import pathlib

                ttt = metrics.time_to_target(tr, target, x="time")
                per = fin.merge(ttt, on=["method", "seed"])
                if has_cost:
                    per = per.merge(
                        metrics.time_to_target(tr, target, x="cost")[["method", "seed", "cost"]],
                        on=["method", "seed"],
                    )
                per.insert(0, "task", str(task))
                per.insert(0, "table", name)
                per["target_hv"] = target
                pathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)
                safe = str(task).replace("/", "_")
                per.to_parquet(pathlib.Path(out_dir) / f"sweep_{name}_{safe}_{seeds}.parquet")


def bench_corr(specs):
    """Spearman correlation of the leave-one-task-out prior mean with the target's values.

    Per task and objective, at the lowest and the highest fidelity, over every configuration
    with a valid value (seed means): how well the prior ranks the target's configurations.
    """
    print("\n## Prior quality: Spearman(μ, target value), leave-one-task-out MLP prior\n")
    print("| table | target task | objective | lowest fidelity | highest fidelity |")
    print("|---|---|---|---|---|")
    for name, task_list, _ in specs:
        tb = tables.load_benchmark(name)
        objectives = tuple(tb.default_objectives)
        for task in task_list:
            fit = transfer.fit_source(tb, task, objectives)
            ti = tb.task_index(task)
            for j, o in enumerate(objectives):
                oi = tb.objective_index(o)
                cells = []
                for f in (0, tb.n_fidelities - 1):
                    m = np.asarray(tb.mask[ti, :, :, f])
                    v = np.where(m, np.asarray(tb.values[ti, :, :, f, oi], np.float64), 0.0)
                    n = m.sum(1)
                    ok = n > 0
                    mean = v.sum(1)[ok] / n[ok]
                    cells.append(f"{stats.spearmanr(fit.mu[ok, j], mean).statistic:+.2f}")
                print(f"| {name} | {task} | {o} | {cells[0]} | {cells[1]} |", flush=True)


def bench_fittime(name="fcnet"):
    """MLP leave-one-task-out fit: the first call (incl. compilation) and a cached call."""
    tb = tables.load_benchmark(name)
    target = tb.tasks[0]
    objectives = tuple(tb.default_objectives)
    out = []
    for k in range(3):
        t0 = time.perf_counter()
        fit = transfer.fit_source(tb, target, objectives, key=jax.random.key(k))
        out.append(time.perf_counter() - t0)
    print(
        f"\n## MLP fit time, {name} (target {target}, {fit.n_rows} pooled rows)\n\n"
        f"first call (incl. compilation): {out[0]:.1f} s; cached: {out[1]:.1f} s, {out[2]:.1f} s"
    )


def bench_paired(out_dir):
    """Paired per-seed final-HV differences from the sweep's parquet summaries."""
    import glob

    import pandas as pd

    print(
        "\n| table | task | seeds | copula − random final HV (paired mean ± s.e.m., % of "
        "random) | copula > random | copula_fit − copula (paired, % of copula) | fit > fixed "
        "| time-to-target equal (fit vs fixed) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in sorted(glob.glob(f"{out_dir}/sweep_*.parquet")):
        d = pd.read_parquet(f)
        p = d.pivot(index="seed", columns="method", values="hv")
        t = d.pivot(index="seed", columns="method", values="time")
        n = len(p)

        def diff(a, b, p=p, n=n):
            dd = p[a] - p[b]
            sem = dd.std(ddof=1) / np.sqrt(n)
            return f"{dd.mean():.3g} ± {sem:.2g} ({100 * dd.mean() / p[b].mean():+.3f} %)", dd

        txt, dd = diff("copula", "random")
        row = [d.table.iloc[0], d.task.iloc[0], str(n), txt, f"{np.mean(dd > 0):.2f}"]
        if "copula_fit" in p:
            txt, de = diff("copula_fit", "copula")
            row += [txt, f"{np.mean(de > 0):.2f}", f"{np.mean(t['copula_fit'] == t['copula']):.2f}"]
        else:
            row += ["–", "–", "–"]
        print("| " + " | ".join(row) + " |")


def bench_guard_paired(out_dir, arm: str = "guarded"):
    """Paired per-seed final HV of ``arm`` minus random's, from the sweep's parquet summaries:
    mean ± s.e.m. in % of random's mean and its 95 % t interval; "below" when the whole
    interval is below 0 (the issue's "below random search beyond its CI")."""
    import glob

    import pandas as pd

    print(
        f"\n| table | task | seeds | {arm} − random final HV (paired, % of random) | 95 % CI "
        "(%) | below random beyond the CI |"
    )
    print("|---|---|---|---|---|---|")
    for f in sorted(glob.glob(f"{out_dir}/sweep_*.parquet")):
        d = pd.read_parquet(f)
        p = d.pivot(index="seed", columns="method", values="hv")
        if arm not in p:
            continue
        dd = (p[arm] - p["random"]).to_numpy(np.float64)
        n, base = len(dd), float(p["random"].mean())
        sem = dd.std(ddof=1) / np.sqrt(n)
        half = stats.t.ppf(0.975, n - 1) * sem
        m = dd.mean()
        row = [d.table.iloc[0], d.task.iloc[0], str(n)]
        row += [f"{100 * m / base:+.3f} ± {100 * sem / base:.3f}"]
        row += [f"[{100 * (m - half) / base:+.3f}, {100 * (m + half) / base:+.3f}]"]
        row += ["**yes**" if m + half < 0 else "no"]
        print("| " + " | ".join(row) + " |")


def bench_identical(seeds: int = 6):
    """Frames with on_exhausted idle vs resume on tasks whose table is not used up within the
    budget: they must be equal row for row (the resume path only runs once it is)."""
    import pandas as pd

    import mohb_jax

    print(f"\n## idle == resume where the table is not used up ({seeds} seeds)\n")
    cases = [
        ("nasbench201", "cifar10"),
        ("fcnet", "naval_propulsion"),
        ("icml2020_deepar", "electricity"),
    ]
    for name, task in cases:
        tb = load_table(name)
        obj = tuple(tb.default_objectives)
        fit = transfer.fit_source(tb, task, obj)
        for lab in ("random", "guarded"):
            fr = {}
            for oe in ("idle", "resume"):
                kw = searcher_kw(tb, fit, lab)
                fr[oe] = mohb_jax.simulate(
                    tb, task=task, objectives=obj, seeds=seeds, progress=False,
                    on_exhausted=oe, **kw,
                )  # fmt: skip
            pd.testing.assert_frame_equal(fr["idle"], fr["resume"])
            print(f"- {name} {task} {lab}: identical ({len(fr['idle'])} rows)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sections", nargs="*", default=["copula", "fit"])
    ap.add_argument("--tables", nargs="*", default=FIT_TABLES)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--n-candidates", type=int, default=128)
    ap.add_argument("--sweep-tables", nargs="*", default=None)
    ap.add_argument("--searchers", nargs="*", default=["random", "copula"])
    ap.add_argument("--tasks", nargs="*", default=None, help="restrict the sweep's tasks")
    ap.add_argument("--out", default=None, help="directory for per-seed parquet summaries")
    ap.add_argument(
        "--on-exhausted",
        default=None,
        choices=["idle", "resume"],
        help="what a worker does once the table's configurations are used up (every arm; "
        "default: the simulator's, resume)",
    )
    args = ap.parse_args()
    print(f"# bench/transfer.py {' '.join(args.sections)}  ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"jax {jax.__version__}, devices {jax.devices()}")
    if "copula" in args.sections:
        bench_copula()
    if "fit" in args.sections:
        bench_fit(args.tables)
    if "fittime" in args.sections:
        bench_fittime()
    if "guardpaired" in args.sections:
        bench_guard_paired(args.out or "bench/out_transfer")
    if "identical" in args.sections:
        bench_identical()
    if "paired" in args.sections:
        bench_paired(args.out or "bench/out_transfer")
    if "sweep" in args.sections or "corr" in args.sections:
        specs = {
            "nasbench201": ("nasbench201", ["cifar10", "cifar100", "ImageNet16-120"], "100x"),
            "fcnet": (
                "fcnet",
                [
                    "naval_propulsion",
                    "parkinsons_telemonitoring",
                    "protein_structure",
                    "slice_localization",
                ],
                "100x",
            ),
            "icml2020_deepar": ("icml2020_deepar", None, "100x"),
            "lcbench_surrogate": ("lcbench_surrogate", None, "100x"),
            "embedded": ("embedded", None, "100x"),
            # 20 learners, anchors 16..1024, 139 datasets (see load_table)
            "lcdb": ("lcdb", None, "100x"),
        }
        chosen = args.sweep_tables or list(specs)
        run = []
        for k in chosen:
            name, tasks, budget = specs[k]
            if tasks is None:
                tasks = list(load_table(name).tasks[:4])
            if args.tasks:
                tasks = [t for t in tasks if str(t) in args.tasks]
            run.append((name, tasks, budget))
        if "corr" in args.sections:
            bench_corr(run)
        if "sweep" in args.sections:
            bench_sweep(
                run, args.seeds, args.n_candidates, args.searchers, args.out, args.on_exhausted
            )


if __name__ == "__main__":
    main()
