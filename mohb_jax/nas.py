"""Neural architecture search on offline tables (public API).

NAS-Bench-201 encoding and arrays (:mod:`mohb_jax._src.nas.nb201`)::

    from mohb_jax import nas
    nb = nas.load_nb201()                      # cifar10 test error + 27 device latencies
    idx = nas.arch_index(nb, nas.decode(logits))
    err, lat = nb.error[idx], nb.latency("raspi4")[idx]

A table-driven analogue of MODNAS (:mod:`mohb_jax._src.nas.modnas`; not the paper's method,
see there what differs): a hypernetwork over (preference, device embedding) trained on the 13
search devices, used zero-shot on a new device from its latencies on 10 reference cells::

    method = nas.modnas()
    data = nas.make_training_data(jax.random.key(0), nb)      # the 13 search devices only
    model, info = method.fit(jax.random.key(1), data)
    emb = nas.device_embedding(my_latencies_on_reference_cells)  # nas.REFERENCE_ARCHS order
    front = method.front_for(model, emb, 24)                     # cells for 24 trade-offs

Multi-objective NAS searchers by name (table-driven implementations of LaMOO, MTF-PDNS and
MO-HDNAS, and an ε-net evolution) and training-free metrics (synflow of every NB201 architecture)::

    table = nas.nb201_search_table()           # test_acc, conv_macs_z, flops_m; 1 s per arch
    s = nas.searcher("lamoo", table)           # or "pdns", "epsnet_evo", "random", "hdnas"
    df = mohb_jax.simulate(table, method="random", searcher=s, seeds=100, n_workers=1,
                           budget=100.5, objectives=("test_acc", "conv_macs_z"))
"""

from mohb_jax._src.nas.hdnas import (
    best_feasible,
    cost_diversity,
    hdnas_search,
    hdnas_searcher,
    make_constrained,
    make_hdnas_runner,
)
from mohb_jax._src.nas.lamoo import dominance_numbers, good_labels, lamoo_searcher
from mohb_jax._src.nas.mgd import min_norm_combine, min_norm_weights
from mohb_jax._src.nas.modnas import (
    MODNAS_SEARCH_DEVICES,
    Front,
    HnetInfo,
    Modnas,
    ModnasData,
    ModnasModel,
    Predictors,
    all_op_codes,
    device_embedding,
    front_mask_2d,
    make_training_data,
    modnas,
    predicted_front_codes,
    preference_rays,
    reference_latencies,
)
from mohb_jax._src.nas.modnas_eval import (
    DeviceTruth,
    Scores,
    device_truth,
    evolutionary_search,
    random_search,
    run_searcher,
    score_indices,
)
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
    # table-driven analogue of MODNAS (modnas)
    "MODNAS_SEARCH_DEVICES",
    "DeviceTruth",
    "Front",
    "HnetInfo",
    "Modnas",
    "ModnasData",
    "ModnasModel",
    "Predictors",
    "Scores",
    "all_op_codes",
    "device_embedding",
    "device_truth",
    "evolutionary_search",
    "front_mask_2d",
    "make_training_data",
    "min_norm_combine",
    "min_norm_weights",
    "modnas",
    "predicted_front_codes",
    "preference_rays",
    "random_search",
    "reference_latencies",
    "run_searcher",
    "score_indices",
]
