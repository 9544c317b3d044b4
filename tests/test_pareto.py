"""Tests of mohb_jax.pareto against independent oracles (brute-force NumPy, moocore).

Hypothesis draws padded point sets from a small set of sizes (mohb_jax.testing.PAD_SIZES), so
the number of jit compilations stays bounded.
"""

from __future__ import annotations

import itertools
import logging
import warnings

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohb_jax import pareto
from mohb_jax._src import native
from mohb_jax._src import pareto as _impl
from mohb_jax.testing import PAD_SIZES, batched_points, padded_points, points

# rung_rank compiles a while loop per (shape, dtype, tie_break, normalize): its tests draw from
# fewer padded shapes than the ranks tests, to keep the suite fast
FEW = (1, 7, 33)
M23 = st.integers(2, 3)

# ---------------------------------------------------------------------------------------------
# independent oracles (plain NumPy, written from the definitions)
# ---------------------------------------------------------------------------------------------


def np_dominates(a, b):
    return bool(np.all(a <= b) and np.any(a < b))


def np_dominance_matrix(y):
    """``D[i, j]``: row i dominates row j, straight from the definition (NumPy broadcast)."""
    y = np.asarray(y, dtype=np.float64)
    le = np.all(y[:, None, :] <= y[None, :, :], axis=-1)
    lt = np.any(y[:, None, :] < y[None, :, :], axis=-1)
    return le & lt


