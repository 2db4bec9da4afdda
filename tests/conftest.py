"""Shared fixtures; hypothesis profiles (``ci`` is the default, ``dev`` runs more examples)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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


POSTGRES_DSN = os.environ.get(
    "EXECUTION_CORE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
"""The server the PostgreSQL tests use (a fresh schema per test)."""


def postgres_server() -> str:
    """The DSN of the test server, after checking it answers.

    Skips when no server is reachable, unless EXECUTION_CORE_REQUIRE_POSTGRES=1 (set by
    .ci/run), which turns the skip into a failure so CI cannot pass by skipping.
    """
    try:
        import psycopg

        psycopg.connect(POSTGRES_DSN, connect_timeout=3, autocommit=True).close()
    except Exception as error:  # any failure to reach the server means "no server here"
        if os.environ.get("EXECUTION_CORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_DSN}: {error}")
        pytest.skip(f"no PostgreSQL server reachable at {POSTGRES_DSN}: {error}")
    return POSTGRES_DSN


@contextmanager
def fresh_schema(dsn: str) -> Iterator[str]:
    """A store URL on a new schema of the server at ``dsn``, dropped afterwards."""
    import psycopg

    schema = f"ec_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{dsn}?schema={schema}"
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A store URL on a fresh schema of the real PostgreSQL server, dropped afterwards
    (skips without a server: see :func:`postgres_server`)."""
    with fresh_schema(postgres_server()) as url:
        yield url
