"""Faults against real worker processes: raise, hang, NaN, a dying worker (os._exit and
SIGKILL, retried from the checkpoint), retries exhausted, an infeasible hardware row."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import tune_helpers as th
import tune_trials

from mohb_jax.tune import Hardware, Tuner, replay


@pytest.fixture(scope="module")
def faults_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    modes = ["raise", "hang", "nan", "exit", "sigkill", "exit_always"]
    cand = th.candidates(modes)
    tu = Tuner(
        tune_trials.faulty,
        cand,
        **th.tuner_kwargs(d / "run", timeout_s=4.0, max_retries=1),
    )
    return cand, tu.run(), d / "run"


def _by_mode(cand, res):
    df = res.frame.merge(cand.reset_index(names="row")[["x", "mode"]], on=["x", "mode"])
    return {m: g for m, g in df.groupby("mode")}


def test_every_trial_ends_and_each_result_once(faults_run):
    cand, res, _ = faults_run
    df = res.frame
    assert df["trial"].nunique() == len(cand)  # nothing stalled: every row was run
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    # every trial has its top-fidelity result (told), whatever happened to it
    top = df[df["fidelity_index"] == len(th.GRID) - 1]
    assert sorted(top["trial"]) == sorted(df["trial"].unique())


def test_exception_fails_with_reason(faults_run):
    cand, res, _ = faults_run
    g = _by_mode(cand, res)["raise"]
    last = g.iloc[-1]
    assert last["status"] == "failed" and "RuntimeError: boom at 2" in last["reason"]
    assert math.isnan(last["loss"])  # told as +inf; the frame keeps no fake value
    assert (g.iloc[:-1]["status"] == "ok").all()


def test_hang_is_killed_at_timeout(faults_run):
    cand, res, _ = faults_run
    last = _by_mode(cand, res)["hang"].iloc[-1]
    assert last["status"] == "failed" and "no report for 4 s" in last["reason"]


def test_nan_is_told_as_inf_and_kept_raw(faults_run):
    cand, res, d = faults_run
    g = _by_mode(cand, res)["nan"]
    nan_rows = g[g["status"] == "nan"]
    assert list(nan_rows["fidelity"]) == [2, 4]  # the trial went on (random search)
    assert np.isnan(nan_rows["loss"]).all()
    import json

    recs = [json.loads(line) for line in (d / "journal.jsonl").read_text().splitlines()]
    r = [x for x in recs if x["type"] == "result" and x["status"] == "nan"]
    assert r[0]["raw"] == {"loss": "nan"} and r[0]["y"][0] == "inf"


@pytest.mark.parametrize("mode", ["exit", "sigkill"])
def test_dead_worker_retried_from_checkpoint(faults_run, mode):
    cand, res, _ = faults_run
    g = _by_mode(cand, res)[mode]
    assert (g["status"] == "ok").all()
    assert list(g["fidelity"]) == th.GRID  # each result once, none lost
    assert list(g["attempt"]) == [0, 1, 1]  # fidelity 1 before the death, then the retry


def test_retries_exhausted_fail(faults_run):
    cand, res, _ = faults_run
    last = _by_mode(cand, res)["exit_always"].iloc[-1]
    assert last["status"] == "failed"
    assert "exit code 17" in last["reason"] and "no retries left" in last["reason"]


def test_replay_reproduces_every_decision(faults_run):
    _, res, d = faults_run
    rep = replay(d)
    assert rep.n_checked > 0
    cols = ["trial", "fidelity_index", "decision", "status", "loss", "time_s", "cost"]
    assert rep.frame[cols].equals(res.frame[cols])


def test_infeasible_hardware_row_fails_before_running(tmp_path):
    n = os.cpu_count() or 1
    bad = Hardware("big", 1.0, cpus=[0, n + 5])
    with pytest.raises(ValueError, match=rf"'big' needs CPUs \[{n + 5}\]"):
        Tuner(
            tune_trials.quad,
            th.candidates(),
            **th.tuner_kwargs(tmp_path / "run", hardware=[Hardware("ok", 1.0), bad]),
        )
    assert not (tmp_path / "run").exists()  # nothing ran, no journal


def test_replay_catches_a_tampered_journal(faults_run, tmp_path):
    import json
    import shutil

    from mohb_jax.tune import ReplayMismatch

    _, _, d = faults_run
    bad = tmp_path / "bad"
    shutil.copytree(d, bad, ignore=shutil.ignore_patterns("checkpoints", "logs"))
    lines = (bad / "journal.jsonl").read_text().splitlines()
    i = next(k for k, x in enumerate(lines) if '"decision":2' in x and '"type":"result"' in x)
    rec = json.loads(lines[i])
    rec["decision"] = 1  # DONE -> STOP
    lines[i] = json.dumps(rec)
    (bad / "journal.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(ReplayMismatch, match="replayed decision done != journal stop"):
        replay(bad)
