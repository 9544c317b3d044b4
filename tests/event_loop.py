"""A plain-Python event loop over the lifecycle: the simulator's independent reference.

The simulator (``mohb_jax._src.sim.driver``) runs its event clock inside one jitted
``lax.while_loop`` over job records and rebuilds the result rows afterwards with vectorized
numpy. This module does the same simulation the slow, obvious way: a Python loop over events,
a heap-free "earliest finishing worker" scan, each result reported one fidelity at a time with
the jitted ``Lifecycle.on_report`` (the simulator reports a whole job at once with
``on_job_end``), rows appended as they happen, times and costs computed per row. Only the
scheduler and the lifecycle functions are shared (by design: real dispatch calls the very same
jitted functions); the event clock, table lookups, time / cost accounting and the frame are
written here independently.

It is also the shape of a real dispatcher: replace the table lookups by training runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from mohb_jax._src.lifecycle import OBSERVED, check_report, make_lifecycle, run_keys
from mohb_jax._src.schedulers.core import CONTINUE, DECISIONS
from mohb_jax._src.sim.driver import independent_fidelities


@dataclass
class _Busy:
    job: object  # the lifecycle Job (jax scalars)
    jid: int  # job number, in start order
    start: np.float32
    base: np.float32  # table time already trained at the start
    last: int  # last fidelity reported before the job (-1 none)
    finish: np.float32


def table_times(table, task: int, independent: bool) -> np.ndarray:
    """``float64[C, S, F]`` time from scratch to each fidelity (NaN where masked)."""
    j = table.objective_index(table.time_objective)
    t = np.where(table.mask[task], np.asarray(table.values[task, ..., j], np.float64), np.nan)
    if table.directions[j] == "max":
        t = -t
    if independent:
        return t
    if not table.time_cumulative:
        t = np.cumsum(t, axis=-1)
    return np.fmax.accumulate(t, axis=-1)


_JITTED: dict = {}


def _jitted(scheduler, W: int, indep: bool):
    """The lifecycle of ``scheduler`` and its jitted functions, made once per scheduler."""
    key = (id(scheduler), W, indep)
    if key not in _JITTED:
        lc = make_lifecycle(scheduler, W, independent_fidelities=indep)
        jitted = (jax.jit(lc.on_free_worker), jax.jit(lc.end_round), jax.jit(lc.on_report))
        _JITTED[key] = (scheduler, lc, *jitted)  # the scheduler kept alive: its id stays unique
    return _JITTED[key][1:]


def event_loop(
    table,
    scheduler,
    *,
    key,
    seed: int,
    objectives,
    n_workers: int,
    budget: float,
    task: int = 0,
    checkpoint: bool = True,
    max_jobs: int | None = None,
) -> pd.DataFrame:
    """Simulate one run of ``scheduler`` on ``table`` with a Python event loop.

    Same event model and the same output columns as ``Simulator.to_frame`` (see the driver's
    module docstring); ``max_jobs``: stop (and raise) once more jobs than that would start.
    """
    indep = independent_fidelities(table)
    W = int(n_workers)
    lc, ask, end_round, report = _jitted(scheduler, W, indep)
    N = scheduler.max_trials

    # table lookups (host)
    tcum = table_times(table, task, indep)
    complete = np.asarray(table.mask[task]).all(-1) & np.isfinite(tcum).all(-1)
    complete &= (tcum >= 0).all(-1)
    tcum32 = np.where(complete[..., None], tcum, 0.0).astype(np.float32)
    obj_idx = [table.objective_index(o) for o in objectives]
    y_min = np.asarray(table.values[task][..., obj_idx], np.float32)  # stored minimized
    price = (  # $/h as the simulator stores it (float32)
        np.asarray(table.hardware.price_per_hour, np.float32).astype(np.float64)
        if table.hardware is not None
        else np.full(table.n_configs, np.nan)
    )
    budget32 = np.float32(budget)

    run = lc.init(key)
    u_seed = np.asarray(jax.random.uniform(run_keys(key)[2], (N,), jnp.float32))
    trial_seed: dict[int, int] = {}
    workers: list[_Busy | None] = [None] * W
    clock = np.float32(0.0)
    rows: list[dict] = []
    n_jobs = 0
    cost_total = 0.0

    def table_seed(trial: int, config: int) -> int:
        if trial not in trial_seed:  # inverse CDF over the complete seeds
            ok = complete[config]
            cum = np.cumsum(ok)
            trial_seed[trial] = int(
                np.argmax(cum > np.float32(u_seed[trial]) * np.float32(cum[-1]))
            )
        return trial_seed[trial]

    def start(w: int, job, continuing: bool):
        nonlocal n_jobs
        if max_jobs is not None and n_jobs >= max_jobs:
            raise OverflowError(f"more than max_jobs={max_jobs} jobs")
        t, c = int(job.trial), int(job.config)
        s = table_seed(t, c)
        last = int(run.trial_last[t])
        a = int(lc.resume_point(run, t))
        tc = tcum32[c, s]
        base = tc[a] if (a >= 0 and (checkpoint or continuing)) else np.float32(0.0)
        fin = np.float32(clock + np.float32(tc[int(job.fidelity)] - base))
        workers[w] = _Busy(job, n_jobs, clock, np.float32(base), last, fin)
        n_jobs += 1

    def fill():
        nonlocal run
        for w in range(W):
            if workers[w] is None:
                run, job = ask(run, w)
                if bool(job.valid):
                    start(w, job, continuing=False)
        run = end_round(run)

    def emit(b: _Busy, f: int, decision: int, rung: int, w: int):
        t, c = int(b.job.trial), int(b.job.config)
        s = trial_seed[t]
        tc = tcum32[c, s]
        el = np.float32(tc[f] - b.base)
        first = indep or f == b.last + 1
        seg = el if first else np.float32(el - np.float32(tc[f - 1] - b.base))
        row = {
            "seed": seed,
            "trial": t,
            "config": c,
            "table_seed": s,
            "bracket": int(b.job.bracket),
            "rung": rung,
            "fidelity_index": f,
            "fidelity": float(np.asarray(table.fidelities)[f]),
        }
        for k, (name, d) in enumerate(zip(table.objectives, table.directions, strict=True)):
            v = float(table.values[task, c, s, f, k])
            row[name] = -v if d == "max" else v
        row["time"] = float(np.float32(b.start + el))
        row["_seg"] = float(seg) * float(price[c]) / 3600.0
        row["worker"] = w
        row["decision"] = DECISIONS[decision]
        row["_order"] = (row["time"], b.jid, f)
        rows.append(row)

    fill()
    while True:
        busy = [w for w in range(W) if workers[w] is not None]
        if not busy or bool(run.sched.overflow):
            break
        w = min(busy, key=lambda i: (workers[i].finish, i))
        b = workers[w]
        if b.finish > budget32:
            break
        clock = b.finish
        job = b.job
        tgt = int(job.fidelity)
        fids = [tgt] if indep else range(b.last + 1, tgt + 1)
        for f in fids:  # one report at a time, as a worker sends them
            y = y_min[int(job.config), trial_seed[int(job.trial)], f]
            check_report(run, job, f, y, scheduler.n_objectives, indep)
            run, action, info = report(run, job, f, y)
            action = int(action)
            if f < tgt:
                assert action == OBSERVED
                emit(b, f, CONTINUE, -1, w)
        emit(b, tgt, action, int(job.rung), w)
        workers[w] = None
        if action == CONTINUE:
            start(w, info.next_job, continuing=True)
        fill()
    # jobs still running at the end report what they reached within the budget
    for w, b in enumerate(workers):
        if b is None:
            continue
        tc = tcum32[int(b.job.config), trial_seed[int(b.job.trial)]]
        fids = [] if indep else range(b.last + 1, int(b.job.fidelity))
        for f in fids:
            if np.float32(b.start + np.float32(tc[f] - b.base)) <= budget32:
                emit(b, f, CONTINUE, -1, w)
    if bool(run.sched.overflow):
        raise OverflowError("more than max_trials trials")
    rows.sort(key=lambda r: r["_order"])
    for r in rows:
        cost_total += r.pop("_seg")
        r["cost"] = cost_total
        del r["_order"]
    df = pd.DataFrame(rows)
    cols = [c for c in df.columns if c not in ("cost", "worker", "decision")]
    df = df[[*cols, "cost", "worker", "decision"]]
    df["decision"] = pd.Categorical(df["decision"], categories=list(DECISIONS))
    return df
