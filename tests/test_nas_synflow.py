"""The NAS-Bench-201 JAX network (params, FLOPs) and synflow (invariances, exactness, cache)."""

from __future__ import annotations

import gzip
import itertools
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import spearmanr

from mohb_jax._src.nas import nb201_net as net
from mohb_jax._src.nas.nb201_task import DATASETS, load_synflow
from mohb_jax._src.nas.synflow import _mean_abs, expected_synflow, synflow_per_weight


def _count_archs():
    """One architecture per (#conv3x3, #conv1x1, #pool) combination, rest skip/none mixed."""
    out = []
    for n3, n1, npl in itertools.product(range(7), repeat=3):
        rest = 6 - n3 - n1 - npl
        if rest < 0:
            continue
        a = [3] * n3 + [2] * n1 + [4] * npl + [1, 0] * 3
        out.append(a[:6])
    return np.array(out)


# NAS-Bench-Suite-Zero's linear fits (independent of the network code), per dataset:
# params (M) = p0 + 0.24304 n3 + 0.028 n1; FLOPs (M) = f0 + c3 n3 + c1 n1 + cp np
PARAMS0 = {"cifar10": 0.073306, "cifar100": 0.079156, "ImageNet16-120": 0.080456}
FLOPS = {
    "cifar10": (7.943872, 35.81952, 4.36224, 1.29024),
    "cifar100": (7.949632, 35.81952, 4.36224, 1.29024),
    "ImageNet16-120": (1.993792, 8.95488, 1.09056, 0.32256),
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_params_and_flops_equal_the_published_formulas(dataset):
    archs = _count_archs()
    assert len(archs) == 84
    k, size = net.NUM_CLASSES[dataset], net.INPUT_SIZE[dataset]
    f0, c3, c1, cp = FLOPS[dataset]
    for a in archs:
        n3, n1, npl = int((a == 3).sum()), int((a == 2).sum()), int((a == 4).sum())
        assert net.param_count(a, k) == round(1e6 * (PARAMS0[dataset] + 0.24304 * n3 + 0.028 * n1))
        ours = net.flop_count(a, k, size) - net.flop_count([0] * 6, k, size)
        assert ours == round(1e6 * (c3 * n3 + c1 * n1 + cp * npl))  # every per-op coefficient
    # the arch-independent constant: documented offset (1088 / 576 MACs below the published)
    base = net.flop_count([0] * 6, k, size)
    assert round(f0 * 1e6) - base == (1088 if size == 32 else 576)


_PER_WEIGHT = jax.jit(synflow_per_weight, static_argnums=2)  # one compilation per input size

#: input size of the tests of the network's paths (which weights carry flow, invariances):
#: they hold for any size, and 8x8 keeps the convolutions 16 times cheaper than CIFAR's 32x32
PATH_SIZE = 8


def _syn(params, arch, size=32):
    per = _PER_WEIGHT(params, jnp.asarray(arch), size)
    return float(sum(jnp.sum(v) for k, v in per.items() if k != "fc_b"))


def test_param_count_equals_the_weights_the_network_uses():
    """The conv/linear weights that carry synflow in the real network (cells connected to the
    input) plus BN affine parameters and the classifier bias equal param_count."""
    params = net.init_params(jax.random.key(1), 10)
    bn = 2 * (16 + 32 + 32 + 64 + 64 + 64)  # stem, res blocks (2 each), last BN
    for a in ([3, 3, 3, 3, 3, 3], [2, 1, 3, 1, 2, 3], [1, 1, 1, 1, 1, 1], [3, 0, 2, 0, 0, 3]):
        per = _PER_WEIGHT(params, jnp.asarray(a), PATH_SIZE)
        used = sum(int(jnp.sum(per[k] != 0)) for k in per if k != "fc_b") + 10  # + fc bias
        n_conv = sum(1 for op in a if op in (2, 3))
        cell_bn = 5 * 2 * (16 + 32 + 64) * n_conv
        assert used + bn + cell_bn == net.param_count(a, 10), a


def test_network_flops_match_the_table_for_every_arch(data_dir):
    z = np.load(data_dir / "nasbench201" / "nasbench201_dense.npz")
    codes = z["op_codes"].astype(np.int64)
    for t, ds in enumerate(DATASETS):
        offset = (1088 if ds != "ImageNet16-120" else 576) / 1e6  # documented constant
        ours = net.op_count_flops(codes, ds) + offset
        np.testing.assert_allclose(ours, z["flops_m"][t], rtol=2e-7)  # table stores float32


def test_synflow_invariances():
    params = net.init_params(jax.random.key(0), 10)
    arch = [3, 1, 2, 4, 3, 1]
    s = _syn(params, arch, size=PATH_SIZE)
    assert s > 0
    # signs do not matter (weights are made positive)
    flipped = dict(params, res0_a=-params["res0_a"])
    assert _syn(flipped, arch, size=PATH_SIZE) == pytest.approx(s, rel=1e-5)
    # every input-output path crosses the classifier: scaling it by a scales the score by a
    assert _syn(dict(params, fc_w=3.0 * params["fc_w"]), arch, size=PATH_SIZE) == pytest.approx(
        3 * s, rel=1e-5
    )
    # ... and crosses the stem: scaling the stem by a and the classifier by 1/a changes nothing
    moved = dict(params, stem=4.0 * params["stem"], fc_w=params["fc_w"] / 4.0)
    assert _syn(moved, arch, size=PATH_SIZE) == pytest.approx(s, rel=1e-5)
    # a disconnected cell (node 3 unreachable) has no flow
    assert _syn(params, [3, 3, 3, 0, 0, 0], size=PATH_SIZE) == 0.0


def test_expected_synflow_equals_the_full_network_at_mean_weights():
    """The channel-reduced computation equals the full conv network whose every weight is its
    layer's mean |w| (two independent computations of the same quantity)."""
    params = net.init_params(jax.random.key(0), 10)

    def fan_in(name, w):
        return w.shape[0] if name.startswith("fc") else int(np.prod(w.shape[-4:-1]))

    mean_p = {k: jnp.full_like(w, _mean_abs(fan_in(k, w))) for k, w in params.items()}
    archs = np.array([[3, 1, 2, 4, 3, 1], [2, 2, 2, 2, 2, 2], [4, 0, 3, 1, 0, 2]])
    ours = expected_synflow(archs, "cifar10")
    for a, o in zip(archs, ours, strict=True):
        assert float(o) == pytest.approx(np.log(_syn(mean_p, a)), abs=2e-3)


def test_expected_synflow_rejects_bad_input():
    with pytest.raises(ValueError, match="dataset"):
        expected_synflow(np.zeros((1, 6), int), "mnist")
    with pytest.raises(ValueError, match="op codes"):
        expected_synflow(np.full((1, 6), 5), "cifar10")


def test_cached_synflow_matches_a_recomputation_and_the_published_subset(data_dir):
    z = np.load(data_dir / "nasbench201" / "nasbench201_dense.npz")
    codes = z["op_codes"].astype(np.int32)
    cache = load_synflow(codes)
    pick = np.random.default_rng(0).choice(len(codes), 32, replace=False)
    np.testing.assert_allclose(expected_synflow(codes[pick], "cifar100"), cache[1, pick], rtol=1e-6)
    with gzip.open(data_dir / "nasbench201" / "zc_nasbench201_subset.json.gz") as f:
        zc = json.load(f)
    lut = {tuple(r): i for i, r in enumerate(codes)}
    remap = {0: 1, 1: 0, 2: 3, 3: 2, 4: 4}  # NASLib op codes -> ours
    for t, ds in enumerate(DATASETS):
        idx, ref = [], []
        for key, v in zc[ds].items():
            ours = np.empty(6, int)
            ours[[0, 1, 3, 2, 4, 5]] = [remap[int(c)] for c in key.strip("()").split(",")]
            idx.append(lut[tuple(ours)])
            ref.append(v["synflow"]["score"])
        assert len(idx) >= 724
        rho = spearmanr(cache[t, idx], ref).statistic
        assert rho >= 0.95, (ds, rho)
