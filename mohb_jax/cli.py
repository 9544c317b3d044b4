"""The ``mohb-jax`` command line: ``sweep``, ``plot``, ``benchmarks``, ``cache``.

``mohb-jax sweep`` without arguments compares ε-net MO-ASHA, single-objective ASHA and random
search over 32 seeds on TrimTuner cnn (a real hardware-selection table: distributed TensorFlow
on AWS t2 instances, 288 hardware × hyperparameter settings, 5 training-set sizes, measured
time and dollar cost), prints which method reached random search's target how much sooner in
time and dollars, the Pareto-optimal (hardware, hyperparameters) a typical run found, and
writes parquet + JSON + CSV + PNGs into ``./mohb_results``. HV is reported as a fraction of
the best HV any tuner can reach on the table (``--hv-fidelity all|max`` says which results
count). ``--table my.parquet`` sweeps your own table (``Table.from_frame``).

Every argument is checked before any simulation runs. Exit codes: 0 done; 2 bad arguments or
input (nothing simulated, nothing written); 3 the sweep ran and its results were saved, but
they cannot be summarized (e.g. a budget too small for any result; also ``plot`` on empty
results).

Sweeps use every core: before JAX starts, ``sweep`` asks for one CPU device per available core
(``--devices N`` for fewer; an ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` in the
environment is respected) and shards the seeds over them; the frames are bit-identical for any
number of devices. (``main(argv)`` called from Python leaves JAX's configuration alone and uses
the devices the process has.)

Compiled programs are cached on disk (JAX's persistent compilation cache in
``$MOHB_JAX_CACHE/xla``, default ``~/.cache/mohb_jax/xla``; ``MOHB_JAX_NO_COMPILE_CACHE=1``
turns it off), so a repeated sweep skips compilation. Flags follow Syne Tune's benchmarking
launcher where one exists (``--num_seeds``, ``--start_seed``, ``--n_workers``,
``--max_wallclock_time``, ``--experiment_tag``); dashed spellings work too.

Examples::

    mohb-jax sweep
    mohb-jax sweep --benchmark trimtuner_rnn --method epsnet random --seeds 0:1000 --budget 100x
    mohb-jax sweep --table runs.parquet --config-columns lr width --fidelity-column epoch \
        --objectives acc:max time_s:min --time-column time_s
    mohb-jax plot --results mohb_results --hv-fidelity max
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT_BENCHMARK = "trimtuner_cnn"
DEFAULT_METHODS = ("epsnet", "single", "random")
DEFAULT_SEEDS = "0:32"
DEFAULT_OUT = "mohb_results"
RESULTS_STEM = "results"

#: Exit codes (documented in ``mohb-jax --help``).
EXIT_OK, EXIT_BAD_INPUT, EXIT_NO_RESULTS = 0, 2, 3
EXIT_CODES = (
    "exit codes: 0 done; 2 bad arguments or input (checked before any simulation, nothing "
    "written); 3 results saved but nothing to summarize (e.g. budget too small for any result)"
)


class BadInput(ValueError):
    """An argument or input file the command cannot use (exit code 2)."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mohb-jax",
        description="Multi-objective Hyperband / MO-ASHA simulated on offline tables (JAX).",
        epilog=EXIT_CODES,
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("benchmarks", help="list the registered offline tables")
    b.add_argument("--names-only", action="store_true", help="print only the names")

    s = sub.add_parser(
        "sweep",
        help="simulate methods over many seeds; write parquet + JSON + PNG",
        description="Simulate methods over many seeds of an offline table (vmap over seeds).",
        epilog=EXIT_CODES,
    )
    s.add_argument(
        "--benchmark",
        default=None,
        help=f"registered table name (see `benchmarks`; default {DEFAULT_BENCHMARK})",
    )
    s.add_argument("--task", default=None, help="task name or index (default: the first)")
    s.add_argument(
        "--method",
        nargs="+",
        default=list(DEFAULT_METHODS),
        help=f"methods to compare (default: {' '.join(DEFAULT_METHODS)})",
    )
    s.add_argument(
        "--seeds", default=None, help=f"'start:stop' (default {DEFAULT_SEEDS}) or '1,2,5'"
    )
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
    s.add_argument(
        "--objectives",
        nargs="+",
        default=None,
        help="objective names, each optionally 'name:min' or 'name:max' (required form with "
        "--table); default: the table's",
    )
    s.add_argument(
        "--hv-fidelity",
        choices=("all", "max"),
        default="all",
        dest="hv_fidelity",
        help="which results count for the HV: 'all' fidelities (Syne Tune's convention, "
        "default) or only fully trained 'max' fidelity results",
    )
    t = s.add_argument_group("bring your own table (Table.from_frame on a tidy parquet / csv)")
    t.add_argument("--table", default=None, help="path of a .parquet or .csv, one row per result")
    t.add_argument("--config-columns", nargs="+", default=None, dest="config_columns")
    t.add_argument("--fidelity-column", default=None, dest="fidelity_column")
    t.add_argument("--seed-column", default=None, dest="seed_column")
    t.add_argument("--task-column", default=None, dest="task_column")
    t.add_argument(
        "--time-column",
        default=None,
        dest="time_column",
        help="the objective that is training time in seconds (the simulated clock)",
    )
    t.add_argument(
        "--time-per-step",
        action="store_true",
        help="time at fidelity f is the time of step f alone (default: from scratch up to f)",
    )
    t.add_argument(
        "--price-column",
        default=None,
        dest="price_column",
        help="$/hour of each row's hardware setup: adds cost_usd and HV-vs-dollars",
    )
    t.add_argument(
        "--hardware-columns",
        nargs="+",
        default=None,
        dest="hardware_columns",
        help="config columns that describe the hardware (with --price-column)",
    )
    s.add_argument(
        "--transfer",
        action="store_true",
        help="also run every method with the copula transfer searcher ('<method>+copula'): a "
        "prior fit on the table's other tasks (leave-one-task-out) proposes configurations "
        "by Thompson sampling of the Pareto front instead of at random; a bandit credited "
        "by the target's results (on by default) falls back to random proposals when the "
        "prior's picks do worse",
    )
    s.add_argument(
        "--on-exhausted",
        choices=["auto", "idle"],
        default="auto",
        dest="on_exhausted",
        help="once the table's configurations are all proposed, a free worker resumes the "
        "stopped trial the smallest share of its rung dominates ('auto': ASHA methods that "
        "stop trials) or stays idle ('idle'; the run then ends when the running trials end)",
    )
    s.add_argument("--eta", type=int, default=None, help="reduction factor (driver default)")
    s.add_argument("--baseline", default=None, help="speed-up baseline (default: random)")
    s.add_argument("--chunk-size", type=int, default=None, dest="chunk_size")
    s.add_argument(
        "--devices",
        default="all",
        help="devices (CPU: cores) the seeds are sharded over: a positive integer or 'all' "
        "(default: one CPU device per available core). Same frames for any value",
    )
    s.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="run chunks of seeds as tasks on this Ray cluster ('auto', 'ray://host:10001', or "
        "'local' to start one here); needs the ray extra. Same frames as without it",
    )
    s.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default ./{DEFAULT_OUT})")
    s.add_argument("--experiment-tag", "--experiment_tag", default="mohb-jax", dest="tag")
    s.add_argument("--syne-tune", action="store_true", help="also write a Syne Tune export")
    s.add_argument("--no-plot", action="store_true", help="skip the PNGs")
    s.add_argument("--no-progress", action="store_true", help="no progress bars")

    c = sub.add_parser("cache", help="list or clear the cache of converted tables")
    c.add_argument("action", nargs="?", choices=("list", "clear"), default="list")
    c.add_argument("--name", default=None, help="only this benchmark's entries")
    c.add_argument("--stale", action="store_true", help="clear only superseded entries")

    # ---- real trials: `tune FILE.py`, `resume DIR` (mohb_jax._src.tune.cli) ----
    from mohb_jax._src.tune import cli as _tune_cli

    _tune_cli.add_parsers(sub)

    q = sub.add_parser("plot", help="plots + summary of saved sweep results", epilog=EXIT_CODES)
    q.add_argument("--results", default=DEFAULT_OUT, help="folder (or .parquet) of a sweep")
    q.add_argument("--out", default=None, help="where to write PNGs (default: beside results)")
    q.add_argument("--baseline", default=None)
    q.add_argument(
        "--hv-fidelity",
        choices=("all", "max"),
        default="all",
        dest="hv_fidelity",
        help="which results count for the HV: 'all' fidelities (default) or 'max' only",
    )
    return p


