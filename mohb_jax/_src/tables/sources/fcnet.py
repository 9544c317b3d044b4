"""FCNet: 62 208 MLP configurations on 4 UCI regression datasets (final 100 epochs).

References:
    Klein & Hutter. Tabular benchmarks for joint architecture and hyperparameter optimization.
    arXiv 1905.04970.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..table import Table, table_from_arrays
from ._common import folder, need, read_npz
from .catalog import CITATIONS

__all__ = ["load_fcnet"]


# ---- FCNet ------------------------------------------------------------------------------------
def load_fcnet(data_dir: Path | None) -> Table:
    """FCNet: 62 208 MLP configurations × 4 UCI regression datasets × 4 seeds, final 100 epochs.

    Objectives: ``val_loss`` (validation MSE, min; diverged runs up to ~8.7e7 are kept as
    values), ``train_time`` (s, min; time for 100 epochs), ``model_size`` (#parameters, min).
    Hyperparameters: the 9 FCNet grid dimensions with their real values (activations and lr
    schedule categorical; ``init_lr`` spans more than two decades and is log-scaled in
    ``encoded``).
    """
    d = folder(data_dir, "fcnet")
    z = read_npz(
        d / "fcnet_dense.npz",
        ["datasets", "hp_names", "hp_codes", "val_loss"]
        + [
            "train_time",
            "model_size",
        ],
    )
    meta = json.loads(need(d / "meta.json").read_text())
    space = meta["search_space"]
    hp_names = [str(h) for h in z["hp_names"]]
    codes = z["hp_codes"].astype(np.int64)
    cols = {}
    enc_space = {}
    for j, h in enumerate(hp_names):
        choices = space[h]
        if codes[:, j].min() < 0 or codes[:, j].max() >= len(choices):
            raise ValueError(f"fcnet hp code out of range for {h!r}")
        if all(isinstance(c, str) for c in choices):
            cols[h] = pd.Categorical.from_codes(codes[:, j], categories=choices)
            enc_space[h] = {"type": "categorical", "choices": choices}
        else:
            cols[h] = np.asarray(choices)[codes[:, j]]
    configs = pd.DataFrame(cols)
    values = np.stack([z["val_loss"], z["train_time"], z["model_size"]], axis=-1)
    values = values[:, :, :, None, :]  # [T, C, S, 1, 3]
    return table_from_arrays(
        values,
        configs=configs,
        objectives={"val_loss": "min", "train_time": "min", "model_size": "min"},
        tasks=[str(t) for t in z["datasets"]],
        fidelities=[100.0],
        fidelity_name="epoch",
        name="fcnet",
        space=enc_space,
        time_objective="train_time",
        time_cumulative=True,
        default_objectives=["val_loss", "train_time"],
        metadata={
            "citation": CITATIONS["fcnet"],
            "surrogate": False,
            "final_fidelity_only": True,
            "notes": "Final 100-epoch results only. val_loss is MSE; diverged runs (up to "
            "~8.7e7) are kept, so the reference point of val_loss is large; consider "
            "log-transforming it for HV plots.",
        },
    )
