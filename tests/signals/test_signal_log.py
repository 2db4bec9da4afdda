"""The signal log: the projection worker derives signals and appends them to ``view_signals`` in
the transaction of its view rows and tracking position, on a SQLite file and on the real
PostgreSQL server; ``signal_log`` reads them back in log order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from execution_core import Command, Event, Execution
from execution_core.signals import (
    Cause,
    SignalKind,
    Situation,
    derive_signals,
    observe,
    replay_signals,
)
from execution_core.views.live import LiveState
from execution_core_adapters.projections import ViewWorker
from execution_core_adapters.projections.signal_log import SignalLog, read_signals
from execution_core_adapters.storage.store import open_store
from tests.materialize.oracle import put
from tests.signals.support import GOAL, Watch, day_steps, on_line
from tests.signals.test_kinds import deals_goal
from tests.support import FixedClock, day, standard_org

BACKENDS = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest) -> str:
    """A fresh store URL on each backend."""
    return str(request.getfixturevalue(request.param))


class Crash(Exception):
    """A simulated crash inside a batch's transaction."""


def test_a_catch_up_logs_the_signals_of_each_business_day_once_in_log_order(
    url: str, season: list[Event]
) -> None:
    """Given the demo season, when a worker with signal steps catches up in one pass, then the
    log holds the signals of the views stepped day by day (oracle: the core derived from
    scratch at every step), in ascending seq, each key once; paging with after_seq gives the
    same list."""
    store = put(url, season)
    with ViewWorker(store, signal_steps=True) as worker:
        worker.catch_up()
    logged = read_signals(store, 0, 10_000)
    assert [s for _, s in logged] == day_steps(season)
    seqs = [seq for seq, _ in logged]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert len({s.key for _, s in logged}) == len(logged)
    paged: list[tuple[int, object]] = []
    with SignalLog(store) as log:
        after = 0
        for _ in range(1_000):
            page = log.read(after, 7)
            if not page:
                break
            paged.extend(page)
            after = page[-1][0]
        assert log.head() == seqs[-1]
    assert paged == logged
    kinds = {s.kind for _, s in logged}
    assert {SignalKind.TURNED_AT_RISK, SignalKind.CYCLE_CLOSED, SignalKind.WENT_STALE} <= kinds
    store.close()


def test_a_crash_inside_the_batch_logs_none_of_its_signals_and_the_restart_logs_each_once(
    url: str, season: list[Event]
) -> None:
    """Given a worker that crashes inside its third batch's transaction, then the log holds
    the signals of the first two batches only (caused at or before the second's position); a
    restarted worker logs the rest after them, none twice."""
    store = put(url, season)
    calls: list[int] = []

    def crash_third(position: int) -> None:
        calls.append(position)
        if len(calls) == 3:
            raise Crash

    with ViewWorker(
        store,
        page_size=60,
        batch_size=60,
        commit_share=None,
        before_commit=crash_third,
        signal_steps=True,
    ) as first:
        with pytest.raises(Crash):
            first.catch_up()
        after_crash = read_signals(store, 0, 10_000)
        assert after_crash
        assert max(s.cause.position for _, s in after_crash) <= calls[1]
    with ViewWorker(
        store, page_size=60, batch_size=60, commit_share=None, signal_steps=True
    ) as second:
        second.catch_up()
    keys = [s.key for _, s in read_signals(store, 0, 10_000)]
    assert len(keys) == len(set(keys))
    assert keys[: len(after_crash)] == [s.key for _, s in after_crash]
    store.close()


def test_a_rebuild_keeps_the_log_and_logs_no_signal_twice(url: str, season: list[Event]) -> None:
    """Rebuilding the views derives the signals again; the log keeps its rows and seq, and
    adds none whose key it holds."""
    store = put(url, season)
    with ViewWorker(store, signal_steps=True) as worker:
        worker.catch_up()
        before = read_signals(store, 0, 10_000)
        worker.rebuild()
    assert read_signals(store, 0, 10_000) == before
    store.close()


def _recorded(url: str, clock: FixedClock, *commands: Command) -> None:
    with Execution(open_store(url, clock=clock)) as execution:
        for command in commands:
            execution.execute(command)


def _ticking(url: str, clock: Callable[[], datetime]) -> ViewWorker:
    return ViewWorker(url, clock=clock)


