"""The Ray executor on a real local Ray cluster (the ``ray`` extra): hardware rows land on the
resources they name, infeasible rows fail at start-up, a Ray worker killed mid-trial is retried
from its checkpoint with every result told once, and a sweep on Ray equals the local sweep."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

ray = pytest.importorskip("ray", reason="needs the ray extra: pip install 'mohb_jax[ray]'")

import ray_trials  # noqa: E402
import tune_helpers as th  # noqa: E402
import tune_trials  # noqa: E402

from mohb_jax.tune import Hardware, RayExecutor, Tuner  # noqa: E402

RESOURCES = {"hw:small": 2.0, "hw:large": 1.0}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    tmp = tmp_path_factory.mktemp("ray")
    ray.init(
        num_cpus=2,
        resources=RESOURCES,
        labels={"mohb.io/pool": "test"},
        include_dashboard=False,
        log_to_driver=False,
        _temp_dir=str(tmp / "r"),
    )
    yield
    ray.shutdown()


def rows(env=None):
    """Two rows on the two custom resources (Ray jobs get their row's env, not the driver's)."""
    env = dict(env or {})
    return [
        Hardware(
            "small",
            0.5,
            env=env,
            resources={"ray": {"num_cpus": 0.5, "resources": {"hw:small": 1}}},
        ),
        Hardware(
            "large",
            2.0,
            env=env,
            resources={
                "ray": {
                    "num_cpus": 0.5,
                    "resources": {"hw:large": 1},
                    "label_selector": {"mohb.io/pool": "test"},
                }
            },
        ),
    ]


ROWS = rows()


def test_infeasible_rows_fail_at_start_with_their_names(cluster, tmp_path):
    bad = [
        *ROWS,
        Hardware("gpu", 3.0, resources={"ray": {"num_gpus": 1}}),
        Hardware("elsewhere", 1.0, resources={"ray": {"label_selector": {"mohb.io/pool": "x"}}}),
        Hardware("typo", 1.0, resources={"ray": {"num_cpu": 1}}),
    ]
    ex = RayExecutor()
    with pytest.raises(ValueError) as e:
        ex.check(bad)
    msg = str(e.value)
    for name in ("'gpu'", "'elsewhere'", "'typo'", "GPU 1", "mohb.io/pool"):
        assert name in msg
    assert "'small'" not in msg and "'large'" not in msg
    ex.check(ROWS)  # the feasible rows pass
    with pytest.raises(ValueError, match="'gpu'"):
        Tuner(
            tune_trials.quad,
            th.candidates(),
            **th.tuner_kwargs(tmp_path / "run", hardware=bad[:3], executor=ex),
        )


def test_trials_land_on_their_rows_resources(cluster, tmp_path):
    out = tmp_path / "marks"
    out.mkdir()
    tu = Tuner(
        ray_trials.landing,
        pd.DataFrame({"x": [0.1, 0.3, 0.5, 0.7]}),
        **th.tuner_kwargs(
            tmp_path / "run",
            hardware=rows({"RAY_TEST_OUT": str(out)}),
            executor=RayExecutor(),
            n_workers=2,
            max_trials=8,
            objectives={"loss": "min", "cost_usd": "min"},
        ),
    )
    res = tu.run()
    df = res.frame
    assert len(df) > 0
    marks = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert len(marks) >= len(df["trial"].unique())
    for m in marks:
        key = f"hw:{m['hardware']}"
        assert m["resources"].get(key) == 1.0, m  # the job held its row's resource
        other = "hw:large" if m["hardware"] == "small" else "hw:small"
        assert other not in m["resources"]
    assert {m["hardware"] for m in marks} == {"small", "large"}
    assert not df.duplicated(["trial", "fidelity_index"]).any()


def test_killed_ray_worker_resumes_from_its_checkpoint(cluster, tmp_path):
    marks = tmp_path / "marks.txt"
    cand = th.candidates(["sigkill", "exit"])
    tu = Tuner(
        tune_trials.faulty,
        cand,
        **th.tuner_kwargs(
            tmp_path / "run",
            hardware=[
                Hardware(
                    "ray",
                    1.0,
                    env={"TUNE_MARKS": str(marks)},
                    resources={"ray": {"num_cpus": 0.5}},
                )
            ],
            executor=RayExecutor(),
            n_workers=2,
            max_retries=1,
        ),
    )
    res = tu.run()
    df = res.frame
    assert df["trial"].nunique() == len(cand)
    assert not df.duplicated(["trial", "fidelity_index"]).any()  # every result told once
    assert df.groupby("trial")["fidelity_index"].max().eq(len(th.GRID) - 1).all()
    # the killed trials were retried (attempt 1) and resumed from the checkpoint: the epoch
    # before the kill was trained once, the one it died in twice
    got = pd.Series([ln for ln in marks.read_text().split("\n") if ln]).value_counts()
    retried = df.loc[df["attempt"] > 0, "trial"].unique()
    assert len(retried) == 2, df[["trial", "attempt"]].drop_duplicates()
    for t in retried:
        assert got.get(f"{t} 1", 0) == 1, got
        assert got.get(f"{t} 2", 0) == 2, got


def _embedded():
    from mohb_jax import tables

    return tables.load_benchmark("embedded")


def test_ray_sweep_equals_local_sweep(cluster):
    import mohb_jax

    t = _embedded()
    kw = dict(method="epsnet", task=0, n_workers=2, budget="5x")
    local = mohb_jax.simulate(t, seeds=[3, 4, 5], progress=False, **kw)
    remote = mohb_jax.simulate(t, seeds=[3, 4, 5], chunk_size=2, executor=RayExecutor(), **kw)
    assert remote.attrs["mohb_jax"]["executor"]["chunks"] == 2
    # the workers started JAX with the event loop as one kernel (use_loop_kernels)
    assert remote.attrs["mohb_jax"]["executor"]["loop_kernels"] is True
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def _running_chunk_pids() -> list[int]:
    """PIDs of Ray workers running a sweep chunk now (Ray titles them ``ray::_sweep_chunk``)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if cmd.startswith(b"ray::_sweep_chunk"):
            pids.append(int(d))
    return pids


