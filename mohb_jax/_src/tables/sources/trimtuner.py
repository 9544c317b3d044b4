"""TrimTuner: distributed TensorFlow on AWS t2 instances (MNIST CNN and RNN), shipped compact.

The runs of both models ship inside the package (``mohb_jax/data/trimtuner_runs.parquet``, the
columns the tables need, ~50 KB, with ``trimtuner.json`` (prices, provenance: source file
and its sha256) and the MIT licence notice ``LICENSE-trimtuner`` beside them), so
``load_benchmark("trimtuner_cnn")`` needs no data directory. ``tools/make_trimtuner_table.py``
rebuilds the packaged files from the release folder ``cloud_tf_mnist/``; :func:`load_trimtuner`
with a ``data_dir`` reads the release itself (the tests check both give the same table).

References:
    Mendes, Casimiro, Romano, Garlan. TrimTuner: Efficient optimization of machine learning jobs
    in the cloud via sub-sampling. MASCOTS 2020.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..hardware import HardwareSpec
from ..table import Table, table_from_frame
from ._common import folder, need
from .catalog import CITATIONS

__all__ = [
    "RUN_COLUMNS",
    "TRIMTUNER_HP",
    "load_trimtuner",
    "load_trimtuner_cnn",
    "load_trimtuner_rnn",
    "packaged_paths",
    "read_release",
]

TRIMTUNER_HP = ["vm_flavor", "n_workers", "learning_rate", "batch_size", "synchronism"]
#: The columns of the release's ``trimtuner_runs.csv.gz`` the tables use (and the package ships).
RUN_COLUMNS = [
    "model",
    "config_id",
    *TRIMTUNER_HP,
    "n_ps",
    "price_per_hour_vm",
    "training_set_size",
    "acc",
    "std_acc",
    "training_time_s",
    "std_time_s",
    "cost_usd",
]
TRIMTUNER_HELPER_VM_PER_HOUR = 0.3712
PACKAGED_STEM = "trimtuner_runs"


def packaged_paths() -> tuple[Path, Path]:
    """Paths of the shipped ``trimtuner_runs.parquet`` and ``trimtuner.json``."""
    base = resources.files("mohb_jax") / "data"
    return Path(str(base / f"{PACKAGED_STEM}.parquet")), Path(str(base / "trimtuner.json"))


def _check_columns(runs: pd.DataFrame, where: str) -> pd.DataFrame:
    missing = [c for c in RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"{where} lacks columns {missing}")
    return runs[RUN_COLUMNS]


def read_release(data_dir: Path | str | None) -> tuple[pd.DataFrame, dict]:
    """``(runs, meta)`` from the release folder ``<data_dir>/cloud_tf_mnist``.

    ``runs`` holds :data:`RUN_COLUMNS` in file order; ``meta`` is its ``meta.json`` (prices).
    """
    d = folder(data_dir, "cloud_tf_mnist")
    meta = json.loads(need(d / "meta.json").read_text())
    runs = pd.read_csv(need(d / "trimtuner_runs.csv.gz"))
    return _check_columns(runs, "trimtuner_runs.csv.gz"), meta


def _read_packaged() -> tuple[pd.DataFrame, dict]:
    pq, js = packaged_paths()
    if not pq.is_file() or not js.is_file():
        raise FileNotFoundError(f"the packaged TrimTuner files are missing: {pq}, {js}")
    meta = json.loads(js.read_text())
    return _check_columns(pd.read_parquet(pq), str(pq)), meta


def load_trimtuner(model: str, data_dir: Path | str | None = None) -> Table:
    """TrimTuner ``model`` ("cnn" or "rnn") from the package, or from the release folder.

    Args:
        model: "cnn" or "rnn".
        data_dir: None: the copy shipped in the package; a data directory holding
            ``cloud_tf_mnist/``: the release files themselves.

    Returns:
        The table (see :func:`load_trimtuner_cnn`).

    Raises:
        ValueError: unknown model, or files missing columns / prices that disagree.
        FileNotFoundError: ``data_dir`` lacks the release files.
    """
    if model not in ("cnn", "rnn"):
        raise ValueError(f"unknown TrimTuner model {model!r}; choose 'cnn' or 'rnn'")
    runs, meta = _read_packaged() if data_dir is None else read_release(data_dir)
    return _trimtuner_table(runs, meta, model)


def _trimtuner_table(runs: pd.DataFrame, meta: dict, model: str) -> Table:
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
    ``cost_usd = training_time_s × setup $/h / 3600`` (see ``hardware.catalog``). Each
    training-set size is a separate run: ``fidelity_kind="independent"``. Reads the copy shipped
    in the package (``data_dir`` is ignored; :func:`load_trimtuner` reads the release).
    """
    del data_dir  # the packaged copy; load_trimtuner("cnn", data_dir) reads the release
    return load_trimtuner("cnn")


def load_trimtuner_rnn(data_dir: Path | None) -> Table:
    """TrimTuner RNN on MNIST: 288 configs × 5 training-set sizes (as the cnn table)."""
    del data_dir
    return load_trimtuner("rnn")
