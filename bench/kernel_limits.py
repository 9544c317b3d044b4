"""What bounds the Pareto / hypervolume kernels on XLA:CPU: micro-measurements (issue 20).

Measures, in one process, the quantities the results files use to explain the rows that miss
their goals: the cost of one iteration of an XLA while-loop (empty, and with the vector work
of one sweep step), the cost of sorting a batch of rungs (bitonic network, XLA's sort, NumPy),
the throughput of a fused element-wise pass, and moocore's per-call time on a tiny problem.

Run: ``nice -n 10 python bench/kernel_limits.py`` (about a minute).
"""

from __future__ import annotations

import os
import time

import jax
import jax.numpy as jnp
import moocore
import numpy as np
from jax import lax

from mohb_jax._src.sortnet import bitonic_sort


def med(f, reps=7):
    jax.block_until_ready(f())
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        jax.block_until_ready(f())
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def main():
    print(
        f"# bench/kernel_limits.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"jax {jax.__version__} cpus {os.cpu_count()} load {os.getloadavg()[0]:.1f}"
    )
    steps = 100_000

    # 1. one while-loop iteration: empty body, and the vector work of one sweep step
    empty = jax.jit(lambda x: lax.fori_loop(0, steps, lambda i, c: c + 1.0, x))
    t = med(lambda: empty(jnp.float32(0)))
    print(f"while-loop iteration, scalar body: {t / steps * 1e9:.0f} ns")
    for s in (64, 512, 4096):

        def body(i, c, s=s):
            xs, acc = c
            cnt = jnp.sum(xs < i.astype(xs.dtype))  # one reduction over the slots
            xs = lax.dynamic_update_index_in_dim(xs, i.astype(xs.dtype), cnt % s, 0)
            return xs, acc + cnt

        f = jax.jit(lambda x, body=body: lax.fori_loop(0, steps, body, (x, jnp.int32(0))))
        t = med(lambda f=f, s=s: f(jnp.zeros((s,), jnp.float32)), reps=3)
        print(
            f"while-loop iteration, count over {s} slots + one in-place write: "
            f"{t / steps * 1e9:.0f} ns"
        )

    # 2. sorting a batch of rungs, 1000 x 256
    rng = np.random.default_rng(0)
    a = rng.random((256, 1000)).astype(np.float32)
    b = rng.random((256, 1000)).astype(np.float32)
    idx = jnp.broadcast_to(jnp.arange(256, dtype=jnp.int32)[:, None], (256, 1000))
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    one = jax.jit(lambda x: bitonic_sort((x,)))
    two = jax.jit(lambda x, y: bitonic_sort((x,), (y,)))
    three = jax.jit(lambda x, y, i: bitonic_sort((x, y), (i,)))
    xla1 = jax.jit(lambda x: jnp.sort(x, axis=0))
    xla3 = jax.jit(lambda x, y, i: lax.sort((x, y, i), dimension=0, num_keys=2))
    print(f"bitonic network 256 x 1000, 1 array:  {med(lambda: one(ja)) * 1e3:.2f} ms")
    print(f"bitonic network 256 x 1000, 2 arrays: {med(lambda: two(ja, jb)) * 1e3:.2f} ms")
    print(
        f"bitonic network 256 x 1000, 2 keys + 1 payload: "
        f"{med(lambda: three(ja, jb, idx)) * 1e3:.2f} ms"
    )
    print(f"XLA sort 256 x 1000, 1 array: {med(lambda: xla1(ja)) * 1e3:.2f} ms")
    print(f"XLA sort 256 x 1000, 2 keys + 1 payload: {med(lambda: xla3(ja, jb, idx)) * 1e3:.2f} ms")
    print(f"NumPy sort 1000 x 256 (rows): {med(lambda: np.sort(a.T, axis=1)) * 1e3:.2f} ms")
    print(
        f"NumPy lexsort 1000 x 256 (rows): "
        f"{med(lambda: np.lexsort((b.T, a.T), axis=-1)) * 1e3:.2f} ms"
    )

    # 3. a fused element-wise pass (what a dominance build or a sweep step is made of)
    n = 1 << 24
    x = jnp.asarray(rng.random(n, dtype=np.float32))
    y = jnp.asarray(rng.random(n, dtype=np.float32))
    fused = jax.jit(lambda x, y: jnp.sum(jnp.where(x <= y, y - x, 0.0)))
    t = med(lambda: fused(x, y))
    print(f"fused compare-select-sum over 2 x 2^24 floats: {n / t / 1e9:.2f} G elements/s")

    # 4. moocore's cost per call on a rung-sized problem
    p2 = rng.random((256, 2))
    p3 = rng.random((256, 3))
    for name, fn, p in (
        ("pareto_rank 256x2", moocore.pareto_rank, p2),
        ("hypervolume 256x2", lambda q: moocore.hypervolume(q, ref=np.ones(2)), p2),
        ("hypervolume 256x3", lambda q: moocore.hypervolume(q, ref=np.ones(3)), p3),
    ):
        t = med(lambda fn=fn, p=p: [fn(p) for _ in range(1000)], reps=3)
        print(f"moocore {name}: {t / 1000 * 1e6:.1f} us per call")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
