"""Synthetic offline tables shared by the tests (small, deterministic, no files)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mohb_jax._src.tables.table import HardwareCatalog, Table


def synth_table(C=40, S=2, F=9, seed=0, indep=False, hardware=True) -> Table:
    """A small table with learning curves, per-config speed and a 2-price hardware column."""
    rng = np.random.default_rng(seed)
    fid = np.arange(1, F + 1, dtype=float)
    q = rng.uniform(0.1, 1, C)
    err = q[:, None, None] * (1 + 3 / np.sqrt(fid))[None, None, :] + 0.05 * rng.random((C, S, F))
    step = rng.uniform(1, 10, (C, 1, 1)) * (1 + 0.1 * rng.random((C, S, F)))
    tcum = step if indep else np.cumsum(step, axis=-1)
    price = rng.choice([0.1, 0.4], C)
    cost = tcum * price[:, None, None] / 3600
    vals = np.stack([-err, tcum, cost], -1)[None]  # first objective stored as "max" (negated)
    cfg = pd.DataFrame({"x": q, "hw": (price > 0.2).astype(int)})
    hw = HardwareCatalog(("hw",), price, pd.DataFrame({"hw": [0, 1], "price_per_hour": [0.1, 0.4]}))
    return Table(
        name="synth",
        values=vals,
        mask=np.ones(vals.shape[:4], bool),
        configs=cfg,
        encoded=cfg.to_numpy(np.float32),
        fidelities=fid,
        objectives=("acc", "time", "cost"),
        directions=("max", "min", "min"),
        tasks=("t0",),
        time_objective="time",
        hardware=hw if hardware else None,
        metadata={"default_objectives": ["acc", "cost"], "independent_fidelities": indep},
    )
