"""Multi-objective pruning with MOHBPruner, loaded from this package directory (offline)."""

from __future__ import annotations

import os

import optuna
import optunahub

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
mod = optunahub.load_local_module("pruners/mohb", registry_root=ROOT)


def objective(trial: optuna.Trial) -> tuple[float, float]:
    trial = mod.MOHBTrial(trial)
    x = trial.suggest_float("x", 0.0, 1.0)
    for epoch in range(1, 28):
        err, cost = x + 1.0 / epoch, (1.5 - x) * epoch
        trial.report({"err": err, "cost": cost}, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return err, cost


if __name__ == "__main__":
    pruner = mod.MOHBPruner({"err": "minimize", "cost": "minimize"}, max_resource=27)
    study = optuna.create_study(directions=["minimize", "minimize"], pruner=pruner)
    study.optimize(objective, n_trials=40)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    print(f"{pruned} of {len(study.trials)} trials pruned; Pareto front: {len(study.best_trials)}")
