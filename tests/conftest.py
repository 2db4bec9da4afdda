"""Shared fixtures; hypothesis profiles (``ci`` is the default, ``dev`` runs more examples)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.support import Spec, standard_org

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def spec() -> Spec:
    """A fresh specification on an in-memory store."""
    return Spec()


@pytest.fixture
def org_spec() -> Spec:
    """A specification given the standard organization, strategy and 2026 cycle."""
    return Spec().given(*standard_org())
