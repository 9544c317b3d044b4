"""Pareto kernels: dominance, non-dominated sorting, crowding distance and the rung rule.

All kernels minimize. Points are ``float[..., N, M]`` with any leading batch dims and an optional
``bool[..., N]`` validity mask (False = padding, never affects a result). Every function is
jit-able and vmap-able; the public wrappers validate eagerly (NaN / ``-inf`` in an unmasked row
is a ``ValueError``) and are skipped under tracing.

The rung rule is the one of Salinas et al. (arXiv 2106.05680): rank configurations by
non-dominated sorting, and inside a front by a greedy ε-net (farthest-point) order.

References:
    Deb, Pratap, Agarwal, Meyarivan. A fast and elitist multiobjective genetic algorithm:
    NSGA-II. IEEE TEC 6(2), 2002 (fronts, crowding distance).
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680, 2021 (fronts + ε-net rung rule).
    Clarkson. Nearest-neighbor searching and metric space dimensions. 2006 (greedy ε-nets).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, ArrayLike, Bool, Float, Int

from mohb_jax._src.validate import check_points

TIE_BREAKS = ("epsnet", "crowding")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _as_points(y) -> Array:
    y = jnp.asarray(y)
    if not jnp.issubdtype(y.dtype, jnp.floating):
        y = y.astype(jnp.result_type(float))
    return y


def _as_mask(y: Array, mask) -> Array:
    if mask is None:
        return jnp.ones(y.shape[:-1], dtype=bool)
    return jnp.asarray(mask).astype(bool)


def _batched(fn, y: Array, mask: Array, *args):
    """Apply a single-problem kernel ``fn(y[N, M], mask[N], *args)`` over any leading dims."""
    batch = y.shape[:-2]
    n, m = y.shape[-2:]
    if not batch:
        return fn(y, mask, *args)
    yf = y.reshape((-1, n, m))
    mf = mask.reshape((-1, n))
    out = jax.vmap(lambda a, b: fn(a, b, *args))(yf, mf)
    return out.reshape(batch + out.shape[1:])


def _validate(y, mask):
    check_points(y, mask)
    n, m = np.shape(y)[-2:]
    if m < 1:
        raise ValueError(f"y must have at least one objective (M >= 1); got shape {np.shape(y)}")
    del n


# --------------------------------------------------------------------------------------------
# dominance
# --------------------------------------------------------------------------------------------


def dominates(a: Float[ArrayLike, "... m"], b: Float[ArrayLike, "... m"]) -> Bool[Array, "..."]:
    """Weak Pareto dominance for minimization: ``a ≤ b`` everywhere and ``a < b`` somewhere.

    Equal points do not dominate each other. Broadcasts over leading dims.

    Args:
        a: float[..., M] points.
        b: float[..., M] points (broadcast against ``a``).

    Returns:
        bool[...]: True where ``a`` dominates ``b``.
    """
    a = jnp.asarray(a)
    b = jnp.asarray(b)
    return jnp.all(a <= b, axis=-1) & jnp.any(a < b, axis=-1)


def _order_keys(y: Float[Array, "*s"]) -> Int[Array, "*s"]:
    """Integers with the same order as the floats ``y`` (no NaN), exact for subnormals.

    XLA on CPU flushes subnormal floats to zero in comparisons (FTZ/DAZ), so comparing the
    floats themselves would call ``1e-41`` equal to ``0``. Comparing the IEEE bit patterns,
    with the negative half flipped, is exact; ``-0.0`` is mapped to ``+0.0`` first.
    """
    if y.dtype == jnp.float64:
        it, nbits = jnp.int64, 64
    elif y.dtype == jnp.float32:
        it, nbits = jnp.int32, 32
    else:  # float16 / bfloat16: widen exactly
        return _order_keys(y.astype(jnp.float32))
    b = lax.bitcast_convert_type(y, it)
    imin = jnp.iinfo(it).min
    b = jnp.where(b == imin, 0, b)  # -0.0 -> +0.0
    return b ^ ((b >> (nbits - 1)) & jnp.iinfo(it).max)


def _dominance_matrix(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Bool[Array, "n n"]:
    """``D[i, j]``: valid row i dominates valid row j (``y`` may be float or order keys)."""
    d = dominates(y[:, None, :], y[None, :, :])
    return d & mask[:, None] & mask[None, :]


# --------------------------------------------------------------------------------------------
# non-dominated sorting: dense path (any M)
# --------------------------------------------------------------------------------------------


def _ranks_dense(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """Front index by peeling with a dense domination matrix: O(N²·M) + O(N²) per front."""
    d = _dominance_matrix(y, mask)
    n = y.shape[0]

    def cond(state):
        r, _ = state
        return jnp.any((r < 0) & mask)

    def body(state):
        r, k = state
        remaining = (r < 0) & mask
        dominated = jnp.any(d & remaining[:, None], axis=0)
        front = remaining & ~dominated
        return jnp.where(front, k, r), k + 1

    r0 = jnp.full((n,), -1, dtype=jnp.int32)
    r, _ = lax.while_loop(cond, body, (r0, jnp.int32(0)))
    return r


def _ranks_single(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    return _ranks_dense(_order_keys(y), mask)


@jax.jit
def _nondominated_ranks(y, mask):
    return _batched(_ranks_single, y, mask)


def nondominated_ranks(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Int[Array, "*batch n"]:
    """Non-dominated sorting: the front index of every row (0 = non-dominated).

    Front 0 holds the rows no valid row dominates; front k the rows not dominated once fronts
    0..k-1 are removed. Duplicates share a front. ``+inf`` is allowed (e.g. a diverged run) and
    compares as larger than every finite value.

    Args:
        y: float[..., N, M] objective values (minimized), any leading batch dims.
        mask: optional bool[..., N]; False marks padding rows, which never affect a result.

    Returns:
        int32[..., N]: front index of every row; masked rows get -1.

    Raises:
        ValueError: bad shapes, or NaN / ``-inf`` in an unmasked row (checked eagerly; skipped
            under ``jit`` tracing).

    References:
        Deb et al., NSGA-II, IEEE TEC 2002.
    """
    _validate(y, mask)
    y = _as_points(y)
    return _nondominated_ranks(y, _as_mask(y, mask))


def pareto_mask(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Bool[Array, "*batch n"]:
    """True for the valid rows no valid row dominates (front 0).

    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows (always False in the result).

    Returns:
        bool[..., N].
    """
    return nondominated_ranks(y, mask) == 0


# --------------------------------------------------------------------------------------------
# coordinates for distances: +inf handling and min-max normalization
# --------------------------------------------------------------------------------------------


def _distance_coords(
    y: Float[Array, "n m"], mask: Bool[Array, " n"], normalize: bool
) -> Float[Array, "n m"]:
    """Finite coordinates used for distances (ε-net, crowding).

    Per objective, ``lo``/``hi`` are the min/max over the *finite* values of the valid rows.
    ``normalize=True``: finite values map to ``(y - lo) / (hi - lo)`` (0 when ``hi == lo``);
    ``normalize=False``: finite values are kept. ``+inf`` maps to one range beyond the worst
    finite value, ``hi + (hi - lo)`` (2.0 after normalization), or ``hi + 1`` when the finite
    values are constant (1.0 after normalization); a column with no finite value is all 0.
    The map is strictly increasing, so it never changes an order. Masked rows become 0.
    """
    valid = mask[:, None]
    fin = valid & jnp.isfinite(y)
    lo = jnp.min(jnp.where(fin, y, jnp.inf), axis=0)
    hi = jnp.max(jnp.where(fin, y, -jnp.inf), axis=0)
    anyfin = jnp.any(fin, axis=0)
    lo = jnp.where(anyfin, lo, 0.0)
    hi = jnp.where(anyfin, hi, 0.0)
    span = hi - lo
    pos = span > 0
    if normalize:
        zf = jnp.where(pos, (y - lo) / jnp.where(pos, span, 1.0), 0.0)
        zinf = jnp.where(pos, 2.0, 1.0)
    else:
        zf = y
        zinf = jnp.where(pos, hi + span, hi + 1.0)
    z = jnp.where(jnp.isinf(y), zinf, zf)
    return jnp.where(valid, z, 0.0).astype(y.dtype)


# --------------------------------------------------------------------------------------------
# crowding distance
# --------------------------------------------------------------------------------------------


def _crowding_single(
    y: Float[Array, "n m"], mask: Bool[Array, " n"], ranks: Int[Array, " n"]
) -> Float[Array, " n"]:
    n, m = y.shape
    z = _distance_coords(y, mask, normalize=False)
    seg = jnp.where(mask, ranks, n)  # masked rows in a dummy segment n
    idx = jnp.arange(n, dtype=jnp.int32)
    total = jnp.zeros((n,), y.dtype)
    for j in range(m):  # static, small
        zj = z[:, j]
        s_seg, s_z, s_idx = lax.sort((seg, zj, idx), num_keys=3)
        first = jnp.concatenate([jnp.ones((1,), bool), s_seg[1:] != s_seg[:-1]])
        last = jnp.concatenate([s_seg[1:] != s_seg[:-1], jnp.ones((1,), bool)])
        prev = jnp.concatenate([s_z[:1], s_z[:-1]])
        nxt = jnp.concatenate([s_z[1:], s_z[-1:]])
        lo = jax.ops.segment_min(zj, seg, num_segments=n + 1)
        hi = jax.ops.segment_max(zj, seg, num_segments=n + 1)
        span = (hi - lo)[s_seg]
        inner = jnp.where(span > 0, (nxt - prev) / jnp.where(span > 0, span, 1.0), 0.0)
        contrib = jnp.where(first | last, jnp.inf, inner)
        total = total.at[s_idx].add(contrib)
    return jnp.where(mask, total, 0.0)


@jax.jit
def _crowding_distance(y, mask):
    def one(y1, m1):
        return _crowding_single(y1, m1, _ranks_single(y1, m1))

    return _batched(one, y, mask)


def crowding_distance(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Float[Array, "*batch n"]:
    """NSGA-II crowding distance, computed inside each non-dominated front.

    For every objective, the members of a front are sorted by that objective (ties: lowest row
    index first); the first and last get ``+inf``; an interior member gets
    ``(next - prev) / (max - min)`` over that front (0 when the front is constant in that
    objective). The distance is the sum over objectives. Fronts of one or two rows are all
    ``+inf``. ``+inf`` objective values are first replaced by a finite value one range beyond
    the worst finite value (see :func:`rung_rank`), which keeps their order.

    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows.

    Returns:
        float[..., N]: crowding distance; masked rows get 0.

    References:
        Deb et al., NSGA-II, IEEE TEC 2002, Sec. III-B.
    """
    _validate(y, mask)
    y = _as_points(y)
    return _crowding_distance(y, _as_mask(y, mask))


# --------------------------------------------------------------------------------------------
# rung rule: fronts, then ε-net (or crowding) inside each front
# --------------------------------------------------------------------------------------------


def _front_offsets(seg: Int[Array, " n"], mask: Bool[Array, " n"], n: int) -> Int[Array, " n1"]:
    """Number of valid rows in fronts before each front (index n = masked dummy segment)."""
    counts = jax.ops.segment_sum(mask.astype(jnp.int32), seg, num_segments=n + 1)
    return jnp.cumsum(counts) - counts


def _epsnet_positions(
    z: Float[Array, "n m"], seg: Int[Array, " n"], mask: Bool[Array, " n"]
) -> Int[Array, " n"]:
    """Greedy ε-net position of every valid row inside its front, all fronts in parallel.

    Step 0 takes, per front, the member with the lowest first coordinate (ties: lowest index);
    step t takes the untaken member whose minimum Euclidean distance to the members already
    taken is largest (ties: lowest index). The loop runs max-front-size steps, O(N) each.
    """
    n = z.shape[0]
    ns = n + 1
    idx = jnp.arange(n, dtype=jnp.int32)
    big = jnp.int32(n)

    def pick(score, cand):
        # per-segment argmax of score over cand rows, ties -> lowest index; n if none
        s = jnp.where(cand, score, -jnp.inf)
        best = jax.ops.segment_max(s, seg, num_segments=ns)
        hit = cand & (s == best[seg])
        return jax.ops.segment_min(jnp.where(hit, idx, big), seg, num_segments=ns)

    def dist_to(p):  # p: int32[ns] picked row per segment (n = none)
        q = jnp.minimum(p[seg], n - 1)
        diff = z - z[q]
        d = jnp.sqrt(jnp.sum(diff * diff, axis=-1))
        return d, p[seg] < n

    first = pick(-z[:, 0], mask)
    taken = (idx == first[seg]) & mask
    pos = jnp.where(taken, 0, -1).astype(jnp.int32)
    d0, _ = dist_to(first)
    mind = jnp.where(mask, d0, -jnp.inf)

    def cond(state):
        pos, _, _ = state
        return jnp.any(mask & (pos < 0))

    def body(state):
        pos, mind, t = state
        untaken = mask & (pos < 0)
        p = pick(mind, untaken)
        chosen = untaken & (idx == p[seg])
        pos = jnp.where(chosen, t, pos)
        d, has = dist_to(p)
        mind = jnp.where(has, jnp.minimum(mind, d), mind)
        return pos, mind, t + 1

    pos, _, _ = lax.while_loop(cond, body, (pos, mind, jnp.int32(1)))
    return pos


def _rung_rank_single(
    y: Float[Array, "n m"], mask: Bool[Array, " n"], tie_break: str, normalize: bool
) -> Int[Array, " n"]:
    n = y.shape[0]
    ranks = _ranks_single(y, mask)
    seg = jnp.where(mask, ranks, n)
    if tie_break == "epsnet":
        z = _distance_coords(y, mask, normalize)
        pos = _epsnet_positions(z, seg, mask)
        out = _front_offsets(seg, mask, n)[seg] + pos
    else:
        cd = _crowding_single(y, mask, ranks)
        idx = jnp.arange(n, dtype=jnp.int32)
        _, _, order = lax.sort((seg, -cd, idx), num_keys=3)
        out = jnp.zeros((n,), jnp.int32).at[order].set(idx)
    return jnp.where(mask, out, -1).astype(jnp.int32)


@partial(jax.jit, static_argnames=("tie_break", "normalize"))
def _rung_rank(y, mask, tie_break, normalize):
    return _batched(_rung_rank_single, y, mask, tie_break, normalize)


def rung_rank(
    y: Float[ArrayLike, "*batch n m"],
    mask: Bool[ArrayLike, "*batch n"] | None = None,
    *,
    tie_break: str = "epsnet",
    normalize: bool = True,
) -> Int[Array, "*batch n"]:
    """Position of every row (0 = best) in the rung order of Salinas et al. (2021).

    The order puts fronts first (non-dominated sorting). Inside a front, ``tie_break="epsnet"``
    uses the greedy ε-net order: the member with the lowest first objective (ties: lowest
    index), then repeatedly the member whose minimum Euclidean distance to the members of that
    front already taken is largest (ties: lowest index). ``tie_break="crowding"`` orders a
    front by decreasing NSGA-II crowding distance (ties: lowest index).

    The result is a *rank* (one position per row), not an order (row indices): row ``i`` is the
    ``rung_rank(y)[i]``-th best. Valid rows get a permutation of ``0..n_valid-1``.

    Distances: ``normalize=True`` min-max scales every objective over the valid rows first (a
    constant objective becomes 0); ``normalize=False`` uses raw values. ``+inf`` values (e.g.
    diverged runs) rank by dominance as usual; for distances, a ``+inf`` is replaced by one
    range beyond the worst finite value of its objective (``hi + (hi - lo)``; 2.0 when
    normalized; ``hi + 1`` when the finite values are constant). This is our choice; the paper
    does not say.

    Cost: non-dominated sorting plus O(N·K) for the ε-net, K = the largest front size.

    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows, which never affect a result.
        tie_break: ``"epsnet"`` (the paper's rule) or ``"crowding"`` (NSGA-II).
        normalize: min-max scale the objectives before computing ε-net distances.

    Returns:
        int32[..., N]: position of each row in the total order; masked rows get -1.

    Raises:
        ValueError: bad shapes, NaN / ``-inf`` in an unmasked row, or an unknown ``tie_break``.

    References:
        Salinas, Perrone, Cruchant, Archambeau, arXiv 2106.05680 (the rung rule);
        Schmucker et al., arXiv 2106.12639 (MO-ASHA); Clarkson 2006 (ε-nets); Deb et al. 2002.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}; got {tie_break!r}")
    _validate(y, mask)
    y = _as_points(y)
    return _rung_rank(y, _as_mask(y, mask), tie_break, bool(normalize))
