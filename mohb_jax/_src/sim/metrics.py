"""Anytime metrics of a sweep, computed from its tidy results frame.

The quality of a multi-objective tuner is judged by the hypervolume (HV) of the results it
has seen so far, as a function of the resources spent: simulated wall-clock time and dollars
(Salinas et al., arXiv 2106.05680, report runtime and cost reductions; Schmucker et al.,
arXiv 2106.12639, plot HV over time). Unlike Syne Tune, which derives a reference point from
each run's own results, every curve here uses one *fixed* reference point per benchmark (the
table's ``Table.ref_point``), so curves of different seeds and methods are
comparable.

Definitions (our reading, documented here because the papers do not spell them out):

* **HV trace** of one run (one method, one seed): after the k-th result (arrival order), the
  HV of results 0..k in minimization space ("max" objectives negated). As a function of time,
  ``HV(t)`` is a right-continuous step function: the HV of every result with arrival time
  ``<= t``, and 0 before the first result. The same holds with cumulative cost as the x axis.
* **Aggregation**: each run's step function is read on a common grid; the band is either a
  percentile bootstrap over seeds of the mean (default) or mean ± z·s.e.m.
* **Time-to-target**: the first x (time or cost) at which a run's HV reaches ``target``
  (``HV >= target``). A run that never reaches it within its budget is **censored**: its
  time-to-target is ``+inf`` (and ``reached`` is False). It is not dropped: dropping censored
  runs would favour methods that rarely reach the target.
* **Speed-up** of a method over a baseline: ``stat(baseline) / stat(method)`` where ``stat``
  is a quantile (default: the median) over seeds of time-to-target, censored runs counting as
  ``+inf``. The median stays finite as long as fewer than half of the runs are censored; when
  the method's statistic is infinite the speed-up is 0, when the baseline's is infinite it is
  ``+inf`` (a lower bound would need the baseline to have run longer), both infinite: NaN.
  Confidence interval: percentile bootstrap, resampling the seeds of each method
  independently.
* **Default target**: the ``target_quantile`` (default 0.25) quantile of the baseline's final
  HV over seeds, i.e. a value that 75 % of the baseline's runs reach by the end of the budget,
  so that the baseline's own median time-to-target is finite.

References:
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680, 2021.
    Efron, Tibshirani. An Introduction to the Bootstrap. Chapman & Hall, 1993 (percentile
    bootstrap).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "objective_matrix",
    "resolve_objectives",
    "counted_mask",
    "hypervolume_traces",
    "reachable_front",
    "best_hypervolume",
    "curves_on_grid",
    "aggregate_curves",
    "final_hypervolume",
    "default_target",
    "time_to_target",
    "speedups",
]

_GROUP_CHUNK = 256  # groups per hypervolume_curve call (bounds memory; one padded shape)


def _as_list(by) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: column(s) {missing} not in the results frame; it has {list(df.columns)}"
        )


def objective_matrix(
    df: pd.DataFrame, objectives: Sequence[str], directions: Sequence[str] | None = None
) -> np.ndarray:
    """The results' objectives as a ``float64[N, M]`` minimization matrix.

    Args:
        df: results frame, objectives in the table's original units and directions.
        objectives: M column names.
        directions: M entries "min"/"max" ("max" columns are negated); default: the frame's
            attrs, by name (:func:`resolve_objectives`); unknown is an error.

    Returns:
        float64[N, M].

    Raises:
        ValueError: unknown column or direction, or a NaN / -inf / +inf value.
    """
    objectives = _as_list(objectives)
    if not objectives:
        raise ValueError("need at least one objective")
    _check_columns(df, objectives, "objectives")
    objectives, directions, _ = resolve_objectives(df, objectives, directions, ref=[])
    from mohb_jax._src.objectives import Objectives

    y = df[objectives].to_numpy(dtype=np.float64, copy=True)
    y = Objectives(tuple(objectives), tuple(directions)).to_min(y)
    finite = np.isfinite(y)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise ValueError(
            f"objective {objectives[c]!r} is {df[objectives[c]].iloc[r]} in row {r} of the "
            "results frame; every reported result must have finite objectives"
        )
    return y


def _pad_len(n: int) -> int:
    return max(8, 1 << int(np.ceil(np.log2(max(n, 1)))))


def _hv_curves(y: np.ndarray, ref: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``hypervolume_curve`` on a padded batch, in float64."""
    import jax

    try:
        from mohb_jax.hypervolume import hypervolume_curve
    except ImportError:  # public module not there (yet): the private implementation
        from mohb_jax._src.hypervolume import hypervolume_curve

    with jax.enable_x64(True):
        out = hypervolume_curve(
            jax.numpy.asarray(y, dtype=jax.numpy.float64),
            jax.numpy.asarray(ref, dtype=jax.numpy.float64),
            jax.numpy.asarray(mask),
        )
        return np.asarray(out, dtype=np.float64)


