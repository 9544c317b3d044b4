"""NAS-Bench-201 (final 200-epoch results) with 27 device latencies from HELP.

References:
    Dong & Yang. NAS-Bench-201: Extending the scope of reproducible neural architecture search.
    ICLR 2020. Lee, Lee, Hwang. HELP: Hardware-adaptive efficient latency prediction for NAS via
    meta-learning. NeurIPS 2021. Li et al. HW-NAS-Bench. ICLR 2021. Dudziak et al. BRP-NAS.
    NeurIPS 2020.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..table import Table, table_from_arrays
from ._common import folder, read_npz
from .catalog import CITATIONS, NB201_DEVICES

__all__ = ["NB201_DEVICES", "NB201_OPS", "load_nasbench201"]

# ---- NAS-Bench-201 ----------------------------------------------------------------------------
NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def load_nasbench201(data_dir: Path | None) -> Table:
    """NAS-Bench-201, final (200-epoch) results, with 27 device latencies as objectives.

    Tasks: ``cifar10`` (the *cifar10-valid* split: train on train, validate on valid),
    ``cifar100``, ``ImageNet16-120``. Configs: 15 625 architectures in the official NB201 index
    order, hyperparameters ``op0..op5`` (the op on each cell edge, in ``meta.json`` edge order;
    categorical). Seeds: up to 3 (masked where a seed is missing; 7 456 archs have 2). Fidelity:
    only the final 200 epochs (``fidelities == [200]``); no learning curves.

    Objectives (original units): ``val_acc`` % (max, per seed); ``train_time_200ep_s`` (min,
    time to train 200 epochs), ``latency_s`` (min, NB201 GPU inference latency),
    ``params_mb`` (min), and ``latency_<device>`` ms (min) for the 27 HELP devices — these are
    per architecture, identical for every seed (and for ``latency_<device>`` every task).
    ``test_acc`` / ``train_acc`` (single run) are kept in ``metadata`` as ``[task, config]``
    arrays, not as objectives.
    """
    d = folder(data_dir, "nasbench201")
    keys = ["datasets", "val_acc", "train_time_200ep_s", "latency_s", "params_mb", "test_acc"]
    keys += ["train_acc", "op_codes", "hw_devices", "hw_latency_ms", "ops"]
    z = read_npz(d / "nasbench201_dense.npz", keys)
    acc = z["val_acc"].astype(np.float64)  # [T, C, S]
    T, C, S = acc.shape
    if tuple(z["ops"]) != NB201_OPS:
        raise ValueError(f"unexpected op list {tuple(z['ops'])}; expected {NB201_OPS}")
    per_arch = [z[k].astype(np.float64) for k in ("train_time_200ep_s", "latency_s", "params_mb")]
    devices = [str(x) for x in z["hw_devices"]]
    hw = z["hw_latency_ms"].astype(np.float64)  # [C, D]
    if hw.shape != (C, len(devices)) or any(p.shape != (T, C) for p in per_arch):
        raise ValueError("nasbench201 arrays have inconsistent shapes")
    cols = [acc]
    cols += [np.broadcast_to(p[:, :, None], (T, C, S)) for p in per_arch]
    cols += [np.broadcast_to(hw[None, :, None, j], (T, C, S)) for j in range(len(devices))]
    values = np.stack(cols, axis=-1)[:, :, :, None, :]  # [T, C, S, 1, M]
    mask = ~np.isnan(acc)[..., None]
    names = ["val_acc", "train_time_200ep_s", "latency_s", "params_mb"]
    names += [f"latency_{dev}" for dev in devices]
    objectives = {n: ("max" if n == "val_acc" else "min") for n in names}
    codes = z["op_codes"].astype(np.int64)
    configs = pd.DataFrame(
        {
            f"op{j}": pd.Categorical.from_codes(codes[:, j], categories=list(NB201_OPS))
            for j in range(codes.shape[1])
        }
    )
    return table_from_arrays(
        values,
        mask=mask,
        configs=configs,
        objectives=objectives,
        tasks=[str(t) for t in z["datasets"]],
        fidelities=[200.0],
        fidelity_name="epoch",
        name="nasbench201",
        time_objective="train_time_200ep_s",
        time_cumulative=True,
        default_objectives=["val_acc", "train_time_200ep_s"],
        metadata={
            "citation": CITATIONS["nasbench201"],
            "surrogate": False,
            "final_fidelity_only": True,
            "notes": "Final 200-epoch results only (no curves). Task 'cifar10' is the "
            "cifar10-valid split. Time, latency and params are per architecture (shared by "
            "the seeds); latency_<device> in ms from HELP, shared by all tasks.",
            "test_acc": z["test_acc"].astype(np.float32),
            "train_acc": z["train_acc"].astype(np.float32),
            "hw_devices": devices,
        },
    )
