"""Anytime metrics: HV traces, step functions on a grid, bands, time-to-target, speed-ups.

Oracles: hand-computed examples and a brute-force numpy 2-D hypervolume written here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mohb_jax import metrics


def hv2d_bruteforce(y: np.ndarray, ref: np.ndarray) -> float:
    """Exact 2-D HV by summing grid cells of the coordinate grid (minimization)."""
    y = y[(y < ref).all(1)]
    if len(y) == 0:
        return 0.0
    xs = np.unique(np.concatenate([y[:, 0], [ref[0]]]))
    ys = np.unique(np.concatenate([y[:, 1], [ref[1]]]))
    total = 0.0
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            cx, cy = xs[i], ys[j]  # lower-left corner of the cell
            if np.any((y[:, 0] <= cx) & (y[:, 1] <= cy)):
                total += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
    return total


MIN2 = ["min", "min"]


def hand_frame() -> pd.DataFrame:
    # ref = (10, 10); arrival order; HV after each: 25, 25, 31, 39, 39
    return pd.DataFrame(
        {
            "method": "m",
            "seed": 0,
            "time": [1.0, 2.0, 4.0, 4.0, 7.0],
            "cost": [0.1, 0.2, 0.4, 0.5, 0.9],
            "f1": [5.0, 6.0, 2.0, 8.0, 11.0],
            "f2": [5.0, 6.0, 8.0, 1.0, 0.0],
        }
    )


def test_hand_computed_trace_and_step_function():
    df = hand_frame()
    tr = metrics.hypervolume_traces(df, objectives=["f1", "f2"], directions=MIN2, ref=[10.0, 10.0])
    np.testing.assert_allclose(tr["hv"], [25, 25, 31, 39, 39])
    grid = np.array([0, 0.5, 1, 1.5, 2, 3.9, 4, 6, 7, 100.0])
    runs, vals = metrics.curves_on_grid(tr, grid, x="time")
    assert runs.to_dict("records") == [{"method": "m", "seed": 0}]
    np.testing.assert_allclose(vals[0], [0, 0, 25, 25, 25, 25, 39, 39, 39, 39])
    _, vc = metrics.curves_on_grid(tr, np.array([0.05, 0.1, 0.39, 0.4, 0.45, 0.5]), x="cost")
    np.testing.assert_allclose(vc[0], [0, 25, 25, 31, 31, 39])


def test_max_direction_is_negated():
    df = hand_frame()
    df["acc"] = -df.pop("f2")  # maximize acc == minimize f2
    tr = metrics.hypervolume_traces(
        df, objectives=["f1", "acc"], directions=["min", "max"], ref=[10.0, 10.0]
    )
    np.testing.assert_allclose(tr["hv"], [25, 25, 31, 39, 39])


def test_defaults_from_attrs():
    df = hand_frame()
    df.attrs["mohb_jax"] = {
        "objectives": ["f1", "f2"],
        "directions": ["min", "min"],
        "reference_point": [10.0, 10.0],
    }
    np.testing.assert_allclose(metrics.hypervolume_traces(df)["hv"], [25, 25, 31, 39, 39])


def test_traces_match_bruteforce_on_random_runs():
    rng = np.random.default_rng(1)
    parts = []
    for method in ("a", "b"):
        for seed in range(3):
            n = int(rng.integers(1, 40))
            parts.append(
                pd.DataFrame(
                    {
                        "method": method,
                        "seed": seed,
                        "time": np.sort(rng.uniform(0, 100, n)),
                        "f1": rng.uniform(0, 1.2, n).round(2),  # ties, some beyond ref
                        "f2": rng.uniform(0, 1.2, n).round(2),
                    }
                )
            )
    # interleave runs to check grouping does not rely on contiguity
    df = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=0)
    df = df.sort_values("time", kind="stable").reset_index(drop=True)
    ref = np.array([1.0, 1.0])
    tr = metrics.hypervolume_traces(df, objectives=["f1", "f2"], directions=MIN2, ref=ref)
    assert len(tr) == len(df)
    for (m, s), g in tr.groupby(["method", "seed"], sort=False):
        src = df[(df.method == m) & (df.seed == s)]
        y = src[["f1", "f2"]].to_numpy()
        want = [hv2d_bruteforce(y[: k + 1], ref) for k in range(len(y))]
        np.testing.assert_allclose(g["hv"].to_numpy(), want, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(g["time"].to_numpy(), src["time"].to_numpy())


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda d: d.assign(f1=[np.nan, 1, 1, 1, 1]), "finite"),
        (lambda d: d.drop(columns="f2"), "not in the results frame"),
        (lambda d: d.assign(time=[3.0, 2, 4, 4, 7]), "arrival order"),
    ],
)
def test_bad_frames(mutate, match):
    with pytest.raises(ValueError, match=match):
        metrics.hypervolume_traces(
            mutate(hand_frame()), objectives=["f1", "f2"], directions=MIN2, ref=[10, 10]
        )


def test_bad_reference_point_and_direction():
    with pytest.raises(ValueError, match="reference point"):
        metrics.hypervolume_traces(
            hand_frame(), objectives=["f1", "f2"], directions=MIN2, ref=[10.0]
        )
    with pytest.raises(ValueError, match="direction"):
        metrics.hypervolume_traces(
            hand_frame(), objectives=["f1", "f2"], directions=["min", "up"], ref=[10, 10]
        )


def traces(rows):
    """Traces frame from (method, seed, [(time, hv), ...])."""
    recs = [
        {"method": m, "seed": s, "time": t, "cost": 2 * t, "hv": h}
        for m, s, pts in rows
        for t, h in pts
    ]
    return pd.DataFrame(recs)


def test_time_to_target_with_censored_seed():
    tr = traces(
        [
            ("m", 0, [(1, 10), (3, 30), (5, 50)]),
            ("m", 1, [(2, 5), (8, 20)]),  # never reaches 30: censored
            ("m", 2, [(4, 30)]),  # reaches exactly at 4 (>= target)
        ]
    )
    ttt = metrics.time_to_target(tr, 30.0)
    np.testing.assert_array_equal(ttt["time"], [3.0, np.inf, 4.0])
    np.testing.assert_array_equal(ttt["reached"], [True, False, True])
    ttc = metrics.time_to_target(tr, 30.0, x="cost")
    np.testing.assert_array_equal(ttc["cost"], [6.0, np.inf, 8.0])


def test_speedups_hand_computed():
    # time-to-target 30: baseline 10, 20, 30, inf -> median (inverted cdf) 20;
    # fast 5, 10, inf, inf -> 10 -> speed-up 2; never: all inf -> 0.
    rows = []
    for s, t in enumerate([10, 20, 30, None]):
        rows.append(("base", s, [(1, 1)] + ([(t, 30)] if t else [])))
    for s, t in enumerate([5, 10, None, None]):
        rows.append(("fast", s, [(1, 1)] + ([(t, 31)] if t else [])))
    for s in range(4):
        rows.append(("never", s, [(1, 1), (50, 29)]))
    tr = traces(rows)
    sp = metrics.speedups(tr, baseline="base", target=30.0, n_boot=500, seed=3).set_index("method")
    assert sp.loc["base", "speedup"] == 1.0
    assert sp.loc["fast", "speedup"] == 2.0
    assert sp.loc["never", "speedup"] == 0.0
    assert sp.loc["fast", "x_to_target"] == 10.0
    assert sp.loc["base", "baseline_x_to_target"] == 20.0
    np.testing.assert_allclose(sp["reached_frac"], [0.75, 0.5, 0.0])
    f = sp.loc["fast"]
    assert f["lo"] <= f["speedup"] <= f["hi"]
    assert sp.loc["never", "hi"] == 0.0
    # cost axis: cost = 2 * time, ratios unchanged
    spc = metrics.speedups(tr, baseline="base", target=30.0, x="cost", n_boot=200)
    np.testing.assert_allclose(spc["speedup"], [1.0, 2.0, 0.0])


def test_default_target_quantile():
    tr = traces([("base", s, [(1, v)]) for s, v in enumerate([4.0, 1.0, 3.0, 2.0])])
    assert metrics.default_target(tr, "base") == 1.0  # 25 % quantile (inverted cdf) of 1..4
    assert metrics.default_target(tr, "base", target_quantile=0.5) == 2.0
    with pytest.raises(ValueError, match="baseline"):
        metrics.default_target(tr, "nope")


def test_aggregate_sem_and_bootstrap():
    rng = np.random.default_rng(0)
    rows = []
    for s in range(20):
        ts = np.sort(rng.uniform(0, 10, 5))
        rows.append(("a", s, list(zip(ts, np.cumsum(rng.uniform(0, 1, 5)), strict=True))))
    tr = traces(rows)
    grid = np.linspace(0, 10, 11)
    _, vals = metrics.curves_on_grid(tr, grid)
    sem = metrics.aggregate_curves(tr, grid=grid, band="sem", level=0.95)
    mean = vals.mean(0)
    half = 1.959963984540054 * vals.std(0, ddof=1) / np.sqrt(20)
    np.testing.assert_allclose(sem["mean"], mean)
    np.testing.assert_allclose(sem["hi"] - sem["mean"], half, rtol=1e-9, atol=1e-12)
    assert (sem["n_seeds"] == 20).all()
    bo = metrics.aggregate_curves(tr, grid=grid, band="bootstrap", n_boot=400, seed=1)
    np.testing.assert_allclose(bo["mean"], mean)
    assert (bo["lo"] <= bo["mean"] + 1e-12).all() and (bo["hi"] >= bo["mean"] - 1e-12).all()
    # bootstrap half-width close to the normal one where the spread is non-zero
    nz = half > 1e-9
    ratio = ((bo["hi"] - bo["lo"]).to_numpy()[nz]) / (2 * half[nz])
    assert np.all((ratio > 0.6) & (ratio < 1.4))
    with pytest.raises(ValueError, match="band"):
        metrics.aggregate_curves(tr, band="median")


def test_final_hypervolume():
    tr = traces([("a", 0, [(1, 1), (2, 5)]), ("a", 1, [(1, 3)])])
    fin = metrics.final_hypervolume(tr)
    assert fin["hv"].tolist() == [5, 3]


def test_traces_progress_bar_changes_nothing(capsys, monkeypatch):
    """``progress=True`` shows a bar over the runs (several chunks here) and the same traces."""
    import mohb_jax._src.sim.metrics as impl

    monkeypatch.setattr(impl, "_GROUP_CHUNK", 2)  # 5 runs -> 3 chunks
    rng = np.random.default_rng(3)
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "method": "a",
                    "seed": s,
                    "time": np.arange(12.0),
                    "f1": rng.random(12),
                    "f2": rng.random(12),
                }
            )
            for s in range(5)
        ],
        ignore_index=True,
    )
    kw = dict(objectives=["f1", "f2"], directions=MIN2, ref=[1.0, 1.0])
    quiet = metrics.hypervolume_traces(df, **kw)
    capsys.readouterr()
    shown = metrics.hypervolume_traces(df, progress=True, **kw)
    err = capsys.readouterr().err
    pd.testing.assert_frame_equal(quiet, shown)
    assert "HV traces" in err and "/5 [" in err  # a bar over the 5 runs


# ---- directions and reference point from the attrs, by name --------------------------------


def attrs_frame() -> pd.DataFrame:
    """hand_frame with f2 turned into a "max" objective and the attrs a sweep writes."""
    df = hand_frame()
    df["valid_perf"] = -df.pop("f2")
    df = df.rename(columns={"f1": "latency_s"})
    df.attrs["mohb_jax"] = {
        "objectives": ["valid_perf", "latency_s"],
        "directions": ["max", "min"],
        "reference_point": [10.0, 10.0],  # minimization space: valid_perf's ref is -(-10)
    }
    return df


@pytest.mark.parametrize(
    "objectives", [None, ["valid_perf", "latency_s"], ["latency_s", "valid_perf"]]
)
def test_directions_come_from_the_attrs_whichever_way_objectives_are_named(objectives):
    """The bug: naming the objectives used to drop the attrs' directions (all "min", HV 0)."""
    tr = metrics.hypervolume_traces(attrs_frame(), objectives=objectives)
    np.testing.assert_allclose(tr["hv"], [25, 25, 31, 39, 39])


