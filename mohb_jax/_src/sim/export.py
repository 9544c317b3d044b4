"""Saving sweep results: parquet + metadata JSON, and a Syne Tune compatible export.

Our format: ``<stem>.parquet`` (the tidy long results frame) beside ``<stem>.json`` (versions,
seeds, reference point, options: everything needed to reproduce and to compute metrics).

Syne Tune export: Syne Tune 0.16 stores one experiment per tuner run in
``<root>/<tuner_name>/results.csv.zip`` + ``metadata.json`` and reads them back with
``syne_tune.experiments.load_experiment(tuner_name, local_path=root)``. The column names below
were read from syne-tune 0.16.0 (``syne_tune/constants.py``,
``syne_tune/results_callback.py``, ``syne_tune/experiments/experiment_result.py``):

=====================  =====================================================================
ours                   Syne Tune
=====================  =====================================================================
trial                  ``trial_id``
time (simulated s)     ``st_tuner_time`` (tuner wall-clock; simulated for simulator backends)
decision               ``st_decision``: continue → ``CONTINUE``, stop → ``STOP``,
                       paused → ``PAUSE``, done → ``CONTINUE`` (max resource reached; Syne
                       Tune has no separate value, the trial then completes)
(derived)              ``st_status``: ``Completed`` for "done", ``Stopped`` for "stop",
                       ``Paused`` for "paused", ``InProgress`` otherwise
fidelity               the resource attribute, named after the table's fidelity
                       (``epoch``, ``training_set_size``, ...)
fidelity_index         ``st_worker_iter`` (0-based report count of the trial)
<hyperparameter> h     ``config_<h>``
objectives             same names, original units and directions; ``metric_names`` /
                       ``metric_mode`` ("min"/"max") in ``metadata.json``
cost (cumulative $)    ``mohb_cumulative_cost`` (no Syne Tune counterpart: its
                       ``st_worker_cost`` is per trial, ours is over all workers)
method                 ``metadata.json["algorithm"]`` and the tuner name
seed, benchmark        ``metadata.json["seed"]``, ``["benchmark"]``; ``n_workers``,
                       ``max_wallclock_time`` likewise (as Syne Tune's benchmarking CLI does)
=====================  =====================================================================

``load_experiments_df`` then adds ``tuner_name`` and the metadata as columns.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["versions", "save_results", "load_results", "to_syne_tune", "SYNE_TUNE_DECISIONS"]

SYNE_TUNE_DECISIONS = {
    "continue": "CONTINUE",
    "stop": "STOP",
    "paused": "PAUSE",
    "done": "CONTINUE",
}
_ST_STATUS = {"done": "Completed", "stop": "Stopped", "paused": "Paused"}


def versions() -> dict[str, str]:
    """Versions of the packages a result depends on."""
    import jax
    import jaxlib

    import mohb_jax

    return {
        "mohb_jax": mohb_jax.__version__,
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return str(x)
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return repr(x)


def save_results(df: pd.DataFrame, path: str | Path, metadata: dict | None = None) -> Path:
    """Write ``df`` to ``<path>.parquet`` and its metadata to ``<path>.json``.

    Args:
        df: results frame (e.g. from :func:`mohb_jax.simulate`).
        path: target path; a ``.parquet`` suffix is optional.
        metadata: extra metadata; merged over ``df.attrs["mohb_jax"]`` (which ``simulate``
            fills with versions, seeds, reference point and options).

    Returns:
        The parquet path.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        path = path.with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(df.attrs.get("mohb_jax", {}))
    meta.update(metadata or {})
    meta.setdefault("versions", versions())
    meta.setdefault("saved_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    meta["n_rows"] = len(df)
    out = df.copy()
    out.attrs = {}  # the sidecar JSON is the single source of metadata
    pq = path.with_suffix(".parquet")
    out.to_parquet(pq, index=False)
    path.with_suffix(".json").write_text(json.dumps(_jsonable(meta), indent=1))
    return pq


def load_results(path: str | Path) -> pd.DataFrame:
    """Read a frame written by :func:`save_results`; its metadata in ``attrs["mohb_jax"]``."""
    path = Path(path)
    if path.suffix in (".parquet", ".json"):
        path = path.with_suffix("")
    pq, js = path.with_suffix(".parquet"), path.with_suffix(".json")
    if not pq.exists():
        raise ValueError(f"no results at {pq}")
    df = pd.read_parquet(pq)
    df.attrs["mohb_jax"] = json.loads(js.read_text()) if js.exists() else {}
    return df


def to_syne_tune(
    df: pd.DataFrame,
    root: str | Path | None = None,
    *,
    objectives: list[str] | None = None,
    directions: list[str] | None = None,
    config_columns: list[str] | None = None,
    fidelity_name: str | None = None,
    experiment_tag: str = "mohb-jax",
) -> dict[str, pd.DataFrame]:
    """Convert a results frame into Syne Tune 0.16 experiments (one per method × seed).

    Args:
        df: results frame with ``method``, ``seed``, ``trial``, ``time``, ``decision``,
            ``fidelity``, ``fidelity_index``, the objective and hyperparameter columns.
        root: if given, write ``root/<tuner_name>/results.csv.zip`` and ``metadata.json``
            for each experiment (readable by ``syne_tune.experiments.load_experiment(
            tuner_name, local_path=root)``).
        objectives, directions: metric names and modes; default from
            ``df.attrs["mohb_jax"]``.
        config_columns: hyperparameter columns; default from ``df.attrs["mohb_jax"]``.
        fidelity_name: name of the resource attribute; default from the metadata, else
            "fidelity".
        experiment_tag: Syne Tune benchmarking "tag", the prefix of the tuner names.

    Returns:
        ``{tuner_name: results frame with Syne Tune's column names}``.
    """
    meta = df.attrs.get("mohb_jax", {})
    objectives = list(objectives or meta.get("objectives", []))
    directions = list(directions or meta.get("directions", ["min"] * len(objectives)))
    config_columns = list(config_columns or meta.get("config_columns", []))
    fidelity_name = fidelity_name or meta.get("fidelity_name", "fidelity")
    need = ["method", "seed", "trial", "time", "decision", "fidelity"] + objectives
    missing = [c for c in need + config_columns if c not in df.columns]
    if missing:
        raise ValueError(f"results frame lacks column(s) {missing} needed for the export")
    unknown = sorted(set(df["decision"].unique()) - set(SYNE_TUNE_DECISIONS))
    if unknown:
        raise ValueError(f"unknown decision value(s) {unknown}; known {list(SYNE_TUNE_DECISIONS)}")
    out: dict[str, pd.DataFrame] = {}
    for (method, seed), g in df.groupby(["method", "seed"], sort=False):
        st = pd.DataFrame(
            {
                "trial_id": g["trial"].to_numpy(),
                "st_tuner_time": g["time"].to_numpy(),
                "st_decision": g["decision"].map(SYNE_TUNE_DECISIONS).to_numpy(),
                "st_status": g["decision"].map(_ST_STATUS).fillna("InProgress").to_numpy(),
                fidelity_name: g["fidelity"].to_numpy(),
            }
        )
        if "fidelity_index" in g:
            st["st_worker_iter"] = g["fidelity_index"].to_numpy()
        for c in objectives:
            st[c] = g[c].to_numpy()
        if "cost" in g:
            st["mohb_cumulative_cost"] = g["cost"].to_numpy()
        for c in config_columns:
            st[f"config_{c}"] = g[c].to_numpy()
        name = f"{experiment_tag}-{method}-{seed}"
        out[name] = st
        if root is not None:
            d = Path(root) / name
            d.mkdir(parents=True, exist_ok=True)
            st.to_csv(d / "results.csv.zip", index=False)
            md = {
                "st_tuner_creation_timestamp": time.time(),
                "entrypoint": "mohb_jax.simulate",
                "backend": "mohb_jax",
                "metric_names": objectives,
                "metric_mode": directions,
                "algorithm": method,
                "tag": experiment_tag,
                "seed": int(seed),
                "benchmark": meta.get("benchmark"),
                "n_workers": meta.get("n_workers"),
                "max_wallclock_time": meta.get("budget"),
            }
            (d / "metadata.json").write_text(json.dumps(_jsonable(md)))
    return out
