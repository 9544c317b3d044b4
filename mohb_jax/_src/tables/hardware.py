"""Hardware of a table: which hyperparameters describe it and what each setting costs per hour.

:class:`HardwareSpec` is the input (``Table.from_frame(..., hardware=...)``), and
:class:`HardwareCatalog` what a table stores: cost of a run = elapsed seconds ×
``price_per_hour[config]`` / 3600 (Salinas et al., arXiv 2106.05680).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class HardwareCatalog:
    """Which hyperparameters describe the hardware and what it costs.

    Cost of a run = elapsed seconds × ``price_per_hour[config]`` / 3600, where
    ``price_per_hour[config]`` is the total $/h of the whole setup of that configuration
    (instance price × number of instances (workers) + any fixed extra, e.g. a parameter server
    or helper VM). The per-instance price and the instance count are kept for display.

    Attributes:
        columns: hyperparameter columns of ``Table.configs`` that describe the hardware.
        price_per_hour: float64[C], total $/h of each configuration's setup.
        catalog: one row per distinct hardware setting (the ``columns`` plus
            ``price_per_hour_instance``, ``n_instances``, ``price_per_hour``, and a source note).
        source: where the prices come from (citation / URL / date).
    """

    columns: tuple[str, ...]
    price_per_hour: np.ndarray
    catalog: pd.DataFrame
    source: str = ""


# ---- hardware ---------------------------------------------------------------------------------
PriceSpec = Callable[[pd.DataFrame], Any] | Mapping[Any, float] | None


@dataclass(frozen=True)
class HardwareSpec:
    """How to price the hardware hyperparameters of a frame (input of ``Table.from_frame``).

    Each price field is a mapping from the hardware key (the value of the single column, or the
    tuple of values of ``columns``) to a number, or a callable taking the DataFrame of distinct
    hardware settings (one row each, the ``columns``) and returning one number per row.

    Attributes:
        columns: hyperparameter columns that describe the hardware (e.g. flavor, n_workers).
        price_per_hour: total $/h of the whole setup (e.g. per-instance price × instances +
            fixed extras such as a parameter server or helper VM).
        price_per_hour_instance: optional per-instance $/h, for display.
        n_instances: optional number of billed instances, for display.
        source: where the prices come from (citation / URL / date).
    """

    columns: Sequence[str]
    price_per_hour: Callable[[pd.DataFrame], Any] | Mapping[Any, float]
    price_per_hour_instance: PriceSpec = None
    n_instances: PriceSpec = None
    source: str = ""


def _eval_price(spec: PriceSpec, hw: pd.DataFrame, cols: list[str], what: str) -> np.ndarray:
    if callable(spec):
        out = np.asarray(spec(hw), dtype=np.float64).reshape(-1)
        if out.shape != (len(hw),):
            raise ValueError(f"hardware {what} callable must return {len(hw)} values")
    else:
        keys = list(hw[cols[0]]) if len(cols) == 1 else list(hw.itertuples(index=False, name=None))
        missing = [k for k in keys if k not in spec]
        if missing:
            raise ValueError(f"hardware {what} has no entry for {missing[:5]}")
        out = np.array([spec[k] for k in keys], dtype=np.float64)
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise ValueError(f"hardware {what} must be finite and >= 0; got {out}")
    return out


def build_hardware(configs: pd.DataFrame, spec: HardwareSpec) -> HardwareCatalog:
    """Turn a :class:`HardwareSpec` into a :class:`HardwareCatalog` for ``configs``."""
    cols = list(spec.columns)
    unknown = [c for c in cols if c not in configs.columns]
    if not cols or unknown:
        raise ValueError(f"hardware columns {unknown or cols} are not configuration columns")
    codes, hw = factorize_rows(configs[cols])
    hw = hw.reset_index(drop=True)
    price = _eval_price(spec.price_per_hour, hw, cols, "price_per_hour")
    cat = hw.copy()
    if spec.price_per_hour_instance is not None:
        cat["price_per_hour_instance"] = _eval_price(
            spec.price_per_hour_instance, hw, cols, "price_per_hour_instance"
        )
    if spec.n_instances is not None:
        cat["n_instances"] = _eval_price(spec.n_instances, hw, cols, "n_instances")
    cat["price_per_hour"] = price
    cat["source"] = spec.source
    return HardwareCatalog(
        columns=tuple(cols), price_per_hour=price[codes], catalog=cat, source=spec.source
    )


def factorize_rows(df: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes 0..K-1 (first-appearance order) of the distinct rows of ``df`` and those rows."""
    if df.shape[1] == 0:
        return np.zeros(len(df), np.int64), df.iloc[:1]
    codes = df.groupby(list(df.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    return codes.astype(np.int64), df.iloc[first]
