"""The README's example at a small size: a real optax MLP tuned over hyperparameters and two
pinned hardware settings through the CLI (``mohb-jax tune``), resumed (``mohb-jax resume``)
and replayed in the simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "tune_mlp.py"


def _run(args, env, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "mohb_jax.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_example_tune_resume_replay(tmp_path):
    if len(os.sched_getaffinity(0)) < 2 or not {0, 1} <= os.sched_getaffinity(0):
        pytest.skip("the example pins to CPUs 0 and 1; this process cannot use both")
    pytest.importorskip("sklearn")
    env = dict(
        os.environ,
        MOHB_TUNE_SMALL="1",
        MOHB_TUNE_JOURNAL=str(tmp_path / "run"),
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    )
    r = _run(["tune", str(EXAMPLE), "--no-progress"], env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Pareto front at the highest fidelity" in r.stdout, r.stdout
    # the run is finished: resuming replays it and ends at once, nothing re-run
    r2 = _run(["resume", str(tmp_path / "run"), "--no-progress"], env)
    assert r2.returncode == 0, r2.stderr[-3000:]
    assert r.stdout.splitlines()[0].split(";")[0] == r2.stdout.splitlines()[0].split(";")[0]
    r3 = subprocess.run(
        [sys.executable, str(EXAMPLE), "--replay"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r3.returncode == 0, r3.stderr[-3000:]
    assert "asks and decisions reproduced" in r3.stdout
    assert "simulated epsnet on the recorded table" in r3.stdout, r3.stdout
