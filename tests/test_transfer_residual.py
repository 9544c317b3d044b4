"""Type-II maximum-likelihood choice of the residual GP's (ℓ, τ²) on a static grid.

Oracle: scipy's multivariate normal log density of each objective's residuals on the valid
rows (dense covariance built in numpy), summed over objectives; the grid's argmax is compared
with the pair the jitted code picks.
"""

from __future__ import annotations

from functools import partial

import jax
import numpy as np
import pytest
from scipy import stats

from mohb_jax.transfer import (
    LENGTHSCALE_GRID,
    NOISE_GRID,
    copula_searcher,
    residual_log_marginal,
    residual_posterior,
)

ELLS = (0.2, 0.4, 0.8, 1.6)
TAUS = (0.01, 0.1, 0.5)


def rho(a, b, ell):
    return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * ell**2))


def oracle_loglik(sdo, xo, r, mask, ell, tau2):
    """Σ_j log N(r_j | 0, S_j R_ℓ S_j + τ² I) over the valid rows, with scipy."""
    v = np.asarray(mask, bool)
    total = 0.0
    for j in range(r.shape[1]):
        s = sdo[v, j]
        cov = s[:, None] * s[None, :] * rho(xo[v], xo[v], ell) + tau2 * np.eye(v.sum())
        total += stats.multivariate_normal(np.zeros(v.sum()), cov).logpdf(r[v, j])
    return total


def random_problem(rng, K=16, M=2, D=3, P=20, n_masked=4):
    x, xo = rng.random((P, D)), rng.random((K, D))
    mu, sd = rng.normal(size=(P, M)), rng.uniform(0.3, 1.0, (P, M))
    muo, sdo = rng.normal(size=(K, M)), rng.uniform(0.3, 1.0, (K, M))
    # residuals with some spatial structure so that the grid's choice is not trivial
    zo = muo + np.sin(rng.uniform(1, 6) * xo[:, :1]) + 0.3 * rng.normal(size=(K, M))
    mask = np.ones(K, bool)
    mask[rng.choice(K, n_masked, replace=False)] = False
    return x, xo, mu, sd, muo, sdo, zo, mask


@jax.jit
def _pick(mu, sd, x, muo, sdo, xo, zo, mask):
    m, s, (ell, tau) = residual_posterior(
        mu, sd, x, muo, sdo, xo, zo, mask, lengthscale=ELLS, noise=TAUS, return_hyperparameters=True
    )
    ll = residual_log_marginal(muo, sdo, xo, zo, mask, lengthscales=ELLS, noises=TAUS)
    return m, s, ell, tau, ll


def test_log_marginal_and_choice_match_scipy():
    rng = np.random.default_rng(0)
    n_nontrivial = 0
    with jax.enable_x64(True):
        for _ in range(12):
            x, xo, mu, sd, muo, sdo, zo, mask = random_problem(rng)
            m, s, ell, tau, ll = map(np.asarray, _pick(mu, sd, x, muo, sdo, xo, zo, mask))
            ref = np.array(
                [[oracle_loglik(sdo, xo, zo - muo, mask, a, t) for t in TAUS] for a in ELLS]
            )
            const = 0.5 * mask.sum() * zo.shape[1] * np.log(2 * np.pi)
            np.testing.assert_allclose(ll - const, ref, rtol=1e-9, atol=1e-8)
            i, k = np.unravel_index(np.argmax(ref), ref.shape)
            assert (float(ell), float(tau)) == (ELLS[i], TAUS[k])
            n_nontrivial += (i, k) != (0, 0)
            # the posterior is the fixed-hyperparameter posterior at the chosen pair
            m1, s1 = residual_posterior(
                mu, sd, x, muo, sdo, xo, zo, mask, lengthscale=ELLS[i], noise=TAUS[k]
            )
            np.testing.assert_allclose(m, np.asarray(m1), atol=1e-10)
            np.testing.assert_allclose(s, np.asarray(s1), atol=1e-10)
    assert n_nontrivial >= 6  # the draws exercise more than the first grid point


def test_masked_observations_do_not_change_the_choice():
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, xo, mu, sd, muo, sdo, zo, mask = random_problem(rng, K=16, n_masked=6)
        # garbage in the masked rows
        xo2, zo2, sdo2 = xo.copy(), zo.copy(), sdo.copy()
        xo2[~mask] = rng.random(((~mask).sum(), xo.shape[1])) * 5
        zo2[~mask] = 1e3
        sdo2[~mask] = 7.0
        a = _pick(mu, sd, x, muo, sdo, xo, zo, mask)
        b = _pick(mu, sd, x, muo, sdo2, xo2, zo2, mask)
        # compacted: only the valid rows (another shape)
        v = mask
        c = _pick(mu, sd, x, muo[v], sdo[v], xo[v], zo[v], np.ones(v.sum(), bool))
        for other in (b, c):
            assert float(other[2]) == float(a[2]) and float(other[3]) == float(a[3])
            np.testing.assert_allclose(np.asarray(other[4]), np.asarray(a[4]), rtol=1e-5)
            np.testing.assert_allclose(np.asarray(other[0]), np.asarray(a[0]), atol=1e-4)


