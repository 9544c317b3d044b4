"""Benchmark mohb_jax.pareto against moocore (C), pymoo and Optuna, interleaved in one process.

Every competitor runs once per round, rounds are repeated, and medians are reported with the
ratio to a Python loop of ``moocore.pareto_rank`` (batched cases) or to ``moocore.pareto_rank``
(single problems). Compile time (first call minus the steady median) is reported separately.

Usage:
    .venv/bin/python bench/pareto.py            # everything (several minutes on 2 busy cores)
    .venv/bin/python bench/pareto.py --quick    # fewer rounds, smaller single problems
    .venv/bin/python bench/pareto.py --shard    # extra row: batch sharded over 2 CPU devices

Notes:
    pymoo 0.6.2's default ``NonDominatedSorting`` calls moocore, so its row measures moocore plus
    pymoo's Python wrapper. Optuna 5 exposes ``optuna.study._multi_objective.
    _fast_non_domination_rank`` (private; NumPy front peeling).
"""

# The competitor lambdas are timed inside the loop iteration that defines them:
# ruff: noqa: B023
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import moocore
import numpy as np


def _shard_main(reps: int) -> None:  # runs in a child process with 2 virtual CPU devices
    import jax
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    from mohb_jax import pareto
    from mohb_jax._src.compile import wide_jit as kernel_jit

    devs = jax.devices()
    mesh = Mesh(np.array(devs), ("b",))
    sh = NamedSharding(mesh, PartitionSpec("b"))
    rng = np.random.default_rng(0)
    for m in (2, 3):
        y = rng.random((1000, 256, m)).astype(np.float32)
        mask = np.ones((1000, 256), bool)
        ys, ms = jax.device_put(y, sh), jax.device_put(mask, sh)
        y1, m1 = jax.device_put(y, devs[0]), jax.device_put(mask, devs[0])
        f = kernel_jit(pareto.nondominated_ranks)
        g = kernel_jit(lambda a, b: pareto.rung_rank(a, b, strategy="parallel"))
        import moocore

        comps = {
            "ranks, 1 device": lambda: f(y1, m1).block_until_ready(),
            "ranks, sharded on 2": lambda: f(ys, ms).block_until_ready(),
            "rung_rank, 1 device": lambda: g(y1, m1).block_until_ready(),
            "rung_rank, sharded on 2": lambda: g(ys, ms).block_until_ready(),
            "moocore loop": lambda: [moocore.pareto_rank(y[b]) for b in range(len(y))],
        }
        med, _ = _interleave(comps, reps)
        base = med["moocore loop"]
        for k, v in med.items():
            print(f"| shard | 1000x256 M={m} uniform | {k} | {v * 1e3:.1f} | {base / v:.2f} |")


def _interleave(comps: dict, reps: int):
    first = {}
    for name, fn in comps.items():
        t = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - t
    times = {k: [] for k in comps}
    for _ in range(reps):
        for name, fn in comps.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    compile_s = {k: max(0.0, first[k] - med[k]) for k in comps}
    return med, compile_s


