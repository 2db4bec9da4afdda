"""Fixtures of the materialized views' tests: the demo season's events and a store URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from execution_core import Event, Execution
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.storage.store import open_store


@pytest.fixture(scope="session")
def season() -> list[Event]:
    """The demo season's events (517, one cycle, closed at the end), in recorded order."""
    clock = SeasonClock()
    with Execution(open_store("memory://", clock=clock)) as execution:
        record_season(execution, clock)
        return [recorded.event for recorded in execution.store.read_all()]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite store file."""
    return f"sqlite:///{tmp_path / 'store.db'}"
