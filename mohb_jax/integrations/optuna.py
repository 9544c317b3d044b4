"""Multi-objective Hyperband pruning and sampling for Optuna (the ``optuna`` extra).

Optuna refuses ``Trial.report`` / ``Trial.should_prune`` in multi-objective studies. This
module adds them for our MO-ASHA stopping rule (Salinas et al. 2021; Schmucker et al. 2021):

* :class:`MOHBTrial` wraps a trial with ``report(values, step)`` / ``should_prune()``. Reports
  are stored in the trial user attribute ``"multi_pruner:values"`` in the layout of OptunaHub's
  ``multi_metric_pruner`` (``{"<step>": {"<metric>": value}}``), so studies can switch between
  the two pruners, plus an arrival number per report in ``"mohb:arrival"``
  (``{"<step>": seq}``).
* :class:`MOHBPruner` decides by replaying every trial's rung results, in arrival order,
  through the scheduler core's ASHA *stopping* ``tell``: a result at a rung level continues iff
  its position ``p`` in the rung order (non-dominated fronts, then the greedy ε-net; or
  crowding / random scalarization / the first metric) among the ``n`` results recorded at that
  level in its bracket satisfies ``p < n / eta``. Steps are mapped to our fidelity grid:
  rung level ``k`` is reached by the first report at a step ``>=`` its grid value.
* :class:`MOHBSampler` draws each new trial's configuration (hardware included, as a column of
  a finite candidate table) from one of our searchers (random, copula transfer) and its ASHA
  bracket, stored in the trial's system attributes, which the pruner reads (the pattern of
  OptunaHub's DEHB sampler and pruner).

Several processes may share one storage. Every decision is computed from storage only; each
report gets an arrival number ``1 + max(existing)``, assigned and written under an
inter-process lock (a lock file beside a journal file or SQLite database; pass ``lock=`` for
other storages), so every process replays the same results in the same order and a decision
never depends on a report it could not see.

Only the stopping variant exists here: an Optuna pruner can neither pause nor block, so
promotion and synchronous Hyperband cannot be expressed.

Example::

    from mohb_jax.integrations.optuna import MOHBPruner, MOHBTrial

    pruner = MOHBPruner({"err": "minimize", "time": "minimize"}, min_resource=1,
                        max_resource=27, reduction_factor=3)
    study = optuna.create_study(directions=["minimize", "minimize"], pruner=pruner)

    def objective(trial):
        trial = MOHBTrial(trial)
        ...
        for epoch in range(1, 28):
            trial.report({"err": err, "time": t}, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return err, t

The papers behind the rule are cited in :mod:`mohb_jax.integrations`.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np

try:
    import optuna
    from optuna.pruners import BasePruner
    from optuna.samplers import BaseSampler
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
    from optuna.trial import FrozenTrial, TrialState
except ImportError as e:  # pragma: no cover - exercised without the extra only
    raise ImportError(
        "mohb_jax.integrations.optuna needs Optuna: pip install 'mohb_jax[optuna]'"
    ) from e

from mohb_jax._src.schedulers.core import CONTINUE, RULES, STOP
from mohb_jax._src.schedulers.schedule import Schedule, make_schedule
from mohb_jax._src.types import Searcher
from mohb_jax.integrations._core import RungReplay, bracket_from_uniform, to_minimization

__all__ = [
    "ARRIVAL_KEY",
    "BRACKET_KEY",
    "CONFIG_KEY",
    "VALUES_KEY",
    "MOHBPruner",
    "MOHBSampler",
    "MOHBTrial",
]

#: user attribute holding the reports, OptunaHub ``multi_metric_pruner``'s layout
VALUES_KEY = "multi_pruner:values"
#: user attribute holding each report's arrival number ``{"<step>": int}``
ARRIVAL_KEY = "mohb:arrival"
#: system attribute: the trial's ASHA bracket (set by :class:`MOHBSampler`)
BRACKET_KEY = "mohb:bracket"
#: system attribute: the trial's row of the sampler's candidate table
CONFIG_KEY = "mohb:config"


# --------------------------------------------------------------------------------------------
# locking
# --------------------------------------------------------------------------------------------


class _Lock:
    """A threading lock, plus an optional inter-process lock (``acquire()``/``release()``)."""

    def __init__(self, inter):
        self._thread = threading.Lock()
        self._inter = inter

    def __enter__(self):
        self._thread.acquire()
        if self._inter is not None:
            try:
                self._inter.acquire()
            except BaseException:
                self._thread.release()
                raise
        return self

    def __exit__(self, *exc):
        try:
            if self._inter is not None:
                self._inter.release()
        finally:
            self._thread.release()


def _storage_lock_path(storage) -> str | None:
    """A file beside the storage's file (journal file or SQLite database), if it has one."""
    inner = getattr(storage, "_backend", storage)  # _CachedStorage wraps RDBStorage
    if isinstance(storage, JournalStorage) and isinstance(storage._backend, JournalFileBackend):
        return os.path.abspath(storage._backend._file_path) + ".mohb"
    url = getattr(inner, "url", None)
    if isinstance(url, str) and url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            return os.path.abspath(path) + ".mohb"
    return None


