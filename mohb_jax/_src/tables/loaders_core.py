"""Loaders for NAS-Bench-201, FCNet, TrimTuner (cloud TensorFlow on MNIST) and HyperJump MNIST.

Each reads the converted files under ``<data_dir>/<folder>`` (see ``shared/data/README.md`` and
each folder's ``meta.json``) with vectorized numpy/pandas and registers itself in the registry.
All tables here are real measurements (no surrogate).

References:
    Dong & Yang. NAS-Bench-201: Extending the scope of reproducible neural architecture search.
    ICLR 2020. Lee, Lee, Hwang. HELP: Hardware-adaptive efficient latency prediction for NAS via
    meta-learning. NeurIPS 2021. Li et al. HW-NAS-Bench. ICLR 2021. Dudziak et al. BRP-NAS.
    NeurIPS 2020.
    Klein & Hutter. Tabular benchmarks for joint architecture and hyperparameter optimization.
    arXiv 1905.04970 (FCNet).
    Mendes, Casimiro, Romano, Garlan. TrimTuner: Efficient optimization of machine learning jobs
    in the cloud via sub-sampling. MASCOTS 2020.
    Mendes, Casimiro, Romano, Garlan. HyperJump: Accelerating HyperBand via risk modelling.
    AAAI 2023 (arXiv 2108.02479).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .frame import HardwareSpec, table_from_arrays, table_from_frame
from .registry import register_benchmark
from .table import Table

NB201_CITATION = (
    "Dong & Yang, NAS-Bench-201, ICLR 2020; device latencies: Lee et al., HELP, NeurIPS 2021 "
    "(from HW-NAS-Bench, Li et al., ICLR 2021, and BRP-NAS, Dudziak et al., NeurIPS 2020)"
)
FCNET_CITATION = (
    "Klein & Hutter, Tabular benchmarks for joint architecture and HPO, arXiv 1905.04970"
)
TRIMTUNER_CITATION = "Mendes, Casimiro, Romano & Garlan, TrimTuner, MASCOTS 2020"
HYPERJUMP_CITATION = "Mendes, Casimiro, Romano & Garlan, HyperJump, AAAI 2023 (arXiv 2108.02479)"


def _folder(data_dir: Path | None, name: str) -> Path:
    if data_dir is None:
        raise FileNotFoundError(f"no data directory given for folder {name!r}")
    d = Path(data_dir) / name
    if not d.is_dir():
        raise FileNotFoundError(f"missing table folder {d}")
    return d


def _need(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"missing table file {path}")
    return path


def _npz(path: Path, keys: list[str]) -> dict[str, np.ndarray]:
    """Arrays ``keys`` of an npz file; ``ValueError`` naming the file if unreadable/incomplete."""
    _need(path)
    try:
        z = np.load(path, allow_pickle=False)
    except Exception as e:
        raise ValueError(f"cannot read {path}: {e}") from e
    with z:
        missing = [k for k in keys if k not in z.files]
        if missing:
            raise ValueError(f"{path} lacks arrays {missing}; it has {z.files}")
        try:
            return {k: z[k] for k in keys}
        except Exception as e:
            raise ValueError(f"cannot read {path}: {e}") from e


# ---- NAS-Bench-201 ----------------------------------------------------------------------------
NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: The 27 HELP devices, in the order of ``hw_devices`` (static, for ``list_benchmarks``).
NB201_DEVICES = (
    "1080ti_1", "1080ti_256", "1080ti_32", "2080ti_1", "2080ti_256", "2080ti_32",
    "essential_ph_1", "eyeriss", "fpga", "gold_6226", "gold_6240", "pixel2", "pixel3", "raspi4",
    "samsung_a50", "samsung_s7", "silver_4114", "silver_4210r", "titan_rtx_1", "titan_rtx_256",
    "titan_rtx_32", "titanx_1", "titanx_256", "titanx_32", "titanxp_1", "titanxp_256",
    "titanxp_32",
)  # fmt: skip


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
    d = _folder(data_dir, "nasbench201")
    keys = ["datasets", "val_acc", "train_time_200ep_s", "latency_s", "params_mb", "test_acc"]
    keys += ["train_acc", "op_codes", "hw_devices", "hw_latency_ms", "ops"]
    z = _npz(d / "nasbench201_dense.npz", keys)
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
            "citation": NB201_CITATION,
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


# ---- FCNet ------------------------------------------------------------------------------------
def load_fcnet(data_dir: Path | None) -> Table:
    """FCNet: 62 208 MLP configurations × 4 UCI regression datasets × 4 seeds, final 100 epochs.

    Objectives: ``val_loss`` (validation MSE, min; diverged runs up to ~8.7e7 are kept as
    values), ``train_time`` (s, min; time for 100 epochs), ``model_size`` (#parameters, min).
    Hyperparameters: the 9 FCNet grid dimensions with their real values (activations and lr
    schedule categorical; ``init_lr`` spans more than two decades and is log-scaled in
    ``encoded``).
    """
    d = _folder(data_dir, "fcnet")
    z = _npz(
        d / "fcnet_dense.npz",
        ["datasets", "hp_names", "hp_codes", "val_loss"]
        + [
            "train_time",
            "model_size",
        ],
    )
    meta = json.loads(_need(d / "meta.json").read_text())
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
            "citation": FCNET_CITATION,
            "surrogate": False,
            "final_fidelity_only": True,
            "notes": "Final 100-epoch results only. val_loss is MSE; diverged runs (up to "
            "~8.7e7) are kept, so the reference point of val_loss is large; consider "
            "log-transforming it for HV plots.",
        },
    )


# ---- TrimTuner (cloud TF on MNIST) ------------------------------------------------------------
TRIMTUNER_HP = ["vm_flavor", "n_workers", "learning_rate", "batch_size", "synchronism"]
TRIMTUNER_HELPER_VM_PER_HOUR = 0.3712


def _trimtuner_runs(data_dir: Path | None) -> tuple[pd.DataFrame, dict]:
    d = _folder(data_dir, "cloud_tf_mnist")
    meta = json.loads(_need(d / "meta.json").read_text())
    runs = pd.read_csv(_need(d / "trimtuner_runs.csv.gz"))
    need = TRIMTUNER_HP + ["model", "config_id", "n_ps", "price_per_hour_vm"]
    need += ["training_set_size", "acc", "training_time_s", "cost_usd"]
    missing = [c for c in need if c not in runs.columns]
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
            "citation": TRIMTUNER_CITATION,
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
    d = _folder(data_dir, "hyperjump")
    keys = [f"axis_{a}" for a in HJ_AXES] + ["test_error", "train_time_s", "test_time_s"]
    z = _npz(d / "mnist_grid_dense.npz", keys)
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
            "citation": HYPERJUMP_CITATION,
            "surrogate": False,
            "data_fractions": [float(fracs[i]) for i in order],
            "notes": "Tasks are data fractions (frac=1 first). Time at epoch e is the time to "
            "train e epochs from scratch; whether the grid's epoch budgets were separate runs "
            "is not documented in the release, so resuming is our assumption.",
        },
    )


# ---- registration -----------------------------------------------------------------------------
register_benchmark(
    "nasbench201",
    load_nasbench201,
    description="NAS-Bench-201: 15 625 cell architectures, final 200-epoch results, 3 image "
    "datasets, up to 3 seeds, + inference latency on 27 devices",
    citation=NB201_CITATION,
    default_objectives=("val_acc", "train_time_200ep_s"),
    tasks=("cifar10", "cifar100", "ImageNet16-120"),
    n_configs=15625,
    objectives=(
        "val_acc",
        "train_time_200ep_s",
        "latency_s",
        "params_mb",
        *(f"latency_{d}" for d in NB201_DEVICES),
    ),
    data_folder="nasbench201",
)
register_benchmark(
    "fcnet",
    load_fcnet,
    description="FCNet: 62 208 MLP configs on 4 UCI regression datasets, 4 seeds, final 100 epochs",
    citation=FCNET_CITATION,
    default_objectives=("val_loss", "train_time"),
    tasks=(
        "naval_propulsion",
        "parkinsons_telemonitoring",
        "protein_structure",
        "slice_localization",
    ),
    n_configs=62208,
    objectives=("val_loss", "train_time", "model_size"),
    data_folder="fcnet",
)
for _model, _loader in (("cnn", load_trimtuner_cnn), ("rnn", load_trimtuner_rnn)):
    register_benchmark(
        f"trimtuner_{_model}",
        _loader,
        description=f"TrimTuner {_model.upper()} on MNIST with distributed TensorFlow on AWS: "
        "288 configs (t2 flavor × workers × lr × batch × sync) × 5 training-set sizes, $ cost",
        citation=TRIMTUNER_CITATION,
        default_objectives=("acc", "training_time_s", "cost_usd"),
        tasks=("default",),
        n_configs=288,
        objectives=("acc", "training_time_s", "cost_usd"),
        data_folder="cloud_tf_mnist",
    )
register_benchmark(
    "hyperjump_mnist",
    load_hyperjump_mnist,
    description="HyperJump MNIST grid: 256 configs × epochs {1..16}, data fractions as tasks",
    citation=HYPERJUMP_CITATION,
    default_objectives=("test_error", "train_time_s"),
    tasks=("frac=1", "frac=0.5", "frac=0.25", "frac=0.125", "frac=0.0625"),
    n_configs=256,
    objectives=("test_error", "train_time_s", "test_time_s"),
    data_folder="hyperjump",
)
