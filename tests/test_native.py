"""The native CPU kernels (``mohb_jax/_src/native``) against moocore and against the JAX kernels.

The native hypervolume has code paths the small cases of ``test_hypervolume.py`` do not reach:
the radix sort beyond 32 points and its fix-up of keys equal in their high bits, the balanced
tree staircase beyond 2048 points (3-D), the threaded split of one large 4-D problem and of large
batches, ties in every objective. Each is compared with moocore (exact, float64).
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pytest

from mohb_jax import native_info
from mohb_jax._src import hypervolume as H
from mohb_jax._src import native
from mohb_jax.hypervolume import hypervolume

needs_native = pytest.mark.skipif(
    not native.available(), reason=f"native kernels: {native.info()['reason']}"
)


def test_native_kernels_are_built():
    """An install with a C++17 compiler builds them; a missing build fails here rather than
    silently testing the JAX path twice. ``MOHB_JAX_NATIVE=0`` states that it is meant."""
    if os.environ.get("MOHB_JAX_NATIVE", "") == "0":
        assert not native.enabled()
        pytest.skip("MOHB_JAX_NATIVE=0: the JAX kernels only")
    info = native_info()
    assert info["available"], f"native kernels not built: {info['reason']}"
    assert info["enabled"] and info["reason"] is None


def hv_moocore(y, ref):
    y = np.asarray(y, float)
    y = y[np.all(y < ref, axis=1)]
    return float(moocore.hypervolume(y, ref=ref)) if len(y) else 0.0


def _points(rng, kind, shape):
    if kind == "uniform":
        return rng.random(shape)
    if kind == "front":
        x = np.abs(rng.standard_normal(shape))
        return 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)
    if kind == "grid":  # ties and duplicates in every objective
        return rng.integers(0, 6, shape) / 6.0
    if kind == "near":  # distinct values equal in their high 32 key bits (the sort's fix-up)
        base = rng.integers(0, 3, shape) / 4.0 + 0.1
        return base + rng.integers(0, 50, shape) * 1e-10
    raise ValueError(kind)


@needs_native
@pytest.mark.parametrize("kind", ["uniform", "front", "grid", "near"])
@pytest.mark.parametrize("m,n", [(2, 3000), (3, 300), (3, 5000), (4, 40), (4, 700)])
def test_one_problem_vs_moocore(m, n, kind):
    """One problem (eager, float64 throughout): 3-D beyond 2048 points uses the tree staircase,
    4-D beyond 256 points splits its sweep over threads."""
    rng = np.random.default_rng(n * 10 + m)
    y = _points(rng, kind, (n, m))
    ref = np.full(m, 1.0)
    got = native.hv_f64(y[None], ref[None], None)[0]
    want = hv_moocore(y, ref)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


@needs_native
@pytest.mark.parametrize("kind", ["uniform", "front", "grid"])
@pytest.mark.parametrize("m", [2, 3, 4])
def test_batch_vs_moocore_with_masks_and_outside_points(m, kind):
    """A batch large enough for threads (B * N >= 4096), a mask, points on and beyond ref,
    +inf, and masked NaN rows (never read)."""
    rng = np.random.default_rng(m)
    b, n = 48, 130
    y = _points(rng, kind, (b, n, m)) * 1.1  # some points beyond ref = 1
    y[3, :5] = 1.0  # on the box's face: not counted
    y[4, 7, 0] = np.inf
    mask = rng.random((b, n)) < 0.8
    mask[5] = False  # a problem with no point
    y[~mask] = np.where(rng.random(((~mask).sum(), m)) < 0.5, np.nan, y[~mask])
    ref = 0.9 + 0.2 * rng.random((b, m))
    got = native.hv_f64(y, ref, mask)
    want = np.array([hv_moocore(y[i][mask[i]], ref[i]) for i in range(b)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert got[5] == 0.0


@needs_native
@pytest.mark.parametrize("m", [2, 3, 4])
def test_public_paths_agree(m):
    """Eager NumPy input (native, float64), a jitted call and a vmapped call (the custom call,
    float32) and the JAX kernel all give moocore's values; under x64 the jitted custom call
    runs in float64."""
    rng = np.random.default_rng(7 + m)
    y = _points(rng, "front", (6, 100, m))
    ref = np.full(m, 1.05)
    want = np.array([hv_moocore(p, ref) for p in y])
    y32, r32 = jnp.asarray(y, jnp.float32), jnp.asarray(ref, jnp.float32)
    want32 = np.array([hv_moocore(p, np.asarray(r32, float)) for p in np.asarray(y32, float)])
    eager = np.asarray(hypervolume(y, ref))
    jitted = np.asarray(jax.jit(hypervolume)(y32, r32))
    vmapped = np.asarray(jax.vmap(hypervolume, in_axes=(0, None))(y32, r32))
    with native.use_native(False):
        xla = np.asarray(hypervolume(y, ref))
    np.testing.assert_allclose(eager, want, rtol=1e-6)
    np.testing.assert_allclose(jitted, want32, rtol=1e-6)
    np.testing.assert_allclose(vmapped, want32, rtol=1e-6)
    np.testing.assert_allclose(xla, want, rtol=1e-5)
    with jax.enable_x64():
        y64 = jnp.asarray(y)
        got = jax.jit(hypervolume)(y64, jnp.asarray(ref))
        assert got.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)
        text = jax.jit(H._hv_batch_native).lower(y64, jnp.asarray(ref), None).as_text()
        assert "mohb_hv_f64" in text


@needs_native
def test_platform_branch_lowers_only_the_custom_call_on_cpu():
    """Lowered for the CPU, the program is the custom call alone (the JAX kernel, the other
    platforms' branch, is not in it); lowered with the native kernels off, no custom call."""
    y, r = jnp.ones((4, 64, 3)), jnp.ones(3)
    text = jax.jit(H._hv_batch_native).lower(y, r, None).as_text()
    assert text.count("mohb_hv_f32") == 1
    assert "sort" not in text and "while" not in text
    with native.use_native(False):
        text = jax.jit(H._hv_batch).lower(y, r, None).as_text()
    assert "mohb_hv" not in text


@needs_native
def test_gradient_is_the_jax_kernels():
    """The custom call has no derivative of its own: ``jax.grad`` goes through the JAX kernel's
    (2-D: the JAX kernels of M >= 3 are loops that reverse mode does not differentiate)."""
    rng = np.random.default_rng(3)
    y = jnp.asarray(_points(rng, "uniform", (20, 2)), jnp.float32)
    r = jnp.ones(2, jnp.float32)
    g_native = jax.grad(lambda a: hypervolume(a, r))(y)
    with native.use_native(False):
        g_jax = jax.grad(lambda a: hypervolume(a, r))(y)
    np.testing.assert_allclose(np.asarray(g_native), np.asarray(g_jax), rtol=1e-6)
    assert float(jnp.abs(g_native).sum()) > 0


def test_switch_and_info():
    """``use_native(False)`` turns the native kernels off in its block only; ``native_info``
    reports it with a reason."""
    before = native.enabled()
    with native.use_native(False):
        assert not native.enabled()
        info = native_info()
        assert not info["enabled"] and info["reason"]
    assert native.enabled() == before


@needs_native
def test_unsupported_m_is_refused_by_the_c_entry_point():
    with pytest.raises(ValueError, match="M = 5"):
        native.hv_f64(np.zeros((1, 3, 5)), np.ones((1, 5)), None)


@needs_native
def test_empty_problems():
    assert native.hv_f64(np.zeros((3, 0, 3)), np.ones((3, 3)), None).tolist() == [0.0] * 3
    got = jax.jit(H._hv_batch_native)(jnp.zeros((2, 0, 2)), jnp.ones(2), None)
    assert got.shape == (2,) and float(jnp.abs(got).sum()) == 0.0


# --------------------------------------------------------------------------------- 2-D ranks
def ranks_moocore(y, mask):
    out = np.full(len(y), -1)
    if mask.any():
        out[mask] = moocore.pareto_rank(y[mask])
    return out


@needs_native
@pytest.mark.parametrize("kind", ["uniform", "front", "grid", "near"])
@pytest.mark.parametrize("n", [1, 2, 33, 256, 5000])
def test_ranks2_vs_moocore(kind, n):
    """The native 2-D sort (float64 entry point) with masks, +inf, ties and near ties, in a
    batch large enough for threads; moocore per problem."""
    rng = np.random.default_rng(n)
    b = 24 if n <= 256 else 3
    y = _points(rng, kind, (b, n, 2))
    y[0, : max(1, n // 10), 1] = np.inf
    mask = rng.random((b, n)) < 0.85
    y[~mask] = np.nan  # never read
    got = native.ranks2_f64(y, mask)
    for i in range(b):
        np.testing.assert_array_equal(got[i], ranks_moocore(y[i], mask[i]))


@needs_native
def test_ranks2_public_paths_agree():
    """Eager float input (float64 compare), jitted float32 (int32 keys), x64 (int64 keys),
    vmapped, integer input (host keys) and the JAX kernels: one answer, moocore's."""
    from mohb_jax.pareto import nondominated_ranks

    rng = np.random.default_rng(5)
    y = rng.integers(0, 7, (5, 200, 2)).astype(np.float64)
    mask = rng.random((5, 200)) < 0.9
    want = np.stack([ranks_moocore(y[i], mask[i]) for i in range(5)])
    y32, m = jnp.asarray(y, jnp.float32), jnp.asarray(mask)
    got = {
        "eager": nondominated_ranks(y, mask),
        "jit": jax.jit(nondominated_ranks)(y32, m),
        "vmap": jax.vmap(nondominated_ranks)(y32, m),
        "int": nondominated_ranks(y.astype(np.int64), mask),
    }
    with jax.enable_x64():
        got["x64 jit"] = jax.jit(nondominated_ranks)(jnp.asarray(y), m)
        text = jax.jit(nondominated_ranks).lower(jnp.asarray(y), m).as_text()
        assert "mohb_ranks2_s64" in text
    with native.use_native(False):
        got["jax"] = nondominated_ranks(y, mask)
        # a function jitted before keeps the program it traced: a new one is traced here
        text = jax.jit(lambda a, k: nondominated_ranks(a, k)).lower(y32, m).as_text()
        assert "mohb_ranks2" not in text
    for k, v in got.items():
        assert v.dtype == jnp.int32, k
        np.testing.assert_array_equal(np.asarray(v), want, err_msg=k)


@needs_native
def test_ranks2_exact_on_subnormals_and_signed_zero():
    """Compared as integer order keys: 1e-41 > 0 although the CPU may flush subnormals in float
    comparisons; -0.0 == 0.0."""
    from mohb_jax.pareto import nondominated_ranks

    y = np.array([[4.65e-41, 0.0], [0.0, 0.0], [-0.0, 1e-45], [-1e-41, 1.0]], np.float32)
    want = [1, 0, 1, 0]
    assert native.ranks2_f64(y[None].astype(np.float64), None)[0].tolist() == want
    assert np.asarray(jax.jit(nondominated_ranks)(jnp.asarray(y))).tolist() == want


@needs_native
def test_thread_count_from_the_environment_gives_the_same_values(monkeypatch):
    """``MOHB_JAX_NATIVE_THREADS`` changes how a call is split, not what it computes (sums are
    per problem, and a 4-D problem's parts are added in a fixed order)."""
    rng = np.random.default_rng(11)
    batch = _points(rng, "front", (64, 100, 3))
    one4 = _points(rng, "front", (1, 600, 4))
    ones3, ones4 = np.ones((64, 3)), np.ones((1, 4))
    got = {}
    for t in ("1", "2", "3"):
        monkeypatch.setenv("MOHB_JAX_NATIVE_THREADS", t)
        got[t] = (native.hv_f64(batch, ones3, None), native.hv_f64(one4, ones4, None))
    np.testing.assert_array_equal(got["1"][0], got["2"][0])
    np.testing.assert_array_equal(got["1"][0], got["3"][0])
    want4 = hv_moocore(one4[0], ones4[0])
    for t in got:
        assert got[t][1][0] == pytest.approx(want4, rel=1e-12)
