"""Cold / warm load times of the LCDB, ICML-2020, NMT and LCBench-surrogate tables.

For each benchmark, interleaved in one process and repeated:
  raw   : just reading the source files (np.load of every array / pd.read_csv) — the anchor;
  conv  : load_benchmark(name, cache=False) — the full conversion;
  cold  : load_benchmark(name) into an empty cache dir (conversion + cache write);
  warm  : load_benchmark(name) again (cache hit).
Prints medians (s) and the ratios conv/raw, cold/raw, warm/raw, warm/conv.

    .venv/bin/python bench/bench_tables_more.py [--repeats 3] [--names lcdb nmt ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mohb_jax._src.tables.registry import default_data_dir, load_benchmark

RAW = {
    "lcdb": ["lcdb/lcdb_accuracy.npz", "lcdb/datasets.csv.gz"],
    "icml2020_deepar": ["icml2020_transfer/deepar.csv.gz"],
    "icml2020_xgboost": ["icml2020_transfer/xgboost.csv.gz"],
    "nmt": ["nmt_hpo/nmthpo.csv.gz"],
    "nmt_lc": ["nmt_hpo/nmtlc_runs.csv.gz", "nmt_hpo/nmtlc_curves.csv.gz"],
    "lcbench_surrogate": ["lcbench_surrogate/lcbench_surrogate.npz"],
}


def read_raw(root: Path, name: str) -> None:
    for f in RAW[name]:
        p = root / f
        if p.suffix == ".npz":
            with np.load(p) as z:
                for k in z.files:
                    z[k]
        else:
            pd.read_csv(p)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--names", nargs="*", default=list(RAW))
    args = ap.parse_args()
    root = default_data_dir()
    if root is None:
        raise SystemExit("needs ../shared/data or $MOHB_JAX_DATA")
    times = {n: {"raw": [], "conv": [], "cold": [], "warm": []} for n in args.names}
    shapes = {}
    for _ in range(args.repeats):
        for name in args.names:  # interleaved: every variant of every table in each round
            cache = tempfile.mkdtemp(prefix="mohb_bench_cache_")
            os.environ["MOHB_JAX_CACHE"] = cache
            try:
                times[name]["raw"].append(timed(lambda n=name: read_raw(root, n)))
                times[name]["conv"].append(
                    timed(lambda n=name: load_benchmark(n, root, cache=False))
                )
                times[name]["cold"].append(timed(lambda n=name: load_benchmark(n, root)))
                times[name]["warm"].append(timed(lambda n=name: load_benchmark(n, root)))
                t = load_benchmark(name, root)
                shapes[name] = (t.values.shape, t.values.nbytes / 1e6, float(t.mask.mean()))
            finally:
                shutil.rmtree(cache, ignore_errors=True)
    print(
        f"{'benchmark':18s} {'raw s':>7s} {'conv s':>7s} {'cold s':>7s} {'warm s':>7s} "
        f"{'conv/raw':>8s} {'cold/raw':>8s} {'warm/raw':>8s} {'warm/conv':>9s}"
    )
    for name, t in times.items():
        m = {k: statistics.median(v) for k, v in t.items()}
        print(
            f"{name:18s} {m['raw']:7.3f} {m['conv']:7.3f} {m['cold']:7.3f} {m['warm']:7.3f} "
            f"{m['conv'] / m['raw']:8.2f} {m['cold'] / m['raw']:8.2f} "
            f"{m['warm'] / m['raw']:8.2f} {m['warm'] / m['conv']:9.2f}"
        )
    print()
    for name, (shape, mb, fill) in shapes.items():
        print(f"{name:18s} values {shape} {mb:.1f} MB, valid fraction {fill:.3f}")


if __name__ == "__main__":
    main()
