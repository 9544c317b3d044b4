"""HyperJump's tables: the MNIST grid (epochs × data fractions).

References:
    Mendes, Casimiro, Romano, Garlan. HyperJump: Accelerating HyperBand via risk modelling.
    AAAI 2023 (arXiv 2108.02479).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..table import Table, table_from_arrays
from ._common import folder, read_npz
from .catalog import CITATIONS

__all__ = ["HJ_AXES", "load_hyperjump_mnist"]

# ---- HyperJump MNIST grid ---------------------------------------------------------------------
HJ_AXES = ["learning_rate", "momentum", "batch_size", "weight_decay", "data_fraction", "epoch"]


def load_hyperjump_mnist(data_dir: Path | None) -> Table:
    """HyperJump MNIST grid: 256 configs × epochs {1, 2, 4, 8, 16}; data fractions as tasks.

    Fidelity: epochs. The data fraction (1/16 … 1) is a *task* — tasks are ordered
    ``frac=1`` (full data, the default task) first, then decreasing fractions, so transfer
    across data fractions can be studied. Hyperparameters: learning_rate, momentum, batch_size,
    weight_decay (real values). Objectives: ``test_error`` (fraction, min), ``train_time_s``
    (min), ``test_time_s`` (min). Time at epoch e is the training time of e epochs from scratch
    (≈ linear in e), so ``time_cumulative=True``. ``test_loss`` is not an objective (NaN for
    diverged runs).
    """
    d = folder(data_dir, "hyperjump")
    keys = [f"axis_{a}" for a in HJ_AXES] + ["test_error", "train_time_s", "test_time_s"]
    z = read_npz(d / "mnist_grid_dense.npz", keys)
    axes = [z[f"axis_{a}"].astype(np.float64) for a in HJ_AXES]
    shape = tuple(len(a) for a in axes)
    arrs = [z[k].astype(np.float64) for k in ("test_error", "train_time_s", "test_time_s")]
    if any(a.shape != shape for a in arrs):
        raise ValueError(f"hyperjump arrays must have shape {shape}")
    n_hp = int(np.prod(shape[:4]))
    fracs, epochs = axes[4], axes[5]
    order = np.argsort(-fracs)  # full data first
    v = np.stack(arrs, axis=-1).reshape(n_hp, len(fracs), len(epochs), 3)  # [C, T, F, M]
    v = v[:, order].transpose(1, 0, 2, 3)[:, :, None]  # [T, C, 1, F, M]
    grid = np.meshgrid(*axes[:4], indexing="ij")
    configs = pd.DataFrame({a: g.reshape(-1) for a, g in zip(HJ_AXES[:4], grid, strict=True)})
    configs["batch_size"] = configs["batch_size"].astype(np.int64)
    tasks = [f"frac={fracs[i]:g}" for i in order]
    return table_from_arrays(
        v,
        configs=configs,
        objectives={"test_error": "min", "train_time_s": "min", "test_time_s": "min"},
        tasks=tasks,
        fidelities=epochs,
        fidelity_name="epoch",
        name="hyperjump_mnist",
        space={"momentum": "linear", "weight_decay": "linear", "learning_rate": "log"},
        time_objective="train_time_s",
        time_cumulative=True,
        default_objectives=["test_error", "train_time_s"],
        metadata={
            "citation": CITATIONS["hyperjump"],
            "surrogate": False,
            "data_fractions": [float(fracs[i]) for i in order],
            "notes": "Tasks are data fractions (frac=1 first). Time at epoch e is the time to "
            "train e epochs from scratch; whether the grid's epoch budgets were separate runs "
            "is not documented in the release, so resuming is our assumption.",
        },
    )
