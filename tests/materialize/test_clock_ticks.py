"""A worker with a clock, ticked again and again with no new fact, on a real SQLite file and the
real PostgreSQL server: its tables equal a rebuild at the same clock and the classic board read
there, while a tick writes only the board rows that changed beyond the pace (the pace itself
moved in place, one statement a cycle)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from execution_core import Event
from execution_core.views import Ledger, scoreboard
from execution_core_adapters.projections.materialize import VIEWS, ViewWorker
from execution_core_adapters.projections.recorders import Patch
from tests.materialize.oracle import put, sort_rows
from tests.support import FixedClock


def _mid_season(season: list[Event]) -> list[Event]:
    """The season's facts recorded before the first one dated past its 120th day."""
    start = min(e.occurred_at for e in season)
    cut = next(n for n, e in enumerate(season) if e.occurred_at > start + timedelta(days=120))
    return season[:cut]


def _board_at(events: Sequence[Event], now: datetime) -> list[dict[str, Any]]:
    """The board table's rows at the clock's ``now`` (oracle: ``views.scoreboard``)."""
    ledger = Ledger.of(events)
    rows: list[dict[str, Any]] = []
    for cycle in ledger.cycles.values():
        if cycle.state.status(now) == "closed":
            continue
        at = min(now, cycle.ends_at)
        rows.extend(
            {**r, "cycle_id": cycle.id, "evaluated_at": at}
            for r in scoreboard(ledger, cycle.id, at=at).to_records()
        )
    return sort_rows("board", rows)


def _ticked(url: str, season: list[Event]) -> None:
    events = _mid_season(season)
    store = put(url, events)
    now = max(e.occurred_at for e in events) + timedelta(hours=1)
    patches: list[Patch] = []
    with ViewWorker(store, clock=lambda: now) as worker:
        worker.catch_up()
        write = worker.recorder.write

        def spy(written: Sequence[Patch], *args: Any, **kwargs: Any) -> None:
            patches.extend(written)
            write(written, *args, **kwargs)

        worker.recorder.write = spy  # type: ignore[assignment]
        for hours in [1, 5, 7, 11, 23, 30, 2, 49, 3, 170, 1]:
            now += timedelta(hours=hours)
            worker.tick()
            board = worker.rows("board")
            assert board == _board_at(events, now)
            with ViewWorker(url, clock=FixedClock(now)) as fresh:
                fresh.rebuild()
                for view in VIEWS:
                    assert worker.rows(view) == fresh.rows(view), view
    store.close()
    boards = [p.changes for p in patches if p.table.view == "board"]
    assert boards
    assert all(c.paced for c in boards)
    assert any(len(c.upsert) < len(board) for c in boards)


def test_ticks_on_a_sqlite_file_equal_a_rebuild_at_the_clock(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a worker caught up on a mid-season store, when its clock moves on with no new
    fact and it ticks, then after each tick every table equals a fresh rebuild at the clock
    and the board equals the classic board read there; each tick moved the pace in place and
    some wrote fewer board rows than the board has."""
    _ticked(sqlite_url, season)


@pytest.mark.postgres
def test_ticks_on_postgres_equal_a_rebuild_at_the_clock(
    postgres_url: str, season: list[Event]
) -> None:
    """The same on the real PostgreSQL server (the pace gap computed by the server equals
    the one the core computes)."""
    _ticked(postgres_url, season)