def oracle_ranks(y, mask=None):
    """Front index by literal peeling: a front is the remaining rows no remaining row dominates."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    mask = np.ones(n, bool) if mask is None else np.asarray(mask, bool)
    d = np_dominance_matrix(np.where(mask[:, None], y, 0.0))
    out = np.full(n, -1)
    remaining = mask.copy()
    k = 0
    while remaining.any():
        front = remaining & ~(d & remaining[:, None]).any(axis=0)
        out[front] = k
        remaining &= ~front
        k += 1
    return out


def oracle_coords(y, normalize):
    """The documented +inf / normalization rule, re-derived independently (valid rows only)."""
    z = np.array(y, dtype=np.float64)
    for j in range(z.shape[1]):
        col = z[:, j]
        fin = np.isfinite(col)
        if not fin.any():
            z[:, j] = 0.0
            continue
        lo, hi = col[fin].min(), col[fin].max()
        if normalize:
            if hi > lo:
                z[fin, j] = (col[fin] - lo) / (hi - lo)
                z[~fin, j] = 2.0
            else:
                z[fin, j] = 0.0
                z[~fin, j] = 1.0
        else:
            z[~fin, j] = hi + (hi - lo) if hi > lo else hi + 1.0
    return z


def oracle_crowding(z):
    """NSGA-II crowding distance of one front (rows of z), ties by row order."""
    k, m = z.shape
    cd = np.zeros(k)
    for j in range(m):
        order = sorted(range(k), key=lambda i: (z[i, j], i))
        lo, hi = z[order[0], j], z[order[-1], j]
        cd[order[0]] = cd[order[-1]] = np.inf
        for p in range(1, k - 1):
            if hi > lo:
                cd[order[p]] += (z[order[p + 1], j] - z[order[p - 1], j]) / (hi - lo)
    return cd


def oracle_crowding_all(y, mask=None):
    y = np.asarray(y, np.float64)
    mask = np.ones(len(y), bool) if mask is None else np.asarray(mask, bool)
    out = np.zeros(len(y))
    if not mask.any():
        return out
    idx = np.flatnonzero(mask)
    r = oracle_ranks(y[idx])
    z = oracle_coords(y[idx], normalize=False)
    for f in range(r.max() + 1):
        mem = np.flatnonzero(r == f)
        out[idx[mem]] = oracle_crowding(z[mem])
    return out


def oracle_rung_rank(y, mask=None, tie_break="epsnet", normalize=True):
    """Fronts first; inside a front the greedy eps-net (or crowding) order; return positions."""
    y = np.asarray(y, np.float64)
    n = len(y)
    mask = np.ones(n, bool) if mask is None else np.asarray(mask, bool)
    out = np.full(n, -1)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return out
    yv = y[idx]
    r = oracle_ranks(yv)
    z = oracle_coords(yv, normalize)
    order = []
    for f in range(r.max() + 1):
        mem = [int(i) for i in np.flatnonzero(r == f)]
        if tie_break == "epsnet":
            start = min(mem, key=lambda i: (z[i, 0], i))
            taken, rest = [start], [i for i in mem if i != start]
            while rest:
                diff = z[rest][:, None, :] - z[taken][None, :, :]
                dmin = np.sqrt(np.sum(diff**2, axis=-1)).min(axis=1)
                nxt = rest[int(np.argmax(dmin))]  # rest is ascending: ties -> lowest index
                taken.append(nxt)
                rest.remove(nxt)
            order += taken
        else:
            cd = oracle_crowding(oracle_coords(yv, False)[mem])
            order += [mem[p] for p in sorted(range(len(mem)), key=lambda p: (-cd[p], mem[p]))]
    pos = np.empty(len(idx), int)
    pos[order] = np.arange(len(idx))
    out[idx] = pos
    return out


def syne_tune_priority(y):
    """The widely used (buggy) non-dominated priority, re-implemented from its description.

    Per front, the ε-net helper (raw objectives, start at the lowest first objective) returns
    each member's *rank*, but the caller uses it as an *order* (indexes the front with it); the
    flattened result is a list of row indices, but MOASHA uses entry k as the priority of row k.
    See PAPER_NOTES "Known defect".
    """
    y = np.asarray(y, np.float64)
    remaining = np.arange(len(y))
    flat = []
    while remaining.size:
        yr = y[remaining]
        eff = np.array(
            [not any(np_dominates(yr[i], yr[j]) for i in range(len(yr))) for j in range(len(yr))]
        )
        front = remaining[eff]
        # greedy ε-net on the front, returned as ranks (position of each member)
        xf = y[front]
        order = [int(np.argmin(xf[:, 0]))]
        left = [i for i in range(len(front)) if i != order[0]]
        while left:
            d = [min(np.linalg.norm(xf[i] - xf[t]) for t in order) for i in left]
            order.append(left[int(np.argmax(d))])
            left.remove(order[-1])
        ranks_in_front = np.empty(len(front), int)
        ranks_in_front[order] = np.arange(len(front))
        flat += front[ranks_in_front].tolist()  # the mix-up: ranks used as an order
        remaining = remaining[~eff]
    return np.array(flat)  # the second mix-up: an order used as per-row priorities


@pytest.fixture(scope="module", params=["native", "jax"])
def kernel_path(request):
    """The tests of ``nondominated_ranks`` that use this run twice: with the native CPU kernel
    (2-D ranks: what a CPU install runs) and with the JAX kernels (a GPU, or no native build).
    Module-scoped: hypothesis refuses function-scoped fixtures."""
    if request.param == "native" and not native.available():
        pytest.skip(f"native kernels: {native.info()['reason']}")
    jax.clear_caches()  # functions jitted by the other run's tests are traced again
    with native.use_native(request.param == "native"):
        yield request.param


def run_ranks(y, mask):
    return np.asarray(pareto.nondominated_ranks(y, mask))


# ---------------------------------------------------------------------------------------------
# dominance
# ---------------------------------------------------------------------------------------------


def test_dominates_basic():
    a = jnp.array([[1.0, 2.0], [1.0, 2.0], [1.0, 3.0], [0.0, 5.0], [1.0, jnp.inf]])
    b = jnp.array([[1.0, 2.0], [1.0, 3.0], [1.0, 2.0], [1.0, 4.0], [1.0, jnp.inf]])
    assert np.asarray(pareto.dominates(a, b)).tolist() == [False, True, False, False, False]
    assert bool(pareto.dominates(jnp.array([0.0, 0.0]), jnp.array([0.0, jnp.inf])))


@given(points(n=2, m=st.integers(1, 4), kind="grid"))
def test_dominates_matches_definition(y):
    got = bool(pareto.dominates(y[0], y[1]))
    assert got == np_dominates(y[0], y[1])
    assert not (got and bool(pareto.dominates(y[1], y[0])))


# ---------------------------------------------------------------------------------------------
# non-dominated ranks
# ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("kernel_path")
@given(padded_points(allow_posinf=True))
def test_ranks_match_oracle(ym):
    y, mask = ym
    r = run_ranks(y, mask)
    np.testing.assert_array_equal(r, oracle_ranks(y, mask))


@pytest.mark.usefixtures("kernel_path")
@given(padded_points(kind="uniform", m=st.integers(1, 5)))
def test_ranks_match_moocore(ym):
    y, mask = ym
    r = run_ranks(y, mask)
    np.testing.assert_array_equal(r[mask], moocore.pareto_rank(y[mask]))
    assert (r[~mask] == -1).all()


@pytest.mark.usefixtures("kernel_path")
@given(padded_points(allow_posinf=True))
def test_front_structure(ym):
    """Rank 0 = exactly the non-dominated rows; no row dominates a row of an earlier front;
    every row of front k > 0 is dominated by a row of front k-1."""
    y, mask = ym
    r = run_ranks(y, mask)
    v = np.flatnonzero(mask)
    d = np_dominance_matrix(y[v])
    rv = r[v]
    np.testing.assert_array_equal(rv == 0, ~d.any(axis=0))
    assert (rv[:, None] < rv[None, :])[d].all()  # i dominates j => front(i) < front(j)
    for j in np.flatnonzero(rv > 0):
        assert (d[:, j] & (rv == rv[j] - 1)).any()
    np.testing.assert_array_equal(np.asarray(pareto.pareto_mask(y, mask)), r == 0)


@pytest.mark.usefixtures("kernel_path")
@given(padded_points(garbage=False), st.randoms(use_true_random=False))
def test_permutation_equivariance(ym, rnd):
    y, mask = ym
    perm = np.arange(len(y))
    rnd.shuffle(perm)
    r = run_ranks(y, mask)
    np.testing.assert_array_equal(run_ranks(y[perm], mask[perm]), r[perm])


def strictly_increasing_transform(y, mask, j):
    """Column j mapped through a strictly increasing function (exact: uses value ranks)."""
    col = y[:, j].copy()
    v = mask & np.isfinite(col)
    if v.any():
        _, inv = np.unique(col[v], return_inverse=True)
        col[v] = np.exp(inv.reshape(-1) * 0.5) * (j + 1.5) - 3.0
    return col


@pytest.mark.usefixtures("kernel_path")
@given(padded_points(allow_posinf=True))
def test_monotone_transform_invariance(ym):
    y, mask = ym
    t = y.copy()
    for j in range(y.shape[1]):
        t[:, j] = strictly_increasing_transform(y, mask, j)
    np.testing.assert_array_equal(run_ranks(t, mask), run_ranks(y, mask))
    a = 2.5 * y - 1.0
    # The kernels compute in float32: the affine map is strictly increasing only where float32
    # rounding keeps every pairwise order of the valid values (0 and 1e-9 map to -1 and
    # -0.9999999975, equal in float32), so the invariance is asserted on those inputs.
    if _float32_order_kept(y[mask], a[mask]):
        np.testing.assert_array_equal(run_ranks(a, mask), run_ranks(y, mask))


def _float32_order_kept(y, a):
    y32, a32 = y.astype(np.float32), a.astype(np.float32)
    with np.errstate(invalid="ignore"):
        sy = np.sign(y32[:, None, :] - y32[None, :, :])
        sa = np.sign(a32[:, None, :] - a32[None, :, :])
    return np.array_equal(sy, sa, equal_nan=True)


@pytest.mark.usefixtures("kernel_path")
@pytest.mark.slow
@given(padded_points(FEW, garbage=False))
def test_padding_never_changes_results(ym):
    y, mask = ym
    v = np.flatnonzero(mask)
    r_full = run_ranks(y, mask)
    # the same valid rows, packed first and padded to 64 rows with zeros
    yp = np.zeros((64, y.shape[1]))
    yp[: len(v)] = y[v]
    mp = np.arange(64) < len(v)
    r_packed = run_ranks(yp, mp)
    np.testing.assert_array_equal(r_full[v], r_packed[: len(v)])
    # any garbage in the padding, including NaN and -inf, is ignored
    y2 = y.copy()
    y2[~mask] = np.nan
    np.testing.assert_array_equal(run_ranks(y2, mask), r_full)
    rr = np.asarray(pareto.rung_rank(y, mask))
    np.testing.assert_array_equal(rr[v], np.asarray(pareto.rung_rank(yp, mp))[: len(v)])
    np.testing.assert_array_equal(np.asarray(pareto.rung_rank(y2, mask)), rr)


@pytest.mark.usefixtures("kernel_path")
@pytest.mark.parametrize(
    ("y", "expected"),
    [
        ([[1.0]], [0]),  # N=1
        ([[3.0], [1.0], [2.0], [1.0]], [2, 0, 1, 0]),  # M=1, with a duplicate
        ([[2.0, 2.0]] * 5, [0] * 5),  # all equal
        ([[1.0, 1.0], [1.0, 1.0], [1.0, 2.0], [2.0, 1.0]], [0, 0, 1, 1]),  # duplicates + ties
        ([[0.0, 5.0], [0.0, 6.0], [0.0, 7.0]], [0, 1, 2]),  # ties on one coordinate
        ([[1.0, np.inf], [0.0, np.inf], [np.inf, np.inf], [5.0, 0.0]], [1, 0, 2, 0]),  # +inf
    ],
)
def test_ranks_edge_cases(y, expected):
    assert run_ranks(np.asarray(y), None).tolist() == expected


@pytest.mark.usefixtures("kernel_path")
def test_subnormals_and_signed_zero_are_exact():
    # XLA on CPU flushes subnormals to zero; ranks must still see 1e-41 > 0 and -0.0 == 0.0
    y = np.array([[4.65e-41, 0.0], [0.0, 0.0], [-0.0, 1e-45], [-1e-41, 1.0]], dtype=np.float32)
    assert run_ranks(y, None).tolist() == oracle_ranks(y).tolist() == [1, 0, 1, 0]
    assert run_ranks(y[:, :1], None).tolist() == [2, 1, 1, 0]


@pytest.mark.usefixtures("kernel_path")
def test_integer_input_and_all_masked():
    y = np.array([[1, 2], [2, 1], [2, 2]], dtype=np.int32)
    assert run_ranks(y, None).tolist() == [0, 0, 1]
    assert run_ranks(y.astype(float), np.zeros(3, bool)).tolist() == [-1, -1, -1]
    assert np.asarray(pareto.rung_rank(y, np.zeros(3, bool))).tolist() == [-1, -1, -1]


# every algorithm (the dispatcher picks one by shape) against the oracle, forced

_METHOD_M = {
    "dense": st.integers(1, 5),
    "sort1d": st.just(1),
    "peel2d": st.just(2),
    "sweep2d": st.just(2),
    "blocked": st.integers(1, 5),
}


def _keys(y):
    return _impl._order_keys(jnp.asarray(y, jnp.float32))


@pytest.mark.parametrize("method", _impl.RANK_METHODS)
@given(data=st.data())
def test_each_method_matches_oracle(method, data):
    y, mask = data.draw(padded_points((7, 64), m=_METHOD_M[method], allow_posinf=True))
    r = np.asarray(_impl._nondominated_ranks(_keys(y)[None], jnp.asarray(mask)[None], method))[0]
    np.testing.assert_array_equal(r, oracle_ranks(y.astype(np.float32), mask))


@given(
    st.one_of(
        batched_points(st.integers(2, 5), 13, m=2, allow_posinf=True),
        batched_points(st.integers(2, 3), 40, m=2, allow_posinf=True),
    )
)
def test_batched_2d_sweep_matches_oracle(ym):
    """The batch-vectorized sort-and-sweep (the default for batches of 2-D rungs): every
    problem of a batch against brute force, with ties, duplicates and +inf."""
    y, mask = ym
    r = np.asarray(_impl._nondominated_ranks(_keys(y), jnp.asarray(mask)))
    for i in range(y.shape[0]):
        np.testing.assert_array_equal(r[i], oracle_ranks(y[i].astype(np.float32), mask[i]))


@given(
    padded_points((64,), m=st.just(2), allow_posinf=True),
    st.sampled_from([1, 3, 4, 16]),
    st.sampled_from([2, 5, 1 << 14]),
)
def test_single_2d_sweep_matches_oracle(ym, block, slots):
    """The one-problem sweep in blocks (the default for one large 2-D problem), with blocks
    small enough that runs of equal rows and dominance chains cross block boundaries, and
    few enough front slots that deeper problems take the second pass."""
    y, mask = ym
    sweep = jax.jit(_impl._ranks_2d_sweep_single, static_argnums=(2, 3))
    r = sweep(_keys(y), jnp.asarray(mask), block, slots)
    np.testing.assert_array_equal(np.asarray(r), oracle_ranks(y.astype(np.float32), mask))


@pytest.mark.usefixtures("kernel_path")
@pytest.mark.parametrize(
    ("method", "n_masked"),
    [("sweep2d", 0), ("peel2d", 0), ("dense", 0), ("sweep2d", 3000), ("peel2d", 3000)],
)
def test_2d_kernels_exact_for_keys_equal_to_the_fill_value(method, n_masked):
    """int32 objectives equal to the int32 maximum (the value masked rows are filled with
    before sorting): a valid row with such a key is ranked like any other, including one whose
    two keys both equal it and that sorts among the masked rows; moocore as the oracle, for a
    batch of three problems and for one large problem."""
    big = np.iinfo(np.int32).max
    y = np.array([[big, -10], [0, 0], [big, big], [-10, big], [5, 5], [big, -5]], np.int32)
    y = np.concatenate([y, np.random.default_rng(0).integers(0, 20, (6, 2), dtype=np.int32)])
    n = len(y) + n_masked
    k = np.concatenate([y, np.full((n_masked, 2), 7, np.int32)])
    mask = np.arange(n) < len(y)
    want = moocore.pareto_rank(y.astype(np.float64))
    # rows with a key equal to the fill value on front 0; one dominated only by such a row
    assert want[0] == want[3] == 0 and want[5] == 1
    kb = jnp.asarray(np.stack([k, k[::-1] if n_masked == 0 else k, k]))
    mb = jnp.asarray(np.stack([mask, mask[::-1] if n_masked == 0 else mask, mask]))
    r = np.asarray(_impl._nondominated_ranks(kb, mb, method))
    for i in range(3):
        keep = np.asarray(mb[i])
        order = np.arange(len(y)) if i != 1 or n_masked else np.arange(len(y))[::-1]
        np.testing.assert_array_equal(r[i][keep], want[order])
        assert (r[i][~keep] == -1).all()
    front0 = np.asarray(_impl._front0_2d(jnp.asarray(k), jnp.asarray(mask)))
    np.testing.assert_array_equal(front0[: len(y)], want == 0)
    assert not front0[len(y) :].any()
    # the public functions on the int32 input
    np.testing.assert_array_equal(np.asarray(pareto.nondominated_ranks(np.stack([y, y]))[1]), want)
    np.testing.assert_array_equal(np.asarray(pareto.pareto_mask(k, mask))[: len(y)], want == 0)


@pytest.mark.usefixtures("kernel_path")
@pytest.mark.parametrize("with_chain", [False, True])
def test_batch_of_2d_rungs_dense_peel_and_its_fallback(with_chain):
    """A batch of 2-D rungs (N <= 256) is peeled densely for up to 48 fronts; a problem with
    more (a chain of 200) sends the whole batch to the sort-and-sweep. Duplicates, ties, +inf
    and masked rows; moocore as the oracle either way."""
    rng = np.random.default_rng(11)
    b, n = 6, 200
    y = rng.random((b, n, 2))
    y[1] /= y[1].sum(-1, keepdims=True)  # one front
    y[2] = rng.integers(0, 8, (n, 2))  # many exact duplicates and ties
    y[3, :5] = np.inf
    if with_chain:
        y[4] = np.sort(rng.random(n))[:, None] * [1, 1]  # 200 fronts
    mask = rng.random((b, n)) > 0.1
    r = np.asarray(pareto.nondominated_ranks(y, mask))
    assert (r.max() >= 48) == with_chain
    for i in range(b):
        np.testing.assert_array_equal(r[i][mask[i]], moocore.pareto_rank(y[i][mask[i]]))
        assert (r[i][~mask[i]] == -1).all()
    # the capped peel alone: the first 48 fronts of the chain, and the rows it left
    k = _impl._keys(jnp.asarray(y[4], jnp.float32))
    rc, left = _impl._ranks_dense_capped(k, jnp.ones(n, bool), 48)
    want = moocore.pareto_rank(y[4].astype(np.float32))
    assert bool(left) == with_chain
    np.testing.assert_array_equal(np.asarray(rc), np.where(want < 48, want, -1))


@pytest.mark.parametrize("m", [2, 3, 4])
def test_pareto_mask_of_a_batch_matches_moocore(m):
    """Front 0 of a batch (the bit-packed matrix and one pass): duplicates, ties, +inf and
    masked rows; moocore as the oracle (weakly dominated duplicates stay on front 0)."""
    rng = np.random.default_rng(20 + m)
    y = rng.random((5, 300, m))
    y[1] = rng.integers(0, 4, (300, m))
    y[2, :7] = np.inf
    y[3] /= y[3].sum(-1, keepdims=True)
    mask = rng.random((5, 300)) > 0.15
    got = np.asarray(pareto.pareto_mask(y, mask))
    for i in range(5):
        want = moocore.is_nondominated(y[i][mask[i]], keep_weakly=True)
        np.testing.assert_array_equal(got[i][mask[i]], want)
        assert not got[i][~mask[i]].any()


@pytest.mark.usefixtures("kernel_path")
def test_sum_test_for_equal_rows_only_where_it_is_exact():
    """The dense build may test "not equal" by the rows' uint32 key sums only when no sum of
    differences reaches 2**32. Rows (-2**31, -2**31) and (0, 0): the first dominates the
    second, but their uint32 sums are equal, so the sum test alone would miss it; the range
    check must turn it off, and the ranks stay moocore's."""
    lo = np.iinfo(np.int32).min
    y = np.array([[lo, lo], [0, 0], [5, -3], [-3, 5]], np.int32)
    k, mask = jnp.asarray(y), jnp.ones(4, bool)
    assert not bool(_impl._sum_test_ok(k, mask))
    exact, _ = _impl._dense_bits(k, mask)
    summed, _ = _impl._dense_bits(k, mask, True)
    assert (np.asarray(exact) != np.asarray(summed)).any()  # the check is what keeps it exact
    want = moocore.pareto_rank(y.astype(np.float64))
    for batch in (y[None], np.stack([y, y[::-1]])):
        r = np.asarray(pareto.nondominated_ranks(batch))
        np.testing.assert_array_equal(r[0], want)
        np.testing.assert_array_equal(np.asarray(pareto.pareto_mask(batch))[0], want == 0)
    # float32 data in [0, 1] (and small integers with duplicates) pass the check
    rng = np.random.default_rng(1)
    u = jnp.asarray(_impl._keys(jnp.asarray(rng.random((3, 50, 3), dtype=np.float32))))
    assert bool(_impl._sum_test_ok(u, jnp.ones((3, 50), bool)))
    d = rng.integers(0, 3, (4, 64, 3)).astype(np.float32)  # many exact duplicates
    r = np.asarray(pareto.nondominated_ranks(d))
    for i in range(4):
        np.testing.assert_array_equal(r[i], moocore.pareto_rank(d[i]))