_ll_grid = jax.jit(partial(residual_log_marginal, lengthscales=ELLS, noises=TAUS))


def test_recovers_a_known_lengthscale():
    """Residuals drawn from the model with ℓ = ELLS[k]: the choice is ℓ or a neighbour."""
    rng = np.random.default_rng(2)
    K, M, D = 64, 2, 2
    hits_exact, hits_near, n = 0, 0, 0
    with jax.enable_x64(True):
        for true_i in (1, 2):
            for _ in range(8):
                xo = rng.random((K, D)) * 2
                sdo = np.full((K, M), 1.0)
                cov = rho(xo, xo, ELLS[true_i]) + 0.01 * np.eye(K)
                r = np.linalg.cholesky(cov) @ rng.normal(size=(K, M))
                ll = np.asarray(_ll_grid(np.zeros_like(r), sdo, xo, r, np.ones(K, bool)))
                i = np.unravel_index(np.argmax(ll), ll.shape)[0]
                hits_exact += i == true_i
                hits_near += abs(i - true_i) <= 1
                n += 1
    assert hits_near >= 0.9 * n and hits_exact >= 0.6 * n, (hits_exact, hits_near, n)


def test_searcher_grid_option_records_the_chosen_pair_and_float_keeps_fixed():
    rng = np.random.default_rng(3)
    C, D = 120, 2
    x = rng.random((C, D)).astype(np.float32)
    target = np.stack([np.sin(5 * x[:, 0]), x[:, 1]], 1).astype(np.float32)
    mu = np.zeros((C, 2), np.float32)
    sd = np.ones((C, 2), np.float32)
    opts = dict(x=x, n_candidates=32, queue_size=4, capacity=16, refresh_every=2)

    def run(s, key, n=24):
        def body(st, k):
            c, ok, st = s.propose(k, st)
            st = s.observe(st, c, jax.numpy.int32(0), jax.numpy.asarray(target)[c])
            return st, c

        st, cs = jax.lax.scan(body, s.init(key), jax.random.split(key, n))
        return st, cs

    ell0 = np.sqrt(D) / 2
    grid = copula_searcher(mu, sd, lengthscale="grid", noise="grid", **opts)
    st, cs = jax.jit(lambda k: run(grid, k))(jax.random.key(0))
    assert len(set(np.asarray(cs).tolist())) == 24
    assert float(st.ell) in {np.float32(ell0 * f) for f in LENGTHSCALE_GRID}
    assert float(st.noise) in {np.float32(t) for t in NOISE_GRID}
    fixed = copula_searcher(mu, sd, lengthscale=0.3, noise=0.05, **opts)
    st, _ = jax.jit(lambda k: run(fixed, k))(jax.random.key(0))
    assert float(st.ell) == np.float32(0.3) and float(st.noise) == np.float32(0.05)
    # the default is the grid: the same proposals and choices as asking for it explicitly
    st_d, cs_d = jax.jit(lambda k: run(copula_searcher(mu, sd, **opts), k))(jax.random.key(0))
    st_g, cs_g = jax.jit(lambda k: run(grid, k))(jax.random.key(0))
    np.testing.assert_array_equal(np.asarray(cs_d), np.asarray(cs_g))
    assert float(st_d.ell) == float(st_g.ell) and float(st_d.noise) == float(st_g.noise)
    # lengthscale=None, noise=0.1 is the former fixed default: ℓ₀ = sqrt(D)/2, τ² = 0.1
    old = copula_searcher(mu, sd, lengthscale=None, noise=0.1, **opts)
    st_o = old.init(jax.random.key(0))
    assert float(st_o.ell) == np.float32(ell0) and float(st_o.noise) == np.float32(0.1)


def test_grid_bad_inputs():
    rng = np.random.default_rng(4)
    mu = rng.normal(size=(20, 2)).astype(np.float32)
    sd = np.ones_like(mu)
    x = rng.random((20, 2)).astype(np.float32)
    with pytest.raises(ValueError, match="lengthscale"):
        copula_searcher(mu, sd, x=x, lengthscale="fit")
    with pytest.raises(ValueError, match="noise"):
        copula_searcher(mu, sd, x=x, noise=(0.1, -1.0))
    with pytest.raises(ValueError, match="lengthscale"):
        copula_searcher(mu, sd, x=x, lengthscale=())
    with pytest.raises(ValueError, match="capacity"):
        copula_searcher(mu, sd, x=x, lengthscale="grid", capacity=128)
    with pytest.raises(ValueError, match="capacity.*pass a float"):  # the default is a grid
        copula_searcher(mu, sd, x=x, capacity=128)
    copula_searcher(mu, sd, x=x, lengthscale=None, noise=0.1, capacity=128)  # fixed: allowed
