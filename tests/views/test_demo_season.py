"""Every view on the demo season: a real stream read back from a store, with a late entry."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from execution_core import Event, Execution
from execution_core import views as v
from execution_core.views import Ledger, Scoreboard
from execution_core_adapters.cli.demo import CYCLE_ID, SeasonClock, record_season
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import event_line
from tests.support import CYCLE_VIEWS

MID_SEASON = datetime(2026, 3, 16, 12, tzinfo=UTC)
AFTER_SEASON = datetime(2026, 8, 1, tzinfo=UTC)
EXPORT_SHA256 = "0a8209767f193f93f78161deb8f570d248131d47355e1b30c5d2bc5ed91a387a"
"""The digest of the season's `audit export`, as the season recorded before it became data;
re-pinned when Policy gained four values (checkin_grace_days, uncoached_days,
forecast_min_checkins, forecast_min_elapsed), which the season's one PolicyAdopted now stores
(with them left out, the export hashes to the digest pinned before)."""


@pytest.fixture(scope="module")
def season() -> list[Event]:
    clock = SeasonClock()
    with Execution(open_store("memory://", clock=clock)) as execution:
        record_season(execution, clock)
        return execution.history()


def test_the_scoreboard_follows_the_season_event_by_event(season: list[Event]) -> None:
    """Given the demo season read back from the store, when its events are applied one by one,
    then the scoreboard at mid-season equals the one built from the whole ledger."""
    ledger = Ledger()
    board = Scoreboard.build(ledger, CYCLE_ID, at=MID_SEASON)
    for event in season:
        ledger = ledger.apply(event)
        board = board.apply(event, ledger)
    assert ledger == Ledger.of(season)
    assert board == Scoreboard.build(ledger, CYCLE_ID, at=MID_SEASON)
    assert len(board.rows) > 10


@pytest.mark.parametrize("at", [MID_SEASON, AFTER_SEASON])
def test_every_view_reads_the_season(season: list[Event], at: datetime) -> None:
    """Given the demo season, when every view is read mid-season and after it, then each gives
    records, and the progress of every goal lies within 0..1."""
    ledger = Ledger.of(season)
    for view in CYCLE_VIEWS:
        assert isinstance(view(ledger, CYCLE_ID, at=at).to_records(), list)
    for person in ledger.organization.people:
        sheet = v.appraisal_sheet(ledger, CYCLE_ID, person, viewer="hana", at=at)
        assert sheet.attainment is None or 0.0 <= sheet.attainment <= 1.0
        v.appraisal_trace(ledger, CYCLE_ID, person, viewer="hana", at=at).to_records()
        v.rating_history(ledger, person, viewer="hana", at=at).to_records()
    rows = v.scoreboard(ledger, CYCLE_ID, at=at).rows.values()
    assert all(0.0 <= row.progress <= 1.0 for row in rows)


def test_what_happened_after_the_instant_is_not_on_the_board(season: list[Event]) -> None:
    """Given the demo season, when the board is read a week into it, then no check-in after that
    day is on it."""
    at = datetime(2026, 1, 12, tzinfo=UTC)
    board = v.scoreboard(Ledger.of(season), CYCLE_ID, at=at)
    last = [row.last_checkin_at for row in board.rows.values() if row.last_checkin_at]
    assert all(t <= at for t in last)
    assert all(t > at - timedelta(days=8) for t in last)


def test_the_season_as_data_records_the_same_events(season: list[Event]) -> None:
    """Given the demo season played from its data, then it records the 517 events of the
    season as it was first written (same ids, payloads and both clocks): its export's digest
    is pinned."""
    assert len(season) == 517
    assert hashlib.sha256(b"".join(event_line(e) for e in season)).hexdigest() == EXPORT_SHA256
