"""Helpers shared by the loaders of :mod:`mohb_jax._src.tables.sources`: file checks, the
dense scatter of long rows, and the common metadata.

Loaders read the converted files of one data folder (``<data_dir>/<folder>/...``; the README's
section "Data" says where they come from) with vectorized numpy / pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jaxtyping import Bool, Float, Int

from ..reference import REF_MARGIN, reference_point_rule


def folder(data_dir: Path | str | None, name: str) -> Path:
    """``data_dir / name``; ``ValueError`` without a data dir, ``FileNotFoundError`` if absent."""
    if data_dir is None:
        raise ValueError(
            f"a data directory holding {name}/ is required (pass data_dir or set MOHB_JAX_DATA; "
            "see the README, section 'Data')"
        )
    d = Path(data_dir) / name
    if not d.is_dir():
        raise FileNotFoundError(f"data folder {d} not found (see the README, section 'Data')")
    return d


def need(path: Path, what: str = "table") -> Path:
    """``path`` if it is a file; ``FileNotFoundError`` naming it otherwise."""
    if not path.is_file():
        raise FileNotFoundError(f"{what}: missing file {path}")
    return path


def read_npz(path: Path, keys: list[str]) -> dict[str, np.ndarray]:
    """Arrays ``keys`` of an npz file; ``ValueError`` naming the file if unreadable/incomplete."""
    need(path)
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


def check_keys(z: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    missing = [k for k in keys if k not in z]
    if missing:
        raise ValueError(f"{what}: arrays {missing} missing (has {sorted(z)})")


def columns_dict(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A frame as ``{column: array}`` (cache-friendly metadata: numbers or strings only)."""
    out = {}
    for c in frame.columns:
        x = frame[c]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            out[str(c)] = x.to_numpy(np.float64)
        else:
            out[str(c)] = x.fillna("").astype(str).to_numpy(str)
    return out


def dense_from_rows(
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


#: Axes spanned by the per-task / per-config metadata arrays the loaders produce (so that
#: ``select_task`` can slice them consistently).
ARRAY_AXES = {
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
def strict_reference_point(
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


def common_metadata(
    values, mask, *, default_objectives, citation, description, notes, surrogate=False, **extra
) -> dict[str, Any]:
    md = {
        "default_objectives": tuple(default_objectives),
        "reference_point": strict_reference_point(values, mask),
        "reference_margin": REF_MARGIN,
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
        k: ax for k, ax in ARRAY_AXES.items() if k in md and isinstance(md[k], np.ndarray)
    }
    return md


def semantics(md: dict[str, Any]) -> dict[str, Any]:
    """``Table`` keyword arguments from a :func:`common_metadata` dict (typed fields popped)."""
    md = dict(md)
    return {
        "default_objectives": tuple(md.pop("default_objectives")),
        "ref_point": md.pop("reference_point"),
        "fidelity_kind": "resumable" if md.pop("resumable", True) else "independent",
        "metadata": md,
    }
