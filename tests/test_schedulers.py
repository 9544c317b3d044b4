"""Schedulers: bracket math, rung decisions vs a slow independent reference, hand-checked ASHA.

The references below are written from the papers' definitions in plain Python/numpy (brute-force
fronts, greedy ε-net, NSGA-II crowding distance); they never call the code under test.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import ref_position

from mohb_jax.schedulers import (
    CONTINUE,
    DONE,
    PAUSED,
    SCHEDULERS,
    STOP,
    hyperband_brackets,
    make_schedule,
    make_scheduler,
    map_to_grid,
    random_searcher,
    rung_levels,
    scalar_positions,
)

# --------------------------------------------------------------------------------------------
# bracket schedule math
# --------------------------------------------------------------------------------------------

# Li et al. (2018), Table 1: R = 81, eta = 3 (n_i, r_i) per bracket s = 4..0
LI_TABLE = [
    [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    [(34, 3), (11, 9), (3, 27), (1, 81)],
    [(15, 9), (5, 27), (1, 81)],
    [(8, 27), (2, 81)],
    [(5, 81)],
]


def test_hyperband_brackets_match_li_et_al_table():
    got = [[(n, round(r, 9)) for n, r in b] for b in hyperband_brackets(1, 81, 3)]
    assert got == LI_TABLE


def test_make_schedule_sizes_match_li_et_al_on_exact_grid():
    s = make_schedule([1, 3, 9, 27, 81], eta=3)
    assert s.levels.tolist() == [0, 1, 2, 3, 4]
    for b, bracket in enumerate(LI_TABLE):
        sizes = [int(x) for x in s.sizes[b, b:]]
        assert sizes == [n for n, _ in bracket]
        assert np.all(s.sizes[b, :b] == 0)
    # Syne Tune's rule: p(b) ∝ exp(#levels(b) - max)
    n_lv = np.array([5, 4, 3, 2, 1.0])
    p = np.exp(n_lv - 5) / np.exp(n_lv - 5).sum()
    np.testing.assert_allclose(s.bracket_probs, p)


def test_rung_levels_and_grid_mapping():
    np.testing.assert_allclose(rung_levels(1, 27, 3), [1, 3, 9, 27])
    np.testing.assert_allclose(rung_levels(1, 20, 3), [1, 3, 9, 20])
    np.testing.assert_allclose(rung_levels(2, 2, 3), [2])
    # epochs 1..27: levels land on the grid exactly
    assert make_schedule(np.arange(1, 28), eta=3).levels.tolist() == [0, 2, 8, 26]
    # smallest grid value >= level, then merged: 1,3,9,27,81,100 -> 1,10,10,100,100,100
    assert map_to_grid(rung_levels(1, 100, 3), [1, 10, 100]).tolist() == [0, 1, 2]
    # TrimTuner-like sizes: 1000, 3000 -> 5000, 9000 -> 10000, 27000 -> 30000, 60000
    grid = [1000, 2000, 5000, 10000, 30000, 60000]
    assert make_schedule(grid, eta=3).levels.tolist() == [0, 2, 3, 4, 5]
    # floating point: 0.1 * 3**2 is 0.9000000000000001 and must still map onto 0.9
    assert map_to_grid([0.1, 0.3, 0.9], [0.1, 0.3, 0.9]).tolist() == [0, 1, 2]
    assert make_schedule([1, 3, 9], eta=3, single_rung=True).levels.tolist() == [2]


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        (dict(eta=1), "eta"),
        (dict(eta=3, r_min=0), "r_min"),
        (dict(eta=3, r_max=5), "r_max"),
        (dict(eta=3, n_brackets=9), "n_brackets"),
        (dict(eta=3, n_brackets=0), "n_brackets"),
    ],
)
def test_make_schedule_rejects_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        make_schedule([1, 3, 9], **kwargs)


def test_make_schedule_rejects_bad_grid():
    with pytest.raises(ValueError, match="strictly increasing"):
        make_schedule([1, 1, 3])
    with pytest.raises(ValueError, match="above the largest"):
        map_to_grid([1, 50], [1, 10])


def test_unknown_names_raise():
    s = make_schedule([1, 3, 9])
    srch = random_searcher(np.ones(4, bool))
    for kw, msg in [
        (dict(method="nope"), "method"),
        (dict(rule="nope"), "rule"),
        (dict(variant="nope"), "variant"),
    ]:
        with pytest.raises(ValueError, match=msg):
            make_scheduler(s, srch, n_objectives=2, max_trials=4, **kw)
    with pytest.raises(ValueError, match="allowed"):
        random_searcher(np.zeros(4, bool))


# --------------------------------------------------------------------------------------------
# slow independent reference of the rung rules
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# harness: one rung, ask/tell under lax.scan, jitted once per (rule, M, variant)
# --------------------------------------------------------------------------------------------

NMAX = 20


@functools.cache
def rung_player(rule: str, m: int, variant: str = "stopping", nmax: int = NMAX):
    sched = make_scheduler(
        make_schedule([1.0, 3.0], eta=3, n_brackets=1),
        random_searcher(np.ones(max(64, nmax), bool)),
        n_objectives=m,
        max_trials=nmax,
        method="asha",
        rule=rule,
        variant=variant,
    )

    @jax.jit
    def play(key, ys, valid):
        state = sched.init(key)

        def body(state, inp):
            y, v = inp
            job, s2 = sched.ask(jax.random.key(1), state)
            s3, dec, info = sched.tell(s2, job, y)
            new = jax.tree_util.tree_map(lambda a, b: jnp.where(v, a, b), s3, state)
            return new, (dec, info.position, info.n_rung, job.trial, state.key)

        return jax.lax.scan(body, state, (ys, valid))

    return play


def points(seed: int, n: int, m: int, layout: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if layout == "uniform":
        return rng.random((n, m))
    if layout == "front":  # one front
        t = rng.permutation(n) / max(n, 1) + rng.random(n) * 1e-3
        y = np.stack([t, 1 - t] + [rng.random(n) for _ in range(m - 2)], 1)
        return y
    # "layers": several well separated fronts
    t = rng.random((n, 1))
    base = np.concatenate([t, 1 - t] + [rng.random((n, 1)) for _ in range(m - 2)], 1)
    return base + rng.integers(0, 4, (n, 1)) + rng.random((n, m)) * 1e-2


def mirror_weights(key_data, m):
    """The MSR weights the scheduler draws from its state key (Dirichlet(1) = normalized Exp)."""
    _, sub = jax.random.split(jax.random.wrap_key_data(key_data))
    w = np.asarray(jax.random.exponential(sub, (m,), dtype=jnp.float32), np.float64)
    return w / w.sum()


def check_position(rule, pos, p_ref, n, eta=3):
    """Exact position, except that an epsnet STOP may report a lower bound past the cut."""
    if rule == "epsnet" and p_ref * eta >= n:
        assert pos * eta >= n and pos <= p_ref, (pos, p_ref, n)
    else:
        assert pos == p_ref, (pos, p_ref, n)


CASES = [("epsnet", 2), ("epsnet", 3), ("crowding", 2), ("single", 2), ("scalarize", 2)]


@pytest.mark.parametrize("rule, m", CASES)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, NMAX),
    layout=st.sampled_from(["uniform", "front", "layers"]),
)
def test_stopping_decisions_match_reference(rule, m, seed, n, layout):
    y = points(seed, n, m, layout).astype(np.float32)
    ys = np.zeros((NMAX, m), np.float32)
    ys[:n] = y
    valid = np.arange(NMAX) < n
    state, (dec, pos, cnt, trial, keys) = rung_player(rule, m)(jax.random.key(seed), ys, valid)
    dec, pos, cnt, trial = map(np.asarray, (dec, pos, cnt, trial))
    kd = np.asarray(jax.random.key_data(keys))
    assert trial[:n].tolist() == list(range(n))
    for k in range(n):
        w = mirror_weights(kd[k], m) if rule == "scalarize" else None
        p_ref = ref_position(y[: k + 1].astype(np.float64), rule, w)[k]
        assert cnt[k] == k + 1
        expect = CONTINUE if p_ref * 3 < k + 1 else STOP
        assert dec[k] == expect
        check_position(rule, int(pos[k]), p_ref, k + 1)
    if rule != "single":
        return  # stopping variant: only the newcomer's position is computed (documented)
    # cached positions of the whole rung after the last result
    w = mirror_weights(kd[n - 1], m) if rule == "scalarize" else None
    np.testing.assert_array_equal(
        np.asarray(state.pos[0, :n]), ref_position(y.astype(np.float64), rule, w)
    )


@pytest.mark.parametrize("rule", ["epsnet", "crowding", "scalarize", "single"])
def test_newcomer_dominating_everybody_continues(rule):
    """Syne Tune's non-dominated priority stops this newcomer (PAPER_NOTES): we must not."""
    y = np.array(
        [[1.0, 5.0], [2.0, 4.0], [3.0, 3.5], [2.5, 6.0], [4.0, 5.0], [5.0, 7.0], [0.1, 0.1]],
        np.float32,
    )
    ys = np.zeros((NMAX, 2), np.float32)
    ys[:7] = y
    _, (dec, pos, cnt, *_) = rung_player(rule, 2)(jax.random.key(0), ys, np.arange(NMAX) < 7)
    assert int(pos[6]) == 0 and int(cnt[6]) == 7
    assert int(dec[6]) == CONTINUE


