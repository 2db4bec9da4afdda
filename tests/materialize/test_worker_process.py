"""``execution-core worker`` as a real process on a store it cannot fully take: it parks the
view, says so once and goes on with the others; when the log cannot be read it backs off and
recovers. It never spins (the log lines are counted) and never dies silently."""

from __future__ import annotations

import signal
import sqlite3
import time
from typing import Any, cast

import pytest

from execution_core import Event
from execution_core_adapters.projections.materialize import ViewWorker
from execution_core_adapters.storage.store import ExecutionStore
from tests.materialize.oracle import put
from tests.materialize.planting import BAD, CASES, plant, url_of
from tests.scaleout.test_worker_faults import WorkerProcess


def _wait_until_current(store: ExecutionStore, reader: ViewWorker, timeout: float = 60) -> None:
    """Wait until each of the reader's views is tracked at the log's head."""
    last = store.last_position()
    deadline = time.monotonic() + timeout
    while min(reader.positions().values()) < last:
        assert time.monotonic() < deadline, (reader.positions(), last)
        time.sleep(0.05)


@pytest.mark.parametrize(("backend", "changes", "reason"), CASES)
def test_a_worker_on_an_event_a_view_cannot_take_parks_it_once_and_does_not_spin(
    backend: str,
    changes: dict[str, Any],
    reason: str,
    request: pytest.FixtureRequest,
    season: list[Event],
) -> None:
    """Given a stored goal the board cannot take (SQLite: NaN, PostgreSQL: NUL), when
    `execution-core worker` polls every 10 ms for two seconds after catching up, then the
    other views reach the head, the board is parked in exactly one ERROR line naming the view,
    the event and the reason, the log stays a handful of lines (it spun at thousands a second),
    and SIGTERM exits 0."""
    url = url_of(backend, request)
    store = plant(url, season, changes, 200)
    ids = [r.position for r in store.read_all()]
    worker = WorkerProcess(url, "board,appraisal,radar", "--poll", "0.01")
    with ViewWorker(store, "appraisal,radar") as reader:
        worker.wait_for("parked")
        _wait_until_current(store, reader)
    time.sleep(2)
    assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
    errors = [line for line in worker.lines if "ERROR" in line]
    assert len(errors) == 1, "\n".join(worker.lines)
    assert f"view board parked at event {ids[BAD]} (goal.GoalSet" in errors[0]
    assert reason in errors[0]
    assert len(worker.lines) <= 6, "\n".join(worker.lines)


def test_a_worker_that_cannot_read_the_log_backs_off_and_recovers(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a running worker whose store's events table disappears for three seconds, then it
    logs each failed try with a pause that grows (a few lines, not thousands), does not exit,
    and once the table is back applies the new events and exits 0 on SIGTERM."""
    store = put(sqlite_url, season[:100])
    path = sqlite_url.removeprefix("sqlite:///")
    worker = WorkerProcess(sqlite_url, "board", "--poll", "0.01")
    worker.wait_for("applied 100 events")
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE stored_events RENAME TO stored_events_away")
    time.sleep(3)
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE stored_events_away RENAME TO stored_events")
    retries = [line for line in worker.lines if "retrying in" in line]
    pauses = [float(line.rsplit("retrying in ", 1)[1].split()[0]) for line in retries]
    assert 2 <= len(retries) <= 12, "\n".join(worker.lines)
    assert pauses == sorted(pauses)
    assert pauses[-1] > pauses[0]
    store.app.events.put(cast(Any, season[100:150]))
    worker.wait_for("board at 150", timeout=90)
    assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
    store.close()