def test_unknown_or_contradicting_direction_is_an_error():
    df = attrs_frame()
    df["other"] = 1.0
    with pytest.raises(ValueError, match="'other' has no direction"):
        metrics.hypervolume_traces(df, objectives=["valid_perf", "other"], ref=[0.0, 2.0])
    with pytest.raises(ValueError, match="its source says 'max'"):
        metrics.hypervolume_traces(
            df, objectives=["valid_perf", "latency_s"], directions=["min", "min"]
        )
    with pytest.raises(ValueError, match="duplicated"):
        metrics.hypervolume_traces(df, objectives=["latency_s", "latency_s"])
    plain = hand_frame()  # no attrs: directions must be given
    with pytest.raises(ValueError, match="'f1' has no direction"):
        metrics.hypervolume_traces(plain, objectives=["f1", "f2"], ref=[10.0, 10.0])


def test_subset_of_objectives_takes_its_reference_value_by_name():
    df = attrs_frame()
    tr = metrics.hypervolume_traces(df, objectives=["latency_s"])  # 1-D: 10 - min latency
    np.testing.assert_allclose(tr["hv"], [5, 5, 8, 8, 8])


def test_hv_fidelity_max_counts_only_the_highest_fidelity():
    df = hand_frame()
    df["fidelity"] = [1.0, 3.0, 3.0, 1.0, 3.0]
    kw = dict(objectives=["f1", "f2"], directions=MIN2, ref=[10.0, 10.0])
    tr = metrics.hypervolume_traces(df, hv_fidelity="max", max_fidelity=3.0, **kw)
    y = df[["f1", "f2"]].to_numpy()
    keep = df["fidelity"].to_numpy() == 3.0
    want = [hv2d_bruteforce(y[: k + 1][keep[: k + 1]], np.array([10.0, 10.0])) for k in range(5)]
    np.testing.assert_allclose(tr["hv"], want)  # [0, 16, 24, 24, 24]
    with pytest.raises(ValueError, match="max_fidelity"):
        metrics.hypervolume_traces(df, hv_fidelity="max", **kw)
    with pytest.raises(ValueError, match="hv_fidelity"):
        metrics.hypervolume_traces(df, hv_fidelity="some", **kw)
    half = metrics.hypervolume_traces(df, scale=2.0, **kw)
    np.testing.assert_allclose(half["hv"], np.array([25, 25, 31, 39, 39]) / 2)


