"""Tests of the NAS-Bench-201 encoding and the table-driven analogue of MODNAS."""

from __future__ import annotations

import gzip

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from mohb_jax import nas


# ---- NAS-Bench-201 encoding -------------------------------------------------------------------
def test_arch_string_roundtrip_and_one_hot():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(50, 6))
    for c in codes:
        s = nas.arch_string(c)
        assert s.count("~") == 6 and s.startswith("|") and s.endswith("|")
        np.testing.assert_array_equal(nas.parse_arch_string(s), c)
    oh = np.asarray(nas.one_hot(codes))
    assert oh.shape == (50, 6, 5)
    np.testing.assert_array_equal(oh.sum(-1), 1.0)
    np.testing.assert_array_equal(oh.argmax(-1), codes)


def test_decode_gives_valid_cells_for_any_logits():
    logits = jax.random.normal(jax.random.key(0), (200, 6, 5)) * 10
    logits = logits.at[0].set(0.0)  # all ties: lowest op code on every edge
    codes = np.asarray(jax.jit(nas.decode)(logits))
    assert codes.shape == (200, 6) and codes.min() >= 0 and codes.max() <= 4
    np.testing.assert_array_equal(codes[0], 0)
    np.testing.assert_array_equal(codes[1:], np.asarray(logits[1:]).argmax(-1))
    nas.validate_op_codes(codes)


