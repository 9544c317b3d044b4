"""Pareto kernels: dominance, non-dominated sorting, crowding distance and the rung rule.

All kernels minimize. Points are ``float[..., N, M]`` with any leading batch dims and an optional
``bool[..., N]`` validity mask (False = padding, never affects a result). Every function is
jit-able and vmap-able; the public wrappers validate eagerly (NaN / ``-inf`` in an unmasked row
is a ``ValueError``) and are skipped under tracing.

The rung rule is the one of Salinas et al. (arXiv 2106.05680): rank configurations by
non-dominated sorting, and inside a front by a greedy ε-net (farthest-point) order.

Algorithms (all exact; chosen statically from the shape by ``_choose_method``; see
``bench/pareto.py`` and ``bench/results_pareto.md`` for the measurements behind the choice):

============  ===========================  =============================================
method        used for                     cost
============  ===========================  =============================================
sort1d        M = 1                        one sort + bisection, O(N log N)
dense         M = 2, one problem,          fused O(N²·M) domination build, bit-packed:
              N <= 1024; M = 2, a batch    N²/32 word ops per front (XLA CPU sort is slow,
              with N <= 256 and at most    so this beats sorting at rung sizes); compiled
              48 fronts; M >= 3,           for 512-bit vectors on AVX-512 CPUs
              N <= 8192                    (``_src/compile.py``)
sweep2d       M = 2: a batch of problems   lexicographic sort (bitonic network for a
              with N <= 1024 (N <= 256:    batch) + one sweep keeping each front's minimum
              more than 48 fronts); one    f2, O(N log N) per problem; N sequential steps
              problem with N > 1024        for a batch, N / 16 for one problem (blocks of
                                           16 rows, chains inside a block by relaxation)
peel2d        (forced only)                lexicographic sort + one parallel prefix-min
                                           per front, O(F·N) for F fronts
blocked       M >= 3, N > 8192             Z-order sort + longest dominance chain in C×C
                                           tiles, only those that can raise a value:
                                           O(N²·M) worst case, O(N·M + C²) memory
============  ===========================  =============================================

On the CPU, ``nondominated_ranks`` with M = 2 runs a native C++ kernel instead
(``native/kernels.cc``; :mod:`mohb_jax._src.native`): per problem a radix sort by (f1, f2) and
one pass that puts each point in the first front whose lowest point does not dominate it (a
binary search over the fronts), O(N log N), large batches split over every core. Eager calls
on float arrays compare the values as float64 (exact for every float dtype); jitted calls pass
the integer order keys below to it as an XLA custom call inside ``lax.platform_dependent``, so a
GPU program keeps the JAX kernels.

``pareto_mask`` computes front 0 only: up to 1024 rows the bit-packed domination matrix and
one pass over it (any M); beyond, in 2-D one lexicographic sort and one prefix minimum,
O(N log N), for M >= 3 one dominance pass (dense up to 8192 rows, in C×C tiles beyond).

Exactness at the boundary: dominance compares integer order keys, never floats. For float32
input (or float64 with ``jax_enable_x64``) the keys are the IEEE bit patterns (exact even for
subnormals, which XLA on CPU flushes to zero); for float64 input without x64 (and 64-bit
integers) the public functions replace every objective by its dense rank among the valid rows,
to which dominance is invariant, so ``[[1, 1], [1 + 1e-8, 0.5]]`` is one front as in float64.
The dense build tells equal rows apart by one compare of their uint32 key sums where that is
exact (the batch's key ranges add up to less than 2**32, :func:`_sum_test_ok`), else by a
compare per objective.
Distances (ε-net, crowding) are computed on the host in float64 and only then rounded to the
kernel's float dtype; a ``PrecisionWarning`` says when that rounding merges distinct values.

Shapes: eager calls pad the point axis and the batch axis to a few static sizes
(:func:`~mohb_jax._src.validate.bucket_size`; padding rows are masked), so a long-lived process
compiles O(log N) executables, not one per N.

References:
    Deb, Pratap, Agarwal, Meyarivan. A fast and elitist multiobjective genetic algorithm:
    NSGA-II. IEEE TEC 6(2), 2002 (fronts, crowding distance).
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680, 2021 (fronts + ε-net rung rule).
    Clarkson. Nearest-neighbor searching and metric space dimensions. 2006 (greedy ε-nets).
"""

from __future__ import annotations

import warnings
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, ArrayLike, Bool, Float, Int

from mohb_jax._src import native as _native
from mohb_jax._src.compile import wide_jit
from mohb_jax._src.sortnet import bitonic_sort
from mohb_jax._src.validate import (
    bucket_size,
    check_points,
    float_merges,
    is_concrete,
    next_pow2,
    to_device,
)

TIE_BREAKS = ("epsnet", "crowding")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


class PrecisionWarning(UserWarning):
    """A result computed in float32 may differ from the float64 answer (see the message)."""


def _x64() -> bool:
    return bool(jax.config.jax_enable_x64)


