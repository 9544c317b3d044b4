"""The Ray Tune adapter on a real local Ray cluster with real ``ray.tune.Tuner`` runs.

Oracles: our pure lifecycle (``make_lifecycle(make_method(...), 1)``) driven by a plain Python
loop over the recorded asks and reports must give every ask and every decision the adapter
took inside Tune; the trainable's own log (what it really trained, and the metrics a
deterministic function gives) checks the reports and the checkpoint resumes; Ray's runtime
context checks the resources a trial really got.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import tempfile

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="needs the ray extra: pip install 'mohb_jax[ray]'")
tune = pytest.importorskip("ray.tune", reason="needs the ray extra: pip install 'mohb_jax[ray]'")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from ray import cloudpickle  # noqa: E402

from mohb_jax._src.lifecycle import make_lifecycle  # noqa: E402
from mohb_jax._src.methods import make_method  # noqa: E402
from mohb_jax._src.objectives import Objectives  # noqa: E402
from mohb_jax._src.schedulers.searchers import random_searcher  # noqa: E402
from mohb_jax.integrations.ray_tune import (  # noqa: E402
    MOHBRayScheduler,
    MOHBSearcher,
    candidates,
    hardware_resources,
)

# the trainable is shipped to Ray's workers by value (this test module is not importable there)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

HW = [
    {"hardware": "a", "num_cpus": 1, "resources": {"hw:a": 1}, "price": 1.0},
    {"hardware": "b", "num_cpus": 1, "resources": {"hw:b": 1}, "price": 3.0},
]
HP = [{"cid": i, "lr": float(v)} for i, v in enumerate([0.9, 0.1, 0.5, 0.3])]


def metrics_of(config, epoch):
    """Deterministic metrics: accuracy (max) rises with the epoch; cost (min) grows."""
    err = abs(config["lr"] - 0.35) + 1.0 / (epoch + 1) + 0.01 * config["cid"]
    speed = 1.0 if config["hardware"] == "a" else 2.5
    return {"acc": 1.0 - err, "cost": config["price"] * epoch / speed}


def make_trainable(log_dir, max_epoch):
    def train(config):
        start = 0
        ckpt = tune.get_checkpoint()
        if ckpt is not None:
            with ckpt.as_directory() as d, open(os.path.join(d, "state.json")) as fh:
                start = json.load(fh)["epoch"]
        res = ray.get_runtime_context().get_assigned_resources()
        name = f"{config['cid']}-{config['hardware']}"
        for epoch in range(start + 1, max_epoch + 1):
            with open(os.path.join(log_dir, name), "a") as fh:  # one line per epoch trained
                fh.write(json.dumps({"epoch": epoch, "resumed_from": start, "res": res}) + "\n")
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "state.json"), "w") as fh:
                    json.dump({"epoch": epoch}, fh)
                tune.report(
                    {**metrics_of(config, epoch), "epoch": epoch},
                    checkpoint=tune.Checkpoint.from_directory(d),
                )

    return train


@pytest.fixture(scope="module")
def cluster():
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(
        num_cpus=2,
        resources={"hw:a": 2, "hw:b": 2},
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    yield
    ray.shutdown()


def run_tune(tmp_path, sched, num_samples, max_epoch):
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    tuner = tune.Tuner(
        tune.with_resources(make_trainable(str(log_dir), max_epoch), hardware_resources),
        tune_config=tune.TuneConfig(
            search_alg=MOHBSearcher(sched),
            scheduler=sched,
            num_samples=num_samples,
            reuse_actors=True,  # fewer actor starts: seconds each on a loaded machine
        ),
        run_config=tune.RunConfig(storage_path=str(tmp_path / "ray"), name="t", verbose=0),
    )
    grid = tuner.fit()
    logs = {p.name: [json.loads(x) for x in p.read_text().splitlines()] for p in log_dir.iterdir()}
    return grid, logs


def read_journal(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh]


def pure_replay(events, configs, objectives, fidelities, method, variant, eta, seed):
    """Our pure lifecycle in a plain loop over the recorded asks and reports: every ask and
    every decision must come out as recorded."""
    sched = make_method(
        method,
        np.asarray(fidelities, np.float64),
        random_searcher(np.ones(len(configs), bool)),
        n_objectives=len(objectives),
        max_trials=len(configs),
        eta=eta,
        variant=variant,
    )
    lc = make_lifecycle(sched, 1)
    run = lc.init(jax.random.key(seed))
    jobs = {}
    n_checked = 0
    for rec in events[1:]:
        if rec["ev"] == "ask":
            run, job = lc.on_free_worker(run, 0)
            run = lc.end_round(run)
            got = (
                [
                    int(job.trial),
                    int(job.config),
                    int(job.fidelity),
                    int(job.bracket),
                    int(job.rung),
                ]
                if bool(job.valid)
                else None
            )
            assert got == rec["job"], rec
            if got is not None:
                jobs[got[0]] = job
        elif rec["ev"] == "report":
            t = rec["trial"]
            run, action, info = lc.on_report(
                run, jobs[t], jnp.int32(rec["f"]), jnp.asarray(rec["y"], jnp.float32)
            )
            assert int(action) == rec["action"], rec
            if int(action) == 0:  # CONTINUE
                jobs[t] = info.next_job
            n_checked += 1
    return n_checked, run


def first_config(events, t):
    return next(r["job"][1] for r in events if r["ev"] == "ask" and r["job"] and r["job"][0] == t)


def host(a):
    """A leaf of a run state as numpy (typed PRNG keys as their data)."""
    if jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
        a = jax.random.key_data(a)
    return np.asarray(a)


def check_reports_against_trainable(events, configs, logs, objectives, fidelities):
    """Every reported y is the trainable's metrics at that epoch; each epoch trained once."""
    bind = {r["trial"]: r for r in events if r["ev"] == "bind"}
    config_of = {r["job"][0]: r["job"][1] for r in events if r["ev"] == "ask" and r["job"]}
    reported = {}
    for r in events:
        if r["ev"] != "report":
            continue
        cfg = configs[config_of[r["trial"]]]
        m = metrics_of(cfg, fidelities[r["f"]])
        want = objectives.to_min(np.array([m[n] for n in objectives.names]))
        np.testing.assert_allclose(r["y"], want, rtol=1e-6)
        reported.setdefault(r["trial"], []).append(r["f"])
    for t, fs in reported.items():
        cfg = configs[config_of[t]]
        lines = logs[f"{cfg['cid']}-{cfg['hardware']}"]
        epochs = [x["epoch"] for x in lines]
        assert epochs == list(range(1, len(epochs) + 1)), (t, epochs)  # each epoch once
        assert [fidelities[f] for f in fs] == epochs, (t, fs, epochs)  # every epoch reported
        assert t in bind
    return reported


