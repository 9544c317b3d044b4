"""Tests of mohb_jax.tables: frame round trips, masks, directions, costs, encoding, fronts,
registry, cache, the Syne Tune layout, and the real tables' known facts.

Oracles are independent of the code under test: pandas groupby / direct indexing of the input
frame, brute-force O(N²) dominance in numpy, the raw source files.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mohb_jax import tables
from mohb_jax.tables import HardwareSpec, Table

REPO = Path(__file__).resolve().parents[1]


# ---- helpers ----------------------------------------------------------------------------------
def brute_pareto(y: np.ndarray) -> np.ndarray:
    """Non-dominated rows by O(N²) brute force (duplicates do not dominate each other)."""
    le = (y[:, None, :] <= y[None, :, :]).all(-1)
    lt = (y[:, None, :] < y[None, :, :]).any(-1)
    dom = le & lt  # dom[i, j]: i dominates j
    return ~dom.any(axis=0)


def make_frame(seed=0, n_tasks=2, n_cfg=6, seeds=(3, 7), fids=(1, 3, 9), drop=0.2):
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_tasks):
        for c in range(n_cfg):
            for s in seeds:
                for f in fids:
                    rows.append(
                        {
                            "task": f"t{t}",
                            "lr": 10.0 ** -(c % 4),
                            "act": ["relu", "tanh"][c % 2],
                            "units": 16 * (1 + c // 2),
                            "hw": ["small", "big"][c % 2],
                            "seed": s,
                            "epoch": f,
                            "acc": rng.random(),
                            "time": float(f * (c + 1) + rng.random()),
                        }
                    )
    df = pd.DataFrame(rows)
    keep = rng.random(len(df)) >= drop
    return df[keep].reset_index(drop=True)


CFG = ["lr", "act", "units", "hw"]


def from_frame(df, **kw):
    args = dict(
        config_columns=CFG,
        fidelity_column="epoch",
        objectives={"acc": "max", "time": "min"},
        seed_column="seed",
        task_column="task",
        time_objective="time",
        name="toy",
    )
    args.update(kw)
    return Table.from_frame(df, **args)


def assert_tables_equal(a: Table, b: Table):
    assert a.name == b.name
    np.testing.assert_array_equal(a.values, b.values)  # NaN == NaN here
    assert a.values.dtype == b.values.dtype
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.encoded, b.encoded)
    np.testing.assert_array_equal(a.fidelities, b.fidelities)
    pd.testing.assert_frame_equal(a.configs, b.configs)
    for f in ("objectives", "directions", "tasks", "fidelity_name", "time_objective"):
        assert getattr(a, f) == getattr(b, f), f
    assert a.time_cumulative == b.time_cumulative
    assert (a.hardware is None) == (b.hardware is None)
    if a.hardware is not None:
        np.testing.assert_array_equal(a.hardware.price_per_hour, b.hardware.price_per_hour)
        pd.testing.assert_frame_equal(a.hardware.catalog, b.hardware.catalog)
        assert a.hardware.columns == b.hardware.columns
        assert a.hardware.source == b.hardware.source
    assert_same(a.metadata, b.metadata, "metadata")


def assert_same(x, y, where):
    """Recursive equality with types (arrays: dtype + values, NaN == NaN)."""
    assert type(x) is type(y), f"{where}: {type(x)} vs {type(y)}"
    if isinstance(x, np.ndarray):
        assert x.dtype == y.dtype, where
        np.testing.assert_array_equal(x, y, err_msg=where)
    elif isinstance(x, dict):
        assert list(x) == list(y), where
        for k in x:
            assert_same(x[k], y[k], f"{where}.{k}")
    elif isinstance(x, (list, tuple)):
        assert len(x) == len(y), where
        for i, (u, v) in enumerate(zip(x, y, strict=True)):
            assert_same(u, v, f"{where}[{i}]")
    elif isinstance(x, float) and np.isnan(x):
        assert np.isnan(y), where
    else:
        assert x == y, where


# ---- frame -> table -> frame ------------------------------------------------------------------
@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    drop=st.sampled_from([0.0, 0.3, 0.7]),
    n_tasks=st.integers(1, 3),
    n_cfg=st.integers(1, 7),
)
def test_frame_round_trip(seed, drop, n_tasks, n_cfg):
    df = make_frame(seed, n_tasks=n_tasks, n_cfg=n_cfg, drop=drop)
    if df.empty:
        return
    t = from_frame(df)
    out = t.to_frame()
    assert len(out) == len(df) == int(t.mask.sum())
    key = ["task", *CFG, "seed", "epoch"]
    a = df.sort_values(key).reset_index(drop=True)
    b = out.sort_values(key).reset_index(drop=True)
    for k in key:  # labels equal (fidelities come back as float64)
        if k == "epoch":
            np.testing.assert_array_equal(b[k].to_numpy(), a[k].to_numpy(dtype=float))
        else:
            assert b[k].tolist() == a[k].tolist(), k
    np.testing.assert_allclose(b["acc"], a["acc"], rtol=1e-6)  # float32 storage
    np.testing.assert_allclose(b["time"], a["time"], rtol=1e-6)
    # max objective is stored negated, min as is
    t_i, c_i, s_i, f_i = np.nonzero(t.mask)
    np.testing.assert_allclose(t.values[t_i, c_i, s_i, f_i, 0], -out["acc"].to_numpy(), rtol=1e-6)
    # a second trip is exact
    t2 = from_frame(out, name="toy")
    np.testing.assert_array_equal(t2.values, t.values)
    np.testing.assert_array_equal(t2.mask, t.mask)


def test_missing_entries_are_masked_and_nan():
    df = make_frame(1, drop=0.0)
    gone = (df.task == "t1") & (df.units == 32) & (df.act == "tanh") & (df.epoch == 9)
    t = from_frame(df[~gone])
    c = int(np.flatnonzero((t.configs.units == 32) & (t.configs.act == "tanh"))[0])
    ti, fi = t.tasks.index("t1"), int(np.flatnonzero(t.fidelities == 9)[0])
    assert not t.mask[ti, c, :, fi].any()
    assert np.isnan(t.values[ti, c, :, fi]).all()
    assert t.mask.sum() == (~gone).sum()
    assert t.metadata["fill_fraction"] == pytest.approx((~gone).sum() / t.mask.size)


def test_fidelity_union_grid_per_task():
    df = make_frame(2, n_tasks=2, drop=0.0)
    df.loc[df.task == "t1", "epoch"] *= 2  # t1 uses {2, 6, 18}
    t = from_frame(df)
    np.testing.assert_array_equal(t.fidelities, [1, 2, 3, 6, 9, 18])
    t0, t1 = t.tasks.index("t0"), t.tasks.index("t1")
    assert t.mask[t0][..., [0, 2, 4]].all() and not t.mask[t0][..., [1, 3, 5]].any()
    assert t.mask[t1][..., [1, 3, 5]].all() and not t.mask[t1][..., [0, 2, 4]].any()


def test_duplicates_error_and_mean():
    df = make_frame(3, drop=0.0)
    dup = df.iloc[[0, 5]].copy()
    dup["acc"] = dup["acc"] + 0.5
    both = pd.concat([df, dup], ignore_index=True)
    with pytest.raises(ValueError, match="duplicates='mean'"):
        from_frame(both)
    t = from_frame(both, duplicates="mean")
    assert t.metadata["n_duplicates_averaged"] == 2
    key = ["task", *CFG, "seed", "epoch"]
    want = both.groupby(key, as_index=False)[["acc", "time"]].mean()
    got = t.to_frame()
    m = want.merge(got, on=key, suffixes=("_w", "_g"))
    assert len(m) == len(want)
    np.testing.assert_allclose(m.acc_g, m.acc_w, rtol=1e-6)


@pytest.mark.parametrize(
    "mutate, kw, match",
    [
        (lambda d: d.assign(acc=d.acc.astype(str)), {}, "must be numeric"),
        (lambda d: d.assign(acc=d.acc > 0.5), {}, "must be numeric"),
        (lambda d: d, {"objectives": {"acc": "maximize"}}, "unknown objective direction"),
        (lambda d: d, {"objectives": {"nope": "min"}}, r"columns \['nope'\]"),
        (lambda d: d, {"objectives": ["acc"]}, "pairs"),
        (lambda d: d.assign(epoch=d.epoch.astype(str)), {}, "fidelity column 'epoch' must be"),
        (lambda d: d.assign(epoch=d.epoch.astype(float).where(d.index > 0)), {}, "NaN or inf"),
        (lambda d: d.iloc[:0], {}, "empty"),
        (lambda d: d, {"time_objective": "acc"}, "must have direction 'min'"),
        (lambda d: d, {"time_objective": "cost"}, "not among"),
        (lambda d: d, {"duplicates": "first"}, "duplicates must be"),
        (lambda d: d, {"config_columns": CFG + ["acc"]}, "distinct"),
        (lambda d: d.assign(seed=d.seed.where(d.index > 0)), {}, "seed column"),
    ],
)
def test_bad_frames(mutate, kw, match):
    df = mutate(make_frame(4, drop=0.0))
    with pytest.raises(ValueError, match=match):
        from_frame(df, **kw)


def test_nonfinite_objectives_error_or_mask():
    df = make_frame(5, drop=0.0)
    df.loc[3, "time"] = np.nan
    df.loc[7, "acc"] = np.inf
    with pytest.raises(ValueError, match="2 rows have NaN/inf"):
        from_frame(df)
    t = from_frame(df, nonfinite="mask")
    assert t.metadata["n_nonfinite_masked"] == 2
    assert t.mask.sum() == len(df) - 2
    assert np.isfinite(t.values[t.mask]).all()


def test_no_task_seed_fidelity_columns():
    df = make_frame(6, n_tasks=1, seeds=(0,), fids=(1,), drop=0.0).drop(
        columns=["task", "seed", "epoch"]
    )
    t = Table.from_frame(
        df, config_columns=CFG, fidelity_column=None, objectives=[("acc", "max"), ("time", "min")]
    )
    assert t.values.shape == (1, len(df), 1, 1, 2)
    assert t.tasks == ("default",) and t.mask.all()


# ---- cost, hardware, selection ----------------------------------------------------------------
PRICES = {"small": 0.5, "big": 2.0}


def test_with_cost_matches_independent_formula():
    df = make_frame(7, drop=0.1)
    hw = HardwareSpec(columns=["hw"], price_per_hour=PRICES, source="test")
    t = from_frame(df, hardware=hw)
    tc = t.with_cost()
    assert tc.objectives[-1] == "cost_usd" and tc.directions[-1] == "min"
    out = tc.to_frame()
    want = out["time"] * out["hw"].map(PRICES) / 3600
    np.testing.assert_allclose(out["cost_usd"], want, rtol=1e-6)
    assert tc.metadata["cost_cumulative"] is True
    assert len(tc.reference_point()) == 3
    # the reference point rule: worst + 10 % of the range, in minimization space
    c = want.to_numpy()
    assert tc.reference_point(["cost_usd"])[0] == pytest.approx(c.max() + 0.1 * np.ptp(c), 1e-5)
    per_step = from_frame(df, hardware=hw, time_cumulative=False).with_cost()
    assert per_step.metadata["cost_cumulative"] is False
    cat = t.hardware.catalog.set_index("hw")["price_per_hour"].to_dict()
    assert cat == PRICES
    with pytest.raises(ValueError, match="already exists"):
        tc.with_cost()
    with pytest.raises(ValueError, match="no hardware catalog"):
        from_frame(df).with_cost()


def test_hardware_spec_callable_and_errors():
    df = make_frame(8, drop=0.0)
    hw = HardwareSpec(
        columns=["hw", "units"],
        price_per_hour=lambda h: h["hw"].map(PRICES).to_numpy() * h["units"] / 16 + 0.1,
        n_instances=lambda h: h["units"] / 16,
    )
    t = from_frame(df, hardware=hw)
    want = t.configs["hw"].map(PRICES) * t.configs["units"] / 16 + 0.1
    np.testing.assert_allclose(t.hardware.price_per_hour, want)
    assert "n_instances" in t.hardware.catalog
    with pytest.raises(ValueError, match="no entry for"):
        from_frame(df, hardware=HardwareSpec(columns=["hw"], price_per_hour={"small": 1.0}))
    with pytest.raises(ValueError, match="not configuration columns"):
        from_frame(df, hardware=HardwareSpec(columns=["gpu"], price_per_hour={}))
    with pytest.raises(ValueError, match="finite and >= 0"):
        from_frame(
            df, hardware=HardwareSpec(columns=["hw"], price_per_hour={"small": -1, "big": 1})
        )


def test_select_slices_and_keeps_reference_point():
    t = from_frame(make_frame(9, n_tasks=3, drop=0.2), hardware=HardwareSpec(["hw"], PRICES))
    s = t.select(task=["t2", "t0"], objectives=["time"], configs=[4, 1], fidelities=[-1])
    np.testing.assert_array_equal(s.values, t.values[[2, 0]][:, [4, 1]][:, :, :, [2]][..., [1]])
    np.testing.assert_array_equal(s.mask, t.mask[[2, 0]][:, [4, 1]][:, :, :, [2]])
    assert s.tasks == ("t2", "t0") and s.objectives == ("time",)
    np.testing.assert_array_equal(s.reference_point(), t.reference_point(["time"]))
    np.testing.assert_array_equal(s.metadata["config_index"], [4, 1])
    np.testing.assert_array_equal(s.hardware.price_per_hour, t.hardware.price_per_hour[[4, 1]])
    assert t.select(objectives=["acc"]).time_objective is None
    with pytest.raises(ValueError, match="unknown task"):
        t.select(task="t9")
    with pytest.raises(ValueError, match="unknown objective"):
        t.select(objectives=["cost"])


# ---- pareto / true front ----------------------------------------------------------------------
@given(
    n=st.integers(0, 60),
    m=st.integers(1, 4),
    levels=st.sampled_from([3, 1000]),
    seed=st.integers(0, 2**31 - 1),
)
def test_pareto_mask_np_vs_brute_force(n, m, levels, seed):
    y = np.random.default_rng(seed).integers(0, levels, (n, m)).astype(float)  # many ties
    np.testing.assert_array_equal(tables.pareto_mask_np(y), brute_pareto(y))


def test_true_front_vs_brute_force():
    df = make_frame(10, n_tasks=2, n_cfg=40, drop=0.3)
    t = from_frame(df)
    front = t.true_front("t1", ["acc", "time"])
    # oracle: pandas mean over seeds at the highest epoch, brute-force dominance
    sub = df[(df.task == "t1") & (df.epoch == df.epoch.max())]
    means = sub.groupby(CFG, sort=False)[["acc", "time"]].mean().reset_index()
    y = np.c_[-means.acc, means.time]
    on = means[brute_pareto(y)]
    got = t.configs.iloc[front.config].reset_index(drop=True)
    a = on[CFG].astype(str).apply(tuple, axis=1).sort_values().tolist()
    b = got[CFG].astype(str).apply(tuple, axis=1).sort_values().tolist()
    assert a == b
    assert sorted(front.acc.round(5)) == sorted(on.acc.round(5))
    assert front.acc.is_monotonic_decreasing  # sorted by the first objective, best first


# ---- encoding ---------------------------------------------------------------------------------
def test_encode_rules():
    df = pd.DataFrame(
        {
            "lr": [1e-4, 1e-3, 1e-2, 1e-1],  # > 2 decades: log
            "units": [16, 32, 64, 512],  # 32x: linear
            "act": ["tanh", "relu", "relu", "elu"],
            "flag": [True, False, True, True],
            "const": [3.0] * 4,
            "cond": [np.nan, 0.5, 1.5, np.nan],
        }
    )
    enc, names = tables.encode_configs(df)
    assert enc.dtype == np.float32 and enc.shape == (4, len(names))
    col = {n: enc[:, i] for i, n in enumerate(names)}
    np.testing.assert_allclose(col["lr"], [0, 1 / 3, 2 / 3, 1], atol=1e-6)
    np.testing.assert_allclose(col["units"], (df.units - 16) / 496, atol=1e-6)
    assert names[2:5] == ["act=elu", "act=relu", "act=tanh"]
    np.testing.assert_array_equal(enc[:, 2:5].sum(1), 1)
    np.testing.assert_array_equal(col["act=relu"], [0, 1, 1, 0])
    np.testing.assert_array_equal(col["flag=True"], [1, 0, 1, 1])
    np.testing.assert_array_equal(col["const"], 0)
    np.testing.assert_allclose(col["cond"], [0, 0, 1, 0])
    np.testing.assert_array_equal(col["cond:missing"], [1, 0, 0, 1])
    # the space overrides the rules
    enc2, names2 = tables.encode_configs(
        df[["lr", "units", "act"]],
        {
            "lr": "linear",
            "units": {"type": "log", "low": 1, "high": 1024},
            "act": ["relu", "tanh", "elu", "selu"],
        },
    )
    c2 = {n: enc2[:, i] for i, n in enumerate(names2)}
    np.testing.assert_allclose(c2["lr"], (df.lr - 1e-4) / (0.1 - 1e-4), rtol=1e-5)
    np.testing.assert_allclose(c2["units"], np.log(df.units) / np.log(1024), rtol=1e-5)
    assert names2[2:] == ["act=relu", "act=tanh", "act=elu", "act=selu"]
    with pytest.raises(ValueError, match="outside its choices"):
        tables.encode_configs(df[["act"]], {"act": ["relu"]})
    with pytest.raises(ValueError, match="<= 0"):
        tables.encode_configs(df[["cond"]].fillna(0), {"cond": "log"})
    with pytest.raises(ValueError, match="not in the frame"):
        tables.encode_configs(df, {"nope": "log"})


# ---- registry and cache -----------------------------------------------------------------------
def test_registry_unknown_name_lists_names():
    with pytest.raises(ValueError, match="registered benchmarks: .*nasbench201"):
        tables.load_benchmark("nasbench_9000")


def test_list_benchmarks_has_core_loaders():
    lb = tables.list_benchmarks()
    want = {"nasbench201", "fcnet", "trimtuner_cnn", "trimtuner_rnn", "hyperjump_mnist"}
    assert want <= set(lb.name)
    row = lb.set_index("name").loc["trimtuner_cnn"]
    assert row.n_configs == 288 and "cost_usd" in row.objectives and not row.surrogate
    assert {"name", "description", "tasks", "citation", "objectives"} <= set(lb.columns)


def test_missing_data_dir_message(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        tables.load_benchmark("fcnet", data_dir=tmp_path / "nowhere")
    msg = str(e.value)
    assert "MOHB_JAX_DATA" in msg and "fcnet" in msg and "Klein & Hutter" in msg
    assert "NAS-Bench-201" in msg  # names the sources of every table


def test_env_data_dir_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MOHB_JAX_DATA", str(tmp_path))
    assert tables.default_data_dir() == tmp_path
    monkeypatch.setenv("MOHB_JAX_DATA", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="not a directory"):
        tables.default_data_dir()


@pytest.fixture
def toy_benchmark(tmp_path, monkeypatch):
    """A registered benchmark whose loader reads a csv in a tmp data dir; counts its calls."""
    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    (data / "toy").mkdir(parents=True)
    make_frame(11, drop=0.2).to_csv(data / "toy" / "runs.csv", index=False)
    calls = []

    def loader(root):
        calls.append(root)
        df = pd.read_csv(Path(root) / "toy" / "runs.csv")
        t = from_frame(df, hardware=HardwareSpec(["hw"], PRICES, source="toy prices"))
        t = t.with_cost()
        meta = dict(t.metadata, notes="x", flag=True)
        meta["tup"] = (1, "a", 2.5)
        meta["nested"] = {"arr": np.arange(3, dtype=np.int16), "nan": float("nan")}
        return t.replace(metadata=meta, default_objectives=("acc", "cost_usd"))

    tables.register_benchmark(
        "toy_test", loader, description="toy", citation="none", data_folder="toy", overwrite=True
    )
    yield data, calls
    tables.unregister_benchmark("toy_test")


def test_cache_round_trip_identical(toy_benchmark):
    data, calls = toy_benchmark
    cold = tables.load_benchmark("toy_test", data_dir=data)
    warm = tables.load_benchmark("toy_test", data_dir=data)
    assert len(calls) == 1  # the second load came from the cache
    assert_tables_equal(cold, warm)
    assert warm.configs.dtypes.to_dict() == cold.configs.dtypes.to_dict()
    nocache = tables.load_benchmark("toy_test", data_dir=data, cache=False)
    assert len(calls) == 2
    np.testing.assert_array_equal(nocache.values, cold.values)


def test_cache_invalidated_by_content_not_by_mtime(toy_benchmark):
    data, calls = toy_benchmark
    tables.load_benchmark("toy_test", data_dir=data)
    f = data / "toy" / "runs.csv"
    st_ = f.stat()
    os.utime(f, ns=(st_.st_atime_ns, st_.st_mtime_ns + 10**9))  # same content: same entry
    tables.load_benchmark("toy_test", data_dir=data)
    assert len(calls) == 1
    f.write_text(f.read_text().replace("0.", "0.0", 1))  # new content: a new entry
    tables.load_benchmark("toy_test", data_dir=data)
    assert len(calls) == 2
    assert tables.clear_cache("toy_test") == 2


def test_corrupt_cache_entry_is_rebuilt(toy_benchmark):
    data, calls = toy_benchmark
    tables.load_benchmark("toy_test", data_dir=data)
    entry = next(p for p in tables.cache_dir().iterdir() if p.name.startswith("toy_test-"))
    (entry / "arrays.npz").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        t = tables.load_benchmark("toy_test", data_dir=data)
    assert len(calls) == 2 and t.mask.any()


def test_loader_must_return_table(tmp_path, monkeypatch):
    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path))
    tables.register_benchmark("bad_test", lambda root: 3, description="", citation="")
    try:
        with pytest.raises(TypeError, match="expected a Table"):
            tables.load_benchmark("bad_test")
        with pytest.raises(ValueError, match="already registered"):
            tables.register_benchmark("bad_test", lambda root: 3, description="", citation="")
    finally:
        tables.unregister_benchmark("bad_test")


def test_loader_module_import_error_surfaces_on_load():
    tables.register_benchmark(
        "broken_test", "no_such_source:load", description="", citation="", overwrite=True
    )
    try:
        with pytest.raises(ImportError, match="'broken_test'.*no_such_source failed to import"):
            tables.load_benchmark("broken_test", cache=False)
        assert tables.get_benchmark_spec("fcnet").name == "fcnet"  # known names still work
    finally:
        tables.unregister_benchmark("broken_test")


def test_listing_imports_no_loader_module():
    """Declarative registration: importing and listing the registry imports no loader."""
    code = (
        "import sys, mohb_jax.tables as t; n = len(t.list_benchmarks()); "
        "print(n, sorted(m for m in sys.modules if m.startswith('mohb_jax._src.tables.sources.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.split(" ", 1)
    assert int(out[0]) >= 13
    loaded = set(ast.literal_eval(out[1]))
    # the catalog (static facts), the shared helpers and the two loaders the public module
    # re-exports; no data-folder loader (lcdb, nmt, ...) is imported
    assert loaded <= {
        "mohb_jax._src.tables.sources.catalog",
        "mohb_jax._src.tables.sources._common",
        "mohb_jax._src.tables.sources.embedded",
        "mohb_jax._src.tables.sources.syne_tune",
    }, loaded


# ---- Syne Tune layout -------------------------------------------------------------------------
def write_syne_tune(path: Path, ev: np.ndarray, with_task_axis=True):
    path.mkdir(parents=True)
    C = ev.shape[-4]
    hp = pd.DataFrame(
        {"lr": np.geomspace(1e-4, 1e-1, C), "act": (["relu", "tanh"] * C)[:C], "n": np.arange(C)}
    )
    hp.to_parquet(path / "hyperparameters.parquet", index=False)
    np.save(
        path / "objectives_evaluations.npy",
        ev.astype(np.float32) if with_task_axis else ev[0].astype(np.float32),
    )
    np.save(path / "fidelities_values.npy", np.arange(1, ev.shape[-2] + 1))
    cs = {
        "lr": {
            "domain_cls": "Float",
            "domain_kwargs": {"lower": 1e-5, "upper": 1.0},
            "sampler_cls": "LogUniform",
            "sampler_kwargs": {},
        },
        "act": {
            "domain_cls": "Categorical",
            "domain_kwargs": {"categories": ["tanh", "relu", "elu"]},
        },
        "n": {
            "domain_cls": "Integer",
            "domain_kwargs": {"lower": 0, "upper": 100},
            "sampler_cls": "Uniform",
            "sampler_kwargs": {},
        },
    }
    (path / "configspace.json").write_text(json.dumps(cs))
    fs = {"hp_epoch": {"domain_cls": "Integer", "domain_kwargs": {"lower": 1, "upper": 10}}}
    (path / "fidelityspace.json").write_text(json.dumps(fs))
    meta = {
        "objectives_names": ["metric_valid_error", "metric_elapsed_time", "metric_accuracy"],
        "task_names": [f"ds{i}" for i in range(ev.shape[0])],
        "metric_elapsed_time": "metric_elapsed_time",
        "default_metric": "metric_valid_error",
        "resource_attr": "hp_epoch",
    }
    (path / "metadata.json").write_text(json.dumps(meta))


def test_from_syne_tune_fixture(tmp_path):
    rng = np.random.default_rng(0)
    T, C, S, F = 2, 7, 3, 4
    ev = rng.random((T, C, S, F, 3))
    ev[..., 1] = np.cumsum(rng.random((T, C, S, F)), axis=-1)  # cumulative elapsed time
    ev[1, 2, 0, 3, 0] = np.nan  # one missing evaluation
    write_syne_tune(tmp_path / "bb", ev)
    t = tables.from_syne_tune(tmp_path / "bb")
    assert t.values.shape == (T, C, S, F, 3)
    assert t.tasks == ("ds0", "ds1") and t.fidelity_name == "hp_epoch"
    assert t.directions == ("min", "min", "max")  # accuracy guessed "max"
    assert t.time_objective == "metric_elapsed_time" and t.time_cumulative
    assert not t.mask[1, 2, 0, 3] and t.mask.sum() == T * C * S * F - 1
    ok = t.mask
    ev32 = ev.astype(np.float32)
    np.testing.assert_array_equal(t.values[ok][:, :2], ev32[ok][:, :2])
    np.testing.assert_array_equal(t.values[ok][:, 2], -ev32[ok][:, 2])
    i = t.metadata["encoded_columns"].index("lr")
    lr = t.configs.lr.to_numpy()
    np.testing.assert_allclose(t.encoded[:, i], np.log(lr / 1e-5) / np.log(1e5), rtol=1e-5)
    assert [n for n in t.metadata["encoded_columns"] if n.startswith("act=")] == [
        "act=tanh",
        "act=relu",
        "act=elu",
    ]
    # 4-D (no task axis), explicit directions and objective subset
    write_syne_tune(tmp_path / "bb4", ev[:1], with_task_axis=False)
    t4 = tables.from_syne_tune(
        tmp_path / "bb4",
        directions={"metric_accuracy": "min"},
        objectives=["metric_accuracy", "metric_valid_error"],
    )
    assert t4.values.shape == (1, C, S, F, 2) and t4.directions == ("min", "min")
    assert t4.time_objective is None


def test_from_syne_tune_bad_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing hyperparameters.parquet"):
        tables.from_syne_tune(tmp_path)
    ev = np.random.default_rng(1).random((1, 5, 1, 2, 3))
    write_syne_tune(tmp_path / "bb", ev)
    (tmp_path / "bb" / "objectives_evaluations.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="cannot read"):
        tables.from_syne_tune(tmp_path / "bb")
    np.save(tmp_path / "bb" / "objectives_evaluations.npy", np.zeros((1, 4, 1, 2, 3), np.float32))
    with pytest.raises(ValueError, match="4 rows|has 5 rows"):
        tables.from_syne_tune(tmp_path / "bb")
    with pytest.raises(ValueError, match="unknown objectives"):
        np.save(tmp_path / "bb" / "objectives_evaluations.npy", ev.astype(np.float32))
        tables.from_syne_tune(tmp_path / "bb", objectives=["foo"])


def test_save_load_table(tmp_path):
    t = from_frame(make_frame(12), hardware=HardwareSpec(["hw"], PRICES)).with_cost()
    tables.save_table(t, tmp_path / "t")
    assert_tables_equal(t, tables.load_table(tmp_path / "t"))


# ---- real tables (need ../shared/data) --------------------------------------------------------
@pytest.fixture(scope="module")
def real():
    """Each real table loaded once per module, from source (no cache)."""
    cache = {}

    def get(name, data_dir):
        if name not in cache:
            cache[name] = tables.load_benchmark(name, data_dir=data_dir, cache=False)
        return cache[name]

    return get


@pytest.mark.data
def test_nasbench201_known_facts(data_dir, real):
    t = real("nasbench201", data_dir)
    assert t.n_configs == 15625 and t.tasks == ("cifar10", "cifar100", "ImageNet16-120")
    assert t.fidelities.tolist() == [200.0]
    y, ok = t.mean_objectives("cifar10", ["val_acc"])
    assert ok.all()
    assert -y.min() == pytest.approx(91.61, abs=0.005)  # best mean cifar10-valid accuracy
    n_seeds = t.mask[0, :, :, 0].sum(axis=1)
    assert set(np.unique(n_seeds)) == {2, 3} and (n_seeds == 2).sum() == 7456
    assert sum(o.startswith("latency_") for o in t.objectives) == 28  # latency_s + 27 devices
    # oracle: the raw arrays
    z = np.load(data_dir / "nasbench201" / "nasbench201_dense.npz")
    j = list(z["hw_devices"]).index("raspi4")
    np.testing.assert_array_equal(
        t.values[2, :, 0, 0, t.objective_index("latency_raspi4")], z["hw_latency_ms"][:, j]
    )
    np.testing.assert_array_equal(
        t.values[1, :, :, 0, 0][t.mask[1, :, :, 0]], -z["val_acc"][1][~np.isnan(z["val_acc"][1])]
    )
    assert t.configs.shape == (15625, 6) and t.encoded.shape == (15625, 30)
    static = tables.list_benchmarks().set_index("name").loc["nasbench201"]
    assert list(static.objectives) == list(t.objectives)  # the registry's static info is true
    assert list(static.tasks) == list(t.tasks) and static.n_configs == t.n_configs


@pytest.mark.data
def test_fcnet_known_facts(data_dir, real):
    t = real("fcnet", data_dir)
    assert t.values.shape == (4, 62208, 4, 1, 3) and t.mask.all()
    vl = t.values[..., t.objective_index("val_loss")]
    assert vl.max() > 8e7  # diverged runs are kept as values
    assert t.configs.init_lr.nunique() == 6 and t.time_objective == "train_time"
    cfg = pd.read_csv(data_dir / "fcnet" / "configs.csv.gz")
    for c in ("activation_fn_1", "batch_size", "init_lr", "n_units_2"):
        np.testing.assert_array_equal(
            t.configs[c].astype(cfg[c].dtype).to_numpy(), cfg[c].to_numpy()
        )


@pytest.mark.data
@pytest.mark.parametrize("model", ["cnn", "rnn"])
def test_trimtuner_known_facts(data_dir, real, model):
    t = real(f"trimtuner_{model}", data_dir)
    assert t.values.shape == (1, 288, 1, 5, 3)
    assert t.fidelities.tolist() == [1000, 6000, 15000, 30000, 60000]
    assert t.fidelity_kind == "independent" and t.mask.all()
    runs = pd.read_csv(data_dir / "cloud_tf_mnist" / "trimtuner_runs.csv.gz")
    runs = runs[runs.model == model]
    out = t.to_frame().merge(
        runs,
        on=[
            "vm_flavor",
            "n_workers",
            "learning_rate",
            "batch_size",
            "synchronism",
            "training_set_size",
        ],
        suffixes=("", "_src"),
    )
    assert len(out) == 1440
    np.testing.assert_allclose(out["cost_usd"], out["cost_usd_src"], rtol=1e-4)  # shipped cost
    np.testing.assert_allclose(out["acc"], out["acc_src"], rtol=1e-6)
    cat = t.hardware.catalog
    assert len(cat) == 24 and set(t.hardware.columns) == {"vm_flavor", "n_workers"}
    np.testing.assert_array_equal(t.metadata["config_id"], np.arange(288))
    if model == "cnn":
        tt = t.values[0, :, 0, :, t.objective_index("training_time_s")]
        assert (np.diff(tt, axis=1) <= 0).any(axis=1).sum() == 89


@pytest.mark.data
def test_hyperjump_known_facts(data_dir, real):
    t = real("hyperjump_mnist", data_dir)
    assert t.values.shape == (5, 256, 1, 5, 3) and t.tasks[0] == "frac=1"
    grid = pd.read_csv(data_dir / "hyperjump" / "mnist_grid.csv.gz")
    full = grid[grid.data_fraction == 1.0]
    out = t.select(task="frac=1").to_frame()
    key = ["learning_rate", "momentum", "batch_size", "weight_decay", "epoch"]
    m = out.merge(full, on=key, suffixes=("", "_src"))
    assert len(m) == 256 * 5
    # the csv has 6 significant digits, the npz float32
    np.testing.assert_allclose(m["test_error"], m["test_error_src"], rtol=1e-5)
    np.testing.assert_allclose(m["train_time_s"], m["train_time_s_src"], rtol=1e-5)


@pytest.mark.data
def test_real_tables_cache_identical(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path))
    for name in ("trimtuner_cnn", "nasbench201"):
        cold = tables.load_benchmark(name, data_dir=data_dir)
        warm = tables.load_benchmark(name, data_dir=data_dir)
        assert_tables_equal(cold, warm)


def test_bad_source_files(tmp_path):
    (tmp_path / "fcnet").mkdir()
    with pytest.raises(FileNotFoundError, match="fcnet_dense.npz"):
        tables.load_benchmark("fcnet", data_dir=tmp_path, cache=False)
    (tmp_path / "fcnet" / "fcnet_dense.npz").write_bytes(b"corrupt")
    with pytest.raises(ValueError, match="cannot read .*fcnet_dense.npz"):
        tables.load_benchmark("fcnet", data_dir=tmp_path, cache=False)
    np.savez(tmp_path / "fcnet" / "fcnet_dense.npz", datasets=np.array(["a"]))
    with pytest.raises(ValueError, match="lacks arrays"):
        tables.load_benchmark("fcnet", data_dir=tmp_path, cache=False)


@pytest.mark.data
def test_fcnet_frame_round_trip_at_scale(data_dir, real):
    """~1e6 rows: to_frame -> from_frame rebuilds the same values, mask and encoding."""
    t = real("fcnet", data_dir)
    df = t.to_frame()
    assert len(df) == 4 * 62208 * 4
    t2 = Table.from_frame(
        df,
        config_columns=list(t.configs.columns),
        fidelity_column="epoch",
        objectives=dict(zip(t.objectives, t.directions, strict=True)),
        seed_column="seed",
        task_column="task",
        name="fcnet",
    )
    assert t2.tasks == t.tasks
    np.testing.assert_array_equal(t2.values, t.values)
    np.testing.assert_array_equal(t2.encoded, t.encoded)
    np.testing.assert_array_equal(t2.reference_point(), t.reference_point())


def test_to_frame_rejects_clashing_config_column():
    df = make_frame(13, drop=0.0).rename(columns={"units": "seed_"})
    df["config"] = df["seed_"]  # a hyperparameter literally called "config"
    t = Table.from_frame(
        df,
        config_columns=["lr", "act", "config"],
        fidelity_column="epoch",
        objectives={"acc": "max"},
        seed_column="seed",
        task_column="task",
    )
    with pytest.raises(ValueError, match=r"\['config'\] clash"):
        t.to_frame()


def test_reference_point_agrees_with_hypervolume_module():
    """Same rule as mohb_jax.hypervolume.reference_point (worst valid + 10 % of the range)."""
    hv = pytest.importorskip("mohb_jax.hypervolume")
    if not hasattr(hv, "reference_point"):
        pytest.skip("mohb_jax.hypervolume.reference_point not available")
    t = from_frame(make_frame(14, drop=0.4), hardware=HardwareSpec(["hw"], PRICES)).with_cost()
    y = t.values.reshape(-1, t.n_objectives).astype(np.float64)
    ref = hv.reference_point(np.nan_to_num(y), t.mask.reshape(-1))
    np.testing.assert_allclose(t.reference_point(), ref, rtol=1e-12)
