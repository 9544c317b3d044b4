"""Oracle tests compiled with XLA's default options, as users' programs are.

The suite compiles with the cheaper options of ``conftest.FAST_COMPILE_XLA_FLAGS`` (the legacy
loop emitters, LLVM without optimisation). Code generation does not change what a program
computes, except where the result depends on how floats round: a value XLA computes twice, in
two kernels, may differ in its last bit between them. This file runs the oracle tests most
exposed to that (exact hypervolume against inclusion-exclusion, the batched 3-D hypervolume
with its probe filter, every ranking method against brute force, the simulator against the
Python event loop) in a fresh process with XLA's default options.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_XLA_FLAGS, USER_XLA_FLAGS

REPO = Path(__file__).resolve().parents[1]

# the JAX kernels' runs ("jax-"): XLA's options do not touch the native CPU kernels
SUBSET = [
    *(
        f"tests/test_hypervolume.py::test_exact_vs_inclusion_exclusion[jax-{m}]"
        for m in (2, 3, 4, 5)
    ),
    *(f"tests/test_hypervolume.py::test_properties[jax-{m}]" for m in (2, 3, 4)),
    "tests/test_hypervolume.py::test_batched_3d_fronts_and_dominated_rungs_vs_moocore[jax-40]",
    "tests/test_pareto.py::test_ranks_match_oracle[jax]",
    *(
        f"tests/test_pareto.py::test_each_method_matches_oracle[{k}]"
        for k in ("dense", "sort1d", "peel2d", "sweep2d", "blocked")
    ),
    "tests/test_lifecycle.py::test_simulator_equals_python_event_loop[resumable-kw0]",
]


@pytest.mark.slow
def test_oracle_subset_passes_with_xla_default_options(tmp_path):
    if not TEST_XLA_FLAGS:
        pytest.skip("this session already compiles with XLA's default options")
    env = dict(
        os.environ,
        MOHB_JAX_TEST_XLA_FLAGS="",  # the child's conftest adds no options
        XLA_FLAGS=USER_XLA_FLAGS,
        MOHB_JAX_TEST_JAX_CACHE=str(tmp_path / "xla"),
    )
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
        + SUBSET,
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    # every test of the subset ran (none deselected, skipped or missing)
    assert f"{len(SUBSET)} passed" in r.stdout.splitlines()[-1], r.stdout[-2000:]
