"""The driver's only door to the scheduler: the same jitted ``init``/``ask``/``tell``/``observe``
the simulator runs, with the simulator's key schedule.

Keys follow :mod:`mohb_jax._src.sim.driver`: the run key splits into the scheduler's ``init``
key, the asks' base key (ask ``i`` gets ``fold_in(base, i)``; a fill after a completion gives
free worker ``w`` the index ``n_asks + w``, then ``n_asks += n_workers``) and a third key the
simulator uses for table seeds (unused here). Results below a job's target fidelity go to
``observe``, the result at the target to ``tell``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.schedulers.core import CONTINUE, make_scheduler
from mohb_jax._src.schedulers.schedule import make_schedule
from mohb_jax._src.types import Job

#: method label -> (scheduler, rule); the simulator's and the sweep's names
METHODS: dict[str, tuple[str, str]] = {
    "epsnet": ("asha", "epsnet"),
    "crowding": ("asha", "crowding"),
    "scalarize": ("asha", "scalarize"),
    "single": ("asha", "single"),
    "random": ("asha", "random"),
    "moasha": ("asha", "epsnet"),
    "asha": ("asha", "single"),
    "mohb": ("hyperband", "epsnet"),
    "hyperband": ("hyperband", "single"),
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
    """Builds the scheduler from its static configuration and calls its jitted functions.

    Args:
        config: the journal header's ``scheduler`` entry: ``scheduler``, ``rule``, ``variant``,
            ``eta``, ``grid``, ``n_brackets``, ``max_trials``, ``n_objectives``, ``seed``.
        searcher: the :class:`~mohb_jax._src.types.Searcher`.
    """

    def __init__(self, config: dict[str, Any], searcher):
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
        self.levels = [int(x) for x in schedule.levels]
        self._init = jax.jit(self.sched.init)
        self._ask = jax.jit(self.sched.ask)
        self._tell = jax.jit(self.sched.tell)
        self._observe = jax.jit(self.sched.observe)
        k_sched, k_loop, _ = jax.random.split(jax.random.key(int(config["seed"])), 3)
        self._k_sched, self._k_loop = k_sched, k_loop
        self.M = int(config["n_objectives"])

    def init(self):
        return self._init(self._k_sched)

    def ask(self, state, i: int) -> tuple[HostJob, Any]:
        job, state = self._ask(jax.random.fold_in(self._k_loop, i), state)
        return HostJob.of(job), state

    def tell(self, state, job: HostJob, y) -> tuple[Any, int, HostJob | None]:
        state, decision, info = self._tell(state, job.device(), jnp.asarray(y, jnp.float32))
        d = int(decision)
        nxt = HostJob.of(info.next_job) if d == CONTINUE else None
        return state, d, nxt

    def observe(self, state, job: HostJob, fidelity: int, y):
        return self._observe(state, job.device(), jnp.int32(fidelity), jnp.asarray(y, jnp.float32))

    def warm_up(self) -> None:
        """Compile ask / tell / observe now (a throwaway state), not at the first event."""
        s = self.init()
        job, s = self.ask(s, 0)
        if job.valid:
            y = np.zeros(self.M, np.float32)
            self.observe(s, job, 0, y)
            self.tell(s, job, y)
