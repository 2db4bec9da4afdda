"""The ``execution-core worker`` command as a real process on the real PostgreSQL server: killed
with SIGKILL at random points while writers write, restarted, racing a second worker of the
same view; stopped with SIGTERM. The oracle: the pure projections over the events up to each
view's tracked position, and a rebuild."""

from __future__ import annotations

import multiprocessing
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from execution_core import Event
from execution_core_adapters.projections.materialize import ViewWorker
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.materialize.oracle import expected
from tests.scaleout.writers import seed, write

VIEWS = ("board", "appraisal")
GOALS = 20


class WorkerProcess:
    """``execution-core worker`` in a subprocess, its stderr lines collected by a thread."""

    def __init__(self, url: str, views: str, *extra: str) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from execution_core_adapters.cli.main import main; main()",
                "worker",
                "--db",
                url,
                "--views",
                views,
                "--poll",
                "0.05",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Wait until a line of the log contains ``text`` (or the process ends)."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "\n".join(self.lines)
            time.sleep(0.02)

    def signal(self, signum: int) -> int:
        """Send ``signum`` and return the exit code."""
        self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code


def _events(store: ExecutionStore, upto: int) -> list[Event]:
    return [r.event for r in store.read_all() if r.position <= upto]


def _assert_tables_match_positions(store: ExecutionStore, reader: ViewWorker) -> dict[str, int]:
    """Every table equals the projections over the events up to its view's tracked position
    (rows and position are committed together, so a kill cannot leave them apart)."""
    positions = reader.positions()
    for view, position in positions.items():
        assert reader.rows(view) == expected(_events(store, position), view), (view, position)
    return positions


def _wait_until_current(store: ExecutionStore, reader: ViewWorker, timeout: float = 90) -> int:
    last = store.last_position()
    deadline = time.monotonic() + timeout
    while min(reader.positions().values()) < last:
        assert time.monotonic() < deadline, (reader.positions(), last)
        time.sleep(0.05)
    return last


@contextmanager
def _writers(url: str, writers: int, commands: int) -> Iterator[list[Any]]:
    """Writer processes running in the background during the block, awaited at its end."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        results = [pool.apply_async(write, (url, 100 + w, commands, GOALS)) for w in range(writers)]
        yield results
        for result in results:
            result.get(timeout=300)


@pytest.mark.postgres
def test_workers_killed_at_random_points_resume_exactly_once(postgres_url: str) -> None:
    """Given writers writing, and each round a board-and-appraisal worker and a second board
    worker started then killed with SIGKILL at random (seeded) instants, then after every round
    each table equals the projections at its tracked position, and once the writers are done a
    last run stopped with SIGTERM exits 0 with the tables current and equal to a rebuild."""
    rng = random.Random(20261128)
    seed(postgres_url, GOALS)
    store = open_store(postgres_url)
    reader = ViewWorker(store, ",".join(VIEWS))
    rounds = 0
    progress: list[dict[str, int]] = []
    with _writers(postgres_url, 4, 500) as results:
        while rounds < 6 or not all(r.ready() for r in results):
            workers = [
                WorkerProcess(postgres_url, "board,appraisal", "--page", "40", "--batch", "40"),
                WorkerProcess(postgres_url, "board", "--page", "25", "--batch", "25"),
            ]
            workers[0].wait_for("started")
            for worker in rng.sample(workers, len(workers)):
                time.sleep(rng.uniform(0.1, 1.5))
                code = worker.signal(signal.SIGKILL)
                assert code == -signal.SIGKILL, "\n".join(worker.lines)  # its log if it died
            progress.append(_assert_tables_match_positions(store, reader))
            rounds += 1
    assert progress[-1]["board"] > 0
    assert progress[-1]["appraisal"] > 0

    final = [
        WorkerProcess(postgres_url, "board,appraisal"),
        WorkerProcess(postgres_url, "board"),
    ]
    for worker in final:
        worker.wait_for("started")
    last = _wait_until_current(store, reader)
    for worker in final:
        assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
        assert "stopped" in worker.lines[-1]
        assert not any("ERROR" in line for line in worker.lines), "\n".join(worker.lines)
    assert reader.positions() == dict.fromkeys(VIEWS, last)
    tables = {view: reader.rows(view) for view in VIEWS}
    events = _events(store, last)
    assert tables == {view: expected(events, view) for view in VIEWS}
    reader.close()
    with ViewWorker(store, ",".join(VIEWS)) as rebuilt:
        rebuilt.rebuild()
        assert {view: rebuilt.rows(view) for view in VIEWS} == tables
    store.close()


@pytest.mark.postgres
def test_sigterm_during_a_catch_up_commits_what_was_applied_and_exits_0(
    postgres_url: str,
) -> None:
    """Given a store of a few thousand events and a worker catching up in small pages, when it
    receives SIGTERM, then it exits 0 having saved a position, its tables equal the projections
    at that position, and a restarted worker goes on from there to the end."""
    seed(postgres_url, GOALS)
    write(postgres_url, 7, 1_500, GOALS)
    store = open_store(postgres_url)
    worker = WorkerProcess(postgres_url, "board,appraisal", "--page", "20", "--batch", "20")
    worker.wait_for("applied")
    assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
    assert "stopped" in worker.lines[-1]
    with ViewWorker(store, ",".join(VIEWS)) as reader:
        saved = _assert_tables_match_positions(store, reader)
        assert min(saved.values()) > 0
        again = WorkerProcess(postgres_url, "board,appraisal")
        again.wait_for("started")
        last = _wait_until_current(store, reader)
        assert again.signal(signal.SIGINT) == 0, "\n".join(again.lines)
        assert reader.positions() == dict.fromkeys(VIEWS, last)
        events = _events(store, last)
        assert {view: reader.rows(view) for view in VIEWS} == {
            view: expected(events, view) for view in VIEWS
        }
    store.close()


@pytest.mark.postgres
def test_a_stale_worker_of_the_same_view_cannot_apply_events_again(postgres_url: str) -> None:
    """Given a board worker that applied up to 10 and a second one that then applied (10, 60],
    when the first commits a batch starting from 10, then it is refused (the view is no longer
    tracked where the batch starts, though its end is further) without raising, and the
    first, reloaded, applies only the events after 60."""
    seed(postgres_url, GOALS)
    store = open_store(postgres_url)
    with ViewWorker(store, "board") as stale, ViewWorker(store, "board") as other:
        assert stale.catch_up(limit=10) == 10
        assert other.catch_up(limit=50) == 50
        ids = [r.position for r in store.read_all()]
        assert other.positions() == {"board": ids[59]}
        assert stale.catch_up() == len(ids) - 60
        assert stale.conflicts == 1
        assert stale.parked() == {}
        assert stale.positions() == {"board": ids[-1]}
        assert stale.rows("board") == expected(_events(store, ids[-1]), "board")
    store.close()
