"""The trial lifecycle: the rules of a run around a scheduler, written once.

A scheduler (:mod:`mohb_jax.schedulers`) decides budgets and stops; the *lifecycle* decides
how a pool of W workers drives it. The jitted simulator (:mod:`mohb_jax.sim`) runs these
functions inside ``lax.while_loop``; a real dispatcher calls the very same (jitted) functions
one at a time from a Python event loop. Both therefore take the same decisions for the same
keys and the same sequence of results.

The rules:

* **Who asks, with which key.** After every event, each *free* worker asks the scheduler for
  work, in worker order (:meth:`Lifecycle.on_free_worker`); worker ``w`` asks with key
  ``fold_in(run.key, run.n_asks + w)`` whether or not the other workers are free, and the round
  ends with :meth:`Lifecycle.end_round` (``n_asks += W``). The initial fill of the idle pool is
  the first round. A free worker whose ask finds no job (``job.valid`` False) stays free; the
  ask is a state transition nevertheless.
* **Reports.** A job trains ``job.trial`` from its last reported fidelity up to
  ``job.fidelity`` (its *target*, a rung level). Every result on the way is reported with
  :meth:`Lifecycle.on_report`: a result below the target goes to the scheduler's ``observe``
  (the searcher learns from it, no decision: action :data:`OBSERVED`, the worker trains on);
  the result at the target goes to ``tell``, whose decision is the action: ``CONTINUE`` (the
  same worker trains the trial on to ``info.next_job`` without restarting), ``STOP``,
  ``DONE`` or ``PAUSED`` (the worker is free; a paused trial may be promoted later).
  :meth:`Lifecycle.on_job_end` is the same for a whole job at once (all its results, in order;
  what the simulator does at a job's completion event).
* **Independent fidelities** (each fidelity a separate training run from scratch, e.g. a
  learning-curve table whose anchors were fit independently): a job reports only its target,
  and a promoted trial starts again from scratch (:meth:`Lifecycle.resume_point` is -1).
* **Resuming.** A promoted (or continued) trial resumes from the last fidelity it reported
  (``run.trial_last[trial]``); results at or below it are not reported again.

Objective values are minimized (convert with :class:`mohb_jax.Objectives` on entry).

Example (a plain Python event loop; ``train(job, resume)`` yields ``(fidelity_index, y)``)::

    lc = make_lifecycle(scheduler, n_workers=4, independent_fidelities=False)
    run = lc.init(jax.random.key(0))
    jobs = [None] * 4
    while True:
        for w in range(4):                  # every free worker asks, in worker order
            if jobs[w] is None:
                run, job = lc.on_free_worker(run, w)
                jobs[w] = job if job.valid else None
        run = lc.end_round(run)
        ...                                 # wait for the next result of some worker w
        run, action, info = lc.on_report(run, jobs[w], f, y)
        if action == CONTINUE:
            jobs[w] = info.next_job
        elif action != OBSERVED:
            jobs[w] = None                  # STOP / DONE / PAUSED free the worker

References:
    Li et al. "A System for Massively Parallel Hyperparameter Tuning." MLSys 2020 (ASHA's
    asynchronous workers). Salinas et al. "Syne Tune." AutoML Conf 2022 (workers report every
    epoch; decisions at rung levels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.schedulers.core import (
    CONTINUE,
    DECISIONS,
    Scheduler,
    SchedulerState,
    check_result,
)
from mohb_jax._src.types import Job, no_job, select_tree
from mohb_jax._src.validate import is_concrete

#: action of a result below the job's target: observed, no decision, the worker trains on
OBSERVED = len(DECISIONS)
#: names of the actions of :meth:`Lifecycle.on_report`: the scheduler's decisions, then
#: ``"observed"``
ACTIONS = (*DECISIONS, "observed")


class RunState(NamedTuple):
    """The lifecycle's state of one run (N = the scheduler's ``max_trials``)."""

    sched: SchedulerState  # the scheduler's state
    key: Array  # base key of the asks: ask i gets fold_in(key, i)
    n_asks: Int[Array, ""]  # int32: asks numbered so far (W per round)
    trial_last: Int[Array, " n"]  # int32[N]: last reported fidelity index of each trial (-1 none)


class ReportInfo(NamedTuple):
    """What :meth:`Lifecycle.on_report` says besides the action (scalars)."""

    decision: Int[Array, ""]  # int32: the scheduler's decision at the target; -1 when observed
    next_job: Job  # the job the same worker goes on with when action == CONTINUE (else invalid)
    position: Int[Array, ""]  # int32: position among the rung's results (-1 when observed)
    n_rung: Int[Array, ""]  # int32: results at that rung (0 when observed)


class Lifecycle(NamedTuple):
    """The lifecycle of runs of one scheduler on W workers (see the module docstring).

    Every function is pure, jit-able and vmap-able (no host callbacks).

    Attributes:
        init: ``init(key) -> RunState``. Splits ``key`` as ``(scheduler init, asks, env)``
            (:func:`run_keys`); the third key is left to the caller (the simulator draws the
            table seeds of the trials with it).
        on_free_worker: ``on_free_worker(run, worker) -> (run, job)``: free ``worker`` asks
            with key ``fold_in(run.key, run.n_asks + worker)``; ``job.valid`` False: nothing
            to do now (the ask is still a state transition).
        end_round: ``end_round(run) -> run``: the free workers of this round have asked
            (``n_asks += W``).
        on_report: ``on_report(run, job, fidelity_index, y) -> (run, action, info)``: one
            result of ``job`` (``y``: float[M], minimized); see the module docstring. Called
            eagerly it checks its arguments (:func:`check_report`: NaN, a fidelity outside
            (last reported, target]); a caller that jits it checks with
            :func:`check_report` first (jitted internals assume valid input).
        on_job_end: ``on_job_end(run, job, ys) -> (run, action, info)``: all results of
            ``job`` at once (``ys``: float[F, M], the trial's results at every fidelity; those
            after ``trial_last[job.trial]`` and up to the target are reported, in order; only
            the target for independent fidelities). Equal to calling ``on_report`` for each.
        resume_point: ``resume_point(run, trial) -> int32[]``: the fidelity index a job of
            ``trial`` resumes from (-1: from scratch).
        keeps_worker: ``keeps_worker(action) -> bool[]``: the worker stays busy (observed or
            continue).
        scheduler: the scheduler.
        n_workers: W.
        independent_fidelities: see the module docstring.
    """

    init: Callable[[Array], RunState]
    on_free_worker: Callable[[RunState, Int[Array, ""]], tuple[RunState, Job]]
    end_round: Callable[[RunState], RunState]
    on_report: Callable[
        [RunState, Job, Int[Array, ""], Float[Array, " m"]],
        tuple[RunState, Int[Array, ""], ReportInfo],
    ]
    on_job_end: Callable[
        [RunState, Job, Float[Array, "f m"]], tuple[RunState, Int[Array, ""], ReportInfo]
    ]
    resume_point: Callable[[RunState, Int[Array, ""]], Int[Array, ""]]
    keeps_worker: Callable[[Int[Array, ""]], Bool[Array, ""]]
    scheduler: Scheduler
    n_workers: int
    independent_fidelities: bool


def run_keys(key: Array) -> tuple[Array, Array, Array]:
    """``(scheduler init key, base key of the asks, environment key)`` of a run's key."""
    k_sched, k_asks, k_env = jax.random.split(key, 3)
    return k_sched, k_asks, k_env


