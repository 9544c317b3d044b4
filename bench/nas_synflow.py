"""Synflow for all 15 625 NAS-Bench-201 architectures: compute, cache, validate, time.

Writes ``mohb_jax/data/nb201_synflow.npz`` (log expected synflow per dataset, float32
``[3, 15625]`` in the official NB201 index order, plus the SHA-256 of the int8 op codes it
was computed from) and prints the rank correlation with the published NAS-Bench-Suite-Zero
subset (724 archs per dataset) and the compute time on this machine. ``--full`` also scores
the subset with the full random-initialised network (slow: a real forward/backward pass per
architecture).

    nice -n 10 python bench/nas_synflow.py [--full N]
"""

import argparse
import gzip
import hashlib
import json
import os
import time
from pathlib import Path

import jax
import numpy as np
from scipy.stats import kendalltau, spearmanr

from mohb_jax._src.nas.synflow import expected_synflow, synflow_scores

DATA = Path(os.environ.get("MOHB_JAX_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
OUT = Path(__file__).resolve().parents[1] / "mohb_jax/data/nb201_synflow.npz"
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def subset(codes, ds):
    """(our arch indices, published synflow) of the NAS-Bench-Suite-Zero subset of ``ds``."""
    d = json.load(gzip.open(DATA / "nasbench201/zc_nasbench201_subset.json.gz"))[ds]
    lut = {tuple(r): i for i, r in enumerate(codes)}
    remap = {0: 1, 1: 0, 2: 3, 3: 2, 4: 4}
    idx, ref = [], []
    for k, v in d.items():
        t = [remap[int(c)] for c in k.strip("()").split(",")]
        ours = np.empty(6, int)
        ours[[0, 1, 3, 2, 4, 5]] = t
        idx.append(lut[tuple(ours)])
        ref.append(v["synflow"]["score"])
    return np.array(idx), np.array(ref)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", type=int, default=0, help="also score N subset archs (full net)")
    args = ap.parse_args()
    z = np.load(DATA / "nasbench201/nasbench201_dense.npz")
    codes = z["op_codes"].astype(np.int32)
    print("load:", os.getloadavg())
    cols = []
    for ds in DATASETS:
        t0 = time.perf_counter()
        s = expected_synflow(codes, ds)
        dt = time.perf_counter() - t0
        idx, ref = subset(codes, ds)
        rho, tau = spearmanr(s[idx], ref).statistic, kendalltau(s[idx], ref).statistic
        print(
            f"{ds}: 15625 archs in {dt:.1f} s (incl. compile); vs published subset "
            f"n={len(idx)} spearman {rho:.4f} kendall {tau:.4f} "
            f"median |dlog| {np.median(np.abs(s[idx] - ref)):.3f}"
        )
        cols.append(s)
        if args.full and ds == "cifar10":
            n = args.full
            synflow_scores(codes[idx[:8]], ds, chunk=8)  # compile
            t0 = time.perf_counter()
            sf = synflow_scores(codes[idx[:n]], ds, chunk=n)
            dt = time.perf_counter() - t0
            print(
                f"  full random-init network: {dt / n * 1e3:.0f} ms/arch "
                f"(~{dt / n * 15625 / 60:.0f} min for 15625); spearman vs published "
                f"{spearmanr(sf, ref[:n]).statistic:.4f}, vs expected "
                f"{spearmanr(sf, s[idx[:n]]).statistic:.4f}"
            )
    np.savez_compressed(
        OUT,
        log_synflow=np.stack(cols).astype(np.float32),
        datasets=np.array(DATASETS),
        op_codes_sha256=np.array(hashlib.sha256(codes.astype(np.int8).tobytes()).hexdigest()),
        method=np.array(
            "log of the expected synflow over PyTorch's default init (exact, channel-reduced "
            "BN-free NB201 network, float64), mohb_jax._src.nas.synflow.expected_synflow"
        ),
    )
    print("wrote", OUT, OUT.stat().st_size, "bytes; jax", jax.__version__)


if __name__ == "__main__":
    main()
