"""Our rung rule and MO-ASHA scheduler inside Syne Tune 0.16 (the ``syne_tune`` extra).

* :class:`JaxNonDominatedPriority` is a drop-in ``multiobjective_priority`` for Syne Tune's
  ``MOASHA``: one score per row (its position in the rung order: non-dominated fronts, then the
  greedy ε-net of Salinas et al. 2021, or NSGA-II crowding), which is what ``MOASHA``'s
  ``Bracket`` expects. Syne Tune 0.16's own ``NonDominatedPriority`` returns an *order* (row
  indices, best first) where one score per row is expected (and its ε-net helper returns ranks
  where an order is expected); the two mistakes cancel only when every row lies on one front,
  so its stop/continue decisions are wrong on many multi-front rungs.
* :class:`MOHBScheduler` is a full ``TrialScheduler`` driving the scheduler core's jitted
  ``ask``/``tell``/``observe`` (MO-ASHA, stopping or promotion variant, seeded brackets, any of
  our searchers). Promotions become ``TrialSuggestion.resume_suggestion`` and ``PAUSED`` becomes
  ``"PAUSE"``, so this is a promotion-based (MO-)ASHA for Syne Tune, whose 0.16 release ships
  none. ``suggest`` returns ``None`` only when ``max_trials`` trials were started (or the
  candidates are used up with ``redraw=False``): ``None`` ends the Tuner's whole run.
  Synchronous Hyperband, whose workers must wait for a rung to complete, cannot be expressed
  and is not offered.

Decision boundary: ``MOASHA`` stops a result iff ``position / n > 1 / eta``; our core stops iff
``position >= n / eta`` (e.g. position 1 of 3 with eta = 3 continues in ``MOASHA`` but stops in
:class:`MOHBScheduler`). :class:`JaxNonDominatedPriority` keeps ``MOASHA``'s boundary: it only
fixes the ranking.

The papers behind the rule are cited in :mod:`mohb_jax.integrations`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

try:
    from syne_tune.backend.trial_status import Trial
    from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion
    from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import MOPriority
except ImportError as e:  # pragma: no cover - exercised without the extra only
    raise ImportError(
        "mohb_jax.integrations.syne_tune needs Syne Tune: pip install 'mohb_jax[syne_tune]'"
    ) from e

from mohb_jax._src.schedulers.core import CONTINUE, PAUSED, VARIANTS, make_scheduler
from mohb_jax._src.schedulers.schedule import make_schedule
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax._src.types import Job, Searcher
from mohb_jax.integrations._core import to_minimization
from mohb_jax.pareto import rung_rank

__all__ = ["JaxNonDominatedPriority", "MOHBScheduler", "blackbox_from_table"]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# priority
# --------------------------------------------------------------------------------------------


_RANK_FNS: dict[tuple[str, bool], Any] = {}


def _rank_fn(tie_break: str, normalize: bool):
    """One jitted ``rung_rank`` per (tie_break, normalize), shared by every priority."""
    key = (tie_break, normalize)
    if key not in _RANK_FNS:
        _RANK_FNS[key] = jax.jit(
            lambda y, mask: rung_rank(y, mask, tie_break=tie_break, normalize=normalize)
        )
    return _RANK_FNS[key]


def _bucket(n: int) -> int:
    return max(8, 1 << (int(n) - 1).bit_length())


class JaxNonDominatedPriority(MOPriority):
    """Rung-order positions as ``MOASHA`` priorities (lower is better).

    Args:
        metrics: objective names (optional, as for every ``MOPriority``).
        tie_break: order inside a front: ``"epsnet"`` (the paper's rule) or ``"crowding"``.
        normalize: min-max scale the objectives before ε-net distances. ``False`` (default)
            uses raw values as the paper's public implementation does (the largest-scale
            objective then dominates distances); ``True`` is scale-free.

    ``__call__(objectives: float[n, m]) -> int[n]``: ``objectives`` as ``MOASHA`` passes them
    (minimized); NaN (diverged) ranks last. Rows are padded to a power of two so that one
    compilation serves every rung size up to it.

    Example::

        MOASHA(config_space, metrics=["error", "cost"], ...,
               multiobjective_priority=JaxNonDominatedPriority())
    """

    def __init__(
        self, metrics: list[str] | None = None, tie_break: str = "epsnet", normalize: bool = False
    ):
        super().__init__(metrics=metrics)
        if tie_break not in ("epsnet", "crowding"):
            raise ValueError(f"tie_break must be 'epsnet' or 'crowding'; got {tie_break!r}")
        self.tie_break = tie_break
        self.normalize = bool(normalize)
        self._rank = _rank_fn(tie_break, self.normalize)

    def priority_unsafe(self, objectives: np.ndarray) -> np.ndarray:
        y = np.asarray(objectives, np.float64)
        if y.ndim != 2:
            raise ValueError(f"objectives must be float[n, m]; got shape {y.shape}")
        if np.any(np.isneginf(y)):
            raise ValueError("objectives hold -inf, which would dominate every other result")
        y = np.where(np.isnan(y), np.inf, y)
        n, m = y.shape
        size = _bucket(n)
        yp = np.zeros((size, m), np.float32)
        yp[:n] = y
        mask = np.arange(size) < n
        pos = self._rank(yp, mask)
        return np.asarray(pos)[:n].astype(np.int64)


# --------------------------------------------------------------------------------------------
# scheduler
# --------------------------------------------------------------------------------------------


def _py(v):
    return v.item() if hasattr(v, "item") else v


class MOHBScheduler(TrialScheduler):
    """MO-ASHA driven by the scheduler core, as a Syne Tune ``TrialScheduler``.

    Configurations are rows of a finite candidate table (hardware columns included): either
    given (``candidates``, e.g. a tabulated benchmark's configurations) or ``n_candidates``
    draws from ``config_space`` (Syne Tune domains, seeded by ``random_seed``).

    Args:
        config_space: Syne Tune config space (domains or constants); used to draw candidates
            when ``candidates`` is None and copied into every config (constants).
        metrics: the objective names in the reported results.
        mode: ``"min"``/``"max"`` for all metrics or one per metric.
        time_attr: the result key holding the fidelity (e.g. ``"epoch"``); it must increase.
        max_t: the maximum fidelity. ``grace_period``: the smallest rung level.
        reduction_factor: eta. ``brackets``: number of ASHA brackets (default 1; ``None``: all).
        fidelities: the values ``time_attr`` takes (strictly increasing); rung levels are
            mapped to the smallest of them ``>=`` the level (default: integers
            ``grace_period .. max_t``).
        rule: ``"epsnet"``, ``"crowding"``, ``"scalarize"``, ``"single"`` or ``"random"``.
        variant: ``"promotion"`` (pause at every rung, resume the best) or ``"stopping"``.
        candidates: a DataFrame or ``{name: values[C]}`` of configurations, or None.
        n_candidates: C when drawing from ``config_space``.
        searcher: a searcher over the C rows (default: random without replacement).
        max_trials: capacity of the core state (trials started at most).
        redraw: once every candidate was proposed, start another pass over them (a fresh
            searcher state) instead of ending the run; ``suggest`` then returns ``None`` only
            when ``max_trials`` trials were started.
        random_seed: seeds brackets, the searcher and the candidate draw.
        warmup: compile ``ask``/``tell``/``observe`` here (seconds; JAX's persistent
            compilation cache shortens it) rather than during the run, where Syne Tune's
            simulator would add the compile time to its simulated clock.

    Raises:
        ValueError: bad modes, metrics, variant, grid or candidates.
    """

    def __init__(
        self,
        config_space: dict[str, Any],
        metrics: list[str],
        *,
        mode: str | list[str] = "min",
        time_attr: str = "epoch",
        max_t: float,
        grace_period: float = 1,
        reduction_factor: float = 3,
        brackets: int | None = 1,
        fidelities: Sequence[float] | None = None,
        rule: str = "epsnet",
        variant: str = "promotion",
        candidates: Any = None,
        n_candidates: int = 1024,
        searcher: Searcher | None = None,
        max_trials: int = 1024,
        redraw: bool = True,
        normalize: bool = True,
        random_seed: int = 0,
        warmup: bool = True,
    ):
        super().__init__(random_seed=random_seed)
        if not metrics:
            raise ValueError("metrics must name at least one objective")
        modes = [mode] * len(metrics) if isinstance(mode, str) else list(mode)
        if len(modes) != len(metrics) or any(m not in ("min", "max") for m in modes):
            raise ValueError(f"mode must be 'min'/'max' or one per metric; got {mode!r}")
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}; got {variant!r}")
        self.config_space = dict(config_space)
        self.metrics = list(metrics)
        self.modes = modes
        self._directions = ["minimize" if m == "min" else "maximize" for m in modes]
        self.time_attr = time_attr
        if fidelities is None:
            lo, hi = int(np.ceil(grace_period)), int(max_t)
            if hi != max_t or not 1 <= lo <= hi:
                raise ValueError(
                    "without fidelities, grace_period/max_t must be integers with "
                    f"1 <= grace_period <= max_t; got {grace_period}, {max_t}"
                )
            fidelities = np.arange(lo, hi + 1, dtype=np.float64)
        self.schedule = make_schedule(
            np.asarray(fidelities, np.float64),
            eta=reduction_factor,
            r_min=grace_period,
            r_max=max_t,
            n_brackets=brackets,
        )
        self.fidelities = self.schedule.fidelities
        self.candidates = self._candidates(candidates, n_candidates)
        C = len(next(iter(self.candidates.values())))
        if searcher is None:
            searcher = random_searcher(np.ones(C, bool))
        self.core = make_scheduler(
            self.schedule,
            searcher,
            n_objectives=len(metrics),
            max_trials=int(max_trials),
            method="asha",
            rule=rule,
            variant=variant,
            normalize=normalize,
        )
        self.rule, self.variant = rule, variant
        self._ask = jax.jit(self.core.ask)
        self._tell = jax.jit(self.core.tell)
        self._observe = jax.jit(self.core.observe)
        key = jax.random.key(int(random_seed))
        self._key_ask = jax.random.fold_in(key, 1)
        self._state = self.core.init(jax.random.fold_in(key, 0))
        self._searcher = searcher
        self._key_redraw = jax.random.fold_in(key, 2)
        self.redraw = bool(redraw)
        self.n_passes = 0
        self.n_asks = 0
        if warmup:
            self.warmup()
        self._core_of: dict[int, int] = {}  # Syne Tune trial id -> core trial id
        self._st_of: dict[int, int] = {}  # core trial id -> Syne Tune trial id
        self._job: dict[int, Job | None] = {}  # core trial id -> job being run (None: not)
        self._pending: deque[int] = deque()  # core trials suggested, awaiting on_trial_add
        #: one row per decision: (Syne Tune trial id, core trial, fidelity, decision)
        self.decisions: list[tuple[int, int, float, str]] = []

    def warmup(self) -> None:
        """Compile the core's functions on a throwaway copy of the state."""
        job, st = self._ask(self._key_ask, self._state)
        y = jnp.zeros((len(self.metrics),), jnp.float32)
        out = self._tell(st, job, y), self._observe(st, job, jnp.int32(0), y)
        jax.block_until_ready(out)

    # -- candidates ---------------------------------------------------------------------------

    def _candidates(self, candidates, n: int) -> dict[str, np.ndarray]:
        if candidates is not None:
            if hasattr(candidates, "columns"):
                cols = {str(c): np.asarray(candidates[c]) for c in candidates.columns}
            elif isinstance(candidates, Mapping):
                cols = {str(k): np.asarray(v) for k, v in candidates.items()}
            else:
                raise ValueError("candidates must be a DataFrame or a mapping of columns")
            sizes = {len(v) for v in cols.values()}
            if not cols or len(sizes) != 1 or 0 in sizes:
                raise ValueError(f"candidates must be non-empty equal-length columns; got {sizes}")
            return cols
        if int(n) < 1:
            raise ValueError(f"n_candidates must be >= 1; got {n}")
        rng = np.random.RandomState(self.random_seed)
        cols: dict[str, list] = {}
        for name, dom in self.config_space.items():
            if hasattr(dom, "sample"):
                vals = dom.sample(size=int(n), random_state=rng)
                cols[name] = list(vals) if isinstance(vals, (list, np.ndarray)) else [vals] * n
        if not cols:
            raise ValueError("config_space has no domain to draw candidates from")
        return {k: np.asarray(v) for k, v in cols.items()}

    def config_of(self, row: int) -> dict[str, Any]:
        """The config of candidate ``row`` (constants of ``config_space`` included)."""
        cfg = {k: v for k, v in self.config_space.items() if not hasattr(v, "sample")}
        cfg.update({k: _py(v[row]) for k, v in self.candidates.items()})
        return cfg

    # -- TrialScheduler -----------------------------------------------------------------------

    def metric_names(self) -> list[str]:
        return list(self.metrics)

    def metric_mode(self) -> str | list[str]:
        return self.modes[0] if len(set(self.modes)) == 1 else list(self.modes)

    def suggest(self) -> TrialSuggestion | None:
        key = jax.random.fold_in(self._key_ask, self.n_asks)
        self.n_asks += 1
        job, self._state = self._ask(key, self._state)
        if not bool(job.valid) and self.redraw and bool(self._state.exhausted):
            # every candidate was used: start another pass over them (as MOASHA, which
            # samples its space with replacement), unless the trial capacity is used up
            self.n_passes += 1
            fresh = self._searcher.init(jax.random.fold_in(self._key_redraw, self.n_passes))
            self._state = self._state._replace(searcher=fresh, exhausted=jnp.bool_(False))
            job, self._state = self._ask(jax.random.fold_in(key, 1), self._state)
        if not bool(job.valid):
            why = "max_trials reached" if bool(self._state.overflow) else "no candidate left"
            logger.warning("MOHBScheduler: %s; the run ends when running trials finish", why)
            return None
        t = int(job.trial)
        self._job[t] = job
        if t in self._st_of:  # a promotion of a paused trial
            return TrialSuggestion.resume_suggestion(self._st_of[t])
        self._pending.append(t)
        return TrialSuggestion.start_suggestion(self.config_of(int(job.config)))

    def on_trial_add(self, trial: Trial):
        if not self._pending:
            raise RuntimeError(f"trial {trial.trial_id} was not suggested by this scheduler")
        t = self._pending.popleft()
        self._core_of[trial.trial_id] = t
        self._st_of[t] = trial.trial_id

    def _y(self, result: dict[str, Any]) -> np.ndarray:
        missing = [k for k in [self.time_attr, *self.metrics] if k not in result]
        if missing:
            raise ValueError(f"result lacks {missing}: {sorted(result)}")
        return to_minimization([float(result[k]) for k in self.metrics], self._directions)

    def on_trial_result(self, trial: Trial, result: dict[str, Any]) -> str:
        t = self._core_of[trial.trial_id]
        y = self._y(result)
        job = self._job.get(t)
        if job is None:  # reported after its pause/stop took effect (asynchronous pause)
            return (
                SchedulerDecision.PAUSE if self.variant == "promotion" else SchedulerDecision.STOP
            )
        v = float(result[self.time_attr])
        fi = int(np.searchsorted(self.fidelities, v * (1 + 1e-12), side="right")) - 1
        target = int(job.fidelity)
        if fi < target:
            if fi >= 0:
                self._state = self._observe(self._state, job, jnp.int32(fi), jnp.asarray(y))
            return SchedulerDecision.CONTINUE
        y = jnp.asarray(y, jnp.float32)
        self._state, d, info = self._tell(self._state, job, y)
        d = int(d)
        name = {CONTINUE: "CONTINUE", PAUSED: "PAUSE"}.get(d, "STOP")
        self.decisions.append((trial.trial_id, t, v, name))
        if d == CONTINUE:
            self._job[t] = info.next_job
            return SchedulerDecision.CONTINUE
        self._job[t] = None
        return SchedulerDecision.PAUSE if d == PAUSED else SchedulerDecision.STOP

    def on_trial_complete(self, trial: Trial, result: dict[str, Any]):
        self._job[self._core_of[trial.trial_id]] = None

    def on_trial_error(self, trial: Trial):
        # never told: a trial that is not paused is never promoted, and ASHA does not wait
        self._job[self._core_of[trial.trial_id]] = None

    def on_trial_remove(self, trial: Trial):
        pass  # called after PAUSE and STOP; the core already knows

    def metadata(self) -> dict[str, Any]:
        md = super().metadata()
        md.update(
            metric_names=self.metric_names(),
            metric_mode=self.metric_mode(),
            rule=self.rule,
            variant=self.variant,
            eta=self.schedule.eta,
            n_candidates=len(next(iter(self.candidates.values()))),
        )
        return md


# --------------------------------------------------------------------------------------------
# tables as Syne Tune blackboxes
# --------------------------------------------------------------------------------------------


def blackbox_from_table(table, *, task: str | None = None, by_row: bool = False):
    """One task of a :class:`~mohb_jax.tables.Table` as a Syne Tune ``BlackboxTabular``.

    For the tabular simulator backend (``UserBlackboxBackend``). Every objective is stored
    minimized, as the table stores it: a maximized objective ``x`` is ``"neg_x" = -x``; the
    fidelity is ``table.fidelity_name`` with the table's grid; the table's configurations
    (hardware columns included) are the hyperparameters, or, with
    ``by_row=True``, the table's row index ``"row"`` (plus a constant ``"table"``): Syne Tune's
    schedulers sample each hyperparameter independently, which proposes column combinations a
    table lacks (e.g. TrimTuner's worker counts depend on the VM flavor).

    Returns:
        ``(blackbox, objective_names)``.

    Raises:
        ValueError: an unknown task or a table with missing evaluations.
    """
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.config_space import choice, randint

    t = 0 if task is None else table.task_index(task)
    if not bool(np.all(table.mask[t])):
        raise ValueError("blackbox_from_table needs a complete table (every config, fidelity)")
    names = [
        o if d == "min" else f"neg_{o}"
        for o, d in zip(table.objectives, table.directions, strict=True)
    ]
    obj = np.asarray(table.values[t], np.float64)  # [C, seeds, F, O], already minimization
    hps = table.configs.reset_index(drop=True)
    if by_row:
        import pandas as pd

        # a second, constant column: BlackboxTabular cannot index a single hyperparameter
        hps = pd.DataFrame({"row": np.arange(len(hps)), "table": table.name})
    space = {c: choice(sorted(hps[c].unique().tolist())) for c in hps.columns}
    grid = np.asarray(table.fidelities)
    fid = {table.fidelity_name: randint(int(grid[0]), int(grid[-1]))}
    bb = BlackboxTabular(
        hyperparameters=hps,
        configuration_space=space,
        fidelity_space=fid,
        objectives_evaluations=obj,
        fidelity_values=grid,
        objectives_names=names,
    )
    return bb, names
