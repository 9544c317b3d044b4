"""``on_exhausted="resume"``: once the searcher has no configuration left, a free ASHA worker
resumes a stopped (or paused, unpromoted) trial instead of idling.

Oracles: a host-side bookkeeping of every decision and result with the domination counts
recomputed by brute force in numpy at every ask; the plain-Python event loop of
``tests/event_loop.py`` for whole simulated runs.
"""

from __future__ import annotations

import functools

import jax
import numpy as np
import pandas as pd
import pytest
from event_loop import event_loop
from synth_tables import synth_table

from mohb_jax._src.sim.driver import make_simulator
from mohb_jax.schedulers import (
    CONTINUE,
    DONE,
    ON_EXHAUSTED,
    STOP,
    make_method,
    random_searcher,
)

GRID = np.arange(1.0, 28.0)  # rung levels 1, 3, 9, 27: K = 4
N_CONFIGS = 30


@functools.cache
def _sched(rule: str, m: int, on_exhausted: str):
    sched = make_method(
        "moasha",
        GRID,
        random_searcher(np.ones(N_CONFIGS, bool)),
        n_objectives=m,
        max_trials=64,
        rule=rule,
        on_exhausted=on_exhausted,
    )
    return sched, jax.jit(sched.ask), jax.jit(sched.tell)


def _dominated_by(y: np.ndarray, others: np.ndarray, single: bool) -> int:
    """How many rows of ``others`` dominate ``y`` (minimization), by brute force."""
    if single:
        return int(np.sum(others[:, 0] < y[0]))
    le = np.all(others <= y, axis=1)
    lt = np.any(others < y, axis=1)
    return int(np.sum(le & lt))


def _values(seed: int, m: int) -> np.ndarray:
    """float32[config, level, M] results, coarsely rounded so ties and duplicates occur."""
    rng = np.random.default_rng(seed)
    base = rng.random((N_CONFIGS, 1, m))
    drift = rng.normal(0, 0.3, (N_CONFIGS, 4, m))  # the order changes between levels
    return np.round(base + drift, 1).astype(np.float32)


