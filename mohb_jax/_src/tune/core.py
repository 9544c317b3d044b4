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
from mohb_jax._src.methods import make_method
from mohb_jax._src.methods import resolve_method as _resolve
from mohb_jax._src.schedulers.core import CONTINUE
from mohb_jax._src.types import Job


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


def resolve_method(
    method: str, rule: str | None, variant: str | None, n_brackets: int | None
) -> dict[str, Any]:
    """The journal's description of a method of the registry
    (:data:`mohb_jax._src.methods.METHODS`): ``{"method", "scheduler", "rule", "variant",
    "n_brackets"}``."""
    spec = _resolve(method, rule=rule, variant=variant, n_brackets=n_brackets)
    return {
        "method": spec.name,
        "scheduler": spec.scheduler,
        "rule": spec.rule,
        "variant": spec.variant,
        "n_brackets": spec.n_brackets,
    }


class SchedulerCore:
    """Builds the method (:func:`mohb_jax._src.methods.make_method`) and its lifecycle from the
    static configuration; calls their
    jitted functions (:func:`mohb_jax.lifecycle.make_lifecycle`: the simulator's rules).

    Args:
        config: the journal header's ``scheduler`` entry: ``method`` (a name of the method
            registry), ``rule``, ``variant``, ``n_brackets``, ``eta``, ``grid``,
            ``max_trials``, ``n_objectives``, ``seed``, ``on_exhausted`` (absent in older
            journals: ``"idle"``).
        searcher: the :class:`~mohb_jax._src.types.Searcher`.
        n_workers: W (fixes the ask keys).
    """

    def __init__(self, config: dict[str, Any], searcher, n_workers: int):
        self.sched = make_method(
            config["method"],
            np.asarray(config["grid"], np.float64),
            searcher,
            n_objectives=int(config["n_objectives"]),
            max_trials=int(config["max_trials"]),
            eta=config["eta"],
            rule=config["rule"],
            variant=config["variant"],
            n_brackets=config["n_brackets"],
            on_exhausted=config.get("on_exhausted", "idle"),
        )
        self.schedule = self.sched.schedule
        self.lc = make_lifecycle(self.sched, int(n_workers))
        self.levels = [int(x) for x in self.schedule.levels]
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
