"""Sweep benchmark: throughput (seeds / s), memory, Syne Tune side by side, method quality.

Parts (``--parts``, default all):

* ``throughput``: ``epsnet`` MO-ASHA, 4 workers, budget 100 max-fidelity equivalents, on
  TrimTuner cnn and on the embedded table: compile time (first call minus a steady call of the
  same shape), device run time and host frame-building time for 1, 100, 1000 (, 10 000) seeds;
  peak RSS of the process.
* ``syne``: Syne Tune 0.16's own simulator (``/work/shared/tools/syne_tune_sim.py``, in
  ``.st-venv``) on the same table, budget and workers, a handful of seeds, run in the same
  session right after ours: seconds per seed and the ratio.
* ``cores``: every core. TrimTuner cnn, ``epsnet`` on (acc, cost), 4 workers, budget 100x:
  seeds / s of the compiled sweep on 1 CPU device and on one device per core (each in a fresh
  process: the device count is fixed when JAX starts; compile excluded, results frame
  excluded), interleaved round by round with Syne Tune's MOASHA (rank bug fixed) on one seed;
  prints the all-cores / 1-core speed-up and both ratios against Syne Tune, with the load.
* ``quality``: epsnet vs crowding vs scalarize vs single vs random on real tables: final HV,
  time- and cost-to-target speed-ups over random search with 95 % bootstrap CIs
  (see :mod:`mohb_jax._src.sim.metrics` for the definitions).

Usage::

    .venv/bin/python bench/sweep.py --parts throughput syne --seeds 1 100 1000
    .venv/bin/python bench/sweep.py --parts quality --quality-seeds 200 \\
        --tables trimtuner_cnn trimtuner_rnn nasbench201 embedded
    nice -n 10 .venv/bin/python bench/sweep.py --parts cores --cores-seeds 1000 \\
        --st-seeds 0 1 2 --st-python .st-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ST_PY = REPO / ".st-venv" / "bin" / "python"
ST_SIM = Path("/work/shared/tools/syne_tune_sim.py")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def throughput(table: str, seeds_list, *, chunk: int, objectives=None, modes=("map",)):
    """Seeds per second of the compiled sweep per batching mode, interleaved per seed count."""
    from mohb_jax.sim import make_sweep

    rows = []
    cache = {}
    for n in seeds_list:
        cs = min(chunk, 1 << int(np.ceil(np.log2(n))))
        for mode in modes:
            if (mode, cs) not in cache:
                sw = make_sweep(
                    table,
                    method="epsnet",
                    n_workers=4,
                    budget="100x",
                    objectives=objectives,
                    chunk_size=cs,
                    batch=mode,
                )
                warm = np.arange(10_000_000, 10_000_000 + cs)
                t0 = time.perf_counter()
                list(sw.run_chunks(warm, progress=False))
                first = time.perf_counter() - t0
                t0 = time.perf_counter()
                list(sw.run_chunks(warm + cs, progress=False))
                steady = time.perf_counter() - t0
                cache[(mode, cs)] = (sw, max(first - steady, 0.0))
            sw, compile_s = cache[(mode, cs)]
            seeds = np.arange(n)
            t0 = time.perf_counter()
            outs = list(sw.run_chunks(seeds, progress=False))
            run_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            n_rows = 0
            for chunk_seeds, out in outs:
                for i, s in enumerate(chunk_seeds):
                    one = type(out)(*(np.asarray(a)[i] for a in out))
                    n_rows += len(sw.sim.to_frame(one, seed=int(s)))
            frame_s = time.perf_counter() - t0
            rows.append(
                {
                    "table": table,
                    "mode": str(mode),
                    "seeds": n,
                    "chunk": cs,
                    "compile_s": compile_s,
                    "run_s": run_s,
                    "seeds_per_s": n / run_s,
                    "frame_s": frame_s,
                    "results": n_rows,
                    "J": sw.sim.max_jobs,
                    "N": sw.sim.max_trials,
                    "budget_s": sw.budget,
                    "peak_rss_mb": peak_rss_mb(),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def end_to_end(table: str, n: int, batch: str = "auto") -> dict:
    """Wall time of ``simulate(table, seeds=n)`` in a fresh process: compile + run + frame."""
    code = (
        "import time, json; t0 = time.perf_counter()\n"
        # VmHWM is this process's own peak (ru_maxrss would inherit the parent's across exec)
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "import mohb_jax\n"
        f"df = mohb_jax.simulate({table!r}, method='epsnet', seeds={n}, n_workers=4, "
        f"budget='100x', batch={batch!r}, progress=False)\n"
        "m = df.attrs['mohb_jax']\n"
        "print(json.dumps({'wall_s': time.perf_counter() - t0, 'rows': len(df), "
        "'compile_s': m['compile_seconds'], 'run_s': m['run_seconds'], "
        "'peak_rss_mb': peak()}))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr[-2000:])
        return {}
    res = {"table": table, "seeds": n, "batch": batch, **json.loads(r.stdout.splitlines()[-1])}
    print(json.dumps(res), flush=True)
    return res


CORES_WORKER = """
import json, sys, time
from mohb_jax.sim import make_sweep, use_cpu_cores
n_dev, n_seeds, chunk = (int(a) for a in sys.argv[1:4])
use_cpu_cores(n_dev)
import jax, numpy as np
sw = make_sweep("trimtuner_cnn", method="epsnet", n_workers=4, budget="100x",
                objectives=["acc", "cost_usd"], chunk_size=chunk)
