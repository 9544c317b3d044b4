"""Exact and Monte-Carlo hypervolume kernels, batched and jit/vmap-able (all objectives minimized).

The hypervolume (HV) of a point set ``Y`` with respect to a reference point ``r`` is the Lebesgue
measure of the region ``{z : z < r and some y in Y has y <= z}`` (Zitzler & Thiele, 1998). Points
that are not strictly better than ``r`` in every objective contribute nothing.

**Native CPU kernels.** On the CPU, ``hypervolume`` with M = 2, 3, 4 runs C++ kernels
(``native/kernels.cc``, built at install; :mod:`mohb_jax._src.native`) instead of the JAX ones
below: eager calls on host arrays call them directly in float64; jitted and vmapped calls reach
them as an XLA custom call inside ``lax.platform_dependent``, so programs lowered for a GPU use
the JAX kernels; derivatives are the JAX kernels'. Algorithms: 2-D a radix sort and the
staircase sum; 3-D the HV3D sweep with a 2-D staircase in a sorted array (a balanced tree beyond
2048 points), O(N log N); 4-D a sweep over the 4th objective adding each point's exclusive 3-D
volume, found by one walk over the earlier points that no other weakly dominates in the first
three objectives (the HV4D idea of Guerreiro, Fonseca & Emmerich, CCCG 2012), split over
threads for one large problem; large batches are split over every core. The JAX kernels below
run everywhere else (GPU, no native build, ``MOHB_JAX_NATIVE=0``, M >= 5, and the other
functions of this module).

Algorithms of the JAX kernels (all exact ones are the textbook "dimension sweep" family; this
file's code is ours):

* ``M = 2``: sort by the first objective, running minimum of the second, sum of rectangles
  (O(N log N)). The sort is a **bitonic sorting network** written with element-wise min/max on a
  batch-last layout, because XLA's CPU sort is 80-150x slower than NumPy's (see
  ``bench/RESULTS.md``); the network is branch-free, fuses, and vectorizes over the batch.
* ``M = 3``: sort by the third objective and sweep, adding each point's exclusive 2-D area (with
  respect to the staircase of the points seen so far) times its height ``r3 - y3`` (the HV3D
  sweep of Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold, "On the complexity of computing
  the hypervolume indicator", IEEE TEC 13(5), 2009). One problem: the staircase is a linked
  list in int32 index arrays, updated in place, with a Fenwick tree for each point's left
  neighbour (the HV3D+ idea of Guerreiro & Fonseca, IEEE TEC 22(3), 2018), O(N log N) scalar
  work. A batch of problems: the region is cut into N slices at the sorted third objectives;
  one pass over the points in ``x`` order keeps, for every slice at once, the running minimum
  of ``y`` over the slice's points and adds the rectangles (O(N^2) vector work per problem,
  no capacity), vectorized over the batch. Beyond 256 rows (after the filter below) a sweep
  with a 32-slot 2-D staircase per problem runs first (O(32 N)) and the slices take over
  only if a staircase outgrows it. The points strictly dominated by a
  few probe points (minimizers of fixed weightings) are dropped first and the survivors
  compacted, so the sort and the sequential pass run over the survivors only (1e4 uniform
  points: 370-740 with the 2 probes of one problem; a rung of 256 uniform points: at most ~90).
* ``M = 4``: a sweep over the 4th objective (the dimension-sweep idea of HV4D, Guerreiro,
  Fonseca & Emmerich, CCCG 2012, with linear walks in linked lists instead of balanced
  trees): each point, in increasing ``w``, adds ``(r_w - w) * C3``, its exclusive 3-D volume
  against the earlier points, found by one walk over them in increasing ``z`` that inserts
  each into a 2-D staircase clipped to the point's box. The walks are scalar loops that
  XLA:CPU compiles into one native kernel each (see :func:`_hv4_single`); memory O(N). Time
  O(N * F * S) for F earlier points no other strictly dominates and staircases of S points:
  4-D sphere fronts of 1000 points take ~20 ms (~20x moocore's C, ~4x less than WFG),
  1000 uniform points ~1 ms after a probe filter (see ``bench/RESULTS.md``). Batches of
  4-D problems run one after the other (``lax.map``; 3-6x faster than WFG on rungs).
* ``M >= 5``: WFG (While, Bradstreet & Barone, IEEE TEC 16(1), 2012), one problem at a time
  (``lax.map`` over the batch). With the points in decreasing order of the last objective,
  ``HV_d(S) = sum_i (r_d - z_i) * (box_{d-1}(p_i) - HV_{d-1}(nd(limit(later points, p_i))))``:
  each level loops over its points (``lax.fori_loop``), writes the limited, non-dominated
  later points (a probe filter, then the exact O(n^2) test) into a buffer sized by the
  smallest of a few static buckets that holds them (``lax.switch``), and recurses one
  objective down; the 3-D level is vectorized (one ``x`` order, then a running minimum per
  point). At the 4-D level a limited set that keeps more than 64 points after the probe
  filter skips the O(n^2) test and goes to the O(n log n) 3-D sweep of one problem (below,
  ``M = 3``), which needs no pruning. Before the loop, the probe filter and the O(n^2) test
  on its survivors (in a power-of-two bucket) leave the problem's non-dominated points. The
  recursion depth is ``M - 3``, static, and a child set is never larger than its parent, so
  no buffer can overflow, under ``jit`` or not (there is no capacity to pass). Batches of
  problems run one after the other: on 4-D batches of 16-256 points this measured 2-25x
  faster than vectorizing over the batch (see ``bench/results_hypervolume.md``).
  Memory O(N^2 M) (the non-dominance test); time data-dependent, worst case O(N^(M-1)):
  5-D fronts of 200 / 500 points take ~25 / ~120 ms, 6-D ~100 / ~400 ms (9-40x moocore's
  C; see ``bench/results_hypervolume.md``). Inputs with ``N^2 M`` (N padded) above
  :data:`MAX_SLICING_WORK` are refused. The same bound holds for M = 4, where the sweep
  needs only O(N) memory but O(N^3) steps in the worst case (every point's walk meets
  every earlier point, each inserted at the far end of a long staircase): a 2000-point
  set built so takes ~2 s and grows 8x per doubling, while 4-D fronts grow ~N^2 (16 000
  points: ~4 s) and uniform points stay cheap (16 000: ~12 ms).
* ``hypervolume_curve`` (HV of every prefix in arrival order): most results of a tuning run never
  improve the front. A blocked filter drops every point weakly dominated by an earlier point (its
  exclusive contribution at arrival is exactly 0); only the few survivors are processed
  sequentially (2-D: staircase insertion; M >= 3: exact HV of each survivor prefix), and the curve
  is expanded back with a cumulative count. Cost ~ N * (buffer + block) dominance tests plus the
  survivors' exact work.
* ``hypervolume_mc``: uniform sampling in the bounding box ``[ideal, r]`` of the dominated region
  (a binomial estimator: unbiased, with an exact standard error ``vol * sqrt(p (1 - p) / n)``,
  and nothing but dominance tests, which vectorize; the polar / random-direction estimator of
  Deng & Zhang, 2019, has lower variance for many objectives but its error bar is less direct).

Float32 vs float64: the kernels compute in the input dtype. In float32, HV and curves are exact
up to ~1e-6 relative error of the sum (each rectangle is exact up to rounding); exclusive
contributions of ``M >= 3`` are differences ``HV(Y) - HV(Y without i)`` and lose relative
precision when a contribution is tiny compared to HV: compute them under
``jax.enable_x64()`` with float64 inputs where that matters. 2-D contributions use a direct
product formula and are accurate in either dtype.

References:
    Zitzler & Thiele, "Multiobjective optimization using evolutionary algorithms - a comparative
    case study", PPSN V, 1998. Beume et al., IEEE TEC 13(5), 2009. While, Bradstreet & Barone,
    "A fast way of calculating exact hypervolumes", IEEE TEC 16(1), 2012 (WFG). Batcher,
    "Sorting networks and their applications", AFIPS 1968 (bitonic sort). Deng & Zhang,
    "Approximating hypervolume and hypervolume contributions using polar coordinates", IEEE TEC
    23(5), 2019.
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, Bool, Float

from mohb_jax._src import native as _native
from mohb_jax._src.sortnet import bitonic_sort
from mohb_jax._src.validate import (
    bucket_size,
    check_points,
    float_merges,
    is_concrete,
    next_pow2,
    scalar_to_device,
    to_device,
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

MAX_SLICING_WORK = 2**30
"""Size limit of the exact kernels (N padded to a power of two): ``N ** 2 * M`` for ``M >= 4``
(for M = 4 the O(N^3) worst case of the sweep, beyond it the memory of WFG's non-dominance
test), ``capacity ** M`` for the curve of ``M >= 3``."""

_MIN_PAD = 8


def _pow2(n: int) -> int:
    return next_pow2(n, _MIN_PAD)


class PrecisionWarning(UserWarning):
    """A hypervolume computed in float32 may differ from the float64 answer (see the message)."""


# ---------------------------------------------------------------------------------------------
# batch-last building blocks: arrays are (N, B) per objective, N a power of two
# ---------------------------------------------------------------------------------------------
def _bitonic_sort(
    key: Array, payloads: tuple[Array, ...], fuse: int = 1
) -> tuple[Array, tuple[Array, ...]]:
    """Sort ``key`` (N, *B) ascending along axis 0 (N a power of two), permuting ``payloads``
    (a bitonic network: :func:`mohb_jax._src.sortnet.bitonic_sort`). Not stable."""
    (key,), payloads = bitonic_sort((key,), payloads, fuse=fuse)
    return key, payloads


def _cummin0(x: Array) -> Array:
    """Running minimum along axis 0. On CPU a loop over the rows, each step one vector
    minimum over the batch (1000 x 256: 0.23 ms against 0.47 ms for the associative scan,
    whose log2(N) levels each pass over the whole array); elsewhere (GPU) the scan."""
    if jax.default_backend() != "cpu":
        return lax.associative_scan(jnp.minimum, x, axis=0)

    def row(i, acc):
        prev = lax.dynamic_index_in_dim(acc, i - 1, 0, keepdims=False)
        cur = lax.dynamic_index_in_dim(acc, i, 0, keepdims=False)
        return lax.dynamic_update_index_in_dim(acc, jnp.minimum(prev, cur), i, 0)

    return lax.fori_loop(1, x.shape[0], row, x)


def _hv2_kernel(x1: Array, x2: Array, r1: Array, r2: Array) -> Array:
    """2-D HV, batch-last. ``x1, x2``: (N, B), rows that must not count already set to ``r``."""
    # two network stages per pass over memory: 1000 x 256 rungs in 0.67-0.82x the time
    s1, (s2,) = _bitonic_sort(x1, (x2,), fuse=2)
    g = _cummin0(s2)
    nxt = jnp.concatenate([s1[1:], r1[None]], axis=0)
    return jnp.sum((nxt - s1) * (r2[None] - g), axis=0)


def _staircase_contributions(
    x1: Array,
    x2: Array,
    valid: Array,
    r1: Array,
    r2: Array,
    capacity: int,
    stop_on_overflow: bool = False,
) -> tuple[Array, Array]:
    """Exclusive 2-D contribution of each point at its arrival, in row order.

    ``c[k] = HV2({x_0..x_k}) - HV2({x_0..x_{k-1}})`` for the rows of ``x1, x2`` (N, B) with
    reference ``(r1, r2)`` (B,). Rows with ``valid`` False (or not strictly better than ``r``)
    contribute 0. The current 2-D front is kept sorted by ``x1`` in ``capacity`` slots (padding
    slots hold ``r``). Returns ``(c (N, B), overflow (B,))``; ``overflow`` is True when the front
    ever needed more than ``capacity`` slots (then ``c`` is wrong for that batch column).
    """
    n, *bshape = x1.shape  # one batch axis
    cap = capacity
    dtype = x1.dtype
    sx0 = jnp.broadcast_to(r1, (cap, *bshape)).astype(dtype)
    sy0 = jnp.broadcast_to(r2, (cap, *bshape)).astype(dtype)
    slot = jnp.arange(cap)[:, None]

    def step(carry, row):
        sx, sy, over = carry
        p1, p2, ok = row
        ok = ok & (p1 < r1) & (p2 < r2)
        # staircase integral of the region dominated by p and not by the front
        nxt = jnp.concatenate([sx[1:], r1[None]], axis=0)
        lo = jnp.maximum(sx, p1[None])
        hi = jnp.minimum(nxt, r1[None])
        seg = jnp.maximum(hi - lo, 0) * jnp.maximum(sy - p2[None], 0)
        head = jnp.maximum(jnp.minimum(sx[0], r1) - p1, 0) * (r2 - p2)
        c = jnp.where(ok, head + jnp.sum(seg, axis=0), 0)
        real = sx < r1[None]
        dominated = jnp.any(real & (sx <= p1[None]) & (sy <= p2[None]), axis=0)
        ins = ok & ~dominated
        # p's dominated front points form one run starting at `before` (the front is a staircase)
        before = jnp.sum(real & (sx < p1[None]), axis=0)
        d = jnp.sum(real & (sx >= p1[None]) & (sy >= p2[None]), axis=0)
        count = jnp.sum(real, axis=0)
        over = over | (ins & (count - d + 1 > cap))
        # slots after p take old[t + d - 1]: a barrel shifter (log2(cap) static shifts and
        # selects) instead of a gather, which XLA:CPU does not vectorize
        gx = _shift_rows(sx, d - 1, r1)
        gy = _shift_rows(sy, d - 1, r2)
        gx = jnp.where(slot < before[None], sx, gx)
        gy = jnp.where(slot < before[None], sy, gy)
        at_p = slot == before[None]
        nsx = jnp.where(ins[None], jnp.where(at_p, p1[None], gx), sx)
        nsy = jnp.where(ins[None], jnp.where(at_p, p2[None], gy), sy)
        return (nsx, nsy, over), c

    over0 = jnp.zeros(tuple(bshape), bool)
    if not stop_on_overflow:
        (_, _, over), c = lax.scan(step, (sx0, sy0, over0), (x1, x2, valid))
        return c, over

    # while-loop form: an attempt that overflows stops at once instead of finishing the sweep
    def body(carry):
        k, sx, sy, over, out = carry
        (sx, sy, over), ck = step((sx, sy, over), (x1[k], x2[k], valid[k]))
        return k + 1, sx, sy, over, out.at[k].set(ck)

    def cond(carry):
        return (carry[0] < n) & ~jnp.any(carry[3])

    init = (jnp.int32(0), sx0, sy0, over0, jnp.zeros_like(x1))
    _, _, _, over, c = lax.while_loop(cond, body, init)
    return c, over


def _shift_rows(x: Array, s: Array, fill: Array) -> Array:
    """``out[t] = x[t + s]`` along axis 0 per column (``fill`` out of range), ``s >= -1``."""
    cap = x.shape[0]
    right = jnp.concatenate([fill[None], x[:-1]], axis=0)
    sl = jnp.maximum(s, 0)
    out = x
    step = 1
    while step < cap:
        shifted = jnp.concatenate(
            [out[step:], jnp.broadcast_to(fill[None], (step, *x.shape[1:]))], axis=0
        )
        out = jnp.where(((sl & step) != 0)[None], shifted, out)
        step *= 2
    out = jnp.where((sl >= cap)[None], fill[None], out)
    return jnp.where((s < 0)[None], right, out)


def _capacities(n: int) -> tuple[int, ...]:
    caps = sorted({min(n, c) for c in (32, 256, 2048)} | {n})
    return tuple(caps)


def _staircase_adaptive(x1, x2, valid, r1, r2) -> Array:
    """:func:`_staircase_contributions` with the smallest capacity that does not overflow.

    Real fronts are far smaller than N, and the per-point cost is O(capacity): try 32, then
    256, 2048 and N slots, each behind a ``lax.cond`` on "any column overflowed", so only the
    attempts that are needed run (under an outer ``vmap`` the conds become selects and all run).
    """
    caps = _capacities(x1.shape[0])

    def attempt(i):
        last = i == len(caps) - 1
        c, over = _staircase_contributions(x1, x2, valid, r1, r2, caps[i], not last)
        if last:
            return c
        return lax.cond(jnp.any(over), lambda: attempt(i + 1), lambda: c)

    return attempt(0)


# ---------------------------------------------------------------------------------------------
# exact HV of a batch: Y (M, N, B) with rows not counting already set to R (M, B)
# ---------------------------------------------------------------------------------------------
def _hv_core(Y: Array, valid: Array, R: Array, prefilter: bool = True) -> Array:
    """Exact HV of each batch column. ``Y`` (M, N, B), ``valid`` (N, B), ``R`` (M, B); N pow2.

    M = 4: the sweep :func:`_hv4_single`, one problem at a time; M >= 5: WFG
    (:func:`_hv_wfg`), one problem at a time. For M = 3 (``prefilter``) the
    points strictly dominated by a few probe points are
    dropped first and, when every problem's survivors fit in 64, 256 or 2048 rows (a batch of
    3-D rungs: 32, 64 or 128 rows, with 4 probes, which cost less than the sweep steps they
    save: 80 -> 50 ms at 1000 x 256), compacted into that many rows, so the sort and the
    sweep run over the survivors only; a batch then goes to :func:`_hv3_slices`. One 3-D
    problem uses 2 probes (1e4 uniform points
    leave 370-740 survivors, 8 probes 160-200, but its O(N log N) sweep costs less than
    the 6 extra probes)."""
    m, n, b = Y.shape
    valid = valid & jnp.all(Y < R[:, None, :], axis=0)
    Y = jnp.where(valid[None], Y, R[:, None, :])
    if m == 1:
        return jnp.max(R[0][None] - Y[0], axis=0)
    if m == 2:
        return _hv2_kernel(Y[0], Y[1], R[0], R[1])
    if m == 4:  # the 4-D sweep, one problem after the other (3-6x faster than WFG on rungs)
        if b == 1:
            return _hv4_single(Y[:, :, 0], valid[:, 0], R[:, 0])[None]
        return _per_problem(_hv4_single, Y, valid, R)
    if m >= 5:
        return _hv_wfg(Y, valid, R)
    if prefilter:  # m == 3
        rungs = b > 1
        # one 3-D problem: 2 probes (its O(N log N) sweep is cheap, probes are not: on a
        # front of 1e4 points, where nothing is dropped, 8 probes cost 1.5 ms of 5.9 ms)
        n_probes = 4 if rungs else 2
        valid = valid & ~_dominated_by_probes(Y, valid, R, n_probes)
        Y = jnp.where(valid[None], Y, R[:, None, :])
        count = jnp.max(jnp.sum(valid, axis=0))
        sizes = [c for c in (_RUNG_SIZES if rungs else _COMPACT_SIZES) if c < n]

        def smallest(i):  # the smallest compacted size that holds every problem's survivors
            if i == len(sizes):
                return _hv_core(Y, valid, R, prefilter=False)
            size = sizes[i]

            def compacted():
                Yc, vc = _compact(Y, valid, R, next_pow2(size, 8))
                if rungs:  # the slices kernel sweeps only the first `size` sorted rows
                    return _hv3_slices(Yc[0], Yc[1], Yc[2], R, rows=size)
                return _hv_core(Yc, vc, R, prefilter=False)

            return lax.cond(count <= size, compacted, lambda: smallest(i + 1))

        return smallest(0)
    if b == 1:
        return _hv3_single(Y[0, :, 0], Y[1, :, 0], Y[2, :, 0], valid[:, 0], R[:, 0])[None]
    # m == 3, a batch: every slice between consecutive third objectives at once (O(N^2) per
    # problem); beyond _SLICES_MAX_N rows, a sweep with 2-D staircases of 32 slots first
    # (O(32 N)), which stops as soon as one problem's staircase needs more
    if n <= _SLICES_MAX_N:
        return _hv3_slices(Y[0], Y[1], Y[2], R)
    z, rest = _bitonic_sort(Y[2], (Y[0], Y[1], valid))
    c, over = _staircase_contributions(
        rest[0], rest[1], rest[2].astype(bool), R[0], R[1], 32, stop_on_overflow=True
    )
    return lax.cond(
        jnp.any(over),
        lambda: _hv3_slices(Y[0], Y[1], Y[2], R),
        lambda: jnp.sum(c * (R[2][None] - z), axis=0),
    )


def _hv3_slices(x: Array, y: Array, z: Array, R: Array, rows: int | None = None) -> Array:
    """3-D HV of a batch of problems (rows ``(N, B)``, rows that must not count equal to ``R``).

    Cut the dominated region at the sorted third objectives ``zs``: slice k, of height
    ``zs[k+1] - zs[k]``, has the 2-D area of the points with ``z <= zs[k]``. With every point
    sorted once by ``x``, that area is ``sum_i w_i (r2 - g[k, i])``, where ``w_i`` is the gap to
    the next ``x`` (or to ``r1``) and ``g[k, i]`` the smallest ``y`` among slice k's points up
    to i. One pass over the points in ``x`` order updates ``g`` and the areas of all N slices
    together: O(N^2) vector work per problem with no data-dependent capacity, where a staircase
    sweep needs slots for the largest 2-D front (256 on a batch of 256-point 3-D fronts: ~1 s
    per 1000 problems, against tens of ms here; ``bench/results_hypervolume.md``). Equal ``z``
    need no tie-break: all but the last of a run of equal values give slices of height 0, and
    the last one's slice holds the whole run. With ``rows``, every problem has at most
    ``rows`` rows that count (the others equal ``R``, so they sort last): only the first
    ``rows`` sorted rows are swept (the O(N^2) pass shrinks by ``(rows / N)^2``; 96 of 128
    rows: 0.56)."""
    (xs,), (ys, zx) = bitonic_sort((x,), (y, z))
    (zs,), _ = bitonic_sort((z,))
    if rows is not None:
        xs, ys, zx, zs = xs[:rows], ys[:rows], zx[:rows], zs[:rows]
    w = jnp.concatenate([xs[1:], R[0][None]], axis=0) - xs
    h = jnp.concatenate([zs[1:], R[2][None]], axis=0) - zs
    r2 = R[1][None]

    def step(carry, row):
        g, area = carry
        yi, zi, wi = row
        g = jnp.minimum(g, jnp.where(zi[None] <= zs, yi[None], r2))
        return (g, area + wi[None] * (r2 - g)), None

    init = (jnp.broadcast_to(r2, zs.shape), jnp.zeros_like(zs))
    (_, area), _ = lax.scan(step, init, (ys, zx, w))
    return jnp.sum(h * area, axis=0)


_COMPACT_SIZES = (64, 256, 2048)
# a batch of 3-D rungs: survivors of the probe filter compacted into the next power of two
# (the sorts need one), the slices kernel sweeping only this many rows (1000 x 256 uniform
# rungs keep at most ~90: 96 rows instead of 128)
_RUNG_SIZES = (32, 48, 64, 96, 128)
# a batch of 3-D problems with at most this many rows (after the probe filter) uses the slices
# kernel alone: 1000 x 128 rows ~5 ms, 1000 x 256 ~20 ms, where a staircase sweep takes
# 16-800 ms (it needs as many slots as the largest 2-D front); beyond, O(N^2) per problem
# loses to a small staircase (100 x 1024 uniform points: 31 vs 22 ms)
_SLICES_MAX_N = 256


def _compact(Y: Array, valid: Array, R: Array, size: int) -> tuple[Array, Array]:
    """The valid rows of each column moved to the first ``size`` rows (in order); the caller
    guarantees every column has at most ``size`` of them. Returns ``(Y (M, size, B), valid)``."""
    m, n, b = Y.shape
    row = jnp.where(valid, jnp.cumsum(valid, axis=0, dtype=jnp.int32) - 1, size)  # size: drop
    col = jnp.broadcast_to(jnp.arange(b, dtype=jnp.int32)[None], (n, b))
    out = jnp.broadcast_to(R[:, None, :], (m, size, b))
    out = out.at[:, row, col].set(Y, mode="drop")
    vout = jnp.zeros((size, b), bool).at[row, col].set(True, mode="drop")
    return out, vout


def _dominated_by_probes(Y: Array, valid: Array, R: Array, n_probes: int) -> Array:
    """(N, B): rows strictly dominated by one of a few probe points of their problem.

    The probes are the minimizers of ``n_probes`` fixed positive weightings of the
    range-normalized objectives (each a valid point, so dropping what it dominates never
    changes the HV; a minimizer up to rounding is as good as any). On typical data a handful
    of good points dominate most others, so the sort and the sequential sweep that follow run
    over the few survivors (1e4 uniform 3-D points: 156-204 survivors with 8 probes; 256: at
    most ~90 with 4); on a front nothing is dropped and the cost is O(N·probes). Every step is
    a reduction over the rows or an element-wise pass on the batch-last arrays (no transpose,
    no variadic argmin, no gather, which cost twice as much: 4 probes on 1000 x 256 3-D rungs
    take ~3 ms).
    """
    m, n, b = Y.shape
    lo = jnp.min(jnp.where(valid[None], Y, R[:, None, :]), axis=1)  # (M, B)
    span = jnp.where(R > lo, R - lo, 1)
    w = np.random.default_rng(0).random((n_probes, m)) + 0.05
    w[0] = 1.0
    r = min(n_probes - 1, m)
    w[1 : 1 + r] = (0.05 + 0.95 * np.eye(m))[:r]  # near-axis weightings: the extreme points
    c = jnp.asarray(w, Y.dtype)[:, :, None] / span[None]  # (probes, M, B)
    rows = jnp.arange(n, dtype=jnp.int32)[:, None]
    ok = jnp.any(valid, axis=0)[None]  # a problem with no valid row has no probe
    dominated = jnp.zeros((n, b), bool)
    for k in range(n_probes):
        score = jnp.where(valid, sum(c[k, j][None] * Y[j] for j in range(m)), jnp.inf)
        best = jnp.min(score, axis=0)
        first = jnp.min(jnp.where(valid & (score == best[None]), rows, n), axis=0)  # (B,)
        p = jnp.max(jnp.where((rows == first[None])[None], Y, -jnp.inf), axis=1)  # (M, B)
        le = jnp.all(p[:, None] <= Y, axis=0)
        lt = jnp.any(p[:, None] < Y, axis=0)
        # `score == best` may match no row: XLA can compute `score` twice, in the reduction's
        # kernel and in this one, and the two need not round alike (a multiply-add fused in one
        # and not in the other; seen with LLVM at -O0). Without a row, p would be -inf, which
        # "dominates" every point, so such a problem is left unfiltered instead.
        found = ok & (first < n)[None]
        dominated = dominated | (found & le & lt)
    return dominated


def _order_key(x: Array) -> Array:
    """Integer keys with the order of the floats ``x`` (no NaN): int64 for float64, int32 for
    float32. Integer sorts and searches are 5-6x faster than float ones on XLA:CPU."""
    it = jnp.int64 if x.dtype == jnp.float64 else jnp.int32
    x = jnp.where(x == 0, jnp.zeros((), x.dtype), x)  # -0.0 and 0.0: one key
    i = lax.bitcast_convert_type(x, it)
    return i ^ ((i >> (jnp.iinfo(it).bits - 1)) & jnp.array(jnp.iinfo(it).max, it))


def _hv3_single(x1, x2, x3, valid, r):
    """Exact 3-D HV of one problem: a sweep over ``x3`` with the 2-D staircase kept as a linked
    list in index arrays, O(N log N).

    The HV3D+ idea of Guerreiro & Fonseca ("Computing and updating hypervolume contributions
    in up to four dimensions", IEEE TEC 22(3), 2018), written for XLA: the points are visited
    in ``x3`` order; the 2-D staircase (``x1`` increasing, ``x2`` decreasing) of the points
    seen so far is a singly linked list ``nxt`` of int32 indices that the loop updates in
    place. For point p its left neighbour on the staircase, the earlier point with the
    smallest ``x2`` among those with ``x1 < p1``, comes from a Fenwick tree of prefix minima
    over the ranks of ``x1`` (O(log N) scalar steps; HV3D+ finds it with a balanced tree in
    a pre-pass). p is dominated in 2-D iff that neighbour is not above it; otherwise the walk
    from the neighbour's successor visits exactly the staircase points p dominates (each
    point is removed at most once: O(1) amortized) and adds p's exclusive 2-D area (strips
    under the removed steps), which times ``r3 - p3`` is p's share of the volume; p is then
    linked in place of the removed run. Everything is scalar work in nested
    ``lax.while_loop``s (no O(N) vector work per point; XLA runs such small loop bodies
    without per-op dispatch).

    Ties are broken by a fixed symbolic perturbation: among equal ``x1`` a later point (in
    the sweep) counts as smaller, among equal ``x2`` an earlier one; the areas use the real
    coordinates, so the result is the HV of the limit of the perturbed sets, which is the HV
    (the HV is continuous in the points). Sorting: the sweep order and the ``x1``-ranks come
    from one single-operand sort of packed (order key, index) integers per coordinate
    (:func:`_sort_rows`). Measured on a 3-D front of 1e4 points (16 384 rows): ~3.3 ms, of
    which ~2.2 ms sorting and ~1.1 ms sweep (~0.1 us per point).
    """
    n = x1.shape[0]
    dt = x1.dtype
    r1, r2, r3 = r[0], r[1], r[2]
    inf = jnp.array(jnp.inf, dt)
    perms, rank = _sort_rows(jnp.stack([jnp.where(valid, x3, inf), jnp.where(valid, x1, r1)]))
    perm = perms[0]  # the sweep order (by x3; invalid rows last)
    nv = jnp.sum(valid, dtype=jnp.int32)
    head, tail, none, dummy = n, n + 1, n + 2, n + 2
    X = jnp.concatenate([x1[perm], jnp.stack([r1, r1, r1])])
    Y = jnp.concatenate([x2[perm], jnp.stack([r2, -inf, inf])])  # head, tail, none
    Z = x3[perm]
    RX = rank[1][perm]  # number of points with a smaller x1

    def point(c):
        k, hv, tree, nxt = c
        yk, xk, a = Y[k], X[k], RX[k]

        def query(qc):  # prefix minimum (by x2, then index) over x1-ranks < a
            i, best, tree = qc
            cand = tree[i]
            yc, yb = Y[cand], Y[best]
            better = (yc < yb) | ((yc == yb) & (cand < best))
            return i & (i - 1), jnp.where(better, cand, best), tree

        _, best, tree = lax.while_loop(lambda q: q[0] > 0, query, (a, jnp.int32(none), tree))
        ins = Y[best] > yk  # not dominated by the staircase (Y[none] = inf)
        lft = jnp.where(best == none, head, best)

        def walk(wc):  # remove one staircase point that p dominates, add the strip under it
            cur, left_x, prev_y, acc, nxt = wc
            acc = acc + (X[cur] - left_x) * (prev_y - yk)
            return nxt[cur], X[cur], Y[cur], acc, nxt

        cur, left_x, prev_y, acc, nxt = lax.while_loop(
            lambda w: ins & (Y[w[0]] > yk), walk, (nxt[lft], xk, Y[lft], jnp.zeros((), dt), nxt)
        )
        acc = acc + (X[cur] - left_x) * (prev_y - yk)
        hv = hv + jnp.where(ins, acc * (r3 - Z[k]), 0)
        # the write index depends on the walk's result (cur >= 0 always holds), so XLA
        # schedules the writes after the walk and updates nxt in place instead of copying it
        ins_w = ins & (cur >= 0)
        nxt = nxt.at[jnp.where(ins_w, lft, dummy)].set(k)
        nxt = nxt.at[jnp.where(ins_w, k, dummy)].set(cur)

        def update(uc):  # a dominated point never wins a later query: only p's inserted
            i, tree = uc
            old = tree[i]  # an earlier point (or none): on equal x2 it stays the minimum
            return i + (i & -i), tree.at[i].set(jnp.where(yk < Y[old], k, old))

        _, tree = lax.while_loop(lambda u: ins & (u[0] <= n), update, (a + 1, tree))
        return k + 1, hv, tree, nxt

    init = (
        jnp.int32(0),
        jnp.zeros((), dt),
        jnp.full((n + 1,), none, jnp.int32),  # Fenwick tree over x1-ranks 1..N: point ids
        jnp.full((n + 3,), tail, jnp.int32),  # nxt: staircase successor; head -> tail
    )
    return lax.while_loop(lambda c: c[0] < nv, point, init)[1]


def _hv4_single(P: Array, valid: Array, r: Array) -> Array:
    """Exact 4-D HV of one problem (``P`` (4, N), ``valid`` (N,), ``r`` (4,)) by a sweep over
    the 4th objective ``w``: the dimension-sweep idea of HV4D (Guerreiro, Fonseca &
    Emmerich, CCCG 2012), written with linear walks in linked lists instead of its balanced
    trees.

    With the points in increasing ``w``, point ``p`` adds ``(r_w - p_w) * C3(p, S)``, where
    ``C3`` is its exclusive 3-D volume against the earlier points ``S`` (their boxes all start
    at ``w <= p_w``, so above ``p_w`` the union is a prism). ``C3`` comes from one walk over
    ``S`` in increasing ``z``: each point clipped to ``p``'s box enters a 2-D staircase (a
    linked list in an int32 array), and the uncovered area between two ``z`` levels times
    their distance adds up. The ``z``-list holds only points of ``S`` that no point of ``S``
    strictly dominates in ``x`` and ``y`` with ``z`` not below: after each point ``p``, one
    pass over the list unlinks the points ``p`` dominates in that sense, finds ``p``'s place
    in ``z`` order, and tells whether a listed point weakly dominates ``p`` (then ``p`` adds
    nothing and stays off the list). A few probe points drop what they strictly dominate
    first. Every area and volume is a sum of non-negative
    products, so float32 input loses nothing to cancellation. Ties: among equal clipped
    ``x`` or ``y`` the point met earlier in the walk counts as smaller (a fixed symbolic
    perturbation of the clipped problem; the areas use the real values).

    Written for XLA:CPU, whose small-while-loop pass compiles a loop into one native kernel
    only when one iteration of its body (nested loops included) accesses under 1 KB by the
    HLO cost analysis: the per-point walk is kept under that (no coordinate of ``p`` or
    ``q`` in the inner loops' state: they read the clipped arrays ``X`` and ``H``; the pass
    that edits the ``z``-list is its own loop; writes come before the reads they must
    precede, so no array is copied). Measured on a 4-D front of 1000 points: ~20 ms,
    against ~90 ms for WFG (``bench/hv4_sweep.py``)."""
    n, dt = P.shape[1], P.dtype
    inf, zero = jnp.array(jnp.inf, dt), jnp.zeros((), dt)
    rx, ry, rz, rw = r[0], r[1], r[2], r[3]
    valid = valid & jnp.all(P < r[:, None], axis=0)
    P = jnp.where(valid[None], P, r[:, None])
    valid = _probe_filter(P, valid)
    perm = _sort_rows(jnp.where(valid, P[3], inf)[None])[0][0]  # sweep order; dropped last
    nv = jnp.sum(valid, dtype=jnp.int32)
    head, tail, dummy = n, n + 1, n + 2  # list sentinels and a write sink
    CX = jnp.concatenate([P[0][perm], jnp.stack([-inf, rx, rx])])
    CY = jnp.concatenate([P[1][perm], jnp.stack([ry, -inf, -inf])])
    CZ = jnp.concatenate([P[2][perm], jnp.stack([-inf, inf, inf])])
    W = P[3][perm]

    def point(c):
        k, hv, L = c
        px, py, pz = CX[k], CY[k], CZ[k]
        # every point clipped to p's box: X its x, H its height above p (head: the box's
        # top-left corner; tail: x = r_x, height 0)
        X = jnp.maximum(CX, px)
        H = jnp.maximum(CY, py) - py

        def visit(v):  # the slab below q's level, then q's clipped point on the staircase
            q, lastz, ua, excl, L = v
            z1 = jnp.maximum(CZ[q], pz)
            excl = excl + ua * (z1 - lastz)
            xq, hq = X[q], H[q]

            def strip(a):  # one staircase step, adding the uncovered strip it passes
                s, acc, L = a
                t = L[S + s]
                return t, acc + (X[t] - X[s]) * H[s], L

            # (the tail test only matters under vmap, where a finished problem's loop body
            # still runs on its last state, with q the tail: every walk must end)
            left, pre, L = lax.while_loop(
                lambda a: (a[2][S + a[0]] != tail) & (X[a[2][S + a[0]]] <= xq),
                strip,  # to q's left neighbour
                (jnp.int32(head), zero, L),
            )
            ins = H[left] > hq  # else the left neighbour covers q's clipped point
            cur, L = lax.while_loop(  # past the points q covers (none unless it goes in)
                lambda a: H[a[0]] > hq,
                lambda a: (a[1][S + a[0]], a[1]),
                (jnp.where(ins, L[S + left], tail), L),
            )
            ins_w = ins & (cur >= 0)  # the links wait for the walk: L is updated in place
            L = L.at[S + jnp.where(ins_w, left, dummy)].set(q)
            L = L.at[S + jnp.where(ins_w, q, dummy)].set(cur)
            pre = pre + (xq - X[left]) * H[left]
            # the strips from q on: the new uncovered area
            _, ua_new, L = lax.while_loop(
                lambda a: a[0] != tail, strip, (jnp.where(ins, q, tail), pre, L)
            )
            return L[q], z1, jnp.where(ins, ua_new, ua), excl, L

        L = L.at[S + head].set(tail)
        ua0 = (rx - px) * (ry - py)
        # the walk starts at the head, a no-op visit (z = -inf, covers nothing), so that no
        # read of L precedes the loop
        _, lastz, ua, excl, L = lax.while_loop(
            lambda v: v[0] != tail, visit, (jnp.int32(head), pz, ua0, zero, L)
        )

        def tidy(a):  # one step of the pass over the z-list (see the docstring)
            s, pend, pval, last_le, pdom, L = a
            L = L.at[pend].set(pval)  # the previous step's unlink, before any read
            t = L[s]
            gone = (X[t] > px) & (H[t] > 0) & (CZ[t] >= pz)
            below = ~gone & (CZ[t] <= pz)
            return (
                jnp.where(gone, s, t),
                jnp.where(gone, s, dummy),
                L[t],
                jnp.where(below, t, last_le),
                pdom | (below & (X[t] == px) & (H[t] == 0)),
                L,
            )

        h, d = jnp.int32(head), jnp.int32(dummy)
        _, _, _, last_le, pdom, L = lax.while_loop(
            lambda a: (a[1] != dummy) | (a[5][a[0]] != tail),
            tidy,
            (h, d, d, h, jnp.array(False), L),
        )
        excl = excl + ua * (rz - lastz)
        hv = hv + jnp.where(pdom, zero, excl * (rw - W[k]))
        nl = L[last_le]
        L = L.at[jnp.where(pdom, dummy, k)].set(nl)  # k after last_le
        L = L.at[jnp.where(pdom, dummy, last_le)].set(k)
        return k + 1, hv, L

    # L: the z-list's links (entries 0..n+2) and the staircase's (S + 0..n+2) in one array, so
    # that no list passes read-only through a loop (XLA copied it at every point)
    S = n + 3
    lists = jnp.full((2 * S,), tail, jnp.int32)
    return lax.while_loop(lambda c: c[0] < nv, point, (jnp.int32(0), zero, lists))[1]


def _sort_rows(v: Array) -> tuple[Array, Array]:
    """Per row of ``v`` (C, N) floats without NaN: ``(perm, rank)``, int32 (C, N): the order
    that sorts the row (ties in index order) and how many entries are smaller than each.

    One single-operand integer sort of packed ``(order key, index)`` words (XLA:CPU's sort is
    5-10x slower with a payload operand or float keys). With x64, float32 keys and the index
    fit in 64 bits: exact. Float64 keys keep their top ``64 - log2 N`` bits; when two
    different keys share them (values equal to ~13 significant digits), the call takes the
    exact path instead (a sort of the keys, ``searchsorted`` for the ranks, a sort of packed
    ``(rank, index)``), which without x64 is the only path."""
    c, n = v.shape
    key = _order_key(v)
    kbits = jnp.iinfo(key.dtype).bits

    def exact():
        srt = lax.sort(key, dimension=1)
        rank = jax.vmap(lambda s, k: jnp.searchsorted(s, k).astype(jnp.int32))(srt, key)
        return jax.vmap(_argsort_ranks)(rank), rank

    if not jax.config.jax_enable_x64:
        return exact()
    bits = max(1, (n - 1).bit_length())
    iota = jnp.arange(n, dtype=jnp.int32)
    if kbits == 32:  # signed order key -> unsigned, same order
        u = (key.astype(jnp.int64) + 2**31).astype(jnp.uint64)
    else:
        u = lax.bitcast_convert_type(key, jnp.uint64) ^ jnp.uint64(1 << 63)
    drop = max(0, kbits + bits - 64)  # low key bits that do not fit next to the index
    s = lax.sort(((u >> drop) << bits) | iota.astype(jnp.uint64), dimension=1)
    perm = (s & jnp.uint64((1 << bits) - 1)).astype(jnp.int32)
    ks = jnp.take_along_axis(key, perm, axis=1)  # the full keys in that order
    new = jnp.concatenate([jnp.ones((c, 1), bool), ks[:, 1:] != ks[:, :-1]], axis=1)
    first = lax.cummax(jnp.where(new, iota[None], 0), axis=1)  # start of each run of ties
    rank = jax.vmap(lambda p, f: jnp.zeros((n,), jnp.int32).at[p].set(f))(perm, first)
    if drop == 0:
        return perm, rank
    hi = s >> bits
    clash = jnp.any((hi[:, 1:] == hi[:, :-1]) & (ks[:, 1:] != ks[:, :-1]))
    return lax.cond(clash, exact, lambda: (perm, rank))


def _argsort_ranks(rank: Array) -> Array:
    """Indices that sort ``rank`` (int32 in [0, N)), ties in index order: one sort of packed
    ``rank * 2^b + index`` integer keys (a single-operand integer sort; XLA:CPU's sort with
    a payload operand is ~10x slower), int32 keys when they fit, else int64 (x64 only)."""
    n = rank.shape[0]
    bits = max(1, (n - 1).bit_length())
    iota = jnp.arange(n, dtype=jnp.int32)
    if 2 * bits <= 31:
        return lax.sort((rank << bits) | iota) & ((1 << bits) - 1)
    if jax.config.jax_enable_x64:
        packed = (rank.astype(jnp.int64) << bits) | iota.astype(jnp.int64)
        return (lax.sort(packed) & ((1 << bits) - 1)).astype(jnp.int32)
    return lax.sort((rank, iota), num_keys=1)[1]


# ---------------------------------------------------------------------------------------------
# WFG for M >= 4: one problem at a time, the recursion unrolled over the objectives
# ---------------------------------------------------------------------------------------------
_WFG_BUCKETS = (8, 32, 128, 512, 2048, 8192)


def _wfg_caps(cap: int) -> tuple[int, ...]:
    """Static set sizes a child set of a ``cap``-slot set may be compacted into (at most a
    quarter of ``cap`` below it: every bucket is one more compiled branch per level)."""
    return tuple(sorted({c for c in _WFG_BUCKETS if 4 * c <= cap} | {cap}))


def _bucket_index(count: Array, caps: tuple[int, ...]) -> Array:
    """Index of the smallest of ``caps`` that holds ``count`` rows."""
    return jnp.sum(count > jnp.asarray(caps[:-1], jnp.int32), dtype=jnp.int32)


def _nondominated(P: Array, valid: Array) -> Array:
    """(n,) valid columns of ``P`` (d, n) that no other valid column weakly dominates; of equal
    columns the first is kept. O(n^2 d) compares, written as one element-wise chain and a
    row reduction so that XLA fuses it into a single pass (a (d, n, n) tensor and its
    transpose cost ~10x more inside the WFG loop)."""
    n = P.shape[1]
    idx = jnp.arange(n)
    le = ge = None  # (j, k): P_k <= P_j, P_k >= P_j
    for r in range(P.shape[0]):
        pj, pk = P[r][:, None], P[r][None, :]
        le = (pk <= pj) if le is None else le & (pk <= pj)
        ge = (pk >= pj) if ge is None else ge & (pk >= pj)
    dom = le & (~ge | (idx[None, :] < idx[:, None])) & valid[None, :]  # k dominates j
    return valid & ~jnp.any(dom, axis=1)


def _probe_filter(P: Array, valid: Array) -> Array:
    """(n,) valid columns of ``P`` (d, n) not strictly dominated by one of ``d + 1`` probe
    columns, the minimizers of fixed positive weightings (each non-dominated, so what it
    dominates can go). O(n d^2): it leaves the O(n^2) non-dominance test far fewer columns."""
    d = P.shape[0]
    keep = valid
    for w in [np.ones(d)] + [0.05 + 0.95 * np.eye(d)[k] for k in range(d)]:
        score = jnp.where(valid, sum(float(w[k]) * P[k] for k in range(d)), jnp.inf)
        j = jnp.argmin(score)
        q = P[:, j]
        strict = jnp.all(q[:, None] <= P, axis=0) & jnp.any(q[:, None] < P, axis=0)
        keep = keep & ~(strict & valid[j])
    return keep


def _compact_cols(P: Array, keep: Array, size: int, fill: Array) -> Array:
    """The kept columns of ``P`` (d, n) in order in the first slots of ``size`` columns, the
    rest ``fill`` (d,); the caller guarantees at most ``size`` are kept."""
    pos = jnp.where(keep, jnp.cumsum(keep, dtype=jnp.int32) - 1, size)
    out = jnp.broadcast_to(fill[:, None], (P.shape[0], size)).astype(P.dtype)
    return out.at[:, pos].set(P, mode="drop")


_WFG3_ONEHOT_MAX = 32
_WFG_GATHER_ALL = 32
_WFG4_SWEEP_MIN = 64
_WFG_TOP_PROBES_MIN = 64


def _wfg3(P: Array, valid: Array, R: Array) -> Array:
    """3-D HV of one set (columns of ``P`` (3, n), the invalid ones equal to ``R``) as WFG's
    last level, all at once: ``sum_i (r3 - z_i) (box2(p_i) - HV2(limit(later points, p_i)))``
    where the points later than ``p_i`` are those with a smaller ``z`` (ties by index). The
    points are put in ``x`` order once (a one-hot permutation from comparison ranks for
    small sets, where XLA:CPU's sort costs more than the O(n^2) compares; ``lax.sort``
    beyond); limiting by ``p_i`` (a componentwise max) keeps that order, so each 2-D HV is a
    running minimum. O(n^2 log n) vector work."""
    n = P.shape[1]
    x, y, z = P[0], P[1], P[2]
    r1, r2, r3 = R[0], R[1], R[2]
    idx = jnp.arange(n, dtype=jnp.int32)
    xkey = jnp.where(valid, x, jnp.inf)
    if n <= _WFG3_ONEHOT_MAX:
        before = (xkey[:, None] < xkey[None, :]) | (
            (xkey[:, None] == xkey[None, :]) & (idx[:, None] < idx[None, :])
        )  # (k, j): k sorts before j
        rank = jnp.sum(before, axis=0, dtype=jnp.int32)
        onehot = rank[:, None] == idx[None, :]  # (j, t): j goes to slot t

        def perm(a):
            return jnp.sum(jnp.where(onehot, a[:, None], jnp.zeros((), a.dtype)), axis=0)

        xo, yo, zo, po = perm(x), perm(y), perm(z), perm(idx)
        vo = jnp.any(onehot & valid[:, None], axis=0)
    else:
        _, xo, yo, zo, po, vo = lax.sort((xkey, x, y, z, idx, valid), num_keys=1)
    later = vo[None, :] & (
        (zo[None, :] < z[:, None]) | ((zo[None, :] == z[:, None]) & (po[None, :] > idx[:, None]))
    )  # (i, t): the point in x-slot t comes after p_i
    lx = jnp.where(vo[None, :], jnp.maximum(x[:, None], xo[None, :]), r1)
    ly = jnp.where(later, jnp.maximum(y[:, None], yo[None, :]), r2)
    g = lax.associative_scan(jnp.minimum, ly, axis=1)
    nxt = jnp.concatenate([lx[:, 1:], jnp.broadcast_to(r1, (n, 1))], axis=1)
    hv2 = jnp.sum((nxt - lx) * (r2 - g), axis=1)
    box = (r1 - x) * (r2 - y)
    return jnp.sum(jnp.where(valid, (r3 - z) * (box - hv2), 0))


def _gather_cols(L: Array, pos: Array, c: Array, size: int, fill: Array) -> tuple[Array, Array]:
    """The kept columns of ``L`` (d, n) in order in the first of ``size`` slots, the rest
    ``fill`` (d,); ``pos`` is the running count of the kept columns, ``c`` their number
    (<= size). The j-th is the first column whose running count reaches j: a gather of
    ``size`` columns, not a scatter over n, found by comparing all for small sizes and by
    binary search beyond. Returns ``(columns (d, size), valid (size,))``."""
    t = jnp.arange(1, size + 1, dtype=jnp.int32)
    if size <= _WFG_GATHER_ALL:
        src = jnp.sum(pos[None, :] < t[:, None], axis=1, dtype=jnp.int32)
    else:
        src = jnp.searchsorted(pos, t, side="left").astype(jnp.int32)
    src = jnp.minimum(src, L.shape[1] - 1)
    vc = jnp.arange(size) < c
    return jnp.where(vc[None], jnp.take(L, src, axis=1), fill[:, None]), vc


def _pad_cols(L: Array, keep: Array, cap: int, fill: Array) -> tuple[Array, Array]:
    """``L`` (d, size) and ``keep`` (size,) padded to ``cap`` columns with ``fill`` (d,)."""
    size = L.shape[1]
    if size == cap:
        return L, keep
    L = jnp.concatenate([L, jnp.broadcast_to(fill[:, None], (L.shape[0], cap - size))], axis=1)
    return L, jnp.concatenate([keep, jnp.zeros((cap - size,), bool)])


def _prune_cols(
    L: Array, pos: Array, c: Array, size: int, cap: int, fill: Array
) -> tuple[Array, Array]:
    """The kept columns of ``L`` (see :func:`_gather_cols`) in ``size`` slots, marked by which
    of them are non-dominated, padded back to ``cap`` columns (the kept ones first)."""
    Lc, vc = _gather_cols(L, pos, c, size, fill)
    return _pad_cols(Lc, _nondominated(Lc, vc), cap, fill)


def _pow2_caps(lo: int, cap: int) -> tuple[int, ...]:
    """Every power of two in ``[lo, cap)``, then ``cap``."""
    return tuple(1 << k for k in range(lo.bit_length() - 1, 31) if lo <= 1 << k < cap) + (cap,)


def _wfg_level(P: Array, valid: Array, R: Array, top: bool = False) -> Array:
    """Exact d-D HV of one set: columns of ``P`` (d, cap), the invalid ones equal to ``R``.

    With the points in decreasing order of the last objective, every later point is better in
    it, so point i's exclusive volume with respect to the later points is its height
    ``r_d - z_i`` times its (d-1)-D exclusive volume with respect to their projections:
    ``box(p_i) - HV(nd(limit(later, p_i)))`` (WFG; While, Bradstreet & Barone, 2012). The
    limited, non-dominated set is compacted into the smallest bucket of
    :data:`_WFG_BUCKETS` that holds it and solved by the (d-1)-D level: the recursion depth
    is ``d - 3`` (static), and a child set is never larger than its parent, so no capacity can
    overflow. Each iteration runs three ``lax.switch``es over those buckets: limit the later
    points (a bucket sized by their count) and drop what a few probe points dominate
    (:func:`_probe_filter`); the exact non-dominance test on the probes' survivors (a bucket
    sized by their count: the O(n^2) test was most of the time before the probes); the child
    level on the non-dominated ones. ``top`` with ``d = 4`` (M = 4): a set with more than
    ``_WFG4_SWEEP_MIN`` probe survivors goes to :func:`_hv3_single` instead of the last two
    steps, and every step gets every power-of-two bucket (4-D fronts of 64 points: 2.5 ->
    1.6 ms, compile ~3 -> ~4.5 s)."""
    d, cap = P.shape
    if d == 3:
        return _wfg3(P, valid, R)
    caps = _wfg_caps(cap)
    key = jnp.where(valid, -P[d - 1], jnp.inf)
    _, *cols, v = lax.sort((key, *P, valid), num_keys=1)
    S = jnp.stack(cols)
    Q, z, Rq = S[: d - 1], S[d - 1], R[: d - 1]
    count = jnp.sum(v, dtype=jnp.int32)
    # later points of p_i are the columns i+1 .. count-1: padded so a slice never clamps
    Qpad = jnp.concatenate([Q, jnp.broadcast_to(Rq[:, None], (d - 1, cap + 1))], axis=1)
    vpad = jnp.concatenate([v, jnp.zeros((cap + 1,), bool)])

    def gather(size, L, pos, c):
        return _gather_cols(L, pos, c, size, Rq)

    def limited(size, i, p):  # the limited later points, minus those a probe dominates
        L = jnp.maximum(p[:, None], lax.dynamic_slice_in_dim(Qpad, i + 1, size, axis=1))
        lv = lax.dynamic_slice_in_dim(vpad, i + 1, size)
        return _pad_cols(L, _probe_filter(L, lv), cap, Rq)

    def prune(size, L, pos, c):  # the non-dominated ones among the probes' survivors
        return _prune_cols(L, pos, c, size, cap, Rq)

    def child(size, L, pos, c):
        return _wfg_level(*gather(size, L, pos, c), Rq)

    def exact(caps, L, keep):  # the non-dominance test, then the child level
        pos = jnp.cumsum(keep, dtype=jnp.int32)
        c = pos[-1]
        L, keep = lax.switch(
            _bucket_index(c, caps), [functools.partial(prune, s) for s in caps], L, pos, c
        )
        pos = jnp.cumsum(keep, dtype=jnp.int32)
        c = pos[-1]
        return lax.switch(
            _bucket_index(c, caps), [functools.partial(child, s) for s in caps], L, pos, c
        )

    def sweep(size, L, pos, c):  # 3-D HV of the probes' survivors by the O(n log n) sweep
        Lc, vc = gather(size, L, pos, c)
        return _hv3_single(Lc[0], Lc[1], Lc[2], vc, Rq)

    # M = 4 (the 4-D level on top): every power-of-two bucket (the limiting step, the
    # non-dominance test and the 3-D level have no nested level to compile), and the
    # O(n log n) 3-D sweep beyond _WFG4_SWEEP_MIN survivors. Not below a 5-D or 6-D level:
    # there the 4-D sets are small, and every branch would be compiled once per bucket of
    # each level above.
    sweep_min = _WFG4_SWEEP_MIN
    if top and d == 4:
        lcaps = _pow2_caps(8, cap)
        small = _pow2_caps(8, min(cap, sweep_min))
        # the sweep's cost follows its slots (two sorts, the tree)
        large = _pow2_caps(2 * sweep_min, cap) if cap > sweep_min else ()
    else:
        lcaps = small = caps
        large = ()

    def body(i, acc):
        p = Q[:, i]
        rest = count - i - 1
        L, keep = lax.switch(
            _bucket_index(rest, lcaps),
            [functools.partial(limited, s) for s in lcaps],
            i,
            p,
        )
        if large:
            # many survivors: the O(n^2) non-dominance test would cost more than the whole
            # O(n log n) 3-D sweep, which needs no pruning (dominated points add nothing)
            pos = jnp.cumsum(keep, dtype=jnp.int32)
            c = pos[-1]
            inner = lax.cond(
                c <= sweep_min,
                lambda: exact(small, L, keep),
                lambda: lax.switch(
                    _bucket_index(c, large),
                    [functools.partial(sweep, s) for s in large],
                    L,
                    pos,
                    c,
                ),
            )
        else:
            inner = exact(small, L, keep)
        box = jnp.prod(Rq - p)
        return acc + (R[d - 1] - z[i]) * (box - inner)

    return lax.fori_loop(0, count, body, jnp.zeros((), P.dtype))


def _hv_wfg_one(P: Array, valid: Array, R: Array) -> Array:
    """Exact HV of one problem (``P`` (M, N), ``valid`` (N,), ``R`` (M,)) by WFG: the
    non-dominated counted points first (beyond 64 rows: a probe filter, then the O(n^2) test
    on its survivors in a power-of-two bucket), then :func:`_wfg_level` (at N slots: its loop
    runs over the counted points only and sizes its own work by the points left)."""
    n = P.shape[1]
    valid = valid & jnp.all(P < R[:, None], axis=0)
    P = jnp.where(valid[None], P, R[:, None])
    if n <= _WFG_TOP_PROBES_MIN:
        keep = _nondominated(P, valid)
    else:
        # what a few probe points dominate goes first, and the O(n^2) test runs on the
        # survivors in the smallest power-of-two bucket that holds them (1e4 uniform 4-D
        # points: ~0.5 s at 16384 slots before)
        keep = _probe_filter(P, valid)
        pos = jnp.cumsum(keep, dtype=jnp.int32)

        caps = _pow2_caps(_WFG_TOP_PROBES_MIN, n)
        P, keep = lax.switch(
            _bucket_index(pos[-1], caps),
            [functools.partial(_prune_cols, P, pos, pos[-1], s, n, R) for s in caps],
        )
    c = jnp.sum(keep, dtype=jnp.int32)
    return _wfg_level(_compact_cols(P, keep, n, R), jnp.arange(n) < c, R, top=True)


def _per_problem(fn, Y: Array, valid: Array, R: Array) -> Array:
    """``fn(P, valid, r)`` of each batch column of ``Y`` (M, N, B), one problem after the
    other (``lax.map``: each problem's loops run only as long as its own data need)."""
    return lax.map(lambda a: fn(*a), (jnp.moveaxis(Y, 2, 0), valid.T, R.T))


def _hv_wfg(Y: Array, valid: Array, R: Array) -> Array:
    """:func:`_hv_wfg_one` of each batch column of ``Y`` (M, N, B), one problem after the
    other (:func:`_per_problem`; under an outer ``vmap`` the bucket switches become selects
    and every branch runs)."""
    return _per_problem(_hv_wfg_one, Y, valid, R)


@jax.jit
def _hv_batch_xla(y, ref, mask):
    hv, lead = _materialized(_hv_core, y, ref, mask)
    return hv.reshape(lead)


def _hv_ffi(y, ref, mask):
    """The native CPU kernel (``native/kernels.cc``, M = 2..4) on float ``y (..., N, M)``,
    ``ref (..., M)`` (broadcast) and ``mask (..., N)`` as an XLA custom call; computes in
    float64, returns ``y``'s dtype (float32 for narrower floats)."""
    if not _native.available():  # also registers the targets (a program lowered directly)
        raise RuntimeError(f"the native kernels are not available: {_native.info()['reason']}")
    name = "mohb_hv_f64" if y.dtype == jnp.float64 else "mohb_hv_f32"
    y = y.astype(jnp.float64 if name == "mohb_hv_f64" else jnp.float32)
    ref = jnp.broadcast_to(ref.astype(y.dtype), (*y.shape[:-2], y.shape[-1]))
    out = jax.ShapeDtypeStruct(y.shape[:-2], y.dtype)
    return jax.ffi.ffi_call(name, out, vmap_method="broadcast_all")(y, ref, mask)


@jax.custom_jvp
def _hv_native_diff(y, ref, mask):
    return lax.platform_dependent(
        y, ref, mask, cpu=_hv_ffi, default=lambda y, ref, mask: _hv_batch_xla(y, ref, mask)
    )


@_hv_native_diff.defjvp
def _hv_native_jvp(primals, tangents):
    # derivatives through the JAX kernel (the custom call has none): the same function
    y, ref, mask = primals
    ty, tr, _ = tangents
    _, t = jax.jvp(lambda y, ref: _hv_batch_xla(y, ref, mask), (y, ref), (ty, tr))
    return _hv_native_diff(y, ref, mask), t


@jax.jit
def _hv_batch_native(y, ref, mask):
    """The native kernel where the program runs on the CPU, the JAX kernel elsewhere (GPU):
    ``platform_dependent`` lowers only the branch of the platform it compiles for. Derivatives
    (``jax.grad``) are those of the JAX kernel."""
    y = _as_float(y)
    if mask is None:
        mask = jnp.ones(y.shape[:-1], bool)
    return _hv_native_diff(y, jnp.asarray(ref, y.dtype), mask)


def _hv_batch(y, ref, mask):
    """Hypervolumes of ``y (..., N, M)``: the native kernel for M = 2..4 when it is enabled
    (:mod:`mohb_jax._src.native`), else the JAX kernel. Chosen when called (under ``jit``: when
    traced)."""
    m = y.shape[-1]
    use = 2 <= m <= 4 and _native.enabled()
    return (_hv_batch_native if use else _hv_batch_xla)(y, ref, mask)


@jax.jit
def _hv_one(y, ref, mask):
    """:func:`_hv_batch_xla` of a batch of one problem, as a 0-d array: the eager call on one
    problem returns this result as it is, without taking it back to the host and putting the
    cut result on the device again (~0.1-0.2 ms of a ~0.5 ms call on a small problem;
    ``bench/call_overhead.py``)."""
    return _hv_batch_xla(y, ref, mask)[0]


def _host_float(y, ref):
    """Concrete ``y`` as a float NumPy array (integers as float64), its batch shape, N, M, the
    number of problems B, ``ref`` as float64 ``(B, M)``, and the dtype the eager call returns
    (float64 only for wider-than-float32 input under ``jax_enable_x64``)."""
    a = np.asarray(y)
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    lead, (n, m) = a.shape[:-2], a.shape[-2:]
    b = int(np.prod(lead)) if lead else 1
    r = np.broadcast_to(np.asarray(ref, np.float64), (*lead, m)).reshape(b, m)
    wide = a.dtype.itemsize > 4 and jax.config.jax_enable_x64
    return a, lead, n, m, b, r, np.float64 if wide else np.float32


def _hv_eager_native(y, ref, mask) -> jax.Array:
    """The eager call on host values with the native kernel: float64 throughout (no rounding to
    float32 before the arithmetic, so no precision warning); the result in the dtype the JAX
    path returns."""
    a, lead, n, m, b, r, dtype = _host_float(y, ref)
    mk = None if mask is None else np.asarray(mask, bool).reshape(b, n)
    out = _native.hv_f64(a.reshape(b, n, m), r, mk).astype(dtype)
    return scalar_to_device(out[0]) if lead == () else to_device(out.reshape(lead))


# ---------------------------------------------------------------------------------------------
# input handling shared by the public functions
# ---------------------------------------------------------------------------------------------
def _as_float(y):
    y = jnp.asarray(y)
    if not jnp.issubdtype(y.dtype, jnp.floating):
        y = y.astype(jnp.result_type(float))
    return y


def _validate(y, ref, mask, fname: str):
    """Eager checks (shapes always; values only on concrete arrays). Returns (y, ref, mask):
    unchanged when all are concrete (the host boundary converts them), as jax arrays of one
    float dtype under tracing."""
    check_points(y, mask)
    concrete = is_concrete(y, ref, mask)
    if concrete:
        y = y if isinstance(y, jax.Array) else np.asarray(y)
    else:
        y = _as_float(y)
    m = y.shape[-1]
    if m < 1:
        raise ValueError(f"{fname}: y must have at least one objective; got shape {y.shape}")
    rshape = np.shape(ref)
    if len(rshape) < 1 or rshape[-1] != m:
        raise ValueError(
            f"{fname}: ref must have shape [..., M] with M = {m} objectives (y has shape "
            f"{tuple(y.shape)}); got ref shape {rshape}"
        )
    try:
        np.broadcast_shapes(rshape[:-1], y.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{fname}: the batch dims of ref {rshape[:-1]} do not broadcast with the batch dims "
            f"of y {tuple(y.shape[:-2])}"
        ) from None
    if len(rshape) - 1 > len(y.shape) - 2:
        raise ValueError(
            f"{fname}: ref has more batch dims {rshape[:-1]} than y {tuple(y.shape[:-2])}"
        )
    if is_concrete(ref):
        r = np.asarray(ref)
        if not np.issubdtype(r.dtype, np.number) or not np.all(np.isfinite(r)):
            raise ValueError(f"{fname}: ref must be finite real numbers; got {r.tolist()}")
    if concrete:
        if mask is not None:
            mk = np.asarray(mask)
            if mk.dtype != np.bool_ and not np.all(np.isin(mk, (0, 1))):
                raise ValueError(f"{fname}: mask must be boolean (or 0/1)")
        return y, ref, mask
    ref = jnp.asarray(ref, dtype=y.dtype)
    if mask is not None:
        mask = jnp.asarray(mask)
        if mask.dtype != jnp.bool_:
            if is_concrete(mask) and not np.all(np.isin(np.asarray(mask), (0, 1))):
                raise ValueError(f"{fname}: mask must be boolean (or 0/1)")
            mask = mask.astype(bool)
    return y, ref, mask


def _to_batch_last(y, ref, mask, pad_to: int | None = None):
    """(…, N, M) -> Y (M, Np, B), valid (Np, B), R (M, B) plus the lead shape."""
    lead = y.shape[:-2]
    n, m = y.shape[-2:]
    b = int(np.prod(lead)) if lead else 1
    npad = pad_to if pad_to is not None else _pow2(n)
    ref = jnp.broadcast_to(ref, (*lead, m)).reshape(b, m)
    y = y.reshape(b, n, m)
    valid = jnp.ones((b, n), bool) if mask is None else jnp.reshape(mask, (b, n))
    if npad > n:
        y = jnp.concatenate([y, jnp.broadcast_to(ref[:, None, :], (b, npad - n, m))], axis=1)
        valid = jnp.concatenate([valid, jnp.zeros((b, npad - n), bool)], axis=1)
    return y.transpose(2, 1, 0), valid.T, ref.T, lead


def _any_counted(y, ref, mask) -> Array:
    """Whether any row of the batch counts (valid and strictly inside its box), read in the
    input's own layout (``y`` (..., N, M), ``ref`` broadcast against its batch dims)."""
    box = jnp.broadcast_to(ref, (*y.shape[:-2], y.shape[-1]))[..., None, :]
    inside = jnp.all(y < box, axis=-1)
    return jnp.any(inside if mask is None else inside & mask)


def _materialized(fn, y, ref, mask):
    """``fn(Y, valid, R)`` on the batch-last form of ``y, ref, mask`` (:func:`_to_batch_last`),
    with that form written to memory once first (CPU; elsewhere ``fn`` is called directly).
    Returns ``(fn's result, lead shape)``.

    XLA:CPU fuses the transpose to batch-last into the kernels that read it, and a sort
    network's first passes then each re-read the input with a stride (measured on 1000 x 256
    uniform problems: 2-D 6.6-7.9 ms as one program against 5.9-6.1 ms with the transpose
    written out first, 3-D 27-29 ms against 17.5-18 ms; ``lax.optimization_barrier`` did not
    stop the fusion). A ``lax.cond`` cannot be fused across, so ``fn`` runs as a branch; the other
    branch returns zeros when no row counts (hypervolumes, contributions and curves are then
    all 0). The predicate is read from the input in its own layout: one computed from the
    transposed form was fused with the transpose and lost the gain, and one that XLA can
    fold (no mask: every row valid) removes the ``cond``.
    """
    Y, valid, R, lead = _to_batch_last(y, ref, mask)
    if jax.default_backend() != "cpu":
        return fn(Y, valid, R), lead
    shapes = jax.eval_shape(fn, Y, valid, R)

    def empty(*_):
        return jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)

    return lax.cond(_any_counted(y, ref, mask), fn, empty, Y, valid, R), lead


