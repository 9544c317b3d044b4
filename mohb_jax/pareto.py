"""Pareto kernels (all minimize): dominance, non-dominated sorting, crowding, the rung rule.

Inputs are ``float[..., N, M]`` with any leading batch dims and an optional ``bool[..., N]``
mask (False = padding). Every function is jit-able and vmap-able. Called on arrays (not while
tracing), the kernels of ``nondominated_ranks``, ``pareto_mask`` and ``rung_rank`` are compiled
for 512-bit vectors on CPUs with AVX-512; ``MOHB_JAX_VECTOR_WIDTH=256|512|default`` overrides
this. Results are the same either way.

Example:
    >>> import jax.numpy as jnp
    >>> from mohb_jax.pareto import nondominated_ranks, rung_rank
    >>> y = jnp.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]])
    >>> nondominated_ranks(y).tolist(), rung_rank(y).tolist()
    ([0, 0, 1], [0, 1, 2])
"""

from mohb_jax._src.pareto import (
    EPSNET_MODES,
    TIE_BREAKS,
    crowding_distance,
    dominates,
    nondominated_ranks,
    pareto_mask,
    rung_position,
    rung_rank,
)

__all__ = [
    "EPSNET_MODES",
    "TIE_BREAKS",
    "crowding_distance",
    "dominates",
    "nondominated_ranks",
    "pareto_mask",
    "rung_position",
    "rung_rank",
]