HV_FIDELITY = ("all", "max")


def resolve_objectives(
    df: pd.DataFrame,
    objectives: Sequence[str] | None = None,
    directions: Sequence[str] | None = None,
    ref: Sequence[float] | None = None,
) -> tuple[list[str], list[str], np.ndarray | None]:
    """Objective names, their directions and the reference point of a results frame.

    Whatever is not given is read from ``df.attrs["mohb_jax"]`` **by name** (the frame's
    ``objectives`` / ``directions`` / ``reference_point``, aligned with each other), so asking
    for a subset or a reordering of the sweep's objectives keeps each one's direction and
    reference value. An objective whose direction is neither given nor known from the attrs
    is an error (a "max" objective read as "min" would make every HV 0 without a word).

    Returns:
        ``(objectives, directions, ref)``; ``ref`` is float64[M] in minimization space, or
        None when neither given nor known for every objective.

    Raises:
        ValueError: no objectives, duplicates, a direction that is unknown or not "min"/"max",
            or lengths that disagree.
    """
    from mohb_jax._src.objectives import Objectives

    meta = df.attrs.get("mohb_jax", {}) if hasattr(df, "attrs") else {}
    known = list(meta.get("objectives") or [])
    kdirs = list(meta.get("directions") or [])
    kref = meta.get("reference_point")
    if objectives is None:
        if not known:
            raise ValueError(
                "the frame's attrs do not name its objectives: pass objectives= (and directions=)"
            )
        objectives = known
    objectives = _as_list(objectives)
    by_name = dict(zip(known, kdirs, strict=True)) if len(kdirs) == len(known) else {}
    if directions is None:
        obj = Objectives.parse(objectives, known=by_name)
    else:
        if len(list(directions)) != len(objectives):
            raise ValueError(
                f"got {len(list(directions))} directions for {len(objectives)} objectives"
            )
        obj = Objectives.parse(list(zip(objectives, directions, strict=True)), known=by_name)
    objectives, directions = list(obj.names), list(obj.directions)
    if ref is None and kref is not None and len(kref) == len(known):
        rk = dict(zip(known, kref, strict=True))
        if all(o in rk for o in objectives):
            ref = [rk[o] for o in objectives]
    return objectives, directions, None if ref is None else np.asarray(ref, dtype=np.float64)


def counted_mask(
    df: pd.DataFrame, hv_fidelity: str = "all", max_fidelity: float | None = None
) -> np.ndarray:
    """Which results count for the HV: ``bool[N]``.

    ``"all"``: every result at every fidelity (Syne Tune's convention: a cheap low-fidelity
    result on the front counts as found). ``"max"``: only results at the table's highest
    fidelity (``max_fidelity``, default ``df.attrs["mohb_jax"]["max_fidelity"]``), i.e. only
    fully trained configurations.
    """
    if hv_fidelity not in HV_FIDELITY:
        raise ValueError(f"hv_fidelity must be one of {HV_FIDELITY}; got {hv_fidelity!r}")
    if hv_fidelity == "all":
        return np.ones(len(df), dtype=bool)
    if max_fidelity is None:
        max_fidelity = df.attrs.get("mohb_jax", {}).get("max_fidelity")
    if max_fidelity is None:
        raise ValueError(
            "hv_fidelity='max' needs the table's highest fidelity: pass max_fidelity= (the "
            "frame's attrs do not record it)"
        )
    _check_columns(df, ["fidelity"], "hv_fidelity='max'")
    return np.isclose(df["fidelity"].to_numpy(dtype=np.float64), float(max_fidelity))


