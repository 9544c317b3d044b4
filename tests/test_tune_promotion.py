"""Synchronous MO-Hyperband on real processes: promoted trials resume from their checkpoint
(every epoch is trained once), and failed trials never stall a rung."""

from __future__ import annotations

import collections

import tune_helpers as th
import tune_trials

from mohb_jax.tune import Tuner, replay


def test_promotions_resume_from_checkpoint_and_failures_do_not_stall(tmp_path, monkeypatch):
    marks = tmp_path / "marks.txt"
    monkeypatch.setenv("TUNE_MARKS", str(marks))
    cand = th.candidates(["raise1", "ok", "raise1", "ok", "raise1", "ok", "raise1", "ok"])
    res = Tuner(
        tune_trials.faulty,
        cand,
        **th.tuner_kwargs(tmp_path / "run", method="mohb", eta=2, max_trials=8),
    ).run()
    df = res.frame
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    assert (df["status"] == "failed").any()  # some raise1 rows were run ...
    assert df["trial"].nunique() == 8  # ... and the brackets went on past them
    # promotions happened (a trial's results came from several jobs) ...
    jobs_per_trial = df[df["status"] == "ok"].groupby("trial")["job"].nunique()
    assert (jobs_per_trial > 1).any()
    # ... and every epoch was trained exactly once: each job resumed from its checkpoint
    lines = marks.read_text().split("\n")
    counts = collections.Counter(x for x in lines if x)
    assert counts and max(counts.values()) == 1, counts.most_common(3)
    failed = set(df.loc[df["status"] == "failed", "trial"])
    trained = {(int(k.split()[0]), float(k.split()[1])) for k in counts}
    trained = {k for k in trained if k[0] not in failed}
    ok = df[~df["trial"].isin(failed)]
    assert trained == set(zip(ok["trial"], ok["fidelity"].astype(float), strict=True))
    # exact replay through the scheduler
    assert replay(tmp_path / "run").frame["decision"].equals(df["decision"])


def test_asha_promotion_variant_resumes_paused_trials_from_their_checkpoints(tmp_path, monkeypatch):
    """MO-ASHA's promotion variant on real processes: results at a rung pause their trial, a
    free worker later promotes one, and the promoted job resumes from the checkpoint."""
    marks = tmp_path / "marks.txt"
    monkeypatch.setenv("TUNE_MARKS", str(marks))
    res = Tuner(
        tune_trials.quad,
        th.candidates(),
        **th.tuner_kwargs(
            tmp_path / "run", method="epsnet", variant="promotion", eta=2, max_trials=8
        ),
    ).run()
    df = res.frame
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    assert (df["decision"] == "paused").any()
    jobs_per_trial = df.groupby("trial")["job"].nunique()
    assert (jobs_per_trial > 1).any()  # some trial was promoted: a second job ...
    counts = collections.Counter(x for x in marks.read_text().split("\n") if x)
    assert counts and max(counts.values()) == 1, counts.most_common(3)  # ... trained on
    trained = {(int(k.split()[0]), float(k.split()[1])) for k in counts}
    assert trained == set(zip(df["trial"], df["fidelity"].astype(float), strict=True))
    assert replay(tmp_path / "run").frame["decision"].equals(df["decision"])


def test_stopped_trials_resume_from_their_checkpoints_once_the_candidates_are_used_up(
    tmp_path, monkeypatch
):
    """``on_exhausted="resume"`` on real processes: with every candidate proposed, free workers
    resume stopped trials (a job after a "stop" decision), from their checkpoints (every epoch
    trained once), until every trial reached the top; the journal replays exactly. With the
    default ("idle") nothing runs after a stop."""
    marks = tmp_path / "marks.txt"
    monkeypatch.setenv("TUNE_MARKS", str(marks))
    kw = dict(method="epsnet", eta=2, max_trials=8)
    res = Tuner(
        tune_trials.quad,
        th.candidates(),
        on_exhausted="resume",
        **th.tuner_kwargs(tmp_path / "run", **kw),
    ).run()
    df = res.frame
    assert res.header["scheduler"]["on_exhausted"] == "resume"
    assert not df.duplicated(["trial", "fidelity_index"]).any()
    stop_job = df[df["decision"] == "stop"].groupby("trial")["job"].min()
    later = df[df["trial"].isin(stop_job.index)]
    later = later[later["job"] > later["trial"].map(stop_job)]
    assert len(later) > 0  # a stopped trial ran again, in a later job
    assert (df.groupby("trial")["fidelity_index"].max() == len(th.GRID) - 1).all()
    counts = collections.Counter(x for x in marks.read_text().split("\n") if x)
    assert counts and max(counts.values()) == 1, counts.most_common(3)  # resumed, not redone
    assert replay(tmp_path / "run").frame["decision"].equals(df["decision"])

    idle = Tuner(tune_trials.quad, th.candidates(), **th.tuner_kwargs(tmp_path / "r2", **kw))
    di = idle.run().frame
    assert (di["decision"] == "stop").any()
    last_job = di.groupby("trial")["job"].max()
    stops = di[di["decision"] == "stop"]
    assert (stops["job"].to_numpy() == last_job[stops["trial"]].to_numpy()).all()
    assert len(di) < len(df)


def test_on_exhausted_resume_is_refused_for_hyperband(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="needs an ASHA method"):
        Tuner(
            tune_trials.quad,
            th.candidates(),
            on_exhausted="resume",
            **th.tuner_kwargs(tmp_path / "run", method="mohb"),
        )
