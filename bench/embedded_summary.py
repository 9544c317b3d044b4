"""Summary of the embedded table (best error per task, epoch times per hardware, 2/1 ratio).

Run: ``.venv/bin/python bench/embedded_summary.py`` (reads the table shipped in the package).
Not a benchmark of mohb_jax code: it reports what the generation run measured.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from mohb_jax._src.tables.sources.embedded import default_paths


def main() -> None:
    pq, js = default_paths()
    long = pd.read_parquet(pq)
    meta = json.loads(js.read_text())
    print(
        f"file: {pq.name} {pq.stat().st_size / 2**20:.2f} MiB, {js.name} "
        f"{js.stat().st_size / 2**10:.0f} KiB, {len(long)} rows"
    )
    print(
        f"generated: {meta['started_utc']}, wall {meta['wall_s']:.0f} s, "
        f"command: {meta['generated_by']}"
    )
    last = long[long["epoch"] == long["epoch"].max()]
    mean_last = last.groupby(["task", "config_id"], observed=True)["val_error"].mean()
    print("\nbest seed-mean final validation error per task (and median over configs):")
    for task, g in mean_last.groupby(level=0, observed=True):
        print(f"  {task:>14s}: best {g.min():.4f}  median {g.median():.4f}")
    print("\nper-epoch training time (s) per hardware setting:")
    q = long.groupby("n_threads")["epoch_time_s"].quantile([0.1, 0.5, 0.9]).unstack()
    print(q.to_string(float_format=lambda v: f"{v:.5f}"))
    piv = long.pivot_table(
        index=["task", "hp_id", "seed", "epoch"], columns="n_threads", values="epoch_time_s"
    )
    r = piv[2] / piv[1]
    print("\nratio epoch_time(2 threads) / epoch_time(1 thread), same task/config/seed/epoch:")
    print(f"  median {r.median():.3f}  IQR [{r.quantile(0.25):.3f}, {r.quantile(0.75):.3f}]")
    piv_c = long.pivot_table(
        index=["task", "hp_id", "seed", "epoch"], columns="n_threads", values="epoch_cpu_s"
    )
    rc = piv_c[2] / piv_c[1]
    print(f"  CPU time (all threads) ratio: median {rc.median():.3f}")
    for nt in (1, 2):
        w = long.loc[long["n_threads"] == nt, ["epoch_cpu_s", "epoch_time_s"]]
        print(
            f"  {nt} thread(s): median CPU/wall per epoch "
            f"{np.median(w['epoch_cpu_s'] / w['epoch_time_s']):.3f}"
        )
    tot = long[long["epoch"] == long["epoch"].max()]
    tt = tot.pivot_table(index=["task", "hp_id", "seed"], columns="n_threads", values="time_s")
    print(f"  whole runs (27 epochs): median {np.median(tt[2] / tt[1]):.3f}")
    by_w = tt.join(long.drop_duplicates("hp_id").set_index("hp_id")["hidden_width"], on="hp_id")
    for w, g in by_w.groupby("hidden_width"):
        print(f"    hidden_width {w:4d}: median run-time ratio {np.median(g[2] / g[1]):.3f}")
    c = tot.groupby("n_threads")["cost_usd"].median()
    print(
        "\nmedian cost of a 27-epoch run (USD): "
        + ", ".join(f"{k} thread(s) {v:.2e}" for k, v in c.items())
    )
    e = long.pivot_table(
        index=["task", "hp_id", "seed", "epoch"], columns="n_threads", values="val_error"
    )
    print(f"fraction of identical val_error between settings: {np.mean(e[1] == e[2]):.4f}")
    print(
        f"\nloadavg_1m at run starts: median {long['loadavg_1m'].median():.2f}, "
        f"range [{long['loadavg_1m'].min():.2f}, {long['loadavg_1m'].max():.2f}]"
    )
    for b in meta["blocks"]:
        print(
            f"  block {b['task']:>14s} {b['n_threads']} thr: wall {b['wall_s']:.0f} s, "
            f"compile+warm-up {b['compile_and_warmup_s']:.0f} s, "
            f"load before {b['loadavg_before'][0]:.1f} after {b['loadavg_after'][0]:.1f}"
        )


if __name__ == "__main__":
    main()
