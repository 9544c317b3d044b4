"""The batched hypervolume with its batch-last input written out before the kernels, or not.

``mohb_jax.hypervolume``'s batch kernels read a transposed (batch-last) copy of the input. Left
to itself, XLA:CPU fuses the transpose into the kernels that read it (a sort network's first
passes each re-read the input with a stride); the library runs the kernels as a ``lax.cond``
branch so that the transposed copy is written once (``_materialized``). This times both forms
of the 1000 x 256 uniform batch (M = 2 and 3, float32, with and without a mask), interleaved in
one process with a loop of moocore calls, and checks that they agree bit for bit.

Run: ``python bench/materialize.py [--reps 11] [--m 2 3]``
"""

from __future__ import annotations

import argparse
import os

import jax
import moocore
import numpy as np
from _timing import interleaved

from mohb_jax._src import hypervolume as H


def fused(y, ref, mask):
    """The batch kernel as it was: the transpose left for XLA to fuse."""
    Y, valid, R, lead = H._to_batch_last(y, ref, mask)
    return H._hv_core(Y, valid, R).reshape(lead)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--m", type=int, nargs="+", default=[2, 3])
    a = ap.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}; jax {jax.__version__}")
    rng = np.random.default_rng(0)
    b, n = 1000, 256
    for m in a.m:
        y = rng.random((b, n, m))
        ref = np.ones(m)
        yj, rj = jax.numpy.asarray(y, "float32"), jax.numpy.asarray(ref, "float32")
        mask = jax.numpy.ones((b, n), bool)
        fns = {}
        out = {}
        for label, fn in (("fused", fused), ("written out (library)", H._hv_batch)):
            for mk in (None, mask):
                key = f"{label}, {'mask' if mk is not None else 'no mask'}"
                exe = jax.jit(fn).lower(yj, rj, mk).compile()
                out[key] = np.asarray(exe(yj, rj, mk))
                fns[key] = lambda exe=exe, mk=mk, yj=yj, rj=rj: exe(yj, rj, mk)
        first = next(iter(out.values()))
        assert all(np.array_equal(first, v) for v in out.values()), "forms disagree"
        exp = np.array([moocore.hypervolume(p, ref=ref) for p in y])
        assert np.max(np.abs(first - exp) / exp) < 1e-5
        fns["moocore loop"] = lambda y=y, ref=ref: [moocore.hypervolume(p, ref=ref) for p in y]
        t = interleaved(fns, a.reps)
        print(f"\n## M = {m}: {b} x {n} uniform, median of {a.reps}, interleaved")
        for k, v in t.items():
            print(f"  {k:32s} {v * 1e3:7.2f} ms   moocore/this {t['moocore loop'] / v:5.2f}x")


if __name__ == "__main__":
    main()