def _pad_rows(y, mask):
    """Under tracing: pad N to a power of two (masked rows) inside the graph."""
    n = y.shape[-2]
    npad = _pow2(n)
    if npad == n:
        return y, mask
    if mask is None:
        mask = jnp.ones(y.shape[:-1], bool)
    widths = [(0, 0)] * (y.ndim - 2) + [(0, npad - n), (0, 0)]
    y = jnp.pad(y, widths)
    mask = jnp.pad(mask, widths[:-1])
    return y, mask


class _Shape(NamedTuple):
    lead: tuple  # batch shape of the input
    n: int  # rows of the input
    b: int  # problems of the input


def _host_inputs(y, ref, mask, fname: str):
    """Eager boundary: translate to ``ref = 0`` in float64 on the host, then pad.

    HV depends only on ``ref - y``, so computing that difference in float64 before any rounding
    keeps float32 kernels accurate relative to the box size (not to the magnitude of the
    values: times of 1000 s +- 10 ms keep their differences). N is padded to a power of two and
    the batch to a bucket size (:func:`~mohb_jax._src.validate.bucket_size`), so a long process
    compiles a few executables, not one per size. Returns ``(y, ref, mask, shape)`` with
    ``y: (B, Np, M)``, ``ref: (B, M)``, ``mask: (B, Np)``.
    """
    a, lead, n, m, b, r, dtype = _host_float(y, ref)
    wide = a.dtype.itemsize > 4
    # a fresh array either way (astype copies), narrowed in place below
    counted = np.ones((b, n), bool) if mask is None else np.asarray(mask).astype(bool).reshape(b, n)
    with np.errstate(invalid="ignore"):
        d = a.reshape(b, n, m).astype(np.float64) - r[:, None, :]  # <= 0 where counted
    for j in range(m):  # one pass per objective (np.all over the last axis of size M: 4x slower)
        counted &= d[..., j] < 0
    if not counted.all():
        d = np.where(counted[..., None], d, 0.0)
    dc = d.astype(dtype)
    if dtype != np.float64 and wide:
        _warn_if_merged(d, dc, counted, fname)
    npad, bb = _pow2(n), bucket_size(b, floor=1)
    yp = np.zeros((bb, npad, m), dtype)
    yp[:b, :n] = dc
    mp = np.zeros((bb, npad), bool)
    mp[:b, :n] = counted
    # NumPy arrays: the jitted kernels take them in their C++ dispatch (~5 us each), where
    # jax.device_put costs ~75 us per array from Python
    return yp, np.zeros((bb, m), dtype), mp, _Shape(lead, n, b)


