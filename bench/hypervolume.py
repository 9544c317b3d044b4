# ruff: noqa: B023  (lambdas are timed inside the loop iteration that defines them)
"""Benchmark of mohb_jax.hypervolume against moocore, Optuna, pymoo and plain NumPy.

Every comparison runs in one process, interleaved (A, B, A, B, ...), and reports the median time
of each and their ratio, because absolute times on the shared 2-core machine drift by ~2x.
First calls (compilation) are excluded and reported separately.

    .venv/bin/python bench/hypervolume.py            # all sections
    .venv/bin/python bench/hypervolume.py --only batch single curve --reps 7
    .venv/bin/python bench/hypervolume.py --only many --reps 5   # M = 5, 6 (WFG)
    .venv/bin/python bench/hypervolume.py --only hv4 hv4compile --reps 3   # M = 4
    .venv/bin/python bench/hypervolume.py --only curvefront --reps 5   # 3-D curve on fronts
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import jax
import jax.numpy as jnp
import moocore
import numpy as np
from _timing import interleaved
from optuna._hypervolume import compute_hypervolume as optuna_hv

from mohb_jax._src import native
from mohb_jax.hypervolume import hypervolume, hypervolume_curve


def timed(fn):
    t = time.perf_counter()
    out = fn()
    jax.block_until_ready(out)
    return time.perf_counter() - t, out


def jax_kernel(fn, *args):
    """``fn`` with the native CPU kernels off (what runs on a GPU, or without the build)."""
    with native.use_native(False):
        return jax.block_until_ready(fn(*args))


def fmt(t):
    return f"{t * 1e3:9.2f} ms"


def sphere_front(rng, n, m):
    """Points on the unit sphere's positive orthant, mapped to minimization: all non-dominated."""
    x = np.abs(rng.standard_normal((n, m)))
    return 1.0 - x / np.linalg.norm(x, axis=1, keepdims=True)


def numpy_hv2_batched(y, ref):
    """Plain NumPy batched 2-D HV (argsort + running minimum), the PERF_NOTES anchor."""
    o = np.argsort(y[..., 0], axis=-1)
    s1 = np.take_along_axis(y[..., 0], o, -1)
    s2 = np.take_along_axis(y[..., 1], o, -1)
    g = np.minimum.accumulate(s2, axis=-1)
    nxt = np.concatenate([s1[..., 1:], np.full_like(s1[..., :1], ref[0])], -1)
    return ((nxt - s1) * (ref[1] - g)).sum(-1)


def section_batch(reps):
    rng = np.random.default_rng(0)
    print("\n## batched: 1000 problems x N=256 (uniform points), float32 JAX vs float64 C loop")
    print(f"   (native CPU kernels: {native.info()})")
    print("   (M=3 front: 1000 sphere fronts of 256 points, nothing dominated)")
    rows = []
    for label in ("M=2", "M=3", "M=3 front"):
        m = int(label[2])
        if label.endswith("front"):
            y = np.stack([sphere_front(rng, 256, 3) for _ in range(1000)])
        else:
            y = rng.random((1000, 256, m))
        ref = np.full(m, 1.0)
        yj, rj = jnp.asarray(y, jnp.float32), jnp.asarray(ref, jnp.float32)
        t0, hv = timed(lambda: hypervolume(yj, rj))
        exp = np.array([moocore.hypervolume(p, ref=ref) for p in y])
        err = float(np.max(np.abs(np.asarray(hv, float) - exp) / exp))
        fns = {
            "mohb_jax": lambda: hypervolume(yj, rj),
            "moocore loop": lambda: [moocore.hypervolume(p, ref=ref) for p in y],
            "mohb_jax, JAX kernel": lambda: jax_kernel(hypervolume, yj, rj),
            "mohb_jax, f64 NumPy in": lambda: hypervolume(y, ref),
        }
        t = interleaved(fns, reps)
        if m == 2:
            # timed apart: interleaved with it, mohb_jax ran right after it each round and
            # took 8-12 ms instead of 5.5-7 (2026-11-27: its temporaries leave the caches cold)
            t["numpy batched"] = interleaved({"x": lambda: numpy_hv2_batched(y, ref)}, reps)["x"]
        # the same call repeated with nothing in between: XLA:CPU's pool threads awake and the
        # input in cache (after 20 ms of other Python work it took 1.3-2.4x as long)
        t["mohb_jax back-to-back"] = interleaved({"x": fns["mohb_jax"]}, reps)["x"]
        print(f"{label}: first call (compile) {fmt(t0)}; max rel err vs moocore {err:.1e}")
        for k, v in t.items():
            print(f"  {k:22s} {fmt(v)}   moocore/this = {t['moocore loop'] / v:5.2f}x")
        rows.append((label, t))
    return rows


