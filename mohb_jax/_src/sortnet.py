"""A bitonic sorting network on batch-last arrays (the sort used by the batched kernels).

XLA's CPU sort is 80-150x slower than NumPy's at the sizes of a batch of rungs (1000 x 256),
and far slower still with a second key or a payload. A bitonic network (Batcher, "Sorting
networks and their applications", AFIPS 1968) is log2(N)(log2(N)+1)/2 stages of
compare-exchange between elements ``i`` and ``i xor j``; each stage is a reshape plus
element-wise selects, so XLA fuses it and vectorizes it over the trailing batch axis.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import Array


def _lex_greater(a: tuple[Array, ...], c: tuple[Array, ...]) -> tuple[Array, Array]:
    """``(a > c, a < c)`` lexicographically over the key tuples."""
    gt, lt = a[-1] > c[-1], a[-1] < c[-1]
    for ai, ci in zip(reversed(a[:-1]), reversed(c[:-1]), strict=True):
        eq = ai == ci
        gt = (ai > ci) | (eq & gt)
        lt = (ai < ci) | (eq & lt)
    return gt, lt


def bitonic_sort(
    keys: tuple[Array, ...], payloads: tuple[Array, ...] = ()
) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """Sort along axis 0 (length a power of two) lexicographically by ``keys``, ascending.

    Every array has the shape ``(N, *B)``; ``payloads`` are permuted with the keys. Not stable
    (rows with equal keys may swap). Returns ``(sorted keys, permuted payloads)``.
    """
    n = keys[0].shape[0]
    if n & (n - 1):
        raise ValueError(f"bitonic_sort needs a power-of-two length; got {n}")
    bshape = keys[0].shape[1:]
    idx = np.arange(n)
    k = 2
    while k <= n:
        j = k // 2
        while j >= 1:
            shp = (n // (2 * j), 2, j, *bshape)
            asc = ((idx.reshape(n // (2 * j), 2, j)[:, 0, :] & k) == 0).reshape(
                n // (2 * j), j, *([1] * len(bshape))
            )
            halves = [x.reshape(shp) for x in keys]
            gt, lt = _lex_greater(tuple(h[:, 0] for h in halves), tuple(h[:, 1] for h in halves))
            swap = jnp.where(asc, gt, lt)

            def exchange(x, swap=swap, shp=shp):
                xx = x.reshape(shp)
                a, c = xx[:, 0], xx[:, 1]
                return jnp.stack([jnp.where(swap, c, a), jnp.where(swap, a, c)], 1).reshape(x.shape)

            keys = tuple(exchange(x) for x in keys)
            payloads = tuple(exchange(x) for x in payloads)
            j //= 2
        k *= 2
    return keys, payloads
