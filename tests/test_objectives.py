"""Objectives: parsing, validation and the exact max <-> min negation on numpy and jax arrays."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mohb_jax
from mohb_jax._src.objectives import Objectives


def test_public_export():
    assert mohb_jax.Objectives is Objectives


@pytest.mark.parametrize(
    "spec",
    [
        {"acc": "max", "time": "min"},
        ["acc:max", "time:min"],
        [("acc", "max"), ("time", "min")],
        "acc:max, time:min",
    ],
)
def test_parse_spellings(spec):
    o = Objectives.parse(spec)
    assert o == Objectives(("acc", "time"), ("max", "min"))
    assert Objectives.parse(o) == o
    assert o.index("time") == 1
    assert str(o) == "acc:max,time:min"
    assert o.as_dict() == {"acc": "max", "time": "min"}


def test_bare_names_take_known_directions():
    known = {"acc": "max", "time": "min", "cost": "min"}
    o = Objectives.parse(["time", "acc"], known=known)
    assert o.directions == ("min", "max")
    with pytest.raises(ValueError, match="'loss' has no direction.*known objectives"):
        Objectives.parse(["loss"], known=known)
    with pytest.raises(ValueError, match="'acc' is given as 'min' but its source says 'max'"):
        Objectives.parse(["acc:min"], known=known)


@pytest.mark.parametrize(
    "names, dirs, msg",
    [
        ((), (), "at least one objective"),
        (("a", "a"), ("min", "min"), r"duplicated objective name\(s\) \['a'\]"),
        (("a", "b"), ("min", "maximize"), "'b' has unknown direction 'maximize'"),
        (("a", "b"), ("min",), "2 objective names .* but 1 directions"),
        (("", "b"), ("min", "min"), "non-empty strings"),
    ],
)
def test_refused(names, dirs, msg):
    with pytest.raises(ValueError, match=msg):
        Objectives(names, dirs)


def test_parse_refuses_garbage():
    with pytest.raises(ValueError, match="cannot read objective 3"):
        Objectives.parse([3])
    with pytest.raises(ValueError, match="'x' has no direction"):
        Objectives.parse(["x"])
    with pytest.raises(ValueError, match="duplicated"):
        Objectives.parse(["a:min", "a:max"])
    with pytest.raises(ValueError, match="unknown objective 'z'; have \\['a'\\]"):
        Objectives.parse("a:min").index("z")


def test_to_min_from_min_numpy_and_jax():
    o = Objectives(("acc", "t", "bleu"), ("max", "min", "max"))
    rng = np.random.default_rng(0)
    y = rng.normal(size=(4, 5, 3)).astype(np.float32)
    m = o.to_min(y)
    assert isinstance(m, np.ndarray) and m.dtype == np.float32
    np.testing.assert_array_equal(m, y * np.array([-1, 1, -1], np.float32))
    np.testing.assert_array_equal(o.from_min(m), y)  # exact round trip
    with jax.numpy_rank_promotion("raise"):
        jm = o.to_min(jnp.asarray(y))
        assert isinstance(jm, jax.Array)
        np.testing.assert_array_equal(np.asarray(jm), m)
        jit_m = jax.jit(o.to_min)(jnp.asarray(y))
        np.testing.assert_array_equal(np.asarray(jit_m), m)
        np.testing.assert_array_equal(np.asarray(o.from_min(jm)), y)
    # 1-D (one point) and the all-min identity
    np.testing.assert_array_equal(o.to_min(np.array([1.0, 2.0, 3.0])), [-1.0, 2.0, -3.0])
    allmin = Objectives(("a", "b"), ("min", "min"))
    y2 = y[..., :2]
    assert allmin.to_min(y2) is y2
    with pytest.raises(ValueError, match="last axis to list the 3 objectives"):
        o.to_min(np.zeros((4, 2)))


def test_select_and_signs():
    o = Objectives(("a", "b", "c"), ("min", "max", "min"))
    s = o.select(["c", "b"])
    assert s == Objectives(("c", "b"), ("min", "max"))
    np.testing.assert_array_equal(o.signs, [1.0, -1.0, 1.0])
    np.testing.assert_array_equal(o.is_max, [False, True, False])
