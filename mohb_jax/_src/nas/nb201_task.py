"""NAS-Bench-201 search tasks of the multi-objective NAS papers, as simulator tables.

:func:`nb201_search_table` turns the NAS-Bench-201 arrays into a :class:`~mohb_jax.tables.Table`
whose objectives are those the NAS papers search on, and whose "training time" is one unit per
architecture, so that a simulator budget of ``k`` seconds with one worker is exactly ``k`` true
evaluations (the papers' x-axis: number of samples):

* ``test_acc`` (max): NAS-Bench-201's test accuracy of the task's dataset (one training run);
* ``val_acc`` (max): mean validation accuracy over the seeds;
* ``conv_macs_z`` (min): LaMOO's cost objective, ``9·#conv3×3 + #conv1×1`` z-scored over the
  15 625 architectures;
* ``flops_m`` (min): FLOPs (M), an exact function of the op counts;
* ``eval_time`` (min): 1 per architecture (the time objective).

``synflow`` (our computed log synflow, :mod:`~mohb_jax._src.nas.synflow`) is kept in
``metadata["synflow"]`` as ``float32[task, config]``; it is a training-free descriptor, not an
objective. Table configs are the official NAS-Bench-201 indices.

References:
    X. Dong, Y. Yang. "NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture
    Search." ICLR 2020.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from mohb_jax._src.nas.nb201 import N_ARCHS, OPS, nb201_data_dir

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def load_synflow(op_codes=None) -> np.ndarray:
    """Our cached log-synflow ``float32[3, 15625]`` (datasets :data:`DATASETS`, official order).

    Computed by ``bench/nas_synflow.py`` with :func:`~mohb_jax._src.nas.synflow.expected_synflow`
    and shipped in ``mohb_jax/data/nb201_synflow.npz`` with the SHA-256 of the (int8) op codes
    it was computed from.

    Raises:
        ValueError: ``op_codes`` given and not those of the cache.
    """
    with (resources.files("mohb_jax") / "data" / "nb201_synflow.npz").open("rb") as f:
        z = np.load(f)
        s, sha = z["log_synflow"], str(z["op_codes_sha256"])
        ds = tuple(str(x) for x in z["datasets"])
    if ds != DATASETS or s.shape != (len(DATASETS), N_ARCHS):
        raise ValueError(f"unexpected synflow cache layout {ds}, {s.shape}")
    given = None if op_codes is None else np.ascontiguousarray(np.asarray(op_codes, np.int8))
    if given is not None and hashlib.sha256(given.tobytes()).hexdigest() != sha:
        raise ValueError("op_codes differ from those the synflow cache was computed for")
    return s.astype(np.float32)


def conv_macs_z(op_codes) -> np.ndarray:
    """LaMOO's NAS-Bench-201 cost: ``9·#conv3×3 + #conv1×1``, z-scored over the given archs."""
    c = np.asarray(op_codes)
    raw = 9.0 * (c == 3).sum(-1) + (c == 2).sum(-1)
    return (raw - raw.mean()) / raw.std()


def nb201_search_table(data_dir: str | Path | None = None):
    """The NAS-Bench-201 search table (see the module docstring).

    Raises:
        FileNotFoundError: the NAS-Bench-201 arrays are not found.
        ValueError: inconsistent arrays.
    """
    from mohb_jax._src.nas.nb201_net import op_count_flops
    from mohb_jax._src.tables.sources._common import read_npz as _npz
    from mohb_jax._src.tables.table import table_from_arrays

    d = nb201_data_dir(data_dir)
    z = _npz(
        d / "nasbench201_dense.npz", ["datasets", "op_codes", "test_acc", "val_acc", "flops_m"]
    )
    if tuple(str(x) for x in z["datasets"]) != DATASETS:
        raise ValueError(f"unexpected datasets {z['datasets']}")
    codes = z["op_codes"].astype(np.int32)
    T, C = len(DATASETS), codes.shape[0]
    flops = np.stack([op_count_flops(codes, ds) for ds in DATASETS])
    # our count vs the table's: equal per-op coefficients, constants within 1.1e-3 M
    if not np.allclose(flops, z["flops_m"], rtol=0, atol=2e-3):
        raise ValueError("FLOPs of the NB201 network differ from the table's flops_m")
    cost = np.broadcast_to(conv_macs_z(codes), (T, C))
    val = np.nanmean(z["val_acc"].astype(np.float64), axis=-1)
    cols = [z["test_acc"], val, cost, z["flops_m"], np.ones((T, C))]
    values = np.stack(cols, -1).astype(np.float64)[:, :, None, None, :]
    configs = pd.DataFrame(
        {f"op{j}": pd.Categorical.from_codes(codes[:, j], categories=list(OPS)) for j in range(6)}
    )
    objectives = {
        "test_acc": "max",
        "val_acc": "max",
        "conv_macs_z": "min",
        "flops_m": "min",
        "eval_time": "min",
    }
    return table_from_arrays(
        values,
        configs=configs,
        objectives=objectives,
        tasks=list(DATASETS),
        fidelities=[1.0],
        name="nb201_search",
        time_objective="eval_time",
        metadata={
            "default_objectives": ["test_acc", "conv_macs_z"],
            "op_codes": codes,
            "synflow": load_synflow(codes),
            "surrogate": False,
            "notes": "NAS-Bench-201 (Dong & Yang, ICLR 2020); one unit of time per "
            "architecture so that budget = number of true evaluations.",
        },
    )
