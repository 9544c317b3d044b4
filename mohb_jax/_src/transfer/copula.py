"""Gaussian-copula transform of objective values (Salinas, Shen & Perrone, ICML 2020).

Per task and per objective, each value ``y`` is replaced by ``z = Φ⁻¹(u)`` where ``u`` is the
empirical CDF just below ``y`` (the number of values of the same task and objective strictly
below ``y``, divided by the number ``n`` of valid values), truncated to ``[δ, 1 − δ]`` with the
Winsorization level ``δ = 1 / (4 n^{1/4} √(π log n))``. Ties share one ``u`` and so one ``z``.
The result is invariant to any strictly increasing rescaling of ``y`` and makes objectives of
different scales (errors, seconds, dollars) and different tasks comparable.

Two rank back-ends compute the same counts: a NumPy sort + ``searchsorted`` at the eager boundary
(XLA's CPU sort is far slower than NumPy's, see ``bench/transfer.py``) and a JAX one that is
jit/vmap-able (sort + ``searchsorted`` for large ``N``, a fused ``O(N²)`` comparison for small
``N``), used when the input is traced.

References:
    D. Salinas, H. Shen, V. Perrone. "A quantile-based approach for hyperparameter transfer
    learning." ICML 2020.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtri
from jaxtyping import Array, Bool, Float, Int

from mohb_jax._src.validate import check_points, is_concrete

# Up to this many points the JAX path counts with a fused O(N²) comparison instead of XLA's CPU
# sort. bench/transfer.py measured the sort path faster from N = 64 on (results_transfer.md).
_DENSE_MAX_N = 32


def copula_delta(n):
    """Winsorization level ``δ(n) = 1 / (4 n^{1/4} √(π log n))`` of the copula transform.

    Args:
        n: number of valid values (``≥ 2``), scalar or array.

    Returns:
        ``δ`` with the shape of ``n`` (``+inf`` for ``n ≤ 1``, where it is undefined).

    References:
        Salinas, Shen & Perrone, ICML 2020, Sec. 4 (after Liu, Lafferty & Wasserman, 2009).
    """
    n = jnp.asarray(n, dtype=jnp.result_type(float))
    return 1.0 / (4.0 * n**0.25 * jnp.sqrt(jnp.pi * jnp.log(n)))


def _counts_dense(y: Float[Array, " n"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    below = (y[None, :] < y[:, None]) & mask[None, :]
    return jnp.sum(below, axis=1, dtype=jnp.int32)


def _counts_sorted(y: Float[Array, " n"], mask: Bool[Array, " n"]) -> Int[Array, " n"]:
    # masked entries become +inf, so they sort last and are never strictly below a valid value
    # (a valid +inf counts every finite valid value below it, as it should).
    s = jnp.sort(jnp.where(mask, y, jnp.inf))
    return jnp.searchsorted(s, y, side="left").astype(jnp.int32)


@jax.jit
def _z_from_counts(counts, n, mask, dtype_like):
    dtype = dtype_like.dtype
    nf = n.astype(dtype)
    delta = copula_delta(jnp.maximum(nf, 2.0)).astype(dtype)
    u = jnp.clip(counts.astype(dtype) / jnp.maximum(nf, 1.0), delta, 1.0 - delta)
    z = ndtri(u)
    # n < 2: δ is undefined; such a slice carries no ranking information -> z = 0.
    return jnp.where(mask & (n >= 2), z, 0.0).astype(dtype)


def _copula_1d(y: Float[Array, " n"], mask: Bool[Array, " n"]) -> Float[Array, " n"]:
    n = jnp.sum(mask, dtype=jnp.int32)
    counts = _counts_dense(y, mask) if y.shape[0] <= _DENSE_MAX_N else _counts_sorted(y, mask)
    dtype = y.dtype if jnp.issubdtype(y.dtype, jnp.floating) else jnp.result_type(float)
    return _z_from_counts(counts, n, mask, jnp.zeros((), dtype))


@jax.jit
def _copula_jax(y, mask):
    """[..., N, M] -> [..., N, M], vmapped over objectives and all leading axes."""
    f = jax.vmap(_copula_1d, in_axes=(1, None), out_axes=1)  # over objectives
    for _ in range(y.ndim - 2):
        f = jax.vmap(f)
    return f(y, mask)


def _counts_numpy(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Strictly-below counts along axis -2 of ``y[..., N, M]`` with NumPy (masked → +inf).

    One vectorized sort per call: in sorted order, the count of a value is the position of
    the first element equal to it (a running maximum of the positions where the value changes).
    """
    ym = np.where(mask[..., None], y, np.inf)
    order = np.argsort(ym, axis=-2, kind="stable")
    s = np.take_along_axis(ym, order, axis=-2)
    n = y.shape[-2]
    pos = np.arange(n, dtype=np.int32).reshape((1,) * (y.ndim - 2) + (n, 1))
    change = np.ones(s.shape, dtype=bool)
    change[..., 1:, :] = s[..., 1:, :] != s[..., :-1, :]
    first = np.maximum.accumulate(np.where(change, pos, 0), axis=-2).astype(np.int32)
    out = np.empty_like(first)
    np.put_along_axis(out, order, first, axis=-2)
    return out


