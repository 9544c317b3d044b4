"""Views and derived tables: dollar cost, sub-tables, seed means, true fronts, reference points.

The methods ``Table.with_cost``, ``Table.select``, ``Table.mean_objectives``,
``Table.true_front`` and ``Table.reference_point`` call the functions here; they only use a
table's attributes and ``Table.replace`` (this module never imports the ``Table`` class).

References:
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680 (cost = time × price per hour).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jaxtyping import Bool, Float

from .reference import reference_point_rule

if TYPE_CHECKING:
    from .table import Table


# ---- derived objectives, selection ------------------------------------------------------------
def with_cost(table: Table, name: str = "cost_usd", *, time_objective: str | None = None) -> Table:
    """Append the dollar cost objective ``time_s × price_per_hour[config] / 3600``.

    ``price_per_hour`` is the whole setup's $/h (``table.hardware.price_per_hour``). The cost
    has the same semantics as the time objective: cumulative when ``table.time_cumulative``
    (cost of training from scratch up to the fidelity), per step otherwise; recorded as
    ``metadata["cost_cumulative"]``. The reference point gains the cost's entry (same rule);
    the default objectives are unchanged.

    Args:
        table: a table with a hardware catalog and a time objective (seconds).
        name: name of the new objective.
        time_objective: the time objective to price (default ``table.time_objective``).

    Returns:
        The table with one more objective (direction "min").

    Raises:
        ValueError: no hardware catalog, no time objective, or ``name`` already exists.
    """
    if table.hardware is None:
        raise ValueError(f"table {table.name!r} has no hardware catalog; cannot derive a cost")
    tobj = time_objective or table.time_objective
    if tobj is None:
        raise ValueError(f"table {table.name!r} has no time objective; pass time_objective=")
    if name in table.objectives:
        raise ValueError(f"objective {name!r} already exists in table {table.name!r}")
    i = table.objective_index(tobj)
    if table.directions[i] != "min":
        raise ValueError(f"time objective {tobj!r} must be 'min'")
    price = np.asarray(table.hardware.price_per_hour, np.float64)
    time_s = np.asarray(table.values[..., i], np.float64)
    cost = time_s * price[None, :, None, None] / 3600.0
    cost = cost.astype(table.values.dtype)  # the reference point is computed on stored values
    values = np.concatenate([table.values, cost[..., None]], axis=-1)
    meta = dict(table.metadata)
    ref = np.concatenate([table.ref_point, reference_point_rule(cost[..., None], table.mask)])
    meta["cost_cumulative"] = bool(table.time_cumulative)
    meta["cost_formula"] = f"{name} = {tobj} * hardware.price_per_hour[config] / 3600"
    return table.replace(
        values=values,
        objectives=(*table.objectives, name),
        directions=(*table.directions, "min"),
        ref_point=ref,
        metadata=meta,
    )


def _as_list(x) -> list:
    return [x] if isinstance(x, (str, int, np.integer)) else list(x)


def select(
    table: Table,
    *,
    task=None,
    objectives: Sequence[str] | None = None,
    configs: Sequence[int] | np.ndarray | None = None,
    fidelities: Sequence[int] | np.ndarray | None = None,
) -> Table:
    """Sub-table: some tasks, objectives, configs (row indices) and/or fidelity indices.

    The reference point is sliced, not recomputed (it stays the benchmark's fixed point).
    Selecting configs re-indexes them 0..C'-1 and keeps the original row in
    ``metadata["config_index"]``; the encoding is kept as is (not re-scaled). Other per-task or
    per-config arrays a loader put in ``metadata`` (e.g. NAS-Bench-201's ``test_acc``) are not
    sliced: index them with the original rows.

    Args:
        table: the table.
        task: a task name/index or a list of them (in the order wanted).
        objectives: objective names, in the order wanted.
        configs: config row indices.
        fidelities: fidelity indices (negative allowed; kept sorted and unique).

    Returns:
        The sub-table.

    Raises:
        ValueError: unknown task/objective or out-of-range indices.
    """
    v, m = np.asarray(table.values), np.asarray(table.mask)
    changes: dict[str, Any] = {}
    meta = dict(table.metadata)
    if task is not None:
        ti = [table.task_index(t) for t in _as_list(task)]
        v, m = v[ti], m[ti]
        changes["tasks"] = tuple(table.tasks[i] for i in ti)
    if configs is not None:
        ci = np.asarray(configs, dtype=np.int64).reshape(-1)
        if ci.size and (ci.min() < 0 or ci.max() >= table.n_configs):
            raise ValueError(f"config indices must be in 0..{table.n_configs - 1}")
        v, m = v[:, ci], m[:, ci]
        changes["configs"] = table.configs.iloc[ci].reset_index(drop=True)
        changes["encoded"] = np.asarray(table.encoded)[ci]
        prev = np.asarray(meta.get("config_index", np.arange(table.n_configs)))
        meta["config_index"] = prev[ci]
        if table.hardware is not None:
            changes["hardware"] = dataclasses.replace(
                table.hardware, price_per_hour=np.asarray(table.hardware.price_per_hour)[ci]
            )
    if fidelities is not None:
        fi = np.asarray(fidelities, dtype=np.int64).reshape(-1)
        if fi.size == 0 or fi.min() < -table.n_fidelities or fi.max() >= table.n_fidelities:
            raise ValueError(f"fidelity indices must be in 0..{table.n_fidelities - 1}")
        fi = np.sort(np.unique(fi % table.n_fidelities))
        v, m = v[:, :, :, fi], m[:, :, :, fi]
        changes["fidelities"] = np.asarray(table.fidelities)[fi]
    if objectives is not None:
        oi = [table.objective_index(o) for o in _as_list(objectives)]
        v = v[..., oi]
        changes["objectives"] = tuple(table.objectives[i] for i in oi)
        changes["directions"] = tuple(table.directions[i] for i in oi)
        if table.time_objective not in changes["objectives"]:
            changes["time_objective"] = None
        changes["ref_point"] = table.ref_point[oi]
        kept = [o for o in table.default_objectives if o in changes["objectives"]]
        changes["default_objectives"] = tuple(kept) or changes["objectives"]
    # cells valid for the kept objectives stay valid
    return table.replace(values=v, mask=m, metadata=meta, **changes)


def mean_objectives(
    table: Table, task=0, objectives: Sequence[str] | None = None, fidelity: int = -1
) -> tuple[Float[np.ndarray, "C M"], Bool[np.ndarray, " C"]]:
    """Mean over the valid seeds of each config at one fidelity (minimization space).

    Returns:
        ``(y, valid)``: float64[C, M] means (NaN where no seed is valid) and bool[C].
    """
    ti = table.task_index(task)
    names = list(table.objectives) if objectives is None else _as_list(objectives)
    oi = [table.objective_index(o) for o in names]
    v = np.asarray(table.values[ti, :, :, fidelity], np.float64)[..., oi]  # [C, S, M]
    m = np.asarray(table.mask[ti, :, :, fidelity])  # [C, S]
    n = m.sum(axis=1)
    s = np.where(m[..., None], v, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = s / n[:, None]
    y[n == 0] = np.nan
    return y, n > 0


def pareto_mask_np(y: Float[np.ndarray, "N M"]) -> Bool[np.ndarray, " N"]:
    """Non-dominated rows of ``y`` (minimization; duplicates are all kept).

    Elimination in lexicographic order: the lexicographically smallest remaining point is
    non-dominated; it removes every point it dominates. O(N · M · |front|), no N×N matrix.
    """
    y = np.asarray(y, np.float64)
    n = len(y)
    alive = np.ones(n, bool)
    front = np.zeros(n, bool)
    order = np.lexsort(y.T[::-1]) if n else np.zeros(0, np.int64)
    for i in order:
        if not alive[i]:
            continue
        front[i] = True
        p = y[i]
        dominated = np.all(p <= y, axis=1) & np.any(p < y, axis=1)
        alive &= ~dominated
        alive[i] = False
    return front


def true_front(
    table: Table, task=0, objectives: Sequence[str] | None = None, fidelity: int = -1
) -> pd.DataFrame:
    """The Pareto set of seed-averaged objectives at one fidelity (default: the highest).

    Args:
        table: the table.
        task: task name or index.
        objectives: objective names (default: ``table.default_objectives``).
        fidelity: fidelity index.

    Returns:
        DataFrame (sorted by the first objective) with ``config`` (row of ``table.configs``)
        and the objectives in their original units.
    """
    if objectives is None:
        objectives = table.default_objectives
    names = _as_list(objectives)
    y, ok = mean_objectives(table, task, names, fidelity)
    idx = np.flatnonzero(ok)
    on = idx[pareto_mask_np(y[idx])]
    sign = np.array(
        [-1.0 if table.directions[table.objective_index(o)] == "max" else 1.0 for o in names]
    )
    out = pd.DataFrame(y[on] * sign, columns=names)
    out.insert(0, "config", on)
    asc = [bool(sign[0] > 0), True]
    return out.sort_values([names[0], "config"], ascending=asc).reset_index(drop=True)


def compute_reference_point(
    values: Float[np.ndarray, "T C S F M"], mask: Bool[np.ndarray, "T C S F"]
) -> Float[np.ndarray, " M"]:
    """Fixed HV reference point of a table (NaN where no value is valid); see :mod:`.reference`."""
    return reference_point_rule(values, mask)


def reference_point(table: Table, objectives: Sequence[str] | None = None) -> np.ndarray:
    """The table's fixed reference point for ``objectives`` (default: all), minimization space."""
    ref = np.asarray(table.ref_point, np.float64)
    if objectives is None:
        return ref.copy()
    return ref[[table.objective_index(o) for o in _as_list(objectives)]]


def select_task(
    table: Table, task: str | int, *, trim_fidelities: bool = True, drop_empty_configs: bool = True
) -> Table:
    """One task of a multi-task table, trimmed to what that task actually has.

    Tables whose tasks differ in fidelities (LCDB: each dataset has its own largest anchor) or
    in configurations (ICML-2020, NMTLC: every task has its own configs) are mostly masked for
    any single task. This view keeps task ``task`` only and

    * ``trim_fidelities``: keeps the fidelity slots from the task's first to its last valid
      one, so ``fidelity = -1`` is the task's largest budget; for LCDB the fidelity values
      become the task's real training-set sizes (``metadata["train_size"]``), which are exact
      and strictly increasing within a dataset;
    * ``drop_empty_configs``: keeps the configurations with at least one valid cell in the
      task (original indices in ``metadata["config_index"]``).

    Metadata arrays listed in ``metadata["array_axes"]`` are sliced along the same axes; the
    reference point stays the benchmark's fixed one.

    Args:
        table: a table (any benchmark; the ``array_axes`` slicing applies where present).
        task: task name or index.
        trim_fidelities: drop leading / trailing fidelity slots without a valid cell.
        drop_empty_configs: drop configurations without a valid cell in this task.

    Returns:
        A table with one task.

    Raises:
        ValueError: unknown task, or the task has no valid cell.
    """
    ti = table.task_index(task)
    m = np.asarray(table.mask[ti])  # [C, S, F]
    if not m.any():
        raise ValueError(f"task {table.tasks[ti]!r} of {table.name!r} has no valid cell")
    fi = np.arange(table.n_fidelities)
    if trim_fidelities:
        has = np.flatnonzero(m.any(axis=(0, 1)))
        fi = np.arange(has[0], has[-1] + 1)
    ci = np.flatnonzero(m.any(axis=(1, 2))) if drop_empty_configs else np.arange(table.n_configs)
    sub = table.select(task=ti, fidelities=fi, configs=ci)
    md = dict(sub.metadata)
    index = {"task": [ti], "config": ci, "fidelity": fi}
    for key, axes in dict(md.get("array_axes", {})).items():
        arr = np.asarray(md[key])
        for ax, name in enumerate(axes):
            if name in index:
                arr = np.take(arr, index[name], axis=ax)
        md[key] = arr
    changes: dict[str, Any] = {"metadata": md}
    ts = md.get("train_size")
    if trim_fidelities and ts is not None:
        sizes = np.asarray(ts)[0].astype(np.float64)
        if np.all(sizes > 0) and np.all(np.diff(sizes) > 0):
            changes["fidelities"] = sizes
    return sub.replace(**changes)