cs = sw.effective_chunk(n_seeds)
list(sw.run_chunks(np.arange(10_000_000, 10_000_000 + cs), progress=False))  # compile + warm
t0, c0 = time.perf_counter(), time.process_time()
n_jobs = sum(int(o.n_jobs.sum()) for _, o in sw.run_chunks(np.arange(n_seeds), progress=False))
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"devices": len(sw.devices), "seeds": n_seeds, "chunk": cs, "run_s": wall,
                  "cpu_s": cpu, "seeds_per_s": n_seeds / wall, "jobs": n_jobs,
                  "us_per_job": wall / n_jobs * 1e6, "compile_s": sw.compile_seconds}))
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in __import__("os").getloadavg())


def ours_on_cores(n_dev: int, n_seeds: int, chunk: int) -> dict:
    """Seeds / s of the TrimTuner cnn sweep on ``n_dev`` CPU devices, in a fresh process."""
    r = subprocess.run(
        [sys.executable, "-c", CORES_WORKER, str(n_dev), str(n_seeds), str(chunk)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-3000:])
    return json.loads(r.stdout.splitlines()[-1])


def cores(st_seeds, *, n_seeds: int, chunk: int, n_cores: int | None = None) -> dict:
    """1 CPU device vs one per core, interleaved with Syne Tune's MOASHA, round by round."""
    from mohb_jax._src.sim.sweep import _available_cores

    n_all = n_cores or _available_cores()
    rows, ratios = [], {"one": [], "all": [], "all_vs_one": []}
    for i, st in enumerate(st_seeds):
        order = (1, n_all) if i % 2 == 0 else (n_all, 1)
        got = {}
        for n in order:
            la = load()
            got[n] = {**ours_on_cores(n, n_seeds, chunk), "load_before": la, "load_after": load()}
            print(json.dumps({"round": i, **got[n]}), flush=True)
        la = load()
        st_res = syne_tune([st], schedulers=("moasha2fix",))
        theirs = 1.0 / st_res[0]["run_s_median"] if st_res else float("nan")
        row = {
            "round": i,
            "st_seed": st,
            "ours_1_core": got[1]["seeds_per_s"],
            f"ours_{n_all}_cores": got[n_all]["seeds_per_s"],
            "syne_tune_moasha": theirs,
            "ratio_1_core": got[1]["seeds_per_s"] / theirs,
            "ratio_all_cores": got[n_all]["seeds_per_s"] / theirs,
            "all_vs_one": got[n_all]["seeds_per_s"] / got[1]["seeds_per_s"],
            "load_st": la,
        }
        rows.append(row)
        ratios["one"].append(row["ratio_1_core"])
        ratios["all"].append(row["ratio_all_cores"])
        ratios["all_vs_one"].append(row["all_vs_one"])
        print(json.dumps(row), flush=True)
    summary = {k: float(np.median(v)) for k, v in ratios.items()}
    print(
        f"median over {len(rows)} rounds: ours 1 core / Syne Tune MOASHA {summary['one']:.0f}x, "
        f"ours {n_all} cores / Syne Tune MOASHA {summary['all']:.0f}x, "
        f"{n_all} cores / 1 core {summary['all_vs_one']:.2f}x (load now {load()})",
        flush=True,
    )
    return {"rows": rows, "median": summary}


