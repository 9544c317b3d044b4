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
        "settings.csv",
        "headline.txt",
    ):
        assert (out / f).exists(), f
    assert (out / "syne_tune" / "mohb-jax-epsnet-0" / "results.csv.zip").exists()
    assert "results written to" in text and "time speed-up vs random" in text
    assert "HV counting (--hv-fidelity all)" in text and "1.0 = the whole front" in text
    df = pd.read_parquet(out / "results.parquet")
    assert set(df["method"]) == {"epsnet", "random"} and set(df["seed"]) == {0, 1, 2, 3}
    meta = json.loads((out / "results.json").read_text())
    assert meta["methods"] == ["epsnet", "random"] and meta["benchmark"] == "embedded"
    assert meta["objectives"] == ["val_error", "cost_usd"]
    effective = {m: o["on_exhausted"] for m, o in meta["options"].items()}
    assert effective == {"epsnet": "resume", "random": "idle"}
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
        (["sweep", "--method", "epsnet", "random", "epsnet"], "more than once"),
        (["sweep", "--objectives", "acc", "acc"], "duplicated"),
        (["sweep", "--objectives", "acc:min"], "source says 'max'"),
        (["sweep", "--objectives", "acc:up"], "given as 'up'"),
        (["sweep", "--baseline", "crowding"], "not among the methods"),
        (["sweep", "--config-columns", "lr"], "only apply to --table"),
        (["sweep", "--table", "/nonexistent.parquet"], "no such file"),
        (["sweep", "--budget", "0"], "budget"),
        (["sweep", "--budget=-3x"], "budget"),
        (["sweep", "--seeds=-1:3"], "seeds"),
        (["sweep", "--seeds", "0:5", "--num-seeds", "3"], "either"),
        (["sweep", "--method", "nope"], "unknown method(s) ['nope']; choose from ['epsnet'"),
        (["sweep", "--objectives", "acc", "flops"], "unknown objective"),
        (["plot", "--results", "/nonexistent/dir"], "no results"),
        (["sweep", "--transfer"], "no task besides"),  # one task: nothing to transfer from
    ],
)
def test_bad_arguments_exit_2(bench_name, argv, match, capsys, tmp_path):
    if argv[0] == "sweep" and "--benchmark" not in argv and "--table" not in argv:
        argv = argv + ["--benchmark", bench_name]
    out = tmp_path / "out"
    rc = main(argv + (["--out", str(out)] if argv[0] == "sweep" else []))
    cap = capsys.readouterr()
    assert rc == 2
    assert match in cap.err
    if "--transfer" not in argv:  # (the transfer fit is checked after the folder exists)
        assert "mohb-jax sweep:" not in cap.out  # refused before any simulation
        assert not (out / "results.parquet").exists()


def test_out_naming_a_file_is_refused_before_the_sweep(bench_name, tmp_path, capsys):
    """It used to raise FileExistsError after the whole sweep had run."""
    f = tmp_path / "taken"
    f.write_text("x")
    rc = main(["sweep", "--benchmark", bench_name, "--seeds", "0:2", "--out", str(f)])
    cap = capsys.readouterr()
    assert rc == 2 and "exists and is not a folder" in cap.err
    assert "simulated" not in cap.out and f.read_text() == "x"


def test_budget_too_small_saves_results_and_says_so(bench_name, tmp_path, capsys):
    out = tmp_path / "tiny"
    argv = ["sweep", "--benchmark", bench_name, "--method", "epsnet", "random", "--seeds", "0:2"]
    argv += ["--n-workers", "2", "--budget", "0.01", "--no-progress", "--no-plot", "--out"]
    rc = main(argv + [str(out)])
    cap = capsys.readouterr()
    assert rc == 3, cap.err
    assert "nothing to summarize" in cap.err and "budget" in cap.err
    assert "Traceback" not in cap.err and (out / "results.parquet").exists()
    # the empty results given to `plot`: the same sentence and exit code, no IndexError
    rc = main(["plot", "--results", str(out)])
    cap = capsys.readouterr()
    assert rc == 3 and "nothing to summarize" in cap.err


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