def _host_path(y, ref, mask) -> bool:
    """Concrete inputs go through :func:`_host_inputs`, except float32 device arrays whose N is
    already a power of two: those stay on the device (no host round trip; their batch size is
    not bucketed, and float32 in means float32 arithmetic anyway)."""
    if not is_concrete(y, ref, mask):
        return False
    n = y.shape[-2]
    on_device = isinstance(y, jax.Array) and y.dtype == jnp.float32 and n == _pow2(n)
    return not (on_device and (mask is None or isinstance(mask, jax.Array)))


def _warn_if_merged(d, dc, counted, fname):
    hit = float_merges(d, counted, dc.dtype)  # (B, M)
    for j in range(d.shape[-1]):
        if hit[:, j].any():
            warnings.warn(
                f"{fname}: objective {j} has distinct float64 values that are equal in "
                f"{dc.dtype} (relative to the reference point), so the hypervolume between them "
                "is lost; enable float64 with jax.config.update('jax_enable_x64', True)",
                PrecisionWarning,
                stacklevel=3,
            )
            return


def _host_out(out, s: _Shape, per_row: bool):
    """Cut a (B, ...) kernel result back to the input's shape on the host (no compile)."""
    o = np.asarray(out)[: s.b]
    if per_row:
        o = o[:, : s.n]
    return to_device(o.reshape(s.lead + o.shape[1:]))