@pytest.mark.usefixtures("kernel_path")
def test_batch_of_large_2d_problems_one_deeper_than_the_front_slots():
    """Two 2-D problems of 20 000 rows in one call: a chain of 20 000 fronts (more than the
    sweep's 16 384 front slots: the second pass) and uniform points; moocore as the oracle."""
    rng = np.random.default_rng(5)
    n = 20_000
    x = rng.permutation(n).astype(np.float64)
    y = np.stack([np.stack([x, x], -1), rng.random((n, 2))])
    r = np.asarray(pareto.nondominated_ranks(y))
    assert r[0].max() == n - 1
    for i in range(2):
        np.testing.assert_array_equal(r[i], moocore.pareto_rank(y[i]))


@pytest.mark.parametrize("block", [4, 16])
def test_single_2d_sweep_long_runs_and_chains(block):
    """Runs of equal rows longer than a block, long chains and deep fronts, +inf and masked
    rows: moocore as the oracle."""
    rng = np.random.default_rng(block)
    n = 3000
    y = rng.integers(0, 40, (n, 2)).astype(np.float32)  # many exact duplicates
    y[:200] = np.sort(rng.random(200))[:, None] * [1, 1]  # a chain of 200 fronts
    y[200:260] = [0.5, 0.5]  # one run of 60 equal rows
    y[260:270, 0] = np.inf
    mask = rng.random(n) > 0.05
    r = jax.jit(_impl._ranks_2d_sweep_single, static_argnums=2)(_keys(y), jnp.asarray(mask), block)
    want = np.full(n, -1)
    want[mask] = moocore.pareto_rank(y[mask].astype(np.float64))
    np.testing.assert_array_equal(np.asarray(r), want)


