"""Tidy long DataFrame / dense arrays ⇄ the fields of a :class:`~.table.Table`.

``Table.from_frame`` and ``Table.from_arrays`` call :func:`fields_from_frame` /
:func:`fields_from_arrays`, which return the table's keyword arguments (this module never
imports the ``Table`` class, so there is no import cycle); ``Table.to_frame`` calls
:func:`table_to_frame`.

Conventions (documented once, used by every loader):

* Objectives are stored minimized: a ``"max"`` objective is negated once, on entry.
* A ``(task, config, seed, fidelity)`` cell that has no row in the frame is **masked**
  (``mask=False``, values NaN). A config missing some fidelities or seeds therefore gets a
  ragged mask, and when tasks use different fidelity values the grid is the sorted union of all
  of them, masked where a task has no such fidelity. ``metadata["fill_fraction"]`` reports the
  fraction of cells present.
* Duplicated cells are an error unless ``duplicates="mean"`` (then their objectives are averaged
  and ``metadata["n_duplicates_averaged"]`` counts the extra rows).
* Non-finite objective values are an error unless ``nonfinite="mask"`` (then the whole cell is
  masked and ``metadata["n_nonfinite_masked"]`` counts them).
* ``Table.ref_point``: float64[M] HV reference point, one per objective, in minimization
  space: the worst valid value over the *whole* table (all tasks, seeds, fidelities) plus 10 %
  of that objective's range (plus 1 when the range is 0); see :mod:`.reference`. It is fixed
  per benchmark, so HV curves are comparable across runs and methods.

References:
    Salinas, Perrone, Cruchant, Archambeau. A multi-objective perspective on jointly tuning
    hardware and hyperparameters. arXiv 2106.05680 (cost = time × price per hour).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .encode import encode_configs
from .hardware import HardwareSpec, build_hardware, factorize_rows

if TYPE_CHECKING:
    from .table import Table

DIRECTIONS = ("min", "max")


# ---- frame -> table ---------------------------------------------------------------------------
def norm_objectives(objectives) -> list[tuple[str, str]]:
    if isinstance(objectives, Mapping):
        items = list(objectives.items())
    else:
        items = []
        for o in objectives:
            if isinstance(o, str) or len(o) != 2:
                raise ValueError(
                    f"objectives must be a dict name -> 'min'/'max' or (name, direction) pairs; "
                    f"got {o!r}"
                )
            items.append((o[0], o[1]))
    if not items:
        raise ValueError("need at least one objective")
    bad = [(n, d) for n, d in items if d not in DIRECTIONS]
    if bad:
        raise ValueError(f"unknown objective direction(s) {bad}; use 'min' or 'max'")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"objectives {dup} are given more than once (objectives: {names})")
    return items


def _rows(df: pd.DataFrame, sel: np.ndarray, k: int = 5) -> list:
    """The first ``k`` index labels of the rows selected by the bool array ``sel``."""
    return df.index[np.flatnonzero(sel)[:k]].tolist()


def _check_cells(df, time_objective, obj_names, y, finite, flat, counts, valid, tasks, fid):
    """Refuse tables that would only fail later: times <= 0 and empty (all-NaN) slices.

    Raises:
        ValueError: naming the column and the first offending rows (index labels) of ``df``.
    """
    if time_objective is not None:
        t = y[:, obj_names.index(time_objective)]
        bad = finite & ~(t > 0)
        if bad.any():
            raise ValueError(
                f"time objective {time_objective!r} must be > 0 seconds; {int(bad.sum())} rows "
                f"are not (e.g. rows {_rows(df, bad)}: {t[bad][:5].tolist()})"
            )
    for j, n in enumerate(obj_names):
        if not np.isfinite(y[:, j]).any():
            raise ValueError(f"objective column {n!r} has no finite value (all NaN/inf)")
    # every (task, fidelity) that has rows must have a valid cell: a top fidelity that is all
    # NaN would otherwise surface much later (e.g. as a NaN simulation budget)
    T, F = len(tasks), len(fid)
    C_S = counts.size // (T * F)
    has_rows = (counts.reshape(T, C_S, F) > 0).any(axis=1)  # [T, F]
    has_valid = valid.reshape(T, C_S, F).any(axis=1)
    empty = np.argwhere(has_rows & ~has_valid)
    if empty.size:
        t_i, f_i = (int(v) for v in empty[0])
        tf = (flat // (C_S * F)) * F + flat % F
        sel = tf == t_i * F + f_i
        raise ValueError(
            f"{len(empty)} (task, fidelity) slices have rows but no valid cell (every row NaN/inf"
            f"): first task {tasks[t_i]!r}, fidelity {float(fid[f_i]):g} (rows "
            f"{_rows(df, sel)}); drop those rows or fix their values"
        )


def fields_from_frame(
    df: pd.DataFrame,
    *,
    config_columns: Sequence[str],
    fidelity_column: str | None,
    objectives: Mapping[str, str] | Sequence[tuple[str, str]],
    seed_column: str | None = None,
    task_column: str | None = None,
    hardware: HardwareSpec | None = None,
    time_objective: str | None = None,
    time_cumulative: bool = True,
    name: str = "table",
    fidelity_name: str | None = None,
    space: Mapping[str, Any] | None = None,
    duplicates: str = "error",
    nonfinite: str = "error",
    dtype=np.float32,
    metadata: Mapping[str, Any] | None = None,
    fidelity_kind: str = "resumable",
    default_objectives: Sequence[str] | None = None,
    ref_point: Any = None,
) -> dict[str, Any]:
    """Fields of a :class:`Table` from a tidy long frame (one row per task/config/seed/fidelity).

    Configurations are the distinct rows of ``config_columns`` in order of first appearance;
    tasks likewise; seeds and fidelities are sorted. See the module docstring for masks,
    duplicates, non-finite values and the reference point.

    Args:
        df: the frame.
        config_columns: hyperparameter columns identifying a configuration.
        fidelity_column: numeric fidelity column (None: one fidelity, value 1).
        objectives: dict name → "min"/"max", or (name, direction) pairs; numeric columns.
        seed_column: seed column (None: one seed per cell).
        task_column: task column (None: one task named ``"default"``).
        hardware: optional :class:`HardwareSpec` (price of each configuration's setup).
        time_objective: the objective that is elapsed training time in seconds (must be "min").
        time_cumulative: True if time at fidelity f counts from scratch, False if per step.
        name: table name.
        fidelity_name: what the fidelity is (default: ``fidelity_column``).
        space: per-column encoding spec for :func:`encode_configs`.
        duplicates: "error" or "mean" for repeated (task, config, seed, fidelity) rows.
        nonfinite: "error" or "mask" for NaN/inf objective values.
        dtype: float dtype of ``values``.
        metadata: extra metadata (merged over the computed entries).
        fidelity_kind: ``"resumable"`` or ``"independent"`` (see :class:`Table`).
        default_objectives: objectives used by default (default: all).
        ref_point: float[M] HV reference point in minimization space (default: the rule of
            :mod:`.reference` over the whole table).

    Returns:
        The keyword arguments of ``Table`` (``Table(**fields)``).

    Raises:
        ValueError: missing columns, non-numeric objectives, unknown directions, objectives or
            config columns given twice, duplicated cells (with ``duplicates="error"``),
            non-finite values (with ``nonfinite="error"``), times <= 0 in ``time_objective``, an
            objective with no finite value, a (task, fidelity) slice whose rows are all NaN/inf
            (with ``nonfinite="mask"``), non-numeric or non-finite fidelities, an empty frame.
            Each message names the columns and the first offending rows (index labels).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError("the frame is empty")
    if duplicates not in ("error", "mean"):
        raise ValueError(f"duplicates must be 'error' or 'mean'; got {duplicates!r}")
    if nonfinite not in ("error", "mask"):
        raise ValueError(f"nonfinite must be 'error' or 'mask'; got {nonfinite!r}")
    obj = norm_objectives(objectives)
    obj_names = [n for n, _ in obj]
    config_columns = list(config_columns)
    if not config_columns:
        raise ValueError("need at least one config column")
    if len(set(config_columns)) != len(config_columns):
        dup = sorted({c for c in config_columns if config_columns.count(c) > 1})
        raise ValueError(f"config columns {dup} are given more than once")
    special = [c for c in (fidelity_column, seed_column, task_column) if c is not None]
    need = config_columns + special + obj_names
    missing = [c for c in dict.fromkeys(need) if c not in df.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame; it has {list(df.columns)}")
    clash = set(config_columns) & (set(special) | set(obj_names))
    if clash or set(special) & set(obj_names) or len(set(special)) != len(special):
        raise ValueError("config, fidelity, seed, task and objective columns must be distinct")
    for n in obj_names:
        col = df[n]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise ValueError(f"objective {n!r} must be numeric; got dtype {col.dtype}")
    if time_objective is not None:
        if time_objective not in obj_names:
            raise ValueError(f"time_objective {time_objective!r} is not among {obj_names}")
        if dict(obj)[time_objective] != "min":
            raise ValueError(f"time_objective {time_objective!r} must have direction 'min'")

    # tasks, configs, seeds, fidelities -> integer codes (vectorized)
    if task_column is None:
        t_code, tasks = np.zeros(len(df), np.int64), ["default"]
    else:
        if df[task_column].isna().any():
            raise ValueError(f"task column {task_column!r} has missing values")
        t_code, uniq = pd.factorize(df[task_column], sort=False)
        tasks = [str(u) for u in uniq]
    c_code, configs = factorize_rows(df[config_columns])
    configs = configs.reset_index(drop=True)
    seed_values = None
    if seed_column is None:
        s_code, n_seeds = np.zeros(len(df), np.int64), 1
    else:
        if df[seed_column].isna().any():
            raise ValueError(f"seed column {seed_column!r} has missing values")
        s_code, uniq = pd.factorize(df[seed_column], sort=True)
        n_seeds = len(uniq)
        seed_values = list(np.asarray(uniq).tolist())
    if fidelity_column is None:
        f_code, fid = np.zeros(len(df), np.int64), np.array([1.0])
    else:
        fv = df[fidelity_column]
        if not pd.api.types.is_numeric_dtype(fv) or pd.api.types.is_bool_dtype(fv):
            raise ValueError(f"fidelity column {fidelity_column!r} must be numeric")
        fv = fv.to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(fv)):
            raise ValueError(f"fidelity column {fidelity_column!r} has NaN or inf")
        fid, f_code = np.unique(fv, return_inverse=True)
    T, C, S, F, M = len(tasks), len(configs), n_seeds, len(fid), len(obj)
    flat = ((t_code * C + c_code) * S + s_code) * F + f_code

    y = df[obj_names].to_numpy(dtype=np.float64)
    signs = np.array([-1.0 if d == "max" else 1.0 for _, d in obj])
    finite = np.isfinite(y).all(axis=1)
    meta: dict[str, Any] = {}
    if not finite.all():
        if nonfinite == "error":
            i = int(np.flatnonzero(~finite)[0])
            cols = [n for j, n in enumerate(obj_names) if not np.isfinite(y[:, j]).all()]
            raise ValueError(
                f"{int((~finite).sum())} rows have NaN/inf objective values in columns {cols} "
                f"(first: row {df.index[i]!r}: "
                f"{dict(zip(obj_names, y[i].tolist(), strict=True))}); pass "
                "nonfinite='mask' to mask those cells"
            )
        meta["n_nonfinite_masked"] = int((~finite).sum())

    counts = np.bincount(flat, minlength=T * C * S * F)
    if counts.max() > 1:
        if duplicates == "error":
            cell = int(np.flatnonzero(counts > 1)[0])
            rows = df.index[flat == cell][:5].tolist()
            raise ValueError(
                f"{int((counts > 1).sum())} (task, config, seed, fidelity) cells have several "
                f"rows (e.g. rows {rows}); pass duplicates='mean' to average them, or add a seed "
                "column"
            )
        meta["n_duplicates_averaged"] = int(len(df) - (counts > 0).sum())
    # a cell is valid when it has rows and all of them are finite
    bad = np.bincount(flat, weights=(~finite).astype(np.float64), minlength=counts.size) > 0
    yz = np.where(finite[:, None], y, 0.0)
    sums = np.stack(
        [np.bincount(flat, weights=yz[:, m], minlength=counts.size) for m in range(M)], axis=1
    )
    valid = (counts > 0) & ~bad
    with np.errstate(invalid="ignore", divide="ignore"):
        vals = sums / counts[:, None] * signs
    vals[~valid] = np.nan
    values = vals.reshape(T, C, S, F, M).astype(dtype)
    mask = valid.reshape(T, C, S, F)
    _check_cells(df, time_objective, obj_names, y, finite, flat, counts, valid, tasks, fid)
    meta["fill_fraction"] = float(mask.mean())
    if seed_values is not None:
        meta["seed_values"] = seed_values
    encoded, enc_names = encode_configs(configs, space)
    meta["encoded_columns"] = enc_names
    hw = build_hardware(configs, hardware) if hardware is not None else None
    if metadata:
        meta.update(metadata)
    return dict(
        name=name,
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=fid.astype(np.float64),
        objectives=tuple(obj_names),
        directions=tuple(d for _, d in obj),
        tasks=tuple(tasks),
        fidelity_name=fidelity_name or fidelity_column or "fidelity",
        time_objective=time_objective,
        time_cumulative=bool(time_cumulative),
        hardware=hw,
        fidelity_kind=fidelity_kind,
        default_objectives=tuple(default_objectives or ()),
        ref_point=ref_point,
        metadata=meta,
    )


def fields_from_arrays(
    values,
    *,
    configs: pd.DataFrame,
    objectives: Mapping[str, str] | Sequence[tuple[str, str]],
    tasks: Sequence[str],
    fidelities,
    mask=None,
    name: str = "table",
    fidelity_name: str = "fidelity",
    space: Mapping[str, Any] | None = None,
    hardware: HardwareSpec | None = None,
    time_objective: str | None = None,
    time_cumulative: bool = True,
    dtype=np.float32,
    metadata: Mapping[str, Any] | None = None,
    fidelity_kind: str = "resumable",
    default_objectives: Sequence[str] | None = None,
    ref_point: Any = None,
) -> dict[str, Any]:
    """Fields of a :class:`Table` from dense arrays in the objectives' **original** units.

    For loaders whose source is already dense. ``"max"`` objectives are negated here; cells
    where ``mask`` is False are set to NaN; the encoding and the reference point are computed
    as in :func:`fields_from_frame`.

    Args:
        values: float [T, C, S, F, M] in original units.
        configs: C rows of hyperparameters.
        objectives: dict name → "min"/"max" (or pairs), M entries in the last-axis order.
        tasks: T names.
        fidelities: F increasing values.
        mask: bool [T, C, S, F]; default: cells where every objective is finite.
        name, fidelity_name, space, hardware, time_objective, time_cumulative, dtype, metadata,
        fidelity_kind, default_objectives, ref_point: as in :func:`fields_from_frame`.

    Raises:
        ValueError: shape mismatches, unknown directions, or non-finite values in an unmasked
            cell.
    """
    obj = norm_objectives(objectives)
    v = np.array(values, dtype=dtype, copy=True)  # the one copy; negated / masked in place
    if v.ndim != 5 or v.shape[-1] != len(obj):
        raise ValueError(f"values must be [T, C, S, F, {len(obj)}]; got {v.shape}")
    finite = np.isfinite(v).all(axis=-1)
    if mask is None:
        mask = finite
    else:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != v.shape[:4]:
            raise ValueError(f"mask must have shape {v.shape[:4]}; got {mask.shape}")
        bad = mask & ~finite
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"non-finite objective values in an unmasked cell {idx}")
    for i, (_, d) in enumerate(obj):
        if d == "max":
            np.negative(v[..., i], out=v[..., i])
    if not mask.all():
        v[~mask] = np.nan
    configs = configs.reset_index(drop=True)
    encoded, enc_names = encode_configs(configs, space)
    meta: dict[str, Any] = {
        "fill_fraction": float(mask.mean()),
        "encoded_columns": enc_names,
    }
    if metadata:
        meta.update(metadata)
    if time_objective is not None and dict(obj).get(time_objective) != "min":
        raise ValueError(f"time_objective {time_objective!r} must be a 'min' objective")
    return dict(
        name=name,
        values=v,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=np.asarray(fidelities, dtype=np.float64).reshape(-1),
        objectives=tuple(n for n, _ in obj),
        directions=tuple(d for _, d in obj),
        tasks=tuple(str(t) for t in tasks),
        fidelity_name=fidelity_name,
        time_objective=time_objective,
        time_cumulative=bool(time_cumulative),
        hardware=build_hardware(configs, hardware) if hardware is not None else None,
        fidelity_kind=fidelity_kind,
        default_objectives=tuple(default_objectives or ()),
        ref_point=ref_point,
        metadata=meta,
    )


