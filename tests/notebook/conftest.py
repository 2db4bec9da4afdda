"""Fixtures of the notebook adapters' tests: the demo season, recorded once, in memory."""

from __future__ import annotations

import attrs
import matplotlib
import pytest

from execution_core import Execution
from execution_core.ports import Recorded
from execution_core.views import Ledger
from execution_core_adapters.cli.demo import DemoSeason, SeasonClock, record_season
from execution_core_adapters.storage.store import open_store

matplotlib.use("Agg")


@attrs.frozen
class Season:
    """The demo season: what was recorded, its events with their positions, its ledger."""

    demo: DemoSeason
    recorded: list[Recorded]
    ledger: Ledger


@pytest.fixture(scope="session")
def season() -> Season:
    """The demo season (517 events, 14 goals, a 26-week cycle)."""
    clock = SeasonClock()
    with Execution(open_store("memory://", clock=clock)) as execution:
        demo = record_season(execution, clock)
        recorded = list(execution.store.read_all())
    return Season(demo, recorded, Ledger.of(r.event for r in recorded))
