"""Neural architecture search on offline tables (public API).

NAS-Bench-201 encoding and arrays (:mod:`mohb_jax._src.nas.nb201`)::

    from mohb_jax import nas
    nb = nas.load_nb201()                      # cifar10 test error + 27 device latencies
    idx = nas.arch_index(nb, nas.decode(logits))
    err, lat = nb.error[idx], nb.latency("raspi4")[idx]
"""

# ---- NAS-Bench-201 encoding (modnas) ---------------------------------------------------------
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
]