def hypervolume_traces(
    df: pd.DataFrame,
    *,
    objectives: Sequence[str] | None = None,
    ref: Sequence[float] | None = None,
    directions: Sequence[str] | None = None,
    by: Sequence[str] | str = ("method", "seed"),
    keep: Sequence[str] = ("time", "cost"),
    progress: bool = False,
    hv_fidelity: str = "all",
    max_fidelity: float | None = None,
    scale: float | None = None,
) -> pd.DataFrame:
    """HV after every result of every run (the anytime curve), with a fixed reference point.

    Args:
        df: results frame, one row per result, in arrival order within each run.
        objectives: M objective columns (default: ``df.attrs["mohb_jax"]["objectives"]``,
            which :func:`mohb_jax.simulate` fills).
        ref: float[M] reference point in **minimization space** (as stored in the table's
            ``Table.ref_point``: a "max" objective's reference is negated too);
            default: the frame's ``attrs["mohb_jax"]["reference_point"]``, matched by name.
        directions: M "min"/"max"; default: the frame's attrs, matched by name (see
            :func:`resolve_objectives`). An objective of unknown direction is an error.
        by: columns that identify one run (default method and seed).
        keep: columns copied into the output (x axes); missing ones are skipped.
        progress: show a tqdm progress bar over the runs (one update per chunk of 256 runs).
        hv_fidelity: which results count (:func:`counted_mask`): "all" (default) or "max".
            A result that does not count adds no volume but keeps its place in time.
        max_fidelity: the table's highest fidelity for ``hv_fidelity="max"`` (default from
            the attrs).
        scale: divide every HV by this (e.g. :func:`best_hypervolume` of the table, so that
            1.0 means "found the whole reachable front").

    Returns:
        DataFrame with the ``by`` columns, the ``keep`` columns and ``hv``, one row per result,
        runs in order of first appearance, results in arrival order.

    Raises:
        ValueError: missing columns, bad objectives (see :func:`objective_matrix`), a
            reference point of the wrong length or not finite, or time going backwards
            within a run (the frame is not in arrival order).
    """
    by = _as_list(by)
    _check_columns(df, by, "by")
    objectives, directions, ref = resolve_objectives(df, objectives, directions, ref)
    if ref is None:
        raise ValueError(
            "need ref (the frame's attrs do not give a reference point for "
            f"{objectives}: pass it explicitly)"
        )
    if scale is not None and not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number; got {scale}")
    counted = counted_mask(df, hv_fidelity, max_fidelity)
    y = objective_matrix(df, objectives, directions)
    if ref.shape != (y.shape[1],) or not np.isfinite(ref).all():
        raise ValueError(
            f"reference point must be {y.shape[1]} finite values (one per objective); got {ref}"
        )
    y[~counted] = ref  # a point at the reference point adds no volume
    keep = [c for c in keep if c in df.columns]
    gid = df.groupby(by, sort=False).ngroup().to_numpy() if by else np.zeros(len(df), int)
    order = np.argsort(gid, kind="stable")
    g_sorted = gid[order]
    n_groups = int(gid.max()) + 1 if len(gid) else 0
    counts = np.bincount(gid, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(order)) - starts[g_sorted]  # position within the run
    if "time" in df.columns and len(df):
        t = df["time"].to_numpy(dtype=np.float64)[order]
        back = (np.diff(t) < 0) & (np.diff(g_sorted) == 0)
        if back.any():
            i = order[int(np.argmax(back)) + 1]
            raise ValueError(
                f"time goes backwards at row {i} within its run: the results frame must be in "
                "arrival order"
            )
    hv_sorted = np.empty(len(order), dtype=np.float64)
    n_pad = _pad_len(int(counts.max()) if len(counts) else 1)
    m = y.shape[1]
    chunk = min(_GROUP_CHUNK, _pad_len(n_groups))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_groups, desc="HV traces", unit="run", leave=False)
    for g0 in range(0, n_groups, chunk):
        g1 = min(n_groups, g0 + chunk)
        sel = (g_sorted >= g0) & (g_sorted < g1)
        yy = np.zeros((chunk, n_pad, m))
        yy[...] = ref  # padding rows: masked, and at the reference point anyway
        mk = np.zeros((chunk, n_pad), dtype=bool)
        rows, cols = g_sorted[sel] - g0, pos[sel]
        yy[rows, cols] = y[order[sel]]
        mk[rows, cols] = True
        hv = _hv_curves(yy, ref, mk)
        hv_sorted[sel] = hv[rows, cols]
        if bar is not None:
            bar.update(g1 - g0)
    if bar is not None:
        bar.close()
    out = df.iloc[order][by + keep].reset_index(drop=True)
    out["hv"] = hv_sorted if scale is None else hv_sorted / float(scale)
    return out


def _default_objectives(table) -> list[str]:
    """The table's default objectives (``Table.default_objectives``)."""
    return list(table.default_objectives)


