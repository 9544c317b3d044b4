"""The ``mohb-jax`` command line: ``sweep``, ``plot``, ``benchmarks``.

``mohb-jax sweep`` without arguments compares three methods (ε-net MO-ASHA, single-objective
ASHA and random search; add ``crowding`` and ``scalarize`` with ``--method``) over 32 seeds on
the embedded default table, prints a summary table and writes parquet + JSON + PNGs into
``./mohb_results``. Compiled programs are cached on disk (JAX's persistent compilation cache
in ``$MOHB_JAX_CACHE/xla``, default ``~/.cache/mohb_jax/xla``; ``MOHB_JAX_NO_COMPILE_CACHE=1``
turns it off), so a repeated sweep skips compilation. Flags follow Syne Tune's benchmarking
launcher where one exists (``--num_seeds``, ``--start_seed``, ``--n_workers``,
``--max_wallclock_time``, ``--experiment_tag``); dashed spellings work too.

Examples::

    mohb-jax benchmarks
    mohb-jax sweep --benchmark trimtuner_cnn --method epsnet random --seeds 0:1000 --budget 100x
    mohb-jax plot --results mohb_results
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT_METHODS = ("epsnet", "single", "random")
DEFAULT_OUT = "mohb_results"
RESULTS_STEM = "results"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mohb-jax",
        description="Multi-objective Hyperband / MO-ASHA simulated on offline tables (JAX).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("benchmarks", help="list the registered offline tables")
    b.add_argument("--names-only", action="store_true", help="print only the names")

    s = sub.add_parser(
        "sweep",
        help="simulate methods over many seeds; write parquet + JSON + PNG",
        description="Simulate methods over many seeds of an offline table (vmap over seeds).",
    )
    s.add_argument("--benchmark", default="embedded", help="table name (see `benchmarks`)")
    s.add_argument("--task", default=None, help="task name or index (default: the first)")
    s.add_argument(
        "--method",
        nargs="+",
        default=list(DEFAULT_METHODS),
        help=f"methods to compare (default: {' '.join(DEFAULT_METHODS)})",
    )
    s.add_argument("--seeds", default=None, help="'start:stop' (default 0:32) or '1,2,5'")
    s.add_argument("--num-seeds", "--num_seeds", type=int, default=None, dest="num_seeds")
    s.add_argument("--start-seed", "--start_seed", type=int, default=0, dest="start_seed")
    s.add_argument("--n-workers", "--n_workers", type=int, default=4, dest="n_workers")
    s.add_argument(
        "--budget",
        "--max-wallclock-time",
        "--max_wallclock_time",
        default="100x",
        dest="budget",
        help="simulated seconds, or '<k>x' = k max-fidelity evaluations' worth (default 100x)",
    )
    s.add_argument("--objectives", nargs="+", default=None, help="default: the table's")
    s.add_argument(
        "--transfer",
        action="store_true",
        help="also run every method with the copula transfer searcher ('<method>+copula'): a "
        "prior fit on the table's other tasks (leave-one-task-out) proposes configurations "
        "by Thompson sampling of the Pareto front instead of at random",
    )
    s.add_argument("--eta", type=int, default=None, help="reduction factor (driver default)")
    s.add_argument("--baseline", default=None, help="speed-up baseline (default: random)")
    s.add_argument("--chunk-size", type=int, default=None, dest="chunk_size")
    s.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    s.add_argument("--experiment-tag", "--experiment_tag", default="mohb-jax", dest="tag")
    s.add_argument("--syne-tune", action="store_true", help="also write a Syne Tune export")
    s.add_argument("--no-plot", action="store_true", help="skip the PNGs")
    s.add_argument("--no-progress", action="store_true", help="no progress bars")

    # ---- real trials: `tune FILE.py`, `resume DIR` (mohb_jax._src.tune.cli) ----
    from mohb_jax._src.tune import cli as _tune_cli

    _tune_cli.add_parsers(sub)

    q = sub.add_parser("plot", help="plots + summary of saved sweep results")
    q.add_argument("--results", default=DEFAULT_OUT, help="folder (or .parquet) of a sweep")
    q.add_argument("--out", default=None, help="where to write PNGs (default: beside results)")
    q.add_argument("--baseline", default=None)
    return p


def _seeds(args) -> str | list[int]:
    if args.seeds is not None and args.num_seeds is not None:
        raise ValueError("give either --seeds or --num-seeds, not both")
    if args.num_seeds is not None:
        if args.num_seeds <= 0:
            raise ValueError(f"--num-seeds must be positive; got {args.num_seeds}")
        return f"{args.start_seed}:{args.start_seed + args.num_seeds}"
    return args.seeds if args.seeds is not None else "0:32"


def _fmt_ci(v, lo, hi) -> str:
    def f(x):
        return "inf" if x == float("inf") else ("nan" if x != x else f"{x:.2f}")

    return f"{f(v)} [{f(lo)}, {f(hi)}]"


def summarize(df, *, baseline: str | None = None, table=None, progress: bool = False):
    """Traces, time/cost bands and the summary table of a results frame."""
    import numpy as np
    import pandas as pd

    from mohb_jax import metrics

    tr = metrics.hypervolume_traces(df, progress=progress)
    methods = list(dict.fromkeys(df["method"]))
    if baseline is None:
        baseline = "random" if "random" in methods else methods[-1]
    if baseline not in methods:
        raise ValueError(f"baseline {baseline!r} is not among the methods {methods}")
    fin = metrics.final_hypervolume(tr)
    has_cost = "cost" in df and df["cost"].notna().all()
    rows = []
    sp_t = metrics.speedups(tr, baseline=baseline, x="time").set_index("method")
    sp_c = (
        metrics.speedups(tr, baseline=baseline, x="cost").set_index("method") if has_cost else None
    )
    for m in methods:
        v = fin.loc[fin["method"] == m, "hv"].to_numpy()
        sem = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        r = {
            "method": m,
            "seeds": len(v),
            "final HV": f"{v.mean():.6g} ± {sem:.2g}",
            "reached": f"{sp_t.loc[m, 'reached_frac']:.0%}",
            f"time speed-up vs {baseline}": _fmt_ci(*sp_t.loc[m, ["speedup", "lo", "hi"]]),
        }
        if sp_c is not None:
            r[f"cost speed-up vs {baseline}"] = _fmt_ci(*sp_c.loc[m, ["speedup", "lo", "hi"]])
        rows.append(r)
    summary = pd.DataFrame(rows)
    target = float(sp_t["target"].iloc[0])
    return tr, summary, sp_t, sp_c, target, baseline


def write_report(
    df, out: Path, *, baseline=None, plot=True, table=None, progress=False
) -> list[Path]:
    """Summary CSV + PNGs for a results frame; returns the written paths."""
    import numpy as np
    import pandas as pd

    from mohb_jax import metrics

    out.mkdir(parents=True, exist_ok=True)
    tr, summary, sp_t, sp_c, target, baseline = summarize(df, baseline=baseline, progress=progress)
    written = []
    print(summary.to_string(index=False))
    print(
        f"target HV = {target:.4g} (25 % quantile of {baseline}'s final HV); speed-up = "
        "ratio of median time (cost) to target, censored seeds = +inf; 95 % bootstrap CI"
    )
    sp = pd.concat([s.reset_index() for s in (sp_t, sp_c) if s is not None], ignore_index=True)
    p = out / "speedups.csv"
    sp.to_csv(p, index=False)
    written.append(p)
    p = out / "summary.csv"
    summary.to_csv(p, index=False)
    written.append(p)
    if not plot:
        return written
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mohb_jax._src.sim.plots import plot_front, plot_hypervolume

    meta = df.attrs.get("mohb_jax", {})
    title = f"{meta.get('benchmark', '')} / {meta.get('task', '')}, {meta.get('n_workers')} workers"
    axes = ["time"] + (["cost"] if sp_c is not None else [])
    best = float(metrics.final_hypervolume(tr)["hv"].max())
    fig, axs = plt.subplots(2, len(axes), figsize=(6.2 * len(axes), 8.2), dpi=100, squeeze=False)
    for j, x in enumerate(axes):
        xs = tr[x].to_numpy()
        x0 = float(xs[xs > 0].min()) if (xs > 0).any() else 1e-9
        grid = np.geomspace(x0, float(xs.max()), 150)
        agg = metrics.aggregate_curves(tr, x=x, grid=grid)
        plot_hypervolume(agg, x=x, ax=axs[0, j], title=title, log_x=True)
        plot_hypervolume(
            agg,
            x=x,
            ax=axs[1, j],
            log_x=True,
            gap_to=best,
            title="gap to the best final HV of the sweep (lower is better)",
        )
    fig.tight_layout()
    p = out / "hv.png"
    fig.savefig(p)
    plt.close(fig)
    written.append(p)
    objs, dirs = meta.get("objectives", []), meta.get("directions", [])
    if len(objs) >= 2:
        first = df["method"].iloc[0]
        run = df[(df["method"] == first) & (df["seed"] == df["seed"].iloc[0])]
        tf = None
        if table is None and meta.get("benchmark"):
            try:
                from mohb_jax.tables import load_benchmark

                table = load_benchmark(meta["benchmark"])
            except Exception as e:  # plots without the true front rather than fail
                print(f"(true front not shown: {e})")
        if table is not None and hasattr(table, "true_front"):
            tf = table.true_front(meta.get("task", 0), objs[:2])
        fig, ax = plt.subplots(figsize=(5.8, 4.4), dpi=110)
        plot_front(
            run,
            objs[:2],
            dirs[:2],
            true_front=tf,
            ax=ax,
            label=f"{first} seed {run['seed'].iloc[0]}",
            title=title,
        )
        fig.tight_layout()
        p = out / "front.png"
        fig.savefig(p)
        plt.close(fig)
        written.append(p)
    return written


def _cmd_benchmarks(args) -> int:
    import pandas as pd

    from mohb_jax.tables import list_benchmarks

    lb = list_benchmarks()
    if args.names_only:
        print("\n".join(lb["name"]))
        return 0
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        cols = [
            c
            for c in ("name", "tasks", "n_configs", "objectives", "surrogate", "description")
            if c in lb.columns
        ]
        print(lb[cols].to_string(index=False))
    return 0


def _cmd_sweep(args) -> int:
    from mohb_jax._src.sim.export import save_results, to_syne_tune
    from mohb_jax._src.sim.sweep import compare, parse_seeds, resolve_table

    seeds = parse_seeds(_seeds(args))
    table = resolve_table(args.benchmark)
    task = args.task
    if task is not None and task.isdigit():
        task = int(task)
    opts = {}
    if args.eta is not None:
        opts["eta"] = args.eta
    out = Path(args.out)
    t0 = time.perf_counter()
    fit = _fit_transfer(table, task, args) if args.transfer else None  # fail before the sweep
    print(
        f"mohb-jax sweep: {table.name}, methods {args.method}, {len(seeds)} seeds, "
        f"{args.n_workers} workers, budget {args.budget}"
    )

    def run(objectives, **extra):
        return compare(
            table,
            methods=args.method,
            seeds=seeds,
            n_workers=args.n_workers,
            budget=args.budget,
            task=task,
            objectives=objectives,
            chunk_size=args.chunk_size,
            progress=not args.no_progress,
            **opts,
            **extra,
        )

    df = run(args.objectives)
    if args.transfer:
        df = _with_transfer(df, fit, table, args.method, run)
    sim_s = time.perf_counter() - t0
    pq = save_results(df, out / RESULTS_STEM, metadata={"command": " ".join(sys.argv)})
    written = [pq, pq.with_suffix(".json")]
    if args.syne_tune:
        to_syne_tune(df, out / "syne_tune", experiment_tag=args.tag)
        written.append(out / "syne_tune")
    written += write_report(
        df,
        out,
        baseline=args.baseline,
        plot=not args.no_plot,
        table=table,
        progress=not args.no_progress,
    )
    print(
        f"simulated {len(seeds)} seeds x {len(df.attrs['mohb_jax']['methods'])} methods in "
        f"{sim_s:.1f} s "
        f"({len(df)} results); total {time.perf_counter() - t0:.1f} s"
    )
    print("results written to:")
    for w in written:
        print(f"  {w}")
    return 0


def _fit_transfer(table, task, args):
    """The leave-one-task-out copula prior of ``--transfer``."""
    from mohb_jax import transfer

    target = table.tasks[table.task_index(0 if task is None else task)]
    t1 = time.perf_counter()
    fit = transfer.fit_source(table, target, args.objectives)
    print(
        f"copula prior for task {target!r} fit on {len(fit.source_tasks)} other task(s) "
        f"({fit.n_rows} rows) in {time.perf_counter() - t1:.1f} s"
    )
    return fit


def _with_transfer(df, fit, table, methods, run):
    """Append the ``<method>+copula`` runs to a sweep's frame; ``run(objectives, **extra)`` is
    the sweep's own call (same seeds, workers, budget, task)."""
    import pandas as pd

    from mohb_jax import transfer

    dft = run(list(fit.objectives), searcher=transfer.copula_searcher_for(table, fit))
    labels = {m: f"{m}+copula" for m in methods}
    dft["method"] = dft["method"].map(labels)
    meta, mt = dict(df.attrs["mohb_jax"]), dft.attrs["mohb_jax"]
    described = f"copula (MLP prior fit on tasks {list(fit.source_tasks)})"
    meta["methods"] = [*meta["methods"], *labels.values()]
    opts = {labels[m]: {**o, "searcher": described} for m, o in mt["options"].items()}
    meta["options"] = {**meta["options"], **opts}
    for k in ("compile_seconds", "run_seconds"):
        meta[k] = {**meta[k], **{labels[m]: v for m, v in mt[k].items()}}
    out = pd.concat([df, dft], ignore_index=True)
    out.attrs["mohb_jax"] = meta
    return out