def _seeds(args) -> str | list[int]:
    if args.seeds is not None and args.num_seeds is not None:
        raise ValueError("give either --seeds or --num-seeds, not both")
    if args.num_seeds is not None:
        if args.num_seeds <= 0:
            raise ValueError(f"--num-seeds must be positive; got {args.num_seeds}")
        return f"{args.start_seed}:{args.start_seed + args.num_seeds}"
    return args.seeds if args.seeds is not None else DEFAULT_SEEDS


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


def _cmd_cache(args) -> int:
    from mohb_jax.tables import cache_dir, cache_info, clear_cache

    if args.action == "clear":
        n = clear_cache(args.name, stale_only=args.stale)
        print(f"removed {n} cache entries from {cache_dir()}")
        return 0
    info = cache_info()
    if args.name is not None:
        info = info[info["name"] == args.name]
    print(f"{cache_dir()}: {len(info)} entries, {info['bytes'].sum() / 2**20:.1f} MiB")
    if len(info):
        view = info.assign(MiB=(info["bytes"] / 2**20).round(2))
        print(view[["name", "key", "MiB", "last_used", "current"]].to_string(index=False))
    return 0


_OWN_TABLE_FLAGS = (
    "config_columns",
    "fidelity_column",
    "seed_column",
    "task_column",
    "time_column",
    "price_column",
    "hardware_columns",
)


