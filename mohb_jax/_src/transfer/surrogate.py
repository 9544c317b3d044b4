"""Probabilistic surrogates of copula-transformed objectives: an MLP and an exact GP.

Both predict, for every configuration ``x``, a mean ``μ(x)`` and a standard deviation ``σ(x)``
of the copula value ``z`` of each objective (one independent output per objective), fitted on
the pooled, per-task transformed source-task data.

* :func:`fit_mlp` follows the recipe of Salinas, Shen & Perrone (ICML 2020), our reading of it:
  standardized inputs, a 50-unit linear layer then 3 × (50-unit linear, ReLU, dropout 0.1), a mean
  head and a softplus σ head, Gaussian negative log-likelihood, Adam (lr 1e-2, batch 64),
  1 000 steps for each of 3 learning rates (÷5 each time), a 10 % validation split; "early
  stopping" keeps the parameters with the best validation NLL, checked every ``eval_every``
  steps (a vmapped loop cannot stop early per member, so the whole budget always runs). The
  objectives are fitted at once, ``vmap``-ed over the output axis; the core is a pure function
  of its key, so sweeps can ``vmap`` it over seeds too.
* :func:`fit_gp` fits an exact GP (gpjax 1.0: ARD RBF kernel, constant mean, Gaussian
  likelihood, marginal likelihood maximized with optax Adam) on a random subset of at most
  ``max_points`` rows per objective (exact GPs are cubic in the number of rows).

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020.
    T. Pinder, D. Dodd. "GPJax: A Gaussian Process Framework in JAX." JOSS 7(75), 2022.
"""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float

_MIN_SIGMA = 1e-3


class MLPSurrogate(NamedTuple):
    """A fitted MLP surrogate: one network per objective (leading axis M on every leaf)."""

    params: Any  # pytree; every leaf has a leading axis of size M (objectives)
    x_mean: Float[Array, " d"]  # input standardization
    x_std: Float[Array, " d"]
    val_nll: Float[Array, " m"]  # best validation NLL per objective (the kept parameters)


class GPSurrogate(NamedTuple):
    """A fitted exact GP per objective (gpjax posteriors) and the input standardization."""

    posteriors: tuple  # M gpjax ExactPosterior objects (conditioned on the training subset)
    x_mean: np.ndarray
    x_std: np.ndarray


# ---------------------------------------------------------------------------------------------
# MLP
# ---------------------------------------------------------------------------------------------
def _dense_init(key, d_in, d_out):
    lim = jnp.sqrt(6.0 / (d_in + d_out))  # Glorot uniform
    return {
        "w": jax.random.uniform(key, (d_in, d_out), minval=-lim, maxval=lim),
        "b": jnp.zeros((d_out,)),
    }


def _mlp_init(key, d: int, hidden: int, n_layers: int):
    keys = jax.random.split(key, n_layers + 3)
    return {
        "inp": _dense_init(keys[0], d, hidden),
        "hidden": [_dense_init(keys[1 + i], hidden, hidden) for i in range(n_layers)],
        "mean": _dense_init(keys[n_layers + 1], hidden, 1),
        "sigma": _dense_init(keys[n_layers + 2], hidden, 1),
    }


def _mlp_apply(params, x, key=None, dropout: float = 0.0):
    """x: [N, D] standardized -> (mu [N], sigma [N]); dropout only when ``key`` is given."""
    h = x @ params["inp"]["w"] + params["inp"]["b"][None, :]
    for i, layer in enumerate(params["hidden"]):
        h = jax.nn.relu(h @ layer["w"] + layer["b"][None, :])
        if key is not None and dropout > 0:
            keep = jax.random.bernoulli(jax.random.fold_in(key, i), 1.0 - dropout, h.shape)
            h = jnp.where(keep, h / (1.0 - dropout), 0.0)
    mu = (h @ params["mean"]["w"] + params["mean"]["b"][None, :])[:, 0]
    sigma = jax.nn.softplus((h @ params["sigma"]["w"] + params["sigma"]["b"][None, :])[:, 0])
    sigma = sigma + _MIN_SIGMA
    return mu, sigma