def _numpy_rung_rank(y):
    """Reference competitor: moocore fronts + a NumPy greedy eps-net per front (normalized)."""
    lo, hi = y.min(0), y.max(0)
    z = np.where(hi > lo, (y - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    r = moocore.pareto_rank(y)
    order = []
    for f in range(r.max() + 1):
        mem = np.flatnonzero(r == f)
        zf = z[mem]
        first = int(np.argmin(zf[:, 0]))
        taken = np.zeros(len(mem), bool)
        taken[first] = True
        mind = np.sqrt(((zf - zf[first]) ** 2).sum(-1))
        seq = [first]
        for _ in range(len(mem) - 1):
            p = int(np.argmax(np.where(taken, -1.0, mind)))
            taken[p] = True
            seq.append(p)
            mind = np.minimum(mind, np.sqrt(((zf - zf[p]) ** 2).sum(-1)))
        order += mem[seq].tolist()
    pos = np.empty(len(y), int)
    pos[order] = np.arange(len(y))
    return pos


def _front_points(rng, b, n, m):
    """Points on the simplex-like front sum(y) = 1 (all mutually non-dominated)."""
    y = rng.random((b, n, m)).astype(np.float64)
    y /= y.sum(-1, keepdims=True)
    y[..., -1] = 1.0 - y[..., :-1].sum(-1)
    return y.astype(np.float32)


def _jax_path(fn, *args):
    """``fn(*args)`` with the native CPU kernels off; ``fn`` is traced in its first call, so it
    keeps the JAX kernels after."""
    from mohb_jax._src import native

    with native.use_native(False):
        return fn(*args).block_until_ready()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--shard", action="store_true")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument(
        "--lean",
        action="store_true",
        help="only moocore and mohb_jax (skip the slow pymoo / Optuna / NumPy loops)",
    )
    ap.add_argument("--_shard_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    reps = args.reps or (3 if args.quick else 7)
    if args._shard_child:
        _shard_main(reps)
        return

    import jax
    import jax.numpy as jnp
    import optuna
    from optuna.study._multi_objective import _fast_non_domination_rank
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    from mohb_jax import pareto
    from mohb_jax._src import pareto as P  # noqa: N812  (the dispatch rule, for labels)
    from mohb_jax._src.compile import wide_jit as kernel_jit  # the kernels' compiler options

    print(
        f"# bench/pareto.py  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  jax "
        f"{jax.__version__}  moocore {moocore.__version__}  optuna {optuna.__version__}  "
        f"cpus {os.cpu_count()}  load {os.getloadavg()[0]:.1f}"
    )
    from mohb_jax import native_info

    print(f"# native CPU kernels: {native_info()}")
    print("| case | shape | method | median ms | speed-up vs moocore |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    nds = NonDominatedSorting()
    compiles = []
    notes = []

    # ---- batched: 1000 problems x N=256 -------------------------------------------------
    for m in (2, 3):
        for dist in ("uniform", "front"):
            b, n = 1000, 256
            y = rng.random((b, n, m)).astype(np.float32)
            if dist == "front":
                y = _front_points(rng, b, n, m)
            mask = np.ones((b, n), bool)
            yd, md = jnp.asarray(y), jnp.asarray(mask)
            # the jitted public functions on device arrays: the kernels without the eager
            # boundary (host keys, padding), compiled with the kernels' own options (a jit
            # around them would otherwise compile them with its own: mohb_jax._src.compile)
            kern = kernel_jit(pareto.nondominated_ranks)
            kern_jax = kernel_jit(lambda a, c: pareto.nondominated_ranks(a, c))
            rr = kernel_jit(lambda a, c: pareto.rung_rank(a, c))
            rc = kernel_jit(lambda a, c: pareto.rung_rank(a, c, tie_break="crowding"))
            comps = {
                "moocore loop": lambda: [moocore.pareto_rank(y[i]) for i in range(b)],
                "mohb_jax ranks (kernel, device arrays)": lambda: kern(yd, md).block_until_ready(),
                "mohb_jax ranks (public API, numpy in)": lambda: np.asarray(
                    pareto.nondominated_ranks(y, mask)
                ),
                # the native CPU kernels off (what runs on a GPU, or without the build)
                "mohb_jax ranks (JAX kernel, device arrays)": lambda: _jax_path(kern_jax, yd, md),
                "mohb_jax rung_rank epsnet (kernel)": lambda: rr(yd, md).block_until_ready(),
                "mohb_jax rung_rank crowding (kernel)": lambda: rc(yd, md).block_until_ready(),
                "pymoo loop (calls moocore)": lambda: [
                    nds.do(y[i], return_rank=True) for i in range(b)
                ],
                "optuna loop": lambda: [_fast_non_domination_rank(y[i]) for i in range(b)],
                "numpy rung_rank loop (moocore fronts + numpy eps-net)": lambda: [
                    _numpy_rung_rank(y[i]) for i in range(b)
                ],
            }
            if args.lean:
                comps = {k: v for k, v in comps.items() if "moocore loop" in k or "mohb" in k}
            med, comp = _interleave(comps, reps)  # first calls here: compile time
            ours = np.asarray(kern(yd, md))
            assert all((ours[i] == moocore.pareto_rank(y[i])).all() for i in range(0, b, 97))
            got = np.asarray(rr(yd, md))
            step = 200 if args.lean else 50
            agree = [(got[i] == _numpy_rung_rank(y[i])).all() for i in range(0, b, step)]
            notes.append(
                f"rung_rank {b}x{n} M={m} {dist}: float32 kernel equals the float64 NumPy "
                f"reference on {sum(agree)}/{len(agree)} checked problems"
            )
            base = med["moocore loop"]
            for k, v in med.items():
                print(f"| batched | {b}x{n} M={m} {dist} | {k} | {v * 1e3:.1f} | {base / v:.2f} |")
            case = f"batched {b}x{n} M={m} {dist}"
            compiles += [(case, k, comp[k]) for k in comps if "mohb" in k]
            sys.stdout.flush()

    # ---- single large problems -------------------------------------------------------------
    singles = [(100_000, 2), (100_000, 3), (10_000, 5)]
    if args.quick:
        singles = [(20_000, 2), (20_000, 3), (10_000, 5)]
    for n, m in singles:
        y = rng.random((n, m)).astype(np.float32)
        y64 = y.astype(np.float64)
        yd, md = jnp.asarray(y), jnp.ones((n,), bool)
        kern = kernel_jit(pareto.nondominated_ranks)
        kern_jax = kernel_jit(lambda a, c: pareto.nondominated_ranks(a, c))
        comps = {
            "moocore": lambda: moocore.pareto_rank(y),
            "mohb_jax ranks (kernel)": lambda: kern(yd, md).block_until_ready(),
            "mohb_jax ranks (JAX kernel)": lambda: _jax_path(kern_jax, yd, md),
            # what a user writes: NumPy float64 in (host keys, rows padded to a size bucket)
            "mohb_jax ranks (public, float64 numpy in)": lambda: np.asarray(
                pareto.nondominated_ranks(y64)
            ),
            "pymoo (calls moocore)": lambda: nds.do(y, return_rank=True),
        }
        if (m == 2 or n <= 10_000) and not args.lean:
            comps["optuna"] = lambda: _fast_non_domination_rank(y)
        if args.lean:
            del comps["pymoo (calls moocore)"]
        med, comp = _interleave(comps, max(3, reps // 2))
        ours = np.asarray(kern(yd, md))
        assert (ours == moocore.pareto_rank(y)).all()
        base = med["moocore"]
        meth = P._choose_method(n, m)
        for k, v in med.items():
            label = f"{k} [{meth}]" if "mohb" in k else k
            print(f"| single | N={n} M={m} uniform | {label} | {v * 1e3:.1f} | {base / v:.2f} |")
        compiles += [(f"single N={n} M={m}", k, comp[k]) for k in comps if "mohb" in k]
        sys.stdout.flush()

    # ---- front 0 only: pareto_mask on 1e6 2-D points --------------------------------------
    n = 200_000 if args.quick else 1_000_000
    y = rng.random((n, 2))
    yd = jnp.asarray(y, jnp.float32)
    pm = kernel_jit(pareto.pareto_mask)
    comps = {
        "moocore is_nondominated": lambda: moocore.is_nondominated(y),
        "mohb_jax pareto_mask (public, float64 numpy in)": lambda: np.asarray(
            pareto.pareto_mask(y)
        ),
        "mohb_jax pareto_mask (jit, float32 device array)": lambda: pm(yd).block_until_ready(),
    }
    med, comp = _interleave(comps, max(3, reps // 2))
    assert (np.asarray(pareto.pareto_mask(y)) == moocore.is_nondominated(y)).all()
    base = med["moocore is_nondominated"]
    for k, v in med.items():
        print(f"| front 0 | N={n} M=2 uniform | {k} | {v * 1e3:.1f} | {base / v:.2f} |")
    compiles += [(f"pareto_mask N={n}", k, comp[k]) for k in comps if "mohb" in k]

    for note in notes:
        print(f"- {note}")
    print("\n| compile (first call minus steady median) | kernel | seconds |")
    print("|---|---|---|")
    for case, k, s in compiles:
        print(f"| {case} | {k} | {s:.2f} |")

    if args.shard:
        env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
        print("\n| case | shape | method | median ms | speed-up vs moocore loop |")
        print("|---|---|---|---|---|")
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, __file__, "--_shard_child", "--reps", str(reps)], env=env, check=True
        )


if __name__ == "__main__":
    main()