def test_the_clock_alone_makes_a_quiet_goal_stale_on_the_board_and_in_the_log(url: str) -> None:
    """Given a goal checked in on day 7 and a worker whose clock reads day 8, when the clock
    reads day 30 and the worker ticks with no new fact, then view_board shows the goal stale
    as of day 30, and went_stale is logged at day 21, caused by the tick at the same
    position."""
    clock = FixedClock(day(7))
    progress = Watch().check_in(on_line(1.2, day(7)), day(7))
    _recorded(url, clock, *standard_org(), deals_goal(), progress)
    reading = FixedClock(day(8))
    with _ticking(url, reading) as worker:
        worker.catch_up()
        position = worker.positions()["board"]
        row = next(r for r in worker.rows("board") if r["goal_id"] == GOAL)
        assert (row["health"], row["evaluated_at"]) == ("on track", day(8))
        reading.now = day(30)
        worker.tick()
        row = next(r for r in worker.rows("board") if r["goal_id"] == GOAL)
        assert (row["health"], row["evaluated_at"]) == ("stale", day(30))
        assert worker.positions()["board"] == position
    stale = [s for _, s in read_signals(url) if s.kind is SignalKind.WENT_STALE]
    assert [(s.at, s.cause) for s in stale] == [(day(21), Cause(position, day(30)))]


def test_a_fact_dated_ahead_of_the_clock_is_reported_and_counts_once_the_clock_reaches_it(
    url: str,
) -> None:
    """Given a check-in dated day 20 while the worker's clock reads day 10, then the worker
    reports the store ahead of the clock and the board does not show the check-in; once the
    clock reads day 21, a tick shows it (now never jumped to day 20 for good)."""
    clock = FixedClock(day(20))
    _recorded(
        url, clock, *standard_org(), deals_goal(), Watch().check_in(on_line(1.2, day(20)), day(20))
    )
    reading = FixedClock(day(10))
    with _ticking(url, reading) as worker:
        worker.catch_up()
        assert worker.ahead == day(20)
        row = next(r for r in worker.rows("board") if r["goal_id"] == GOAL)
        assert (row["last_checkin_at"], row["evaluated_at"]) == (None, day(10))
        reading.now = day(21)
        worker.tick()
        assert worker.ahead is None
        row = next(r for r in worker.rows("board") if r["goal_id"] == GOAL)
        assert (row["last_checkin_at"], row["evaluated_at"]) == (day(20), day(21))


def test_the_cores_replay_gives_what_a_catch_up_logs(sqlite_url: str, season: list[Event]) -> None:
    """``replay_signals`` over the season's recorded events equals the log a worker's catch-up
    writes and the day-by-day oracle."""
    store = put(sqlite_url, season)
    with ViewWorker(store, signal_steps=True) as worker:
        worker.catch_up()
    replayed = replay_signals(store.read_all())
    assert replayed == [s for _, s in read_signals(store, 0, 10_000)]
    assert replayed == day_steps(season)
    store.close()


def test_without_steps_a_catch_up_logs_the_difference_of_the_views_it_wrote(
    sqlite_url: str, season: list[Event]
) -> None:
    """A worker without signal steps, catching up the season in one batch, logs the signals
    between the empty views and the views it wrote (oracle: the core's derive over those two
    situations)."""
    store = put(sqlite_url, season)
    with ViewWorker(store) as worker:
        worker.catch_up()
    state = LiveState.replay(store.read_all())
    expected = derive_signals(Situation.empty(), observe(state), Cause(len(season)))
    assert [s for _, s in read_signals(store, 0, 10_000)] == list(expected)
    store.close()


def test_a_transaction_beside_the_log_commits_or_rolls_back_with_its_block(url: str) -> None:
    """``SignalLog.recorder.transaction()`` commits rows written in its block on the views'
    database, and a block that raises leaves nothing (as a dispatcher keeping its positions
    beside the log needs)."""
    store = open_store(url)
    with SignalLog(store) as log:
        recorder = log.recorder
        p = recorder.placeholder
        table = recorder.signals_table().replace("view_signals", "beside")  # same schema
        with recorder.transaction() as cursor:
            cursor.execute(f"CREATE TABLE {table} (name TEXT PRIMARY KEY, seq INTEGER)")
        with recorder.transaction() as cursor:
            cursor.execute(f"INSERT INTO {table} (name, seq) VALUES ({p}, {p})", ("kept", 1))

        def lose() -> None:
            with recorder.transaction() as cursor:
                cursor.execute(f"INSERT INTO {table} (name, seq) VALUES ({p}, {p})", ("lost", 2))
                raise Crash

        with pytest.raises(Crash):
            lose()
        with recorder.transaction() as cursor:
            cursor.execute(f"SELECT name FROM {table} ORDER BY name")
            assert [row["name"] for row in cursor.fetchall()] == ["kept"]
    store.close()
