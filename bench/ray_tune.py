"""Ray Tune with our adapter vs Ray Tune's own AsyncHyperBandScheduler, trivial trials.

Both runs: the same candidate rows proposed in the same order, a trainable that reports a
deterministic loss at epochs 1..9 (no work), one objective (min), eta = reduction_factor = 3,
grace period 1, max 9, one bracket, 2 CPUs. Ours: method ``single``, stopping variant.

Decisions: the reports Ray's ASHA received (in its arrival order) are replayed through our pure
lifecycle in a plain loop, and every rung decision (epochs 1 and 3) is compared. The rules
alone (``--rules-only``): Ray's own ``_Bracket`` vs our ``tell`` on 100 x 27 random first-rung
arrivals. Ray continues a trial iff its result is at least the linearly interpolated
``1 - 1/eta`` percentile of the *earlier* results of the rung; we continue iff its position
among all results of the rung, itself included, is ``p < n / eta``.

Run (needs the ray extra)::

    RAY_USAGE_STATS_ENABLED=0 HOME=$(mktemp -d) nice -n 10 python bench/ray_tune.py --trials 12
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np
import ray
from ray import tune
from ray.tune.schedulers import AsyncHyperBandScheduler
from ray.tune.search import Searcher

from mohb_jax._src.lifecycle import make_lifecycle
from mohb_jax._src.methods import make_method
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax.integrations.ray_tune import MOHBRayScheduler, MOHBSearcher

FID = list(range(1, 10))


def loss(config, epoch):
    return abs(config["lr"] - 0.3) + 1.0 / epoch + 0.001 * config["cid"]


def train(config):
    for epoch in FID:
        tune.report({"loss": loss(config, epoch), "epoch": epoch})


class ListSearcher(Searcher):
    """Proposes the given rows in order (the order our run used)."""

    def __init__(self, rows):
        super().__init__(metric="loss", mode="min")
        self.rows = list(rows)

    def suggest(self, trial_id):
        return self.rows.pop(0) if self.rows else Searcher.FINISHED

    def on_trial_complete(self, trial_id, result=None, error=False):
        """Nothing to learn."""


class RecordingASHA(AsyncHyperBandScheduler):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.log = []

    def on_trial_result(self, tune_controller, trial, result):
        d = super().on_trial_result(tune_controller, trial, result)
        self.log.append((trial.trial_id, int(result["epoch"]), float(result["loss"]), d))
        return d


def fit(trainable, search_alg, scheduler, n, storage):
    tuner = tune.Tuner(
        trainable,
        tune_config=tune.TuneConfig(search_alg=search_alg, scheduler=scheduler, num_samples=n),
        run_config=tune.RunConfig(storage_path=storage, name="b", verbose=0),
    )
    t0 = time.perf_counter()
    grid = tuner.fit()
    dt = time.perf_counter() - t0
    assert not grid.errors
    return dt


def asha_lifecycle(n):
    """Our ASHA (``single``, stopping, eta 3) on the grid, as the lifecycle of one worker."""
    sched = make_method(
        "single",
        np.asarray(FID, float),
        random_searcher(np.ones(n, bool)),
        n_objectives=1,
        max_trials=n,
        eta=3,
        variant="stopping",
    )
    return make_lifecycle(sched, 1)


def replay_ours(log, n_configs):
    """Ray ASHA's reports, in arrival order, through our pure lifecycle; rung decisions."""
    lc = asha_lifecycle(n_configs)
    run = lc.init(jax.random.key(0))
    on_report = jax.jit(lc.on_report)
    jobs, same, differ = {}, 0, []
    for tid, epoch, y, ray_d in log:
        if tid not in jobs:
            run, jobs[tid] = lc.on_free_worker(run, 0)
            run = lc.end_round(run)
        job = jobs[tid]
        f = epoch - 1
        if f > int(job.fidelity):
            continue  # our rule stopped it earlier: Ray's later reports have no counterpart
        run, a, info = on_report(run, job, jnp.int32(f), jnp.asarray([y], jnp.float32))
        a = int(a)
        if a == 0:
            jobs[tid] = info.next_job
        if epoch in (1, 3):  # rung levels: both decide here
            ours = "STOP" if a == 1 else "CONTINUE"
            if ours == ray_d:
                same += 1
            else:
                differ.append((tid, epoch, y, ray_d, ours))
    return same, differ


