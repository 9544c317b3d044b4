"""Synflow, a data-free training-free metric, for every NAS-Bench-201 architecture.

Synflow (Tanaka et al., NeurIPS 2020; used as a zero-cost NAS proxy by Abdelfattah et al.,
ICLR 2021) replaces every weight by its absolute value, feeds an all-ones input (one image of
the dataset's size), and scores the network by ``Σ_θ |θ ⊙ ∂R/∂θ|`` with ``R`` the sum of the
logits; the sum runs over the weights of convolutions and linear layers (no biases, no BN).
NAS-Bench-Suite-Zero stores ``log(score)`` (0 where the score is 0, e.g. cells whose output is
disconnected from their input); :func:`synflow_scores` returns the same log scale.

The network is :mod:`~mohb_jax._src.nas.nb201_net` without BN. One jitted function maps over
architectures with ``lax.map`` (one compilation for all 15 625), reusing one random
initialisation (PyTorch's default, fixed ``key``) for every architecture; the published
scores draw a fresh initialisation per architecture. Because every weight is positive and the
input is all ones the network is linear, so ``R`` is a sum over input-output paths of
products of weights, and the score only depends on the weights' magnitudes.

References:
    H. Tanaka, D. Kunin, D. L. Yamins, S. Ganguli. "Pruning neural networks without any data
    by iteratively conserving synaptic flow." NeurIPS 2020.
    M. S. Abdelfattah, A. Mehrotra, Ł. Dudziak, N. D. Lane. "Zero-Cost Proxies for
    Lightweight NAS." ICLR 2021.
    A. Krishnakumar, C. White, A. Zela, R. Tu, M. Safari, F. Hutter. "NAS-Bench-Suite-Zero:
    Accelerating Research on Zero Cost Proxies." NeurIPS 2022 Datasets and Benchmarks.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mohb_jax._src.nas import nb201_net as net
from mohb_jax._src.nas.nb201_net import CELLS_PER_STAGE, EDGES, N_EDGES, STAGES

#: parameters that synflow scores (conv and linear weights; not the linear bias)
_SCORED = lambda name: name != "fc_b"  # noqa: E731


def synflow_per_weight(params: dict, arch, input_size: int) -> dict:
    """``|θ ⊙ ∂R/∂θ|`` for every parameter (``params`` are made positive here)."""
    absp = jax.tree.map(jnp.abs, params)
    x = jnp.ones((1, input_size, input_size, 3), jax.tree.leaves(params)[0].dtype)

    def r(p):
        return jnp.sum(net.forward(p, arch, x))

    g = jax.grad(r)(absp)
    return {k: jnp.abs(absp[k] * g[k]) for k in absp}


def synflow_raw(params: dict, arch, input_size: int):
    """Synflow score (linear scale) of one architecture: the sum over conv/linear weights."""
    per = synflow_per_weight(params, arch, input_size)
    return sum(jnp.sum(v) for k, v in per.items() if _SCORED(k))


def make_synflow_fn(dataset: str):
    """A jitted ``f(params, archs int32[A, 6]) -> float32[A]`` of log-synflow scores."""
    size = net.INPUT_SIZE[dataset]

    @jax.jit
    def f(params, archs):
        raw = jax.lax.map(lambda a: synflow_raw(params, a, size), archs)
        return jnp.where(raw > 0, jnp.log(jnp.where(raw > 0, raw, 1.0)), 0.0)

    return f


def synflow_scores(archs, dataset: str = "cifar10", key=None, chunk: int = 625):
    """Log-synflow of every architecture in ``archs`` (``int[A, 6]`` NB201 op codes).

    Args:
        archs: op codes (ops ``none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3``).
        dataset: ``cifar10``, ``cifar100`` or ``ImageNet16-120`` (input size, classes).
        key: the initialisation key (default ``jax.random.key(0)``).
        chunk: architectures per compiled call (all calls share one compilation).

    Returns:
        float32[A] log-synflow (0 where the score is 0).

    Raises:
        ValueError: unknown dataset, or op codes outside 0..4 / not ``[A, 6]``.
    """
    a = _check_archs(archs, dataset)
    key = jax.random.key(0) if key is None else key
    params = net.init_params(key, net.NUM_CLASSES[dataset])
    f = make_synflow_fn(dataset)
    with jax.enable_x64(True):
        p64 = jax.tree.map(lambda v: jnp.asarray(np.asarray(v, np.float64)), params)
    return _chunked(lambda x: f(p64, x), a, chunk)


def _check_archs(archs, dataset: str) -> np.ndarray:
    if dataset not in net.NUM_CLASSES:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {tuple(net.NUM_CLASSES)}")
    a = np.asarray(archs)
    if a.ndim != 2 or a.shape[1] != net.N_EDGES or a.size == 0 or a.min() < 0 or a.max() > 4:
        raise ValueError(f"archs must be int[A, 6] with op codes in 0..4; got shape {a.shape}")
    return a


def _chunked(f, a: np.ndarray, chunk: int) -> np.ndarray:
    """``f`` over ``a`` in equal chunks (the last padded: one compilation), in float64 like the
    reference implementation (``.double()``; scores overflow float32)."""
    n = len(a)
    chunk = min(chunk, n)
    pad = (-n) % chunk
    a = np.concatenate([a, np.repeat(a[-1:], pad, 0)]).astype(np.int32)
    with jax.enable_x64(True):
        out = [np.asarray(f(jnp.asarray(a[i : i + chunk]))) for i in range(0, len(a), chunk)]
    return np.concatenate(out)[:n].astype(np.float32)


# ---- the expectation over the initialisation, exactly, by channel reduction ---------------


def _box(x, k, stride=1):
    """Zero-padded ``k×k`` window sum (same padding) of single-channel maps ``[..., H, W]``."""
    pad = (k - 1) // 2
    lead = (1,) * (x.ndim - 2)
    return jax.lax.reduce_window(
        x, 0.0, jax.lax.add, lead + (k, k), lead + (stride, stride),
        ((0, 0),) * (x.ndim - 2) + ((pad, pad), (pad, pad)),
    )  # fmt: skip


def _mean_abs(fan_in: int) -> float:
    return 0.5 / np.sqrt(fan_in)  # E|U(±1/sqrt(fan_in))|


def _reduced_forward(s: dict, onehot, size: int, num_classes: int):
    """``R`` = sum of the logits of the BN-free network whose every weight equals its layer's
    mean absolute initial value times the layer scale ``s[layer]``, on an all-ones input.

    With channel-constant kernels and an all-ones input every channel of a feature map is the
    same, so maps are kept as single channels ``[H, W]`` and a ``k×k`` conv ``C_in → C_out``
    becomes ``s·E|w|·C_in·boxsum_k``.
    """
    x = jnp.ones((size, size))  # float64 under enable_x64 (scores reach e^115)
    h = s["stem"] * _mean_abs(27) * 3 * _box(x, 3)
    for st, c in enumerate(STAGES):
        if st > 0:
            ci = STAGES[st - 1]
            a = s[f"res{st - 1}_a"] * _mean_abs(9 * ci) * ci * _box(h, 3, 2)
            b = s[f"res{st - 1}_b"] * _mean_abs(9 * c) * c * _box(a, 3)
            p = jax.lax.reduce_window(h, 0.0, jax.lax.add, (2, 2), (2, 2), "VALID") / 4.0
            h = b + s[f"res{st - 1}_down"] * _mean_abs(ci) * ci * p
        pool_n = _box(jnp.ones_like(h), 3)

        def cell(h, w, c=c, pool_n=pool_n):
            w1, w3 = w
            nodes = [h]
            for i in range(1, 4):
                acc = 0.0
                for e, (t, src) in enumerate(EDGES):
                    if t != i:
                        continue
                    xin = nodes[src]
                    c1 = w1[e] * _mean_abs(c) * c * xin
                    c3 = w3[e] * _mean_abs(9 * c) * c * _box(xin, 3)
                    pool = _box(xin, 3) / pool_n
                    oh = onehot[e]
                    acc = acc + oh[1] * xin + oh[2] * c1 + oh[3] * c3 + oh[4] * pool
                nodes.append(acc)
            return nodes[3], None

        h, _ = jax.lax.scan(cell, h, (s[f"cell{st}_w1"], s[f"cell{st}_w3"]))
    feat = jnp.mean(h)  # every channel equal
    c = STAGES[-1]
    return s["fc"] * _mean_abs(c) * c * feat * num_classes


def _unit_scales() -> dict:
    s = {"stem": jnp.asarray(1.0), "fc": jnp.asarray(1.0)}
    for st in range(len(STAGES)):
        s[f"cell{st}_w1"] = jnp.ones((CELLS_PER_STAGE, N_EDGES))
        s[f"cell{st}_w3"] = jnp.ones((CELLS_PER_STAGE, N_EDGES))
        if st > 0:
            for part in ("a", "b", "down"):
                s[f"res{st - 1}_{part}"] = jnp.asarray(1.0)
    return s


def make_expected_synflow_fn(dataset: str):
    """A jitted ``f(archs int32[A, 6]) -> float32[A]``: log of the synflow score's expectation
    over PyTorch's default initialisation, computed exactly (see :func:`expected_synflow`)."""
    size, k = net.INPUT_SIZE[dataset], net.NUM_CLASSES[dataset]

    def one(arch):
        onehot = jax.nn.one_hot(arch, net.N_OPS, dtype=jnp.result_type(float))
        g = jax.grad(lambda s: _reduced_forward(s, onehot, size, k))(_unit_scales())
        raw = sum(jnp.sum(v) for v in jax.tree.leaves(g))
        return jnp.where(raw > 0, jnp.log(jnp.where(raw > 0, raw, 1.0)), 0.0)

    return jax.jit(jax.vmap(one))


