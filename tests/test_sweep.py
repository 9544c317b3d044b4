"""``mohb_jax.simulate`` on the real single-seed driver: bit-identity with single-seed runs,
chunking, no recompiles, argument errors, saving (parquet + JSON, Syne Tune export)."""

from __future__ import annotations

import json

import jax
import numpy as np
import pandas as pd
import pytest

import mohb_jax
from mohb_jax._src.tables.table import HardwareCatalog, Table
from mohb_jax.sim import load_results, make_sweep, save_results, simulate, to_syne_tune


def synthetic_table(n_configs: int = 24, seed: int = 0) -> Table:
    """Small hardware-selection table: error falls with fidelity, time ∝ fidelity / speed."""
    rng = np.random.default_rng(seed)
    C, S, F = n_configs, 2, 4
    fid = np.array([1.0, 2.0, 4.0, 8.0])
    lr = rng.uniform(-4, -1, C)
    machine = rng.integers(0, 2, C)  # 0: small, 1: big (2x faster, 3x the price)
    quality = np.abs(lr + 2.5) / 1.5  # best lr near 10**-2.5
    err = 0.1 + 0.5 * quality[:, None, None] + 0.3 / fid[None, None, :]
    err = err + rng.normal(0, 0.01, (C, S, F))
    speed = np.where(machine == 1, 2.0, 1.0)
    t = 10.0 * fid[None, None, :] / speed[:, None, None] * rng.uniform(0.9, 1.1, (C, S, 1))
    values = np.stack([-(1 - err), t], axis=-1)[None]  # acc stored negated (max)
    price = np.where(machine == 1, 3.0, 1.0)
    cat = pd.DataFrame({"machine": ["small", "big"], "price_per_hour": [1.0, 3.0]})
    return Table(
        name="synthetic",
        values=values,
        mask=np.ones((1, C, S, F), bool),
        configs=pd.DataFrame({"lr": 10.0**lr, "machine": np.where(machine == 1, "big", "small")}),
        encoded=np.stack([lr, machine], 1).astype(np.float32),
        fidelities=fid,
        fidelity_name="epoch",
        objectives=("acc", "time_s"),
        directions=("max", "min"),
        tasks=("synth",),
        time_objective="time_s",
        hardware=HardwareCatalog(columns=("machine",), price_per_hour=price, catalog=cat),
        metadata={"default_objectives": ["acc", "time_s"]},
    )


@pytest.fixture(scope="module")
def table():
    return synthetic_table()


BUDGET = 120.0  # simulated seconds: ~ a dozen full evaluations with 2 workers


@pytest.fixture(scope="module")
def epsnet_sweep(table):
    """One compiled epsnet sweep (chunks of 2 seeds) shared by several tests."""
    return make_sweep(table, method="epsnet", n_workers=2, budget=BUDGET, chunk_size=2)


@pytest.mark.parametrize(
    "method, batch",
    [
        ("epsnet", "auto"),  # "map" on CPU
        ("random", "vmap"),
        pytest.param("epsnet", "vmap", marks=pytest.mark.slow),
        pytest.param("scalarize", "map", marks=pytest.mark.slow),
        pytest.param("crowding", "vmap", marks=pytest.mark.slow),
        pytest.param("single", 2, marks=pytest.mark.slow),
    ],
)
def test_batched_equals_single_seed(table, epsnet_sweep, method, batch):
    seeds = [0, 1, 5, 17, 123]
    if method == "epsnet" and batch == "auto":
        sw = epsnet_sweep
    else:
        sw = make_sweep(table, method=method, n_workers=2, budget=BUDGET, chunk_size=2, batch=batch)
    n0 = sw.n_traces
    df = sw.frame(seeds, progress=False)
    assert sw.n_traces == max(n0, 1)  # 3 chunks of 2 (last padded): one compilation
    assert len(sw._compiled) == 1  # one executable, compiled ahead of time
    assert set(df["seed"]) == set(seeds)
    for s in seeds:
        out = sw.sim.run(jax.random.key(s), sw.sim.data)  # the single-seed run
        ref = sw.sim.to_frame(out, seed=s)
        got = df[df["seed"] == s].reset_index(drop=True)
        assert len(got) == len(ref) > 0
        for c in ref.columns:
            np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(), err_msg=c)
    # different seeds give different runs
    a, b = (df[df["seed"] == s][["config", "time"]].to_numpy() for s in (0, 1))
    assert a.shape != b.shape or not np.array_equal(a, b)