def test_promotion_multi_metric_mixed_modes(cluster, tmp_path):
    configs = candidates(HP[:2], HW)  # 4 rows
    fid, eta, seed = [1, 2, 3, 4], 2, 3
    kw = dict(
        metrics=["acc", "cost"],
        modes=["max", "min"],
        fidelities=fid,
        method="epsnet",
        variant="promotion",
        eta=eta,
        seed=seed,
    )
    journal = tmp_path / "journal.jsonl"
    sched = MOHBRayScheduler(configs, journal=journal, **kw)
    grid, logs = run_tune(tmp_path, sched, num_samples=len(configs), max_epoch=fid[-1])
    assert not grid.errors
    events = read_journal(journal)
    obj = Objectives(("acc", "cost"), ("max", "min"))

    n, run = pure_replay(events, configs, obj, fid, "epsnet", "promotion", eta, seed)
    assert n == sum(r["ev"] == "report" for r in events) > len(configs)
    reported = check_reports_against_trainable(events, configs, logs, obj, fid)
    assert len(reported) == len(configs)

    # promotions happened, and each promoted trial resumed from its paused checkpoint
    seen, promoted = set(), []
    for r in events:
        if r["ev"] == "ask" and r["job"]:
            (promoted.append if r["job"][0] in seen else seen.add)(r["job"][0])
    assert promoted, "no promotion in this run"
    for t in promoted:
        cfg = configs[first_config(events, t)]
        lines = logs[f"{cfg['cid']}-{cfg['hardware']}"]
        starts = sorted({x["resumed_from"] for x in lines})
        assert len(starts) >= 2 and starts[0] == 0, (t, starts)  # resumed, not restarted
    # a paused trial never promoted trained no further than its pause
    last_action = {r["trial"]: (r["action"], r["f"]) for r in events if r["ev"] == "report"}
    for t, (a, f) in last_action.items():
        cfg = configs[first_config(events, t)]
        assert len(logs[f"{cfg['cid']}-{cfg['hardware']}"]) == fid[f]
        assert a in (2, 3)  # every trial ends DONE or (never promoted) PAUSED

    # the live state equals the pure loop's, and a scheduler rebuilt from the journal too
    np.testing.assert_array_equal(np.asarray(sched.run.sched.y), np.asarray(run.sched.y))
    again = MOHBRayScheduler(configs, journal=journal, **kw)
    for a, b in zip(jax.tree.leaves(again.run), jax.tree.leaves(sched.run), strict=True):
        np.testing.assert_array_equal(host(a), host(b))
    assert again.trial_of == sched.trial_of
    # pickling (what Tuner does with its config) rebuilds from the journal as well
    clone = pickle.loads(pickle.dumps(sched))
    assert clone.trial_of == sched.trial_of
    with pytest.raises(ValueError, match="another configuration"):
        MOHBRayScheduler(configs, journal=journal, **{**kw, "seed": seed + 1})