def make_lifecycle(
    scheduler: Scheduler, n_workers: int, *, independent_fidelities: bool = False
) -> Lifecycle:
    """The lifecycle of ``scheduler`` driven by ``n_workers`` workers.

    Args:
        scheduler: a :class:`~mohb_jax.schedulers.Scheduler` (e.g. from ``make_method``).
        n_workers: W, the number of workers (fixes the ask keys: see :meth:`Lifecycle.end_round`).
        independent_fidelities: each fidelity is a separate run from scratch (only a job's
            target is reported; no resuming).

    Returns:
        A :class:`Lifecycle`.

    Raises:
        ValueError: ``n_workers`` not a positive integer.
    """
    if isinstance(n_workers, bool) or int(n_workers) != n_workers or n_workers < 1:
        raise ValueError(f"n_workers must be a positive integer; got {n_workers!r}")
    W = int(n_workers)
    N = scheduler.max_trials
    indep = bool(independent_fidelities)

    def init(key) -> RunState:
        k_sched, k_asks, _ = run_keys(key)
        return RunState(
            sched=scheduler.init(k_sched),
            key=k_asks,
            n_asks=jnp.int32(0),
            trial_last=jnp.full((N,), -1, jnp.int32),
        )

    def on_free_worker(run: RunState, worker) -> tuple[RunState, Job]:
        k = jax.random.fold_in(run.key, run.n_asks + worker)
        job, st = scheduler.ask(k, run.sched)
        return run._replace(sched=st), job

    def end_round(run: RunState) -> RunState:
        return run._replace(n_asks=run.n_asks + W)

    def observe(run: RunState, job: Job, f, y) -> RunState:
        # observe only touches the searcher's state
        st = scheduler.observe(run.sched, job, f, y)
        t = job.trial
        return run._replace(sched=st, trial_last=run.trial_last.at[t].set(f))

    def tell(run: RunState, job: Job, y):
        st, decision, info = scheduler.tell(run.sched, job, y)
        t = job.trial
        run = run._replace(sched=st, trial_last=run.trial_last.at[t].set(job.fidelity))
        rinfo = ReportInfo(decision, info.next_job, info.position, info.n_rung)
        return run, decision, rinfo

    def on_report(run: RunState, job: Job, f, y):
        if is_concrete(run.trial_last, job.fidelity, f, y):
            check_report(run, job, f, y, scheduler.n_objectives, indep)
        f = jnp.asarray(f, jnp.int32)
        m1 = jnp.int32(-1)

        def at_target(run):
            return tell(run, job, y)

        def between(run):
            info = ReportInfo(m1, no_job(), m1, jnp.int32(0))
            return observe(run, job, f, y), jnp.int32(OBSERVED), info

        run, action, info = jax.lax.cond(f >= job.fidelity, at_target, between, run)
        return run, action.astype(jnp.int32), info

    def on_job_end(run: RunState, job: Job, ys):
        if not indep:
            a = run.trial_last[job.trial]
            st = run.sched
            F = ys.shape[0]

            def obs(f, ss):  # the results passed on the way: observed, in order
                new = scheduler.observe(st._replace(searcher=ss), job, f, ys[f]).searcher
                return select_tree((f > a) & (f < job.fidelity), new, ss)

            run = run._replace(
                sched=st._replace(searcher=jax.lax.fori_loop(0, F, obs, st.searcher))
            )
        return tell(run, job, ys[job.fidelity])

    def resume_point(run: RunState, trial):
        if indep:
            return jnp.int32(-1)
        return run.trial_last[trial]

    def keeps_worker(action):
        return (action == CONTINUE) | (action == OBSERVED)

    return Lifecycle(
        init=init,
        on_free_worker=on_free_worker,
        end_round=end_round,
        on_report=on_report,
        on_job_end=on_job_end,
        resume_point=resume_point,
        keeps_worker=keeps_worker,
        scheduler=scheduler,
        n_workers=W,
        independent_fidelities=indep,
    )


def check_report(run: RunState, job: Job, f, y, n_objectives: int, indep: bool) -> None:
    """Eager checks of one :meth:`Lifecycle.on_report` call (concrete values only).

    Raises:
        ValueError: an invalid job, a fidelity outside (last reported, target], a fidelity
            below the target for independent fidelities, or a bad result (:func:`check_result`).
    """
    if not bool(job.valid):
        raise ValueError("on_report got an invalid job (job.valid is False): nothing runs")
    f, tgt = int(f), int(job.fidelity)
    last = int(run.trial_last[int(job.trial)])
    if not last < f <= tgt:
        raise ValueError(
            f"trial {int(job.trial)} reported fidelity index {f}; expected one in "
            f"({last}, {tgt}] (after its last report, up to the job's target)"
        )
    if indep and f != tgt:
        raise ValueError(
            f"independent fidelities: a job reports only its target {tgt}; got fidelity index {f}"
        )
    check_result(y, n_objectives)
