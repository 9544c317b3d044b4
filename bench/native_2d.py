# ruff: noqa: B023  (lambdas are timed inside the loop iteration that defines them)
"""The batched 2-D hypervolume and 2-D non-dominated ranks against the same work in native
code: XLA FFI kernels in C++ (compiled here at run time with the system's C++ compiler; not part
of the library), one thread, per problem a ``std::sort`` of packed 64-bit (x, y) order keys and
then the staircase sweep (hypervolume) or the O(N log N) front assignment, each point placed in
the first front none of whose points dominates it by a binary search over the fronts' lowest y
(ranks). They tell whether the library's kernels (a bitonic network; the packed dominance
matrix peeled front by front) are bound by their formulation on XLA:CPU or by the work itself.
Interleaved in one process with the library's kernels and a loop of moocore calls; 1000 x 256
float32 problems, uniform points and sphere fronts.

Run: ``python bench/native_2d.py [--reps 11] [--cxx g++]``
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import tempfile

import jax
import jax.numpy as jnp
import moocore
import numpy as np
from _timing import interleaved

from mohb_jax._src import hypervolume as H
from mohb_jax._src import pareto as P

_SOURCE = r"""
#include <algorithm>
#include <cstdint>
#include <utility>
#include <cstring>
#include <vector>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;

static inline uint32_t order_bits(float v) {  // unsigned bits with the order of the floats
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
static inline float from_order_bits(uint32_t b) {
  b = (b & 0x80000000u) ? (b & 0x7fffffffu) : ~b;
  float v;
  std::memcpy(&v, &b, 4);
  return v;
}

// y: (B, N, 2) float32, ref: (B, 2) float32 -> (B,) hypervolume (minimization)
static ffi::Error Hv2(ffi::Buffer<ffi::F32> y, ffi::Buffer<ffi::F32> ref,
                      ffi::ResultBuffer<ffi::F32> out) {
  const int64_t nb = y.dimensions()[0], n = y.dimensions()[1];
  const float* p = y.typed_data();
  const float* r = ref.typed_data();
  float* o = out->typed_data();
  std::vector<uint64_t> keys(n);
  for (int64_t b = 0; b < nb; ++b) {
    const float r1 = r[2 * b], r2 = r[2 * b + 1];
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float x = p[(b * n + i) * 2], v = p[(b * n + i) * 2 + 1];
      if (x < r1 && v < r2) keys[k++] = (uint64_t(order_bits(x)) << 32) | order_bits(v);
    }
    std::sort(keys.begin(), keys.begin() + k);  // by x, ties by y
    double hv = 0.0;
    float xl = 0.0f, yl = r2;  // the last staircase point
    bool any = false;
    for (int64_t i = 0; i < k; ++i) {
      const float x = from_order_bits(uint32_t(keys[i] >> 32));
      const float v = from_order_bits(uint32_t(keys[i]));
      if (v < yl) {
        if (any) hv += double(x - xl) * double(r2 - yl);
        xl = x;
        yl = v;
        any = true;
      }
    }
    if (any) hv += double(r1 - xl) * double(r2 - yl);
    o[b] = float(hv);
  }
  return ffi::Error::Success();
}

// y: (B, N, 2) float32 -> (B, N) int32 front index (0 = non-dominated; duplicates share one)
static ffi::Error Ranks2(ffi::Buffer<ffi::F32> y, ffi::ResultBuffer<ffi::S32> out) {
  const int64_t nb = y.dimensions()[0], n = y.dimensions()[1];
  const float* p = y.typed_data();
  int32_t* o = out->typed_data();
  std::vector<std::pair<uint64_t, int32_t>> keys(n);
  std::vector<float> low_y(n), low_x(n);  // per front: its lowest y, and that point's x
  for (int64_t b = 0; b < nb; ++b) {
    for (int64_t i = 0; i < n; ++i) {
      const float x = p[(b * n + i) * 2], v = p[(b * n + i) * 2 + 1];
      keys[i] = {(uint64_t(order_bits(x)) << 32) | order_bits(v), int32_t(i)};
    }
    std::sort(keys.begin(), keys.end());  // by x, ties by y
    int64_t fronts = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float x = from_order_bits(uint32_t(keys[i].first >> 32));
      const float v = from_order_bits(uint32_t(keys[i].first));
      // earlier points have x' <= x: front f dominates (x, v) iff its lowest y is below v, or
      // equal to v at a smaller x; true for the first fronts, false from some front on
      int64_t lo = 0, hi = fronts;
      while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        const bool dom = low_y[mid] < v || (low_y[mid] == v && low_x[mid] < x);
        if (dom) lo = mid + 1; else hi = mid;
      }
      if (lo == fronts) { low_y[fronts] = v; low_x[fronts] = x; ++fronts; }
      else if (v < low_y[lo]) { low_y[lo] = v; low_x[lo] = x; }
      o[b * n + keys[i].second] = int32_t(lo);
    }
  }
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(MohbBenchRanks2, Ranks2,
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::F32>>().Ret<ffi::Buffer<ffi::S32>>());

