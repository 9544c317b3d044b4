"""Timing helpers shared by the benchmark scripts (run as ``python bench/<script>.py``, which
puts this directory on ``sys.path``)."""

from __future__ import annotations

import statistics
import time

import jax


def seconds(f, *args) -> float:
    """Wall time of one call ``f(*args)``, until its result is ready."""
    t0 = time.perf_counter()
    jax.block_until_ready(f(*args))
    return time.perf_counter() - t0


def interleaved(fns: dict, reps: int) -> dict:
    """Median seconds of each zero-argument callable over ``reps`` rounds, called round-robin
    (so a slow spell of a shared machine hits every callable alike)."""
    times = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            times[k].append(seconds(f))
    return {k: statistics.median(v) for k, v in times.items()}
