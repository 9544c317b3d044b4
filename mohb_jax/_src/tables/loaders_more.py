"""Loaders for LCDB, the ICML-2020 DeepAR / XGBoost evaluations, hpo_nmt and the LCBench surrogate.

Each loader turns one folder of the offline tables (``<data_dir>/<folder>/...``, see
``../shared/data/README.md``) into the canonical :class:`~mohb_jax._src.tables.table.Table`
``values[task, config, seed, fidelity, objective]`` (minimization; ``"max"`` objectives are
negated once, here) with a validity mask. All conversions are vectorized (no Python loop per
row). The benchmarks are registered at import time of this module:

=====================  ===================================================================
``lcdb``               20 learners × 248 OpenML datasets; seeds = 5 outer × inner 0..4;
                       fidelity = training-set-size anchor on the √2 grid.
``lcdb_all_seeds``     the same with every inner seed (5 outer × 25 inner = 125 slots; only
                       10 datasets have inner seeds 5..24; 5× the memory).
``icml2020_deepar``    DeepAR, 2 510 evaluations over 11 tasks (final values only).
``icml2020_xgboost``   XGBoost, 50 000 evaluations over 10 tasks (final values only).
``nmt``                hpo_nmt NMTHPO: 957 distinct configs (union) over 6 language pairs,
                       1 983 evaluations, with the authors' BLEU/decode-time Pareto flags.
``nmt_lc``             hpo_nmt NMTLC: 2 483 runs with per-checkpoint dev perplexity curves.
``lcbench_surrogate``  **surrogate**: YAHPO Gym lcbench ONNX model, 1 000 configs × 34 tasks ×
                       epochs 1..52.
=====================  ===================================================================

Common fields: ``Table.default_objectives``, ``Table.ref_point`` (float64[M], minimization
space, for every objective: the worst valid value over the whole table plus 10 % of that
objective's range (max − min over valid entries), so that every point of every task strictly
dominates it), ``Table.fidelity_kind``. Common metadata: ``citation``, ``description``,
``surrogate`` (bool), ``notes`` (how the source maps onto the table), ``fill_fraction``
(fraction of valid cells), ``array_axes``
(which table axes each per-task / per-config metadata array spans, e.g. ``pareto_flags`` →
``("task", "config")``), and per-benchmark extras documented on each loader.

References:
    Mohr, van Rijn, et al. "LCDB 1.0: An Extensive Learning Curves Database for
    Classification Tasks." ECML-PKDD 2022.
    Salinas, Shen, Perrone. "A Quantile-based Approach for Hyperparameter Transfer Learning."
    ICML 2020.
    Zhang, Duh. "Reproducible and Efficient Benchmarks for Hyperparameter Optimization of
    Neural Machine Translation Systems." TACL 8, 2020.
    Zimmer, Lindauer, Hutter. "Auto-PyTorch Tabular: Multi-Fidelity MetaLearning for Efficient
    and Robust AutoDL." IEEE TPAMI 2021 (LCBench).
    Pfisterer, Schneider, Moosbauer, Binder, Bischl. "YAHPO Gym - An Efficient Multi-Objective
    Multi-Fidelity Benchmark for Hyperparameter Optimization." AutoML-Conf 2022.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jaxtyping import Bool, Float, Int

from .encode import encode_configs
from .reference import REF_MARGIN, reference_point_rule
from .registry import register_benchmark
from .table import Table

__all__ = [
    "load_icml2020_deepar",
    "load_icml2020_xgboost",
    "load_lcbench_surrogate",
    "load_lcdb",
    "load_lcdb_all_seeds",
    "load_nmt",
    "load_nmt_lc",
    "reference_point",
    "select_task",
    "sqrt2_anchor_grid",
]

CITATIONS = {
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
}

#: Relative margin added beyond the worst valid value to form the HV reference point.
REFERENCE_MARGIN = REF_MARGIN

#: Axes spanned by the per-task / per-config metadata arrays the loaders below produce.
_ARRAY_AXES = {
    "train_size": ("task", "fidelity"),
    "test_size": ("task",),
    "seed_values": ("seed",),
    "config_task": ("config",),
    "row_id": ("config",),
    "run_id": ("config",),
    "n_checkpoints": ("config",),
    "pareto_flags": ("task", "config"),
    "config_id": ("task", "config"),
    "gpu_memory_zero": ("task", "config"),
    "task_kind": ("task",),
}


# ---------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------
def reference_point(
    values: Float[np.ndarray, "T C S F M"],
    mask: Bool[np.ndarray, "T C S F"],
) -> Float[np.ndarray, " M"]:
    """Fixed hypervolume reference point of a table, in minimization space.

    The rule is :func:`~mohb_jax._src.tables.reference.reference_point_rule` (worst valid
    value of each objective over the whole table + 10 % of its range; value + 1 for a constant
    objective), strict: no valid entry or a non-finite valid entry is an error.

    Args:
        values: minimization values; entries where ``mask`` is False are ignored.
        mask: validity mask.

    Returns:
        float64[M].

    Raises:
        ValueError: no valid entry, or a valid entry is not finite.
    """
    return reference_point_rule(values, mask, strict=True)


def _dense_from_rows(
    idx: Sequence[Int[np.ndarray, " N"]],
    shape: tuple[int, int, int, int],
    cols: Float[np.ndarray, "N M"],
    directions: Sequence[str],
    dtype: Any,
    what: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Scatter rows ``cols[n]`` to ``values[idx[0][n], idx[1][n], idx[2][n], idx[3][n]]``.

    Negates the ``"max"`` objectives; raises ``ValueError`` on duplicate cells or non-finite
    values (nothing is silently overwritten or dropped).
    """
    lin = np.ravel_multi_index(tuple(np.asarray(i, np.int64) for i in idx), shape)
    counts = np.bincount(lin, minlength=int(np.prod(shape)))
    if counts.max(initial=0) > 1:
        n_dup = int((counts > 1).sum())
        raise ValueError(f"{what}: {n_dup} (task, config, seed, fidelity) cells occur twice")
    cols = np.asarray(cols, np.float64)
    bad = ~np.isfinite(cols)
    if bad.any():
        r, m = np.argwhere(bad)[0]
        raise ValueError(f"{what}: {int(bad.sum())} non-finite values (first: row {r}, column {m})")
    sign = np.array([-1.0 if d == "max" else 1.0 for d in directions])
    M = cols.shape[1]
    values = np.full((int(np.prod(shape)), M), np.nan, dtype=dtype)
    values[lin] = (cols * sign).astype(dtype)
    mask = counts.astype(bool).reshape(shape)
    return values.reshape(*shape, M), mask


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{what}: expected file {path} (see ../shared/data/README.md)")
    return path


