"""Single-seed simulator: runs one scheduler on an offline :class:`Table` with W workers.

``make_simulator(table, ...)`` returns a :class:`Simulator` whose ``run(key, data)`` is pure,
``jit``- and ``vmap``-able over ``key`` (``data`` is shared, ``in_axes=None``) and returns fixed
size arrays; ``to_frame`` turns one run into the results DataFrame on the host. The vectorized
sweep (:mod:`mohb_jax.sim`) maps ``run`` over seeds.

The rules of a run around the scheduler (which free worker asks with which key, results
between rungs observed and at the target told, ``CONTINUE`` keeps the worker, where a promoted
trial resumes) are the lifecycle's (:mod:`mohb_jax._src.lifecycle`), shared with real
dispatch; this module adds only the simulated clock, the table lookups and the job records.

Event model (exact event times; documented choices):

* A *job* trains one trial from its last reported fidelity to a rung level. The worker is
  busy from the job's start until the result at the rung level; the results at every grid
  fidelity in between are reported as the trial passes them (like Syne Tune reporting every
  epoch), with decision ``"continue"`` and ``rung = -1``; decisions are taken only at rung
  levels. The loop advances one job completion at a time (the busy worker whose job ends
  first; ties: lowest worker index); afterwards every free worker asks the scheduler for work.
* Time of a result at fidelity ``f`` of a job started at ``t0`` that resumes trial state from
  fidelity ``a`` (``a = -1``: none): ``t0 + T[f] - T[a]`` with checkpoints (``checkpoint=True``,
  default: training resumes from the checkpoint at ``a``), ``t0 + T[f]`` without (training
  restarts from scratch; fidelities ``<= a`` are not reported twice). A trial that simply
  goes on training (a ``CONTINUE`` decision of the stopping variant) never restarts. ``T`` is
  the table's time objective made cumulative (summed over fidelities when the table stores
  per-step times).
  Where ``table.fidelity_kind == "independent"`` (TrimTuner: each fidelity is a
  separate run), a job reports only its rung level, at ``t0 + T[level]``.
* Table seed: each new trial draws one of the table's seeds uniformly from the key among the
  seeds that are complete at every fidelity for its configuration; the trial keeps it. (One
  uniform per trial id is drawn at the start; the seed is its inverse CDF.)
* Keys: ``run(key)`` splits ``key`` into the scheduler's ``init`` key, the asks' base key
  (ask ``i`` gets ``fold_in(base, i)``) and the table-seed uniforms.
  Configurations with no complete seed are never proposed (their count is ``n_excluded``).
* Cost: a result's cost is the worker time since the previous result of the same job (or the
  job's start) × the configuration's $/h / 3600; the frame's ``cost`` is its cumulative sum
  over all results in arrival order (NaN without a hardware catalog).
* Budget: simulated wall-clock seconds (Syne Tune's ``max_wallclock_time``); results after the
  budget are not reported, and the run ends when no job ends within the budget (or nothing is
  left to run). Jobs still running at the budget report their intermediate results up to it.
* Output: ``run`` returns *job records* (:class:`SimOutput`); ``to_frame`` expands them into
  one row per result from the table (times and costs with the same float32 operations).
  A searcher with a ``diagnostic`` (:class:`~mohb_jax._src.types.Searcher`) has it evaluated
  on its state at every job start; ``to_frame`` gives each result the value of its job's
  start in the column ``searcher.diagnostic_name`` (for the copula searcher's guard,
  ``searcher_trust``: what the searcher knew when it dispatched the job, so causal in time).
* Capacity: ``max_trials`` and ``max_jobs`` are static. By default they are upper bounds
  derived from the budget (the number of trials / results that could possibly fit, given the
  cheapest first-rung job and the cheapest fidelity step in the table), capped by the number of
  configurations (without replacement) and the number of rung levels. If a run needs more, it
  stops and sets ``out.overflow_trials`` / ``out.overflow_jobs``; :meth:`Simulator.to_frame`
  raises a ``ValueError`` naming the limit.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
    Salinas, Perrone, Cruchant, Archambeau, Klein, Seeger et al. "Syne Tune: A Library for
    Large Scale Hyperparameter Tuning and Reproducible Research." AutoML Conf 2022 (simulated
    back-end on tables).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.lifecycle import Lifecycle, RunState, make_lifecycle, run_keys
from mohb_jax._src.methods import check_unique, resolve_method
from mohb_jax._src.objectives import Objectives
from mohb_jax._src.schedulers.core import CONTINUE, DECISIONS, Scheduler
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax._src.tables.table import Table
from mohb_jax._src.types import Job, Searcher, no_job, select_tree


class SimData(NamedTuple):
    """Arrays of one (table, task) a run reads (shared by all seeds: ``in_axes=None``)."""

    y: Float[Array, "c s f m"]  # ranked objectives, minimization
    tcum: Float[Array, "c s f"]  # time from scratch to fidelity f (seconds)
    price: Float[Array, " c"]  # $/h of each configuration (NaN: no hardware catalog)
    seed_logits: Float[Array, "c s"]  # 0 for complete seeds, -inf otherwise
    budget: Float[Array, ""]  # simulated wall-clock budget (seconds)


class SimOutput(NamedTuple):
    """One run as J *job records* (``valid`` marks the used ones, in start order).

    A job trains one trial from fidelity ``resume`` (exclusive) to ``target``; its results
    are re-derived on the host by :meth:`Simulator.to_frame` from the table: the result at
    fidelity ``f`` arrives at ``start + T[f] - base``. Keeping jobs rather than result rows
    keeps the loop state small: a vmapped ``while_loop`` selects its whole state every step.
    """

    trial: Int[Array, " j"]
    config: Int[Array, " j"]
    table_seed: Int[Array, " j"]
    bracket: Int[Array, " j"]
    rung: Int[Array, " j"]  # rung (of the trial's bracket) the job ends at
    resume: Int[Array, " j"]  # last fidelity index reported before the job (-1: none)
    target: Int[Array, " j"]  # fidelity index the job ends at
    start: Float[Array, " j"]  # simulated start time
    base: Float[Array, " j"]  # table time already trained at the start (0: from scratch)
    worker: Int[Array, " j"]
    decision: Int[Array, " j"]  # index into DECISIONS; -1: still running at the end
    diagnostic: Float[Array, " j"]  # the searcher's diagnostic at the job's start (NaN: none)
    valid: Bool[Array, " j"]
    n_jobs: Int[Array, ""]
    n_trials: Int[Array, ""]
    budget: Float[Array, ""]
    end_time: Float[Array, ""]  # simulated time when the run stopped
    overflow_trials: Bool[Array, ""]
    overflow_jobs: Bool[Array, ""]


class _Workers(NamedTuple):
    busy: Bool[Array, " w"]
    job: Job  # fields [W]
    finish: Float[Array, " w"]  # simulated time the job ends
    jid: Int[Array, " w"]  # the job's record index


class _Carry(NamedTuple):
    run: RunState  # the lifecycle's state (scheduler state, ask keys, trials' last fidelity)
    u_seed: Float[Array, " n"]  # uniforms for the table seed of each trial id
    workers: _Workers
    trial_seed: Int[Array, " n"]
    clock: Float[Array, ""]
    out: SimOutput
    started: Bool[Array, ""]  # False only before the first iteration (initial fill)


class Simulator(NamedTuple):
    """A single-seed simulator (see the module docstring).

    Attributes:
        run: ``run(key, data) -> SimOutput``, jitted, pure, vmap-able over ``key``.
        data: the :class:`SimData` to pass to ``run``.
        to_frame: ``to_frame(out, seed=s) -> DataFrame`` (host side; raises on overflow).
        scheduler: the :class:`~mohb_jax._src.schedulers.core.Scheduler`.
        lifecycle: the :class:`~mohb_jax._src.lifecycle.Lifecycle` the run drives.
        checkpoint: whether resumed trials continue from their checkpoint.
        table, task, objectives: what is simulated.
        max_trials, max_jobs, n_workers, budget: static sizes / settings.
        n_excluded: configurations with no complete seed, never proposed.
    """

    run: Callable[[Array, SimData], SimOutput]
    data: SimData
    to_frame: Callable[..., pd.DataFrame]
    scheduler: Scheduler
    lifecycle: Lifecycle
    checkpoint: bool
    table: Table
    task: int
    objectives: tuple[str, ...]
    max_trials: int
    max_jobs: int
    n_workers: int
    budget: float
    n_excluded: int


def max_fidelity_budget(
    table: Table, k: float, *, task: int | str = 0, n_workers: int = 1
) -> float:
    """Budget of ``k`` max-fidelity equivalents: ``k × mean(T at the max fidelity) / n_workers``.

    ``T`` is the training time of the table's time objective at the highest fidelity (summed
    over the fidelities when the table stores per-step times), averaged over the task's
    (config, seed) entries that have it: the simulated wall-clock in which ``n_workers``
    workers train ``k`` random configurations fully. The one definition of a ``"<k>x"`` budget.

    Raises:
        ValueError: no time objective, or no entry at the highest fidelity.
    """
    if table.time_objective is None:
        raise ValueError(f"table {table.name!r} has no time objective; give the budget in seconds")
    ti = table.task_index(task)
    j = table.objective_index(table.time_objective)
    if table.time_cumulative:
        v = np.asarray(table.values[ti, :, :, -1, j], dtype=np.float64)
        m = np.asarray(table.mask[ti, :, :, -1])
    else:
        mm = np.asarray(table.mask[ti])
        v = np.where(mm, np.asarray(table.values[ti, :, :, :, j], dtype=np.float64), 0.0).sum(-1)
        m = mm.all(-1)
    if not m.any():
        raise ValueError("no complete entry at the highest fidelity to derive a budget from")
    return float(k) * float(v[m].mean()) / int(n_workers)


def independent_fidelities(table: Table) -> bool:
    """Each fidelity of ``table`` is a separate run from scratch (not resumable)."""
    return table.fidelity_kind == "independent"


def _cumulative_time(table: Table, task: int) -> np.ndarray:
    if table.time_objective is None:
        raise ValueError(
            f"table {table.name!r} has no time objective: the simulator needs training times"
        )
    j = table.objective_index(table.time_objective)
    t = np.asarray(table.values[task, :, :, :, j], dtype=np.float64)  # [C, S, F]
    t = np.where(table.mask[task], t, np.nan)
    t = Objectives((table.time_objective,), (table.directions[j],)).from_min(t[..., None])[..., 0]
    indep = independent_fidelities(table)
    if not table.time_cumulative and not indep:
        t = np.cumsum(t, axis=-1)
    if not indep:  # measured cumulative times can wiggle; a clock never runs backwards
        t = np.fmax.accumulate(t, axis=-1)
    return t


def make_simulator(
    table: Table,
    *,
    method: str = "moasha",
    rule: str | None = None,
    n_workers: int = 4,
    budget: float,
    task: int | str = 0,
    objectives=None,
    eta: float = 3,
    searcher: Searcher | None = None,
    variant: str | None = None,
    checkpoint: bool = True,
    max_jobs: int | None = None,
    max_trials: int | None = None,
    n_brackets: int | None = None,
    r_min: float | None = None,
    normalize: bool = True,
    on_exhausted: str | None = None,
) -> Simulator:
    """Build the single-seed simulator of a scheduler on a table.

    Args:
        table: the offline table.
        method: a name of the method registry (:data:`mohb_jax._src.methods.METHODS`:
            ``epsnet``, ``crowding``, ``scalarize``, ``single``, ``random``, ``moasha``,
            ``mohb``, ``asha``, ``hyperband``).
        rule: overrides the method's rule where the method allows it (``moasha``, ``mohb``,
            ``asha``, ``hyperband``).
        n_workers: W simulated workers.
        budget: simulated wall-clock seconds (see :func:`max_fidelity_budget`).
        task: task name or index.
        objectives: objective names the scheduler ranks on (default
            ``table.default_objectives``); ``single`` uses the first.
        eta: reduction factor.
        searcher: proposes configurations (default: random without replacement over the
            configurations with a complete seed).
        variant: ASHA's ``"stopping"`` (default) or ``"promotion"``.
        checkpoint: resumed trials continue from their checkpoint (else train from scratch).
        max_jobs: job records capacity J (default: derived from the budget; each job reports
            one or more results).
        max_trials: trial capacity N (default: derived from the budget).
        n_brackets: number of brackets (default: the registry's: 1 for the ASHA methods, as
            Syne Tune and Li et al. 2020; all for Hyperband).
        r_min: smallest rung level (default: the smallest fidelity).
        normalize: min-max normalize objectives for ε-net distances.
        on_exhausted: what a free worker does once the searcher has proposed every
            configuration of the table: ``"resume"`` a stopped trial (the default for the
            ASHA methods that stop trials) or ``"idle"`` (the default for ``random`` and the
            Hyperband methods, which accept only it); see
            :data:`mohb_jax.schedulers.ON_EXHAUSTED`. A table is finite: without resuming, a
            run that uses it up early leaves its workers idle for the rest of the budget.

    Returns:
        A :class:`Simulator`.

    Raises:
        ValueError: unknown method / objective / task, bad budget or sizes, no time objective.
    """
    spec = resolve_method(method, rule=rule, variant=variant, n_brackets=n_brackets)
    if isinstance(n_workers, bool) or int(n_workers) != n_workers or n_workers < 1:
        raise ValueError(f"n_workers must be a positive integer; got {n_workers!r}")
    W = int(n_workers)
    if not (np.isfinite(budget) and budget > 0):
        raise ValueError(f"budget must be a positive number of simulated seconds; got {budget}")
    ti = table.task_index(task)
    if objectives is None:
        objectives = table.default_objectives
    objectives = tuple(check_unique(objectives, "objectives"))
    if not objectives:
        raise ValueError("need at least one objective")
    obj_idx = [table.objective_index(o) for o in objectives]
    indep = independent_fidelities(table)

    # ---- host-side arrays --------------------------------------------------------------
    tcum = _cumulative_time(table, ti)  # [C, S, F]
    mask = np.asarray(table.mask[ti])  # [C, S, F]
    complete = mask.all(axis=-1) & np.isfinite(tcum).all(axis=-1) & (tcum >= 0).all(axis=-1)
    allowed = complete.any(axis=-1)  # [C]
    if not allowed.any():
        raise ValueError(f"task {table.tasks[ti]!r}: no configuration has a complete seed")
    y = np.asarray(table.values[ti][..., obj_idx], dtype=np.float32)  # [C, S, F, M]
    y = np.where(complete[:, :, None, None], y, 0.0).astype(np.float32)
    if table.hardware is not None:
        price = np.asarray(table.hardware.price_per_hour, dtype=np.float32)
    else:
        price = np.full(table.n_configs, np.nan, np.float32)
    data = SimData(
        y=jnp.asarray(y),
        tcum=jnp.asarray(np.where(complete[..., None], tcum, 0.0), jnp.float32),
        price=jnp.asarray(price),
        seed_logits=jnp.asarray(np.where(complete, 0.0, -np.inf), jnp.float32),
        budget=jnp.asarray(budget, jnp.float32),
    )

    schedule = spec.schedule(table.fidelities, eta=eta, r_min=r_min)
    # ---- capacities ----------------------------------------------------------------------
    n_allowed = int(allowed.sum())
    t_ok = tcum[complete]  # [n, F]
    first = t_ok[:, schedule.levels[0]]
    if indep:
        steps = t_ok[:, schedule.levels]
    else:
        steps = np.diff(np.concatenate([np.zeros((len(t_ok), 1)), t_ok], axis=1), axis=1)
    t_first = float(first.min())
    t_step = float(steps.min())
    if max_trials is None:
        bound = W * math.floor(budget / t_first) + W if t_first > 0 else n_allowed
        max_trials = int(min(n_allowed, bound))
    n_levels = len(schedule.levels)
    if max_jobs is None:  # a trial runs at most one job per rung level; a job takes >= t_step
        bound = W * math.floor(budget / t_step) + W if t_step > 0 else None
        max_jobs = max_trials * n_levels if bound is None else min(max_trials * n_levels, bound)
    for name, v in (("max_trials", max_trials), ("max_jobs", max_jobs)):
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{name} must be a positive integer; got {v!r}")
    N, J = int(max_trials), int(max_jobs)

    if searcher is None:
        searcher = random_searcher(allowed)
    if on_exhausted is None:
        stops = spec.scheduler == "asha" and spec.rule != "random"
        on_exhausted = "resume" if stops else "idle"
    sched = spec.build(
        schedule,
        searcher,
        n_objectives=len(objectives),
        max_trials=N,
        normalize=normalize,
        on_exhausted=on_exhausted,
    )
    lc = make_lifecycle(sched, W, independent_fidelities=indep)
    run = jax.jit(_make_run(lc, N, J, checkpoint, searcher.diagnostic))
    host = (np.asarray(data.tcum), np.asarray(data.price))
    diag_name = searcher.diagnostic_name if searcher.diagnostic is not None else None

    def to_frame(out: SimOutput, *, seed: int = 0) -> pd.DataFrame:
        """Results DataFrame of one run (see the module docstring); raises on overflow."""
        return _to_frame(out, seed, table, ti, N, J, indep, *host, diag_name=diag_name)

    return Simulator(
        run=run,
        data=data,
        to_frame=to_frame,
        scheduler=sched,
        lifecycle=lc,
        checkpoint=bool(checkpoint),
        table=table,
        task=ti,
        objectives=objectives,
        max_trials=N,
        max_jobs=J,
        n_workers=W,
        budget=float(budget),
        n_excluded=int(table.n_configs - n_allowed),
    )


# ------------------------------------------------------------------------------------------
# the jitted run
# ------------------------------------------------------------------------------------------


def _make_run(lc: Lifecycle, N: int, J: int, checkpoint: bool, diagnostic=None):
    """The jitted run: the event clock, table lookups and job records around the lifecycle.

    Everything a real dispatcher would also have to decide (which worker asks with which key,
    observe vs tell, continue keeps the worker, where a trial resumes) is ``lc``'s; this
    function only advances simulated time and records jobs.
    """
    W = lc.n_workers

    def diag_of(run: RunState):
        if diagnostic is None:
            return jnp.float32(jnp.nan)
        return jnp.asarray(diagnostic(run.sched.searcher), jnp.float32)

    def base_time(tc, a, continuing):
        """Time already trained when a job starts: ``T[a]`` if it resumes from the checkpoint
        at ``a`` (or simply goes on training, ``continuing``), 0 if it starts from scratch."""
        keep = continuing if not checkpoint else jnp.bool_(True)
        return jnp.where(keep & (a >= 0), tc[jnp.maximum(a, 0)], 0.0)

    def assign(carry: _Carry, w, job: Job, data: SimData, take, continuing=False) -> _Carry:
        """Give ``job`` to worker ``w`` at the current clock if ``take`` (O(1) updates)."""
        wk, out = carry.workers, carry.out
        t = job.trial
        # table seed: inverse CDF of the uniform distribution over the complete seeds
        ok = data.seed_logits[job.config] > -jnp.inf
        cum = jnp.cumsum(ok)
        s_new = jnp.argmax(cum > carry.u_seed[t] * cum[-1]).astype(jnp.int32)
        seed = jnp.where(carry.trial_seed[t] >= 0, carry.trial_seed[t], s_new)
        tc = data.tcum[job.config, seed]
        base = base_time(tc, lc.resume_point(carry.run, t), jnp.bool_(continuing))
        fin = carry.clock + (tc[job.fidelity] - base)
        room = out.n_jobs < J
        j = jnp.minimum(out.n_jobs, J - 1)
        take_ok = take & room

        def put(x, v):
            return x.at[w].set(jnp.where(take_ok, v, x[w]))

        def rec(x, v):
            return x.at[j].set(jnp.where(take_ok, v, x[j]))

        wk = _Workers(
            busy=put(wk.busy, True),
            job=jax.tree_util.tree_map(put, wk.job, job),
            finish=put(wk.finish, fin),
            jid=put(wk.jid, j),
        )
        out = out._replace(
            trial=rec(out.trial, t),
            config=rec(out.config, job.config),
            table_seed=rec(out.table_seed, seed),
            bracket=rec(out.bracket, job.bracket),
            rung=rec(out.rung, job.rung),
            resume=rec(out.resume, carry.run.trial_last[t]),
            target=rec(out.target, job.fidelity),
            start=rec(out.start, carry.clock),
            base=rec(out.base, base),
            worker=rec(out.worker, w),
            diagnostic=rec(out.diagnostic, diag_of(carry.run)),
            valid=rec(out.valid, True),
            n_jobs=out.n_jobs + take_ok.astype(jnp.int32),
            overflow_jobs=out.overflow_jobs | (take & ~room),
        )
        ts = carry.trial_seed.at[t].set(jnp.where(take_ok, seed, carry.trial_seed[t]))
        return carry._replace(workers=wk, trial_seed=ts, out=out)

    def fill(carry: _Carry, data: SimData) -> _Carry:
        """Every free worker asks for a job, in worker order (``lc.on_free_worker``).

        Only free workers ask: the loop runs over their indices (a dynamic trip count), so a
        busy worker costs nothing. That matters when ``ask`` is expensive, e.g. a searcher
        whose refresh is due would otherwise recompute (and discard) it for every busy worker
        at every event.
        """
        free = ~carry.workers.busy  # assign() only changes the worker it fills
        # the i-th free worker, by a W x W compare: jnp.nonzero lowers to a scatter, and a
        # scatter keeps XLA:CPU from compiling the event loop as one kernel (use_loop_kernels)
        pos = jnp.cumsum(free, dtype=jnp.int32) - 1
        hit = free[None, :] & (pos[None, :] == jnp.arange(W, dtype=jnp.int32)[:, None])
        w_ids = jnp.arange(W, dtype=jnp.int32)[None, :]
        idx = jnp.where(jnp.any(hit, axis=1), jnp.sum(jnp.where(hit, w_ids, 0), axis=1), W - 1)

        def body(i, carry):
            w = idx[i]
            run, job = lc.on_free_worker(carry.run, w)
            return assign(carry._replace(run=run), w, job, data, job.valid)

        n_free = jnp.sum(free, dtype=jnp.int32)
        carry = jax.lax.fori_loop(jnp.int32(0), n_free, body, carry)
        return carry._replace(run=lc.end_round(carry.run))

    def make_cond(data):
        def cond(carry: _Carry):
            wk = carry.workers
            nxt = jnp.min(jnp.where(wk.busy, wk.finish, jnp.inf))
            ok = ~carry.out.overflow_jobs & ~carry.run.sched.overflow
            return ~carry.started | (ok & jnp.any(wk.busy) & (nxt <= data.budget))

        return cond

    def step(data: SimData):
        def body(carry: _Carry) -> _Carry:
            # The first iteration only fills the idle workers (so ``ask`` is traced once);
            # every later one completes the earliest job, then fills the free workers.
            active = carry.started
            wk = carry.workers
            w = jnp.argmin(jnp.where(wk.busy, wk.finish, jnp.inf)).astype(jnp.int32)
            carry = carry._replace(clock=jnp.where(active, wk.finish[w], carry.clock))
            job = jax.tree_util.tree_map(lambda x: x[w], wk.job)
            seed = carry.trial_seed[job.trial]
            run, action, info = lc.on_job_end(carry.run, job, data.y[job.config, seed])
            jid = wk.jid[w]
            out = carry.out
            carry = carry._replace(
                run=select_tree(active, run, carry.run),
                out=out._replace(
                    decision=out.decision.at[jid].set(jnp.where(active, action, out.decision[jid]))
                ),
                workers=wk._replace(busy=wk.busy.at[w].set(wk.busy[w] & ~active)),
            )
            # CONTINUE: the same worker trains on (the trial keeps its table seed)
            go = active & (action == CONTINUE)
            carry = assign(carry, w, info.next_job, data, go, continuing=True)
            return fill(carry, data)._replace(started=jnp.bool_(True))

        return body

    def run(key, data: SimData) -> SimOutput:
        k_seed = run_keys(key)[2]
        zi = jnp.full((J,), -1, jnp.int32)
        zf = jnp.zeros((J,), jnp.float32)
        out = SimOutput(
            trial=zi,
            config=zi,
            table_seed=zi,
            bracket=zi,
            rung=zi,
            resume=zi,
            target=zi,
            start=zf,
            base=zf,
            worker=zi,
            decision=zi,
            diagnostic=jnp.full((J,), jnp.nan, jnp.float32),
            valid=jnp.zeros((J,), bool),
            n_jobs=jnp.int32(0),
            n_trials=jnp.int32(0),
            budget=jnp.asarray(data.budget, jnp.float32),
            end_time=jnp.float32(0),
            overflow_trials=jnp.bool_(False),
            overflow_jobs=jnp.bool_(False),
        )
        workers = _Workers(
            busy=jnp.zeros((W,), bool),
            job=jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (W,)), no_job()),
            finish=jnp.full((W,), jnp.inf, jnp.float32),
            jid=jnp.zeros((W,), jnp.int32),
        )
        carry = _Carry(
            run=lc.init(key),
            u_seed=jax.random.uniform(k_seed, (N,), jnp.float32),
            workers=workers,
            trial_seed=jnp.full((N,), -1, jnp.int32),
            clock=jnp.float32(0),
            out=out,
            started=jnp.bool_(False),
        )
        carry = jax.lax.while_loop(make_cond(data), step(data), carry)
        sched = carry.run.sched
        ok = ~carry.out.overflow_jobs & ~sched.overflow
        # the budget ran out with jobs in flight, or nothing was left to run (or overflow)
        end = jnp.where(ok & jnp.any(carry.workers.busy), data.budget, carry.clock)
        return carry.out._replace(
            n_trials=sched.n_trials,
            end_time=end.astype(jnp.float32),
            overflow_trials=sched.overflow,
        )

    return run


# ------------------------------------------------------------------------------------------
# host side
# ------------------------------------------------------------------------------------------


def _to_frame(
    out: SimOutput, seed, table: Table, task: int, N, J, indep, tcum, price, *, diag_name=None
):
    o = jax.tree_util.tree_map(np.asarray, out)
    if np.ndim(o.n_jobs) != 0:
        raise ValueError(
            f"to_frame takes the output of one run; got a batch of shape {np.shape(o.n_jobs)} "
            "(index one seed first)"
        )
    if bool(o.overflow_trials):
        raise ValueError(
            f"the run needed more than max_trials={N} trials and was cut short; pass a larger "
            "max_trials to make_simulator"
        )
    if bool(o.overflow_jobs):
        raise ValueError(
            f"the run needed more than max_jobs={J} jobs and was cut short; pass a larger "
            "max_jobs to make_simulator"
        )
    v = np.flatnonzero(o.valid)
    F = tcum.shape[-1]
    f = np.arange(F)
    tc = tcum[o.config[v], o.table_seed[v]]  # [n_jobs, F] float32, as on the device
    el = tc - o.base[v][:, None]
    t_f = o.start[v][:, None] + el  # same float32 operations as the device
    res, tgt = o.resume[v][:, None], o.target[v][:, None]
    rep = (f[None] == tgt) if indep else (f[None] > res) & (f[None] <= tgt)
    rep &= t_f <= o.budget
    prev_el = np.concatenate([np.zeros((len(v), 1), el.dtype), el[:, :-1]], axis=1)
    if indep:
        seg = el
    else:  # the first result of a job pays from the job's start
        seg = np.where(f[None] == res + 1, el, el - prev_el)
    cost = seg.astype(np.float64) * price[o.config[v]][:, None].astype(np.float64) / 3600.0
    at_t = f[None] == tgt
    dec = np.where(at_t, o.decision[v][:, None], CONTINUE)
    rung = np.where(at_t, o.rung[v][:, None], -1)
    jj, ff = np.nonzero(rep)  # rows by job (start order), then fidelity
    order = np.argsort(t_f[jj, ff], kind="stable")  # arrival order; ties: emission order
    jj, ff = jj[order], ff[order]
    vj = v[jj]
    cols: dict[str, Any] = {
        "seed": np.full(len(jj), seed, np.int64),
        "trial": o.trial[vj],
        "config": o.config[vj],
        "table_seed": o.table_seed[vj],
        "bracket": o.bracket[vj],
        "rung": rung[jj, ff],
        "fidelity_index": ff.astype(np.int32),
        "fidelity": np.asarray(table.fidelities)[ff],
    }
    vals = np.asarray(table.values[task])[o.config[vj], o.table_seed[vj], ff]  # [n, M]
    # back from minimization to the objectives' own directions
    vals = Objectives(table.objectives, table.directions).from_min(vals.astype(np.float64))
    for k, name in enumerate(table.objectives):
        cols[name] = vals[:, k]
    cols["time"] = t_f[jj, ff].astype(np.float64)
    cols["cost"] = np.cumsum(cost[jj, ff])
    cols["worker"] = o.worker[vj]
    cols["decision"] = pd.Categorical.from_codes(dec[jj, ff], categories=list(DECISIONS))
    if diag_name is not None:
        cols[diag_name] = o.diagnostic[vj].astype(np.float64)
    return pd.DataFrame(cols)
