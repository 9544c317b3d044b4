"""Plots of sweep results (matplotlib is an extra: ``pip install mohb_jax[plot]``).

Two figures: the anytime hypervolume per method with its confidence band (as in Schmucker et
al., arXiv 2106.12639, and Salinas et al., arXiv 2106.05680), and the Pareto front found by one
run against the table's true front. Matplotlib is imported lazily, inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mohb_jax.tables import pareto_mask_np

from .metrics import objective_matrix

__all__ = ["plot_hypervolume", "plot_front", "plot_hv_report", "plot_fronts", "pareto_mask_np"]


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


def _log_scale(v: np.ndarray) -> bool:
    """True when positive values span more than two decades (a log axis reads better)."""
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    return len(v) > 1 and bool((v > 0).all()) and float(v.max() / v.min()) > 100.0


_X_LABEL = {"time": "simulated wall-clock time [s]", "cost": "cumulative cost [$]"}


def plot_hv_report(
    traces: pd.DataFrame,
    *,
    xs: Sequence[str] = ("time", "cost"),
    target: float | None = None,
    normalized: bool = True,
    baseline: str | None = None,
    title: str | None = None,
    group: str = "method",
    note: str | None = None,
):
    """The report's HV figure: HV vs simulated time and vs dollars (columns), with 95 %
    bootstrap bands of the mean over seeds, on log x axes.

    Top row: HV (a fraction of the best reachable HV when ``normalized``) with the baseline's
    target as a dotted line. Bottom row: what is still missing, ``1 − HV`` on a log axis
    (``best final HV of the sweep − HV`` when not normalized), where late differences show.

    ``note`` (e.g. the headline speed-up) is written in the first panel.

    Returns:
        The matplotlib figure.
    """
    from .metrics import aggregate_curves, final_hypervolume

    plt = _plt()
    xs = list(xs)
    fig, axs = plt.subplots(2, len(xs), figsize=(6.0 * len(xs), 7.6), dpi=100, squeeze=False)
    top = 1.0 if normalized else float(final_hypervolume(traces)["hv"].max())
    methods = list(dict.fromkeys(traces[group]))
    colors = {}
    k = 0
    for m in methods:
        if m == baseline:
            colors[m] = "0.35"
        else:
            colors[m] = f"C{k}"
            k += 1
    for j, x in enumerate(xs):
        v = traces[x].to_numpy(dtype=np.float64)
        x0 = float(v[v > 0].min()) if (v > 0).any() else 1e-9
        grid = np.geomspace(x0, max(float(v.max()), x0 * 1.01), 200)
        agg = aggregate_curves(traces, x=x, grid=grid, group=group)
        for row in (0, 1):
            ax = axs[row, j]
            for m, g in agg.groupby(group, sort=False):
                mean, lo, hi = (g[c].to_numpy() for c in ("mean", "lo", "hi"))
                if row == 1:
                    floor = 1e-4 * top
                    mean, lo, hi = (np.maximum(top - a, floor) for a in (mean, hi, lo))
                ls = "--" if m == baseline else "-"
                n = int(g["n_seeds"].iloc[0])
                ax.plot(g[x], mean, color=colors[m], ls=ls, lw=2.0, label=f"{m} (n={n})")
                ax.fill_between(g[x], lo, hi, color=colors[m], alpha=0.18, lw=0)
            if target is not None:
                tv = target if row == 0 else max(top - target, 1e-4 * top)
                ax.axhline(tv, color="k", ls=":", lw=1.0, label=f"{baseline} target")
            ax.set_xscale("log")
            ax.set_xlabel(_X_LABEL.get(x, x))
            ax.grid(alpha=0.3, which="both" if row == 1 else "major")
            if row == 0:
                ax.set_ylabel("HV / best reachable HV" if normalized else "HV (fixed ref. point)")
                if normalized:
                    ax.set_ylim(-0.02, 1.02)
                ax.legend(fontsize=8, loc="upper left")
            else:
                ax.set_yscale("log")
                ax.set_ylabel(
                    "1 − HV / best (missing part of the front)"
                    if normalized
                    else f"{top:.4g} − HV (gap to the best run)"
                )
    if note:
        axs[0, 0].text(
            0.98,
            0.04,
            note,
            transform=axs[0, 0].transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
            bbox={"boxstyle": "round", "fc": "white", "ec": "0.7"},
        )
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def _hardware_colors(df: pd.DataFrame, columns: list[str]):
    """(label per row, colour key per row, legend title) for colouring points by hardware."""
    if not columns:
        return None, None, None
    from .report import hardware_label

    labels = [hardware_label(r, columns) for _, r in df[columns].iterrows()]
    if len(set(labels)) <= 8:
        return labels, labels, "hardware"
    txt = [c for c in columns if df[c].dtype == object or str(df[c].dtype).startswith("str")]
    key = columns[0] if not txt else txt[0]
    return labels, [str(v) for v in df[key]], key


def plot_fronts(
    df: pd.DataFrame,
    runs: dict[str, int],
    objectives: Sequence[str],
    directions: Sequence[str],
    *,
    true_front: pd.DataFrame | None = None,
    hardware_columns: Sequence[str] = (),
    title: str | None = None,
):
    """One panel per ``{method: seed}`` run: its results coloured by hardware, marker size by
    fidelity, its 2-D Pareto front and the table's reachable front (dashed). Axes spanning more
    than two decades are logarithmic; all panels share their axes.

    Returns:
        The matplotlib figure.
    """
    plt = _plt()
    objectives, directions = list(objectives), list(directions)
    hw = list(hardware_columns)
    sel = pd.concat(
        [df[(df["method"] == m) & (df["seed"] == s)] for m, s in runs.items()], ignore_index=True
    )
    _, keys, legend_title = _hardware_colors(sel, hw)
    uniq = sorted(set(keys)) if keys is not None else []
    cmap = plt.get_cmap("tab10" if len(uniq) <= 10 else "tab20")
    color_of = {k: cmap(i % cmap.N) for i, k in enumerate(uniq)}
    fig, axs = plt.subplots(
        1,
        len(runs),
        figsize=(5.6 * len(runs), 4.8),
        dpi=100,
        squeeze=False,
        sharex=True,
        sharey=True,
    )
    allv = [sel[objectives].to_numpy(dtype=np.float64)]
    if true_front is not None and len(true_front):
        allv.append(true_front[objectives].to_numpy(dtype=np.float64))
    allv = np.concatenate(allv)
    fmax = float(sel["fidelity"].max()) if "fidelity" in sel else 1.0
    for ax, (m, s) in zip(axs[0], runs.items(), strict=True):
        idx = np.flatnonzero(((sel["method"] == m) & (sel["seed"] == s)).to_numpy())
        run = sel.iloc[idx]
        orig = run[objectives].to_numpy(dtype=np.float64)
        size = 8 + 40 * (run["fidelity"].to_numpy() / fmax if "fidelity" in run else 1.0)
        if keys is not None:
            col = [color_of[keys[i]] for i in idx]
        else:
            col = "C0"
        ax.scatter(orig[:, 0], orig[:, 1], s=size, c=col, alpha=0.55, lw=0)
        y = objective_matrix(run, objectives, directions)
        f = orig[pareto_mask_np(y)]
        f = f[np.argsort(f[:, 0])]
        where = "post" if directions[0] == "min" else "pre"
        ax.step(f[:, 0], f[:, 1], where=where, color="k", lw=1.3, label="this run's front")
        if true_front is not None and len(true_front):
            tf = true_front[objectives].to_numpy(dtype=np.float64)
            tm = pareto_mask_np(objective_matrix(true_front, objectives, directions))
            tf = tf[tm][np.argsort(tf[tm][:, 0])]
            ax.step(tf[:, 0], tf[:, 1], where=where, color="crimson", lw=1.2, ls="--")
            ax.scatter(
                tf[:, 0], tf[:, 1], s=22, marker="x", color="crimson", label="best reachable front"
            )
        ax.set_title(f"{m}, seed {s} ({len(run)} results)", fontsize=10)
        ax.set_xlabel(
            f"{objectives[0]} ({'higher' if directions[0] == 'max' else 'lower'} is better)"
        )
        ax.grid(alpha=0.3, which="both")
    axs[0, 0].set_ylabel(
        f"{objectives[1]} ({'higher' if directions[1] == 'max' else 'lower'} is better)"
    )
    if _log_scale(allv[:, 0]):
        axs[0, 0].set_xscale("log")
    if _log_scale(allv[:, 1]):
        axs[0, 0].set_yscale("log")
    handles, labels = axs[0, 0].get_legend_handles_labels()
    for k in uniq:
        handles.append(
            plt.Line2D([], [], marker="o", ls="", color=color_of[k], markersize=6, alpha=0.8)
        )
        labels.append(k)
    fig.legend(
        handles,
        labels,
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        fontsize=8,
        title=legend_title or None,
        frameon=False,
    )
    if title:
        fig.suptitle(title + " — marker size = fidelity", fontsize=11)
    fig.tight_layout()
    return fig