# ---- normalized HV: the table's reachable front (oracle: moocore) ---------------------------


@pytest.fixture(scope="module")
def synth():
    from test_sweep import synthetic_table

    return synthetic_table()


@pytest.mark.parametrize("rule", ["all", "max"])
def test_best_hypervolume_is_moocore_hv_of_every_reachable_point(synth, rule):
    moocore = pytest.importorskip("moocore")
    objs = ["acc", "time_s"]
    ref = synth.reference_point(objs)
    y = np.asarray(synth.values[0], np.float64)  # [C, S, F, M], minimization
    if rule == "max":
        y = y[:, :, -1:]
    best = metrics.best_hypervolume(synth, objs, hv_fidelity=rule)
    assert best == pytest.approx(moocore.hypervolume(y.reshape(-1, 2), ref=ref), rel=1e-12)
    front = metrics.reachable_front(synth, objs, hv_fidelity=rule)
    pts = front[objs].to_numpy() * np.array([-1.0, 1.0])
    assert moocore.hypervolume(pts, ref=ref) == pytest.approx(best, rel=1e-12)
    assert moocore.is_nondominated(pts).all()
    # the front's own points, as a "run" in the results format: normalized HV exactly 1.0
    run = front.assign(method="oracle", seed=0, time=np.arange(len(front), dtype=float))
    run.attrs["mohb_jax"] = {
        "objectives": objs,
        "directions": ["max", "min"],
        "reference_point": list(ref),
        "max_fidelity": float(synth.fidelities[-1]),
    }
    tr = metrics.hypervolume_traces(run, hv_fidelity=rule, scale=best)
    assert tr["hv"].iloc[-1] == pytest.approx(1.0, rel=1e-12)


