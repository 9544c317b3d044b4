"""NAS searchers on NAS-Bench-201 by name, the pieces they share, and an ε-net evolution.

Every searcher here follows the :class:`~mohb_jax._src.types.Searcher` contract over the
configurations of a NAS-Bench-201 table (config ``i`` = official architecture index ``i``):
pure, jittable, fixed capacity, never proposes a configuration twice (a ``proposed`` mask;
when a method's own proposal was already used it falls back to the next unproposed entry of
a random permutation drawn at ``init``, so ``ok`` is False only once the space is exhausted).

``epsnet_evo`` is our own evolutionary baseline built on the rung order of Salinas et al.
(2021) (:func:`mohb_jax.pareto.rung_rank`: non-dominated sorting, greedy ε-net inside each
front): after ``n_init`` random architectures, a parent is chosen by a binary tournament on the
rung rank among the ``population`` best observed architectures, and mutated (each edge with
probability 1/6, at least one edge), in the style of regularized evolution (Real et al., AAAI
2019) with a multi-objective selection.

References:
    D. Salinas, V. Perrone, O. Cruchant, C. Archambeau. "A multi-objective perspective on
    jointly tuning hardware and hyperparameters." arXiv 2106.05680, 2021.
    E. Real, A. Aggarwal, Y. Huang, Q. V. Le. "Regularized Evolution for Image Classifier
    Architecture Search." AAAI 2019.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.nas.nb201 import N_ARCHS, N_EDGES, N_OPS, build_code_to_index
from mohb_jax._src.pareto import rung_rank
from mohb_jax._src.types import Searcher

_POW5 = jnp.asarray([N_OPS**j for j in range(N_EDGES)], jnp.int32)


def check_codes(op_codes) -> np.ndarray:
    """The full NAS-Bench-201 space's op codes ``int32[15625, 6]`` (``ValueError`` otherwise)."""
    c = np.asarray(op_codes)
    if c.shape != (N_ARCHS, N_EDGES):
        raise ValueError(
            f"NAS searchers need the op codes of all {N_ARCHS} NAS-Bench-201 architectures "
            f"(config i = architecture i); got shape {c.shape}"
        )
    build_code_to_index(c)  # validates values and that it is a permutation of the space
    return c.astype(np.int32)


class Pool(NamedTuple):
    """What every NAS searcher keeps to never repeat itself."""

    perm: Int[Array, " c"]  # int32[C]: random permutation of the configurations
    ptr: Int[Array, ""]  # int32: first position of `perm` not known to be proposed
    proposed: Bool[Array, " c"]  # bool[C]: already proposed


def pool_init(key, n: int) -> Pool:
    perm = jax.random.permutation(key, n).astype(jnp.int32)
    return Pool(perm, jnp.int32(0), jnp.zeros(n, bool))


def pool_take(pool: Pool, want, want_ok):
    """Propose ``want`` if ``want_ok`` and it is unproposed, else the next unproposed entry of
    the permutation. Returns ``(config, ok, pool)``."""
    n = pool.perm.shape[0]
    use_want = want_ok & ~pool.proposed[want]

    def cond(p):
        return (p < n) & pool.proposed[pool.perm[jnp.minimum(p, n - 1)]]

    ptr = lax.while_loop(cond, lambda p: p + 1, pool.ptr)
    fb_ok = ptr < n
    fb = pool.perm[jnp.minimum(ptr, n - 1)]
    config = jnp.where(use_want, want, fb).astype(jnp.int32)
    ok = use_want | fb_ok
    proposed = pool.proposed.at[config].set(pool.proposed[config] | ok)
    return config, ok, Pool(pool.perm, ptr, proposed)


class History(NamedTuple):
    """Observations kept by a searcher (fixed capacity K; later ones are dropped)."""

    config: Int[Array, " k"]  # int32[K]: observed configurations (-1: empty)
    y: Float[Array, "k m"]  # float32[K, M]: their objectives (minimization)
    n: Int[Array, ""]  # int32: filled rows


def history_init(capacity: int, n_obj: int) -> History:
    return History(
        jnp.full(capacity, -1, jnp.int32), jnp.zeros((capacity, n_obj), jnp.float32), jnp.int32(0)
    )


def history_add(h: History, config, y) -> History:
    k = h.config.shape[0]
    slot = jnp.minimum(h.n, k - 1)
    keep = h.n < k
    return History(
        config=h.config.at[slot].set(jnp.where(keep, config, h.config[slot])),
        y=h.y.at[slot].set(jnp.where(keep, jnp.asarray(y, jnp.float32), h.y[slot])),
        n=h.n + keep.astype(jnp.int32),
    )


def mutate(key, code: Int[Array, " 6"], rate: float = 1.0 / N_EDGES) -> Int[Array, " 6"]:
    """Each edge gets a different random op with probability ``rate``; at least one edge."""
    k1, k2, k3 = jax.random.split(key, 3)
    flip = jax.random.uniform(k1, (N_EDGES,)) < rate
    flip = flip.at[jax.random.randint(k2, (), 0, N_EDGES)].set(True)
    shift = jax.random.randint(k3, (N_EDGES,), 1, N_OPS)  # a different op
    return jnp.where(flip, (code + shift) % N_OPS, code)


class EvoState(NamedTuple):
    pool: Pool
    hist: History


def epsnet_evo_searcher(
    op_codes,
    *,
    n_objectives: int = 2,
    capacity: int = 512,
    n_init: int = 10,
    population: int = 20,
    max_tries: int = 8,
) -> Searcher:
    """Evolution with the ε-net rung order as selection (our baseline; see module docstring).

    Args:
        op_codes: int[15625, 6] op codes of the table's configurations (official order).
        n_objectives: objectives ``observe`` receives.
        capacity: observations kept (K).
        n_init: random architectures before evolution starts.
        population: the ``population`` best observed (by rung rank) are the parents.
        max_tries: mutations tried for an unproposed child before falling back to random.
    """
    codes_np = check_codes(op_codes)
    codes = jnp.asarray(codes_np)
    index = jnp.asarray(build_code_to_index(codes_np))
    if not (1 <= n_init and 2 <= population and capacity >= n_init and max_tries >= 1):
        raise ValueError("need n_init >= 1, population >= 2, capacity >= n_init, max_tries >= 1")

    def init(key):
        return EvoState(pool_init(key, N_ARCHS), history_init(capacity, n_objectives))

    def propose(key, s: EvoState):
        h = s.hist
        valid = jnp.arange(capacity) < h.n
        rank = rung_rank(h.y, valid)
        kt, km = jax.random.split(key)
        n_pop = jnp.maximum(jnp.minimum(h.n, population), 1)
        # the rows with rank < n_pop are the population; pick two positions, keep the better
        pos = jax.random.randint(kt, (2,), 0, n_pop)
        best = jnp.min(pos)
        parent = h.config[jnp.argmax(valid & (rank == best))]

        def body(c):
            i, child, found = c
            cand = index[jnp.sum(mutate(jax.random.fold_in(km, i), codes[parent]) * _POW5)]
            new = ~found & ~s.pool.proposed[cand]
            return i + 1, jnp.where(new, cand, child), found | new

        _, child, found = lax.while_loop(
            lambda c: (c[0] < max_tries) & ~c[2], body, (0, parent, False)
        )
        want_ok = found & (h.n >= n_init)
        config, ok, pool = pool_take(s.pool, child, want_ok)
        return config, ok, s._replace(pool=pool)

    def observe(s: EvoState, config, fidelity, y):
        del fidelity
        return s._replace(hist=history_add(s.hist, config, y))

    return Searcher(init=init, propose=propose, observe=observe)