def gaussian_nll(mu, sigma, z):
    """Mean Gaussian negative log-likelihood (without the constant ½ log 2π)."""
    return jnp.mean(jnp.log(sigma) + 0.5 * jnp.square((z - mu) / sigma))


@partial(
    jax.jit,
    static_argnames=(
        "hidden",
        "n_layers",
        "dropout",
        "lr",
        "batch_size",
        "steps",
        "n_decays",
        "eval_every",
    ),
)
def _fit_mlp_core(
    key,
    x_tr: Float[Array, "n d"],
    z_tr: Float[Array, " n"],
    x_va: Float[Array, "v d"],
    z_va: Float[Array, " v"],
    *,
    hidden: int,
    n_layers: int,
    dropout: float,
    lr: float,
    batch_size: int,
    steps: int,
    n_decays: int,
    eval_every: int,
):
    """Train one MLP on one objective; returns (best params, best validation NLL)."""
    k_init, k_train = jax.random.split(key)
    params = _mlp_init(k_init, x_tr.shape[1], hidden, n_layers)
    total = steps * n_decays
    schedule = optax.piecewise_constant_schedule(
        lr, {steps * (i + 1): 0.2 for i in range(n_decays - 1)}
    )
    opt = optax.adam(schedule)
    opt_state = opt.init(params)
    n = x_tr.shape[0]

    def loss_fn(p, xb, zb, k):
        mu, sigma = _mlp_apply(p, xb, k, dropout)
        return gaussian_nll(mu, sigma, zb)

    def step(carry, k):
        p, s = carry
        k_b, k_d = jax.random.split(k)
        idx = jax.random.randint(k_b, (batch_size,), 0, n)
        g = jax.grad(loss_fn)(p, x_tr[idx], z_tr[idx], k_d)
        upd, s = opt.update(g, s, p)
        return (optax.apply_updates(p, upd), s), None

    def val_nll(p):
        mu, sigma = _mlp_apply(p, x_va)
        return gaussian_nll(mu, sigma, z_va)

    def block(carry, k):
        p, s, best_p, best = carry
        (p, s), _ = jax.lax.scan(step, (p, s), jax.random.split(k, eval_every))
        v = val_nll(p)
        better = v < best
        best_p = jax.tree.map(lambda a, b: jnp.where(better, a, b), p, best_p)
        return (p, s, best_p, jnp.where(better, v, best)), v

    n_blocks = max(1, total // eval_every)
    init = (params, opt_state, params, val_nll(params))
    (_, _, best_p, best), _ = jax.lax.scan(block, init, jax.random.split(k_train, n_blocks))
    return best_p, best


def _check_xz(x, z):
    x = np.asarray(x)
    z = np.asarray(z)
    if x.ndim != 2 or z.ndim != 2 or x.shape[0] != z.shape[0]:
        raise ValueError(f"need x [N, D] and z [N, M] with the same N; got {x.shape}, {z.shape}")
    if x.shape[0] < 2:
        raise ValueError(f"need at least 2 training rows; got {x.shape[0]}")
    for name, a in (("x", x), ("z", z)):
        if not np.all(np.isfinite(a)):
            i = int(np.argwhere(~np.isfinite(a))[0][0])
            raise ValueError(f"{name} has a non-finite value in row {i}: {a[i].tolist()}")
    return x.astype(np.float32), z.astype(np.float32)


def _standardize_stats(x):
    m = x.mean(axis=0)
    s = x.std(axis=0)
    return m.astype(np.float32), np.where(s > 0, s, 1.0).astype(np.float32)


def fit_mlp(
    key,
    x: Float[Array, "n d"],
    z: Float[Array, "n m"],
    *,
    hidden: int = 50,
    n_layers: int = 3,
    dropout: float = 0.1,
    lr: float = 1e-2,
    batch_size: int = 64,
    steps: int = 1000,
    n_decays: int = 3,
    val_fraction: float = 0.1,
    max_val: int = 8192,
    eval_every: int = 100,
) -> MLPSurrogate:
    """Fit one mean/σ MLP per objective by Gaussian NLL (ICML-2020 recipe, our reading).

    Args:
        key: PRNG key (split, weights init, batches, dropout).
        x: float[N, D] inputs (e.g. ``Table.encoded`` rows); standardized here.
        z: float[N, M] targets (copula values), one output per objective.
        hidden, n_layers, dropout: architecture (50 units, 3 hidden ReLU layers, dropout 0.1).
        lr, batch_size, steps, n_decays: Adam with ``lr`` for ``steps`` steps, then ``lr/5``,
            ... (``n_decays`` learning rates in total).
        val_fraction: rows held out for early stopping (best validation NLL is kept).
        max_val: at most this many validation rows are used for the checks (speed).
        eval_every: steps between validation checks.

    Returns:
        :class:`MLPSurrogate`; predict with :func:`predict_mlp`.

    Raises:
        ValueError: bad shapes, fewer than 2 rows, or non-finite values.

    References:
        Salinas, Shen & Perrone, ICML 2020 (architecture and training recipe).
    """
    x, z = _check_xz(x, z)
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1); got {val_fraction}")
    n = x.shape[0]
    k_split, k_fit = jax.random.split(key)
    perm = np.asarray(jax.random.permutation(k_split, n))
    n_va = min(max(1, int(round(val_fraction * n))), max_val, n - 1)
    va, tr = perm[:n_va], perm[n_va:]
    xm, xs = _standardize_stats(x[tr])
    xt = jnp.asarray((x - xm) / xs)
    zj = jnp.asarray(z)
    x_tr, x_va = xt[tr], xt[va]
    keys = jax.random.split(k_fit, z.shape[1])
    core = partial(
        _fit_mlp_core,
        hidden=hidden,
        n_layers=n_layers,
        dropout=float(dropout),
        lr=float(lr),
        batch_size=batch_size,
        steps=steps,
        n_decays=n_decays,
        eval_every=eval_every,
    )
    params, best = jax.vmap(core, in_axes=(0, None, 1, None, 1))(keys, x_tr, zj[tr], x_va, zj[va])
    return MLPSurrogate(params=params, x_mean=jnp.asarray(xm), x_std=jnp.asarray(xs), val_nll=best)