def test_stopping_single_metric_and_resources(cluster, tmp_path):
    configs = candidates(HP[:2], HW)
    fid, eta, seed = [1, 2, 3, 4], 2, 0
    journal = tmp_path / "journal.jsonl"
    sched = MOHBRayScheduler(
        configs,
        metrics=["cost"],
        modes="min",
        fidelities=fid,
        method="single",
        variant="stopping",
        eta=eta,
        seed=seed,
        journal=journal,
    )
    grid, logs = run_tune(tmp_path, sched, num_samples=4, max_epoch=fid[-1])
    assert not grid.errors
    events = read_journal(journal)
    obj = Objectives(("cost",), ("min",))
    n, _ = pure_replay(events, configs, obj, fid, "single", "stopping", eta, seed)
    assert n >= 4
    check_reports_against_trainable(events, configs, logs, obj, fid)
    actions = [r["action"] for r in events if r["ev"] == "report"]
    assert 1 in actions  # some trial was stopped
    assert 3 not in actions  # the stopping variant never pauses
    # every trial ran on the custom resource its row names
    for name, lines in logs.items():
        hw = name.split("-")[1]
        for x in lines:
            assert x["res"].get(f"hw:{hw}") == 1.0, (name, x["res"])
            assert not any(k.startswith("hw:") and k != f"hw:{hw}" for k in x["res"])


def test_hardware_resources_and_candidates():
    pgf = hardware_resources({"num_cpus": 2, "num_gpus": 1, "resources": {"hw:x": 1}})
    assert pgf.bundles == [{"CPU": 2.0, "GPU": 1.0, "hw:x": 1.0}]
    assert hardware_resources({}).bundles == [{"CPU": 1.0}]
    with pytest.raises(ValueError, match="num_cpus"):
        hardware_resources({"num_cpus": -1})
    with pytest.raises(ValueError, match="'resources' must be a dict"):
        hardware_resources({"resources": 3})
    rows = candidates(HP, HW)
    assert len(rows) == len(HP) * len(HW)
    assert rows[1] == {**HP[0], **HW[1]}
    with pytest.raises(ValueError, match="both"):
        candidates(HP, [{"lr": 1}])
    with pytest.raises(ValueError, match="no rows"):
        candidates([])


def test_scheduler_argument_errors(tmp_path):
    configs = candidates(HP)
    kw = dict(metrics=["acc", "cost"], modes=["max", "min"], fidelities=[1, 2, 4])
    with pytest.raises(ValueError, match="ASHA methods only"):
        MOHBRayScheduler(configs, method="mohb", **kw)
    with pytest.raises(ValueError, match="unknown direction"):
        MOHBRayScheduler(configs, **{**kw, "modes": ["max", "up"]})
    with pytest.raises(ValueError, match="strictly increasing"):
        MOHBRayScheduler(configs, **{**kw, "fidelities": [2, 1]})
    s = MOHBRayScheduler(configs, **kw)
    assert s.set_search_properties(None, None)
    assert s.set_search_properties("acc", "max")
    with pytest.raises(ValueError, match="not one of"):
        s.set_search_properties("loss", "min")
    with pytest.raises(ValueError, match="ours is 'max'"):
        s.set_search_properties("acc", "min")
    with pytest.raises(ValueError, match="lacks metric"):
        s._y({"acc": 1.0})
    with pytest.raises(ValueError, match="not on the fidelity grid"):
        s._fidelity_index({"epoch": 3})


def test_journal_replay_without_tune(tmp_path):
    """The journal alone rebuilds the scheduler (a torn last line is dropped); a journal whose
    decisions do not replay is refused."""
    configs = candidates(HP, HW)
    kw = dict(metrics=["acc", "cost"], modes=["max", "min"], fidelities=[1, 2, 3, 4], eta=2)
    journal = tmp_path / "j.jsonl"
    s = MOHBRayScheduler(configs, journal=journal, **kw)
    for i in range(2):  # two new trials, each reports epoch 1 (rung 0 of eta 2: paused)
        cfg = s.suggest(f"t{i}")
        t = s.trial_of[f"t{i}"]
        assert s._report(t, 0, s._y(metrics_of(cfg, 1))) == 3  # PAUSED
    # the next ask promotes the better of the two (top floor(2/2)): no new trial for Tune
    assert s.suggest("t2") is None and "t2" not in s.trial_of
    (t,) = s.promote_queue
    y0 = {r["trial"]: np.asarray(r["y"]) for r in s.events if r["ev"] == "report"}
    (other,) = set(y0) - {t}
    assert not (np.all(y0[other] <= y0[t]) and np.any(y0[other] < y0[t]))  # t not dominated
    with open(journal, "a") as fh:
        fh.write('{"ev": "report", "tri')  # torn by a crash
    again = MOHBRayScheduler(configs, journal=journal, **kw)
    assert again.trial_of == s.trial_of and again.promote_queue == s.promote_queue
    for a, b in zip(jax.tree.leaves(again.run), jax.tree.leaves(s.run), strict=True):
        np.testing.assert_array_equal(host(a), host(b))
    assert journal.read_text().endswith("}\n")  # the torn record was cut off
    recs = read_journal(journal)
    bad = [r for r in recs if r["ev"] == "report"][1]
    bad["action"] = 0
    journal.write_text("".join(json.dumps(r) + "\n" for r in recs))
    with pytest.raises(ValueError, match="replayed action"):
        MOHBRayScheduler(configs, journal=journal, **kw)
