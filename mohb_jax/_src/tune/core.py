"""The driver's only door to the scheduler: the jitted lifecycle functions
(:mod:`mohb_jax.lifecycle`) the simulator runs, so every rule exists once.

The run key splits into the scheduler's ``init`` key, the asks' base key and a key the
simulator uses for table seeds (unused here); free worker ``w`` asks with
``fold_in(base, n_asks + w)``, each round of asks ends with ``n_asks += n_workers``. Results
below a job's target fidelity are observed, the result at the target is told.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.lifecycle import make_lifecycle
from mohb_jax._src.schedulers.core import CONTINUE, make_scheduler
from mohb_jax._src.schedulers.schedule import make_schedule
from mohb_jax._src.sim.driver import METHODS as _SIM_METHODS
from mohb_jax._src.sim.sweep import METHODS as _SWEEP_METHODS
from mohb_jax._src.types import Job

#: method label -> (scheduler, rule): the simulator's method names and the sweep's labels
METHODS: dict[str, tuple[str, str]] = {
    **_SIM_METHODS,
    **{
        label: (
            _SIM_METHODS[o["method"]][0],
            o.get("rule", _SIM_METHODS[o["method"]][1]),
        )
        for label, o in _SWEEP_METHODS.items()
    },
}


class HostJob(NamedTuple):
    """A :class:`~mohb_jax._src.types.Job` as Python ints (what the journal stores)."""

    trial: int
    config: int
    fidelity: int
    bracket: int
    rung: int
    valid: bool

    @classmethod
    def of(cls, job: Job) -> HostJob:
        v = jax.device_get(job)
        return cls(
            int(v.trial), int(v.config), int(v.fidelity), int(v.bracket), int(v.rung), bool(v.valid)
        )

    def device(self) -> Job:
        i = jnp.int32
        return Job(
            i(self.trial),
            i(self.config),
            i(self.fidelity),
            i(self.bracket),
            i(self.rung),
            jnp.bool_(self.valid),
        )


def resolve_method(method: str, rule: str | None, variant: str) -> dict[str, Any]:
    """``{"scheduler", "rule", "variant"}`` of a method label (see :data:`METHODS`)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {tuple(METHODS)}")
    sched, default_rule = METHODS[method]
    rule = default_rule if rule is None else rule
    if method == "random" and rule != "random":
        raise ValueError(f"method 'random' has no rule; got rule={rule!r}")
    return {"scheduler": sched, "rule": rule, "variant": variant}


class SchedulerCore:
    """Builds the scheduler and its lifecycle from the static configuration; calls their
    jitted functions (:func:`mohb_jax.lifecycle.make_lifecycle`: the simulator's rules).

    Args:
        config: the journal header's ``scheduler`` entry: ``scheduler``, ``rule``, ``variant``,
            ``eta``, ``grid``, ``n_brackets``, ``max_trials``, ``n_objectives``, ``seed``.
        searcher: the :class:`~mohb_jax._src.types.Searcher`.
        n_workers: W (fixes the ask keys).
    """

    def __init__(self, config: dict[str, Any], searcher, n_workers: int):
        sched_name, rule = config["scheduler"], config["rule"]
        nb = config.get("n_brackets")
        schedule = make_schedule(
            np.asarray(config["grid"], np.float64),
            eta=config["eta"],
            n_brackets=(1 if sched_name == "asha" and nb is None else nb),
            single_rung=(rule == "random"),
        )
        self.schedule = schedule
        self.sched = make_scheduler(
            schedule,
            searcher,
            n_objectives=int(config["n_objectives"]),
            max_trials=int(config["max_trials"]),
            method=sched_name,
            rule=rule,
            variant=config["variant"],
        )
        self.lc = make_lifecycle(self.sched, int(n_workers))
        self.levels = [int(x) for x in schedule.levels]
        self._init = jax.jit(self.lc.init)
        self._ask = jax.jit(self.lc.on_free_worker)
        self._end_round = jax.jit(self.lc.end_round)
        self._report = jax.jit(self.lc.on_report)
        self._key = jax.random.key(int(config["seed"]))
        self.M = int(config["n_objectives"])

    def init(self):
        return self._init(self._key)

    def ask(self, run, worker: int) -> tuple[HostJob, Any]:
        """Free ``worker`` asks (key ``fold_in(base, n_asks + worker)``)."""
        run, job = self._ask(run, jnp.int32(worker))
        return HostJob.of(job), run

    def end_round(self, run):
        return self._end_round(run)

    def report(self, run, job: HostJob, f: int, y) -> tuple[Any, int, HostJob | None]:
        """A result of ``job`` at fidelity index ``f`` (observed below the target, told at
        it); returns ``(run, action, next_job)``: ``action`` is the scheduler's decision or
        ``mohb_jax.lifecycle.OBSERVED``, ``next_job`` the job a CONTINUE goes on with."""
        run, action, info = self._report(
            run, job.device(), jnp.int32(f), jnp.asarray(y, jnp.float32)
        )
        a = int(action)
        nxt = HostJob.of(info.next_job) if a == CONTINUE else None
        return run, a, nxt

    def warm_up(self) -> None:
        """Compile every function now (a throwaway state), not at the first event."""
        run = self.init()
        job, run = self.ask(run, 0)
        self.end_round(run)
        if job.valid:
            y = np.zeros(self.M, np.float32)
            self.report(run, job, job.fidelity, y)


