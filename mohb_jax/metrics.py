"""Anytime metrics of sweeps: hypervolume over time / cost, bands, time-to-target, speed-ups.

Definitions (fixed reference point per benchmark, censoring of runs that never reach a target,
bootstrap confidence intervals) are in :mod:`mohb_jax._src.sim.metrics`.

Example::

    from mohb_jax import metrics
    tr = metrics.hypervolume_traces(df, objectives=["val_error", "cost_usd"], ref=[1.0, 0.5])
    band = metrics.aggregate_curves(tr, x="time")
    print(metrics.speedups(tr, baseline="random", x="cost"))
"""

from mohb_jax._src.sim.metrics import (
    aggregate_curves,
    curves_on_grid,
    default_target,
    final_hypervolume,
    hypervolume_traces,
    objective_matrix,
    speedups,
    time_to_target,
)

__all__ = [
    "aggregate_curves",
    "curves_on_grid",
    "default_target",
    "final_hypervolume",
    "hypervolume_traces",
    "objective_matrix",
    "speedups",
    "time_to_target",
]
