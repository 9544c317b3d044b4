"""The Pareto kernels' compiler options (``mohb_jax._src.compile``)."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import moocore
import numpy as np
import pytest

from mohb_jax._src import pareto as P
from mohb_jax._src.compile import _host_has_avx512, vector_width_options


@pytest.mark.parametrize(
    "env, avx512, want",
    [
        (None, True, {"xla_cpu_prefer_vector_width": 512}),
        (None, False, {}),
        ("", True, {"xla_cpu_prefer_vector_width": 512}),
        ("256", True, {"xla_cpu_prefer_vector_width": 256}),
        (" 512 ", False, {"xla_cpu_prefer_vector_width": 512}),
        ("DEFAULT", True, {}),
    ],
)
def test_vector_width_choice(env, avx512, want, monkeypatch):
    monkeypatch.delenv("MOHB_JAX_VECTOR_WIDTH", raising=False)
    if env is not None:
        monkeypatch.setenv("MOHB_JAX_VECTOR_WIDTH", env)
    assert vector_width_options(has_avx512=avx512) == want


def test_vector_width_bad_value_names_the_variable():
    with pytest.raises(ValueError, match=r"MOHB_JAX_VECTOR_WIDTH='1024'.*256, 512, default"):
        vector_width_options(env="1024")


def test_bad_vector_width_fails_at_import():
    env = {**os.environ, "MOHB_JAX_VECTOR_WIDTH": "wide"}
    r = subprocess.run(
        [sys.executable, "-c", "import mohb_jax.pareto"], env=env, capture_output=True, text=True
    )
    assert r.returncode != 0
    assert "MOHB_JAX_VECTOR_WIDTH='wide'" in r.stderr


def test_cpuinfo_flags(tmp_path):
    with_f, without = tmp_path / "a", tmp_path / "b"
    with_f.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512bw\n")
    without.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512_vnni\n")
    assert _host_has_avx512(str(with_f))
    assert not _host_has_avx512(str(without))  # a flag that only starts with avx512 is not F
    assert not _host_has_avx512(str(tmp_path / "missing"))


@pytest.mark.parametrize("width", [256, 512])
@pytest.mark.parametrize("m", [2, 3])
def test_ranks_under_each_width_match_moocore(width, m):
    """The batched kernel compiled for either vector width ranks as moocore does (ties,
    duplicates and masked rows included)."""
    rng = np.random.default_rng(width + m)
    y = rng.integers(0, 6, size=(40, 64, m)).astype(np.float32)  # many ties and duplicates
    mask = rng.random((40, 64)) > 0.2
    f = jax.jit(P._ranks_batch, compiler_options={"xla_cpu_prefer_vector_width": width})
    got = np.asarray(f(P._keys(jnp.asarray(y)), jnp.asarray(mask)))
    for b in range(len(y)):
        want = moocore.pareto_rank(y[b][mask[b]])
        np.testing.assert_array_equal(got[b][mask[b]], want)


def test_wide_jit_runs_eagerly_and_nested(monkeypatch):
    """JAX refuses ``compiler_options`` on a nested jit: a kernel made by ``wide_jit`` must
    work when called eagerly, inside the caller's ``jit`` and under ``vmap`` alike."""
    from mohb_jax._src import compile as C

    monkeypatch.setattr(C, "WIDE_OPTIONS", {"xla_cpu_prefer_vector_width": 512})
    kern = C.wide_jit(P._ranks_batch, static_argnames=("method",))
    assert kern.wide is not kern.plain
    rng = np.random.default_rng(3)
    y = rng.random((3, 32, 3)).astype(np.float32)
    k, mask = P._keys(jnp.asarray(y)), jnp.ones((3, 32), bool)
    eager = np.asarray(kern(k, mask))
    nested = np.asarray(jax.jit(lambda a, b: kern(a, b) + 0)(k, mask))
    mapped = np.asarray(jax.vmap(lambda a, b: kern(a[None], b[None])[0])(k, mask))
    want = np.stack([moocore.pareto_rank(p) for p in y])
    for got in (eager, nested, mapped):
        np.testing.assert_array_equal(got, want)


def test_public_ranks_inside_a_user_jit():
    y = np.random.default_rng(4).random((5, 40, 3)).astype(np.float32)
    got = np.asarray(jax.jit(P.nondominated_ranks)(jnp.asarray(y)))
    np.testing.assert_array_equal(got, np.stack([moocore.pareto_rank(p) for p in y]))
    np.testing.assert_array_equal(np.asarray(P.nondominated_ranks(y)), got)