def reachable_front(
    table, objectives: Sequence[str] | None = None, *, task=0, hv_fidelity: str = "all"
) -> pd.DataFrame:
    """The Pareto front of every result a simulated run of ``table`` can report.

    The candidates are the table's own entries: every (configuration, table seed) whose
    evaluations exist at every fidelity (the simulator draws only such seeds), at every
    fidelity (``hv_fidelity="all"``) or at the highest one only (``"max"``). No tuner can
    report a point outside this set, so its HV (:func:`best_hypervolume`) bounds every run's.

    Returns:
        DataFrame sorted by the first objective: ``config``, ``table_seed``,
        ``fidelity_index``, ``fidelity`` and the objectives in their original units.
    """
    from mohb_jax.tables import pareto_mask_np

    if hv_fidelity not in HV_FIDELITY:
        raise ValueError(f"hv_fidelity must be one of {HV_FIDELITY}; got {hv_fidelity!r}")
    if objectives is None:
        objectives = _default_objectives(table)
    names = _as_list(objectives)
    oi = [table.objective_index(o) for o in names]
    ti = table.task_index(task)
    mask = np.asarray(table.mask[ti])  # [C, S, F]
    complete = mask.all(axis=-1)  # [C, S]
    fids = range(table.n_fidelities) if hv_fidelity == "all" else [table.n_fidelities - 1]
    c, s, f = np.nonzero(complete[:, :, None] & np.isin(np.arange(mask.shape[-1]), fids))
    y = np.asarray(table.values[ti], dtype=np.float64)[c, s, f][:, oi]  # minimization space
    ok = np.isfinite(y).all(axis=1)
    c, s, f, y = c[ok], s[ok], f[ok], y[ok]
    on = pareto_mask_np(y) if len(y) else np.zeros(0, bool)
    sign = np.array([-1.0 if table.directions[i] == "max" else 1.0 for i in oi])
    out = pd.DataFrame(y[on] * sign, columns=names)
    out.insert(0, "fidelity", np.asarray(table.fidelities, np.float64)[f[on]])
    out.insert(0, "fidelity_index", f[on])
    out.insert(0, "table_seed", s[on])
    out.insert(0, "config", c[on])
    return out.sort_values(names[0], ascending=bool(sign[0] > 0), kind="stable").reset_index(
        drop=True
    )


def best_hypervolume(
    table,
    objectives: Sequence[str] | None = None,
    *,
    ref: Sequence[float] | None = None,
    task=0,
    hv_fidelity: str = "all",
) -> float:
    """HV of :func:`reachable_front`: the most any tuner can reach on ``table`` (same counting
    rule, same fixed reference point), the denominator of the normalized HV.

    Args:
        table: the :class:`~mohb_jax.tables.Table` the runs were simulated on.
        objectives: objective names (default: the table's default objectives).
        ref: reference point in minimization space (default: the table's).
        task: task name or index.
        hv_fidelity: "all" or "max" (see :func:`counted_mask`).
    """
    if objectives is None:
        objectives = _default_objectives(table)
    names = _as_list(objectives)
    ref = table.reference_point(names) if ref is None else ref
    ref = np.asarray(ref, dtype=np.float64)
    front = reachable_front(table, names, task=task, hv_fidelity=hv_fidelity)
    if front.empty:
        return 0.0
    sign = np.array(
        [-1.0 if table.directions[table.objective_index(o)] == "max" else 1.0 for o in names]
    )
    y = front[names].to_numpy(dtype=np.float64) * sign
    return float(_hv_curves(y[None], ref, np.ones((1, len(y)), bool))[0, -1])


def _group_slices(traces: pd.DataFrame, by: list[str]):
    gid = traces.groupby(by, sort=False).ngroup().to_numpy()
    if len(gid) and np.any(np.diff(gid) < 0):
        raise ValueError("traces must be grouped by run (as hypervolume_traces returns them)")
    bounds = np.flatnonzero(np.diff(gid)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(gid)]])
    return starts, ends