def syne_tune(seeds, schedulers=("moasha2fix", "asha"), timeout=600) -> list[dict]:
    if not ST_PY.exists():
        print(f"(no {ST_PY}: skip Syne Tune; see /work/shared/tools/README.md)")
        return []
    with tempfile.TemporaryDirectory() as d:
        cmd = [
            str(ST_PY),
            str(ST_SIM),
            "--seeds",
            *map(str, seeds),
            "--schedulers",
            *schedulers,
            "--variants",
            "index",
            "--lean",
            "1",
            "--out",
            d,
            "--timeout",
            str(timeout),
        ]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            print(r.stderr[-3000:])
            return []
        summ = json.loads((Path(d) / "summary.json").read_text())["summary"]
    out = []
    for g in summ:
        out.append(
            {
                "scheduler": g["scheduler"],
                "seeds": g["n_seeds"],
                "run_s_median": g["run_s"]["median"],
                "run_s_min": g["run_s"]["min"],
                "run_s_max": g["run_s"]["max"],
                "results_median": g["n_results"]["median"],
                "rss_mb": g["rss_peak_mb"]["median"],
                "budget_sim_s": g["budget_sim_s"],
            }
        )
        print(json.dumps(out[-1]), flush=True)
    print(f"(Syne Tune driver wall {wall:.0f} s)")
    return out


def side_by_side(st_seeds, *, chunk: int = 256, schedulers=("moasha2fix", "asha")) -> dict:
    """Ours and Syne Tune interleaved round by round on TrimTuner cnn (ratios robust to load).

    Round i: ours on ``chunk`` fresh seeds (compiled beforehand), then Syne Tune's simulator on
    seed ``st_seeds[i]`` for each scheduler (one fresh process each; its run time excludes its
    imports). Same table, budget, workers and objectives (error + cost).
    """
    from mohb_jax.sim import make_sweep

    sw = make_sweep(
        "trimtuner_cnn",
        method="epsnet",
        n_workers=4,
        budget="100x",
        objectives=["acc", "cost_usd"],
        chunk_size=chunk,
    )
    list(sw.run_chunks(np.arange(10_000_000, 10_000_000 + chunk), progress=False))  # compile
    ours, theirs = [], {}
    for i, st in enumerate(st_seeds):
        t0 = time.perf_counter()
        list(sw.run_chunks(np.arange(i * chunk, (i + 1) * chunk), progress=False))
        ours.append(chunk / (time.perf_counter() - t0))
        for r in syne_tune([st], schedulers=schedulers):
            theirs.setdefault(r["scheduler"], []).append(1.0 / r["run_s_median"])
        print(
            f"round {i}: ours {ours[-1]:.1f} seeds/s; "
            + ", ".join(f"{k} {v[-1]:.3f} seeds/s" for k, v in theirs.items()),
            flush=True,
        )
    res = {"ours_seeds_per_s": ours, "syne_tune_seeds_per_s": theirs, "ratio_median": {}}
    for k, v in theirs.items():
        ratios = [a / b for a, b in zip(ours, v, strict=False)]
        res["ratio_median"][k] = float(np.median(ratios))
        print(
            f"ours / Syne Tune {k}: per round {[round(r) for r in ratios]}, "
            f"median {np.median(ratios):.0f}x",
            flush=True,
        )
    return res


QUALITY_METHODS = ("epsnet", "crowding", "scalarize", "single", "random")