def _check_size(n: int, m: int, fname: str):
    npad = _pow2(n)
    if m >= 4 and float(npad) ** 2 * m > MAX_SLICING_WORK:
        why = (
            "the 4-D sweep's worst case is O(N^3) steps: ~2 s for 2000 points of an "
            "adversarial set, ~20 min at this limit"
            if m == 4
            else "the memory of WFG's non-dominance test"
        )
        raise ValueError(
            f"{fname}: exact hypervolume with M = {m} objectives is limited to "
            f"N^2 * M <= 2^30 after padding N to a power of two (N = {n} pads to {npad}; "
            f"{why}); use hypervolume_mc for an estimate with a standard error, or fewer "
            "points (e.g. only the non-dominated ones, mohb_jax.pareto.pareto_mask)"
        )


# ---------------------------------------------------------------------------------------------
# public kernels
# ---------------------------------------------------------------------------------------------
def hypervolume(
    y: Float[Array, "*batch n m"],
    ref: Float[Array, "*#batch m"],
    mask: Bool[Array, "*batch n"] | None = None,
) -> Float[Array, "*batch"]:
    """Exact hypervolume dominated by ``y`` and bounded by ``ref`` (minimization).

    Points not strictly better than ``ref`` in every objective, and rows with ``mask`` False,
    contribute nothing. Leading batch dims are computed as one batch; jit- and vmap-able.

    Args:
        y: points, ``float[..., N, M]``. ``+inf`` is allowed (such a point contributes nothing);
            NaN and ``-inf`` in unmasked rows are errors.
        ref: reference point, ``float[..., M]``, broadcast against the batch dims of ``y``.
        mask: optional ``bool[..., N]``; False rows are padding and never change the result.

    Returns:
        ``float[...]``: the hypervolume of each problem (0 when no point counts).

    Raises:
        ValueError: NaN/-inf in an unmasked row, a ``ref`` whose last dim is not M or that is
            not finite, a mask of the wrong shape, or ``M >= 4`` with ``N^2 M > 2^30`` (N
            padded to a power of two), e.g. N <= 16384 for M = 4 (the worst case of the 4-D
            sweep, O(N^3) steps) and N <= 8192 for M = 5 (the memory of WFG's
            non-dominance test).

    On the CPU, M = 2..4 run the native kernels (module docstring): a 4-D front of 1000
    points ~5 ms, 1000 rungs of 256 points 6-17 ms. The JAX kernels' costs follow.

    Cost for ``M >= 4`` (one problem after the other), data-dependent. ``M = 4``: a sweep
    over the 4th objective, memory O(N); sphere fronts of 1000 points take ~20 ms, of
    16 000 points ~4 s, uniform points ~1 ms per 1000; the worst case is O(N^3) (~2 s for
    2000 points of a set built for it). ``M >= 5``: WFG, worst case O(N^(M-1)); fronts of
    500 points take ~0.1 s in 5-D and ~0.4 s in 6-D. The first call per padded shape
    compiles for a few seconds. For ``M >= 5`` pass many problems as leading batch dims
    rather than through ``jax.vmap``: under ``vmap`` the kernel's size switches become
    selects and every branch runs (8 fronts of 256 points: 42 ms as a batch, 0.5 s
    vmapped, measured in 4-D with WFG; same results).

    References:
        Zitzler & Thiele (PPSN 1998); Beume et al., IEEE TEC 13(5) 2009 (3-D sweep); While,
        Bradstreet & Barone, "A fast way of calculating exact hypervolumes", IEEE TEC 16(1)
        2012 (WFG).

    Example:
        >>> hypervolume(jnp.array([[1.0, 2.0], [2.0, 1.0]]), jnp.array([3.0, 3.0]))
        Array(3., dtype=float32)
    """
    y, ref, mask = _validate(y, ref, mask, "hypervolume")
    _check_size(y.shape[-2], y.shape[-1], "hypervolume")
    if _host_path(y, ref, mask):
        if 2 <= y.shape[-1] <= 4 and _native.eager_cpu():
            return _hv_eager_native(y, ref, mask)
        yp, rp, mp, s = _host_inputs(y, ref, mask, "hypervolume")
        if s.lead == ():  # one problem (a batch of one after padding): no cut needed
            return _hv_one(yp, rp, mp)
        return _host_out(_hv_batch(yp, rp, mp), s, per_row=False)
    y, mask = _pad_rows(y, mask)
    return _hv_batch(y, ref, mask)