def section_single(reps):
    rng = np.random.default_rng(1)
    print("\n## single large problems (float64 everywhere)")
    from pymoo.indicators.hv import HV

    cases = [
        ("3-D front N=1e4", sphere_front(rng, 10_000, 3)),
        ("3-D uniform N=1e4", rng.random((10_000, 3))),
        ("4-D front N=1e3", sphere_front(rng, 1000, 4)),
        ("4-D uniform N=1e3", rng.random((1000, 4))),
    ]
    with jax.enable_x64():
        for name, y in cases:
            m = y.shape[1]
            ref = np.full(m, 1.0)
            yj, rj = jnp.asarray(y), jnp.asarray(ref)
            t0, hv = timed(lambda: hypervolume(yj, rj))
            exact = moocore.hypervolume(y, ref=ref)
            fns = {
                "mohb_jax": lambda: hypervolume(yj, rj),
                "JAX kernel": lambda: jax_kernel(hypervolume, yj, rj),
                "moocore": lambda: moocore.hypervolume(y, ref=ref),
                "pymoo HV": lambda: HV(ref_point=ref)(y),
            }
            t = interleaved(fns, reps)
            # Optuna's WFG explodes on fronts: one timed call, capped by problem choice
            t_opt, v_opt = (
                timed(lambda: optuna_hv(y, ref)) if m == 3 or "uniform" in name else (None, None)
            )
            print(f"{name}: first call {fmt(t0)}; |mohb - moocore| = {abs(float(hv) - exact):.1e}")
            for k, v in t.items():
                print(f"  {k:10s} {fmt(v)}   this/moocore = {v / t['moocore']:8.1f}x")
            if t_opt is not None:
                print(
                    f"  optuna     {fmt(t_opt)}   this/moocore = {t_opt / t['moocore']:8.1f}x "
                    f"(1 call; |diff| {abs(v_opt - exact):.1e})"
                )
            else:
                print("  optuna     skipped (WFG on a 4-D front of 1e3 points takes minutes)")


def section_curve(reps, n=100_000, n_prefixes=12):
    rng = np.random.default_rng(2)
    print(f"\n## hypervolume_curve, N={n} results in arrival order (uniform random search)")
    with jax.enable_x64():
        for m in (2, 3):
            y = rng.random((n, m))
            ref = np.full(m, 1.0)
            yj, rj = jnp.asarray(y), jnp.asarray(ref)
            t0, curve = timed(lambda: hypervolume_curve(yj, rj))
            t = interleaved({"mohb_jax": lambda: hypervolume_curve(yj, rj)}, reps)["mohb_jax"]
            ks = np.unique(np.linspace(1, n, n_prefixes).astype(int))
            # per-prefix recomputation (what Syne Tune does), timed on sampled prefixes and
            # extrapolated: the cost of prefix k grows ~linearly with k, so the full sum is
            # ~ N * mean(sampled per-prefix times) for uniformly spaced samples
            tm, to, err = [], [], 0.0
            for k in ks:
                dt, v = timed(lambda: moocore.hypervolume(y[:k], ref=ref))
                tm.append(dt)
                err = max(err, abs(v - float(curve[k - 1])))
                if m == 2 or k <= 20_000:
                    to.append(timed(lambda: optuna_hv(y[:k], ref))[0])
            est_moo = n * float(np.mean(tm))
            print(
                f"M={m}: mohb_jax {fmt(t)} (first call incl. compile {fmt(t0)}); "
                f"max |diff| vs moocore on sampled prefixes {err:.1e}"
            )
            print(
                f"  moocore per prefix (extrapolated from {len(ks)} sampled prefixes): "
                f"{est_moo:8.1f} s  -> {est_moo / t:8.0f}x slower"
            )
            if to:
                kk = ks[: len(to)]
                # fit t = a*k on the sampled prefixes that ran, then sum over all prefixes
                a = float(np.sum(np.array(to) * kk) / np.sum(kk * kk))
                est_opt = a * n * (n + 1) / 2
                print(
                    f"  optuna per prefix (linear fit on {len(to)} prefixes <= {kk[-1]}): "
                    f"{est_opt:8.1f} s  -> {est_opt / t:8.0f}x slower"
                )