def curves_on_grid(
    traces: pd.DataFrame,
    grid: np.ndarray,
    *,
    x: str = "time",
    by: Sequence[str] | str = ("method", "seed"),
) -> tuple[pd.DataFrame, np.ndarray]:
    """Read every run's HV step function at the points of ``grid``.

    ``HV(x) = hv of the last result with x_result <= x``; 0 before the first result.

    Args:
        traces: output of :func:`hypervolume_traces`.
        grid: float[T] x values.
        x: x-axis column ("time" or "cost"), non-decreasing within each run.
        by: columns that identify a run.

    Returns:
        ``(runs, values)``: a frame with one row per run (the ``by`` columns) and
        float64[n_runs, T].

    Raises:
        ValueError: missing columns, NaN in ``x``, ``x`` decreasing within a run.
    """
    by = _as_list(by)
    _check_columns(traces, by + [x, "hv"], "curves_on_grid")
    grid = np.asarray(grid, dtype=np.float64)
    xs = traces[x].to_numpy(dtype=np.float64)
    if np.isnan(xs).any():
        raise ValueError(f"column {x!r} has NaN (e.g. cost without a hardware catalog)")
    hv = traces["hv"].to_numpy(dtype=np.float64)
    starts, ends = _group_slices(traces, by)
    vals = np.zeros((len(starts), len(grid)))
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        xi = xs[a:b]
        if np.any(np.diff(xi) < 0):
            raise ValueError(f"{x!r} decreases within run {i}; it must be non-decreasing")
        idx = np.searchsorted(xi, grid, side="right") - 1
        vals[i] = np.where(idx >= 0, hv[a:b][np.maximum(idx, 0)], 0.0)
    runs = traces.iloc[starts][by].reset_index(drop=True)
    return runs, vals


def _bootstrap_mean_band(v: np.ndarray, n_boot: int, level: float, rng) -> tuple:
    n = v.shape[0]
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64) / n  # [B, n]
    means = w @ v  # [B, T]
    a = (1.0 - level) / 2
    return np.quantile(means, a, axis=0), np.quantile(means, 1 - a, axis=0)


