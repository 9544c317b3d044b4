"""SIGKILL the driver (a real subprocess) mid-run, resume from the journal: every result is
there exactly once, nothing journaled is lost, a torn last line is tolerated, and the resumed
run replays exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import tune_helpers as th
import tune_trials

from mohb_jax.tune import Tuner, replay

HERE = Path(__file__).resolve().parent

SCRIPT = """
import sys
sys.path[:0] = {paths!r}
import tune_helpers as th, tune_trials
from mohb_jax.tune import Tuner
Tuner(tune_trials.quad, th.candidates(), **th.tuner_kwargs({journal!r})).run()
"""


def _results(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().split("\n"):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if r.get("type") == "result":
            out.append(r)
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie awaiting its reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_driver_sigkill_then_resume_loses_nothing(tmp_path):
    run_dir = tmp_path / "run"
    journal = run_dir / "journal.jsonl"
    script = tmp_path / "drive.py"
    paths = [str(HERE), *[p for p in sys.path if p]]
    script.write_text(SCRIPT.format(paths=paths, journal=str(run_dir)))
    pids = tmp_path / "pids.txt"
    env = dict(os.environ, TUNE_SLEEP="0.15", TUNE_PIDS=str(pids))
    proc = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if journal.exists() and len(_results(journal)) >= 7:
                break
            assert proc.poll() is None, "the driver ended before it could be killed"
            time.sleep(0.05)
        else:
            raise AssertionError("the driver made no progress")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # the workers die with their driver (no orphan trains on)
    for pid in map(int, pids.read_text().split()):
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"worker {pid} outlived its killed driver")
    before = _results(journal)
    assert 7 <= len(before) < th.N_ROWS * len(th.GRID)  # killed mid-run
    with open(journal, "ab") as f:  # a write torn by the kill
        f.write(b'{"type":"result","job_id":0,"f":')
    os.environ["TUNE_SLEEP"] = "0"
    try:
        res = Tuner.resume(
            run_dir, tune_trials.quad, progress=False, cache_dir=th.cache_dir()
        ).run()
    finally:
        os.environ.pop("TUNE_SLEEP", None)
    df = res.frame
    # every trial ran to the top (random search), each result exactly once
    assert df["trial"].nunique() == th.N_ROWS
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    assert len(df) == th.N_ROWS * len(th.GRID)
    assert (df["status"] == "ok").all()
    # nothing journaled before the kill was lost or changed
    head = df.iloc[: len(before)]
    assert list(head["job"]) == [r["job_id"] for r in before]
    assert list(head["fidelity_index"]) == [r["f"] for r in before]
    assert list(head["time_s"]) == [r["time_s"] for r in before]
    # the objectives are those of the (deterministic) trial function
    want = [
        tune_trials.objective({"x": x}, f) for x, f in zip(df["x"], df["fidelity"], strict=True)
    ]
    assert df["loss"].tolist() == want
    # the resumed journal replays exactly (the resume record, every ask and decision)
    rep = replay(run_dir)
    assert rep.n_checked > 0 and rep.frame["decision"].equals(df["decision"])
    assert journal.read_bytes().endswith(b"\n")


def test_dollar_budget_stops_then_a_larger_budget_resumes(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNE_SLEEP", "0.25")
    run_dir = tmp_path / "run"
    # $3.6/h = $0.001 per second of training: 8 trials x 3 epochs x 0.25 s = $0.006 in all
    res = Tuner(
        tune_trials.quad, th.candidates(), **th.tuner_kwargs(run_dir, stop={"cost_usd": 0.002})
    ).run()
    recs = [json.loads(x) for x in (run_dir / "journal.jsonl").read_text().splitlines()]
    stops = [r for r in recs if r["type"] == "stop"]
    assert len(stops) == 1 and "cost budget $0.002" in stops[0]["reason"]
    assert res.spent >= 0.002 and len(res.frame) < th.N_ROWS * len(th.GRID)
    # without new criteria a stopped run stays stopped; with them it goes on
    again = Tuner.resume(run_dir, tune_trials.quad, progress=False, cache_dir=th.cache_dir()).run()
    assert len(again.frame) == len(res.frame)
    monkeypatch.setenv("TUNE_SLEEP", "0")
    done = Tuner.resume(
        run_dir, tune_trials.quad, progress=False, cache_dir=th.cache_dir(), stop={"trials": 8}
    ).run()
    df = done.frame
    assert len(df) == th.N_ROWS * len(th.GRID)
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    assert df.iloc[: len(res.frame)][["trial", "fidelity_index"]].equals(
        res.frame[["trial", "fidelity_index"]]
    )
