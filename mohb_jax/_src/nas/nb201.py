"""NAS-Bench-201 cell encoding and the table arrays the NAS searchers use.

A NAS-Bench-201 cell has 4 nodes and 6 edges; every edge carries one of 5 operations, so the
space holds ``5**6 = 15 625`` architectures, all of them in the benchmark (a cell whose edges
are all ``none`` is a valid, if useless, entry). The edge order here is the order of the
official architecture string ``|e0~0|+|e1~0|e2~1|+|e3~0|e4~1|e5~2|``: edges
``1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2``. Operation codes index :data:`OPS`.

The official NAS-Bench-201 index of an architecture is not a closed-form function of its op
codes, so :class:`NB201Arrays` carries the lookup table ``code_to_index[5**6]`` built from the
benchmark's own ``op_codes``; :func:`arch_index` uses it under ``jit``.

Everything here is a pure function of arrays (jit / vmap-able) except :func:`load_nb201`,
which reads the converted benchmark folder.

References:
    X. Dong, Y. Yang. "NAS-Bench-201: Extending the scope of reproducible neural architecture
    search." ICLR 2020. H. Lee, S. Lee, S. Chong, S. J. Hwang. "HELP: Hardware-adaptive
    efficient latency prediction for NAS via meta-learning." NeurIPS 2021 (the device
    latencies and the 10 reference architectures of the device embedding).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int

#: The five NAS-Bench-201 operations, in code order.
OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: Edges of the cell (``to<-from``), in op-code column order.
EDGES = ("1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2")
N_EDGES = 6
N_OPS = 5
N_ARCHS = N_OPS**N_EDGES  # 15 625

#: NAS-Bench-201 indices of the 10 reference architectures whose latencies form the HELP /
#: MODNAS device embedding (HELP's ``hardware_embedding_index``).
REFERENCE_ARCHS = (11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462)

#: MODNAS's device split on NAS-Bench-201 (Sukthanker et al., ICLR 2025): the hypernetwork is
#: trained on the 9 meta-train + 4 meta-valid devices; the 6 test devices are zero-shot.
MODNAS_TRAIN_DEVICES = (
    "1080ti_1",
    "1080ti_32",
    "1080ti_256",
    "silver_4114",
    "silver_4210r",
    "samsung_a50",
    "pixel3",
    "essential_ph_1",
    "samsung_s7",
)
MODNAS_VALID_DEVICES = ("titanx_1", "titanx_32", "titanx_256", "gold_6240")
MODNAS_TEST_DEVICES = ("titan_rtx_256", "gold_6226", "fpga", "pixel2", "raspi4", "eyeriss")

_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
_POW5 = np.array([N_OPS**j for j in range(N_EDGES)], dtype=np.int32)  # code = sum c_j 5^j


class NB201Arrays(NamedTuple):
    """The NAS-Bench-201 arrays a NAS searcher needs (one dataset, all devices).

    Attributes:
        op_codes: int32[15625, 6] op code per edge of each architecture (official index order).
        error: float32[15625] error in % (100 - accuracy) on the chosen dataset and split.
        latency_ms: float32[15625, D] inference latency per device (HELP), ms.
        devices: tuple of D device names (columns of ``latency_ms``).
        code_to_index: int32[15625] official index of the architecture whose base-5 code
            ``sum_j op_codes[j] * 5**j`` is the position.
        dataset: the dataset of ``error``.
        accuracy: which accuracy ``error`` derives from (``"test"`` or ``"val"``).
    """

    op_codes: Int[Array, "15625 6"]
    error: Float[Array, "15625"]
    latency_ms: Float[Array, "15625 D"]
    devices: tuple[str, ...]
    code_to_index: Int[Array, "15625"]
    dataset: str
    accuracy: str

    def device_column(self, device: str) -> int:
        """Column of ``device`` in ``latency_ms`` (``ValueError`` naming the known devices)."""
        if device not in self.devices:
            raise ValueError(f"unknown device {device!r}; known: {list(self.devices)}")
        return self.devices.index(device)

    def latency(self, device: str) -> Float[Array, "15625"]:
        """True latency (ms) of every architecture on ``device``."""
        return self.latency_ms[:, self.device_column(device)]

    def objectives(self, device: str) -> Float[Array, "15625 2"]:
        """``[error %, latency ms]`` of every architecture on ``device`` (both minimized)."""
        return jnp.stack([self.error, self.latency(device)], axis=-1)


def arch_code(op_codes: Int[Array, "... 6"]) -> Int[Array, "..."]:
    """Base-5 code ``sum_j op_codes[..., j] * 5**j`` (a bijection onto ``0..15624``)."""
    return jnp.sum(jnp.asarray(op_codes, jnp.int32) * jnp.asarray(_POW5), axis=-1)


def arch_index(arrays: NB201Arrays, op_codes: Int[Array, "... 6"]) -> Int[Array, "..."]:
    """Official NAS-Bench-201 index of architectures given by their op codes.

    Jit-able in ``op_codes``; ``arrays`` holds strings, so close over it
    (``jax.jit(lambda c: arch_index(nb, c))``) rather than passing it as a traced argument.

    Args:
        arrays: the loaded benchmark (for its code -> index table).
        op_codes: int[..., 6], each in ``0..4``; not checked under jit (use
            :func:`validate_op_codes` at a boundary).

    Returns:
        int32[...] indices into the benchmark's arrays.
    """
    return arrays.code_to_index[arch_code(op_codes)]


def validate_op_codes(op_codes) -> np.ndarray:
    """Eager check that ``op_codes`` is int-valued ``[..., 6]`` in ``0..4``; returns int32 numpy.

    Raises:
        ValueError: wrong last dimension, non-integer values or codes outside ``0..4``.
    """
    a = np.asarray(op_codes)
    if a.ndim < 1 or a.shape[-1] != N_EDGES:
        raise ValueError(f"op_codes must have shape [..., {N_EDGES}], got {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
            raise ValueError("op_codes must be integers")
    if a.size and (a.min() < 0 or a.max() >= N_OPS):
        raise ValueError(f"op codes must lie in 0..{N_OPS - 1}, got range [{a.min()}, {a.max()}]")
    return a.astype(np.int32)


def one_hot(op_codes: Int[Array, "... 6"]) -> Float[Array, "... 6 5"]:
    """One-hot encoding ``[..., 6 edges, 5 ops]`` (float32)."""
    return jax.nn.one_hot(jnp.asarray(op_codes, jnp.int32), N_OPS, dtype=jnp.float32)


def decode(logits: Float[Array, "... 6 5"]) -> Int[Array, "... 6"]:
    """Architecture of largest logit per edge (ties: lowest op code); always a valid cell.

    Args:
        logits: float[..., 6, 5] architecture logits (e.g. a hypernetwork's output).

    Returns:
        int32[..., 6] op codes in ``0..4``, so every decoded cell is one of the 15 625
        NAS-Bench-201 architectures.
    """
    return jnp.argmax(logits, axis=-1).astype(jnp.int32)


def arch_string(op_codes) -> str:
    """Official NAS-Bench-201 string of one architecture, e.g. ``|nor_conv_3x3~0|+|...|``."""
    c = validate_op_codes(op_codes)
    if c.shape != (N_EDGES,):
        raise ValueError(f"arch_string takes one architecture [6], got shape {c.shape}")
    o = [OPS[int(k)] for k in c]
    return f"|{o[0]}~0|+|{o[1]}~0|{o[2]}~1|+|{o[3]}~0|{o[4]}~1|{o[5]}~2|"


def parse_arch_string(s: str) -> np.ndarray:
    """Inverse of :func:`arch_string`: int32[6] op codes (``ValueError`` on a malformed string)."""
    nodes = s.strip().strip("|").split("|+|")
    if len(nodes) != 3:
        raise ValueError(f"not a NAS-Bench-201 cell string (3 nodes expected): {s!r}")
    codes = []
    for i, node in enumerate(nodes):
        parts = node.split("|")
        if len(parts) != i + 1:
            raise ValueError(f"node {i + 1} must have {i + 1} inputs in {s!r}")
        for j, p in enumerate(parts):
            op, _, src = p.partition("~")
            if op not in OPS or src != str(j):
                raise ValueError(f"bad edge {p!r} in {s!r}")
            codes.append(OPS.index(op))
    return np.asarray(codes, np.int32)


def build_code_to_index(op_codes) -> np.ndarray:
    """int32[15625] official index per base-5 code, from the benchmark's ``op_codes[15625, 6]``.

    Raises:
        ValueError: ``op_codes`` is not a permutation of the 15 625 cells.
    """
    c = validate_op_codes(op_codes)
    if c.shape != (N_ARCHS, N_EDGES):
        raise ValueError(f"op_codes must be [{N_ARCHS}, {N_EDGES}], got {c.shape}")
    code = (c * _POW5).sum(-1)
    if np.unique(code).size != N_ARCHS:
        raise ValueError("op_codes repeat an architecture: not the NAS-Bench-201 space")
    out = np.empty(N_ARCHS, np.int32)
    out[code] = np.arange(N_ARCHS, dtype=np.int32)
    return out


def nb201_data_dir(data_dir: str | Path | None = None) -> Path:
    """The ``nasbench201`` folder: under ``data_dir`` or the project's table search path.

    The search path is the one of :func:`mohb_jax.tables.default_data_dir`
    (``$MOHB_JAX_DATA`` first).

    Raises:
        FileNotFoundError: no folder found, with where it looked.
    """
    from mohb_jax._src.tables.registry import default_data_dir

    root = Path(data_dir) if data_dir is not None else default_data_dir()
    if root is None:
        raise FileNotFoundError(
            "NAS-Bench-201 table not found: pass data_dir=<DATA> (holding nasbench201/) or set "
            "MOHB_JAX_DATA=<DATA>"
        )
    d = root / "nasbench201"
    if not (d / "nasbench201_dense.npz").is_file():
        raise FileNotFoundError(f"missing {d / 'nasbench201_dense.npz'}")
    return d


def load_nb201(
    data_dir: str | Path | None = None, *, dataset: str = "cifar10", accuracy: str = "test"
) -> NB201Arrays:
    """Load the NAS-Bench-201 arrays for NAS searches (error on one dataset + device latencies).

    Args:
        data_dir: folder holding ``nasbench201/`` (default: the project's table search path).
        dataset: ``"cifar10"`` (MODNAS's NB201 dataset), ``"cifar100"`` or ``"ImageNet16-120"``.
        accuracy: ``"test"`` (NB201's single test-set accuracy; for cifar10 the train+valid run,
            the accuracy MODNAS reports) or ``"val"`` (mean over seeds of the validation
            accuracy; for cifar10 the cifar10-valid split).

    Returns:
        :class:`NB201Arrays` (jax arrays).

    Raises:
        ValueError: unknown dataset or accuracy kind, or inconsistent arrays.
        FileNotFoundError: no table found.
    """
    from mohb_jax._src.tables.sources._common import read_npz as _npz
    from mohb_jax._src.tables.sources.nasbench201 import NB201_OPS

    if dataset not in _DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {list(_DATASETS)}")
    if accuracy not in ("test", "val"):
        raise ValueError(f"accuracy must be 'test' or 'val', got {accuracy!r}")
    d = nb201_data_dir(data_dir)
    keys = ["datasets", "ops", "op_codes", "hw_devices", "hw_latency_ms", "test_acc", "val_acc"]
    z = _npz(d / "nasbench201_dense.npz", keys)
    if tuple(str(o) for o in z["ops"]) != OPS or OPS != NB201_OPS:
        raise ValueError(f"unexpected op list {tuple(z['ops'])}; expected {OPS}")
    t = [str(x) for x in z["datasets"]].index(dataset)
    if accuracy == "test":
        acc = z["test_acc"][t].astype(np.float64)
    else:
        acc = np.nanmean(z["val_acc"][t].astype(np.float64), axis=-1)
    lat = z["hw_latency_ms"].astype(np.float32)
    if acc.shape != (N_ARCHS,) or lat.shape[0] != N_ARCHS:
        raise ValueError("nasbench201 arrays have inconsistent shapes")
    if np.isnan(acc).any() or np.isnan(lat).any():
        raise ValueError("nasbench201 accuracy or latency has NaN entries")
    codes = validate_op_codes(z["op_codes"])
    return NB201Arrays(
        op_codes=jnp.asarray(codes),
        error=jnp.asarray(100.0 - acc, jnp.float32),
        latency_ms=jnp.asarray(lat),
        devices=tuple(str(x) for x in z["hw_devices"]),
        code_to_index=jnp.asarray(build_code_to_index(codes)),
        dataset=dataset,
        accuracy=accuracy,
    )


def device_latencies_on_reference(arrays: NB201Arrays, device: str) -> Float[Array, "10"]:
    """A device's latencies (ms) on the 10 reference architectures :data:`REFERENCE_ARCHS`."""
    return arrays.latency(device)[jnp.asarray(REFERENCE_ARCHS)]
