"""The host-side order keys of float64 input (no x64): per problem, float32 keys when exact.

``mohb_jax.pareto``'s public functions turn float64 NumPy input into int32 keys on the host
before the kernel runs (JAX computes in float32 unless x64 is on, and rounding could merge
distinct values). They used one dense rank per objective over the whole flattened batch (an
argsort of B * N values); now each problem's objective takes its float32 order keys when
rounding merges none of its distinct values (checked on its sorted row) and a dense rank of
its own row otherwise. This times both, alone and inside the public ``nondominated_ranks``
call (the previous keys patched in), interleaved in one process with a loop of moocore calls,
and checks that the ranks agree.

Run: ``python bench/host_keys.py [--reps 11]``
"""

from __future__ import annotations

import argparse
import os
from unittest import mock

import jax
import moocore
import numpy as np
from _timing import interleaved

from mohb_jax import pareto
from mohb_jax._src import pareto as P


def global_dense_keys(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The previous keys of float64 input: per objective, the dense rank of each value among
    the valid values of the whole batch (one argsort of the flattened batch)."""
    out = np.zeros(a.shape, np.int32)
    m = mask.ravel()
    for j in range(a.shape[-1]):
        v = np.where(m, a[..., j].ravel(), np.inf)
        o = np.argsort(v)
        s = v[o]
        d = np.zeros(v.size, np.int32)
        np.cumsum(s[1:] != s[:-1], out=d[1:])
        r = np.empty_like(d)
        r[o] = d
        out[..., j] = np.where(mask, r.reshape(mask.shape), 0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=11)
    a = ap.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}; jax {jax.__version__}; x64 {jax.config.jax_enable_x64}")
    rng = np.random.default_rng(0)
    for m in (2, 3):
        for kind in ("uniform", "front"):
            y = rng.random((1000, 256, m))
            if kind == "front":
                y /= np.linalg.norm(y, axis=-1, keepdims=True)
            mask = np.ones(y.shape[:2], bool)

            def previous(y=y):
                with mock.patch.object(P, "_host_keys", global_dense_keys):
                    return pareto.nondominated_ranks(y)

            want = np.asarray(previous())
            got = np.asarray(pareto.nondominated_ranks(y))
            assert np.array_equal(got, want), (m, kind)
            for i in range(0, 1000, 199):
                assert np.array_equal(got[i], moocore.pareto_rank(y[i])), (m, kind, i)
            t = interleaved(
                {
                    "keys: whole batch": lambda y=y, mask=mask: global_dense_keys(y, mask),
                    "keys: per problem": lambda y=y, mask=mask: P._host_keys(y, mask),
                    "public call, previous keys": previous,
                    "public call, library": lambda y=y: pareto.nondominated_ranks(y),
                    "moocore loop": lambda y=y: [moocore.pareto_rank(p) for p in y],
                },
                a.reps,
            )
            print(f"\n## 1000 x 256, M = {m}, {kind}, float64 NumPy input, median of {a.reps}")
            for k, v in t.items():
                r = f"   moocore/this {t['moocore loop'] / v:5.2f}x" if "call" in k else ""
                print(f"  {k:28s} {v * 1e3:7.2f} ms{r}")


if __name__ == "__main__":
    main()
