"""The EventStore contract on every store: the fake, eventsourcing in memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from execution_core.clock import Clock
from execution_core.fake_store import FakeEventStore
from execution_core.ports import EventStore
from execution_core_adapters.storage.store import open_store
from tests.conformance.backend import Backend
from tests.conformance.contract import EventStoreContract

__all__ = ["TestFakeStore", "TestMemoryStore", "TestPostgresStore", "TestSQLiteStore"]


def _serve(backend: Backend) -> Iterator[Backend]:
    try:
        yield backend
    finally:
        backend.close()


class TestFakeStore(EventStoreContract):
    """The core's fake in-memory store (no eventsourcing)."""

    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        """Fake stores, one per test."""

        def opener(clock: Clock | None, interval: int) -> EventStore:
            return FakeEventStore(clock=clock, snapshot_interval=interval)

        yield from _serve(Backend("fake", opener, shared=False))


class TestMemoryStore(EventStoreContract):
    """eventsourcing's in-memory store (``memory://``)."""

    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        """A memory store, one per test."""

        def opener(clock: Clock | None, interval: int) -> EventStore:
            return open_store("memory://", clock=clock, snapshot_interval=interval)

        yield from _serve(Backend("memory", opener, shared=False))


class TestSQLiteStore(EventStoreContract):
    """A SQLite file in the test's own directory; every open is another writer on the file."""

    @pytest.fixture
    def backend(self, tmp_path: Path) -> Iterator[Backend]:
        """Stores on one fresh SQLite file."""
        url = f"sqlite:///{tmp_path / 'store.db'}"

        def opener(clock: Clock | None, interval: int) -> EventStore:
            return open_store(url, clock=clock, snapshot_interval=interval)

        yield from _serve(Backend("sqlite", opener, shared=True))


@pytest.mark.postgres
class TestPostgresStore(EventStoreContract):
    """The real PostgreSQL server, a fresh schema per test (dropped after)."""

    @pytest.fixture
    def backend(self, postgres_url: str) -> Iterator[Backend]:
        """Stores on one fresh schema; every open is another writer (another pool)."""

        def opener(clock: Clock | None, interval: int) -> EventStore:
            return open_store(
                postgres_url,
                clock=clock,
                snapshot_interval=interval,
                env={"POSTGRES_POOL_SIZE": "2"},
            )

        yield from _serve(Backend("postgresql", opener, shared=True))
