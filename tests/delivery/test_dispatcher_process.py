"""``execution-core worker --signals`` as a real process, SIGKILLed mid-delivery at random
(seeded) instants and restarted, on a SQLite file and the real PostgreSQL server: the handler
has received each signal meant for it exactly once and in order, up to its subscription's
position after every kill and entirely at the end, though it was called again for the batches
a kill cut short; the webhook receiver has accepted every signal meant for it (repeats
allowed, never a loss), each under its own idempotency key."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from execution_core import Event
from execution_core.subscriptions import Handler, Webhook
from execution_core_adapters.delivery import Dispatcher
from execution_core_adapters.projections import ViewWorker
from execution_core_adapters.storage.store import open_store
from tests.delivery.conftest import received_table
from tests.delivery.handlers import create_received
from tests.delivery.log import append, logged, project
from tests.delivery.receiver import receiving
from tests.delivery.test_dispatcher import _meant_for
from tests.scaleout.test_worker_faults import WorkerProcess

ROUNDS = 4
RECORD = Handler("tests.delivery.handlers:record")


def _wait(condition: Callable[[], bool], timeout: float = 120) -> None:
    """Wait until ``condition`` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _received(dispatcher: Dispatcher, table: str) -> list[str]:
    with dispatcher.tables.transaction() as cursor:
        cursor.execute(f"SELECT key FROM {table} ORDER BY seq")
        return [row["key"] for row in cursor.fetchall()]


def _positions(dispatcher: Dispatcher) -> dict[str, int]:
    return {s.subscription.name: s.position for s in dispatcher.subscriptions()}


def _calls(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_dispatcher_killed_mid_delivery_sends_no_signal_twice_to_a_handler_and_loses_none(
    url: str,
    season: list[Event],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given a handler (20 ms a signal) and a webhook subscribed from the start, when in each
    of four rounds a quarter of the season is recorded and its signals logged, and the worker
    delivering them is SIGKILLed at a random instant after the handler's first call of the
    round, and then left to finish, then after each kill the handler's rows are exactly
    the signals meant for it up to its position; at the end they are all of them, each once,
    though the handler was called more often than that; the receiver accepted every signal
    meant for the webhook, in the log's order of first arrival."""
    rng = random.Random(20261207)
    table = received_table(url)
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("RECEIVED_TABLE", table)
    monkeypatch.setenv("HANDLER_PAUSE", "0.02")
    monkeypatch.setenv("HANDLER_CALLS", str(calls))
    org = 1 + max(i for i, e in enumerate(season) if type(e).__name__ == "PersonJoined")
    quarter = (len(season) - org) // ROUNDS
    append(url, season[:org])
    store = open_store(url)
    with receiving() as receiver, Dispatcher(store) as reader:
        with reader.tables.transaction() as cursor:
            create_received(cursor, table)
        audit = reader.subscribe("audit", RECORD, "hana", from_start=True)
        hook = reader.subscribe("max-channel", Webhook(receiver.url), "max", from_start=True)
        for round_ in range(ROUNDS):
            end = len(season) if round_ == ROUNDS - 1 else org + quarter * (round_ + 1)
            append(url, season[org + quarter * round_ : end])
            project(store)
            called = len(_calls(calls))
            worker = WorkerProcess(url, "board", "--signals")
            _wait(lambda: len(_calls(calls)) > called)  # noqa: B023 - used at once
            time.sleep(rng.uniform(0.0, 0.3))
            assert worker.signal(signal.SIGKILL) == -signal.SIGKILL
            by_seq = {s.key: seq for seq, s in logged(store)}
            position = _positions(reader)["audit"]
            for_audit = [s.key for s in _meant_for(store, audit)]
            assert _received(reader, table) == [k for k in for_audit if by_seq[k] <= position]
        worker = WorkerProcess(url, "board", "--signals")
        last = store.last_position()
        with ViewWorker(store, "board") as views:
            _wait(lambda: views.positions()["board"] >= last)
        head = logged(store)[-1][0]
        _wait(lambda: min(_positions(reader).values()) >= head)
        assert worker.signal(signal.SIGTERM) == 0, "\n".join(worker.lines)
        by_seq = {s.key: seq for seq, s in logged(store)}
        position = _positions(reader)["audit"]
        for_audit = [s.key for s in _meant_for(store, audit) if by_seq[s.key] <= position]
        assert _received(reader, table) == for_audit
        assert len(_calls(calls)) > len(for_audit), "no kill cut a handler's batch short"
        hooked = _positions(reader)["max-channel"]
        for_hook = [s.key for s in _meant_for(store, hook) if by_seq[s.key] <= hooked]
        assert list(dict.fromkeys(receiver.accepted())) == for_hook
        assert set(receiver.keys()) == set(for_hook)
        assert reader.dead_letters() == []
    store.close()
