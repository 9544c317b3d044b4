"""Anytime metrics of sweeps: hypervolume over time / cost, bands, time-to-target, speed-ups.

Definitions (fixed reference point per benchmark, censoring of runs that never reach a target,
bootstrap confidence intervals) are in :mod:`mohb_jax._src.sim.metrics`.

HV can be read as a fraction of the best any tuner can reach on the table
(:func:`best_hypervolume`, same counting rule and reference point), so 1.0 = the whole front.

Example::

    from mohb_jax import metrics
    tr = metrics.hypervolume_traces(df, objectives=["val_error", "cost_usd"], ref=[1.0, 0.5])
    best = metrics.best_hypervolume(table, ["val_error", "cost_usd"], ref=[1.0, 0.5])
    tr["hv"] /= best  # or hypervolume_traces(..., scale=best)
    band = metrics.aggregate_curves(tr, x="time")
    print(metrics.speedups(tr, baseline="random", x="cost"))
"""

from mohb_jax._src.sim.metrics import (
    aggregate_curves,
    best_hypervolume,
    counted_mask,
    curves_on_grid,
    default_target,
    final_hypervolume,
    hypervolume_traces,
    objective_matrix,
    reachable_front,
    resolve_objectives,
    speedups,
    time_to_target,
)

__all__ = [
    "aggregate_curves",
    "best_hypervolume",
    "counted_mask",
    "curves_on_grid",
    "default_target",
    "final_hypervolume",
    "hypervolume_traces",
    "objective_matrix",
    "reachable_front",
    "resolve_objectives",
    "speedups",
    "time_to_target",
]
