"""Our schedulers inside Ray Tune 2.60: a ``Searcher`` that proposes, a ``TrialScheduler`` that
decides (the pattern of Ray Tune's own BOHB pair, ``TuneBOHB`` + ``HyperBandForBOHB``).

``pip install 'mohb_jax[ray]'`` (Ray Tune 2.60). A Ray Tune user switches by changing two
arguments of ``tune.TuneConfig``::

    sched = MOHBRayScheduler(candidates(hparams, hardware), metrics=["err", "cost"],
                             modes=["min", "min"], fidelities=[1, 3, 9], method="epsnet")
    tuner = tune.Tuner(
        tune.with_resources(train, hardware_resources),   # the row's own hardware
        tune_config=tune.TuneConfig(search_alg=MOHBSearcher(sched), scheduler=sched,
                                    num_samples=64),
    )

* **Configurations** are the rows of a candidate table (:func:`candidates`: hyperparameters
  crossed with a hardware catalog, or any list of dicts). Our searcher (random, without
  replacement) picks rows through our scheduler's ``ask``, run by the lifecycle
  (:mod:`mohb_jax.lifecycle`) with one worker: every ask is its own round.
* **Decisions** come from our scheduler's ``tell`` (through ``Lifecycle.on_report``) on the
  trial's metrics (several, each with its mode; converted with :class:`mohb_jax.Objectives`).
  The trainable reports ``fidelity_attr`` (e.g. ``"epoch"``, one of ``fidelities``; never
  Tune's ``training_iteration``, which restarts after a restore) at every grid fidelity, and a
  checkpoint with every report. Results between rungs are observed (``CONTINUE``); at a rung the
  ASHA *stopping* variant answers ``CONTINUE`` / ``STOP``, the *promotion* variant (Li et al.
  2020, with Pareto ranks) ``PAUSE``, and a later ``ask`` promotes a paused trial, which Tune
  resumes from its checkpoint when :meth:`MOHBRayScheduler.choose_trial_to_run` returns it
  (Ray Tune's own ``AsyncHyperBandScheduler`` never pauses: ray#32634, ray#44256). When no
  trial can start and none runs, the trials still paused are ended (Tune would wait forever).
* **State**: Tune does not save a scheduler's state (ray#30838). Every ask, binding of a Tune
  trial id and report is appended to a JSON Lines journal (one ``fsync`` per record); a
  scheduler built on an existing journal, or unpickled by ``Tuner.restore``, replays it through
  the same jitted functions and checks that every ask and decision comes out the same.
* :func:`hardware_resources` turns a row's hardware columns into the
  ``PlacementGroupFactory`` of ``tune.with_resources``.

Differences from the paper's setting: Tune runs trials as actors it starts and restores; our
scheduler sees one worker (one ask per free slot, in Tune's order), so its decisions are those
of the lifecycle with W = 1 on the sequence of asks and reports Tune produces. Only the ASHA
methods are supported (synchronous Hyperband idles workers between rungs, which Tune's
scheduler interface cannot express). A trial that errors is told ``+inf`` at its target (it
ranks last); a NaN metric is read as ``+inf`` too.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
    Li et al. "A System for Massively Parallel Hyperparameter Tuning." MLSys 2020 (ASHA).
    Falkner, Klein, Hutter. "BOHB: Robust and Efficient Hyperparameter Optimization at Scale."
    ICML 2018 (the searcher + scheduler split).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

try:
    from ray.tune.execution.placement_groups import PlacementGroupFactory
    from ray.tune.experiment import Trial
    from ray.tune.schedulers import TrialScheduler
    from ray.tune.search import Searcher
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "mohb_jax.integrations.ray_tune needs Ray Tune: pip install 'mohb_jax[ray]'"
    ) from e

from mohb_jax._src.lifecycle import OBSERVED, make_lifecycle
from mohb_jax._src.methods import make_method, resolve_method
from mohb_jax._src.objectives import Objectives
from mohb_jax._src.schedulers.core import CONTINUE, DONE, PAUSED, STOP
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax._src.types import Job

__all__ = [
    "MOHBRayScheduler",
    "MOHBSearcher",
    "candidates",
    "hardware_resources",
]


def _native(v):
    """A JSON/Tune-friendly Python scalar from a numpy / pandas one."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def _rows(table, what: str) -> list[dict]:
    """A DataFrame or a sequence of mappings as a list of plain dicts."""
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        rows = table.to_dict("records")
    elif isinstance(table, Sequence) and not isinstance(table, str):
        rows = list(table)
    else:
        raise ValueError(f"{what} must be a DataFrame or a sequence of dicts; got {type(table)}")
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, Mapping):
            raise ValueError(f"{what}: row {i} is not a mapping: {r!r}")
        out.append({str(k): _native(v) for k, v in r.items()})
    if not out:
        raise ValueError(f"{what} has no rows")
    return out