def _own_table(args):
    """``--table``: a tidy parquet / csv through ``Table.from_frame``."""
    import numpy as np
    import pandas as pd

    from mohb_jax import Objectives
    from mohb_jax.tables import HardwareSpec, Table

    path = Path(args.table)
    if not path.is_file():
        raise BadInput(f"--table {path}: no such file")
    if path.suffix not in (".parquet", ".csv", ".gz"):
        raise BadInput(f"--table {path}: expected a .parquet or .csv file")
    if not args.config_columns:
        raise BadInput("--table needs --config-columns (the hyperparameter columns)")
    if not args.objectives:
        raise BadInput(
            "--table needs --objectives with a direction for each, e.g. acc:max time_s:min"
        )
    try:
        obj = Objectives.parse(args.objectives)
    except ValueError as e:
        raise BadInput(f"--objectives: {e}") from None
    if args.time_column is None:
        raise BadInput("--table needs --time-column (training time in seconds: the clock)")
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as e:  # unreadable file: say which
        raise BadInput(f"--table {path}: cannot read it ({type(e).__name__}: {e})") from None
    objectives = obj.as_dict()
    if args.time_column not in objectives:
        objectives[args.time_column] = "min"
    hardware = None
    if args.price_column is not None:
        hw_cols = list(args.hardware_columns or [])
        if not hw_cols:
            raise BadInput("--price-column needs --hardware-columns (which config columns)")
        bad = [c for c in hw_cols if c not in args.config_columns]
        if bad:
            raise BadInput(f"--hardware-columns {bad} are not among --config-columns")
        if args.price_column not in df.columns:
            raise BadInput(f"--price-column {args.price_column!r} is not a column of {path}")
        n_prices = df.groupby(hw_cols)[args.price_column].nunique()
        if (n_prices > 1).any():
            raise BadInput(
                f"--price-column {args.price_column!r} differs within hardware setting(s) "
                f"{list(n_prices[n_prices > 1].index)[:3]}: it must be one $/h per setting"
            )
        price = df.groupby(hw_cols)[args.price_column].first()
        hardware = HardwareSpec(
            columns=hw_cols,
            price_per_hour=lambda hw: np.array(
                [price.loc[tuple(r) if len(hw_cols) > 1 else r[0]] for r in hw.to_numpy()]
            ),
            source=f"column {args.price_column!r} of {path.name}",
        )
    elif args.hardware_columns:
        raise BadInput("--hardware-columns needs --price-column")
    try:
        t = Table.from_frame(
            df,
            config_columns=args.config_columns,
            fidelity_column=args.fidelity_column,
            seed_column=args.seed_column,
            task_column=args.task_column,
            objectives=objectives,
            time_objective=args.time_column,
            time_cumulative=not args.time_per_step,
            hardware=hardware,
            name=path.stem,
            metadata={"source": str(path)},
        )
        if hardware is not None:
            t = t.with_cost("cost_usd")
    except ValueError as e:
        raise BadInput(f"--table {path}: {e}") from None
    meta = dict(t.metadata)
    meta["default_objectives"] = list(obj.names)
    return t.replace(metadata=meta)


