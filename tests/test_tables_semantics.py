"""Typed table semantics: ``fidelity_kind``, ``default_objectives``, ``ref_point``.

The LCDB test is the regression of a real defect: LCDB's anchors are separate fits, but the
loader recorded that in a metadata key the simulator did not read, so a trial at the largest
anchor was charged the sum of every anchor's fit time.
"""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd
import pytest

from mohb_jax._src.sim.driver import make_simulator
from mohb_jax._src.tables.sources.lcdb import load_lcdb
from mohb_jax.tables import Table, select_task


def _toy(**kw) -> Table:
    v = np.arange(2 * 3 * 2, dtype=np.float32).reshape(1, 3, 1, 2, 2) + 1.0
    args = dict(
        name="toy",
        values=v,
        mask=np.ones(v.shape[:4], bool),
        configs=pd.DataFrame({"x": [0, 1, 2]}),
        encoded=np.zeros((3, 1), np.float32),
        fidelities=np.array([1.0, 2.0]),
        objectives=("err", "time"),
        directions=("min", "min"),
        tasks=("t",),
        time_objective="time",
    )
    args.update(kw)
    return Table(**args)


def test_defaults_and_validation():
    t = _toy()
    assert t.fidelity_kind == "resumable"
    assert t.default_objectives == ("err", "time")
    v = t.values.reshape(-1, 2)
    np.testing.assert_allclose(t.ref_point, v.max(0) + 0.1 * (v.max(0) - v.min(0)))
    assert t.ref_point.dtype == np.float64
    with pytest.raises(ValueError, match="fidelity_kind must be one of"):
        _toy(fidelity_kind="sometimes")
    with pytest.raises(ValueError, match=r"default objectives \['acc'\] are not objectives"):
        _toy(default_objectives=("acc",))
    with pytest.raises(ValueError, match="repeated default objectives"):
        _toy(default_objectives=("err", "err"))
    with pytest.raises(ValueError, match="ref_point must have 2 values"):
        _toy(ref_point=[1.0])
    with pytest.raises(ValueError, match="ref_point must be finite"):
        _toy(ref_point=[1.0, np.inf])


def test_legacy_metadata_keys_become_fields():
    t = _toy(
        metadata={
            "independent_fidelities": True,
            "default_objectives": ["time"],
            "reference_point": [50.0, 60.0],
            "notes": "kept",
        }
    )
    assert t.fidelity_kind == "independent" and t.default_objectives == ("time",)
    np.testing.assert_array_equal(t.ref_point, [50.0, 60.0])
    assert t.metadata == {"notes": "kept"}
    assert _toy(metadata={"resumable": False}).fidelity_kind == "independent"


def test_select_and_with_cost_keep_fields_consistent():
    t = _toy(default_objectives=("time",), ref_point=[30.0, 40.0], fidelity_kind="independent")
    s = t.select(objectives=["err"])
    assert s.default_objectives == ("err",)  # the old default is gone: all kept objectives
    np.testing.assert_array_equal(s.ref_point, [30.0])
    assert s.fidelity_kind == "independent"
    s2 = t.select(objectives=["time", "err"])
    assert s2.default_objectives == ("time",)
    np.testing.assert_array_equal(s2.reference_point(), [40.0, 30.0])


def _lcdb_like(root):
    """One dataset, 6 learners, one seed, 4 anchors (16, 23, 32, 45), fit times per anchor."""
    rng = np.random.default_rng(0)
    sizes = [16, 23, 32, 45]
    rows = [
        (7, lrn, s, 0, 0, float(rng.uniform(1, 10)), 9000, 5000 + 100 * lrn + 10 * k, 5000)
        for lrn in range(6)
        for k, s in enumerate(sizes)
    ]
    a = np.array(rows, dtype=np.float64)
    z = {
        "learners": np.array([f"l{i}" for i in range(6)]),
        "openmlid": a[:, 0].astype(np.int32),
        "learner": a[:, 1].astype(np.int8),
        "size_train": a[:, 2].astype(np.int32),
        "size_test": np.full(len(a), 10, np.int32),
        "outer_seed": a[:, 3].astype(np.int8),
        "inner_seed": a[:, 4].astype(np.int8),
        "traintime": a[:, 5].astype(np.float32),
        "score_train": a[:, 6].astype(np.uint16),
        "score_valid": a[:, 7].astype(np.uint16),
        "score_test": a[:, 8].astype(np.uint16),
    }
    (root / "lcdb").mkdir(parents=True, exist_ok=True)
    np.savez(root / "lcdb" / "lcdb_accuracy.npz", **z)


def test_lcdb_is_simulated_with_independent_fidelities(tmp_path):
    _lcdb_like(tmp_path)
    t = select_task(load_lcdb(tmp_path), 0)
    assert t.fidelity_kind == "independent" and not t.time_cumulative
    assert "resumable" not in t.metadata
    sim = make_simulator(t, method="random", n_workers=1, budget=1e4)
    df = sim.to_frame(sim.run(jax.random.key(0), sim.data))
    assert len(df) == 6  # every learner once, at the largest anchor
    fit = t.values[0, :, 0, :, t.objective_index("train_time")].astype(np.float64)  # [C, F]
    c, f = df["config"].to_numpy(), df["fidelity_index"].to_numpy()
    assert (f == t.n_fidelities - 1).all()
    dt = np.diff(df["time"].to_numpy(), prepend=0.0)
    # one fit at the largest anchor costs that fit's time, not the sum over the anchors
    np.testing.assert_allclose(dt, fit[c, f], rtol=1e-5)
    assert not np.allclose(dt, fit.sum(axis=1)[c], rtol=1e-3)