def test_duplicates_share_a_front_and_break_ties_by_trial_id():
    y = np.array([[1.0, 2.0], [1.0, 2.0], [0.5, 3.0]], np.float32)
    # one front: ε-net starts from the lowest first objective (trial 2), then trial 0 (the
    # duplicate 1 has distance 0 to it and comes last)
    ys = np.zeros((NMAX, 2), np.float32)
    ys[:3] = y
    _, (_, pos, *_) = rung_player("epsnet", 2)(jax.random.key(0), ys, np.arange(NMAX) < 3)
    assert np.asarray(pos[:3]).tolist() == [0, 1, 0]  # each newcomer's position on arrival
    for perm in ([0, 1, 2], [2, 0, 1]):  # whole rung, by any arrival order of the same rows
        ys[:3] = y[perm]
        _, (_, pos, *_) = rung_player("epsnet", 2)(jax.random.key(0), ys, np.arange(NMAX) < 3)
        check_position("epsnet", int(pos[2]), [1, 2, 0][perm[2]], 3)


@pytest.mark.parametrize("layout", ["uniform", "front", "layers"])
def test_epsnet_incremental_and_rebuilt_domination_agree(layout, monkeypatch):
    """The packed domination matrix kept in the state gives the decisions of a fresh build."""
    from mohb_jax._src.schedulers import core

    n, m = 100, 3
    y = points(11, n, m, layout).astype(np.float32)
    runs = []
    for limit in (core.INCREMENTAL_MAX, 0):  # 0: rebuild (bucketed) on every decision
        monkeypatch.setattr(core, "INCREMENTAL_MAX", limit)
        play = rung_player.__wrapped__("epsnet", m, "stopping", n)
        state, (dec, pos, *_) = play(jax.random.key(5), y, np.ones(n, bool))
        runs.append((np.asarray(dec), np.asarray(pos), state.dom.shape))
    assert runs[0][2] != runs[1][2]  # the two paths really ran
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])  # same early exits, same bounds


