"""JaxNonDominatedPriority and MOHBScheduler against the real Syne Tune 0.16 (the syne_tune extra).

The priority is compared with Syne Tune's own ``NonDominatedPriority`` inside Syne Tune's own
``Bracket`` (MOASHA's rung bookkeeping) and with a brute-force rung order; the scheduler runs
under Syne Tune's ``Tuner`` with its tabular simulator backend (TrimTuner cnn) and with
``LocalBackend`` on a toy script that checkpoints (pause, then resume from the checkpoint).
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("syne_tune")

from brute_rung import brute_position  # noqa: E402
from readme_blocks import readme_block  # noqa: E402
from syne_tune import StoppingCriterion, Tuner  # noqa: E402
from syne_tune.optimizer.schedulers.asha import Bracket  # noqa: E402
from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import (  # noqa: E402
    NonDominatedPriority,
)

from mohb_jax.integrations.syne_tune import (  # noqa: E402
    JaxNonDominatedPriority,
    MOHBScheduler,
    blackbox_from_table,
)

RF = 3


def decisions(priority, ys: np.ndarray) -> list[str]:
    """Stop/continue of each arrival at one rung of Syne Tune's own Bracket."""
    b = Bracket(1, 9, RF, 0, priority=priority)
    return [b.on_result(i, 1, {"a": y[0], "b": y[1]}) for i, y in enumerate(ys)]


def reference(ys: np.ndarray) -> list[str]:
    """MOASHA's boundary (stop iff position / n > 1 / rf) on the brute-force rung order."""
    out = ["CONTINUE"]
    for n in range(2, len(ys) + 1):
        p = brute_position(ys[:n], n - 1, normalize=False)
        out.append("STOP" if p / n > 1 / RF else "CONTINUE")
    return out


def test_priority_agrees_with_syne_tune_on_single_front_rungs():
    rng = np.random.default_rng(0)
    for _ in range(25):
        n = int(rng.integers(3, 17))
        x = rng.permutation(rng.random(n))
        ys = np.stack([x, 1.0 - x**1.5], axis=1)  # one front: x up, second objective down
        theirs = decisions(NonDominatedPriority(), ys)
        ours = decisions(JaxNonDominatedPriority(), ys)
        assert ours == theirs == reference(ys)


def test_priority_is_right_where_syne_tune_is_wrong():
    rng = np.random.default_rng(1)
    n_wrong = 0
    for _ in range(25):
        ys = rng.random((int(rng.integers(4, 17)), 2))
        ref = reference(ys)
        assert decisions(JaxNonDominatedPriority(), ys) == ref
        n_wrong += decisions(NonDominatedPriority(), ys) != ref
    assert n_wrong >= 5  # Syne Tune's order/rank mix-up on multi-front rungs
    # the documented case: a newcomer that dominates every recorded result
    ys = np.array([[0.5, 0.5], [0.6, 0.6], [0.7, 0.7], [0.8, 0.8], [0.1, 0.1]])
    assert decisions(NonDominatedPriority(), ys)[-1] == "STOP"
    assert decisions(JaxNonDominatedPriority(), ys)[-1] == "CONTINUE"