@pytest.mark.usefixtures("kernel_path")
def test_batched_2d_sweep_overflows_to_more_front_slots():
    """A batch whose one problem is a chain of 300 fronts (more than the 48 and 256 slots
    tried first) next to a one-front problem: both exact (moocore as the oracle)."""
    n = 300
    x = np.arange(n, dtype=np.float32)
    chain = np.stack([x, x], -1)
    front = np.stack([x, n - x], -1)
    y = np.stack([chain, front])
    r = np.asarray(pareto.nondominated_ranks(y))
    np.testing.assert_array_equal(r[0], moocore.pareto_rank(chain))
    np.testing.assert_array_equal(r[1], moocore.pareto_rank(front))


@given(padded_points((64,), m=st.integers(2, 4), allow_posinf=True))
def test_blocked_with_many_blocks(ym):
    y, mask = ym
    r = np.asarray(jax.jit(_impl._ranks_blocked, static_argnums=2)(_keys(y), jnp.asarray(mask), 8))
    np.testing.assert_array_equal(r, oracle_ranks(y.astype(np.float32), mask))


@given(padded_points((64,), m=st.integers(3, 5), allow_posinf=True))
def test_blocked_front0_only_matches_oracle(ym):
    """``cap=1`` (what ``pareto_mask`` uses beyond the dense size): 0 exactly on front 0."""
    y, mask = ym
    f = jax.jit(_impl._ranks_blocked, static_argnums=(2, 3))(_keys(y), jnp.asarray(mask), 8, 1)
    np.testing.assert_array_equal(np.asarray(f) == 0, oracle_ranks(y.astype(np.float32), mask) == 0)