@pytest.fixture(scope="module")
def synth_sweep(synth):
    from mohb_jax import report, sim

    df = sim.compare(
        synth, methods=["epsnet", "random"], seeds=6, n_workers=2, budget="30x", progress=False
    )
    return report.annotate(df, synth)


def test_normalized_hv_of_simulated_runs_is_at_most_one(synth_sweep):
    """Every run of every method, under both counting rules: HV / best <= 1 (moocore checks
    the final values)."""
    moocore = pytest.importorskip("moocore")
    df = synth_sweep
    meta = df.attrs["mohb_jax"]
    ref = np.asarray(meta["reference_point"])
    for rule in ("all", "max"):
        best = meta["best_hv"][rule]
        tr = metrics.hypervolume_traces(df, hv_fidelity=rule, scale=best)
        assert (tr["hv"] <= 1.0 + 1e-12).all() and (tr["hv"] >= 0).all()
        fin = metrics.final_hypervolume(tr)
        ok = metrics.counted_mask(df, rule)
        for (m, s), g in df[ok].groupby(["method", "seed"]):
            y = g[["acc", "time_s"]].to_numpy() * np.array([-1.0, 1.0])
            want = moocore.hypervolume(y, ref=ref) / best
            got = fin.loc[(fin["method"] == m) & (fin["seed"] == s), "hv"].item()
            assert got == pytest.approx(want, rel=1e-9)
    assert meta["best_hv"]["max"] <= meta["best_hv"]["all"]


