"""**Surrogate** LCBench: YAHPO Gym's ``lcbench`` ONNX model queried offline (not measured).

References:
    Zimmer, Lindauer, Hutter. "Auto-PyTorch Tabular: Multi-Fidelity MetaLearning for Efficient
    and Robust AutoDL." IEEE TPAMI 2021 (LCBench).
    Pfisterer, Schneider, Moosbauer, Binder, Bischl. "YAHPO Gym - An Efficient Multi-Objective
    Multi-Fidelity Benchmark for Hyperparameter Optimization." AutoML-Conf 2022.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..encode import encode_configs
from ..table import Table
from ._common import check_keys, common_metadata, folder, need, semantics
from .catalog import CITATIONS, describe

__all__ = ["load_lcbench_surrogate"]

# ---------------------------------------------------------------------------------------------
# LCBench surrogate (YAHPO Gym)
# ---------------------------------------------------------------------------------------------
# LCBench's search space (Zimmer et al. 2021, as used by YAHPO Gym's lcbench scenario)
LCBENCH_SPACE = {
    "batch_size": {"type": "log", "low": 16, "high": 512},
    "learning_rate": {"type": "log", "low": 1e-4, "high": 1e-1},
    "momentum": {"type": "linear", "low": 0.1, "high": 0.99},
    "weight_decay": {"type": "linear", "low": 1e-5, "high": 1e-1},
    "num_layers": {"type": "linear", "low": 1, "high": 5},
    "max_units": {"type": "log", "low": 64, "high": 1024},
    "max_dropout": {"type": "linear", "low": 0.0, "high": 1.0},
}


LCBENCH_OBJ = {
    "val_accuracy": ("val_accuracy", "max"),
    "time": ("time", "min"),
    "val_cross_entropy": ("val_cross_entropy", "min"),
    "val_balanced_accuracy": ("val_balanced_accuracy", "max"),
}


def load_lcbench_surrogate(data_dir: Path | str | None) -> Table:
    """**Surrogate** LCBench: the YAHPO Gym ``lcbench`` ONNX model queried offline.

    Not measured: every value is a prediction of YAHPO Gym's surrogate for 1 000 random
    configurations of LCBench's 7-dimensional space on its 34 OpenML tasks, epochs 1..52.
    ``metadata["surrogate"]`` is True; say "surrogate" wherever results on it are reported.
    Objectives: ``val_accuracy`` (%, max), ``time`` (cumulative seconds, min),
    ``val_cross_entropy`` (min), ``val_balanced_accuracy`` (fraction, max); defaults
    ``val_accuracy``, ``time``. The surrogate's cumulative time is not always non-decreasing
    over epochs (``metadata["time_decreases"]`` counts the decreasing steps); kept as
    predicted. Encoding uses LCBench's space (log for batch size, learning rate, max units).

    Args:
        data_dir: root data directory (holding ``lcbench_surrogate/``).

    Returns:
        The table (float32 values, shape [34, 1000, 1, 52, 4]).

    References:
        Zimmer et al., TPAMI 2021 (LCBench); Pfisterer et al., AutoML-Conf 2022 (YAHPO Gym).
    """
    d = folder(data_dir, "lcbench_surrogate")
    path = need(d / "lcbench_surrogate.npz", "lcbench_surrogate")
    with np.load(path, allow_pickle=False) as npz:
        z = {k: npz[k] for k in npz.files}
    check_keys(
        z,
        ("tasks", "hp_names", "configs", "epochs", *(k for k, _ in LCBENCH_OBJ.values())),
        "lcbench_surrogate.npz",
    )
    tasks = tuple(str(t) for t in z["tasks"])
    hp = [str(h) for h in z["hp_names"]]
    configs = pd.DataFrame(np.asarray(z["configs"], np.float64), columns=hp)
    for c in ("batch_size", "num_layers", "max_units"):
        if c in configs:
            configs[c] = configs[c].round().astype(np.int64)
    epochs = np.asarray(z["epochs"], np.float64)
    arrays = []
    for key, _ in LCBENCH_OBJ.values():
        a = np.asarray(z[key])
        if a.shape != (len(tasks), len(configs), len(epochs)):
            raise ValueError(f"lcbench_surrogate: {key} has shape {a.shape}")
        arrays.append(a)
    raw = np.stack(arrays, axis=-1)[:, :, None]  # [T, C, 1, F, M]
    mask = np.all(np.isfinite(raw), axis=-1)
    sign = np.array([-1.0 if dr == "max" else 1.0 for _, dr in LCBENCH_OBJ.values()], np.float32)
    values = np.where(mask[..., None], raw * sign, np.nan).astype(np.float32)
    time_decreases = int((np.diff(z["time"], axis=-1) < 0).sum())
    space = {k: v for k, v in LCBENCH_SPACE.items() if k in configs.columns}
    encoded, enc_names = encode_configs(configs, space)
    md = common_metadata(
        values,
        mask,
        default_objectives=("val_accuracy", "time"),
        citation=CITATIONS["lcbench"],
        description=describe("lcbench_surrogate"),
        notes=(
            "SURROGATE, not measured: YAHPO Gym lcbench ONNX predictions; cumulative time "
            f"decreases in {time_decreases} epoch steps (surrogate artefact, kept); "
            "val_accuracy in %, val_balanced_accuracy as a fraction."
        ),
        surrogate=True,
        time_decreases=time_decreases,
        encoded_names=tuple(enc_names),
    )
    return Table(
        name="lcbench_surrogate",
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=epochs,
        objectives=tuple(LCBENCH_OBJ),
        directions=tuple(dr for _, dr in LCBENCH_OBJ.values()),
        tasks=tasks,
        fidelity_name="epoch",
        time_objective="time",
        time_cumulative=True,
        **semantics(md),
    )
