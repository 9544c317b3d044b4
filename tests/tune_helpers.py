"""Shared settings of the tuner tests: one scheduler configuration for most tests, so the
driver's compiled programs are reused (JAX's persistent compilation cache)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

GRID = [1, 2, 4]
N_ROWS = 8


def candidates(modes=None, xs=None) -> pd.DataFrame:
    """``N_ROWS`` candidate rows: ``x`` in [0, 1] and a fault ``mode`` per row."""
    xs = xs or [round(0.05 + 0.9 * i / (N_ROWS - 1), 4) for i in range(N_ROWS)]
    modes = list(modes or []) + ["ok"] * (N_ROWS - len(modes or []))
    return pd.DataFrame({"x": xs, "mode": modes})


def cache_dir() -> str:
    root = os.environ.get("MOHB_JAX_CACHE", str(Path.home() / ".cache" / "mohb_jax"))
    return str(Path(root) / "xla")


def tuner_kwargs(journal, **over):
    """Config A: random search (every trial to the top), 4 workers, one 4-slot row."""
    from mohb_jax.tune import Hardware

    kw = dict(
        hardware=[Hardware("local", 3.6, slots=4)],
        objectives={"loss": "min", "cost_usd": "min"},
        fidelity=GRID,
        method="random",
        n_workers=4,
        max_trials=N_ROWS,
        seed=0,
        journal=journal,
        progress=False,
        cache_dir=cache_dir(),
    )
    kw.update(over)
    return kw
