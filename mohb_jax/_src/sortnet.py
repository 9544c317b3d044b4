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
    keys: tuple[Array, ...], payloads: tuple[Array, ...] = (), fuse: int = 1
) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """Sort along axis 0 (length a power of two) lexicographically by ``keys``, ascending.

    Every array has the shape ``(N, *B)``; ``payloads`` are permuted with the keys. Not stable
    (rows with equal keys may swap). Returns ``(sorted keys, permuted payloads)``.

    ``fuse`` consecutive stages of one merge (distances ``j, j/2, ...``) run as one pass:
    within a block of ``2j`` rows they only exchange between the block's ``2^fuse`` slices,
    so one element-wise computation reads the slices once and writes them once. The stages
    are bound by memory traffic: with ``fuse=2``, 1000 x 256 float32 keys sort in 0.73-0.85x
    the time (one payload: 5.6-5.7 -> 4.2 ms; three: 11.8-14.1 -> 10.0-10.2 ms;
    ``bench/sort_fuse.py``), but whole programs took 10-35 % longer to compile, so it is
    used where measured worth it (the batched 2-D hypervolume); ``fuse=3`` costs more work
    than it saves.
    """
    n = keys[0].shape[0]
    if n & (n - 1):
        raise ValueError(f"bitonic_sort needs a power-of-two length; got {n}")
    if fuse < 1:
        raise ValueError(f"fuse must be at least 1; got {fuse}")
    bshape = keys[0].shape[1:]
    first_row = np.arange(n)
    nk = len(keys)
    k = 2
    while k <= n:
        j = k // 2
        while j >= 1:
            levels = min(fuse, j.bit_length())  # distances j, j/2, ..., j / 2^(levels-1)
            g = 1 << levels
            shp = (n // (2 * j), g, (2 * j) // g, *bshape)
            # direction per block of 2j rows: ascending where the block's rows have bit k clear
            asc = ((first_row[:: 2 * j] & k) == 0).reshape(n // (2 * j), *([1] * (len(bshape) + 1)))
            sl = [[x.reshape(shp)[:, q] for q in range(g)] for x in (*keys, *payloads)]
            d = g // 2
            while d >= 1:
                for q in range(g):
                    if q & d:
                        continue
                    gt, lt = _lex_greater(
                        tuple(x[q] for x in sl[:nk]), tuple(x[q + d] for x in sl[:nk])
                    )
                    swap = jnp.where(asc, gt, lt)
                    for x in sl:
                        x[q], x[q + d] = (
                            jnp.where(swap, x[q + d], x[q]),
                            jnp.where(swap, x[q], x[q + d]),
                        )
                d //= 2
            out = [jnp.stack(x, 1).reshape(n, *bshape) for x in sl]
            keys, payloads = tuple(out[:nk]), tuple(out[nk:])
            j >>= levels
        k *= 2
    return keys, payloads