def test_chunking_and_batching_do_not_change_results(table, epsnet_sweep):
    seeds = range(7)
    a = epsnet_sweep.frame(seeds, progress=False)  # chunks of 2, lax.map on CPU
    b = simulate(
        table,
        method="epsnet",
        seeds=seeds,
        n_workers=2,
        budget=BUDGET,
        chunk_size=7,
        batch="vmap",
        progress=False,
    )
    a.attrs = b.attrs = {}
    pd.testing.assert_frame_equal(a, b)


def test_frame_schema_and_metadata(table, epsnet_sweep):
    df = epsnet_sweep.frame("3:6", progress=False)
    for c in [
        "benchmark",
        "task",
        "method",
        "seed",
        "trial",
        "config",
        "bracket",
        "rung",
        "fidelity_index",
        "fidelity",
        "lr",
        "machine",
        "acc",
        "time_s",
        "time",
        "cost",
        "worker",
        "decision",
    ]:
        assert c in df.columns, c
    assert (df["benchmark"] == "synthetic").all() and (df["method"] == "epsnet").all()
    assert sorted(df["seed"].unique()) == [3, 4, 5]
    assert (df["time"] <= BUDGET).all()
    assert (df["acc"] > 0).all()  # original units and direction
    for _, g in df.groupby("seed"):
        assert np.all(np.diff(g["time"].to_numpy()) >= 0)  # arrival order
        assert np.all(np.diff(g["cost"].to_numpy()) >= 0)  # cumulative
    cfg = table.configs.iloc[df["config"].to_numpy()]
    np.testing.assert_array_equal(df["machine"].to_numpy(), cfg["machine"].to_numpy())
    meta = df.attrs["mohb_jax"]
    assert meta["objectives"] == ["acc", "time_s"] and meta["directions"] == ["max", "min"]
    assert meta["seeds"] == [3, 4, 5] and meta["n_workers"] == 2 and meta["budget"] == BUDGET
    assert len(meta["reference_point"]) == 2


def test_save_load_and_syne_tune_export(epsnet_sweep, tmp_path):
    df = epsnet_sweep.frame(2, progress=False)
    pq = save_results(df, tmp_path / "res")
    assert pq.exists() and pq.with_suffix(".json").exists()
    back = load_results(tmp_path / "res")
    meta = json.loads(pq.with_suffix(".json").read_text())
    assert meta["seeds"] == [0, 1] and meta["versions"]["jax"] == jax.__version__
    assert back.attrs["mohb_jax"]["reference_point"] == df.attrs["mohb_jax"]["reference_point"]
    b2, d2 = back.copy(), df.copy()
    b2.attrs = d2.attrs = {}
    pd.testing.assert_frame_equal(b2, d2, check_categorical=False)
    exps = to_syne_tune(df, tmp_path / "st")
    assert sorted(exps) == ["mohb-jax-epsnet-0", "mohb-jax-epsnet-1"]
    st = pd.read_csv(tmp_path / "st" / "mohb-jax-epsnet-0" / "results.csv.zip")
    for c in [
        "trial_id",
        "st_tuner_time",
        "st_decision",
        "epoch",
        "acc",
        "time_s",
        "config_lr",
        "config_machine",
    ]:
        assert c in st.columns, c
    assert set(st["st_decision"]) <= {"CONTINUE", "STOP", "PAUSE"}
    one = df[df["seed"] == 0]
    np.testing.assert_allclose(st["st_tuner_time"], one["time"])
    md = json.loads((tmp_path / "st" / "mohb-jax-epsnet-0" / "metadata.json").read_text())
    assert md["metric_names"] == ["acc", "time_s"] and md["metric_mode"] == ["max", "min"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "nope"}, "unknown method"),
        ({"budget": 0}, "budget"),
        ({"budget": -5.0}, "budget"),
        ({"seeds": [-1]}, "seeds"),
        ({"seeds": [2**33]}, "seeds"),
        ({"objectives": ["acc", "flops"]}, "unknown objective"),
        ({"task": "imagenet"}, "unknown task"),
        ({"n_workers": 0}, "n_workers"),
    ],
)
def test_bad_arguments(table, kwargs, match):
    args = dict(method="epsnet", seeds=2, n_workers=2, budget=BUDGET, progress=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(table, **args)


def test_unknown_benchmark_name():
    with pytest.raises(ValueError, match="unknown benchmark"):
        mohb_jax.simulate("no_such_table", seeds=1, budget=10.0)


@pytest.mark.data
@pytest.mark.slow
def test_trimtuner_sweep_runs(data_dir):
    df = simulate("trimtuner_cnn", method="epsnet", seeds=3, budget="30x", progress=False)
    assert (df["time"] <= df.attrs["mohb_jax"]["budget"]).all()
    assert df["cost"].notna().all() and (df["cost"] > 0).all()
    assert {"vm_flavor", "learning_rate", "acc", "cost_usd"} <= set(df.columns)
