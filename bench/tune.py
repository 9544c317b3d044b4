"""Real-dispatch overheads of ``mohb_jax.tune`` and the same trivial workload through Optuna.

Usage::

    nice -n 10 python bench/tune.py [--trials 40] [--records 10000] [--skip-optuna]

Measures, on this machine, printing one line per figure (load average beside each):

1. the scheduler's cost per decision from Python: jitted lifecycle ``ask`` + ``report`` (the
   tell) of MO-ASHA (ε-net, stopping) and synchronous MO-Hyperband, µs each;
2. the driver's cost per journal record with an in-process executor (results at once; fsync
   per record): the whole loop minus the trials;
3. trials per second with trivial trials on 4 workers (one spawned process per job) and the
   time to the first result, compile included, with a cold and a warm persistent cache;
4. resume time of a journal of ``--records`` records (replay of every ask / tell);
5. the same trivial workload through Optuna 5 (``study.optimize(n_jobs=4)``): in-process
   threads, and with one subprocess per trial like ours.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path


def trivial(config, ctx):
    """The trivial trial: report a deterministic value at every fidelity (this module imports
    nothing heavy at its top: a trivial trial's process imports only the standard library)."""
    for f in ctx.fidelities():
        ctx.report(f, loss=(float(config["x"]) - 0.3) ** 2 + 1.0 / (1.0 + f))


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


class InlineExecutor:
    """The :class:`~mohb_jax.tune.Executor` protocol in-process: deterministic results at once.

    For measuring the driver alone (and writing long journals quickly); no process is started.
    """

    def __init__(self):
        self.jobs = {}
        self.out = deque()

    def check(self, catalog):
        pass

    def submit(self, spec):
        self.jobs[spec.job_id] = [spec, spec.resume_max + 1, False]
        return spec.job_id

    def poll(self, timeout):
        from mohb_jax.tune import Event

        evs = list(self.out)
        self.out.clear()
        for jid, st in list(self.jobs.items()):
            spec, f, waiting = st
            if waiting:
                continue
            x = float(spec.config["x"])
            evs.append(Event("result", jid, (f, {"loss": (x - 0.3) ** 2 + 1 / (1 + f)}, 1e-3)))
            if f >= spec.target:
                st[2] = True
            else:
                st[1] = f + 1
        return evs

    def reply(self, handle, go, target):
        from mohb_jax.tune import Event

        st = self.jobs[handle]
        if go:
            st[0].target = target
            st[1] += 1
            st[2] = False
        else:
            del self.jobs[handle]
            self.out.append(Event("exit", handle, ()))

    def kill(self, handle):
        self.jobs.pop(handle, None)

    def close(self):
        self.jobs.clear()


def bench_decisions(n: int = 2000) -> None:
    import jax
    import numpy as np

    from mohb_jax._src.schedulers.searchers import random_searcher
    from mohb_jax._src.tune.core import SchedulerCore

    for label, sched, rule in (
        ("MO-ASHA epsnet stopping", "asha", "epsnet"),
        ("sync MO-Hyperband epsnet", "hyperband", "epsnet"),
    ):
        cfg = dict(
            scheduler=sched,
            rule=rule,
            variant="stopping",
            eta=3.0,
            grid=[1, 3, 9, 27, 81],
            n_brackets=None,
            max_trials=1024,
            n_objectives=2,
            seed=0,
        )
        t0 = time.perf_counter()
        core = SchedulerCore(cfg, random_searcher(np.ones(4096, bool)), 4)
        core.warm_up()
        compile_s = time.perf_counter() - t0
        run = core.init()
        rng = np.random.default_rng(0)
        t_ask = t_tell = 0.0
        n_ask = n_tell = 0
        pending = deque()
        while n_tell < n:
            t0 = time.perf_counter()
            job, run = core.ask(run, 0)
            run = core.end_round(run)
            t_ask += time.perf_counter() - t0
            n_ask += 1
            if job.valid:
                pending.append(job)
            if not pending:
                break
            if job.valid and len(pending) < 4:
                continue
            j = pending.popleft()
            while j is not None:
                t0 = time.perf_counter()
                run, a, nxt = core.report(run, j, j.fidelity, rng.random(2))
                jax.block_until_ready(run)
                t_tell += time.perf_counter() - t0
                n_tell += 1
                j = nxt
        print(
            f"[decision] {label}: ask {1e6 * t_ask / n_ask:.0f} µs, tell "
            f"{1e6 * t_tell / n_tell:.0f} µs ({n_tell} tells; build+compile {compile_s:.1f} s)"
            f"  [{_load()}]"
        )


def _tuner(journal, executor, n_trials, grid, method="random", cache_dir=None, n_workers=4):
    import numpy as np
    import pandas as pd

    from mohb_jax.tune import Hardware, Tuner

    cand = pd.DataFrame({"x": np.linspace(0.0, 1.0, n_trials)})
    return Tuner(
        trivial,
        cand,
        hardware=[Hardware("local", 3.6, slots=n_workers)],
        objectives={"loss": "min", "cost_usd": "min"},
        fidelity=grid,
        method=method,
        n_workers=n_workers,
        max_trials=n_trials,
        seed=0,
        journal=journal,
        progress=False,
        executor=executor,
        cache_dir=cache_dir,
    )


def bench_driver_and_resume(records: int, tmp: Path) -> None:
    from mohb_jax.tune import Tuner, read_journal

    d = tmp / "inline"
    grid = [1, 3, 9, 27, 81]
    n_trials = max(8, (10 * records) // 35)  # MO-ASHA here: ~3.5 records per trial
    tu = _tuner(d, InlineExecutor(), n_trials, grid, method="epsnet")
    t0 = time.perf_counter()
    res = tu.run()
    dt = time.perf_counter() - t0
    n_rec = len(read_journal(d / "journal.jsonl"))
    print(
        f"[driver] in-process executor, MO-ASHA epsnet, {n_trials} trials: {len(res.frame)} "
        f"results, {n_rec} journal records in {dt:.1f} s = {1e6 * dt / n_rec:.0f} µs per "
        f"record ({1e6 * dt / len(res.frame):.0f} µs per result, fsync included)  [{_load()}]"
    )
    for label in ("first resume (compiles the replay scan)", "second resume (cached)"):
        t0 = time.perf_counter()
        r2 = Tuner.resume(d, trivial, executor=InlineExecutor(), progress=False)
        t_build = time.perf_counter() - t0
        r2 = r2.run()
        dt = time.perf_counter() - t0
        assert len(r2.frame) == len(res.frame)
        print(
            f"[resume] journal of {n_rec} records, {label}: Tuner.resume(...).run() {dt:.2f} s"
            f" (of which build + scheduler compile {t_build:.2f} s; replay and check of "
            f"{r2.n_checked} asks/tells {dt - t_build:.2f} s)  [{_load()}]"
        )


def bench_local(n_trials: int, tmp: Path) -> float:
    cold = tmp / "cold_cache"
    out = {}
    for label, cache in (("cold cache", cold), ("warm cache", cold)):
        d = tmp / f"local_{label.split()[0]}"
        t0 = time.perf_counter()
        tu = _tuner(d, "local", n_trials, [1], cache_dir=str(cache))
        t_build = time.perf_counter() - t0
        t1 = time.perf_counter()
        res = tu.run()
        t_run = time.perf_counter() - t1
        first = float(res.frame["time"].min())
        out[label] = n_trials / t_run
        print(
            f"[local] {label}: build+compile {t_build:.1f} s, first result {t_build + first:.2f}"
            f" s after Tuner(...), {n_trials} trivial trials on 4 workers in {t_run:.1f} s = "
            f"{n_trials / t_run:.1f} trials/s  [{_load()}]"
        )
    return out["warm cache"]


def _optuna_subprocess_objective(trial):
    x = trial.suggest_float("x", 0.0, 1.0)
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return (x - 0.3) ** 2


def bench_optuna(n_trials: int, ours: float, tmp: Path) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def obj(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        return (x - 0.3) ** 2

    for label, storage, f, n in (
        ("in-memory, in-process objective", None, obj, 10 * n_trials),
        ("JournalFileBackend, in-process objective", "journal", obj, 10 * n_trials),
        ("in-memory, one subprocess per trial", None, _optuna_subprocess_objective, n_trials),
    ):
        st = None
        if storage == "journal":
            from optuna.storages import JournalStorage
            from optuna.storages.journal import JournalFileBackend

            st = JournalStorage(JournalFileBackend(str(tmp / "optuna.log")))
        study = optuna.create_study(storage=st, sampler=optuna.samplers.RandomSampler(seed=0))
        t0 = time.perf_counter()
        study.optimize(f, n_trials=n, n_jobs=4)
        dt = time.perf_counter() - t0
        print(
            f"[optuna] {label}: {n} trials in {dt:.2f} s = {n / dt:.1f} trials/s "
            f"(ours / optuna = {ours / (n / dt):.3f})  [{_load()}]"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--skip-optuna", action="store_true")
    ap.add_argument(
        "--only",
        nargs="+",
        default=["decisions", "driver", "local", "optuna"],
        choices=["decisions", "driver", "local", "optuna"],
    )
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mohb_tune_bench_"))
    try:
        if "decisions" in a.only:
            bench_decisions()
        if "driver" in a.only:
            bench_driver_and_resume(a.records, tmp)
        ours = bench_local(a.trials, tmp) if "local" in a.only else float("nan")
        if "optuna" in a.only and not a.skip_optuna:
            bench_optuna(a.trials, ours, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
