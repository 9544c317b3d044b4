"""Vectorized sweeps: many seeds of the single-seed simulator at once.

:func:`simulate` maps the single-seed driver (``mohb_jax._src.sim.driver.make_simulator``)
over seeds inside one ``jax.jit``, in chunks of a fixed size so that memory stays bounded and
only one shape is ever compiled (the last chunk is padded with copies of its last seed, whose
results are dropped). Within a chunk the seeds run either in lock step (``jax.vmap``) or one
after another in the compiled program (``jax.lax.map``, optionally over vmapped groups); on
CPU the latter is faster for the event-loop driver (measured, ``bench/results_sweep.md``) and
is the default there.

Every core: a chunk is sharded over all devices of the backend by default (``n_devices=``
picks fewer) with ``jax.sharding``: GSPMD for the vmapped batch, ``jax.shard_map`` around
``lax.map``, so each device runs its share of the seeds' event loops in parallel with the
others. On a CPU, JAX shows one device unless told otherwise before its first operation:
:func:`use_cpu_cores` (``jax.config.update("jax_num_cpu_devices", n)``; the ``mohb-jax``
command line does it, one device per core) or
``XLA_FLAGS=--xla_force_host_platform_device_count=n`` in the environment.
:func:`use_loop_kernels` (called by both) lets XLA:CPU compile each event loop as one
native kernel instead of running it operation by operation. Sharding was
chosen over a process pool of seed chunks (the chunk-and-merge of
:meth:`mohb_jax.tune.RayExecutor.simulate`, which runs chunks as Ray tasks) because it needs
no second compilation or import per process, no copy of the table per process and no
pickling of results; the measured 1-vs-2-device speed-up is in ``bench/results_sweep.md``.
The accelerator path is the same code (``vmap`` over seeds, no host callback).

Seed convention: seed ``s`` runs with ``jax.random.key(s)``; the batched run of a seed is
bit-identical to its single-seed run, in every batching mode (tested).

References:
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680, 2021.
    Li et al. A system for massively parallel hyperparameter tuning (ASHA). MLSys 2020.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from mohb_jax._src.methods import METHODS, check_methods, check_unique, resolve_method
from mohb_jax._src.objectives import Objectives

from .export import versions

__all__ = [
    "METHODS",
    "Sweep",
    "make_sweep",
    "simulate",
    "compare",
    "parse_seeds",
    "resolve_table",
    "reference_point_for",
    "budget_seconds",
    "use_cpu_cores",
    "use_loop_kernels",
    "LOOP_KERNEL_BYTES",
    "select_devices",
]

MAX_SEED = 2**32 - 1


def resolve_table(table):
    """A :class:`~mohb_jax.tables.Table`, or a benchmark name loaded with ``load_benchmark``."""
    from mohb_jax._src.tables.table import Table

    if isinstance(table, Table):
        return table
    if isinstance(table, str):
        from mohb_jax.tables import load_benchmark

        return load_benchmark(table)
    raise ValueError(f"table must be a Table or a benchmark name; got {type(table).__name__}")


def parse_seeds(seeds: int | str | Iterable[int] | range) -> np.ndarray:
    """Seeds as ``int64[S]``: an int n (= 0..n-1), "a:b" (= a..b-1), or a sequence of ints.

    Raises:
        ValueError: empty, negative, > 2**32-1, duplicated or non-integer seeds.
    """
    if isinstance(seeds, (bool, np.bool_)):
        raise ValueError(f"seeds must be an int, 'start:stop' or a sequence of ints; got {seeds}")
    if isinstance(seeds, (int, np.integer)):
        if seeds <= 0:
            raise ValueError(f"number of seeds must be positive; got {seeds}")
        arr = np.arange(int(seeds), dtype=np.int64)
    elif isinstance(seeds, str):
        parts = seeds.split(":")
        try:
            if len(parts) == 2:
                arr = np.arange(int(parts[0]), int(parts[1]), dtype=np.int64)
            elif len(parts) == 1:
                arr = np.array([int(p) for p in seeds.split(",")], dtype=np.int64)
            else:
                raise ValueError
        except ValueError:
            raise ValueError(
                f"cannot parse seeds {seeds!r}; use 'start:stop' (e.g. '0:1000') or '1,5,7'"
            ) from None
    else:
        vals = list(seeds)
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals):
            raise ValueError(f"seeds must be integers; got {vals[:5]}...")
        arr = np.asarray(vals, dtype=np.int64)
    if arr.size == 0:
        raise ValueError(f"no seeds in {seeds!r}")
    if arr.min() < 0 or arr.max() > MAX_SEED:
        raise ValueError(
            f"seeds must lie in 0..{MAX_SEED} (jax.random.key); got {arr.min()}..{arr.max()}"
        )
    if len(np.unique(arr)) != len(arr):
        raise ValueError("seeds contain duplicates")
    return arr


def budget_seconds(table, budget: float | str, task: int = 0, n_workers: int = 1) -> float:
    """A budget in simulated wall-clock seconds.

    A number is taken as seconds. ``"<k>x"`` means ``k`` max-fidelity equivalents: the
    wall-clock in which ``n_workers`` workers could train ``k`` configurations at the highest
    fidelity, i.e. ``k × mean T(max fidelity) / n_workers`` (the convention of
    ``/work/shared/tools/syne_tune_sim.py``: 100 × mean T / 4 = 10 173 s on TrimTuner cnn).

    Raises:
        ValueError: non-positive or non-finite budget, unparsable string, or a ``k``x budget
            on a table without a time objective.
    """
    if isinstance(budget, str):
        s = budget.strip().lower()
        if s.endswith("x"):
            try:
                k = float(s[:-1])
            except ValueError:
                raise ValueError(f"cannot parse budget {budget!r}; e.g. '100x' or '3600'") from None
            if not np.isfinite(k) or k <= 0:
                raise ValueError(f"budget must be positive; got {budget!r}")
            from .driver import max_fidelity_budget

            return max_fidelity_budget(table, k, task=task, n_workers=n_workers)
        try:
            budget = float(s)
        except ValueError:
            raise ValueError(f"cannot parse budget {budget!r}; e.g. '100x' or '3600'") from None
    if isinstance(budget, bool):
        raise ValueError(f"budget must be a number; got {budget!r}")
    b = float(budget)
    if not np.isfinite(b) or b <= 0:
        raise ValueError(f"budget must be a positive number of simulated seconds; got {budget}")
    return b


def reference_point_for(table, objectives: Sequence[str]) -> np.ndarray:
    """The benchmark's fixed HV reference point (minimization space) for ``objectives``.

    ``Table.reference_point(objectives)`` where the table provides it; otherwise read
    ``table.metadata["reference_point"]`` (a dict name → value, or a list aligned with
    ``table.objectives``), and objectives without a stored value get the tables' rule: worst
    valid value over the whole table + 10 % of its range.
    """
    from mohb_jax._src.tables.reference import reference_point_rule

    if hasattr(table, "reference_point"):
        return np.asarray(table.reference_point(list(objectives)), dtype=np.float64)
    stored = table.metadata.get("reference_point")
    if isinstance(stored, dict):
        known = {str(k): float(v) for k, v in stored.items()}
    elif stored is not None and len(np.atleast_1d(stored)) == table.n_objectives:
        known = dict(zip(table.objectives, map(float, np.atleast_1d(stored)), strict=True))
    else:
        known = {}
    ref = []
    for name in objectives:
        if name in known:
            ref.append(known[name])
            continue
        j = table.objective_index(name)
        v = np.asarray(table.values[..., j], dtype=np.float64)[np.asarray(table.mask)]
        ref.append(float(reference_point_rule(v[:, None])[0]))
    return np.asarray(ref, dtype=np.float64)


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: the option of XLA:CPU that decides which ``while`` loops become one native kernel
_LOOP_OPTION = "xla_cpu_small_while_loop_byte_threshold"
#: what :func:`use_loop_kernels` sets it to by default (XLA's own default is 1 KiB)
LOOP_KERNEL_BYTES = 1 << 20


def _flags_with_loop_threshold(flags: str, nbytes: int) -> str:
    """``flags`` (an ``XLA_FLAGS`` value) with ``_LOOP_OPTION=nbytes`` added to its
    ``--xla_backend_extra_options`` (a comma-separated list, created if absent); unchanged if
    the option is already there, so a value the user set wins."""
    key = "--xla_backend_extra_options="
    if _LOOP_OPTION in flags:
        return flags
    tokens = flags.split()
    for i, tok in enumerate(tokens):
        if tok.startswith(key):
            extra = tok[len(key) :]
            tokens[i] = (
                f"{key}{extra},{_LOOP_OPTION}={nbytes}"
                if extra
                else f"{key}{_LOOP_OPTION}={nbytes}"
            )
            return " ".join(tokens)
    return " ".join([*tokens, f"{key}{_LOOP_OPTION}={nbytes}"])


def use_loop_kernels(max_bytes: int = LOOP_KERNEL_BYTES) -> bool:
    """Let XLA:CPU compile the simulator's event loop as one native kernel.

    XLA:CPU runs a ``while`` loop either as one compiled function (when one iteration of its
    body accesses fewer than ``xla_cpu_small_while_loop_byte_threshold`` bytes, 1 KiB by
    default) or op by op through its runtime, which costs a few microseconds per operation.
    A seed's event loop touches a few hundred KiB per event (its trials' state), so by default
    it runs op by op, ~250 operations per event; above the threshold it runs as one function,
    1.7-2x faster per job (``bench/RESULTS.md``), with bit-identical results. This sets the
    threshold to ``max_bytes`` for the whole process, through ``XLA_FLAGS``, so it takes
    effect only **before JAX's first operation** (afterwards XLA has read its flags); a value
    already in ``XLA_FLAGS`` is kept. It also applies to other loops of the process: those
    under ``max_bytes`` per iteration then run on one thread, without XLA:CPU's runtime between
    their operations. The ``mohb-jax`` command line and :func:`use_cpu_cores` call it.

    Args:
        max_bytes: the threshold in bytes. The default, 1 MiB, holds the event loops
            measured with 4 workers: TrimTuner cnn 256-512 KiB per event; the embedded
            table, FCNet and NAS-Bench-201 under 1 MiB. A loop above it runs op by op, as
            without this call.

    Returns:
        Whether the threshold is in effect for this process's compilations: False when JAX's
        backend had already started without it (nothing is changed then).

    Raises:
        ValueError: ``max_bytes`` is not a positive integer.
    """
    from jax._src import xla_bridge

    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive integer; got {max_bytes!r}")
    flags = os.environ.get("XLA_FLAGS", "")
    if xla_bridge.backends_are_initialized():
        return _LOOP_OPTION in flags
    os.environ["XLA_FLAGS"] = _flags_with_loop_threshold(flags, int(max_bytes))
    return True


def use_cpu_cores(n: int | None = None, *, loop_kernels: bool = True) -> int:
    """Make JAX's CPU backend show ``n`` devices (default: one per available core).

    Sweeps shard their seeds over the devices that exist; on a CPU that is one device (one
    core for the event loops) unless this is called **before JAX's first operation** (it sets
    ``jax.config.update("jax_num_cpu_devices", n)``), or
    ``XLA_FLAGS=--xla_force_host_platform_device_count=n`` is in the environment before
    Python starts. Afterwards the number of CPU devices can no longer change. With
    ``loop_kernels`` it also calls :func:`use_loop_kernels` (the event loop as one kernel).

    Args:
        n: devices (and so event loops in parallel); None = the cores this process may use
            (``os.sched_getaffinity``).
        loop_kernels: also call :func:`use_loop_kernels` (before JAX's first operation only).

    Returns:
        The number of CPU devices JAX has (or will have).

    Raises:
        ValueError: ``n`` is not a positive integer, or JAX's CPU backend is already running
            with another number of devices (the message says how to set it).
    """
    from jax._src import xla_bridge

    if n is None:
        n = _available_cores()
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"number of CPU devices must be a positive integer; got {n!r}")
    n = int(n)
    if not xla_bridge.backends_are_initialized():
        if loop_kernels:
            use_loop_kernels()
        jax.config.update("jax_num_cpu_devices", n)
        return n
    have = len(jax.devices("cpu"))
    if have != n:
        raise ValueError(
            f"JAX's CPU backend already runs with {have} device(s), so it cannot use {n}: "
            "call mohb_jax.sim.use_cpu_cores(n) before any JAX operation, or start Python "
            f"with XLA_FLAGS=--xla_force_host_platform_device_count={n}"
        )
    return have


def select_devices(n_devices: int | None = None, devices: Sequence[Any] | None = None) -> list:
    """The devices a sweep shards its seeds over: the first ``n_devices`` of ``devices``
    (default ``jax.devices()``, the default backend's); all of them when ``n_devices`` is None.

    Raises:
        ValueError: ``n_devices`` is not a positive integer or exceeds the devices there are
            (the message says how to get more CPU devices).
    """
    devices = list(devices) if devices is not None else jax.devices()
    if not devices:
        raise ValueError("no devices to run the sweep on")
    if n_devices is None:
        return devices
    if isinstance(n_devices, bool) or not isinstance(n_devices, (int, np.integer)):
        raise ValueError(f"n_devices must be a positive integer or None; got {n_devices!r}")
    if n_devices < 1:
        raise ValueError(f"n_devices must be at least 1; got {n_devices}")
    if n_devices > len(devices):
        hint = ""
        if devices[0].platform == "cpu":
            hint = (
                f"; for more CPU devices call mohb_jax.sim.use_cpu_cores({int(n_devices)}) "
                "before any JAX operation, or set "
                f"XLA_FLAGS=--xla_force_host_platform_device_count={int(n_devices)} before "
                "starting Python"
            )
        raise ValueError(
            f"n_devices={int(n_devices)} but only {len(devices)} {devices[0].platform} "
            f"device(s) exist{hint}"
        )
    return devices[: int(n_devices)]


def _devices_for_custom_calls(sim, devices: list, *, explicit: bool) -> list:
    """One CPU device for a run whose compiled program calls out of XLA (``custom_call``:
    LAPACK's Cholesky and triangular solves, as the copula searcher's Gaussian process uses).

    Several XLA:CPU devices running such a program at once were observed to deadlock (every
    thread waiting, no progress: the copula searcher on LCBench, jax 0.10.2); a program of
    XLA operations only (the built-in schedulers, random search) shards safely. Such a run
    uses one device (with a ``RuntimeWarning`` when ``n_devices > 1`` was asked for), so a
    sweep of several methods never hangs or stops half-way.
    """
    if len(devices) < 2 or self_backend(devices) != "cpu":
        return devices
    text = sim.run.lower(jax.random.key(0), sim.data).as_text()  # sim.run is jitted
    if "custom_call" not in text:
        return devices
    if explicit:
        import warnings

        warnings.warn(
            f"n_devices={len(devices)}: this run's program calls out of XLA (custom calls such "
            "as LAPACK's, e.g. the copula searcher's Gaussian process), which deadlocks when "
            "several CPU devices run it at once; running it on one device",
            RuntimeWarning,
            stacklevel=3,
        )
    return devices[:1]


def self_backend(devices) -> str:
    """Platform of the devices a sweep runs on ("cpu", "gpu", "tpu")."""
    return str(list(devices)[0].platform) if devices else jax.default_backend()


class Sweep:
    """A compiled, chunked, vmapped runner of one simulator over seeds.

    Attributes:
        sim: the single-seed simulator (``make_simulator``'s result).
        table, task, method, label, objectives, budget, n_workers: the settings.
        chunk_size: seeds per compiled call (a multiple of the device count).
        n_traces: how many times the batched function was traced (1 after any number of
            equal-size chunks: no recompiles).
    """

    def __init__(
        self,
        sim,
        *,
        table,
        task,
        label,
        method,
        options,
        objectives,
        budget,
        n_workers,
        chunk_size,
        devices,
        batch: str | int = "auto",
    ):
        if batch == "auto":
            batch = "map" if self_backend(devices) == "cpu" else "vmap"
        if not (batch in ("vmap", "map") or (isinstance(batch, int) and batch >= 1)):
            raise ValueError(
                f"batch must be 'auto', 'vmap', 'map' or a positive int; got {batch!r}"
            )
        self.batch = batch
        self.sim, self.table, self.task, self.label = sim, table, task, label
        self.method, self.options = method, options
        self.objectives, self.budget, self.n_workers = objectives, budget, n_workers
        self.devices = list(devices)
        self.n_traces = 0
        n_dev = len(self.devices)
        self.chunk_size = int(np.ceil(chunk_size / n_dev) * n_dev)

        def per_device(keys, data):
            if batch == "vmap":
                return jax.vmap(sim.run, in_axes=(0, None))(keys, data)
            # lax.map: seeds one after another (batch="map") or vmapped in groups of `batch`
            # inside one compiled loop; under vmap a while_loop runs as long as its slowest
            # member and conditionals become selects, so this can be faster on CPU.
            return jax.lax.map(
                lambda k: sim.run(k, data), keys, batch_size=None if batch == "map" else batch
            )

        if n_dev > 1:
            from jax.sharding import Mesh, NamedSharding, PartitionSpec

            mesh = Mesh(np.array(self.devices), ("seeds",))
            self._key_sharding = NamedSharding(mesh, PartitionSpec("seeds"))
            if batch == "vmap":
                inner = per_device  # GSPMD partitions the vmapped batch over the devices
            else:  # a sequential loop is not partitioned by GSPMD: map each device's shard
                inner = jax.shard_map(
                    per_device,
                    mesh=mesh,
                    in_specs=(PartitionSpec("seeds"), PartitionSpec()),
                    out_specs=PartitionSpec("seeds"),
                    check_vma=False,
                )
        else:
            self._key_sharding = None
            inner = per_device

        def batched(keys, data):
            self.n_traces += 1  # Python side effect: runs only while tracing
            return inner(keys, data)

        self._batched = jax.jit(batched)
        self._compiled: dict[int, Any] = {}  # chunk size -> compiled executable
        self.compile_seconds = 0.0
        self.run_seconds = 0.0

    def _compile(self, keys):
        """The chunk's program compiled for ``keys`` (ahead of time, so that compile time is
        measured apart from run time). On CPU with the Pareto kernels' vector width
        (:data:`~mohb_jax._src.compile.WIDE_OPTIONS`): with the event loop compiled as one
        kernel (:func:`use_loop_kernels`) 512-bit vectors ran it 6-8 % faster on an AVX-512
        CPU, with bit-identical results (``bench/results_sweep.md`` §0.7)."""
        from mohb_jax._src.compile import WIDE_OPTIONS

        cpu = all(d.platform == "cpu" for d in self.devices)
        options = dict(WIDE_OPTIONS) if (cpu and WIDE_OPTIONS) else None
        return self._batched.lower(keys, self.sim.data).compile(options)

    def effective_chunk(self, n_seeds: int) -> int:
        """Seeds per compiled call for ``n_seeds`` seeds: ``chunk_size``, or, for fewer seeds,
        the next power of two (times the device count) so that small sweeps do not compute a
        whole padded chunk and only a few shapes are ever compiled."""
        n_dev = len(self.devices)
        per_dev = int(np.ceil(n_seeds / n_dev))
        bucket = n_dev * (1 << int(np.ceil(np.log2(max(per_dev, 1)))))
        return min(self.chunk_size, bucket)

    def keys(self, seeds: np.ndarray):
        """``jax.random.key(s)`` for every seed, batched."""
        return jax.vmap(jax.random.key)(jnp.asarray(seeds, dtype=jnp.uint32))

    def run_chunks(self, seeds, *, progress: bool = True):
        """Yield ``(chunk_seeds, host_out)`` per chunk; ``host_out`` leaves are numpy
        ``[len(chunk_seeds), ...]`` (padding removed)."""
        seeds = parse_seeds(seeds)
        cs = self.effective_chunk(len(seeds))
        n_chunks = int(np.ceil(len(seeds) / cs))
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(seeds), desc=f"{self.label} seeds", unit="seed", leave=False)
        try:
            for c in range(n_chunks):
                chunk = seeds[c * cs : (c + 1) * cs]
                padded = np.concatenate([chunk, np.repeat(chunk[-1:], cs - len(chunk))])
                keys = self.keys(padded)
                if self._key_sharding is not None:
                    keys = jax.device_put(keys, self._key_sharding)
                fn = self._compiled.get(cs)
                if fn is None:
                    t0 = time.perf_counter()
                    fn = self._compile(keys)
                    self.compile_seconds += time.perf_counter() - t0
                    self._compiled[cs] = fn
                t0 = time.perf_counter()
                out = jax.device_get(fn(keys, self.sim.data))
                self.run_seconds += time.perf_counter() - t0
                n = len(chunk)
                yield chunk, jax.tree.map(lambda a, n=n: np.asarray(a)[:n], out)
                if bar is not None:
                    bar.update(n)
        finally:
            if bar is not None:
                bar.close()

    def frame(self, seeds, *, progress: bool = True) -> pd.DataFrame:
        """Run ``seeds`` and return the tidy long results frame (see :func:`simulate`)."""
        seeds = parse_seeds(seeds)
        parts = []
        for chunk, out in self.run_chunks(seeds, progress=progress):
            for i, s in enumerate(chunk):
                one = jax.tree.map(lambda a, i=i: a[i], out)
                parts.append(self.sim.to_frame(one, seed=int(s)))
        df = pd.concat(parts, ignore_index=True)
        return self._decorate(df, seeds)

    def _decorate(self, df: pd.DataFrame, seeds: np.ndarray) -> pd.DataFrame:
        t = self.table
        front = pd.DataFrame(
            {
                "benchmark": t.name,
                "task": t.tasks[self.task],
                "method": self.label,
            },
            index=df.index,
        )
        hp = t.configs.iloc[df["config"].to_numpy()].reset_index(drop=True)
        hp.index = df.index
        hp.columns = [f"hp_{c}" if c in df.columns or c in front.columns else c for c in hp.columns]
        # order: run identity, results identity, hyperparameters, the rest (objectives, time ...)
        lead = [
            c
            for c in ("seed", "trial", "config", "bracket", "rung", "fidelity_index", "fidelity")
            if c in df.columns
        ]
        rest = [c for c in df.columns if c not in lead]
        out = pd.concat([front, df[lead], hp, df[rest]], axis=1)
        directions = list(Objectives(t.objectives, t.directions).select(self.objectives).directions)
        out.attrs["mohb_jax"] = {
            "benchmark": t.name,
            "task": t.tasks[self.task],
            "method": self.label,
            "scheduler": self.method,
            "options": dict(self.options),
            "seeds": seeds.tolist()
            if len(seeds) <= 64
            else {
                "n": int(len(seeds)),
                "min": int(seeds.min()),
                "max": int(seeds.max()),
                "contiguous": bool(np.all(np.diff(seeds) == 1)),
            },
            "n_workers": self.n_workers,
            "budget": self.budget,
            "objectives": list(self.objectives),
            "directions": directions,
            "reference_point": reference_point_for(t, self.objectives).tolist(),
            "config_columns": list(hp.columns),
            "fidelity_name": t.fidelity_name,
            "chunk_size": self.chunk_size,
            "batch": self.batch,
            "devices": len(self.devices),
            "compile_seconds": self.compile_seconds,
            "run_seconds": self.run_seconds,
            "versions": versions(),
        }
        return out


def make_sweep(
    table,
    *,
    method: str = "epsnet",
    n_workers: int = 4,
    budget: float | str = "100x",
    task: int | str | None = None,
    objectives: Sequence[str] | None = None,
    chunk_size: int | None = None,
    devices: Sequence[Any] | None = None,
    n_devices: int | None = None,
    max_chunk_bytes: int = 256 * 2**20,
    batch: str | int = "auto",
    **method_options,
) -> Sweep:
    """Build (but do not run) a :class:`Sweep`; arguments as in :func:`simulate`
    (``devices``: the devices to choose ``n_devices`` from, default ``jax.devices()``)."""
    from .driver import make_simulator

    devices = select_devices(n_devices, devices)  # before any work: a bad value fails fast
    table = resolve_table(table)
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or n_workers < 1:
        raise ValueError(f"n_workers must be a positive integer; got {n_workers!r}")
    task_i = table.task_index(0 if task is None else task)
    if objectives is None:
        objectives = list(table.default_objectives)
    objectives = check_unique(objectives, "objectives")
    if not objectives:
        raise ValueError("need at least one objective")
    for o in objectives:
        table.objective_index(o)  # ValueError naming the known ones
    budget_s = budget_seconds(table, budget, task_i, int(n_workers))
    label = method
    spec = resolve_method(
        method, **{k: method_options.get(k) for k in ("rule", "variant", "n_brackets")}
    )
    opts = {"rule": spec.rule, **method_options}
    try:
        sim = make_simulator(
            table,
            method=method,
            n_workers=int(n_workers),
            budget=budget_s,
            task=task_i,
            objectives=objectives,
            **method_options,
        )
    except (KeyError, TypeError) as e:  # unknown method / option: say which
        raise ValueError(f"cannot build method {method!r} with options {opts}: {e}") from e
    opts["on_exhausted"] = sim.scheduler.on_exhausted  # the effective value, in the metadata
    devices = _devices_for_custom_calls(sim, devices, explicit=n_devices is not None)
    if chunk_size is None:
        key = jax.random.key(0)
        shapes = jax.eval_shape(sim.run, key, sim.data)
        per_seed = sum(int(np.prod(s.shape)) * s.dtype.itemsize for s in jax.tree.leaves(shapes))
        chunk_size = int(np.clip(max_chunk_bytes // max(per_seed, 1), 1, 1024))
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive; got {chunk_size}")
    return Sweep(
        sim,
        table=table,
        task=task_i,
        label=label,
        method=spec.scheduler,
        options=opts,
        objectives=objectives,
        budget=budget_s,
        n_workers=int(n_workers),
        chunk_size=int(chunk_size),
        devices=devices,
        batch=batch,
    )


def simulate(
    table,
    *,
    method: str = "epsnet",
    seeds: int | str | Iterable[int] = 10,
    n_workers: int = 4,
    budget: float | str = "100x",
    task: int | str | None = None,
    objectives: Sequence[str] | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    batch: str | int = "auto",
    n_devices: int | None = None,
    executor=None,
    **method_options,
) -> pd.DataFrame:
    """Simulate a tuning method on an offline table for many seeds at once.

    The single-seed driver is mapped over seeds inside one ``jit`` (sharded over all devices by
    default: see ``n_devices``), in chunks of ``chunk_size`` seeds; for the same seed the rows are
    exactly those of the single-seed run.

    Args:
        table: a :class:`~mohb_jax.tables.Table` or a benchmark name (``list_benchmarks()``).
        method: a name of the method registry :data:`METHODS` ("epsnet", "crowding",
            "scalarize", "single", "random", "moasha", "mohb", "asha", "hyperband").
        seeds: n (seeds 0..n-1), "start:stop", or a sequence of distinct ints in 0..2**32-1;
            seed s runs with ``jax.random.key(s)``.
        n_workers: simulated parallel workers.
        budget: simulated wall-clock seconds, or ``"<k>x"``: ``k`` max-fidelity equivalents
            (k × mean training time at the highest fidelity / n_workers).
        task: task name or index (default: the first task).
        objectives: objectives the method ranks on (default ``table.default_objectives``).
        chunk_size: seeds per compiled call (default: as many as fit in ~256 MB of results).
        progress: show a tqdm progress bar (one update per chunk).
        batch: how a chunk is computed: ``"vmap"`` (all its seeds in lock step), ``"map"``
            (``lax.map``: one seed after another inside the compiled program) or an int ``b``
            (``lax.map`` over groups of ``b`` vmapped seeds). Results are identical; speed
            differs: ``"auto"`` (default) is ``"map"`` on CPU, where it measured 3-4x faster
            than ``"vmap"`` for the event-loop driver (a vmapped ``while_loop`` runs as long
            as its slowest seed and turns every conditional into a select; see
            ``bench/results_sweep.md``), and ``"vmap"`` on accelerators.
        n_devices: how many devices share the seeds (each runs its part of every chunk, in
            parallel; frames are bit-identical for any number); None (default) = all devices
            of the default backend. On a CPU that is one per core only if
            :func:`use_cpu_cores` ran before JAX's first operation (or
            ``XLA_FLAGS=--xla_force_host_platform_device_count=<cores>`` was set); the
            ``mohb-jax`` command line does it. ``use_cpu_cores`` also makes XLA:CPU compile
            each seed's event loop as one kernel (:func:`use_loop_kernels`; 1.7-2x faster
            per job, same frames). A run whose program calls LAPACK (the copula searcher's
            Gaussian process) uses one CPU device: several deadlock on it.
        executor: None (this process) or an executor with a ``simulate`` method, e.g.
            :class:`mohb_jax.tune.RayExecutor`: chunks of ``chunk_size`` seeds (default 64)
            run as tasks on its cluster; the frame is bit-identical to this process's.
        **method_options: passed to the driver's ``make_simulator`` (``eta``, ``variant``,
            ``searcher``, ``on_exhausted`` (default: ``"resume"`` stopped trials once every
            configuration was proposed, for the ASHA methods that stop trials), ...).

    Returns:
        One tidy long DataFrame, one row per reported result: ``benchmark, task, method,
        seed, trial, config, bracket, rung, fidelity_index, fidelity``, the configs'
        hyperparameter columns (prefixed ``hp_`` only where a name clashes), the objectives in
        the table's units and directions, ``time`` (simulated seconds), ``cost`` (cumulative
        $; NaN without a hardware catalog), ``worker``, ``decision``; with a searcher that
        reports a diagnostic, one more column (the copula searcher's guard: ``searcher_trust``,
        its trust in the transfer prior when the result's job started; per seed, over time).
        ``df.attrs["mohb_jax"]``
        holds the metadata that :func:`mohb_jax.sim.save_results` writes (versions, seeds,
        reference point, options).

    Raises:
        ValueError: unknown benchmark, method, task or objective; ``n_workers < 1``;
            ``budget <= 0``; seeds negative, too large, duplicated or empty; ``n_devices``
            not a positive integer or more than the devices there are.

    References:
        Salinas et al., arXiv 2106.05680 (method); Schmucker et al., arXiv 2106.12639 (MO-ASHA).
    """
    seeds_arr = parse_seeds(seeds)
    if executor is not None:
        if n_devices is not None:
            method_options["n_devices"] = n_devices
        if isinstance(table, str):
            from mohb_jax._src.tables.registry import load_benchmark

            table = load_benchmark(table)
        return executor.simulate(
            table,
            seeds=seeds_arr,
            chunk_size=64 if chunk_size is None else chunk_size,
            method=method,
            n_workers=n_workers,
            budget=budget,
            task=task,
            objectives=objectives,
            batch=batch,
            **method_options,
        )
    sw = make_sweep(
        table,
        method=method,
        n_workers=n_workers,
        budget=budget,
        task=task,
        objectives=objectives,
        chunk_size=chunk_size,
        batch=batch,
        n_devices=n_devices,
        **method_options,
    )
    return sw.frame(seeds_arr, progress=progress)


def compare(
    table,
    *,
    methods: Sequence[str] = ("epsnet", "crowding", "scalarize", "single", "random"),
    seeds: int | str | Iterable[int] = 10,
    **kwargs,
) -> pd.DataFrame:
    """:func:`simulate` for several methods with the same seeds; one concatenated frame.

    ``attrs["mohb_jax"]`` is the first method's metadata with ``methods`` listing all of them
    and ``options`` per method.
    """
    methods = check_methods(methods)  # every name registered, none twice, before any run
    table = resolve_table(table)
    frames = [simulate(table, method=m, seeds=seeds, **kwargs) for m in methods]
    df = pd.concat(frames, ignore_index=True)
    meta = dict(frames[0].attrs["mohb_jax"])
    meta["methods"] = list(methods)
    meta["method"] = None
    meta["options"] = {
        m: f.attrs["mohb_jax"]["options"] for m, f in zip(methods, frames, strict=True)
    }
    meta["compile_seconds"] = {
        m: f.attrs["mohb_jax"]["compile_seconds"] for m, f in zip(methods, frames, strict=True)
    }
    meta["run_seconds"] = {
        m: f.attrs["mohb_jax"]["run_seconds"] for m, f in zip(methods, frames, strict=True)
    }
    df.attrs["mohb_jax"] = meta
    return df
