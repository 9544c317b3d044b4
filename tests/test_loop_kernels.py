"""The simulator's event loop as one XLA:CPU kernel (``use_loop_kernels``).

The threshold is a process-wide XLA flag read when JAX's backend starts, so the runs that
compare it on and off happen in fresh subprocesses; the flag-string logic and the argument
checks run here.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from conftest import subprocess_env

from mohb_jax._src.sim.sweep import _LOOP_OPTION, LOOP_KERNEL_BYTES, _flags_with_loop_threshold
from mohb_jax.sim import use_loop_kernels

OPT = f"--xla_backend_extra_options={_LOOP_OPTION}"


@pytest.mark.parametrize(
    "flags, want",
    [
        ("", f"{OPT}=77"),
        ("--xla_cpu_use_fusion_emitters=false", f"--xla_cpu_use_fusion_emitters=false {OPT}=77"),
        # an existing list of extra options is extended, not replaced by a second flag
        (
            "--a=1 --xla_backend_extra_options=x_opt=2 --b=3",
            f"--a=1 --xla_backend_extra_options=x_opt=2,{_LOOP_OPTION}=77 --b=3",
        ),
        ("--xla_backend_extra_options=", f"{OPT}=77"),
        # the user's own value wins
        (f"{OPT}=5 --c=1", f"{OPT}=5 --c=1"),
    ],
)
def test_flags_with_loop_threshold(flags, want):
    assert _flags_with_loop_threshold(flags, 77) == want


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "1024", None])
def test_use_loop_kernels_bad_values(bad):
    before = os.environ.get("XLA_FLAGS")
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        use_loop_kernels(bad)
    assert os.environ.get("XLA_FLAGS") == before


def test_use_loop_kernels_after_jax_started_changes_nothing():
    import jax

    jax.numpy.zeros(1).block_until_ready()  # the backend runs
    before = os.environ.get("XLA_FLAGS", "")
    assert use_loop_kernels() is (_LOOP_OPTION in before)
    assert os.environ.get("XLA_FLAGS", "") == before


# Runs one method on 3 seeds and reports whether the event loop was compiled as one kernel
# (XLA:CPU marks such a loop's call ``xla_cpu_small_call``); argv: on|off, out.parquet.
_RUN = """
import re, sys
import numpy as np
from mohb_jax.sim import make_sweep, simulate, use_cpu_cores
on = sys.argv[1] == "on"
assert use_cpu_cores(1, loop_kernels=on) == 1
import pandas as pd
frames = []
for table, method in [("trimtuner_cnn", "epsnet"), ("embedded", "mohb"), ("embedded", "single")]:
    sw = make_sweep(table, method=method, n_workers=4, budget="30x", chunk_size=4)
    hlo = sw._compile(sw.keys(np.arange(4))).as_text()  # the program the sweep runs
    event = [l for l in hlo.splitlines()
             if 'op_name="jit(batched)/while/body/closed_call/jit(run)/while"' in l
             and re.search(r" (while|call)\\(", l)]
    assert event, "the event loop was not found in the compiled program"
    print(table, method, "kernel" if any("xla_cpu_small_call" in l for l in event) else "op-by-op")
    df = simulate(table, method=method, seeds=[0, 5, 7], n_workers=4, budget="30x",
                  progress=False)
    df.attrs = {}
    frames.append(df.assign(case=f"{table}/{method}"))
pd.concat(frames, ignore_index=True).to_parquet(sys.argv[2])
"""


def _run(tmp_path, mode: str) -> tuple[list[str], pd.DataFrame]:
    out = tmp_path / f"{mode}.parquet"
    r = subprocess.run(
        [sys.executable, "-c", _RUN, mode, str(out)],
        env=subprocess_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.strip().splitlines(), pd.read_parquet(out)


def test_event_loop_is_one_kernel_with_bit_identical_frames(tmp_path):
    """With ``use_cpu_cores(loop_kernels=True)`` (the command line's setting) the event loops
    of ε-net MO-ASHA on TrimTuner cnn, synchronous MO-Hyperband and ASHA on the embedded table
    compile as one kernel; without it, op by op; the frames are the same, bit for bit."""
    on_lines, on = _run(tmp_path, "on")
    off_lines, off = _run(tmp_path, "off")
    assert all(line.endswith(" kernel") for line in on_lines), on_lines
    assert all(line.endswith(" op-by-op") for line in off_lines), off_lines
    assert len(on) > 1000 and set(on["case"]) == {
        "trimtuner_cnn/epsnet",
        "embedded/mohb",
        "embedded/single",
    }
    pd.testing.assert_frame_equal(on, off, check_exact=True)


def test_cli_sets_the_threshold_before_jax_starts(tmp_path):
    code = (
        "import os\n"
        "from mohb_jax.cli import _request_cpu_devices\n"
        "_request_cpu_devices('1')\n"
        "print(os.environ['XLA_FLAGS'])\n"
    )
    env = subprocess_env(tmp_path)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"{_LOOP_OPTION}={LOOP_KERNEL_BYTES}" in r.stdout