def table_to_frame(table: Table, *, original_units: bool = True) -> pd.DataFrame:
    """Long frame of the valid cells: task, config, config columns, seed, fidelity, objectives.

    ``task`` is a pandas categorical (categories in the table's task order).

    Args:
        table: the table.
        original_units: report "max" objectives in their own direction (un-negated).

    Returns:
        One row per valid (task, config, seed, fidelity) cell, in that order. ``seed`` holds the
        original seed labels when the table has ``metadata["seed_values"]``, else the index.

    Raises:
        ValueError: a config column is named like one of the frame's own columns.
    """
    reserved = {"task", "config", "seed", table.fidelity_name, *table.objectives}
    clash = sorted(reserved & {str(c) for c in table.configs.columns})
    if clash:
        raise ValueError(f"config columns {clash} clash with the frame's own columns")
    t, c, s, f = np.nonzero(np.asarray(table.mask))
    v = np.asarray(table.values)[t, c, s, f]
    if original_units:
        v = v * np.array([-1.0 if d == "max" else 1.0 for d in table.directions], v.dtype)
    seeds = table.metadata.get("seed_values")
    task = pd.Categorical.from_codes(t, categories=list(table.tasks))
    out = pd.DataFrame({"task": task, "config": c})
    cfg = table.configs.iloc[c].reset_index(drop=True)
    out = pd.concat([out, cfg], axis=1)
    out["seed"] = np.asarray(seeds)[s] if seeds is not None else s
    out[table.fidelity_name] = np.asarray(table.fidelities)[f]
    for m, name in enumerate(table.objectives):
        out[name] = v[:, m]
    return out
