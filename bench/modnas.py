"""Benchmark of the table-driven analogue of MODNAS on NAS-Bench-201 × 19 devices.

For every device of MODNAS's split (13 search devices, 6 zero-shot devices) it scores, on the
device's TRUE CIFAR-10 test error and latency (NAS-Bench-201 + HELP latencies, real
measurements, no surrogate):

* the hypernetwork (variants ``mgd-linear``, ``mgd-chebyshev``, ablation ``mean-linear``),
  trained on the 13 search devices only, over ``--hn-seeds`` training seeds; 100 preference
  rays, zero evaluations on the device (only its latencies on the 10 reference cells);
* the predictor-enumeration ablation (all 15 625 cells through the predictors, predicted front);
* per-device searches with B true evaluations: random search, ε-net / crowding evolution
  (``mohb_jax.pareto.rung_rank``), the copula transfer searcher (source: the 13 search devices
  minus the target), over ``--seeds`` seeds;

HV fraction of the true front (min-max normalised over all 15 625 cells, reference (1, 1)),
IGD, IGD+; 95 % CIs over seeds (t for the hypernetwork, normal for the baselines); predictor
rank correlations; the time to a front for a new device vs one search. Writes
``bench/results_modnas.md`` and ``bench/modnas_hv.png``.

Usage::

    nice -n 10 python bench/modnas.py --hn-seeds 5 --seeds 100 --budget 100

References: Sukthanker et al., MODNAS, ICLR 2025; Dong & Yang, NAS-Bench-201, ICLR 2020;
Lee et al., HELP, NeurIPS 2021; Salinas, Shen & Perrone, ICML 2020 (copula transfer).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from scipy import stats

from mohb_jax import nas, tables, transfer
from mohb_jax._src.nas import modnas as M
from mohb_jax._src.nas import modnas_eval as E

HERE = Path(__file__).resolve().parent
SEARCH = nas.MODNAS_TRAIN_DEVICES + nas.MODNAS_VALID_DEVICES
UNSEEN = nas.MODNAS_TEST_DEVICES
DEVICES = SEARCH + UNSEEN
VARIANTS = {
    "mgd-linear": dict(combine="mgd", scalarization="linear"),
    "mgd-chebyshev": dict(combine="mgd", scalarization="chebyshev"),
    "mean-linear": dict(combine="mean", scalarization="linear"),
}


def ci(x, t_dist=False):
    x = np.asarray(x, float)
    n = len(x)
    if n < 2:
        return float(x.mean()), float("nan")
    q = stats.t.ppf(0.975, n - 1) if t_dist else 1.96
    return float(x.mean()), float(q * x.std(ddof=1) / np.sqrt(n))


def spearman(a, b):
    return float(stats.spearmanr(np.asarray(a), np.asarray(b))[0])


def kendall(a, b):
    return float(stats.kendalltau(np.asarray(a), np.asarray(b))[0])


def device_table(nb):
    """A Table with one task per device, objectives (error %, latency ms), for the copula."""
    lat = np.asarray(nb.latency_ms)[:, [nb.device_column(d) for d in DEVICES]]
    err = np.asarray(nb.error)
    values = np.stack([np.broadcast_to(err[:, None], lat.shape), lat], -1)  # [C, T, 2]
    values = values.transpose(1, 0, 2)[:, :, None, None, :]  # [T, C, 1, 1, 2]
    codes = np.asarray(nb.op_codes)
    configs = pd.DataFrame(
        {
            f"op{j}": pd.Categorical.from_codes(codes[:, j], categories=list(nas.OPS))
            for j in range(6)
        }
    )
    return tables.table_from_arrays(
        values,
        configs=configs,
        objectives={"error": "min", "latency": "min"},
        tasks=list(DEVICES),
        fidelities=[200.0],
        name="nb201_devices",
        metadata={"default_objectives": ["error", "latency"]},
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hn-seeds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--rays", type=int, default=100)
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    ap.add_argument(
        "--parts",
        nargs="*",
        default=["hn", "search", "copula"],
        help="hn: hypernetwork + predictors; search: random + evolution; copula: transfer",
    )
    ap.add_argument("--quick", action="store_true", help="few training steps (debugging only)")
    ap.add_argument("--out", default=str(HERE / "results_modnas.json"))
    args = ap.parse_args()
    load0 = os.getloadavg()
    nb = nas.load_nb201()  # cifar10, test accuracy: MODNAS's NB201 objective
    truths = {d: E.device_truth(nb.error, nb.latency(d)) for d in DEVICES}
    embs = {d: M.device_embedding(M.reference_latencies(nb, d)) for d in DEVICES}
    rows = []  # method, device, seed, hv, igd, igdp, n
    x_all = nas.one_hot(nb.op_codes)

    # ---- hypernetwork -------------------------------------------------------------------------
    pred_rows, fit_times = [], {}
    steps = dict(pred_steps=100, hnet_steps=100) if args.quick else {}
    methods = {v: M.modnas(**VARIANTS[v], **steps) for v in args.variants}
    m0 = next(iter(methods.values()))
    score = jax.jit(E.score_indices)
    for s in range(args.hn_seeds if "hn" in args.parts else 0):
        data = M.make_training_data(jax.random.key(1000 + s), nb)
        assert set(M.MODNAS_SEARCH_DEVICES) == set(data.devices)
        t0 = time.perf_counter()
        pred = jax.block_until_ready(m0.fit_predictors(jax.random.key(s), data))
        fit_times.setdefault("predictors", []).append(time.perf_counter() - t0)
        # predictor rank correlations
        z, _ = m0.predict(pred, x_all, embs[SEARCH[0]])
        held = np.setdiff1d(np.arange(nas.N_ARCHS), np.asarray(data.acc_index))
        err = np.asarray(nb.error)
        top = held[err[held] <= np.quantile(err, 0.1)]
        pr = {"seed": s, "acc_spearman_heldout": spearman(z[held], err[held])}
        pr["acc_kendall_heldout"] = kendall(z[held], err[held])
        pr["acc_spearman_top10pct"] = spearman(z[top], err[top])
        for i, d in enumerate(DEVICES):
            _, lat = m0.predict(pred, x_all, embs[d])
            true = np.asarray(nb.latency(d))
            if d in SEARCH:
                j = list(data.devices).index(d)
                h = np.setdiff1d(np.arange(nas.N_ARCHS), np.asarray(data.lat_index[j]))
                pr[f"lat_{d}"] = spearman(lat[h], true[h])
            else:
                pr[f"lat_{d}"] = spearman(lat, true)
        pred_rows.append(pr)
        for v, m in methods.items():
            t0 = time.perf_counter()
            hnet, info = m.fit_hypernetwork(jax.random.key(s), pred, data.embeddings)
            jax.block_until_ready(hnet)
            fit_times.setdefault(v, []).append(time.perf_counter() - t0)
            model = M.ModnasModel(pred, hnet)
            for d in DEVICES:
                f = m.front_for(model, embs[d], args.rays)
                sc = score(truths[d], nas.arch_index(nb, f.op_codes))
                rows.append((f"hypernet {v}", d, s, *map(float, sc[:3]), int(sc[3])))
        enum = jax.jit(lambda e, pred=pred: M.predicted_front_codes(m0, M.ModnasModel(pred, None), e, args.rays))
        for d in DEVICES:
            sc = score(truths[d], nas.arch_index(nb, enum(embs[d])))
            rows.append(("predictor enumeration", d, s, *map(float, sc[:3]), int(sc[3])))
        print(f"hypernetwork seed {s} done ({time.perf_counter() - t0:.1f} s last fit)", flush=True)

    # time to a front for a new device: embedding + one hypernetwork forward (jitted, warm)
    t_front = None
    if "hn" in args.parts:
        front = methods[args.variants[0]].front_for
        lat_ref = np.asarray(M.reference_latencies(nb, "raspi4"))
        jax.block_until_ready(front(model, M.device_embedding(lat_ref), args.rays))
        ts = []
        for _ in range(50):
            t0 = time.perf_counter()
            jax.block_until_ready(front(model, M.device_embedding(lat_ref), args.rays).op_codes)
            ts.append(time.perf_counter() - t0)
        t_front = float(np.median(ts))

    # ---- baselines ----------------------------------------------------------------------------
    B = args.budget
    budgets = [b for b in (10, 25, 50, 100, 200) if b <= B]
    keys = jax.random.split(jax.random.key(7), args.seeds)
    prefix_mask = jnp.arange(B)[None, :] < jnp.asarray(budgets)[:, None]  # [nb, B]

    def score_prefixes(truth, idx):
        return jax.vmap(lambda mk: score(truth, idx, mk))(prefix_mask)

    search_times = {}
    searches = {
        "random": jax.jit(jax.vmap(lambda k: E.random_search(k, B))),
    }
    for tb in ("epsnet", "crowding"):
        searches[f"evolution {tb}"] = jax.jit(
            jax.vmap(
                lambda k, y, tb=tb: E.evolutionary_search(
                    k, y, nb.op_codes, nb.code_to_index, B, tie_break=tb
                ),
                in_axes=(0, None),
            )
        )
    for name, fn in searches.items() if "search" in args.parts else ():
        for d in DEVICES:
            t0 = time.perf_counter()
            hist = fn(keys) if name == "random" else fn(keys, truths[d].y)
            hist = jax.block_until_ready(hist)
            search_times.setdefault(name, []).append((time.perf_counter() - t0) / args.seeds)
            sc = jax.vmap(lambda h, d=d: score_prefixes(truths[d], h))(hist)
            for si in range(args.seeds):
                for bi, b in enumerate(budgets):
                    rows.append(
                        (f"{name} B={b}", d, si, *(float(x[si, bi]) for x in sc[:3]), int(sc[3][si, bi]))
                    )
        print(f"{name} done", flush=True)
    if "copula" in args.parts:
        table = device_table(nb)
        for d in DEVICES:
            src = [x for x in SEARCH if x != d]
            t0 = time.perf_counter()
            fit = transfer.fit_source(
                table, d, source_tasks=src, key=jax.random.key(3), max_rows=30000, steps=300
            )
            srch = transfer.copula_searcher_for(table, fit)
            t_fit = time.perf_counter() - t0
            run = jax.jit(jax.vmap(lambda k, s=srch, d=d: E.run_searcher(k, s, truths[d].y, B)))
            t0 = time.perf_counter()
            hist = jax.block_until_ready(run(keys))
            search_times.setdefault("copula", []).append((time.perf_counter() - t0) / args.seeds)
            search_times.setdefault("copula fit", []).append(t_fit)
            sc = jax.vmap(lambda h, d=d: score_prefixes(truths[d], h))(hist)
            for si in range(args.seeds):
                for bi, b in enumerate(budgets):
                    rows.append(
                        (f"copula B={b}", d, si, *(float(x[si, bi]) for x in sc[:3]), int(sc[3][si, bi]))
                    )
            print(f"copula {d} done", flush=True)

    df = pd.DataFrame(rows, columns=["method", "device", "seed", "hv_frac", "igd", "igd_plus", "n"])
    out = {
        "rows": df.to_dict("list"),
        "predictors": pred_rows,
        "fit_times": fit_times,
        "search_times": search_times,
        "t_front": t_front,
        "load_before": load0,
        "load_after": os.getloadavg(),
        "args": vars(args),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        ).stdout.strip(),
    }
    Path(args.out).write_text(json.dumps(out))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
