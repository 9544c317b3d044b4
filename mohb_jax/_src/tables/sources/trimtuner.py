"""TrimTuner: distributed TensorFlow on AWS t2 instances (MNIST CNN and RNN).

References:
    Mendes, Casimiro, Romano, Garlan. TrimTuner: Efficient optimization of machine learning jobs
    in the cloud via sub-sampling. MASCOTS 2020.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..hardware import HardwareSpec
from ..table import Table, table_from_frame
from ._common import folder, need
from .catalog import CITATIONS

__all__ = ["TRIMTUNER_HP", "load_trimtuner_cnn", "load_trimtuner_rnn"]

# ---- TrimTuner (cloud TF on MNIST) ------------------------------------------------------------
TRIMTUNER_HP = ["vm_flavor", "n_workers", "learning_rate", "batch_size", "synchronism"]


TRIMTUNER_HELPER_VM_PER_HOUR = 0.3712


def _trimtuner_runs(data_dir: Path | None) -> tuple[pd.DataFrame, dict]:
    d = folder(data_dir, "cloud_tf_mnist")
    meta = json.loads(need(d / "meta.json").read_text())
    runs = pd.read_csv(need(d / "trimtuner_runs.csv.gz"))
    cols = TRIMTUNER_HP + ["model", "config_id", "n_ps", "price_per_hour_vm"]
    cols += ["training_set_size", "acc", "training_time_s", "cost_usd"]
    missing = [c for c in cols if c not in runs.columns]
    if missing:
        raise ValueError(f"trimtuner_runs.csv.gz lacks columns {missing}")
    return runs, meta


def _load_trimtuner(data_dir: Path | None, model: str) -> Table:
    runs, meta = _trimtuner_runs(data_dir)
    df = runs[runs["model"] == model].sort_values(["config_id", "training_set_size"])
    if df.empty:
        raise ValueError(f"no TrimTuner runs for model {model!r}")
    prices = meta["price_per_hour_usd"]
    helper = float(meta.get("helper_vm_price_per_hour", TRIMTUNER_HELPER_VM_PER_HOUR))
    n_ps = df.groupby(["vm_flavor", "n_workers"])["n_ps"].agg(["min", "max"])
    if (n_ps["min"] != n_ps["max"]).any():
        raise ValueError("n_ps differs between runs of the same hardware setting")
    n_ps = n_ps["min"].to_dict()
    # the flavor's $/h must agree with the price column shipped in the csv
    shipped = df.groupby("vm_flavor")["price_per_hour_vm"].first()
    for fl, p in shipped.items():
        if not np.isclose(prices[fl], p):
            raise ValueError(f"price of {fl} in meta.json ({prices[fl]}) != csv ({p})")

    def setup_price(hw: pd.DataFrame) -> np.ndarray:
        inst = hw["vm_flavor"].map(prices).to_numpy(np.float64)
        n = hw["n_workers"].to_numpy() + np.array(
            [n_ps[(f, w)] for f, w in zip(hw["vm_flavor"], hw["n_workers"], strict=True)]
        )
        return n * inst + helper

    hardware = HardwareSpec(
        columns=["vm_flavor", "n_workers"],
        price_per_hour=setup_price,
        price_per_hour_instance=lambda hw: hw["vm_flavor"].map(prices).to_numpy(np.float64),
        n_instances=lambda hw: (
            hw["n_workers"].to_numpy()
            + np.array(
                [n_ps[(f, w)] for f, w in zip(hw["vm_flavor"], hw["n_workers"], strict=True)]
            )
        ),
        source="AWS EC2 on-demand t2 prices as used by TrimTuner (Mendes et al., MASCOTS 2020): "
        "setup $/h = (n_workers + n_ps) * instance $/h + 0.3712 (one t2.2xlarge helper VM)",
    )
    cfg_ids = df.drop_duplicates("config_id")["config_id"].to_numpy()
    t = table_from_frame(
        df,
        config_columns=TRIMTUNER_HP,
        fidelity_column="training_set_size",
        objectives={"acc": "max", "training_time_s": "min"},
        hardware=hardware,
        time_objective="training_time_s",
        time_cumulative=True,
        name=f"trimtuner_{model}",
        fidelity_name="training_set_size",
        space={"synchronism": "categorical", "vm_flavor": "categorical"},
        fidelity_kind="independent",
        metadata={
            "citation": CITATIONS["trimtuner"],
            "surrogate": False,
            "config_id": cfg_ids,
            "notes": "Each training-set size is a separate run from scratch: time/cost at a "
            "fidelity is the full cost of that run, and a trial cannot be resumed from a "
            "smaller size (in 89 of 288 cnn configs time does not even grow with the size). "
            "acc is the mean over the repeated measurements of the run.",
        },
    )
    t = t.with_cost("cost_usd")
    return t.replace(default_objectives=("acc", "training_time_s", "cost_usd"))


def load_trimtuner_cnn(data_dir: Path | None) -> Table:
    """TrimTuner CNN on MNIST: 288 configs (hardware × hyperparameters) × 5 training-set sizes.

    Hardware: AWS t2 flavor × number of workers (+1 parameter server, +1 helper VM);
    ``cost_usd = training_time_s × setup $/h / 3600`` (see ``hardware.catalog``).
    """
    return _load_trimtuner(data_dir, "cnn")


def load_trimtuner_rnn(data_dir: Path | None) -> Table:
    """TrimTuner RNN on MNIST: 288 configs × 5 training-set sizes (as the cnn table)."""
    return _load_trimtuner(data_dir, "rnn")