@pytest.mark.parametrize("rule", ["all", "max"])
def test_report_headline_and_settings(synth_sweep, synth, rule):
    """The headline states the ratios of the speed-up table; the settings are the
    non-dominated counted results of the typical run (oracle: moocore), rows of the table."""
    moocore = pytest.importorskip("moocore")
    from mohb_jax import report

    s = report.summarize(synth_sweep, hv_fidelity=rule)
    assert s.normalized and s.hv_fidelity == rule and s.baseline == "random"
    text = report.headline(s)
    t = s.speedups.set_index(["method", "x"]).loc[("epsnet", "time")]
    if np.isfinite(t["x_to_target"]):
        ratio = t["speedup"]
        shown = f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×" if ratio >= 1.05 else None
        assert "epsnet reached random's target" in text
        assert shown is None or shown in text
    else:
        assert text.startswith("No method reached")
    sentence, settings = report.settings_sentence(synth_sweep, s)
    assert "Pareto-optimal" in sentence and len(settings) >= 1
    seed = int(sentence.split("seed ")[1].split(",")[0])
    run = synth_sweep[(synth_sweep["method"] == "epsnet") & (synth_sweep["seed"] == seed)]
    run = run[metrics.counted_mask(run, rule)]
    y = run[["acc", "time_s"]].to_numpy() * np.array([-1.0, 1.0])
    nd = run[moocore.is_nondominated(y)]

    def pairs(f, a, b):
        return set(f[[a, b]].itertuples(index=False, name=None))

    assert pairs(settings, "lr", "acc") == pairs(nd, "lr", "acc")
    assert pairs(settings, "lr", "machine") <= pairs(synth.configs, "lr", "machine")
    assert set(settings["hardware"]) <= {"machine=small", "machine=big"}


def test_report_refuses_in_words_when_nothing_counts(synth_sweep):
    """No highest-fidelity result under --hv-fidelity max, or no result at all: a sentence
    (NoResultsError, exit code 3 in the CLI), never an IndexError."""
    from mohb_jax import report

    low = synth_sweep[synth_sweep["fidelity"] < synth_sweep["fidelity"].max()].copy()
    low.attrs = synth_sweep.attrs
    with pytest.raises(report.NoResultsError, match="no result counts under --hv-fidelity max"):
        report.summarize(low, hv_fidelity="max")
    assert report.summarize(low, hv_fidelity="all").normalized
    empty = synth_sweep.iloc[:0].copy()
    empty.attrs = synth_sweep.attrs
    with pytest.raises(report.NoResultsError, match="results are empty"):
        report.summarize(empty)
    one = synth_sweep[synth_sweep["method"] == "epsnet"].copy()
    one.attrs = synth_sweep.attrs  # attrs list 'random' too: it reported nothing
    with pytest.raises(report.NoResultsError, match=r"\['random'\] reported no result"):
        report.summarize(one)
