"""Build the compact TrimTuner table that ships in ``mohb_jax/data`` from the release folder.

Usage (from the repository root)::

    python tools/make_trimtuner_table.py --data <DATA> --out mohb_jax/data

``<DATA>/cloud_tf_mnist/`` holds the converted TrimTuner release (``trimtuner_runs.csv.gz``:
one row per model × configuration × training-set size; ``meta.json``: AWS t2 prices). The
script keeps the columns the tables use (``RUN_COLUMNS`` of
``mohb_jax._src.tables.sources.trimtuner``), in file order and with the csv's dtypes, and
writes ``trimtuner_runs.parquet`` + ``trimtuner.json`` (prices and provenance: source file,
its size and sha256, this command, citation, licence). It then checks that the packaged files
and the release give identical tables for both models.

The data are TrimTuner's (Mendes, Casimiro, Romano, Garlan, MASCOTS 2020; MIT licence, notice
in ``mohb_jax/data/LICENSE-trimtuner``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from mohb_jax._src.tables.sources.trimtuner import (
    PACKAGED_STEM,
    load_trimtuner,
    read_release,
)

SOURCE_URL = "https://github.com/pedrogbmendes/TrimTuner"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(data: Path, out: Path, command: str) -> tuple[Path, Path]:
    """Write the packaged parquet + JSON into ``out``; returns their paths."""
    runs, meta = read_release(data)
    src = Path(data) / "cloud_tf_mnist" / "trimtuner_runs.csv.gz"
    out.mkdir(parents=True, exist_ok=True)
    pq, js = out / f"{PACKAGED_STEM}.parquet", out / "trimtuner.json"
    runs.reset_index(drop=True).to_parquet(pq, index=False, compression="zstd")
    sidecar = {
        "name": "trimtuner",
        "description": "TrimTuner: CNN and RNN on MNIST trained with distributed TensorFlow on "
        "AWS t2 instances (flavor x number of workers x learning rate x batch size x "
        "synchronism = 288 configs per model) at 5 training-set sizes; measured accuracy, "
        "training time, and dollar cost.",
        "price_per_hour_usd": meta["price_per_hour_usd"],
        "helper_vm_price_per_hour": meta["helper_vm_price_per_hour"],
        "vcpu": meta.get("vcpu"),
        "cost_formula": meta.get("cost_formula"),
        "columns": list(runs.columns),
        "n_rows": len(runs),
        "source": {
            "file": "cloud_tf_mnist/trimtuner_runs.csv.gz (converted from the TrimTuner release)",
            "bytes": src.stat().st_size,
            "sha256": _sha256(src),
            "url": SOURCE_URL,
        },
        "generated_by": command,
        "citation": "Mendes, Casimiro, Romano & Garlan, TrimTuner: Efficient optimization of "
        "machine learning jobs in the cloud via sub-sampling, MASCOTS 2020",
        "license": "MIT (c) 2020 TrimTuner; notice in LICENSE-trimtuner beside this file",
    }
    js.write_text(json.dumps(sidecar, indent=1) + "\n")
    return pq, js


def check(data: Path) -> None:
    """The packaged files and the release give the same tables (values, mask, configs)."""
    for model in ("cnn", "rnn"):
        a, b = load_trimtuner(model), load_trimtuner(model, data)
        if not (
            np.array_equal(a.values, b.values, equal_nan=True)
            and np.array_equal(a.mask, b.mask)
            and a.configs.equals(b.configs)
            and np.array_equal(a.hardware.price_per_hour, b.hardware.price_per_hour)
        ):
            raise SystemExit(f"packaged and release TrimTuner {model} tables differ")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="data directory holding cloud_tf_mnist/")
    ap.add_argument("--out", required=True, help="output folder (mohb_jax/data)")
    a = ap.parse_args(argv)
    cmd = "python tools/make_trimtuner_table.py --data <DATA> --out " + a.out
    pq, js = build(Path(a.data), Path(a.out), cmd)
    check(Path(a.data))
    print(f"wrote {pq} ({pq.stat().st_size} bytes) and {js}", file=sys.stderr)


if __name__ == "__main__":
    main()