def _storage_is_local(storage) -> bool:
    return isinstance(storage, optuna.storages.InMemoryStorage)


# --------------------------------------------------------------------------------------------
# reading reports
# --------------------------------------------------------------------------------------------


def _reports(trial: FrozenTrial) -> tuple[dict[int, dict[str, float]], dict[int, int]]:
    raw = trial.user_attrs.get(VALUES_KEY, {}) or {}
    arr = trial.user_attrs.get(ARRIVAL_KEY, {}) or {}
    values = {int(s): dict(v) for s, v in raw.items()}
    arrival = {int(s): int(q) for s, q in arr.items()}
    return values, arrival


def _max_arrival(trials: Sequence[FrozenTrial]) -> int:
    m = 0
    for t in trials:
        arr = t.user_attrs.get(ARRIVAL_KEY)
        if arr:
            m = max(m, max(int(q) for q in arr.values()))
    return m


# --------------------------------------------------------------------------------------------
# pruner
# --------------------------------------------------------------------------------------------


class MOHBPruner(BasePruner):
    """Multi-objective ASHA (stopping variant) as an Optuna pruner.

    Args:
        metric_directions: ``{metric name: "minimize" | "maximize"}`` of the reported metrics
            (the order is the objective order), or a sequence of directions (metrics named
            ``"0"``, ``"1"``, ...), or ``None``: the study's directions, metrics named by
            ``study.metric_names`` if set, else ``"0"``, ``"1"``, ...
        min_resource: smallest rung level (a step).
        max_resource: largest step (the maximum fidelity).
        reduction_factor: eta.
        fidelities: the steps at which trials report (strictly increasing); rung levels
            ``min_resource * eta**k`` are mapped to the smallest of them ``>=`` the level
            (default: the integers ``min_resource .. max_resource``).
        n_brackets: ASHA brackets (default: all rung levels; ``1`` = plain ASHA).
        rule: the rung rule: ``"epsnet"`` (the paper's), ``"crowding"``, ``"scalarize"``
            or ``"single"`` (the first metric alone).
        seed: seeds the bracket of trials without a :class:`MOHBSampler` bracket (a function
            of ``(seed, trial number)``) and ``"scalarize"``'s weights.
        lock: how reports are serialized across processes: ``"auto"`` (a lock file beside a
            journal file or SQLite database; a thread lock only for in-memory storage; any
            other storage warns and uses a thread lock, so pass a lock), ``None`` (a thread
            lock only), or an object with ``acquire()``/``release()`` shared by every process
            (e.g. ``optuna.storages.journal.JournalFileOpenLock(path)``).

        protect_front: never stop a result that no earlier result of its rung dominates (the
            rung's first front always goes on). The paper's rule stops first-front members
            beyond the top ``n / eta`` when the front is large; this option keeps them, at the
            price of more trials going on.

    Raises:
        ValueError: bad directions, resources, rule or grid.
    """

    def __init__(
        self,
        metric_directions: Mapping[str, str] | Sequence[str] | None = None,
        *,
        min_resource: float = 1,
        max_resource: float,
        reduction_factor: float = 3,
        fidelities: Sequence[float] | None = None,
        n_brackets: int | None = None,
        rule: str = "epsnet",
        seed: int = 0,
        lock: Any = "auto",
        protect_front: bool = False,
    ):
        if rule not in RULES or rule == "random":
            raise ValueError(f"rule must be one of {tuple(r for r in RULES if r != 'random')}")
        if isinstance(metric_directions, Mapping):
            self._names: list[str] | None = [str(k) for k in metric_directions]
            self._directions: list[str] | None = [str(v) for v in metric_directions.values()]
        elif metric_directions is not None:
            self._directions = [str(d) for d in metric_directions]
            self._names = [str(i) for i in range(len(self._directions))]
        else:
            self._names = self._directions = None
        if self._directions is not None:
            if not self._directions:
                raise ValueError("metric_directions is empty")
            bad = [d for d in self._directions if d not in ("minimize", "maximize")]
            if bad:
                raise ValueError(f"directions must be 'minimize' or 'maximize'; got {bad}")
        if fidelities is None:
            lo, hi = int(math.ceil(min_resource)), int(max_resource)
            if not (np.isfinite(max_resource) and hi == max_resource and hi >= lo >= 1):
                raise ValueError(
                    "without fidelities, min_resource/max_resource must be integer steps with "
                    f"1 <= min_resource <= max_resource; got {min_resource}, {max_resource}"
                )
            fidelities = np.arange(lo, hi + 1, dtype=np.float64)
        self.schedule: Schedule = make_schedule(
            np.asarray(fidelities, np.float64),
            eta=reduction_factor,
            r_min=min_resource,
            r_max=max_resource,
            n_brackets=n_brackets,
        )
        #: the step of each rung level
        self.rung_steps = self.schedule.fidelities[self.schedule.levels]
        self.rule = rule
        self.seed = int(seed)
        self._lock_arg = lock
        self._locks: dict[int, _Lock] = {}
        self._cache_lock = threading.Lock()
        self._replay: RungReplay | None = None
        self._done: list[tuple] = []  # event keys told so far, in order
        self._decisions: dict[tuple, tuple[int, int, int] | None] = {}
        self.protect_front = bool(protect_front)
        self._parsed: dict[int, tuple] = {}  # trial id -> (report signature, rung results)
        self._rungs: dict[tuple[int, int], list[np.ndarray]] = {}

    # -- metrics ------------------------------------------------------------------------------

    def metrics(self, study: optuna.Study) -> tuple[list[str], list[str]]:
        """``(names, directions)`` of the reported metrics in ``study``."""
        if self._directions is not None:
            return list(self._names), list(self._directions)
        dirs = [
            "minimize" if d == optuna.study.StudyDirection.MINIMIZE else "maximize"
            for d in study.directions
        ]
        names = study.metric_names or [str(i) for i in range(len(dirs))]
        return list(names), dirs

    # -- brackets -----------------------------------------------------------------------------

    def draw_bracket(self, u: float) -> int:
        """The ASHA bracket at uniform ``u`` (probabilities as Syne Tune's MOASHA)."""
        return bracket_from_uniform(self.schedule, u)

    def bracket_of(self, trial: FrozenTrial) -> int:
        """A trial's bracket: :class:`MOHBSampler`'s, else a function of (seed, number)."""
        b = trial.system_attrs.get(BRACKET_KEY)
        if b is None:
            u = np.random.default_rng([self.seed, int(trial.number)]).random()
            return self.draw_bracket(u)
        b = int(b)
        if not 0 <= b < self.schedule.n_brackets:
            raise ValueError(f"trial {trial.number}: bracket {b} outside the pruner's schedule")
        return b

    # -- locking ------------------------------------------------------------------------------

    def lock_for(self, study: optuna.Study) -> _Lock:
        """The report lock of ``study``'s storage (see ``lock`` in the class docstring)."""
        storage = study._storage
        key = id(storage)
        with self._cache_lock:
            if key not in self._locks:
                arg = self._lock_arg
                if arg == "auto":
                    path = _storage_lock_path(storage)
                    if path is not None:
                        inter = JournalFileOpenLock(path)
                    else:
                        inter = None
                        if not _storage_is_local(storage):
                            warnings.warn(
                                f"MOHBPruner: no inter-process lock known for "
                                f"{type(storage).__name__}; reports of several processes may "
                                "get arrival numbers out of order. Pass lock=...",
                                stacklevel=3,
                            )
                elif arg is None:
                    inter = None
                else:
                    if not (hasattr(arg, "acquire") and hasattr(arg, "release")):
                        raise ValueError("lock must be 'auto', None or have acquire()/release()")
                    inter = arg
                self._locks[key] = _Lock(inter)
            return self._locks[key]

    # -- events -------------------------------------------------------------------------------

    def events(self, trials: Sequence[FrozenTrial], names: Sequence[str], directions) -> list:
        """Rung results of ``trials`` in arrival order: ``(key, number, bracket, level, y)``.

        Level ``k`` of a trial's bracket is reached by its first report at a step ``>=`` the
        level's step that holds every metric; one report may reach several levels. Reports
        without an arrival number (written by ``multi_metric_pruner``) come first, by trial
        number then step.
        """
        out = []
        for t in trials:
            out += self._trial_events(t, names, directions)
        out.sort(key=lambda e: e[0])
        return out

    def _trial_events(self, t: FrozenTrial, names, directions) -> list:
        """One trial's rung results, parsed once per change of its reports (cached)."""
        raw = t.user_attrs.get(VALUES_KEY) or {}
        arr = t.user_attrs.get(ARRIVAL_KEY) or {}
        sig = (
            tuple(names),
            tuple(directions),
            sum(len(v) for v in raw.values()),
            len(arr),
            t.system_attrs.get(BRACKET_KEY),
        )
        hit = self._parsed.get(t._trial_id)
        if hit is not None and hit[0] == sig:
            return hit[1]
        values, arrival = _reports(t)
        out = []
        if values:
            K = self.schedule.n_levels
            b = self.bracket_of(t)
            k = b
            for step in sorted(values):
                if k >= K:
                    break
                row = values[step]
                if step < self.rung_steps[k] or any(n not in row for n in names):
                    continue
                y = to_minimization([row[n] for n in names], directions)
                q = arrival.get(step)
                key0 = (0, t.number, step, 0) if q is None else (1, q, t.number, 0)
                while k < K and step >= self.rung_steps[k]:
                    out.append(((*key0[:3], k), t.number, b, k, y))
                    k += 1
        self._parsed[t._trial_id] = (sig, out)
        return out

    def replay(self, study: optuna.Study, trials: Sequence[FrozenTrial] | None = None) -> dict:
        """Decisions ``{event key: (decision, position, n_rung) | None}`` of every rung result
        in ``study``'s storage (incremental: only new results are told)."""
        names, directions = self.metrics(study)
        if trials is None:
            trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
        with self._cache_lock:
            ev = self.events(trials, names, directions)
            max_number = max((e[1] for e in ev), default=-1)
            rebuilt = False
            if self._replay is None or self._replay.n_objectives != len(names):
                self._replay = RungReplay(
                    self.schedule, len(names), rule=self.rule, seed=self.seed,
                    capacity=max(256, max_number + 1),
                )  # fmt: skip
                rebuilt = True
            elif max_number >= self._replay.capacity:
                self._replay.grow(max_number)
                rebuilt = True
            keys = [e[0] for e in ev]
            if rebuilt or keys[: len(self._done)] != self._done:
                if not rebuilt:
                    self._replay.reset()
                self._done, self._decisions, self._rungs = [], {}, {}
            for e in ev[len(self._done) :]:
                key, number, b, k, y = e
                d = self._replay.push(number, b, k, y)
                if d is not None and self.protect_front:
                    rows = self._rungs.setdefault((b, k), [])
                    if d[0] == STOP and not any(np.all(o <= y) and np.any(o < y) for o in rows):
                        d = (CONTINUE, *d[1:])
                        self._replay.closed.discard(number)
                    rows.append(y)
                self._decisions[key] = d
                self._done.append(key)
            return dict(self._decisions)

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        """True iff the trial was stopped at one of its rung levels (see the module doc)."""
        trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
        decisions = self.replay(study, trials)
        for key, d in decisions.items():
            if key[0] == 0:
                number = key[1]
            else:
                number = key[2]
            if number == trial.number and d is not None and d[0] == STOP:
                return True
        return False


