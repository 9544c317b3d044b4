"""NAS searchers by name: ``searcher(name, table_or_op_codes, ...)``.

Names: ``random`` (uniform, without replacement), ``epsnet_evo`` (our ε-net evolution,
:mod:`~mohb_jax._src.nas.searchers`), ``lamoo`` (:mod:`~mohb_jax._src.nas.lamoo`), ``pdns``
(:mod:`~mohb_jax._src.nas.pdns`; descriptor ``[-synflow, FLOPs]`` of the chosen dataset by
default), ``hdnas`` (:mod:`~mohb_jax._src.nas.hdnas`; needs ``latency=float[15625]`` of a
device; signal: log synflow of the chosen dataset by default).
"""

from __future__ import annotations

import numpy as np

from mohb_jax._src.nas.hdnas import hdnas_searcher
from mohb_jax._src.nas.lamoo import lamoo_searcher
from mohb_jax._src.nas.nb201 import N_ARCHS
from mohb_jax._src.nas.nb201_task import DATASETS, load_synflow
from mohb_jax._src.nas.pdns import pdns_searcher
from mohb_jax._src.nas.searchers import check_codes, epsnet_evo_searcher
from mohb_jax._src.schedulers.searchers import random_searcher
from mohb_jax._src.types import Searcher

NAS_SEARCHERS = ("random", "epsnet_evo", "lamoo", "pdns", "hdnas")


def _dataset_row(dataset: str) -> int:
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {DATASETS}")
    return DATASETS.index(dataset)


def pdns_descriptors(op_codes, dataset: str = "cifar10") -> np.ndarray:
    """MTF-PDNS's descriptor without image-based metrics: ``[-log synflow, MFLOPs]``."""
    from mohb_jax._src.nas.nb201_net import op_count_flops

    sf = load_synflow(op_codes)[_dataset_row(dataset)]
    return np.stack([-sf, op_count_flops(op_codes, dataset)], -1).astype(np.float32)


def searcher(name: str, table, *, dataset: str = "cifar10", **options) -> Searcher:
    """Build a NAS searcher by name for the NAS-Bench-201 space.

    Args:
        name: one of :data:`NAS_SEARCHERS`.
        table: a table whose ``metadata["op_codes"]`` holds the 15 625 op codes (e.g.
            :func:`~mohb_jax._src.nas.nb201_task.nb201_search_table`), or the op codes.
        dataset: the dataset whose synflow and FLOPs form PDNS's descriptor.
        **options: the searcher's own options (e.g. ``n_objectives``, ``capacity``).

    Raises:
        ValueError: unknown name, or a table without the NAS-Bench-201 op codes.
    """
    if name not in NAS_SEARCHERS:
        raise ValueError(f"unknown NAS searcher {name!r}; choose one of {NAS_SEARCHERS}")
    meta = getattr(table, "metadata", None)
    if meta is not None:
        if "op_codes" not in meta:
            raise ValueError("table has no metadata['op_codes']; use nb201_search_table()")
        codes = meta["op_codes"]
    else:
        codes = table
    codes = check_codes(codes)
    if name == "random":
        if options:
            raise ValueError(f"'random' takes no options; got {sorted(options)}")
        return random_searcher(np.ones(N_ARCHS, bool))
    if name == "epsnet_evo":
        return epsnet_evo_searcher(codes, **options)
    if name == "lamoo":
        return lamoo_searcher(codes, **options)
    if name == "hdnas":
        if "latency" not in options:
            raise ValueError("'hdnas' needs latency=float[15625], a device's latency per arch")
        if "signal" not in options:
            options["signal"] = load_synflow(codes)[_dataset_row(dataset)]
        return hdnas_searcher(codes, **options)
    if "descriptors" not in options:
        options["descriptors"] = pdns_descriptors(codes, dataset)
    return pdns_searcher(codes, **options)
