"""A connection to PostgreSQL dropped in the middle of a command: a typed error, nothing half
written, and the next command works on a fresh connection.

The backend is terminated with ``pg_terminate_backend`` from another connection while the
command's transaction is open and waiting: either for the events table's lock (held by the
test), or after its events were inserted, in a test-only trigger on the chain table that waits
for an advisory lock the test holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest

from execution_core import (
    Execution,
    LogProgress,
    Outcome,
    StoreUnavailable,
)
from execution_core_adapters.storage.chain_format import CHAIN_TABLE
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.conftest import POSTGRES_DSN
from tests.support import FixedClock, day, seed_deals_goal

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000c1")
EVENTS_TABLE = "executioncore_events"
ADVISORY = 4_242_001


def _schema(url: str) -> str:
    return parse_qs(urlsplit(url).query)["schema"][0]


@pytest.fixture
def admin() -> Iterator[psycopg.Connection[Any]]:
    """A separate connection to the server, for locks, triggers and terminations."""
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
        yield connection


@pytest.fixture
def execution(postgres_url: str) -> Iterator[Execution]:
    """The standard organization and a goal of ana's; a snapshot every 2 events of a stream,
    so the interrupted check-in is one that would also snapshot."""
    store = open_store(postgres_url, clock=FixedClock(), snapshot_interval=2)
    with Execution(store) as execution:
        seed_deals_goal(execution, GOAL_ID)
        yield execution


def _log(value: float) -> LogProgress:
    return LogProgress(
        actor="ana", occurred_at=day(1), goal_id=GOAL_ID, kr_id="deals", value=value, confidence=0.5
    )


def _in_background(run: Callable[[], Outcome]) -> tuple[threading.Thread, list[object]]:
    """Run a command in a thread; its outcome or error lands in the returned list."""
    result: list[object] = []

    def target() -> None:
        try:
            result.append(run())
        except BaseException as error:  # handed to the test
            result.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, result


def _terminate_waiting_writer(admin: psycopg.Connection[Any], schema: str) -> int:
    """Find the backend of the command, blocked on a lock inside its transaction, and end it.

    Polls pg_stat_activity until the writer is seen waiting (bounded, so a broken setup fails
    instead of hanging); asserts nothing about how long that took."""
    for _ in range(3000):
        admin.execute("SELECT pg_stat_clear_snapshot()")  # fresh inside a transaction
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND wait_event_type = 'Lock' AND state = 'active' AND query LIKE %s",
            (f"%{schema}%",),
        ).fetchone()
        if row is not None:
            admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
            return int(row[0])
        time.sleep(0.01)
    raise AssertionError("the command never waited on the lock")


def _consistent(store: ExecutionStore, before: int) -> None:
    """No event, chain entry or snapshot of the interrupted command, and the chain verifies."""
    assert store.last_position() == before
    assert [e.version for e in store.read(GOAL_ID)] == [1, 2]
    report = store.verify()
    assert report.ok, report.first
    assert report.head.position == before


@pytest.mark.parametrize("moment", ["waiting for the table lock", "after inserting the events"])
def test_a_connection_dropped_mid_command_raises_and_writes_nothing(
    execution: Execution, postgres_url: str, admin: psycopg.Connection[Any], moment: str
) -> None:
    """Given a check-in whose transaction is open on the server, when its backend is
    terminated, then the command raises StoreUnavailable, no event, chain entry or snapshot of
    it exists, and the next command records on a fresh connection."""
    schema = _schema(postgres_url)
    store = execution.store
    assert isinstance(store, ExecutionStore)
    before = store.last_position()
    if moment == "waiting for the table lock":
        with admin.transaction():
            admin.execute(f'LOCK TABLE "{schema}"."{EVENTS_TABLE}" IN EXCLUSIVE MODE')
            thread, result = _in_background(lambda: execution.execute(_log(3)))
            _terminate_waiting_writer(admin, schema)
            thread.join()
    else:
        _install_waiting_trigger(admin, schema)
        admin.execute("SELECT pg_advisory_lock(%s)", (ADVISORY,))
        thread, result = _in_background(lambda: execution.execute(_log(3)))
        _terminate_waiting_writer(admin, schema)
        thread.join()
        admin.execute("SELECT pg_advisory_unlock_all()")
        admin.execute(f'DROP TRIGGER wait_for_test ON "{schema}"."{CHAIN_TABLE}"')
    assert isinstance(result[0], StoreUnavailable), result
    assert "connection" in str(result[0]), result[0]
    _consistent(store, before)
    outcome = execution.execute(_log(4))
    assert [e.version for e in outcome.events] == [3]
    assert store.verify().ok
    with Execution(open_store(postgres_url)) as other:  # a cold reader sees the same
        assert other.goal(GOAL_ID).version == 3


def test_a_dropped_command_retried_with_its_key_records_once(
    execution: Execution, postgres_url: str, admin: psycopg.Connection[Any]
) -> None:
    """Given a check-in sent with an idempotency key and one retry, when its first attempt's
    backend is terminated while it waits for the table lock, then the retry records it, once."""
    schema = _schema(postgres_url)
    store = execution.store
    assert isinstance(store, ExecutionStore)
    with admin.transaction():
        admin.execute(f'LOCK TABLE "{schema}"."{EVENTS_TABLE}" IN EXCLUSIVE MODE')
        thread, result = _in_background(
            lambda: execution.execute(_log(3), idempotency_key="drop-1", retries=1)
        )
        first = _terminate_waiting_writer(admin, schema)
    thread.join()
    outcome = result[0]
    assert isinstance(outcome, Outcome), outcome
    assert first
    assert not outcome.replayed
    assert [e.version for e in outcome.events] == [3]
    assert execution.execute(_log(3), idempotency_key="drop-1").replayed
    assert [e.version for e in store.read(GOAL_ID)] == [1, 2, 3]
    assert store.verify().ok


def _install_waiting_trigger(admin: psycopg.Connection[Any], schema: str) -> None:
    """A test-only trigger: inserting chain rows (after the events, in the same transaction)
    waits for an advisory lock the test holds."""
    admin.execute(
        f'CREATE OR REPLACE FUNCTION "{schema}".wait_for_test() RETURNS trigger '
        f"LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock({ADVISORY}); "
        "RETURN NULL; END $$"
    )
    admin.execute(
        f'CREATE TRIGGER wait_for_test AFTER INSERT ON "{schema}"."{CHAIN_TABLE}" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".wait_for_test()'
    )
