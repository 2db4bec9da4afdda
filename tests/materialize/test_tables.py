"""The materialized tables equal the pure projections over the same events, on SQLite and on
the real PostgreSQL server (oracle: tests/materialize/oracle.py)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from execution_core import Event
from execution_core_adapters.projections.materialize import TABLES, VIEWS, ViewWorker
from tests.materialize.oracle import expected, put

CUTS = (60, 200, 350)


def _check(worker: ViewWorker, events: list[Event]) -> None:
    for view in VIEWS:
        assert worker.rows(view) == expected(events, view), view


@pytest.mark.parametrize("cut", CUTS)
def test_sqlite_tables_equal_the_projections_before_and_after_more_events(
    sqlite_url: str, season: list[Event], cut: int
) -> None:
    """Given part of the demo season in a SQLite store, when a worker catches up in small
    batches, then every table equals the projections' records; and again after the rest of the
    season is appended and the same worker catches up once more."""
    store = put(sqlite_url, season[:cut])
    with ViewWorker(store, page_size=29, batch_size=50, commit_share=None) as worker:
        assert worker.catch_up() == cut
        _check(worker, season[:cut])
        store.app.events.put(cast(Any, season[cut:]))
        assert worker.catch_up() == len(season) - cut
        _check(worker, season)
        assert worker.positions() == dict.fromkeys(VIEWS, len(season))
    store.close()


def test_the_live_tables_are_empty_once_the_cycle_closed(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given the whole season (its cycle closed at the end), when a worker catches up, then the
    board and the radar hold no row and every appraisal is there."""
    store = put(sqlite_url, season)
    with ViewWorker(store) as worker:
        worker.catch_up()
        assert worker.rows("board") == []
        assert worker.rows("radar") == []
        assert len(worker.rows("appraisal")) == 11
    store.close()


def test_the_tables_have_the_documented_columns(sqlite_url: str, season: list[Event]) -> None:
    """Given a caught-up worker, when its rows are read, then each has exactly the columns of
    its table description, in order (the documentation is generated from the same TABLES)."""
    store = put(sqlite_url, season[:200])
    with ViewWorker(store) as worker:
        worker.catch_up()
        for view in VIEWS:
            rows = worker.rows(view)
            assert rows
            assert tuple(rows[0]) == TABLES[view].column_names
    store.close()


@pytest.mark.postgres
def test_postgres_tables_equal_the_projections(postgres_url: str, season: list[Event]) -> None:
    """Given part of the season in the real PostgreSQL server, when a worker catches up, then
    every table (in the store's schema) equals the projections' records; and after the rest."""
    store = put(postgres_url, season[:350])
    with ViewWorker(store, page_size=100, batch_size=100, commit_share=None) as worker:
        worker.catch_up()
        _check(worker, season[:350])
        store.app.events.put(cast(Any, season[350:]))
        worker.catch_up()
        _check(worker, season)
    store.close()
