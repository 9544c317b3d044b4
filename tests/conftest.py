"""Shared test configuration: hypothesis profiles, JAX settings and the shared-data fixture.

JAX settings for the whole session:

* ``jax_numpy_rank_promotion="raise"`` for the test modules in :data:`STRICT_RANK_MODULES`
  (the schedulers, the lifecycle, the simulator and the sweep, and the kernels they reach):
  implicit rank promotion (``x[N, M] + y[M]``) is an error there, so every broadcast is written
  out. Other modules join the list once their code is converted (the transfer models' MLP
  layers, ``x @ w + b``, still rely on implicit promotion).
* a persistent compilation cache (``.cache/jax`` in the repository, or
  ``$MOHB_JAX_TEST_JAX_CACHE``), so a second run does not compile again; skipped silently
  when the directory cannot be written (read-only checkouts, some CI runners).
* a bound on the compiled programs a test process keeps (:func:`_bounded_compiled_programs`).
* XLA:CPU compile options that make the suite's compiles 2-3 times cheaper
  (:data:`FAST_COMPILE_XLA_FLAGS`, put in front of ``XLA_FLAGS`` so subprocesses and notebook
  kernels inherit them). The suite is compile-bound: without them about three quarters of its
  CPU time is XLA's backend compile. They change how XLA generates machine code (the legacy
  loop emitters, LLVM without optimisation), not what the programs compute, and the
  benchmarks and the main job run with XLA's defaults. ``MOHB_JAX_TEST_XLA_FLAGS=""`` runs the
  suite with the defaults; any other value replaces the options.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jax
import pytest
from hypothesis import HealthCheck, settings

# CI profile: no deadline (JAX compiles on first call), bounded example counts so the whole suite
# stays well under 20 minutes on 2 cores. "dev" is for local deep runs.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=60,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]

#: the suite's XLA options (module docstring): measured on the 2-core CI machine, they cut the
#: backend compile of a simulator program from 4.0-5.0 s to 1.7 s and of a set of Pareto and
#: hypervolume kernels from 17-19 s to 6 s
FAST_COMPILE_XLA_FLAGS = "--xla_cpu_use_fusion_emitters=false --xla_backend_optimization_level=0"

#: what ``XLA_FLAGS`` held before this file added the suite's options (pytest-xdist workers
#: inherit the controller's environment, so the options are taken out again first)
USER_XLA_FLAGS = " ".join(
    f for f in os.environ.get("XLA_FLAGS", "").split() if f not in FAST_COMPILE_XLA_FLAGS.split()
)


def _use_fast_compile_flags() -> str:
    """Put the suite's XLA options in front of the user's ``XLA_FLAGS`` (a later value of the
    same option wins). Must run before JAX's backend starts, i.e. at import of this file."""
    from jax._src import xla_bridge

    flags = os.environ.get("MOHB_JAX_TEST_XLA_FLAGS", FAST_COMPILE_XLA_FLAGS).strip()
    if not xla_bridge.backends_are_initialized():
        os.environ["XLA_FLAGS"] = f"{flags} {USER_XLA_FLAGS}".strip()
    return flags


#: the XLA options this test session compiles with ("" = XLA's defaults)
TEST_XLA_FLAGS = _use_fast_compile_flags()


def xla_flags(*extra: str) -> str:
    """``XLA_FLAGS`` for a subprocess that sets its own options: the suite's, then ``extra``."""
    return " ".join([TEST_XLA_FLAGS, *extra]).strip()


def subprocess_env(tmp_path, **extra) -> dict:
    """The environment of a fresh Python process that imports this checkout: its own table
    cache under ``tmp_path``, the suite's XLA options (no device count), the repository first
    on ``PYTHONPATH``; ``extra`` on top."""
    env = dict(os.environ, MOHB_JAX_CACHE=str(tmp_path / "cache"), **extra)
    env["XLA_FLAGS"] = xla_flags()
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


#: test modules run with jax_numpy_rank_promotion="raise"
STRICT_RANK_MODULES = frozenset(
    {
        "test_driver",
        "test_lifecycle",
        "test_objectives",
        "test_on_exhausted",
        "test_schedulers",
        "test_sweep",
        "test_sweep_engine",
    }
)


@pytest.fixture(autouse=True)
def _strict_rank_promotion(request):
    if request.module.__name__ in STRICT_RANK_MODULES:
        with jax.numpy_rank_promotion("raise"):
            yield
    else:
        yield


def _enable_compilation_cache() -> str | None:
    d = Path(os.environ.get("MOHB_JAX_TEST_JAX_CACHE") or REPO / ".cache" / "jax")
    try:
        d.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=d):
            pass
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(d))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return str(d)


JAX_CACHE_DIR = _enable_compilation_cache()


def _memory_map_count() -> int | None:
    """Memory mappings of this process (Linux ``/proc``; None elsewhere)."""
    try:
        with open(f"/proc/{os.getpid()}/maps", "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None


def _memory_map_limit() -> int | None:
    try:
        return int(Path("/proc/sys/vm/max_map_count").read_text())
    except (OSError, ValueError):
        return None


#: clear JAX's caches once a test process holds this many memory mappings
MAP_COUNT_CLEAR_AT = int(0.4 * (_memory_map_limit() or 65530))


@pytest.fixture(autouse=True)
def _bounded_compiled_programs():
    """Drop JAX's compiled programs when the process holds too many memory mappings.

    XLA:CPU maps about a hundred memory regions per compiled program (its kernels' code and
    data), and JAX keeps every program a jitted function ever compiled. A test process that
    runs hundreds of test files' worth of shapes reaches Linux's ``vm.max_map_count``
    (65 530 by default); the next compilation, cache write or cache read then fails inside
    XLA with a segmentation fault or an abort. The largest single test here adds ~15 000
    mappings, so clearing at 40 % of the limit leaves room for any one test. Programs compiled
    again after a clear come from the persistent cache above when they took 0.5 s or more.
    """
    yield
    n = _memory_map_count()
    if n is not None and n > MAP_COUNT_CLEAR_AT:
        jax.clear_caches()


def shared_data_dir() -> Path | None:
    """``$MOHB_JAX_DATA`` or ``../shared/data`` beside the repo, if it exists."""
    env = os.environ.get("MOHB_JAX_DATA")
    for cand in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if cand.is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip(
            "needs the offline tables: set MOHB_JAX_DATA or put them in ../shared/data "
            "(see the README, section 'Data')"
        )
    return d
