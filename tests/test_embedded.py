"""The embedded table: shipped files, loader, registry entry, and the generator in ``tools/``.

Oracles are independent of the loader: the raw parquet read with pandas (cumulative sums,
prices, counts), the sidecar JSON, and scikit-learn's own dataset sizes.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mohb_jax._src.tables.sources import embedded as emb

REPO = Path(__file__).resolve().parents[1]


def _load_generator():
    """``tools/make_embedded_table.py`` (outside the installed package) as a module."""
    spec = importlib.util.spec_from_file_location(
        "make_embedded_table", REPO / "tools" / "make_embedded_table.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = _load_generator()


@pytest.fixture(scope="module")
def shipped():
    pq, js = emb.default_paths()
    return pd.read_parquet(pq), json.loads(js.read_text())


@pytest.fixture(scope="module")
def table():
    return emb.load_embedded()


# ---- the shipped files ----------------------------------------------------------------------
def test_shipped_files_are_in_the_package_and_small():
    pq, js = emb.default_paths()
    assert pq.is_file() and js.is_file()
    # inside the installed package, not in ../shared/data
    assert pq.parent.name == "data" and pq.parent.parent.name == "mohb_jax"
    assert pq.stat().st_size < 5 * 2**20, "the embedded table must stay a few MB at most"


def test_shipped_schema_and_sizes(shipped):
    long, meta = shipped
    assert list(long.columns) == list(emb.LONG_COLUMNS)
    T, S = len(meta["task_order"]), len(meta["seeds"])
    H, F = len(meta["hardware"]["settings"]), len(meta["fidelity"]["values"])
    C = len(meta["configs"]) * H
    assert T >= 3 and C >= 100 and S >= 3 and F >= 10
    assert len(long) == T * C * S * F
    assert not long.duplicated(["task", "config_id", "seed", "epoch"]).any()
    assert long[list(emb.OBJECTIVES)].notna().all().all()


def test_table_shapes_and_masks(table, shipped):
    long, meta = shipped
    T, S = len(meta["task_order"]), len(meta["seeds"])
    C = len(meta["configs"]) * len(meta["hardware"]["settings"])
    F = len(meta["fidelity"]["values"])
    assert table.name == "embedded"
    assert table.values.shape == (T, C, S, F, len(emb.OBJECTIVES))
    assert table.mask.shape == (T, C, S, F) and table.mask.all()
    assert table.tasks == tuple(meta["task_order"])
    np.testing.assert_array_equal(table.fidelities, np.arange(1, F + 1))
    assert table.fidelity_name == "epoch"
    assert table.time_objective == "time_s" and table.time_cumulative
    assert set(table.default_objectives) <= set(table.objectives)
    assert table.metadata["surrogate"] is False
    assert table.encoded.shape[0] == C and np.all((table.encoded >= 0) & (table.encoded <= 1))


def test_values_match_the_raw_rows(table, shipped):
    long, meta = shipped
    rng = np.random.default_rng(0)
    rows = long.iloc[rng.choice(len(long), size=300, replace=False)]
    seeds = meta["seeds"]
    for _, r in rows.iterrows():
        t = table.tasks.index(r["task"])
        c, s, f = int(r["config_id"]), seeds.index(int(r["seed"])), int(r["epoch"]) - 1
        for m, o in enumerate(table.objectives):
            np.testing.assert_allclose(table.values[t, c, s, f, m], r[o], rtol=1e-6)
    # configs: row config_id is hp_id's hyperparameters under the config's hardware setting
    H = len(meta["hardware"]["settings"])
    hp = pd.DataFrame(meta["configs"]).set_index("hp_id")
    for c in rng.choice(table.n_configs, size=20, replace=False):
        row = table.configs.iloc[c]
        assert row["n_threads"] == meta["hardware"]["settings"][c % H]["n_threads"]
        for k in emb.HP_COLUMNS:
            np.testing.assert_allclose(row[k], hp.loc[c // H, k])


def test_same_configs_on_every_task(shipped):
    long, meta = shipped
    # transfer needs the same configurations on every task
    per_task = {
        t: g.drop_duplicates("config_id").set_index("config_id")[list(emb.HP_COLUMNS)]
        for t, g in long.groupby("task", observed=True)
    }
    first = next(iter(per_task.values()))
    for g in per_task.values():
        pd.testing.assert_frame_equal(g.sort_index(), first.sort_index())
    # and they are the documented fixed sample
    regen = gen.sample_configs(meta["n_hp_configs"], meta["config_sample_seed"])
    np.testing.assert_allclose(
        pd.DataFrame(meta["configs"]).set_index("hp_id")[list(emb.HP_COLUMNS)].to_numpy(float),
        regen[list(emb.HP_COLUMNS)].to_numpy(float),
    )


def test_time_is_cumulative_and_nondecreasing(table, shipped):
    long, _ = shipped
    t = table.values[..., table.objective_index("time_s")]
    assert np.all(t > 0)
    assert np.all(np.diff(t, axis=-1) >= 0)
    # the oracle: cumulative sum of the measured per-epoch times, recomputed here
    srt = long.sort_values(["task", "config_id", "seed", "epoch"])
    cum = srt.groupby(["task", "config_id", "seed"], observed=True)["epoch_time_s"].cumsum()
    np.testing.assert_allclose(srt["time_s"].to_numpy(), cum.to_numpy(), rtol=1e-9)
    assert (long["epoch_time_s"] > 0).all()


def test_cost_is_time_times_price(table, shipped):
    long, meta = shipped
    prices = {h["n_threads"]: h["price_per_hour"] for h in meta["hardware"]["settings"]}
    # the prices are the documented public ones
    for nt, p in prices.items():
        assert p == gen.HARDWARE[nt]["price_per_hour"]
        assert p == pytest.approx(0.0408 * gen.HARDWARE[nt]["n_vcpu"])
    expect = long["time_s"] * long["n_threads"].map(prices) / 3600.0
    np.testing.assert_allclose(long["cost_usd"], expect, rtol=1e-12)
    # the Table's hardware catalog prices every config consistently
    hw = table.hardware
    assert hw is not None and hw.columns == ("n_threads",)
    np.testing.assert_allclose(hw.price_per_hour, table.configs["n_threads"].map(prices))
    ti, ci = table.objective_index("time_s"), table.objective_index("cost_usd")
    np.testing.assert_allclose(
        table.values[..., ci],
        table.values[..., ti] * hw.price_per_hour[None, :, None, None] / 3600.0,
        rtol=1e-5,
    )


def test_errors_are_counts_over_the_validation_set(table, shipped):
    long, meta = shipped
    err = table.values[..., table.objective_index("val_error")]
    assert np.all((err >= 0) & (err <= 1))
    assert np.all(table.values[..., table.objective_index("val_logloss")] >= 0)
    for task in table.tasks:
        n_val = meta["tasks"][task]["n_val"]
        # oracle: scikit-learn's dataset size and the documented split fraction
        _, _, xva, _ = gen.load_task_arrays(task, 0)
        assert n_val == len(xva)
        k = long.loc[long["task"] == task, "val_error"].to_numpy(np.float64) * n_val
        np.testing.assert_allclose(k, np.round(k), atol=1e-3)


def test_reference_point_is_worse_than_every_value(table):
    ref = np.asarray(table.ref_point)
    assert ref.shape == (table.n_objectives,)
    assert np.all(table.values <= ref)
    assert ref[table.objective_index("val_error")] == 1.0


# ---- the table is real ----------------------------------------------------------------------
def test_training_longer_lowers_the_error_for_reasonable_learning_rates(table):
    lr = table.configs["learning_rate"].to_numpy()
    ok = (lr >= 1e-3) & (lr <= 3e-2)
    assert ok.sum() >= 10
    e = table.values[:, ok][..., table.objective_index("val_error")]  # [T, c, S, F]
    first, last = e[..., 0].mean(axis=(1, 2)), e[..., -1].mean(axis=(1, 2))
    assert np.all(last < first), (first, last)
    # and the data are learnable: the best final error per task is far below chance
    best = table.values[..., -1, table.objective_index("val_error")].mean(axis=2).min(axis=1)
    assert np.all(best < 0.2), best


def test_hardware_settings_were_really_timed(table, shipped, capsys):
    long, _ = shipped
    # the same (task, hp, seed, epoch) run under each setting: timings are separate measurements
    piv = long.pivot_table(
        index=["task", "hp_id", "seed", "epoch"], columns="n_threads", values="epoch_time_s"
    )
    assert piv.notna().all().all()
    assert not np.allclose(piv[1].to_numpy(), piv[2].to_numpy())
    ratio = float(np.median(piv[2] / piv[1]))
    with capsys.disabled():
        print(f"\n[embedded] median epoch-time ratio 2 threads / 1 thread: {ratio:.3f}")
    assert 0.05 < ratio < 20  # a sanity bound only: noise on a shared machine can flip it
    # the training computation itself does not depend on the setting (same data, init, order)
    e = long.pivot_table(
        index=["task", "hp_id", "seed", "epoch"], columns="n_threads", values="val_error"
    )
    assert np.mean(np.isclose(e[1], e[2], atol=1e-6)) > 0.9


def test_one_core_setting_never_used_more_cpu_than_wall_time(shipped):
    long, _ = shipped
    one = long[long["n_threads"] == 1]
    assert (long["epoch_cpu_s"] > 0).all()
    # pinned to one core, the process (all its threads) cannot burn more CPU than wall time
    assert (one["epoch_cpu_s"] <= one["epoch_time_s"] + 1e-4).all()


def test_loadavg_is_recorded(shipped):
    long, meta = shipped
    assert (long["loadavg_1m"] >= 0).all()
    assert len(meta["blocks"]) == len(meta["task_order"]) * len(meta["hardware"]["settings"])
    for b in meta["blocks"]:
        assert len(b["loadavg_before"]) == 3 and b["wall_s"] > 0


# ---- registry ---------------------------------------------------------------------------------
def test_registered_as_embedded(table, tmp_path, monkeypatch):
    from mohb_jax._src.tables.registry import list_benchmarks, load_benchmark

    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MOHB_JAX_DATA", str(tmp_path))  # no shared data needed
    lb = list_benchmarks().set_index("name")
    assert lb.loc["embedded", "n_configs"] == table.n_configs
    assert list(lb.loc["embedded", "tasks"]) == list(table.tasks)
    t2 = load_benchmark("embedded", cache=False)
    np.testing.assert_array_equal(t2.values, table.values)
    assert t2.tasks == table.tasks


# ---- bad input --------------------------------------------------------------------------------
def _copy_shipped(tmp_path: Path) -> Path:
    pq, js = emb.default_paths()
    shutil.copy(pq, tmp_path / pq.name)
    shutil.copy(js, tmp_path / js.name)
    return tmp_path / pq.name


def test_loader_rejects_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        emb.load_embedded(path=tmp_path / "nope.parquet")
    p = _copy_shipped(tmp_path)
    long = pd.read_parquet(p)
    bad = long.copy()
    bad.loc[5, "val_error"] = np.nan
    bad.to_parquet(p)
    with pytest.raises(ValueError, match="non-finite"):
        emb.load_embedded(path=p)
    bad = long.copy()
    bad.loc[5, "n_threads"] = 99
    bad.to_parquet(p)
    with pytest.raises(ValueError, match="n_threads"):
        emb.load_embedded(path=p)
    long.drop(index=[7]).to_parquet(p)
    with pytest.raises(ValueError, match="missing cells"):
        emb.load_embedded(path=p)
    long.drop(columns=["cost_usd"]).to_parquet(p)
    with pytest.raises(ValueError, match="missing columns"):
        emb.load_embedded(path=p)


def test_generator_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="unknown or no task"):
        gen.generate(tmp_path, tasks=("mnist",))
    with pytest.raises(ValueError, match="unknown hardware"):
        gen.generate(tmp_path, threads=(3,))
    with pytest.raises(ValueError, match="n_epochs"):
        gen.generate(tmp_path, n_epochs=0)
    with pytest.raises(ValueError, match="seeds"):
        gen.generate(tmp_path, seeds=(1, 1))
    with pytest.raises(ValueError, match="at least 1"):
        gen.sample_configs(0)
    with pytest.raises(ValueError, match="unknown task"):
        gen.load_task_arrays("mnist", 0)


def test_sample_configs_in_space_and_deterministic():
    a, b = gen.sample_configs(200, 3), gen.sample_configs(200, 3)
    pd.testing.assert_frame_equal(a, b)
    for name, spec in gen.HP_SPACE.items():
        if spec["type"] == "choice":
            assert set(a[name]) <= set(spec["values"])
        else:
            assert a[name].between(spec["low"], spec["high"]).all()


# ---- the generator, end to end on a tiny setting ----------------------------------------------
@pytest.mark.slow
def test_generator_end_to_end_tiny(tmp_path, shipped):
    pq, js = gen.generate(
        tmp_path, tasks=("iris",), n_configs=2, seeds=(0,), n_epochs=2, threads=(1,), verbose=False
    )
    long = pd.read_parquet(pq)
    meta = json.loads(js.read_text())
    assert list(long.columns) == list(shipped[0].columns)
    assert isinstance(long["task"].dtype, pd.CategoricalDtype)
    assert list(long.dtypes)[1:] == list(shipped[0].dtypes)[1:]
    assert len(long) == 1 * 2 * 1 * 2
    assert (long["epoch_time_s"] > 0).all() and long["val_error"].between(0, 1).all()
    assert meta["blocks"][0]["affinity"] == gen.HARDWARE[1]["cpus"]
    t = emb.load_embedded(path=pq)
    assert t.values.shape == (1, 2, 1, 2, 4) and t.mask.all()