def _host_keys(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Integer keys with the order of ``a`` per objective within each problem, exact for any
    real dtype (host). ``a``: ``(B, N, M)``, ``mask``: ``(B, N)``.

    float32 (and float64 under x64): the IEEE order keys of :func:`_order_keys`. Otherwise
    (float64 without x64, 64-bit integers, ...) each problem's objective gets int32 keys of
    its own: the float32 order keys of its values when rounding to float32 merges no two
    distinct valid values of it (checked on its sorted values; rounding is monotone, so the
    order is then kept), else the dense rank of each value among its valid values.
    Dominance only compares rows of one problem, and it is invariant to an increasing map of
    each objective, so the fronts are the float64 ones. Masked rows get key 0 (they never
    affect a result).
    """
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    if a.dtype in (np.int8, np.int16, np.int32, np.uint8, np.uint16):
        return np.where(mask[..., None], a, 0).astype(np.int32)
    if a.dtype == np.float32 or (a.dtype == np.float64 and _x64()):
        return np.where(mask[..., None], _ieee_order_keys(a), 0)
    b, n, m = a.shape
    floating = np.issubdtype(a.dtype, np.floating)
    # masked rows sort last as +inf (the dtype's largest integer for integers; a valid row
    # equal to it ties with them, which leaves every valid row's key as it is)
    fill = np.inf if floating else np.iinfo(a.dtype).max
    f32 = floating and n <= _HOST_F32_MAX_N
    everyone = bool(mask.all())  # no row masked (the usual call): no masking passes
    if f32:  # every objective at once (small calls: ~5 NumPy calls fewer per objective)
        v = a if everyone else np.where(mask[..., None], a, fill)  # (B, N, M)
        merged = float_merges(a, mask, np.float32)  # (B, M)
        with np.errstate(over="ignore"):  # beyond float32's range: inf, a merge above
            out = _ieee_order_keys(v.astype(np.float32))
        for j in np.flatnonzero(merged.any(axis=0)):  # dense ranks where rounding merged
            out[merged[:, j], :, j] = _dense_ranks(v[merged[:, j], :, j])
    else:
        out = np.empty(a.shape, np.int32)
        for j in range(m):  # a contiguous (B, N) copy per objective for the row argsorts
            aj = a[..., j]
            out[..., j] = _dense_ranks(
                np.ascontiguousarray(aj) if everyone else np.where(mask, aj, fill)
            )
    if not everyone:
        out[~mask] = 0
    return out


# problems up to this many rows first try float32 order keys for float64 input (sorting each
# row costs ~1/3 of the argsort a dense rank needs; rows of 1e5 values usually merge some)
_HOST_F32_MAX_N = 1024


def _ieee_order_keys(a: np.ndarray) -> np.ndarray:
    """The host's :func:`_order_keys`: integer keys with the order of float32 (int32) or
    float64 (int64) ``a``, -0.0 and 0.0 one key (a NaN gets some key: callers mask its row)."""
    it = np.int32 if a.dtype == np.float32 else np.int64
    k = np.where(a == 0, 0, a).view(it)  # -0.0 -> +0.0
    return k ^ ((k >> (8 * k.itemsize - 1)) & np.iinfo(it).max)


def _dense_ranks(v: np.ndarray) -> np.ndarray:
    """int32 dense rank of each value within its row of ``v`` (R, N): the number of distinct
    smaller values. One argsort per row (on rows of 256 values 1.5x faster than one argsort
    of the whole flattened batch)."""
    r, n = v.shape
    o = np.argsort(v, axis=-1)
    o += (np.arange(r, dtype=np.intp) * n)[:, None]
    o = o.ravel()
    s = v.ravel().take(o).reshape(r, n)
    d = np.zeros((r, n), np.int32)
    np.cumsum(s[:, 1:] != s[:, :-1], axis=-1, out=d[:, 1:])
    out = np.empty(r * n, np.int32)
    out[o] = d.ravel()
    return out.reshape(r, n)


def _host_coords(a: np.ndarray, mask: np.ndarray, normalize: bool, dtype) -> np.ndarray:
    """Distance coordinates (the rule of :func:`_distance_coords`), computed in float64 on the
    host per problem, then rounded to ``dtype``. Without ``normalize`` they are translated so
    that the smallest finite valid value is 0 (distances and orders are translation
    invariant; the rounding error is then relative to the range, not to the magnitude)."""
    wide = a.dtype.itemsize > 4  # the input had more precision than the kernel's float32
    a = a.astype(np.float64)
    valid = mask[..., None]
    fin = valid & np.isfinite(a)
    with np.errstate(invalid="ignore"):
        lo = np.min(np.where(fin, a, np.inf), axis=-2, keepdims=True)
        hi = np.max(np.where(fin, a, -np.inf), axis=-2, keepdims=True)
    anyfin = np.any(fin, axis=-2, keepdims=True)
    lo = np.where(anyfin, lo, 0.0)
    hi = np.where(anyfin, hi, 0.0)
    span = hi - lo
    pos = span > 0
    with np.errstate(invalid="ignore", over="ignore"):
        if normalize:
            zf = np.where(pos, (a - lo) / np.where(pos, span, 1.0), 0.0)
            zinf = np.where(pos, 2.0, 1.0)
        else:
            zf = a - lo
            zinf = np.where(pos, 2 * span, 1.0)
        z = np.where(np.isinf(a), zinf, zf)
    z = np.where(valid, z, 0.0)
    zc = z.astype(dtype)
    if zc.dtype != np.float64 and wide:
        _warn_if_merged(z, zc, mask)
    return zc


def _warn_if_merged(z: np.ndarray, zc: np.ndarray, mask: np.ndarray) -> None:
    hit = float_merges(z, mask, zc.dtype)  # (B, M)
    for j in range(z.shape[-1]):
        if hit[:, j].any():
            warnings.warn(
                f"objective {j}: distinct float64 values become equal in {zc.dtype} distance "
                "coordinates, so ε-net / crowding distances (not the fronts, which are exact) "
                "may differ from float64 arithmetic; enable float64 with "
                "jax.config.update('jax_enable_x64', True) for exact distances",
                PrecisionWarning,
                stacklevel=4,
            )
            return


class _Prepared(NamedTuple):
    k: Array | np.ndarray  # int[B, Nb, M] order keys (NumPy on the eager path)
    z: Array | np.ndarray | None  # float[B, Nb, M] distance coordinates (None when not asked for)
    mask: Array | np.ndarray  # bool[B, Nb]
    lead: tuple  # leading batch shape of the input
    n: int  # number of rows of the input (Nb >= n after padding)
    b: int  # number of problems (B >= b after padding)


def _float_dtype(a: np.ndarray):
    if a.dtype == np.float64 and _x64():
        return np.float64
    return np.float32


def _flatten(xp, y, mask):
    """``(y[B, N, M], mask[B, N], lead, N, B)`` with ``xp`` = numpy (host) or jax.numpy."""
    a = xp.asarray(y)
    if a.dtype == xp.bool_:
        a = a.astype(xp.int32)
    lead = a.shape[:-2]
    n, m = a.shape[-2:]
    b = int(np.prod(lead)) if lead else 1
    mk = xp.ones((b, n), bool) if mask is None else xp.asarray(mask).astype(bool).reshape(b, n)
    return a.reshape(b, n, m), mk, lead, n, b


def _prepare(y, mask, coords: str | None) -> _Prepared:
    """Eager boundary: host keys (and distance coordinates), padded to bucket sizes.

    ``coords``: None, ``"normalized"`` or ``"raw"``.
    """
    a, mk, lead, n, b = _flatten(np, y, mask)
    m = a.shape[-1]
    nb, bb = bucket_size(n), bucket_size(b, floor=1)
    k = _host_keys(a, mk)
    z = None
    if coords is not None:
        z = _host_coords(a, mk, coords == "normalized", _float_dtype(a))
    mp = np.zeros((bb, nb), bool)
    mp[:b, :n] = mk
    kp = np.zeros((bb, nb, m), k.dtype)
    kp[:b, :n] = k
    if z is not None:
        zp = np.zeros((bb, nb, m), z.dtype)
        zp[:b, :n] = z
        z = zp
    # NumPy arrays: the jitted kernels take them in their C++ dispatch (~5 us each), where
    # jax.device_put costs ~75 us per array from Python
    return _Prepared(kp, z, mp, lead, n, b)


def _unpad(out, p: _Prepared) -> Array:
    """The kernel's (B, Nb, ...) result cut back to the input's shape (on the host: slicing a
    device array eagerly would compile one slice per shape)."""
    o = np.asarray(out)[: p.b, : p.n]
    return to_device(o.reshape(p.lead + (p.n,) + o.shape[2:]))


def _traced(y, mask, coords: str | None):
    """Under tracing: keys and coordinates computed in the graph (no host work possible)."""
    y, mk, lead, n, b = _flatten(jnp, y, mask)
    k = _keys(y)
    z = None
    if coords is not None:
        yf = y if jnp.issubdtype(y.dtype, jnp.floating) else y.astype(jnp.result_type(float))
        z = jax.vmap(lambda a, c: _distance_coords(a, c, coords == "normalized"))(yf, mk)
    return _Prepared(k, z, mk, lead, n, b)


def _boundary(y, mask, coords: str | None = None) -> _Prepared:
    _validate(y, mask)
    if is_concrete(y, mask):
        return _prepare(y, mask, coords)
    return _traced(y, mask, coords)


def _finish(out, p: _Prepared) -> Array:
    if is_concrete(out):
        return _unpad(out, p)
    out = out[: p.b, : p.n]
    return out.reshape(p.lead + out.shape[1:])


def _validate(y, mask):
    check_points(y, mask)
    if np.shape(y)[-1] < 1:
        raise ValueError(f"y must have at least one objective (M >= 1); got shape {np.shape(y)}")


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
    if is_concrete(a, b):  # on the host: exact in float64, and no compile per new shape
        a, b = np.asarray(a), np.asarray(b)
        return to_device(np.all(a <= b, axis=-1) & np.any(a < b, axis=-1))
    a = jnp.asarray(a)
    b = jnp.asarray(b)
    return jnp.all(a <= b, axis=-1) & jnp.any(a < b, axis=-1)


def _dominates_unrolled(a: Array, b: Array) -> Array:
    """:func:`dominates` as per-objective element-wise compares, with "not equal everywhere"
    for "less somewhere" (the same once "<= everywhere" holds).

    XLA:CPU vectorizes this better than reductions over a short last axis in the O(N²·M) build
    of a domination matrix (1000 x 256 3-D rungs: 8.5 ms instead of 12), but it made the event
    loop's one-row update ~5 % slower, so only the matrix builds use it.
    """
    eq = a[..., 0] == b[..., 0]
    for j in range(1, a.shape[-1]):
        eq = eq & (a[..., j] == b[..., j])
    return _le_all(a, b) & ~eq


def _le_all(a: Array, b: Array) -> Array:
    """``a <= b`` in every objective (the last axis, of equal length in ``a`` and ``b``), as
    per-objective element-wise compares (see :func:`_dominates_unrolled`)."""
    le = a[..., 0] <= b[..., 0]
    for j in range(1, a.shape[-1]):
        le = le & (a[..., j] <= b[..., j])
    return le


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


# --------------------------------------------------------------------------------------------
# non-dominated sorting: dense path (any M)
# --------------------------------------------------------------------------------------------


def pack_rows(b: Bool[Array, "n ..."]) -> Array:
    """Pack the first axis (a multiple of 32) into uint32 words: bit t of word w = b[32 w + t].

    The packed axis comes first, so reductions over it run along the (long, contiguous) last
    axis on CPU.
    """
    n = b.shape[0]
    w = b.reshape((n // 32, 32) + b.shape[1:]).astype(jnp.uint32)
    sh = jnp.arange(32, dtype=jnp.uint32).reshape((1, 32) + (1,) * (b.ndim - 1))
    return jnp.sum(w << sh, axis=1, dtype=jnp.uint32)  # disjoint bits: sum == or


def _ranks_dense(k: Int[Array, "n m"], mask: Bool[Array, " n"], by_sum=False) -> Int[Array, " n"]:
    """Front index by peeling fronts over a bit-packed domination matrix (any M).

    ``bits[w, j]`` holds, in bit ``t``, whether row ``32 w + t`` dominates row ``j``. Each peel
    step ANDs these words with the packed set of remaining rows: N²/32 word operations per
    front instead of N², after one fused O(N²·M) pass that builds the matrix.
    """
    return _ranks_dense_capped(k, mask, None, by_sum)[0]


def _dense_bits(k: Int[Array, "n m"], mask: Bool[Array, " n"], by_sum=False) -> tuple[Array, Array]:
    """The bit-packed domination matrix ``bits[w, j]`` (bit ``t``: row ``32 w + t`` dominates
    row ``j``) of the rows padded to a multiple of 32, and the mask padded alike.

    Masks are not applied: a masked row i must never be in the set of rows the words are ANDed
    with, and a masked row j never counts as undominated (the callers see to both); two
    element-wise ops fewer per pair in the O(N²·M) build.

    ``by_sum`` (a scalar bool, traced or not; see :func:`_sum_test_ok`): test "not equal" by
    one compare of the rows' key sums instead of M compares.
    """
    n0 = k.shape[0]
    n = -(-n0 // 32) * 32
    if n != n0:
        k = jnp.concatenate([k, jnp.zeros((n - n0, k.shape[1]), k.dtype)], axis=0)
        mask = jnp.concatenate([mask, jnp.zeros((n - n0,), bool)])

    def exact():
        return pack_rows(_dominates_unrolled(k[:, None, :], k[None, :, :]))

    def summed():
        u = lax.bitcast_convert_type(k, jnp.uint32)
        s = jnp.sum(u, axis=1, dtype=jnp.uint32)  # modulo 2**32
        return pack_rows(_le_all(k[:, None, :], k[None, :, :]) & (s[:, None] != s[None, :]))

    if by_sum is False or k.dtype != jnp.int32:
        return exact(), mask
    return lax.cond(by_sum, summed, exact), mask


def _sum_test_ok(k: Int[Array, "*b n m"], mask: Bool[Array, "*b n"]) -> Array:
    """Whether :func:`_dense_bits` may test "not equal" by the key sums, for every problem.

    If row i is <= row j in every objective, the differences ``d_m = k[j, m] - k[i, m]`` are
    >= 0, and the rows are equal exactly when ``sum(d) = 0``. The uint32 sums give
    ``sum(d)`` modulo 2**32, so equal sums mean equal rows as long as ``sum(d) < 2**32``,
    which holds when the problem's valid key ranges add up to less than 2**32 (float32 values
    in [0, 1]: about 1.07e9 per objective). Checked here with a margin for the float32
    addition; False for 64-bit keys.
    """
    if k.dtype != jnp.int32:
        return jnp.bool_(False)
    big, small = jnp.iinfo(jnp.int32).max, jnp.iinfo(jnp.int32).min
    m = mask[..., None]
    hi = jnp.max(jnp.where(m, k, small), axis=-2)
    lo = jnp.min(jnp.where(m, k, big), axis=-2)
    u32 = partial(lax.bitcast_convert_type, new_dtype=jnp.uint32)
    span = jnp.where(hi >= lo, u32(hi) - u32(lo), 0)  # exact: 0 <= hi - lo < 2**32
    return jnp.all(jnp.sum(span.astype(jnp.float32), axis=-1) < 4.2e9)


def _ranks_dense_capped(
    k: Int[Array, "n m"], mask: Bool[Array, " n"], max_fronts: int | None, by_sum=False
) -> tuple[Int[Array, " n"], Bool[Array, ""]]:
    """:func:`_ranks_dense` peeling at most ``max_fronts`` fronts (None: all); also returns
    whether rows were left unranked (their value is then -1)."""
    r, left = _peel_bits(*_dense_bits(k, mask, by_sum), max_fronts)
    return r[: k.shape[0]], left


def _peel_bits(
    bits: Array, mask: Bool[Array, " n"], max_fronts: int | None
) -> tuple[Int[Array, " n"], Bool[Array, ""]]:
    """The peel of :func:`_ranks_dense_capped` on a built matrix (``bits``, ``mask``: what
    :func:`_dense_bits` returns, padded rows included in the result)."""
    n = mask.shape[0]

    def cond(state):
        _, rem, front_id = state
        go = jnp.any(rem != 0)
        return go if max_fronts is None else go & (front_id < max_fronts)

    def body(state):
        r, rem, front_id = state
        dominated = jnp.any((bits & rem[:, None]) != 0, axis=0)
        front = (r < 0) & mask & ~dominated
        r = jnp.where(front, front_id, r)
        return r, pack_rows((r < 0) & mask), front_id + 1

    r0 = jnp.full((n,), -1, dtype=jnp.int32)
    r, rem, _ = lax.while_loop(cond, body, (r0, pack_rows(mask), jnp.int32(0)))
    return r, jnp.any(rem != 0)


def _ranks_2d_peel(k: Int[Array, "n 2"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """2-D front index by peeling one front per step with a parallel prefix minimum.

    After one lexicographic sort, a remaining point is on the current front iff no earlier
    remaining point has (f2, f1) lexicographically below its own (f2, f1), one
    ``associative_scan`` of O(N) work per front. Cost O(F·N) for F fronts (about 2√N for
    random points; N for a chain), all of it vectorized, unlike the one-point-per-step scan,
    which XLA CPU runs far slower than C.
    """
    n = k.shape[0]
    s1, s2, sidx = _lexsort_2d(k, mask)
    valid = mask[sidx]  # not s1 < big: a valid key may equal the fill value

    def cond(state):
        r, _ = state
        return jnp.any(valid & (r < 0))

    def body(state):
        r, f = state
        rem = valid & (r < 0)
        return jnp.where(rem & _undominated_2d(s1, s2, rem), f, r), f + 1

    r, _ = lax.while_loop(cond, body, (jnp.full((n,), -1, jnp.int32), jnp.int32(0)))
    return jnp.zeros((n,), jnp.int32).at[sidx].set(r)


def _sweep_2d(s1, s2, ok, cap: int, fill_keys: bool = False):
    """Front indices of lexicographically sorted 2-D points, one point per step (batch-last).

    ``s1, s2, ok``: (N, B), each column sorted by (f1, f2), ``ok`` False for masked or padding
    rows (their keys are the integer maximum ``big``). ``low[f]`` holds the smallest f2 seen
    on front f; it is non-decreasing in f, and a point joins the first front whose ``low``
    exceeds its f2: ``rank = #{f : low[f] <= f2}`` (every front counted holds a point with
    f1 <= and f2 <= its own, i.e. a dominator, and the front it joins holds none), then
    ``low[rank] = f2``. An exact duplicate of the previous point takes its rank. ``cap`` slots
    hold ``low``; returns ``(ranks (N, B), overflow (B,))``, where ``overflow`` marks a column
    that needed more than ``cap`` fronts (its ranks are wrong). A ``scan`` without an early
    exit: measured 1.7x cheaper per step than a ``while_loop`` writing its output row by row,
    so a rare overflow costs one wasted cheap sweep.

    Without ``fill_keys`` every valid key must be below ``big``: the valid rows then sort
    before the others, and empty slots (``big``) are never counted. With ``fill_keys`` a valid
    key may equal ``big`` (its row may sit among the invalid ones): the count is capped by the
    fronts in use and the previous point is the previous valid one; this costs ~1.5x per step
    (more element-wise kernels), so callers take it only when such a key occurs.
    """
    _, b = s1.shape
    big = jnp.iinfo(s1.dtype).max
    slot = jnp.arange(cap, dtype=jnp.int32)[:, None]

    def step(carry, row):
        low, used, p1, p2, pr, over = carry
        a1, a2, v = row
        dup = (a1 == p1) & (a2 == p2)
        below = jnp.sum(low <= a2[None], axis=0, dtype=jnp.int32)
        if fill_keys:
            dup = dup & (pr >= 0)
            below = jnp.minimum(below, used)
        r = jnp.where(dup, pr, below)
        low = jnp.where((v & ~dup)[None] & (slot == r[None]), a2[None], low)
        over = over | (v & (r >= cap))
        if fill_keys:
            used = jnp.where(v, jnp.maximum(used, r + 1), used)
            a1, a2, r = jnp.where(v, a1, p1), jnp.where(v, a2, p2), jnp.where(v, r, pr)
        return (low, used, a1, a2, r, over), jnp.where(v, r, -1)

    init = (
        jnp.full((cap, b), big, s1.dtype),
        jnp.zeros((b,), jnp.int32),
        jnp.full((b,), big, s1.dtype),
        jnp.full((b,), big, s1.dtype),
        jnp.full((b,), -1, jnp.int32),
        jnp.zeros((b,), bool),
    )
    carry, r = lax.scan(step, init, (s1, s2, ok))
    return r, carry[5]


_SWEEP_CAPS = (48, 256)  # front slots tried before N (uniform rungs of 256 points: <= ~40)


def _ranks_2d_sweep(k: Int[Array, "b n 2"], mask: Bool[Array, "b n"]) -> Int[Array, "b n"]:
    """Batched 2-D front indices in O(N log N) per problem, vectorized over the batch.

    A bitonic lexicographic sort of every problem at once (batch-last; keys f1 then f2, the
    row index as payload for the unpermutation), then one sweep over the sorted points
    (:func:`_sweep_2d`, N sequential steps of O(B·cap) element-wise work), trying ``cap`` =
    48, 256 and N front slots (the smallest that holds every problem's fronts). One network
    over three arrays (4.3 ms at 1000 x 256) costs less than packing f2's rank and the row
    into one payload (a one-key sort for the rank, its scatter back, then a two-array sort:
    5.5 ms). The sort-and-sweep of Jensen ("Reducing the run-time complexity of
    multiobjective EAs", IEEE TEC 7(5), 2003) for two objectives, with a counting search over
    the fronts' minima instead of a binary one so that it vectorizes over the batch.
    """
    b, n0, _ = k.shape
    n = next_pow2(n0, 2)
    big = jnp.iinfo(k.dtype).max
    k1 = jnp.where(mask, k[..., 0], big).T
    k2 = jnp.where(mask, k[..., 1], big).T
    valid = mask.T
    if n != n0:
        k1 = jnp.concatenate([k1, jnp.full((n - n0, b), big, k.dtype)])
        k2 = jnp.concatenate([k2, jnp.full((n - n0, b), big, k.dtype)])
        valid = jnp.concatenate([valid, jnp.zeros((n - n0, b), bool)])
    rows = jnp.broadcast_to(jnp.arange(n, dtype=jnp.int32)[:, None], (n, b))
    cols = jnp.broadcast_to(jnp.arange(b, dtype=jnp.int32)[None], (n, b))
    # the payload carries the row and its validity (a valid key may equal the fill value)
    (s1, s2), (sp,) = bitonic_sort((k1, k2), (jnp.where(valid, rows + n, rows),))
    ok, sidx = sp >= n, sp & (n - 1)
    caps = sorted({min(c, n) for c in _SWEEP_CAPS} | {n})

    def attempt(i, fill_keys):
        r, over = _sweep_2d(s1, s2, ok, caps[i], fill_keys)
        if i == len(caps) - 1:
            return r
        return lax.cond(jnp.any(over), lambda: attempt(i + 1, fill_keys), lambda: r)

    fill = jnp.any(valid & ((k1 == big) | (k2 == big)))  # e.g. int32 input at its maximum
    r = lax.cond(fill, lambda: attempt(0, True), lambda: attempt(0, False))
    out = jnp.full((n, b), -1, jnp.int32).at[sidx, cols].set(r, unique_indices=True)
    return out[:n0].T


_SWEEP_BLOCK = 16  # rows per step of the one-problem 2-D sweep (measured: 8 / 16 / 32)
# slots for the fronts' minima in the one-problem 2-D sweep (more fronts: a second pass with N
# slots). The loop reads them with a gather; XLA:CPU splits a gather over its threads when its
# operand is large (here from ~131 000 int32 slots on), and a thread hand-off per step makes
# the sweep of 1e5 rows padded to 131 072 three times slower (bench/results_pareto.md).
_SWEEP_SLOTS = 1 << 14


def _ranks_2d_sweep_single(
    k: Int[Array, "n 2"],
    mask: Bool[Array, " n"],
    block: int = _SWEEP_BLOCK,
    slots: int = _SWEEP_SLOTS,
) -> Int[Array, " n"]:
    """2-D front indices of one large problem: one lexicographic sort, then a sweep over
    blocks of ``block`` sorted rows. The fronts' minima of the earlier blocks give each row
    of a block a lower bound at once (the number of fronts whose minimum f2 is <= its f2: a
    binary search per row, all rows of the block together; see :func:`_sweep_2d` for the
    invariant); the dominance chains inside the block are then resolved by relaxation on its
    block × block domination matrix, and the block's rows lower the minima of their fronts.
    A row equal to one of an earlier block takes that row's front (equal rows do not
    dominate each other). O(N log N) work in N / block sequential steps: one row per step
    costs XLA:CPU's per-iteration overhead N times, which bounded the one-row sweep at
    ~8x moocore for N = 1e5 (bench/results_pareto.md). The fronts' minima live in ``slots``
    slots; a problem with more fronts is swept again with one slot per row."""
    n = k.shape[0]
    nb = -(-n // block)
    if slots >= nb * block:
        return _sweep_2d_blocks(k, mask, block, nb * block)[0]
    ranks, over = _sweep_2d_blocks(k, mask, block, slots)
    return lax.cond(over, lambda: _sweep_2d_blocks(k, mask, block, nb * block)[0], lambda: ranks)


def _sweep_2d_blocks(k, mask, block: int, slots: int):
    """:func:`_ranks_2d_sweep_single` with ``slots`` slots for the fronts' minima: ``(ranks,
    overflow)``; the ranks are right unless ``overflow`` (a front index reached ``slots``)."""
    n = k.shape[0]
    s1, s2, sidx = _lexsort_2d(k, mask)
    big = jnp.iinfo(k.dtype).max
    nb = -(-n // block)
    npad = nb * block
    s1 = jnp.concatenate([s1, jnp.full((npad - n,), big, s1.dtype)])
    s2 = jnp.concatenate([s2, jnp.full((npad - n,), big, s2.dtype)])
    ok = jnp.concatenate([mask[sidx], jnp.zeros((npad - n,), bool)])
    row = jnp.arange(npad, dtype=jnp.int32)
    new = jnp.concatenate([jnp.ones((1,), bool), (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1])])
    first = lax.cummax(jnp.where(new, row, 0))  # the first row of each run of equal rows
    B1, B2, V, F = (x.reshape(nb, block) for x in (s1, s2, ok, first))

    def step(b, carry):
        # fronts' minimum f2 (non-decreasing), ranks so far, fronts, the previous block's last
        low, ranks, nf, last = carry
        a1, a2, v = B1[b], B2[b], V[b]

        def halve(c):  # per row: the first front whose minimum is > a2
            lo, hi = c
            mid = (lo + hi) // 2
            above = low[jnp.minimum(mid, slots - 1)] > a2
            act = lo < hi
            return jnp.where(act & ~above, mid + 1, lo), jnp.where(act & above, mid, hi)

        hi0 = jnp.minimum(nf, slots)
        start = (jnp.zeros((block,), jnp.int32), jnp.full((block,), hi0, jnp.int32))
        lo, _ = lax.while_loop(lambda c: jnp.any(c[0] < c[1]), halve, start)
        # equal to a row of an earlier block: its front, which is the previous block's last
        # row's (a run of equal rows is contiguous and shares one front); no gather from ranks
        carried = F[b] < b * block
        r0 = jnp.where(carried, last, lo)
        pts = jnp.stack([a1, a2], axis=-1)
        d = dominates(pts[:, None, :], pts[None, :, :]) & v[:, None]  # D[j, i]: j dominates i

        def relax(c):
            r, _ = c
            new = jnp.where(carried, r0, jnp.maximum(lo, jnp.where(d, r[:, None] + 1, 0).max(0)))
            return new, jnp.any(new != r)

        r, _ = lax.while_loop(lambda c: c[1], relax, (r0, jnp.bool_(True)))
        low = low.at[jnp.where(v, r, slots)].min(a2, mode="drop")
        ranks = lax.dynamic_update_slice(ranks, r, (b * block,))
        nf = jnp.maximum(nf, jnp.max(jnp.where(v, r + 1, 0)))
        return low, ranks, nf, r[-1]

    init = (
        jnp.full((slots,), big, k.dtype),
        jnp.zeros((npad,), jnp.int32),
        jnp.int32(0),
        jnp.int32(0),
    )
    # masked rows sort last (a valid row whose keys both equal the fill value may sit among
    # them): only the blocks up to the last valid row are swept (an eager call pads 1e5 rows
    # to 131 072)
    n_swept = jnp.max(jnp.where(ok, row + 1, 0))
    _, ranks, nf, _ = lax.fori_loop(0, (n_swept + block - 1) // block, step, init)
    out = jnp.zeros((n,), jnp.int32).at[sidx].set(jnp.where(ok, ranks, -1)[:n])
    return out, nf > slots


def _lexsort_2d(k: Int[Array, "n 2"], mask: Bool[Array, " n"]):
    """``(f1, f2, row)`` sorted lexicographically by (f1, f2); masked rows last (as ``big``,
    so a valid row whose keys equal ``big`` may sort among them: read validity as
    ``mask[row]``)."""
    big = jnp.iinfo(k.dtype).max
    k1 = jnp.where(mask, k[:, 0], big)
    k2 = jnp.where(mask, k[:, 1], big)
    return lax.sort((k1, k2, jnp.arange(k.shape[0], dtype=jnp.int32)), num_keys=2)


def _lexmin(x, y):
    """Associative lexicographic minimum of (f2, f1) pairs (``x`` is the earlier one)."""
    x2, x1 = x
    y2, y1 = y
    tx = (x2 < y2) | ((x2 == y2) & (x1 <= y1))
    return jnp.where(tx, x2, y2), jnp.where(tx, x1, y1)


def _undominated_2d(s1, s2, rem):
    """On lexicographically sorted rows: no earlier ``rem`` row has a smaller (f2, f1) (an
    equal pair is a duplicate, which does not dominate). One parallel prefix minimum, O(N)."""
    big = jnp.iinfo(s1.dtype).max
    m2, m1 = lax.associative_scan(_lexmin, (jnp.where(rem, s2, big), jnp.where(rem, s1, big)))
    top = jnp.full((1,), big, s1.dtype)
    e2 = jnp.concatenate([top, m2[:-1]])  # exclusive prefix: earlier rows only
    e1 = jnp.concatenate([top, m1[:-1]])
    return (e2 > s2) | ((e2 == s2) & (e1 >= s1))


def _search_left(sorted_vals: Int[Array, " n"], q: Int[Array, " k"]) -> Int[Array, " k"]:
    """Number of entries of ``sorted_vals`` strictly below each query (vectorized bisection)."""
    n = sorted_vals.shape[0]
    lo = jnp.zeros(q.shape, jnp.int32)
    hi = jnp.full(q.shape, n, jnp.int32)
    for _ in range(max(1, int(np.ceil(np.log2(n + 1))))):
        active = lo < hi
        mid = (lo + hi) // 2
        below = sorted_vals[jnp.minimum(mid, n - 1)] < q
        lo = jnp.where(active & below, mid + 1, lo)
        hi = jnp.where(active & ~below, mid, hi)
    return lo


# --------------------------------------------------------------------------------------------
# non-dominated sorting: blocked longest-chain in Z-order with tile pruning (large N, M >= 3)
# --------------------------------------------------------------------------------------------

_LAYERS = 32  # rank layers of a finished block kept as lower corners (the pruning test)


def _dense_rank_cols(k: Int[Array, "n m"], mask: Bool[Array, " n"]) -> Int[Array, "n m"]:
    """Each objective replaced by its dense rank among the valid rows (0, 1, ...: the
    one-objective front index of :func:`_ranks_1d`); masked rows get N, above every valid
    rank. Dominance is invariant to it (equal stays equal)."""
    n, m = k.shape
    r = jnp.stack([_ranks_1d(k[:, c : c + 1], mask) for c in range(m)], axis=-1)
    return jnp.where(mask[:, None], r, n)


def _zorder(r: Int[Array, "n m"], bits: int) -> Int[Array, " n"]:
    """The permutation that sorts non-negative ``r`` (< 2**bits) in Z-order (Morton order: the
    coordinates' bits interleaved, most significant first; 31 bits per sort key). If ``a <= b``
    componentwise and ``a != b``, ``a`` comes first: at the first interleaved bit where they
    differ, ``a`` has the 0 (all higher bits of that coordinate agree)."""
    n, m = r.shape
    words = [jnp.zeros((n,), jnp.int32) for _ in range(-(-(m * bits) // 31))]
    pos = 0
    for t in range(bits - 1, -1, -1):
        for c in range(m):
            w, off = divmod(pos, 31)
            words[w] = words[w] | (((r[:, c] >> t) & 1) << (30 - off))
            pos += 1
    out = lax.sort(tuple(words) + (jnp.arange(n, dtype=jnp.int32),), num_keys=len(words))
    return out[-1]


def _ranks_blocked(
    k: Int[Array, "n m"], mask: Bool[Array, " n"], block: int, cap: int | None = None
) -> Int[Array, " n"]:
    """Front index as the length of the longest dominance chain ending at each point.

    The front index of a point is 1 + the largest front index among the points that dominate
    it (0 if none). The points are sorted in Z-order of their dense ranks, a linear extension
    of dominance (every dominator comes first) whose blocks of ``block`` points are compact
    boxes. Blocks are finished in order: block b takes the maximum over earlier blocks a
    (C×C domination tiles), then resolves the chains inside itself by relaxation. A tile is
    computed only if it can raise some point's value: a's points must reach that value (a's
    largest rank) and lie below the point (the lower corner of a's points of high enough
    rank, kept for the top ``_LAYERS`` ranks of each block); the earlier blocks are visited
    in decreasing order of their largest rank, and the visit stops once none can raise the
    block's smallest value. On uniform 3-D points (N = 1e5, ~100 fronts) that computes ~4 %
    of the C×C tiles of the lexicographic version (`bench/results_pareto.md`). Memory
    O(N·M + C²). ``cap``: chain lengths capped there (1: front 0 only).
    """
    n, m = k.shape
    nb = -(-n // block)
    npad = nb * block
    r = _dense_rank_cols(k, mask)
    perm = _zorder(r, max(1, n.bit_length()))
    top = jnp.int32(jnp.iinfo(jnp.int32).max if cap is None else cap)
    far = n + 1  # above every rank: a padded row / an empty layer's corner
    sk = jnp.concatenate([r[perm], jnp.full((npad - n, m), far, jnp.int32)]).reshape(nb, block, m)
    sv = jnp.concatenate([mask[perm], jnp.zeros((npad - n,), bool)]).reshape(nb, block)
    lo = jnp.min(jnp.where(sv[..., None], sk, far), axis=1)  # (nb, M) lower corners
    hi = jnp.max(jnp.where(sv[..., None], sk, -1), axis=1)
    nonempty = sv.any(axis=1)
    blocks = jnp.arange(nb, dtype=jnp.int32)
    layers = jnp.arange(_LAYERS, dtype=jnp.int32)

    def tile(a, b):  # D[i, j]: row i of block a dominates row j of block b
        return dominates(sk[a][:, None, :], sk[b][None, :, :]) & sv[a][:, None]

    def outer(b, state):
        ranks, maxr, corners = state
        fb, vb = sk[b], sv[b]
        cand = (blocks < b) & nonempty & jnp.all(lo <= hi[b][None, :], axis=1)
        neg, order = lax.sort((-jnp.where(cand, maxr, -1), blocks), num_keys=1)
        ncand = jnp.sum(cand)

        def more(s):  # a candidate left whose largest rank can raise the smallest value
            j, best = s
            low = jnp.min(jnp.where(vb & (best < top), best, jnp.iinfo(jnp.int32).max))
            return (j < ncand) & (-neg[jnp.minimum(j, nb - 1)] >= low)

        def visit(s):
            j, best = s
            a = order[j]
            t = maxr[a] - best  # row i can only gain from a's rows of rank >= best_i
            corner = jnp.where(
                (t < _LAYERS)[:, None], corners[a][jnp.clip(t, 0, _LAYERS - 1)], lo[a][None, :]
            )
            need = jnp.any(vb & (t >= 0) & (best < top) & jnp.all(corner <= fb, axis=1))

            def gain(best):
                reach = jnp.where(tile(a, b), ranks[a][:, None] + 1, 0)
                return jnp.maximum(best, jnp.minimum(reach.max(axis=0), top))

            return j + 1, lax.cond(need, gain, lambda x: x, best)

        _, best = lax.while_loop(more, visit, (jnp.int32(0), jnp.zeros((block,), jnp.int32)))
        dbb = tile(b, b)

        def relax(s):
            rr, _ = s
            new = jnp.maximum(best, jnp.minimum(jnp.where(dbb, rr[:, None] + 1, 0).max(0), top))
            return new, jnp.any(new != rr)

        rr, _ = lax.while_loop(lambda s: s[1], relax, (best, jnp.bool_(True)))
        mb = jnp.max(jnp.where(vb, rr, -1))
        layer = vb[None, :] & (rr[None, :] >= mb - layers[:, None])  # (L, C)
        corner = jnp.min(jnp.where(layer[..., None], fb[None], far), axis=1)  # (L, M)
        return ranks.at[b].set(rr), maxr.at[b].set(mb), corners.at[b].set(corner)

    init = (
        jnp.zeros((nb, block), jnp.int32),
        jnp.full((nb,), -1, jnp.int32),
        jnp.full((nb, _LAYERS, m), far, jnp.int32),
    )
    ranks, _, _ = lax.fori_loop(0, nb, outer, init)
    rs = jnp.where(sv, ranks, -1).reshape(npad)[:n]
    return jnp.zeros((n,), jnp.int32).at[perm].set(rs)


def _ranks_1d(k: Int[Array, "n 1"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """M = 1: the front index is the number of distinct valid values below the row's value."""
    n = k.shape[0]
    big = jnp.iinfo(k.dtype).max
    k1 = jnp.where(mask, k[:, 0], big)
    s = jnp.sort(k1)
    new_value = jnp.concatenate([jnp.zeros((1,), jnp.int32), (s[1:] != s[:-1]).astype(jnp.int32)])
    distinct_before = jnp.cumsum(new_value)
    pos = _search_left(s, k1)
    return jnp.where(mask, distinct_before[jnp.minimum(pos, n - 1)], -1).astype(jnp.int32)


# --------------------------------------------------------------------------------------------
# dispatch (static, by shape)
# --------------------------------------------------------------------------------------------

#: Non-dominated sorting algorithms: name -> which (M) they support.
RANK_METHODS = ("dense", "sort1d", "peel2d", "sweep2d", "blocked")
_BLOCK = 128
_DENSE_MAX_2D = 1024  # M = 2, one problem: dense peel up to here, then sweep2d (batches: below)
_DENSE_MAX = 8192  # M >= 3: bit-packed dense peel up to here (N² bits), then blocked
# a batch of 2-D problems with N <= 256: the dense peel for up to 48 fronts (1000 x 256 uniform
# points have <= 36), else sweep2d: with one front ~3x faster than the sweep, as fast with 36
# (bench/RESULTS.md); each further front costs one pass over the batch's N²/32 words
_DENSE_BATCH_2D = 256
_DENSE_BATCH_2D_FRONTS = 48
# front 0 only (pareto_mask): the bit-packed matrix and one pass up to here (N²/8 bytes per
# problem), then the sort and prefix minimum (M = 2) or the blocked dominance pass
_FRONT0_PACKED_MAX = 1024


def _choose_method(n: int, m: int) -> str:
    """Pick the fastest exact algorithm for a problem shape (measured: bench/pareto.py)."""
    if m == 1:
        return "sort1d"
    if m == 2:
        return "dense" if n <= _DENSE_MAX_2D else "sweep2d"
    return "dense" if n <= _DENSE_MAX else "blocked"


def _ranks_single(
    k: Int[Array, "n m"], mask: Bool[Array, " n"], method: str | None = None, by_sum=False
) -> Int[Array, " n"]:
    """Front index of every row of one problem from its integer order keys ``k`` (``by_sum``:
    see :func:`_dense_bits`)."""
    n, m = k.shape
    method = method or _choose_method(n, m)
    if method == "dense":
        return _ranks_dense(k, mask, by_sum)
    if method == "sort1d":
        if m != 1:
            raise ValueError(f"method 'sort1d' needs M == 1; got M = {m}")
        return _ranks_1d(k, mask)
    if method == "sweep2d":
        if m != 2:
            raise ValueError(f"method 'sweep2d' needs M == 2; got M = {m}")
        return _ranks_2d_sweep_single(k, mask)
    if method == "peel2d":
        if m != 2:
            raise ValueError(f"method 'peel2d' needs M == 2; got M = {m}")
        return _ranks_2d_peel(k, mask)
    if method == "blocked":
        return _ranks_blocked(k, mask, min(_BLOCK, next_pow2(n, 8)))
    raise ValueError(f"method must be one of {RANK_METHODS}; got {method!r}")


def _keys(y: Array) -> Array:
    """In-graph order keys: integers are their own keys, floats their IEEE order keys."""
    return y if jnp.issubdtype(y.dtype, jnp.integer) else _order_keys(y)


def _ranks_batch(k, mask, method=None):
    """int keys[B, N, M], mask[B, N] -> int32[B, N] front indices.

    A batch of 2-D rungs (B > 1): with N <= ``_DENSE_BATCH_2D``, the bit-packed dense peel of
    at most ``_DENSE_BATCH_2D_FRONTS`` fronts, and the batch-vectorized sort-and-sweep
    (``sweep2d``) instead when a problem has more fronts; with N <= 1024, the sweep. Everything
    else one problem at a time (:func:`_over_problems`).
    """
    b, n, m = k.shape
    if method is None and m == 2 and b > 1 and n <= _DENSE_BATCH_2D:
        by_sum = _sum_test_ok(k, mask)  # one flag for the batch: a cond, not a select, below
        r, left = jax.vmap(lambda a, c: _ranks_dense_capped(a, c, _DENSE_BATCH_2D_FRONTS, by_sum))(
            k, mask
        )
        return lax.cond(jnp.any(left), lambda: _ranks_2d_sweep(k, mask), lambda: r)
    if method is None and m == 2 and b > 1 and n <= _DENSE_MAX_2D:
        method = "sweep2d"
    if method == "sweep2d" and n <= _DENSE_MAX_2D:
        if m != 2:
            raise ValueError(f"method 'sweep2d' needs M == 2; got M = {m}")
        return _ranks_2d_sweep(k, mask)
    blocked = _one_at_a_time(n, m, method)
    by_sum = _sum_test_ok(k, mask) if (method or _choose_method(n, m)) == "dense" else False
    return _over_problems(lambda a, c: _ranks_single(a, c, method, by_sum), blocked, k, mask)


def _one_at_a_time(n: int, m: int, method: str | None = None) -> bool:
    """Whether a batch of such problems runs one problem after another (:func:`_over_problems`):
    the ``blocked`` kernel and the one-problem 2-D sweep have data-dependent conditionals
    (tile pruning; the sweep's second pass when its front slots overflow)."""
    method = method or _choose_method(n, m)
    return method == "blocked" or (method == "sweep2d" and n > _DENSE_MAX_2D)


def _over_problems(fn, blocked: bool, *args):
    """``fn`` over the leading (batch) axis of ``args``: ``vmap``, or one problem after another
    (``lax.map``) when ``blocked`` (:func:`_one_at_a_time`), whose conditionals would become
    selects that run every branch under ``vmap``."""
    if blocked:
        return lax.map(lambda a: fn(*a), args)
    return jax.vmap(fn)(*args)


@partial(wide_jit, static_argnames=("method",))
def _nondominated_ranks(k, mask, method=None):
    """int keys[B, N, M], mask[B, N] -> int32[B, N] front indices."""
    return _ranks_batch(k, mask, method)


_RANKS2_TARGETS = {
    jnp.dtype(jnp.int32): "mohb_ranks2_s32",
    jnp.dtype(jnp.int64): "mohb_ranks2_s64",
}


def _ranks_ffi(k, mask):
    """The native 2-D non-dominated sort (``native/kernels.cc``, O(N log N) per problem) on the
    int keys ``k (..., N, 2)`` as an XLA custom call; masked rows get -1."""
    if not _native.available():  # also registers the targets (a program lowered directly)
        raise RuntimeError(f"the native kernels are not available: {_native.info()['reason']}")
    out = jax.ShapeDtypeStruct(k.shape[:-1], jnp.int32)
    name = _RANKS2_TARGETS[jnp.dtype(k.dtype)]
    return jax.ffi.ffi_call(name, out, vmap_method="broadcast_all")(k, mask)


@jax.jit
def _nondominated_ranks_native(k, mask):
    """:func:`_nondominated_ranks` with the native kernel where the program runs on the CPU
    and the JAX kernels elsewhere (``platform_dependent`` lowers one branch)."""
    return lax.platform_dependent(
        k, mask, cpu=_ranks_ffi, default=lambda k, mask: _ranks_batch(k, mask)
    )


def _native_ranks_eager(y, mask) -> Array | None:
    """Eager 2-D ranks of float host values with the native kernel, compared as float64 (exact
    for every float dtype; no keys built on the host); ``None`` where it does not apply."""
    if not (_native.eager_cpu() and is_concrete(y, mask)):
        return None
    a = np.asarray(y)
    if a.shape[-1] != 2 or not np.issubdtype(a.dtype, np.floating):
        return None
    _validate(a, mask)
    a, mk, lead, n, _ = _flatten(np, a, mask)
    return to_device(_native.ranks2_f64(a, mk).reshape(*lead, n))


def nondominated_ranks(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Int[Array, "*batch n"]:
    """Non-dominated sorting: the front index of every row (0 = non-dominated).

    Front 0 holds the rows no valid row dominates; front k the rows not dominated once fronts
    0..k-1 are removed. Duplicates share a front. ``+inf`` is allowed (e.g. a diverged run) and
    compares as larger than every finite value. Exact for any real dtype (float64 input is
    never rounded to float32 for the comparisons; see the module docstring).

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
    native = np.shape(y)[-1:] == (2,) and _native.enabled()
    out = _native_ranks_eager(y, mask) if native else None
    if out is not None:
        return out
    p = _boundary(y, mask)
    native = native and jnp.dtype(p.k.dtype) in _RANKS2_TARGETS
    return _finish((_nondominated_ranks_native if native else _nondominated_ranks)(p.k, p.mask), p)


def _front0_2d(k: Int[Array, "n 2"], mask: Bool[Array, " n"]) -> Bool[Array, " n"]:
    """Front 0 of a 2-D problem: one lexicographic sort and one parallel prefix minimum,
    O(N log N) (the first step of :func:`_ranks_2d_peel`)."""
    s1, s2, sidx = _lexsort_2d(k, mask)
    nd = _undominated_2d(s1, s2, mask[sidx])
    return jnp.zeros((k.shape[0],), bool).at[sidx].set(nd) & mask


def _front0_dense(k: Int[Array, "n m"], mask: Bool[Array, " n"], block: int) -> Bool[Array, " n"]:
    """Front 0 for any M: one dominance pass, dominators in blocks of ``block`` rows (O(N²·M)
    time, O(N·block) memory)."""
    n, m = k.shape
    nb = -(-n // block)
    pad = nb * block - n
    kb = jnp.concatenate([k, jnp.zeros((pad, m), k.dtype)]).reshape(nb, block, m)
    mb = jnp.concatenate([mask, jnp.zeros((pad,), bool)]).reshape(nb, block)

    def body(i, dominated):
        d = dominates(kb[i][:, None, :], k[None, :, :]) & mb[i][:, None]
        return dominated | jnp.any(d, axis=0)

    dominated = lax.fori_loop(0, nb, body, jnp.zeros((n,), bool))
    return mask & ~dominated


def _front0_packed(
    k: Int[Array, "n m"], mask: Bool[Array, " n"], by_sum=False
) -> Bool[Array, " n"]:
    """Front 0 for any M: the bit-packed domination matrix (:func:`_dense_bits`) and one pass
    over it, O(N²·M / 32) words; the first step of :func:`_ranks_dense`."""
    n0 = k.shape[0]
    bits, maskp = _dense_bits(k, mask, by_sum)
    dominated = jnp.any((bits & pack_rows(maskp)[:, None]) != 0, axis=0)
    return (maskp & ~dominated)[:n0]


def _front0_single(
    k: Int[Array, "n m"], mask: Bool[Array, " n"], by_sum=False
) -> Bool[Array, " n"]:
    n, m = k.shape
    if m == 1:
        big = jnp.iinfo(k.dtype).max
        k1 = jnp.where(mask, k[:, 0], big)
        return mask & (k1 == jnp.min(k1))
    if n <= _FRONT0_PACKED_MAX:
        return _front0_packed(k, mask, by_sum)
    if m == 2:
        return _front0_2d(k, mask)
    if n <= _DENSE_MAX:
        return _front0_dense(k, mask, min(n, 1024))
    return _ranks_blocked(k, mask, _BLOCK, cap=1) == 0


@wide_jit
def _pareto_mask(k, mask):
    b, n, m = k.shape  # _front0_single uses the blocked kernel exactly where the ranks do
    by_sum = _sum_test_ok(k, mask) if m > 1 and n <= _FRONT0_PACKED_MAX else False
    return _over_problems(
        lambda a, c: _front0_single(a, c, by_sum), _choose_method(n, m) == "blocked", k, mask
    )


def pareto_mask(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Bool[Array, "*batch n"]:
    """True for the valid rows no valid row dominates (front 0), without computing the others.

    Cost: M = 1 a minimum; M = 2 one lexicographic sort and one prefix minimum, O(N log N);
    M >= 3 one dominance pass, O(N²·M) (up to 8192 rows in blocks; beyond, the blocked
    kernel of ``nondominated_ranks`` with chains capped at length 1, which skips the tiles
    that cannot dominate a point not yet known to be dominated).

    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows (always False in the result).

    Returns:
        bool[..., N].
    """
    p = _boundary(y, mask)
    return _finish(_pareto_mask(p.k, p.mask), p)


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
    lo = jnp.min(jnp.where(fin, y, jnp.inf), axis=0, keepdims=True)  # [1, M]
    hi = jnp.max(jnp.where(fin, y, -jnp.inf), axis=0, keepdims=True)
    anyfin = jnp.any(fin, axis=0, keepdims=True)
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
    k: Int[Array, "n m"], z: Float[Array, "n m"], mask: Bool[Array, " n"], ranks: Int[Array, " n"]
) -> Float[Array, " n"]:
    """Crowding distance with one lexicographic (front, key, index) sort per objective.

    The order comes from the exact keys ``k``, the gaps from the distance coordinates ``z``.
    """
    n, m = z.shape
    seg = jnp.where(mask, ranks, n)  # masked rows in a dummy segment n
    idx = jnp.arange(n, dtype=jnp.int32)
    total = jnp.zeros((n,), z.dtype)
    for j in range(m):  # static, small
        zj = z[:, j]
        s_seg, _, s_idx, s_z = lax.sort((seg, k[:, j], idx, zj), num_keys=3)
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
def _crowding_distance(k, z, mask):
    def one(k1, z1, m1):
        return _crowding_single(k1, z1, m1, _ranks_single(k1, m1))

    b, n, m = k.shape
    return _over_problems(one, _one_at_a_time(n, m), k, z, mask)


def crowding_distance(
    y: Float[ArrayLike, "*batch n m"], mask: Bool[ArrayLike, "*batch n"] | None = None
) -> Float[Array, "*batch n"]:
    """NSGA-II crowding distance, computed inside each non-dominated front.

    For every objective, the members of a front are sorted by that objective (ties: lowest row
    index first); the first and last get ``+inf``; an interior member gets
    ``(next - prev) / (max - min)`` over that front (0 when the front is constant in that
    objective). The distance is the sum over objectives. Fronts of one or two rows are all
    ``+inf``. ``+inf`` objective values are first replaced by a finite value one range beyond
    the worst finite value (see :func:`rung_rank`), which keeps their order. Fronts and orders
    are exact for any dtype; the gaps are computed in float64 on the host and rounded to
    float32 unless x64 is enabled (a ``PrecisionWarning`` says when that merges values).    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows.

    Returns:
        float[..., N]: crowding distance; masked rows get 0.

    References:
        Deb et al., NSGA-II, IEEE TEC 2002, Sec. III-B.
    """
    p = _boundary(y, mask, "raw")
    return _finish(_crowding_distance(p.k, p.z, p.mask), p)


# --------------------------------------------------------------------------------------------
# rung rule: fronts, then ε-net (or crowding) inside each front
# --------------------------------------------------------------------------------------------


def _norm(diff: Float[Array, "... m"]) -> Float[Array, "..."]:
    """Euclidean norm over the last axis, symmetric in the coordinates bit for bit.

    ``sqrt(a*a + b*b)`` may be compiled as ``sqrt(fma(a, a, b*b))`` in one fusion and
    ``sqrt(fma(b, b, a*a))`` in another, which breaks exact distance ties (e.g. mirror-image
    points on a grid) differently in different kernels. Summing the squares in sorted order
    (M = 2: larger + smaller) gives the same float for any permutation of the coordinates,
    and an add of two selects cannot be contracted into an FMA.
    """
    sq = diff * diff
    m = sq.shape[-1]
    if m > 8:  # a sort custom call is slow on CPU, but fine for this rare case
        return jnp.sqrt(jnp.sum(jnp.sort(sq, axis=-1), axis=-1))
    c = [sq[..., j] for j in range(m)]
    for r in range(m):  # odd-even transposition network: m rounds of min/max sort c
        for j in range(r % 2, m - 1, 2):
            c[j], c[j + 1] = jnp.minimum(c[j], c[j + 1]), jnp.maximum(c[j], c[j + 1])
    acc = c[0]
    for x in c[1:]:
        acc = acc + x
    return jnp.sqrt(acc)


def _front_offsets(seg: Int[Array, " n"], mask: Bool[Array, " n"], n: int) -> Int[Array, " n1"]:
    """Number of valid rows in fronts before each front (index n = masked dummy segment)."""
    counts = jax.ops.segment_sum(mask.astype(jnp.int32), seg, num_segments=n + 1)
    return jnp.cumsum(counts) - counts


def _tie_tol(z: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Float[Array, ""]:
    """Distances closer than this are ties (they go to the lower index).

    A coordinate carries a rounding error up to ``eps * |z|``, so two distances that are equal
    in exact arithmetic may differ by a few ``eps * max|z|`` once computed; the greedy ε-net
    treats such near-equal distances as the exact tie they most likely are. (In float64 the
    tolerance is ~1e-15 of the range: any real difference is larger.) The factor is the
    smallest that finds every exact tie of the integer-grid oracle in the tests, doubled.
    """
    m = z.shape[-1]
    scale = jnp.max(jnp.where(mask[:, None], jnp.abs(z), 0.0))
    return 2.0 * float(np.sqrt(m)) * jnp.finfo(z.dtype).eps * jnp.maximum(scale, 1e-30)


def _epsnet_positions(
    z: Float[Array, "n m"], k0: Int[Array, " n"], seg: Int[Array, " n"], mask: Bool[Array, " n"]
) -> Int[Array, " n"]:
    """Greedy ε-net position of every valid row inside its front, all fronts in parallel.

    Step 0 takes, per front, the member with the lowest first objective (its exact key ``k0``;
    ties: lowest index); step t takes the untaken member whose minimum Euclidean distance to
    the members already taken is largest (ties, up to :func:`_tie_tol`: lowest index). The
    loop runs max-front-size steps, O(N) each.
    """
    n = z.shape[0]
    ns = n + 1
    idx = jnp.arange(n, dtype=jnp.int32)
    big = jnp.int32(n)
    tol = _tie_tol(z, mask)

    def lowest(hit):  # per segment, the lowest index among hit rows; n if none
        return jax.ops.segment_min(jnp.where(hit, idx, big), seg, num_segments=ns)

    def pick(score, cand):
        s = jnp.where(cand, score, -jnp.inf)
        best = jax.ops.segment_max(s, seg, num_segments=ns)
        return lowest(cand & (s >= best[seg] - tol))

    def dist_to(p):  # p: int32[ns] picked row per segment (n = none)
        q = jnp.minimum(p[seg], n - 1)
        diff = z - z[q]
        d = _norm(diff)
        return d, p[seg] < n

    kmin = jax.ops.segment_min(jnp.where(mask, k0, jnp.iinfo(k0.dtype).max), seg, num_segments=ns)
    first = lowest(mask & (k0 == kmin[seg]))
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


def _epsnet_sequential_batched(
    z: Float[Array, "b n m"],
    k0: Int[Array, "b n"],
    seg: Int[Array, "b n"],
    mask: Bool[Array, "b n"],
) -> Int[Array, "b n"]:
    """Position of every valid row in the total order, one row per step, all problems at once.

    Same rule as :func:`_epsnet_positions` plus front offsets, built as one sequence: the
    current front is the lowest one with untaken rows; its first row has the lowest first
    objective (ties: lowest index), then the farthest-point rule. n_valid steps of O(N)
    work, in a (N, B) layout so that every reduction runs across the batch (vectorized), and
    only element-wise ops and single-operand reductions (XLA CPU runs argmax, scatter and
    gather far slower). Best when fronts are large (one front: K = N).
    """
    b, n, _ = z.shape
    zt = jnp.transpose(z, (1, 0, 2))  # [n, b, m]
    kt = k0.T
    st = seg.T
    mt = mask.T
    idc = jnp.arange(n, dtype=jnp.int32)[:, None]
    n_max = jnp.max(jnp.sum(mask, axis=-1, dtype=jnp.int32))
    tol = jax.vmap(_tie_tol)(z, mask)[None, :]
    kbig = jnp.iinfo(k0.dtype).max

    def cond(state):
        return state[2] < n_max

    def body(state):
        pos, mind, t = state
        untaken = mt & (pos < 0)
        f = jnp.min(jnp.where(untaken, st, n), axis=0, keepdims=True)
        in_f = untaken & (st == f)
        started = jnp.any((pos >= 0) & (st == f), axis=0, keepdims=True)
        kmin = jnp.min(jnp.where(in_f, kt, kbig), axis=0, keepdims=True)
        score = jnp.where(in_f, mind, -jnp.inf)
        best = jnp.max(score, axis=0, keepdims=True)
        hit = in_f & jnp.where(started, score >= best - tol, kt == kmin)
        p = jnp.min(jnp.where(hit, idc, n), axis=0, keepdims=True)
        hit = idc == p
        pos = jnp.where(hit, t, pos)
        zp = jnp.sum(jnp.where(hit[..., None], zt, 0.0), axis=0, keepdims=True)
        diff = zt - zp
        d = _norm(diff)
        mind = jnp.where(st == f, jnp.minimum(mind, d), mind)
        return pos, mind, t + 1

    pos0 = jnp.full((n, b), -1, jnp.int32)
    mind0 = jnp.full((n, b), jnp.inf, z.dtype)
    pos, _, _ = lax.while_loop(cond, body, (pos0, mind0, jnp.int32(0)))
    return pos.T


def _crowding_rank_single(
    k: Int[Array, "n m"], z: Float[Array, "n m"], mask: Bool[Array, " n"]
) -> Int[Array, " n"]:
    """Rung positions with the crowding tie-break: sort by (front, -crowding, index)."""
    n = k.shape[0]
    ranks = _ranks_single(k, mask)
    seg = jnp.where(mask, ranks, n)
    cd = _crowding_single(k, z, mask, ranks)
    idx = jnp.arange(n, dtype=jnp.int32)
    _, _, order = lax.sort((seg, -cd, idx), num_keys=3)
    out = jnp.zeros((n,), jnp.int32).at[order].set(idx)
    return jnp.where(mask, out, -1).astype(jnp.int32)


def _rung_rank_crowding_single(y: Float[Array, "n m"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    """:func:`_crowding_rank_single` from float points (keys and coordinates in the graph)."""
    return _crowding_rank_single(_keys(y), _distance_coords(y, mask, normalize=False), mask)


#: ε-net strategies: "parallel" (all fronts at once, K = largest-front steps with segment
#: reductions), "sequential" (one row per step, n_valid steps of cheap vector work), "auto".
EPSNET_MODES = ("auto", "parallel", "sequential")
_PARALLEL_COST = 4  # measured: one parallel step costs about 4 sequential steps (1000 x 256)


@partial(wide_jit, static_argnames=("tie_break", "epsnet"))
def _rung_rank(k, z, mask, tie_break, epsnet="auto"):
    """keys int[B, N, M], coordinates float[B, N, M], mask[B, N] -> int32[B, N] positions."""
    n = k.shape[-2]
    if tie_break == "crowding":
        blocked = _one_at_a_time(n, k.shape[-1])
        return _over_problems(_crowding_rank_single, blocked, k, z, mask)
    ranks = _ranks_batch(k, mask)
    seg = jnp.where(mask, ranks, n)
    k0 = k[..., 0]

    def par():
        def one(z1, k1, s1, m1):
            return _front_offsets(s1, m1, n)[s1] + _epsnet_positions(z1, k1, s1, m1)

        return jax.vmap(one)(z, k0, seg, mask)

    def seq():
        return _epsnet_sequential_batched(z, k0, seg, mask)

    if epsnet == "parallel":
        out = par()
    elif epsnet == "sequential":
        out = seq()
    else:
        # decided at run time from the data: the largest front vs the number of valid rows
        counts = jax.vmap(lambda s1, m1: jax.ops.segment_sum(m1.astype(jnp.int32), s1, n + 1))(
            seg, mask
        )
        k_max = jnp.max(counts[:, :n])
        n_max = jnp.max(jnp.sum(mask, axis=-1))
        out = lax.cond(k_max * _PARALLEL_COST < n_max, par, seq)
    return jnp.where(mask, out, -1).astype(jnp.int32)


def rung_rank(
    y: Float[ArrayLike, "*batch n m"],
    mask: Bool[ArrayLike, "*batch n"] | None = None,
    *,
    tie_break: str = "epsnet",
    normalize: bool = True,
    strategy: str = "auto",
) -> Int[Array, "*batch n"]:
    """Position of every row (0 = best) in the rung order of Salinas et al. (2021).

    The order puts fronts first (non-dominated sorting). Inside a front, ``tie_break="epsnet"``
    uses the greedy ε-net order: the member with the lowest first objective (ties: lowest
    index), then repeatedly the member whose minimum Euclidean distance to the members of that
    front already taken is largest (ties: lowest index; distances equal up to a few float
    roundings of the coordinate range count as ties, so exact ties after normalization, e.g.
    on integer grids, go to the lower index). ``tie_break="crowding"`` orders a
    front by decreasing NSGA-II crowding distance (ties: lowest index).

    The result is a *rank* (one position per row), not an order (row indices): row ``i`` is the
    ``rung_rank(y)[i]``-th best. Valid rows get a permutation of ``0..n_valid-1``.

    Distances: ``normalize=True`` min-max scales every objective over the valid rows first (a
    constant objective becomes 0); ``normalize=False`` uses raw values. ``+inf`` values (e.g.
    diverged runs) rank by dominance as usual; for distances, a ``+inf`` is replaced by one
    range beyond the worst finite value of its objective (``hi + (hi - lo)``; 2.0 when
    normalized; ``hi + 1`` when the finite values are constant). This is our choice; the paper
    does not say.

    Cost: non-dominated sorting plus the ε-net, O(N·K) vector work with K = the largest front
    size, run either per front in parallel (K steps) or one row per step (N steps, cheaper
    steps); the choice is made at run time from K (a ``lax.cond``; under an outer ``vmap``
    both run). ``tie_break="crowding"`` costs M + 1 sorts.

    Args:
        y: float[..., N, M] objective values (minimized).
        mask: optional bool[..., N]; False marks padding rows, which never affect a result.
        tie_break: ``"epsnet"`` (the paper's rule) or ``"crowding"`` (NSGA-II).
        normalize: min-max scale the objectives before computing ε-net distances.
        strategy: how the ε-net is computed (same result): ``"parallel"`` (all fronts at once,
            K steps), ``"sequential"`` (one row per step, N cheaper steps; best for one big
            front) or ``"auto"`` (chosen at run time). Under an outer ``vmap`` ``"auto"`` pays
            for both; pick one there (``"parallel"`` suits rungs with several fronts).

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
    if strategy not in EPSNET_MODES:
        raise ValueError(f"strategy must be one of {EPSNET_MODES}; got {strategy!r}")
    coords = "normalized" if (normalize and tie_break == "epsnet") else "raw"
    p = _boundary(y, mask, coords)
    return _finish(_rung_rank(p.k, p.z, p.mask, tie_break, strategy), p)


# --------------------------------------------------------------------------------------------
# the position of one row only (ASHA's stopping decision)
# --------------------------------------------------------------------------------------------


def epsnet_position_packed(
    dom: Array,
    z: Float[Array, "n m"],
    mask: Bool[Array, " n"],
    t: Int[Array, ""],
    limit: Int[Array, ""],
    k0: Int[Array, " n"] | None = None,
) -> Int[Array, ""]:
    """Position of valid row ``t`` in the rung order, from a packed domination matrix.

    ``dom``: uint32[n/32, n], bit ``b`` of ``dom[w, j]`` set iff row ``32 w + b`` dominates row
    ``j`` (rows outside ``mask`` may hold anything: they are never consulted). ``z``: the
    distance coordinates (:func:`_distance_coords`); ``k0``: optional exact order keys of the
    first objective (default: ``z[:, 0]``). Fronts are peeled only down to the front of
    ``t``, then the greedy ε-net runs inside that front only until ``t`` is taken; both stop
    early once the position is known to be ``>= limit``.

    Returns:
        The exact position if it is ``< limit``; otherwise some value ``>= limit`` (a lower
        bound of the position). ``limit > n`` always gives the exact position.
    """
    n = z.shape[0]
    idx = jnp.arange(n, dtype=jnp.int32)

    def peel_cond(state):  # (a masked t is never found: stop when nothing remains)
        rem, before, found, _ = state
        return ~found & jnp.any(rem) & (before < limit)

    def peel_body(state):
        rem, before, _, _ = state
        words = pack_rows(rem)  # [n/32]
        dominated = jnp.any((dom & words[:, None]) != 0, axis=0)
        front = rem & ~dominated
        found = front[t]
        before = before + jnp.where(found, 0, jnp.sum(front, dtype=jnp.int32))
        return rem & ~front, before, found, front

    _, before, found, front = lax.while_loop(
        peel_cond, peel_body, (mask, jnp.int32(0), jnp.bool_(False), jnp.zeros((n,), bool))
    )

    # inside the front: lowest first coordinate (ties: lowest index), then farthest point
    if k0 is None:
        z0 = jnp.where(front, z[:, 0], jnp.inf)
    else:
        z0 = jnp.where(front, k0, jnp.iinfo(k0.dtype).max)
    first = jnp.min(jnp.where(front & (z0 == jnp.min(z0)), idx, n))
    tol = _tie_tol(z, mask)

    def dist_to(p):
        return _norm(z - z[jnp.minimum(p, n - 1)][None, :])

    def eps_cond(state):  # state[3] = index of the last pick inside the front
        p, taken, _, step = state
        return (p != t) & jnp.any(front & ~taken) & (before + step + 1 < limit)

    def eps_body(state):
        _, taken, mind, step = state
        cand = front & ~taken
        sc = jnp.where(cand, mind, -jnp.inf)
        p = jnp.min(jnp.where(cand & (sc >= jnp.max(sc) - tol), idx, n))
        return p, taken | (idx == p), jnp.minimum(mind, dist_to(p)), step + 1

    def ordered(_):
        p, _, _, step = lax.while_loop(
            eps_cond, eps_body, (first, idx == first, dist_to(first), jnp.int32(0))
        )
        return before + step + (p != t).astype(jnp.int32)

    return lax.cond(found, ordered, lambda _: before, None)


def _epsnet_position_kz(
    k: Int[Array, "n m"],
    z: Float[Array, "n m"],
    mask: Bool[Array, " n"],
    t: Int[Array, ""],
    limit: Int[Array, ""] | None = None,
) -> Int[Array, ""]:
    """``rung_rank[t]`` from keys and distance coordinates (see :func:`_epsnet_position_single`)."""
    n0 = k.shape[0]
    n = -(-n0 // 32) * 32
    if n != n0:
        k = jnp.concatenate([k, jnp.zeros((n - n0, k.shape[1]), k.dtype)], axis=0)
        z = jnp.concatenate([z, jnp.zeros((n - n0, z.shape[1]), z.dtype)], axis=0)
        mask = jnp.concatenate([mask, jnp.zeros((n - n0,), bool)])
    dom, _ = _dense_bits(k, mask)  # [n/32, n]; masked rows are never consulted
    limit = jnp.int32(n + 1) if limit is None else limit
    return epsnet_position_packed(dom, z, mask, jnp.asarray(t, jnp.int32), limit, k[:, 0])


def _epsnet_position_single(
    y: Float[Array, "n m"],
    mask: Bool[Array, " n"],
    t: Int[Array, ""],
    normalize: bool,
    limit: Int[Array, ""] | None = None,
) -> Int[Array, ""]:
    """``rung_rank(y, mask)[t]`` for one valid row ``t``, with early exits.

    Builds the packed domination matrix (one fused O(N²·M) pass) and calls
    :func:`epsnet_position_packed`. Same arithmetic as :func:`_epsnet_positions`, so the result
    is the full ranking's (``limit``: see there; default exact).
    """
    z = _distance_coords(y, mask, normalize)
    return _epsnet_position_kz(_keys(y), z, mask, t, limit)


@partial(jax.jit, static_argnames=("tie_break",))
def _rung_position(k, z, mask, t, tie_break):
    def one(k1, z1, m1, t1):
        t1 = jnp.asarray(t1, jnp.int32)
        if tie_break == "crowding":
            p = _crowding_rank_single(k1, z1, m1)[t1]
        else:
            p = _epsnet_position_kz(k1, z1, m1, t1)
        return jnp.where(m1[t1], p, -1).astype(jnp.int32)

    blocked = tie_break == "crowding" and _one_at_a_time(*k.shape[-2:])
    return _over_problems(one, blocked, k, z, mask, t)


def rung_position(
    y: Float[ArrayLike, "*batch n m"],
    t: Int[ArrayLike, "*batch"],
    mask: Bool[ArrayLike, "*batch n"] | None = None,
    *,
    tie_break: str = "epsnet",
    normalize: bool = True,
) -> Int[Array, "*batch"]:
    """Position of row ``t`` alone in the rung order: ``rung_rank(y, mask, ...)[..., t]``.

    What an ASHA stopping decision needs. For ``tie_break="epsnet"`` it peels fronts only
    until the front of row ``t`` and runs the ε-net inside that front only until ``t`` is
    taken, so a good newcomer (early front, early pick) costs one domination build plus a few
    vector steps instead of the full ranking. ``"crowding"`` computes the full rank.

    Args:
        y: float[..., N, M] objective values (minimized).
        t: int[...] row index per problem.
        mask: optional bool[..., N]; False marks padding rows.
        tie_break, normalize: as in :func:`rung_rank`.

    Returns:
        int32[...]: the position of row ``t`` (0 = best); -1 if row ``t`` is masked.

    Raises:
        ValueError: as :func:`rung_rank`, or ``t`` outside ``0..N-1``.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}; got {tie_break!r}")
    coords = "normalized" if (normalize and tie_break == "epsnet") else "raw"
    if not is_concrete(t):
        p = _boundary(y, mask, coords)
        tf = jnp.reshape(t, (-1,)).astype(jnp.int32)
        if p.k.shape[0] > tf.shape[0]:  # the batch axis was padded
            tf = jnp.concatenate([tf, jnp.zeros((p.k.shape[0] - tf.shape[0],), jnp.int32)])
        out = _rung_position(p.k, p.z, p.mask, tf, tie_break)
        return out[: p.b].reshape(p.lead)
    tn = np.asarray(t)
    if not np.issubdtype(tn.dtype, np.integer):
        raise ValueError(f"t must be an integer row index; got dtype {tn.dtype}")
    shape = np.shape(y)
    if tn.shape != shape[:-2]:
        raise ValueError(f"t must have the batch shape {shape[:-2]}; got {tn.shape}")
    if tn.size and (tn.min() < 0 or tn.max() >= shape[-2]):
        raise ValueError(f"t must be in 0..{shape[-2] - 1}; got {tn.min()}..{tn.max()}")
    p = _boundary(y, mask, coords)
    tp = np.zeros((p.k.shape[0],), np.int32)
    tp[: p.b] = tn.reshape(-1)
    out = _rung_position(p.k, p.z, p.mask, tp, tie_break)
    if is_concrete(out):
        return to_device(np.asarray(out)[: p.b].reshape(p.lead))
    return out[: p.b].reshape(p.lead)