#: op codes of :meth:`SchedulerCore.replay_ops`
OP_ASK, OP_END_ROUND, OP_REPORT, OP_NOOP = 0, 1, 2, 3


class Ops(NamedTuple):
    """A journal's scheduler calls as arrays (R ops), for one compiled replay."""

    kind: np.ndarray  # int32[R]: OP_ASK / OP_END_ROUND / OP_REPORT / OP_NOOP (padding)
    worker: np.ndarray  # int32[R]: the asking worker (OP_ASK)
    job: np.ndarray  # int32[R, 6]: the reported job as journaled (OP_REPORT)
    f: np.ndarray  # int32[R]: fidelity index of the result (OP_REPORT)
    y: np.ndarray  # float32[R, M]: the result as told (OP_REPORT)


def _replay_fn(lc):
    def job_of(a):
        return Job(a[0], a[1], a[2], a[3], a[4], a[5].astype(bool))

    def arr(j: Job):
        return jnp.stack(
            [j.trial, j.config, j.fidelity, j.bracket, j.rung, j.valid.astype(jnp.int32)]
        ).astype(jnp.int32)

    neg = jnp.full((6,), -1, jnp.int32).at[5].set(0)

    def body(run, op):
        kind, w, ja, f, y = op

        def ask(run):
            run, job = lc.on_free_worker(run, w)
            return run, arr(job), jnp.int32(-1), neg

        def end(run):
            return lc.end_round(run), neg, jnp.int32(-1), neg

        def report(run):
            run, action, info = lc.on_report(run, job_of(ja), f, y)
            return run, neg, action.astype(jnp.int32), arr(info.next_job)

        def noop(run):
            return run, neg, jnp.int32(-1), neg

        run, asked, action, nxt = jax.lax.switch(kind, [ask, end, report, noop], run)
        return run, (asked, action, nxt)

    def replay(run, ops: Ops):
        return jax.lax.scan(body, run, (ops.kind, ops.worker, ops.job, ops.f, ops.y))

    return jax.jit(replay)


def replay_ops(core: SchedulerCore, run, ops: Ops):
    """All of a journal's scheduler calls in one compiled ``lax.scan`` (resume / replay).

    Returns ``(run, asked int32[R, 6], action int32[R], next_job int32[R, 6])``; the caller
    compares them with the journal. ``R`` is padded to a power of two (>= 256) with no-ops so
    that journals of similar length share one compiled program.
    """
    r = len(ops.kind)
    n = max(256, 1 << max(0, r - 1).bit_length())
    pad = n - r

    def p(a, fill):
        return np.concatenate([a, np.full((pad, *a.shape[1:]), fill, a.dtype)])

    ops = Ops(p(ops.kind, OP_NOOP), p(ops.worker, 0), p(ops.job, 0), p(ops.f, 0), p(ops.y, 0))
    if getattr(core, "_replay", None) is None:
        core._replay = _replay_fn(core.lc)
    run, (asked, action, nxt) = core._replay(run, Ops(*(jnp.asarray(a) for a in ops)))
    asked, action, nxt = jax.device_get((asked, action, nxt))
    return run, asked[:r], action[:r], nxt[:r]