def copula_transform(
    y: Float[Array, "*batch n m"],
    mask: Bool[Array, "*batch n"] | None = None,
    *,
    backend: str = "auto",
) -> Float[Array, "*batch n m"]:
    """Gaussian-copula transform per task and per objective, along the point axis ``-2``.

    Every leading axis (tasks, seeds, ...) and the objective axis are independent slices: each
    slice ``y[..., :, j]`` is transformed with its own ``n`` = number of unmasked entries.

    Args:
        y: ``float[..., N, M]`` objective values (any direction; the transform is monotone
            increasing in ``y``). ``+inf`` is allowed (ranks last); NaN / ``-inf`` are rejected
            in unmasked rows.
        mask: optional ``bool[..., N]``; False rows are ignored (they neither count in ``n`` nor
            in anyone's rank) and get ``z = 0``.
        backend: ``"auto"`` (NumPy ranks when the input is concrete, JAX when traced),
            ``"numpy"`` or ``"jax"`` (always jit/vmap-able). All give the same counts.

    Returns:
        ``float[..., N, M]``: ``z = Φ⁻¹(clip(#{y' < y} / n, δ(n), 1 − δ(n)))``; 0 on masked rows.

    Raises:
        ValueError: bad shapes, NaN / ``-inf`` in an unmasked row, or (eagerly) a slice with
            fewer than 2 valid values, where ``δ`` is undefined. Under tracing such a slice
            yields ``z = 0`` (no information). A constant slice is valid: all its values tie,
            ``u = 0`` is truncated to ``δ`` and every entry gets ``z = Φ⁻¹(δ)``.

    References:
        Salinas, Shen & Perrone, "A quantile-based approach for hyperparameter transfer
        learning", ICML 2020.
    """
    if backend not in ("auto", "numpy", "jax"):
        raise ValueError(f"backend must be 'auto', 'numpy' or 'jax'; got {backend!r}")
    check_points(y, mask)
    if mask is None:
        mask = jnp.ones(np.shape(y)[:-1], dtype=bool)
    concrete = is_concrete(y, mask)
    if concrete:
        n = np.sum(np.asarray(mask, dtype=bool), axis=-1)
        if np.any(n < 2):
            idx = tuple(int(i) for i in np.argwhere(n < 2)[0])
            raise ValueError(
                f"copula_transform needs at least 2 valid values per slice; slice {idx} has "
                f"{int(n[idx])} (δ(n) = 1/(4 n^(1/4) sqrt(pi log n)) is undefined for n < 2)"
            )
    if backend == "numpy" or (backend == "auto" and concrete):
        if not concrete:
            raise ValueError("backend='numpy' needs concrete arrays; use backend='jax' under jit")
        ya = np.asarray(y)
        if not np.issubdtype(ya.dtype, np.floating):
            ya = ya.astype(np.float32)
        ma = np.asarray(mask, dtype=bool)
        counts = _counts_numpy(ya, ma)
        nn = np.sum(ma, axis=-1, dtype=np.int32)[..., None, None]
        # pad the point axis to a power of two so that tables with many different task sizes
        # reuse a few compiled probit kernels (each new shape would recompile)
        n_pts = counts.shape[-2]
        n_pad = max(16, 1 << (n_pts - 1).bit_length()) - n_pts
        widths = [(0, 0)] * (counts.ndim - 2) + [(0, n_pad), (0, 0)]
        z = _z_from_counts(
            jnp.asarray(np.pad(counts, widths)),
            jnp.asarray(nn),
            jnp.asarray(np.pad(ma, widths[:-1]))[..., None],
            jnp.asarray(np.zeros((), ya.dtype)),
        )
        return z[..., :n_pts, :]
    return _copula_jax(jnp.asarray(y), jnp.asarray(mask, dtype=bool))
