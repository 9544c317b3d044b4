"""Reusable hypothesis strategies for testing Pareto logic (minimization point sets).

Needs the ``test`` extra (``pip install 'mohb_jax[test]'``), which provides hypothesis.

Strategies return NumPy arrays, so they can feed any implementation under test:

- :func:`points`: a ``float64[N, M]`` point set of a chosen ``kind``: ``"uniform"`` (random
  floats), ``"grid"`` (small integer grid: many ties and duplicates), ``"front"`` (mutually
  non-dominated points: integer vectors with a constant coordinate sum), ``"chain"`` (totally
  ordered points: N fronts), or ``"mixed"`` (any of these).
- :func:`padded_points`: ``(y[P, M], mask[P])`` padded to a size from a small fixed set
  (bounded number of jit compilations); padding rows hold garbage, including NaN and ``-inf``.
- :func:`batched_points`: ``(y[B, P, M], mask[B, P])`` for vmap tests.

Example:
    >>> from hypothesis import given
    >>> from mohb_jax.testing import padded_points
    >>> @given(padded_points(m=2))
    ... def test_something(ym):
    ...     y, mask = ym
"""

from __future__ import annotations

try:
    import hypothesis.extra.numpy as hnp
    import hypothesis.strategies as st
except ImportError as e:  # pragma: no cover - exercised only without the test extra
    raise ImportError(
        "mohb_jax.testing needs hypothesis, which is not installed; "
        "install the test extra: pip install 'mohb_jax[test]' (or pip install hypothesis)"
    ) from e

import numpy as np

__all__ = ["KINDS", "PAD_SIZES", "batched_points", "padded_points", "points"]

#: Padded sizes used by :func:`padded_points`: few shapes, so few recompilations.
PAD_SIZES = (1, 2, 7, 16, 33, 64)
#: Kinds of point sets :func:`points` can draw.
KINDS = ("uniform", "grid", "front", "chain", "mixed")


def _as_strategy(x, lo: int, hi: int):
    if x is None:
        return st.integers(lo, hi)
    if isinstance(x, int):
        return st.just(x)
    return x


@st.composite
def _points(draw, n, m, kind: str, allow_posinf: bool) -> np.ndarray:
    n = draw(n)
    m = draw(m)
    if kind == "mixed":
        kind = draw(st.sampled_from(("uniform", "grid", "front", "chain")))
    if kind == "uniform":
        el = st.floats(
            -1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=32
        )
        y = draw(hnp.arrays(np.float64, (n, m), elements=el))
    elif kind == "grid":
        levels = draw(st.integers(1, 4))
        y = draw(hnp.arrays(np.int64, (n, m), elements=st.integers(0, levels - 1)))
    elif kind == "front":
        # integer vectors with a constant sum: no two distinct ones dominate each other
        head = draw(hnp.arrays(np.int64, (n, max(m - 1, 0)), elements=st.integers(0, 20)))
        last = 10 * m - head.sum(axis=1, keepdims=True)
        y = np.concatenate([head, last], axis=1) if m > 1 else np.full((n, 1), 7)
    elif kind == "chain":
        # a totally ordered set: row values strictly increase with a random permutation
        perm = draw(st.permutations(range(n)))
        base = np.asarray(perm, dtype=np.int64)[:, None]
        offs = draw(hnp.arrays(np.int64, (m,), elements=st.integers(-5, 5)))
        y = base + offs[None, :]
    else:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    y = np.asarray(y, dtype=np.float64)
    if allow_posinf and n > 0 and draw(st.booleans()):
        inf = draw(hnp.arrays(np.bool_, (n, m), elements=st.booleans()))
        y = np.where(inf, np.inf, y)
    return y


def points(n=None, m=None, *, kind: str = "mixed", allow_posinf: bool = False):
    """Strategy for a minimization point set ``float64[N, M]``.

    Args:
        n: number of rows: an int, a strategy, or None for 1..64.
        m: number of objectives: an int, a strategy, or None for 1..4.
        kind: one of :data:`KINDS`.
        allow_posinf: sometimes replace entries by ``+inf`` (a diverged run).

    Returns:
        A hypothesis strategy of ``np.ndarray`` (float64).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    return _points(_as_strategy(n, 1, 64), _as_strategy(m, 1, 4), kind, allow_posinf)


@st.composite
def _padded(draw, sizes, m, kind, allow_posinf, garbage):
    size = draw(st.sampled_from(sizes))
    n = draw(st.integers(1, size))
    y = draw(_points(st.just(n), m, kind, allow_posinf))
    mm = y.shape[1]
    out = np.empty((size, mm))
    mask = np.zeros(size, dtype=bool)
    where = np.sort(draw(st.permutations(range(size)))[:n]) if n < size else np.arange(size)
    out[where] = y
    mask[where] = True
    pad = ~mask
    if garbage:
        pool = np.array([np.nan, -np.inf, np.inf, -1e9, 0.0, 1e9])
        g = draw(hnp.arrays(np.int64, (int(pad.sum()), mm), elements=st.integers(0, 5)))
        out[pad] = pool[g]
    else:
        out[pad] = 0.0
    return out, mask


def padded_points(
    sizes=PAD_SIZES,
    m=None,
    *,
    kind: str = "mixed",
    allow_posinf: bool = False,
    garbage: bool = True,
):
    """Strategy for ``(y float64[P, M], mask bool[P])``: a point set padded to a fixed size.

    ``P`` is drawn from ``sizes``; the valid rows (``mask=True``) are scattered at random
    positions. With ``garbage=True`` padding rows hold NaN, ``±inf`` and huge values, which a
    correct kernel must ignore.

    Args:
        sizes: allowed padded sizes.
        m: number of objectives: int, strategy or None (1..4).
        kind: one of :data:`KINDS`.
        allow_posinf: sometimes put ``+inf`` in valid rows.
        garbage: fill padding with adversarial values (else zeros).

    Returns:
        A hypothesis strategy of ``(np.ndarray, np.ndarray)``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    return _padded(tuple(sizes), _as_strategy(m, 1, 4), kind, allow_posinf, garbage)


@st.composite
def _batched(draw, batch, size, m, kind, allow_posinf):
    b = draw(batch)
    m = draw(m)
    ys, masks = [], []
    for _ in range(b):
        y, mask = draw(_padded((size,), st.just(m), kind, allow_posinf, True))
        ys.append(y)
        masks.append(mask)
    return np.stack(ys), np.stack(masks)


def batched_points(
    batch=None, size: int = 16, m=None, *, kind: str = "mixed", allow_posinf: bool = False
):
    """Strategy for ``(y float64[B, P, M], mask bool[B, P])``: B padded problems of one size.

    Args:
        batch: number of problems: int, strategy or None (1..5).
        size: the padded size P shared by all problems.
        m: number of objectives: int, strategy or None (1..4).
        kind: one of :data:`KINDS`.
        allow_posinf: sometimes put ``+inf`` in valid rows.

    Returns:
        A hypothesis strategy of ``(np.ndarray, np.ndarray)``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    return _batched(_as_strategy(batch, 1, 5), size, _as_strategy(m, 1, 4), kind, allow_posinf)
