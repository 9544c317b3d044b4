"""The offline DeepAR and XGBoost evaluations of the ICML-2020 transfer paper.

Every task has its own random configurations: the config axis is the union of all evaluations.

References:
    Salinas, Shen, Perrone. "A Quantile-based Approach for Hyperparameter Transfer Learning."
    ICML 2020.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..encode import encode_configs
from ..table import Table
from ._common import columns_dict, common_metadata, dense_from_rows, folder, need, semantics
from .catalog import CITATIONS, describe

__all__ = ["load_icml2020_deepar", "load_icml2020_xgboost"]


# ---------------------------------------------------------------------------------------------
# ICML 2020 (DeepAR, XGBoost): every task has its own random configurations
# ---------------------------------------------------------------------------------------------
def _icml2020_table(
    data_dir,
    *,
    file: str,
    name: str,
    metric_cols: Mapping[str, tuple[str, str]],
    task_feature_cols: Sequence[str],
    rename: Mapping[str, str],
    default_objectives: Sequence[str],
    time_objective: str | None,
) -> Table:
    d = folder(data_dir, "icml2020_transfer")
    df = pd.read_csv(need(d / file, name))
    cols = ["task", *(c for c, _ in metric_cols.values())]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: columns {missing} missing from {file}")
    if "row_id" in df.columns:
        df = df.sort_values("row_id", kind="stable").reset_index(drop=True)
    hp_cols = [c for c in df.columns if c.startswith("hp_")]
    configs = df[hp_cols].rename(columns=lambda c: rename.get(c, c.removeprefix("hp_")))
    configs = configs.reset_index(drop=True)
    # configurations are drawn at random per task: the config axis is the union of all rows
    task_names, t_idx = np.unique(df["task"].astype(str).to_numpy(), return_inverse=True)
    C = len(df)
    objectives = tuple(metric_cols)
    directions = tuple(dr for _, dr in metric_cols.values())
    cols = df[[c for c, _ in metric_cols.values()]].to_numpy(np.float64)
    zeros = np.zeros(C, np.int64)
    values, mask = dense_from_rows(
        (t_idx, np.arange(C), zeros, zeros),
        (len(task_names), C, 1, 1),
        cols,
        directions,
        np.float64,
        name,
    )
    # every numerical column is already on the scale the authors searched (log where named so)
    space = {c: "linear" for c in configs.columns}
    encoded, enc_names = encode_configs(configs, space)
    tf = None
    if task_feature_cols:
        tf = columns_dict(
            df.groupby("task")[list(task_feature_cols)].first().reindex(list(task_names))
        )
        if (df.groupby("task")[list(task_feature_cols)].nunique() > 1).any().any():
            raise ValueError(f"{name}: task features vary within a task")
    counts = np.bincount(t_idx, minlength=len(task_names))
    notes = (
        "each task has its own random configurations (no configuration is shared between "
        "tasks), so the config axis is the union of all evaluations and "
        "mask[t, c, 0, 0] is True only for the task that evaluated config c "
        "(metadata['config_task'][c]); per-task rows for transfer learning: "
        "encoded[mask[t, :, 0, 0]], values[t, mask[t, :, 0, 0], 0, 0]. Final values only "
        "(one fidelity)."
    )
    md = common_metadata(
        values,
        mask,
        default_objectives=default_objectives,
        citation=CITATIONS["icml2020"],
        description=describe(name),
        notes=notes,
        config_task=t_idx.astype(np.int64),
        row_id=df["row_id"].to_numpy(np.int64) if "row_id" in df.columns else np.arange(C),
        evaluations_per_task=dict(zip(task_names.tolist(), counts.tolist(), strict=True)),
        task_features=tf,
        encoded_names=tuple(enc_names),
        renamed_columns=dict(rename),
    )
    return Table(
        name=name,
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=np.array([1.0]),
        objectives=objectives,
        directions=directions,
        tasks=tuple(task_names.tolist()),
        fidelity_name="final",
        time_objective=time_objective,
        time_cumulative=True,
        **semantics(md),
    )


def load_icml2020_deepar(data_dir: Path | str | None) -> Table:
    """DeepAR offline evaluations of Salinas, Shen & Perrone (ICML 2020).

    2 510 evaluations over 11 forecasting tasks (electricity, exchange-rate, m4-*, solar,
    traffic, wiki-rolling), each task with its **own** random configurations (none shared).
    Config axis = all 2 510 evaluations; ``mask[t, c, 0, 0]`` is True only for the task that
    evaluated ``c`` (``metadata["config_task"]``). Hyperparameters are the six columns as
    released, already on the authors' search scale: ``num_layers_log`` and ``num_cells_log``
    are the natural logs of the layer and cell counts (renamed from ``hp_num_layers`` /
    ``hp_num_cells`` to say so), the others keep their names without the ``hp_`` prefix.
    Encoding: linear min-max per column.

    Objectives: ``CRPS`` (min), ``RMSE`` (min), ``time`` (``metric_time`` as released; whole
    seconds, 68..43 434), ``train_loss`` (min), ``throughput`` (max: a rate, so higher is
    taken as better; the release does not document it). Defaults: ``CRPS``, ``time``. One
    fidelity (final values).
    ``metadata["task_features"]``: dict column → array[T] (time frequency and prediction
    length per task).

    Args:
        data_dir: root data directory (holding ``icml2020_transfer/``).

    Returns:
        The table (float64 values, shape [11, 2510, 1, 1, 5]).

    References:
        Salinas, Shen, Perrone, ICML 2020.
    """
    return _icml2020_table(
        data_dir,
        file="deepar.csv.gz",
        name="icml2020_deepar",
        metric_cols={
            "CRPS": ("metric_CRPS", "min"),
            "RMSE": ("metric_RMSE", "min"),
            "time": ("metric_time", "min"),
            "train_loss": ("metric_train_loss", "min"),
            "throughput": ("metric_throughput", "max"),
        },
        task_feature_cols=("dataset_time_freq", "dataset_prediction_length"),
        rename={"hp_num_layers": "num_layers_log", "hp_num_cells": "num_cells_log"},
        default_objectives=("CRPS", "time"),
        time_objective="time",
    )


def load_icml2020_xgboost(data_dir: Path | str | None) -> Table:
    """XGBoost offline evaluations of Salinas, Shen & Perrone (ICML 2020).

    50 000 evaluations over 10 LIBSVM classification tasks, 5 000 per task, each task with its
    **own** random configurations (none shared); config axis = all 50 000 evaluations, masked
    per task as for :func:`load_icml2020_deepar`. Hyperparameters as released, ``hp_`` prefix
    dropped (``log2_*`` are log2 values, ``max_depth_index`` an ordinal index). Encoding:
    linear min-max per column. Objective: ``error`` (min); no time was released, so
    ``time_objective`` is None. One fidelity (final values).

    Args:
        data_dir: root data directory (holding ``icml2020_transfer/``).

    Returns:
        The table (float64 values, shape [10, 50000, 1, 1, 1]).

    References:
        Salinas, Shen, Perrone, ICML 2020.
    """
    return _icml2020_table(
        data_dir,
        file="xgboost.csv.gz",
        name="icml2020_xgboost",
        metric_cols={"error": ("metric_error", "min")},
        task_feature_cols=(),
        rename={},
        default_objectives=("error",),
        time_objective=None,
    )
