"""Plots of sweep results (matplotlib is an extra: ``pip install mohb_jax[plot]``).

Two figures: the anytime hypervolume per method with its confidence band (as in Schmucker et
al., arXiv 2106.12639, and Salinas et al., arXiv 2106.05680), and the Pareto front found by one
run against the table's true front. Matplotlib is imported lazily, inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .metrics import objective_matrix

__all__ = ["plot_hypervolume", "plot_front", "pareto_mask_np"]


def _plt():
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in ("agg",) and not _has_display():
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'mohb_jax[plot]'") from e
    return plt


def _has_display() -> bool:
    import os

    return bool(os.environ.get("DISPLAY")) or "inline" in os.environ.get("MPLBACKEND", "")


def plot_hypervolume(
    agg: pd.DataFrame,
    *,
    x: str = "time",
    group: str = "method",
    ax=None,
    title: str | None = None,
    log_x: bool = False,
    gap_to: float | None = None,
):
    """HV over ``x`` per method: mean line and confidence band.

    Args:
        agg: output of :func:`mohb_jax.metrics.aggregate_curves` (columns ``group, x, mean,
            lo, hi, n_seeds``).
        x: "time" or "cost" (axis label: simulated seconds / dollars).
        group: the column that names the methods.
        ax: matplotlib axes (a new figure when None).
        title: axes title.
        log_x: logarithmic x axis (non-positive grid points are dropped).
        gap_to: if given, plot the gap ``gap_to - HV`` on a log y axis instead of HV (e.g.
            the best final HV of the sweep): differences late in a run stay visible when
            every curve saturates near the same value. Gaps are floored at ``1e-6·gap_to``.

    Returns:
        The matplotlib axes.
    """
    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for name, g in agg.groupby(group, sort=False):
        g = g[g[x] > 0] if log_x else g
        n = int(g["n_seeds"].iloc[0])
        mean, lo, hi = g["mean"].to_numpy(), g["lo"].to_numpy(), g["hi"].to_numpy()
        if gap_to is not None:
            floor = 1e-6 * abs(gap_to)
            mean, lo, hi = (np.maximum(gap_to - v, floor) for v in (mean, hi, lo))
        (line,) = ax.plot(g[x], mean, label=f"{name} (n={n})", lw=1.6)
        ax.fill_between(g[x], lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel(
        "simulated wall-clock time [s]"
        if x == "time"
        else "cumulative cost [$]"
        if x == "cost"
        else x
    )
    if gap_to is None:
        ax.set_ylabel("hypervolume (fixed reference point)")
    else:
        ax.set_ylabel(f"HV gap to {gap_to:.4g} (log)")
        ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right" if gap_to is None else "lower left")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def pareto_mask_np(y: np.ndarray) -> np.ndarray:
    """Non-dominated rows of ``float[N, M]`` (minimization); brute force O(N²), for plots."""
    y = np.asarray(y, dtype=np.float64)
    le = (y[:, None, :] <= y[None, :, :]).all(-1)
    lt = (y[:, None, :] < y[None, :, :]).any(-1)
    dominated = (le & lt).any(0)
    return ~dominated


def plot_front(
    run: pd.DataFrame,
    objectives: Sequence[str],
    directions: Sequence[str] | None = None,
    *,
    true_front: np.ndarray | pd.DataFrame | None = None,
    ax=None,
    title: str | None = None,
    label: str = "run",
):
    """Final Pareto front of one run (2 objectives shown) against the table's true front.

    Args:
        run: results of one run (one method, one seed).
        objectives: the two objective columns to show (original units).
        directions: their directions (default "min"); fronts are computed accordingly.
        true_front: optional ``float[K, 2]`` (original units) or a frame with the objective
            columns: the table's true front (e.g. ``Table.true_front``).
        ax: matplotlib axes (a new figure when None).
        title: axes title.
        label: legend label of the run.

    Returns:
        The matplotlib axes.
    """
    objectives = list(objectives)
    if len(objectives) != 2:
        raise ValueError(f"plot_front shows 2 objectives; got {objectives}")
    directions = list(directions) if directions is not None else ["min", "min"]
    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(5.4, 4.2), dpi=110)
    y = objective_matrix(run, objectives, directions)
    orig = run[objectives].to_numpy(dtype=np.float64)
    ax.scatter(orig[:, 0], orig[:, 1], s=6, color="0.75", label=f"{label}: all results")
    pm = pareto_mask_np(y)
    # staircase of the dominated region's boundary, drawn left to right in original units:
    # sorted by the shown x value; with a "max" x the level of a step is the next point's.
    where = "post" if directions[0] == "min" else "pre"
    f = orig[pm][np.argsort(orig[pm, 0])]
    ax.step(f[:, 0], f[:, 1], where=where, color="C0", lw=1.2)
    ax.scatter(f[:, 0], f[:, 1], s=18, color="C0", label=f"{label}: Pareto front")
    if true_front is not None:
        tf = (
            true_front[objectives].to_numpy(dtype=np.float64)
            if isinstance(true_front, pd.DataFrame)
            else np.asarray(true_front, dtype=np.float64)
        )
        tf = tf[np.argsort(tf[:, 0])]
        ax.step(tf[:, 0], tf[:, 1], where=where, color="C3", lw=1.0, ls="--")
        ax.scatter(
            tf[:, 0],
            tf[:, 1],
            s=14,
            marker="x",
            color="C3",
            label="true front (table: seed mean, max fidelity)",
        )
    ax.set_xlabel(f"{objectives[0]} ({directions[0]})")
    ax.set_ylabel(f"{objectives[1]} ({directions[1]})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
