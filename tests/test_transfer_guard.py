"""The copula searcher's guard against negative transfer (a bandit over {prior, random})."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from mohb_jax.transfer import copula_searcher, guard_trust

C = 300


def target_problem(seed=0):
    """Two objectives of a 2-D config, trading off along x1 (front: x0 = 0), and their exact
    copula values (what a perfect prior would predict)."""
    rng = np.random.default_rng(seed)
    x = rng.random((C, 2)).astype(np.float32)
    y = np.stack([x[:, 0] + 0.3 * x[:, 1], x[:, 0] + 0.3 * (1 - x[:, 1])], 1).astype(np.float32)
    z = stats.norm.ppf((stats.rankdata(y, axis=0) - 0.5) / C).astype(np.float32)  # copula
    return x, y, z


def _propose_observe(searcher, y_of):
    """A scan step: propose a config and observe its true y at fidelity 0 at once."""

    def body(st, k):
        c, ok, st = searcher.propose(k, st)
        st = searcher.observe(st, c, jnp.int32(0), jnp.asarray(y_of)[c])
        return st, (c, ok, st.arm[c])

    return body


def drive(searcher, key, n, y_of):
    """Propose n configs, observing each one's true y at fidelity 0 at once (a lax.scan)."""
    st = searcher.init(key)
    st, out = jax.lax.scan(_propose_observe(searcher, y_of), st, jax.random.split(key, n))
    return st, out


def quality(y, cs):
    """Mean normalized rank (0 best, 1 worst) of the proposed configs on the first objective
    plus the second: how good the picks are on the target."""
    r = stats.rankdata(y.sum(1)) / len(y)
    return r[np.asarray(cs)].mean()


def run_many(s, y, n, seeds=6):
    f = jax.jit(jax.vmap(lambda k: drive(s, k, n, y)))
    st, (cs, ok, arm) = f(jax.random.split(jax.random.key(0), seeds))
    return st, np.asarray(cs), np.asarray(ok), np.asarray(arm)


def test_exact_prior_is_trusted():
    x, y, z = target_problem()
    sd = np.full_like(z, 0.2)
    s = copula_searcher(z, sd, x=x, n_candidates=64, queue_size=8, capacity=16)
    st, cs, ok, arm = run_many(s, y, 80)
    assert ok.all()
    trust = np.asarray(guard_trust(st))
    assert (trust > 0.85).all(), trust
    assert (arm[:, 40:] == 1).mean() > 0.85  # late proposals come from the prior
    # and the picks are much better than random ones (expected normalized rank 0.5)
    assert quality(y, cs.ravel()) < 0.3


def test_floor_keeps_a_random_share_under_an_exact_prior():
    """With ``guard_floor=0.25``, about a quarter of the proposals stay random draws even when
    the prior is exact and trusted; the picks are still much better than random ones."""
    x, y, z = target_problem()
    sd = np.full_like(z, 0.2)
    s = copula_searcher(z, sd, x=x, n_candidates=64, queue_size=8, capacity=16, guard_floor=0.25)
    st, cs, ok, arm = run_many(s, y, 80, seeds=8)
    assert ok.all()
    assert (np.asarray(guard_trust(st)) > 0.85).all()
    late_random = (arm[:, 40:] == 2).mean()  # ~0.25 (+ the bandit's own rare random picks)
    assert 0.17 < late_random < 0.36, late_random
    assert quality(y, cs.ravel()) < 0.35


def test_inverted_prior_converges_to_random_search():
    """The default guard (16:1 for the prior) needs a few dozen results to lose its trust in
    an exactly inverted prior; after that its picks are random search's."""
    x, y, z = target_problem(1)
    sd = np.full_like(z, 0.2)
    opts = dict(x=x, n_candidates=64, queue_size=8, capacity=16, update=False)
    guarded = copula_searcher(-z, sd, **opts)
    blind = copula_searcher(-z, sd, guard=False, **opts)
    st, cs, ok, arm = run_many(guarded, y, 200)
    _, cs_b, _, _ = run_many(blind, y, 200)
    assert ok.all()
    trust = np.asarray(guard_trust(st))  # from 0.93; the prior arm, rarely drawn, loses slowly
    assert (trust < 0.25).all() and trust.mean() < 0.15, trust
    assert (arm[:, 100:] == 2).mean() > 0.85  # late proposals are random draws
    # the unguarded searcher follows the inverted prior to the worst configs; the guarded one's
    # late picks are as good as random search's (expected normalized rank 0.5)
    assert quality(y, cs_b[:, 60:120].ravel()) > 0.65  # (of 300 configs: the worst fifth)
    assert 0.4 < quality(y, cs[:, 100:].ravel()) < 0.6