def test_a_chunk_lost_with_its_worker_is_rerun(cluster):
    import mohb_jax

    t = _embedded()
    kw = dict(method="epsnet", task=1, n_workers=2, budget="5x")
    killed = []

    def killer():
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            for pid in _running_chunk_pids():
                os.kill(pid, signal.SIGKILL)  # the worker process dies mid-chunk
                killed.append(pid)
                return
            time.sleep(0.1)

    th_ = threading.Thread(target=killer)
    th_.start()
    remote = RayExecutor().simulate(t, seeds=[7, 8], chunk_size=1, **kw)
    th_.join()
    assert killed, "no running chunk was found to kill"
    local = mohb_jax.simulate(t, seeds=[7, 8], progress=False, **kw)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert np.isfinite(remote["time"]).all()


def test_cli_sweep_on_ray_writes_the_same_results(cluster, tmp_path, capsys):
    from mohb_jax.cli import main

    argv = "sweep --benchmark embedded --method epsnet random --seeds 0:3 --n-workers 2"
    argv += " --budget 5x --no-progress --no-plot --chunk-size 2 --out"
    assert main(argv.split() + [str(tmp_path / "here")]) == 0
    assert main(argv.split() + [str(tmp_path / "ray"), "--ray", "local"]) == 0
    capsys.readouterr()
    here = pd.read_parquet(tmp_path / "here" / "results.parquet")
    there = pd.read_parquet(tmp_path / "ray" / "results.parquet")
    pd.testing.assert_frame_equal(here, there, check_exact=True)


DRIVER = """
import sys
sys.path[:0] = {paths!r}
import ray
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
import tune_helpers as th, tune_trials
from mohb_jax.tune import Hardware, RayExecutor, Tuner
row = Hardware("ray", 1.0, env={{"TUNE_SLEEP": "0.3"}}, resources={{"ray": {{"num_cpus": 0.5}}}})
Tuner(tune_trials.quad, th.candidates(),
      **th.tuner_kwargs({journal!r}, hardware=[row], executor=RayExecutor(), n_workers=2)).run()
"""


def test_driver_killed_then_resume_on_ray_loses_nothing(cluster, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from test_tune_resume import _results

    from mohb_jax.tune import replay

    run_dir = tmp_path / "run"
    journal = run_dir / "journal.jsonl"
    script = tmp_path / "drive.py"
    here = str(Path(__file__).resolve().parent)
    script.write_text(
        DRIVER.format(paths=[here, *[p for p in sys.path if p]], journal=str(run_dir))
    )
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if journal.exists() and len(_results(journal)) >= 5:
                break
            assert proc.poll() is None, "the driver ended before it could be killed"
            time.sleep(0.1)
        else:
            raise AssertionError("the driver made no progress")
        os.kill(proc.pid, signal.SIGKILL)  # the driver dies ...
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # ... with the Ray cluster it had started
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
    before = _results(journal)
    assert 5 <= len(before) < th.N_ROWS * len(th.GRID)
    res = Tuner.resume(
        run_dir, tune_trials.quad, executor=RayExecutor(), progress=False, cache_dir=th.cache_dir()
    ).run()
    df = res.frame
    assert df["trial"].nunique() == th.N_ROWS
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    assert len(df) == th.N_ROWS * len(th.GRID) and (df["status"] == "ok").all()
    head = df.iloc[: len(before)]
    assert list(head["job"]) == [r["job_id"] for r in before]
    assert list(head["time_s"]) == [r["time_s"] for r in before]
    assert replay(run_dir).frame["decision"].equals(df["decision"])
