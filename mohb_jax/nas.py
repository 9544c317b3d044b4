"""Neural architecture search on offline tables (public API).

NAS-Bench-201 encoding and arrays (:mod:`mohb_jax._src.nas.nb201`)::

    from mohb_jax import nas
    nb = nas.load_nb201()                      # cifar10 test error + 27 device latencies
    idx = nas.arch_index(nb, nas.decode(logits))
    err, lat = nb.error[idx], nb.latency("raspi4")[idx]

Multi-objective NAS searchers by name (table-driven implementations of LaMOO, MTF-PDNS and
MO-HDNAS, and an ε-net evolution) and training-free metrics (synflow of every NB201 architecture)::

    table = nas.nb201_search_table()           # test_acc, conv_macs_z, flops_m; 1 s per arch
    s = nas.searcher("lamoo", table)           # or "pdns", "epsnet_evo", "random", "hdnas"
    df = mohb_jax.simulate(table, method="random", searcher=s, seeds=100, n_workers=1,
                           budget=100.5, objectives=("test_acc", "conv_macs_z"))
"""

# ---- NAS-Bench-201 encoding (modnas) ---------------------------------------------------------
# ---- NAS searchers and training-free metrics (nassearch) -------------------------------------
from mohb_jax._src.nas.hdnas import (
    best_feasible,
    cost_diversity,
    hdnas_search,
    hdnas_searcher,
    make_constrained,
    make_hdnas_runner,
)
from mohb_jax._src.nas.lamoo import dominance_numbers, good_labels, lamoo_searcher
from mohb_jax._src.nas.nb201 import (
    EDGES,
    MODNAS_TEST_DEVICES,
    MODNAS_TRAIN_DEVICES,
    MODNAS_VALID_DEVICES,
    N_ARCHS,
    N_EDGES,
    N_OPS,
    OPS,
    REFERENCE_ARCHS,
    NB201Arrays,
    arch_code,
    arch_index,
    arch_string,
    build_code_to_index,
    decode,
    device_latencies_on_reference,
    load_nb201,
    nb201_data_dir,
    one_hot,
    parse_arch_string,
    validate_op_codes,
)
from mohb_jax._src.nas.nb201_net import flop_count, param_count
from mohb_jax._src.nas.nb201_task import conv_macs_z, load_synflow, nb201_search_table
from mohb_jax._src.nas.pdns import novelty, pdns_search, pdns_searcher
from mohb_jax._src.nas.registry import NAS_SEARCHERS, pdns_descriptors, searcher
from mohb_jax._src.nas.searchers import epsnet_evo_searcher
from mohb_jax._src.nas.synflow import expected_synflow, synflow_scores

__all__ = [
    # NAS searchers and training-free metrics (nassearch)
    "NAS_SEARCHERS",
    "best_feasible",
    "conv_macs_z",
    "cost_diversity",
    "dominance_numbers",
    "epsnet_evo_searcher",
    "expected_synflow",
    "flop_count",
    "good_labels",
    "hdnas_search",
    "hdnas_searcher",
    "lamoo_searcher",
    "load_synflow",
    "make_constrained",
    "make_hdnas_runner",
    "nb201_search_table",
    "novelty",
    "param_count",
    "pdns_descriptors",
    "pdns_search",
    "pdns_searcher",
    "searcher",
    "synflow_scores",
    # NAS-Bench-201 encoding (modnas)
    "EDGES",
    "MODNAS_TEST_DEVICES",
    "MODNAS_TRAIN_DEVICES",
    "MODNAS_VALID_DEVICES",
    "N_ARCHS",
    "N_EDGES",
    "N_OPS",
    "OPS",
    "REFERENCE_ARCHS",
    "NB201Arrays",
    "arch_code",
    "arch_index",
    "arch_string",
    "build_code_to_index",
    "decode",
    "device_latencies_on_reference",
    "load_nb201",
    "nb201_data_dir",
    "one_hot",
    "parse_arch_string",
    "validate_op_codes",
]