def _check_sweep(args):
    """Every check of ``sweep`` that can fail, before anything is simulated or written."""
    from mohb_jax._src.schedulers.core import SCHEDULERS
    from mohb_jax._src.sim.sweep import METHODS, budget_seconds, parse_seeds

    seeds = parse_seeds(_seeds(args))
    valid = list(dict.fromkeys([*METHODS, *SCHEDULERS]))
    dup = sorted({m for m in args.method if args.method.count(m) > 1})
    if dup:
        raise BadInput(f"--method names {dup} more than once")
    unknown = [m for m in args.method if m not in valid]
    if unknown:
        raise BadInput(f"unknown method(s) {unknown}; choose from {valid}")
    baseline = args.baseline
    if baseline is not None and baseline not in args.method:
        raise BadInput(f"--baseline {baseline!r} is not among the methods {args.method}")
    if args.n_workers < 1:
        raise BadInput(f"--n-workers must be at least 1; got {args.n_workers}")
    n_devices = _n_devices(args.devices)
    if args.chunk_size is not None and args.chunk_size < 1:
        raise BadInput(f"--chunk-size must be positive; got {args.chunk_size}")
    if args.ray is not None:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise BadInput(
                "--ray needs Ray: pip install 'mohb_jax[ray]' (nothing was simulated)"
            ) from None
    if args.eta is not None and args.eta < 2:
        raise BadInput(f"--eta must be at least 2; got {args.eta}")
    if args.table is not None:
        if args.benchmark is not None:
            raise BadInput("give either --benchmark or --table, not both")
        table = _own_table(args)
    else:
        given = [f"--{f.replace('_', '-')}" for f in _OWN_TABLE_FLAGS if getattr(args, f)]
        if args.time_per_step:
            given.append("--time-per-step")
        if given:
            raise BadInput(f"{given} only apply to --table (your own table)")
        from mohb_jax._src.sim.sweep import resolve_table
        from mohb_jax.tables import list_benchmarks

        name = args.benchmark or DEFAULT_BENCHMARK
        known = list(list_benchmarks()["name"])
        if name not in known:
            raise BadInput(f"unknown benchmark {name!r}; `mohb-jax benchmarks` lists {known}")
        table = resolve_table(name)
    task = args.task
    if task is not None and task.isdigit():
        task = int(task)
    task_i = table.task_index(0 if task is None else task)
    objectives = None
    if args.objectives:
        from mohb_jax import Objectives

        known = dict(zip(table.objectives, table.directions, strict=True))
        for spec in args.objectives:
            table.objective_index(spec.rpartition(":")[0] or spec)  # names the known ones
        try:  # names with or without ':min'/':max'; the table's directions must agree
            objectives = list(Objectives.parse(args.objectives, known=known).names)
        except ValueError as e:
            raise BadInput(f"--objectives: {e}") from None
    budget_seconds(table, args.budget, task_i, args.n_workers)
    if args.ray is None:
        from mohb_jax._src.sim.sweep import select_devices

        select_devices(n_devices)  # more than exist: a clear error before any simulation
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} exists and is not a folder; name a folder for the results")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadInput(f"--out {out}: cannot create the folder ({e})") from None
    return table, task, seeds, objectives, out, n_devices


def _n_devices(spec) -> int | None:
    """``--devices``: None for 'all', else a positive int (BadInput otherwise)."""
    if spec is None or str(spec).strip().lower() == "all":
        return None
    try:
        n = int(str(spec))
    except ValueError:
        raise BadInput(f"--devices must be a positive integer or 'all'; got {spec!r}") from None
    if n < 1:
        raise BadInput(f"--devices must be a positive integer or 'all'; got {spec!r}")
    return n


def _device_count(n_devices) -> str:
    from mohb_jax._src.sim.sweep import select_devices

    devs = select_devices(n_devices)
    return f"{len(devs)} {devs[0].platform} device(s)"


def _request_cpu_devices(argv_devices) -> None:
    """Before JAX's first operation: the event loop compiled as one kernel
    (``use_loop_kernels``) and one CPU device per core (or ``--devices N``), unless
    ``XLA_FLAGS`` already fixes the count or JAX is already running (then the devices that
    exist are used and ``select_devices`` checks ``--devices`` against them)."""
    import os

    from jax._src import xla_bridge

    if xla_bridge.backends_are_initialized():
        return
    from mohb_jax._src.sim.sweep import use_cpu_cores, use_loop_kernels

    use_loop_kernels()  # the event loop as one kernel (before JAX's first operation)
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return
    try:
        n = _n_devices(argv_devices)
    except BadInput:
        return  # reported by _check_sweep with the other arguments
    use_cpu_cores(n)


