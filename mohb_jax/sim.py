"""Vectorized simulation of tuning methods on offline tables, and saving its results.

``simulate`` runs many seeds of one method at once (mapped over seeds, chunked, sharded over
all devices: call ``use_cpu_cores()`` first to get one CPU device per core); ``compare`` runs
several methods on the same seeds. Results are one tidy long DataFrame;
:mod:`mohb_jax.metrics` turns it into anytime hypervolume curves, time-to-target and speed-ups.

Example::

    import mohb_jax
    df = mohb_jax.simulate("embedded", method="epsnet", seeds=100, n_workers=4, budget="100x")
    mohb_jax.sim.save_results(df, "mohb_results/epsnet")
"""

from mohb_jax._src.sim.driver import make_simulator, max_fidelity_budget
from mohb_jax._src.sim.export import load_results, save_results, to_syne_tune
from mohb_jax._src.sim.plots import plot_front, plot_hypervolume
from mohb_jax._src.sim.sweep import (
    METHODS,
    Sweep,
    budget_seconds,
    compare,
    make_sweep,
    parse_seeds,
    reference_point_for,
    simulate,
    use_cpu_cores,
    use_loop_kernels,
)

__all__ = [
    "METHODS",
    "Sweep",
    "budget_seconds",
    "compare",
    "load_results",
    "make_simulator",
    "make_sweep",
    "max_fidelity_budget",
    "parse_seeds",
    "plot_front",
    "plot_hypervolume",
    "reference_point_for",
    "save_results",
    "simulate",
    "to_syne_tune",
    "use_cpu_cores",
    "use_loop_kernels",
]
