"""The lifecycle and the method registry: the simulator against a plain-Python event loop,
synchronous Hyperband against a numpy re-implementation, the report rules, boundary errors."""

from __future__ import annotations

import functools
import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from event_loop import event_loop
from oracles import sync_hyperband
from synth_tables import synth_table

import mohb_jax
from mohb_jax._src.methods import ASHA_BRACKETS, METHODS, make_method, resolve_method
from mohb_jax._src.sim.driver import make_simulator
from mohb_jax.lifecycle import OBSERVED, make_lifecycle
from mohb_jax.schedulers import CONTINUE, DECISIONS, random_searcher

TABLE = synth_table()
TABLE_INDEP = synth_table(indep=True)


# --------------------------------------------------------------------------------------------
# the simulator == a Python event loop reporting one result at a time
# --------------------------------------------------------------------------------------------

LOOP_CASES = [
    ("resumable", dict(method="epsnet")),
    ("resumable", dict(method="moasha", variant="promotion", checkpoint=False)),
    ("resumable", dict(method="mohb", rule="scalarize")),
    ("independent", dict(method="moasha", variant="promotion")),
]


@pytest.mark.parametrize("kind, kw", LOOP_CASES)
def test_simulator_equals_python_event_loop(kind, kw):
    table = TABLE if kind == "resumable" else TABLE_INDEP
    sim = make_simulator(table, n_workers=3, budget=250.0, **kw)
    for seed in (0, 1):
        out = sim.run(jax.random.key(seed), sim.data)
        got = sim.to_frame(out, seed=seed)
        ref = event_loop(
            table,
            sim.scheduler,
            key=jax.random.key(seed),
            seed=seed,
            objectives=sim.objectives,
            n_workers=3,
            budget=250.0,
            checkpoint=sim.checkpoint,
            max_jobs=sim.max_jobs,
        )
        assert len(ref) > 30
        assert (ref["decision"] != "continue").any()
        pd.testing.assert_frame_equal(got, ref, check_exact=True, check_dtype=False)


# --------------------------------------------------------------------------------------------
# synchronous Hyperband == the numpy re-implementation of Li et al.'s rule
# --------------------------------------------------------------------------------------------


@functools.cache
def _hb(rule: str, m: int):
    grid = np.arange(1.0, 28.0)  # levels 1, 3, 9, 27 -> K = 4 brackets
    sched = make_method(
        "mohb",
        grid,
        random_searcher(np.ones(400, bool)),
        n_objectives=m,
        max_trials=200,
        rule=rule,
    )
    return sched, jax.jit(sched.ask), jax.jit(sched.tell)


@pytest.mark.parametrize("rule, m, reverse", [("single", 1, False), ("epsnet", 2, True)])
def test_synchronous_hyperband_matches_numpy_oracle(rule, m, reverse):
    """All workers ask until the scheduler has nothing to hand out (the rung waits), then the
    results come back (in reverse order when ``reverse``); repeated for 6 brackets."""
    sched, ask, tell = _hb(rule, m)
    s = sched.schedule
    Y = np.random.default_rng(3).random((200, s.n_levels, m)).astype(np.float32)
    want = sync_hyperband(s.sizes, s.eta, Y.astype(np.float64), rule, n_instances=6)
    state = sched.init(jax.random.key(0))
    got, i = [], 0
    while len(got) < len(want):
        pending = []
        while True:
            job, state = ask(jax.random.key(i), state)
            i += 1
            if not bool(job.valid):
                break
            pending.append(job)
        assert pending, "synchronous Hyperband stalled"
        for job in pending[::-1] if reverse else pending:
            k = int(job.bracket) + int(job.rung)
            state, dec, _ = tell(state, job, jnp.asarray(Y[int(job.trial), k]))
            got.append((int(job.trial), k, int(job.bracket), int(job.rung), DECISIONS[int(dec)]))
            assert int(job.fidelity) == int(s.levels[k])
    got = got[: len(want)]
    if reverse:  # results came back reversed within each rung: the same jobs and decisions
        assert sorted(got) == sorted(want)
    else:
        assert got == want
    assert any(d == "done" for *_, d in want) and len({e[2] for e in want}) == s.n_brackets


