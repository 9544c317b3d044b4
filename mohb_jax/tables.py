"""Offline evaluation tables: one canonical :class:`Table`, a registry of loaders, caching.

Usage::

    from mohb_jax import tables
    print(tables.list_benchmarks()[["name", "n_configs", "objectives", "needs_data"]])
    t = tables.load_benchmark("trimtuner_cnn")   # ships in the package: no data needed
    front = t.true_front(objectives=["acc", "cost_usd"])

Any tidy long DataFrame becomes a table with :meth:`Table.from_frame`; Syne Tune blackbox
folders with :func:`from_syne_tune`. Converted tables are cached by content
(:func:`cache_info`, :func:`clear_cache`).
"""

from mohb_jax._src.tables.cache import cache_dir, cache_info, clear_cache, load_table, save_table
from mohb_jax._src.tables.encode import encode_configs
from mohb_jax._src.tables.hardware import HardwareCatalog, HardwareSpec
from mohb_jax._src.tables.reference import reference_point_rule
from mohb_jax._src.tables.registry import (
    BenchmarkSpec,
    default_data_dir,
    get_benchmark_spec,
    list_benchmarks,
    load_benchmark,
    register_benchmark,
    unregister_benchmark,
)
from mohb_jax._src.tables.sources.embedded import load_embedded
from mohb_jax._src.tables.sources.syne_tune import from_syne_tune
from mohb_jax._src.tables.table import FIDELITY_KINDS, Table, table_from_arrays, table_from_frame
from mohb_jax._src.tables.views import compute_reference_point, pareto_mask_np, select_task

__all__ = [
    "FIDELITY_KINDS",
    "BenchmarkSpec",
    "HardwareCatalog",
    "HardwareSpec",
    "Table",
    "cache_dir",
    "cache_info",
    "clear_cache",
    "compute_reference_point",
    "default_data_dir",
    "encode_configs",
    "from_syne_tune",
    "get_benchmark_spec",
    "list_benchmarks",
    "load_benchmark",
    "load_embedded",
    "load_table",
    "pareto_mask_np",
    "reference_point_rule",
    "register_benchmark",
    "save_table",
    "select_task",
    "table_from_arrays",
    "table_from_frame",
    "unregister_benchmark",
]
