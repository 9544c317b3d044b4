"""Bracket schedules of Hyperband and ASHA, and their mapping onto a discrete fidelity grid.

Hyperband (Li et al., 2018) runs brackets ``s = s_max, ..., 0`` of successive halving; bracket
``s`` starts ``n_s = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations at resource
``r_s = r_max * eta**-s`` and its rung ``i`` keeps ``floor(n_s * eta**-i)`` of them at resource
``r_s * eta**i``. ASHA (Li et al., 2020) uses the same rung levels ``r_min * eta**k``
asynchronously; its bracket ``b`` (Syne Tune's numbering) starts at level ``b``.

We index brackets by the **level they start at**: bracket ``b = 0`` is the most aggressive one
(Li et al.'s ``s = s_max``), bracket ``b = K - 1`` runs every configuration at the maximum
fidelity (``s = 0``). Level ``k`` is shared by all brackets that contain it.

On a table the fidelities form a discrete grid. Our rule (documented choice): each level
``r_min * eta**k`` (for ``k = 0, 1, ...`` while it is ``< r_max``, then ``r_max`` itself) is
mapped to the **smallest grid value >= the level** (relative tolerance 1e-9), and levels that
land on the same grid index are merged (kept once). The number of levels ``K`` is counted after
that merge, so Hyperband's bracket sizes use ``s_max = K - 1``.

References:
    Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar. "Hyperband: A Novel Bandit-Based Approach
    to Hyperparameter Optimization." JMLR 18 (2018), Table 1 / Algorithm 1.
    Li, Jamieson, Rostamizadeh, Gonina, Ben-Tzur, Hardt, Recht, Talwalkar. "A System for
    Massively Parallel Hyperparameter Tuning." MLSys 2020 (ASHA).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def rung_levels(r_min: float, r_max: float, eta: float) -> np.ndarray:
    """Rung levels ``r_min * eta**k`` below ``r_max``, followed by ``r_max``.

    Args:
        r_min: smallest resource (> 0).
        r_max: largest resource (>= r_min).
        eta: reduction factor (> 1).

    Returns:
        float64[K] strictly increasing levels, the last one equal to ``r_max``.

    Raises:
        ValueError: on non-positive ``r_min``, ``r_max < r_min`` or ``eta <= 1``.
    """
    _check(r_min, r_max, eta)
    levels = []
    k = 0
    while True:
        r = r_min * eta**k
        # tolerance: r_min * eta**k computed in floating point may land a hair above r_max
        if r >= r_max * (1 - 1e-9):
            break
        levels.append(r)
        k += 1
    levels.append(float(r_max))
    return np.asarray(levels, dtype=np.float64)


def hyperband_brackets(r_min: float, r_max: float, eta: float) -> list[list[tuple[int, float]]]:
    """Hyperband's brackets as in Li et al. (2018), Table 1: ``[(n_i, r_i), ...]`` per bracket.

    Brackets are listed in Hyperband's order ``s = s_max, ..., 0`` (most aggressive first),
    with ``s_max = floor(log_eta(r_max / r_min))`` (up to a 1e-9 tolerance).

    Args:
        r_min: smallest resource.
        r_max: largest resource.
        eta: reduction factor.

    Returns:
        One list per bracket of ``(number of configurations, resource)`` per rung.

    Example:
        ``hyperband_brackets(1, 81, 3)[0] == [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]``.
    """
    _check(r_min, r_max, eta)
    s_max = int(math.floor(math.log(r_max / r_min) / math.log(eta) + 1e-9))
    out = []
    for s in range(s_max, -1, -1):
        n = int(math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9))
        r = r_max * eta ** (-s)
        out.append([(int(math.floor(n * eta ** (-i) + 1e-9)), r * eta**i) for i in range(s + 1)])
    return out


def map_to_grid(levels: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Grid index of each level: the smallest grid value ``>=`` the level, merged when equal.

    Args:
        levels: float[K] increasing resource levels.
        grid: float[F] strictly increasing fidelity values.

    Returns:
        int64[K'] strictly increasing grid indices (``K' <= K``), the last one ``F - 1`` when
        the last level is the grid's maximum.

    Raises:
        ValueError: a level above the largest grid value.
    """
    grid = np.asarray(grid, dtype=np.float64)
    levels = np.asarray(levels, dtype=np.float64)
    tol = 1e-9 * np.maximum(np.abs(levels), 1.0)
    idx = np.searchsorted(grid, levels - tol, side="left")
    if np.any(idx >= len(grid)):
        bad = levels[idx >= len(grid)]
        raise ValueError(f"rung level(s) {bad.tolist()} above the largest fidelity {grid[-1]}")
    return np.unique(idx)