@jax.jit
def _predict_mlp(model: MLPSurrogate, x):
    xt = (x - model.x_mean) / model.x_std
    mu, sigma = jax.vmap(_mlp_apply, in_axes=(0, None))(model.params, xt)  # [M, N]
    return mu.T, sigma.T


def predict_mlp(
    model: MLPSurrogate, x: Float[Array, "n d"], *, chunk: int = 65536
) -> tuple[Float[Array, "n m"], Float[Array, "n m"]]:
    """Predicted mean and σ of every objective's copula value at ``x`` (no dropout).

    Returns:
        ``(mu, sigma)``, each float32[N, M].
    """
    x = jnp.asarray(x, jnp.float32)
    if x.ndim != 2 or x.shape[1] != model.x_mean.shape[0]:
        raise ValueError(f"x must be [N, {model.x_mean.shape[0]}]; got {x.shape}")
    if x.shape[0] <= chunk:
        return _predict_mlp(model, x)
    parts = [_predict_mlp(model, x[i : i + chunk]) for i in range(0, x.shape[0], chunk)]
    return jnp.concatenate([p[0] for p in parts]), jnp.concatenate([p[1] for p in parts])


# ---------------------------------------------------------------------------------------------
# exact GP (gpjax 1.0)
# ---------------------------------------------------------------------------------------------
def _gp_nmll(model, data):
    import gpjax as gpx

    return -gpx.objectives.conjugate_mll(model, data)


