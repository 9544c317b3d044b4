"""The copula searcher: the Searcher contract, without repeats, per-key randomness, updates."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mohb_jax.transfer import copula_searcher

C, M = 40, 2


def problem(seed=0):
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=(C, M)).astype(np.float32)
    sd = np.full((C, M), 0.3, np.float32)
    x = rng.random((C, 3)).astype(np.float32)
    return mu, sd, x


def run(searcher, key, n, y_of=None):
    """Propose n times under one lax.scan, observing y_of[config] after each proposal."""

    def body(st, k):
        c, ok, st = searcher.propose(k, st)
        if y_of is not None:
            st = searcher.observe(st, c, jnp.int32(0), jnp.asarray(y_of)[c])
        return st, (c, ok)

    st = searcher.init(key)
    _, (cs, oks) = jax.lax.scan(body, st, jax.random.split(key, n))
    return cs, oks


_run_jit = jax.jit(run, static_argnums=(0, 2))


def _run(searcher, key, n, y_of=None):
    cs, oks = _run_jit(searcher, key, n, y_of)
    return np.asarray(cs), np.asarray(oks)


@pytest.mark.parametrize("guard", [False, True])
@pytest.mark.parametrize("update", [False, True])
def test_permutation_without_repeats_then_exhausted(update, guard):
    mu, sd, x = problem()
    allowed = np.ones(C, bool)
    allowed[::5] = False
    s = copula_searcher(
        mu,
        sd,
        x=x,
        allowed=allowed,
        n_candidates=16,
        queue_size=4,
        update=update,
        capacity=8,
        guard=guard,
    )
    cs, oks = _run(s, jax.random.key(0), C + 5, mu + 0.1)
    n_ok = int(allowed.sum())
    assert oks[:n_ok].all() and not oks[n_ok:].any()
    assert sorted(cs[:n_ok].tolist()) == np.flatnonzero(allowed).tolist()


def test_deterministic_per_key_and_different_across_keys():
    mu, sd, x = problem()
    s = copula_searcher(mu, sd, x=x, n_candidates=16, queue_size=4, capacity=8)
    a, _ = _run(s, jax.random.key(1), 12, mu)
    b, _ = _run(s, jax.random.key(1), 12, mu)
    np.testing.assert_array_equal(a, b)
    others = [_run(s, jax.random.key(k), 12, mu)[0] for k in range(2, 6)]
    assert any(not np.array_equal(a, o) for o in others)


def test_vmap_over_seeds_equals_single_runs():
    mu, sd, x = problem()
    s = copula_searcher(mu, sd, x=x, n_candidates=16, queue_size=4, capacity=8)
    keys = jax.random.split(jax.random.key(7), 3)
    batched = jax.jit(jax.vmap(lambda k: run(s, k, 10, mu)))(keys)
    for i in range(3):
        np.testing.assert_array_equal(np.asarray(batched[0][i]), _run(s, keys[i], 10, mu)[0])


def non_dominated(y):
    return np.array([not np.any(np.all(y <= p, 1) & np.any(y < p, 1)) for p in y])


def test_near_deterministic_prior_proposes_the_front_first():
    # tiny sigma, one pool = the whole table: the first proposals are mu's Pareto front, and
    # the very first is the front member with the lowest first objective (the epsnet start).
    mu, _, x = problem(3)
    sd = np.full_like(mu, 1e-4)
    front = np.flatnonzero(non_dominated(mu))
    s = copula_searcher(mu, sd, n_candidates=C, queue_size=C, update=False, guard=False)
    cs, _ = _run(s, jax.random.key(0), len(front))
    assert sorted(cs.tolist()) == sorted(front.tolist())
    assert cs[0] == front[np.argmin(mu[front, 0])]


def test_update_moves_proposals_towards_the_target():
    # the prior is anti-correlated with the target: with the update the searcher should soon
    # propose configs that are good on the target; without it, it keeps following the prior.
    rng = np.random.default_rng(0)
    n = 400
    x = rng.random((n, 2)).astype(np.float32)
    target = np.stack([x[:, 0] + x[:, 1], x[:, 0] + x[:, 1] + 0.01 * x[:, 0]], 1)
    mu = -target * 2
    sd = np.full_like(mu, 0.5)
    opts = dict(
        x=x,
        n_candidates=64,
        queue_size=4,
        capacity=32,
        refresh_every=2,
        lengthscale=0.3,
        noise=0.05,
        guard=False,
    )
    with_update = copula_searcher(mu, sd, update=True, **opts)
    without = copula_searcher(mu, sd, update=False, **opts)
    q_with, q_without = [], []
    for k in range(4):
        a, _ = _run(with_update, jax.random.key(k), 40, target)
        b, _ = _run(without, jax.random.key(k), 40, target)
        q_with.append(target[a[20:], 0].mean())
        q_without.append(target[b[20:], 0].mean())
    assert np.mean(q_with) < np.mean(q_without) - 0.3


def test_bad_inputs():
    mu, sd, x = problem()
    with pytest.raises(ValueError, match="sigma"):
        copula_searcher(mu, np.zeros_like(sd), x=x)
    bad = mu.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        copula_searcher(bad, sd, x=x)
    with pytest.raises(ValueError, match="needs x"):
        copula_searcher(mu, sd)
    with pytest.raises(ValueError, match="allowed"):
        copula_searcher(mu, sd, x=x, allowed=np.zeros(C, bool))
    with pytest.raises(ValueError, match=r"\[C, M\]"):
        copula_searcher(mu[:, 0], sd[:, 0], x=x)


@pytest.mark.slow
def test_inside_the_vmapped_simulator_no_repeats():
    """The searcher plugs into MO-ASHA through the Searcher interface, vmapped over seeds."""
    import pandas as pd

    from mohb_jax._src.sim.driver import make_simulator
    from mohb_jax.tables import Table
    from mohb_jax.transfer import copula_searcher_for, fit_source

    rng = np.random.default_rng(0)
    T, Cn, F = 3, 60, 3
    x = rng.random((Cn, 2)).astype(np.float32)
    err = (x[:, 0] - 0.3) ** 2 + 0.1 * x[:, 1]
    vals = np.empty((T, Cn, 1, F, 2), np.float32)
    for t in range(T):
        for f in range(F):
            vals[t, :, 0, f, 0] = err * (1 + t) + 0.5 / (f + 1)
            vals[t, :, 0, f, 1] = (f + 1) * (1 + 3 * x[:, 1])  # cumulative seconds
    table = Table(
        name="tiny",
        values=vals,
        mask=np.ones((T, Cn, 1, F), bool),
        configs=pd.DataFrame(x, columns=["a", "b"]),
        encoded=x,
        fidelities=np.array([1.0, 3.0, 9.0]),
        objectives=("err", "time"),
        directions=("min", "min"),
        tasks=("t0", "t1", "t2"),
        time_objective="time",
    )
    fit = fit_source(table, "t2", ("err", "time"), steps=100, n_decays=1, eval_every=50)
    s = copula_searcher_for(table, fit, n_candidates=16, queue_size=4, capacity=16)
    sim = make_simulator(
        table, task="t2", objectives=fit.objectives, budget=60.0, n_workers=2, searcher=s
    )
    keys = jax.random.split(jax.random.key(0), 2)
    out = jax.jit(jax.vmap(sim.run, in_axes=(0, None)))(keys, sim.data)
    for i in range(2):
        df = sim.to_frame(jax.tree.map(lambda a, i=i: a[i], out), seed=i)
        starts = df.groupby("trial")["config"].first()
        assert len(starts) >= 4
        assert starts.is_unique, "a configuration was proposed twice"
