"""Read a Syne Tune blackbox-repository folder (tabular blackbox) into a :class:`Table`.

Layout assumed (as written by Syne Tune's ``blackbox_tabular.serialize``; read from its public
source, ``syne_tune/blackbox_repository/blackbox_tabular.py`` and ``serialize.py``):

* ``hyperparameters.parquet``: one row per configuration, one column per hyperparameter.
* ``objectives_evaluations.npy``: float ``[task, config, seed, fidelity, objective]`` (a 4-D
  array without the task axis is read as one task). NaN marks a missing evaluation; such
  cells are masked.
* ``fidelities_values.npy``: the F fidelity values (default ``1..F`` when absent).
* ``configspace.json`` / ``fidelityspace.json``: ``{name: {"domain_cls": ..., "domain_kwargs":
  {...}, "sampler_cls": ...}}`` (Syne Tune's ``config_space_to_dict``); used for the encoding
  (``Categorical``/``Ordinal`` → one-hot with the listed categories; ``Float``/``Integer``/
  ``FiniteRange`` → min-max on ``lower``/``upper``, log when the sampler or ``log_scale`` says
  so) and for the fidelity's name.
* ``metadata.json``: ``objectives_names``, ``task_names`` and optionally
  ``metric_elapsed_time`` (the cumulative elapsed-time objective, Syne Tune's convention),
  ``default_metric`` and ``resource_attr``.

Syne Tune stores no optimization direction: pass ``directions``; otherwise an objective is
``"max"`` when its name contains ``acc``, ``auc``, ``bleu``, ``f1`` or ``score`` (not ``error``
or ``loss``), else ``"min"`` — a documented heuristic, recorded in ``metadata``.

References:
    Salinas, Seeger, Klein, Perrone, Wistuba, Archambeau. Syne Tune: A library for large scale
    hyperparameter tuning and reproducible research. AutoML 2022.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..table import Table, table_from_arrays

_MAX_PATTERN = re.compile(r"acc|auc|bleu|f1|score", re.IGNORECASE)
_MIN_PATTERN = re.compile(r"error|loss|time|latency|cost|rmse|mse|crps", re.IGNORECASE)


def guess_direction(name: str) -> str:
    """``"max"`` for accuracy-like names (acc, auc, bleu, f1, score) unless error/loss-like."""
    if _MAX_PATTERN.search(name) and not _MIN_PATTERN.search(name):
        return "max"
    return "min"


def _space_entry(name: str, d) -> dict | None:
    if not isinstance(d, Mapping):
        return None  # a constant
    cls = d.get("domain_cls")
    kw = d.get("domain_kwargs", {})
    if cls in ("Categorical", "Ordinal", "OrdinalNearestNeighbor"):
        return {"type": "categorical", "choices": list(kw.get("categories", []))}
    if cls in ("Float", "Integer", "FiniteRange"):
        log = "Log" in str(d.get("sampler_cls", "")) or bool(kw.get("log_scale", False))
        out = {"type": "log" if log else "linear"}
        if "lower" in kw and "upper" in kw:
            out["low"], out["high"] = float(kw["lower"]), float(kw["upper"])
        return out
    raise ValueError(f"configspace.json: unsupported domain {cls!r} for {name!r}")


def from_syne_tune(
    path: str | Path,
    *,
    name: str | None = None,
    directions: Mapping[str, str] | None = None,
    objectives: list[str] | None = None,
) -> Table:
    """Load a Syne Tune tabular blackbox folder as a :class:`Table`.

    Args:
        path: the blackbox folder (holding ``hyperparameters.parquet`` etc.).
        name: table name (default: the folder name).
        directions: objective name → "min"/"max" (missing ones are guessed, see module doc).
        objectives: keep only these objectives (default: all), in this order.

    Returns:
        The table; ``time_objective`` is ``metadata.json``'s ``metric_elapsed_time`` (cumulative)
        when present.

    Raises:
        FileNotFoundError: a required file is missing.
        ValueError: inconsistent shapes/names, unknown objectives or directions.
    """
    p = Path(path)
    for f in ("hyperparameters.parquet", "objectives_evaluations.npy", "metadata.json"):
        if not (p / f).is_file():
            raise FileNotFoundError(f"{p} is not a Syne Tune blackbox folder: missing {f}")
    try:
        meta = json.loads((p / "metadata.json").read_text())
        hps = pd.read_parquet(p / "hyperparameters.parquet")
        ev = np.load(p / "objectives_evaluations.npy", allow_pickle=False)
    except Exception as e:
        raise ValueError(f"cannot read Syne Tune blackbox {p}: {e}") from e
    if ev.ndim == 4:
        ev = ev[None]
    if ev.ndim != 5:
        raise ValueError(
            f"objectives_evaluations.npy must be [task, config, seed, fidelity, objective]; "
            f"got shape {ev.shape}"
        )
    T, C, S, F, M = ev.shape
    obj_names = list(meta.get("objectives_names") or [f"y{i}" for i in range(M)])
    task_names = list(meta.get("task_names") or [f"task{i}" for i in range(T)])
    if len(obj_names) != M or len(task_names) != T:
        raise ValueError(
            f"metadata.json lists {len(obj_names)} objectives / {len(task_names)} tasks but the "
            f"evaluations have {M} / {T}"
        )
    if len(hps) != C:
        raise ValueError(f"hyperparameters.parquet has {len(hps)} rows, evaluations have {C}")
    fv_path = p / "fidelities_values.npy"
    fid = np.load(fv_path, allow_pickle=False) if fv_path.is_file() else np.arange(1, F + 1)
    fid = np.asarray(fid, np.float64).reshape(-1)
    if fid.shape != (F,):
        raise ValueError(f"fidelities_values.npy has {fid.size} values, evaluations have {F}")
    space = {}
    cs_path = p / "configspace.json"
    if cs_path.is_file():
        for k, d in json.loads(cs_path.read_text()).items():
            e = _space_entry(k, d)
            if e is not None and k in hps.columns:
                space[k] = e
    fid_name = "fidelity"
    fs_path = p / "fidelityspace.json"
    if fs_path.is_file():
        fs = json.loads(fs_path.read_text())
        if len(fs) == 1:
            fid_name = next(iter(fs))
    fid_name = meta.get("resource_attr", fid_name)
    keep = obj_names if objectives is None else list(objectives)
    unknown = [o for o in keep if o not in obj_names]
    if unknown:
        raise ValueError(f"unknown objectives {unknown}; the blackbox has {obj_names}")
    idx = [obj_names.index(o) for o in keep]
    directions = dict(directions or {})
    bad = sorted(set(directions) - set(obj_names))
    if bad:
        raise ValueError(f"directions given for unknown objectives {bad}")
    dirs = {o: directions.get(o, guess_direction(o)) for o in keep}
    tobj = meta.get("metric_elapsed_time")
    tobj = tobj if tobj in keep and dirs.get(tobj) == "min" else None
    values = ev[..., idx].astype(np.float64)
    mask = np.isfinite(values).all(axis=-1)
    order = np.argsort(fid, kind="stable")
    if not np.array_equal(order, np.arange(F)):
        values, mask, fid = values[:, :, :, order], mask[:, :, :, order], fid[order]
    return table_from_arrays(
        values,
        mask=mask,
        configs=hps.reset_index(drop=True),
        objectives=dirs,
        tasks=task_names,
        fidelities=fid,
        fidelity_name=str(fid_name),
        name=name or p.name,
        space=space or None,
        time_objective=tobj,
        time_cumulative=True,
        default_objectives=[
            o for o in (meta.get("default_metric"), tobj) if o is not None and o in keep
        ]
        or keep[:2],
        metadata={
            "source": f"syne-tune blackbox {p}",
            "directions_guessed": sorted(set(keep) - set(directions)),
            "surrogate": False,
        },
    )