def _weakly_dominated_by_other(Y: Array, valid: Array) -> Array:
    """(N, B): row i is weakly dominated by (or equal to) another valid row j != i."""
    n = Y.shape[1]
    le = jnp.all(Y[:, None, :, :] <= Y[:, :, None, :], axis=0)  # (i, j, B): y_j <= y_i
    other = ~jnp.eye(n, dtype=bool)[:, :, None]
    return jnp.any(le & other & valid[None, :, :], axis=1)


@jax.jit
def _contrib_batch(y, ref, mask):
    Y, valid, R, lead = _to_batch_last(y, ref, mask)
    c = _contrib_core(Y, valid, R)[: y.shape[-2]]
    return c.T.reshape(*lead, y.shape[-2])


def _contrib_core(Y, valid, R):
    m, n, b = Y.shape
    valid = valid & jnp.all(Y < R[:, None, :], axis=0)
    total = _hv_core(Y, valid, R)  # (B,)
    drop = valid[None, :, :] & ~jnp.eye(n, dtype=bool)[:, :, None]  # (I, N, B): without i
    Yi = jnp.broadcast_to(Y[:, None], (m, n, n, b)).transpose(0, 2, 1, 3).reshape(m, n, n * b)
    vi = drop.transpose(1, 0, 2).reshape(n, n * b)
    Ri = jnp.broadcast_to(R[:, None, :], (m, n, b)).reshape(m, n * b)
    without = _hv_core(Yi, vi, Ri).reshape(n, b)
    c = jnp.maximum(total[None] - without, 0)
    zero = ~valid | _weakly_dominated_by_other(Y, valid)
    return jnp.where(zero, 0, c)


