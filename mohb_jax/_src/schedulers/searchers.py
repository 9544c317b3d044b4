"""Searchers: which configuration a new trial gets (the :class:`~mohb_jax._src.types.Searcher`
contract). Schedulers decide budgets and stops; searchers only propose configurations.

``random_searcher`` samples the table's configurations uniformly **without replacement**: a
random permutation of the allowed configurations is drawn once at ``init`` (one sort per run,
not per proposal), then ``propose`` walks it with a pointer. This is how both public MO-ASHA
implementations pick new configurations (uniformly at random), restricted to a finite table.

References:
    Bergstra & Bengio. "Random Search for Hyper-Parameter Optimization." JMLR 13 (2012).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Int

from mohb_jax._src.types import Searcher


class RandomSearcherState(NamedTuple):
    order: Int[Array, " c"]  # int32[C]: a permutation; allowed configs first
    pointer: Int[Array, ""]  # int32[]: next position of `order` to propose


def random_searcher(allowed: Bool[Array, " c"] | np.ndarray) -> Searcher:
    """Uniform random search over a finite set of configurations, without replacement.

    Args:
        allowed: bool[C]; True for configurations that may be proposed (e.g. those with at
            least one complete evaluation in the table). At least one must be True.

    Returns:
        A :class:`Searcher`. ``propose`` returns ``ok=False`` once every allowed
        configuration has been proposed; ``observe`` ignores results.

    Raises:
        ValueError: ``allowed`` is not 1-D or has no True entry.
    """
    allowed_np = np.asarray(allowed, dtype=bool)
    if allowed_np.ndim != 1 or not allowed_np.any():
        raise ValueError(
            f"allowed must be a 1-D boolean array with at least one True; got shape "
            f"{allowed_np.shape} with {int(allowed_np.sum())} True"
        )
    n_allowed = int(allowed_np.sum())
    allowed_j = jnp.asarray(allowed_np)

    def init(key) -> RandomSearcherState:
        u = jax.random.uniform(key, allowed_j.shape)
        # allowed configs get keys in [0, 1), the others in [2, 3): they sort last
        order = jnp.argsort(jnp.where(allowed_j, u, u + 2.0)).astype(jnp.int32)
        return RandomSearcherState(order=order, pointer=jnp.int32(0))

    def propose(key, state: RandomSearcherState):
        del key  # the permutation drawn at init already holds the randomness
        ok = state.pointer < n_allowed
        config = state.order[jnp.minimum(state.pointer, n_allowed - 1)]
        return config, ok, state._replace(pointer=state.pointer + ok.astype(jnp.int32))

    def observe(state, config, fidelity, y):
        del config, fidelity, y
        return state

    return Searcher(init=init, propose=propose, observe=observe)


SEARCHERS = {"random": random_searcher}