def test_priority_scores_and_errors():
    pr = JaxNonDominatedPriority()
    y = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [np.nan, 5.0]])
    assert pr(y).tolist() == [0, 1, 2, 3]  # NaN ranks last
    with pytest.raises(ValueError, match="-inf"):
        pr(np.array([[-np.inf, 1.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="tie_break"):
        JaxNonDominatedPriority(tie_break="random")


def test_scheduler_is_seeded_and_validates():
    space = {"x": list(range(50))}
    cand = pd.DataFrame({"x": np.arange(50)})

    def configs(seed):
        s = MOHBScheduler(space, ["a", "b"], max_t=9, candidates=cand, random_seed=seed,
                          max_trials=64, warmup=False)  # fmt: skip
        return [s.suggest().config["x"] for _ in range(6)]

    assert configs(0) == configs(0) and configs(0) != configs(1)
    with pytest.raises(ValueError, match="mode"):
        MOHBScheduler(space, ["a", "b"], max_t=9, mode=["min"], candidates=cand)
    with pytest.raises(ValueError, match="variant"):
        MOHBScheduler(space, ["a"], max_t=9, variant="sync", candidates=cand)


def test_scheduler_with_the_tabular_simulator_on_trimtuner(data_dir, tmp_path, monkeypatch):
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend

    from mohb_jax import tables

    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path))
    t = tables.load_benchmark("trimtuner_cnn", data_dir=data_dir)
    bb, names = blackbox_from_table(t)
    assert names == ["neg_acc", "training_time_s", "cost_usd"]
    grid = t.fidelities
    sched = MOHBScheduler(
        {},
        ["neg_acc", "cost_usd"],
        time_attr=t.fidelity_name,
        max_t=float(grid[-1]),
        grace_period=float(grid[0]),
        fidelities=grid,
        candidates=t.configs,  # hardware columns (vm_flavor, n_workers) included
        variant="promotion",
        random_seed=0,
        max_trials=256,
    )
    budget = 2500.0
    cb = SimulatorCallback()
    tuner = Tuner(
        trial_backend=UserBlackboxBackend(
            blackbox=bb, elapsed_time_attr=t.time_objective, tuner_sleep_time=5.0
        ),
        scheduler=sched,
        stop_criterion=StoppingCriterion(max_wallclock_time=budget),
        n_workers=4,
        sleep_time=0,
        callbacks=[cb],
        save_tuner=False,
        print_update_interval=1e9,
        results_update_interval=1e9,
    )
    tuner.run()
    df = cb.dataframe()
    assert df.st_tuner_time.max() >= 0.9 * budget  # ran to the budget (suggest never None)
    kinds = {d for *_, d in sched.decisions}
    assert {"PAUSE", "STOP"} <= kinds  # paused below the top, stopped at the maximum
    # promotions: resumed trials report the next grid value after their pause
    per_trial = df.groupby("trial_id")[t.fidelity_name].apply(list)
    promoted = [f for f in per_trial if len(f) > 1]
    assert promoted and all(np.all(np.diff(f) > 0) for f in promoted)
    # the configs are rows of the table (hardware included), and the results are the table's
    cols = [f"config_{c}" for c in t.configs.columns]
    rows = df[cols].drop_duplicates().set_axis(list(t.configs.columns), axis=1)
    assert len(rows.merge(t.configs, how="inner")) == len(rows)


TOY = textwrap.dedent(
    """
    import argparse, json, os, time
    from syne_tune import Reporter

    p = argparse.ArgumentParser()
    p.add_argument("--x", type=float)
    p.add_argument("--epochs", type=int)
    p.add_argument("--st_checkpoint_dir", type=str, default=None)
    a, _ = p.parse_known_args()
    ck = os.path.join(a.st_checkpoint_dir, "ck.json") if a.st_checkpoint_dir else None
    start = json.load(open(ck))["epoch"] if ck and os.path.exists(ck) else 0
    report = Reporter()
    for epoch in range(start + 1, a.epochs + 1):
        time.sleep(0.2)
        if ck:
            os.makedirs(a.st_checkpoint_dir, exist_ok=True)
            json.dump({"epoch": epoch}, open(ck, "w"))
        report(epoch=epoch, err=a.x + 1.0 / epoch, cost=(1.5 - a.x) * epoch, resumed_from=start)
    """
)


@pytest.mark.slow
def test_scheduler_with_local_backend_pauses_and_resumes(tmp_path, monkeypatch):
    from syne_tune.backend import LocalBackend
    from syne_tune.config_space import uniform

    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "st"))
    script = tmp_path / "toy.py"
    script.write_text(TOY)
    sched = MOHBScheduler(
        {"x": uniform(0, 1), "epochs": 9},
        ["err", "cost"],
        time_attr="epoch",
        max_t=9,
        grace_period=1,
        variant="promotion",
        n_candidates=64,
        max_trials=64,
        random_seed=0,
    )
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(script), binary=sys.executable),
        scheduler=sched,
        stop_criterion=StoppingCriterion(max_wallclock_time=20),
        n_workers=2,
        sleep_time=0.2,
        save_tuner=False,
        print_update_interval=1e9,
    )
    tuner.run()
    from syne_tune.experiments import load_experiment

    res = load_experiment(tuner.name).results
    assert any(d == "PAUSE" for *_, d in sched.decisions)
    resumed = res[res.resumed_from > 0]
    assert len(resumed) > 0, "no trial was resumed from its checkpoint"
    for tid, g in resumed.groupby("trial_id"):
        before = res[(res.trial_id == tid) & (res.resumed_from == 0)].epoch
        start = g.resumed_from.min()
        # resumed after its checkpoint, not from scratch, and past the level it was paused at
        assert g.epoch.min() == start + 1 and start >= before.max() >= 1


def test_readme_syne_tune_snippet_runs():
    """The README's Syne Tune lines, as written: MOASHA with our priority, then our scheduler
    (the block rebinds ``scheduler``, so its MOASHA part is also run alone)."""
    from syne_tune.optimizer.schedulers.multiobjective.moasha import MOASHA

    code = readme_block("Inside Optuna and Syne Tune", "JaxNonDominatedPriority")
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)  # noqa: S102 - our own README
    assert isinstance(ns["scheduler"], MOHBScheduler)
    moasha_part = code[: code.index("scheduler = MOHBScheduler")]
    ns = {}
    exec(compile(moasha_part, "README.md", "exec"), ns)  # noqa: S102
    assert isinstance(ns["scheduler"], MOASHA)
    assert isinstance(ns["scheduler"].multiobjective_priority, JaxNonDominatedPriority)