def aggregate_curves(
    traces: pd.DataFrame,
    *,
    x: str = "time",
    grid: np.ndarray | None = None,
    n_grid: int = 100,
    group: str = "method",
    seed_col: str = "seed",
    band: str = "bootstrap",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean HV over seeds on a common grid, with a confidence band, per method.

    Args:
        traces: output of :func:`hypervolume_traces` (runs identified by ``group`` + seed).
        x: "time" or "cost".
        grid: float[T] grid; default ``linspace(0, max x, n_grid)``.
        n_grid: grid size when ``grid`` is None.
        group: the column that separates curves (default "method").
        seed_col: the column that identifies the seed.
        band: "bootstrap" (percentile bootstrap of the mean over seeds) or "sem"
            (mean ± z·s.e.m., normal approximation).
        level: confidence level of the band.
        n_boot: bootstrap resamples.
        seed: seed of the host-side bootstrap generator (numpy ``default_rng``).

    Returns:
        DataFrame: ``group, x, mean, lo, hi, n_seeds`` (long format, T rows per method).
    """
    if band not in ("bootstrap", "sem"):
        raise ValueError(f"band must be 'bootstrap' or 'sem'; got {band!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    if grid is None:
        xmax = float(np.nanmax(traces[x].to_numpy(dtype=np.float64))) if len(traces) else 1.0
        grid = np.linspace(0.0, xmax, n_grid)
    runs, vals = curves_on_grid(traces, grid, x=x, by=[group, seed_col])
    rng = np.random.default_rng(seed)
    parts = []
    for name, idx in runs.groupby(group, sort=False).indices.items():
        v = vals[idx]
        mean = v.mean(axis=0)
        if band == "sem":
            from statistics import NormalDist

            z = NormalDist().inv_cdf(0.5 + level / 2)
            sem = v.std(axis=0, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.zeros_like(mean)
            lo, hi = mean - z * sem, mean + z * sem
        else:
            lo, hi = _bootstrap_mean_band(v, n_boot, level, rng)
        parts.append(
            pd.DataFrame(
                {group: name, x: grid, "mean": mean, "lo": lo, "hi": hi, "n_seeds": len(v)}
            )
        )
    return pd.concat(parts, ignore_index=True)


def final_hypervolume(
    traces: pd.DataFrame, *, by: Sequence[str] | str = ("method", "seed")
) -> pd.DataFrame:
    """The last HV of every run: the ``by`` columns and ``hv``."""
    by = _as_list(by)
    _, ends = _group_slices(traces, by)
    return traces.iloc[ends - 1][by + ["hv"]].reset_index(drop=True)


def default_target(
    traces: pd.DataFrame,
    baseline: str,
    *,
    group: str = "method",
    seed_col: str = "seed",
    target_quantile: float = 0.25,
) -> float:
    """The ``target_quantile`` quantile over seeds of ``baseline``'s final HV.

    With the default 0.25, 75 % of the baseline's runs reach the target within the budget.
    """
    fin = final_hypervolume(traces, by=[group, seed_col])
    v = fin.loc[fin[group] == baseline, "hv"].to_numpy()
    if len(v) == 0:
        raise ValueError(
            f"baseline {baseline!r} not in column {group!r}; have {sorted(fin[group].unique())}"
        )
    return float(np.quantile(v, target_quantile, method="inverted_cdf"))


def time_to_target(
    traces: pd.DataFrame,
    target: float,
    *,
    x: str = "time",
    by: Sequence[str] | str = ("method", "seed"),
) -> pd.DataFrame:
    """First ``x`` at which each run's HV is ``>= target``; ``+inf`` (censored) if never.

    Returns:
        DataFrame: the ``by`` columns, ``x`` (time or cost to target, ``inf`` when censored)
        and ``reached`` (bool).
    """
    by = _as_list(by)
    _check_columns(traces, by + [x, "hv"], "time_to_target")
    xs = traces[x].to_numpy(dtype=np.float64)
    hv = traces["hv"].to_numpy(dtype=np.float64)
    starts, ends = _group_slices(traces, by)
    hit = hv >= target
    res = np.full(len(starts), np.inf)
    reached = np.zeros(len(starts), dtype=bool)
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        h = hit[a:b]
        if h.any():
            j = int(np.argmax(h))
            if np.isnan(xs[a + j]):
                raise ValueError(f"column {x!r} is NaN where run {i} reaches the target")
            res[i], reached[i] = xs[a + j], True
    out = traces.iloc[starts][by].reset_index(drop=True)
    out[x] = res
    out["reached"] = reached
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num / den
    r = np.where(np.isinf(num) & np.isinf(den), np.nan, r)
    r = np.where(np.isfinite(num) & np.isinf(den), 0.0, r)
    return r


def speedups(
    traces: pd.DataFrame,
    *,
    baseline: str,
    target: float | None = None,
    x: str = "time",
    group: str = "method",
    seed_col: str = "seed",
    quantile: float = 0.5,
    target_quantile: float = 0.25,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Speed-up of every method over ``baseline`` in ``x`` (time or cost) to reach ``target``.

    Args:
        traces: output of :func:`hypervolume_traces`.
        baseline: value of ``group`` to compare against (e.g. "random").
        target: HV to reach; default :func:`default_target` of the baseline.
        x: "time" or "cost".
        group: the column naming methods.
        seed_col: the column naming seeds.
        quantile: statistic over seeds of time-to-target (0.5: the median). Censored runs
            count as ``+inf``.
        target_quantile: see :func:`default_target`.
        n_boot: bootstrap resamples (seeds of each method resampled independently).
        level: confidence level.
        seed: seed of the host-side bootstrap generator.

    Returns:
        DataFrame, one row per method: ``group, x, target, n_seeds, reached_frac,
        x_to_target`` (the quantile), ``baseline_x_to_target``, ``speedup, lo, hi``.
    """
    if target is None:
        target = default_target(
            traces, baseline, group=group, seed_col=seed_col, target_quantile=target_quantile
        )
    ttt = time_to_target(traces, target, x=x, by=[group, seed_col])
    per = {
        name: ttt.loc[idx, x].to_numpy()
        for name, idx in ttt.groupby(group, sort=False).groups.items()
    }
    if baseline not in per:
        raise ValueError(f"baseline {baseline!r} not in column {group!r}; have {sorted(per)}")
    rng = np.random.default_rng(seed)

    def stat(v, axis=None):
        return np.quantile(v, quantile, axis=axis, method="inverted_cdf")

    def boot(v):
        idx = rng.integers(0, len(v), size=(n_boot, len(v)))
        return stat(v[idx], axis=1)

    b = per[baseline]
    b_boot = boot(b)
    a = (1 - level) / 2
    rows = []
    for name, v in per.items():
        r_boot = _ratio(b_boot, boot(v))
        finite_q = r_boot[~np.isnan(r_boot)]
        lo, hi = (
            (
                np.quantile(finite_q, a, method="inverted_cdf"),
                np.quantile(finite_q, 1 - a, method="inverted_cdf"),
            )
            if len(finite_q)
            else (np.nan, np.nan)
        )
        rows.append(
            {
                group: name,
                "x": x,
                "target": target,
                "n_seeds": len(v),
                "reached_frac": float(np.mean(np.isfinite(v))),
                "x_to_target": float(stat(v)),
                "baseline_x_to_target": float(stat(b)),
                "speedup": float(_ratio(stat(b), stat(v))),
                "lo": float(lo),
                "hi": float(hi),
            }
        )
    return pd.DataFrame(rows)
