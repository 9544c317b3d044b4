"""HyperJump's tables: the MNIST grid (epochs × data fractions), the UNet runs on two machine
flavors × 1-2 workers at time budgets, and the time-budget view of the TrimTuner CNN runs.

References:
    Mendes, Casimiro, Romano, Garlan. HyperJump: Accelerating HyperBand via risk modelling.
    AAAI 2023 (arXiv 2108.02479).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..hardware import HardwareSpec
from ..table import Table, table_from_arrays, table_from_frame
from ._common import folder, need, read_npz
from .catalog import CITATIONS

__all__ = ["HJ_AXES", "load_hyperjump_cnn", "load_hyperjump_mnist", "load_hyperjump_unet"]

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


# ---- time-budget tables (fidelity = seconds of training) --------------------------------------
#: HyperJump's UNet setups, $/h of the whole setup per (flavor, n_workers), as recorded with the
#: release (``hyperjump/meta.json``, ``unet.cost_note``: the prices in HyperJump's code).
UNET_PRICE_PER_HOUR = {
    ("intel14_v1", 1): 1.14,
    ("intel14_v1", 2): 2.28,
    ("intel14_v2", 1): 1.204,
    ("intel14_v2", 2): 2.176,
}
UNET_HP = ["flavor", "n_workers", "batch", "learning_rate", "momentum", "sync"]
HJ_CNN_HP = ["vm_flavor", "n_workers", "learning_rate", "batch_size", "synchronism"]


def _merge_budget_grids(df: pd.DataFrame, key: list[str], values: list[str], what: str):
    """One row per (config, budget): the eta2 and eta3 grids share budgets (18000 s / 600 s),
    read off the same runs; the shared rows must agree, then one is kept."""
    dup = df.duplicated(key, keep=False)
    if dup.any():
        spread = df[dup].groupby(key)[values].agg(lambda x: float(np.ptp(x.to_numpy())))
        if (spread.to_numpy() > 1e-9).any():
            raise ValueError(f"{what}: the budget grids disagree on a shared (config, budget)")
    return df.drop_duplicates(key).sort_values(key, kind="stable").reset_index(drop=True)


def _grids(df: pd.DataFrame) -> dict[str, list[float]]:
    return {
        str(g): sorted(float(b) for b in x["time_budget_s"].unique())
        for g, x in df.groupby("budget_grid")
    }


def load_hyperjump_unet(data_dir: Path | None) -> Table:
    """HyperJump UNet: 99 configs (2 machine flavors × 1-2 workers × hyperparameters) read off at
    9 training-time budgets, with dollar cost.

    What the release holds (``hyperjump/unet.csv.gz``): 990 rows = 99 configurations × 5 budgets
    of two budget grids (HyperBand with η = 2: 1125 … 18000 s; η = 3: 222 … 18000 s). The grids
    share 18000 s (identical rows), so each configuration has one run observed at the 9
    distinct budgets: the fidelity (``time_budget_s``), resumable (``fidelity_kind``
    "resumable", ``time_cumulative``). Hyperparameters: ``flavor`` (intel14_v1 / intel14_v2),
    ``n_workers`` (1, 2), ``batch`` (1, 2), ``learning_rate``, ``momentum``, ``sync``; 99 of
    the 144 grid points were run. Objectives: ``acc`` (max), ``time_s`` (measured elapsed
    seconds, ≈ the budget), ``cost_usd`` = ``time_s`` × setup $/h / 3600 with the prices of
    :data:`UNET_PRICE_PER_HOUR` (checked against the released ``cost_usd``, rtol 1e-4).
    ``metadata["budget_grids"]`` lists each grid's budgets.
    """
    d = folder(data_dir, "hyperjump")
    df = pd.read_csv(need(d / "unet.csv.gz", "hyperjump_unet"))
    cols = ["budget_grid", "config_id", *UNET_HP, "time_budget_s", "time_s", "acc", "cost_usd"]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"hyperjump_unet: columns {missing} missing from unet.csv.gz")
    grids = _grids(df)
    df = _merge_budget_grids(
        df, ["config_id", "time_budget_s"], ["time_s", "acc", "cost_usd"], "hyperjump_unet"
    )
    if df.groupby("config_id")[UNET_HP].nunique().max().max() > 1:
        raise ValueError("hyperjump_unet: a config_id has two hyperparameter settings")
    unknown = set(zip(df["flavor"], df["n_workers"], strict=True)) - set(UNET_PRICE_PER_HOUR)
    if unknown:
        raise ValueError(f"hyperjump_unet: no price for hardware {sorted(unknown)}")
    hw = HardwareSpec(
        columns=["flavor", "n_workers"],
        price_per_hour=UNET_PRICE_PER_HOUR,
        n_instances=lambda h: h["n_workers"].to_numpy(np.float64),
        source="HyperJump (Mendes et al., AAAI 2023) code's prices for the UNet setups, as "
        "recorded with the release: intel14_v1 1.14 $/h (1 worker), 2.28 (2); intel14_v2 "
        "1.204 (1), 2.176 (2)",
    )
    t = table_from_frame(
        df,
        config_columns=UNET_HP,
        fidelity_column="time_budget_s",
        objectives={"acc": "max", "time_s": "min"},
        hardware=hw,
        time_objective="time_s",
        time_cumulative=True,
        name="hyperjump_unet",
        space={
            "flavor": "categorical",
            "sync": "categorical",
            "learning_rate": "log",
            "momentum": "linear",
        },
        metadata={
            "citation": CITATIONS["hyperjump"],
            "surrogate": False,
            "config_id": df.drop_duplicates("config_id")["config_id"].to_numpy(np.int64),
            "budget_grids": grids,
            "notes": "One run per configuration read off at the 9 time budgets of HyperJump's "
            "two HyperBand grids; acc at a budget is the accuracy reached by then. 99 of the "
            "144 grid points were run.",
        },
    ).with_cost("cost_usd")
    _check_cost(t, df, "hyperjump_unet")
    return t.replace(default_objectives=("acc", "time_s", "cost_usd"))


def _check_cost(t: Table, df: pd.DataFrame, what: str) -> None:
    """Our ``cost_usd`` (time × setup price) must reproduce the released one."""
    ours = t.to_frame()
    theirs = df["cost_usd"].to_numpy(np.float64)
    if len(ours) != len(df) or not np.allclose(
        np.sort(ours["cost_usd"].to_numpy(np.float64)), np.sort(theirs), rtol=1e-4, atol=1e-6
    ):
        raise ValueError(f"{what}: cost from the hardware prices differs from the release")


def load_hyperjump_cnn(data_dir: Path | None) -> Table:
    """HyperJump's time-budget view of the TrimTuner CNN runs (full data, AWS t2 hardware).

    What the release holds (``cloud_tf_mnist/hyperjump_cnn_timebudget.csv.gz``): the 288
    TrimTuner CNN configurations (t2 flavor × workers × lr × batch × sync, 60 000 training
    examples) read off at the budgets of two HyperBand grids (η = 2: 37 … 600 s; η = 3: 7 …
    600 s; 9 distinct budgets, 600 s shared and identical). Fidelity: ``time_budget_s``
    (resumable: the same run observed at growing budgets). Objectives: ``acc`` (max),
    ``time_s`` (min) and ``cost_usd`` (min). The release charges every budget in full (its
    cost is exactly budget × setup $/h, also for the 49 % of runs that end before 600 s), so
    ``time_s`` is the budget itself; cost uses TrimTuner's prices (setup $/h = (n_workers + 1
    parameter server) × t2 price + 0.3712 helper VM), checked against the released cost.
    """
    d = folder(data_dir, "cloud_tf_mnist")
    meta = json.loads(need(d / "meta.json", "hyperjump_cnn").read_text())
    df = pd.read_csv(need(d / "hyperjump_cnn_timebudget.csv.gz", "hyperjump_cnn"))
    cols = ["budget_grid", *HJ_CNN_HP, "n_ps", "time_budget_s", "acc", "cost_usd"]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"hyperjump_cnn: columns {missing} missing")
    grids = _grids(df)
    df = _merge_budget_grids(
        df, [*HJ_CNN_HP, "time_budget_s"], ["acc", "cost_usd"], "hyperjump_cnn"
    )
    df = df.assign(time_s=df["time_budget_s"].astype(np.float64))
    prices = meta["price_per_hour_usd"]
    helper = float(meta["helper_vm_price_per_hour"])
    n_ps = df.groupby(["vm_flavor", "n_workers"])["n_ps"].first().to_dict()

    def n_inst(h: pd.DataFrame) -> np.ndarray:
        return h["n_workers"].to_numpy(np.float64) + np.array(
            [n_ps[(f, w)] for f, w in zip(h["vm_flavor"], h["n_workers"], strict=True)]
        )

    hw = HardwareSpec(
        columns=["vm_flavor", "n_workers"],
        price_per_hour=lambda h: (
            n_inst(h) * h["vm_flavor"].map(prices).to_numpy(np.float64) + helper
        ),
        price_per_hour_instance=lambda h: h["vm_flavor"].map(prices).to_numpy(np.float64),
        n_instances=n_inst,
        source="AWS EC2 on-demand t2 prices as used by TrimTuner / HyperJump: setup $/h = "
        "(n_workers + n_ps) * instance $/h + 0.3712 (one t2.2xlarge helper VM)",
    )
    t = table_from_frame(
        df,
        config_columns=HJ_CNN_HP,
        fidelity_column="time_budget_s",
        objectives={"acc": "max", "time_s": "min"},
        hardware=hw,
        time_objective="time_s",
        time_cumulative=True,
        name="hyperjump_cnn",
        space={"synchronism": "categorical", "vm_flavor": "categorical"},
        metadata={
            "citation": CITATIONS["hyperjump"] + "; data: " + CITATIONS["trimtuner"],
            "surrogate": False,
            "budget_grids": grids,
            "notes": "TrimTuner CNN runs on the full training set read off at HyperJump's time "
            "budgets; time_s = the budget (the release charges each budget in full).",
        },
    ).with_cost("cost_usd")
    _check_cost(t, df, "hyperjump_cnn")
    return t.replace(default_objectives=("acc", "time_s", "cost_usd"))
