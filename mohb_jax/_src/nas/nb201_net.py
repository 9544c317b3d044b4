"""The NAS-Bench-201 cell network in JAX (data-free: built for training-free metrics).

The macro skeleton of NAS-Bench-201 (Dong & Yang, ICLR 2020): a 3×3 stem convolution to
``C=16`` channels (+BN), three stages of ``N=5`` identical cells at 16, 32 and 64 channels
separated by two residual reduction blocks (ReLU-conv3×3-BN with stride 2, ReLU-conv3×3-BN,
shortcut avg-pool 2×2 + conv1×1), a final BN + ReLU, global average pooling and a linear
classifier. A cell is a DAG over 4 nodes whose 6 edges ``(1←0, 2←0, 2←1, 3←0, 3←1, 3←2)``
each carry one op: ``none`` (zero), ``skip_connect``, ``nor_conv_1x1`` / ``nor_conv_3x3``
(ReLU-conv-BN, no conv bias) or ``avg_pool_3x3`` (stride 1, padding 1, padded zeros not
counted); node ``i`` sums its incoming edges and node 3 is the cell's output.

One set of weights holds every candidate op of every edge (a weight-sharing supernet); an
architecture is an ``int[6]`` vector of op codes (ops ordered
``none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3``), and each edge runs only
its op through ``lax.switch``. Mapped over architectures with ``lax.map`` (a sequential loop,
so the switch really branches), one compilation evaluates the whole space.

Batch normalisation is left out of the forward pass (``bn=False`` of the zero-cost proxy
reference implementation, where synflow is computed on a BN-free copy); BN parameters are
counted by :func:`param_count` as NAS-Bench-201 counts them.

References:
    X. Dong, Y. Yang. "NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture
    Search." ICLR 2020.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

N_EDGES = 6
N_OPS = 5
#: (target node, source node) of each edge, in op-code order
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
STAGES = (16, 32, 64)
CELLS_PER_STAGE = 5
NUM_CLASSES = {"cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}
INPUT_SIZE = {"cifar10": 32, "cifar100": 32, "ImageNet16-120": 16}


def _uniform(key, shape, fan_in):
    # PyTorch's default Conv2d / Linear init: kaiming_uniform(a=sqrt(5)) = U(±1/sqrt(fan_in))
    bound = 1.0 / math.sqrt(fan_in)
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def init_params(key, num_classes: int) -> dict:
    """Random weights of the whole supernet (every op of every edge), PyTorch's default init.

    Convolutions are ``HWIO``; cell weights are stacked over ``[stage, cell, edge]``.
    """
    ks = iter(jax.random.split(key, 64))
    p = {"stem": _uniform(next(ks), (3, 3, 3, 16), 27)}
    for s, c in enumerate(STAGES):
        p[f"cell{s}_w3"] = _uniform(next(ks), (CELLS_PER_STAGE, N_EDGES, 3, 3, c, c), 9 * c)
        p[f"cell{s}_w1"] = _uniform(next(ks), (CELLS_PER_STAGE, N_EDGES, 1, 1, c, c), c)
    for r, (ci, co) in enumerate(zip(STAGES[:-1], STAGES[1:], strict=True)):
        p[f"res{r}_a"] = _uniform(next(ks), (3, 3, ci, co), 9 * ci)
        p[f"res{r}_b"] = _uniform(next(ks), (3, 3, co, co), 9 * co)
        p[f"res{r}_down"] = _uniform(next(ks), (1, 1, ci, co), ci)
    p["fc_w"] = _uniform(next(ks), (STAGES[-1], num_classes), STAGES[-1])
    p["fc_b"] = _uniform(next(ks), (num_classes,), STAGES[-1])
    return p


def _conv(x, w, stride=1):
    k = w.shape[0]
    pad = (k - 1) // 2
    return lax.conv_general_dilated(
        x, w, (stride, stride), ((pad, pad), (pad, pad)), dimension_numbers=("NHWC", "HWIO", "NHWC")
    )


def _avg_pool3(x):
    win, strides, pad = (1, 3, 3, 1), (1, 1, 1, 1), ((0, 0), (1, 1), (1, 1), (0, 0))
    s = lax.reduce_window(x, 0.0, lax.add, win, strides, pad)
    n = lax.reduce_window(jnp.ones_like(x[..., :1]), 0.0, lax.add, win, strides, pad)
    return s / n  # count_include_pad=False


def _avg_pool2(x):
    s = lax.reduce_window(x, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    return s / 4.0


def _edge(op, x, w1, w3):
    branches = (
        lambda x: jnp.zeros_like(x),
        lambda x: x,
        lambda x: _conv(jax.nn.relu(x), w1),
        lambda x: _conv(jax.nn.relu(x), w3),
        _avg_pool3,
    )
    return lax.switch(op, branches, x)


def _cell(arch, x, w1, w3):
    nodes = [x]
    for i in range(1, 4):
        acc = None
        for e, (t, s) in enumerate(EDGES):
            if t == i:
                y = _edge(arch[e], nodes[s], w1[e], w3[e])
                acc = y if acc is None else acc + y
        nodes.append(acc)
    return nodes[3]


def forward(params: dict, arch, x):
    """Logits of architecture ``arch`` (``int[6]`` op codes) for inputs ``x`` (``[B, H, W, 3]``)."""
    h = _conv(x, params["stem"])
    for s in range(len(STAGES)):
        if s > 0:
            a = _conv(jax.nn.relu(h), params[f"res{s - 1}_a"], stride=2)
            b = _conv(jax.nn.relu(a), params[f"res{s - 1}_b"])
            h = b + _conv(_avg_pool2(h), params[f"res{s - 1}_down"])
        h, _ = lax.scan(
            lambda h, w: (_cell(arch, h, w[0], w[1]), None),
            h,
            (params[f"cell{s}_w1"], params[f"cell{s}_w3"]),
        )
    h = jnp.mean(jax.nn.relu(h), axis=(1, 2))
    return h @ params["fc_w"] + params["fc_b"]


# ---- exact counts (NAS-Bench-201's conventions) -------------------------------------------


def _op_counts(arch) -> tuple[int, int, int]:
    a = np.asarray(arch)
    return int((a == 3).sum()), int((a == 2).sum()), int((a == 4).sum())


def param_count(arch, num_classes: int) -> int:
    """Number of parameters of the architecture as NAS-Bench-201 counts them.

    Convolutions without bias, BN with affine scale and shift, the linear classifier with bias;
    the weights of ops not used by ``arch`` are not counted.
    """
    arch = np.asarray(arch)
    n = 3 * 3 * 3 * 16 + 2 * 16  # stem conv + BN
    for s, c in enumerate(STAGES):
        if s > 0:
            ci = STAGES[s - 1]
            n += 9 * ci * c + 2 * c + 9 * c * c + 2 * c + ci * c  # residual block
        for op in arch:
            if op == 3:
                n += CELLS_PER_STAGE * (9 * c * c + 2 * c)
            elif op == 2:
                n += CELLS_PER_STAGE * (c * c + 2 * c)
    n += 2 * STAGES[-1]  # last BN
    n += STAGES[-1] * num_classes + num_classes
    return n


def flop_count(arch, num_classes: int, input_size: int) -> int:
    """Multiply-accumulates of one forward pass, with NAS-Bench-201's published convention.

    Convolution: ``k²·C_in·C_out·H_out·W_out``; the ReLU-conv-BN ops of the cells and of the
    residual blocks, and the stem's conv-BN, add ``3·C_out·H_out·W_out`` (ReLU and BN);
    avg-pool: ``k²·C·H·W``; the final BN + ReLU ``3·C·H·W``; the classifier ``C·K`` (no bias
    term). These reproduce the per-op coefficients of the published FLOPs column
    (``flops_m``) exactly; the constant part (the cell-independent layers) comes out
    1 088 MACs (CIFAR inputs) and 576 MACs (16×16 inputs) below the published one (0.014 % and
    0.029 %), a difference we could not attribute to a layer.
    """
    arch = np.asarray(arch)
    hw = input_size * input_size
    f = 27 * 16 * hw + 3 * 16 * hw  # stem conv + BN(+ReLU-equivalent)
    for s, c in enumerate(STAGES):
        if s > 0:
            ci = STAGES[s - 1]
            hw //= 4
            f += 9 * ci * c * hw + 3 * c * hw  # conv_a
            f += 9 * c * c * hw + 3 * c * hw  # conv_b
            f += 4 * ci * hw + ci * c * hw  # shortcut pool 2x2 + conv 1x1
        for op in arch:
            if op == 3:
                f += CELLS_PER_STAGE * (9 * c * c * hw + 3 * c * hw)
            elif op == 2:
                f += CELLS_PER_STAGE * (c * c * hw + 3 * c * hw)
            elif op == 4:
                f += CELLS_PER_STAGE * 9 * c * hw
    f += 3 * STAGES[-1] * hw
    f += STAGES[-1] * num_classes
    return f


def op_count_flops(op_codes, dataset: str) -> np.ndarray:
    """MFLOPs of many architectures (``int[..., 6]`` op codes), :func:`flop_count` vectorised.

    :func:`flop_count` is linear in the numbers of conv3×3, conv1×1 and avg-pool edges; this
    evaluates its constant and its three coefficients once.
    """
    k, size = NUM_CLASSES[dataset], INPUT_SIZE[dataset]
    a = np.asarray(op_codes)
    base = flop_count([0] * N_EDGES, k, size)
    coef = {op: flop_count([op] + [0] * (N_EDGES - 1), k, size) - base for op in (2, 3, 4)}
    f = base + sum(coef[op] * (a == op).sum(-1) for op in coef)
    return np.asarray(f, np.float64) / 1e6
