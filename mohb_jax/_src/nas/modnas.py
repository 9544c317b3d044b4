"""A table-driven analogue of MODNAS: device- and preference-conditioned architecture search.

MODNAS (Sukthanker et al., ICLR 2025) trains a hypernetwork ``h(preference, device embedding)
-> architecture logits`` so that one search yields architectures for every trade-off and every
device, including devices never seen in search (zero-shot). This module rebuilds that idea on
the NAS-Bench-201 table, in JAX + optax, and is **not** the paper's method. What is the same:

- the device embedding is a device's latencies on 10 fixed reference architectures (HELP);
- a latency predictor conditioned on that embedding, trained across the training devices;
- a hypernetwork over (preference on the simplex, device embedding) -> logits[6 edges, 5 ops],
  trained on preferences drawn from a Dirichlet and on all training devices at every step,
  through a straight-through Gumbel-softmax relaxation, with the per-device gradients combined
  by multiple-gradient descent (Frank-Wolfe min-norm, :mod:`.mgd`); plain averaging of the
  gradients (scalarization over devices) is the ablation;
- evaluation sweeps preference rays, decodes the argmax cell and looks up true values.

What differs:

- **No supernet, no images.** MODNAS's error objective is the cross-entropy of a weight-sharing
  supernet trained on CIFAR-10 during search; here it is an MLP accuracy predictor fit on the
  table's CIFAR-10 accuracies of a random subset of architectures (``n_acc_archs``), which is
  cheaper and sees true accuracies, so its signal is cleaner than a supernet's.
- The latency predictor is an MLP on (one-hot cell, embedding) trained across devices on
  ``n_lat_archs`` architectures per device; HELP's MAML inner loop (few-shot adaptation) is not
  used: the predictor is used zero-shot, as MODNAS uses its pretrained one.
- The embedding is the centred log-latency of the reference architectures, and the predictor's
  target is the log-latency relative to the same centre, so a device's absolute speed cancels.
- The hypernetwork is not pretrained separately; MODNAS's cosine-similarity bonus is replaced by
  an optional Chebyshev scalarization (``scalarization="chebyshev"``).

References:
    R. S. Sukthanker, A. Zela, B. Staffler, S. Dooley, J. Grabocka, F. Hutter. "Multi-objective
    differentiable neural architecture search." ICLR 2025 (arXiv 2402.18213).
    H. Lee, S. Lee, S. Chong, S. J. Hwang. "HELP: Hardware-adaptive efficient latency
    prediction for NAS via meta-learning." NeurIPS 2021. X. Dong, Y. Yang. "NAS-Bench-201."
    ICLR 2020. E. Jang, S. Gu, B. Poole. "Categorical reparameterization with Gumbel-softmax."
    ICLR 2017. O. Sener, V. Koltun. "Multi-task learning as multi-objective optimization."
    NeurIPS 2018.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax
from jaxtyping import Array, Float, Int

from .mgd import mgd_combine_tree
from .nb201 import (
    MODNAS_TRAIN_DEVICES,
    MODNAS_VALID_DEVICES,
    N_ARCHS,
    N_EDGES,
    N_OPS,
    REFERENCE_ARCHS,
    NB201Arrays,
    one_hot,
)

N_REF = len(REFERENCE_ARCHS)
COMBINES = ("mgd", "mean")
SCALARIZATIONS = ("linear", "chebyshev")
#: The 13 devices MODNAS trains its hypernetwork on (9 meta-train + 4 meta-valid).
MODNAS_SEARCH_DEVICES = MODNAS_TRAIN_DEVICES + MODNAS_VALID_DEVICES

Params = list  # list of {"w": float[i, o], "b": float[o]} layers


# ---- small MLPs -------------------------------------------------------------------------------
def _mlp_init(key, sizes: Sequence[int], last_scale: float = 1.0) -> Params:
    keys = jax.random.split(key, len(sizes) - 1)
    out = []
    for i, (k, a, b) in enumerate(zip(keys, sizes[:-1], sizes[1:], strict=True)):
        s = jnp.sqrt(2.0 / a) * (last_scale if i == len(sizes) - 2 else 1.0)
        out.append({"w": jax.random.normal(k, (a, b)) * s, "b": jnp.zeros((b,))})
    return out


def _mlp_apply(params: Params, x: Array) -> Array:
    for layer in params[:-1]:
        x = jax.nn.gelu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def all_op_codes() -> Int[Array, "15625 6"]:
    """Op codes of every cell in base-5 code order (row ``c`` has ``arch_code == c``)."""
    c = np.arange(N_ARCHS)[:, None] // (N_OPS ** np.arange(N_EDGES))[None, :] % N_OPS
    return jnp.asarray(c, jnp.int32)


# ---- device embedding -------------------------------------------------------------------------
def _embed(lat_ref: Float[Array, "... 10"]) -> Float[Array, "... 10"]:
    z = jnp.log(lat_ref)
    return z - z.mean(-1, keepdims=True)


def device_embedding(latencies_on_reference_archs) -> Float[Array, "... 10"]:
    """Embedding of a device from its latencies on the 10 reference cells :data:`REFERENCE_ARCHS`.

    Measure the inference latency of the NAS-Bench-201 cells ``REFERENCE_ARCHS`` (in that
    order, any time unit) on your device and pass them here; the result conditions the latency
    predictor and the hypernetwork. The embedding is the log-latency centred on its mean, so it
    does not depend on the unit or on the device's overall speed (HELP uses the raw latencies,
    normalised).

    Args:
        latencies_on_reference_archs: float[..., 10], finite and > 0.

    Returns:
        float32[..., 10] embedding.

    Raises:
        ValueError: wrong last dimension, non-finite or non-positive latencies.
    """
    a = np.asarray(latencies_on_reference_archs, np.float64)
    if a.ndim < 1 or a.shape[-1] != N_REF:
        raise ValueError(
            f"need latencies on the {N_REF} reference archs [..., {N_REF}]; got {a.shape}"
        )
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("reference latencies must be finite and > 0")
    return _embed(jnp.asarray(a, jnp.float32))


# ---- the data the trainer may touch -----------------------------------------------------------
class ModnasData(NamedTuple):
    """Everything the trainer sees: only the training devices, only sampled architectures.

    Attributes:
        devices: names of the D training devices.
        embeddings: float32[D, 10] device embeddings (:func:`device_embedding`).
        acc_index: int32[Na] architectures whose accuracy the accuracy predictor sees.
        acc_error: float32[Na] their error (%).
        lat_index: int32[D, Nl] architectures whose latency is seen, per device.
        lat_rel: float32[D, Nl] their log-latency minus the device's reference-log-latency mean.
        op_codes: int32[15625, 6] the cell of every official index (the search space, no
            measurement).
    """

    devices: tuple[str, ...]
    embeddings: Float[Array, "D 10"]
    acc_index: Int[Array, " Na"]
    acc_error: Float[Array, " Na"]
    lat_index: Int[Array, "D Nl"]
    lat_rel: Float[Array, "D Nl"]
    op_codes: Int[Array, "15625 6"]


def reference_latencies(nb: NB201Arrays, device: str) -> Float[Array, "10"]:
    """True latencies (ms) of ``device`` on the 10 reference cells (what a user would measure)."""
    return nb.latency(device)[jnp.asarray(REFERENCE_ARCHS)]


def make_training_data(
    key,
    nb: NB201Arrays,
    devices: Sequence[str] = MODNAS_SEARCH_DEVICES,
    *,
    n_acc_archs: int = 1000,
    n_lat_archs: int = 1000,
) -> ModnasData:
    """Sample the training data of :func:`modnas` from the table (only ``devices`` are read).

    Args:
        key: PRNG key of the architecture samples.
        nb: the NAS-Bench-201 arrays (:func:`~mohb_jax.nas.load_nb201`).
        devices: training devices (default: MODNAS's 13).
        n_acc_archs: architectures whose accuracy is used (uniform without replacement).
        n_lat_archs: architectures per device whose latency is used (the reference cells are
            always seen, through the embedding).

    Raises:
        ValueError: unknown or repeated device, sizes out of ``1..15625``.
    """
    devices = tuple(devices)
    if not devices or len(set(devices)) != len(devices):
        raise ValueError(f"devices must be distinct and non-empty; got {devices}")
    cols = [nb.device_column(d) for d in devices]
    for n, name in ((n_acc_archs, "n_acc_archs"), (n_lat_archs, "n_lat_archs")):
        if not 1 <= n <= N_ARCHS:
            raise ValueError(f"{name} must be in 1..{N_ARCHS}; got {n}")
    ka, kl = jax.random.split(key)
    acc_index = jax.random.permutation(ka, N_ARCHS)[:n_acc_archs].astype(jnp.int32)
    lat_index = jax.vmap(lambda k: jax.random.permutation(k, N_ARCHS)[:n_lat_archs])(
        jax.random.split(kl, len(devices))
    ).astype(jnp.int32)
    lat = nb.latency_ms[:, jnp.asarray(cols)].T  # [D, A]: only the training devices' columns
    ref = lat[:, jnp.asarray(REFERENCE_ARCHS)]
    centre = jnp.log(ref).mean(-1, keepdims=True)
    lat_rel = jnp.log(jnp.take_along_axis(lat, lat_index, axis=1)) - centre
    return ModnasData(
        devices=devices,
        embeddings=_embed(ref),
        acc_index=acc_index,
        acc_error=nb.error[acc_index],
        lat_index=lat_index,
        lat_rel=lat_rel,
        op_codes=nb.op_codes,
    )


# ---- model state ------------------------------------------------------------------------------
class Predictors(NamedTuple):
    """Fitted predictors. ``acc`` predicts the standardized log-error from the one-hot cell;
    ``lat`` the relative log-latency from (one-hot cell, embedding).

    Attributes:
        acc: MLP parameters [30 -> H -> H -> 1].
        lat: MLP parameters [40 -> H -> H -> 1].
        err_shift: float32[] mean of log(error %) over the training archs.
        err_scale: float32[] its standard deviation.
        err_range: float32[2] min and max predicted standardized log-error over all 15 625 cells
            (the normalization of the error objective in hypernetwork training).
    """

    acc: Params
    lat: Params
    err_shift: Float[Array, ""]
    err_scale: Float[Array, ""]
    err_range: Float[Array, "2"]


class HnetInfo(NamedTuple):
    """Per-step diagnostics of hypernetwork training.

    Attributes:
        loss: float32[steps, D] scalarized predicted loss per device.
        alpha: float32[steps, D] device weights used to combine the gradients (MGD weights, or
            ``1/D`` for ``combine="mean"``).
    """

    loss: Float[Array, "steps D"]
    alpha: Float[Array, "steps D"]


class ModnasModel(NamedTuple):
    """A trained analogue: predictors + hypernetwork parameters ([12 -> Hh -> Hh -> 30])."""

    predictors: Predictors
    hnet: Params


class Front(NamedTuple):
    """Architectures for a sweep of preferences on one device.

    Attributes:
        prefs: float32[n, 2] preference (weight on error, weight on latency) per ray.
        op_codes: int32[n, 6] decoded cell per ray (always a valid NAS-Bench-201 cell).
        pred_error: float32[n] predicted error (%).
        pred_latency_rel: float32[n] predicted log-latency relative to the device's
            reference mean (``exp`` of it times the geometric mean of the reference latencies
            is the predicted latency).
    """

    prefs: Float[Array, "n 2"]
    op_codes: Int[Array, "n 6"]
    pred_error: Float[Array, " n"]
    pred_latency_rel: Float[Array, " n"]


class Modnas(NamedTuple):
    """The analogue as pure functions (made by :func:`modnas`).

    Attributes:
        fit_predictors: ``(key, data) -> Predictors``.
        fit_hypernetwork: ``(key, predictors, embeddings[D, 10]) -> (hnet, HnetInfo)``.
        fit: ``(key, data) -> (ModnasModel, HnetInfo)`` (both of the above).
        front_for: ``(model, embedding[10], n_points) -> Front`` (``n_points`` static).
        predict: ``(predictors, onehot[..., 6, 5], embedding[10]) -> (z_err[...], lat_rel[...])``.
        predicted_error: ``(predictors, z_err) -> error %``.
    """

    fit_predictors: Callable[..., Predictors]
    fit_hypernetwork: Callable[..., tuple[Params, HnetInfo]]
    fit: Callable[..., tuple[ModnasModel, HnetInfo]]
    front_for: Callable[..., Front]
    predict: Callable[..., tuple[Array, Array]]
    predicted_error: Callable[..., Array]


def _lat_in(x_onehot, emb):
    flat = x_onehot.reshape(*x_onehot.shape[:-2], N_EDGES * N_OPS)
    emb = jnp.broadcast_to(emb, (*flat.shape[:-1], emb.shape[-1]))
    return jnp.concatenate([flat, emb], -1)


def _predict(pred: Predictors, x_onehot, emb):
    flat = x_onehot.reshape(*x_onehot.shape[:-2], N_EDGES * N_OPS)
    z_err = _mlp_apply(pred.acc, flat)[..., 0]
    lat = _mlp_apply(pred.lat, _lat_in(x_onehot, emb))[..., 0]
    return z_err, lat


def _st_gumbel(key, logits, tau):
    """Straight-through Gumbel-softmax: hard one-hot forward, soft gradient (Jang et al.)."""
    g = jax.random.gumbel(key, logits.shape)
    soft = jax.nn.softmax((logits + g) / tau, axis=-1)
    hard = jax.nn.one_hot(jnp.argmax(soft, -1), logits.shape[-1], dtype=soft.dtype)
    return hard + soft - lax.stop_gradient(soft)


def _pref_features(prefs, n_intervals: int):
    """The preference itself plus a one-hot of its interval of the error weight on [0, 1]
    (MODNAS's hypernetwork embeds the preference by interval, ``num_intervals``)."""
    if n_intervals <= 1:
        return prefs
    b = jnp.clip(jnp.floor(prefs[..., 0] * n_intervals), 0, n_intervals - 1).astype(jnp.int32)
    return jnp.concatenate([prefs, jax.nn.one_hot(b, n_intervals, dtype=prefs.dtype)], -1)


def _hnet_apply(hnet: Params, prefs, emb, n_intervals: int):
    emb = jnp.broadcast_to(emb, (*prefs.shape[:-1], emb.shape[-1]))
    x = jnp.concatenate([_pref_features(prefs, n_intervals), emb], -1)
    out = _mlp_apply(hnet, x)
    return out.reshape(*prefs.shape[:-1], N_EDGES, N_OPS)


def preference_rays(n_points: int) -> Float[Array, "n 2"]:
    """``n`` preferences ``(t, 1 - t)`` with ``t`` evenly spaced on ``[0, 1]`` (weight on error)."""
    t = jnp.linspace(0.0, 1.0, n_points)
    return jnp.stack([t, 1.0 - t], -1)


def modnas(
    *,
    hidden: int = 64,
    hnet_hidden: int = 64,
    pred_steps: int = 2000,
    pred_batch: int = 256,
    pred_lr: float = 2e-3,
    hnet_steps: int = 2000,
    n_prefs: int = 16,
    hnet_lr: float = 3e-3,
    combine: str = "mgd",
    scalarization: str = "linear",
    tau: tuple[float, float] = (5.0, 0.5),
    pref_concentration: float = 1.0,
    mgd_iters: int = 64,
    chebyshev_smoothing: float = 0.02,
    n_intervals: int = 101,
) -> Modnas:
    """Build the table-driven analogue of MODNAS (see the module docstring for what differs).

    Args:
        hidden: width of the two hidden layers of both predictors.
        hnet_hidden: width of the two hidden layers of the hypernetwork.
        pred_steps: Adam steps of each predictor (minibatches of ``pred_batch`` rows).
        pred_batch: minibatch size of predictor training.
        pred_lr: predictor learning rate (cosine decay to 0).
        hnet_steps: hypernetwork training steps; each step draws ``n_prefs`` preferences from
            a symmetric Dirichlet(``pref_concentration``) and uses every training device.
        hnet_lr: hypernetwork learning rate (Adam, cosine decay).
        combine: ``"mgd"`` (min-norm combination of the per-device gradients, as MODNAS) or
            ``"mean"`` (average: the scalarization ablation).
        scalarization: ``"linear"`` (``w · f``, MODNAS's loss without its cosine bonus) or
            ``"chebyshev"`` (smooth ``max_i w_i f_i``, reaching non-convex parts of a front).
        tau: Gumbel-softmax temperature, from ``tau[0]`` to ``tau[1]`` (geometric schedule).
        pref_concentration: Dirichlet concentration of the training preferences.
        mgd_iters: Frank-Wolfe steps of the min-norm solver.
        chebyshev_smoothing: temperature of the log-sum-exp in the Chebyshev scalarization.
        n_intervals: the hypernetwork also sees a one-hot of which of ``n_intervals`` equal
            intervals the error weight falls in (as MODNAS's ``num_intervals``); ``<= 1``: only
            the raw preference.

    Returns:
        :class:`Modnas`.

    Raises:
        ValueError: unknown ``combine`` / ``scalarization``, non-positive sizes or temperatures.
    """
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {COMBINES}; got {combine!r}")
    if scalarization not in SCALARIZATIONS:
        raise ValueError(f"scalarization must be one of {SCALARIZATIONS}; got {scalarization!r}")
    sizes = dict(hidden=hidden, hnet_hidden=hnet_hidden, pred_steps=pred_steps)
    sizes |= dict(pred_batch=pred_batch, hnet_steps=hnet_steps, n_prefs=n_prefs)
    for name, v in sizes.items():
        if int(v) < 1:
            raise ValueError(f"{name} must be >= 1; got {v}")
    if min(tau) <= 0 or pref_concentration <= 0 or chebyshev_smoothing <= 0:
        raise ValueError("tau, pref_concentration and chebyshev_smoothing must be > 0")
    codes_all = all_op_codes()
    x_all = one_hot(codes_all)  # [15625, 6, 5]

    def _adam(lr, steps):
        return optax.adam(optax.cosine_decay_schedule(lr, steps))

    def _regress(key, params, x, y, apply):
        opt = _adam(pred_lr, pred_steps)
        n = x.shape[0]
        b = min(pred_batch, n)

        def loss(p, xb, yb):
            return jnp.mean((apply(p, xb) - yb) ** 2)

        def step(carry, k):
            p, s = carry
            i = jax.random.choice(k, n, (b,), replace=n < b)
            g = jax.grad(loss)(p, x[i], y[i])
            u, s = opt.update(g, s, p)
            return (optax.apply_updates(p, u), s), None

        (params, _), _ = lax.scan(
            step, (params, opt.init(params)), jax.random.split(key, pred_steps)
        )
        return params

    def _fit_predictors(key, data: ModnasData) -> Predictors:
        k1, k2, k3, k4 = jax.random.split(key, 4)
        log_err = jnp.log(data.acc_error)
        shift, scale = log_err.mean(), jnp.maximum(log_err.std(), 1e-6)
        xa = one_hot(data.op_codes[data.acc_index]).reshape(-1, N_EDGES * N_OPS)
        acc = _mlp_init(k1, (N_EDGES * N_OPS, hidden, hidden, 1))
        acc = _regress(
            k2, acc, xa, (log_err - shift) / scale, lambda p, x: _mlp_apply(p, x)[..., 0]
        )
        D, Nl = data.lat_index.shape
        xl = one_hot(data.op_codes[data.lat_index])  # [D, Nl, 6, 5]
        xl = _lat_in(xl, data.embeddings[:, None, :]).reshape(D * Nl, -1)
        lat = _mlp_init(k3, (N_EDGES * N_OPS + N_REF, hidden, hidden, 1))
        lat = _regress(k4, lat, xl, data.lat_rel.reshape(-1), lambda p, x: _mlp_apply(p, x)[..., 0])
        z_all = _mlp_apply(acc, x_all.reshape(N_ARCHS, -1))[..., 0]
        return Predictors(acc, lat, shift, scale, jnp.stack([z_all.min(), z_all.max()]))

    def _scalarize(w, f):
        if scalarization == "linear":
            return jnp.sum(w * f, -1)
        mu = chebyshev_smoothing
        return mu * jax.nn.logsumexp(w * f / mu, axis=-1)

    def _fit_hypernetwork(key, pred: Predictors, embeddings) -> tuple[Params, HnetInfo]:
        D = embeddings.shape[0]
        # per-device normalization of the predicted latency over the whole space
        lat_all = jax.vmap(lambda e: _mlp_apply(pred.lat, _lat_in(x_all, e))[..., 0])(embeddings)
        lat_lo, lat_hi = lat_all.min(-1), lat_all.max(-1)  # [D]
        e_lo, e_hi = pred.err_range[0], pred.err_range[1]
        k0, key = jax.random.split(key)
        n_in = 2 + (n_intervals if n_intervals > 1 else 0) + N_REF
        hnet = _mlp_init(k0, (n_in, hnet_hidden, hnet_hidden, N_EDGES * N_OPS), 0.1)
        opt = _adam(hnet_lr, hnet_steps)
        taus = tau[0] * (tau[1] / tau[0]) ** (jnp.arange(hnet_steps) / max(hnet_steps - 1, 1))

        def device_loss(h, emb, lo, hi, k, prefs, t):
            logits = _hnet_apply(h, prefs, emb, n_intervals)
            x = _st_gumbel(k, logits, t)
            z, lat = _predict(pred, x, emb)
            f = jnp.stack([(z - e_lo) / (e_hi - e_lo), (lat - lo) / (hi - lo)], -1)
            return jnp.mean(_scalarize(prefs, f))

        grad_fn = jax.vmap(jax.value_and_grad(device_loss), in_axes=(None, 0, 0, 0, 0, None, None))

        def step(carry, inp):
            h, s = carry
            k, t = inp
            kp, kg = jax.random.split(k)
            prefs = jax.random.dirichlet(kp, jnp.full((2,), pref_concentration), (n_prefs,))
            losses, grads = grad_fn(
                h, embeddings, lat_lo, lat_hi, jax.random.split(kg, D), prefs, t
            )
            if combine == "mgd":
                g, alpha = mgd_combine_tree(grads, normalize="l2", n_iter=mgd_iters)
            else:
                g = jax.tree_util.tree_map(lambda a: a.mean(0), grads)
                alpha = jnp.full((D,), 1.0 / D)
            u, s = opt.update(g, s, h)
            return (optax.apply_updates(h, u), s), (losses, alpha)

        keys = jax.random.split(key, hnet_steps)
        (hnet, _), (losses, alphas) = lax.scan(step, (hnet, opt.init(hnet)), (keys, taus))
        return hnet, HnetInfo(losses, alphas)

    def _fit(key, data: ModnasData) -> tuple[ModnasModel, HnetInfo]:
        kp, kh = jax.random.split(key)
        pred = _fit_predictors(kp, data)
        hnet, info = _fit_hypernetwork(kh, pred, data.embeddings)
        return ModnasModel(pred, hnet), info

    jit_fit_predictors = jax.jit(_fit_predictors)
    jit_fit_hypernetwork = jax.jit(_fit_hypernetwork)
    jit_fit = jax.jit(_fit)

    # the device names are strings, not arrays: strip them before jit (they are not used)
    def fit_predictors(key, data: ModnasData) -> Predictors:
        return jit_fit_predictors(key, data._replace(devices=()))

    def fit_hypernetwork(key, pred: Predictors, embeddings) -> tuple[Params, HnetInfo]:
        return jit_fit_hypernetwork(key, pred, embeddings)

    def fit(key, data: ModnasData) -> tuple[ModnasModel, HnetInfo]:
        return jit_fit(key, data._replace(devices=()))

    @jax.jit
    def _front(model: ModnasModel, embedding, prefs) -> Front:
        codes = jnp.argmax(_hnet_apply(model.hnet, prefs, embedding, n_intervals), -1).astype(
            jnp.int32
        )
        z, lat = _predict(model.predictors, one_hot(codes), embedding)
        return Front(prefs, codes, predicted_error(model.predictors, z), lat)

    def front_for(model: ModnasModel, embedding, n_points: int) -> Front:
        return _front(model, embedding, preference_rays(n_points))

    def predicted_error(pred: Predictors, z):
        return jnp.exp(z * pred.err_scale + pred.err_shift)

    return Modnas(
        fit_predictors=fit_predictors,
        fit_hypernetwork=fit_hypernetwork,
        fit=fit,
        front_for=front_for,
        predict=_predict,
        predicted_error=predicted_error,
    )


def predicted_front_codes(
    method: Modnas, model: ModnasModel, embedding, n_points: int
) -> Int[Array, "n 6"]:
    """Ablation without the hypernetwork: enumerate all 15 625 cells through the predictors,
    keep the predicted Pareto front, and return ``n_points`` of its cells evenly spaced along
    it (repeats when it has fewer). Possible only because the space is small.
    """
    codes = all_op_codes()
    z, lat = method.predict(model.predictors, one_hot(codes), embedding)
    on = front_mask_2d(jnp.stack([z, lat], -1))
    # rank front members by predicted error, spread n_points over them
    order = jnp.argsort(jnp.where(on, z, jnp.inf))
    n_on = on.sum()
    pos = jnp.round(jnp.linspace(0.0, 1.0, n_points) * (n_on - 1)).astype(jnp.int32)
    return codes[order[pos]]


def front_mask_2d(y: Float[Array, "n 2"], mask=None) -> Array:
    """Non-dominated rows of a 2-objective set (minimized), O(n log n), jit-able.

    A row is kept if no other valid row is at least as good in both objectives and better in
    one; of exact duplicates the first (lowest index) is kept.
    """
    n = y.shape[0]
    valid = jnp.ones((n,), bool) if mask is None else jnp.asarray(mask)
    big = jnp.where(valid[:, None], y, jnp.inf)
    order = jnp.lexsort((jnp.arange(n), big[:, 1], big[:, 0]))  # by y0, then y1, then index
    y1 = big[order, 1]
    prev_min = jnp.concatenate([jnp.full((1,), jnp.inf, y.dtype), lax.cummin(y1)[:-1]])
    keep_sorted = (y1 < prev_min) & valid[order]
    return jnp.zeros((n,), bool).at[order].set(keep_sorted)