def _folder(data_dir: Path | str | None, folder: str) -> Path:
    if data_dir is None:
        raise ValueError(
            f"a data directory holding {folder}/ is required (pass data_dir, set "
            "MOHB_JAX_DATA or place the tables at ../shared/data)"
        )
    d = Path(data_dir) / folder
    if not d.is_dir():
        raise FileNotFoundError(f"data folder {d} not found (see ../shared/data/README.md)")
    return d


def _check_keys(z: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    missing = [k for k in keys if k not in z]
    if missing:
        raise ValueError(f"{what}: arrays {missing} missing (has {sorted(z)})")


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A frame as ``{column: array}`` (cache-friendly metadata: numbers or strings only)."""
    out = {}
    for c in frame.columns:
        x = frame[c]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            out[str(c)] = x.to_numpy(np.float64)
        else:
            out[str(c)] = x.fillna("").astype(str).to_numpy(str)
    return out


def _encode(configs: pd.DataFrame, space: Mapping[str, Any] | None):
    enc, names = encode_configs(configs, space)
    return enc, names


def _metadata(
    values, mask, *, default_objectives, citation, description, notes, surrogate=False, **extra
) -> dict[str, Any]:
    md = {
        "default_objectives": tuple(default_objectives),
        "reference_point": reference_point(values, mask),
        "reference_margin": REFERENCE_MARGIN,
        "citation": citation,
        "description": description,
        "surrogate": bool(surrogate),
        "notes": notes,
        "fill_fraction": float(np.mean(mask)),
    }
    md.update(extra)
    # which table axes each per-task / per-config metadata array spans (so that a sub-table
    # can slice them consistently)
    md["array_axes"] = {
        k: ax for k, ax in _ARRAY_AXES.items() if k in md and isinstance(md[k], np.ndarray)
    }
    return md


def _semantics(md: dict[str, Any]) -> dict[str, Any]:
    """``Table`` keyword arguments from :func:`_metadata`'s dict: the typed fields popped out."""
    md = dict(md)
    return {
        "default_objectives": tuple(md.pop("default_objectives")),
        "ref_point": md.pop("reference_point"),
        "fidelity_kind": "resumable" if md.pop("resumable", True) else "independent",
        "metadata": md,
    }


def select_task(
    table: Table, task: str | int, *, trim_fidelities: bool = True, drop_empty_configs: bool = True
) -> Table:
    """One task of a multi-task table, trimmed to what that task actually has.

    Tables whose tasks differ in fidelities (LCDB: each dataset has its own largest anchor) or
    in configurations (ICML-2020, NMTLC: every task has its own configs) are mostly masked for
    any single task. This view keeps task ``task`` only and

    * ``trim_fidelities``: keeps the fidelity slots from the task's first to its last valid
      one, so ``fidelity = -1`` is the task's largest budget; for LCDB the fidelity values
      become the task's real training-set sizes (``metadata["train_size"]``), which are exact
      and strictly increasing within a dataset;
    * ``drop_empty_configs``: keeps the configurations with at least one valid cell in the
      task (original indices in ``metadata["config_index"]``).

    Metadata arrays listed in ``metadata["array_axes"]`` are sliced along the same axes; the
    reference point stays the benchmark's fixed one.

    Args:
        table: a table (any benchmark; the ``array_axes`` slicing applies where present).
        task: task name or index.
        trim_fidelities: drop leading / trailing fidelity slots without a valid cell.
        drop_empty_configs: drop configurations without a valid cell in this task.

    Returns:
        A table with one task.

    Raises:
        ValueError: unknown task, or the task has no valid cell.
    """
    ti = table.task_index(task)
    m = np.asarray(table.mask[ti])  # [C, S, F]
    if not m.any():
        raise ValueError(f"task {table.tasks[ti]!r} of {table.name!r} has no valid cell")
    fi = np.arange(table.n_fidelities)
    if trim_fidelities:
        has = np.flatnonzero(m.any(axis=(0, 1)))
        fi = np.arange(has[0], has[-1] + 1)
    ci = np.flatnonzero(m.any(axis=(1, 2))) if drop_empty_configs else np.arange(table.n_configs)
    sub = table.select(task=ti, fidelities=fi, configs=ci)
    md = dict(sub.metadata)
    index = {"task": [ti], "config": ci, "fidelity": fi}
    for key, axes in dict(md.get("array_axes", {})).items():
        arr = np.asarray(md[key])
        for ax, name in enumerate(axes):
            if name in index:
                arr = np.take(arr, index[name], axis=ax)
        md[key] = arr
    changes: dict[str, Any] = {"metadata": md}
    ts = md.get("train_size")
    if trim_fidelities and ts is not None:
        sizes = np.asarray(ts)[0].astype(np.float64)
        if np.all(sizes > 0) and np.all(np.diff(sizes) > 0):
            changes["fidelities"] = sizes
    return sub.replace(**changes)


# ---------------------------------------------------------------------------------------------
# LCDB
# ---------------------------------------------------------------------------------------------
def sqrt2_anchor_grid(max_size: int, k0: int = 8) -> Int[np.ndarray, " K"]:
    """LCDB's anchor grid ``round(2**(k/2))`` for ``k = k0, k0+1, ...`` up to the first value
    ``>= max_size`` (16, 23, 32, 45, 64, 91, 128, ...).

    Args:
        max_size: the grid extends to the first anchor at least this large.
        k0: first exponent (LCDB starts at 2**4 = 16).

    Returns:
        int64[K], strictly increasing.
    """
    ks = np.arange(k0, k0 + 2 * int(np.ceil(np.log2(max(max_size, 2)))) + 4)
    # round half away from zero (2**6.5 = 90.51 -> 91), as LCDB's anchors are
    grid = np.floor(2.0 ** (ks / 2.0) + 0.5).astype(np.int64)
    top = int(np.searchsorted(grid, max_size, side="left"))
    return grid[: top + 1]


LCDB_OBJECTIVES = ("valid_accuracy", "train_time", "test_accuracy", "train_accuracy")
LCDB_DIRECTIONS = ("max", "min", "max", "max")
LCDB_N_INNER_DEFAULT = 5
LCDB_KEYS = (
    "learners",
    "openmlid",
    "learner",
    "size_train",
    "size_test",
    "outer_seed",
    "inner_seed",
    "traintime",
    "score_train",
    "score_valid",
    "score_test",
)


def load_lcdb(data_dir: Path | str | None, *, all_inner_seeds: bool = False) -> Table:
    """LCDB learning curves as a table.

    Mapping (``lcdb/lcdb_accuracy.npz``, one row per observation):

    * tasks: the 248 OpenML dataset ids (strings, ascending).
    * configs: the 20 learners (a small, purely categorical config space; ``configs`` has one
      column ``learner``, encoded one-hot). Learners missing on a dataset are masked (593 of the
      4 960 dataset × learner pairs have no row).
    * seeds: ``outer_seed * n_inner + inner_seed`` with 5 outer seeds. Every dataset has inner
      seeds 0..4; the first 10 datasets (OpenML ids 3..22) also have inner seeds 5..24. By
      default (``lcdb``) ``n_inner = 5`` (25 seed slots, the design shared by all datasets) and
      rows with inner seed ≥ 5 are **excluded**, their count recorded in
      ``metadata["n_rows_excluded"]``; ``all_inner_seeds=True`` (``lcdb_all_seeds``) keeps all
      rows with ``n_inner = 25`` (125 slots, mostly masked).
    * fidelity: training-set size on LCDB's √2 anchor grid ``round(2**(k/2))``, 16 … . Each
      dataset's anchors are the grid values below its full training-set size followed by the
      full size itself, which is usually off the grid; an observation goes to the slot of the
      smallest grid value ≥ its size, so the last anchor of a dataset sits in the slot whose
      nominal size is up to √2 larger than the real one. The real sizes are kept in
      ``metadata["train_size"]`` (int64[T, F], 0 where a dataset has no anchor).
    * objectives: ``valid_accuracy`` (max), ``train_time`` (s, min), ``test_accuracy`` (max),
      ``train_accuracy`` (max); accuracies are the stored uint16 scores / 1e4.
      Default objectives: ``valid_accuracy``, ``train_time``.
    * time: each anchor is a separate fit from scratch on a subset (no resumption between
      anchors), so ``time_cumulative=False`` and ``fidelity_kind="independent"`` (the simulator
      charges a trial at an anchor that anchor's fit time, not a sum over anchors).

    Extras in ``metadata``: ``train_size``, ``test_size`` (int64[T]), ``seed_values``
    (``"outer{o}_inner{i}"`` per seed slot), ``learners`` (full names),
    ``task_features`` (dict column → array[T] of ``lcdb/datasets.csv.gz``, in task order;
    NaN / "" for the datasets it does not describe),
    ``n_inner``, ``n_rows_excluded``.

    Args:
        data_dir: root data directory (holding ``lcdb/``).
        all_inner_seeds: keep inner seeds 5..24 of the 10 datasets that have them.

    Returns:
        The table (float32 values).

    References:
        Mohr et al., LCDB 1.0, ECML-PKDD 2022.
    """
    d = _folder(data_dir, "lcdb")
    with np.load(_require(d / "lcdb_accuracy.npz", "lcdb"), allow_pickle=False) as npz:
        z = {k: npz[k] for k in npz.files}  # each npz access decompresses: read once
    _check_keys(z, LCDB_KEYS, "lcdb_accuracy.npz")
    n_rows = len(z["openmlid"])
    bad = [k for k in LCDB_KEYS[1:] if z[k].shape != (n_rows,)]
    if bad:
        raise ValueError(f"lcdb: columns {bad} do not have one value per row ({n_rows})")
    learners = [str(x) for x in z["learners"]]
    openmlid = z["openmlid"]
    learner = z["learner"].astype(np.int64)
    size_train = z["size_train"].astype(np.int64)
    size_test = z["size_test"].astype(np.int64)
    outer = z["outer_seed"].astype(np.int64)
    inner = z["inner_seed"].astype(np.int64)

    if learner.min() < 0 or learner.max() >= len(learners):
        raise ValueError("lcdb: learner codes outside the learners list")
    if outer.min() < 0 or inner.min() < 0:
        raise ValueError("lcdb: negative seed codes")
    n_outer = int(outer.max()) + 1
    n_inner = int(inner.max()) + 1 if all_inner_seeds else LCDB_N_INNER_DEFAULT
    keep = inner < n_inner
    n_excluded = int(n_rows - keep.sum())
    if n_excluded:
        openmlid, learner, size_train, size_test = (
            a[keep] for a in (openmlid, learner, size_train, size_test)
        )
        outer, inner = outer[keep], inner[keep]

    task_ids, t_idx = np.unique(openmlid, return_inverse=True)
    grid = sqrt2_anchor_grid(int(size_train.max()))
    f_idx = np.searchsorted(grid, size_train, side="left")
    used = np.unique(f_idx)
    f_lo, f_hi = int(used.min()), int(used.max())
    grid = grid[f_lo : f_hi + 1]
    f_idx = f_idx - f_lo
    s_idx = outer * n_inner + inner
    T, C, S, F = len(task_ids), len(learners), n_outer * n_inner, len(grid)

    # real training-set size per (task, slot): must be one value per cell
    tf = t_idx * F + f_idx
    sz_max = np.zeros(T * F, np.int64)
    np.maximum.at(sz_max, tf, size_train)
    sz_min = np.full(T * F, np.iinfo(np.int64).max)
    np.minimum.at(sz_min, tf, size_train)
    present = np.zeros(T * F, bool)
    present[tf] = True
    if np.any(sz_max[present] != sz_min[present]):
        raise ValueError("lcdb: two different training-set sizes fall into one anchor slot")
    train_size = np.where(present, sz_max, 0).reshape(T, F)
    ts = np.zeros(T, np.int64)
    ts[t_idx] = size_test
    if np.any(ts[t_idx] != size_test):
        raise ValueError("lcdb: test-set size varies within a dataset")

    cols = np.stack(
        [
            z["score_valid"][keep] / 1e4,
            z["traintime"][keep],
            z["score_test"][keep] / 1e4,
            z["score_train"][keep] / 1e4,
        ],
        axis=1,
    )
    values, mask = _dense_from_rows(
        (t_idx, learner, s_idx, f_idx), (T, C, S, F), cols, LCDB_DIRECTIONS, np.float32, "lcdb"
    )

    configs = pd.DataFrame({"learner": pd.Categorical(learners, categories=learners)})
    encoded, enc_names = _encode(configs, None)
    tasks = tuple(str(int(t)) for t in task_ids)

    task_features = None
    meta_csv = d / "datasets.csv.gz"
    if meta_csv.is_file():
        feats = pd.read_csv(meta_csv)
        if "openmlid" in feats.columns:
            feats = feats.assign(openmlid=feats["openmlid"].astype(str)).set_index("openmlid")
            task_features = _columns(feats.reindex(list(tasks)))

    name = "lcdb_all_seeds" if all_inner_seeds else "lcdb"
    notes = (
        "configs = the 20 learners; tasks = OpenML dataset ids; seeds = outer_seed * n_inner + "
        f"inner_seed with n_inner = {n_inner}"
        + (
            f" ({n_excluded} rows with inner seed >= {n_inner} excluded: only 10 datasets "
            "have them; see lcdb_all_seeds)"
            if n_excluded
            else ""
        )
        + "; fidelity = slot of the smallest √2-grid anchor >= the training-set size (a "
        "dataset's last anchor is its full training set, up to √2 below the slot's nominal "
        "size; real sizes in metadata['train_size']); each anchor is an independent fit "
        "(time per fit, fidelity_kind 'independent'); accuracies = uint16 score / 1e4."
    )
    md = _metadata(
        values,
        mask,
        default_objectives=("valid_accuracy", "train_time"),
        citation=CITATIONS["lcdb"],
        description=_DESCRIPTIONS[name],
        notes=notes,
        train_size=train_size,
        test_size=ts,
        learners=tuple(learners),
        task_features=task_features,
        encoded_names=tuple(enc_names),
        n_inner=n_inner,
        n_rows_excluded=n_excluded,
        seed_values=np.array(
            [f"outer{o}_inner{i}" for o in range(n_outer) for i in range(n_inner)], dtype=str
        ),
        resumable=False,
    )
    return Table(
        name=name,
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=grid.astype(np.float64),
        objectives=LCDB_OBJECTIVES,
        directions=LCDB_DIRECTIONS,
        tasks=tasks,
        fidelity_name="training_set_size",
        time_objective="train_time",
        time_cumulative=False,
        **_semantics(md),
    )


def load_lcdb_all_seeds(data_dir: Path | str | None) -> Table:
    """:func:`load_lcdb` with every inner seed (``all_inner_seeds=True``; 125 seed slots).

    A plain function (not a ``functools.partial``) so the table cache can key on its source.
    """
    return load_lcdb(data_dir, all_inner_seeds=True)


# ---------------------------------------------------------------------------------------------
# ICML 2020 (DeepAR, XGBoost): every task has its own random configurations
# ---------------------------------------------------------------------------------------------
def _icml2020_table(
    data_dir,
    *,
    file: str,
    name: str,
    metric_cols: Mapping[str, tuple[str, str]],
    task_feature_cols: Sequence[str],
    rename: Mapping[str, str],
    default_objectives: Sequence[str],
    time_objective: str | None,
) -> Table:
    d = _folder(data_dir, "icml2020_transfer")
    df = pd.read_csv(_require(d / file, name))
    need = ["task", *(c for c, _ in metric_cols.values())]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: columns {missing} missing from {file}")
    if "row_id" in df.columns:
        df = df.sort_values("row_id", kind="stable").reset_index(drop=True)
    hp_cols = [c for c in df.columns if c.startswith("hp_")]
    configs = df[hp_cols].rename(columns=lambda c: rename.get(c, c.removeprefix("hp_")))
    configs = configs.reset_index(drop=True)
    # configurations are drawn at random per task: the config axis is the union of all rows
    task_names, t_idx = np.unique(df["task"].astype(str).to_numpy(), return_inverse=True)
    C = len(df)
    objectives = tuple(metric_cols)
    directions = tuple(dr for _, dr in metric_cols.values())
    cols = df[[c for c, _ in metric_cols.values()]].to_numpy(np.float64)
    zeros = np.zeros(C, np.int64)
    values, mask = _dense_from_rows(
        (t_idx, np.arange(C), zeros, zeros),
        (len(task_names), C, 1, 1),
        cols,
        directions,
        np.float64,
        name,
    )
    # every numerical column is already on the scale the authors searched (log where named so)
    space = {c: "linear" for c in configs.columns}
    encoded, enc_names = _encode(configs, space)
    tf = None
    if task_feature_cols:
        tf = _columns(df.groupby("task")[list(task_feature_cols)].first().reindex(list(task_names)))
        if (df.groupby("task")[list(task_feature_cols)].nunique() > 1).any().any():
            raise ValueError(f"{name}: task features vary within a task")
    counts = np.bincount(t_idx, minlength=len(task_names))
    notes = (
        "each task has its own random configurations (no configuration is shared between "
        "tasks), so the config axis is the union of all evaluations and "
        "mask[t, c, 0, 0] is True only for the task that evaluated config c "
        "(metadata['config_task'][c]); per-task rows for transfer learning: "
        "encoded[mask[t, :, 0, 0]], values[t, mask[t, :, 0, 0], 0, 0]. Final values only "
        "(one fidelity)."
    )
    md = _metadata(
        values,
        mask,
        default_objectives=default_objectives,
        citation=CITATIONS["icml2020"],
        description=_DESCRIPTIONS[name],
        notes=notes,
        config_task=t_idx.astype(np.int64),
        row_id=df["row_id"].to_numpy(np.int64) if "row_id" in df.columns else np.arange(C),
        evaluations_per_task=dict(zip(task_names.tolist(), counts.tolist(), strict=True)),
        task_features=tf,
        encoded_names=tuple(enc_names),
        renamed_columns=dict(rename),
    )
    return Table(
        name=name,
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=np.array([1.0]),
        objectives=objectives,
        directions=directions,
        tasks=tuple(task_names.tolist()),
        fidelity_name="final",
        time_objective=time_objective,
        time_cumulative=True,
        **_semantics(md),
    )


def load_icml2020_deepar(data_dir: Path | str | None) -> Table:
    """DeepAR offline evaluations of Salinas, Shen & Perrone (ICML 2020).

    2 510 evaluations over 11 forecasting tasks (electricity, exchange-rate, m4-*, solar,
    traffic, wiki-rolling), each task with its **own** random configurations (none shared).
    Config axis = all 2 510 evaluations; ``mask[t, c, 0, 0]`` is True only for the task that
    evaluated ``c`` (``metadata["config_task"]``). Hyperparameters are the six columns as
    released, already on the authors' search scale: ``num_layers_log`` and ``num_cells_log``
    are the natural logs of the layer and cell counts (renamed from ``hp_num_layers`` /
    ``hp_num_cells`` to say so), the others keep their names without the ``hp_`` prefix.
    Encoding: linear min-max per column.

    Objectives: ``CRPS`` (min), ``RMSE`` (min), ``time`` (``metric_time`` as released; whole
    seconds, 68..43 434), ``train_loss`` (min), ``throughput`` (max: a rate, so higher is
    taken as better; the release does not document it). Defaults: ``CRPS``, ``time``. One
    fidelity (final values).
    ``metadata["task_features"]``: dict column → array[T] (time frequency and prediction
    length per task).

    Args:
        data_dir: root data directory (holding ``icml2020_transfer/``).

    Returns:
        The table (float64 values, shape [11, 2510, 1, 1, 5]).

    References:
        Salinas, Shen, Perrone, ICML 2020.
    """
    return _icml2020_table(
        data_dir,
        file="deepar.csv.gz",
        name="icml2020_deepar",
        metric_cols={
            "CRPS": ("metric_CRPS", "min"),
            "RMSE": ("metric_RMSE", "min"),
            "time": ("metric_time", "min"),
            "train_loss": ("metric_train_loss", "min"),
            "throughput": ("metric_throughput", "max"),
        },
        task_feature_cols=("dataset_time_freq", "dataset_prediction_length"),
        rename={"hp_num_layers": "num_layers_log", "hp_num_cells": "num_cells_log"},
        default_objectives=("CRPS", "time"),
        time_objective="time",
    )


def load_icml2020_xgboost(data_dir: Path | str | None) -> Table:
    """XGBoost offline evaluations of Salinas, Shen & Perrone (ICML 2020).

    50 000 evaluations over 10 LIBSVM classification tasks, 5 000 per task, each task with its
    **own** random configurations (none shared); config axis = all 50 000 evaluations, masked
    per task as for :func:`load_icml2020_deepar`. Hyperparameters as released, ``hp_`` prefix
    dropped (``log2_*`` are log2 values, ``max_depth_index`` an ordinal index). Encoding:
    linear min-max per column. Objective: ``error`` (min); no time was released, so
    ``time_objective`` is None. One fidelity (final values).

    Args:
        data_dir: root data directory (holding ``icml2020_transfer/``).

    Returns:
        The table (float64 values, shape [10, 50000, 1, 1, 1]).

    References:
        Salinas, Shen, Perrone, ICML 2020.
    """
    return _icml2020_table(
        data_dir,
        file="xgboost.csv.gz",
        name="icml2020_xgboost",
        metric_cols={"error": ("metric_error", "min")},
        task_feature_cols=(),
        rename={},
        default_objectives=("error",),
        time_objective=None,
    )


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
    d = _folder(data_dir, "nmt_hpo")
    df = pd.read_csv(_require(d / "nmthpo.csv.gz", "nmt"))
    need = ["corpus", "config_id", "pareto_bleu_time", *NMT_HP, *(c for c, _ in NMT_OBJ.values())]
    missing = [c for c in need if c not in df.columns]
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
    values, mask = _dense_from_rows(
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
    encoded, enc_names = _encode(configs, NMT_SPACE)
    md = _metadata(
        values,
        mask,
        default_objectives=("dev_bleu", "dev_gpu_time"),
        citation=CITATIONS["nmt"],
        description=_DESCRIPTIONS["nmt"],
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
        **_semantics(md),
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
    d = _folder(data_dir, "nmt_hpo")
    runs = pd.read_csv(_require(d / "nmtlc_runs.csv.gz", "nmt_lc"))
    curves = pd.read_csv(_require(d / "nmtlc_curves.csv.gz", "nmt_lc"))
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
    values, mask = _dense_from_rows(
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
    encoded, enc_names = _encode(
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
    md = _metadata(
        values,
        mask,
        default_objectives=("dev_perplexity",),
        citation=CITATIONS["nmt"],
        description=_DESCRIPTIONS["nmt_lc"],
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
        **_semantics(md),
    )


# ---------------------------------------------------------------------------------------------
# LCBench surrogate (YAHPO Gym)
# ---------------------------------------------------------------------------------------------
# LCBench's search space (Zimmer et al. 2021, as used by YAHPO Gym's lcbench scenario)
LCBENCH_SPACE = {
    "batch_size": {"type": "log", "low": 16, "high": 512},
    "learning_rate": {"type": "log", "low": 1e-4, "high": 1e-1},
    "momentum": {"type": "linear", "low": 0.1, "high": 0.99},
    "weight_decay": {"type": "linear", "low": 1e-5, "high": 1e-1},
    "num_layers": {"type": "linear", "low": 1, "high": 5},
    "max_units": {"type": "log", "low": 64, "high": 1024},
    "max_dropout": {"type": "linear", "low": 0.0, "high": 1.0},
}
LCBENCH_OBJ = {
    "val_accuracy": ("val_accuracy", "max"),
    "time": ("time", "min"),
    "val_cross_entropy": ("val_cross_entropy", "min"),
    "val_balanced_accuracy": ("val_balanced_accuracy", "max"),
}


def load_lcbench_surrogate(data_dir: Path | str | None) -> Table:
    """**Surrogate** LCBench: the YAHPO Gym ``lcbench`` ONNX model queried offline.

    Not measured: every value is a prediction of YAHPO Gym's surrogate for 1 000 random
    configurations of LCBench's 7-dimensional space on its 34 OpenML tasks, epochs 1..52.
    ``metadata["surrogate"]`` is True; say "surrogate" wherever results on it are reported.
    Objectives: ``val_accuracy`` (%, max), ``time`` (cumulative seconds, min),
    ``val_cross_entropy`` (min), ``val_balanced_accuracy`` (fraction, max); defaults
    ``val_accuracy``, ``time``. The surrogate's cumulative time is not always non-decreasing
    over epochs (``metadata["time_decreases"]`` counts the decreasing steps); kept as
    predicted. Encoding uses LCBench's space (log for batch size, learning rate, max units).

    Args:
        data_dir: root data directory (holding ``lcbench_surrogate/``).

    Returns:
        The table (float32 values, shape [34, 1000, 1, 52, 4]).

    References:
        Zimmer et al., TPAMI 2021 (LCBench); Pfisterer et al., AutoML-Conf 2022 (YAHPO Gym).
    """
    d = _folder(data_dir, "lcbench_surrogate")
    path = _require(d / "lcbench_surrogate.npz", "lcbench_surrogate")
    with np.load(path, allow_pickle=False) as npz:
        z = {k: npz[k] for k in npz.files}
    _check_keys(
        z,
        ("tasks", "hp_names", "configs", "epochs", *(k for k, _ in LCBENCH_OBJ.values())),
        "lcbench_surrogate.npz",
    )
    tasks = tuple(str(t) for t in z["tasks"])
    hp = [str(h) for h in z["hp_names"]]
    configs = pd.DataFrame(np.asarray(z["configs"], np.float64), columns=hp)
    for c in ("batch_size", "num_layers", "max_units"):
        if c in configs:
            configs[c] = configs[c].round().astype(np.int64)
    epochs = np.asarray(z["epochs"], np.float64)
    arrays = []
    for key, _ in LCBENCH_OBJ.values():
        a = np.asarray(z[key])
        if a.shape != (len(tasks), len(configs), len(epochs)):
            raise ValueError(f"lcbench_surrogate: {key} has shape {a.shape}")
        arrays.append(a)
    raw = np.stack(arrays, axis=-1)[:, :, None]  # [T, C, 1, F, M]
    mask = np.all(np.isfinite(raw), axis=-1)
    sign = np.array([-1.0 if dr == "max" else 1.0 for _, dr in LCBENCH_OBJ.values()], np.float32)
    values = np.where(mask[..., None], raw * sign, np.nan).astype(np.float32)
    time_decreases = int((np.diff(z["time"], axis=-1) < 0).sum())
    space = {k: v for k, v in LCBENCH_SPACE.items() if k in configs.columns}
    encoded, enc_names = _encode(configs, space)
    md = _metadata(
        values,
        mask,
        default_objectives=("val_accuracy", "time"),
        citation=CITATIONS["lcbench"],
        description=_DESCRIPTIONS["lcbench_surrogate"],
        notes=(
            "SURROGATE, not measured: YAHPO Gym lcbench ONNX predictions; cumulative time "
            f"decreases in {time_decreases} epoch steps (surrogate artefact, kept); "
            "val_accuracy in %, val_balanced_accuracy as a fraction."
        ),
        surrogate=True,
        time_decreases=time_decreases,
        encoded_names=tuple(enc_names),
    )
    return Table(
        name="lcbench_surrogate",
        values=values,
        mask=mask,
        configs=configs,
        encoded=encoded,
        fidelities=epochs,
        objectives=tuple(LCBENCH_OBJ),
        directions=tuple(dr for _, dr in LCBENCH_OBJ.values()),
        tasks=tasks,
        fidelity_name="epoch",
        time_objective="time",
        time_cumulative=True,
        **_semantics(md),
    )


# ---------------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------------
_DESCRIPTIONS = {
    "lcdb": "LCDB learning curves: 20 sklearn learners x 248 OpenML datasets, 5x5 seeds, "
    "training-set-size anchors (sqrt(2) grid)",
    "lcdb_all_seeds": "LCDB with all inner seeds (5 outer x 25 inner slots; only 10 datasets "
    "have inner seeds 5..24)",
    "icml2020_deepar": "DeepAR, 2 510 evaluations over 11 forecasting tasks (own random "
    "configs per task; ICML 2020 transfer paper)",
    "icml2020_xgboost": "XGBoost, 50 000 evaluations over 10 LIBSVM tasks (own random configs "
    "per task; ICML 2020 transfer paper)",
    "nmt": "hpo_nmt NMTHPO: 957 Transformer NMT configs (union) over 6 language pairs, with the "
    "authors' BLEU/decode-time Pareto flags",
    "nmt_lc": "hpo_nmt NMTLC: dev-perplexity curves per checkpoint of 2 483 NMT runs on 8 datasets",
    "lcbench_surrogate": "surrogate (YAHPO Gym lcbench ONNX), not measured: 1 000 configs x 34 "
    "tasks x epochs 1..52",
}

_SPECS = (
    dict(
        name="lcdb",
        loader=load_lcdb,
        citation=CITATIONS["lcdb"],
        default_objectives=("valid_accuracy", "train_time"),
        n_configs=20,
        objectives=LCDB_OBJECTIVES,
        data_folder="lcdb",
    ),
    dict(
        name="lcdb_all_seeds",
        loader=load_lcdb_all_seeds,
        citation=CITATIONS["lcdb"],
        default_objectives=("valid_accuracy", "train_time"),
        n_configs=20,
        objectives=LCDB_OBJECTIVES,
        data_folder="lcdb",
    ),
    dict(
        name="icml2020_deepar",
        loader=load_icml2020_deepar,
        citation=CITATIONS["icml2020"],
        default_objectives=("CRPS", "time"),
        n_configs=2510,
        objectives=("CRPS", "RMSE", "time", "train_loss", "throughput"),
        data_folder="icml2020_transfer",
        source_files=lambda root: [root / "icml2020_transfer" / "deepar.csv.gz"],
    ),
    dict(
        name="icml2020_xgboost",
        loader=load_icml2020_xgboost,
        citation=CITATIONS["icml2020"],
        default_objectives=("error",),
        n_configs=50000,
        objectives=("error",),
        data_folder="icml2020_transfer",
        source_files=lambda root: [root / "icml2020_transfer" / "xgboost.csv.gz"],
    ),
    dict(
        name="nmt",
        loader=load_nmt,
        citation=CITATIONS["nmt"],
        default_objectives=("dev_bleu", "dev_gpu_time"),
        tasks=("en-ja", "ja-en", "ru-en", "so-en", "sw-en", "zh-en"),
        n_configs=957,
        objectives=tuple(NMT_OBJ),
        data_folder="nmt_hpo",
        source_files=lambda root: [root / "nmt_hpo" / "nmthpo.csv.gz"],
    ),
    dict(
        name="nmt_lc",
        loader=load_nmt_lc,
        citation=CITATIONS["nmt"],
        default_objectives=("dev_perplexity",),
        objectives=("dev_perplexity",),
        data_folder="nmt_hpo",
        source_files=lambda root: [
            root / "nmt_hpo" / "nmtlc_runs.csv.gz",
            root / "nmt_hpo" / "nmtlc_curves.csv.gz",
        ],
    ),
    dict(
        name="lcbench_surrogate",
        loader=load_lcbench_surrogate,
        citation=CITATIONS["lcbench"],
        surrogate=True,
        default_objectives=("val_accuracy", "time"),
        n_configs=1000,
        objectives=tuple(LCBENCH_OBJ),
        data_folder="lcbench_surrogate",
    ),
)

for _s in _SPECS:
    register_benchmark(description=_DESCRIPTIONS[_s["name"]], **_s)
del _s
