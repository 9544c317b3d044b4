"""Load times of every registered table: cold (convert from source), warm (from the cache), and
the raw read of the source files (np.load of every array / pandas read_csv, no conversion) as
the anchor, interleaved in one process, median of ``--repeats`` rounds.

    .venv/bin/python bench/tables_load.py [--repeats 5] [--only name1,name2]
    .venv/bin/python bench/tables_load.py --packaged [--repeats 5]

Writes nothing into the repo; prints a markdown table with ratios (cold / raw, warm / raw).
The cache goes to a fresh temporary directory (``MOHB_JAX_CACHE``).

``--packaged``: the TrimTuner cnn table that ships in the package: in-process cold (convert
from the packaged parquet, no cache) and warm (cache hit) against converting the release csv
(the competitor, same run), the same in fresh processes (imports included), and the sizes on
disk (packaged files, release csv, cache entry).
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


def _fresh_process(code: str) -> float:
    import subprocess
    import sys

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())
    return time.perf_counter() - t0


def packaged(repeats: int) -> None:
    """Cold / warm load of the packaged trimtuner_cnn vs the release csv; sizes on disk."""
    from mohb_jax import tables
    from mohb_jax._src.tables.registry import default_data_dir
    from mohb_jax._src.tables.sources import trimtuner as tt

    data = default_data_dir()
    tables.load_benchmark("trimtuner_cnn")  # warm the imports, fill the cache
    load = "from mohb_jax import tables; tables.load_benchmark('trimtuner_cnn')"
    cold, warm, release, p_cold, p_warm = [], [], [], [], []
    for _ in range(repeats):  # interleaved
        t0 = time.perf_counter()
        tables.load_benchmark("trimtuner_cnn", cache=False)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tables.load_benchmark("trimtuner_cnn")
        warm.append(time.perf_counter() - t0)
        if data is not None:
            t0 = time.perf_counter()
            tt.load_trimtuner("cnn", data)
            release.append(time.perf_counter() - t0)
        tables.clear_cache("trimtuner_cnn")
        p_cold.append(_fresh_process(load))  # empty cache: convert, then write the entry
        p_warm.append(_fresh_process(load))  # the entry just written
    med = statistics.median
    rel = med(release) if release else float("nan")
    pq, js = tt.packaged_paths()
    entry = tables.cache_info(check_current=False)
    rows = [
        {"what": "in-process cold (packaged parquet -> Table, no cache)", "s": med(cold),
         "vs release csv": med(cold) / rel},
        {"what": "in-process warm (cache hit)", "s": med(warm), "vs release csv": med(warm) / rel},
        {"what": "in-process release csv -> Table (competitor)", "s": rel, "vs release csv": 1.0},
        {"what": "fresh process, empty cache (imports + convert + write)", "s": med(p_cold),
         "vs release csv": float("nan")},
        {"what": "fresh process, warm cache (imports + read)", "s": med(p_warm),
         "vs release csv": float("nan")},
    ]  # fmt: skip
    print(markdown(rows))
    sizes = {
        "packaged trimtuner_runs.parquet (cnn + rnn)": pq.stat().st_size,
        "packaged trimtuner.json + LICENSE-trimtuner": js.stat().st_size
        + (pq.parent / "LICENSE-trimtuner").stat().st_size,
        "cache entry of trimtuner_cnn": int(entry["bytes"].sum()),
    }
    if data is not None:
        sizes["release trimtuner_runs.csv.gz"] = (
            (data / "cloud_tf_mnist" / "trimtuner_runs.csv.gz").stat().st_size
        )
    print()
    print("\n".join(f"- {k}: {v / 1024:.0f} KiB" for k, v in sizes.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--packaged", action="store_true", help="the packaged trimtuner_cnn only")
    args = ap.parse_args()
    os.environ["MOHB_JAX_CACHE"] = tempfile.mkdtemp(prefix="mohb_jax_bench_cache_")
    if args.packaged:
        packaged(args.repeats)
        shutil.rmtree(os.environ["MOHB_JAX_CACHE"], ignore_errors=True)
        return
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
