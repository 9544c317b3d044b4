"""Real trials on real hardware: :class:`Tuner`, its event loop, the journal replay.

A table-driven scheduler needs a finite set of configurations: the search space is sampled
once into a candidate table crossed with the hardware catalog (:mod:`.space`); the scheduler's
config index is a row of it. The driver is a Python event loop over the scheduler's jitted
functions (:class:`.core.SchedulerCore`) with the simulator's event rules:

* a *job* trains one trial from its checkpoint to a rung level; results at grid fidelities on
  the way are ``observe``-d, the one at the rung level is ``tell``-ed;
* CONTINUE keeps the job (and its process) going to the next rung; PAUSE / STOP / DONE end it;
  the worker is free once the job's process has returned (so a PAUSEd trial's checkpoint is
  on disk before any promotion can load it);
* after each job's end every free worker asks, in worker order, with key
  ``fold_in(base, n_asks + w)``; then ``n_asks += n_workers``;
* time and cost are measured by the runner: a result's ``time_s`` is the trial's training time
  from scratch to that fidelity (sum of its timed segments), ``cost_usd = time_s × $/h /
  3600``; the run's dollars spent are the sum of the segments' costs.

**Event sourcing.** Every state change is a journal record, written (fsync) *before* the driver
acts on it, and applied by one function (:meth:`_Run.apply`) both live and on replay: resuming
re-applies the records through the same jitted ``ask``/``tell``/``observe`` and checks every
replayed job and decision against the logged one, then re-dispatches unfinished jobs from
their latest checkpoint. Results are keyed by ``(trial, fidelity_index)``: a result that is
already in the journal (a job re-run from an older checkpoint) is dropped, so each is told
exactly once.

**Faults.** A trial that raises, hangs (no report for ``timeout_s``: its process group is
killed), reports ``-inf``, or returns before its rung is *failed*: its rung result is told as
``+inf`` in every objective (synchronous Hyperband never waits forever; ``+inf`` ranks last)
with the reason in the journal. ``NaN`` is told as ``+inf`` and the raw value is kept. A worker
process that dies without a word is re-run from the trial's checkpoint up to ``max_retries``
times, then failed.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021) (cost = time × price, hardware as a
    searchable dimension).
    Optuna's ``JournalFileBackend`` (append-only, fsynced JSON Lines journal, replayed on load).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mohb_jax._src.lifecycle import ACTIONS, OBSERVED
from mohb_jax._src.schedulers.core import CONTINUE, DECISIONS, check_on_exhausted
from mohb_jax._src.tune import space as _space
from mohb_jax._src.tune.context import checkpoints
from mohb_jax._src.tune.core import HostJob, SchedulerCore, resolve_method
from mohb_jax._src.tune.executor import Event, Executor, JobSpec, LocalExecutor
from mohb_jax._src.tune.hardware import Hardware, parse_catalog
from mohb_jax._src.tune.journal import (
    FORMAT,
    JOURNAL_FILE,
    JournalWriter,
    decode_float,
    encode_float,
    read_journal,
    truncate_torn,
)

#: objectives the runner measures (users never report them)
RUNNER_OBJECTIVES = ("time_s", "cost_usd")
CANDIDATES_FILE = "candidates.json"


@dataclass(frozen=True)
class Stop:
    """When a run ends, whichever comes first (None: no limit).

    Attributes:
        wallclock_s: seconds of driver wall-clock (summed over resumes).
        cost_usd: dollars spent (sum of the timed segments × $/h).
        trials: trials started (the scheduler's capacity; running jobs finish).
    """

    wallclock_s: float | None = None
    cost_usd: float | None = None
    trials: int | None = None

    def __post_init__(self):
        for k in ("wallclock_s", "cost_usd"):
            v = getattr(self, k)
            if v is not None and not (isinstance(v, (int, float)) and v > 0):
                raise ValueError(f"Stop.{k} must be a positive number or None; got {v!r}")
        t = self.trials
        if t is not None and (isinstance(t, bool) or not isinstance(t, int) or t < 1):
            raise ValueError(f"Stop.trials must be a positive integer or None; got {t!r}")

    @classmethod
    def parse(cls, stop) -> Stop:
        if stop is None:
            return cls()
        if isinstance(stop, Stop):
            return stop
        if isinstance(stop, Mapping):
            return cls(**dict(stop))
        raise ValueError(f"stop must be a Stop, a dict or None; got {stop!r}")


def parse_objectives(objectives) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, directions) from a dict ``{name: "min"|"max"}`` or ``["name:dir", ...]``."""
    if isinstance(objectives, Mapping):
        items = list(objectives.items())
    elif isinstance(objectives, str):
        items = [tuple(s.split(":")) for s in objectives.split(",")]
    else:
        items = []
        for o in objectives:
            if isinstance(o, str):
                items.append(tuple(o.split(":")) if ":" in o else (o, "min"))
            else:
                items.append(tuple(o))
    if not items:
        raise ValueError("need at least one objective")
    for it in items:
        if len(it) != 2 or it[1] not in ("min", "max") or not isinstance(it[0], str):
            raise ValueError(f"objectives are name -> 'min'/'max'; got {it!r}")
    names = tuple(n for n, _ in items)
    if len(set(names)) != len(names):
        raise ValueError(f"duplicated objective names {list(names)}")
    dirs = tuple(d for _, d in items)
    for n, d in zip(names, dirs, strict=True):
        if n in RUNNER_OBJECTIVES and d != "min":
            raise ValueError(f"the runner-measured objective {n!r} can only be minimized")
    if all(n in RUNNER_OBJECTIVES for n in names):
        raise ValueError(
            f"need at least one objective the trial reports besides {RUNNER_OBJECTIVES}"
        )
    return names, dirs


def train_reference(train: Callable) -> dict[str, Any]:
    """How a worker process imports ``train`` (module name, file, qualified name)."""
    if not callable(train):
        raise ValueError(f"train must be a function train(config, ctx); got {train!r}")
    qual = getattr(train, "__qualname__", "")
    if not qual or "<locals>" in qual or "<lambda>" in qual:
        raise ValueError(
            f"train must be a module-level function (the worker process imports it); got {qual!r}"
        )
    mod = sys.modules.get(train.__module__)
    file = getattr(mod, "__file__", None)
    if file is None:
        raise ValueError(
            f"train's module {train.__module__!r} has no file: define train in a .py file"
        )
    return {"module": train.__module__, "file": os.path.abspath(file), "qualname": qual}


# ------------------------------------------------------------------------------------------
# the run: bookkeeping + the one apply() for live events and replay
# ------------------------------------------------------------------------------------------


@dataclass
class _JobRec:
    job_id: int
    job: HostJob  # current target (fidelity), rung
    worker: int
    attempt: int = 0
    decided: bool = False  # the rung result was told and the job does not continue
    ended: bool = False
    failed: bool = False


class ReplayMismatch(RuntimeError):
    """A replayed ask/tell disagrees with the journal (platform or float drift)."""


@dataclass
class _Run:
    core: SchedulerCore
    header: dict[str, Any]
    candidates: pd.DataFrame
    catalog: dict[str, Hardware]
    state: Any = None
    workers: list[int | None] = field(default_factory=list)
    jobs: dict[int, _JobRec] = field(default_factory=dict)
    seen: set = field(default_factory=set)
    trial_time: dict[int, float] = field(default_factory=dict)
    trial_last: dict[int, int] = field(default_factory=dict)  # last journaled fidelity index
    spent: float = 0.0
    clock: float = 0.0
    stopped: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    n_failed: int = 0
    n_checked: int = 0
    failed_trials: set = field(default_factory=set)
    n_asks: int = 0  # host copy of the lifecycle's ask counter
    _pre: Any = None  # outcomes precomputed by one compiled replay (deque), else None

    def __post_init__(self):
        self.W = int(self.header["n_workers"])
        self.workers = [None] * self.W
        self.state = self.core.init()
        self.names = tuple(self.header["objectives"]["names"])
        self.dirs = tuple(self.header["objectives"]["directions"])
        self.hp_cols = [c for c in self.candidates.columns if c != _space.HARDWARE_COLUMN]
        self.grid = [float(g) for g in self.header["scheduler"]["grid"]]

    # ---- helpers -------------------------------------------------------------------------
    def price(self, config: int) -> float:
        return self.catalog[str(self.candidates.at[config, _space.HARDWARE_COLUMN])].price_per_hour

    def running(self) -> list[_JobRec]:
        return [j for j in self.jobs.values() if not j.ended]

    def free_workers(self) -> list[int]:
        return [w for w in range(self.W) if self.workers[w] is None]

    def y_min(self, values: Mapping[str, float]) -> list[float]:
        """Scheduler vector (minimization); NaN becomes +inf (diverged)."""
        out = []
        for n, d in zip(self.names, self.dirs, strict=True):
            x = float(values[n])
            x = -x if d == "max" else x
            out.append(math.inf if math.isnan(x) else x)
        return out

    # ---- the one transition function ---------------------------------------------------
    def apply(self, rec: dict[str, Any], check: bool) -> dict[str, Any]:
        """Apply one journal record to the state (live: ``check=False`` fills it in)."""
        t = rec["type"]
        if "clock" in rec:
            self.clock = max(self.clock, float(rec["clock"]))
        if t == "fill":
            base = self.n_asks
            if check and rec["base"] != base:
                raise ReplayMismatch(f"fill base {rec['base']} != replayed {base}")
            rec["base"] = base
            asks = rec.get("asks") or [{"worker": w} for w in rec.pop("workers")]
            for a in asks:
                job = self._ask(int(a["worker"]))
                if check:
                    self.n_checked += 1
                    if list(job) != list(a["job"]):
                        raise ReplayMismatch(
                            f"ask {base + a['worker']}: replayed job {tuple(job)} != journal "
                            f"{a['job']}"
                        )
                a["job"] = list(job)
                if job.valid:
                    jid = len(self.jobs)
                    w = int(a["worker"])
                    self.jobs[jid] = _JobRec(jid, job, w)
                    self.workers[w] = jid
                    a["job_id"] = jid
            rec["asks"] = asks
            self._end_round()
        elif t == "result":
            jr = self.jobs[int(rec["job_id"])]
            f = int(rec["f"])
            key = (jr.job.trial, f)
            if key in self.seen:
                raise ReplayMismatch(f"result {key} journaled twice")
            self.seen.add(key)
            self.trial_last[jr.job.trial] = max(self.trial_last.get(jr.job.trial, -1), f)
            y = [decode_float(v) for v in rec["y"]]
            if rec["status"] == "failed":
                jr.failed = True
                self.n_failed += 1
                self.failed_trials.add(jr.job.trial)
            self.spent += float(rec["seg_cost"])
            self.trial_time[jr.job.trial] = float(rec["time_s"])
            at_rung = f >= jr.job.fidelity
            rung = jr.job.rung if at_rung else -1
            action, nxt = self._report(jr.job, f, y)
            if at_rung:
                if check:
                    self.n_checked += 1
                    if action != rec["decision"]:
                        raise ReplayMismatch(
                            f"tell (trial {jr.job.trial}, fidelity {f}): replayed decision "
                            f"{ACTIONS[action]} != journal {ACTIONS[rec['decision']]}"
                        )
                if check and "next" in rec and rec["next"] != (None if nxt is None else list(nxt)):
                    raise ReplayMismatch(
                        f"tell (trial {jr.job.trial}, fidelity {f}): replayed next job {nxt} != "
                        f"journal {rec['next']}"
                    )
                rec["next"] = None if nxt is None else list(nxt)
                if nxt is not None:
                    jr.job = nxt
                else:
                    jr.decided = True
            elif action != OBSERVED:
                raise ReplayMismatch(f"result below the target was not observed: {action}")
            rec["decision"] = action
            self._row(rec, jr, f, rung, CONTINUE if action == OBSERVED else action)
        elif t == "exit":
            jr = self.jobs[int(rec["job_id"])]
            if rec.get("retry"):
                jr.attempt += 1
            else:
                jr.ended = True
                self.workers[jr.worker] = None
        elif t == "stop":
            self.stopped = rec["reason"]
        elif t == "resume":
            if rec.get("stop") is not None:  # new stop criteria: a stopped run goes on
                self.stopped = None
        elif t in ("submit", "checkpoint", "end"):
            pass
        else:
            raise ValueError(f"unknown journal record type {t!r}")
        return rec

    # ---- the scheduler calls (one at a time, or outcomes of one compiled replay) -----------
    def _ask(self, worker: int) -> HostJob:
        if self._pre is not None:
            return self._pre.popleft()
        job, self.state = self.core.ask(self.state, worker)
        return job

    def _end_round(self) -> None:
        self.n_asks += self.W
        if self._pre is not None:
            self._pre.popleft()
            return
        self.state = self.core.end_round(self.state)

    def _report(self, job: HostJob, f: int, y) -> tuple[int, HostJob | None]:
        if self._pre is not None:
            return self._pre.popleft()
        self.state, action, nxt = self.core.report(self.state, job, f, y)
        return action, nxt

    def replay(self, records: list[dict[str, Any]]) -> None:
        """Re-apply journal records, checking every ask and decision.

        The scheduler calls of the whole journal run in one compiled ``lax.scan``
        (:func:`~mohb_jax._src.tune.core.replay_ops`) on the journaled jobs; :meth:`apply`
        then checks the outcomes record by record. Journals without the continued jobs
        (``next``) replay call by call.
        """
        from collections import deque

        from mohb_jax._src.tune.core import OP_ASK, OP_END_ROUND, OP_REPORT, Ops, replay_ops

        kind, worker, jobs_in, fs, ys = [], [], [], [], []
        cur: dict[int, list[int]] = {}
        fast = True
        for r in records:
            if r["type"] == "fill":
                for a in r["asks"]:
                    kind.append(OP_ASK)
                    worker.append(int(a["worker"]))
                    jobs_in.append([0] * 6)
                    fs.append(0)
                    ys.append([0.0] * self.core.M)
                    if "job_id" in a:
                        cur[int(a["job_id"])] = [int(v) for v in a["job"]]
                kind.append(OP_END_ROUND)
                worker.append(0)
                jobs_in.append([0] * 6)
                fs.append(0)
                ys.append([0.0] * self.core.M)
            elif r["type"] == "result":
                j = cur[int(r["job_id"])]
                kind.append(OP_REPORT)
                worker.append(0)
                jobs_in.append(list(j))
                fs.append(int(r["f"]))
                ys.append([decode_float(v) for v in r["y"]])
                if int(r["f"]) >= j[2] and r.get("decision") == CONTINUE:
                    if r.get("next") is None:
                        fast = False
                        break
                    cur[int(r["job_id"])] = [int(v) for v in r["next"]]
        if fast and kind:
            ops = Ops(
                np.asarray(kind, np.int32),
                np.asarray(worker, np.int32),
                np.asarray(jobs_in, np.int32).reshape(-1, 6),
                np.asarray(fs, np.int32),
                np.asarray(ys, np.float32).reshape(-1, self.core.M),
            )
            state, asked, action, nxt = replay_ops(self.core, self.state, ops)
            pre = deque()
            for k, a, d, n in zip(ops.kind, asked, action, nxt, strict=True):
                if k == OP_ASK:
                    pre.append(HostJob(*(int(v) for v in a[:5]), bool(a[5])))
                elif k == OP_END_ROUND:
                    pre.append(None)
                else:
                    nj = HostJob(*(int(v) for v in n[:5]), bool(n[5]))
                    pre.append((int(d), nj if int(d) == CONTINUE else None))
            self._pre = pre
            try:
                for rec in records:
                    self.apply(rec, check=True)
            finally:
                self._pre = None
            self.state = state
        else:
            for rec in records:
                self.apply(rec, check=True)

    def _row(self, rec, jr: _JobRec, f: int, rung: int, decision: int) -> None:
        cfg = jr.job.config
        row: dict[str, Any] = {
            "seed": int(self.header["scheduler"]["seed"]),
            "trial": jr.job.trial,
            "config": cfg,
            "bracket": jr.job.bracket,
            "rung": rung,
            "fidelity_index": f,
            "fidelity": self.grid[f],
        }
        raw = rec["raw"]
        for n in self.names:
            if n not in RUNNER_OBJECTIVES:
                row[n] = decode_float(raw[n]) if n in raw else math.nan
        row["time_s"] = float(rec["time_s"])
        row["cost_usd"] = float(rec["time_s"]) * self.price(cfg) / 3600.0
        row["time"] = float(rec["clock"])
        row["cost"] = self.spent
        row["worker"] = jr.worker
        row["decision"] = decision
        row["hardware"] = str(self.candidates.at[cfg, _space.HARDWARE_COLUMN])
        row["status"] = rec["status"]
        row["attempt"] = jr.attempt
        row["job"] = jr.job_id
        row["segment_s"] = float(rec["seg"])
        row["reason"] = rec.get("reason", "")
        for c in self.hp_cols:
            row[c] = self.candidates.at[cfg, c]
        self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        cols = ["seed", "trial", "config", "bracket", "rung", "fidelity_index", "fidelity"]
        obj = [n for n in self.names if n not in RUNNER_OBJECTIVES] + list(RUNNER_OBJECTIVES)
        tail = ["time", "cost", "worker", "decision", "hardware", "status", "attempt", "job"]
        tail += ["segment_s", "reason", *self.hp_cols]
        df = pd.DataFrame(self.rows, columns=cols + obj + tail)
        df["decision"] = pd.Categorical.from_codes(
            df["decision"].astype(int).to_numpy(), categories=list(DECISIONS)
        )
        return df


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------


class Results:
    """A real run's results: :attr:`frame` (one row per result, in arrival order).

    The frame has the simulator's columns (``seed, trial, config, bracket, rung,
    fidelity_index, fidelity, <objectives>, time, cost, worker, decision``; ``time`` is the
    driver's clock, ``cost`` the dollars spent so far) plus ``time_s`` and ``cost_usd`` (the
    trial's training time / cost from scratch to that fidelity), ``hardware``, ``status``
    (``ok``, ``nan``: a NaN objective told as +inf, ``failed``), ``attempt``, ``job``,
    ``segment_s``, ``reason`` and the hyperparameters.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        header: dict[str, Any],
        candidates: pd.DataFrame,
        journal_dir: Path | None = None,
        n_checked: int = 0,
    ):
        self.frame = frame
        self.header = header
        self.candidates = candidates
        self.journal_dir = journal_dir
        self.n_checked = n_checked
        self.objectives = dict(
            zip(header["objectives"]["names"], header["objectives"]["directions"], strict=True)
        )

    def __repr__(self) -> str:
        n_t = self.frame["trial"].nunique() if len(self.frame) else 0
        return f"Results({len(self.frame)} results, {n_t} trials, ${self.spent:.6f})"

    @property
    def spent(self) -> float:
        return float(self.frame["cost"].iloc[-1]) if len(self.frame) else 0.0

    def pareto(self, fidelity: str = "max") -> pd.DataFrame:
        """Non-dominated results (status ok) over the objectives, in their own directions.

        Args:
            fidelity: ``"max"``: results at the highest fidelity of the grid; ``"all"``: every
                result (any fidelity).
        """
        from mohb_jax._src.tables.views import pareto_mask_np

        df = self.frame[self.frame["status"] == "ok"]
        if fidelity == "max":
            df = df[df["fidelity_index"] == len(self.header["scheduler"]["grid"]) - 1]
        elif fidelity != "all":
            raise ValueError(f"fidelity must be 'max' or 'all'; got {fidelity!r}")
        if df.empty:
            return df.copy()
        y = np.stack(
            [df[n].to_numpy(float) * (-1 if d == "max" else 1) for n, d in self.objectives.items()],
            axis=1,
        )
        return df[pareto_mask_np(y)].copy()

    def to_table(self, name: str = "tuned"):
        """The run's results as a :class:`~mohb_jax.tables.Table` the simulator replays.

        One configuration per candidate row that has results (hyperparameters + hardware, priced
        from the catalog), one seed, the grid's fidelities; ``time_s`` is the time objective
        (cumulative from scratch). Cells without a result are masked; the simulator proposes
        only configurations complete at every fidelity, i.e. trials that reached the maximum
        fidelity (run ``method="random"`` to make a complete table).
        """
        from mohb_jax._src.tables.hardware import HardwareSpec
        from mohb_jax._src.tables.table import table_from_frame

        df = self.frame[self.frame["status"] == "ok"].copy()
        if df.empty:
            raise ValueError("no successful result to make a table from")
        hp = [c for c in self.candidates.columns if c != _space.HARDWARE_COLUMN]
        prices = {h["name"]: h["price_per_hour"] for h in self.header["catalog"]}
        names = [n for n in self.objectives if n not in RUNNER_OBJECTIVES]
        obj = {n: self.objectives[n] for n in names}
        obj["time_s"] = "min"
        obj["cost_usd"] = "min"
        enc = self.header.get("encoding")
        return table_from_frame(
            df,
            config_columns=[*hp, _space.HARDWARE_COLUMN],
            fidelity_column="fidelity",
            objectives=obj,
            hardware=HardwareSpec(
                columns=[_space.HARDWARE_COLUMN],
                price_per_hour=prices,
                source="the tuning run's hardware catalog",
            ),
            time_objective="time_s",
            time_cumulative=True,
            name=name,
            fidelity_name=self.header.get("fidelity_name", "fidelity"),
            space=enc,
            metadata={
                "default_objectives": list(self.objectives),
                "source": "a mohb_jax tuning journal (real runs on this machine)",
                "surrogate": False,
            },
        )


# ------------------------------------------------------------------------------------------
# the tuner
# ------------------------------------------------------------------------------------------


def enable_compile_cache(cache_dir=None) -> str | None:
    """Turn on JAX's persistent compilation cache in this process; returns its directory.

    ``None``: ``$MOHB_JAX_CACHE/xla`` (default ``~/.cache/mohb_jax/xla``); ``False``: off.
    """
    if cache_dir is False:
        return None
    if cache_dir is None:
        root = os.environ.get("MOHB_JAX_CACHE", str(Path.home() / ".cache" / "mohb_jax"))
        cache_dir = str(Path(root) / "xla")
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        import jax

        jax.config.update("jax_compilation_cache_dir", str(cache_dir))
    except OSError:  # read-only home: run without the cache
        return None
    return str(cache_dir)


def _versions() -> dict[str, str]:
    import jax

    import mohb_jax

    return {
        "mohb_jax": mohb_jax.__version__,
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }


def _make_searcher(searcher, candidates: pd.DataFrame, header: dict[str, Any]):
    from mohb_jax._src.schedulers.searchers import random_searcher

    if searcher in (None, "random"):
        return random_searcher(np.ones(len(candidates), bool))
    if callable(searcher):
        return searcher(candidates, tuple(header["objectives"]["names"]))
    raise ValueError(
        f"searcher must be 'random' or a callable candidates -> Searcher (see "
        f"mohb_jax.tune.copula_from_table); got {searcher!r}"
    )


class Tuner:
    """Tune a real training function over hyperparameters and hardware (see the module doc).

    Args:
        train: ``train(config, ctx)``, a module-level function (the worker process imports it).
        space: dict of :func:`loguniform` / :func:`uniform` / :func:`randint` / :func:`choice`,
            or a DataFrame of candidate rows.
        hardware: catalog rows (:class:`Hardware` or dicts); default one free unpinned row.
        objectives: ``{name: "min"|"max"}``; ``time_s`` / ``cost_usd`` are measured by the
            runner (only "min"); the trial reports the others.
        fidelity: the fidelity grid (increasing values, e.g. epochs ``[1, 2, 4, 8]``).
        method: a name of the method registry (``mohb_jax.tune.METHODS``, shared with the
            simulator): ``epsnet`` (MO-ASHA, default), ``crowding``, ``scalarize``,
            ``single``, ``random``, ``mohb`` (synchronous MO-Hyperband), ``hyperband``,
            ``moasha``, ``asha``.
        rule: overrides the rung rule of ``moasha`` / ``mohb`` / ``asha`` / ``hyperband``.
        variant: ASHA's ``"stopping"`` (default) or ``"promotion"``.
        eta: reduction factor.
        n_brackets: brackets (default: 1 for ASHA, all for Hyperband).
        on_exhausted: once every candidate row was proposed, a free worker stays ``"idle"``
            (default: the run ends when the running jobs end) or ``"resume"``s the stopped
            trial the smallest share of its rung's results dominate, from its checkpoint
            (ASHA methods; :data:`mohb_jax.schedulers.ON_EXHAUSTED`). The simulator resumes
            by default (a table is finite and idle simulated workers are an artifact); here a
            resumed trial costs real time and money, so it is asked for.
        searcher: ``"random"`` or a callable ``(candidates, objective_names) -> Searcher``
            (:func:`copula_from_table` for the copula transfer searcher).
        n_workers: logical workers (each asks for a job when free).
        max_trials: trial capacity of the scheduler.
        n_candidates: hyperparameter rows sampled from ``space`` (each on every hardware row).
        seed: sampling and scheduler seed.
        stop: :class:`Stop` (or dict): wall-clock seconds, dollars, trials.
        journal: run directory (journal, candidates, checkpoints, logs); required.
        timeout_s: kill a job after this many seconds without a report.
        max_retries: re-runs of a job whose worker process died.
        executor: ``"local"`` (default) or an :class:`Executor`.
        progress: show a live progress bar (tqdm) on stderr.
        cache_dir: JAX persistent compilation cache for the driver and the workers (default
            ``$MOHB_JAX_CACHE/xla`` or ``~/.cache/mohb_jax/xla``; False: off).
        fidelity_name: what the fidelity is (e.g. ``"epoch"``).

    Raises:
        ValueError: bad arguments, a hardware row the executor cannot provide, an existing
            journal in ``journal`` (use :meth:`Tuner.resume`).
    """

    def __init__(
        self,
        train: Callable,
        space,
        *,
        hardware=None,
        objectives,
        fidelity: Sequence[float],
        method: str = "epsnet",
        rule: str | None = None,
        variant: str | None = None,
        eta: float = 3,
        n_brackets: int | None = None,
        on_exhausted: str = "idle",
        searcher="random",
        n_workers: int = 4,
        max_trials: int = 256,
        n_candidates: int = 256,
        seed: int = 0,
        stop=None,
        journal: str | os.PathLike,
        timeout_s: float | None = None,
        max_retries: int = 1,
        executor: str | Executor = "local",
        progress: bool = True,
        cache_dir: str | os.PathLike | bool | None = None,
        fidelity_name: str = "fidelity",
    ):
        self.train = train
        self.train_ref = train_reference(train)
        catalog = parse_catalog(hardware)
        names, dirs = parse_objectives(objectives)
        grid = np.asarray(fidelity, dtype=np.float64)
        if grid.ndim != 1 or len(grid) == 0 or not np.all(np.isfinite(grid)):
            raise ValueError(f"fidelity must be a non-empty list of numbers; got {fidelity!r}")
        if np.any(np.diff(grid) <= 0):
            raise ValueError(f"fidelity values must be strictly increasing; got {list(grid)}")
        m = resolve_method(method, rule, variant, n_brackets)
        check_on_exhausted(on_exhausted, m["scheduler"])  # before anything runs
        for k, v in (("n_workers", n_workers), ("max_trials", max_trials), ("seed", seed)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < (k != "seed"):
                raise ValueError(
                    f"{k} must be a {'non-negative' if k == 'seed' else 'positive'} "
                    f"integer; got {v!r}"
                )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0; got {max_retries!r}")
        if timeout_s is not None and not (isinstance(timeout_s, (int, float)) and timeout_s > 0):
            raise ValueError(f"timeout_s must be a positive number or None; got {timeout_s!r}")
        stop = Stop.parse(stop)
        if journal is None:
            raise ValueError("journal: a run directory is required (the run is crash-safe)")
        jdir = Path(journal)
        if (jdir / JOURNAL_FILE).exists():
            raise ValueError(
                f"{jdir} already holds a journal; continue it with Tuner.resume({str(jdir)!r}, "
                "train) or choose another directory"
            )
        self.executor = self._executor(executor, cache_dir)
        self.executor.check(catalog)  # before anything runs
        candidates = _space.candidate_table(
            space, [h.name for h in catalog], n_candidates=n_candidates, seed=int(seed)
        )
        cap = int(max_trials) if stop.trials is None else min(int(max_trials), stop.trials)
        header = {
            "type": "header",
            "format": FORMAT,
            "versions": _versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "scheduler": {
                **m,
                "eta": float(eta),
                "grid": grid.tolist(),
                "max_trials": cap,
                "n_objectives": len(names),
                "seed": int(seed),
                "on_exhausted": on_exhausted,
            },
            "n_workers": int(n_workers),
            "objectives": {"names": list(names), "directions": list(dirs)},
            "catalog": [h.to_json() for h in catalog],
            "candidates_hash": _space.table_hash(candidates),
            "n_candidates": len(candidates),
            "encoding": _space.encoding_space(space),
            "fidelity_name": fidelity_name,
            "stop": {
                "wallclock_s": stop.wallclock_s,
                "cost_usd": stop.cost_usd,
                "trials": stop.trials,
            },
            "timeout_s": timeout_s,
            "max_retries": int(max_retries),
            "train": self.train_ref,
        }
        self._setup(jdir, header, candidates, progress, searcher, new=True)

    @staticmethod
    def _executor(executor, cache_dir) -> Executor:
        cache = enable_compile_cache(cache_dir)
        if executor == "local":
            return LocalExecutor(cache_dir=cache)
        if isinstance(executor, Executor):
            return executor
        raise ValueError(f"executor must be 'local' or an Executor; got {executor!r}")

    def _setup(self, jdir, header, candidates, progress, searcher, new: bool) -> None:
        self.dir = jdir
        self.header = header
        self.candidates = candidates
        self.progress = progress
        self._searcher_arg = searcher
        self._new = new
        self._prepare()

    def _prepare(self) -> None:
        """Build and compile the scheduler (at construction, not at the first event)."""
        searcher = _make_searcher(self._searcher_arg, self.candidates, self.header)
        self.core = SchedulerCore(self.header["scheduler"], searcher, self.header["n_workers"])
        self.core.warm_up()
        self.catalog = {h["name"]: Hardware.from_json(h) for h in self.header["catalog"]}

    # ---- resume ----------------------------------------------------------------------------
    @classmethod
    def resume(
        cls,
        journal: str | os.PathLike,
        train: Callable,
        *,
        searcher="random",
        executor: str | Executor = "local",
        progress: bool = True,
        cache_dir: str | os.PathLike | bool | None = None,
        stop=None,
    ) -> Tuner:
        """A tuner that continues the run journaled in ``journal`` (call ``.run()``).

        The journal's header fixes everything else (space, catalog, method, seed, ...); pass
        the same ``searcher`` as the first run (a callable searcher is not journaled). ``stop``
        replaces the journaled stop criteria (e.g. a larger budget): a run that had stopped
        goes on, its killed jobs re-run from their checkpoints.
        """
        self = cls.__new__(cls)
        jdir = Path(journal)
        path = jdir / JOURNAL_FILE
        if not path.exists():
            raise FileNotFoundError(f"no journal at {path}")
        recs = read_journal(path)
        header = recs[0]
        self.train = train
        self.train_ref = train_reference(train)
        cand = jdir / CANDIDATES_FILE
        import json

        c = json.loads(cand.read_text())
        candidates = _space.table_from_records(c["columns"], c["rows"])
        if _space.table_hash(candidates) != header["candidates_hash"]:
            raise ValueError(f"{cand} does not match the journal's candidate hash")
        self._new_stop = stop is not None
        if stop is not None:
            s = Stop.parse(stop)
            header["stop"] = {
                "wallclock_s": s.wallclock_s,
                "cost_usd": s.cost_usd,
                "trials": s.trials,
            }
        self._records = recs
        self.executor = cls._executor(executor, cache_dir)
        self.executor.check(tuple(Hardware.from_json(h) for h in header["catalog"]))
        self._setup(jdir, header, candidates, progress, searcher, new=False)
        return self

    # ---- the event loop --------------------------------------------------------------------
    def run(self) -> Results:
        """Run (or continue) until the stop criteria or nothing is left; returns the results."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "checkpoints").mkdir(exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)
        path = self.dir / JOURNAL_FILE
        run = _Run(self.core, self.header, self.candidates, self.catalog)
        if self._new:
            import json

            (self.dir / CANDIDATES_FILE).write_text(
                json.dumps(
                    {
                        "columns": list(map(str, self.candidates.columns)),
                        "rows": _space.table_records(self.candidates),
                    }
                )
            )
            writer = JournalWriter(path)
            writer.append(self.header)
        else:
            run.replay(self._records[1:])
            truncate_torn(path)
            writer = JournalWriter(path)
        self._run, self._writer = run, writer
        self._t0 = time.monotonic() - run.clock
        self._bar = None
        if self.progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                desc="mohb-jax tune", unit=" results", dynamic_ncols=True, initial=len(run.rows)
            )
        try:
            self._loop(resumed=not self._new)
        finally:
            self.executor.close()
            writer.close()
            if self._bar is not None:
                self._bar.close()
        return Results(run.frame(), self.header, self.candidates, self.dir, run.n_checked)

    def _now(self) -> float:
        return time.monotonic() - self._t0

    def _log(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Apply a new record to the state, then journal it (fsync) before acting on it."""
        rec = self._run.apply(rec, check=False)
        self._writer.append(rec)
        return rec

    def _ckpt_dir(self, trial: int) -> Path:
        return self.dir / "checkpoints" / f"trial-{trial}"

    def _spec(self, jr: _JobRec) -> JobSpec:
        run = self._run
        cfg = jr.job.config
        row = {k: _space._py(v) for k, v in self.candidates.iloc[cfg].items()}
        hw = self.catalog[str(row[_space.HARDWARE_COLUMN])]
        names = [n for n in run.names if n not in RUNNER_OBJECTIVES]
        return JobSpec(
            job_id=jr.job_id,
            trial=jr.job.trial,
            config_index=cfg,
            config=row,
            hardware=hw,
            grid=run.grid,
            target=jr.job.fidelity,
            attempt=jr.attempt,
            checkpoint_dir=str(self._ckpt_dir(jr.job.trial)),
            train=self.train_ref,
            report_names=names,
            timeout_s=self.header.get("timeout_s"),
            resume_max=run.trial_last.get(jr.job.trial, -1),
            sys_path=[p for p in sys.path if p],
            log_path=str(self.dir / "logs" / f"trial-{jr.job.trial}.log"),
        )

    def _submit(self, jr: _JobRec, record: bool = True) -> None:
        """Hand ``jr`` to the executor; a (re-)submission is journaled, a fresh job's dispatch
        is already in its fill record."""
        if record:
            self._log(
                {
                    "type": "submit",
                    "job_id": jr.job_id,
                    "trial": jr.job.trial,
                    "target": jr.job.fidelity,
                    "attempt": jr.attempt,
                    "worker": jr.worker,
                    "clock": self._now(),
                }
            )
        self.executor.submit(self._spec(jr))

    def _fill(self) -> None:
        """Every free worker asks, in worker order; valid jobs are dispatched.

        A job of a trial that failed before (a rung rule may keep a ``+inf`` result when too
        few others are left) is not run again: it fails at once with the same reason.
        """
        run = self._run
        while not run.stopped:
            rec = self._log({"type": "fill", "workers": run.free_workers(), "clock": self._now()})
            refill = False
            for a in rec["asks"]:
                if "job_id" in a:
                    refill |= not self._dispatch(run.jobs[a["job_id"]], fresh=True)
            if not refill:
                return

    def _dispatch(self, jr: _JobRec, fresh: bool = False) -> bool:
        """Submit ``jr``, or fail it at once if its trial failed before (returns False)."""
        if jr.job.trial in self._run.failed_trials:
            self._fail(jr, "the trial failed before; not run again")
            self._log(
                {
                    "type": "exit",
                    "job_id": jr.job_id,
                    "kind": "error",
                    "reason": "not run: failed before",
                    "clock": self._now(),
                }
            )
            return False
        self._submit(jr, record=not fresh)
        return True

    def _check_stop(self) -> None:
        run = self._run
        if run.stopped:
            return
        s = self.header["stop"]
        reason = None
        if s["wallclock_s"] is not None and self._now() >= s["wallclock_s"]:
            reason = f"wall-clock budget {s['wallclock_s']:g} s reached"
        elif s["cost_usd"] is not None and run.spent >= s["cost_usd"]:
            reason = f"cost budget ${s['cost_usd']:g} reached"
        if reason is None:
            return
        self._log({"type": "stop", "reason": reason, "clock": self._now()})
        for jr in run.running():
            self.executor.kill(jr.job_id)

    def _progress(self) -> None:
        if self._bar is None:
            return
        run = self._run
        sig = (len(run.rows), len(run.running()), run.n_failed)
        if sig == getattr(self, "_bar_sig", None):
            return
        self._bar_sig = sig
        ok = [r for r in run.rows if r["status"] == "ok"]
        top = len(run.grid) - 1
        front = 0
        full = [r for r in ok if r["fidelity_index"] == top]
        if full:
            from mohb_jax._src.tables.views import pareto_mask_np

            y = np.asarray([run.y_min({n: r[n] for n in run.names}) for r in full])
            front = int(pareto_mask_np(y).sum())
        self._bar.n = len(run.rows)
        self._bar.set_postfix(
            running=len(run.running()),
            done=sum(j.ended and not j.failed for j in run.jobs.values()),
            failed=run.n_failed,
            spent=f"${run.spent:.4f}",
            front=front,
            refresh=False,
        )
        self._bar.refresh()

    def _loop(self, resumed: bool) -> None:
        run = self._run
        if resumed:
            rec = {"type": "resume", "clock": self._now()}
            if self._new_stop:
                rec["stop"] = self.header["stop"]
            self._log(rec)
            if run.stopped:
                return
            need_fill = False
            for jr in run.running():
                if jr.decided:  # its rung was told; the process was ending
                    self._log(
                        {
                            "type": "exit",
                            "job_id": jr.job_id,
                            "kind": "exit",
                            "reason": "driver restarted",
                            "clock": self._now(),
                        }
                    )
                    need_fill = True
                else:
                    need_fill |= not self._dispatch(jr)
            if need_fill or not run.running():
                self._fill()
        else:
            self._fill()
        while run.running():
            self._check_stop()
            if run.stopped:
                break
            for ev in self.executor.poll(0.5):
                self._handle(ev)
                self._check_stop()
                if run.stopped:
                    break
            self._progress()
        if not run.stopped:
            self._log({"type": "end", "clock": self._now()})
        self._progress()

    # ---- events ------------------------------------------------------------------------------
    def _handle(self, ev: Event) -> None:
        run = self._run
        jr = run.jobs.get(ev.job_id)
        if jr is None or jr.ended:
            return
        if ev.kind == "result":
            f, vals, seg = ev.data
            self._result(jr, int(f), vals, float(seg))
        elif ev.kind == "checkpoint":
            f = int(ev.data[0])
            self._log(
                {
                    "type": "checkpoint",
                    "job_id": jr.job_id,
                    "trial": jr.job.trial,
                    "f": f,
                    "save_s": float(ev.data[1]),
                    "clock": self._now(),
                }
            )
            if f <= run.trial_last.get(jr.job.trial, -1):  # its result is journaled
                for i, p in checkpoints(self._ckpt_dir(jr.job.trial)).items():
                    if i < f:
                        p.unlink(missing_ok=True)
        elif ev.kind == "exit":
            if not jr.decided:
                self._fail(
                    jr,
                    f"train returned before reporting fidelity "
                    f"{run.grid[jr.job.fidelity]:g} (its rung)",
                )
            self._end(jr, "exit", "")
        elif ev.kind in ("error", "timeout"):
            reason = ev.data[0]
            if not jr.decided:
                self._fail(jr, reason)
            self._end(jr, ev.kind, reason, tb=ev.data[1] if ev.kind == "error" else None)
        elif ev.kind == "crash":
            reason = ev.data[0]
            if not jr.decided and jr.attempt < int(self.header["max_retries"]):
                self._log(
                    {
                        "type": "exit",
                        "job_id": jr.job_id,
                        "kind": "crash",
                        "reason": reason,
                        "retry": True,
                        "clock": self._now(),
                    }
                )
                self._submit(jr)
                return
            if not jr.decided:
                self._fail(jr, f"{reason}; no retries left")
            self._end(jr, "crash", reason)

    def _end(self, jr: _JobRec, kind: str, reason: str, tb: str | None = None) -> None:
        rec = {
            "type": "exit",
            "job_id": jr.job_id,
            "kind": kind,
            "reason": reason,
            "clock": self._now(),
        }
        if tb:
            rec["traceback"] = tb
        self._log(rec)
        self._fill()

    def _fail(self, jr: _JobRec, reason: str) -> None:
        """Tell the job's rung result as +inf (failed) so that nothing waits for it."""
        run = self._run
        f = jr.job.fidelity
        inf = [encode_float(math.inf)] * len(run.names)
        self._log(
            {
                "type": "result",
                "job_id": jr.job_id,
                "f": f,
                "raw": {},
                "y": inf,
                "seg": 0.0,
                "seg_cost": 0.0,
                "time_s": run.trial_time.get(jr.job.trial, 0.0),
                "clock": self._now(),
                "status": "failed",
                "reason": reason,
            }
        )

    def _result(self, jr: _JobRec, f: int, vals: dict[str, float], seg: float) -> None:
        run = self._run
        trial = jr.job.trial
        if (trial, f) in run.seen:  # re-trained from an older checkpoint: told already
            return
        if f > jr.job.fidelity:  # cannot happen with the context; never past the rung
            self.executor.kill(jr.job_id)
            self._fail(jr, f"reported fidelity index {f} past its rung {jr.job.fidelity}")
            self._end(jr, "error", "reported past its rung")
            return
        raw = {k: encode_float(v) for k, v in vals.items()}
        neg = [k for k, v in vals.items() if v == -math.inf]
        if neg:  # the context refuses -inf; an executor might not
            self.executor.kill(jr.job_id)
            self._fail(jr, f"objective(s) {neg} are -inf")
            self._end(jr, "error", "-inf objective")
            return
        nan = [k for k, v in vals.items() if math.isnan(v)]
        price = run.price(jr.job.config)
        t_s = run.trial_time.get(trial, 0.0) + seg
        full = dict(vals)
        full["time_s"] = t_s
        full["cost_usd"] = t_s * price / 3600.0
        rec = {
            "type": "result",
            "job_id": jr.job_id,
            "f": f,
            "raw": raw,
            "y": [encode_float(v) for v in run.y_min(full)],
            "seg": seg,
            "seg_cost": seg * price / 3600.0,
            "time_s": t_s,
            "clock": self._now(),
            "status": "nan" if nan else "ok",
        }
        if nan:
            rec["reason"] = f"NaN objective(s) {nan} told as +inf"
        at_rung = f == jr.job.fidelity
        self._log(rec)
        if not at_rung:  # observed on the way; the process trains on without waiting
            return
        # the rung result: answer the blocked process (CONTINUE: train on to the next rung)
        if jr.decided:
            self.executor.reply(jr.job_id, False, -1)
        else:
            self.executor.reply(jr.job_id, True, jr.job.fidelity)
