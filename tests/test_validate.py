"""The eager point check at the public boundary (its one-pass fast path and its slow path)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from mohb_jax._src.validate import check_points, float_merges


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, -np.inf])
def test_bad_values_raise_unless_masked(dtype, bad):
    y = np.random.default_rng(0).random((3, 4, 2)).astype(dtype)
    y[1, 2, 0] = bad
    for arr in (y, jnp.asarray(y)):
        with pytest.raises(ValueError, match=r"index \(1, 2\)"):
            check_points(arr)
        mask = np.ones((3, 4), bool)
        mask[1, 2] = False
        check_points(arr, mask)  # masked out: fine


def test_posinf_allowed_only_when_asked():
    y = np.zeros((4, 2))
    y[3, 1] = np.inf
    check_points(y)
    with pytest.raises(ValueError, match="NaN or inf"):
        check_points(y, allow_posinf=False)
    check_points(y, np.arange(4) != 3, allow_posinf=False)


def test_clean_and_integer_and_empty_inputs_pass():
    check_points(np.random.default_rng(1).random((5, 3)))
    check_points(np.arange(12).reshape(4, 3))
    check_points(np.zeros((0, 3)))


def _merges_brute_force(v, valid, dtype):
    """hit[b, j]: some pair of valid rows of problem b has distinct values of objective j that
    are equal once rounded to ``dtype`` (every pair compared)."""
    b, n, m = v.shape
    hit = np.zeros((b, m), bool)
    with np.errstate(over="ignore"):
        c = v.astype(dtype)
    for p in range(b):
        rows = np.flatnonzero(valid[p])
        for j in range(m):
            x, xc = v[p, rows, j], c[p, rows, j]
            same = (xc[:, None] == xc[None, :]) & (x[:, None] != x[None, :])
            hit[p, j] = same.any()
    # rows that are not valid sort as +inf: a valid value that rounds to inf merges with them
    pad = ~valid.all(axis=1)
    with np.errstate(over="ignore"):
        to_inf = np.isinf(c) & ~np.isinf(v) & valid[..., None]
    hit |= pad[:, None] & to_inf.any(axis=1)
    return hit


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_float_merges_vs_every_pair(dtype):
    """The sorted-neighbour test against all pairs: exact ties (not a merge), values one
    float64 ulp apart (a merge), +inf, values beyond the target dtype's range, masked rows."""
    rng = np.random.default_rng(0)
    for trial in range(200):
        b, n, m = rng.integers(1, 5), rng.integers(1, 30), rng.integers(1, 4)
        v = np.round(rng.random((b, n, m)) * 8) / 8  # many exact ties
        if trial % 2:
            v = v + (rng.random(v.shape) < 0.2) * np.spacing(v + 1.0)  # distinct, same float32
        if trial % 3 == 0:
            v[rng.random(v.shape) < 0.1] = np.inf
        if trial % 5 == 0:
            v[rng.random(v.shape) < 0.1] = 1e300 * rng.random()
        valid = rng.random((b, n)) < (0.7 if trial % 4 else 1.1)
        before = v.copy()
        got = float_merges(v, valid, dtype)
        assert np.array_equal(v, before), "float_merges changed its input"  # e.g. M = 1
        want = _merges_brute_force(v, valid, dtype)
        assert np.array_equal(got, want), trial
