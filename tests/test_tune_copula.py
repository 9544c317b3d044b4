"""The copula transfer searcher in a real run: fitted on a recorded run's table (the source),
it proposes rows of a new candidate table; the run replays exactly with the same searcher."""

from __future__ import annotations

from pathlib import Path

import pytest
import tune_helpers as th
import tune_trials

from mohb_jax.tune import Hardware, Tuner, copula_from_table, replay, uniform

FIXTURE = Path(__file__).resolve().parent / "data" / "tune_journal"


@pytest.mark.slow
def test_copula_searcher_from_a_recorded_table(tmp_path):
    source = replay(FIXTURE).to_table("source")
    searcher = copula_from_table(
        source,
        objectives=["loss"],
        fit_options={"steps": 50},
        n_candidates=16,
        queue_size=4,
        update=False,
    )
    hw = [Hardware("small", 0.0408, slots=2), Hardware("large", 0.0816, slots=2)]
    kw = th.tuner_kwargs(tmp_path / "run", hardware=hw, max_trials=6)
    res = Tuner(
        tune_trials.quad, {"x": uniform(0, 1)}, n_candidates=8, searcher=searcher, **kw
    ).run()
    df = res.frame
    assert df["trial"].nunique() == 6 and df["config"].nunique() == 6  # without replacement
    assert (df["status"] == "ok").all()
    rep = replay(tmp_path / "run", searcher=searcher)
    assert rep.n_checked > 0 and rep.frame["config"].equals(df["config"])


def test_copula_needs_the_candidate_columns():
    source = replay(FIXTURE).to_table("source")
    make = copula_from_table(source)
    import pandas as pd

    with pytest.raises(ValueError, match=r"has no column\(s\) \['y'\]"):
        make(pd.DataFrame({"y": [1.0], "hardware": ["small"]}), ("loss",))
