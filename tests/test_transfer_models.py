"""Surrogates (MLP, gpjax GP), the residual GP update and the leave-one-task-out fit."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mohb_jax.tables import Table
from mohb_jax.transfer import (
    fit_gp,
    fit_mlp,
    fit_source,
    predict_gp,
    predict_mlp,
    residual_posterior,
    task_copula_rows,
)

FAST_MLP = dict(steps=150, n_decays=2, eval_every=50)


def truth(x):
    """Two objectives of a 3-D input; the second conflicts with the first on x[:, 0]."""
    return np.stack([np.sin(4 * x[:, 0]) + x[:, 1] ** 2, -x[:, 0] + 0.5 * x[:, 2]], axis=1)


def make_table(C=300, T=3, S=2, seed=0, const_task=None):
    """Tasks share the ordering of `truth` but each has its own monotone scale and noise."""
    rng = np.random.default_rng(seed)
    x = rng.random((C, 3)).astype(np.float32)
    f = truth(x)
    vals = np.empty((T, C, S, 1, 2), np.float32)
    for t in range(T):
        for s in range(S):
            g = f + 0.05 * rng.normal(size=f.shape)
            vals[t, :, s, 0] = np.stack([np.exp(g[:, 0] * (t + 1)), 10 * g[:, 1] + 100 * t], 1)
    if const_task is not None:
        vals[const_task, ..., 1] = 3.0
    return Table(
        name="synthetic",
        values=vals,
        mask=np.ones((T, C, S, 1), bool),
        configs=pd.DataFrame(x, columns=["a", "b", "c"]),
        encoded=x,
        fidelities=np.array([1.0]),
        objectives=("err", "time"),
        directions=("min", "min"),
        tasks=tuple(f"task{t}" for t in range(T)),
    ), f


def spearman(a, b):
    return stats.spearmanr(a, b)[0]


def test_mlp_and_gp_recover_ordering():
    rng = np.random.default_rng(1)
    x = rng.random((1200, 3)).astype(np.float32)
    z = truth(x) + 0.1 * rng.normal(size=(1200, 2))
    xt = rng.random((400, 3)).astype(np.float32)
    ft = truth(xt)
    mlp = fit_mlp(jax.random.key(0), x, z, **FAST_MLP)
    mu, sd = map(np.asarray, predict_mlp(mlp, xt))
    assert mu.shape == sd.shape == (400, 2) and np.all(sd > 0)
    gp = fit_gp(jax.random.key(0), x, z, max_points=150, steps=60)
    mug, sdg = map(np.asarray, predict_gp(gp, xt))
    assert np.all(sdg > 0)
    # a constant predictor has no ordering and a random one has |rho| ~ 0.05 at n=400
    noise_level = max(abs(spearman(rng.random(400), ft[:, j])) for j in range(2))
    for j in range(2):
        assert spearman(mu[:, j], ft[:, j]) > 0.85, ("mlp", j)
        assert spearman(mug[:, j], ft[:, j]) > 0.85, ("gp", j)
    assert noise_level < 0.2


def test_residual_posterior_matches_dense_numpy_gp():
    rng = np.random.default_rng(2)
    P, K, M, D = 30, 12, 2, 3
    x, xo = rng.random((P, D)), rng.random((K, D))
    mu, sd = rng.normal(size=(P, M)), rng.uniform(0.3, 1.0, (P, M))
    muo, sdo, zo = rng.normal(size=(K, M)), rng.uniform(0.3, 1.0, (K, M)), rng.normal(size=(K, M))
    mask = np.ones(K, bool)
    mask[[3, 7, 11]] = False  # padding rows must not matter
    ell, tau2 = 0.7, 0.1
    with jax.enable_x64(True):
        m, s = residual_posterior(mu, sd, x, muo, sdo, xo, zo, mask, lengthscale=ell, noise=tau2)
        # padding rows hold garbage: same answer
        zo2, xo2 = zo.copy(), xo.copy()
        zo2[~mask], xo2[~mask] = 1e3, 0.5
        m2, s2 = residual_posterior(
            mu, sd, x, muo, sdo, xo2, zo2, mask, lengthscale=ell, noise=tau2
        )
    np.testing.assert_allclose(np.asarray(m2), np.asarray(m), atol=1e-10)
    np.testing.assert_allclose(np.asarray(s2), np.asarray(s), atol=1e-10)
    v = mask
    for j in range(M):  # textbook GP regression on the valid rows (Rasmussen & Williams 2.25)

        def rho(a, b):
            return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * ell**2))

        kk = sdo[v, j][:, None] * sdo[v, j][None, :] * rho(xo[v], xo[v]) + tau2 * np.eye(v.sum())
        ks = sd[:, j][:, None] * sdo[v, j][None, :] * rho(x, xo[v])
        mean = mu[:, j] + ks @ np.linalg.solve(kk, zo[v, j] - muo[v, j])
        var = sd[:, j] ** 2 - np.einsum("pk,kq,pq->p", ks, np.linalg.inv(kk), ks)
        np.testing.assert_allclose(np.asarray(m)[:, j], mean, atol=1e-8)
        np.testing.assert_allclose(np.asarray(s)[:, j], np.sqrt(var), atol=1e-8)


def test_residual_posterior_corrects_a_shifted_prior():
    rng = np.random.default_rng(3)
    x = rng.random((200, 2)).astype(np.float32)
    target = np.sin(3 * x[:, :1]) + x[:, 1:]  # [200, 1]
    prior = np.zeros_like(target)  # uninformative prior mean
    sd = np.ones_like(target)
    obs = rng.choice(200, 40, replace=False)
    m, s = residual_posterior(
        prior,
        sd,
        x,
        prior[obs],
        sd[obs],
        x[obs],
        target[obs],
        np.ones(40, bool),
        lengthscale=0.3,
        noise=0.01,
    )
    m, s = np.asarray(m), np.asarray(s)
    assert spearman(m[:, 0], target[:, 0]) > 0.9
    assert np.all(s <= 1.0 + 1e-6) and s[obs].max() < 0.2  # shrinks where observed


def test_fit_source_leave_one_task_out():
    table, f = make_table()
    fit = fit_source(table, "task2", model="mlp", key=jax.random.key(0), **FAST_MLP)
    assert fit.mu.shape == fit.sigma.shape == (300, 2)
    assert fit.source_tasks == ("task0", "task1") and fit.n_rows == 2 * 300 * 2
    for j in range(2):
        assert spearman(fit.mu[:, j], f[:, j]) > 0.85
    fit_g = fit_source(table, 0, model="gp", max_points=150, steps=60)
    assert fit_g.source_tasks == ("task1", "task2")
    assert spearman(fit_g.mu[:, 0], f[:, 0]) > 0.8


def test_task_copula_rows_is_per_task_transform():
    table, f = make_table(C=50)
    c, z = task_copula_rows(table, 1, ("err", "time"))
    assert len(c) == 100 and z.shape == (100, 2)
    cc, ss = np.nonzero(table.mask[1, :, :, 0])
    np.testing.assert_array_equal(c, cc)
    y = table.values[1, cc, ss, 0]  # [100, 2], the rows' own values
    for j in range(2):  # z is a monotone function of the task's own values, spanning ~N(0, 1)
        order = np.argsort(y[:, j], kind="stable")
        assert np.all(np.diff(z[order, j]) >= 0)
        assert z[:, j].min() < -1.5 and z[:, j].max() > 1.5


def test_fit_source_bad_inputs():
    table, _ = make_table(C=40, const_task=1)
    with pytest.raises(ValueError, match="constant on task 'task1'"):
        fit_source(table, "task0", **FAST_MLP)
    one, _ = make_table(C=40, T=1)
    with pytest.raises(ValueError, match="no task besides"):
        fit_source(one, 0)
    table, _ = make_table(C=40)
    m = table.mask.copy()
    m[1] = False
    m[1, 0, 0] = True
    with pytest.raises(ValueError, match="1 valid evaluation"):
        fit_source(table.replace(mask=m), "task0")
    with pytest.raises(ValueError, match="unknown task"):
        fit_source(table, "nope")
    with pytest.raises(ValueError, match="unknown objective"):
        fit_source(table, 0, ["err", "cost"])
    with pytest.raises(ValueError, match="model"):
        fit_source(table, 0, model="xgboost")
    with pytest.raises(ValueError, match="non-finite"):
        fit_mlp(jax.random.key(0), np.full((10, 2), np.nan), np.zeros((10, 1)))