# --------------------------------------------------------------------------------------------
# trial wrapper
# --------------------------------------------------------------------------------------------


class MOHBTrial:
    """A trial with multi-objective ``report`` / ``should_prune`` for :class:`MOHBPruner`.

    Everything else is forwarded to the wrapped :class:`optuna.Trial`. The reports are stored in
    ``multi_metric_pruner``'s layout, so ``MultiMetricPrunerTrial`` and this wrapper read each
    other's data.
    """

    def __init__(self, trial: optuna.Trial):
        self._trial = trial

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trial, name)

    def _pruner(self) -> MOHBPruner:
        pruner = self._trial.study.pruner
        if not isinstance(pruner, MOHBPruner):
            raise ValueError(
                f"MOHBTrial needs the study's pruner to be a MOHBPruner; got "
                f"{type(pruner).__name__}"
            )
        return pruner

    def report(self, values: Mapping[str, float] | Sequence[float], step: int) -> None:
        """Record the metrics at ``step`` (a dict by metric name, or a sequence in order).

        Raises:
            ValueError: unknown or missing metric names, a negative step, non-numbers.
            TypeError: ``step`` is not an integer.
        """
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step must be an int; got {type(step).__name__}")
        step = int(step)
        if step < 0:
            raise ValueError(f"step must be >= 0; got {step}")
        pruner = self._pruner()
        study = self._trial.study
        names, _ = pruner.metrics(study)
        if isinstance(values, Mapping):
            unknown = set(values) - set(names)
            if unknown:
                raise ValueError(f"unknown metric name(s) {sorted(unknown)}; known: {names}")
            row = {str(k): float(v) for k, v in values.items()}
        else:
            vals = list(values)
            if len(vals) != len(names):
                raise ValueError(f"expected {len(names)} values ({names}); got {len(vals)}")
            row = {n: float(v) for n, v in zip(names, vals, strict=True)}
        storage, tid = study._storage, self._trial._trial_id
        with pruner.lock_for(study):
            trials = storage.get_all_trials(study._study_id, deepcopy=False)
            me = next(t for t in trials if t._trial_id == tid)
            data = {s: dict(v) for s, v in (me.user_attrs.get(VALUES_KEY) or {}).items()}
            arrival = dict(me.user_attrs.get(ARRIVAL_KEY) or {})
            old = data.get(str(step), {})
            again = set(row) & set(old)
            if again:
                warnings.warn(
                    f"values for {sorted(again)} were already reported at step {step}; "
                    "the new ones are ignored",
                    stacklevel=2,
                )
                row = {k: v for k, v in row.items() if k not in again}
            if not row:
                return
            data[str(step)] = {**old, **row}
            if str(step) not in arrival:
                # the arrival number is written before the values: a reader that sees the
                # values always sees their number
                arrival[str(step)] = _max_arrival(trials) + 1
                self._trial.set_user_attr(ARRIVAL_KEY, arrival)
            self._trial.set_user_attr(VALUES_KEY, data)

    def should_prune(self) -> bool:
        """Whether the pruner stopped this trial at a rung level (decided from storage)."""
        pruner = self._pruner()
        frozen = self._trial.study._storage.get_trial(self._trial._trial_id)
        return pruner.prune(self._trial.study, frozen)