@pytest.mark.parametrize("rule", ["epsnet", "crowding", "scalarize"])
@pytest.mark.parametrize("layout", ["uniform", "front", "layers"])
def test_stopping_positions_past_the_smallest_bucket(rule, layout):
    """Rungs of 100 results: the ranking runs on the compacted rows in buckets 32, 64, 100."""
    n, m = 100, 2
    y = points(7, n, m, layout).astype(np.float32)
    state, (dec, pos, cnt, trial, keys) = rung_player(rule, m, nmax=n)(
        jax.random.key(3), y, np.ones(n, bool)
    )
    kd = np.asarray(jax.random.key_data(keys))
    for k in range(n):
        w = mirror_weights(kd[k], m) if rule == "scalarize" else None
        p_ref = ref_position(y[: k + 1].astype(np.float64), rule, w)[k]
        assert int(dec[k]) == (CONTINUE if p_ref * 3 < k + 1 else STOP)
        check_position(rule, int(pos[k]), p_ref, k + 1)


def test_scalar_positions_ties_and_mask():
    s = jnp.array([3.0, 1.0, 3.0, 0.0, 9.0])
    mask = jnp.array([True, True, True, True, False])
    assert scalar_positions(s, mask).tolist() == [2, 1, 3, 0, -1]


# --------------------------------------------------------------------------------------------
# hand-checked ASHA promotions (single objective, Li et al. 2020 Algorithm 2)
# --------------------------------------------------------------------------------------------


