"""The TrimTuner tables that ship in the package, and HyperJump's time-budget tables.

Oracles: the raw rows (pandas on the packaged parquet or on the release csv), the release's own
dollar-cost column, and the packaged sidecar's provenance.
"""

from __future__ import annotations

import hashlib
import json

import jax
import numpy as np
import pandas as pd
import pytest

from mohb_jax import tables
from mohb_jax._src.sim.driver import make_simulator
from mohb_jax._src.tables.sources import trimtuner as tt


@pytest.fixture(scope="module")
def cnn():
    return tables.load_benchmark("trimtuner_cnn", cache=False)


def test_loads_without_any_data_directory(tmp_path):
    spec = tables.get_benchmark_spec("trimtuner_cnn")
    assert not spec.needs_data and spec.data_folder is None
    t = tables.load_benchmark("trimtuner_cnn", data_dir=tmp_path / "nowhere", cache=False)
    assert t.values.shape == (1, 288, 1, 5, 3) and t.mask.all()
    assert tables.list_benchmarks().set_index("name").loc["trimtuner_rnn", "needs_data"] == False  # noqa: E712


def test_packaged_files_small_with_licence_and_citation():
    pq, js = tt.packaged_paths()
    assert pq.stat().st_size < 300_000  # a few hundred KB at most
    lic = (pq.parent / "LICENSE-trimtuner").read_text()
    assert "MIT License" in lic and "Copyright (c) 2020 TrimTuner" in lic and "MASCOTS 2020" in lic
    meta = json.loads(js.read_text())
    assert "TrimTuner" in meta["citation"] and meta["license"].startswith("MIT")
    assert meta["n_rows"] == len(pd.read_parquet(pq)) == 2 * 288 * 5


def test_table_matches_raw_rows(cnn):
    raw = pd.read_parquet(tt.packaged_paths()[0])
    raw = raw[raw["model"] == "cnn"]
    cfg = cnn.configs.reset_index().merge(raw, on=tt.TRIMTUNER_HP)
    assert len(cfg) == len(raw) == 288 * 5
    f = np.searchsorted(cnn.fidelities, cfg["training_set_size"].to_numpy())
    v = cnn.values[0, cfg["index"].to_numpy(), 0, f]
    np.testing.assert_allclose(-v[:, 0], cfg["acc"], rtol=1e-6)
    np.testing.assert_allclose(v[:, 1], cfg["training_time_s"], rtol=1e-6)
    # our cost (time x setup $/h) reproduces the release's own cost column
    np.testing.assert_allclose(v[:, 2], cfg["cost_usd"], rtol=2e-3)
    hw = cnn.hardware.catalog
    assert len(hw) == 4 * 6 and set(hw["vm_flavor"]) == {"t2.small", "t2.medium", "t2.xlarge",
                                                        "t2.2xlarge"}  # fmt: skip
    assert cnn.fidelity_kind == "independent"
    assert cnn.default_objectives == ("acc", "training_time_s", "cost_usd")


@pytest.mark.parametrize("model", ["cnn", "rnn"])
def test_packaged_equals_release(model, data_dir):
    a, b = tt.load_trimtuner(model), tt.load_trimtuner(model, data_dir)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.mask, b.mask)
    pd.testing.assert_frame_equal(a.configs, b.configs)
    np.testing.assert_array_equal(a.encoded, b.encoded)
    np.testing.assert_array_equal(a.fidelities, b.fidelities)
    np.testing.assert_array_equal(a.ref_point, b.ref_point)
    np.testing.assert_array_equal(a.hardware.price_per_hour, b.hardware.price_per_hour)
    pd.testing.assert_frame_equal(a.hardware.catalog, b.hardware.catalog)
    assert (a.objectives, a.fidelity_kind, a.default_objectives) == (
        b.objectives, b.fidelity_kind, b.default_objectives)  # fmt: skip
    src = data_dir / "cloud_tf_mnist" / "trimtuner_runs.csv.gz"
    meta = json.loads(tt.packaged_paths()[1].read_text())
    assert meta["source"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()


def test_simulates_from_the_package(cnn):
    sim = make_simulator(cnn, method="moasha", n_workers=4, budget=2000.0)
    df = sim.to_frame(sim.run(jax.random.key(0), sim.data))
    assert len(df) > 10 and df["cost"].is_monotonic_increasing and df["cost"].iloc[-1] > 0


# ---- HyperJump time-budget tables (need the shared data) --------------------------------------
def test_hyperjump_unet(data_dir):
    t = tables.load_benchmark("hyperjump_unet", data_dir, cache=False)
    raw = pd.read_csv(data_dir / "hyperjump" / "unet.csv.gz")
    assert t.values.shape == (1, 99, 1, 9, 3) and t.mask.all()
    assert t.fidelities.tolist() == sorted(raw["time_budget_s"].unique().astype(float))
    assert t.fidelity_kind == "resumable" and t.time_cumulative
    cat = t.hardware.catalog.set_index(["flavor", "n_workers"])["price_per_hour"]
    assert cat.to_dict() == {("intel14_v1", 1): 1.14, ("intel14_v1", 2): 2.28,
                             ("intel14_v2", 1): 1.204, ("intel14_v2", 2): 2.176}  # fmt: skip
    # every raw row (both budget grids) lands in its cell, the cost reproduces the release's
    ids = t.metadata["config_id"]
    c = np.searchsorted(ids, raw["config_id"].to_numpy(), sorter=np.argsort(ids))
    c = np.argsort(ids)[c]
    f = np.searchsorted(t.fidelities, raw["time_budget_s"].to_numpy())
    v = t.values[0, c, 0, f]
    np.testing.assert_allclose(-v[:, 0], raw["acc"], rtol=1e-6)
    np.testing.assert_allclose(v[:, 1], raw["time_s"], rtol=1e-6)
    np.testing.assert_allclose(v[:, 2], raw["cost_usd"], rtol=1e-4)
    assert t.metadata["budget_grids"]["eta3"] == [222.0, 666.0, 2000.0, 6000.0, 18000.0]


def test_hyperjump_cnn(data_dir):
    t = tables.load_benchmark("hyperjump_cnn", data_dir, cache=False)
    assert t.values.shape == (1, 288, 1, 9, 3) and t.mask.all()
    np.testing.assert_array_equal(t.values[0, :, 0, :, 1], np.broadcast_to(t.fidelities, (288, 9)))
    raw = pd.read_csv(data_dir / "cloud_tf_mnist" / "hyperjump_cnn_timebudget.csv.gz")
    top = raw[raw["time_budget_s"] == 600].drop_duplicates(tt.TRIMTUNER_HP)
    m = t.configs.reset_index().merge(top, on=tt.TRIMTUNER_HP)
    assert len(m) == 288
    np.testing.assert_allclose(-t.values[0, m["index"], 0, -1, 0], m["acc"], rtol=1e-6)
    np.testing.assert_allclose(t.values[0, m["index"], 0, -1, 2], m["cost_usd"], rtol=1e-4)