def hypervolume_contributions(
    y: Float[Array, "*batch n m"],
    ref: Float[Array, "*#batch m"],
    mask: Bool[Array, "*batch n"] | None = None,
) -> Float[Array, "*batch n"]:
    """Exclusive hypervolume contribution of each point: ``HV(y) - HV(y without that point)``.

    Exactly 0 for masked rows, points not strictly better than ``ref``, and points weakly
    dominated by (or equal to) another counted point. Computed as a difference of two exact
    HVs (one batch of N + 1 problems), clipped at 0 against rounding; in float32 a contribution
    much smaller than HV loses relative precision (use float64 under ``jax.enable_x64()``).

    Args:
        y: points, ``float[..., N, M]``.
        ref: reference point, ``float[..., M]``.
        mask: optional ``bool[..., N]``.

    Returns:
        ``float[..., N]``, non-negative.

    Raises:
        ValueError: as :func:`hypervolume`, or ``M = 4`` with ``N^4 > 2^30`` (N padded to a
            power of two, so N <= 128): N + 1 exact HVs whose worst case is O(N^3) each.

    References:
        Bringmann & Friedrich, "Approximating the least hypervolume contributor", Theor. Comput.
        Sci. 425, 2012 (definition of the exclusive contribution).
    """
    y, ref, mask = _validate(y, ref, mask, "hypervolume_contributions")
    n, m = y.shape[-2:]
    _check_size(n, m, "hypervolume_contributions")
    if m == 4 and float(_pow2(n)) ** m > MAX_SLICING_WORK:
        raise ValueError(
            f"hypervolume_contributions: N = {n} points (padded to {_pow2(n)}) in M = {m} "
            "objectives needs N^M > 2^30 work in the worst case; pass fewer points (e.g. the "
            "non-dominated ones)"
        )
    if _host_path(y, ref, mask):
        yp, rp, mp, s = _host_inputs(y, ref, mask, "hypervolume_contributions")
        return _host_out(_contrib_batch(yp, rp, mp), s, per_row=True)
    yp, mp = _pad_rows(y, mask)
    return _contrib_batch(yp, ref, mp)[..., :n]