def test_single_objective_promotions_hand_checked():
    sched = make_scheduler(
        make_schedule([1.0, 3.0, 9.0], eta=3, n_brackets=1),
        random_searcher(np.ones(16, bool)),
        n_objectives=1,
        max_trials=16,
        method="asha",
        rule="single",
        variant="promotion",
    )
    ask, tell = jax.jit(sched.ask), jax.jit(sched.tell)
    state = sched.init(jax.random.key(0))
    key = jax.random.key(1)
    log = []

    def step(y):
        nonlocal state
        job, state = ask(key, state)
        state, dec, _ = tell(state, job, jnp.array([y], jnp.float32))
        log.append((int(job.trial), int(job.fidelity), int(dec)))

    # (trial, fidelity index, decision) expected by hand: a rung of n keeps floor(n/3)
    step(5.0)  # new trial 0 at rung 0: nothing promotable (n=1)
    step(3.0)  # new trial 1 (n=2, keep 0)
    step(4.0)  # new trial 2 (n=3, keep 1: trial 1 becomes promotable)
    step(2.0)  # promote trial 1 to rung 1
    step(1.0)  # rung 0 keep 1 = {trial 1} already promoted -> new trial 3 (rung 0: n=4, keep 1)
    step(2.5)  # trial 3 is now the best not promoted at rung 0 -> promoted to rung 1
    step(6.0)  # new trial 4 (n=5, keep 1 = trial 3, promoted)
    step(0.5)  # new trial 5 (n=6, keep 2 = {5, 3})
    step(3.0)  # promote trial 5 to rung 1 (rung 1: n=3, keep 1 = trial 1)
    step(0.7)  # promote trial 1 to the max fidelity: done
    assert log == [
        (0, 0, PAUSED),
        (1, 0, PAUSED),
        (2, 0, PAUSED),
        (1, 1, PAUSED),
        (3, 0, PAUSED),
        (3, 1, PAUSED),
        (4, 0, PAUSED),
        (5, 0, PAUSED),
        (5, 1, PAUSED),
        (1, 2, DONE),
    ]


def test_single_objective_stopping_hand_checked():
    sched = make_scheduler(
        make_schedule([1.0, 3.0, 9.0], eta=3, n_brackets=1),
        random_searcher(np.ones(16, bool)),
        n_objectives=1,
        max_trials=16,
        method="asha",
        rule="single",
        variant="stopping",
    )
    ask, tell = jax.jit(sched.ask), jax.jit(sched.tell)
    state = sched.init(jax.random.key(0))
    decisions, nxt = [], []
    for y in [5.0, 6.0, 4.0, 7.0, 1.0, 4.5]:
        job, state = ask(jax.random.key(1), state)
        state, dec, info = tell(state, job, jnp.array([y], jnp.float32))
        decisions.append(int(dec))
        nxt.append(int(info.next_job.fidelity) if bool(info.next_job.valid) else None)
    # p * 3 < n: 5 (p0,n1) go; 6 (p1,n2) stop; 4 (p0,n3) go; 7 (p3,n4) stop;
    # 1 (p0,n5) go; 4.5 (p2,n6) stop (Syne Tune's p/n <= 1/eta would let it go)
    assert decisions == [CONTINUE, STOP, CONTINUE, STOP, CONTINUE, STOP]
    assert nxt == [1, None, 1, None, 1, None]


# --------------------------------------------------------------------------------------------
# brackets are seeded
# --------------------------------------------------------------------------------------------


def test_bracket_choice_is_seeded_and_follows_the_distribution():
    sched = make_scheduler(
        make_schedule([1.0, 3.0, 9.0, 27.0], eta=3),
        random_searcher(np.ones(400, bool)),
        n_objectives=2,
        max_trials=400,
        method="asha",
        rule="epsnet",
    )

    @jax.jit
    def brackets(key):
        def body(state, _):
            job, state = sched.ask(jax.random.key(0), state)
            return state, job.bracket

        return jax.lax.scan(body, sched.init(key), None, length=400)[1]

    a, a2, b = (np.asarray(brackets(jax.random.key(s))) for s in (0, 0, 1))
    np.testing.assert_array_equal(a, a2)
    assert not np.array_equal(a, b)
    both = np.concatenate([a, b])
    freq = np.bincount(both, minlength=4) / len(both)
    p = sched.schedule.bracket_probs
    # 800 draws: binomial s.d. <= 0.018; 4 s.d. tolerance
    np.testing.assert_allclose(freq, p, atol=0.075)


def test_registry_lists_both_schedulers():
    assert set(SCHEDULERS) == {"asha", "hyperband"}
