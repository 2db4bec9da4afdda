"""Load on the real PostgreSQL server: 8 writer processes x 2,000 commands against 50 shared
goals, with conflicts and retries, while three view workers follow the log in threads (the
board twice, to race on one view, and the appraisal).

What "no gaps seen" means here: PostgreSQL notification ids may skip numbers (a rolled-back
insert consumes a sequence value), so the ids themselves need not be contiguous. The property
that matters is that a worker reading ``> position`` never passes over an event that commits
later with a smaller id; inserts take the events table's lock, so ids follow commit order. The
test checks it directly: the ids every worker read are exactly the ids the store holds.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import pytest

from execution_core import Event
from execution_core_adapters.projections.materialize import ViewWorker
from execution_core_adapters.storage.store import open_store
from tests.materialize.oracle import expected
from tests.scaleout.writers import identity, run_writers, seed

WRITERS = 8
COMMANDS = 2_000
GOALS = 50


def _reading_spy(worker: ViewWorker, seen: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Note the id of every notification the worker reads (a spy on the real recorder)."""
    recorder = worker.store.app.recorder
    select = recorder.select_notifications

    def spy(*args: Any, **kwargs: Any) -> Any:
        notifications = select(*args, **kwargs)
        seen.extend(n.id for n in notifications)
        return notifications

    monkeypatch.setattr(recorder, "select_notifications", spy)


def _commit_spy(
    worker: ViewWorker, committed: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Note the range ``(from, to]`` of every batch the worker committed."""
    write: Callable[..., None] = worker.recorder.write

    def spy(patches: Sequence[Any], position: int, *args: Any, **kwargs: Any) -> None:
        start = min(view.position for view in worker._views)
        write(patches, position, *args, **kwargs)
        if kwargs.get("track", True):  # a clock tick writes rows at the position it has
            committed.append((start, position))

    monkeypatch.setattr(worker.recorder, "write", spy)


@pytest.mark.postgres
def test_concurrent_writers_store_every_accepted_event_once_and_workers_miss_none(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given 8 processes running 2,000 mixed commands each against 50 shared goals (retrying on
    conflicts) while a board worker, a second board worker and an appraisal worker poll the
    log, then the store holds exactly the events of the accepted commands, once each, the
    workers read every stored id, the two board workers commit disjoint ranges covering the
    log, and the tables equal a rebuild and the pure projections."""
    seeded = seed(postgres_url, GOALS)
    workers = {
        "board": ViewWorker(postgres_url, "board", page_size=500, batch_size=500),
        "board again": ViewWorker(postgres_url, "board", page_size=500, batch_size=500),
        "appraisal": ViewWorker(postgres_url, "appraisal", page_size=500, batch_size=500),
    }
    seen: dict[str, list[int]] = {name: [] for name in workers}
    committed: dict[str, list[tuple[int, int]]] = {name: [] for name in workers}
    for name, worker in workers.items():
        _reading_spy(worker, seen[name], monkeypatch)
        _commit_spy(worker, committed[name], monkeypatch)
    stop = threading.Event()
    threads = [
        threading.Thread(target=w.run, kwargs={"poll_interval": 0.05, "stop_event": stop})
        for w in workers.values()
    ]
    for thread in threads:
        thread.start()
    try:
        written = run_writers(postgres_url, WRITERS, COMMANDS, GOALS)
        store = open_store(postgres_url)
        last = store.last_position()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(
            min(w.positions().values()) < last for w in workers.values()
        ):
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    # exactly once: what the accepted commands recorded is what the store holds
    stored = [recorded.event for recorded in store.read_all()]
    accepted: list[Event] = list(seeded)
    for result in written:
        accepted.extend(result.events)
    assert (
        sum(r.accepted for r in written) + sum(sum(r.refused.values()) for r in written)
        == WRITERS * COMMANDS
    )
    assert sum(r.refused.get("ConcurrentChange", 0) for r in written) == 0
    assert Counter(map(identity, stored)) == Counter(map(identity, accepted))
    assert len(set(map(identity, stored))) == len(stored)
    by_identity: dict[tuple[UUID, int], Event] = {identity(e): e for e in stored}
    assert all(by_identity[identity(e)] == e for e in accepted)

    # no gaps seen: every worker read every stored id, and the last one is the log's end
    ids = [n.id for n in store.app.recorder.select_notifications(start=1, limit=10**6)]
    assert ids[-1] == last
    for name, worker in workers.items():
        assert sorted(set(seen[name])) == ids, name
        assert worker.positions() == {worker.views[0]: last}

    # exactly once across the two board workers: disjoint committed ranges covering the log
    ranges = sorted(committed["board"] + committed["board again"])
    assert ranges[0][0] == 0
    assert ranges[-1][1] == last
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))

    # the tables equal a rebuild and the pure projections
    tables = {
        "board": workers["board"].rows("board"),
        "appraisal": workers["appraisal"].rows("appraisal"),
    }
    assert workers["board again"].rows("board") == tables["board"]
    for worker in workers.values():
        worker.close()
    with ViewWorker(store, "board,appraisal") as rebuilt:
        assert rebuilt.rebuild() == len(stored)
        assert {view: rebuilt.rows(view) for view in tables} == tables
    assert tables == {view: expected(stored, view) for view in tables}
    store.close()