def section_jit_curve(reps, n=100_000):
    """The former cliff: jax.jit(hypervolume_curve) without capacity= on 1e5 2-D points."""
    rng = np.random.default_rng(3)
    print(f"\n## jax.jit(hypervolume_curve), N={n} 2-D points, no capacity (float32)")
    y = jnp.asarray(rng.random((n, 2)), jnp.float32)
    ref = jnp.ones(2)
    f = jax.jit(hypervolume_curve)
    t0, c = timed(lambda: f(y, ref))
    t = interleaved({"jit curve": lambda: f(y, ref)}, reps)["jit curve"]
    exp = moocore.hypervolume(np.asarray(y, float), ref=np.ones(2))
    print(
        f"first call (compile + run) {fmt(t0)}; steady {fmt(t)}; last value - moocore HV "
        f"{float(c[-1]) - exp:.1e}"
    )


def section_curve_front(reps, sizes=(200, 500, 1000)):
    """``hypervolume_curve`` on 3-D sphere fronts (every result survives the filter, so the
    exact HV of every survivor prefix is computed as one batch), against moocore called on
    each prefix; float64."""
    rng = np.random.default_rng(4)
    print("\n## hypervolume_curve on a 3-D front (every prefix), float64, vs moocore per prefix")
    for n in sizes:
        y = sphere_front(rng, n, 3)
        ref = np.ones(3)
        t0, c = timed(lambda: np.asarray(hypervolume_curve(y, ref)))
        fns = {
            "mohb_jax curve": lambda: np.asarray(hypervolume_curve(y, ref)),
            "moocore per prefix": lambda: [
                moocore.hypervolume(y[: i + 1], ref=ref) for i in range(n)
            ],
        }
        t = interleaved(fns, reps)
        exp = np.array(fns["moocore per prefix"]())
        err = float(np.max(np.abs(c - exp) / exp))
        print(f"n={n}: first call {fmt(t0)}; max rel err vs moocore {err:.1e}")
        for k, v in t.items():
            print(f"  {k:20s} {fmt(v)}   moocore/this = {t['moocore per prefix'] / v:7.2f}x")


def section_many(reps, ms=(5, 6), ns=(50, 100, 200, 500), max_first=60.0):
    """M >= 5 (WFG), single problems in float64: sphere fronts and uniform points, ours vs
    moocore interleaved; median, min and max of ``reps`` calls each. A kind stops growing N
    once a first call (compile + run) took more than ``max_first`` seconds."""
    rng = np.random.default_rng(5)
    print(f"\n## M >= 5 (WFG), single problems, float64, {reps} interleaved reps")
    print("| M | kind | N | mohb_jax ms med (min-max) | moocore ms med (min-max) | ratio | load |")
    print("|---|---|---|---|---|---|---|")
    with jax.enable_x64():
        for m in ms:
            for kind in ("sphere", "uniform"):
                for n in ns:
                    y = sphere_front(rng, n, m) if kind == "sphere" else rng.random((n, m))
                    ref = np.ones(m)
                    yj, rj = jnp.asarray(y), jnp.asarray(ref)
                    t0, hv = timed(lambda: hypervolume(yj, rj))
                    exact = moocore.hypervolume(y, ref=ref)
                    times = {"ours": [], "moocore": []}
                    for _ in range(reps):
                        times["ours"].append(timed(lambda: hypervolume(yj, rj))[0])
                        times["moocore"].append(timed(lambda: moocore.hypervolume(y, ref=ref))[0])
                    s = {k: (statistics.median(v), min(v), max(v)) for k, v in times.items()}
                    cell = {
                        k: f"{a * 1e3:.2f} ({b * 1e3:.2f}-{c * 1e3:.2f})"
                        for k, (a, b, c) in s.items()
                    }
                    print(
                        f"| {m} | {kind} | {n} | {cell['ours']} | {cell['moocore']} | "
                        f"{s['ours'][0] / s['moocore'][0]:.0f} | {os.getloadavg()[0]:.1f} |"
                        f"  <!-- first call {t0:.1f} s, |diff| {abs(float(hv) - exact):.1e} -->",
                        flush=True,
                    )
                    if t0 > max_first:
                        break


