"""Tests of the Gaussian-copula transform against a brute-force NumPy/SciPy oracle."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mohb_jax.transfer import copula_delta, copula_transform


def oracle(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Brute force, float64: per leading index and objective, count strictly-below valid values."""
    y = np.asarray(y, dtype=np.float64)
    out = np.zeros_like(y)
    for idx in np.ndindex(*y.shape[:-2]):
        m = mask[idx]
        n = int(m.sum())
        d = 1.0 / (4.0 * n**0.25 * np.sqrt(np.pi * np.log(n)))
        for j in range(y.shape[-1]):
            col = y[idx][:, j]
            for i in np.flatnonzero(m):
                u = np.sum(col[m] < col[i]) / n
                out[idx + (i, j)] = stats.norm.ppf(np.clip(u, d, 1 - d))
    return out


def test_delta_paper_examples():
    # PAPER_NOTES: n=100 -> 0.0208, n=15 625 -> 0.0041, n=62 208 -> 0.0027
    np.testing.assert_allclose(float(copula_delta(100)), 0.0208, atol=5e-5)
    np.testing.assert_allclose(float(copula_delta(15625)), 0.0041, atol=5e-5)
    np.testing.assert_allclose(float(copula_delta(62208)), 0.0027, atol=5e-5)
    n = np.arange(2, 500)
    ref = 1.0 / (4.0 * n**0.25 * np.sqrt(np.pi * np.log(n)))
    np.testing.assert_allclose(np.asarray(copula_delta(n)), ref, rtol=1e-5)


@settings(max_examples=25)
@given(st.integers(2, 24), st.integers(0, 2**31 - 1), st.booleans())
def test_matches_oracle_all_backends(n, seed, ties):
    # one padded shape (3 tasks x 24 points x 2 objectives) so JAX compiles once; n valid rows
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(3, 24, 2))
    if ties:
        y = np.round(y)  # many ties
    mask = (rng.random((3, 24)) < 0.8) & (np.arange(24) < n)
    mask[:, :2] = True  # >= 2 valid per slice
    y[~mask] = np.nan  # masked rows may hold anything, even NaN
    want = oracle(y, mask)
    with jax.enable_x64(True):
        for backend in ("numpy", "jax"):
            got = np.asarray(copula_transform(y, mask, backend=backend))
            np.testing.assert_allclose(got, want, atol=1e-9, err_msg=backend)
            assert np.all(got[~mask] == 0.0)


def test_sorted_path_large_n_matches_oracle_and_jit():
    # N above the dense threshold exercises the JAX sort + searchsorted path.
    rng = np.random.default_rng(3)
    y = np.round(rng.normal(size=(2, 600, 2)) * 20)
    mask = rng.random((2, 600)) < 0.9
    want = oracle(y, mask)
    with jax.enable_x64(True):
        f = jax.jit(lambda a, b: copula_transform(a, b))
        np.testing.assert_allclose(np.asarray(f(y, mask)), want, atol=1e-9)
        np.testing.assert_allclose(
            np.asarray(copula_transform(y, mask, backend="numpy")), want, atol=1e-9
        )


def test_vmap_over_tasks_padding_does_not_change_result():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(30, 2)).astype(np.float32)
    base = np.asarray(copula_transform(y))
    pad = np.concatenate([y, rng.normal(size=(10, 2)).astype(np.float32) * 100], axis=0)
    mask = np.arange(40) < 30
    batched = jax.vmap(lambda a, b: copula_transform(a, b, backend="jax"))(
        jnp.stack([pad, pad]), jnp.stack([mask, mask])
    )
    np.testing.assert_allclose(np.asarray(batched[0, :30]), base, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(batched[:, 30:]), 0.0)


def test_monotone_ties_and_invariance_to_monotone_rescaling():
    rng = np.random.default_rng(1)
    y = rng.lognormal(size=(200, 1)) * 7
    y[::10] = y[0]  # ties
    z = np.asarray(copula_transform(y))[:, 0]
    order = np.argsort(y[:, 0], kind="stable")
    assert np.all(np.diff(z[order]) >= 0), "not monotone"
    assert len(set(z[::10].tolist())) == 1, "ties must share one z"
    # strictly increasing where y increases, away from the truncated tails
    zo, yo = z[order], y[order, 0]
    inner = (zo[:-1] > zo.min()) & (zo[1:] < zo.max())
    assert np.all(np.diff(zo)[inner & (np.diff(yo) > 0)] > 0)
    # strictly increasing maps leave z unchanged
    for g in (np.log, lambda v: 3 * v + 100, lambda v: v**3, lambda v: np.exp(v / 10)):
        np.testing.assert_array_equal(np.asarray(copula_transform(g(y)))[:, 0], z)
    # a decreasing map reverses the order
    zr = np.asarray(copula_transform(-y))[:, 0]
    assert np.all(np.diff(zr[order]) <= 0)


def test_large_n_is_approximately_standard_normal():
    y = np.random.default_rng(2).exponential(size=(20000, 2)).astype(np.float32)
    z = np.asarray(copula_transform(y))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.03
    d = copula_delta(20000)
    assert z.min() >= stats.norm.ppf(float(d)) - 1e-4
    assert z.max() <= stats.norm.ppf(1 - float(d)) + 1e-4
    ks = stats.kstest(z[:, 0], "norm")
    assert ks.statistic < 0.01


def test_bad_inputs():
    y = np.zeros((2, 5, 1))
    with pytest.raises(ValueError, match="at least 2 valid"):
        copula_transform(y, np.array([[True] * 5, [True] + [False] * 4]))
    y = np.arange(10.0).reshape(5, 2)
    y[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        copula_transform(y)
    # a NaN in a masked-out row is fine
    m = np.ones(5, bool)
    m[3] = False
    assert np.isfinite(np.asarray(copula_transform(y, m))).all()
    with pytest.raises(ValueError, match="shape"):
        copula_transform(np.zeros(5))
    with pytest.raises(ValueError, match="backend"):
        copula_transform(np.zeros((5, 1)), backend="torch")


def test_constant_objective_documented_handling():
    z = np.asarray(copula_transform(np.ones((50, 1))))
    np.testing.assert_allclose(z, stats.norm.ppf(float(copula_delta(50))), rtol=1e-5)


def test_traced_single_point_slice_gives_zero():
    y = jnp.arange(6.0).reshape(2, 3, 1)
    mask = jnp.array([[True, False, False], [True, True, True]])
    z = jax.jit(lambda a, b: copula_transform(a, b))(y, mask)
    assert np.all(np.asarray(z[0]) == 0.0)
    assert np.asarray(z[1, :, 0]).tolist() == sorted(np.asarray(z[1, :, 0]).tolist())
