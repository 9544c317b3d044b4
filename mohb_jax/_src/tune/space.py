"""Search spaces and the candidate table of a real run.

The scheduler's configuration index is a row of a finite table (as in the simulator). A real
run therefore samples its search space **once**, with the run's seed, into ``n_candidates``
hyperparameter rows and crosses them with the hardware catalog: row ``i * H + h`` is
hyperparameter row ``i`` on hardware ``h`` (every sampled configuration is available on every
hardware setting, so hardware comparisons are paired). A user DataFrame of hyperparameter rows
replaces the sampling; a DataFrame that already has a ``hardware`` column is used as it is.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

HARDWARE_COLUMN = "hardware"


@dataclass(frozen=True)
class Domain:
    """One dimension of a search space (``kind``: loguniform, uniform, randint, choice)."""

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.kind == "loguniform":
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n))
        if self.kind == "randint":  # inclusive bounds
            return rng.integers(int(self.low), int(self.high) + 1, n)
        idx = rng.integers(0, len(self.choices), n)
        return np.asarray(self.choices, dtype=object)[idx]

    def encoding(self) -> dict[str, Any]:
        """Spec for :func:`mohb_jax._src.tables.encode.encode_configs`."""
        if self.kind == "choice":
            return {"type": "categorical", "choices": list(self.choices)}
        t = "log" if self.kind == "loguniform" else "linear"
        return {"type": t, "low": self.low, "high": self.high}

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        if self.kind == "choice":
            d["choices"] = list(self.choices)
        else:
            d["low"], d["high"] = self.low, self.high
        return d


def _bounds(name: str, low, high, positive: bool = False) -> tuple[float, float]:
    lo, hi = float(low), float(high)
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo >= hi:
        raise ValueError(f"{name} needs finite low < high; got {low!r}, {high!r}")
    if positive and lo <= 0:
        raise ValueError(f"{name} needs low > 0; got {low!r}")
    return lo, hi


def uniform(low: float, high: float) -> Domain:
    """Uniform on ``[low, high)``."""
    return Domain("uniform", *_bounds("uniform", low, high))


def loguniform(low: float, high: float) -> Domain:
    """Log-uniform on ``[low, high)`` (``0 < low < high``)."""
    return Domain("loguniform", *_bounds("loguniform", low, high, positive=True))


def randint(low: int, high: int) -> Domain:
    """Integers ``low..high`` inclusive, uniformly."""
    if int(low) != low or int(high) != high or int(low) > int(high):
        raise ValueError(f"randint needs integers low <= high; got {low!r}, {high!r}")
    return Domain("randint", int(low), int(high))


def choice(values: Sequence[Any]) -> Domain:
    """One of ``values``, uniformly (JSON-serializable scalars)."""
    vals = tuple(values)
    if not vals:
        raise ValueError("choice needs at least one value")
    for v in vals:
        if not isinstance(v, (str, int, float, bool)) or isinstance(v, (np.generic,)):
            raise ValueError(f"choice values must be str/int/float/bool; got {v!r}")
    return Domain("choice", choices=vals)


def _check_space(space: Mapping[str, Any]) -> dict[str, Domain]:
    if not isinstance(space, Mapping) or not space:
        raise ValueError("space must be a non-empty dict name -> loguniform/uniform/randint/choice")
    out = {}
    for k, v in space.items():
        if not isinstance(k, str) or not k:
            raise ValueError(f"space names must be non-empty strings; got {k!r}")
        if k == HARDWARE_COLUMN:
            raise ValueError(
                f"{HARDWARE_COLUMN!r} is reserved: the hardware comes from the catalog"
            )
        if not isinstance(v, Domain):
            raise ValueError(
                f"space[{k!r}] must be loguniform/uniform/randint/choice(...); got {v!r}"
            )
        out[k] = v
    return out


def _py(v):
    if isinstance(v, np.generic):
        return v.item()
    return v


def candidate_table(
    space: Mapping[str, Any] | pd.DataFrame,
    hardware_names: Sequence[str],
    *,
    n_candidates: int,
    seed: int,
) -> pd.DataFrame:
    """The candidate table: ``n_candidates`` sampled rows × every hardware setting.

    Args:
        space: a dict of domains, or a DataFrame of hyperparameter rows (used as given; with a
            ``hardware`` column it is the whole candidate table).
        hardware_names: the catalog's names, in order.
        n_candidates: rows to sample (ignored for a DataFrame).
        seed: the sampling seed (numpy ``default_rng``).

    Returns:
        DataFrame with the hyperparameter columns and ``hardware``; index 0..C-1. Row
        ``i * H + h`` is hyperparameter row ``i`` on hardware ``h``.
    """
    hw = list(hardware_names)
    if isinstance(space, pd.DataFrame):
        df = space.reset_index(drop=True).copy()
        if len(df) == 0:
            raise ValueError("the candidate DataFrame is empty")
        if HARDWARE_COLUMN in df.columns:
            unknown = sorted(set(map(str, df[HARDWARE_COLUMN])) - set(hw))
            if unknown:
                raise ValueError(f"candidate rows name hardware {unknown} not in the catalog {hw}")
            return df
        hp = df
    else:
        doms = _check_space(space)
        if isinstance(n_candidates, bool) or int(n_candidates) != n_candidates or n_candidates < 1:
            raise ValueError(f"n_candidates must be a positive integer; got {n_candidates!r}")
        rng = np.random.default_rng(int(seed))
        hp = pd.DataFrame({k: d.sample(rng, int(n_candidates)) for k, d in doms.items()})
        for k, d in doms.items():
            if d.kind == "choice":
                hp[k] = [_py(v) for v in hp[k]]
    rep = hp.loc[hp.index.repeat(len(hw))].reset_index(drop=True)
    rep[HARDWARE_COLUMN] = hw * len(hp)
    return rep


def encoding_space(space) -> dict[str, Any] | None:
    """Per-column encoding spec of a declarative space (None for a DataFrame)."""
    if isinstance(space, pd.DataFrame):
        return None
    return {k: d.encoding() for k, d in _check_space(space).items()}


def table_hash(df: pd.DataFrame) -> str:
    """SHA-256 of the candidate table's canonical JSON (column order and values)."""
    payload = json.dumps(
        {"columns": list(map(str, df.columns)), "rows": table_records(df)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def table_records(df: pd.DataFrame) -> list[list[Any]]:
    """Rows as JSON-native lists (floats round-trip exactly through ``repr``)."""
    return [[_py(v) for v in row] for row in df.itertuples(index=False, name=None)]


def table_from_records(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=list(columns))