def section_hv4(reps, singles, batches):
    """M = 4 in float64 through the public ``hypervolume``: single problems (``singles``: N)
    and batches of rungs (``batches``: (B, N)), sphere fronts ``1 - x/|x|`` and uniform points
    in [0, 1]^4, ref = 1. Per row: the first call (compile + run; one compile per padded
    shape, so each shape's first kind pays it), then ``reps`` interleaved calls of ours and
    moocore (a Python loop over the batch): medians and their ratio."""
    rng = np.random.default_rng(8)
    print(f"\n## M = 4, float64, public hypervolume vs moocore, {reps} interleaved reps")
    print("| B | N | kind | first call s | mohb_jax ms | moocore ms | ratio | load |")
    print("|---|---|---|---|---|---|---|---|")
    ref = np.ones(4)
    cases = [(1, n) for n in singles] + [tuple(bn) for bn in batches]
    with jax.enable_x64():
        for b, n in cases:
            for kind in ("sphere", "uniform"):
                shape = (n,) if b == 1 else (b, n)
                if kind == "sphere":  # as sphere_front, with the batch dims
                    x = np.abs(rng.standard_normal((*shape, 4)))
                    y = 1.0 - x / np.linalg.norm(x, axis=-1, keepdims=True)
                else:
                    y = rng.random((*shape, 4))
                t0, hv = timed(lambda: hypervolume(y, ref))
                rows = [y] if b == 1 else list(y)

                def moo():
                    return [moocore.hypervolume(p, ref=ref) for p in rows]

                err = float(np.max(np.abs(np.asarray(hv).reshape(-1) - np.array(moo()))))
                t = interleaved({"ours": lambda: hypervolume(y, ref), "moocore": moo}, reps)
                print(
                    f"| {b} | {n} | {kind} | {t0:.1f} | {t['ours'] * 1e3:.2f} | "
                    f"{t['moocore'] * 1e3:.2f} | {t['ours'] / t['moocore']:.1f} | "
                    f"{os.getloadavg()[0]:.1f} |  <!-- |diff| {err:.1e} -->",
                    flush=True,
                )


def section_hv4_compile(shapes):
    """Compile time of the jitted 4-D kernel alone (``lower`` + ``compile`` of the padded
    float64 shape the public call uses; no run): one row per (B, N) of ``shapes``."""
    from mohb_jax._src import hypervolume as H
    from mohb_jax._src.validate import bucket_size

    print("\n## M = 4, compile time of the kernel per padded shape (float64)")
    print("| B | N | padded (B, N) | trace + lower s | compile s | load |")
    print("|---|---|---|---|---|---|")
    with jax.enable_x64():
        H._hv_batch.lower(jnp.zeros((1, 8, 2)), jnp.zeros((1, 2)), jnp.ones((1, 8), bool))
        for b, n in shapes:  # (a 2-D lowering first: the process's first one costs more)
            bb, npad = bucket_size(b, floor=1), H._pow2(n)
            args = (jnp.zeros((bb, npad, 4)), jnp.zeros((bb, 4)), jnp.ones((bb, npad), bool))
            t0 = time.perf_counter()
            low = H._hv_batch.lower(*args)
            t1 = time.perf_counter()
            low.compile()
            t2 = time.perf_counter()
            print(
                f"| {b} | {n} | ({bb}, {npad}) | {t1 - t0:.1f} | {t2 - t1:.1f} | "
                f"{os.getloadavg()[0]:.1f} |",
                flush=True,
            )


def sphere_or_uniform(rng, n, m):
    return sphere_front(rng, n, m) if m >= 3 else rng.random((n, m))


