"""The fixed cost of an eager call: the public functions against their jitted kernels alone
(the same padded inputs, prepared once) and against moocore, on small problems where that
fixed cost is most of the time.

Every row times the three callables interleaved in one process (medians); "host work" is
public minus kernel: validation, the host-side keys or translation, padding, and turning the
result back into a jax Array of the input's shape.

Run: ``python bench/call_overhead.py [--reps 301] [--x64]``
"""

from __future__ import annotations

import argparse
import os

import jax
import moocore
import numpy as np
from _timing import interleaved


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=301)
    ap.add_argument("--x64", action="store_true", help="enable float64 (jax_enable_x64)")
    a = ap.parse_args()
    if a.x64:
        jax.config.update("jax_enable_x64", True)
    from mohb_jax._src import hypervolume as H
    from mohb_jax._src import pareto as P
    from mohb_jax.hypervolume import hypervolume
    from mohb_jax.pareto import nondominated_ranks, pareto_mask

    print(
        f"jax {jax.__version__}, x64 {a.x64}, load {os.getloadavg()[0]:.2f}, "
        f"medians of {a.reps} interleaved calls (microseconds)"
    )
    print(f"{'call':34s} {'public':>8s} {'kernel':>8s} {'host work':>9s} {'moocore':>8s}")
    rng = np.random.default_rng(0)
    rows = []
    for m, n in ((2, 8), (2, 100), (3, 100), (3, 1000), (4, 100), (4, 1000)):
        y = rng.random((n, m))
        ref = np.ones(m)
        yp, rp, mp, _ = H._host_inputs(y, ref, None, "hypervolume")
        rows.append(
            (
                f"hypervolume M={m} N={n}",
                lambda y=y, ref=ref: hypervolume(y, ref),
                lambda yp=yp, rp=rp, mp=mp: H._hv_batch(yp, rp, mp),
                lambda y=y, ref=ref: moocore.hypervolume(y, ref=ref),
            )
        )
    for m, n in ((2, 100), (3, 100), (2, 1000)):
        y = rng.random((n, m))
        p = P._prepare(y, None, None)
        rows.append(
            (
                f"nondominated_ranks M={m} N={n}",
                lambda y=y: nondominated_ranks(y),
                lambda p=p: P._nondominated_ranks(p.k, p.mask),
                lambda y=y: moocore.pareto_rank(y),
            )
        )
        rows.append(
            (
                f"pareto_mask M={m} N={n}",
                lambda y=y: pareto_mask(y),
                lambda p=p: P._pareto_mask(p.k, p.mask),
                lambda y=y: moocore.is_nondominated(y),
            )
        )
    for label, pub, ker, moo in rows:
        t = interleaved({"public": pub, "kernel": ker, "moocore": moo}, a.reps)
        us = {k: v * 1e6 for k, v in t.items()}
        print(
            f"{label:34s} {us['public']:8.0f} {us['kernel']:8.0f} "
            f"{us['public'] - us['kernel']:9.0f} {us['moocore']:8.0f}"
        )


if __name__ == "__main__":
    main()
