"""Scoring fronts on NAS-Bench-201 devices, and the per-device search baselines.

Protocol (as MODNAS's NB201 evaluation, Sukthanker et al., ICLR 2025): on one device, both
objectives (error %, latency) are min-max normalised over all 15 625 architectures; a set of
architectures is scored by its true values with

- **HV fraction**: hypervolume w.r.t. the reference point ``(1, 1)`` (the worst corner of the
  space) divided by that of the device's true Pareto front;
- **IGD**: mean over true-front points of the Euclidean distance to the nearest found point;
- **IGD+**: the same with the dominance-compliant distance ``|max(a - z, 0)|`` (Ishibuchi et
  al., EMO 2015).

Baselines, each with the same number ``B`` of true evaluations per device (vmap over seeds):
random search (without replacement); a steady-state evolutionary search whose parents are
chosen by :func:`mohb_jax.pareto.rung_rank` (non-dominated sorting + greedy ε-net, or NSGA-II
crowding) and whose children are single-edge mutations; and any
:class:`~mohb_jax._src.types.Searcher` (e.g. the copula transfer searcher) run for ``B``
proposals.

References:
    H. Ishibuchi, H. Masuda, Y. Tanigaki, Y. Nojima. "Modified distance calculation in
    generational distance and inverted generational distance." EMO 2015. D. Salinas, V. Perrone,
    O. Cruchant, C. Archambeau. arXiv 2106.05680 (ε-net rung order). K. Deb et al. NSGA-II,
    IEEE TEC 2002. E. Real et al. "Regularized evolution for image classifier architecture
    search." AAAI 2019 (mutation-based evolution on cells).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.hypervolume import hypervolume
from mohb_jax._src.pareto import rung_rank

from .modnas import front_mask_2d
from .nb201 import N_ARCHS, N_EDGES, N_OPS, arch_code


class DeviceTruth(NamedTuple):
    """True objectives of one device, normalised for scoring.

    Attributes:
        y: float32[15625, 2] (error, latency) min-max normalised over all architectures.
        front: float32[F, 2] the true Pareto front (normalised), padded with 1.0 rows.
        front_mask: bool[F] valid front rows.
        hv_true: float32[] hypervolume of the true front w.r.t. ``(1, 1)``.
    """

    y: Float[Array, "15625 2"]
    front: Float[Array, "F 2"]
    front_mask: Bool[Array, " F"]
    hv_true: Float[Array, ""]


def device_truth(
    error: Float[Array, " 15625"], latency: Float[Array, " 15625"], capacity: int = 64
) -> DeviceTruth:
    """Normalise a device's true (error, latency) and extract its true front (eager).

    The front is padded to ``capacity`` rows (or its size if larger) so that every device
    has the same shapes (one compilation for all devices).
    """
    y = jnp.stack([jnp.asarray(error, jnp.float32), jnp.asarray(latency, jnp.float32)], -1)
    if y.ndim != 2 or not bool(jnp.all(jnp.isfinite(y))):
        raise ValueError("error and latency must be finite vectors of the same length")
    lo, hi = y.min(0), y.max(0)
    yn = (y - lo) / jnp.where(hi > lo, hi - lo, 1.0)
    front = yn[front_mask_2d(yn)]
    f = front.shape[0]
    cap = max(capacity, f)
    padded = jnp.ones((cap, 2), yn.dtype).at[:f].set(front)
    mask = jnp.arange(cap) < f
    return DeviceTruth(yn, padded, mask, hypervolume(front, jnp.ones(2, yn.dtype)))


class Scores(NamedTuple):
    """Scores of a found set (any leading batch dims)."""

    hv_frac: Float[Array, "..."]
    igd: Float[Array, "..."]
    igd_plus: Float[Array, "..."]
    n_distinct: Int[Array, "..."]


def score_indices(
    truth: DeviceTruth, idx: Int[Array, " n"], mask: Bool[Array, " n"] | None = None
) -> Scores:
    """HV fraction, IGD and IGD+ of the architectures ``idx`` (official indices) on one device.

    Repeated indices count once (they are one evaluation); ``mask`` drops rows (padding).
    Jit / vmap-able in ``idx`` and ``mask``.
    """
    n = idx.shape[0]
    valid = jnp.ones((n,), bool) if mask is None else mask
    first = _first_occurrence(idx, valid)
    a = truth.y[idx]  # [n, 2]
    hv = hypervolume(a, jnp.ones(2, a.dtype), first)
    z = truth.front  # [F, 2]
    diff = a[None, :, :] - z[:, None, :]  # [F, n, 2]
    d = jnp.where(first[None, :], jnp.linalg.norm(diff, axis=-1), jnp.inf)
    dp = jnp.where(first[None, :], jnp.linalg.norm(jnp.maximum(diff, 0.0), axis=-1), jnp.inf)
    fm = truth.front_mask
    nf = fm.sum()
    igd = jnp.sum(jnp.where(fm, d.min(1), 0.0)) / nf
    igdp = jnp.sum(jnp.where(fm, dp.min(1), 0.0)) / nf
    return Scores(hv / truth.hv_true, igd, igdp, first.sum())


def _first_occurrence(idx, valid):
    same = (idx[:, None] == idx[None, :]) & valid[None, :] & valid[:, None]
    earlier = jnp.tril(same, k=-1).any(1)  # an earlier valid row has the same index
    return valid & ~earlier


# ---- baselines --------------------------------------------------------------------------------
def random_search(key, budget: int) -> Int[Array, " B"]:
    """``budget`` distinct architectures drawn uniformly (official indices)."""
    return jax.random.permutation(key, N_ARCHS)[:budget].astype(jnp.int32)


def evolutionary_search(
    key,
    y: Float[Array, "15625 2"],
    op_codes: Int[Array, "15625 6"],
    code_to_index: Int[Array, " 15625"],
    budget: int,
    *,
    n_init: int = 20,
    tie_break: str = "epsnet",
    n_parents: int = 10,
    tries: int = 8,
) -> Int[Array, " B"]:
    """Steady-state multi-objective evolution on the cell space, one evaluation per step.

    Start from ``n_init`` random cells; then each step ranks the evaluated cells with
    :func:`~mohb_jax.pareto.rung_rank` (``tie_break`` ``"epsnet"`` or ``"crowding"``), picks a
    parent uniformly among the ``n_parents`` best, mutates one random edge to a different op
    and evaluates the child if it is new (else retries, up to ``tries`` times, then a random
    unseen cell).

    Args:
        key: PRNG key.
        y: float[15625, 2] the device's objectives (minimized; any scale: ranks are used).
        op_codes, code_to_index: the space (:class:`~mohb_jax.nas.NB201Arrays` fields).
        budget: number of true evaluations ``B`` (static), ``> n_init``.

    Returns:
        int32[B] evaluated indices in evaluation order.
    """
    if budget <= n_init:
        raise ValueError(f"budget ({budget}) must exceed n_init ({n_init})")
    k0, key = jax.random.split(key)
    init = jax.random.permutation(k0, N_ARCHS)[:n_init].astype(jnp.int32)
    hist = jnp.zeros((budget,), jnp.int32).at[:n_init].set(init)
    seen = jnp.zeros((N_ARCHS,), bool).at[init].set(True)

    def body(t, carry):
        hist, seen, key = carry
        key, kp, km, kr = jax.random.split(key, 4)
        mask = jnp.arange(budget) < t
        rank = rung_rank(y[hist], mask, tie_break=tie_break, strategy="sequential")
        top = jnp.argsort(jnp.where(mask, rank, budget + jnp.arange(budget)))
        parent = hist[top[jax.random.randint(kp, (), 0, jnp.minimum(n_parents, t))]]

        def mutate(k):
            ke, ko = jax.random.split(k)
            e = jax.random.randint(ke, (), 0, N_EDGES)
            c = op_codes[parent]
            new_op = (c[e] + jax.random.randint(ko, (), 1, N_OPS)) % N_OPS
            return code_to_index[arch_code(c.at[e].set(new_op))]

        cands = jax.vmap(mutate)(jax.random.split(km, tries))
        ok = ~seen[cands]
        fallback = jnp.argmax(jnp.where(seen, -1.0, jax.random.uniform(kr, (N_ARCHS,))))
        child = jnp.where(ok.any(), cands[jnp.argmax(ok)], fallback).astype(jnp.int32)
        return hist.at[t].set(child), seen.at[child].set(True), key

    hist, _, _ = lax.fori_loop(n_init, budget, body, (hist, seen, key))
    return hist


def run_searcher(key, searcher, y: Float[Array, "15625 2"], budget: int) -> Int[Array, " B"]:
    """Run a :class:`~mohb_jax._src.types.Searcher` for ``budget`` proposals on one device.

    Each proposal is evaluated (looked up in ``y``, minimized) and observed at once; if the
    searcher runs out (``ok=False``) the row repeats its previous proposal (never happens for
    ``budget <= 15625`` with a without-replacement searcher).
    """
    k0, key = jax.random.split(key)
    state = searcher.init(k0)

    def step(carry, k):
        state, last = carry
        c, ok, state = searcher.propose(k, state)
        c = jnp.where(ok, c, last).astype(jnp.int32)
        state = searcher.observe(state, c, jnp.int32(0), y[c])
        return (state, c), c

    _, hist = lax.scan(step, (state, jnp.int32(0)), jax.random.split(key, budget))
    return hist
