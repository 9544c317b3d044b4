"""The 4-D hypervolume: the library's sweep (``hypervolume`` on 4-D input) against WFG (the
former 4-D kernel, still the one for M >= 5) and moocore's C, in one process, float64; then
the same with XLA:CPU's small-while-loop pass switched off.

The sweep's loops are scalar work; XLA:CPU compiles a ``while`` loop into one native kernel
only when the HLO cost analysis of one iteration (nested loops included) accesses fewer bytes
than ``xla_cpu_small_while_loop_byte_threshold`` (1 KB by default; a process-wide
``XLA_FLAGS`` backend option, read at start-up). The second child runs with the threshold at
0, i.e. every loop through the thunk runtime, one small kernel at a time: what the same
algorithm costs when its loops are not sized for that pass.

The "worst case" sets are built so that every point's walk meets every earlier point and
inserts it at the far end of a long staircase (O(N^3) steps): half the points on an x-y
anti-diagonal, low in z and early in w; the other half low in x and y, high in z, late in w.

    python bench/hv4_sweep.py [--reps 5] [--worst 500 1000 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

NO_HOISTING = "--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold=0"


def child(reps: int, worst: list[int]) -> None:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import moocore

    from mohb_jax._src import hypervolume as H
    from mohb_jax.hypervolume import hypervolume

    @jax.jit
    def wfg(y, ref):  # the WFG kernel on a batch of 4-D problems (B, N, 4)
        Y, v, R, _ = H._to_batch_last(y, ref, None)
        v = v & jnp.all(Y < R[:, None, :], axis=0)
        return H._hv_wfg(jnp.where(v[None], Y, R[:, None, :]), v, R)

    def best(f, k):
        f()
        ts = []
        for _ in range(k):
            t = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t)
        return min(ts)

    def front(rng, shape):
        x = np.abs(rng.standard_normal((*shape, 4)))
        return 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)

    rng = np.random.default_rng(1)
    ref = np.ones(4)
    rj = jnp.asarray(ref)
    cases = [(f"front n={n}", front(rng, (n,))) for n in (100, 316, 1000, 3162)]
    cases += [
        ("uniform n=1000", rng.random((1000, 4))),
        ("uniform n=10000", rng.random((10_000, 4))),
    ]
    cases += [("64 rungs x 40, fronts", front(rng, (64, 40)))]
    cases += [("256 rungs x 128, fronts", front(rng, (256, 128)))]

    def worst_case(n):
        u, v = rng.random(n // 2), rng.random(n - n // 2)
        early = np.c_[u, 1 - u, 0.1 * rng.random(n // 2), 0.5 * rng.random(n // 2)]
        late = np.c_[0.3 * v, 0.3 * (1 - v), 0.5 + 0.5 * rng.random((n - n // 2, 2))]
        return 0.99 * np.r_[early, late]

    cases += [(f"worst case n={n}", worst_case(n)) for n in worst]
    print(
        f"  {'case':26s} {'moocore':>10s} {'sweep':>10s} {'ratio':>7s} {'WFG':>10s} {'ratio':>7s}"
    )
    for name, y in cases:
        yj = jnp.asarray(y)
        ys = y if y.ndim == 3 else y[None]
        want = np.array([moocore.hypervolume(p, ref=ref) for p in ys])
        got = np.atleast_1d(np.asarray(hypervolume(yj, rj)))
        old = np.asarray(wfg(jnp.asarray(ys), rj))
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(old, want, rtol=1e-12)
        k = max(1, reps // (3 if len(y) > 2000 or y.ndim == 3 or "worst" in name else 1))
        t_m = best(lambda ys=ys: [moocore.hypervolume(p, ref=ref) for p in ys], 10 * k)
        t_s = best(lambda yj=yj: hypervolume(yj, rj).block_until_ready(), k)
        t_w = best(lambda ys=ys: wfg(jnp.asarray(ys), rj).block_until_ready(), k)
        print(
            f"  {name:26s} {t_m * 1e3:8.3f}ms {t_s * 1e3:8.2f}ms {t_s / t_m:6.1f}x "
            f"{t_w * 1e3:8.2f}ms {t_w / t_m:6.1f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--worst", type=int, nargs="*", default=[500, 1000, 2000])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.reps, a.worst)
        return
    print(f"load average {os.getloadavg()[0]:.2f} (ratios: time / moocore's time, same process)")
    for label, flags in (("default XLA flags", ""), ("small-while-loop pass off", NO_HOISTING)):
        env = dict(os.environ)
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + flags).strip()
        print(f"## {label}", flush=True)
        # (without the pass, only the smallest worst case: the others take minutes)
        worst = a.worst if not flags else a.worst[:1]
        cmd = [sys.executable, __file__, "--child", "--reps", str(a.reps)]
        cmd += ["--worst", *map(str, worst)]
        subprocess.run(cmd, env=env, check=True)


if __name__ == "__main__":
    main()
