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
