"""Fixtures of the delivery tests: the demo season's events, and a store on each backend
holding them with their views and signal log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from execution_core import Event, Execution
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.delivery.tables import DeliveryTables
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.delivery.handlers import create_received
from tests.delivery.log import append, project


@pytest.fixture(scope="session")
def season() -> list[Event]:
    """The demo season's events (517, one cycle, closed at the end), in recorded order."""
    clock = SeasonClock()
    with Execution(open_store("memory://", clock=clock)) as execution:
        record_season(execution, clock)
        return [recorded.event for recorded in execution.store.read_all()]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL: a SQLite file, or a fresh schema of the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    postgres_url: str = request.getfixturevalue("postgres_url")
    return postgres_url


@pytest.fixture
def store(url: str, season: list[Event]) -> Iterator[ExecutionStore]:
    """The store at ``url`` holding the season, its views and its signal log."""
    append(url, season)
    store = open_store(url)
    project(store)
    try:
        yield store
    finally:
        store.close()


def received_table(url: str) -> str:
    """The table the test handler writes to in the store's database (on PostgreSQL, in the
    store's schema: an unqualified name would land in ``public``, shared by every test)."""
    if url.startswith("postgresql"):
        schema = url.rsplit("schema=", 1)[1].split("&", maxsplit=1)[0]
        return f'"{schema}".received'
    return "received"


@pytest.fixture
def received(url: str, store: ExecutionStore, monkeypatch: pytest.MonkeyPatch) -> str:
    """The handler's table, created, and named to the handler by ``RECEIVED_TABLE``."""
    table = received_table(url)
    monkeypatch.setenv("RECEIVED_TABLE", table)
    tables = DeliveryTables(store.infrastructure())
    with tables.transaction() as cursor:
        create_received(cursor, table)
    return table
