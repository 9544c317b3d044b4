"""``Table.from_frame`` refuses tables that would only fail later, and says where.

Each bad frame below used to be accepted; the simulator then failed with an unrelated message
(``budget must be a positive number of simulated seconds; got nan``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mohb_jax import simulate
from mohb_jax.tables import Table


def tidy(n_cfg=6, fids=(1, 3, 9), seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cfg):
        speed = rng.uniform(1, 3)
        for f in fids:
            rows.append({"lr": 10.0 ** -(c % 4), "width": 32 * (1 + c // 4), "epoch": f,
                         "acc": 1 - 0.5 / (f * speed), "time_s": f * speed})  # fmt: skip
    return pd.DataFrame(rows)


KW = dict(
    config_columns=["lr", "width"],
    fidelity_column="epoch",
    objectives={"acc": "max", "time_s": "min"},
    time_objective="time_s",
)


def test_good_frame_simulates():
    t = Table.from_frame(tidy(), **KW)
    df = simulate(t, method="random", seeds=1, budget="3x", progress=False)
    assert len(df) > 0


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_nonpositive_times_name_the_rows(bad):
    df = tidy()
    df.loc[[4, 7], "time_s"] = bad
    with pytest.raises(ValueError, match=r"'time_s' must be > 0 seconds; 2 rows .*rows \[4, 7\]"):
        Table.from_frame(df, **KW)


def test_nonfinite_times_name_the_column_and_row():
    df = tidy()
    df.loc[5, "time_s"] = np.inf
    with pytest.raises(ValueError, match=r"columns \['time_s'\] \(first: row 5"):
        Table.from_frame(df, **KW)


def test_top_fidelity_all_nan_is_refused_even_when_masking():
    df = tidy()
    top = df["epoch"] == 9
    df.loc[top, "acc"] = np.nan
    rows = df.index[top].tolist()[:5]
    with pytest.raises(ValueError, match="slices have rows but no valid cell") as e:
        Table.from_frame(df, nonfinite="mask", **KW)
    assert "task 'default', fidelity 9" in str(e.value) and str(rows) in str(e.value)
    # masking a few cells (not a whole slice) stays allowed
    df2 = tidy()
    df2.loc[[2, 5], "acc"] = np.nan
    t = Table.from_frame(df2, nonfinite="mask", **KW)
    assert t.metadata["n_nonfinite_masked"] == 2 and (~t.mask).sum() == 2


def test_objective_column_all_nan():
    df = tidy().assign(acc=np.nan)
    with pytest.raises(ValueError, match="objective column 'acc' has no finite value"):
        Table.from_frame(df, nonfinite="mask", **KW)


def test_duplicate_objectives_and_config_columns():
    kw = dict(KW, objectives=[("acc", "max"), ("time_s", "min"), ("acc", "min")])
    with pytest.raises(ValueError, match=r"objectives \['acc'\] are given more than once"):
        Table.from_frame(tidy(), **kw)
    with pytest.raises(ValueError, match=r"config columns \['lr'\] are given more than once"):
        Table.from_frame(tidy(), **dict(KW, config_columns=["lr", "width", "lr"]))


def test_unknown_direction_names_the_objective():
    kw = dict(KW, objectives={"acc": "maximize", "time_s": "min"})
    with pytest.raises(
        ValueError, match=r"unknown objective direction\(s\) \[\('acc', 'maximize'\)\]"
    ):
        Table.from_frame(tidy(), **kw)