def _cmd_sweep(args) -> int:
    from mohb_jax._src.sim.export import save_results, to_syne_tune
    from mohb_jax._src.sim.report import NoResultsError, annotate, write_report
    from mohb_jax._src.sim.sweep import compare

    table, task, seeds, objectives, out, n_devices = _check_sweep(args)
    opts = {}
    if n_devices is not None:
        opts["n_devices"] = n_devices
    if args.eta is not None:
        opts["eta"] = args.eta
    if args.on_exhausted == "idle":
        opts["on_exhausted"] = "idle"
    if args.ray is not None:
        from mohb_jax._src.tune.ray_executor import RayExecutor

        opts["executor"] = RayExecutor(None if args.ray == "local" else args.ray)
    t0 = time.perf_counter()
    fit = _fit_transfer(table, task, args) if args.transfer else None  # fail before the sweep
    print(
        f"mohb-jax sweep: {table.name}, methods {args.method}, {len(seeds)} seeds, "
        f"{args.n_workers} workers, budget {args.budget}"
        + ("" if args.ray is not None else f", on {_device_count(n_devices)}")
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

    df = run(objectives)
    if args.transfer:
        df = _with_transfer(df, fit, table, args.method, run)
    sim_s = time.perf_counter() - t0
    annotate(df, table)
    extra = {"command": " ".join(sys.argv)}
    if args.table is not None:
        extra["table_path"] = str(Path(args.table).resolve())
    pq = save_results(df, out / RESULTS_STEM, metadata=extra)
    written = [pq, pq.with_suffix(".json")]
    print(
        f"simulated {len(seeds)} seeds x {len(df.attrs['mohb_jax']['methods'])} methods in "
        f"{sim_s:.1f} s ({len(df)} results)"
    )
    if args.syne_tune and len(df):
        to_syne_tune(df, out / "syne_tune", experiment_tag=args.tag)
        written.append(out / "syne_tune")
    try:
        written += write_report(
            df,
            out,
            baseline=args.baseline,
            hv_fidelity=args.hv_fidelity,
            plot=not args.no_plot,
            progress=not args.no_progress,
        )
        rc = EXIT_OK
    except NoResultsError as e:
        print(f"mohb-jax sweep: nothing to summarize: {e}", file=sys.stderr)
        rc = EXIT_NO_RESULTS
    print(f"total {time.perf_counter() - t0:.1f} s; results written to:")
    for w in written:
        print(f"  {w}")
    return rc


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
    from mohb_jax._src.sim.report import NoResultsError, write_report

    res = Path(args.results)
    df = load_results(res / RESULTS_STEM if res.is_dir() else res)
    out = Path(args.out) if args.out else (res if res.is_dir() else res.parent)
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} exists and is not a folder")
    if not df.attrs.get("mohb_jax", {}).get("objectives"):
        raise BadInput(f"{res}: no metadata JSON beside the results (objectives unknown)")
    try:
        written = write_report(
            df, out, baseline=args.baseline, hv_fidelity=args.hv_fidelity, progress=True
        )
    except NoResultsError as e:
        print(f"mohb-jax plot: nothing to summarize: {e}", file=sys.stderr)
        return EXIT_NO_RESULTS
    print("written:")
    for w in written:
        print(f"  {w}")
    return EXIT_OK


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
    """Entry point of ``mohb-jax``; returns the exit status (see ``EXIT_CODES``).

    ``argv`` None (the command line): ``sweep`` first gives JAX one CPU device per core
    (``--devices``). A list (a call from Python): the process's JAX devices are used as they
    are, and ``--devices N`` must not exceed them.
    """
    args = _parser().parse_args(argv)
    if args.command == "sweep" and argv is None:
        # the command line owns its process: one CPU device per core before JAX starts. A
        # Python caller of main(argv) keeps its process's JAX configuration (and devices).
        _request_cpu_devices(args.devices)
    if args.command in ("sweep", "plot"):
        _enable_compile_cache()
    cmds = {"benchmarks": _cmd_benchmarks, "sweep": _cmd_sweep, "plot": _cmd_plot}
    cmd = {**cmds, "cache": _cmd_cache}.get(args.command)
    if cmd is None:  # real trials (mohb_jax._src.tune.cli)
        from mohb_jax._src.tune import cli as _tune_cli

        cmd = {"tune": _tune_cli.cmd_tune, "resume": _tune_cli.cmd_resume}[args.command]
    try:
        return cmd(args)
    except (ValueError, FileNotFoundError) as e:  # BadInput, and the library's own checks
        print(f"mohb-jax {args.command}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
