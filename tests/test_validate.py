"""The eager point check at the public boundary (its one-pass fast path and its slow path)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from mohb_jax._src.validate import check_points


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