@pytest.mark.parametrize("m", [3, 4])
@pytest.mark.parametrize("block", [8, 32])
def test_blocked_pruning_on_deep_fronts(m, block):
    """Many fronts per block reach (more than the kept rank layers), duplicates, +inf and
    masked rows, blocks small enough that nearly every pruning branch is taken: moocore as
    the oracle for the ranks and for front 0."""
    rng = np.random.default_rng(m * 100 + block)
    n = 1500
    y = rng.random((n, 1)) + 0.06 * rng.random((n, m))  # ~100-300 fronts
    y[:40] = y[40:80]  # duplicates
    y[80:90, 1] = np.inf
    y = y.astype(np.float32)
    mask = rng.random(n) > 0.1
    k, mk = _keys(y), jnp.asarray(mask)
    fn = jax.jit(_impl._ranks_blocked, static_argnums=(2, 3))
    r = np.asarray(fn(k, mk, block, None))
    want = np.full(n, -1)
    want[mask] = moocore.pareto_rank(y[mask].astype(np.float64))
    assert want.max() > 2 * _impl._LAYERS  # the deep-layer branch is exercised
    np.testing.assert_array_equal(r, want)
    f0 = np.asarray(fn(k, mk, block, 1)) == 0
    np.testing.assert_array_equal(f0, want == 0)


def test_dispatch_covers_shapes():
    assert _impl._choose_method(256, 1) == "sort1d"
    assert _impl._choose_method(256, 2) == "dense"
    assert _impl._choose_method(100_000, 2) == "sweep2d"
    assert _impl._choose_method(100_000, 3) == "blocked"
    with pytest.raises(ValueError, match="M == 2"):
        _impl._nondominated_ranks(jnp.zeros((1, 4, 3), jnp.int32), jnp.ones((1, 4), bool), "peel2d")


def test_batch_of_large_3d_problems_runs_one_after_another_exactly():
    """Two 3-D problems beyond the dense size in one batch (ranks, front 0, crowding and the
    crowding rung order take the blocked kernel one problem at a time): moocore's ranks, and
    the crowding oracle on moocore's fronts."""
    rng = np.random.default_rng(7)
    n = _impl._DENSE_MAX + 300
    y = np.stack([rng.random((n, 3)), rng.random((n, 1)) + 0.2 * rng.random((n, 3))])
    mask = rng.random((2, n)) > 0.05
    r = np.asarray(pareto.nondominated_ranks(y, mask))
    f0 = np.asarray(pareto.pareto_mask(y, mask))
    with jax.enable_x64():
        cd = np.asarray(pareto.crowding_distance(y, mask))
        pos = np.asarray(pareto.rung_rank(y, mask, tie_break="crowding"))
    for i in range(2):
        idx = np.flatnonzero(mask[i])
        want = moocore.pareto_rank(y[i][idx])
        np.testing.assert_array_equal(r[i][idx], want)
        assert (r[i][~mask[i]] == -1).all()
        np.testing.assert_array_equal(f0[i][idx], want == 0)
        z = oracle_coords(y[i][idx], normalize=False)
        cw = np.zeros(len(idx))
        for f in range(want.max() + 1):
            mem = np.flatnonzero(want == f)
            cw[mem] = oracle_crowding(z[mem])
        np.testing.assert_allclose(cd[i][idx], cw, rtol=1e-12, atol=0)
        order = sorted(range(len(idx)), key=lambda p: (want[p], -cw[p], p))
        want_pos = np.empty(len(idx), int)
        want_pos[order] = np.arange(len(idx))
        np.testing.assert_array_equal(pos[i][idx], want_pos)


