"""Offline evaluation tables: one canonical :class:`Table`, a registry of loaders, caching.

Usage::

    from mohb_jax import tables
    print(tables.list_benchmarks()[["name", "n_configs", "objectives"]])
    t = tables.load_benchmark("trimtuner_cnn")   # values[task, config, seed, fidelity, objective]
    front = t.true_front(objectives=["acc", "cost_usd"])

Any tidy long DataFrame becomes a table with :meth:`Table.from_frame`; Syne Tune blackbox
folders with :func:`from_syne_tune`.
"""

from mohb_jax._src.tables.cache import cache_dir, clear_cache, load_table, save_table
from mohb_jax._src.tables.embedded import load_embedded
from mohb_jax._src.tables.encode import encode_configs
from mohb_jax._src.tables.frame import (
    HardwareSpec,
    compute_reference_point,
    pareto_mask_np,
    table_from_arrays,
    table_from_frame,
)
from mohb_jax._src.tables.loaders_more import select_task
from mohb_jax._src.tables.registry import (
    BenchmarkSpec,
    default_data_dir,
    get_benchmark_spec,
    list_benchmarks,
    load_benchmark,
    register_benchmark,
    unregister_benchmark,
)
from mohb_jax._src.tables.syne_tune import from_syne_tune
from mohb_jax._src.tables.table import HardwareCatalog, Table

__all__ = [
    "BenchmarkSpec",
    "HardwareCatalog",
    "HardwareSpec",
    "Table",
    "cache_dir",
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
    "register_benchmark",
    "save_table",
    "select_task",
    "table_from_arrays",
    "table_from_frame",
    "unregister_benchmark",
]