def expected_synflow(archs, dataset: str = "cifar10", chunk: int = 3125):
    """Log of the expected synflow score over the initialisation, for every architecture.

    Every path from the input to the logits crosses a layer at most once and the weights are
    drawn independently, so the expectation of a product of absolute weights along a path is
    the product of their means ``E|w| = 1/(2·sqrt(fan_in))``: the expected score is exactly
    the score of the network whose weights all equal their layer's mean. With such
    channel-constant kernels and an all-ones input every feature map has identical channels,
    so the network collapses to single-channel maps, and ``Σ_θ θ·∂R/∂θ`` of a layer is the
    derivative of ``R`` with respect to a scale on that layer. This avoids every channel
    contraction of the full forward and backward pass (over 100× cheaper, measured in
    ``bench/results_nas_searchers.md``), and has no initialisation noise.

    Args:
        archs: ``int[A, 6]`` NB201 op codes.
        dataset: ``cifar10``, ``cifar100`` or ``ImageNet16-120``.
        chunk: architectures per compiled call.

    Returns:
        float32[A] log expected synflow (0 where it is 0).

    Raises:
        ValueError: unknown dataset or bad op codes.
    """
    a = _check_archs(archs, dataset)
    return _chunked(make_expected_synflow_fn(dataset), a, chunk)