# ---------------------------------------------------------------------------------------------
# anytime curve
# ---------------------------------------------------------------------------------------------
def _survivor_filter(Y: Array, valid: Array, block: int, buf_cap: int) -> Array:
    """(N, B) True for rows not weakly dominated by any earlier valid row (a superset).

    Rows are tested in blocks against a buffer of the first ``buf_cap`` survivors and against the
    earlier rows of their own block. Any earlier point that weakly dominates a row proves its
    exclusive contribution at arrival is 0, so dropping it is exact; when the buffer is full some
    dominated rows survive, which costs time, never correctness.
    """
    m, n, b = Y.shape
    nb = n // block
    Yb = Y.reshape(m, nb, block, b).transpose(1, 0, 2, 3)
    vb = valid.reshape(nb, block, b)
    lower = (jnp.arange(block)[None, :] < jnp.arange(block)[:, None])[:, :, None]  # j < i
    col = jnp.arange(b)[None, :]

    def step(carry, blk):
        buf, nbuf = carry  # (m, K, B), (B,)
        Yc, vc = blk
        inbuf = jnp.arange(buf_cap)[:, None] < nbuf[None, :]
        dom_buf = jnp.any(
            jnp.all(buf[:, None, :, :] <= Yc[:, :, None, :], axis=0) & inbuf[None], axis=1
        )
        dom_in = jnp.any(
            jnp.all(Yc[:, None, :, :] <= Yc[:, :, None, :], axis=0) & lower & vc[None], axis=1
        )
        surv = vc & ~dom_buf & ~dom_in
        pos = nbuf[None, :] + jnp.cumsum(surv, axis=0) - 1
        pos = jnp.where(surv, pos, buf_cap)
        buf = buf.at[:, pos, col].set(Yc, mode="drop")
        nbuf = jnp.minimum(nbuf + jnp.sum(surv, axis=0, dtype=jnp.int32), buf_cap)
        return (buf, nbuf), surv

    buf0 = jnp.zeros((m, buf_cap, b), Y.dtype)
    _, surv = lax.scan(step, (buf0, jnp.zeros((b,), jnp.int32)), (Yb, vb))
    return surv.reshape(n, b)


@functools.partial(jax.jit, static_argnames=("capacity",))
def _curve_batch(y, ref, mask, capacity: int, surv=None):
    """``surv``: the survivors of :func:`_survivors` for these inputs (computed here if None)."""
    (curve, over), lead = _materialized(
        lambda Y, valid, R: _curve_core(Y, valid, R, capacity, surv), y, ref, mask
    )
    n = y.shape[-2]
    curve = jnp.where(over[None, :], jnp.nan, curve)[:n]
    return curve.T.reshape(*lead, n), over


def _in_box(Y, valid, R):
    """Rows counted (inside the reference box); the others moved onto the reference point."""
    valid = valid & jnp.all(Y < R[:, None, :], axis=0)
    return jnp.where(valid[None], Y, R[:, None, :]), valid


def _curve_filter(Y, valid):
    """The curve's survivor filter (its block and buffer sizes) on ``_in_box`` rows."""
    n = Y.shape[1]
    return _survivor_filter(Y, valid, min(n, 128), min(n, 256))


@jax.jit
def _survivors(y, ref, mask):
    """(N, B) survivors of the dominance filter, batch last (as ``_curve_core`` uses them); the
    largest count over the batch is the capacity the curve needs."""
    return _materialized(lambda Y, valid, R: _curve_filter(*_in_box(Y, valid, R)), y, ref, mask)[0]


def _curve_core(Y, valid, R, capacity: int, surv=None):
    m, n, b = Y.shape
    Y, valid = _in_box(Y, valid, R)
    if surv is None:
        surv = _curve_filter(Y, valid)
    cnt = jnp.cumsum(surv, axis=0)  # (N, B)
    total = cnt[-1]
    col = jnp.arange(b)[None, :]
    pos = jnp.where(surv, cnt - 1, capacity)
    S = jnp.broadcast_to(R[:, None, :], (m, capacity, b)).astype(Y.dtype)
    S = S.at[:, pos, col].set(Y, mode="drop")
    vs = jnp.arange(capacity)[:, None] < total[None, :]
    if m == 2:
        # the staircase needs the front's size in slots, not the survivors': smallest first
        A = jnp.cumsum(_staircase_adaptive(S[0], S[1], vs, R[0], R[1]), axis=0)
        over = jnp.zeros((b,), bool)
    else:
        k = jnp.arange(capacity)
        pref = vs[None] & (k[None, :, None] <= k[:, None, None])  # (K, S, B)
        Sp = jnp.broadcast_to(S[:, None], (m, capacity, capacity, b)).transpose(0, 2, 1, 3)
        Rp = jnp.broadcast_to(R[:, None, :], (m, capacity, b)).reshape(m, capacity * b)
        A = _hv_core(
            Sp.reshape(m, capacity, capacity * b),
            pref.transpose(1, 0, 2).reshape(capacity, capacity * b),
            Rp,
            prefilter=False,
        ).reshape(capacity, b)
        over = jnp.zeros((b,), bool)
    over = over | (total > capacity)
    curve = jnp.where(cnt > 0, jnp.take_along_axis(A, jnp.clip(cnt - 1, 0, capacity - 1), 0), 0)
    return curve, over


