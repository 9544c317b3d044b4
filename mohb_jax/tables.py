"""Offline evaluation tables: one canonical :class:`Table`, a registry of loaders, caching.

Usage::

    from mohb_jax import tables
    print(tables.list_benchmarks()[["name", "n_configs", "objectives"]])
    t = tables.load_benchmark("nasbench201")          # Table [task, config, seed, fidelity, obj]
"""

from mohb_jax._src.tables.encode import encode_configs
from mohb_jax._src.tables.registry import (
    BenchmarkSpec,
    default_data_dir,
    get_benchmark_spec,
    list_benchmarks,
    load_benchmark,
    register_benchmark,
    unregister_benchmark,
)
from mohb_jax._src.tables.table import HardwareCatalog, Table

__all__ = [
    "BenchmarkSpec",
    "HardwareCatalog",
    "Table",
    "default_data_dir",
    "encode_configs",
    "get_benchmark_spec",
    "list_benchmarks",
    "load_benchmark",
    "register_benchmark",
    "unregister_benchmark",
]