def test_bad_codes_rejected():
    with pytest.raises(ValueError, match=r"shape \[\.\.\., 6\]"):
        nas.validate_op_codes(np.zeros((3, 5), int))
    with pytest.raises(ValueError, match="0..4"):
        nas.validate_op_codes(np.full(6, 5))
    with pytest.raises(ValueError, match="bad edge"):
        nas.parse_arch_string("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    with pytest.raises(ValueError, match="repeat"):
        nas.build_code_to_index(np.zeros((nas.N_ARCHS, 6), int))


def test_arch_index_matches_official_strings(data_dir):
    nb = nas.load_nb201(data_dir)
    idx = np.asarray(jax.jit(lambda c: nas.arch_index(nb, c))(nb.op_codes))
    np.testing.assert_array_equal(idx, np.arange(nas.N_ARCHS))
    with gzip.open(data_dir / "nasbench201" / "archs.csv.gz", "rt") as f:
        df = pd.read_csv(f)
    for i in range(0, nas.N_ARCHS, 311):  # independent oracle: the benchmark's own strings
        assert nas.arch_string(np.asarray(nb.op_codes[i])) == df.arch_str[i]
        assert int(nas.arch_index(nb, nas.parse_arch_string(df.arch_str[i]))) == i
    assert set(
        nas.MODNAS_TRAIN_DEVICES + nas.MODNAS_VALID_DEVICES + nas.MODNAS_TEST_DEVICES
    ) <= set(nb.devices)
    assert nb.objectives("raspi4").shape == (nas.N_ARCHS, 2)
    with pytest.raises(ValueError, match="unknown device"):
        nb.latency("abacus")
    with pytest.raises(ValueError, match="unknown dataset"):
        nas.load_nb201(data_dir, dataset="mnist")
    assert float(jnp.min(nb.error)) > 0.0


# ---- MGD min-norm solver ----------------------------------------------------------------------
def _brute_force_min_norm(g):
    """min |sum a_k g_k|^2 over the simplex: a fine grid (K=2, 3) refined by SLSQP."""
    from scipy.optimize import minimize

    k = g.shape[0]
    gram = g @ g.T
    t = np.linspace(0, 1, 401)
    if k == 2:
        cand = np.stack([t, 1 - t], -1)
    else:
        a, b = np.meshgrid(t, t, indexing="ij")
        ok = a + b <= 1
        cand = np.stack([a[ok], b[ok], 1 - a[ok] - b[ok]], -1)
    vals = np.einsum("ni,ij,nj->n", cand, gram, cand)
    x0 = cand[vals.argmin()]
    res = minimize(
        lambda x: x @ gram @ x,
        x0,
        jac=lambda x: 2 * gram @ x,
        bounds=[(0, 1)] * k,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
        method="SLSQP",
        options={"ftol": 1e-14},
    )
    return min(vals.min(), res.fun)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_mgd_min_norm_matches_brute_force_qp(k, seed):
    from mohb_jax._src.nas.mgd import min_norm_combine

    rng = np.random.default_rng(seed)
    g = rng.normal(size=(k, 7))
    if seed % 3 == 0:  # make the min-norm point an interior one / a vertex / an edge
        g[1] = -0.5 * g[0] + 0.1 * rng.normal(size=7)
    d, alpha = jax.jit(lambda x: min_norm_combine(x, normalize="none", n_iter=2000))(jnp.asarray(g))
    alpha = np.asarray(alpha, np.float64)
    assert alpha.min() >= -1e-7 and abs(alpha.sum() - 1) < 1e-5
    np.testing.assert_allclose(np.asarray(d), alpha @ g, atol=1e-5)
    best = _brute_force_min_norm(g)
    val = float(np.sum((alpha @ g) ** 2))
    assert val <= best + 1e-4 * max(1.0, best), (val, best)
    # the min-norm direction is a common descent direction: <d, g_k> >= |d|^2 for all k
    assert np.all(g @ (alpha @ g) >= val - 1e-3)


def test_mgd_rejects_bad_input():
    from mohb_jax._src.nas.mgd import min_norm_combine

    with pytest.raises(ValueError, match="normalize"):
        min_norm_combine(jnp.ones((2, 3)), normalize="l1")
    with pytest.raises(ValueError, match=r"\[K, P\]"):
        min_norm_combine(jnp.ones(3))


# ---- scoring against moocore ------------------------------------------------------------------
def test_front_mask_and_scores_match_moocore():
    import moocore

    from mohb_jax._src.nas.modnas import front_mask_2d
    from mohb_jax._src.nas.modnas_eval import device_truth, score_indices

    rng = np.random.default_rng(3)
    n = 3000  # a synthetic "space" (scoring does not depend on its size)
    err = rng.integers(0, 40, n).astype(np.float32)  # ties on purpose
    lat = rng.integers(0, 60, n).astype(np.float32) + err[::-1] * 0.5
    y = np.stack([err, lat], -1)
    on = np.asarray(front_mask_2d(jnp.asarray(y)))
    ref_on = moocore.is_nondominated(y, keep_weakly=False)
    # of exact duplicates on the front, we keep one; moocore (keep_weakly=False) keeps one too
    np.testing.assert_array_equal(np.unique(y[on], axis=0), np.unique(y[ref_on], axis=0))
    assert on.sum() == len(np.unique(y[on], axis=0))
    truth = device_truth(err, lat)
    yn = np.asarray(truth.y)
    front = np.unique(yn[ref_on], axis=0)
    for _ in range(5):
        idx = rng.choice(n, 60)  # with repeats
        sc = jax.jit(score_indices)(truth, jnp.asarray(idx))
        hv_ref = moocore.hypervolume(yn[idx], ref=np.ones(2)) / moocore.hypervolume(
            front, ref=np.ones(2)
        )
        np.testing.assert_allclose(float(sc.hv_frac), hv_ref, rtol=1e-5)
        np.testing.assert_allclose(float(sc.igd), moocore.igd(yn[idx], ref=front), rtol=1e-5)
        np.testing.assert_allclose(
            float(sc.igd_plus), moocore.igd_plus(yn[idx], ref=front), rtol=1e-5
        )
        assert int(sc.n_distinct) == len(np.unique(idx))
    full = score_indices(truth, jnp.arange(n))
    np.testing.assert_allclose(float(full.hv_frac), 1.0, rtol=1e-6)
    assert float(full.igd) == 0.0 and float(full.igd_plus) == 0.0


# ---- the analogue on a synthetic table with a known optimum -----------------------------------
_COSTS = {  # per-op latency on each synthetic device: none, skip, conv1x1, conv3x3, avgpool
    "a": [0.01, 0.3, 0.5, 2.0, 0.4],
    "b": [0.01, 0.4, 1.0, 1.5, 0.8],
    "c": [0.01, 0.5, 0.3, 3.0, 0.7],
    "u": [0.01, 0.45, 0.6, 2.2, 0.6],  # never trained on
}


def _synthetic_nb201():
    from mohb_jax._src.nas.modnas import all_op_codes

    codes = np.asarray(all_op_codes())
    n3 = (codes == 3).sum(1)
    n1 = (codes == 2).sum(1)
    error = 40.0 - 5.0 * n3 - 1.5 * n1  # best: all conv3x3 (10 %), next 14 %
    lat = np.stack([np.asarray(c)[codes].sum(1) + 0.1 for c in _COSTS.values()], -1)
    return nas.NB201Arrays(
        op_codes=jnp.asarray(codes, jnp.int32),
        error=jnp.asarray(error, jnp.float32),
        latency_ms=jnp.asarray(lat, jnp.float32),
        devices=tuple(_COSTS),
        code_to_index=jnp.arange(nas.N_ARCHS, dtype=jnp.int32),
        dataset="synthetic",
        accuracy="test",
    )


def test_predictors_and_hypernetwork_find_known_optimum():
    from scipy.stats import spearmanr

    from mohb_jax._src.nas import modnas as M

    nb = _synthetic_nb201()
    data = M.make_training_data(
        jax.random.key(0), nb, ("a", "b", "c"), n_acc_archs=400, n_lat_archs=400
    )
    m = M.modnas(hidden=32, hnet_hidden=32, pred_steps=500, hnet_steps=300, n_intervals=11)
    model, info = m.fit(jax.random.key(1), data)
    assert info.loss.shape == (300, 3) and np.all(np.isfinite(np.asarray(info.loss)))
    np.testing.assert_allclose(np.asarray(info.alpha).sum(1), 1.0, atol=1e-5)
    x = nas.one_hot(nb.op_codes)
    for d in ("a", "u"):  # a training device and the unseen one
        emb = M.device_embedding(M.reference_latencies(nb, d))
        z, lat = m.predict(model.predictors, x, emb)
        assert spearmanr(np.asarray(z), np.asarray(nb.error))[0] > 0.9
        assert spearmanr(np.asarray(lat), np.asarray(nb.latency(d)))[0] > 0.9
        f = m.front_for(model, emb, 2)  # rays (0, 1): latency only; (1, 0): error only
        np.testing.assert_array_equal(np.asarray(f.op_codes[0]), 0)  # all none: fastest
        np.testing.assert_array_equal(np.asarray(f.op_codes[1]), 3)  # all conv3x3: best
        assert float(f.pred_error[1]) < float(f.pred_error[0])


def test_device_embedding_is_unit_free_and_validated():
    from mohb_jax._src.nas.modnas import device_embedding

    lat = np.array([8.0, 19.5, 2.8, 20.1, 25.8, 25.6, 24.4, 57.1, 10.5, 98.9])
    np.testing.assert_allclose(device_embedding(lat), device_embedding(lat / 1000), atol=1e-5)
    with pytest.raises(ValueError, match="10 reference"):
        device_embedding(lat[:9])
    with pytest.raises(ValueError, match="> 0"):
        device_embedding(np.where(np.arange(10) == 3, 0.0, lat))


def test_zero_shot_split_never_touches_unseen_devices(data_dir):
    """Poison the 6 unseen devices' latencies with NaN: the trainer's data and every trained
    parameter must be bit-identical to the clean run (and finite)."""
    from mohb_jax._src.nas import modnas as M

    nb = nas.load_nb201(data_dir)
    cols = [nb.device_column(d) for d in nas.MODNAS_TEST_DEVICES]
    poisoned = nb._replace(latency_ms=nb.latency_ms.at[:, jnp.asarray(cols)].set(jnp.nan))
    m = M.modnas(hidden=16, hnet_hidden=16, pred_steps=30, hnet_steps=10, pred_batch=64)
    out = []
    for table in (nb, poisoned):
        data = M.make_training_data(jax.random.key(0), table, n_acc_archs=50, n_lat_archs=50)
        assert data.devices == M.MODNAS_SEARCH_DEVICES
        assert not set(data.devices) & set(nas.MODNAS_TEST_DEVICES)
        out.append((data._replace(devices=()), m.fit(jax.random.key(1), data)))
    for a, b in zip(
        jax.tree_util.tree_leaves(out[0]), jax.tree_util.tree_leaves(out[1]), strict=True
    ):
        a, b = np.asarray(a), np.asarray(b)
        assert np.all(np.isfinite(a)) and np.array_equal(a, b)
    with pytest.raises(ValueError, match="unknown device"):
        M.make_training_data(jax.random.key(0), nb, ("1080ti_1", "abacus"))


def test_evolutionary_search_evaluates_distinct_cells(data_dir):
    from mohb_jax._src.nas.modnas_eval import device_truth, evolutionary_search, score_indices

    nb = nas.load_nb201(data_dir)
    truth = device_truth(nb.error, nb.latency("raspi4"))
    run = jax.jit(
        jax.vmap(
            lambda k: evolutionary_search(k, truth.y, nb.op_codes, nb.code_to_index, 40, n_init=10)
        )
    )
    hist = np.asarray(run(jax.random.split(jax.random.key(0), 4)))
    assert hist.shape == (4, 40) and hist.min() >= 0 and hist.max() < nas.N_ARCHS
    assert all(len(np.unique(h)) == 40 for h in hist)
    sc = score_indices(truth, jnp.asarray(hist[0]))
    assert 0.0 < float(sc.hv_frac) <= 1.0 + 1e-6