@dataclass(frozen=True)
class Schedule:
    """Static rung structure of a (MO-)Hyperband / ASHA scheduler on a fidelity grid.

    Attributes:
        eta: reduction factor.
        levels: int32[K] grid index of each rung level (strictly increasing, last = max).
        n_brackets: B; bracket ``b`` uses levels ``b, ..., K - 1`` (``B <= K``).
        sizes: int32[B, K] Hyperband's number of configurations of bracket ``b`` at level
            ``k`` (0 for levels outside the bracket): ``n_i = floor(n * eta**-i)`` with
            ``n = ceil(K / (s + 1) * eta**s)``, ``s = K - 1 - b`` (Li et al., 2018).
        bracket_probs: float64[B] ASHA's probability of each bracket for a new trial:
            proportional to ``exp(#levels of the bracket - max)`` (Syne Tune's MOASHA rule).
        fidelities: float64[F] the grid.
    """

    eta: float
    levels: np.ndarray
    n_brackets: int
    sizes: np.ndarray
    bracket_probs: np.ndarray
    fidelities: np.ndarray

    @property
    def n_levels(self) -> int:
        return len(self.levels)

    def bracket_levels(self, b: int) -> np.ndarray:
        """Grid indices of the rungs of bracket ``b``."""
        return self.levels[b:]


def make_schedule(
    fidelities,
    *,
    eta: float = 3,
    r_min: float | None = None,
    r_max: float | None = None,
    n_brackets: int | None = None,
    single_rung: bool = False,
) -> Schedule:
    """Rung levels on a fidelity grid, Hyperband bracket sizes and ASHA bracket probabilities.

    Args:
        fidelities: float[F] strictly increasing fidelity grid (``Table.fidelities``).
        eta: reduction factor (> 1).
        r_min: smallest rung level (default: the smallest grid value).
        r_max: largest rung level (default: the largest grid value); must be on the grid.
        n_brackets: number of brackets ``B`` (default: all ``K``); clipped to ``K`` is not done
            silently: ``B > K`` raises.
        single_rung: only the maximum level (random search / no early stopping).

    Returns:
        The :class:`Schedule`.

    Raises:
        ValueError: bad ``eta`` / ``r_min`` / ``r_max`` / ``n_brackets``.
    """
    grid = np.asarray(fidelities, dtype=np.float64)
    if grid.ndim != 1 or len(grid) == 0 or np.any(np.diff(grid) <= 0):
        raise ValueError(f"fidelities must be a non-empty strictly increasing 1-D grid; got {grid}")
    r_min = float(grid[0]) if r_min is None else float(r_min)
    r_max = float(grid[-1]) if r_max is None else float(r_max)
    _check(r_min, r_max, eta)
    if not np.any(np.isclose(grid, r_max, rtol=1e-9, atol=0)):
        raise ValueError(f"r_max={r_max} is not a value of the fidelity grid {grid.tolist()}")
    if single_rung:
        levels = map_to_grid(np.array([r_max]), grid)
    else:
        levels = map_to_grid(rung_levels(r_min, r_max, eta), grid)
    K = len(levels)
    B = K if n_brackets is None else int(n_brackets)
    if not 1 <= B <= K:
        raise ValueError(f"n_brackets must be in 1..{K} (number of rung levels); got {n_brackets}")
    sizes = np.zeros((B, K), dtype=np.int32)
    for b in range(B):
        s = K - 1 - b
        n = int(math.ceil(K / (s + 1) * eta**s - 1e-9))
        for i in range(s + 1):
            sizes[b, b + i] = int(math.floor(n * eta ** (-i) + 1e-9))
    n_lv = np.array([K - b for b in range(B)], dtype=np.float64)
    p = np.exp(n_lv - n_lv.max())
    return Schedule(
        eta=float(eta),
        levels=levels.astype(np.int32),
        n_brackets=B,
        sizes=sizes,
        bracket_probs=p / p.sum(),
        fidelities=grid,
    )


def _check(r_min, r_max, eta):
    if not (np.isfinite(r_min) and r_min > 0):
        raise ValueError(f"r_min must be a positive finite number; got {r_min}")
    if not (np.isfinite(r_max) and r_max >= r_min):
        raise ValueError(f"r_max must be finite and >= r_min={r_min}; got {r_max}")
    if not (np.isfinite(eta) and eta > 1):
        raise ValueError(f"eta must be > 1; got {eta}")
