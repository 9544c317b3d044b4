"""NAS searchers (LaMOO, MTF-PDNS, ε-net evolution): kernels vs brute force, and every searcher
under jit in the simulator proposing only valid, never repeated architectures."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pandas as pd
import pytest

import mohb_jax
from mohb_jax import nas
from mohb_jax._src.nas.lamoo import hv2
from mohb_jax._src.tables.table import table_from_arrays

ALL_CODES = np.array(list(itertools.product(range(5), repeat=6)), np.int32)


def _brute_dominance(y, mask):
    n = len(y)
    out = np.zeros(n, int)
    for i in range(n):
        if not mask[i]:
            continue
        for j in range(n):
            if mask[j] and np.all(y[j] <= y[i]) and np.any(y[j] < y[i]):
                out[i] += 1
    return out


@pytest.mark.parametrize("seed", range(6))
def test_dominance_numbers_and_good_half_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 23
    y = rng.integers(0, 4, size=(n, 2)).astype(np.float32)  # many ties
    mask = rng.random(n) < 0.8
    d = np.asarray(nas.dominance_numbers(jnp.asarray(y), jnp.asarray(mask)))
    ref = _brute_dominance(y, mask)
    np.testing.assert_array_equal(d, ref)
    good = np.asarray(nas.good_labels(jnp.asarray(y), jnp.asarray(mask)))
    members = [i for i in range(n) if mask[i]]
    ordered = sorted(members, key=lambda i: (ref[i], i))  # stable: ties by row
    expect = np.zeros(n, bool)
    expect[ordered[: len(members) // 2]] = True
    np.testing.assert_array_equal(good, expect)


@pytest.mark.parametrize("seed", range(4))
def test_hv2_matches_moocore(seed):
    rng = np.random.default_rng(seed)
    y = rng.random((30, 2)).astype(np.float64)
    mask = rng.random(30) < 0.7
    ref = np.array([1.1, 1.2])
    ours = float(hv2(jnp.asarray(y), jnp.asarray(mask), jnp.asarray(ref)))
    assert ours == pytest.approx(moocore.hypervolume(y[mask], ref=ref), rel=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_novelty_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    d = rng.random((12, 2)).astype(np.float32) * [3.0, 100.0]
    arch_d = rng.random((7, 2)).astype(np.float32) * [3.0, 100.0]
    amask = rng.random(7) < 0.7
    amask[0] = True
    in_arch = rng.random(12) < 0.5
    lo, hi = np.array([0.1, 5.0], np.float32), np.array([2.5, 90.0], np.float32)
    ours = np.asarray(nas.novelty(*map(jnp.asarray, (d, in_arch, arch_d, amask, lo, hi))))
    for i in range(12):
        dist = [
            np.sqrt((((d[i] - arch_d[j]) / (hi - lo)) ** 2).sum()) for j in range(7) if amask[j]
        ]
        expect = np.mean(dist) * (1 if in_arch[i] else -1)
        assert ours[i] == pytest.approx(expect, rel=1e-5)


def _synthetic_table():
    """All 15 625 cells in a shuffled order with made-up objectives (no shared data needed)."""
    rng = np.random.default_rng(0)
    codes = ALL_CODES[rng.permutation(len(ALL_CODES))]
    w = rng.normal(size=(6, 5))
    acc = 80 + (w[np.arange(6), codes]).sum(1) + rng.normal(0, 0.3, len(codes))
    cost = nas.conv_macs_z(codes)
    values = np.stack([acc, cost, np.ones(len(codes))], -1)[None, :, None, None, :]
    configs = pd.DataFrame({f"op{j}": codes[:, j] for j in range(6)})
    table = table_from_arrays(
        values,
        configs=configs,
        objectives={"acc": "max", "cost": "min", "eval_time": "min"},
        tasks=["synthetic"],
        fidelities=[1.0],
        time_objective="eval_time",
        metadata={"op_codes": codes},
    )
    desc = np.stack([-cost + rng.normal(0, 0.1, len(codes)), acc], -1)
    return table, codes, desc


SMALL = {
    "random": {},
    "epsnet_evo": {"capacity": 48, "n_init": 8},
    "lamoo": {"capacity": 48, "n_init": 8, "depth": 2, "n_candidates": 64},
    "pdns": {"archive_capacity": 64},
    "hdnas": {"archive_capacity": 64},
}


def _opts(name, table, desc):
    opts = dict(SMALL[name])
    if name == "pdns":
        opts["descriptors"] = desc
    if name == "hdnas":
        opts["signal"] = -desc[:, 0]
        opts["latency"] = 3.0 + np.asarray(nas.conv_macs_z(table.metadata["op_codes"]))
    return opts


@pytest.mark.parametrize("name", nas.NAS_SEARCHERS)
def test_searcher_runs_in_the_simulator_without_repeats(name):
    table, codes, desc = _synthetic_table()
    s = nas.searcher(name, table, **_opts(name, table, desc))
    B = 40
    df = mohb_jax.simulate(
        table,
        method="random",
        searcher=s,
        seeds=3,
        n_workers=1,
        budget=B + 0.5,
        objectives=("acc", "cost"),
        progress=False,
    )
    for _, g in df.groupby("seed"):
        cfg = g["config"].to_numpy()
        assert len(cfg) == B
        assert len(np.unique(cfg)) == B  # never repeated
        assert cfg.min() >= 0 and cfg.max() < len(codes)
    # different seeds propose differently
    first = df.groupby("seed")["config"].apply(lambda c: tuple(c.to_numpy()[:B]))
    assert len(set(first)) == 3


@pytest.mark.parametrize("name", ["epsnet_evo", "lamoo"])
def test_searcher_under_jit_scan_never_repeats_past_its_capacity(name):
    """A jitted lax.scan loop of propose/observe beyond the history capacity."""
    table, codes, desc = _synthetic_table()
    s = nas.searcher(name, table, **_opts(name, table, desc))
    y = jnp.asarray(np.asarray(table.values[0, :, 0, 0, :2]))

    def step(st, k):
        c, ok, st = s.propose(k, st)
        return s.observe(st, c, 0, y[c]), (c, ok)

    @jax.jit
    def go(key):
        return jax.lax.scan(step, s.init(key), jax.random.split(key, 80))[1]

    c, ok = go(jax.random.key(3))
    c = np.asarray(c)
    assert bool(np.all(ok)) and len(np.unique(c)) == 80


def test_pdns_archive_is_the_front_of_what_it_evaluated():
    _, codes, desc = _synthetic_table()
    core = nas.pdns_search(jax.random.key(0), codes, desc, n_generations=12, archive_capacity=64)
    seen = np.flatnonzero(np.asarray(core.seen))
    assert int(core.n_evals) == 20 * 13
    d = desc[seen]
    expect = {
        int(seen[i])
        for i in range(len(seen))
        if not np.any(np.all(d <= d[i], 1) & np.any(d < d[i], 1))
    }
    got = set(np.asarray(core.archive)[np.asarray(core.archive_mask)].tolist())
    assert got == expect


@pytest.mark.parametrize("seed", range(3))
def test_cost_diversity_matches_brute_force(seed):
    x = np.random.default_rng(seed).random(9).astype(np.float32)
    ours = np.asarray(nas.cost_diversity(jnp.asarray(x)))
    expect = [np.mean([abs(x[a] - x[b]) for b in range(9) if b != a]) for a in range(9)]
    np.testing.assert_allclose(ours, expect, rtol=1e-5)


def test_hdnas_one_run_and_constrained_runs_answer_every_threshold():
    """The constrained run's answer is feasible; HDNAS's archive is the (signal, latency)
    front of what it saw; both give a feasible answer for a loose threshold."""
    table, codes, desc = _synthetic_table()
    sig = -desc[:, 0]
    lat = 3.0 + np.asarray(nas.conv_macs_z(codes))
    core = nas.hdnas_search(jax.random.key(0), codes, sig, lat, 8, archive_capacity=64)
    seen = np.flatnonzero(np.asarray(core.seen))
    d = np.stack([-sig, lat], -1)[seen]
    front = {
        int(seen[i])
        for i in range(len(seen))
        if not np.any(np.all(d <= d[i], 1) & np.any(d < d[i], 1))
    }
    assert set(np.asarray(core.archive)[np.asarray(core.archive_mask)].tolist()) == front
    q = float(np.quantile(lat, 0.5))
    c = jax.jit(nas.make_constrained(codes, sig, lat, 8))(jax.random.key(1), q)
    best = nas.best_feasible(np.flatnonzero(np.asarray(c.seen)), sig, lat, q)
    assert best >= 0 and lat[best] <= q
    assert nas.best_feasible(np.arange(10), sig, lat, -1.0) == -1


def test_lamoo_beats_random_on_a_smooth_synthetic_problem():
    """Mean final HV over 16 seeds: LaMOO's region sampling above uniform sampling."""
    table, codes, _ = _synthetic_table()
    y = np.asarray(table.values[0, :, 0, 0, :2], np.float64)
    ref = y.max(0) + 0.1 * np.ptp(y, 0)
    res = {}
    for name in ("random", "lamoo"):
        s = nas.searcher(name, table, **SMALL[name])
        df = mohb_jax.simulate(
            table, method="random", searcher=s, seeds=16, n_workers=1, budget=40.5,
            objectives=("acc", "cost"), progress=False,
        )  # fmt: skip
        res[name] = np.mean(
            [moocore.hypervolume(y[g["config"].to_numpy()], ref=ref) for _, g in df.groupby("seed")]
        )
    assert res["lamoo"] > res["random"], res


def test_registry_rejects_bad_input():
    table, codes, _ = _synthetic_table()
    with pytest.raises(ValueError, match="unknown NAS searcher"):
        nas.searcher("nope", table)
    with pytest.raises(ValueError, match="15625"):
        nas.searcher("lamoo", codes[:100])
    with pytest.raises(ValueError, match="repeat"):
        nas.searcher("lamoo", np.zeros((15625, 6), np.int32))
    with pytest.raises(ValueError, match="2 objectives"):
        nas.lamoo_searcher(codes, n_objectives=3)
    with pytest.raises(ValueError, match="latency"):
        nas.searcher("hdnas", table)
    with pytest.raises(ValueError, match="descriptors"):
        nas.pdns_searcher(codes, np.zeros((10, 2)))
