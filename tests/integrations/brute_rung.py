"""Brute-force rung order for the integration tests (an oracle independent of mohb_jax).

Fronts by pairwise Pareto domination; inside a front the greedy ε-net: the member with the
lowest first objective (ties: lowest row), then repeatedly the member whose minimum Euclidean
distance to the members already taken is largest (ties: lowest row); distances on min-max
normalized objectives (``normalize=True``) or raw values.
"""

from __future__ import annotations

import numpy as np


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a <= b) and np.any(a < b))


def brute_order(y: np.ndarray, normalize: bool = True) -> list[int]:
    """Row indices, best first."""
    y = np.asarray(y, np.float64)
    n = len(y)
    if normalize:
        lo, hi = y.min(0), y.max(0)
        z = np.where(hi > lo, (y - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    else:
        z = y
    left, order = set(range(n)), []
    while left:
        front = sorted(i for i in left if not any(dominates(y[j], y[i]) for j in left))
        taken = [min(front, key=lambda i: (y[i, 0], i))]
        while len(taken) < len(front):
            rest = [i for i in front if i not in taken]
            d = [min(np.linalg.norm(z[i] - z[j]) for j in taken) for i in rest]
            taken.append(rest[int(np.argmax(d))])  # argmax: first (lowest row) of the ties
        order += taken
        left -= set(front)
    return order


def brute_position(y: np.ndarray, t: int, normalize: bool = True) -> int:
    """Position (0 = best) of row ``t`` in the rung order."""
    return brute_order(y, normalize).index(t)