@partial(jax.jit, static_argnums=(3, 4))
def _gp_fit_condition(x, y, key, steps: int, lr: float):
    """Fit (Adam on the negative log marginal likelihood) and condition one gpjax GP.

    Jitted at module level so repeated fits of the same shapes reuse the compiled program.
    """
    import gpjax as gpx

    d = x.shape[1]
    data = gpx.Dataset(X=x, y=y)
    prior = gpx.gps.Prior(
        mean_function=gpx.mean_functions.Constant(),
        kernel=gpx.kernels.RBF(lengthscale=jnp.full((d,), np.sqrt(d), x.dtype)),
    )
    model = prior * gpx.likelihoods.Gaussian(obs_stddev=jnp.asarray(0.5, x.dtype))
    model, _ = gpx.fit(
        model=model,
        objective=_gp_nmll,
        train_data=data,
        optim=optax.adam(lr),
        num_iters=steps,
        verbose=False,
        key=key,
        safe=False,
    )
    return model.condition(data)


def fit_gp(
    key,
    x: Float[Array, "n d"],
    z: Float[Array, "n m"],
    *,
    max_points: int = 1000,
    steps: int = 300,
    lr: float = 0.05,
) -> GPSurrogate:
    """Fit an exact GP per objective with gpjax 1.0 (ARD RBF, constant mean, Gaussian noise).

    Hyperparameters maximize the log marginal likelihood (optax Adam, ``steps`` full-batch
    steps), in float64. Only a random subset of at most ``max_points`` rows is used.

    Args:
        key: PRNG key (subset choice).
        x: float[N, D] inputs, standardized here.
        z: float[N, M] targets.
        max_points: cap on the rows of the exact GP (cost O(max_points³)).
        steps, lr: optimizer budget.

    Returns:
        :class:`GPSurrogate`; predict with :func:`predict_gp`.

    References:
        Rasmussen & Williams, *Gaussian Processes for Machine Learning*, 2006, ch. 2 and 5;
        GPJax (Pinder & Dodd, 2022).
    """

    x, z = _check_xz(x, z)
    n, d = x.shape
    idx = np.asarray(jax.random.permutation(key, n))[: min(n, max_points)]
    xm, xs = _standardize_stats(x[idx])
    posts = []
    with jax.enable_x64(True), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        xi = jnp.asarray((x[idx] - xm) / xs, jnp.float64)
        for j in range(z.shape[1]):
            yj = jnp.asarray(z[idx, j : j + 1], jnp.float64)
            posts.append(_gp_fit_condition(xi, yj, jax.random.fold_in(key, j), steps, float(lr)))
    return GPSurrogate(posteriors=tuple(posts), x_mean=xm, x_std=xs)


def predict_gp(
    model: GPSurrogate, x: Float[Array, "n d"], *, chunk: int = 8192
) -> tuple[Float[Array, "n m"], Float[Array, "n m"]]:
    """Predictive mean and σ (latent variance + observation noise) per objective.

    Returns:
        ``(mu, sigma)``, each float32[N, M].
    """
    from gpjax.parameters import val

    x = np.asarray(x, np.float32)
    if x.ndim != 2 or x.shape[1] != model.x_mean.shape[0]:
        raise ValueError(f"x must be [N, {model.x_mean.shape[0]}]; got {x.shape}")
    xt = (x - model.x_mean) / model.x_std
    mus, sds = [], []
    with jax.enable_x64(True), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for post in model.posteriors:
            noise = jnp.square(val(post.likelihood.obs_stddev))
            m_parts, s_parts = [], []
            for i in range(0, x.shape[0], chunk):
                pd = post(jnp.asarray(xt[i : i + chunk], jnp.float64), covariance="diagonal")
                m_parts.append(np.asarray(pd.mean))
                s_parts.append(np.sqrt(np.asarray(pd.variance) + np.asarray(noise)))
            mus.append(np.concatenate(m_parts))
            sds.append(np.concatenate(s_parts))
    return (
        jnp.asarray(np.stack(mus, axis=1), jnp.float32),
        jnp.asarray(np.stack(sds, axis=1), jnp.float32),
    )