XLA_FFI_DEFINE_HANDLER_SYMBOL(MohbBenchHv2, Hv2,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>());
"""


def _build(cxx: str, where: str) -> ctypes.CDLL:
    src = os.path.join(where, "native_2d.cc")
    lib = os.path.join(where, "libnative_2d.so")
    with open(src, "w") as f:
        f.write(_SOURCE)
    cmd = [cxx, "-O3", "-march=native", "-std=c++17", "-shared", "-fPIC", "-w"]
    subprocess.run([*cmd, f"-I{jax.ffi.include_dir()}", src, "-o", lib], check=True)
    return ctypes.cdll.LoadLibrary(lib)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    a = ap.parse_args()
    if shutil.which(a.cxx) is None:
        raise SystemExit(f"no C++ compiler {a.cxx!r} on PATH (pass --cxx)")
    with tempfile.TemporaryDirectory() as tmp:
        lib = _build(a.cxx, tmp)
        jax.ffi.register_ffi_target("mohb_bench_hv2", jax.ffi.pycapsule(lib.MohbBenchHv2), "cpu")
        jax.ffi.register_ffi_target(
            "mohb_bench_ranks2", jax.ffi.pycapsule(lib.MohbBenchRanks2), "cpu"
        )

        @jax.jit
        def native_ranks(y):
            out = jax.ShapeDtypeStruct(y.shape[:2], jnp.int32)
            return jax.ffi.ffi_call("mohb_bench_ranks2", out)(y)

        @jax.jit
        def native(y, ref):
            out = jax.ShapeDtypeStruct(y.shape[:1], y.dtype)
            return jax.ffi.ffi_call("mohb_bench_hv2", out)(y, ref)

        print(f"jax {jax.__version__}, load {os.getloadavg()[0]:.2f}, medians of {a.reps}")
        rng = np.random.default_rng(0)
        b, n = 1000, 256
        for kind in ("uniform", "fronts"):
            if kind == "uniform":
                y = rng.random((b, n, 2))
            else:
                x = np.abs(rng.standard_normal((b, n, 2)))
                y = 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)
            yj = jnp.asarray(y, jnp.float32)
            r1, rb = jnp.ones(2, jnp.float32), jnp.ones((b, 2), jnp.float32)
            y64 = np.asarray(yj, np.float64)
            want = np.array([moocore.hypervolume(p, ref=np.ones(2)) for p in y64])
            lib_k = jax.jit(H._hv_batch).lower(yj, r1, None).compile()
            for name, got in (("native", native(yj, rb)), ("library", lib_k(yj, r1, None))):
                err = float(np.max(np.abs(np.asarray(got, np.float64) - want) / want))
                assert err < 1e-5, (name, err)
            t = interleaved(
                {
                    "native C++ (std::sort + sweep, 1 thread)": lambda: native(yj, rb),
                    "library kernel (bitonic network, XLA:CPU)": lambda: lib_k(yj, r1, None),
                    "moocore loop": lambda: [moocore.hypervolume(p, ref=np.ones(2)) for p in y64],
                },
                a.reps,
            )
            print(f"\n## hypervolume, {b} x {n}, M = 2, {kind}")
            for k, v in t.items():
                print(f"  {k:44s} {v * 1e3:7.2f} ms   moocore/this {t['moocore loop'] / v:5.2f}x")
            # ranks: the library's batch kernel on its keys (float32 input: the keys are exact)
            pr = P._prepare(np.asarray(yj), None, None)
            kk, mk = jnp.asarray(pr.k), jnp.asarray(pr.mask)
            want_r = np.stack([moocore.pareto_rank(q) for q in y64])
            got_lib = np.asarray(P._nondominated_ranks(kk, mk))[:b, :n]
            assert np.array_equal(np.asarray(native_ranks(yj)), want_r), "native ranks differ"
            assert np.array_equal(got_lib, want_r), "library ranks differ"
            t = interleaved(
                {
                    "native C++ (std::sort + fronts, 1 thread)": lambda: native_ranks(yj),
                    "library kernel (XLA:CPU)": lambda: P._nondominated_ranks(kk, mk),
                    "moocore loop": lambda: [moocore.pareto_rank(q) for q in y64],
                },
                a.reps,
            )
            print(f"\n## non-dominated ranks, {b} x {n}, M = 2, {kind}")
            for k, v in t.items():
                print(f"  {k:44s} {v * 1e3:7.2f} ms   moocore/this {t['moocore loop'] / v:5.2f}x")


if __name__ == "__main__":
    main()
