"""Exact replay of a recorded journal (a real MO-ASHA run of ``tune_trials.quad`` on two
hardware rows, 4 workers): the results fed back through the scheduler reproduce every job and
every decision, checked twice: by the package's replay and by an independent loop over the
scheduler core's own ``ask``/``observe``/``tell`` (no lifecycle, no driver code)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from mohb_jax.schedulers import CONTINUE, Job, make_schedule, make_scheduler, random_searcher
from mohb_jax.tune import replay

FIXTURE = Path(__file__).resolve().parent / "data" / "tune_journal"


@pytest.fixture(scope="module")
def res():
    return replay(FIXTURE)


def test_replay_checks_every_ask_and_decision(res):
    recs = [json.loads(x) for x in (FIXTURE / "journal.jsonl").read_text().splitlines()]
    n_asks = sum(len(r["asks"]) for r in recs if r["type"] == "fill")
    results = [r for r in recs if r["type"] == "result"]
    assert len(res.frame) == len(results)
    n_tells = sum(
        d != "continue" or rung >= 0
        for d, rung in zip(res.frame["decision"], res.frame["rung"], strict=True)
    )
    assert res.n_checked == n_asks + n_tells
    assert set(res.frame["decision"]) >= {"continue", "stop", "done"}


def test_independent_core_loop_reproduces_the_journal():
    recs = [json.loads(x) for x in (FIXTURE / "journal.jsonl").read_text().splitlines()]
    h = recs[0]
    s = h["scheduler"]
    assert (s["scheduler"], s["rule"], s["variant"]) == ("asha", "epsnet", "stopping")
    W, C = h["n_workers"], h["n_candidates"]
    sched = make_scheduler(
        make_schedule(np.asarray(s["grid"]), eta=s["eta"], n_brackets=1),
        random_searcher(np.ones(C, bool)),
        n_objectives=s["n_objectives"],
        max_trials=s["max_trials"],
        method="asha",
        rule="epsnet",
        variant="stopping",
    )
    ask, tell, observe = jax.jit(sched.ask), jax.jit(sched.tell), jax.jit(sched.observe)
    k_sched, k_asks, _ = jax.random.split(jax.random.key(s["seed"]), 3)
    state = sched.init(k_sched)
    n_asks, jobs, checked = 0, {}, 0
    for r in recs[1:]:
        if r["type"] == "fill":
            assert r["base"] == n_asks
            for a in r["asks"]:
                job, state = ask(jax.random.fold_in(k_asks, n_asks + a["worker"]), state)
                got = [
                    int(job.trial),
                    int(job.config),
                    int(job.fidelity),
                    int(job.bracket),
                    int(job.rung),
                    bool(job.valid),
                ]
                assert got == a["job"]
                if job.valid:
                    jobs[a["job_id"]] = job
                checked += 1
            n_asks += W
        elif r["type"] == "result":
            job = jobs[r["job_id"]]
            y = jnp.asarray([float(v) for v in r["y"]], jnp.float32)
            if r["f"] < int(job.fidelity):
                state = observe(state, job, jnp.int32(r["f"]), y)
            else:
                state, d, info = tell(state, job, y)
                assert int(d) == r["decision"], r
                if int(d) == CONTINUE:
                    jobs[r["job_id"]] = Job(*info.next_job)
                checked += 1
    assert checked > 20


def test_results_frame_and_table(res):
    df = res.frame
    # runner-measured objectives: cost_usd = time_s x price of the row's hardware
    price = df["hardware"].map({"small": 0.0408, "large": 0.0816})
    assert np.allclose(df["cost_usd"], df["time_s"] * price / 3600.0, rtol=1e-12)
    assert (df["cost"].diff().dropna() >= 0).all()
    front = res.pareto()
    assert len(front) >= 1 and (front["fidelity"] == 8).all()
    tab = res.to_table()
    assert tab.hardware is not None and tab.time_objective == "time_s"
    assert set(tab.objectives) == {"loss", "time_s", "cost_usd"}
    # every result is a cell of the table (one seed)
    assert int(tab.mask.sum()) == len(df)
    assert math.isclose(float(np.nanmin(tab.values[..., 0])), df["loss"].min(), rel_tol=1e-6)
    assert isinstance(tab.configs, pd.DataFrame) and "hardware" in tab.configs
