"""Multi-objective Hyperband and ASHA as pure, jit/vmap-able state machines.

Salinas, Perrone, Cruchant, Archambeau, "A multi-objective perspective on jointly tuning
hardware and hyperparameters" (arXiv 2106.05680); Schmucker et al., "Multi-objective
Asynchronous Successive Halving" (arXiv 2106.12639); Li et al., Hyperband (JMLR 2018) and ASHA
(MLSys 2020).

A method is built by name from one registry (:data:`METHODS`, :func:`make_method`), with the
same defaults whoever calls it; :func:`make_scheduler` is the lower-level factory of a
scheduler kind on an explicit schedule.

Example::

    sched = make_method("epsnet", table.fidelities, random_searcher(allowed),
                        n_objectives=2, max_trials=256)
    state = sched.init(jax.random.key(0))
    job, state = sched.ask(jax.random.key(1), state)
    state, decision, info = sched.tell(state, job, y)
"""

from mohb_jax._src.methods import (
    ASHA_BRACKETS,
    METHODS,
    MethodSpec,
    make_method,
    resolve_method,
)
from mohb_jax._src.schedulers.core import (
    CONTINUE,
    DECISIONS,
    DONE,
    ON_EXHAUSTED,
    PAUSED,
    RULES,
    SCHEDULERS,
    STOP,
    VARIANTS,
    Scheduler,
    SchedulerState,
    TellInfo,
    check_result,
    make_rank_fn,
    make_scheduler,
    scalar_positions,
)
from mohb_jax._src.schedulers.schedule import (
    Schedule,
    hyperband_brackets,
    make_schedule,
    map_to_grid,
    rung_levels,
)
from mohb_jax._src.schedulers.searchers import SEARCHERS, random_searcher
from mohb_jax._src.types import Job, Searcher

__all__ = [
    "ASHA_BRACKETS",
    "CONTINUE",
    "DECISIONS",
    "DONE",
    "PAUSED",
    "RULES",
    "SCHEDULERS",
    "SEARCHERS",
    "STOP",
    "VARIANTS",
    "Job",
    "METHODS",
    "ON_EXHAUSTED",
    "MethodSpec",
    "Schedule",
    "Scheduler",
    "SchedulerState",
    "Searcher",
    "TellInfo",
    "check_result",
    "hyperband_brackets",
    "make_method",
    "make_rank_fn",
    "make_schedule",
    "make_scheduler",
    "map_to_grid",
    "random_searcher",
    "resolve_method",
    "rung_levels",
    "scalar_positions",
]
