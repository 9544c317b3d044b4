"""The fixed hypervolume reference point of a benchmark: the one implementation of the rule.

Per objective, in minimization space, over every valid entry of the whole table (all tasks,
configurations, seeds and fidelities): the worst value plus ``margin`` (10 %) of the range,
or the worst value + 1 for a constant objective. Every valid point then strictly dominates the
reference point, and HV curves of different runs and methods on one table share it (unlike a
per-run reference point). Tables store it as ``Table.ref_point``; the hypervolume module's
``reference_point`` and the sweep's fallback call this function.
"""

from __future__ import annotations

import numpy as np
from jaxtyping import Bool, Float

#: Fraction of an objective's range added beyond its worst valid value.
REF_MARGIN = 0.1


def reference_point_rule(
    values: Float[np.ndarray, "*cells M"],
    mask: Bool[np.ndarray, "*cells"] | None = None,
    *,
    margin: float = REF_MARGIN,
    strict: bool = False,
) -> Float[np.ndarray, " M"]:
    """Worst valid value + ``margin`` × range per objective (``+ 1`` where the range is 0).

    Args:
        values: minimization values, last axis = objectives (``[T, C, S, F, M]`` for a table,
            ``[N, M]`` for points); entries where ``mask`` is False are ignored.
        mask: validity of each cell (all objectives at once); default: every cell.
        margin: fraction of the range beyond the worst value; must be >= 0.
        strict: raise instead of returning NaN when there is no valid entry, and raise when a
            valid entry is NaN or infinite.

    Returns:
        float64[M] (NaN for every objective when there is no valid entry and not ``strict``).

    Raises:
        ValueError: negative margin, a mask of the wrong shape; with ``strict``, no valid entry
            or a non-finite valid entry (naming the objective).
    """
    if not margin >= 0:
        raise ValueError(f"reference point: margin must be >= 0; got {margin}")
    v = np.asarray(values)
    M = v.shape[-1]
    flat = v.reshape(-1, M)
    if mask is not None:
        m = np.asarray(mask, bool)
        if m.shape != v.shape[:-1]:
            raise ValueError(f"reference point: mask must have shape {v.shape[:-1]}; got {m.shape}")
        if not m.all():
            flat = flat[m.reshape(-1)]  # [n, M]
    if flat.shape[0] == 0:
        if strict:
            raise ValueError("reference point: no valid entry")
        return np.full(M, np.nan)
    hi = flat.max(axis=0).astype(np.float64)
    lo = flat.min(axis=0).astype(np.float64)
    if strict:
        bad = np.flatnonzero(~(np.isfinite(hi) & np.isfinite(lo)))
        if bad.size:
            raise ValueError(
                f"reference point: objective {int(bad[0])} has non-finite valid entries"
            )
    span = hi - lo
    return np.where(span > 0, hi + margin * span, hi + 1.0)
