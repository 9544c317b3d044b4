"""Tidy long DataFrame ⇄ :class:`Table`, dollar cost, selection, fronts and reference points.

The methods ``Table.from_frame``, ``Table.to_frame``, ``Table.with_cost``, ``Table.select``,
``Table.mean_objectives``, ``Table.true_front`` and ``Table.reference_point`` delegate here.

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from jaxtyping import Bool, Float

from .encode import encode_configs
from .reference import reference_point_rule
from .table import DIRECTIONS, HardwareCatalog, Table

# ---- hardware ---------------------------------------------------------------------------------
PriceSpec = Callable[[pd.DataFrame], Any] | Mapping[Any, float] | None


@dataclass(frozen=True)
class HardwareSpec:
    """How to price the hardware hyperparameters of a frame (input of ``Table.from_frame``).

    Each price field is a mapping from the hardware key (the value of the single column, or the
    tuple of values of ``columns``) to a number, or a callable taking the DataFrame of distinct
    hardware settings (one row each, the ``columns``) and returning one number per row.

    Attributes:
        columns: hyperparameter columns that describe the hardware (e.g. flavor, n_workers).
        price_per_hour: total $/h of the whole setup (e.g. per-instance price × instances +
            fixed extras such as a parameter server or helper VM).
        price_per_hour_instance: optional per-instance $/h, for display.
        n_instances: optional number of billed instances, for display.
        source: where the prices come from (citation / URL / date).
    """

    columns: Sequence[str]
    price_per_hour: Callable[[pd.DataFrame], Any] | Mapping[Any, float]
    price_per_hour_instance: PriceSpec = None
    n_instances: PriceSpec = None
    source: str = ""


def _eval_price(spec: PriceSpec, hw: pd.DataFrame, cols: list[str], what: str) -> np.ndarray:
    if callable(spec):
        out = np.asarray(spec(hw), dtype=np.float64).reshape(-1)
        if out.shape != (len(hw),):
            raise ValueError(f"hardware {what} callable must return {len(hw)} values")
    else:
        keys = list(hw[cols[0]]) if len(cols) == 1 else list(hw.itertuples(index=False, name=None))
        missing = [k for k in keys if k not in spec]
        if missing:
            raise ValueError(f"hardware {what} has no entry for {missing[:5]}")
        out = np.array([spec[k] for k in keys], dtype=np.float64)
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise ValueError(f"hardware {what} must be finite and >= 0; got {out}")
    return out


def build_hardware(configs: pd.DataFrame, spec: HardwareSpec) -> HardwareCatalog:
    """Turn a :class:`HardwareSpec` into a :class:`HardwareCatalog` for ``configs``."""
    cols = list(spec.columns)
    unknown = [c for c in cols if c not in configs.columns]
    if not cols or unknown:
        raise ValueError(f"hardware columns {unknown or cols} are not configuration columns")
    codes, hw = _factorize_rows(configs[cols])
    hw = hw.reset_index(drop=True)
    price = _eval_price(spec.price_per_hour, hw, cols, "price_per_hour")
    cat = hw.copy()
    if spec.price_per_hour_instance is not None:
        cat["price_per_hour_instance"] = _eval_price(
            spec.price_per_hour_instance, hw, cols, "price_per_hour_instance"
        )
    if spec.n_instances is not None:
        cat["n_instances"] = _eval_price(spec.n_instances, hw, cols, "n_instances")
    cat["price_per_hour"] = price
    cat["source"] = spec.source
    return HardwareCatalog(
        columns=tuple(cols), price_per_hour=price[codes], catalog=cat, source=spec.source
    )


def _factorize_rows(df: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes 0..K-1 (first-appearance order) of the distinct rows of ``df`` and those rows."""
    if df.shape[1] == 0:
        return np.zeros(len(df), np.int64), df.iloc[:1]
    codes = df.groupby(list(df.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    return codes.astype(np.int64), df.iloc[first]


# ---- frame -> table ---------------------------------------------------------------------------
def _norm_objectives(objectives) -> list[tuple[str, str]]:
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
        raise ValueError(f"duplicated objective names {names}")
    return items


def table_from_frame(
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
) -> Table:
    """Build a :class:`Table` from a tidy long frame (one row per task/config/seed/fidelity).

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
        The table.

    Raises:
        ValueError: missing columns, non-numeric objectives, unknown directions, duplicated cells
            (with ``duplicates="error"``), non-finite values (with ``nonfinite="error"``),
            non-numeric or non-finite fidelities, an empty frame.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError("the frame is empty")
    if duplicates not in ("error", "mean"):
        raise ValueError(f"duplicates must be 'error' or 'mean'; got {duplicates!r}")
    if nonfinite not in ("error", "mask"):
        raise ValueError(f"nonfinite must be 'error' or 'mask'; got {nonfinite!r}")
    obj = _norm_objectives(objectives)
    obj_names = [n for n, _ in obj]
    config_columns = list(config_columns)
    if not config_columns:
        raise ValueError("need at least one config column")
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
    c_code, configs = _factorize_rows(df[config_columns])
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
            raise ValueError(
                f"{int((~finite).sum())} rows have NaN/inf objective values (first: row "
                f"{df.index[i]!r}: {dict(zip(obj_names, y[i].tolist(), strict=True))}); pass "
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
    meta["fill_fraction"] = float(mask.mean())
    if seed_values is not None:
        meta["seed_values"] = seed_values
    encoded, enc_names = encode_configs(configs, space)
    meta["encoded_columns"] = enc_names
    hw = build_hardware(configs, hardware) if hardware is not None else None
    if metadata:
        meta.update(metadata)
    return Table(
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


def table_from_arrays(
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
) -> Table:
    """Build a :class:`Table` from dense arrays in the objectives' **original** units.

    For loaders whose source is already dense. ``"max"`` objectives are negated here; cells
    where ``mask`` is False are set to NaN; the encoding and the reference point are computed
    as in :func:`table_from_frame`.

    Args:
        values: float [T, C, S, F, M] in original units.
        configs: C rows of hyperparameters.
        objectives: dict name → "min"/"max" (or pairs), M entries in the last-axis order.
        tasks: T names.
        fidelities: F increasing values.
        mask: bool [T, C, S, F]; default: cells where every objective is finite.
        name, fidelity_name, space, hardware, time_objective, time_cumulative, dtype, metadata,
        fidelity_kind, default_objectives, ref_point: as in :func:`table_from_frame`.

    Raises:
        ValueError: shape mismatches, unknown directions, or non-finite values in an unmasked
            cell.
    """
    obj = _norm_objectives(objectives)
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
    return Table(
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
            changes["hardware"] = HardwareCatalog(
                columns=table.hardware.columns,
                price_per_hour=np.asarray(table.hardware.price_per_hour)[ci],
                catalog=table.hardware.catalog,
                source=table.hardware.source,
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
