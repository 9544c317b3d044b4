"""Sweeps on every core: seeds sharded over CPU devices give the frames of one device.

The multi-device runs need a fresh process (JAX's number of CPU devices is fixed at its first
operation), so they run in subprocesses; the argument checks run here.
"""

from __future__ import annotations

import subprocess
import sys

import jax
import pandas as pd
import pytest
from conftest import subprocess_env, xla_flags

from mohb_jax._src.sim.sweep import select_devices
from mohb_jax.cli import main
from mohb_jax.sim import simulate, use_cpu_cores


@pytest.mark.parametrize(
    "n, match",
    [(0, "at least 1"), (-2, "at least 1"), (True, "positive integer"), ("2", "positive integer")],
)
def test_n_devices_bad_values(n, match):
    with pytest.raises(ValueError, match=match):
        select_devices(n)
    with pytest.raises(ValueError, match=match):  # before the table is loaded or anything runs
        simulate("no_such_table", seeds=2, n_devices=n)


def test_more_devices_than_exist_says_how_to_get_them():
    n = len(jax.devices()) + 1
    with pytest.raises(ValueError, match=rf"n_devices={n} but only {n - 1} cpu device") as e:
        simulate("embedded", seeds=2, n_devices=n)
    assert f"use_cpu_cores({n})" in str(e.value)
    assert f"xla_force_host_platform_device_count={n}" in str(e.value)


def test_use_cpu_cores_after_jax_started():
    have = len(jax.devices("cpu"))
    assert use_cpu_cores(have) == have  # what exists: fine
    with pytest.raises(ValueError, match="already runs with"):
        use_cpu_cores(have + 1)
    with pytest.raises(ValueError, match="positive integer"):
        use_cpu_cores(0)


def test_cli_devices_bad_values(tmp_path, capsys):
    for bad, match in (("0", "--devices must be"), ("two", "--devices must be"), ("4096", "exist")):
        out = tmp_path / bad
        rc = main(["sweep", "--benchmark", "embedded", "--devices", bad, "--out", str(out)])
        cap = capsys.readouterr()
        assert rc == 2 and match in cap.err, cap.err
        assert "simulated" not in cap.out and not (out / "results.parquet").exists()


ONE_VS_TWO = """
import os, sys
import pandas as pd
from mohb_jax.sim import simulate, use_cpu_cores
assert use_cpu_cores(2) == 2
import jax
assert len(jax.devices()) == 2, jax.devices()
# the command line's compilation cache: its 2-device sweep below compiles nothing
jax.config.update("jax_compilation_cache_dir", os.environ["MOHB_JAX_CACHE"] + "/xla")
kw = dict(method="epsnet", seeds=[0, 3, 4, 9, 11], n_workers=3, budget="10x", progress=False)
one = simulate("embedded", n_devices=1, **kw)
two = simulate("embedded", **kw)
assert one.attrs["mohb_jax"]["devices"] == 1 and two.attrs["mohb_jax"]["devices"] == 2
one.attrs = two.attrs = {}
pd.testing.assert_frame_equal(one, two)
one.to_parquet(sys.argv[1])
print("ok", len(one))
"""


def test_two_devices_bit_identical_and_cli_uses_them(tmp_path):
    """5 seeds (an odd count: the device shards are padded) of ε-net MO-ASHA on the embedded
    table: 2 CPU devices (the sharded ``lax.map``) give the frame of 1 device, row for row;
    the command line with ``--devices 2`` runs on 2 devices, same rows."""
    ref = tmp_path / "one.parquet"
    r = subprocess.run(
        [sys.executable, "-c", ONE_VS_TWO, str(ref)],
        env=subprocess_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-3000:]
    out = tmp_path / "cli"
    argv = [sys.executable, "-m", "mohb_jax.cli", "sweep", "--benchmark", "embedded"]
    argv += ["--method", "epsnet", "--seeds", "0,3,4,9,11", "--n-workers", "3", "--budget"]
    argv += ["10x", "--devices", "2", "--no-plot", "--no-progress", "--out", str(out)]
    r = subprocess.run(
        argv, env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "on 2 cpu device(s)" in r.stdout
    one = pd.read_parquet(ref)
    cli = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(cli[one.columns], one)


_COPULA_ON_TWO_DEVICES = """
import os
import warnings
import jax
import numpy as np
import mohb_jax
from mohb_jax import tables, transfer

assert len(jax.devices()) == 2
# a persistent compilation cache: the one-device run after the fallback reuses the first's program
jax.config.update("jax_compilation_cache_dir", os.environ["MOHB_JAX_CACHE"] + "/xla")
tb = tables.load_benchmark("embedded")
fit = transfer.fit_source(tb, tb.tasks[0])
s = transfer.copula_searcher_for(tb, fit, n_candidates=16)
a = mohb_jax.simulate(tb, task=tb.tasks[1], searcher=s, seeds=4, budget="10x", progress=False)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    b = mohb_jax.simulate(
        tb, task=tb.tasks[1], searcher=s, seeds=4, budget="10x", progress=False, n_devices=2
    )
assert any("deadlocks" in str(x.message) for x in w), [str(x.message) for x in w]
r = mohb_jax.simulate(tb, task=tb.tasks[1], seeds=4, budget="10x", progress=False)
print(*(f.attrs["mohb_jax"]["devices"] for f in (a, b, r)))
print(bool(a.equals(b)))
"""


def test_lapack_program_runs_on_one_device_instead_of_hanging(tmp_path):
    # Several XLA:CPU devices running a program with LAPACK custom calls (the copula searcher's
    # GP) deadlocked; such a run must finish, on one device, and say so when 2 were asked for.
    r = subprocess.run(
        [sys.executable, "-c", _COPULA_ON_TWO_DEVICES],
        env={
            **subprocess_env(tmp_path),
            "XLA_FLAGS": xla_flags("--xla_force_host_platform_device_count=2"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.strip().splitlines()
    assert lines[-2].split() == ["1", "1", "2"], lines
    assert lines[-1] == "True"
