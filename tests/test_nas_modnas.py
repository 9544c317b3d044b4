"""Tests of the NAS-Bench-201 encoding and the table-driven analogue of MODNAS."""

from __future__ import annotations

import gzip

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from mohb_jax import nas


# ---- NAS-Bench-201 encoding -------------------------------------------------------------------
def test_arch_string_roundtrip_and_one_hot():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(50, 6))
    for c in codes:
        s = nas.arch_string(c)
        assert s.count("~") == 6 and s.startswith("|") and s.endswith("|")
        np.testing.assert_array_equal(nas.parse_arch_string(s), c)
    oh = np.asarray(nas.one_hot(codes))
    assert oh.shape == (50, 6, 5)
    np.testing.assert_array_equal(oh.sum(-1), 1.0)
    np.testing.assert_array_equal(oh.argmax(-1), codes)


def test_decode_gives_valid_cells_for_any_logits():
    logits = jax.random.normal(jax.random.key(0), (200, 6, 5)) * 10
    logits = logits.at[0].set(0.0)  # all ties: lowest op code on every edge
    codes = np.asarray(jax.jit(nas.decode)(logits))
    assert codes.shape == (200, 6) and codes.min() >= 0 and codes.max() <= 4
    np.testing.assert_array_equal(codes[0], 0)
    np.testing.assert_array_equal(codes[1:], np.asarray(logits[1:]).argmax(-1))
    nas.validate_op_codes(codes)


def test_bad_codes_rejected():
    with pytest.raises(ValueError, match=r"shape \[\.\.\., 6\]"):
        nas.validate_op_codes(np.zeros((3, 5), int))
    with pytest.raises(ValueError, match="0..4"):
        nas.validate_op_codes(np.full(6, 5))
    with pytest.raises(ValueError, match="bad edge"):
        nas.parse_arch_string("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    with pytest.raises(ValueError, match="repeat"):
        nas.build_code_to_index(np.zeros((nas.N_ARCHS, 6), int))


def test_arch_index_matches_official_strings(data_dir):
    nb = nas.load_nb201(data_dir)
    idx = np.asarray(jax.jit(lambda c: nas.arch_index(nb, c))(nb.op_codes))
    np.testing.assert_array_equal(idx, np.arange(nas.N_ARCHS))
    with gzip.open(data_dir / "nasbench201" / "archs.csv.gz", "rt") as f:
        df = pd.read_csv(f)
    for i in range(0, nas.N_ARCHS, 311):  # independent oracle: the benchmark's own strings
        assert nas.arch_string(np.asarray(nb.op_codes[i])) == df.arch_str[i]
        assert int(nas.arch_index(nb, nas.parse_arch_string(df.arch_str[i]))) == i
    assert set(
        nas.MODNAS_TRAIN_DEVICES + nas.MODNAS_VALID_DEVICES + nas.MODNAS_TEST_DEVICES
    ) <= set(nb.devices)
    assert nb.objectives("raspi4").shape == (nas.N_ARCHS, 2)
    with pytest.raises(ValueError, match="unknown device"):
        nb.latency("abacus")
    with pytest.raises(ValueError, match="unknown dataset"):
        nas.load_nb201(data_dir, dataset="mnist")
    assert float(jnp.min(nb.error)) > 0.0