def section_scaling(reps, out="bench/hv_scaling.png"):
    """Time vs n for single problems (2-D uniform, 3-D / 4-D fronts), ours vs moocore."""
    rng = np.random.default_rng(4)
    grid = {
        2: [100, 1000, 10_000, 100_000],
        3: [100, 1000, 10_000, 100_000],
        4: [32, 100, 316, 1000, 3162],
    }
    print("\n## scaling, single problems, float64 (2-D uniform, 3-D / 4-D sphere fronts)")
    print("| M | n | mohb_jax ms | moocore ms | ratio |")
    print("|---|---|---|---|---|")
    res = {}
    with jax.enable_x64():
        for m, ns in grid.items():
            for n in ns:
                y = sphere_or_uniform(rng, n, m)
                ref = np.ones(m)
                timed(lambda: hypervolume(y, ref))  # compile
                t = interleaved(
                    {
                        "ours": lambda: hypervolume(y, ref),
                        "moocore": lambda: moocore.hypervolume(y, ref=ref),
                    },
                    reps if n * m < 50_000 else max(1, reps // 2),
                )
                res[(m, n)] = t
                print(
                    f"| {m} | {n} | {t['ours'] * 1e3:.2f} | {t['moocore'] * 1e3:.3f} | "
                    f"{t['ours'] / t['moocore']:.1f} |"
                )
    kernels = "native CPU kernels" if native.enabled() else "JAX kernels"
    plot_scaling(res, out, f"\nmohb_jax: the public call ({kernels}), {time.strftime('%Y-%m-%d')}")


def section_hv3(reps, sizes=(100, 1000, 10_000, 100_000)):
    """3-D single problems, sphere front and uniform, ours vs moocore interleaved: median and
    min / max of each, and the ratio of the medians (float64)."""
    rng = np.random.default_rng(5)
    print("\n## 3-D single problems, float64: ours vs moocore interleaved (median [min, max])")
    print("| data | n | mohb_jax ms | moocore ms | ratio (medians) |")
    print("|---|---|---|---|---|")
    with jax.enable_x64():
        for n in sizes:
            for name, y in (("front", sphere_front(rng, n, 3)), ("uniform", rng.random((n, 3)))):
                ref = np.ones(3)
                _, hv = timed(lambda: hypervolume(y, ref))  # compile
                err = abs(float(hv) - moocore.hypervolume(y, ref=ref))
                times = {"ours": [], "moocore": []}
                for _ in range(reps):
                    times["ours"].append(timed(lambda: hypervolume(y, ref))[0])
                    times["moocore"].append(timed(lambda: moocore.hypervolume(y, ref=ref))[0])
                med = {k: statistics.median(v) for k, v in times.items()}
                cell = {
                    k: f"{med[k] * 1e3:.3g} [{min(v) * 1e3:.3g}, {max(v) * 1e3:.3g}]"
                    for k, v in times.items()
                }
                print(
                    f"| {name} | {n} | {cell['ours']} | {cell['moocore']} | "
                    f"{med['ours'] / med['moocore']:.2f} |  (|diff| {err:.1e}, "
                    f"load {os.getloadavg()[0]:.1f})"
                )


def section_hv3_profile(reps, sizes=(1000, 10_000, 100_000)):
    """Where one 3-D call's time goes (sphere fronts, float64): the public call, the jitted
    kernel on prepared inputs, its parts (integer-key sorts and ranks; the sweep = the rest),
    an empty ``while_loop`` of n iterations and the public call on 8 points (fixed cost)."""
    from jax import lax

    from mohb_jax._src import hypervolume as H

    rng = np.random.default_rng(6)
    print("\n## profile of one 3-D call (sphere front, float64), medians in ms")
    print("| n | public call | moocore | kernel (_hv_core) | ranks + order | empty loop of n |")
    print("|---|---|---|---|---|---|")

    def prep(x1, x3, valid, r1):
        inf = jnp.array(jnp.inf, x1.dtype)
        perms, rank = H._sort_rows(jnp.stack([jnp.where(valid, x3, inf), x1]))
        return perms[0], rank[1]

    def empty(nv):
        return lax.while_loop(lambda c: c[0] < nv, lambda c: (c[0] + 1, c[1] + c[0]), (0, 0))[1]

    core = jax.jit(H._hv_core)
    prep_j, empty_j = jax.jit(prep), jax.jit(empty)
    with jax.enable_x64():
        small = sphere_front(rng, 8, 3)
        for n in sizes:
            y = sphere_front(rng, n, 3)
            ref = np.ones(3)
            npad = H._pow2(n)
            Y = np.zeros((3, npad, 1))
            Y[:, :n, 0] = (y - 1).T
            v = np.zeros((npad, 1), bool)
            v[:n] = True
            Yj, vj, Rj = jnp.asarray(Y), jnp.asarray(v), jnp.zeros((3, 1))
            fns = {
                "public": lambda: hypervolume(y, ref),
                "moocore": lambda: moocore.hypervolume(y, ref=ref),
                "kernel": lambda: core(Yj, vj, Rj),
                "ranks": lambda: prep_j(Yj[0, :, 0], Yj[2, :, 0], vj[:, 0], Rj[0, 0]),
                "empty": lambda: empty_j(jnp.int32(n)),
                "public n=8": lambda: hypervolume(small, ref),
            }
            for f in fns.values():
                jax.block_until_ready(f())
            t = interleaved(fns, reps)
            print(
                f"| {n} | {t['public'] * 1e3:.3g} | {t['moocore'] * 1e3:.3g} | "
                f"{t['kernel'] * 1e3:.3g} | {t['ranks'] * 1e3:.3g} | {t['empty'] * 1e3:.3g} |"
                f"  (public call on 8 points: {t['public n=8'] * 1e3:.3g} ms; "
                f"load {os.getloadavg()[0]:.1f})"
            )


def plot_scaling(res: dict, out: str, title_note: str = ""):
    """Log-log plot of ``res[(m, n)] = {"ours": s, "moocore": s}``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for m, color in zip((2, 3, 4), ("C0", "C1", "C2"), strict=True):
        ns = sorted(n for mm, n in res if mm == m)
        if not ns:
            continue
        ax.loglog(ns, [res[(m, n)]["ours"] for n in ns], "o-", color=color, label=f"mohb_jax {m}-D")
        ax.loglog(
            ns, [res[(m, n)]["moocore"] for n in ns], "s--", color=color, label=f"moocore {m}-D"
        )
    ax.set_xlabel("n points")
    ax.set_ylabel("seconds per call (median)")
    ax.set_title("Exact HV, one problem (2-D uniform; 3-D/4-D fronts)" + title_note, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"saved {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--only",
        nargs="*",
        default=["batch", "single", "curve", "jitcurve", "scaling", "many"],
    )
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[100, 1000, 10_000, 100_000],
        help="n of the hv3 section (3-D front and uniform, ours vs moocore)",
    )
    ap.add_argument(
        "--plot-from",
        help="redraw bench/hv_scaling.png from the scaling table printed by an earlier run",
    )
    ap.add_argument(
        "--hv4-singles",
        type=int,
        nargs="*",
        default=[16, 64, 256, 1000, 10_000],
        help="N of the hv4 section's single problems",
    )
    ap.add_argument(
        "--hv4-batches",
        nargs="*",
        default=["64x16", "64x64", "64x256", "1000x16", "1000x64", "1000x256"],
        help="BxN batches of the hv4 section",
    )
    a = ap.parse_args()
    if a.plot_from:
        res = {}
        for line in open(a.plot_from):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 5 and cells[0].isdigit():
                m, n = int(cells[0]), int(cells[1])
                res[(m, n)] = {"ours": float(cells[2]) / 1e3, "moocore": float(cells[3]) / 1e3}
        plot_scaling(res, "bench/hv_scaling.png", " [rows of a partial run]")
        return
    print(
        f"jax {jax.__version__}, moocore {moocore.__version__}, devices {jax.devices()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}"
    )
    if "batch" in a.only:
        section_batch(a.reps)
    if "single" in a.only:
        section_single(max(3, a.reps // 2))
    if "curve" in a.only:
        section_curve(max(3, a.reps // 2))
    if "jitcurve" in a.only:
        section_jit_curve(max(3, a.reps // 2))
    if "curvefront" in a.only:
        section_curve_front(max(3, a.reps // 2))
    if "scaling" in a.only:
        section_scaling(max(3, a.reps // 2))
    if "hv3" in a.only:
        section_hv3(a.reps, tuple(a.sizes))
    if "hv3profile" in a.only:
        section_hv3_profile(a.reps)
    if "many" in a.only:
        section_many(a.reps)
    bn = [tuple(int(v) for v in s.split("x")) for s in a.hv4_batches]
    if "hv4" in a.only:
        section_hv4(a.reps, a.hv4_singles, bn)
    if "hv4compile" in a.only:
        section_hv4_compile([(1, n) for n in a.hv4_singles] + bn)


if __name__ == "__main__":
    main()