def quality(
    table: str,
    n_seeds: int,
    *,
    chunk: int,
    budget: str = "100x",
    objectives=None,
    out_dir: Path | None = None,
) -> dict:
    from mohb_jax import metrics
    from mohb_jax.sim import compare, save_results

    t0 = time.perf_counter()
    df = compare(
        table,
        methods=QUALITY_METHODS,
        seeds=n_seeds,
        n_workers=4,
        budget=budget,
        objectives=objectives,
        chunk_size=chunk,
        progress=False,
    )
    sim_s = time.perf_counter() - t0
    if out_dir is not None:
        save_results(df, out_dir / f"quality_{table}")
    tr = metrics.hypervolume_traces(df)
    fin = metrics.final_hypervolume(tr).groupby("method", sort=False)["hv"]
    res = {
        "table": table,
        "seeds": n_seeds,
        "sim_s": sim_s,
        "objectives": df.attrs["mohb_jax"]["objectives"],
        "reference_point": df.attrs["mohb_jax"]["reference_point"],
        "budget_s": df.attrs["mohb_jax"]["budget"],
        "final_hv": {m: [float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))] for m, v in fin},
    }
    for x in ("time", "cost"):
        if x == "cost" and not df["cost"].notna().all():
            continue
        sp = metrics.speedups(tr, baseline="random", x=x, n_boot=1000)
        res[f"speedup_{x}"] = sp.to_dict("records")
        print(table, x, "\n", sp.to_string(index=False), flush=True)
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from mohb_jax.sim import plot_hypervolume

        xs = ["time"] + (["cost"] if "speedup_cost" in res else [])
        fig, axs = plt.subplots(1, len(xs), figsize=(6.2 * len(xs), 4.3), dpi=110, squeeze=False)
        for ax, x in zip(axs[0], xs, strict=True):
            plot_hypervolume(
                metrics.aggregate_curves(tr, x=x, n_grid=150),
                x=x,
                ax=ax,
                title=f"{table}: {n_seeds} seeds, 4 workers, {budget}",
            )
        fig.tight_layout()
        fig.savefig(out_dir / f"quality_{table}.png")
        plt.close(fig)
    print(json.dumps({k: v for k, v in res.items() if not k.startswith("speedup")}), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", nargs="+", default=["throughput", "e2e", "syne", "quality"])
    ap.add_argument("--modes", nargs="+", default=["map", "vmap"])
    ap.add_argument("--e2e-seeds", type=int, default=1000)
    ap.add_argument("--tables", nargs="+", default=["trimtuner_cnn", "embedded"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 100, 1000])
    ap.add_argument("--chunk", type=int, default=256)
    ap.add_argument("--st-seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--quality-seeds", type=int, default=200)
    ap.add_argument(
        "--quality-tables", nargs="+", default=["trimtuner_cnn", "trimtuner_rnn", "embedded"]
    )
    ap.add_argument("--out", default=str(REPO / "bench" / "out_sweep"))
    ap.add_argument("--cores-seeds", type=int, default=1000, help="seeds per run of 'cores'")
    ap.add_argument("--cores", type=int, default=None, help="'cores': devices of the all-core run")
    ap.add_argument("--st-python", default=None, help="Python of the Syne Tune venv")
    args = ap.parse_args()
    if args.st_python is not None:
        global ST_PY
        ST_PY = Path(args.st_python)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import jax

    print(
        f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; jax {jax.__version__}; "
        f"devices {jax.devices()}; argv {' '.join(sys.argv)}",
        flush=True,
    )
    allres = {}
    if "throughput" in args.parts:
        allres["throughput"] = []
        for t in args.tables:
            try:
                modes = [int(m) if m.isdigit() else m for m in args.modes]
                allres["throughput"] += throughput(t, args.seeds, chunk=args.chunk, modes=modes)
            except Exception as e:  # a table may be missing (e.g. embedded not shipped yet)
                print(f"throughput {t}: skipped: {e!r}", flush=True)
    if "e2e" in args.parts:
        allres["e2e"] = [end_to_end("embedded", args.e2e_seeds)]
    if "interleaved" in args.parts:
        allres["interleaved"] = side_by_side(args.st_seeds, chunk=args.chunk)
    if "cores" in args.parts:
        allres["cores"] = cores(
            args.st_seeds, n_seeds=args.cores_seeds, chunk=args.chunk, n_cores=args.cores
        )
    if "syne" in args.parts:
        # ours on the same setting as the Syne Tune tool: TrimTuner cnn, objectives error +
        # cost (its moasha2), 4 workers, 100 x mean T(60k) / 4 simulated seconds
        allres["ours_st_setting"] = throughput(
            "trimtuner_cnn", [len(args.st_seeds), 256], chunk=256, objectives=["acc", "cost_usd"]
        )
        allres["syne_tune"] = syne_tune(args.st_seeds)
    if "quality" in args.parts:
        allres["quality"] = []
        for t in args.quality_tables:
            try:
                allres["quality"].append(
                    quality(t, args.quality_seeds, chunk=args.chunk, out_dir=out)
                )
            except Exception as e:
                print(f"quality {t}: skipped: {e!r}", flush=True)
    (out / f"sweep_{'_'.join(args.parts)}.json").write_text(
        json.dumps(allres, indent=1, default=str)
    )


if __name__ == "__main__":
    main()
