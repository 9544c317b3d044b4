"""Replaying a journal through the scheduler, and the copula searcher for a candidate table."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mohb_jax._src.tune import space as _space
from mohb_jax._src.tune.core import SchedulerCore
from mohb_jax._src.tune.hardware import Hardware
from mohb_jax._src.tune.journal import JOURNAL_FILE, read_journal


def replay(journal: str | os.PathLike, *, searcher="random", cache_dir=None):
    """Exact replay: re-run the journal's asks / observes / tells through the scheduler.

    Every replayed job and decision is checked against the journal (a mismatch raises
    :class:`~mohb_jax._src.tune.tuner.ReplayMismatch`); nothing is executed.

    Args:
        journal: the run directory.
        searcher: the run's searcher (``"random"`` or the same callable).
        cache_dir: JAX persistent compilation cache (see :class:`Tuner`; False: off).

    Returns:
        :class:`~mohb_jax._src.tune.tuner.Results` rebuilt from the journal; ``n_checked`` is
        the number of asks and tells compared.
    """
    from mohb_jax._src.tune.tuner import (
        CANDIDATES_FILE,
        Results,
        _make_searcher,
        _Run,
        enable_compile_cache,
    )

    enable_compile_cache(cache_dir)

    jdir = Path(journal)
    recs = read_journal(jdir / JOURNAL_FILE)
    header = recs[0]
    c = json.loads((jdir / CANDIDATES_FILE).read_text())
    candidates = _space.table_from_records(c["columns"], c["rows"])
    if _space.table_hash(candidates) != header["candidates_hash"]:
        raise ValueError(f"{jdir / CANDIDATES_FILE} does not match the journal's candidate hash")
    core = SchedulerCore(
        header["scheduler"], _make_searcher(searcher, candidates, header), header["n_workers"]
    )
    catalog = {h["name"]: Hardware.from_json(h) for h in header["catalog"]}
    run = _Run(core, header, candidates, catalog)
    run.replay([dict(r) for r in recs[1:]])
    return Results(run.frame(), header, candidates, jdir, run.n_checked)


def copula_from_table(
    source,
    *,
    objectives: Sequence[str] | None = None,
    fidelity: int = -1,
    key=None,
    fit_options: dict[str, Any] | None = None,
    **options,
):
    """The copula transfer searcher for a tuning run, fitted on an offline source table.

    The source table's configurations must have every column of the run's candidate table
    (hyperparameters and ``hardware``); both are encoded together
    (:func:`~mohb_jax._src.tables.encode.encode_configs`), a surrogate
    (:func:`~mohb_jax.transfer.fit_mlp`) is fitted on the copula values of all the source's
    tasks and predicts every candidate row (Salinas, Shen, Perrone, ICML 2020; Salinas et al.
    2021).

    Args:
        source: a :class:`~mohb_jax.tables.Table`.
        objectives: source objective names, each also an objective of the run (default: the
            run's objectives that the source has).
        fidelity: source fidelity index modelled (default: the last).
        key: PRNG key of the fit (default ``jax.random.key(0)``).
        fit_options: passed to ``fit_mlp`` (e.g. ``steps``).
        **options: passed to :func:`~mohb_jax.transfer.copula_searcher`.

    Returns:
        A callable ``(candidates, objective_names) -> Searcher`` for ``Tuner(searcher=...)``.
    """
    import jax

    from mohb_jax._src.tables.encode import encode_configs
    from mohb_jax._src.transfer.searcher import copula_searcher
    from mohb_jax._src.transfer.source import task_copula_rows
    from mohb_jax._src.transfer.surrogate import fit_mlp, predict_mlp

    def make(candidates: pd.DataFrame, names: Sequence[str]):
        cols = list(candidates.columns)
        missing = [c for c in cols if c not in source.configs.columns]
        if missing:
            raise ValueError(
                f"the source table {source.name!r} has no column(s) {missing} of the candidate "
                f"table; it has {list(source.configs.columns)}"
            )
        objs = [o for o in names if o in source.objectives] if objectives is None else objectives
        objs = list(objs)
        unknown = [o for o in objs if o not in names or o not in source.objectives]
        if not objs or unknown:
            raise ValueError(
                f"copula objectives {unknown or objs} must be objectives of both the run "
                f"{list(names)} and the source table {list(source.objectives)}"
            )
        both = pd.concat([source.configs[cols], candidates[cols]], ignore_index=True)
        enc, _ = encode_configs(both)
        xs, xc = enc[: source.n_configs], enc[source.n_configs :]
        cs, zs = [], []
        for t in range(source.n_tasks):
            c, z = task_copula_rows(source, t, objs, fidelity)
            cs.append(c)
            zs.append(z)
        c, z = np.concatenate(cs), np.concatenate(zs)
        k = jax.random.key(0) if key is None else key
        model = fit_mlp(k, xs[c], z, **(fit_options or {}))
        mu, sd = predict_mlp(model, xc)
        idx = tuple(list(names).index(o) for o in objs)
        opts = dict(options)
        opts.setdefault("x", np.asarray(xc, np.float32))
        return copula_searcher(np.asarray(mu), np.asarray(sd), objectives=idx, **opts)

    return make
