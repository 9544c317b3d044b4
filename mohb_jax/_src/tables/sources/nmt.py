"""hpo_nmt: NMTHPO (final values, the authors' Pareto flags) and NMTLC (checkpoint curves).

References:
    Zhang, Duh. "Reproducible and Efficient Benchmarks for Hyperparameter Optimization of
    Neural Machine Translation Systems." TACL 8, 2020.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..encode import encode_configs
from ..table import Table
from ._common import common_metadata, dense_from_rows, folder, need, semantics
from .catalog import CITATIONS, describe

__all__ = ["load_nmt", "load_nmt_lc"]

# ---------------------------------------------------------------------------------------------
# hpo_nmt (Zhang & Duh 2020)
# ---------------------------------------------------------------------------------------------
NMT_HP = (
    "bpe_symbols",
    "num_layers",
    "num_embed",
    "ff_num_hidden",
    "attention_heads",
    "initial_lr",
)


NMT_SPACE = {
    "bpe_symbols": "log",
    "num_layers": "linear",
    "num_embed": "log",
    "ff_num_hidden": "log",
    "attention_heads": "log",
    "initial_lr": "log",
}


NMT_OBJ = {
    "dev_bleu": ("dev_bleu", "max"),
    "dev_gpu_time": ("dev_gpu_time", "min"),
    "dev_ppl": ("dev_ppl", "min"),
    "num_updates": ("num_updates", "min"),
    "gpu_memory": ("gpu_memory", "min"),
    "num_param": ("num_param", "min"),
}


def load_nmt(data_dir: Path | str | None) -> Table:
    """hpo_nmt NMTHPO: Transformer NMT configurations over 6 language pairs (final values).

    Tasks: the 6 corpora (en-ja, ja-en, ru-en, so-en, sw-en, zh-en). Configs: the union of the
    distinct hyperparameter tuples (``bpe_symbols``, ``num_layers``, ``num_embed``,
    ``ff_num_hidden``, ``attention_heads``, ``initial_lr``) over all corpora, sorted; each
    corpus evaluated a subset of it (1 983 evaluations of 957 distinct configs), the rest is
    masked. Objectives: ``dev_bleu`` (max), ``dev_gpu_time`` (dev-set decoding GPU time, min),
    ``dev_ppl`` (min), ``num_updates`` (min), ``gpu_memory`` (min), ``num_param`` (min);
    defaults ``dev_bleu``, ``dev_gpu_time`` (the pair of the authors' Pareto flags). No
    training time was released: ``time_objective`` is None (``num_updates`` measures training
    cost). 35 rows record ``gpu_memory = 0`` (kept as released; flagged in
    ``metadata["gpu_memory_zero"]``).

    Extras in ``metadata``: ``pareto_flags`` (bool[T, C], the authors' ``pareto_bleu_time``,
    False where masked), ``config_id`` (int64[T, C], the authors' per-corpus id, -1 where
    masked), ``gpu_memory_zero`` (bool[T, C]).

    Args:
        data_dir: root data directory (holding ``nmt_hpo/``).

    Returns:
        The table (float64 values, shape [6, 957, 1, 1, 6]).

    References:
        Zhang & Duh, TACL 2020.
    """
    d = folder(data_dir, "nmt_hpo")
    df = pd.read_csv(need(d / "nmthpo.csv.gz", "nmt"))
    cols = ["corpus", "config_id", "pareto_bleu_time", *NMT_HP, *(c for c, _ in NMT_OBJ.values())]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"nmt: columns {missing} missing from nmthpo.csv.gz")
    configs = df[list(NMT_HP)].drop_duplicates().sort_values(list(NMT_HP)).reset_index(drop=True)
    c_idx = (
        df[list(NMT_HP)]
        .merge(configs.reset_index(), on=list(NMT_HP), how="left", validate="many_to_one")["index"]
        .to_numpy(np.int64)
    )
    tasks, t_idx = np.unique(df["corpus"].astype(str).to_numpy(), return_inverse=True)
    T, C = len(tasks), len(configs)
    zeros = np.zeros(len(df), np.int64)
    directions = tuple(dr for _, dr in NMT_OBJ.values())
    values, mask = dense_from_rows(
        (t_idx, c_idx, zeros, zeros),
        (T, C, 1, 1),
        df[[c for c, _ in NMT_OBJ.values()]].to_numpy(np.float64),
        directions,
        np.float64,
        "nmt",
    )
    pareto = np.zeros((T, C), bool)
    pareto[t_idx, c_idx] = df["pareto_bleu_time"].to_numpy() != 0
    config_id = np.full((T, C), -1, np.int64)
    config_id[t_idx, c_idx] = df["config_id"].to_numpy(np.int64)
    gmz = np.zeros((T, C), bool)
    gmz[t_idx, c_idx] = df["gpu_memory"].to_numpy() == 0
    encoded, enc_names = encode_configs(configs, NMT_SPACE)
    md = common_metadata(
        values,
        mask,
        default_objectives=("dev_bleu", "dev_gpu_time"),
        citation=CITATIONS["nmt"],
        description=describe("nmt"),
        notes=(
            "configs = union of the distinct hyperparameter tuples over the 6 corpora (masked "
            "where a corpus did not evaluate one); pareto_flags = the authors' pareto_bleu_time "
            "(BLEU max, decode GPU time min, per corpus); final values only; gpu_memory = 0 in "
            f"{int(gmz.sum())} rows, kept as released."
        ),
        pareto_flags=pareto,
        config_id=config_id,
        gpu_memory_zero=gmz,
        encoded_names=tuple(enc_names),
    )
    return Table(
        name="nmt",
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=np.array([1.0]),
        objectives=tuple(NMT_OBJ),
        directions=directions,
        tasks=tuple(tasks.tolist()),
        fidelity_name="final",
        time_objective=None,
        time_cumulative=True,
        **semantics(md),
    )


NMTLC_HP = (
    "basemodel",
    "initial_lr",
    "model_size",
    "ff_num_hidden",
    "num_layers",
    "batch_size",
    "bpe",
    "r",
)


def load_nmt_lc(data_dir: Path | str | None) -> Table:
    """hpo_nmt NMTLC: learning curves (dev perplexity per checkpoint) of 2 483 NMT runs.

    Tasks: the 8 datasets (``dataset_name``: 6 from-scratch Transformer corpora and 2
    fine-tuning corpora of pretrained LLMs). Configs: the 2 483 runs themselves, each evaluated
    on one task (``metadata["config_task"]``), with hyperparameters ``basemodel``,
    ``initial_lr``, ``model_size``, ``ff_num_hidden``, ``num_layers``, ``batch_size``, ``bpe``,
    ``r``: the released run table lacks a hyperparameter that tells 2 106 runs apart from
    another run of the same dataset (they share every released value), so runs cannot be merged
    into shared configurations.
    Fidelity: checkpoint number 1..max (checkpoint index + 1). The runs were stopped early by
    the authors' convergence rule, so each run has its own number of checkpoints
    (``metadata["n_checkpoints"]``, int64[C]); checkpoints after a run's last one are masked.
    Objective: ``dev_perplexity`` (min). Dev BLEU exists only for some checkpoints of some runs
    (mostly the fine-tuning ones); it is kept in ``metadata["dev_bleu"]`` as sparse points
    (dict ``config``, ``fidelity_index``, ``value`` of equal length) rather than as an
    objective, since the mask means "all objectives present". Diverged runs reach perplexities
    near 1e15 (kept as released), which makes the default reference point very loose. No time
    was released: ``time_objective`` is None.

    Args:
        data_dir: root data directory (holding ``nmt_hpo/``).

    Returns:
        The table (float32 values, shape [8, 2483, 1, 569, 1]).

    References:
        Zhang & Duh, TACL 2020 (and the hpo_nmt repository's NMTLC extension).
    """
    d = folder(data_dir, "nmt_hpo")
    runs = pd.read_csv(need(d / "nmtlc_runs.csv.gz", "nmt_lc"))
    curves = pd.read_csv(need(d / "nmtlc_curves.csv.gz", "nmt_lc"))
    for what, frame, cols in (
        ("nmtlc_runs", runs, ["run_id", "dataset_name", "n_checkpoints", *NMTLC_HP]),
        ("nmtlc_curves", curves, ["run_id", "checkpoint", "dev_perplexity", "dev_bleu"]),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"nmt_lc: columns {missing} missing from {what}")
    if runs["run_id"].duplicated().any():
        raise ValueError("nmt_lc: duplicate run_id in nmtlc_runs")
    runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)
    # The released run table lacks a hyperparameter that tells some runs apart (pairs of runs
    # share every listed value), so configurations cannot be identified by their values: each
    # run is its own configuration, evaluated on exactly one task (like the ICML-2020 tables).
    configs = runs[list(NMTLC_HP)].reset_index(drop=True)
    C = len(runs)
    run_c = np.arange(C)
    tasks, run_t = np.unique(runs["dataset_name"].astype(str).to_numpy(), return_inverse=True)
    pos = pd.Index(runs["run_id"]).get_indexer(curves["run_id"])
    if (pos < 0).any():
        raise ValueError(f"nmt_lc: {int((pos < 0).sum())} curve rows have an unknown run_id")
    ck = curves["checkpoint"].to_numpy(np.int64)
    if ck.min() < 0:
        raise ValueError("nmt_lc: negative checkpoint index")
    T, F = len(tasks), int(ck.max()) + 1
    ppl = curves["dev_perplexity"].to_numpy(np.float64)
    ok = np.isfinite(ppl)
    zeros = np.zeros(int(ok.sum()), np.int64)
    values, mask = dense_from_rows(
        (run_t[pos][ok], run_c[pos][ok], zeros, ck[ok]),
        (T, C, 1, F),
        ppl[ok, None],
        ("min",),
        np.float32,
        "nmt_lc",
    )
    b = curves["dev_bleu"].to_numpy(np.float64)
    has_b = np.isfinite(b)
    bleu = {"config": run_c[pos][has_b], "fidelity_index": ck[has_b], "value": b[has_b]}
    n_dup = int(configs.assign(_task=run_t).duplicated(keep=False).sum())
    encoded, enc_names = encode_configs(
        configs,
        {
            "initial_lr": "log",
            "model_size": "log",
            "ff_num_hidden": "log",
            "num_layers": "log",
            "batch_size": "log",
            "bpe": "log",
            "r": "linear",
        },
    )
    md = common_metadata(
        values,
        mask,
        default_objectives=("dev_perplexity",),
        citation=CITATIONS["nmt"],
        description=describe("nmt_lc"),
        notes=(
            "configs = runs (each evaluated on one task; metadata['config_task']): "
            f"{n_dup} runs share all released hyperparameter values with another run of the "
            "same dataset (a hyperparameter is missing from the release), so they cannot be "
            "merged; fidelity = checkpoint index + 1; runs stop early (their own "
            "n_checkpoints), later checkpoints masked; "
            f"{int((~ok).sum())} curve rows without perplexity are masked; dev BLEU (sparse) "
            "as sparse points in metadata['dev_bleu']."
        ),
        config_task=run_t.astype(np.int64),
        n_checkpoints=runs["n_checkpoints"].to_numpy(np.int64),
        run_id=runs["run_id"].to_numpy(np.int64),
        dev_bleu=bleu,
        encoded_names=tuple(enc_names),
        task_kind=runs.groupby("dataset_name")["task"].first().reindex(list(tasks)).to_numpy(str),
    )
    return Table(
        name="nmt_lc",
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=np.arange(1, F + 1, dtype=np.float64),
        objectives=("dev_perplexity",),
        directions=("min",),
        tasks=tuple(tasks.tolist()),
        fidelity_name="checkpoint",
        time_objective=None,
        time_cumulative=True,
        **semantics(md),
    )
