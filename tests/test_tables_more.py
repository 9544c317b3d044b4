"""Tests of the LCDB, ICML-2020, hpo_nmt and LCBench-surrogate loaders (``tables/sources``).

Oracles are the raw files read here with numpy / pandas (independent look-ups of single rows,
counts, brute-force Pareto fronts), never the loader's own index arithmetic.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mohb_jax._src.tables.registry import list_benchmarks, load_benchmark
from mohb_jax._src.tables.sources import _common, icml2020, nmt
from mohb_jax._src.tables.sources import lcbench as lcbench_src
from mohb_jax._src.tables.sources import lcdb as lcdb_src
from mohb_jax._src.tables.views import select_task


# ---- helpers ---------------------------------------------------------------------------------
def brute_force_pareto(y: np.ndarray) -> np.ndarray:
    """bool[N]: not dominated (minimization) by any other row; O(N^2) numpy."""
    le = np.all(y[None, :, :] <= y[:, None, :], axis=-1)  # [i, j]: j weakly better than i
    lt = np.any(y[None, :, :] < y[:, None, :], axis=-1)
    return ~np.any(le & lt, axis=1)


def expected_ref(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    sel = values[mask].astype(np.float64)
    hi, lo = sel.max(0), sel.min(0)
    return np.where(hi > lo, hi + 0.1 * (hi - lo), hi + 1.0)


def check_common(t, *, surrogate=False):
    T, C, S, F, M = t.values.shape
    assert t.mask.shape == (T, C, S, F)
    # masked-out cells are NaN, valid ones finite
    assert np.all(np.isnan(t.values[~t.mask]))
    assert np.all(np.isfinite(t.values[t.mask]))
    assert t.encoded.shape[0] == C and t.encoded.dtype == np.float32
    assert np.all((t.encoded >= 0) & (t.encoded <= 1))
    md = t.metadata
    assert set(t.default_objectives) <= set(t.objectives)
    ref = np.asarray(t.ref_point)
    np.testing.assert_allclose(ref, expected_ref(t.values, t.mask), rtol=1e-6)
    # every valid point strictly dominates the reference point in every objective
    assert np.all(t.values[t.mask] < ref)
    assert md["surrogate"] is surrogate
    assert md["citation"] and md["notes"]
    assert md["fill_fraction"] == pytest.approx(t.mask.mean())
    sizes = {"task": T, "config": C, "seed": S, "fidelity": F}
    for key, axes in md["array_axes"].items():
        assert np.shape(md[key]) == tuple(sizes[a] for a in axes), key
    return T, C, S, F, M


# ---- fixtures that need no shared data --------------------------------------------------------
def _write_csv_gz(path: Path, df: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as f:
        df.to_csv(f, index=False)


def _tiny_nmt(root: Path) -> pd.DataFrame:
    hp = dict(num_layers=2, num_embed=512, ff_num_hidden=1024, attention_heads=8, initial_lr=3e-4)
    rows = [
        # corpus, config_id, bpe, bleu, time, pareto
        ("a-b", 0, 1000, 10.0, 100.0, 1),
        ("a-b", 1, 2000, 12.0, 200.0, 1),
        ("a-b", 2, 4000, 11.0, 300.0, 0),
        ("c-d", 0, 2000, 20.0, 150.0, 1),
        ("c-d", 1, 8000, 19.0, 160.0, 0),
    ]
    df = pd.DataFrame(
        [
            dict(
                corpus=c,
                config_id=i,
                bpe_symbols=b,
                **hp,
                dev_bleu=bl,
                dev_gpu_time=tm,
                dev_ppl=10.0 + i,
                num_updates=1000 * (i + 1),
                gpu_memory=0 if i == 2 else 500,
                num_param=10**6,
                pareto_bleu_time=p,
            )
            for c, i, b, bl, tm, p in rows
        ]
    )
    _write_csv_gz(root / "nmt_hpo" / "nmthpo.csv.gz", df)
    return df


def test_nmt_tiny_fixture_union_mask_and_flags(tmp_path):
    raw = _tiny_nmt(tmp_path)
    t = nmt.load_nmt(tmp_path)
    check_common(t)
    assert t.tasks == ("a-b", "c-d")
    # bpe 2000 is evaluated on both corpora: 4 distinct configs, 5 evaluations
    assert t.values.shape == (2, 4, 1, 1, 6)
    assert t.mask.sum() == 5
    assert t.mask[:, :, 0, 0].sum(axis=0).tolist() == [1, 2, 1, 1]  # sorted by bpe_symbols
    assert t.configs["bpe_symbols"].tolist() == [1000, 2000, 4000, 8000]
    b = t.objective_index("dev_bleu")
    assert t.directions[b] == "max"
    for _, r in raw.iterrows():
        ti = t.tasks.index(r.corpus)
        ci = int(np.flatnonzero(t.configs["bpe_symbols"].to_numpy() == r.bpe_symbols)[0])
        assert t.mask[ti, ci, 0, 0]
        assert t.values[ti, ci, 0, 0, b] == -r.dev_bleu
        assert t.values[ti, ci, 0, 0, t.objective_index("dev_gpu_time")] == r.dev_gpu_time
        assert t.metadata["pareto_flags"][ti, ci] == bool(r.pareto_bleu_time)
        assert t.metadata["config_id"][ti, ci] == r.config_id
        assert t.metadata["gpu_memory_zero"][ti, ci] == (r.gpu_memory == 0)
    assert not t.metadata["pareto_flags"][~t.mask[:, :, 0, 0]].any()
    assert (t.metadata["config_id"][~t.mask[:, :, 0, 0]] == -1).all()


def test_nmt_tiny_fixture_duplicate_rows_rejected(tmp_path):
    raw = _tiny_nmt(tmp_path)
    _write_csv_gz(tmp_path / "nmt_hpo" / "nmthpo.csv.gz", pd.concat([raw, raw.iloc[:1]]))
    with pytest.raises(ValueError, match="occur twice"):
        nmt.load_nmt(tmp_path)


def test_nmt_tiny_fixture_nan_rejected(tmp_path):
    raw = _tiny_nmt(tmp_path)
    raw.loc[1, "dev_ppl"] = np.nan
    _write_csv_gz(tmp_path / "nmt_hpo" / "nmthpo.csv.gz", raw)
    with pytest.raises(ValueError, match="non-finite"):
        nmt.load_nmt(tmp_path)


def test_icml_tiny_fixture_per_task_configs(tmp_path):
    rng = np.random.default_rng(0)
    n = 7
    df = pd.DataFrame(
        {
            "row_id": np.arange(n)[::-1],  # loader orders by row_id
            "hp_eta": rng.uniform(1e-5, 1, n),
            "hp_log2_alpha": rng.uniform(-20, 8, n),
            "hp_max_depth_index": rng.integers(0, 13, n),
            "metric_error": rng.uniform(0, 0.5, n),
            "task": ["b", "a", "b", "a", "a", "c", "b"],
        }
    )
    _write_csv_gz(tmp_path / "icml2020_transfer" / "xgboost.csv.gz", df)
    t = icml2020.load_icml2020_xgboost(tmp_path)
    check_common(t)
    assert t.values.shape == (3, n, 1, 1, 1) and t.tasks == ("a", "b", "c")
    srt = df.sort_values("row_id").reset_index(drop=True)
    # each config belongs to exactly its own task
    m = t.mask[:, :, 0, 0]
    assert m.sum(axis=0).tolist() == [1] * n
    assert [t.tasks[i] for i in np.argmax(m, axis=0)] == srt["task"].tolist()
    for ti, task in enumerate(t.tasks):
        sub = srt[srt.task == task]
        np.testing.assert_array_equal(t.values[ti, m[ti], 0, 0, 0], sub["metric_error"])
        np.testing.assert_array_equal(
            t.configs.loc[m[ti], "eta"].to_numpy(), sub["hp_eta"].to_numpy()
        )
    # one-task view keeps exactly that task's configurations, in row order
    for task in t.tasks:
        v = select_task(t, task)
        sub = srt[srt.task == task]
        assert v.n_configs == len(sub) and v.mask.all()
        np.testing.assert_array_equal(v.configs["eta"], sub["hp_eta"])
        np.testing.assert_array_equal(v.metadata["config_task"], t.tasks.index(task))
    with pytest.raises(ValueError, match="unknown task"):
        select_task(t, "zz")
    # linear (not auto-log) encoding of eta
    eta = srt["hp_eta"].to_numpy()
    j = t.metadata["encoded_names"].index("eta")
    np.testing.assert_allclose(
        t.encoded[:, j], (eta - eta.min()) / (eta.max() - eta.min()), rtol=1e-5, atol=1e-6
    )


def _tiny_lcdb(root: Path, **override) -> dict:
    # dataset 7: anchors 16, 23, 32 and full size 40 (off grid -> slot 45);
    # dataset 5: anchors 16 and full size 23 (on grid); learner 1 only on dataset 7;
    # one row with inner seed 6 (excluded by default)
    rows = [
        # openmlid, learner, size, outer, inner, time, train, valid, test
        (7, 0, 16, 0, 0, 0.1, 10000, 5000, 4000),
        (7, 0, 23, 0, 0, 0.2, 9000, 6000, 5000),
        (7, 0, 32, 0, 1, 0.3, 9500, 6500, 6000),
        (7, 0, 40, 1, 0, 0.4, 9900, 7000, 6500),
        (7, 1, 40, 0, 6, 0.5, 9800, 7100, 6600),
        (5, 0, 16, 0, 0, 0.6, 10000, 3000, 3100),
        (5, 0, 23, 0, 0, 0.7, 10000, 3500, 3600),
    ]
    a = np.array(rows, dtype=np.float64)
    z = {
        "learners": np.array(["lda", "knn"]),
        "openmlid": a[:, 0].astype(np.int32),
        "learner": a[:, 1].astype(np.int8),
        "size_train": a[:, 2].astype(np.int32),
        "size_test": np.where(a[:, 0] == 7, 10, 5).astype(np.int32),
        "outer_seed": a[:, 3].astype(np.int8),
        "inner_seed": a[:, 4].astype(np.int8),
        "traintime": a[:, 5].astype(np.float32),
        "score_train": a[:, 6].astype(np.uint16),
        "score_valid": a[:, 7].astype(np.uint16),
        "score_test": a[:, 8].astype(np.uint16),
    }
    z.update(override)
    (root / "lcdb").mkdir(parents=True, exist_ok=True)
    np.savez(root / "lcdb" / "lcdb_accuracy.npz", **z)
    return z


def test_lcdb_tiny_fixture_mapping(tmp_path):
    _tiny_lcdb(tmp_path)
    t = lcdb_src.load_lcdb(tmp_path)
    check_common(t)
    assert t.tasks == ("5", "7")
    assert t.fidelities.tolist() == [16, 23, 32, 45]
    assert t.values.shape == (2, 2, 2 * 5, 4, 4)  # 2 outer x 5 inner seed slots
    assert t.mask.sum() == 6 and t.metadata["n_rows_excluded"] == 1
    assert not t.mask[:, 1].any()  # learner 1 only had the excluded inner-seed-6 row
    # dataset 7, learner 0, outer 1 inner 0 -> seed 5, size 40 -> slot of 45
    assert t.mask[1, 0, 5, 3]
    np.testing.assert_allclose(t.values[1, 0, 5, 3], [-0.7, 0.4, -0.65, -0.99], rtol=1e-6)
    assert t.metadata["train_size"].tolist() == [[16, 23, 0, 0], [16, 23, 32, 40]]
    assert t.metadata["test_size"].tolist() == [5, 10]
    assert t.metadata["seed_values"][5] == "outer1_inner0"
    # one-task view: trimmed slots, real sizes as fidelities, empty learners dropped
    v7 = select_task(t, "7")
    assert v7.fidelities.tolist() == [16, 23, 32, 40] and v7.n_configs == 1
    np.testing.assert_array_equal(v7.values[0], t.values[1, :1])
    assert v7.metadata["train_size"].tolist() == [[16, 23, 32, 40]]
    assert v7.metadata["test_size"].tolist() == [10]
    v5 = select_task(t, "5", drop_empty_configs=False)
    assert v5.fidelities.tolist() == [16, 23] and v5.n_configs == 2
    np.testing.assert_array_equal(v5.mask[0], t.mask[0, :, :, :2])
    np.testing.assert_array_equal(v5.ref_point, t.ref_point)
    full = lcdb_src.load_lcdb(tmp_path, all_inner_seeds=True)
    assert full.values.shape[2] == 2 * 7 and full.mask.sum() == 7
    assert full.mask[1, 1, 0 * 7 + 6, 3]


def test_lcdb_tiny_fixture_bad_input(tmp_path):
    z = _tiny_lcdb(tmp_path)
    z.pop("traintime")
    np.savez(tmp_path / "lcdb" / "lcdb_accuracy.npz", **z)
    with pytest.raises(ValueError, match="traintime"):
        lcdb_src.load_lcdb(tmp_path)
    _tiny_lcdb(tmp_path, size_train=np.array([16, 23, 32, 40, 40, 16, 16], np.int32))
    with pytest.raises(ValueError, match="occur twice"):  # two rows for one cell
        lcdb_src.load_lcdb(tmp_path)
    _tiny_lcdb(tmp_path, size_train=np.array([16, 23, 32, 40, 41, 16, 23], np.int32))
    with pytest.raises(ValueError, match="two different training-set sizes"):
        lcdb_src.load_lcdb(tmp_path, all_inner_seeds=True)


def test_missing_data_errors(tmp_path):
    with pytest.raises(ValueError, match="data directory"):
        lcdb_src.load_lcdb(None)
    with pytest.raises(FileNotFoundError, match="lcbench_surrogate"):
        lcbench_src.load_lcbench_surrogate(tmp_path)
    (tmp_path / "nmt_hpo").mkdir()
    with pytest.raises(FileNotFoundError, match="nmthpo.csv.gz"):
        nmt.load_nmt(tmp_path)


def test_reference_point_helper():
    v = np.array([1.0, 3.0, 100.0, 2.0]).reshape(1, 4, 1, 1, 1)
    v = np.concatenate([v, np.full_like(v, 5.0)], axis=-1)  # objective 1 constant
    m = np.array([True, True, False, True]).reshape(1, 4, 1, 1)
    np.testing.assert_allclose(_common.strict_reference_point(v, m), [3.0 + 0.2, 6.0])
    with pytest.raises(ValueError, match="no valid entry"):
        _common.strict_reference_point(v, np.zeros_like(m))
    v2 = v.copy()
    v2[0, 1, 0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        _common.strict_reference_point(v2, m)


def test_sqrt2_grid_matches_lcdb_anchors():
    # LCDB's documented anchors start 16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512, 724
    g = lcdb_src.sqrt2_anchor_grid(700)
    assert g.tolist() == [16, 23, 32, 45, 64, 91, 128, 181, 256, 362, 512, 724]
    assert lcdb_src.sqrt2_anchor_grid(724)[-1] == 724


def test_registered_with_static_metadata():
    df = list_benchmarks().set_index("name")
    for name in (
        "lcdb",
        "lcdb_all_seeds",
        "icml2020_deepar",
        "icml2020_xgboost",
        "nmt",
        "nmt_lc",
        "lcbench_surrogate",
    ):
        assert name in df.index, name
        assert df.loc[name, "citation"]
    assert df.loc["lcbench_surrogate", "surrogate"]
    assert "surrogate" in df.loc["lcbench_surrogate", "description"]
    assert not df.loc["lcdb", "surrogate"]


# ---- real tables (skipped without ../shared/data) ---------------------------------------------
@pytest.fixture(scope="module")
def lcdb(data_dir):
    return load_benchmark("lcdb", data_dir, cache=False)


@pytest.fixture(scope="module")
def lcdb_raw(data_dir):
    with np.load(data_dir / "lcdb" / "lcdb_accuracy.npz") as z:
        return {k: z[k] for k in z.files}


def test_lcdb_shape_counts_and_masks(lcdb, lcdb_raw):
    t, raw = lcdb, lcdb_raw
    T, C, S, F, M = check_common(t)
    assert (T, C, S) == (248, 20, 25)
    assert t.configs["learner"].astype(str).tolist() == [str(x) for x in raw["learners"]]
    keep = raw["inner_seed"] < 5
    assert int(t.mask.sum()) == int(keep.sum())
    assert t.metadata["n_rows_excluded"] == int((~keep).sum()) > 0
    # dataset x learner pairs without any row are fully masked
    pairs = set(zip(raw["openmlid"].tolist(), raw["learner"].tolist(), strict=True))
    any_cell = t.mask.any(axis=(2, 3))
    expect = np.array([[(int(task), c) in pairs for c in range(C)] for task in t.tasks], dtype=bool)
    np.testing.assert_array_equal(any_cell, expect)
    assert (~expect).sum() == 593
    # fidelity axis: LCDB's sqrt(2) grid starting at 16
    assert t.fidelities[:6].tolist() == [16, 23, 32, 45, 64, 91]
    assert t.fidelity_name == "training_set_size"
    assert t.directions[t.objective_index("valid_accuracy")] == "max"
    assert t.time_objective == "train_time" and not t.time_cumulative
    for o in ("valid_accuracy", "test_accuracy", "train_accuracy"):
        v = t.values[..., t.objective_index(o)][t.mask]
        assert v.max() <= 0 and v.min() >= -1  # negated accuracies
    # one-dataset view: the last fidelity is the dataset's full training set
    v = select_task(t, "3")
    assert v.fidelities[-1] == pd.Series(raw["size_train"])[raw["openmlid"] == 3].max()
    assert v.mask[..., -1].any() and v.mask[..., 0].any()
    # each dataset's largest anchor is its full training-set size (the max raw size)
    ts = t.metadata["train_size"]
    mx = pd.Series(raw["size_train"]).groupby(raw["openmlid"]).max()
    np.testing.assert_array_equal(ts.max(axis=1), mx.loc[[int(x) for x in t.tasks]].to_numpy())


def test_lcdb_random_rows_land_in_their_cells(lcdb, lcdb_raw):
    t, raw = lcdb, lcdb_raw
    rng = np.random.default_rng(1)
    rows = rng.choice(np.flatnonzero(raw["inner_seed"] < 5), 3000, replace=False)
    fid = t.fidelities
    for r in rows:
        ti = t.tasks.index(str(int(raw["openmlid"][r])))
        ci = int(raw["learner"][r])
        si = int(raw["outer_seed"][r]) * 5 + int(raw["inner_seed"][r])
        size = int(raw["size_train"][r])
        # documented slot: the smallest grid value >= size (bucket (fid[f-1], fid[f]])
        fi = int(np.flatnonzero(fid >= size)[0])
        assert fi == 0 or fid[fi - 1] < size
        assert t.mask[ti, ci, si, fi]
        assert t.metadata["train_size"][ti, fi] == size
        cell = t.values[ti, ci, si, fi]
        np.testing.assert_allclose(
            cell,
            [
                -float(raw["score_valid"][r]) / 1e4,
                raw["traintime"][r],
                -float(raw["score_test"][r]) / 1e4,
                -float(raw["score_train"][r]) / 1e4,
            ],
            rtol=1e-6,
        )


@pytest.mark.slow
def test_lcdb_all_seeds_keeps_every_row(data_dir, lcdb_raw):
    t = load_benchmark("lcdb_all_seeds", data_dir, cache=False)
    assert t.values.shape[:3] == (248, 20, 125)
    assert int(t.mask.sum()) == len(lcdb_raw["openmlid"])
    assert t.metadata["n_rows_excluded"] == 0
    # the 10 datasets with 25 inner seeds have cells at inner seed >= 5, the others none
    per_task = t.mask.reshape(248, 20, 5, 25, -1)[:, :, :, 5:].any(axis=(1, 2, 3, 4))
    many = np.unique(lcdb_raw["openmlid"][lcdb_raw["inner_seed"] >= 5])
    assert sorted(int(t.tasks[i]) for i in np.flatnonzero(per_task)) == many.tolist()


def _icml_check(t, raw, metrics, dirs):
    T, C, S, F, M = check_common(t)
    assert (S, F) == (1, 1) and C == len(raw)
    counts = raw["task"].value_counts()
    m = t.mask[:, :, 0, 0]
    assert m.sum() == len(raw) and (m.sum(axis=0) == 1).all()
    for ti, task in enumerate(t.tasks):
        assert m[ti].sum() == counts[task]
        sub = raw[raw["task"] == task].sort_values("row_id")
        sign = np.array([-1.0 if d == "max" else 1.0 for d in dirs])
        np.testing.assert_allclose(t.values[ti, m[ti], 0, 0], sub[metrics].to_numpy() * sign)
        # per-task (encoding, objective) rows for transfer learning
        enc = t.encoded[m[ti]]
        assert enc.shape == (counts[task], t.encoded.shape[1])
        np.testing.assert_array_equal(t.metadata["config_task"][m[ti]], ti)
    # no configuration is shared between tasks in the release (checked on the raw rows)
    hp = [c for c in raw.columns if c.startswith("hp_")]
    assert not raw.duplicated(hp).any()


def test_icml2020_deepar(data_dir):
    t = load_benchmark("icml2020_deepar", data_dir, cache=False)
    raw = pd.read_csv(data_dir / "icml2020_transfer" / "deepar.csv.gz")
    assert t.values.shape == (11, 2510, 1, 1, 5)
    metrics = ["metric_CRPS", "metric_RMSE", "metric_time", "metric_train_loss"]
    metrics += ["metric_throughput"]
    _icml_check(t, raw, metrics, t.directions)
    assert t.directions == ("min", "min", "min", "min", "max")
    assert t.time_objective == "time"
    tf = t.metadata["task_features"]
    assert tf["dataset_prediction_length"][t.tasks.index("m4-Hourly")] == 48
    # num_layers_log really is log(2), log(3), log(4)
    np.testing.assert_allclose(np.unique(np.exp(t.configs["num_layers_log"])), [2, 3, 4], 1e-5)


def test_icml2020_xgboost(data_dir):
    t = load_benchmark("icml2020_xgboost", data_dir, cache=False)
    raw = pd.read_csv(data_dir / "icml2020_transfer" / "xgboost.csv.gz")
    assert t.values.shape == (10, 50000, 1, 1, 1)
    assert (t.mask[:, :, 0, 0].sum(axis=1) == 5000).all()
    _icml_check(t, raw, ["metric_error"], ("min",))
    assert t.time_objective is None


def test_nmt_real(data_dir):
    t = load_benchmark("nmt", data_dir, cache=False)
    raw = pd.read_csv(data_dir / "nmt_hpo" / "nmthpo.csv.gz")
    T, C, S, F, M = check_common(t)
    assert T == 6 and t.mask.sum() == 1983 == len(raw)
    hp = list(nmt.NMT_HP)
    assert C == len(raw[hp].drop_duplicates()) == 957
    m = t.mask[:, :, 0, 0]
    counts = raw["corpus"].value_counts()
    assert [int(m[i].sum()) for i in range(T)] == [int(counts[c]) for c in t.tasks]
    b, tm = t.objective_index("dev_bleu"), t.objective_index("dev_gpu_time")
    assert t.directions[b] == "max" and (t.values[..., b][t.mask] < 0).all()
    # raw row -> cell (independent look-up by hyperparameter values)
    cfg = t.configs.reset_index().set_index(hp)["index"]
    for _, r in raw.sample(200, random_state=0).iterrows():
        ci = cfg.loc[tuple(r[hp])]
        ti = t.tasks.index(r.corpus)
        assert t.values[ti, ci, 0, 0, b] == -r.dev_bleu
        assert t.values[ti, ci, 0, 0, t.objective_index("num_param")] == r.num_param
    # authors' Pareto flags vs a brute-force front of (BLEU max, decode GPU time min) per corpus
    flags = t.metadata["pareto_flags"]
    assert flags.sum() == raw["pareto_bleu_time"].sum() == 41
    agree = 0
    for ti in range(T):
        y = t.values[ti, m[ti], 0, 0][:, [b, tm]]
        front = brute_force_pareto(y)
        agree += int((front == flags[ti, m[ti]]).sum())
    assert agree == 1983  # measured: the authors' flags agree with the brute-force front exactly
    v = select_task(t, "sw-en")
    assert v.n_configs == counts["sw-en"] and v.metadata["pareto_flags"].sum() == 14
    assert v.metadata["pareto_flags"].shape == (1, v.n_configs)
    assert int(t.metadata["gpu_memory_zero"].sum()) == int((raw["gpu_memory"] == 0).sum()) == 35


def test_nmt_lc_real(data_dir):
    t = load_benchmark("nmt_lc", data_dir, cache=False)
    runs = pd.read_csv(data_dir / "nmt_hpo" / "nmtlc_runs.csv.gz")
    curves = pd.read_csv(data_dir / "nmt_hpo" / "nmtlc_curves.csv.gz")
    T, C, S, F, M = check_common(t)
    assert (T, C, S, M) == (8, 2483, 1, 1)
    assert F == curves["checkpoint"].max() + 1
    assert int(t.mask.sum()) == int(curves["dev_perplexity"].notna().sum())
    # each run: its task only, its checkpoints only; spot-check values
    m = t.mask[:, :, 0, :]  # [T, C, F]
    per_run = curves.groupby("run_id").size()
    np.testing.assert_array_equal(m.sum(axis=(0, 2)), per_run.loc[runs["run_id"]].to_numpy())
    for rid in [0, 5, 2162, 2482]:
        ci = int(np.flatnonzero(t.metadata["run_id"] == rid)[0])
        ti = t.tasks.index(runs.set_index("run_id").loc[rid, "dataset_name"])
        c = curves[curves.run_id == rid].sort_values("checkpoint")
        np.testing.assert_allclose(
            t.values[ti, ci, 0, c["checkpoint"].to_numpy(), 0], c["dev_perplexity"], rtol=1e-6
        )
    bl = t.metadata["dev_bleu"]
    assert len(bl["value"]) == int(curves["dev_bleu"].notna().sum())


@pytest.fixture(scope="module")
def lcbench(data_dir):
    return load_benchmark("lcbench_surrogate", data_dir, cache=False)


def test_lcbench_surrogate(lcbench, data_dir):
    t = lcbench
    T, C, S, F, M = check_common(t, surrogate=True)
    assert (T, C, S, F) == (34, 1000, 1, 52)
    assert t.mask.all()
    assert "surrogate" in t.metadata["description"].lower()
    assert t.fidelities.tolist() == list(range(1, 53))
    with np.load(data_dir / "lcbench_surrogate" / "lcbench_surrogate.npz") as z:
        acc, tm = z["val_accuracy"], z["time"]
        np.testing.assert_array_equal(t.values[:, :, 0, :, 0], -acc)
        np.testing.assert_array_equal(t.values[:, :, 0, :, 1], tm)
        np.testing.assert_array_equal(t.values[:, :, 0, :, 3], -z["val_balanced_accuracy"])
        np.testing.assert_allclose(t.configs.to_numpy(np.float64), z["configs"], rtol=1e-6)
    assert t.directions == ("max", "min", "min", "max")
    assert t.time_objective == "time" and t.time_cumulative


# ---- cache round trip (C1's cache) -------------------------------------------------------------
def _tables_equal(a, b):
    assert a.name == b.name and a.tasks == b.tasks and a.objectives == b.objectives
    assert a.directions == b.directions and a.fidelity_name == b.fidelity_name
    assert a.time_objective == b.time_objective and a.time_cumulative == b.time_cumulative
    assert a.fidelity_kind == b.fidelity_kind and a.default_objectives == b.default_objectives
    np.testing.assert_array_equal(a.ref_point, b.ref_point)
    np.testing.assert_array_equal(a.values, b.values)  # NaN == NaN here
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.encoded, b.encoded)
    np.testing.assert_array_equal(a.fidelities, b.fidelities)
    pd.testing.assert_frame_equal(a.configs, b.configs, check_categorical=False)
    assert set(a.metadata) == set(b.metadata)
    for k, v in a.metadata.items():
        w = b.metadata[k]
        if isinstance(v, dict):
            assert set(v) == set(w), k
            for kk in v:
                np.testing.assert_array_equal(np.asarray(v[kk]), np.asarray(w[kk]), err_msg=k)
        else:
            np.testing.assert_array_equal(np.asarray(v, dtype=object), np.asarray(w, dtype=object))


@pytest.mark.parametrize("name", ["nmt", "icml2020_deepar", "nmt_lc", "lcbench_surrogate", "lcdb"])
def test_cache_round_trip(name, data_dir, tmp_path, monkeypatch):
    pytest.importorskip("mohb_jax._src.tables.cache")
    monkeypatch.setenv("MOHB_JAX_CACHE", str(tmp_path))
    cold = load_benchmark(name, data_dir)
    entries = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(entries) == 1, "the cold load must write one cache entry"
    warm = load_benchmark(name, data_dir)
    _tables_equal(cold, warm)
    _tables_equal(warm, load_benchmark(name, data_dir, cache=False))
