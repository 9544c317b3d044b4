"""Generator of the embedded table (real MLP training runs) that ships in ``mohb_jax/data``.

The table is what ``mohb-jax sweep`` runs on when no data are given, on a fresh machine with no
download. It is **measured, not simulated**: every row is one epoch of a real training run of a
small multi-layer perceptron written in JAX + optax, on a classification dataset that
scikit-learn ships inside its wheel (so no download is ever needed), under one of two real
execution settings ("hardware"): the training process pinned to 1 CPU core with XLA's
multi-threaded Eigen kernels off, or pinned to 2 cores with XLA's defaults. Each setting is
priced per vCPU-hour with a public cloud on-demand price, so that ``cost_usd = time_s ×
price_per_hour / 3600`` as in Salinas et al. (2021).

This script is the generator; the package only reads its output
(``mohb_jax._src.tables.sources.embedded.load_embedded``, benchmark ``"embedded"``).
:func:`generate` (``python tools/make_embedded_table.py --out mohb_jax/data``; needs the
``data`` extra, i.e. scikit-learn) re-runs the training and rewrites the files. Each (task,
hardware) block runs in its own subprocess, pinned with ``os.sched_setaffinity`` and with its
``XLA_FLAGS`` set before JAX starts; blocks for the two settings are interleaved so that slow
drifts of the machine's load hit both alike.

Timing protocol: every (config, seed) run is trained by itself (no vmap over seeds or configs).
An epoch is a numpy shuffle of the training rows (seeded by (seed, epoch), so identical under
both settings) and one jitted call that loops over the mini-batches with AdamW updates; the
call is compiled ahead of time and warmed up once per shape before any timed call.
``epoch_time_s`` is the wall clock of shuffle + call up to ``block_until_ready`` (dispatch
included; compilation and the validation pass excluded); ``time_s`` is its cumulative sum over
epochs; ``epoch_cpu_s`` is the process CPU time (all threads) of the same span. To keep
compilation affordable, every task is zero-padded to common array shapes (input
features, masked extra classes, unused rows), so one compiled program per (width, depth, batch)
serves all tasks through JAX's persistent compilation cache; the loop still runs
``n_train // batch`` steps of the task's own rows. The machine the shipped table was made on was
shared with other jobs; the 1-minute load average at the start of each run is stored
(``loadavg_1m``) so that readers can judge the noise.

References:
    Salinas, Perrone, Cruchant, Archambeau. "A multi-objective perspective on jointly tuning
    hardware and hyperparameters." arXiv:2106.05680 (2021).
    Pedregosa et al. "Scikit-learn: Machine Learning in Python." JMLR 12 (2011): the bundled
    datasets below.
    Alpaydin & Kaynak (1998), UCI "Optical Recognition of Handwritten Digits" (``load_digits``);
    Wolberg, Street, Mangasarian (1995), UCI "Breast Cancer Wisconsin (Diagnostic)"
    (``load_breast_cancer``); Aeberhard & Forina (1991), UCI "Wine" (``load_wine``);
    Fisher (1936), UCI "Iris" (``load_iris``).
    Loshchilov & Hutter. "Decoupled Weight Decay Regularization." ICLR 2019 (AdamW).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mohb_jax._src.tables.sources.embedded import (
    DEFAULT_OBJECTIVES,
    DIRECTIONS,
    FILE_STEM,
    HP_COLUMNS,
    LONG_COLUMNS,
    NAME,
    OBJECTIVES,
    TASKS,
)

SKLEARN_LOADERS = {
    "digits": "load_digits",
    "breast_cancer": "load_breast_cancer",
    "wine": "load_wine",
    "iris": "load_iris",
}


DATASET_CITATIONS = {
    "digits": "Alpaydin & Kaynak (1998), UCI Optical Recognition of Handwritten Digits "
    "(8x8 version shipped by scikit-learn as load_digits)",
    "breast_cancer": "Wolberg, Street & Mangasarian (1995), UCI Breast Cancer Wisconsin "
    "(Diagnostic) (scikit-learn load_breast_cancer)",
    "wine": "Aeberhard & Forina (1991), UCI Wine (scikit-learn load_wine)",
    "iris": "Fisher (1936), UCI Iris (scikit-learn load_iris)",
}


VALIDATION_FRACTION = 0.3


#: The search space (the same fixed sample of configurations is used on every task).
HP_SPACE: dict[str, dict[str, Any]] = {
    "learning_rate": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
    "hidden_width": {"type": "choice", "values": [32, 128, 512]},
    "n_layers": {"type": "choice", "values": [1, 2, 3]},
    "batch_size": {"type": "choice", "values": [32, 128, 512]},
    "weight_decay": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
    "beta1": {"type": "float", "low": 0.5, "high": 0.99, "log": False},
}
if tuple(HP_SPACE) != HP_COLUMNS:  # the loader's columns are this space's names
    raise RuntimeError(f"HP_SPACE {tuple(HP_SPACE)} != the loader's HP_COLUMNS {HP_COLUMNS}")


#: Execution settings ("hardware"). Prices: AWS EC2 on-demand, Linux, us-east-1, m7g family
#: (Graviton3), as listed in June 2026: m7g.large (2 vCPU) $0.0816/h; m7g.medium (1 vCPU) is half
#: of that, $0.0408/h (EC2 prices are linear in size within a family).
PRICE_SOURCE = (
    "AWS EC2 On-Demand, Linux, us-east-1, June 2026: m7g.large (2 vCPU) $0.0816/h, as quoted in "
    "'Amazon EC2 On-Demand Pricing: Instance Families, Regional Multipliers, and the Graviton "
    "Crossover (2026)', factualminds.com, 2026-06-17; m7g.medium (1 vCPU) taken as half of it, "
    "$0.0408/h. Used as a per-vCPU-hour price: the runs were NOT made on AWS (see machine)."
)


HARDWARE: dict[int, dict[str, Any]] = {
    1: {
        "instance": "m7g.medium",
        "n_vcpu": 1,
        "price_per_hour": 0.0408,
        "cpus": [0],
        # The effective controls are the CPU affinity and --xla_cpu_multi_thread_eigen=false.
        # "intra_op_parallelism_threads=1" (a widely quoted recipe) is not an XLA flag: XLA
        # 0.10.2 silently ignores a token without "--" after the first one. Kept because the
        # shipped table was generated with exactly this string (recorded in its sidecar).
        "xla_flags": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    },
    2: {
        "instance": "m7g.large",
        "n_vcpu": 2,
        "price_per_hour": 0.0816,
        "cpus": [0, 1],
        "xla_flags": "",
    },
}


def sample_configs(n: int, seed: int = 0) -> pd.DataFrame:
    """The fixed sample of ``n`` hyperparameter configurations shared by all tasks.

    Args:
        n: number of configurations.
        seed: seed of the numpy generator that draws them (0 for the shipped table).

    Returns:
        DataFrame with ``n`` rows (index = ``hp_id``) and the columns of :data:`HP_SPACE`.
    """
    if n < 1:
        raise ValueError(f"need at least 1 configuration; got {n}")
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for name, spec in HP_SPACE.items():
        if spec["type"] == "choice":
            cols[name] = rng.choice(np.asarray(spec["values"]), size=n)
        elif spec["log"]:
            lo, hi = np.log(spec["low"]), np.log(spec["high"])
            cols[name] = np.exp(rng.uniform(lo, hi, size=n))
        else:
            cols[name] = rng.uniform(spec["low"], spec["high"], size=n)
    df = pd.DataFrame(cols)
    df.index.name = "hp_id"
    return df


def load_task_arrays(task: str, seed: int) -> tuple[np.ndarray, ...]:
    """Standardized, stratified train/validation split of one bundled scikit-learn dataset.

    The split and the standardization (train mean / std) depend on ``seed`` only, so every
    configuration and every hardware setting sees the same data for a given seed.

    Args:
        task: one of :data:`TASKS`.
        seed: split seed.

    Returns:
        ``(x_train, y_train, x_val, y_val)``: float32 [n_tr, d], int32 [n_tr], float32 [n_va, d],
        int32 [n_va].
    """
    if task not in SKLEARN_LOADERS:
        raise ValueError(f"unknown task {task!r}; known: {list(SKLEARN_LOADERS)}")
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    x, y = getattr(sklearn.datasets, SKLEARN_LOADERS[task])(return_X_y=True)
    xtr, xva, ytr, yva = train_test_split(
        x, y, test_size=VALIDATION_FRACTION, random_state=seed, stratify=y
    )
    mu, sd = xtr.mean(0), xtr.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    f = lambda a: ((a - mu) / sd).astype(np.float32)
    return f(xtr), ytr.astype(np.int32), f(xva), yva.astype(np.int32)


# --------------------------------------------------------------------------------------------
# Worker: one (task, hardware) block, run in a pinned subprocess
# --------------------------------------------------------------------------------------------
def _worker(
    task: str,
    n_threads: int,
    configs: pd.DataFrame,
    seeds,
    n_epochs: int,
    pad: tuple[int, int, int, int] | None = None,
    cache_dir: str | None = None,
) -> dict:
    """Train every (config, seed) of one task under the current process's execution setting.

    JAX is imported here, after the parent has pinned this process and set ``XLA_FLAGS``.
    ``pad = (n_features, n_classes, n_train, n_val)`` pads every task to common shapes
    (zero features, masked classes, unused rows) so that one compiled program per
    (width, depth, batch) serves all tasks; with ``cache_dir`` JAX's persistent compilation
    cache lets the next task's worker reuse it instead of recompiling.
    """
    import jax

    if cache_dir:
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    import jax.numpy as jnp
    import optax

    raw = {int(s): load_task_arrays(task, int(s)) for s in seeds}
    xtr0, ytr0, xva0, yva0 = raw[int(seeds[0])]
    n_tr, d = xtr0.shape
    n_va = xva0.shape[0]
    n_classes = int(max(ytr0.max(), yva0.max()) + 1)
    pd_, pk, ptr, pva = pad if pad is not None else (d, n_classes, n_tr, n_va)
    if pd_ < d or pk < n_classes or ptr < n_tr or pva < n_va:
        raise ValueError(f"pad {pad} smaller than task {task!r} ({d}, {n_classes}, {n_tr}, {n_va})")
    data = {}
    for s, (xtr, ytr, xva, yva) in raw.items():
        xt = np.zeros((ptr, pd_), np.float32)
        xt[:n_tr, :d] = xtr
        yt = np.zeros(ptr, np.int32)
        yt[:n_tr] = ytr
        xv = np.zeros((pva, pd_), np.float32)
        xv[:n_va, :d] = xva
        yv = np.zeros(pva, np.int32)
        yv[:n_va] = yva
        data[s] = tuple(jax.device_put(a) for a in (xt, yt, xv, yv))
    # padded classes get a -1e9 logit offset: zero probability, never the argmax
    class_off = jax.device_put(np.where(np.arange(pk) < n_classes, 0.0, -1e9).astype(np.float32))
    val_w = jax.device_put((np.arange(pva) < n_va).astype(np.float32) / n_va)
    init_scale = np.float32(np.sqrt(2.0 / d))  # He init uses the task's true fan-in

    # class_off / val_w are arguments, not closed-over constants, so that the compiled programs
    # are identical across tasks (and hit the persistent compilation cache)
    def forward(params, x, off):
        h = x
        for w, b in params[:-1]:
            h = jax.nn.relu(h @ w + b)
        w, b = params[-1]
        return h @ w + b + off

    adam_moments = optax.scale_by_adam  # b1 is passed traced, see epoch()

    def make(width: int, depth: int, bsz: int):
        def init(key, scale0):
            sizes = [pd_] + [width] * depth + [pk]
            params = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
                scale = scale0 if i == 0 else jnp.sqrt(2.0 / a)
                w = jax.random.normal(jax.random.fold_in(key, i), (a, b)) * scale
                params.append((w, jnp.zeros((b,))))
            return params, adam_moments().init(params)

        def loss_fn(params, xb, yb, off):
            logits = forward(params, xb, off)
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

        def epoch(params, st, idx, n_steps, x, y, off, lr, wd, b1):
            # AdamW (decoupled weight decay, as optax.adamw): w <- w - lr * (adam(g) + wd * w)
            adam = adam_moments(b1=b1)

            def step(i, carry):
                params, st, tot = carry
                ib = idx[i]
                loss, g = jax.value_and_grad(loss_fn)(params, x[ib], y[ib], off)
                upd, st = adam.update(g, st, params)
                params = jax.tree.map(lambda w, u: w - lr * (u + wd * w), params, upd)
                return params, st, tot + loss

            params, st, tot = jax.lax.fori_loop(0, n_steps, step, (params, st, jnp.float32(0)))
            return params, st, tot / n_steps

        def evaluate(params, x, y, vw, off):
            logits = forward(params, x, off)
            err = jnp.sum(vw * (jnp.argmax(logits, -1) != y))
            ll = jnp.sum(vw * optax.softmax_cross_entropy_with_integer_labels(logits, y))
            return err, ll

        # ahead-of-time compile + one warm-up execution, so no timed call compiles
        k0 = jax.random.key(0)
        f32 = jnp.float32(0.5)
        idx0 = np.zeros((ptr // bsz, bsz), np.int32)
        n0 = np.int32(1)
        init_c = jax.jit(init).lower(k0, init_scale).compile()
        p0, s0 = init_c(k0, init_scale)
        xs, ys, xv, yv = data[int(seeds[0])]
        eargs = (xs, ys, class_off, f32, f32, f32)
        epoch_c = jax.jit(epoch).lower(p0, s0, idx0, n0, *eargs).compile()
        eval_c = jax.jit(evaluate).lower(p0, xv, yv, val_w, class_off).compile()
        jax.block_until_ready(epoch_c(p0, s0, idx0, n0, *eargs))
        jax.block_until_ready(eval_c(p0, xv, yv, val_w, class_off))
        return init_c, epoch_c, eval_c

    cache: dict[tuple[int, int, int], Any] = {}
    rows: dict[str, list] = {
        k: []
        for k in (
            "hp_id",
            "seed",
            "epoch",
            "val_error",
            "val_logloss",
            "train_loss",
            "epoch_time_s",
            "epoch_cpu_s",
            "loadavg_1m",
        )
    }
    t_compile = 0.0
    t_start = time.perf_counter()
    for hp_id, hp in configs.iterrows():
        bsz = int(min(int(hp["batch_size"]), n_tr))
        n_steps = n_tr // bsz
        n_steps_arg = np.int32(n_steps)
        idx = np.zeros((ptr // bsz, bsz), np.int32)
        sk = (int(hp["hidden_width"]), int(hp["n_layers"]), bsz)
        if sk not in cache:
            t0 = time.perf_counter()
            cache[sk] = make(*sk)
            t_compile += time.perf_counter() - t0
        init_c, epoch_c, eval_c = cache[sk]
        lr = jnp.float32(hp["learning_rate"])
        wd = jnp.float32(hp["weight_decay"])
        b1 = jnp.float32(hp["beta1"])
        for s in seeds:
            xs, ys, xv, yv = data[int(s)]
            params, st = init_c(jax.random.key(int(s)), init_scale)
            jax.block_until_ready(params)
            load1 = os.getloadavg()[0]
            for e in range(1, n_epochs + 1):
                # timed: one epoch of training (host-side shuffle + all mini-batch steps),
                # dispatch included; shuffling depends on (seed, epoch) only
                c0 = time.process_time()
                t0 = time.perf_counter()
                perm = np.random.default_rng([int(s), e]).permutation(n_tr)
                idx[:n_steps] = perm[: n_steps * bsz].reshape(n_steps, bsz)
                params, st, tl = epoch_c(
                    params, st, idx, n_steps_arg, xs, ys, class_off, lr, wd, b1
                )
                jax.block_until_ready((params, st, tl))
                dt = time.perf_counter() - t0
                dc = time.process_time() - c0
                err, ll = eval_c(params, xv, yv, val_w, class_off)
                rows["hp_id"].append(int(hp_id))
                rows["seed"].append(int(s))
                rows["epoch"].append(e)
                rows["val_error"].append(float(err))
                rows["val_logloss"].append(float(ll))
                rows["train_loss"].append(float(tl))
                rows["epoch_time_s"].append(dt)
                rows["epoch_cpu_s"].append(dc)
                rows["loadavg_1m"].append(load1)
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["_compile_s"] = np.asarray(t_compile)
    out["_wall_s"] = np.asarray(time.perf_counter() - t_start)
    out["_n_train"] = np.asarray(n_tr)
    out["_n_val"] = np.asarray(n_va)
    out["_pad"] = np.asarray([pd_, pk, ptr, pva])
    out["_n_features"] = np.asarray(d)
    out["_n_classes"] = np.asarray(n_classes)
    out["_affinity"] = np.asarray(sorted(os.sched_getaffinity(0)))
    out["_jax_devices"] = np.asarray(str(jax.devices()))
    return out


# --------------------------------------------------------------------------------------------
# Parent: run the blocks, assemble the long table, write parquet + JSON
# --------------------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("jax", "jaxlib", "optax", "numpy", "pandas", "scikit-learn", "pyarrow"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover - informational only
            out[pkg] = "not installed"
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - non-Linux
        pass
    return platform.processor() or "unknown"


def _round_up(x: float, digits: int = 3) -> float:
    """Round ``x > 0`` up to ``digits`` significant digits (for a readable reference point)."""
    if x <= 0:
        return float(x)
    e = int(np.floor(np.log10(x))) - digits + 1
    return float(np.ceil(x / 10.0**e) * 10.0**e)


def generate(
    out_dir: str | os.PathLike,
    *,
    tasks: tuple[str, ...] = TASKS,
    n_configs: int = 64,
    seeds: tuple[int, ...] = (0, 1, 2),
    n_epochs: int = 27,
    threads: tuple[int, ...] = (1, 2),
    config_seed: int = 0,
    command: str | None = None,
    verbose: bool = True,
) -> tuple[Path, Path]:
    """Run the real training runs and write ``embedded_mlp.parquet`` + ``embedded_mlp.json``.

    Args:
        out_dir: folder to write to (created if missing).
        tasks: datasets, a subset of :data:`TASKS`.
        n_configs: number of hyperparameter configurations (shared by all tasks); each is run
            under every hardware setting, so the table has ``n_configs × len(threads)`` configs.
        seeds: seeds (each a train/validation split, an initialization and a shuffling order).
        n_epochs: epochs per run; the fidelities are 1..n_epochs.
        threads: hardware settings, keys of :data:`HARDWARE`.
        config_seed: seed of :func:`sample_configs`.
        command: the command line recorded in the sidecar (defaults to ``sys.argv``).
        verbose: print one line per block.

    Returns:
        Paths of the parquet file and of the JSON sidecar.
    """
    tasks = tuple(tasks)
    bad = [t for t in tasks if t not in SKLEARN_LOADERS]
    if bad or not tasks:
        raise ValueError(f"unknown or no task(s) {bad}; known: {list(SKLEARN_LOADERS)}")
    threads = tuple(sorted(set(int(t) for t in threads)))
    bad = [t for t in threads if t not in HARDWARE]
    if bad or not threads:
        raise ValueError(f"unknown hardware setting(s) {bad}; known: {list(HARDWARE)}")
    ncpu = len(os.sched_getaffinity(0))
    for t in threads:
        if max(HARDWARE[t]["cpus"]) >= (os.cpu_count() or 1) or len(HARDWARE[t]["cpus"]) > ncpu:
            raise ValueError(
                f"hardware setting {t} needs CPUs {HARDWARE[t]['cpus']}; this process may use "
                f"{sorted(os.sched_getaffinity(0))}"
            )
    seeds = tuple(int(s) for s in seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct and non-empty; got {seeds}")
    if n_epochs < 1:
        raise ValueError(f"n_epochs must be >= 1; got {n_epochs}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    configs = sample_configs(n_configs, config_seed)
    started = _dt.datetime.now(_dt.UTC)
    t_all = time.perf_counter()
    blocks, frames, task_info = [], [], {}
    sizes = []
    for task in tasks:
        xtr, ytr, xva, yva = load_task_arrays(task, seeds[0])
        sizes.append((xtr.shape[1], int(max(ytr.max(), yva.max()) + 1), len(xtr), len(xva)))
    pad = tuple(int(max(z[i] for z in sizes)) for i in range(4))
    with tempfile.TemporaryDirectory() as tmp:
        cfg_path = Path(tmp) / "configs.json"
        configs.reset_index().to_json(cfg_path, orient="records")
        for ti, task in enumerate(tasks):
            order = threads if ti % 2 == 0 else threads[::-1]  # interleave settings
            for nt in order:
                hw = HARDWARE[nt]
                chunk = Path(tmp) / f"{task}_{nt}.npz"
                cmd = [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--worker",
                    "--task",
                    task,
                    "--threads",
                    str(nt),
                    "--configs",
                    str(cfg_path),
                    "--seeds",
                    ",".join(map(str, seeds)),
                    "--epochs",
                    str(n_epochs),
                    "--chunk",
                    str(chunk),
                    "--pad",
                    ",".join(map(str, pad)),
                    "--cache-dir",
                    str(Path(tmp) / f"jax_cache_{nt}"),
                ]
                env = dict(os.environ)
                env["XLA_FLAGS"] = hw["xla_flags"]
                env["JAX_PLATFORMS"] = "cpu"
                cpus = set(hw["cpus"])
                load0 = os.getloadavg()
                t0 = time.perf_counter()
                res = subprocess.run(
                    cmd,
                    env=env,
                    preexec_fn=lambda cpus=cpus: os.sched_setaffinity(0, cpus),
                    capture_output=True,
                    text=True,
                )
                wall = time.perf_counter() - t0
                if res.returncode != 0:
                    raise RuntimeError(
                        f"worker for task {task!r}, {nt} thread(s) failed:\n{res.stderr[-4000:]}"
                    )
                z = np.load(chunk)
                df = pd.DataFrame({k: z[k] for k in z.files if not k.startswith("_")})
                df.insert(0, "task", task)
                df["n_threads"] = nt
                frames.append(df)
                task_info[task] = {
                    "sklearn_loader": f"sklearn.datasets.{SKLEARN_LOADERS[task]}",
                    "n_train": int(z["_n_train"]),
                    "n_val": int(z["_n_val"]),
                    "n_features": int(z["_n_features"]),
                    "n_classes": int(z["_n_classes"]),
                    "citation": DATASET_CITATIONS[task],
                }
                blocks.append(
                    {
                        "task": task,
                        "n_threads": nt,
                        "affinity": z["_affinity"].tolist(),
                        "xla_flags": hw["xla_flags"],
                        "wall_s": round(wall, 2),
                        "compile_and_warmup_s": round(float(z["_compile_s"]), 2),
                        "loadavg_before": [round(v, 2) for v in load0],
                        "loadavg_after": [round(v, 2) for v in os.getloadavg()],
                        "finished_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                    }
                )
                if verbose:
                    print(
                        f"[embedded] {task:>14s} {nt} thread(s): {wall:7.1f} s "
                        f"(compile {float(z['_compile_s']):5.1f} s), load {load0[0]:.2f}",
                        flush=True,
                    )
    wall_all = time.perf_counter() - t_all

    long = pd.concat(frames, ignore_index=True)
    hw_index = {nt: i for i, nt in enumerate(threads)}
    long["config_id"] = long["hp_id"] * len(threads) + long["n_threads"].map(hw_index)
    for c in HP_COLUMNS:
        long[c] = configs[c].to_numpy()[long["hp_id"].to_numpy()]
    long = long.sort_values(["task", "config_id", "seed", "epoch"], kind="stable")
    long["time_s"] = long.groupby(["task", "config_id", "seed"])["epoch_time_s"].cumsum()
    price = long["n_threads"].map({nt: HARDWARE[nt]["price_per_hour"] for nt in threads})
    long["cost_usd"] = long["time_s"] * price / 3600.0
    long["task"] = pd.Categorical(long["task"], categories=list(tasks))
    dtypes = {
        "config_id": np.int32,
        "hp_id": np.int32,
        "hidden_width": np.int32,
        "n_layers": np.int32,
        "batch_size": np.int32,
        "n_threads": np.int32,
        "seed": np.int32,
        "epoch": np.int32,
        "val_error": np.float32,
        "val_logloss": np.float32,
        "train_loss": np.float32,
        "loadavg_1m": np.float32,
    }
    long = long.astype(dtypes)[list(LONG_COLUMNS)].reset_index(drop=True)

    ref = {
        "val_error": 1.0,
        **{
            k: _round_up(1.1 * float(np.nanmax(long[k].to_numpy())))
            for k in ("val_logloss", "time_s", "cost_usd")
        },
    }
    pq = out_dir / f"{FILE_STEM}.parquet"
    js = out_dir / f"{FILE_STEM}.json"
    long.to_parquet(pq, index=False, compression="zstd")
    meta = {
        "name": NAME,
        "format_version": 1,
        "description": (
            "Real training runs made by mohb_jax: an MLP (JAX + optax AdamW) on datasets bundled "
            "with scikit-learn, per-epoch validation error / log-loss and measured training "
            "time under two execution settings (1 pinned CPU core vs 2), priced per vCPU-hour."
        ),
        "generated_by": command if command is not None else " ".join(sys.argv),
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_s": round(wall_all, 1),
        "versions": _versions(),
        "machine": {
            "platform": platform.platform(),
            "cpu": _cpu_model(),
            "cpu_count": os.cpu_count(),
            "shared": "a 2-core VM shared with other jobs; see loadavg_1m and blocks[].loadavg_*",
        },
        "timing_protocol": (
            "one jitted call per epoch (shuffle + lax.scan over mini-batches + AdamW), compiled "
            "ahead of time and warmed up once per shape; epoch_time_s = wall clock of that call "
            "up to block_until_ready (dispatch included, compile and validation excluded); "
            "epoch_cpu_s = process CPU time (all threads) of the same span, less sensitive to "
            "other jobs than the wall clock; "
            "time_s = cumulative sum over epochs; each (config, seed) run trained alone."
        ),
        "tasks": task_info,
        "task_order": list(tasks),
        "validation_fraction": VALIDATION_FRACTION,
        "padding": {
            "shape": dict(zip(("n_features", "n_classes", "n_train", "n_val"), pad, strict=True)),
            "note": "every task is padded to these shapes so that one compiled program per "
            "(hidden_width, n_layers, batch) serves all tasks: zero input features, padded "
            "classes masked with a -1e9 logit, unused training/validation rows; the loop runs "
            "n_train // batch steps of the task's own data",
        },
        "preprocessing": "stratified split per seed (sklearn train_test_split, random_state=seed);"
        " features standardized with the training split's mean/std",
        "model": "MLP: n_layers hidden ReLU layers of hidden_width units, He-normal init, zero "
        "biases; softmax cross-entropy; AdamW (optax.scale_by_adam with b1=beta1, b2=0.999, then "
        "w -= lr * (update + weight_decay * w), as optax.adamw); "
        "effective batch = min(batch_size, n_train), "
        "n_train // batch steps per epoch (last partial batch dropped)",
        "hp_space": HP_SPACE,
        "config_sample_seed": config_seed,
        "n_hp_configs": n_configs,
        "configs": configs.reset_index().to_dict(orient="records"),
        "config_id": "hp_id * n_hardware + index of n_threads in hardware order",
        "seeds": list(seeds),
        "fidelity": {"name": "epoch", "values": list(range(1, n_epochs + 1))},
        "hardware": {
            "column": "n_threads",
            "settings": [
                {
                    "n_threads": nt,
                    "instance_priced_as": HARDWARE[nt]["instance"],
                    "n_vcpu": HARDWARE[nt]["n_vcpu"],
                    "price_per_hour": HARDWARE[nt]["price_per_hour"],
                    "cpus": HARDWARE[nt]["cpus"],
                    "xla_flags": HARDWARE[nt]["xla_flags"],
                }
                for nt in threads
            ],
            "price_source": PRICE_SOURCE,
            "cost": "cost_usd = time_s * price_per_hour / 3600",
        },
        "objectives": list(OBJECTIVES),
        "directions": list(DIRECTIONS),
        "default_objectives": list(DEFAULT_OBJECTIVES),
        "reference_point": ref,
        "blocks": blocks,
        "citation": [
            "mohb_jax embedded table (this package), generated by tools/make_embedded_table.py",
            "Pedregosa et al., Scikit-learn: Machine Learning in Python, JMLR 12, 2011",
            *[DATASET_CITATIONS[t] for t in tasks],
        ],
    }
    js.write_text(json.dumps(meta, indent=1))
    return pq, js


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    """``python tools/make_embedded_table.py --out DIR [options]`` regenerates the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None, help="output folder (e.g. mohb_jax/data)")
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--n-configs", type=int, default=64)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--epochs", type=int, default=27)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--config-seed", type=int, default=0)
    # internal: one (task, hardware) block in a pinned subprocess
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--task", help=argparse.SUPPRESS)
    ap.add_argument("--configs", help=argparse.SUPPRESS)
    ap.add_argument("--chunk", help=argparse.SUPPRESS)
    ap.add_argument("--pad", help=argparse.SUPPRESS)
    ap.add_argument("--cache-dir", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    seeds = tuple(int(s) for s in a.seeds.split(","))
    if a.worker:
        cfg = pd.read_json(Path(a.configs), orient="records").set_index("hp_id")
        pad = tuple(int(v) for v in a.pad.split(",")) if a.pad else None
        out = _worker(a.task, int(a.threads), cfg, seeds, a.epochs, pad, a.cache_dir)
        np.savez(a.chunk, **out)
        return
    if a.out is None:
        ap.error("--out is required")
    cmd = "python tools/make_embedded_table.py " + " ".join(sys.argv[1:] if argv is None else argv)
    generate(
        a.out,
        tasks=tuple(a.tasks.split(",")),
        n_configs=a.n_configs,
        seeds=seeds,
        n_epochs=a.epochs,
        threads=tuple(int(t) for t in a.threads.split(",")),
        config_seed=a.config_seed,
        command=cmd,
    )


if __name__ == "__main__":
    main()