def test_credit_matches_brute_force():
    x, y, z = target_problem(2)
    rng = np.random.default_rng(0)
    y = y + rng.normal(0, 0.05, y.shape).astype(np.float32)
    y[::17] = np.inf  # failed trials earn nothing
    s = copula_searcher(z, np.full_like(z, 0.5), x=x, update=False, guard_memory=8)
    n = 50
    st, (cs, _, arm) = jax.jit(lambda k: drive(s, k, n, y))(jax.random.key(3))
    cs, arm = np.asarray(cs), np.asarray(arm)
    credit = np.array([[16.0, 1.0], [1.0, 1.0]])  # the default guard_prior, then 1:1
    mem: list[np.ndarray] = []
    for c, a in zip(cs, arm, strict=True):
        yc = y[c]
        if np.all(np.isfinite(yc)):
            lost = sum(bool(np.all(m <= yc) and np.any(m < yc)) for m in mem)
            won = sum(bool(np.all(yc <= m) and np.any(yc < m)) for m in mem)
            sc = 0.5 + 0.5 * (won - lost) / max(len(mem), 1)
        else:
            sc = 0.0
        credit[a - 1] += (sc, 1 - sc)
        mem = (mem + [yc])[-8:]
    np.testing.assert_allclose(np.asarray(st.credit), credit, rtol=1e-5)
    assert {1, 2} <= set(arm.tolist())  # both arms were used


def test_other_fidelities_do_not_credit():
    x, y, z = target_problem()
    s = copula_searcher(z, np.full_like(z, 0.2), x=x, update=False, guard_fidelity=2)
    st = s.init(jax.random.key(0))
    c, ok, st = s.propose(jax.random.key(1), st)
    before = np.asarray(st.credit)
    st1 = s.observe(st, c, jnp.int32(0), jnp.asarray(y[c]))
    np.testing.assert_array_equal(np.asarray(st1.credit), before)
    st2 = s.observe(st, c, jnp.int32(2), jnp.asarray(y[c]))
    assert np.asarray(st2.credit).sum() == pytest.approx(before.sum() + 1)


def test_deterministic_and_vmap_equal_single():
    x, y, z = target_problem()
    s = copula_searcher(z, np.full_like(z, 0.5), x=x, n_candidates=32, queue_size=4, capacity=8)
    keys = jax.random.split(jax.random.key(5), 3)
    single = jax.jit(lambda k: drive(s, k, 30, y)[1][0])
    batched = jax.jit(jax.vmap(lambda k: drive(s, k, 30, y)[1][0]))(keys)
    for i in range(3):
        a = np.asarray(single(keys[i]))
        np.testing.assert_array_equal(a, np.asarray(batched[i]))
        np.testing.assert_array_equal(a, np.asarray(single(keys[i])))
        assert len(set(a.tolist())) == 30


def _wave_then_observed(s, y, wave, after, key):
    """Propose ``wave`` configs with no result yet (a first wave of workers), then observe
    each of them and propose ``after`` more, each observed at once; the arms used. (Scans:
    unrolled, the 25 steps take minutes to compile.)"""
    yv = jnp.asarray(y)

    def run(k):
        ks = jax.random.split(k, wave + after)

        def first(st, kk):
            c, _, st = s.propose(kk, st)
            return st, (c, st.arm[c])

        def observe(st, c):
            return s.observe(st, c, jnp.int32(0), yv[c]), None

        st, (cs, arms0) = jax.lax.scan(first, s.init(k), ks[:wave])
        st, _ = jax.lax.scan(observe, st, cs)
        _, (_, _, arms1) = jax.lax.scan(_propose_observe(s, yv), st, ks[wave:])
        return jnp.concatenate([arms0, arms1])

    return np.asarray(jax.jit(jax.vmap(run))(jax.random.split(key, 16)))


def test_warmup_follows_the_prior_until_the_first_result():
    """Default ``guard_warmup="evidence"``: every proposal made before any result credits an
    arm comes from the prior, even under a guard prior that distrusts it (1:50); once results
    arrive the bandit decides (here: mostly random draws). ``guard_warmup=0`` lets the bandit
    decide from the start; an integer forces that many first proposals."""
    x, y, z = target_problem()
    opts = dict(x=x, update=False, n_candidates=64, queue_size=8, guard_prior=(1.0, 50.0))
    sd = np.full_like(z, 0.2)
    arms = _wave_then_observed(copula_searcher(z, sd, **opts), y, 5, 20, jax.random.key(0))
    assert (arms[:, :5] == 1).all()
    assert (arms[:, 5:] == 2).mean() > 0.8
    off = _wave_then_observed(
        copula_searcher(z, sd, guard_warmup=0, **opts), y, 5, 20, jax.random.key(0)
    )
    assert (off[:, :5] == 2).mean() > 0.8
    three = _wave_then_observed(
        copula_searcher(z, sd, guard_warmup=3, **opts), y, 5, 20, jax.random.key(0)
    )
    assert (three[:, :3] == 1).all() and (three[:, 3:] == 2).mean() > 0.8