# --------------------------------------------------------------------------------------------
# the report rules
# --------------------------------------------------------------------------------------------


def _lc(indep=False, W=2):
    sched = make_method(
        "epsnet",
        np.arange(1.0, 10.0),
        random_searcher(np.ones(50, bool)),
        n_objectives=2,
        max_trials=50,
    )
    return make_lifecycle(sched, W, independent_fidelities=indep)


def test_reports_between_rungs_are_observed_and_the_target_is_told():
    lc = _lc()
    run = lc.init(jax.random.key(0))
    run, j0 = lc.on_free_worker(run, 0)
    run, j1 = lc.on_free_worker(run, 1)
    run = lc.end_round(run)
    assert int(run.n_asks) == 2 and bool(j0.valid) and int(j0.fidelity) == 0
    run, action, info = lc.on_report(run, j0, 0, jnp.array([0.1, 0.1]))
    assert int(action) == CONTINUE and bool(info.next_job.valid)  # first arrival continues
    nxt = info.next_job
    assert int(nxt.fidelity) == 2 and int(lc.resume_point(run, nxt.trial)) == 0
    run, action, info = lc.on_report(run, nxt, 1, jnp.array([0.1, 0.1]))
    assert int(action) == OBSERVED and not bool(info.next_job.valid)
    assert bool(lc.keeps_worker(action)) and int(run.trial_last[int(nxt.trial)]) == 1
    run, action, _ = lc.on_report(run, j1, 0, jnp.array([5.0, 5.0]))
    assert int(action) == 1  # STOP: dominated, not in the top 1/eta of 2
    assert not bool(lc.keeps_worker(action))


