"""Several workers side by side, rebuilds, the run loop and workers joining late (oracle: the
projections over the same events, and a catch-up from scratch)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, cast

import pytest

from execution_core import Event
from execution_core.errors import InvalidInput
from execution_core_adapters.projections.materialize import VIEWS, ViewWorker, tracking_name
from tests.materialize.oracle import expected, put


def test_two_workers_with_different_views_keep_their_own_positions(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a board worker and an appraisal-and-radar worker on one store, when they catch up
    at different paces, then each tracks its own views under its own names and every table
    equals the projections once both are done."""
    store = put(sqlite_url, season[:400])
    with (
        ViewWorker(store, "board", page_size=50, batch_size=50) as board,
        ViewWorker(store, "appraisal,radar", page_size=80, batch_size=80) as people,
    ):
        board.catch_up(limit=120)
        people.catch_up()
        assert board.positions() == {"board": 120}
        assert people.positions() == {"appraisal": 400, "radar": 400}
        store.app.events.put(cast(Any, season[400:480]))
        board.catch_up()
        people.catch_up()
        assert board.rows("board") == expected(season[:480], "board")
        for view in ("appraisal", "radar"):
            assert people.rows(view) == expected(season[:480], view)
        names = {tracking_name(v) for v in VIEWS}
        assert names == {"view.board", "view.appraisal", "view.radar"}
    store.close()


def test_a_worker_joining_with_views_at_different_positions_catches_each_up(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given the board tracked at 300 and the other views never run, when one worker keeps all
    three, then it applies from the first event, leaves the board alone until it passes 300,
    and ends with every table equal to the projections."""
    store = put(sqlite_url, season[:450])
    with ViewWorker(store, "board") as board:
        board.catch_up(limit=300)
    with ViewWorker(store, page_size=64, batch_size=64, commit_share=None) as everything:
        assert everything.catch_up() == 450
        for view in VIEWS:
            assert everything.rows(view) == expected(season[:450], view)
    store.close()


def test_a_rebuild_equals_a_catch_up_and_repairs_a_damaged_table(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given caught-up tables with rows deleted behind the worker's back, when the worker
    rebuilds, then the tables equal those of a catch-up from scratch."""
    store = put(sqlite_url, season[:420])
    with ViewWorker(store) as worker:
        worker.catch_up()
        caught_up = {view: worker.rows(view) for view in VIEWS}
        with worker.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            cursor.execute("DELETE FROM view_board")
        assert worker.rows("board") == []
        assert worker.rebuild() == 420
        assert {view: worker.rows(view) for view in VIEWS} == caught_up
    store.close()


def test_views_can_live_in_another_database(
    sqlite_url: str, tmp_path: Path, season: list[Event]
) -> None:
    """Given views_url naming another SQLite file, when a worker catches up, then the tables
    and tracking live there and equal the projections."""
    store = put(sqlite_url, season[:300])
    views_url = f"sqlite:///{tmp_path / 'views.db'}"
    with ViewWorker(store, views_url=views_url) as worker:
        worker.catch_up()
        assert worker.rows("board") == expected(season[:300], "board")
    with ViewWorker(store, views_url=views_url) as again:
        assert again.positions() == dict.fromkeys(VIEWS, 300)
    store.close()


def test_unknown_views_and_memory_stores_are_refused(season: list[Event]) -> None:
    """Given an unknown view name, or an in-memory store and no views database, when a worker
    is made, then InvalidInput names the problem."""
    with pytest.raises(InvalidInput, match="unknown views"):
        ViewWorker("memory://", "board,scores")
    with pytest.raises(InvalidInput, match="SQLite or PostgreSQL"):
        ViewWorker("memory://")


def test_the_run_loop_follows_new_events_until_stopped(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given two workers running in threads (board; appraisal and radar), when events are
    appended while they poll, then after they are stopped every table equals the projections."""
    store = put(sqlite_url, season[:100])
    stop = threading.Event()
    workers = [ViewWorker(store, "board"), ViewWorker(store, "appraisal,radar")]
    threads = [
        threading.Thread(target=w.run, kwargs={"poll_interval": 0.01, "stop_event": stop})
        for w in workers
    ]
    for thread in threads:
        thread.start()
    try:
        for start in range(100, 480, 95):
            store.app.events.put(cast(Any, season[start : start + 95]))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
            min(w.positions().values()) < 480 for w in workers
        ):
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)
    assert workers[0].rows("board") == expected(season[:480], "board")
    assert workers[1].rows("radar") == expected(season[:480], "radar")
    assert workers[1].rows("appraisal") == expected(season[:480], "appraisal")
    for worker in workers:
        worker.close()
    store.close()


@pytest.mark.postgres
def test_postgres_workers_side_by_side_and_a_crash(postgres_url: str, season: list[Event]) -> None:
    """Given the real PostgreSQL server, a board worker crashing in its second commit and an
    appraisal-and-radar worker, when the board worker restarts, then every table equals the
    projections and a rebuild changes nothing."""
    store = put(postgres_url, season[:470])

    def crash_second(position: int) -> None:
        if position == 200:
            raise RuntimeError("crash")

    with ViewWorker(
        store, "board", page_size=100, batch_size=100, commit_share=None, before_commit=crash_second
    ) as board:
        with pytest.raises(RuntimeError):
            board.catch_up()
        assert board.positions() == {"board": 100}
    with ViewWorker(store, "board") as board, ViewWorker(store, "appraisal,radar") as people:
        assert board.catch_up() == 370
        people.catch_up()
        tables = {"board": board.rows("board"), **{v: people.rows(v) for v in people.views}}
        assert tables == {view: expected(season[:470], view) for view in VIEWS}
    with ViewWorker(store) as everything:
        everything.rebuild()
        assert {view: everything.rows(view) for view in VIEWS} == tables
    store.close()


@pytest.mark.postgres
def test_an_in_memory_store_can_keep_its_views_in_postgres(
    postgres_url: str, season: list[Event]
) -> None:
    """Given an in-memory store and views_url naming the real PostgreSQL server, when a worker
    catches up and a second one starts, then the tables there equal the projections and the
    second worker finds the positions tracked there."""
    store = put("memory://", season[:380])
    with ViewWorker(store, views_url=postgres_url) as worker:
        assert worker.catch_up() == 380
        for view in VIEWS:
            assert worker.rows(view) == expected(season[:380], view)
    with ViewWorker(store, views_url=postgres_url) as again:
        assert again.positions() == dict.fromkeys(VIEWS, 380)
        assert again.catch_up() == 0
    store.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_workers_of_one_view_racing_neither_raises(
    backend: str, request: pytest.FixtureRequest, season: list[Event]
) -> None:
    """Given two board workers running side by side in threads while events are appended,
    when one is overtaken by the other, then neither raises nor parks anything, and the table
    equals the projections once both are at the head."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    store = put(url, season[:60])
    stop = threading.Event()
    workers = [ViewWorker(store, "board", page_size=20, batch_size=20) for _ in range(2)]
    failures: list[BaseException] = []

    def run(worker: ViewWorker) -> None:
        try:
            worker.run(poll_interval=0.005, stop_event=stop)
        except BaseException as error:  # the test's point: nothing escapes the run loop
            failures.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    try:
        for start in range(60, 480, 30):
            store.app.events.put(cast(Any, season[start : start + 30]))
            time.sleep(0.02)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(w.positions()["board"] < 480 for w in workers):
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert [w.parked() for w in workers] == [{}, {}]
    assert workers[0].rows("board") == expected(season[:480], "board")
    for worker in workers:
        worker.close()
    store.close()
