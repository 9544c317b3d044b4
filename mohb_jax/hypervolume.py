"""Hypervolume kernels (all objectives minimized): exact, Monte Carlo, contributions, curves.

``y: float[..., N, M]``, ``ref: float[..., M]``, optional ``mask: bool[..., N]``; leading batch
dims are computed as one batch; jit/vmap-able. See :mod:`mohb_jax._src.hypervolume` for the
algorithms and their references.

Example:
    >>> import jax.numpy as jnp
    >>> from mohb_jax.hypervolume import hypervolume, hypervolume_curve, reference_point
    >>> y = jnp.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    >>> ref = reference_point(y, margin=0.5)  # [4., 4.]
    >>> hypervolume(y, ref), hypervolume_curve(y, ref)  # 6.0, [3., 5., 6.]
"""

from mohb_jax._src.hypervolume import (
    MAX_SLICING_WORK,
    hypervolume,
    hypervolume_contributions,
    hypervolume_curve,
    hypervolume_mc,
    normalize,
    objective_bounds,
    reference_point,
)

__all__ = [
    "MAX_SLICING_WORK",
    "hypervolume",
    "hypervolume_contributions",
    "hypervolume_curve",
    "hypervolume_mc",
    "normalize",
    "objective_bounds",
    "reference_point",
]
