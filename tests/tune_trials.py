"""Trial functions for the tuner tests (module level: the worker processes import them).

Objectives are deterministic functions of the configuration and the fidelity, so decisions do
not depend on timing. Behaviour switches come from the configuration (``mode``) or from files
named in environment variables, never from the clock.
"""

from __future__ import annotations

import math
import os
import signal
import time
from pathlib import Path


def objective(config, f):
    x = float(config["x"])
    return (x - 0.3) ** 2 + 1.0 / (1.0 + f)


def _mark(config, ctx, f):
    """Append "trial epoch" to $TUNE_MARKS: which epochs were really trained."""
    marks = os.environ.get("TUNE_MARKS")
    if marks:
        with open(marks, "a") as fh:
            fh.write(f"{ctx.trial} {f:g}\n")


def quad(config, ctx):
    """A deterministic trial with a checkpoint: state = epochs trained so far."""
    pids = os.environ.get("TUNE_PIDS")
    if pids:
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
    state = ctx.load_checkpoint() or {"epochs": 0}
    for f in ctx.fidelities():
        _mark(config, ctx, f)
        state["epochs"] += 1
        d = float(os.environ.get("TUNE_SLEEP", "0"))
        if d:
            time.sleep(d)
        ctx.report(f, loss=objective(config, f))
        ctx.save_checkpoint(state)


def faulty(config, ctx):
    """Misbehaves according to config['mode'] at fidelity index >= 1."""
    mode = config.get("mode", "ok")
    state = ctx.load_checkpoint() or {"epochs": 0}
    for f in ctx.fidelities():
        _mark(config, ctx, f)
        if mode == "raise1":
            raise ValueError(f"diverged at {f}")
        if f >= 2:
            if mode == "raise":
                raise RuntimeError(f"boom at {f}")
            if mode == "hang":
                time.sleep(3600)
            if mode == "exit" and ctx.attempt == 0:
                os._exit(17)
            if mode == "sigkill" and ctx.attempt == 0:
                os.kill(os.getpid(), signal.SIGKILL)
            if mode == "exit_always":
                os._exit(17)
        state["epochs"] += 1
        v = objective(config, f)
        if mode == "nan" and f >= 2:
            v = math.nan
        ctx.report(f, loss=v)
        ctx.save_checkpoint(state)


def mlp_like(config, ctx):
    """Reports its pinned CPU count too (checked against the hardware row)."""
    for f in ctx.fidelities():
        Path(os.environ["TUNE_AFFINITY"]).write_text(
            f"{config['hardware']} {sorted(os.sched_getaffinity(0))} "
            f"{os.environ.get('OMP_NUM_THREADS', '')}\n"
        ) if "TUNE_AFFINITY" in os.environ else None
        ctx.report(f, loss=objective(config, f))
