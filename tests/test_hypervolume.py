"""Tests of mohb_jax.hypervolume against independent oracles and HV's defining properties.

Oracles: inclusion-exclusion brute force written here (tiny N), moocore (C, exact), Optuna's WFG
(``optuna._hypervolume.compute_hypervolume``). Shapes are kept to a few padded sizes (N pads to
8 / 16 / 64 / 256) so hypothesis examples do not recompile.
"""

from __future__ import annotations

import functools
import itertools
import warnings

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from optuna._hypervolume import compute_hypervolume as optuna_hv

from mohb_jax._src import native
from mohb_jax.hypervolume import (
    hypervolume,
    hypervolume_contributions,
    hypervolume_curve,
    hypervolume_mc,
    normalize,
    objective_bounds,
    reference_point,
)


@pytest.fixture(scope="module", autouse=True, params=["native", "jax"])
def kernel_path(request):
    """Every test of this module runs twice: with the native CPU kernels (M = 2..4, what a CPU
    install runs) and with the JAX kernels (what runs on a GPU, and where the native ones are
    not built). Module-scoped: hypothesis refuses function-scoped fixtures."""
    if request.param == "native" and not native.available():
        pytest.skip(f"native kernels: {native.info()['reason']}")
    jax.clear_caches()  # functions jitted by the other run's tests are traced again
    with native.use_native(request.param == "native"):
        yield request.param


# ------------------------------------------------------------------ oracles (independent code)
def hv_incl_excl(y: np.ndarray, ref: np.ndarray) -> float:
    """Inclusion-exclusion over all subsets: sum (-1)^(|S|+1) vol(box of the componentwise max)."""
    pts = [p for p in np.asarray(y, float) if np.all(p < ref)]
    total = 0.0
    for r in range(1, len(pts) + 1):
        for sub in itertools.combinations(pts, r):
            corner = np.max(np.array(sub), axis=0)
            total += (-1) ** (r + 1) * float(np.prod(np.clip(ref - corner, 0, None)))
    return total


def hv_moocore(y: np.ndarray, ref: np.ndarray) -> float:
    y = np.asarray(y, float)
    y = y[np.all(y < ref, axis=1)]
    return float(moocore.hypervolume(y, ref=ref)) if len(y) else 0.0


def hv_optuna(y: np.ndarray, ref: np.ndarray) -> float:
    y = np.asarray(y, float)
    y = y[np.all(y < ref, axis=1)]
    return float(optuna_hv(y, np.asarray(ref, float))) if len(y) else 0.0


def grid_points(rng, shape, levels=5):
    """Integer-grid points: many ties and duplicates, the hard cases for sorts and sweeps."""
    return rng.integers(0, levels, size=shape).astype(float)


def points_strategy(n_max, m):
    coord = st.integers(0, 6).map(float) | st.floats(0, 6, allow_nan=False, width=32)
    return st.lists(st.lists(coord, min_size=m, max_size=m), min_size=1, max_size=n_max).map(
        lambda rows: np.array(rows, float)
    )


