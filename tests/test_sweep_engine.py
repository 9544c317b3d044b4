"""The chunked, vmapped sweep engine on a small toy simulator (independent of the schedulers).

The toy simulator follows the driver contract (``run(key, data)`` pure and fixed-size,
``to_frame(out, seed)``) with a key-dependent number of loop steps, like the real event loop.
The same properties are tested on the real driver in ``test_sweep.py``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from mohb_jax._src.sim.sweep import Sweep, budget_seconds, parse_seeds, reference_point_for
from mohb_jax._src.tables.table import Table

R = 16  # result capacity of the toy run


def toy_table() -> Table:
    C, F = 6, 3
    rng = np.random.default_rng(0)
    v = rng.uniform(0.1, 1.0, (1, C, 1, F, 2))
    v[..., 1] = np.cumsum(v[..., 1], axis=-1)  # cumulative time
    return Table(
        name="toy",
        values=v,
        mask=np.ones((1, C, 1, F), bool),
        configs=pd.DataFrame({"lr": np.linspace(0.1, 0.6, C), "time": np.arange(C)}),
        encoded=np.zeros((C, 1), np.float32),
        fidelities=np.array([1.0, 2.0, 4.0]),
        objectives=("err", "time_s"),
        directions=("min", "min"),
        tasks=("t0",),
        time_objective="time_s",
        metadata={"default_objectives": ["err", "time_s"], "reference_point": [2.0, 10.0]},
    )


class ToyOut(NamedTuple):
    config: jax.Array  # int32[R]
    t: jax.Array  # float32[R]
    y: jax.Array  # float32[R, 2]
    valid: jax.Array  # bool[R]


class ToySim:
    def __init__(self, table):
        self.data = jnp.asarray(table.values[0, :, 0, -1, :], jnp.float32)  # [C, 2]

    def run(self, key, data):
        n = jax.random.randint(key, (), 3, R + 1)  # key-dependent trip count

        def body(c):
            i, k, out = c
            k, sub = jax.random.split(k)
            cfg = jax.random.randint(sub, (), 0, data.shape[0])
            t = out.t[jnp.maximum(i - 1, 0)] + data[cfg, 1]
            out = ToyOut(
                out.config.at[i].set(cfg),
                out.t.at[i].set(t),
                out.y.at[i].set(data[cfg]),
                out.valid.at[i].set(True),
            )
            return i + 1, k, out

        init = ToyOut(jnp.zeros(R, jnp.int32), jnp.zeros(R), jnp.zeros((R, 2)), jnp.zeros(R, bool))
        _, _, out = jax.lax.while_loop(lambda c: c[0] < n, body, (0, key, init))
        return out

    def to_frame(self, out, seed):
        v = np.asarray(out.valid)
        y = np.asarray(out.y)[v]
        return pd.DataFrame(
            {
                "seed": seed,
                "trial": np.arange(v.sum()),
                "config": np.asarray(out.config)[v],
                "fidelity_index": 2,
                "fidelity": 4.0,
                "err": y[:, 0],
                "time_s": y[:, 1],
                "time": np.asarray(out.t)[v],
                "cost": np.nan,
                "decision": "done",
            }
        )


def make(chunk_size, devices=None, batch="vmap"):
    t = toy_table()
    return Sweep(
        ToySim(t),
        table=t,
        task=0,
        label="toy",
        method="toy",
        options={},
        objectives=["err", "time_s"],
        budget=10.0,
        n_workers=1,
        chunk_size=chunk_size,
        devices=devices or jax.devices()[:1],
        batch=batch,
    )


@pytest.fixture(scope="module")
def sw3():
    return make(chunk_size=3)


def test_vmapped_equals_single_and_chunking_invariant(sw3):
    seeds = np.array([0, 3, 7, 11, 12, 40, 41])
    sw = sw3
    df = sw.frame(seeds, progress=False)
    assert sw.n_traces == 1  # 3 chunks (3, 3, 1 padded to 3): one compilation
    assert len(sw._compiled) == 1  # one executable, compiled ahead of time
    single = jax.jit(sw.sim.run)
    for s in seeds:
        ref = sw.sim.to_frame(single(jax.random.key(int(s)), sw.sim.data), seed=int(s))
        got = df[df["seed"] == s].reset_index(drop=True)
        for c in ref.columns:
            np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(), err_msg=c)
    df2 = make(chunk_size=5, batch="map").frame(seeds, progress=False)
    df3 = make(chunk_size=4, batch=2).frame(seeds, progress=False)
    df2.attrs = df3.attrs = df.attrs = {}
    pd.testing.assert_frame_equal(df, df2)
    pd.testing.assert_frame_equal(df, df3)


def test_bad_batch_mode():
    with pytest.raises(ValueError, match="batch"):
        make(chunk_size=2, batch="pmap")


def test_frame_columns_and_metadata(sw3):
    df = sw3.frame("0:5", progress=False)
    assert sw3.n_traces == 1  # still the same compiled function
    assert list(df.columns[:3]) == ["benchmark", "task", "method"]
    assert (df["benchmark"] == "toy").all() and (df["task"] == "t0").all()
    # hyperparameters joined on config; 'time' clashes with the simulated time -> hp_time
    np.testing.assert_allclose(df["lr"], np.linspace(0.1, 0.6, 6)[df["config"]])
    np.testing.assert_array_equal(df["hp_time"], df["config"])
    meta = df.attrs["mohb_jax"]
    assert meta["seeds"] == [0, 1, 2, 3, 4]
    assert meta["reference_point"] == [2.0, 10.0]
    assert meta["config_columns"] == ["lr", "hp_time"]
    assert meta["versions"]["jax"] == jax.__version__


def test_sharded_over_devices_equals_single_device():
    devs = jax.devices()
    if len(devs) < 2:
        pytest.skip("one device; run with XLA_FLAGS=--xla_force_host_platform_device_count=2")
    seeds = np.arange(9)
    b = make(chunk_size=4, devices=devs[:1]).frame(seeds, progress=False)
    for batch in ("vmap", "map"):
        a = make(chunk_size=4, devices=devs, batch=batch).frame(seeds, progress=False)
        a.attrs = b.attrs = {}
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow
def test_sharded_subprocess_two_devices():
    """Sharding over 2 virtual CPU devices gives the same rows (fresh process: XLA_FLAGS)."""
    import os
    import subprocess
    import sys

    from conftest import xla_flags

    code = (
        "import jax, numpy as np, pandas as pd, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "import test_sweep_engine as t\n"
        "assert len(jax.devices()) == 2, jax.devices()\n"
        "t.test_sharded_over_devices_equals_single_device()\n"
        "sw = t.make(chunk_size=3, devices=jax.devices())\n"
        "assert sw.chunk_size == 4\n"
        "print('ok')\n"
    )
    env = dict(os.environ, XLA_FLAGS=xla_flags("--xla_force_host_platform_device_count=2"))
    r = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        timeout=120,
    )
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-2000:]


@pytest.mark.parametrize(
    "seeds, match",
    [
        (-1, "positive"),
        (0, "positive"),
        ([0, -3], "0.."),
        ([2**32], "0.."),
        ([1, 1], "duplicates"),
        ("5:5", "no seeds"),
        ("a:b", "cannot parse"),
        ([1.5], "integers"),
    ],
)
def test_bad_seeds(seeds, match):
    with pytest.raises(ValueError, match=match):
        parse_seeds(seeds)


def test_parse_seeds_forms():
    np.testing.assert_array_equal(parse_seeds(3), [0, 1, 2])
    np.testing.assert_array_equal(parse_seeds("2:5"), [2, 3, 4])
    np.testing.assert_array_equal(parse_seeds("1,9"), [1, 9])
    np.testing.assert_array_equal(parse_seeds(range(4, 6)), [4, 5])


def test_budget():
    t = toy_table()
    assert budget_seconds(t, 12.5) == 12.5
    mean_t = t.values[0, :, 0, -1, 1].mean()
    np.testing.assert_allclose(budget_seconds(t, "100x", n_workers=4), 100 * mean_t / 4)
    for bad in (0, -1.0, float("nan"), "0x", "abc", "-2x"):
        with pytest.raises(ValueError, match="budget"):
            budget_seconds(t, bad)


def test_reference_point_from_metadata_or_rule():
    t = toy_table()
    np.testing.assert_allclose(reference_point_for(t, ["time_s"]), [10.0])
    t2 = t.replace(metadata={}, ref_point=None)  # no stored point: the rule
    v = t.values[..., 0]
    want = v.max() + 0.1 * (v.max() - v.min())
    np.testing.assert_allclose(reference_point_for(t2, ["err"]), [want])