def test_on_job_end_equals_reports_one_by_one():
    lc = _lc()
    run = lc.init(jax.random.key(1))
    run, job = lc.on_free_worker(run, 0)
    run = lc.end_round(run)
    run, _, info = lc.on_report(run, job, 0, jnp.array([0.3, 0.2]))
    job = info.next_job  # fidelity 0 -> 2: reports 1 (observed) and 2 (told)
    ys = jnp.asarray(np.random.default_rng(0).random((9, 2)), jnp.float32)
    a, act_a, info_a = lc.on_job_end(run, job, ys)
    b = run
    for f in (1, 2):
        b, act_b, info_b = lc.on_report(b, job, f, ys[f])
    assert int(act_a) == int(act_b)
    for x, y in zip(jax.tree.leaves((a, info_a)), jax.tree.leaves((b, info_b)), strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_independent_fidelities_report_only_the_target_and_restart():
    lc = _lc(indep=True)
    run = lc.init(jax.random.key(0))
    run, job = lc.on_free_worker(run, 0)
    run, _, info = lc.on_report(run, job, 0, jnp.array([0.1, 0.1]))
    nxt = info.next_job
    assert int(lc.resume_point(run, nxt.trial)) == -1
    with pytest.raises(ValueError, match="independent fidelities: a job reports only its target"):
        lc.on_report(run, nxt, 1, jnp.array([0.1, 0.1]))


@pytest.mark.parametrize(
    "f, y, msg",
    [
        (2, [np.nan, 1.0], "NaN or -inf"),
        (2, [-np.inf, 1.0], "NaN or -inf"),
        (2, [1.0], r"shape \(2,\)"),
        (0, [1.0, 1.0], r"expected one in \(0, 2\]"),
        (3, [1.0, 1.0], r"expected one in \(0, 2\]"),
    ],
)
def test_on_report_refuses_bad_reports(f, y, msg):
    lc = _lc()
    run = lc.init(jax.random.key(0))
    run, job = lc.on_free_worker(run, 0)
    run, _, info = lc.on_report(run, job, 0, jnp.array([0.1, 0.1]))
    with pytest.raises(ValueError, match=msg):
        lc.on_report(run, info.next_job, f, jnp.asarray(y))


def test_scheduler_tell_refuses_nan_eagerly_but_not_under_jit():
    sched = make_method(
        "asha", [1.0, 3.0], random_searcher(np.ones(4, bool)), n_objectives=2, max_trials=4
    )
    state = sched.init(jax.random.key(0))
    job, state = sched.ask(jax.random.key(1), state)
    with pytest.raises(ValueError, match="NaN"):
        sched.tell(state, job, jnp.array([jnp.nan, 0.0]))
    jax.jit(sched.tell)(state, job, jnp.array([0.5, 0.0]))  # traced: no host check


# --------------------------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------------------------


def test_registry_names_and_defaults():
    assert list(METHODS) == [
        "epsnet", "crowding", "scalarize", "single", "random", "moasha", "mohb", "asha",
        "hyperband",
    ]  # fmt: skip
    assert mohb_jax.sim.METHODS is METHODS and mohb_jax.schedulers.METHODS is METHODS
    for name, spec in METHODS.items():
        assert spec.n_brackets == (ASHA_BRACKETS if spec.scheduler == "asha" else None), name
    grid = np.arange(1.0, 28.0)
    srch = random_searcher(np.ones(10, bool))
    # one name, one algorithm: make_method and the simulator build the same schedule
    for name in ("moasha", "asha", "mohb"):
        s = make_method(name, TABLE.fidelities, srch, n_objectives=2, max_trials=8).schedule
        sim = make_simulator(TABLE, method=name, budget=50.0)
        assert s.n_brackets == sim.scheduler.schedule.n_brackets
    assert make_method("asha", grid, srch, n_objectives=1, max_trials=8).schedule.n_brackets == 1
    assert resolve_method("moasha", rule="crowding").rule == "crowding"


def test_registry_errors_name_what_exists():
    names = re.escape(str(tuple(METHODS)))
    for bad in ("nope", "MOASHA", None):
        with pytest.raises(ValueError, match=f"unknown method .*; choose one of {names}$"):
            resolve_method(bad)
    with pytest.raises(ValueError, match="fixes rule='epsnet'.*use method 'crowding'"):
        make_simulator(TABLE, method="epsnet", rule="crowding", budget=10.0)
    with pytest.raises(ValueError, match="fixes rule='random'"):
        make_simulator(TABLE, method="random", rule="epsnet", budget=10.0)
    with pytest.raises(ValueError, match="unknown variant"):
        resolve_method("moasha", variant="sideways")
    with pytest.raises(ValueError, match=r"duplicated methods \['epsnet'\]"):
        mohb_jax.sim.compare(TABLE, methods=["epsnet", "random", "epsnet"], seeds=1, budget=10.0)
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        mohb_jax.sim.compare(TABLE, methods=["epsnet", "nope"], seeds=1, budget=10.0)
    with pytest.raises(ValueError, match=r"duplicated objectives \['acc'\]"):
        make_simulator(TABLE, objectives=["acc", "cost", "acc"], budget=10.0)
    with pytest.raises(ValueError, match=r"duplicated objectives \['acc'\]"):
        mohb_jax.sim.make_sweep(TABLE, objectives=["acc", "acc"], budget=10.0)
    with pytest.raises(ValueError, match="max_trials must be a positive integer; got 0"):
        make_simulator(TABLE, budget=10.0, max_trials=0)
    with pytest.raises(ValueError, match="max_jobs must be a positive integer; got 2.5"):
        make_simulator(TABLE, budget=10.0, max_jobs=2.5)
    with pytest.raises(ValueError, match="n_workers must be a positive integer"):
        make_lifecycle(make_simulator(TABLE, budget=10.0).scheduler, 0)


def test_one_fidelity_warns_that_the_method_reduces_to_random_search():
    one = synth_table(F=1)
    with pytest.warns(UserWarning, match="one fidelity: method 'epsnet' reduces to random search"):
        make_simulator(one, method="epsnet", budget=50.0)
    with pytest.warns(UserWarning, match="one fidelity"):
        mohb_jax.sim.make_sweep(one, method="mohb", budget=50.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_simulator(one, method="random", budget=50.0)  # says what it is: no warning
        make_simulator(TABLE, method="epsnet", budget=50.0)


def test_readme_lifecycle_example_runs():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = text.split("```python\n# lifecycle example", 1)[1].split("\n", 1)[1]
    block = block.split("```", 1)[0]
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - our own README
    run = ns["run"]
    assert int(run.sched.n_trials) == 10 and int((run.trial_last >= 0).sum()) == 10
