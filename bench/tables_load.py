"""Load times of every registered table: cold (convert from source), warm (from the cache), and
the raw read of the source files (np.load of every array / pandas read_csv, no conversion) as
the anchor, interleaved in one process, median of ``--repeats`` rounds.

    .venv/bin/python bench/tables_load.py [--repeats 5] [--only name1,name2]

Writes nothing into the repo; prints a markdown table with ratios (cold / raw, warm / raw).
The cache goes to a fresh temporary directory (``MOHB_JAX_CACHE``).
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


def raw_read(folder: Path) -> None:
    """Read every source file of a table folder without converting anything."""
    for f in sorted(folder.rglob("*")):
        if f.suffix == ".npz":
            with np.load(f, allow_pickle=False) as z:
                for k in z.files:
                    z[k]
        elif f.name.endswith(".csv.gz") or f.suffix == ".csv":
            pd.read_csv(f)
        elif f.suffix == ".parquet":
            pd.read_parquet(f)
        elif f.suffix == ".npy":
            np.load(f, allow_pickle=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    os.environ["MOHB_JAX_CACHE"] = tempfile.mkdtemp(prefix="mohb_jax_bench_cache_")
    from mohb_jax import tables
    from mohb_jax._src.tables.registry import get_benchmark_spec, resolve_data_dir

    names = list(tables.list_benchmarks().name)
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    rows = []
    for name in names:
        spec = get_benchmark_spec(name)
        try:
            root = resolve_data_dir(spec, None)
        except FileNotFoundError:
            print(f"skip {name}: no data")
            continue
        tables.load_benchmark(name)  # fill the cache (and warm the imports)
        folder = root / spec.data_folder if spec.data_folder and root else None
        cold, warm, raw = [], [], []
        for _ in range(args.repeats):  # interleaved
            if folder is not None:
                t0 = time.perf_counter()
                raw_read(folder)
                raw.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            t = tables.load_benchmark(name, cache=False)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            tables.load_benchmark(name)
            warm.append(time.perf_counter() - t0)
        c, w = statistics.median(cold), statistics.median(warm)
        r = statistics.median(raw) if raw else float("nan")
        rows.append(
            {
                "table": name,
                "shape [T,C,S,F,M]": "×".join(map(str, t.values.shape)),
                "raw read s": r,
                "cold s": c,
                "warm s": w,
                "cold/raw": c / r,
                "warm/raw": w / r,
                "cold/warm": c / w,
            }
        )
        print(rows[-1], flush=True)
    shutil.rmtree(os.environ["MOHB_JAX_CACHE"], ignore_errors=True)
    print()
    print(markdown(rows))


def markdown(rows: list[dict]) -> str:
    """A markdown table (3 significant digits for floats)."""
    if not rows:
        return "(no tables)"
    cols = list(rows[0])
    fmt = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
