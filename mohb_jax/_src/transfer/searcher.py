"""The ``copula`` searcher: Thompson sampling of the Pareto front from a transfer surrogate.

Our reading of the multi-objective transfer searcher of Salinas et al. (2021), whose code is not
public, built from the single-objective copula Thompson sampling of Salinas, Shen & Perrone
(ICML 2020):

1. A surrogate fitted on the source tasks gives, for every configuration ``c`` of the table,
   a mean ``μ[c, j]`` and a standard deviation ``σ[c, j]`` of the copula value of objective
   ``j`` (fitted once on the host, see :func:`~mohb_jax.transfer.fit_source`; the searcher only
   closes over these arrays).
2. At a *refresh*, the searcher takes a pool of ``n_candidates`` configurations it has not
   proposed yet (consecutive chunks of a random permutation drawn at ``init``), draws **one
   joint sample** ``z̃ ~ N(μ', σ'²)`` of all objectives per candidate (Thompson sampling), ranks
   the pool with the rung rule (:func:`mohb_jax.pareto.rung_rank`: non-dominated fronts, ε-net
   inside each) and queues the best ``queue_size`` candidates in that order.
3. ``propose`` pops the queue; configurations are never proposed twice. It refreshes when the
   queue is empty or, with the target update on, after ``refresh_every`` new observations.
4. **Target update** (the "residual" correction; the public Syne Tune searcher never uses target
   data): the latest observation of each target configuration (capacity ``capacity``, a ring
   buffer of the most recent configurations) is copula-transformed among the target's own
   observations; the residuals ``r = z_target − μ`` are smoothed by a GP whose prior
   covariance is ``σ(x) σ(x') exp(−‖x − x'‖² / (2ℓ²))`` (the surrogate's own σ as residual
   scale) plus noise ``τ²``. Candidates get ``μ' = μ + k*ᵀ (K + τ² I)⁻¹ r`` and
   ``σ'² = σ² − k*ᵀ (K + τ² I)⁻¹ k*``. ``(ℓ, τ²)`` are chosen at every refresh on a small
   static grid by type-II maximum likelihood of the residuals (summed over objectives;
   :func:`residual_log_marginal`; the default), or fixed. This is a fixed-shape
   ``O(G·capacity³ + n_candidates·capacity²)`` computation per refresh (``G`` grid points, 1
   when fixed), fully inside ``jit``.

5. **Guard against negative transfer** (``guard=True``, the default): a two-armed bandit
   decides, at every proposal, whether the next configuration comes from the prior (steps 2-3)
   or is drawn uniformly at random among those not proposed yet (random search without
   replacement, from the other end of the ``init`` permutation). Arms are credited by rung
   outcomes: when a configuration's result at the guard fidelity (``guard_fidelity``, by
   default the lowest fidelity, where every trial is compared first) arrives, it earns the
   score ``s = ½ + ½ (d⁺ − d⁻) / n`` against the ``n ≤ guard_memory`` most recent results at
   that fidelity, ``d⁺`` of which it Pareto-dominates and ``d⁻`` of which dominate it (1: it
   dominates them all; 0: all dominate it, or it failed; ½ with no memory yet), added as
   ``(s, 1 − s)`` to its arm's Beta pseudo-counts. The arm is chosen by Thompson sampling
   (Thompson 1933; the Bernoulli-bandit form of Agrawal & Goyal 2012, with fractional
   rewards) from a Gaussian approximation of each Beta posterior (no rejection sampler inside
   the event loop). The prior arm starts with ``guard_prior`` pseudo-counts (trusted, by
   default 16:1 against the random arm's 1:1), so a helpful prior keeps most of its lead at the
   start; a prior whose proposals fare worse on the target than random ones loses the bandit
   and the searcher converges to random search. Until the first result credits an arm
   (``guard_warmup="evidence"``, the default) every proposal follows the prior: with no
   evidence either way, the bandit's random draws (≈ 18 % of them at 4:1, ≈ 7 % at 16:1) only
   delay a good prior's first picks, while a misleading prior costs at most that first wave (W
   proposals with W workers) before the bandit takes over. On FCNet naval_propulsion at 1000
   seeds, where the prior's first picks reach random search's target at once, the first wave's
   random draws halved the median time-to-target speed-up (28× instead of 55×); with the
   warm-up it is 55× (``bench/results_transfer.md`` §5e). Why 16:1 and not 4:1: on the built-in
   table (128 configurations) the lowest fidelity tells the prior's picks from random ones too
   weakly for the bandit to settle, and at 4:1 it kept mixing (75-78 % of the unguarded
   speed-up kept on wine / iris at 1000 seeds, 82-88 % at 16:1); at 16:1 it kept ≥ 80 % on
   every task where transfer helps and was below random search's final HV on none (23 tasks
   of six tables, 1000 seeds each, §5e). A
   misleading prior needs more evidence to lose then; on LCBench 7593 (§5c-§5e) the final HV is
   still above random search's. Optionally, whatever the bandit says, at least
   a share ``guard_floor`` (default 0: off) of the proposals are random draws (a uniform
   mixture on top of the bandit, like the uniform exploration mixed into Exp3, Auer et al.
   2002, and the constant fraction of random configurations that BOHB keeps, Falkner et al.
   2018).
   :func:`guard_trust` gives the posterior probability that the prior's proposals beat random
   ones; ``mohb_jax.simulate`` records it per result in the ``searcher_trust`` column (its
   value when the result's job started) when the searcher has a guard.

   Why no floor by default: the one task where the bandit alone stayed below random search
   (the LCBench surrogate's task 7593, final HV −1.7 % at 100 and 400 seeds) was not misjudged
   by the bandit (its trust rises to ≈ 0.96: the prior's picks do win at the lowest fidelity)
   but used up: its 1 000 configurations are all proposed by 20-30 % of the budget, after
   which an ASHA scheduler that never resumes a stopped trial ends the run, and a good-first
   order had lost its promotions to the rung comparisons among good configurations. A random
   share only traded that loss against the speed-up elsewhere (floor 0.25: −0.8 %, < 80 % of
   the speed-up kept on 8 of 18 tasks; 0.5: within noise, ~60 % kept). The fix is in the
   scheduler: the simulator resumes stopped trials once the table is used up
   (``on_exhausted="resume"``, :data:`mohb_jax.schedulers.ON_EXHAUSTED`), and with it the
   guarded searcher is above random search on 7593 (the default guard: +0.42 ± 0.05 % at 1000
   seeds) and at or above it, or within the CI, on every table that is used up within the
   budget (the LCBench surrogate, the built-in table, LCDB; ``bench/results_transfer.md``
   §5d-§5e). ``guard_floor`` stays an option (default 0).

   Why this guard and not a rank correlation between the prior and the observed values (the
   other candidate): on the LCBench surrogate the prior's Spearman correlation with the target
   is as high on task 7593, where transfer hurts (+0.71 on final validation accuracy, +0.89
   on time), as on 3945, where it helps most (+0.24, +0.88), and near 0 on every task at the
   lowest fidelity (``bench/results_transfer.md`` §5): a correlation cannot tell them apart,
   while crediting each arm by how its own proposals rank measures the very thing that
   matters, whether the prior's picks are better than random picks on this task.

Speed inside a vmapped simulator: under ``vmap`` over seeds, the ``lax.cond`` that guards a
refresh runs both branches, so every ``propose`` pays for one refresh (``rung_rank`` on
``n_candidates`` points plus the residual GP); keep ``n_candidates`` in the low hundreds there.
In a plain Python driver the refresh only runs when due.

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020.
    D. Salinas, V. Perrone, O. Cruchant, C. Archambeau. "A multi-objective perspective on
    jointly tuning hardware and hyperparameters." arXiv 2106.05680, 2021.
    W. R. Thompson. "On the likelihood that one unknown probability exceeds another in view of
    the evidence of two samples." Biometrika, 1933.
    S. Agrawal, N. Goyal. "Analysis of Thompson sampling for the multi-armed bandit problem."
    COLT 2012.
    P. Auer, N. Cesa-Bianchi, Y. Freund, R. E. Schapire. "The nonstochastic multiarmed bandit
    problem." SIAM J. Computing, 2002 (Exp3's uniform exploration share).
    S. Falkner, A. Klein, F. Hutter. "BOHB: Robust and efficient hyperparameter optimization at
    scale." ICML 2018 (a constant fraction of random configurations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.pareto import rung_rank
from mohb_jax._src.transfer.copula import _copula_jax
from mohb_jax._src.types import Searcher

#: multipliers of the default ℓ₀ = sqrt(D)/2 in the ``lengthscale="grid"`` option
LENGTHSCALE_GRID: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0)
#: τ² candidates of the ``noise="grid"`` option (copula units: the marginal variance is 1)
NOISE_GRID: tuple[float, ...] = (0.01, 0.1, 0.5)


class CopulaSearcherState(NamedTuple):
    perm: Int[Array, " c"]  # int32[C]: random permutation, allowed configs first
    cursor: Int[Array, ""]  # int32: start of the next candidate pool in `perm`
    proposed: Bool[Array, " c"]  # bool[C]: already proposed
    n_proposed: Int[Array, ""]  # int32
    queue: Int[Array, " q"]  # int32[Q]: configs to propose next, best first
    q_len: Int[Array, ""]  # int32: valid entries of `queue`
    q_pos: Int[Array, ""]  # int32: next entry of `queue` to propose
    obs_config: Int[Array, " k"]  # int32[K]: target configs observed (-1 = empty slot)
    obs_fidelity: Int[Array, " k"]  # int32[K]: fidelity index of the kept observation
    obs_y: Float[Array, "k m"]  # float32[K, M]: latest observation of each kept config
    n_obs: Int[Array, ""]  # int32: number of distinct configs ever stored (ring position)
    since_refresh: Int[Array, ""]  # int32: observations stored since the last refresh
    ell: Float[Array, ""]  # float32: residual-GP ℓ of the last update (NaN: none yet on a grid)
    noise: Float[Array, ""]  # float32: residual-GP τ² of the last update (NaN: none yet)
    arm: Int[Array, " c"]  # int8[C]: who proposed each config (0 not yet, 1 prior, 2 random)
    r_cursor: Int[Array, ""]  # int32: the random arm scans `perm` backwards from here
    g_y: Float[Array, "l g m"]  # float32[L, G, M]: recent results at each guard fidelity (rings)
    g_valid: Bool[Array, "l g"]  # bool[L, G]: filled slots of `g_y`
    g_n: Int[Array, " l"]  # int32[L]: results ever stored per guard fidelity (ring positions)
    credit: Float[Array, "2 2"]  # float32[arm, (successes, failures)]: the guard's evidence,
    #                              pseudo-counts included; row 0 prior, row 1 random


def _forward_substitution(chol: Float[Array, "k k"], b: Float[Array, "k p"]) -> Float[Array, "k p"]:
    """Solve ``chol @ X = b`` for lower-triangular ``chol`` by a K-step loop.

    XLA's CPU ``triangular_solve`` with a matrix right-hand side is 50-500x slower than this
    loop under ``vmap`` for the small K used here (measured in ``bench/transfer.py``).
    """

    def body(i, x):
        return x.at[i].set((b[i] - chol[i] @ x) / chol[i, i])  # rows >= i of x are still 0

    return lax.fori_loop(0, chol.shape[0], body, jnp.zeros_like(b))


def _sqdist(a, b):
    return jnp.maximum(jnp.sum(a * a, 1)[:, None] + jnp.sum(b * b, 1)[None, :] - 2.0 * a @ b.T, 0.0)


def _forward_substitution_vec(chol: Float[Array, "... k k"], b: Float[Array, "... k"]):
    """Solve ``chol @ x = b`` for a batch of lower-triangular ``chol`` and vectors ``b``."""

    def body(i, x):
        xi = (b[..., i] - jnp.sum(chol[..., i, :] * x, -1)) / chol[..., i, i]
        return x.at[..., i].set(xi)  # entries >= i of x are still 0

    return lax.fori_loop(0, chol.shape[-1], body, jnp.zeros_like(b))


def _as_grid(v, name: str) -> tuple[float, ...]:
    """A hyperparameter given as a float or a 1-D sequence, as a tuple of positive floats."""
    vals = np.atleast_1d(np.asarray(v, np.float64))
    if vals.ndim != 1 or vals.size == 0:
        raise ValueError(f"{name} must be a float or a non-empty 1-D sequence; got {v!r}")
    if not (np.all(np.isfinite(vals)) and np.all(vals > 0)):
        raise ValueError(f"{name} values must be finite and > 0; got {vals.tolist()}")
    return tuple(float(a) for a in vals)


def _residual_grid(sigma_obs, x_obs, r, mask_obs, lengthscales, noises, need_ll=True):
    """Cholesky factors and log marginal likelihoods of the residual GP over a static grid.

    Returns ``chol`` float[L, N, M, K, K] and ``logml`` float[L, N] (summed over objectives,
    up to the ``−(n/2) log 2π`` term that is the same at every grid point).
    """
    dtype = sigma_obs.dtype
    ells = jnp.asarray(lengthscales, dtype)
    taus = jnp.asarray(noises, dtype)
    d2 = _sqdist(x_obs, x_obs)  # [K, K]
    rho = jnp.exp(-(0.5 / (ells * ells))[:, None, None] * d2)  # [L, K, K]
    m2 = mask_obs[:, None] & mask_obs[None, :]
    s_outer = sigma_obs.T[:, :, None] * sigma_obs.T[:, None, :]  # [M, K, K]
    kk = jnp.where(m2, s_outer[None] * rho[:, None], 0.0)  # [L, M, K, K]
    diag = jnp.where(mask_obs[None, :], taus[:, None], 1.0)  # [N, K]: masked rows -> identity
    eye = jnp.eye(x_obs.shape[0], dtype=dtype)
    kk = kk[:, None] + diag[None, :, None, :, None] * eye  # [L, N, M, K, K]
    chol = jnp.linalg.cholesky(kk)
    if not need_ll:
        return chol, None
    rm = jnp.where(mask_obs[:, None], r, 0.0).T  # [M, K], masked residuals 0
    alpha = _forward_substitution_vec(chol, jnp.broadcast_to(rm, chol.shape[:-1]))
    logdet = jnp.sum(jnp.log(jnp.diagonal(chol, axis1=-2, axis2=-1)), -1)  # [L, N, M]: ½ log|K|
    ll = jnp.sum(-0.5 * jnp.sum(alpha * alpha, -1) - logdet, -1)  # [L, N]
    return chol, jnp.where(jnp.isfinite(ll), ll, -jnp.inf)


def residual_log_marginal(
    mu_obs: Float[Array, "k m"],
    sigma_obs: Float[Array, "k m"],
    x_obs: Float[Array, "k d"],
    z_obs: Float[Array, "k m"],
    mask_obs: Bool[Array, " k"],
    *,
    lengthscales,
    noises,
) -> Float[Array, "l n"]:
    """Log marginal likelihood of the target residuals over a grid of (ℓ, τ²).

    The residuals ``r_j = z_j − μ_j`` of objective ``j`` at the valid observations are modelled
    as ``N(0, S_j R_ℓ S_j + τ² I)`` with ``S_j = diag(σ_j)`` and
    ``R_ℓ[a, b] = exp(−‖x_a − x_b‖² / (2ℓ²))`` (the prior of :func:`residual_posterior`);
    objectives are independent, so their log likelihoods add. Masked observations contribute
    nothing. One Cholesky factorization per grid point and objective; pure, jit/vmap-able.

    Args:
        mu_obs, sigma_obs, x_obs: prior mean/σ and inputs at the K observed points.
        z_obs: copula values of the target observations.
        mask_obs: bool[K] valid observations.
        lengthscales: L candidate values of ℓ (static sequence).
        noises: N candidate values of τ² (static sequence).

    Returns:
        float[L, N]: ``Σ_j log p(r_j | ℓ, τ²)`` without the constant ``−(n M / 2) log 2π``.

    References:
        Rasmussen & Williams, *Gaussian Processes for Machine Learning*, 2006, eq. 2.30 and
        Sec. 5.4 (type-II maximum likelihood).
    """
    r = z_obs - mu_obs
    _, ll = _residual_grid(
        sigma_obs,
        x_obs,
        r,
        mask_obs,
        _as_grid(lengthscales, "lengthscales"),
        _as_grid(noises, "noises"),
    )
    return ll


def residual_posterior(
    mu: Float[Array, "p m"],
    sigma: Float[Array, "p m"],
    x: Float[Array, "p d"],
    mu_obs: Float[Array, "k m"],
    sigma_obs: Float[Array, "k m"],
    x_obs: Float[Array, "k d"],
    z_obs: Float[Array, "k m"],
    mask_obs: Bool[Array, " k"],
    *,
    lengthscale,
    noise,
    return_hyperparameters: bool = False,
):
    """Correct a prior surrogate ``(μ, σ)`` with target observations (GP on the residuals).

    Prior covariance of the residual ``r(x) = z(x) − μ(x)`` of objective ``j``:
    ``σ_j(x) σ_j(x') exp(−‖x − x'‖² / (2 ℓ²))``; observations carry noise ``τ² = noise``.
    If ``lengthscale`` and/or ``noise`` is a sequence, ``(ℓ, τ²)`` is chosen on that grid by
    type-II maximum likelihood (:func:`residual_log_marginal`, summed over objectives; the first
    maximum on ties), reusing the chosen grid point's Cholesky factors for the posterior.
    Masked observations have no effect (their rows and columns become the identity and their
    residual 0). Pure, fixed-shape, jit/vmap-able.

    Args:
        mu, sigma, x: prior mean/σ and inputs of the P query points.
        mu_obs, sigma_obs, x_obs: the same at the K observed points.
        z_obs: copula values of the target observations.
        mask_obs: bool[K] valid observations.
        lengthscale: ℓ of the squared-exponential correlation (in units of ``x``): a float, or a
            static sequence of candidates.
        noise: τ², observation noise variance in copula units: a float or a sequence.
        return_hyperparameters: also return the ``(ℓ, τ²)`` used (scalars).

    Returns:
        ``(μ', σ')``, float[P, M]: the posterior mean and standard deviation; with
        ``return_hyperparameters``, ``(μ', σ', (ℓ, τ²))``.

    References:
        Rasmussen & Williams, *Gaussian Processes for Machine Learning*, 2006, eq. 2.25-2.26
        and Sec. 5.4; Salinas, Shen & Perrone, ICML 2020 (GP on top of the copula MLP prior
        mean).
    """
    ells = _as_grid(lengthscale, "lengthscale")
    taus = _as_grid(noise, "noise")
    r = z_obs - mu_obs
    single = len(ells) * len(taus) == 1
    chol_all, ll = _residual_grid(sigma_obs, x_obs, r, mask_obs, ells, taus, need_ll=not single)
    if single:
        best = jnp.int32(0)
    else:
        best = jnp.argmax(ll.reshape(-1)).astype(jnp.int32)
    il, inn = best // len(taus), best % len(taus)
    ell = jnp.asarray(ells, mu.dtype)[il]
    tau = jnp.asarray(taus, mu.dtype)[inn]
    chol_m = chol_all[il, inn]  # [M, K, K]
    rho_pk = jnp.exp(-(0.5 / (ell * ell)) * _sqdist(x, x_obs))  # [P, K]

    def one(mu_j, s_j, so_j, r_j, chol):
        r_j = jnp.where(mask_obs, r_j, 0.0)
        kp = jnp.where(mask_obs[None, :], s_j[:, None] * so_j[None, :] * rho_pk, 0.0)  # [P, K]
        v = _forward_substitution(chol, kp.T)  # [K, P]
        a = jax.scipy.linalg.cho_solve((chol, True), r_j)
        mean = mu_j + kp @ a
        var = jnp.maximum(s_j * s_j - jnp.sum(v * v, axis=0), 1e-6 * s_j * s_j)
        return mean, jnp.sqrt(var)

    mean, sd = jax.vmap(one, in_axes=(1, 1, 1, 1, 0), out_axes=1)(mu, sigma, sigma_obs, r, chol_m)
    if return_hyperparameters:
        return mean, sd, (ell, tau)
    return mean, sd


def copula_searcher(
    mu: Float[Array, "c m"],
    sigma: Float[Array, "c m"],
    *,
    x: Float[Array, "c d"] | None = None,
    allowed: Bool[Array, " c"] | None = None,
    n_candidates: int = 256,
    queue_size: int = 16,
    update: bool = True,
    capacity: int = 64,
    refresh_every: int = 4,
    min_obs: int = 3,
    lengthscale: float | Sequence[float] | str | None = "grid",
    noise: float | Sequence[float] | str = "grid",
    update_fidelity: int | None = None,
    objectives: tuple[int, ...] | None = None,
    tie_break: str = "epsnet",
    guard: bool = True,
    guard_fidelity: int | Sequence[int] = 0,
    guard_memory: int = 64,
    guard_prior: tuple[float, float] = (16.0, 1.0),
    guard_floor: float = 0.0,
    guard_warmup: int | str = "evidence",
) -> Searcher:
    """Multi-objective copula Thompson-sampling searcher over a finite table of configurations.

    Args:
        mu: float[C, M] surrogate mean of the copula value of each objective, every config.
        sigma: float[C, M] surrogate standard deviation (> 0).
        x: float[C, D] config encoding used by the target update's GP (e.g.
            ``Table.encoded``, standardized here). Required when ``update=True``.
        allowed: bool[C] configurations that may be proposed (default: all).
        n_candidates: pool size per refresh (Thompson sample + rung ranking).
        queue_size: how many of a pool's best are proposed before the next refresh.
        update: correct the surrogate with target-task observations (residual GP).
        capacity: how many distinct target configurations the update keeps (most recent).
        refresh_every: with ``update``, refresh after this many new observations.
        min_obs: the update starts once this many target configurations are observed.
        lengthscale: ℓ of the residual GP on standardized ``x``: ``"grid"`` (default) is the
            grid ``ℓ₀ × LENGTHSCALE_GRID`` = ``ℓ₀ × (0.25, 0.5, 1, 2)`` with
            ``ℓ₀ = sqrt(D) / 2``, from which every refresh picks ℓ by type-II maximum
            likelihood (jointly with ``noise``); a sequence of floats is such a grid; a float
            fixes ℓ; ``None`` fixes it at ``ℓ₀`` (the default before 2026-11-22's third
            session: ``lengthscale=None, noise=0.1`` reproduces it).
        noise: τ², noise of the target copula values in the residual GP: ``"grid"`` (default)
            = ``NOISE_GRID`` = ``(0.01, 0.1, 0.5)``, a sequence (grid, as for ``lengthscale``)
            or a float (fixed). Cost of a grid: one K×K Cholesky per grid point and objective
            per refresh (see :func:`residual_log_marginal`). Against the fixed default, at
            1000 seeds: final HV +2.5 % where the transfer prior misleads (LCBench surrogate
            7593), +0.03-0.10 % on NAS-Bench-201, within ±0.03 % elsewhere
            (``bench/results_transfer.md`` §4).
        update_fidelity: only observations at fidelity index ``>= update_fidelity`` are used
            (``None``: each config's latest observation whatever its fidelity).
        objectives: which entries of the observed ``y`` (the scheduler's objective vector) are
            the M objectives of ``mu`` (default: the first M).
        tie_break: ``rung_rank`` tie-break inside fronts (``"epsnet"`` or ``"crowding"``).
        guard: mix prior and random proposals by a bandit credited by rung outcomes (item 5
            of the module docstring); ``False`` always follows the prior.
        guard_fidelity: fidelity index (or a sequence of them) whose results credit the
            bandit's arms, each compared with recent results at the same fidelity (default 0,
            the lowest: pass the first rung level's index when rungs start higher).
        guard_floor: the smallest share of random proposals, in ``[0, 1)``: each proposal is a
            random draw with at least this probability, whatever the bandit says (module
            docstring, item 5, for the measured trade-off); 0 (default) leaves the choice to
            the bandit. ``0.5`` keeps the final HV on the LCBench surrogate task 7593 within
            noise of random search's at 61 % of the speed-up elsewhere.
        guard_warmup: which first proposals follow the prior whatever the bandit says:
            ``"evidence"`` (default) every proposal made before the first result at
            ``guard_fidelity`` credits an arm (with W workers, the first wave of W jobs); an
            integer ``n``: the first ``n`` proposals; ``0``: none, the bandit decides from the
            first proposal on (module docstring, item 5, for the measured difference).
        guard_memory: how many recent results at ``guard_fidelity`` a newcomer is compared
            with.
        guard_prior: initial (successes, failures) pseudo-counts of the prior arm; the random
            arm starts at (1, 1).

    Returns:
        A :class:`~mohb_jax._src.types.Searcher`; ``propose`` returns ``ok=False`` once every
        allowed configuration has been proposed.

    Raises:
        ValueError: shape mismatches, non-finite μ, non-positive σ, no allowed configuration,
            ``update=True`` without ``x``, a non-positive or empty ``lengthscale``/``noise``
            grid, an unknown string option, a grid with ``capacity > 64``, or bad guard
            options.
    """
    mu_np = np.asarray(mu, np.float32)
    sd_np = np.asarray(sigma, np.float32)
    if mu_np.ndim != 2 or sd_np.shape != mu_np.shape:
        raise ValueError(f"mu and sigma must both be [C, M]; got {mu_np.shape}, {sd_np.shape}")
    if not np.all(np.isfinite(mu_np)):
        raise ValueError("mu has non-finite values")
    if not (np.all(np.isfinite(sd_np)) and np.all(sd_np > 0)):
        raise ValueError("sigma must be finite and > 0")
    C, M = mu_np.shape
    allowed_np = np.ones(C, bool) if allowed is None else np.asarray(allowed, bool)
    if allowed_np.shape != (C,) or not allowed_np.any():
        raise ValueError(f"allowed must be bool[{C}] with at least one True")
    if n_candidates < 1 or queue_size < 1 or capacity < 2 or refresh_every < 1:
        raise ValueError("n_candidates, queue_size, refresh_every must be >= 1, capacity >= 2")
    K = int(capacity)
    if guard:
        if guard_memory < 1 or int(guard_memory) != guard_memory:
            raise ValueError(f"guard_memory must be a positive integer; got {guard_memory!r}")
        gf = np.atleast_1d(np.asarray(guard_fidelity))
        if (
            gf.ndim != 1
            or gf.size == 0
            or not np.issubdtype(gf.dtype, np.integer)
            or (gf < 0).any()
            or len(set(gf.tolist())) != gf.size
        ):
            raise ValueError(
                "guard_fidelity must be a non-negative fidelity index or a sequence of distinct "
                f"ones; got {guard_fidelity!r}"
            )
        if not (0.0 <= float(guard_floor) < 1.0):
            raise ValueError(f"guard_floor must be in [0, 1); got {guard_floor!r}")
        if guard_warmup != "evidence" and not (
            isinstance(guard_warmup, int | np.integer)
            and not isinstance(guard_warmup, bool)
            and guard_warmup >= 0
        ):
            raise ValueError(
                f"guard_warmup must be 'evidence' or a non-negative integer; got {guard_warmup!r}"
            )
        gp = np.asarray(guard_prior, np.float64)
        if gp.shape != (2,) or not (np.all(np.isfinite(gp)) and np.all(gp > 0)):
            raise ValueError(
                f"guard_prior must be two positive pseudo-counts (successes, failures); "
                f"got {guard_prior!r}"
            )
    g_fid_tuple = tuple(int(f) for f in np.atleast_1d(guard_fidelity)) if guard else (0,)
    G = int(guard_memory) if guard else 1
    g_fids = jnp.asarray(g_fid_tuple, jnp.int32)
    L = len(g_fid_tuple)
    credit0 = np.array([guard_prior, (1.0, 1.0)], np.float32) if guard else np.ones((2, 2))
    if objectives is None:
        objectives = tuple(range(M))
    if len(objectives) != M:
        raise ValueError(f"objectives must list {M} indices; got {objectives}")
    if update:
        if x is None:
            raise ValueError("update=True needs x (the config encoding, [C, D])")
        x_np = np.asarray(x, np.float32)
        if x_np.ndim != 2 or x_np.shape[0] != C:
            raise ValueError(f"x must be [{C}, D]; got {x_np.shape}")
        s = x_np.std(0)
        x_np = (x_np - x_np.mean(0)) / np.where(s > 0, s, 1.0)
        ell0 = float(np.sqrt(x_np.shape[1]) / 2)
        if lengthscale is None:
            ells = (ell0,)
        elif isinstance(lengthscale, str):
            if lengthscale != "grid":
                raise ValueError(
                    f"lengthscale must be a float, a sequence or 'grid'; got {lengthscale!r}"
                )
            ells = tuple(ell0 * f for f in LENGTHSCALE_GRID)
        else:
            ells = _as_grid(lengthscale, "lengthscale")
        if isinstance(noise, str):
            if noise != "grid":
                raise ValueError(f"noise must be a float, a sequence or 'grid'; got {noise!r}")
            taus = NOISE_GRID
        else:
            taus = _as_grid(noise, "noise")
        if K > 64 and len(ells) * len(taus) > 1:
            raise ValueError(
                f"a hyperparameter grid (the default lengthscale='grid', noise='grid') needs "
                f"capacity <= 64 (one Cholesky per grid point); got capacity={K}: pass a float "
                f"lengthscale and noise (e.g. lengthscale=None, noise=0.1) for a larger one"
            )
    else:
        x_np = np.zeros((C, 1), np.float32)
        ells, taus = (1.0,), (1.0,)
    n_allowed = int(allowed_np.sum())
    P = int(min(n_candidates, C))
    Q = int(min(queue_size, P))
    n_chunks = -(-C // P)
    obj_idx = jnp.asarray(objectives, jnp.int32)
    mu_j, sd_j, x_j = jnp.asarray(mu_np), jnp.asarray(sd_np), jnp.asarray(x_np)
    allowed_j = jnp.asarray(allowed_np)
    min_fid = -1 if update_fidelity is None else int(update_fidelity)

    def init(key) -> CopulaSearcherState:
        u = jax.random.uniform(key, (C,))
        perm = jnp.argsort(jnp.where(allowed_j, u, u + 2.0)).astype(jnp.int32)
        return CopulaSearcherState(
            perm=perm,
            cursor=jnp.int32(0),
            proposed=jnp.zeros((C,), bool),
            n_proposed=jnp.int32(0),
            queue=jnp.zeros((Q,), jnp.int32),
            q_len=jnp.int32(0),
            q_pos=jnp.int32(0),
            obs_config=jnp.full((K,), -1, jnp.int32),
            obs_fidelity=jnp.full((K,), -1, jnp.int32),
            obs_y=jnp.zeros((K, M), jnp.float32),
            n_obs=jnp.int32(0),
            since_refresh=jnp.int32(0),
            ell=jnp.float32(ells[0] if update and len(ells) == 1 else np.nan),
            noise=jnp.float32(taus[0] if update and len(taus) == 1 else np.nan),
            arm=jnp.zeros((C,), jnp.int8),
            r_cursor=jnp.int32(n_allowed - 1),
            g_y=jnp.zeros((L, G, M), jnp.float32),
            g_valid=jnp.zeros((L, G), bool),
            g_n=jnp.zeros((L,), jnp.int32),
            credit=jnp.asarray(credit0, jnp.float32),
        )

    def pool_at(state, cursor):
        cand = state.perm[(cursor + jnp.arange(P, dtype=jnp.int32)) % C]  # P <= C: distinct
        return cand, allowed_j[cand] & ~state.proposed[cand]

    def refresh(key, state: CopulaSearcherState) -> CopulaSearcherState:
        # next chunk of the permutation with at least one available config (bounded loop)
        def cond(c):
            i, cur = c
            _, ok = pool_at(state, cur)
            return (i < n_chunks) & ~ok.any()

        def body(c):
            i, cur = c
            return i + 1, (cur + P) % C

        _, cursor = lax.while_loop(cond, body, (jnp.int32(0), state.cursor))
        cand, ok = pool_at(state, cursor)
        m, s = mu_j[cand], sd_j[cand]
        if update:
            valid = state.obs_config >= 0
            if min_fid >= 0:
                valid &= state.obs_fidelity >= min_fid
            oc = jnp.maximum(state.obs_config, 0)
            zo = _copula_jax(state.obs_y, valid)
            m_u, s_u, (ell, tau) = residual_posterior(
                m,
                s,
                x_j[cand],
                mu_j[oc],
                sd_j[oc],
                x_j[oc],
                zo,
                valid,
                lengthscale=ells,
                noise=taus,
                return_hyperparameters=True,
            )
            use = jnp.sum(valid) >= min_obs
            state = state._replace(
                ell=jnp.where(use, ell, state.ell), noise=jnp.where(use, tau, state.noise)
            )
            m = jnp.where(use, m_u, m)
            s = jnp.where(use, s_u, s)
        zt = m + s * jax.random.normal(key, m.shape, m.dtype)
        pos = rung_rank(zt, ok, tie_break=tie_break)  # -1 on unavailable
        q_len = jnp.minimum(jnp.sum(ok, dtype=jnp.int32), Q)
        slot = jnp.where(ok & (pos < Q), pos, Q)  # out of range -> dropped
        queue = jnp.zeros((Q,), jnp.int32).at[slot].set(cand, mode="drop")
        return state._replace(
            cursor=(cursor + P) % C,
            queue=queue,
            q_len=q_len,
            q_pos=jnp.int32(0),
            since_refresh=jnp.int32(0),
        )

    def from_prior(key, state: CopulaSearcherState):
        if guard:  # queued configs the random arm took meanwhile are skipped

            def stale(s):
                return (s.q_pos < s.q_len) & s.proposed[s.queue[jnp.minimum(s.q_pos, Q - 1)]]

            state = lax.while_loop(stale, lambda s: s._replace(q_pos=s.q_pos + 1), state)
        due = state.q_pos >= state.q_len
        if update:
            due |= state.since_refresh >= refresh_every
        left = state.n_proposed < n_allowed
        state = lax.cond(due & left, refresh, lambda k, s: s, key, state)
        ok = left & (state.q_pos < state.q_len)
        config = state.queue[jnp.minimum(state.q_pos, Q - 1)]
        return config, ok, state._replace(q_pos=state.q_pos + ok.astype(jnp.int32))

    def from_random(key, state: CopulaSearcherState):
        # every config above r_cursor in `perm` was proposed: the first one at or below it that
        # was not is a uniform draw among those left (the prior's pools start at the front)
        def taken(r):
            return (r >= 0) & state.proposed[state.perm[jnp.maximum(r, 0)]]

        r = lax.while_loop(taken, lambda r: r - 1, state.r_cursor)
        ok = (r >= 0) & (state.n_proposed < n_allowed)
        return state.perm[jnp.maximum(r, 0)], ok, state._replace(r_cursor=r)

    def propose(key, state: CopulaSearcherState):
        if guard:
            k_arm, key = jax.random.split(key)
            a, b = state.credit[:, 0], state.credit[:, 1]
            mean = a / (a + b)
            sd = jnp.sqrt(mean * (1.0 - mean) / (a + b + 1.0))
            draw = mean + sd * jax.random.normal(k_arm, (2,), mean.dtype)
            use_prior = draw[0] >= draw[1]
            if guard_floor > 0.0:  # the random arm's share never drops below the floor
                u = jax.random.uniform(jax.random.fold_in(k_arm, 1))
                use_prior &= u >= jnp.float32(guard_floor)
            if isinstance(guard_warmup, str):  # no result credited yet: follow the prior
                use_prior |= jnp.sum(state.credit) < jnp.float32(credit0.sum() + 0.5)
            elif guard_warmup > 0:  # the first proposals follow the prior
                use_prior |= state.n_proposed < guard_warmup
            config, ok, state = lax.cond(use_prior, from_prior, from_random, key, state)
            arm_id = jnp.where(use_prior, 1, 2).astype(jnp.int8)
            state = state._replace(
                arm=state.arm.at[config].set(jnp.where(ok, arm_id, state.arm[config]))
            )
        else:
            config, ok, state = from_prior(key, state)
        step = ok.astype(jnp.int32)
        state = state._replace(
            proposed=state.proposed.at[config].set(state.proposed[config] | ok),
            n_proposed=state.n_proposed + step,
        )
        return config, ok, state

    def credit(state: CopulaSearcherState, config, fidelity, y):
        """Credit the arm that proposed ``config`` with its result at the guard fidelity."""
        hit = g_fids == fidelity
        li = jnp.argmax(hit)
        at = hit.any() & (state.arm[config] > 0)
        mem, valid = state.g_y[li], state.g_valid[li]  # [G, M], [G]
        y_cmp = jnp.where(jnp.isnan(y), jnp.inf, y)  # a NaN result counts as failed
        yb = y_cmp[None, :]
        beats = jnp.all(mem <= yb, -1) & jnp.any(mem < yb, -1)  # [G]
        beaten = jnp.all(yb <= mem, -1) & jnp.any(yb < mem, -1)
        n = jnp.maximum(jnp.sum(valid), 1)
        wins = jnp.sum(beaten & valid) - jnp.sum(beats & valid)
        s = 0.5 + 0.5 * wins / n
        s = jnp.where(jnp.all(jnp.isfinite(y)), s, 0.0).astype(jnp.float32)
        row = (state.arm[config] - 1).astype(jnp.int32)
        add = jnp.where(at, jnp.stack([s, 1.0 - s]), 0.0)
        slot = state.g_n[li] % G
        keep = at & jnp.all(jnp.isfinite(y_cmp) | (y_cmp == jnp.inf))
        return state._replace(
            credit=state.credit.at[row].add(add),
            g_y=state.g_y.at[li, slot].set(jnp.where(keep, y_cmp, state.g_y[li, slot])),
            g_valid=state.g_valid.at[li, slot].set(state.g_valid[li, slot] | keep),
            g_n=state.g_n.at[li].add(keep.astype(jnp.int32)),
        )

    def observe(state: CopulaSearcherState, config, fidelity, y):
        y = jnp.asarray(y, jnp.float32)[obj_idx]
        if guard:
            state = credit(state, config, fidelity, y)
        if not update:
            return state
        hit = state.obs_config == config
        found = hit.any()
        slot = jnp.where(found, jnp.argmax(hit), state.n_obs % K).astype(jnp.int32)
        newer = ~found | (fidelity >= state.obs_fidelity[slot])
        keep = newer & (fidelity >= min_fid) & jnp.all(jnp.isfinite(y) | (y == jnp.inf))
        return state._replace(
            obs_config=state.obs_config.at[slot].set(
                jnp.where(keep, config, state.obs_config[slot])
            ),
            obs_fidelity=state.obs_fidelity.at[slot].set(
                jnp.where(keep, fidelity, state.obs_fidelity[slot])
            ),
            obs_y=state.obs_y.at[slot].set(jnp.where(keep, y, state.obs_y[slot])),
            n_obs=state.n_obs + (keep & ~found).astype(jnp.int32),
            since_refresh=state.since_refresh + keep.astype(jnp.int32),
        )

    if not guard:
        return Searcher(init=init, propose=propose, observe=observe)
    return Searcher(
        init=init,
        propose=propose,
        observe=observe,
        diagnostic=guard_trust,
        diagnostic_name="searcher_trust",
    )


def guard_trust(state: CopulaSearcherState) -> Float[Array, "..."]:
    """Posterior probability that the prior's proposals beat random ones (the guard's trust).

    ``P(p_prior > p_random)`` under the Gaussian approximations of the two arms' Beta
    posteriors that the guard samples from (module docstring, item 5); 0.5 means no evidence
    either way. Works on a batch of states (leading axes of ``state.credit``).

    Args:
        state: a :class:`CopulaSearcherState` of a searcher made with ``guard=True``.

    Returns:
        float32 of the batch shape.
    """
    c = jnp.asarray(state.credit, jnp.float32)
    a, b = c[..., 0], c[..., 1]
    m = a / (a + b)
    v = m * (1.0 - m) / (a + b + 1.0)
    z = (m[..., 0] - m[..., 1]) / jnp.sqrt(v[..., 0] + v[..., 1])
    return jax.scipy.stats.norm.cdf(z)