def _cmd_plot(args) -> int:
    from mohb_jax._src.sim.export import load_results

    res = Path(args.results)
    df = load_results(res / RESULTS_STEM if res.is_dir() else res)
    out = Path(args.out) if args.out else (res if res.is_dir() else res.parent)
    written = write_report(df, out, baseline=args.baseline, progress=True)
    print("written:")
    for w in written:
        print(f"  {w}")
    return 0


def _enable_compile_cache() -> None:
    """JAX's persistent compilation cache for CLI runs (not for library users)."""
    import os

    if os.environ.get("MOHB_JAX_NO_COMPILE_CACHE"):
        return
    import jax

    root = Path(os.environ.get("MOHB_JAX_CACHE", Path.home() / ".cache" / "mohb_jax"))
    try:
        (root / "xla").mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(root / "xla"))
    except OSError:  # read-only home: run without the cache
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``mohb-jax``; returns the exit status (2 with a message on bad input)."""
    args = _parser().parse_args(argv)
    if args.command in ("sweep", "plot"):
        _enable_compile_cache()
    cmd = {"benchmarks": _cmd_benchmarks, "sweep": _cmd_sweep, "plot": _cmd_plot}.get(args.command)
    if cmd is None:  # real trials (mohb_jax._src.tune.cli)
        from mohb_jax._src.tune import cli as _tune_cli

        cmd = {"tune": _tune_cli.cmd_tune, "resume": _tune_cli.cmd_resume}[args.command]
    try:
        return cmd(args)
    except (ValueError, FileNotFoundError) as e:
        print(f"mohb-jax {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
