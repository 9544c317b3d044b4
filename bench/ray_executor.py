"""The Ray executor against the local one, in the same run (the ``ray`` extra).

1. Real trials: trivial trials (``bench/tune.py``'s ``trivial``: one report, nothing imported)
   on 2 workers through the local executor (a spawned process per job) and through
   :class:`~mohb_jax.tune.RayExecutor` on a local Ray cluster (a fresh Ray worker per job),
   interleaved round by round; trials per second and the ratio.
2. Sweeps: ``simulate`` of the embedded table in this process vs ``simulate(executor=Ray)``
   with chunks of seeds as Ray tasks; seeds per second, the ratio, and the per-chunk overhead
   (a Ray chunk's wall time minus the same chunk's compile + run time inside the task) that
   decides when a cluster pays off. On one machine Ray can only lose: the chunks compete for
   the same cores, and each task compiles its own simulator.

Usage::

    RAY_USAGE_STATS_ENABLED=0 python bench/ray_executor.py --trials 16 --rounds 2 --seeds 32
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def trials_per_second(executor, n_trials: int, tmp: Path, label: str) -> float:
    from tune import _tuner

    tu = _tuner(tmp / label, executor, n_trials, [1], n_workers=2)
    t0 = time.perf_counter()
    res = tu.run()
    dt = time.perf_counter() - t0
    assert len(res.frame) == n_trials
    return n_trials / dt


def main() -> None:
    import ray

    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=32)
    ap.add_argument("--chunk", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    print(f"# bench/ray_executor.py ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs)")
    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print(f"ray.init: {time.perf_counter() - t0:.1f} s  [{_load()}]")
    from mohb_jax.tune import RayExecutor

    tmp = Path(tempfile.mkdtemp())
    rates = {"local": [], "ray": []}
    for r in range(args.rounds):
        for label in ("local", "ray"):
            ex = "local" if label == "local" else RayExecutor()
            rate = trials_per_second(ex, args.trials, tmp, f"{label}{r}")
            rates[label].append(rate)
            print(f"[trials] round {r} {label}: {rate:.2f} trials/s  [{_load()}]", flush=True)
    import numpy as np

    lo, ra = np.median(rates["local"]), np.median(rates["ray"])
    print(
        f"\n| trivial trials, 2 workers | local executor | Ray executor | Ray / local |\n|---|---|"
        f"---|---|\n| trials/s (median of {args.rounds}) | {lo:.2f} | {ra:.2f} | {ra / lo:.2f}× |\n"
    )

    import mohb_jax
    from mohb_jax import tables

    t = tables.load_benchmark("embedded")
    kw = dict(method="epsnet", task=0, n_workers=4, budget="100x")
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    local = mohb_jax.simulate(t, seeds=seeds, progress=False, **kw)
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    remote = mohb_jax.simulate(t, seeds=seeds, chunk_size=args.chunk, executor=RayExecutor(), **kw)
    t_ray = time.perf_counter() - t0
    import pandas as pd

    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    meta = remote.attrs["mohb_jax"]["executor"]
    inner = np.asarray(meta["chunk_seconds"])
    print(
        f"| embedded sweep, {args.seeds} seeds | this process | Ray, {meta['chunks']} chunks of "
        f"{args.chunk} | Ray / local |\n|---|---|---|---|\n| seeds/s (compile included) | "
        f"{args.seeds / t_local:.1f} | {args.seeds / t_ray:.1f} | "
        f"{t_local / t_ray:.2f}× |\n"
    )
    print(
        f"per chunk inside its Ray task (compile + run): median {np.median(inner):.1f} s; the "
        f"Ray sweep's wall time {t_ray:.1f} s for {meta['chunks']} chunks on 2 CPUs; frames "
        f"bit-identical  [{_load()}]"
    )
    ray.shutdown()


if __name__ == "__main__":
    main()
