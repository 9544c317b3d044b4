"""Tune a real training function over hyperparameters **and hardware** (public API).

The same jitted schedulers the simulator runs (MO-ASHA stopping / promotion, synchronous
MO-Hyperband; rules epsnet, crowding, scalarize, single, random) drive real trials, each job in
its own freshly started process pinned to its hardware's CPUs, with a crash-safe journal that
:meth:`Tuner.resume` replays. Cost = the runner-measured training time × the hardware's $/h.

Example::

    from mohb_jax.tune import Tuner, Hardware, loguniform, choice

    def train(config, ctx):                       # module level: the worker imports it
        state = ctx.load_checkpoint() or init(config)
        for epoch in ctx.fidelities():
            state = fit_one_epoch(state)
            ctx.report(epoch, val_error=evaluate(state))
            ctx.save_checkpoint(state)

    results = Tuner(
        train, {"lr": loguniform(1e-4, 1e-1), "width": choice([32, 64])},
        hardware=[Hardware("1cpu", 0.0408, cpus=[0], env={"XLA_FLAGS": "..."}),
                  Hardware("2cpu", 0.0816, cpus=[0, 1])],
        objectives={"val_error": "min", "cost_usd": "min"},
        fidelity=[1, 2, 4, 8], journal="runs/exp1", stop={"wallclock_s": 600},
    ).run()
    results.pareto(); results.to_table()          # Tuner.resume("runs/exp1", train).run()

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv 2106.05680 (2021).
"""

from mohb_jax._src.methods import METHODS
from mohb_jax._src.tune.context import TrialContext, load_pytree, save_pytree
from mohb_jax._src.tune.executor import Event, Executor, JobSpec, LocalExecutor
from mohb_jax._src.tune.hardware import Hardware
from mohb_jax._src.tune.journal import read_journal
from mohb_jax._src.tune.ray_executor import RayExecutor
from mohb_jax._src.tune.replay import copula_from_table, replay
from mohb_jax._src.tune.space import Domain, choice, loguniform, randint, uniform
from mohb_jax._src.tune.tuner import (
    RUNNER_OBJECTIVES,
    ReplayMismatch,
    Results,
    Stop,
    Tuner,
)

__all__ = [
    "RayExecutor",
    "METHODS",
    "RUNNER_OBJECTIVES",
    "Domain",
    "Event",
    "Executor",
    "Hardware",
    "JobSpec",
    "LocalExecutor",
    "ReplayMismatch",
    "Results",
    "Stop",
    "TrialContext",
    "Tuner",
    "choice",
    "copula_from_table",
    "load_pytree",
    "loguniform",
    "randint",
    "read_journal",
    "replay",
    "save_pytree",
    "uniform",
]