def candidates(hyperparameters, hardware=None) -> list[dict]:
    """The candidate table: every hyperparameter row crossed with every hardware row.

    Args:
        hyperparameters: a DataFrame or a sequence of dicts (one configuration per row).
        hardware: optional hardware catalog (DataFrame or sequence of dicts), e.g. columns
            ``hardware`` (a name), ``num_cpus``, ``num_gpus``, ``resources`` (a dict of Ray
            custom resources); see :func:`hardware_resources`.

    Returns:
        A list of config dicts (hyperparameter row first, then hardware row), hardware-major
        inside each hyperparameter row.

    Raises:
        ValueError: an empty table, a non-mapping row, or a column in both tables.
    """
    hp = _rows(hyperparameters, "hyperparameters")
    if hardware is None:
        return hp
    hw = _rows(hardware, "hardware")
    clash = sorted(set().union(*hp) & set().union(*hw))
    if clash:
        raise ValueError(f"columns {clash} are in both the hyperparameters and the hardware")
    return [{**h, **w} for h, w in itertools.product(hp, hw)]


def hardware_resources(config: Mapping) -> PlacementGroupFactory:
    """The Ray resources of a candidate row, for ``tune.with_resources(trainable, this)``.

    Reads ``num_cpus`` (default 1), ``num_gpus`` (default 0) and ``resources`` (a dict of
    custom resources, e.g. ``{"hw:a100": 1}``) from the row; one bundle.

    Raises:
        ValueError: a negative or non-numeric amount, or ``resources`` not a dict.
    """
    bundle: dict[str, float] = {}
    for col, name, default in (("num_cpus", "CPU", 1), ("num_gpus", "GPU", 0)):
        v = config.get(col, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
            raise ValueError(f"hardware column {col!r} must be a number >= 0; got {v!r}")
        if v:
            bundle[name] = float(v)
    extra = config.get("resources", {}) or {}
    if not isinstance(extra, Mapping):
        raise ValueError(f"hardware column 'resources' must be a dict; got {extra!r}")
    for k, v in extra.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
            raise ValueError(f"custom resource {k!r} must be a number >= 0; got {v!r}")
        bundle[str(k)] = float(v)
    return PlacementGroupFactory([bundle])


def _job_list(job: Job) -> list[int]:
    return [int(job.trial), int(job.config), int(job.fidelity), int(job.bracket), int(job.rung)]


class MOHBRayScheduler(TrialScheduler):
    """A Ray Tune ``TrialScheduler`` deciding with our (MO-)ASHA ``tell``.

    Args:
        configs: the candidate table (:func:`candidates`; a DataFrame or a list of dicts).
        metrics: names of the reported metrics to rank on (M >= 1).
        modes: ``"min"`` / ``"max"`` per metric (one string: the same for every metric).
        fidelities: the fidelity grid (strictly increasing values of ``fidelity_attr``).
        fidelity_attr: the result key holding the fidelity reached (default ``"epoch"``).
        method: an ASHA method of :data:`mohb_jax.schedulers.METHODS` (``"epsnet"``,
            ``"crowding"``, ``"scalarize"``, ``"single"``, ``"random"``, ``"moasha"``,
            ``"asha"``).
        variant: ``"promotion"`` (PAUSE + promotion, default) or ``"stopping"`` (CONTINUE/STOP).
        eta, r_min, rule: see :func:`mohb_jax.schedulers.make_method`.
        max_trials: trial capacity (default: the number of candidates).
        seed: the run's key is ``jax.random.key(seed)``.
        journal: path of the JSON Lines journal; an existing one is replayed (restore).

    Raises:
        ValueError: bad metrics/modes, an unknown or non-ASHA method, an empty table, a journal
            written by another configuration or whose replay disagrees.
    """

    def __init__(
        self,
        configs,
        *,
        metrics: Sequence[str],
        modes: Sequence[str] | str,
        fidelities: Sequence[float],
        fidelity_attr: str = "epoch",
        method: str = "epsnet",
        variant: str = "promotion",
        eta: float = 3,
        r_min: float | None = None,
        rule: str | None = None,
        max_trials: int | None = None,
        seed: int = 0,
        journal: str | os.PathLike | None = None,
    ):
        super().__init__()
        self._args = dict(
            configs=configs,
            metrics=metrics,
            modes=modes,
            fidelities=fidelities,
            fidelity_attr=fidelity_attr,
            method=method,
            variant=variant,
            eta=eta,
            r_min=r_min,
            rule=rule,
            max_trials=max_trials,
            seed=seed,
            journal=journal,
        )
        self._build(**self._args)

    # ---- construction / pickling -------------------------------------------------------------
    def _build(
        self,
        configs,
        metrics,
        modes,
        fidelities,
        fidelity_attr,
        method,
        variant,
        eta,
        r_min,
        rule,
        max_trials,
        seed,
        journal,
    ):
        self.configs = _rows(configs, "configs")
        if isinstance(metrics, str):
            metrics = [metrics]
        metrics = list(metrics)
        if isinstance(modes, str):
            modes = [modes] * len(metrics)
        self.objectives = Objectives(tuple(metrics), tuple(modes))
        spec = resolve_method(method, rule=rule, variant=variant)
        if spec.scheduler != "asha":
            raise ValueError(
                f"method {method!r} is synchronous Hyperband; the Ray Tune adapter runs the "
                "ASHA methods only (e.g. 'epsnet', 'moasha', 'asha')"
            )
        self.fidelities = np.asarray(fidelities, dtype=np.float64)
        if self.fidelities.ndim != 1 or not np.all(np.diff(self.fidelities) > 0):
            raise ValueError(f"fidelities must be strictly increasing; got {list(fidelities)}")
        self.fidelity_attr = str(fidelity_attr)
        C = len(self.configs)
        N = C if max_trials is None else int(max_trials)
        self.scheduler = make_method(
            method,
            self.fidelities,
            random_searcher(np.ones(C, bool)),
            n_objectives=len(self.objectives),
            max_trials=N,
            eta=eta,
            r_min=r_min,
            rule=rule,
            variant=variant,
        )
        self.variant = spec.variant
        lc = make_lifecycle(self.scheduler, 1)
        self._lc = lc
        self._ask_fn = jax.jit(lambda run: lc.end_round(lc.on_free_worker(run, 0)[0]))
        self._ask_job = jax.jit(lambda run: lc.on_free_worker(run, 0)[1])
        self._report_fn = jax.jit(lc.on_report)
        self.run = lc.init(jax.random.key(int(seed)))
        self._header = {
            "ev": "init",
            "version": 1,
            "n_configs": C,
            "max_trials": N,
            "metrics": list(self.objectives.names),
            "modes": list(self.objectives.directions),
            "fidelities": self.fidelities.tolist(),
            "method": method,
            "variant": spec.variant,
            "rule": spec.rule,
            "eta": float(eta),
            "seed": int(seed),
        }
        # host bookkeeping (all rebuilt from the journal)
        self.jobs: dict[int, Job] = {}  # our trial -> its current job
        self.last: dict[int, int] = {}  # our trial -> last reported fidelity index
        self.trial_of: dict[str, int] = {}  # Tune trial id -> our trial
        self.tid_of: dict[int, str] = {}
        self.new_queue: list[int] = []  # new trials asked for, not yet handed to Tune
        self.promote_queue: list[int] = []  # promoted trials, not yet resumed by Tune
        self.finished = False  # no new trial can start any more
        self.events: list[dict] = []  # every journal record, in order
        self._journal_path = None if journal is None else os.fspath(journal)
        self._fh = None
        if self._journal_path is not None:
            if os.path.exists(self._journal_path) and os.path.getsize(self._journal_path):
                self._replay(self._journal_path)
            else:
                self._write(self._header)

    def __getstate__(self):
        # Tuner pickles its config; jitted functions are not picklable: keep the arguments
        # and rebuild (replaying the journal) on unpickling.
        return {"args": self._args}

    def __setstate__(self, state):
        TrialScheduler.__init__(self)
        self._args = state["args"]
        self._build(**self._args)

    # ---- journal -----------------------------------------------------------------------------
    def _write(self, rec: dict, replaying: bool = False):
        self.events.append(rec)
        if self._journal_path is None or replaying:
            return
        if self._fh is None:
            self._fh = open(self._journal_path, "a", encoding="utf-8")  # noqa: SIM115
        self._fh.write(json.dumps(rec) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def _replay(self, path: str):
        with open(path, encoding="utf-8") as fh:
            lines = [line for line in fh.read().split("\n") if line.strip()]
        recs = []
        for i, line in enumerate(lines):
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError:
                if i == len(lines) - 1:  # a record torn by a crash mid-write: never acted on
                    with open(path, "r+", encoding="utf-8") as fh:
                        fh.truncate(sum(len(x.encode()) + 1 for x in lines[:i]))
                    break
                raise ValueError(f"journal {path} line {i + 1} is not JSON: {line!r}") from None
        head = recs[0] if recs else {}
        if head != self._header:
            raise ValueError(
                f"journal {path} was written by another configuration: {head} != {self._header}"
            )
        self.events.append(head)
        for i, rec in enumerate(recs[1:], start=2):
            ev = rec.get("ev")
            if ev == "ask":
                job = self._ask(replaying=True)
                got = None if job is None else _job_list(job)
                if got != rec["job"]:
                    raise ValueError(f"journal {path} line {i}: ask gave {got}, recorded {rec}")
            elif ev == "bind":
                self._bind(rec["tid"], rec["trial"], replaying=True)
            elif ev == "report":
                act = self._report(rec["trial"], rec["f"], rec["y"], replaying=True)
                if act != rec["action"]:
                    raise ValueError(
                        f"journal {path} line {i}: replayed action {act}, recorded {rec}"
                    )
            elif ev == "end":
                self._end(rec["trial"], replaying=True)
            else:
                raise ValueError(f"journal {path} line {i}: unknown record {rec}")

    # ---- our side: ask / bind / report -------------------------------------------------------
    def _ask(self, replaying: bool = False) -> Job | None:
        """One ask of the single worker; queues a new or a promoted trial."""
        job = self._ask_job(self.run)
        self.run = self._ask_fn(self.run)
        valid = bool(job.valid)
        self._write({"ev": "ask", "job": _job_list(job) if valid else None}, replaying)
        if not valid:
            st = self.run.sched
            self.finished = bool(st.exhausted) or bool(st.overflow)
            return None
        t = int(job.trial)
        promoted = t in self.jobs
        self.jobs[t] = job
        (self.promote_queue if promoted else self.new_queue).append(t)
        return job

    def _bind(self, tid: str, t: int, replaying: bool = False):
        self.trial_of[tid] = t
        self.tid_of[t] = tid
        self.new_queue.remove(t)
        self._write({"ev": "bind", "tid": tid, "trial": t}, replaying)

    def _report(self, t: int, f: int, y, replaying: bool = False) -> int:
        job = self.jobs[t]
        if f > int(job.fidelity):
            raise ValueError(
                f"trial {self.tid_of.get(t, t)} reported {self.fidelity_attr}="
                f"{self.fidelities[f]} beyond its target {self.fidelities[int(job.fidelity)]}; "
                "report every grid fidelity and stop when the scheduler says so"
            )
        y_min = np.asarray(y, np.float32)
        self.run, action, info = self._report_fn(self.run, job, jnp.int32(f), jnp.asarray(y_min))
        action = int(action)
        self.last[t] = f
        if t in self.promote_queue:  # it runs again: its promotion was honoured
            self.promote_queue.remove(t)
        if action == CONTINUE:
            self.jobs[t] = info.next_job
        self._write(
            {"ev": "report", "trial": t, "f": f, "y": [float(v) for v in y_min], "action": action},
            replaying,
        )
        return action

    def _end(self, t: int, replaying: bool = False):
        if t in self.promote_queue:
            self.promote_queue.remove(t)
        self._write({"ev": "end", "trial": t}, replaying)

    def _y(self, result: Mapping) -> np.ndarray:
        missing = [m for m in self.objectives.names if m not in result]
        if missing:
            raise ValueError(
                f"result lacks metric(s) {missing} (have {sorted(result)}); report every one of "
                f"{list(self.objectives.names)}"
            )
        y = np.array([float(result[m]) for m in self.objectives.names], np.float64)
        y = self.objectives.to_min(y)
        return np.where(np.isnan(y) | np.isneginf(y), np.inf, y)

    def _fidelity_index(self, result: Mapping) -> int:
        if self.fidelity_attr not in result:
            raise ValueError(
                f"result lacks the fidelity {self.fidelity_attr!r}; the trainable must report "
                f"it (one of {self.fidelities.tolist()})"
            )
        v = float(result[self.fidelity_attr])
        hit = np.flatnonzero(np.isclose(self.fidelities, v, rtol=0, atol=1e-9))
        if not hit.size:
            raise ValueError(
                f"{self.fidelity_attr}={v} is not on the fidelity grid {self.fidelities.tolist()}"
            )
        return int(hit[0])

    # ---- Tune's side --------------------------------------------------------------------------
    @property
    def supports_buffered_results(self) -> bool:
        return False  # one decision per result: no buffering

    def set_search_properties(self, metric: str | None, mode: str | None, **spec) -> bool:
        """Accepted: our metrics and modes were given at construction. A single ``metric``
        from ``TuneConfig`` must be one of them with the same mode."""
        if metric is not None and metric not in self.objectives.names:
            raise ValueError(
                f"TuneConfig metric {metric!r} is not one of {list(self.objectives.names)}"
            )
        if metric is not None and mode is not None:
            own = self.objectives.as_dict()[metric]
            if own != mode:
                raise ValueError(f"TuneConfig mode {mode!r} for {metric!r}; ours is {own!r}")
        return True

    def suggest(self, trial_id: str) -> dict | str | None:
        """The searcher's half (see :class:`MOHBSearcher`)."""
        if trial_id in self.trial_of:  # Tune asked again for the same trial
            return dict(self.configs[int(self.jobs[self.trial_of[trial_id]].config)])
        if not self.new_queue and not self.promote_queue and not self.finished:
            self._ask()
        if self.new_queue:
            t = self.new_queue[0]
            self._bind(trial_id, t)
            return dict(self.configs[int(self.jobs[t].config)])
        if self.finished:
            return Searcher.FINISHED
        return None

    def on_trial_add(self, tune_controller, trial: Trial):
        if trial.trial_id not in self.trial_of:
            raise ValueError(
                f"trial {trial.trial_id} was not proposed by MOHBSearcher: pass "
                "search_alg=MOHBSearcher(scheduler) with this scheduler"
            )

    def on_trial_result(self, tune_controller, trial: Trial, result: dict) -> str:
        t = self.trial_of[trial.trial_id]
        f = self._fidelity_index(result)
        if f <= self.last.get(t, -1):  # a result replayed after a restore: already told
            return TrialScheduler.CONTINUE
        action = self._report(t, f, self._y(result))
        if action in (OBSERVED, CONTINUE):
            return TrialScheduler.CONTINUE
        if action == PAUSED:
            return TrialScheduler.PAUSE
        if action in (STOP, DONE):
            return TrialScheduler.STOP
        raise AssertionError(f"unknown action {action}")  # pragma: no cover

    def on_trial_complete(self, tune_controller, trial: Trial, result: dict | None):
        t = self.trial_of.get(trial.trial_id)
        if t is not None:
            if result is not None and self.fidelity_attr in result:
                f = self._fidelity_index(result)
                if f > self.last.get(t, -1):
                    self._report(t, f, self._y(result))
            self._end(t)

    def on_trial_error(self, tune_controller, trial: Trial):
        t = self.trial_of.get(trial.trial_id)
        if t is not None and t in self.jobs:
            f = int(self.jobs[t].fidelity)
            if f > self.last.get(t, -1):
                self._report(t, f, np.full(len(self.objectives), np.inf))
            self._end(t)

    def on_trial_remove(self, tune_controller, trial: Trial):
        t = self.trial_of.get(trial.trial_id)
        if t is not None:
            self._end(t)

    def choose_trial_to_run(self, tune_controller) -> Trial | None:
        """A promoted paused trial first, then the oldest pending one.

        When no trial is pending, the next ask is computed without committing it (our
        functions are pure): if it promotes a paused trial, it is committed and the trial
        returned; a new trial is left to :meth:`suggest`. When nothing runs or is pending,
        no promotion is due and no new trial can start (our searcher or Tune's
        ``num_samples`` is done), the trials still paused are ended (nothing would resume them).
        """
        trials = tune_controller.get_trials()
        by_id = {tr.trial_id: tr for tr in trials}
        # a promotion is honoured once Tune runs the trial again (or it ended)
        self.promote_queue = [
            t
            for t in self.promote_queue
            if getattr(by_id.get(self.tid_of.get(t)), "status", None)
            in (Trial.PAUSED, Trial.PENDING)
        ]
        for t in self.promote_queue:
            tr = by_id.get(self.tid_of.get(t))
            if tr.status == Trial.PAUSED:
                return tr
        if self.promote_queue:
            return None  # staged, waiting for resources
        for tr in trials:
            if tr.status == Trial.PENDING:
                return tr
        paused = [tr for tr in trials if tr.status == Trial.PAUSED]
        if not paused or self.new_queue:
            return None
        job = self._ask_job(self.run)  # a peek: nothing committed
        if bool(job.valid) and int(job.trial) in self.jobs:
            self._ask()
            return by_id.get(self.tid_of.get(int(job.trial)))
        tune_done = self.finished or tune_controller.search_alg.is_finished()
        running = any(tr.status == Trial.RUNNING for tr in trials)
        if tune_done and not running:
            for tr in paused:  # nothing will resume them
                tune_controller.stop_trial(tr)
        return None

    def debug_string(self) -> str:
        return (
            f"MOHBRayScheduler({self._header['method']}, {self.variant}, "
            f"{len(self.trial_of)} trials, {len(self.promote_queue)} promotions pending)"
        )

    def save(self, checkpoint_path: str):
        """Nothing to save: the journal holds the state (see the module docstring)."""

    def restore(self, checkpoint_path: str):
        """Nothing to restore: the journal is replayed at construction."""


class MOHBSearcher(Searcher):
    """A Ray Tune ``Searcher`` proposing the candidate rows our scheduler asks for.

    Args:
        scheduler: the :class:`MOHBRayScheduler` passed as ``TuneConfig(scheduler=...)``.

    ``suggest`` returns the row of a new trial of our scheduler's ``ask``, ``None`` while the
    ask promoted a paused trial instead (Tune resumes it through ``choose_trial_to_run``), and
    ``Searcher.FINISHED`` once no new trial can start.
    """

    def __init__(self, scheduler: MOHBRayScheduler):
        if not isinstance(scheduler, MOHBRayScheduler):
            raise ValueError(f"MOHBSearcher needs a MOHBRayScheduler; got {type(scheduler)}")
        obj = scheduler.objectives
        super().__init__(metric=list(obj.names), mode=list(obj.directions))
        self.scheduler = scheduler

    def set_search_properties(self, metric, mode, config, **spec) -> bool:
        return self.scheduler.set_search_properties(metric, mode)

    def suggest(self, trial_id: str):
        return self.scheduler.suggest(trial_id)

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False):
        """Nothing: the scheduler saw every result."""

    def save(self, checkpoint_path: str):
        """Nothing to save: the scheduler's journal holds the state."""

    def restore(self, checkpoint_path: str):
        """Nothing to restore: the scheduler replays its journal."""

    def get_state(self) -> dict:
        return {}

    def set_state(self, state: dict):
        """Nothing: the scheduler replays its journal."""
