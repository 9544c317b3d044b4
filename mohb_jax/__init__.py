"""mohb_jax: multi-objective Hyperband with hardware selection, in JAX.

Implements the method of Salinas, Perrone, Cruchant & Archambeau, "A multi-objective
perspective on jointly tuning hardware and hyperparameters" (arXiv 2106.05680): Hyperband /
ASHA whose rung decisions rank configurations by non-dominated sorting with an ε-net order
inside each front, plus Gaussian-copula transfer learning across tasks.

Submodules: :mod:`mohb_jax.pareto`, :mod:`mohb_jax.hypervolume`, :mod:`mohb_jax.tables`,
:mod:`mohb_jax.schedulers`, :mod:`mohb_jax.sim`, :mod:`mohb_jax.metrics`, :mod:`mohb_jax.transfer`,
:mod:`mohb_jax.testing`.
"""

from importlib import import_module as _import_module

__version__ = "0.1.0"

_SUBMODULES = (
    "pareto",
    "hypervolume",
    "tables",
    "schedulers",
    "lifecycle",
    "transfer",
    "testing",
    "sim",
    "metrics",
    "tune",
)


def __getattr__(name):  # lazy submodule import keeps `import mohb_jax` cheap
    if name in _SUBMODULES:
        return _import_module(f"mohb_jax.{name}")
    if name == "simulate":
        return _import_module("mohb_jax.sim").simulate
    if name == "Tuner":
        return _import_module("mohb_jax.tune").Tuner
    if name == "native_info":
        return _import_module("mohb_jax._src.native").info
    if name == "Objectives":
        return _import_module("mohb_jax._src.objectives").Objectives
    raise AttributeError(f"module 'mohb_jax' has no attribute {name!r}")


__all__ = ["__version__", *_SUBMODULES, "Objectives", "Tuner", "native_info", "simulate"]
