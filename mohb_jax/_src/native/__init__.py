"""The optional native CPU kernels: loading, registration with XLA, and the switch.

``kernels.cc`` is built at install time into ``_kernels*.so`` (``setup.py``; optional: an
install without a C++17 compiler succeeds and runs the JAX kernels). It is a plain shared
library, loaded with ``ctypes``, with two kinds of entry points:

* XLA FFI handlers, registered here as custom-call targets of the CPU platform and called from
  jitted code through :func:`jax.ffi.ffi_call` inside :func:`jax.lax.platform_dependent`: when a
  program is lowered for another platform (GPU), the JAX kernel is lowered instead, so the same
  code runs there unchanged. A custom call is compiled into the program like any other
  operation: no host callback, no transfer.
* plain C functions for the eager host path, which already holds the inputs as NumPy arrays.

A call splits large batches (and one large 4-D problem) over every core; the environment
variable ``MOHB_JAX_NATIVE_THREADS`` (read by each call) sets another number of threads.
``MOHB_JAX_NATIVE=0`` in the environment (read at import) turns the native kernels off;
:func:`use_native` does so in a ``with`` block. :func:`info` says whether they are in use.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.machinery
import os
import threading
from pathlib import Path

import jax
import numpy as np

__all__ = ["available", "enabled", "info", "use_native"]

_HERE = Path(__file__).resolve().parent
_lock = threading.Lock()
_state: dict = {"loaded": False, "lib": None, "error": None}
_switch = threading.local()
_ENV_OFF = os.environ.get("MOHB_JAX_NATIVE", "").strip().lower() in ("0", "false", "off", "no")


def _library_path() -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        p = _HERE / f"_kernels{suffix}"
        if p.exists():
            return p
    return None


def _signature(f, pointers: int, sizes: int):
    """The ctypes signature of a C entry point: ``pointers`` arrays, ``sizes`` int64 sizes, the
    output array and the thread count; returns an int status."""
    f.restype = ctypes.c_int
    f.argtypes = [ctypes.c_void_p] * pointers + [ctypes.c_int64] * sizes
    f.argtypes += [ctypes.c_void_p, ctypes.c_int]


def _load():
    """Load the library and register its FFI targets once; ``None`` when it is absent."""
    if _state["loaded"]:
        return _state["lib"]
    with _lock:
        if _state["loaded"]:
            return _state["lib"]
        path = _library_path()
        if path is None:
            _state["error"] = "not built (no C++17 compiler at install time?)"
        else:
            try:
                lib = ctypes.CDLL(str(path))
                # (y, mask, [ref,] sizes..., out, threads) -> int
                _signature(lib.mohb_hv_f64, pointers=3, sizes=3)
                _signature(lib.mohb_ranks2_f64, pointers=2, sizes=2)
                targets = {
                    "mohb_hv_f32": lib.MohbHvF32,
                    "mohb_hv_f64": lib.MohbHvF64,
                    "mohb_ranks2_f32": lib.MohbRanks2F32,
                    "mohb_ranks2_f64": lib.MohbRanks2F64,
                    "mohb_ranks2_s32": lib.MohbRanks2S32,
                    "mohb_ranks2_s64": lib.MohbRanks2S64,
                }
                for name, sym in targets.items():
                    jax.ffi.register_ffi_target(name, jax.ffi.pycapsule(sym), platform="cpu")
                _state["lib"] = lib
            except (OSError, AttributeError) as e:  # a broken or foreign build
                _state["error"] = f"{path.name} failed to load: {e}"
        _state["loaded"] = True
        return _state["lib"]


def available() -> bool:
    """Whether the native kernels were built and load."""
    return _load() is not None


def enabled() -> bool:
    """Whether calls made now use the native kernels on the CPU backend (built, loaded, and not
    turned off by ``MOHB_JAX_NATIVE=0`` or :func:`use_native`)."""
    on = getattr(_switch, "on", None)
    if on is None:
        on = not _ENV_OFF
    return on and available()


@contextlib.contextmanager
def use_native(on: bool):
    """Use (``True``) or not (``False``) the native kernels for the calls in the block, in this
    thread. The choice is made when a call is traced: a jitted function keeps the program it
    traced before the block (``jax.jit`` caches by function), and one traced inside keeps
    the block's choice after it; wrap a new function (or ``jax.clear_caches()``) to switch."""
    old = getattr(_switch, "on", None)
    _switch.on = bool(on)
    try:
        yield
    finally:
        _switch.on = old


def info() -> dict:
    """What is in use: ``{"available", "enabled", "library", "reason"}``; ``reason`` says why
    the native kernels are not in use (``None`` when they are)."""
    ok = available()
    reason = None
    if not ok:
        reason = _state["error"]
    elif not enabled():
        reason = "turned off (MOHB_JAX_NATIVE=0 or use_native(False))"
    path = _library_path()
    return {
        "available": ok,
        "enabled": enabled(),
        "library": None if path is None else path.name,
        "reason": reason,
    }


def eager_cpu() -> bool:
    """Whether an eager call on host arrays may run a native kernel directly: enabled, and the
    default backend is the CPU (on a GPU the JAX kernel runs on the device)."""
    return enabled() and jax.default_backend() == "cpu"


def hv_f64(y: np.ndarray, ref: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Exact hypervolumes of ``y (B, N, M)`` (float64, M in 2..4) against ``ref (B, M)``, rows
    with ``mask (B, N)`` False left out; float64 ``(B,)``. Every core of the machine is used for
    large batches (and for a large 4-D problem)."""
    lib = _load()
    y = np.ascontiguousarray(y, np.float64)
    b, n, m = y.shape
    r = np.ascontiguousarray(np.broadcast_to(ref, (b, m)), np.float64)
    mk = None if mask is None else np.ascontiguousarray(mask, np.bool_)
    out = np.empty(b, np.float64)
    rc = lib.mohb_hv_f64(
        y.ctypes.data,
        None if mk is None else mk.ctypes.data,
        r.ctypes.data,
        b,
        n,
        m,
        out.ctypes.data,
        0,
    )
    if rc != 0:
        raise ValueError(f"native hypervolume: unsupported number of objectives M = {m}")
    return out


def ranks2_f64(y: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Non-dominated ranks (front indices) of ``y (B, N, 2)`` compared as float64, ``-1`` for
    rows with ``mask (B, N)`` False; int32 ``(B, N)``. Every core is used for large batches."""
    lib = _load()
    y = np.ascontiguousarray(y, np.float64)
    b, n, m = y.shape
    if m != 2:
        raise ValueError(f"native ranks: M must be 2; got M = {m}")
    mk = None if mask is None else np.ascontiguousarray(mask, np.bool_)
    out = np.empty((b, n), np.int32)
    lib.mohb_ranks2_f64(
        y.ctypes.data, None if mk is None else mk.ctypes.data, b, n, out.ctypes.data, 0
    )
    return out
