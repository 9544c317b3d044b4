"""Exact hypervolume for M >= 4 (the 4-D sweep and the WFG kernel) against independent oracles.

Oracles: grid counting on small integer points (every unit cell of the reference box counted
when some point weakly dominates its lower corner: exact, and independent of any HV algorithm)
and moocore (C, exact). Shapes are kept to a few padded sizes so the kernels compile once each.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pytest

from mohb_jax._src import hypervolume as H
from mohb_jax.hypervolume import hypervolume, hypervolume_contributions, hypervolume_curve


def hv_grid(y: np.ndarray, ref: np.ndarray, mask: np.ndarray | None = None) -> float:
    """HV of integer points with an integer reference: the number of unit cells ``[c, c + 1)``
    inside ``[0, ref)`` whose lower corner ``c`` is weakly dominated by a (valid) point."""
    y = np.asarray(y, float)
    if mask is not None:
        y = y[mask]
    axes = [np.arange(int(r)) for r in ref]
    cells = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, len(ref))
    dominated = np.zeros(len(cells), bool)
    for p in y:
        dominated |= np.all(p <= cells, axis=1)
    return float(dominated.sum())


def hv_moocore(y: np.ndarray, ref: np.ndarray) -> float:
    y = np.asarray(y, float)
    y = y[np.all(y < ref, axis=1)]
    return float(moocore.hypervolume(y, ref=ref)) if len(y) else 0.0


def sphere_front(rng, shape, m):
    x = np.abs(rng.standard_normal((*shape, m)))
    return 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)


def hard_integer_points(rng, b, n, m, levels=4):
    """Integer points in [0, levels] with duplicates, dominated points, ties in every
    objective, and points on or beyond the reference ``levels`` (they must not count)."""
    y = rng.integers(0, levels, size=(b, n, m)).astype(float)
    y[:, 1] = y[:, 0]  # a duplicate
    y[:, 2] = np.minimum(y[:, 0] + 1, levels - 1)  # weakly dominated by row 0
    y[:, 3, 0] = levels  # on the reference in one objective
    y[:, 4, -1] = levels + 2  # beyond it
    return y


@pytest.mark.parametrize("m", [4, 5, 6, 8])
def test_exact_vs_grid_counting(m):
    rng = np.random.default_rng(m)
    levels, n = (4, 12) if m < 8 else (3, 8)
    y = hard_integer_points(rng, 4, n, m, levels)
    ref = np.full(m, float(levels))
    mask = rng.random((4, n)) < 0.8
    mask[:, :5] = True  # keep the constructed hard rows
    garbage = np.where(mask[..., None], y, np.nan)  # masked rows may hold anything
    with jax.enable_x64():
        got = np.asarray(hypervolume(jnp.asarray(garbage), jnp.asarray(ref), jnp.asarray(mask)))
        got_all = np.asarray(hypervolume(jnp.asarray(y), jnp.asarray(ref)))
    exp = np.array([hv_grid(y[i], ref, mask[i]) for i in range(4)])
    exp_all = np.array([hv_grid(y[i], ref) for i in range(4)])
    assert np.all(exp > 0)
    np.testing.assert_array_equal(got, exp)  # integer volumes: exact in float64
    np.testing.assert_array_equal(got_all, exp_all)
    np.testing.assert_allclose(exp_all, [hv_moocore(p, ref) for p in y], rtol=1e-12)


@pytest.mark.parametrize(
    "m,n,kind",
    [
        (4, 60, "front"),
        (4, 60, "grid"),
        (5, 60, "front"),
        (5, 60, "uniform"),
        (6, 100, "front"),
        (8, 16, "front"),
        (6, 16, "grid"),
    ],
)
def test_exact_vs_moocore(m, n, kind):
    """N = 60 / 100 pad to 64 / 128: the sets use several buckets (8, 64 / 8, 32, 128).
    M = 6 with 128 rows is what the former slicing kernel refused (N^(M-1) > 2^30)."""
    rng = np.random.default_rng(100 * m + n)
    if kind == "front":
        y = sphere_front(rng, (2, n), m)
    elif kind == "uniform":
        y = rng.random((2, n, m))
    else:
        y = rng.integers(0, 3, (2, n, m)) / 2.0  # ties and points on the reference (1.0)
    ref = np.ones(m)
    with jax.enable_x64():
        got = np.asarray(hypervolume(jnp.asarray(y), jnp.asarray(ref)))
    exp = np.array([hv_moocore(p, ref) for p in y])
    np.testing.assert_allclose(got, exp, rtol=1e-12, atol=1e-15)


def test_float32_inputs_are_close():
    y = sphere_front(np.random.default_rng(1), (3, 16), 5).astype(np.float32)
    got = np.asarray(hypervolume(y, np.ones(5, np.float32)))
    assert got.dtype == np.float32
    exp = [hv_moocore(p.astype(float), np.ones(5)) for p in y]
    np.testing.assert_allclose(got, exp, rtol=1e-4)


def test_jit_vmap_and_batch_dims_agree():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 4, (2, 3, 8, 5)).astype(float)
    ref = np.full(5, 4.0)
    exp = np.array([[hv_grid(y[i, j], ref) for j in range(3)] for i in range(2)])
    with jax.enable_x64():
        yj, rj = jnp.asarray(y), jnp.asarray(ref)
        batched = np.asarray(hypervolume(yj, rj))
        vmapped = np.asarray(jax.vmap(jax.vmap(hypervolume, (0, None)), (0, None))(yj, rj))
        mask = jnp.ones(y.shape[:-1], bool).at[..., 0].set(False)
        masked = np.asarray(jax.jit(hypervolume)(yj, rj, mask))
    for got in (batched, vmapped):
        np.testing.assert_array_equal(got, exp)
    exp_m = np.array([[hv_grid(y[i, j, 1:], ref) for j in range(3)] for i in range(2)])
    np.testing.assert_array_equal(masked, exp_m)


def test_contributions_five_objectives_vs_moocore():
    rng = np.random.default_rng(3)
    y = sphere_front(rng, (12,), 5)
    y[5] = y[4]  # a duplicate: both contribute 0
    ref = np.ones(5)
    with jax.enable_x64():
        c = np.asarray(hypervolume_contributions(jnp.asarray(y), jnp.asarray(ref)))
    tot = hv_moocore(y, ref)
    exp = np.array([tot - hv_moocore(np.delete(y, j, 0), ref) for j in range(12)])
    np.testing.assert_allclose(c, exp, atol=1e-13)
    assert c[4] == 0 and c[5] == 0


def test_curve_five_objectives_vs_moocore_prefixes():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 4, (12, 5)) / 3.0  # ties, duplicates, points on the reference
    ref = np.ones(5)
    with jax.enable_x64():
        c = np.asarray(hypervolume_curve(jnp.asarray(y), jnp.asarray(ref)))
    exp = [hv_moocore(y[: k + 1], ref) for k in range(12)]
    np.testing.assert_allclose(c, exp, rtol=1e-12, atol=1e-15)


def test_size_limits_follow_the_algorithm():
    # N^2 M <= 2^30 after padding: WFG's memory (the N x N non-dominance test) for M >= 5,
    # the 4-D sweep's O(N^3) worst case for M = 4; each error names its reason
    with pytest.raises(ValueError, match=r"M = 5 .*N\^2 \* M <= 2\^30.*WFG.*hypervolume_mc"):
        hypervolume(np.zeros((20_000, 5)), np.ones(5))
    with pytest.raises(
        ValueError, match=r"M = 4 .*N\^2 \* M <= 2\^30.*N = 16385 pads to 32768.*O\(N\^3\)"
    ):
        hypervolume(np.zeros((16_385, 4)), np.ones(4))
    hypervolume(np.zeros((16_384, 4)), np.ones(4))  # the largest allowed: O(N) memory
    with pytest.raises(ValueError, match=r"hypervolume_contributions: N = 129 .*M = 4"):
        hypervolume_contributions(np.zeros((129, 4)), np.ones(4))
    # N > 1024 in 4-D: test_4d_public_front_and_rung_batch_vs_moocore


def hard_front_4d(rng, b, n):
    """4-D fronts ``x/|x|`` (every point non-dominated; the limited sets of the WFG loop keep
    up to ~80 of 128 points after the probe filter) with ties, duplicates, points beyond the
    reference and masked rows holding NaN."""
    x = np.abs(rng.standard_normal((b, n, 4)))
    y = x / np.linalg.norm(x, axis=-1, keepdims=True)
    y[:, : n // 5] = np.round(y[:, : n // 5] * 8) / 8  # ties in every objective
    y[:, n // 5 : n // 5 + 6] = y[:, :6]  # duplicates
    y[:, -3:, 1] = 1.0  # on the reference
    y[:, -6:-3, 2] = 1.5  # beyond it
    mask = rng.random((b, n)) > 0.1
    return y, mask


@pytest.mark.parametrize("sweep_min", [8, 1 << 20])
def test_4d_level_both_3d_bases_vs_moocore(sweep_min, monkeypatch):
    """At WFG's 4-D level (where 5-D problems recurse; here called on 4-D problems directly,
    which ``hypervolume`` sends to the 4-D sweep) a limited set with more than
    ``_WFG4_SWEEP_MIN`` probe survivors goes
    to the O(n log n) 3-D sweep, smaller ones to the non-dominance test and the vectorized
    3-D level. 8: almost every set takes the sweep; 2^20: none does. Fresh jitted functions,
    so the patched threshold is traced; also under vmap (the bucket switches become selects:
    every branch runs)."""
    monkeypatch.setattr(H, "_WFG4_SWEEP_MIN", sweep_min)
    rng = np.random.default_rng(40)
    y, mask = hard_front_4d(rng, 2, 128)
    garbage = np.where(mask[..., None], y, np.nan)
    ref = np.ones(4)

    def wfg(a, r, mk):  # WFG itself: hypervolume sends 4-D problems to the 4-D sweep
        Y, v, R, _ = H._to_batch_last(a, r, mk)
        v = v & jnp.all(Y < R[:, None, :], axis=0)
        return H._hv_wfg(jnp.where(v[None], Y, R[:, None, :]), v, R)

    with jax.enable_x64():
        args = jnp.asarray(garbage), jnp.asarray(ref), jnp.asarray(mask)
        got = np.asarray(jax.jit(wfg)(*args))
        if sweep_min == 8:
            vm = jax.vmap(lambda a, mk: wfg(a[None], ref, mk[None])[0])
            np.testing.assert_array_equal(np.asarray(jax.jit(vm)(args[0], args[2])), got)
    exp = np.array([hv_moocore(y[i][mask[i]], ref) for i in range(2)])
    np.testing.assert_allclose(got, exp, rtol=1e-12)


def test_4d_public_front_and_rung_batch_vs_moocore():
    """The public path on one 4-D front of 1100 points (limited sets of every bucket size; N
    beyond the N^3 <= 2^30 of a batched 4-D sweep) and on a batch of 64 rungs of 40 points
    (fronts and uniform halves), with masks."""
    rng = np.random.default_rng(41)
    y, mask = hard_front_4d(rng, 1, 1100)
    rungs, rmask = hard_front_4d(rng, 64, 40)
    rungs[32:] = rng.random((32, 40, 4))
    ref = np.ones(4)
    with jax.enable_x64():
        got = float(hypervolume(jnp.asarray(y[0]), jnp.asarray(ref), jnp.asarray(mask[0])))
        got_b = np.asarray(hypervolume(jnp.asarray(rungs), jnp.asarray(ref), jnp.asarray(rmask)))
    assert got == pytest.approx(hv_moocore(y[0][mask[0]], ref), rel=1e-12)
    exp_b = [hv_moocore(rungs[i][rmask[i]], ref) for i in range(64)]
    np.testing.assert_allclose(got_b, exp_b, rtol=1e-12)


# --------------------------------------------------------------------- the 4-D sweep
def _sweep(y, ref, mask=None, x64=True):
    """``H._hv4_single`` of one problem ``y`` (N, 4), jitted, in float64 (x64) or float32."""
    y = np.asarray(y, float)
    mask = np.ones(len(y), bool) if mask is None else np.asarray(mask)
    dt = jnp.float64 if x64 else jnp.float32
    with jax.enable_x64(x64):
        f = jax.jit(H._hv4_single)
        return float(f(jnp.asarray(y.T, dt), jnp.asarray(mask), jnp.asarray(ref, dt)))


def test_4d_sweep_vs_grid_counting_on_hard_integer_sets():
    """Duplicates, weakly dominated rows, ties in every objective, rows on and beyond the
    reference, masked rows holding NaN: exact integer volumes."""
    rng = np.random.default_rng(50)
    for levels, n in ((3, 10), (4, 25), (5, 40)):
        y = hard_integer_points(rng, 6, n, 4, levels)
        ref = np.full(4, float(levels))
        for i in range(6):
            mask = rng.random(n) < 0.8
            mask[:5] = True
            garbage = np.where(mask[:, None], y[i], np.nan)
            assert _sweep(garbage, ref, mask) == hv_grid(y[i], ref, mask)
            assert _sweep(y[i], ref) == hv_grid(y[i], ref)


def test_4d_sweep_vs_moocore_fronts_uniform_and_degenerate_sets():
    rng = np.random.default_rng(51)
    ref = np.ones(4)
    x = np.abs(rng.standard_normal((400, 4)))
    front = 1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)
    front[:100] = np.round(front[:100] * 8) / 8  # ties and near-duplicates
    t = np.linspace(0.0, 0.9, 30)
    u, v = rng.random(150), rng.random(150)
    early = np.c_[u, 1 - u, 0.1 * rng.random(150), 0.5 * rng.random(150)]
    late = np.c_[0.3 * v, 0.3 * (1 - v), 0.5 + 0.5 * rng.random((150, 2))]
    cases = {
        "front": front,
        "uniform": rng.random((500, 4)),
        "one point": np.array([[0.2, 0.3, 0.4, 0.5]]),
        "duplicates": np.tile([[0.2, 0.3, 0.4, 0.5]], (40, 1)),
        "equal w (one 3-D problem)": np.c_[rng.random((60, 3)), np.full(60, 0.5)],
        "equal z": np.c_[rng.random((60, 2)), np.full(60, 0.5), rng.random(60)],
        "equal x and y": np.c_[np.full((60, 2), 0.3), rng.random((60, 2))],
        "collinear": np.c_[t, t, t, t],
        "anti-diagonal": np.c_[t, 0.9 - t, t, 0.9 - t],
        "coarse grid": np.round(rng.random((300, 4)) * 3) / 3 * 0.9,
        "nothing inside": np.full((5, 4), 1.0),
        # the sweep's worst case: 150 early points on an x-y anti-diagonal low in z, then
        # 150 points low in x and y, high in z: every later walk meets every early point,
        # clipped into a staircase of ~75 (the O(N^3) of the module docstring)
        "long staircases": 0.99 * np.r_[early, late],
    }
    for name, y in cases.items():
        assert _sweep(y, ref) == pytest.approx(hv_moocore(y, ref), rel=1e-12, abs=1e-15), name


def test_4d_sweep_float32_is_a_sum_of_non_negative_terms():
    """Every area and volume of the sweep is a sum of non-negative products: in float32 a
    1000-point front keeps a relative error of a few float32 ulps times log-ish growth, far
    below what a difference of large volumes would leave (measured ~2e-7 here)."""
    rng = np.random.default_rng(52)
    x = np.abs(rng.standard_normal((1000, 4)))
    y = (1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    got = _sweep(y, np.ones(4), x64=False)
    assert got == pytest.approx(hv_moocore(y.astype(float), np.ones(4)), rel=2e-6)


def test_4d_public_single_batch_and_vmap_agree_with_moocore():
    """One problem, a batch (``lax.map`` of the sweep) and a vmapped single call (the walks
    of finished problems keep running on their last state: every loop must still end)."""
    rng = np.random.default_rng(53)
    y, mask = hard_front_4d(rng, 6, 90)
    ref = np.ones(4)
    exp = [hv_moocore(y[i][mask[i]], ref) for i in range(6)]
    with jax.enable_x64():
        yj, rj, mj = jnp.asarray(y), jnp.asarray(ref), jnp.asarray(mask)
        one = [float(hypervolume(yj[i], rj, mj[i])) for i in range(6)]
        batch = np.asarray(hypervolume(yj, rj, mj))
        vm = np.asarray(jax.jit(jax.vmap(hypervolume, (0, None, 0)))(yj, rj, mj))
    for got in (one, batch, vm):
        np.testing.assert_allclose(got, exp, rtol=1e-12)


@pytest.mark.parametrize("x64", [False, True])
def test_4d_sweep_loops_compile_as_single_kernels(x64):
    """XLA:CPU runs a while loop as one native kernel only when one iteration (nested loops
    included) accesses under 1 KB by its cost analysis, and otherwise pays its runtime per
    small kernel (the sweep then took ~280 ms instead of ~20 ms on a 1000-point front).
    The three staircase walks, the per-point walk over the z-list and the pass that edits
    it must all be compiled that way, and no list may be copied. Guards the structure
    against a change that adds loop state or reorders a read after a write."""
    n = 1000
    with jax.enable_x64(x64):
        dt = jnp.float64 if x64 else jnp.float32
        args = jnp.zeros((4, n), dt), jnp.ones(n, bool), jnp.ones(4, dt)
        text = jax.jit(H._hv4_single).lower(*args).compile().as_text()
    assert text.count('xla_cpu_small_call="true"') >= 5, "a walk runs through the thunk runtime"
    copies = [ln for ln in text.splitlines() if re.search(r"s32\[\d{4,}\]\{0\} copy\(", ln)]
    assert not copies, copies
