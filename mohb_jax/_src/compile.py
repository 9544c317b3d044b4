"""Compiler options for the O(N²) Pareto kernels: the CPU's full vector width.

XLA:CPU tells LLVM to prefer 256-bit vectors even on CPUs with AVX-512. The domination-matrix
builds of the batched ranks (1000 rungs x 256 points, 3 objectives: 65 M point pairs, compute
bound) run 1.3-1.4x faster with 512-bit vectors on this project's AVX-512 machine; the
hypervolume kernels and the 2-D sweeps gain nothing, and the 4-D hypervolume lost ~12 %, so
only the Pareto kernels ask for it (``bench/ranks_batch.py --vector-width``;
``bench/RESULTS.md``), and the simulator's sweeps: their event loop, once compiled as one
kernel (``mohb_jax.sim.use_loop_kernels``), runs 6-8 % faster with them (op by op it gained
nothing).

``MOHB_JAX_VECTOR_WIDTH`` (read once, at import) overrides the choice: ``256`` or ``512``
(bits), or ``default`` for XLA's own default; unset, 512 is asked for only when the host CPU
reports AVX-512F. The option is a compile-time preference: results are bit-identical either
way (integer keys), and on other backends (GPU) XLA ignores it.

JAX accepts ``compiler_options`` only on a top-level ``jax.jit``, so :func:`wide_jit` keeps two
jitted versions of a kernel: the one with these options for calls on concrete arrays (the public
functions called eagerly), and a plain one for calls made while tracing (inside the caller's own
``jit``, ``vmap`` or ``grad``, where the kernel is compiled as part of the caller's program,
with the caller's options).
"""

from __future__ import annotations

import functools
import os

import jax

from mohb_jax._src.validate import is_concrete

_ENV = "MOHB_JAX_VECTOR_WIDTH"
_CHOICES = ("256", "512", "default")


def _host_has_avx512(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU reports the ``avx512f`` flag (Linux; False where it cannot be read)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    return "avx512f" in line.split()
    except OSError:
        pass
    return False


def vector_width_options(env: str | None = None, has_avx512: bool | None = None) -> dict:
    """The ``compiler_options`` of the Pareto kernels' ``jax.jit``.

    Args:
        env: the value of ``MOHB_JAX_VECTOR_WIDTH`` (default: read from the environment).
        has_avx512: whether the host CPU has AVX-512F (default: read from ``/proc/cpuinfo``).

    Raises:
        ValueError: ``env`` is not one of ``256``, ``512``, ``default``.
    """
    env = os.environ.get(_ENV) if env is None else env
    if env is not None and env.strip() != "":
        v = env.strip().lower()
        if v not in _CHOICES:
            raise ValueError(
                f"{_ENV}={env!r} is not one of {', '.join(_CHOICES)} (bits of the vectors "
                "the Pareto kernels are compiled for, or 'default' for XLA's choice)"
            )
        return {} if v == "default" else {"xla_cpu_prefer_vector_width": int(v)}
    if has_avx512 is None:
        has_avx512 = _host_has_avx512()
    return {"xla_cpu_prefer_vector_width": 512} if has_avx512 else {}


WIDE_OPTIONS = vector_width_options()
"""This process's options (fixed at import)."""


def wide_jit(fun=None, **jit_kwargs):
    """``jax.jit(fun, **jit_kwargs)``, compiled with :data:`WIDE_OPTIONS` when called on
    concrete arrays (a top-level call) and without them while tracing (a nested call).

    Usable as ``@wide_jit`` or ``@functools.partial(wide_jit, static_argnames=...)``.
    """
    if fun is None:
        return functools.partial(wide_jit, **jit_kwargs)
    plain = jax.jit(fun, **jit_kwargs)
    if not WIDE_OPTIONS:
        return plain
    wide = jax.jit(fun, compiler_options=WIDE_OPTIONS, **jit_kwargs)

    @functools.wraps(fun)
    def call(*args, **kwargs):
        if not is_concrete(*jax.tree_util.tree_leaves((args, kwargs))):
            return plain(*args, **kwargs)
        return wide(*args, **kwargs)

    call.plain, call.wide = plain, wide
    return call
