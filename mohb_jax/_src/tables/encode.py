"""Numeric encoding of hyperparameter configurations for surrogate models.

Rules (per column of the configuration frame, in column order):

* **numeric** (int/float dtype, not bool): min-max scaled to ``[0, 1]``. The range is the
  space's ``low``/``high`` when given, else the column's min/max. The column is scaled in
  ``log`` space when the space says ``"log"``, or — when the space says nothing about the
  column — when all its values are positive and they span more than two decades
  (``max / min > 100``). A constant column encodes as 0. Missing values (NaN, e.g. conditional
  hyperparameters) encode as 0 and add an indicator column ``"<col>:missing"`` (1 where missing).
* **categorical** (object, string, category or bool dtype, or a space entry ``"categorical"`` /
  ``{"choices": [...]}``): one-hot, one output column ``"<col>=<value>"`` per choice. The choices
  are the space's ``choices`` in that order, else the sorted distinct values (categories of a
  pandas categorical keep their order). A value outside the space's choices is an error.

``space`` maps a column name to ``"log"``, ``"linear"``, ``"categorical"`` or a dict with any of
``{"type": "log" | "linear" | "categorical", "low": ..., "high": ..., "choices": [...]}``.
Columns absent from ``space`` follow the dtype rules above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from jaxtyping import Float

LOG_SPAN = 100.0  # auto log scale when max / min > LOG_SPAN (more than two decades)


def _spec(space: Mapping[str, Any] | None, col: str) -> dict[str, Any]:
    if space is None or col not in space:
        return {}
    s = space[col]
    if isinstance(s, str):
        s = {"type": s}
    elif isinstance(s, (list, tuple)):
        s = {"type": "categorical", "choices": list(s)}
    elif not isinstance(s, Mapping):
        raise ValueError(f"space[{col!r}] must be a str, a list of choices or a dict; got {s!r}")
    s = dict(s)
    if "choices" in s and "type" not in s:
        s["type"] = "categorical"
    t = s.get("type")
    if t is not None and t not in ("log", "linear", "categorical"):
        raise ValueError(f"space[{col!r}] type must be 'log', 'linear' or 'categorical'; got {t!r}")
    return s


def _is_categorical(x: pd.Series, spec: dict[str, Any]) -> bool:
    t = spec.get("type")
    if t == "categorical":
        return True
    if t in ("log", "linear"):
        return False
    return not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x)


def encode_configs(
    df: pd.DataFrame, space: Mapping[str, Any] | None = None
) -> tuple[Float[np.ndarray, "C D"], list[str]]:
    """Encode the hyperparameter frame ``df`` (C rows) as ``float32[C, D]`` in ``[0, 1]``.

    Args:
        df: one row per configuration, one column per hyperparameter.
        space: optional per-column spec (see the module docstring).

    Returns:
        ``(encoded, names)``: the ``float32[C, D]`` encoding and the D column names
        (``"<col>"`` for numeric, ``"<col>=<value>"`` for one-hot, ``"<col>:missing"`` for
        missing-value indicators).

    Raises:
        ValueError: unknown space column or type, a log-scaled column with values ≤ 0, values
            outside the space's choices, or infinite values.
    """
    if space is not None:
        unknown = sorted(set(space) - set(df.columns))
        if unknown:
            raise ValueError(f"space names columns not in the frame: {unknown}")
    n = len(df)
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for col in df.columns:
        x = df[col]
        spec = _spec(space, col)
        if _is_categorical(x, spec):
            if "choices" in spec:
                choices = list(spec["choices"])
            elif isinstance(x.dtype, pd.CategoricalDtype):
                choices = list(x.cat.categories)
            else:
                choices = sorted(pd.unique(x.dropna()), key=lambda v: (str(type(v)), v))
            codes = pd.Index(choices, dtype=object).get_indexer(x.astype(object))
            bad = (codes < 0) & x.notna().to_numpy()
            if bad.any():
                vals = sorted({str(v) for v in x[bad]})[:5]
                raise ValueError(f"column {col!r} has values {vals} outside its choices {choices}")
            onehot = np.zeros((n, len(choices)), np.float32)
            ok = codes >= 0
            onehot[np.flatnonzero(ok), codes[ok]] = 1.0
            blocks.append(onehot)
            names.extend(f"{col}={c}" for c in choices)
            continue
        v = pd.to_numeric(x, errors="coerce").to_numpy(dtype=np.float64)
        if (x.notna().to_numpy() & np.isnan(v)).any():
            raise ValueError(f"column {col!r} has non-numeric values; mark it categorical")
        if np.isinf(v).any():
            raise ValueError(f"column {col!r} has infinite values")
        miss = np.isnan(v)
        present = v[~miss]
        lo = float(spec.get("low", present.min() if present.size else 0.0))
        hi = float(spec.get("high", present.max() if present.size else 0.0))
        t = spec.get("type")
        log = t == "log" or (t is None and present.size > 0 and lo > 0 and hi / lo > LOG_SPAN)
        if log:
            if lo <= 0 or (present.size > 0 and present.min() <= 0):
                raise ValueError(f"column {col!r} is log-scaled but has values <= 0")
            v, lo, hi = np.log(v), np.log(lo), np.log(hi)
        enc = np.zeros(n) if hi <= lo else (v - lo) / (hi - lo)
        enc = np.where(miss, 0.0, enc)
        blocks.append(enc.astype(np.float32)[:, None])
        names.append(str(col))
        if miss.any():
            blocks.append(miss.astype(np.float32)[:, None])
            names.append(f"{col}:missing")
    encoded = np.concatenate(blocks, axis=1) if blocks else np.zeros((n, 0), np.float32)
    return encoded.astype(np.float32, copy=False), names
