"""The trial lifecycle shared by the simulator and real dispatch: who asks, observe vs tell,
continue / pause / resume (see :mod:`mohb_jax._src.lifecycle` for the rules).

Example::

    lc = make_lifecycle(scheduler, n_workers=4)
    run = lc.init(jax.random.key(0))
    run, job = lc.on_free_worker(run, 0)
    run = lc.end_round(run)
    run, action, info = lc.on_report(run, job, job.fidelity, y)
"""

from mohb_jax._src.lifecycle import (
    ACTIONS,
    OBSERVED,
    Lifecycle,
    ReportInfo,
    RunState,
    check_report,
    make_lifecycle,
    run_keys,
)

__all__ = [
    "ACTIONS",
    "OBSERVED",
    "Lifecycle",
    "ReportInfo",
    "RunState",
    "check_report",
    "make_lifecycle",
    "run_keys",
]