def rule_comparison(n_runs=100, n_trials=27, seed=0):
    """The rung rules alone, no Tune: Ray's own ``_Bracket`` (what AsyncHyperBandScheduler
    calls) vs our ``tell`` on the same first-rung arrivals (random losses, distinct)."""
    from types import SimpleNamespace

    from ray.tune.schedulers.async_hyperband import _Bracket

    rng = np.random.default_rng(seed)
    lc = asha_lifecycle(n_trials)
    on_free, on_report = jax.jit(lc.on_free_worker), jax.jit(lc.on_report)
    total, differ, ours_stricter = 0, 0, 0
    for r in range(n_runs):
        br = _Bracket(min_t=1, max_t=9, reduction_factor=3, s=0)
        run = lc.init(jax.random.key(r))
        for i, y in enumerate(rng.random(n_trials)):
            run, job = on_free(run, 0)
            run = lc.end_round(run)
            d_ray = br.on_result(SimpleNamespace(trial_id=str(i)), 1, -float(y))  # max-mode
            run, a, _ = on_report(run, job, jnp.int32(0), jnp.asarray([y], jnp.float32))
            d_ours = "STOP" if int(a) == 1 else "CONTINUE"
            total += 1
            if d_ours != d_ray:
                differ += 1
                ours_stricter += d_ours == "STOP"
    return {"reports": total, "differ": differ, "ours_stops_where_ray_continues": ours_stricter}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=12)
    ap.add_argument("--rules-only", action="store_true")
    args = ap.parse_args()
    if args.rules_only:
        print(json.dumps(rule_comparison(), indent=1))
        return
    n = args.trials
    rows = [{"cid": i, "lr": float(v)} for i, v in enumerate(np.linspace(0.0, 1.0, n))]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    with tempfile.TemporaryDirectory() as tmp:
        sched = MOHBRayScheduler(
            rows,
            metrics=["loss"],
            modes="min",
            fidelities=FID,
            method="single",
            variant="stopping",
            eta=3,
            journal=os.path.join(tmp, "j.jsonl"),
        )
        sched._ask_job(sched.run)  # compile before timing (as a Tuner would at construction)
        t_ours = fit(train, MOHBSearcher(sched), sched, n, tmp)
        order = [r["job"][1] for r in sched.events if r["ev"] == "ask" and r["job"]]
        ours_epochs = {}
        for r in sched.events:
            if r["ev"] == "report":
                ours_epochs[r["trial"]] = r["f"] + 1
        asha = RecordingASHA(
            time_attr="epoch",
            metric="loss",
            mode="min",
            max_t=9,
            grace_period=1,
            reduction_factor=3,
            brackets=1,
        )
        t_asha = fit(train, ListSearcher([rows[c] for c in order]), asha, n, tmp)
    same, differ = replay_ours(asha.log, n)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    out = {
        "trials": n,
        "ours_s": round(t_ours, 1),
        "asha_s": round(t_asha, 1),
        "ours_trials_per_s": round(n / t_ours, 3),
        "asha_trials_per_s": round(n / t_asha, 3),
        "ours_over_asha_time": round(t_ours / t_asha, 2),
        "rung_decisions_same": same,
        "rung_decisions_differ": differ,
        "epochs_trained_ours": sum(ours_epochs.values()),
        "epochs_reported_asha": len(asha.log),
        "load": load,
        "rules_alone": rule_comparison(),
    }
    print(json.dumps(out, indent=1))
    ray.shutdown()


if __name__ == "__main__":
    main()