@pytest.mark.parametrize("rule, m", [("epsnet", 2), ("single", 1), ("crowding", 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_resumes_follow_the_brute_force_oracle(rule, m, seed):
    """One worker drives the stopping variant to the end; every ask after the table is used
    up must resume the stopped trial that the smallest share of its level's results dominate
    (ties: the higher level, then the lower trial id), recomputed from the host's record."""
    sched, ask, tell = _sched(rule, m, "resume")
    Y = _values(seed, m)
    st = sched.init(jax.random.key(seed))
    results: dict[int, dict[int, np.ndarray]] = {k: {} for k in range(4)}  # level -> trial -> y
    stopped: dict[int, int] = {}  # trial -> level it was stopped at (not resumed since)
    config_of: dict[int, int] = {}
    n_resumed = n_asks = 0
    job = None
    while True:
        if job is None:  # the worker is free: it asks
            n_asks += 1
            job, st = ask(jax.random.key(10_000 + n_asks), st)
            if not bool(job.valid):
                break
            t, level = int(job.trial), int(job.bracket) + int(job.rung)
            if t in config_of:  # an existing trial: must be the oracle's resume
                assert len(config_of) == N_CONFIGS, "a resume before the table was used up"
                # (share of the level's results dominating it, -level, trial id): smallest
                best = None
                for u, k in stopped.items():
                    ys = np.stack(list(results[k].values()))
                    d = _dominated_by(results[k][u], ys, rule == "single")
                    share = np.float32(d) / np.float32(len(ys))  # float32, as documented
                    key = (share, -k, u)
                    best = key if best is None or key < best else best
                assert (t, level) == (best[2], -best[1] + 1)
                del stopped[t]
                n_resumed += 1
            else:
                assert level == 0
                config_of[t] = int(job.config)
        t, level = int(job.trial), int(job.bracket) + int(job.rung)
        y = Y[config_of[t], level]
        results[level][t] = y
        st, decision, info = tell(st, job, y)
        decision = int(decision)
        if decision == CONTINUE:
            job = info.next_job
            continue
        if decision == STOP:
            stopped[t] = level
        else:
            assert decision == DONE and level == 3
        job = None
    assert len(config_of) == N_CONFIGS and bool(st.exhausted)
    assert not stopped, "the run ended with a stopped trial never resumed"
    assert n_resumed > 10
    # every trial went on from every level below its last one exactly once
    assert sum(len(r) for r in results.values()) == int(st.recorded.sum())


def test_idle_leaves_the_worker_free_once_the_table_is_used_up():
    sched, ask, tell = _sched("epsnet", 2, "idle")
    Y = _values(0, 2)
    st = sched.init(jax.random.key(0))
    n_stopped = 0
    for i in range(200):
        job, st = ask(jax.random.key(i), st)
        if not bool(job.valid):
            break
        while True:
            lv = int(job.bracket) + int(job.rung)
            st, d, info = tell(st, job, Y[int(job.config), lv])
            if int(d) != CONTINUE:
                n_stopped += int(d) == STOP
                break
            job = info.next_job
    assert bool(st.exhausted) and int(st.n_trials) == N_CONFIGS and n_stopped > 0
    job, _ = ask(jax.random.key(999), st)
    assert not bool(job.valid)


# --------------------------------------------------------------------------------------------
# whole simulated runs
# --------------------------------------------------------------------------------------------

TABLE = synth_table(C=24)


@pytest.mark.parametrize("variant", ["stopping", "promotion"])
def test_simulated_run_equals_the_python_event_loop_and_uses_the_budget(variant):
    budget = 600.0
    kw = dict(method="moasha", variant=variant, n_workers=3, budget=budget)
    sim = make_simulator(TABLE, on_exhausted="resume", **kw)
    idle = make_simulator(TABLE, on_exhausted="idle", **kw)
    for seed in (0, 1):
        got = sim.to_frame(sim.run(jax.random.key(seed), sim.data), seed=seed)
        ref = event_loop(
            TABLE,
            sim.scheduler,
            key=jax.random.key(seed),
            seed=seed,
            objectives=sim.objectives,
            n_workers=3,
            budget=budget,
            checkpoint=sim.checkpoint,
            max_jobs=sim.max_jobs,
        )
        pd.testing.assert_frame_equal(got, ref, check_exact=True, check_dtype=False)
        base = idle.to_frame(idle.run(jax.random.key(seed), idle.data), seed=seed)
        assert got["trial"].nunique() == base["trial"].nunique() == TABLE.n_configs
        # the same run until the table is used up, then more results instead of idle workers
        assert len(got) > len(base)
        # a stopped trial came back: a result after its "stop" decision
        first_stop = got[got["decision"].isin(["stop", "paused"])].groupby("trial").head(1)
        later = got.merge(first_stop[["trial", "time"]], on="trial", suffixes=("", "_s"))
        assert (later["time"] > later["time_s"]).any()


def test_bad_on_exhausted_is_refused():
    with pytest.raises(ValueError, match="unknown on_exhausted 'wait'"):
        make_method(
            "epsnet",
            GRID,
            random_searcher(np.ones(5, bool)),
            n_objectives=2,
            max_trials=8,
            on_exhausted="wait",
        )
    with pytest.raises(ValueError, match="needs an ASHA method"):
        make_method(
            "mohb",
            GRID,
            random_searcher(np.ones(5, bool)),
            n_objectives=2,
            max_trials=8,
            on_exhausted="resume",
        )
    assert set(ON_EXHAUSTED) == {"idle", "resume"}


def test_simulator_defaults_resume_only_where_trials_are_stopped():
    got = {
        m: make_simulator(TABLE, method=m, budget=50.0).scheduler.on_exhausted
        for m in ("epsnet", "moasha", "single", "random", "mohb", "hyperband")
    }
    assert got == {
        "epsnet": "resume",
        "moasha": "resume",
        "single": "resume",
        "random": "idle",
        "mohb": "idle",
        "hyperband": "idle",
    }
    assert make_simulator(TABLE, budget=50.0, on_exhausted="idle").scheduler.on_exhausted == "idle"


def test_cli_on_exhausted_idle_reaches_the_simulator(tmp_path, capsys):
    import json

    from mohb_jax.cli import main

    out = tmp_path / "o"
    argv = "sweep --benchmark embedded --method epsnet --seeds 0:2 --n-workers 2 --budget 5x"
    argv += " --no-progress --no-plot --on-exhausted idle --out"
    assert main(argv.split() + [str(out)]) == 0, capsys.readouterr().out
    meta = json.loads((out / "results.json").read_text())
    assert meta["options"]["epsnet"]["on_exhausted"] == "idle"
