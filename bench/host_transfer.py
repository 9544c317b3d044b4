"""What the eager boundary of the public Pareto and hypervolume calls pays to hand its padded
host arrays to the jitted kernels: NumPy arrays passed straight to the kernel (its C++
dispatch transfers them) against one ``jax.device_put`` per array first (the boundary before
this change), in one process, interleaved call by call; moocore's time on the same input
for scale.

    python bench/host_transfer.py [--reps 200]
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    a = ap.parse_args()
    jax.config.update("jax_enable_x64", True)
    import moocore

    from mohb_jax._src import hypervolume as H
    from mohb_jax._src import pareto as P
    from mohb_jax._src.validate import to_device
    from mohb_jax.hypervolume import hypervolume
    from mohb_jax.pareto import nondominated_ranks

    host_inputs, prepare = H._host_inputs, P._prepare

    def device_put_boundary(on: bool) -> None:
        if not on:
            H._host_inputs, P._prepare = host_inputs, prepare
            return

        def hv_inputs(*args):
            yp, rp, mp, s = host_inputs(*args)
            return to_device(yp), to_device(rp), to_device(mp), s

        def pareto_prepare(*args):
            p = prepare(*args)
            z = None if p.z is None else to_device(p.z)
            return p._replace(k=to_device(p.k), z=z, mask=to_device(p.mask))

        H._host_inputs, P._prepare = hv_inputs, pareto_prepare

    rng = np.random.default_rng(0)
    u4 = rng.random((1000, 4))
    u3 = rng.random((10_000, 3))
    b2 = rng.random((1000, 256, 2))
    r2 = rng.random((1000, 256, 2))
    cases = {
        "hypervolume 4-D uniform n=1000": (
            lambda: hypervolume(u4, np.ones(4)).block_until_ready(),
            lambda: moocore.hypervolume(u4, ref=np.ones(4)),
        ),
        "hypervolume 3-D uniform n=1e4": (
            lambda: hypervolume(u3, np.ones(3)).block_until_ready(),
            lambda: moocore.hypervolume(u3, ref=np.ones(3)),
        ),
        "hypervolume 1000 x 256, M=2": (
            lambda: hypervolume(b2, np.ones(2)).block_until_ready(),
            lambda: [moocore.hypervolume(p, ref=np.ones(2)) for p in b2],
        ),
        "nondominated_ranks 1000 x 256, M=2": (
            lambda: nondominated_ranks(r2).block_until_ready(),
            lambda: [moocore.pareto_rank(p) for p in r2],
        ),
    }
    print(
        f"jax {jax.__version__}, x64 on, float64 NumPy input, load {os.getloadavg()[0]:.2f}; "
        "median of interleaved calls"
    )
    print(f"  {'call':36s} {'NumPy':>9s} {'device_put':>11s} {'saved':>8s} {'moocore':>9s}")
    for name, (ours, theirs) in cases.items():
        for on in (False, True):
            device_put_boundary(on)
            ours()
        t = {False: [], True: []}
        k = a.reps if "1000 x" not in name else max(5, a.reps // 20)
        for _ in range(k):
            for on in (False, True):
                device_put_boundary(on)
                s = time.perf_counter()
                ours()
                t[on].append(time.perf_counter() - s)
        device_put_boundary(False)
        ts = []
        for _ in range(max(3, k // 4)):
            s = time.perf_counter()
            theirs()
            ts.append(time.perf_counter() - s)
        new, old, mc = (np.median(t[False]), np.median(t[True]), np.median(ts))
        print(
            f"  {name:36s} {new * 1e3:7.3f}ms {old * 1e3:9.3f}ms {(old - new) * 1e3:6.3f}ms "
            f"{mc * 1e3:7.3f}ms"
        )


if __name__ == "__main__":
    main()
