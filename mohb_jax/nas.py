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
"""

# ---- NAS-Bench-201 encoding (modnas) ---------------------------------------------------------
# ---- table-driven analogue of MODNAS (modnas) -------------------------------------------------
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

__all__ = [
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
