"""Trial functions of the Ray executor tests (module level: Ray workers import them)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def landing(config, ctx):
    """Records, per job, the Ray resources the job was given and its hardware row."""
    import ray

    res = ray.get_runtime_context().get_assigned_resources()
    out = Path(os.environ["RAY_TEST_OUT"])
    with open(out / f"{ctx.trial}-{os.getpid()}.json", "w") as fh:
        json.dump({"hardware": config["hardware"], "resources": res}, fh)
    state = ctx.load_checkpoint() or {"epochs": 0}
    for f in ctx.fidelities():
        state["epochs"] += 1
        ctx.report(f, loss=(float(config["x"]) - 0.3) ** 2 + 1.0 / (1.0 + f))
        ctx.save_checkpoint(state)