@pytest.mark.slow
def test_large_single_problems_match_moocore():
    rng = np.random.default_rng(3)
    for n, m in [(3000, 2), (1500, 3)]:
        y = rng.random((n, m)).astype(np.float32)
        y[:100] = np.round(y[:100] * 4)  # some ties and duplicates
        np.testing.assert_array_equal(
            np.asarray(pareto.pareto_mask(y)), moocore.is_nondominated(y, keep_weakly=True)
        )
        for method in ("peel2d", "sweep2d") if m == 2 else ("blocked",):
            r = np.asarray(
                _impl._nondominated_ranks(_keys(y)[None], jnp.ones((1, n), bool), method)
            )
            np.testing.assert_array_equal(r[0], moocore.pareto_rank(y))


@pytest.mark.usefixtures("kernel_path")
def test_float64_dominance_is_exact():
    """float64 input is never rounded to float32 for comparisons (moocore as the oracle)."""
    y = np.array([[1.0, 1.0], [1.0 + 1e-8, 0.5]])
    assert np.asarray(pareto.nondominated_ranks(y)).tolist() == [0, 0]
    assert np.asarray(pareto.nondominated_ranks(y)).tolist() == moocore.pareto_rank(y).tolist()
    # training times of 1000 s +- 10 ms: float32 cannot tell them apart, float64 can
    rng = np.random.default_rng(0)
    t = 1000.0 + rng.uniform(-0.01, 0.01, 2000)
    y = np.stack([rng.random(2000), t], axis=1)
    np.testing.assert_array_equal(np.asarray(pareto.nondominated_ranks(y)), moocore.pareto_rank(y))
    np.testing.assert_array_equal(
        np.asarray(pareto.pareto_mask(y)), moocore.is_nondominated(y, keep_weakly=True)
    )
    big = np.array([[2**40 + 1, 0], [2**40, 1]], dtype=np.int64)  # 64-bit integers too
    assert np.asarray(pareto.nondominated_ranks(big)).tolist() == [0, 0]
    # beyond 2**53 float64 would merge 2**60 + 1 with 2**60 (then row 1 dominated row 0); the
    # largest int64 next to a masked row (masked rows take the largest value on the host)
    top = np.iinfo(np.int64).max
    big = np.array([[2**60 + 1, 0], [2**60, 1], [top, -5], [top, -4], [0, 9]], dtype=np.int64)
    mask = np.array([True, True, True, True, False])
    got = np.asarray(pareto.nondominated_ranks(big, mask)).tolist()
    assert got == [0, 0, 0, 1, -1]  # by hand: only row 3 is dominated (by row 2)


@pytest.mark.usefixtures("kernel_path")
def test_float64_batch_keys_per_problem_vs_moocore():
    """A float64 batch (no x64): problems whose values stay distinct in float32 take float32
    keys, those where float32 merges two distinct values take exact ranks, both in one batch
    and even in one problem's two objectives; masked rows hold junk, +inf and values beyond
    float32's range occur. Every problem's ranks and first front against moocore."""
    rng = np.random.default_rng(8)
    b, n = 40, 64
    y = rng.random((b, n, 2))
    y[1::3, :8, 0] = 1000.0 + rng.uniform(-1e-5, 1e-5, (len(range(1, b, 3)), 8))  # merge
    y[2::3, :4, 1] = 0.5 + np.array([0.0, 1e-12, 2e-12, 3e-12])  # merge in objective 1 only
    y[5, :3, 0] = [1e300, 2e300, np.inf]  # float32 overflow and a valid +inf
    y[7, :2] = [[1.0, 1e-50], [1.0, 2e-50]]  # float32 underflow: both round to 0
    mask = rng.random((b, n)) < 0.85
    mask[:, :8] = True
    y = np.where(mask[..., None], y, np.nan)  # junk in masked rows is allowed
    got = np.asarray(pareto.nondominated_ranks(y, mask))
    front = np.asarray(pareto.pareto_mask(y, mask))
    keys = _impl._host_keys(y, mask)
    with np.errstate(over="ignore"):
        y32 = np.where(mask, y[..., 0], np.inf).astype(np.float32)
    f32 = np.where(mask, _impl._ieee_order_keys(y32), 0)
    assert np.array_equal(keys[0, :, 0], f32[0]) and not np.array_equal(keys[1, :, 0], f32[1])
    for i in range(b):
        yi = y[i][mask[i]]
        want = np.full(n, -1)
        want[mask[i]] = moocore.pareto_rank(yi)
        np.testing.assert_array_equal(got[i], want, err_msg=f"problem {i}")
        np.testing.assert_array_equal(
            front[i][mask[i]], moocore.is_nondominated(yi, keep_weakly=True), err_msg=f"{i}"
        )


