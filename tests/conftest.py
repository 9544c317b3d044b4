"""Shared test configuration: hypothesis profiles and the shared-data fixture."""

from __future__ import annotations

import os
from pathlib import Path

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