# --------------------------------------------------------------------------------------------
# sampler
# --------------------------------------------------------------------------------------------


class MOHBSampler(BaseSampler):
    """Configurations (hardware included) from our searchers, and ASHA brackets.

    The search space is a finite candidate table: one row per configuration, one column per
    parameter (a hardware column is just another parameter). A new trial gets a row from the
    searcher (``trial.suggest_*(name, ...)`` returns that row's value of ``name``, which must
    lie in the suggested distribution) and, when the study's pruner is a :class:`MOHBPruner`,
    its bracket. Both go to the trial's system attributes ``"mohb:config"`` /
    ``"mohb:bracket"``.

    Args:
        candidates: ``{name: values[C]}`` or a pandas DataFrame with C rows.
        searcher: a :class:`~mohb_jax._src.types.Searcher` over the C rows (e.g.
            ``transfer.copula_searcher(...)``); default: random without replacement.
        seed: seeds the searcher and the brackets.

    The searcher observes every finished trial it has not seen (read from storage before each
    proposal): complete trials at the maximum fidelity with their values, pruned ones at their
    last rung with their last report, minimized (the study's / the pruner's directions). Rows
    already taken by any trial in storage are not proposed again (proposals are redrawn), so
    several processes sharing one storage draw without replacement too.

    Raises:
        ValueError: an empty or ragged table, or a parameter not in the table.
    """

    def __init__(self, candidates, *, searcher: Searcher | None = None, seed: int = 0):
        if hasattr(candidates, "to_dict") and hasattr(candidates, "columns"):
            cols = {str(c): np.asarray(candidates[c]) for c in candidates.columns}
        else:
            cols = {str(k): np.asarray(v) for k, v in dict(candidates).items()}
        sizes = {len(v) for v in cols.values()}
        if not cols or len(sizes) != 1 or 0 in sizes:
            raise ValueError(f"candidates must be non-empty columns of one length; got {sizes}")
        self.columns = cols
        self.n_candidates = sizes.pop()
        if searcher is None:
            from mohb_jax._src.schedulers.searchers import random_searcher

            searcher = random_searcher(np.ones(self.n_candidates, bool))
        self.searcher = searcher
        self.seed = int(seed)
        self._key = jax.random.key(self.seed)
        self._state = searcher.init(jax.random.fold_in(self._key, 0))
        self._propose = jax.jit(searcher.propose)
        self._observe = jax.jit(searcher.observe)
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:  # the searcher's keys derive from (seed, trial number)
        pass

    def infer_relative_search_space(self, study, trial):
        return {}

    def sample_relative(self, study, trial, search_space):
        return {}

    def _observe_finished(self, study, trials, pruner) -> None:
        grid = pruner.schedule.fidelities if isinstance(pruner, MOHBPruner) else None
        dirs = [
            "minimize" if d == optuna.study.StudyDirection.MINIMIZE else "maximize"
            for d in study.directions
        ]
        for t in trials:
            if (
                t.number in self._seen
                or not t.state.is_finished()
                or CONFIG_KEY not in t.system_attrs
            ):
                continue
            self._seen.add(t.number)
            cfg = int(t.system_attrs[CONFIG_KEY])
            if t.state == TrialState.COMPLETE and t.values is not None:
                fid = (len(grid) - 1) if grid is not None else 0
                y = to_minimization(t.values, dirs)
            elif t.state == TrialState.PRUNED and isinstance(pruner, MOHBPruner):
                values, _ = _reports(t)
                names, pdirs = pruner.metrics(study)
                full = [s for s in sorted(values) if all(n in values[s] for n in names)]
                if not full:
                    continue
                s = full[-1]
                fid = int(np.searchsorted(grid, s, side="right")) - 1
                if fid < 0:
                    continue
                y = to_minimization([values[s][n] for n in names], pdirs)
            else:
                continue
            self._state = self._observe(
                self._state, np.int32(cfg), np.int32(fid), np.asarray(y, np.float32)
            )

    def before_trial(self, study, trial) -> None:
        if CONFIG_KEY in trial.system_attrs:
            return
        pruner = study.pruner
        with self._lock:
            trials = study._storage.get_all_trials(study._study_id, deepcopy=False)
            self._observe_finished(study, trials, pruner)
            taken = {
                int(t.system_attrs[CONFIG_KEY]) for t in trials if CONFIG_KEY in t.system_attrs
            }
            key = jax.random.fold_in(self._key, trial.number + 1)
            for i in range(self.n_candidates + 1):
                cfg, ok, self._state = self._propose(jax.random.fold_in(key, i), self._state)
                if not bool(ok):
                    raise RuntimeError(
                        f"MOHBSampler: the searcher has no configuration left "
                        f"({self.n_candidates} candidates)"
                    )
                if int(cfg) not in taken:
                    break
        study._storage.set_trial_system_attr(trial._trial_id, CONFIG_KEY, int(cfg))
        if isinstance(pruner, MOHBPruner):
            u = np.random.default_rng([self.seed, 1, int(trial.number)]).random()
            b = pruner.draw_bracket(u)
            study._storage.set_trial_system_attr(trial._trial_id, BRACKET_KEY, int(b))

    def sample_independent(self, study, trial, param_name, param_distribution):
        if param_name not in self.columns:
            raise ValueError(
                f"parameter {param_name!r} is not a column of the candidate table "
                f"({sorted(self.columns)})"
            )
        row = trial.system_attrs.get(CONFIG_KEY)
        if row is None:
            raise RuntimeError("MOHBSampler.before_trial did not run for this trial")
        value = self.columns[param_name][int(row)]
        value = value.item() if hasattr(value, "item") else value
        internal = param_distribution.to_internal_repr(value)
        if not param_distribution._contains(internal):
            raise ValueError(
                f"candidate row {row}: {param_name}={value!r} is outside {param_distribution}"
            )
        return value

    def after_trial(self, study, trial, state, values) -> None:
        pass