# ------------------------------------------------------------------ exactness vs oracles
@pytest.mark.parametrize("m", [2, 3, 4, 5])
@given(data=st.data())
def test_exact_vs_inclusion_exclusion(m, data):
    y = data.draw(points_strategy(7, m))
    ref = np.full(m, 5.0)  # some coordinates are >= ref: those points must not count
    with jax.enable_x64():
        got = float(hypervolume(jnp.asarray(y), jnp.asarray(ref)))
    assert got == pytest.approx(hv_incl_excl(y, ref), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("m,n", [(2, 200), (3, 200), (3, 30), (4, 30), (5, 8)])
@pytest.mark.parametrize("kind", ["uniform", "grid", "front"])
def test_exact_vs_moocore_and_optuna(m, n, kind):
    rng = np.random.default_rng(m * 1000 + n)
    if kind == "uniform":
        y = rng.random((6, n, m))
    elif kind == "grid":
        y = grid_points(rng, (6, n, m)) / 4
    else:  # all points on one front (spherical), the worst case for front sizes
        y = rng.random((6, n, m))
        y = 1 - y / np.linalg.norm(y, axis=-1, keepdims=True)
    ref = np.full(m, 1.0)
    with jax.enable_x64():
        got = np.asarray(hypervolume(jnp.asarray(y), jnp.asarray(ref)))
    exp = np.array([hv_moocore(p, ref) for p in y])
    np.testing.assert_allclose(got, exp, rtol=1e-12, atol=1e-14)
    if m <= 4 or n <= 8:
        exp_o = np.array([hv_optuna(p, ref) for p in y])
        np.testing.assert_allclose(got, exp_o, rtol=1e-10, atol=1e-12)


def test_float32_accuracy_is_documented_bound():
    """float32 inputs: relative error vs the float64 oracle stays ~1e-6 (not bit-exact)."""
    rng = np.random.default_rng(7)
    for m in (2, 3, 4):
        y = rng.random((6, 30, m)).astype(np.float32)
        ref = np.ones(m, np.float32)
        got = np.asarray(hypervolume(y, ref))
        assert got.dtype == np.float32
        exp = np.array([hv_moocore(p.astype(float), ref.astype(float)) for p in y])
        np.testing.assert_allclose(got, exp, rtol=2e-5)
        with jax.enable_x64():
            got64 = np.asarray(hypervolume(jnp.asarray(y, jnp.float64), jnp.asarray(ref, float)))
        assert got64.dtype == np.float64
        np.testing.assert_allclose(got64, exp, rtol=1e-12)


# ------------------------------------------------------------------ properties
def _hv64(y, ref, mask=None):
    with jax.enable_x64():
        return float(hypervolume(jnp.asarray(y, float), jnp.asarray(ref, float), mask))


@pytest.mark.parametrize("m", [2, 3, 4])
@given(data=st.data())
def test_properties(m, data):
    y = data.draw(points_strategy(6, m))
    ref = np.full(m, 5.0)
    hv = _hv64(y, ref)
    assert hv >= 0
    # monotone when adding a point
    p = np.array(data.draw(st.lists(st.integers(0, 6), min_size=m, max_size=m)), float)
    assert _hv64(np.vstack([y, p]), ref) >= hv - 1e-12
    # unchanged by a duplicate, or by a point dominated by an existing one
    assert _hv64(np.vstack([y, y[:1]]), ref) == pytest.approx(hv, abs=1e-12)
    assert _hv64(np.vstack([y, y[:1] + 0.5]), ref) == pytest.approx(hv, abs=1e-12)
    # permutation invariance
    perm = data.draw(st.permutations(range(len(y))))
    assert _hv64(y[list(perm)], ref) == pytest.approx(hv, rel=1e-12, abs=1e-12)
    # per-objective scaling of points and ref (positive scales) multiplies HV by prod(s)
    s = np.array(data.draw(st.lists(st.sampled_from([0.5, 2.0, 3.0]), min_size=m, max_size=m)))
    assert _hv64(y * s, ref * s) == pytest.approx(hv * np.prod(s), rel=1e-10, abs=1e-12)
    # one point: product of box sides
    assert _hv64(y[:1], ref) == pytest.approx(np.prod(np.clip(ref - y[0], 0, None)), abs=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_padding_and_masks_never_change_results(m):
    rng = np.random.default_rng(3)
    y = rng.random((5, 12, m))
    ref = np.ones(m) * 1.05
    mask = rng.random((5, 12)) < 0.7
    garbage = np.where(mask[..., None], y, np.nan)  # NaN in masked rows is allowed
    with jax.enable_x64():
        a = np.asarray(hypervolume(jnp.asarray(garbage), jnp.asarray(ref), jnp.asarray(mask)))
        # padding to a larger N with junk (even points better than everything) masked out
        # (12 rows pad to 16 internally anyway: 4 junk rows keep one compiled shape)
        pad = np.concatenate([garbage, np.full((5, 4, m), -1e9)], axis=1)
        pmask = np.concatenate([mask, np.zeros((5, 4), bool)], axis=1)
        b = np.asarray(hypervolume(jnp.asarray(pad), jnp.asarray(ref), jnp.asarray(pmask)))
        c = np.asarray(hypervolume_curve(jnp.asarray(pad), jnp.asarray(ref), jnp.asarray(pmask)))
        d = np.asarray(hypervolume_contributions(jnp.asarray(pad), ref, jnp.asarray(pmask)))
    exp = np.array([hv_moocore(y[i][mask[i]], ref) for i in range(5)])
    np.testing.assert_allclose(a, exp, rtol=1e-12)
    np.testing.assert_allclose(b, exp, rtol=1e-12)
    np.testing.assert_allclose(c[:, -1], exp, rtol=1e-12)
    assert np.all(d[:, 12:] == 0)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_batch_with_no_valid_row_is_zero(m):
    """A batch whose every row is masked takes the kernel's no-work branch; one with valid
    rows outside the box runs the kernel: both give 0, eagerly, under jit and under vmap (where
    the branch becomes a select), and a masked batch next to a valid one changes nothing."""
    rng = np.random.default_rng(11)
    y = jnp.asarray(rng.random((3, 8, m)), jnp.float32)
    ref = jnp.ones(m, jnp.float32)
    none = jnp.zeros((3, 8), bool)
    for call in (hypervolume, jax.jit(hypervolume)):
        np.testing.assert_array_equal(np.asarray(call(y, ref, none)), np.zeros(3))
        np.testing.assert_array_equal(np.asarray(call(y + 1.0, ref)), np.zeros(3))
    some = jnp.asarray(rng.random((3, 8)) < 0.5).at[1].set(False)
    got = np.asarray(jax.vmap(hypervolume, (0, None, 0))(y, ref, some))
    exp = [hv_moocore(np.asarray(y[i])[np.asarray(some[i])], np.ones(m)) for i in range(3)]
    assert got[1] == 0
    np.testing.assert_allclose(got, exp, rtol=1e-6)


def test_vmap_jit_and_batch_equal_per_problem():
    rng = np.random.default_rng(4)
    y = jnp.asarray(rng.random((3, 4, 16, 3)), jnp.float32)
    ref = jnp.asarray(rng.random((3, 1, 3)) + 1.0, jnp.float32)  # broadcast over a batch dim
    batched = hypervolume(y, ref)
    assert batched.shape == (3, 4)
    per = np.array([[float(hypervolume(y[i, j], ref[i, 0])) for j in range(4)] for i in range(3)])
    np.testing.assert_allclose(np.asarray(batched), per, rtol=1e-6)
    vm = jax.vmap(jax.vmap(hypervolume, (0, None)), (0, 0))(y, ref[:, 0])
    np.testing.assert_allclose(np.asarray(vm), per, rtol=1e-6)
    jt = jax.jit(hypervolume)(y, ref)
    np.testing.assert_allclose(np.asarray(jt), per, rtol=1e-6)
    cv = jax.vmap(hypervolume_curve, (0, None))(y[0], ref[0, 0])
    np.testing.assert_allclose(np.asarray(cv[:, -1]), per[0], rtol=1e-6)


# ------------------------------------------------------------------ contributions
@pytest.mark.parametrize("m", [2, 3, 4])
def test_contributions_vs_oracle(m):
    rng = np.random.default_rng(10 + m)
    for kind in ("uniform", "grid"):
        y = rng.random((4, 12, m)) if kind == "uniform" else grid_points(rng, (4, 12, m)) / 4
        ref = np.full(m, 1.0)
        with jax.enable_x64():
            c = np.asarray(hypervolume_contributions(jnp.asarray(y), jnp.asarray(ref)))
        for i in range(4):
            tot = hv_moocore(y[i], ref)
            exp = np.array([tot - hv_moocore(np.delete(y[i], j, 0), ref) for j in range(12)])
            np.testing.assert_allclose(c[i], exp, atol=1e-12)
            assert c[i].sum() <= tot + 1e-12
            # exactly zero for points weakly dominated by another point (incl. duplicates)
            le = np.all(y[i][None, :, :] <= y[i][:, None, :], axis=-1)  # [a, b]: y_b <= y_a
            np.fill_diagonal(le, False)
            dominated = le.any(axis=1) | ~np.all(y[i] < ref, axis=1)
            assert np.all(c[i][dominated] == 0.0)
            assert np.all(c[i] >= 0)


# ------------------------------------------------------------------ curves
def _curve_oracle(y, ref, mask):
    out, prev = [], 0.0
    for k in range(len(y)):
        if mask[k]:
            sel = y[: k + 1][mask[: k + 1]]
            prev = hv_moocore(sel, ref)
        out.append(prev)
    return np.array(out)


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("kind", ["uniform", "grid", "improving"])
def test_curve_vs_prefix_oracle(m, kind):
    rng = np.random.default_rng(20 + m)
    n = 150 if m < 4 else 24
    if kind == "uniform":
        y = rng.random((3, n, m))
    elif kind == "grid":
        y = grid_points(rng, (3, n, m)) / 4
    else:  # a tuning-like run: slowly improving noisy results, a few beyond ref / +inf
        t = np.arange(n)[None, :, None] / n
        y = rng.random((3, n, m)) * (1.2 - 0.6 * t)
        y[:, 5, 0] = np.inf
    ref = np.full(m, 1.0)
    mask = rng.random((3, n)) < 0.85
    with jax.enable_x64():
        got = np.asarray(hypervolume_curve(jnp.asarray(y), jnp.asarray(ref), jnp.asarray(mask)))
        hv = np.asarray(hypervolume(jnp.asarray(y), jnp.asarray(ref), jnp.asarray(mask)))
    for i in range(3):
        np.testing.assert_allclose(got[i], _curve_oracle(y[i], ref, mask[i]), atol=1e-12)
        assert np.all(np.diff(got[i]) >= 0), "curve must be non-decreasing"
    np.testing.assert_allclose(got[:, -1], hv, rtol=1e-12)
    # masked rows repeat the previous value (0 before the first counted row)
    for i in range(3):
        for k in np.flatnonzero(~mask[i]):
            assert got[i, k] == (got[i, k - 1] if k else 0.0)


def test_curve_capacity_growth_and_overflow_flag():
    """A front of N points in arrival order: every point survives the filter."""
    n = 300
    x = np.linspace(0, 1, n)
    y = np.stack([x, 1 - x], axis=1)  # all mutually non-dominated
    ref = np.array([1.5, 1.5])
    with jax.enable_x64():
        auto = np.asarray(hypervolume_curve(jnp.asarray(y), jnp.asarray(ref)))
        small = np.asarray(hypervolume_curve(jnp.asarray(y), jnp.asarray(ref), capacity=64))
    np.testing.assert_allclose(
        auto[[0, 99, 299]], [hv_moocore(y[: k + 1], ref) for k in (0, 99, 299)]
    )
    assert np.all(np.isnan(small)), (
        "an overflowing explicit capacity must give NaN, not a wrong value"
    )
    with pytest.raises(ValueError, match="capacity"):
        hypervolume_curve(y, ref, capacity=0)


def test_curve_under_jit_is_exact():
    rng = np.random.default_rng(5)
    y = jnp.asarray(rng.random((2, 40, 3)), jnp.float32)
    ref = jnp.ones(3)
    got = jax.jit(hypervolume_curve)(y, ref)
    exp = hypervolume_curve(y, ref)
    np.testing.assert_allclose(np.asarray(got), np.asarray(exp), rtol=1e-6)


# ------------------------------------------------------------------ Monte Carlo
@pytest.mark.parametrize("m", [2, 3, 5, 7])
def test_mc_within_standard_errors(m):
    rng = np.random.default_rng(30 + m)
    y = rng.random((4, 10, m))
    ref = np.full(m, 1.0)
    with jax.enable_x64():
        est, se = hypervolume_mc(
            jax.random.key(m), jnp.asarray(y), jnp.asarray(ref), n_samples=20000
        )
    exact = np.array([hv_moocore(p, ref) for p in y])
    est, se = np.asarray(est), np.asarray(se)
    assert np.all(se > 0)
    assert np.all(np.abs(est - exact) <= 4 * se), (est, exact, se)
    # the standard error shrinks like 1/sqrt(n)
    with jax.enable_x64():
        _, se4 = hypervolume_mc(
            jax.random.key(1), jnp.asarray(y), jnp.asarray(ref), n_samples=80000
        )
    np.testing.assert_allclose(np.asarray(se4), se / 2, rtol=0.1)


def test_mc_no_counted_point_is_zero():
    est, se = hypervolume_mc(jax.random.key(0), jnp.full((1, 3, 2), 2.0), jnp.ones(2))
    assert float(est[0]) == 0.0 and float(se[0]) == 0.0


# ------------------------------------------------------------------ reference point, normalize
def test_reference_point_and_normalize():
    y = np.array([[[1.0, 10.0], [3.0, 30.0]], [[2.0, 20.0], [np.nan, 99.0]]])
    mask = np.array([[True, True], [True, False]])
    ideal, nadir = objective_bounds(y, mask)
    np.testing.assert_array_equal(ideal, [1.0, 10.0])
    np.testing.assert_array_equal(nadir, [3.0, 30.0])
    ref = reference_point(y, mask, margin=0.1)
    np.testing.assert_allclose(ref, [3.2, 32.0])
    assert np.all(y[mask] < ref)  # every valid point counts
    np.testing.assert_allclose(reference_point(np.array([[1.0, 5.0], [1.0, 6.0]])), [2.0, 6.1])
    z = np.asarray(normalize(jnp.asarray([[1.0, 10.0], [3.0, 30.0]]), ideal, nadir))
    np.testing.assert_allclose(z, [[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="no valid row"):
        reference_point(y, np.zeros_like(mask))
    with pytest.raises(ValueError, match="margin"):
        reference_point(y, mask, margin=-1.0)
    with pytest.raises(ValueError, match="inf"):
        reference_point(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="nadir"):
        normalize(jnp.zeros((2, 2)), np.ones(2), np.zeros(2))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "fn",
    [
        hypervolume,
        hypervolume_contributions,
        hypervolume_curve,
        lambda y, r, mask=None: hypervolume_mc(jax.random.key(0), y, r, mask),
    ],
)
def test_bad_input_raises(fn):
    y = np.random.default_rng(0).random((5, 2))
    with pytest.raises(ValueError, match="NaN"):
        fn(np.where(np.arange(5)[:, None] == 2, np.nan, y), np.ones(2))
    fn(np.where(np.arange(5)[:, None] == 2, np.nan, y), np.ones(2), np.arange(5) != 2)  # masked
    with pytest.raises(ValueError, match="ref must have shape"):
        fn(y, np.ones(3))
    with pytest.raises(ValueError, match="ref must have shape"):
        fn(y, np.float32(1.0))
    with pytest.raises(ValueError, match="finite"):
        fn(y, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="mask must have shape"):
        fn(y, np.ones(2), np.ones(4, bool))
    with pytest.raises(ValueError, match="shape"):
        fn(y[0], np.ones(2))


def test_size_limit_for_many_objectives():
    with pytest.raises(ValueError, match="hypervolume_mc"):
        hypervolume(np.zeros((20_000, 5)), np.ones(5))
    # small 5-D problems are exact
    y = np.random.default_rng(0).random((8, 5))
    assert float(hypervolume(y, np.ones(5))) == pytest.approx(hv_moocore(y, np.ones(5)), rel=1e-5)


@pytest.mark.slow
def test_every_public_kernel_compiles_o_log_n_times():
    """Eager calls pad to a few static sizes, so the number of executables grows with log N,
    not with N (one per size used to exhaust the process's memory mappings after a few hundred
    sizes). Two kernels see every N from 1 to 1000; every public kernel sees every N of a
    window of 160 sizes that pad to three bucket sizes (a kernel that compiled per size would
    compile 160 times there; the window keeps the test's 50-odd compiles in budget)."""
    import time

    t0 = time.perf_counter()
    from jax._src import dispatch
    from jax._src import monitoring as mon

    from mohb_jax import hypervolume as hv
    from mohb_jax import pareto

    count = [0]

    def listen(event, _secs, **_kw):
        if event == dispatch.JAXPR_TO_MLIR_MODULE_EVENT:
            count[0] += 1

    rng = np.random.default_rng(0)
    key = jax.random.key(0)
    calls = {
        "nondominated_ranks": lambda y: pareto.nondominated_ranks(y),
        "hypervolume": lambda y: hv.hypervolume(y, np.ones(2)),
        "pareto_mask": lambda y: pareto.pareto_mask(y),
        "crowding_distance": lambda y: pareto.crowding_distance(y),
        "rung_rank": lambda y: pareto.rung_rank(y),
        "rung_position": lambda y: pareto.rung_position(y, len(y) - 1),
        "dominates": lambda y: pareto.dominates(y[:, None], y[None, -3:]),
        "hypervolume_curve": lambda y: hv.hypervolume_curve(y, np.ones(2)),
        "hypervolume_mc": lambda y: hv.hypervolume_mc(key, y, np.ones(2), n_samples=64),
        "normalize": lambda y: hv.normalize(y, np.zeros(2), np.ones(2)),
        "hypervolume_contributions": lambda y: hv.hypervolume_contributions(y, np.ones(2)),
    }
    full = ("nondominated_ranks", "hypervolume")
    window = range(97, 257)  # pads to 128, 192 or 256 (powers of two: 128 or 256)
    mon.register_event_duration_secs_listener(listen)
    try:
        per_kernel = {}
        for name, fn in calls.items():
            count[0] = 0
            sizes = range(1, 1001) if name in full else window
            if name == "hypervolume_contributions":  # N + 1 HVs per call
                sizes = window[::3]
            for n in sizes:
                fn(rng.random((n, 2)))
            per_kernel[name] = count[0]
    finally:
        mon.unregister_event_duration_listener(listen)
    # every N to 1000: bucket sizes 8, 12, 16, ..., 1024 (15) or powers of two (8), a few
    # executables each; in the window: three bucket sizes, a few executables each (e.g. the
    # curve's capacity), never one per N
    assert all(per_kernel[k] <= 30 for k in full), per_kernel
    assert all(c <= 12 for k, c in per_kernel.items() if k not in full), per_kernel
    print(f"compiles per kernel {per_kernel}; {time.perf_counter() - t0:.0f} s")


def test_large_single_3d_and_4d_fronts_vs_moocore():
    """The 3-D sweep on a front (a few hundred staircase points) and WFG on a 4-D front, one
    problem each."""
    rng = np.random.default_rng(11)
    for n, m in ((3000, 3), (120, 4)):
        x = np.abs(rng.standard_normal((n, m)))
        y = 1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)
        y[: n // 10] = np.round(y[: n // 10] * 8) / 8  # ties and duplicates
        with jax.enable_x64():
            got = float(hypervolume(jnp.asarray(y), jnp.ones(m)))
        assert got == pytest.approx(hv_moocore(y, np.ones(m)), rel=1e-12)


@pytest.mark.parametrize("n,m", [(100, 3), (700, 3), (5000, 3), (100, 4)])
def test_single_problem_probe_filter_and_compaction_vs_moocore(n, m):
    """One problem with many dominated points: 3-D, the probe filter drops them and the
    survivors are compacted to 64 / 256 / 2048 rows before the sweep; 4-D, WFG's own
    non-dominance filter; with ties, duplicates, points outside the reference box and masked
    rows."""
    rng = np.random.default_rng(n + m)
    y = rng.random((n, m))
    y[: n // 5] = np.round(y[: n // 5] * 4) / 4
    y[n // 5 : n // 5 + 10] = y[:10]  # exact duplicates
    y[-5:] = 1.5
    mask = rng.random(n) > 0.1
    with jax.enable_x64():
        got = float(hypervolume(jnp.asarray(y), jnp.ones(m), jnp.asarray(mask)))
    assert got == pytest.approx(hv_moocore(y[mask], np.ones(m)), rel=1e-12)


@pytest.mark.parametrize("n", [40, 256, 700])
def test_batched_3d_fronts_and_dominated_rungs_vs_moocore(n):
    """Batches of 3-D problems: spherical fronts (nothing for the probe filter to drop, 2-D
    staircases of hundreds of points), uniform points and integer grids (ties, duplicates),
    points outside the reference box and masked rows, side by side in one batch. Up to 256
    rows the slices kernel runs alone; at 700 rows (padded to 1024) the 32-slot staircase
    sweep runs first and the fronts make it overflow, so the batch falls back to slices."""
    rng = np.random.default_rng(n)
    x = np.abs(rng.standard_normal((2, n, 3)))
    front = 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)
    uniform = rng.random((2, n, 3))
    grid = grid_points(rng, (2, n, 3)) / 4
    y = np.concatenate([front, uniform, grid])
    y[:, :7] = y[:, 7:14]  # exact duplicates
    y[:, -3:] = 1.2  # outside the box
    mask = rng.random(y.shape[:2]) > 0.1
    exp = np.array([hv_moocore(p[k], np.ones(3)) for p, k in zip(y, mask, strict=True)])
    with jax.enable_x64():
        got = np.asarray(hypervolume(jnp.asarray(y), jnp.ones(3), jnp.asarray(mask)))
    np.testing.assert_allclose(got, exp, rtol=1e-12)
    got32 = np.asarray(hypervolume(y.astype(np.float32), np.ones(3, np.float32), mask))
    np.testing.assert_allclose(got32, exp, rtol=2e-5)
    # a front whose 2-D staircases stay at one point (x = y rise as z falls) next to uniform
    # points: nothing for the probes to drop, and at 700 rows the 32-slot staircases suffice
    t = rng.permutation(n) / n
    diag = np.stack([t, t, 1 - t], axis=-1) * 0.9
    pair = np.stack([diag, uniform[0]])
    with jax.enable_x64():
        got_d = np.asarray(hypervolume(jnp.asarray(pair), jnp.ones(3)))
    np.testing.assert_allclose(got_d, [hv_moocore(p, np.ones(3)) for p in pair], rtol=1e-12)


@pytest.mark.parametrize("count", [32, 33, 48, 64, 95, 96, 128, 129])
def test_batched_3d_survivor_counts_at_every_compaction_size(count):
    """A batch of 3-D rungs of 256 rows whose largest survivor count is exactly ``count``:
    a front of that many points (nothing for the probes to drop) plus filler rows every
    front point dominates, next to a uniform rung. The counts sit on and just past the
    compaction sizes (32, 48, 64, 96, 128 swept rows), where one row too few would go
    unnoticed elsewhere."""
    rng = np.random.default_rng(count)
    x = np.abs(rng.standard_normal((count, 3))) + 0.05
    front = 0.9 * (1.0 - x / np.linalg.norm(x, axis=1, keepdims=True))
    filler = 0.95 + 0.04 * rng.random((256 - count, 3))
    y = np.stack([rng.permutation(np.concatenate([front, filler])), rng.random((256, 3))])
    exp = [hv_moocore(p, np.ones(3)) for p in y]
    with jax.enable_x64():
        got = np.asarray(hypervolume(jnp.asarray(y), jnp.ones(3)))
    np.testing.assert_allclose(got, exp, rtol=1e-12)


@pytest.mark.parametrize("m", [3, 4])
@given(data=st.data())
def test_single_problem_filtered_sweep_vs_moocore(m, data):
    """Random single problems of up to 90 points (padded to 128, so survivors are compacted
    to 64 rows when they fit) against moocore."""
    y = data.draw(points_strategy(90, m))
    ref = np.full(m, 5.0)
    with jax.enable_x64():
        got = float(hypervolume(jnp.asarray(y), jnp.asarray(ref)))
    assert got == pytest.approx(hv_moocore(y, ref), rel=1e-12, abs=1e-12)


def test_float64_input_keeps_its_precision_without_x64(kernel_path):
    """HV depends on ref - y only: the JAX path's boundary subtracts in float64 before rounding
    and warns when rounding merges distinct values; the native path computes in float64 and
    has nothing to warn about."""
    native_on = kernel_path == "native"
    y = np.array([[1000.001, 1.0], [1000.002, 0.5], [1000.004, 0.25]])
    ref = np.array([1000.01, 2.0])
    got = float(hypervolume(y, ref))  # float32 kernel
    assert got == pytest.approx(hv_moocore(y, ref), rel=1e-6)
    from mohb_jax._src.hypervolume import PrecisionWarning

    tiny = np.array([[0.5, 0.5], [0.5 + 1e-12, 0.25]])
    if native_on:  # float64 arithmetic: the 1e-12-wide rectangle is kept, no warning
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = hypervolume(tiny, np.ones(2))
        assert got.dtype == jnp.float32
        assert float(got) == pytest.approx(hv_moocore(tiny, np.ones(2)), rel=1e-7)
        return
    with pytest.warns(PrecisionWarning, match="objective 0"):
        hypervolume(tiny, np.ones(2))
    # the same two values in two problems of a batch are never compared: no warning; with
    # one problem's second value in objective 1 merging, the warning names objective 1
    apart = np.array([[[0.5, 0.5]], [[0.5 + 1e-12, 0.25]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hypervolume(apart, np.ones(2))
    within = np.array([[[0.5, 0.5], [0.4, 0.6]], [[0.1, 0.3], [0.2, 0.3 + 1e-12]]])
    with pytest.warns(PrecisionWarning, match="objective 1"):
        hypervolume(within, np.ones(2))


def test_curve_under_jit_without_capacity_refuses_large_3d():
    y = jnp.zeros((2048, 3))
    with pytest.raises(ValueError, match=r"M = 3 .*pass capacity="):
        jax.jit(hypervolume_curve)(y, jnp.ones(3))
    # with a capacity it compiles and runs (an overflow would be NaN, never wrong)
    got = jax.jit(lambda a, r: hypervolume_curve(a, r, capacity=16))(y + 0.5, jnp.ones(3))
    assert float(got[-1]) == pytest.approx(0.125)


# ------------------------------------------------------------------ the linked-list 3-D sweep
@functools.cache
def _hv3_kernel(x64: bool):
    """The single-problem 3-D sweep alone (no probe filter), jitted once per dtype."""
    from mohb_jax._src.hypervolume import _hv3_single

    return jax.jit(lambda y, v, r: _hv3_single(y[:, 0], y[:, 1], y[:, 2], v, r))


def _run_hv3(y, ref, mask=None, pad=128, x64=True):
    """``_hv3_single`` on ``y`` padded to ``pad`` rows; rows outside the box are masked, as
    ``_hv_core`` does before calling it."""
    n = len(y)
    yp = np.zeros((pad, 3))
    yp[:n] = y
    valid = np.zeros(pad, bool)
    valid[:n] = np.all(y < ref, axis=1) if mask is None else mask & np.all(y < ref, axis=1)
    yp[~valid] = ref
    if x64:
        with jax.enable_x64():
            return float(_hv3_kernel(True)(jnp.asarray(yp), jnp.asarray(valid), jnp.asarray(ref)))
    f32 = jnp.float32
    return float(
        _hv3_kernel(False)(jnp.asarray(yp, f32), jnp.asarray(valid), jnp.asarray(ref, f32))
    )


def _ties_strategy(n_max):
    """Points on a 4-level grid (ties in every coordinate, duplicates) mixed with a few free
    floats, some beyond the reference point (5) in one coordinate."""
    coord = st.sampled_from([0.0, 1.0, 2.0, 3.0, 5.0, 6.0, -0.0]) | st.floats(0, 6, width=32)
    return st.lists(st.lists(coord, min_size=3, max_size=3), min_size=1, max_size=n_max).map(
        lambda rows: np.array(rows, float)
    )


@given(data=st.data())
def test_hv3_linked_list_sweep_ties_vs_brute_force_and_moocore(data):
    """The sweep's tie rule (a symbolic perturbation) must give the exact HV on grids with
    equal coordinates and duplicate points: vs inclusion-exclusion (up to 9 points) and
    moocore (up to 100 points, masked rows included)."""
    ref = np.full(3, 5.0)
    y = data.draw(_ties_strategy(9))
    assert _run_hv3(y, ref) == pytest.approx(hv_incl_excl(y, ref), rel=1e-12, abs=1e-12)
    y = data.draw(_ties_strategy(100))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(y), max_size=len(y))))
    want = hv_moocore(y[mask], ref) if mask.any() else 0.0
    assert _run_hv3(y, ref, mask) == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_hv3_linked_list_sweep_degenerate_sets():
    """Degenerate fronts: one point, all duplicates, equal z (one 2-D staircase), equal x,
    collinear points, points on the reference planes, -0.0 next to 0.0, an empty problem."""
    rng = np.random.default_rng(3)
    ref = np.ones(3)
    t = np.linspace(0, 0.9, 40)
    cases = {
        "one": np.array([[0.2, 0.3, 0.4]]),
        "duplicates": np.tile([[0.2, 0.3, 0.4]], (50, 1)),
        "equal z": np.c_[t, 0.9 - t, np.full(40, 0.5)],
        "equal x": np.c_[np.full(40, 0.5), t, 0.9 - t],
        "collinear": np.c_[t, t, t],
        "anti-diagonal": np.c_[t, 0.9 - t, 0.9 - t],
        "on ref planes": np.r_[rng.random((20, 3)) * 0.9, [[1.0, 0.1, 0.1], [0.1, 1.0, 0.1]]],
        "signed zeros": np.array([[0.0, -0.0, 0.5], [-0.0, 0.0, 0.4], [0.0, 0.5, -0.0]]),
        "grid": np.round(rng.random((120, 3)) * 3) / 3 * 0.9,
        "empty": np.full((5, 3), 1.0),
    }
    for name, y in cases.items():
        for x64 in (True, False):
            got = _run_hv3(y, ref, x64=x64)
            want = hv_moocore(y, ref)
            assert got == pytest.approx(want, rel=1e-12 if x64 else 1e-6, abs=1e-7), name


@pytest.mark.parametrize("x64", [True, False])
def test_hv3_linked_list_sweep_large_front_packed_sort_keys(x64):
    """N = 40 000 pads to 65 536 rows: the sweep order's packed (rank, index) keys no longer
    fit in int32 (int64 keys with x64, a two-operand sort without); a front with ties."""
    rng = np.random.default_rng(5)
    x = np.abs(rng.standard_normal((40_000, 3)))
    y = 1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)
    y[:4000] = np.round(y[:4000] * 16) / 16
    got = _run_hv3(y, np.ones(3), pad=65536, x64=x64)
    assert got == pytest.approx(hv_moocore(y, np.ones(3)), rel=1e-12 if x64 else 1e-5)


def test_hv3_linked_list_sweep_tie_heavy_grids_vs_moocore():
    """Many problems on coarse grids (2-6 levels per coordinate, 10-500 points): every kind
    of tie the sweep's perturbation rule must order consistently (equal x, y or z between
    staircase points, points that tie with their neighbours, repeated points)."""
    rng = np.random.default_rng(17)
    ref = np.ones(3)
    for _ in range(40):
        n = int(rng.integers(10, 500))
        levels = int(rng.integers(2, 7))
        y = rng.integers(0, levels, (n, 3)) / levels
        if rng.random() < 0.5:  # a front-like set: keep the points near the plane sum = const
            y = y[np.abs(y.sum(1) - y.sum(1).mean()) <= 1 / levels]
        assert _run_hv3(y, ref, pad=512) == pytest.approx(hv_moocore(y, ref), rel=1e-12)


@pytest.mark.parametrize("x64", [True, False])
@pytest.mark.parametrize("kind", ["random", "ties", "ulps", "zeros"])
def test_sort_rows_vs_numpy(x64, kind):
    """The sweep's sort order and ranks (packed integer keys, with the exact fallback when
    float64 keys only differ in bits dropped for the index): stable argsort and
    ``searchsorted(..., 'left')`` of NumPy. ``ulps``: values a few ulps apart, which collide
    in the packed keys and must take the exact path."""
    from mohb_jax._src.hypervolume import _sort_rows

    rng = np.random.default_rng(7)
    n = 1000
    v = {
        "random": rng.random((2, n)),
        "ties": rng.integers(0, 5, (2, n)) / 5.0,
        "ulps": 0.5 + rng.integers(0, 40, (2, n)) * np.finfo(float).eps,
        "zeros": rng.choice([0.0, -0.0, -1.0, 1.0, -np.inf, np.inf], (2, n)),
    }[kind]
    with jax.enable_x64(x64):
        dt = jnp.float64 if x64 else jnp.float32
        vj = jnp.asarray(v, dt)
        perm, rank = jax.jit(_sort_rows)(vj)
        a = np.asarray(vj)
    for row in range(2):
        assert np.array_equal(np.asarray(perm[row]), np.argsort(a[row], kind="stable"))
        srt = np.sort(a[row])
        assert np.array_equal(np.asarray(rank[row]), np.searchsorted(srt, a[row], "left"))


@pytest.mark.parametrize("m", [2, 3, 4])
def test_single_problem_returns_the_kernels_0d_array(m):
    """One problem (no batch dims) comes back as the kernel's own 0-d result, without the host
    round trip a batch's cut result takes: the same value as the same problem in a batch of
    one, a jax Array of shape () in the kernel's dtype, moocore's value."""
    rng = np.random.default_rng(m)
    y = rng.random((37, m))
    ref = np.full(m, 1.1)
    one = hypervolume(y, ref)
    batch = hypervolume(y[None], ref)
    assert isinstance(one, jax.Array) and one.shape == () and batch.shape == (1,)
    assert one.dtype == batch.dtype == jnp.result_type(float)
    assert float(one) == float(batch[0])
    assert float(one) == pytest.approx(moocore.hypervolume(y, ref=ref), rel=1e-6)
    # a problem with no counted point is 0, through the same path
    assert float(hypervolume(y + 2.0, ref)) == 0.0