def hypervolume_curve(
    y: Float[Array, "*batch n m"],
    ref: Float[Array, "*#batch m"],
    mask: Bool[Array, "*batch n"] | None = None,
    *,
    capacity: int | None = None,
) -> Float[Array, "*batch n"]:
    """Anytime hypervolume: ``out[..., k] = hypervolume(y[..., :k+1, :], ref, mask[..., :k+1])``.

    Rows are results in arrival order; a masked row repeats the previous value (0 before the
    first counted point). Incremental: points weakly dominated by an earlier point are dropped
    by a blocked dominance filter (their contribution at arrival is exactly 0), and only the
    survivors (usually a few hundred even for 1e5 results) are processed exactly, sequentially
    for ``M = 2`` and as a batch of prefix HVs for ``M >= 3``.

    Args:
        y: points in arrival order, ``float[..., N, M]``.
        ref: reference point, ``float[..., M]`` (use one fixed point per benchmark, e.g.
            :func:`reference_point`, so that curves of different runs compare).
        mask: optional ``bool[..., N]``.
        capacity: static bound on the number of survivors per problem. ``None``: eagerly,
            the batch's largest survivor count rounded up to a power of two (one cheap filter
            pass first; one compile per capacity); under ``jit``, N: exact, O(N log N)-ish for
            ``M = 2`` (the 2-D staircase grows its slots with the front, not with N), and
            refused for ``M >= 3`` when ``N^M > 2^30`` (pass ``capacity=`` there). With an
            explicit capacity that overflows, the problem's curve is NaN (never silently
            wrong).

    Size limits (from the algorithm): ``M = 2`` none; ``M >= 3`` the survivors' count S must
    satisfy ``S^M <= 2^30`` (the exact HV of every survivor prefix), e.g. S <= 1024 for M = 3.

    Returns:
        ``float[..., N]``, non-decreasing along the last axis; the last value equals
        :func:`hypervolume` of all rows.

    Raises:
        ValueError: as :func:`hypervolume`, a capacity < 1, or the size limit above.

    References:
        Zitzler & Thiele (PPSN 1998); Beume et al., IEEE TEC 13(5) 2009.
    """
    y, ref, mask = _validate(y, ref, mask, "hypervolume_curve")
    n, m = y.shape[-2:]
    npad = _pow2(n)
    auto = capacity is None
    if capacity is not None and capacity < 1:
        raise ValueError(f"hypervolume_curve: capacity must be >= 1; got {capacity}")
    concrete = is_concrete(y, ref, mask)
    if concrete:
        yp, ref, mp, s = _host_inputs(y, ref, mask, "hypervolume_curve")
    else:
        yp, mp = _pad_rows(y, mask)
        if auto and m >= 3 and _curve_work(npad, m) > MAX_SLICING_WORK:
            raise ValueError(
                f"hypervolume_curve under jit: without capacity= the survivors of the "
                f"dominance filter get N = {n} slots (padded to {npad}), and the exact curve of "
                f"M = {m} objectives costs about capacity^M = {float(npad) ** m:.1e} > 2^30 "
                "operations; pass capacity= (a static bound on the points that are not weakly "
                "dominated by an earlier point, e.g. 256; an overflow gives NaN, never a wrong "
                "value), or call it eagerly, where the capacity is measured"
            )
    surv = None
    if auto and concrete:
        # exactly what the survivors need (the filter runs once, here, and the curve reuses
        # it): the M >= 3 path costs O(capacity^M), so the measured count instead of N
        surv = _survivors(yp, ref, mp)
        capacity = max(int(np.max(np.sum(np.asarray(surv), axis=0))), 1)
    elif auto:
        capacity = npad
    capacity = _pow2(min(capacity, npad))
    while True:
        if m >= 3 and _curve_work(capacity, m) > MAX_SLICING_WORK:
            raise ValueError(
                f"hypervolume_curve: {capacity} points survive the dominance filter (capacity "
                f"{capacity}), and the exact curve of M = {m} objectives costs about "
                f"capacity^M = {float(capacity) ** m:.1e} > 2^30 operations (the HV of every "
                "survivor prefix); use fewer points, or hypervolume at a few prefixes"
            )
        curve, over = _curve_batch(yp, ref, mp, capacity, surv)
        if not (auto and concrete) or capacity >= npad or not bool(np.any(np.asarray(over))):
            break
        capacity = min(2 * capacity, npad)
    if concrete:
        return _host_out(curve, s, per_row=True)
    return curve[..., :n]


def _curve_work(capacity: int, m: int) -> float:
    """Operations of the exact curve for ``M >= 3``: HVs of ``capacity`` prefixes, each
    ``capacity^(M-1)`` (3-D: the batched slices, capacity x capacity; 4-D: the worst case
    of the sweep; WFG's beyond)."""
    return float(capacity) ** m


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
@functools.partial(jax.jit, static_argnames=("n_blocks", "block"))
def _mc_batch(key, y, ref, mask, n_blocks: int, block: int):
    Y, valid, R, lead = _to_batch_last(y, ref, mask)
    est, se = _mc_core(key, Y, valid, R, n_blocks, block)
    return est.reshape(lead), se.reshape(lead)


def _mc_core(key, Y, valid, R, n_blocks: int, block: int):
    m, n, b = Y.shape
    valid = valid & jnp.all(Y < R[:, None, :], axis=0)
    lo = jnp.min(jnp.where(valid[None], Y, R[:, None, :]), axis=1)  # (m, B) ideal of counted
    vol = jnp.prod(R - lo, axis=0)
    keys = jax.random.split(key, n_blocks)

    def body(count, k):
        u = jax.random.uniform(k, (m, block, b), Y.dtype)
        z = lo[:, None, :] + u * (R - lo)[:, None, :]  # (m, S, B)
        dom = jnp.all(Y[:, None, :, :] <= z[:, :, None, :], axis=0) & valid[None]  # (S, N, B)
        return count + jnp.sum(jnp.any(dom, axis=1), axis=0, dtype=jnp.int32), None

    count, _ = lax.scan(body, jnp.zeros((b,), jnp.int32), keys)
    total = n_blocks * block
    p = count.astype(Y.dtype) / total
    est = vol * p
    se = vol * jnp.sqrt(p * (1 - p) / total)
    return est, se


def hypervolume_mc(
    key: Array,
    y: Float[Array, "*batch n m"],
    ref: Float[Array, "*#batch m"],
    mask: Bool[Array, "*batch n"] | None = None,
    *,
    n_samples: int = 16384,
) -> tuple[Float[Array, "*batch"], Float[Array, "*batch"]]:
    """Monte-Carlo hypervolume estimate and its standard error, for any number of objectives.

    Box sampling: ``n_samples`` uniform points in the box ``[ideal, ref]``, where ``ideal`` is the
    componentwise minimum of the counted points (the dominated region lies inside it); the
    estimate is ``vol(box) * (fraction dominated)``. Why this estimator: it is unbiased, its
    standard error ``vol * sqrt(p (1 - p) / n_samples)`` is exact for a binomial count, and it
    needs only dominance tests, which vectorize. It degrades when the dominated region is a tiny
    part of the box (large ``M``); the polar estimator of Deng & Zhang (2019) is better there.

    Args:
        key: ``jax.random.key``; one key for the whole batch (each problem gets its own
            independent draws from it).
        y: points, ``float[..., N, M]``.
        ref: reference point, ``float[..., M]``.
        mask: optional ``bool[..., N]``.
        n_samples: samples per problem, rounded up to a multiple of the block size (1024).

    Returns:
        ``(estimate, stderr)``, each ``float[...]``; both 0 when no point counts.

    Raises:
        ValueError: as :func:`hypervolume`, or ``n_samples < 1``.

    References:
        Bader & Zitzler, "HypE: an algorithm for fast hypervolume-based many-objective
        optimization", Evol. Comput. 19(1), 2011 (Monte-Carlo HV by sampling).
    """
    if n_samples < 1:
        raise ValueError(f"hypervolume_mc: n_samples must be >= 1; got {n_samples}")
    y, ref, mask = _validate(y, ref, mask, "hypervolume_mc")
    block = min(1024, _pow2(n_samples))
    n_blocks = -(-n_samples // block)
    if _host_path(y, ref, mask):
        yp, rp, mp, s = _host_inputs(y, ref, mask, "hypervolume_mc")
        est, se = _mc_batch(key, yp, rp, mp, n_blocks, block)
        return _host_out(est, s, per_row=False), _host_out(se, s, per_row=False)
    yp, mp = _pad_rows(y, mask)
    return _mc_batch(key, yp, ref, mp, n_blocks, block)


# ---------------------------------------------------------------------------------------------
# reference points and normalization
# ---------------------------------------------------------------------------------------------
def objective_bounds(
    y: Float[Array, "*batch n m"], mask: Bool[Array, "*batch n"] | None = None
) -> tuple[Float[np.ndarray, " m"], Float[np.ndarray, " m"]]:
    """Ideal (best) and nadir (worst) value of each objective over all valid rows of ``y``.

    Reduces over every axis but the last (a whole table's objectives, or many runs at once).
    Eager NumPy helper (not jit-able: it is computed once per benchmark).

    Args:
        y: ``float[..., N, M]`` (minimization); non-finite values in valid rows are errors.
        mask: optional ``bool[..., N]``.

    Returns:
        ``(ideal, nadir)``, float64[M] each.

    Raises:
        ValueError: no valid row, or NaN/inf in a valid row.
    """
    check_points(y, mask, allow_posinf=False)
    a = np.asarray(y, dtype=np.float64)
    valid = np.ones(a.shape[:-1], bool) if mask is None else np.asarray(mask, bool)
    if not valid.any():
        raise ValueError("objective_bounds: y has no valid row (mask is all False or N = 0)")
    pts = a[valid]
    return pts.min(axis=0), pts.max(axis=0)


def reference_point(
    y: Float[Array, "*batch n m"],
    mask: Bool[Array, "*batch n"] | None = None,
    *,
    margin: float = 0.1,
) -> Float[np.ndarray, " m"]:
    """Fixed reference point for a benchmark: the worst valid value plus a margin of the range.

    ``ref[m] = nadir[m] + margin * (nadir[m] - ideal[m])``, and ``nadir[m] + 1`` for a constant
    objective (same rule as ``mohb_jax.tables``' table metadata), over *all* valid rows of
    ``y`` (a whole table, all seeds and methods). Then every valid point strictly dominates
    ``ref`` (for ``margin > 0``), and curves of different runs and methods share it, unlike
    Syne Tune's per-run reference points.

    Args:
        y: ``float[..., N, M]`` minimization values (negate "max" objectives first).
        mask: optional ``bool[..., N]``.
        margin: fraction of the range beyond the worst value; must be >= 0.

    Returns:
        float64[M].

    Raises:
        ValueError: negative margin, no valid row, or NaN/inf in a valid row.
    """
    if not margin >= 0:
        raise ValueError(f"reference_point: margin must be >= 0; got {margin}")
    from mohb_jax._src.tables.reference import reference_point_rule

    objective_bounds(y, mask)  # validation: a valid row exists, no NaN/inf in valid rows
    return reference_point_rule(np.asarray(y, np.float64), mask, margin=margin)


def normalize(
    y: Float[Array, "*batch n m"],
    ideal: Float[Array, " m"],
    nadir: Float[Array, " m"],
) -> Float[Array, "*batch n m"]:
    """Min-max normalization ``(y - ideal) / (nadir - ideal)`` per objective (span 0 -> 1).

    Maps ``ideal`` to 0 and ``nadir`` to 1, so objectives on different scales (error, seconds,
    dollars) weigh alike in HV and distances. jit-able.

    Args:
        y: ``float[..., N, M]``.
        ideal: ``float[M]``, e.g. from :func:`objective_bounds`.
        nadir: ``float[M]``.

    Returns:
        ``float[..., N, M]``.

    Raises:
        ValueError: ``ideal`` / ``nadir`` not of shape ``[M]``, or ``nadir < ideal`` somewhere.
    """
    m = np.shape(y)[-1]
    for nm, v in (("ideal", ideal), ("nadir", nadir)):
        if np.shape(v) != (m,):
            raise ValueError(f"normalize: {nm} must have shape ({m},); got {np.shape(v)}")
    if is_concrete(ideal, nadir) and np.any(np.asarray(nadir) < np.asarray(ideal)):
        raise ValueError("normalize: nadir must be >= ideal in every objective")
    if is_concrete(y, ideal, nadir):  # on the host, in float64: no compile per new shape
        a = np.asarray(y, np.float64)
        lo = np.asarray(ideal, np.float64)
        span = np.asarray(nadir, np.float64) - lo
        return to_device((a - lo) / np.where(span > 0, span, 1))
    y = _as_float(y)
    ideal = jnp.asarray(ideal, y.dtype)
    span = jnp.asarray(nadir, y.dtype) - ideal
    return (y - ideal) / jnp.where(span > 0, span, 1)
