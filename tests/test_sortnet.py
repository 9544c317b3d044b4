"""The bitonic sorting network against NumPy's lexicographic sort."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mohb_jax._src.sortnet import bitonic_sort


@given(
    st.integers(0, 6).flatmap(
        lambda e: st.lists(
            st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=2**e, max_size=2**e
        )
    )
)
def test_lexicographic_sort_matches_numpy(rows):
    a = np.array(rows, np.int32)  # (N, 2) with many ties
    n = len(a)
    (k1, k2), (idx,) = bitonic_sort(
        (jnp.asarray(a[:, 0]), jnp.asarray(a[:, 1])), (jnp.arange(n, dtype=jnp.int32),)
    )
    order = np.lexsort((a[:, 1], a[:, 0]))
    np.testing.assert_array_equal(np.asarray(k1), a[order, 0])
    np.testing.assert_array_equal(np.asarray(k2), a[order, 1])
    # the payload is a permutation that carries each row with its keys
    idx = np.asarray(idx)
    assert sorted(idx.tolist()) == list(range(n))
    np.testing.assert_array_equal(a[idx], np.stack([np.asarray(k1), np.asarray(k2)], -1))


def test_batch_last_columns_sort_independently():
    rng = np.random.default_rng(0)
    x = rng.random((16, 3, 5)).astype(np.float32)
    (s,), _ = bitonic_sort((jnp.asarray(x),))
    np.testing.assert_array_equal(np.asarray(s), np.sort(x, axis=0))


def test_non_power_of_two_length_is_refused():
    with pytest.raises(ValueError, match="power-of-two"):
        bitonic_sort((jnp.zeros(6),))


@pytest.mark.parametrize("fuse", [2, 3])
def test_stages_fused_per_pass_sort_exactly(fuse):
    """Two or three network stages per pass give NumPy's order on every length (lengths
    below 2^fuse fuse fewer), ties included, on batch-last columns."""
    rng = np.random.default_rng(fuse)
    for n in (1, 2, 4, 8, 32, 128):
        a = rng.integers(-3, 4, (n, 3, 2)).astype(np.int32)  # 3 columns, 2 keys, many ties
        rows = np.broadcast_to(np.arange(n, dtype=np.int32)[:, None], (n, 3))
        (k1, k2), (idx,) = bitonic_sort(
            (jnp.asarray(a[..., 0]), jnp.asarray(a[..., 1])), (jnp.asarray(rows),), fuse=fuse
        )
        idx = np.asarray(idx)
        for c in range(3):
            order = np.lexsort((a[:, c, 1], a[:, c, 0]))
            np.testing.assert_array_equal(np.asarray(k1)[:, c], a[order, c, 0])
            np.testing.assert_array_equal(np.asarray(k2)[:, c], a[order, c, 1])
            assert sorted(idx[:, c].tolist()) == list(range(n))  # a permutation ...
            np.testing.assert_array_equal(a[idx[:, c], c], a[order, c])  # ... with its keys


def test_fuse_below_one_is_refused():
    with pytest.raises(ValueError, match="fuse"):
        bitonic_sort((jnp.zeros(4),), fuse=0)
