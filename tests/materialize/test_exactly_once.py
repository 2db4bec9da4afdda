"""Exactly once: stopped, crashed, restarted and concurrent workers end with every event applied
once and tables equal to an uninterrupted run (oracle: the projections, and a rebuild)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from eventsourcing.persistence import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event
from execution_core_adapters.projections.materialize import (
    VIEWS,
    TrackingConflict,
    ViewWorker,
    tracking_name,
)
from execution_core_adapters.storage.store import ExecutionStore
from tests.materialize.oracle import expected, put


class Crash(Exception):
    """A simulated crash between computing a batch's rows and committing them."""


def _tables(worker: ViewWorker) -> dict[str, list[dict[str, Any]]]:
    return {view: worker.rows(view) for view in worker.views}


def _rebuilt(store: ExecutionStore) -> dict[str, list[dict[str, Any]]]:
    with ViewWorker(store) as worker:
        worker.rebuild()
        return _tables(worker)


def test_a_worker_stopped_half_way_and_restarted_applies_every_event_once(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a worker stopped after 250 events (several batches), when a new worker starts on
    the same store, then it applies exactly the other events, and the tables equal the
    projections and a rebuild."""
    store = put(sqlite_url, season)
    with ViewWorker(store, page_size=40, batch_size=40, commit_share=None) as first:
        assert first.catch_up(limit=250) == 250
        assert first.positions() == dict.fromkeys(VIEWS, 250)
    with ViewWorker(store, page_size=40, batch_size=40, commit_share=None) as second:
        assert second.catch_up() == len(season) - 250
        tables = _tables(second)
    assert tables == {view: expected(season, view) for view in VIEWS}
    assert tables == _rebuilt(store)
    store.close()


def test_a_crash_before_the_commit_writes_nothing_and_the_restart_redoes_the_batch(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a worker that crashes inside the third batch's transaction, after its rows were
    computed and written but before the commit, when it is restarted, then the tables still
    show the second batch's position and rows, and the restarted worker ends equal to a
    rebuild."""
    store = put(sqlite_url, season)
    commits: list[int] = []

    def crash_on_third(position: int) -> None:
        commits.append(position)
        if len(commits) == 3:
            raise Crash

    with ViewWorker(
        store, page_size=100, batch_size=100, commit_share=None, before_commit=crash_on_third
    ) as crashing:
        with pytest.raises(Crash):
            crashing.catch_up()
        assert crashing.positions() == dict.fromkeys(VIEWS, 200)
        assert _tables(crashing) == {view: expected(season[:200], view) for view in VIEWS}
    with ViewWorker(store, page_size=100, batch_size=100, commit_share=None) as restarted:
        assert restarted.catch_up() == len(season) - 200
        tables = _tables(restarted)
    assert tables == _rebuilt(store)
    store.close()


def test_the_same_worker_recovers_from_a_failed_commit(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a worker whose commit failed once, when it is asked to catch up again, then it
    reloads from the tracked position and ends equal to the projections."""
    store = put(sqlite_url, season[:300])
    failures = [True]

    def fail_once(_position: int) -> None:
        if failures:
            failures.pop()
            raise Crash

    with ViewWorker(store, page_size=64, batch_size=64, before_commit=fail_once) as worker:
        with pytest.raises(Crash):
            worker.catch_up()
        assert worker.catch_up() == 300
        assert _tables(worker) == {view: expected(season[:300], view) for view in VIEWS}
    store.close()


def test_a_restart_replays_without_writing_a_row(sqlite_url: str, season: list[Event]) -> None:
    """Given caught-up tables, when a new worker starts and nothing new was recorded, then it
    replays the ledger but commits nothing; one new event later, it commits exactly once."""
    store = put(sqlite_url, season[:300])
    with ViewWorker(store) as worker:
        worker.catch_up()
    commits: list[int] = []
    with ViewWorker(store, before_commit=commits.append) as restarted:
        assert restarted.catch_up() == 0
        assert commits == []
        store.app.events.put(cast(Any, [season[300]]))
        assert restarted.catch_up() == 1
        assert commits == [301]
        assert _tables(restarted) == {view: expected(season[:301], view) for view in VIEWS}
    store.close()


def test_an_old_position_is_refused_and_the_overtaken_worker_goes_on(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given two workers of the same view loaded at the same position, when the first commits
    the next events and the second then tries to commit the same ones, then the second's batch
    is refused and rolled back without raising (counted as a conflict, nothing parked), the
    table keeps the first's rows, and the second has nothing left to apply."""
    store = put(sqlite_url, season[:200])
    with ViewWorker(store, "board") as first, ViewWorker(store, "board") as second:
        first.catch_up()
        second.catch_up()
        store.app.events.put(cast(Any, season[200:260]))
        assert first.catch_up() == 60
        before = first.rows("board")
        assert second.catch_up() == 0
        assert second.conflicts == 1
        assert second.parked() == {}
        assert second.rows("board") == before
        assert second.recorder.max_tracking_id(tracking_name("board")) == 260
        assert second.catch_up() == 0
        assert second.rows("board") == expected(season[:260], "board")
    store.close()


def test_the_recorder_refuses_a_batch_from_an_old_position_as_a_tracking_conflict(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a view tracked at 100, when the recorder is asked to write a batch that starts at
    50, then it raises TrackingConflict (an IntegrityError) and writes nothing."""
    store = put(sqlite_url, season[:100])
    with ViewWorker(store, "board") as worker:
        worker.catch_up()
        with pytest.raises(TrackingConflict, match="another worker applied these events"):
            worker.recorder.write([], 120, None, {"board": 50})
        assert issubclass(TrackingConflict, IntegrityError)
        assert worker.positions() == {"board": 100}
    store.close()


@settings(max_examples=15, deadline=None)
@given(
    stops=st.lists(st.integers(min_value=1, max_value=516), min_size=1, max_size=3),
    page=st.sampled_from([7, 50, 5_000]),
    batch=st.sampled_from([1, 30, 100_000]),
    crash=st.booleans(),
)
def test_stopping_and_restarting_anywhere_equals_one_uninterrupted_run(
    tmp_path_factory: pytest.TempPathFactory,
    season: list[Event],
    *,
    stops: list[int],
    page: int,
    batch: int,
    crash: bool,
) -> None:
    """Property: for any stop points, page and batch sizes, a worker stopped at each point (or
    crashing in the commit that would reach it) leaves tables equal to the projections at the
    position it tracks, and a fresh worker then ends with the tables of one uninterrupted run
    (oracle: the projections over the events up to each tracked position)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('stops') / 'store.db'}"
    store = put(url, season)

    def new_worker(before_commit: Callable[[int], None] | None = None) -> ViewWorker:
        return ViewWorker(
            store,
            page_size=page,
            batch_size=batch,
            commit_share=None,
            before_commit=before_commit,
        )

    for stop in sorted(set(stops)):

        def crash_at_stop(position: int, stop: int = stop) -> None:
            if crash and position == stop:
                raise Crash

        with new_worker(crash_at_stop) as running:
            tracked = running.positions()["board"]
            if stop <= tracked:
                continue
            try:
                assert running.catch_up(limit=stop - tracked) == stop - tracked
            except Crash:
                assert crash
            position = running.positions()["board"]
            assert running.positions() == dict.fromkeys(VIEWS, position)
            assert position < stop if crash else position == stop
            assert _tables(running) == {v: expected(season[:position], v) for v in VIEWS}
    with new_worker() as last:
        last.catch_up()
        assert last.positions() == dict.fromkeys(VIEWS, len(season))
        assert _tables(last) == {view: expected(season, view) for view in VIEWS}
    store.close()