def test_bad_guard_options():
    x, _, z = target_problem()
    sd = np.ones_like(z)
    with pytest.raises(ValueError, match="guard_memory"):
        copula_searcher(z, sd, x=x, guard_memory=0)
    with pytest.raises(ValueError, match="guard_fidelity"):
        copula_searcher(z, sd, x=x, guard_fidelity=-1)
    with pytest.raises(ValueError, match="guard_prior"):
        copula_searcher(z, sd, x=x, guard_prior=(1.0, 0.0))
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError, match="guard_floor"):
            copula_searcher(z, sd, x=x, guard_floor=bad)
    for bad in (-1, 2.5, True, "first"):
        with pytest.raises(ValueError, match="guard_warmup"):
            copula_searcher(z, sd, x=x, guard_warmup=bad)


def test_several_guard_fidelities_keep_separate_memories():
    x, y, z = target_problem()
    s = copula_searcher(z, np.full_like(z, 0.2), x=x, update=False, guard_fidelity=(0, 2))
    st = s.init(jax.random.key(0))
    c, _, st = s.propose(jax.random.key(1), st)
    st = s.observe(st, c, jnp.int32(1), jnp.asarray(y[c]))  # not a guard fidelity
    assert np.asarray(st.g_n).tolist() == [0, 0]
    st = s.observe(st, c, jnp.int32(2), jnp.asarray(y[c]))
    st = s.observe(st, c, jnp.int32(0), jnp.asarray(y[c]))
    assert np.asarray(st.g_n).tolist() == [1, 1]
    # each was compared with an empty memory of its own fidelity: two neutral credits
    np.testing.assert_allclose(np.asarray(st.credit)[0], [16.0 + 1.0, 1.0 + 1.0])


def _lowest_fidelity_prior(tb, task, objectives):
    """Each config's mean copula value on ``task`` itself at the lowest fidelity: the exact
    prior for the guard's comparisons there."""
    from mohb_jax.transfer import task_copula_rows

    c, z = task_copula_rows(tb, task, objectives, fidelity=0)
    mu = np.zeros((tb.n_configs, len(objectives)), np.float32)
    n = np.bincount(c, minlength=tb.n_configs)
    for j in range(len(objectives)):
        mu[:, j] = np.bincount(c, z[:, j], minlength=tb.n_configs) / np.maximum(n, 1)
    return mu


def test_simulate_records_the_trust_per_seed_over_time():
    """``simulate`` gives each result the guard's trust when its job started: it rises from
    its starting value for an exact prior and falls for an inverted one; no column without a
    guard. (A 4:1 starting trust, 0.82, so that the rise is visible: the default 16:1 starts
    at 0.93, about where an exact prior's lowest-fidelity picks on this table settle.)"""
    import mohb_jax
    from mohb_jax import tables

    tb = tables.load_benchmark("embedded")
    objectives = tuple(tb.default_objectives)
    mu = _lowest_fidelity_prior(tb, "digits", objectives)
    sd = np.full_like(mu, 0.2)
    t = tb.task_index("digits")
    allowed = np.asarray(tb.mask[t]).all(axis=-1).any(axis=-1)
    opts = dict(x=np.asarray(tb.encoded, np.float32), allowed=allowed, update=False)
    opts |= dict(n_candidates=32, queue_size=4, guard_prior=(4.0, 1.0))
    trust0 = float(guard_trust(copula_searcher(mu, sd, **opts).init(jax.random.key(0))))

    def run(searcher, seeds):
        return mohb_jax.simulate(
            tb,
            method="epsnet",
            task="digits",
            objectives=objectives,
            seeds=seeds,
            budget="30x",
            progress=False,
            searcher=searcher,
        )

    finals = {}
    for sign in (1.0, -1.0):
        df = run(copula_searcher(sign * mu, sd, **opts), 4)
        assert "searcher_trust" in df.columns
        tr = df["searcher_trust"].to_numpy()
        assert np.isfinite(tr).all() and ((tr >= 0) & (tr <= 1)).all()
        per_seed = df.sort_values("time").groupby("seed")["searcher_trust"]
        first, last = per_seed.first().to_numpy(), per_seed.last().to_numpy()
        np.testing.assert_allclose(first, trust0, rtol=1e-5)  # no evidence at the first job
        finals[sign] = last
    assert (finals[1.0] > trust0).all(), finals
    assert (finals[-1.0] < 0.5).all(), finals
    assert "searcher_trust" not in run(copula_searcher(mu, sd, guard=False, **opts), 2).columns
