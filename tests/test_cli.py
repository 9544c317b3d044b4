"""The ``mohb-jax`` CLI: end to end (parquet + JSON + PNG + summary), plot, benchmarks, errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_sweep import synthetic_table

from mohb_jax.cli import main
from mohb_jax.tables import register_benchmark


@pytest.fixture(scope="module", autouse=True)
def _no_disk_cache():
    mp = pytest.MonkeyPatch()
    mp.setenv("MOHB_JAX_NO_COMPILE_CACHE", "1")  # keep the test process's jax config untouched
    yield
    mp.undo()


@pytest.fixture(scope="module")
def bench_name():
    name = "synthetic_cli"
    register_benchmark(
        name,
        lambda data_dir: synthetic_table(),
        description="synthetic hardware-selection table for the CLI tests",
        citation="-",
        default_objectives=("acc", "time_s"),
        overwrite=True,
    )
    return name


def test_sweep_end_to_end_then_plot(tmp_path, capsys):
    """The README's main job on the shipped embedded table, with a small seed count."""
    out = tmp_path / "res"
    argv = "sweep --benchmark embedded --method epsnet random --seeds 0:4 --n-workers 2"
    argv += " --budget 20x --no-progress --syne-tune --out"
    rc = main(argv.split() + [str(out)])
    text = capsys.readouterr().out
    assert rc == 0, text
    for f in (
        "results.parquet",
        "results.json",
        "hv.png",
        "front.png",
        "summary.csv",
        "speedups.csv",
    ):
        assert (out / f).exists(), f
    assert (out / "syne_tune" / "mohb-jax-epsnet-0" / "results.csv.zip").exists()
    assert "results written to" in text and "time speed-up vs random" in text
    df = pd.read_parquet(out / "results.parquet")
    assert set(df["method"]) == {"epsnet", "random"} and set(df["seed"]) == {0, 1, 2, 3}
    meta = json.loads((out / "results.json").read_text())
    assert meta["methods"] == ["epsnet", "random"] and meta["benchmark"] == "embedded"
    assert meta["objectives"] == ["val_error", "cost_usd"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["method"]) == ["epsnet", "random"] and (summary["seeds"] == 4).all()
    sp = pd.read_csv(out / "speedups.csv")
    assert set(sp["x"]) == {"time", "cost"}  # the table has a hardware catalog -> cost
    assert sp.loc[(sp["method"] == "random") & (sp["x"] == "time"), "speedup"].item() == 1.0
    # plot from the saved results, elsewhere
    rc = main(["plot", "--results", str(out), "--out", str(tmp_path / "plots")])
    assert rc == 0
    assert (tmp_path / "plots" / "hv.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "argv, match",
    [
        (["sweep", "--benchmark", "no_such_table"], "unknown benchmark"),
        (["sweep", "--budget", "0"], "budget"),
        (["sweep", "--budget=-3x"], "budget"),
        (["sweep", "--seeds=-1:3"], "seeds"),
        (["sweep", "--seeds", "0:5", "--num-seeds", "3"], "either"),
        (["sweep", "--method", "nope"], "unknown method"),
        (["sweep", "--objectives", "acc", "flops"], "unknown objective"),
        (["plot", "--results", "/nonexistent/dir"], "no results"),
        (["sweep", "--transfer"], "no task besides"),  # one task: nothing to transfer from
    ],
)
def test_bad_arguments_exit_2(bench_name, argv, match, capsys, tmp_path):
    if argv[0] == "sweep" and "--benchmark" not in argv:
        argv = argv + ["--benchmark", bench_name]
    rc = main(argv + (["--out", str(tmp_path)] if argv[0] == "sweep" else []))
    err = capsys.readouterr().err
    assert rc == 2
    assert match in err


def test_benchmarks_lists_tables(bench_name, capsys):
    assert main(["benchmarks", "--names-only"]) == 0
    names = capsys.readouterr().out.split()
    assert bench_name in names and "trimtuner_cnn" in names


def test_sweep_transfer_adds_copula_runs_equal_to_the_api(tmp_path, capsys):
    """``--transfer`` adds '<method>+copula' runs: the same rows as simulate() with the copula
    searcher of a leave-one-task-out fit, on the same seeds."""
    import mohb_jax
    from mohb_jax import tables, transfer

    out = tmp_path / "tr"
    argv = "sweep --benchmark embedded --task wine --method epsnet --seeds 3:5 --n-workers 2"
    argv += " --budget 10x --no-progress --no-plot --transfer --out"
    rc = main(argv.split() + [str(out)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "copula prior for task 'wine' fit on 3 other task(s)" in text
    df = pd.read_parquet(out / "results.parquet")
    assert list(dict.fromkeys(df["method"])) == ["epsnet", "epsnet+copula"]
    meta = json.loads((out / "results.json").read_text())
    assert meta["methods"] == ["epsnet", "epsnet+copula"]
    assert "copula" in meta["options"]["epsnet+copula"]["searcher"]
    assert set(pd.read_csv(out / "summary.csv")["method"]) == {"epsnet", "epsnet+copula"}

    tb = tables.load_benchmark("embedded")
    fit = transfer.fit_source(tb, "wine")
    ref = mohb_jax.simulate(
        tb,
        method="epsnet",
        task="wine",
        seeds=[3, 4],
        n_workers=2,
        budget="10x",
        objectives=list(fit.objectives),
        searcher=transfer.copula_searcher_for(tb, fit),
        progress=False,
    )
    got = df[df["method"] == "epsnet+copula"].reset_index(drop=True)
    cols = ["seed", "trial", "config", "fidelity_index", "time", "decision"]
    pd.testing.assert_frame_equal(got[cols], ref[cols], check_dtype=False)
    plain = df[df["method"] == "epsnet"].reset_index(drop=True)
    assert not plain[["config"]].equals(got[["config"]])  # the searcher changed the proposals