def test_float32_distances_warn_when_values_merge():
    y = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.5 + 1e-12, 0.5 - 1e-12]])
    with pytest.warns(_impl.PrecisionWarning, match="objective 0"):
        pareto.rung_rank(y)
    # rows of different problems are never compared: their merging values do not warn
    apart = np.stack([y[[0, 1, 2]], y[[0, 1, 3]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pareto.rung_rank(apart)
    with jax.enable_x64():  # float64 arithmetic: nothing to warn about
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pareto.rung_rank(y)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [pareto.nondominated_ranks, pareto.pareto_mask, pareto.crowding_distance, pareto.rung_rank],
)
def test_bad_input_raises(fn):
    with pytest.raises(ValueError, match="NaN"):
        fn(np.array([[1.0, np.nan], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="-inf"):
        fn(np.array([[1.0, -np.inf], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="shape"):
        fn(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="mask"):
        fn(np.zeros((3, 2)), np.ones(4, bool))
    with pytest.raises(ValueError, match="objective"):
        fn(np.zeros((3, 0)))
    # the same NaN in a masked row is fine
    fn(np.array([[1.0, np.nan], [0.0, 0.0]]), np.array([False, True]))


def test_bad_tie_break_raises():
    with pytest.raises(ValueError, match="tie_break"):
        pareto.rung_rank(np.zeros((3, 2)), tie_break="random")
    with pytest.raises(ValueError, match="strategy"):
        pareto.rung_rank(np.zeros((3, 2)), strategy="fast")


# ---------------------------------------------------------------------------------------------
# crowding distance
# ---------------------------------------------------------------------------------------------


@given(padded_points(FEW, m=st.integers(1, 3), allow_posinf=True))
def test_crowding_matches_oracle(ym):
    y, mask = ym
    with jax.enable_x64():
        cd = np.asarray(pareto.crowding_distance(y, mask))
    np.testing.assert_allclose(cd, oracle_crowding_all(y, mask), rtol=1e-12, atol=0)


@pytest.mark.slow
def test_rung_rank_large_n_paths():
    """A larger rung (several blocks of work per front), both tie-breaks."""
    rng = np.random.default_rng(5)
    n = 300
    y = np.round(rng.random((n, 2)) * 50)  # ties and duplicates
    for tb in pareto.TIE_BREAKS:
        with jax.enable_x64():
            got = np.asarray(pareto.rung_rank(y, tie_break=tb, normalize=False))
        np.testing.assert_array_equal(got, oracle_rung_rank(y, None, tb, False))


# ---------------------------------------------------------------------------------------------
# rung_rank
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@given(
    padded_points(FEW, m=st.integers(1, 3), allow_posinf=True),
    st.sampled_from(["epsnet", "crowding"]),
    st.booleans(),
)
def test_rung_rank_matches_reference(ym, tie_break, normalize):
    y, mask = ym
    with jax.enable_x64():
        got = np.asarray(pareto.rung_rank(y, mask, tie_break=tie_break, normalize=normalize))
    np.testing.assert_array_equal(got, oracle_rung_rank(y, mask, tie_break, normalize))
    # a permutation of 0..n_valid-1 on the valid rows, -1 on padding
    assert sorted(got[mask].tolist()) == list(range(int(mask.sum())))
    assert (got[~mask] == -1).all()
    # fronts come first
    r = run_ranks(y, mask)
    v = np.flatnonzero(mask)
    for i, j in itertools.product(v, v):
        if r[i] < r[j]:
            assert got[i] < got[j]


@pytest.mark.parametrize("mode", ["parallel", "sequential"])
@given(padded_points(FEW, m=M23, allow_posinf=True))
def test_epsnet_modes_match_reference(mode, ym):
    """Both eps-net strategies (auto picks one at run time from the front sizes)."""
    y, mask = ym
    with jax.enable_x64():
        got = np.asarray(pareto.rung_rank(y, mask, strategy=mode))
    np.testing.assert_array_equal(got, oracle_rung_rank(y, mask, "epsnet", True))


@given(
    padded_points(FEW, m=st.integers(1, 4), allow_posinf=True),
    st.sampled_from(["epsnet", "crowding"]),
    st.booleans(),
)
def test_rung_position_is_the_rows_rung_rank(ym, tie_break, normalize):
    """The newcomer-only kernel (early exits) gives every row's position of the full order."""
    y, mask = ym
    n = len(y)
    with jax.enable_x64():
        yb = np.broadcast_to(y, (n,) + y.shape)
        mb = np.broadcast_to(mask, (n, n))
        got = np.asarray(
            pareto.rung_position(yb, np.arange(n), mb, tie_break=tie_break, normalize=normalize)
        )
    np.testing.assert_array_equal(got, oracle_rung_rank(y, mask, tie_break, normalize))


def test_rung_position_errors():
    y = np.zeros((3, 2))
    with pytest.raises(ValueError, match="t must be in 0..2"):
        pareto.rung_position(y, 3)
    with pytest.raises(ValueError, match="batch shape"):
        pareto.rung_position(y, np.array([0, 1]))
    with pytest.raises(ValueError, match="integer"):
        pareto.rung_position(y, 1.0)
    with pytest.raises(ValueError, match="tie_break"):
        pareto.rung_position(y, 0, tie_break="random")
    assert int(pareto.rung_position(y, 1, np.array([True, False, True]))) == -1


@given(padded_points((16, 64), m=M23, kind="uniform", garbage=False), st.booleans())
def test_rung_rank_float32_is_a_permutation(ym, normalize):
    y, mask = ym
    got = np.asarray(pareto.rung_rank(y.astype(np.float32), mask, normalize=normalize))
    assert sorted(got[mask].tolist()) == list(range(int(mask.sum())))


@given(padded_points(FEW, m=M23, garbage=False))
def test_dominating_point_is_ranked_first(ym):
    y, mask = ym
    v = np.flatnonzero(mask)
    best = y[v].min(axis=0) - 1.0
    k = v[len(v) // 2]
    y = y.copy()
    y[k] = best
    for tb in pareto.TIE_BREAKS:
        got = np.asarray(pareto.rung_rank(y, mask, tie_break=tb))
        assert got[k] == 0


def test_rung_rank_worked_example():
    # one front of 4 on a line plus one dominated point; eps-net: lowest f1 first (row 3),
    # then the farthest (row 1), then the one farthest from both (rows 0 and 2 tie at
    # sqrt(2) in exact arithmetic -> lowest index, row 0).
    y = np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 1.0], [0.0, 3.0], [3.0, 3.0]])
    assert np.asarray(pareto.rung_rank(y, normalize=False)).tolist() == [2, 1, 3, 0, 4]


def test_normalize_changes_scale_dominated_order():
    # objective 2 is on a 1000x larger scale: raw distances follow it, normalized ones do not
    y = np.array([[0.0, 3000.0], [0.1, 1000.0], [1.0, 900.0], [3.0, 0.0]])
    raw = np.asarray(pareto.rung_rank(y, normalize=False)).tolist()
    nor = np.asarray(pareto.rung_rank(y, normalize=True)).tolist()
    assert raw == oracle_rung_rank(y, normalize=False).tolist()
    assert nor == oracle_rung_rank(y, normalize=True).tolist()
    assert raw != nor


# ---------------------------------------------------------------------------------------------
# the Syne Tune order/rank mix-up
# ---------------------------------------------------------------------------------------------


def test_syne_tune_mixup_stops_a_dominating_point():
    # six points on several fronts plus a new one that dominates all of them
    y = np.array(
        [[4.0, 1.0], [1.0, 4.0], [3.0, 3.0], [5.0, 4.0], [4.0, 5.0], [6.0, 6.0], [0.0, 0.0]]
    )
    ours = np.asarray(pareto.rung_rank(y, normalize=False))
    buggy = syne_tune_priority(y)
    assert ours[6] == 0  # the dominating point is the best
    assert buggy[6] != 0  # the mix-up does not rank it first
    # with eta = 3, the new point continues iff its position / count < 1 / eta
    assert ours[6] / 7 < 1 / 3
    assert buggy[6] / 7 >= 1 / 3  # ...and the mix-up stops it


@given(padded_points(FEW, kind="front", m=M23, garbage=False))
def test_syne_tune_agrees_on_single_front(ym):
    y, mask = ym
    ours = np.asarray(pareto.rung_rank(y, mask, normalize=False))
    np.testing.assert_array_equal(ours[mask], syne_tune_priority(y[mask]))


def test_syne_tune_differs_on_most_random_multi_front_rungs():
    rng = np.random.default_rng(0)
    y = rng.random((200, 16, 2))
    ours = np.asarray(pareto.rung_rank(y, normalize=False))
    diff = sum(not np.array_equal(ours[b], syne_tune_priority(y[b])) for b in range(len(y)))
    assert diff > 150  # the mix-up changes the order on nearly every multi-front rung


# ---------------------------------------------------------------------------------------------
# batching, jit, vmap, recompiles
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@given(batched_points(batch=3, size=16, m=st.integers(1, 4), allow_posinf=True))
def test_batched_equals_per_problem(ym):
    y, mask = ym
    rb = np.asarray(pareto.nondominated_ranks(y, mask))
    gb = np.asarray(pareto.rung_rank(y, mask))
    cb = np.asarray(pareto.crowding_distance(y, mask))
    for b in range(len(y)):
        np.testing.assert_array_equal(rb[b], run_ranks(y[b], mask[b]))
        np.testing.assert_array_equal(gb[b], np.asarray(pareto.rung_rank(y[b], mask[b])))
        np.testing.assert_array_equal(cb[b], np.asarray(pareto.crowding_distance(y[b], mask[b])))


def test_jit_vmap_and_leading_dims():
    rng = np.random.default_rng(1)
    y = jnp.asarray(rng.integers(0, 4, (2, 3, 16, 2)).astype(np.float32))
    mask = jnp.asarray(rng.random((2, 3, 16)) < 0.8)
    ref = np.asarray(pareto.nondominated_ranks(y, mask))
    assert ref.shape == (2, 3, 16)
    f = jax.jit(jax.vmap(jax.vmap(pareto.nondominated_ranks)))
    np.testing.assert_array_equal(np.asarray(f(y, mask)), ref)
    for tb in pareto.TIE_BREAKS:
        g = jax.jit(jax.vmap(lambda a, b, tb=tb: pareto.rung_rank(a, b, tie_break=tb)))
        np.testing.assert_array_equal(
            np.asarray(g(y, mask)), np.asarray(pareto.rung_rank(y, mask, tie_break=tb))
        )
    for b, c in itertools.product(range(2), range(3)):
        np.testing.assert_array_equal(
            ref[b, c], oracle_ranks(np.asarray(y[b, c]), np.asarray(mask[b, c]))
        )


class _CompileLog(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    def compiles(self):
        return [m for m in self.messages if "Compiling" in m]


def test_no_recompile_for_new_values():
    rng = np.random.default_rng(2)

    def call(shape):
        y = rng.random(shape).astype(np.float32)
        mask = rng.random(shape[:-1]) < 0.7
        pareto.rung_rank(y, mask)
        pareto.nondominated_ranks(y, mask)

    call((4, 33, 3))
    log = _CompileLog()
    logger = logging.getLogger("jax")
    logger.addHandler(log)
    try:
        with jax.log_compiles():
            for _ in range(3):
                call((4, 33, 3))
            assert not log.compiles(), log.compiles()
            call((5, 33, 3))  # a new shape must show up, or this check could not fail
            assert log.compiles()
    finally:
        logger.removeHandler(log)


def test_pad_sizes_are_small():
    assert len(PAD_SIZES) <= 8 and max(PAD_SIZES) <= 64


# ---------------------------------------------------------------------------------------------
# exact ε-net ties (an exact-rational oracle)
# ---------------------------------------------------------------------------------------------


def exact_rung_rank(y, normalize=True):
    """The rung order of an integer point set in exact rational arithmetic (fractions)."""
    from fractions import Fraction

    y = np.asarray(y, dtype=np.int64)
    n, m = y.shape
    lo, hi = y.min(axis=0), y.max(axis=0)

    def coord(i, j):
        if not normalize:
            return Fraction(int(y[i, j]))
        span = int(hi[j] - lo[j])
        return Fraction(int(y[i, j] - lo[j]), span) if span else Fraction(0)

    z = [[coord(i, j) for j in range(m)] for i in range(n)]

    def d2(i, k):
        return sum((z[i][j] - z[k][j]) ** 2 for j in range(m))

    r = oracle_ranks(y)
    order = []
    for f in range(r.max() + 1):
        mem = [int(i) for i in np.flatnonzero(r == f)]
        taken = [min(mem, key=lambda i: (z[i][0], i))]
        rest = [i for i in mem if i != taken[0]]
        while rest:
            score = {i: min(d2(i, t) for t in taken) for i in rest}
            best = max(score.values())
            nxt = min(i for i in rest if score[i] == best)
            taken.append(nxt)
            rest.remove(nxt)
        order += taken
    pos = np.empty(n, int)
    pos[order] = np.arange(n)
    return pos


def test_epsnet_exact_ties_go_to_the_lower_index():
    y = np.array(
        [[2, 0, 2], [3, 2, 0], [0, 0, 1], [1, 0, 3], [2, 2, 3], [1, 1, 0], [3, 0, 2], [2, 3, 0]]
    )
    want = exact_rung_rank(y)
    assert np.asarray(pareto.rung_rank(y.astype(float))).tolist() == want.tolist()
    rng = np.random.default_rng(0)
    for m in (2, 3, 4):
        grids = rng.integers(0, 4, (300, 8, m))  # one batched call: one compilation per M
        for normalize in (True, False):
            got = np.asarray(pareto.rung_rank(grids.astype(np.float32), normalize=normalize))
            pos = np.asarray(
                pareto.rung_position(grids.astype(np.float32), np.full(300, 3), normalize=normalize)
            )
            for b in range(len(grids)):
                want = exact_rung_rank(grids[b], normalize)
                np.testing.assert_array_equal(got[b], want, err_msg=f"m={m} b={b}")
                assert pos[b] == want[3]