def own_table_frame():
    """A tidy frame as a user would bring it: 2 machines × 6 learning rates × 3 epochs."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = []
    for machine, speed, price in (("small", 1.0, 0.5), ("big", 3.0, 2.0)):
        for lr in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
            q = abs(np.log10(lr) + 2.5)
            for epoch in (1, 3, 9):
                rows.append(
                    {
                        "machine": machine,
                        "lr": lr,
                        "epoch": epoch,
                        "acc": 0.9 - 0.2 * q - 0.3 / epoch + rng.normal(0, 0.005),
                        "time_s": 20.0 * epoch / speed,
                        "usd_per_hour": price,
                    }
                )
    return pd.DataFrame(rows)


def test_sweep_on_your_own_table_end_to_end(tmp_path, capsys):
    """``--table my.parquet`` through Table.from_frame: same rows as simulate() on the table
    built from the same frame by the API; the cost comes from the price column."""
    from mohb_jax import sim
    from mohb_jax.tables import HardwareSpec, Table

    frame = own_table_frame()
    path = tmp_path / "my.parquet"
    frame.to_parquet(path)
    out = tmp_path / "own"
    argv = ["sweep", "--table", str(path), "--config-columns", "machine", "lr"]
    argv += ["--fidelity-column", "epoch", "--objectives", "acc:max", "time_s:min"]
    argv += ["--time-column", "time_s", "--price-column", "usd_per_hour"]
    argv += ["--hardware-columns", "machine", "--method", "epsnet", "random", "--seeds", "0:3"]
    argv += ["--n-workers", "2", "--budget", "20x", "--no-progress", "--out", str(out)]
    rc = main(argv)
    text = capsys.readouterr().out
    assert rc == 0, text
    meta = json.loads((out / "results.json").read_text())
    assert meta["benchmark"] == "my" and meta["objectives"] == ["acc", "time_s"]
    assert meta["hardware_columns"] == ["machine"]
    df = pd.read_parquet(out / "results.parquet")
    assert set(df["machine"]) <= {"small", "big"} and df["cost"].notna().all()
    assert "cost speed-up vs random" in text and (out / "front.png").exists()

    prices = {"small": 0.5, "big": 2.0}
    t = Table.from_frame(
        frame,
        config_columns=["machine", "lr"],
        fidelity_column="epoch",
        objectives={"acc": "max", "time_s": "min"},
        time_objective="time_s",
        hardware=HardwareSpec(columns=["machine"], price_per_hour=prices),
        name="my",
    ).with_cost("cost_usd")
    ref = sim.simulate(
        t,
        method="random",
        seeds=[0, 1, 2],
        n_workers=2,
        budget="20x",
        objectives=["acc", "time_s"],
        progress=False,
    )
    got = df[df["method"] == "random"].reset_index(drop=True)
    cols = ["seed", "config", "fidelity", "acc", "time", "cost"]
    pd.testing.assert_frame_equal(got[cols], ref[cols], check_dtype=False)


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--objectives", "acc", "time_s:min"], "'acc' has no direction"),
        (["--objectives", "acc:max"], "--time-column"),
        (
            [
                "--objectives",
                "acc:max",
                "--time-column",
                "time_s",
                "--price-column",
                "nope",
                "--hardware-columns",
                "machine",
            ],
            "not a column",
        ),
        (
            [
                "--objectives",
                "acc:max",
                "--time-column",
                "time_s",
                "--price-column",
                "usd_per_hour",
            ],
            "--hardware-columns",
        ),
        (
            [
                "--objectives",
                "acc:max",
                "--time-column",
                "time_s",
                "--price-column",
                "acc",
                "--hardware-columns",
                "machine",
            ],
            "differs within hardware",
        ),
        (["--objectives", "acc:max", "--time-column", "nope"], "columns ['nope'] are not"),
    ],
)
def test_own_table_bad_input_exit_2(tmp_path, capsys, extra, match):
    path = tmp_path / "my.parquet"
    own_table_frame().to_parquet(path)
    argv = ["sweep", "--table", str(path), "--config-columns", "machine", "lr"]
    argv += ["--fidelity-column", "epoch", "--out", str(tmp_path / "o"), *extra]
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and match in err, err
