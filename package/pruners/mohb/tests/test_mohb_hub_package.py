"""The OptunaHub package loads offline with ``optunahub.load_local_module`` and prunes."""

from __future__ import annotations

import os

import pytest

optuna = pytest.importorskip("optuna")
optunahub = pytest.importorskip("optunahub")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def test_load_local_module_and_run():
    mod = optunahub.load_local_module("pruners/mohb", registry_root=ROOT)
    assert {"MOHBPruner", "MOHBTrial", "MOHBSampler"} <= set(mod.__all__)

    def objective(trial):
        trial = mod.MOHBTrial(trial)
        x = trial.suggest_float("x", 0.0, 1.0)
        for epoch in range(1, 10):
            err, cost = x + 1.0 / epoch, (1.5 - x) * epoch
            trial.report({"err": err, "cost": cost}, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return err, cost

    pruner = mod.MOHBPruner({"err": "minimize", "cost": "minimize"}, max_resource=9)
    study = optuna.create_study(
        directions=["minimize", "minimize"],
        pruner=pruner,
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    study.optimize(objective, n_trials=20)
    states = {t.state for t in study.trials}
    assert optuna.trial.TrialState.PRUNED in states
    assert optuna.trial.TrialState.COMPLETE in states
