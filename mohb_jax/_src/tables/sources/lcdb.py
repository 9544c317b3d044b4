"""LCDB learning curves: 20 learners × 248 OpenML datasets, training-set-size anchors.

Each anchor is a separate fit from scratch: ``fidelity_kind="independent"``, per-fit times.

References:
    Mohr, Viering, Loog, van Rijn. "LCDB 1.0: An Extensive Learning Curves Database for
    Classification Tasks." ECML-PKDD 2022.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from jaxtyping import Int

from ..encode import encode_configs
from ..table import Table
from ._common import (
    check_keys,
    columns_dict,
    common_metadata,
    dense_from_rows,
    folder,
    need,
    semantics,
)
from .catalog import CITATIONS, describe

__all__ = ["load_lcdb", "load_lcdb_all_seeds", "sqrt2_anchor_grid"]


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
    d = folder(data_dir, "lcdb")
    with np.load(need(d / "lcdb_accuracy.npz", "lcdb"), allow_pickle=False) as npz:
        z = {k: npz[k] for k in npz.files}  # each npz access decompresses: read once
    check_keys(z, LCDB_KEYS, "lcdb_accuracy.npz")
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
    values, mask = dense_from_rows(
        (t_idx, learner, s_idx, f_idx), (T, C, S, F), cols, LCDB_DIRECTIONS, np.float32, "lcdb"
    )

    configs = pd.DataFrame({"learner": pd.Categorical(learners, categories=learners)})
    encoded, enc_names = encode_configs(configs, None)
    tasks = tuple(str(int(t)) for t in task_ids)

    task_features = None
    meta_csv = d / "datasets.csv.gz"
    if meta_csv.is_file():
        feats = pd.read_csv(meta_csv)
        if "openmlid" in feats.columns:
            feats = feats.assign(openmlid=feats["openmlid"].astype(str)).set_index("openmlid")
            task_features = columns_dict(feats.reindex(list(tasks)))

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
    md = common_metadata(
        values,
        mask,
        default_objectives=("valid_accuracy", "train_time"),
        citation=CITATIONS["lcdb"],
        description=describe(name),
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
        **semantics(md),
    )


def load_lcdb_all_seeds(data_dir: Path | str | None) -> Table:
    """:func:`load_lcdb` with every inner seed (``all_inner_seeds=True``; 125 seed slots).

    A plain function (not a ``functools.partial``) so the table cache can key on its source.
    """
    return load_lcdb(data_dir, all_inner_seeds=True)
