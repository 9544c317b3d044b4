"""The embedded table: real MLP training runs made by this project, shipped in the package.

It is what ``mohb-jax sweep --benchmark embedded`` runs on with no data at all. It is
**measured, not simulated**: every row is one epoch of a real training run of a small
multi-layer perceptron written in JAX + optax, on a classification dataset that scikit-learn
ships inside its wheel, under one of two real execution settings ("hardware"): the training
process pinned to 1 CPU core with XLA's multi-threaded Eigen kernels off, or pinned to 2 cores
with XLA's defaults. Each setting is priced per vCPU-hour with a public cloud on-demand price,
so that ``cost_usd = time_s × price_per_hour / 3600`` as in Salinas et al. (2021).

This module only reads the shipped parquet + JSON sidecar (numpy / pandas: no training, no
scikit-learn). The generator that made them (and can remake them: ``python
tools/make_embedded_table.py --out DIR``, needs the ``data`` extra) lives outside the installed
package, in the repository's ``tools/``; the sidecar records the command, versions, machine,
timing protocol and prices.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv:2106.05680 (2021).
    Pedregosa et al. "Scikit-learn: Machine Learning in Python." JMLR 12 (2011): the bundled
    datasets (digits, breast cancer, wine, iris; UCI).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..hardware import HardwareSpec
from ..table import Table, table_from_frame

__all__ = ["LONG_COLUMNS", "OBJECTIVES", "default_paths", "load_embedded"]

NAME = "embedded"

FILE_STEM = "embedded_mlp"

# --------------------------------------------------------------------------------------------
# What is generated
# --------------------------------------------------------------------------------------------
TASKS = ("digits", "breast_cancer", "wine", "iris")

#: The hyperparameter columns of the shipped table (the generator's search space).
HP_COLUMNS = ("learning_rate", "hidden_width", "n_layers", "batch_size", "weight_decay", "beta1")

#: configurations of the shipped table: 64 hyperparameter configs x 2 hardware settings
SHIPPED_N_CONFIGS = 128

OBJECTIVES = ("val_error", "val_logloss", "time_s", "cost_usd")

DIRECTIONS = ("min", "min", "min", "min")

DEFAULT_OBJECTIVES = ("val_error", "cost_usd")

LONG_COLUMNS = (
    "task",
    "config_id",
    "hp_id",
    *HP_COLUMNS,
    "n_threads",
    "seed",
    "epoch",
    "val_error",
    "val_logloss",
    "train_loss",
    "epoch_time_s",
    "epoch_cpu_s",
    "time_s",
    "cost_usd",
    "loadavg_1m",
)


# --------------------------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------------------------
def default_paths() -> tuple[Path, Path]:
    """Paths of the shipped ``embedded_mlp.parquet`` and ``embedded_mlp.json``."""
    base = resources.files("mohb_jax") / "data"
    return Path(str(base / f"{FILE_STEM}.parquet")), Path(str(base / f"{FILE_STEM}.json"))


def _space(hp_space: dict, threads: list[int]) -> dict[str, Any]:
    """Encoding spec for :func:`~mohb_jax._src.tables.encode.encode_configs`.

    Log scale for log-uniform floats and for the power-of-4 choices (width, batch size); the
    hardware setting is categorical (one-hot), as in Salinas et al. (2021).
    """
    out: dict[str, Any] = {}
    for name, spec in hp_space.items():
        if spec["type"] == "choice":
            vals = [float(v) for v in spec["values"]]
            log = min(vals) > 0 and max(vals) / min(vals) >= 8
            out[name] = {"type": "log" if log else "linear", "low": min(vals), "high": max(vals)}
        else:
            out[name] = {
                "type": "log" if spec["log"] else "linear",
                "low": spec["low"],
                "high": spec["high"],
            }
    out["n_threads"] = {"type": "categorical", "choices": list(threads)}
    return out


def load_embedded(
    data_dir: str | os.PathLike | None = None,
    *,
    path: str | os.PathLike | None = None,
) -> Table:
    """Load the embedded table (shipped inside the package) as a :class:`Table`.

    Args:
        data_dir: ignored (the table ships inside the package); accepted so that the function
            has the registry's ``loader(data_dir)`` signature.
        path: a ``.parquet`` file written by :func:`generate` (its ``.json`` sidecar must sit
            beside it); default: the shipped one.

    Returns:
        Table named ``"embedded"``: tasks = datasets, configs = hyperparameters × ``n_threads``
        (row ``config_id = hp_id * n_hardware + hardware index``), fidelity = epoch, objectives
        ``val_error``, ``val_logloss``, ``time_s`` (cumulative training seconds) and
        ``cost_usd``, all minimized; ``hardware`` prices each config's setting. Every cell is
        present (mask all True). ``ref_point`` is the sidecar's fixed point
        (val_error 1, the others 1.1 × their maximum, rounded up).

    Raises:
        ValueError: if the files are missing or inconsistent, or hold NaN/negative values.
    """
    del data_dir
    if path is None:
        pq, js = default_paths()
    else:
        pq = Path(path)
        js = pq.with_suffix(".json")
    if not pq.is_file() or not js.is_file():
        raise ValueError(f"embedded table files not found: {pq} and {js}")
    meta = json.loads(js.read_text())
    long = pd.read_parquet(pq)
    missing = [c for c in LONG_COLUMNS if c not in long.columns]
    if missing:
        raise ValueError(f"{pq}: missing columns {missing}")
    settings = meta["hardware"]["settings"]
    threads = [int(h["n_threads"]) for h in settings]
    n_hw = len(threads)
    exp_nt = np.asarray(threads)[long["config_id"].to_numpy() % n_hw]
    if not np.array_equal(long["n_threads"].to_numpy(), exp_nt):
        raise ValueError(f"{pq}: n_threads does not match config_id")
    vals = long[list(OBJECTIVES)].to_numpy(np.float64)
    if not np.all(np.isfinite(vals)):
        raise ValueError(f"{pq}: non-finite objective values")
    if (vals < 0).any():
        raise ValueError(f"{pq}: negative objective values")

    long = long.sort_values(["config_id", "task", "seed", "epoch"], kind="stable")
    hp_cols = list(meta["hp_space"])
    source = meta["hardware"]["price_source"]
    hw = HardwareSpec(
        columns=["n_threads"],
        price_per_hour={int(h["n_threads"]): float(h["price_per_hour"]) for h in settings},
        price_per_hour_instance={int(h["n_threads"]): float(h["price_per_hour"]) for h in settings},
        n_instances={int(h["n_threads"]): 1 for h in settings},
        source=source,
    )
    ref = np.asarray([meta["reference_point"][o] for o in OBJECTIVES], dtype=np.float64)
    table = table_from_frame(
        long.assign(task=long["task"].astype(str)),
        config_columns=[*hp_cols, "n_threads"],
        fidelity_column="epoch",
        objectives=dict(zip(OBJECTIVES, DIRECTIONS, strict=True)),
        seed_column="seed",
        task_column="task",
        hardware=hw,
        time_objective="time_s",
        time_cumulative=True,
        name=NAME,
        fidelity_name="epoch",
        space=_space(meta["hp_space"], threads),
        ref_point=ref,
        default_objectives=tuple(meta["default_objectives"]),
        metadata={
            "citation": meta["citation"],
            "description": meta["description"],
            "surrogate": False,
            "notes": (
                "Measured on a shared 2-core VM (see metadata['generation']['blocks'] and the "
                "loadavg_1m column of the parquet): times are real but noisy. "
                + meta["timing_protocol"]
            ),
            "generation": {
                k: meta[k]
                for k in ("generated_by", "started_utc", "wall_s", "versions", "machine", "blocks")
            },
            "tasks_info": meta["tasks"],
        },
    )
    # reorder tasks as in the sidecar (table_from_frame orders them by first appearance)
    order = [table.tasks.index(t) for t in meta["task_order"]]
    table = table.replace(
        values=table.values[order], mask=table.mask[order], tasks=tuple(meta["task_order"])
    )
    C = len(meta["configs"]) * n_hw
    if table.n_configs != C or not table.mask.all():
        raise ValueError(
            f"{pq}: expected {C} configs with every (task, config, seed, epoch) present; got "
            f"{table.n_configs} configs, {int((~table.mask).sum())} missing cells"
        )
    return table


def _shipped_files(_root=None) -> list[Path]:
    return [p for p in default_paths() if p.is_file()]
