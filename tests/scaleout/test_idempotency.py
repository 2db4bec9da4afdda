"""Idempotency keys: a retried command records once, atomically with its receipt, on every
backend and between racing processes; every reader of the log ignores the receipts."""

from __future__ import annotations

import io
import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from execution_core import (
    ConcurrentChange,
    Execution,
    IdempotencyKeyReused,
    InvalidInput,
    KeyResultSpec,
    LogProgress,
    NotFound,
    SetGoal,
)
from execution_core.audit import trail
from execution_core.command import Receipt
from execution_core.goals.commands import OwnerSpec
from execution_core.streams import GOAL
from execution_core.views.ledger import Ledger
from execution_core_adapters.projections.materialize import VIEWS, ViewWorker
from execution_core_adapters.storage.mapper import receipt_stream_id
from execution_core_adapters.storage.store import ExecutionStore, open_store
from execution_core_adapters.transfer import import_lines, write_export
from tests.materialize.oracle import expected
from tests.support import CYCLE_ID, FixedClock, day, seed_deals_goal

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000b1")


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend (PostgreSQL: a fresh schema of the real server)."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def execution(url: str) -> Iterator[Execution]:
    """The standard organization and one goal of ana's, on the backend under test."""
    with Execution(
        open_store(url, clock=FixedClock(), snapshot_interval=3), future_tolerance=None
    ) as execution:
        _seed(execution)
        yield execution


def _seed(execution: Execution) -> None:
    seed_deals_goal(execution, GOAL_ID)


def _log(value: float, when: float = 1) -> LogProgress:
    return LogProgress(
        actor="ana",
        occurred_at=day(when),
        goal_id=GOAL_ID,
        kr_id="deals",
        value=value,
        confidence=0.6,
    )


def _store(execution: Execution) -> ExecutionStore:
    assert isinstance(execution.store, ExecutionStore)
    return execution.store


def test_a_retry_with_the_same_key_returns_the_first_outcome_and_records_nothing(
    execution: Execution,
) -> None:
    """Given a check-in recorded with a key, when it is sent again with that key, then the
    first outcome comes back (marked replayed) and the store holds one check-in."""
    first = execution.execute(_log(3), idempotency_key="req-1")
    position = execution.store.last_position()
    again = execution.execute(_log(3), idempotency_key="req-1")
    assert (again.replayed, first.replayed) == (True, False)
    assert (again.stream_id, again.events, again.state) == (
        first.stream_id,
        first.events,
        first.state,
    )
    assert execution.store.last_position() == position
    assert [e.version for e in execution.events(GOAL_ID)] == [1, 2, 3]
    assert _store(execution).verify().ok


def test_a_json_request_carries_its_key_as_a_field(execution: Execution) -> None:
    """Given a JSON command with an ``idempotency_key`` field, when the same request arrives
    twice, then it records once and the second answer is the replay."""
    request = json.dumps({"type": "LogProgress", "idempotency_key": "abc", **_log(4).dump()})
    first = execution.execute(request)
    second = execution.execute(request.encode())
    assert second.replayed
    assert second.events == first.events
    assert len(execution.events(GOAL_ID)) == 3


def test_the_same_key_with_another_command_is_refused_and_records_nothing(
    execution: Execution,
) -> None:
    """Given a key that recorded a check-in of 3, when a check-in of 5 reuses it, then
    IdempotencyKeyReused (an InvalidInput) is raised and nothing is stored."""
    execution.execute(_log(3), idempotency_key="req-2")
    position = execution.store.last_position()
    with pytest.raises(IdempotencyKeyReused, match="req-2"):
        execution.execute(_log(5), idempotency_key="req-2")
    assert issubclass(IdempotencyKeyReused, InvalidInput)
    assert execution.store.last_position() == position


def test_a_goal_set_without_an_id_and_retried_is_set_once(execution: Execution) -> None:
    """Given a SetGoal without a goal id (the service picks it), when it is retried with its
    key, then the retry returns the same goal id and no second goal exists."""
    command = SetGoal(
        actor="ben",
        occurred_at=day(2),
        cycle_id=CYCLE_ID,
        title="Calls",
        owner=OwnerSpec(id="ben"),
        key_results=(KeyResultSpec(kr_id="calls", name="Calls", target=5),),
    )
    first = execution.execute(command, idempotency_key="set-calls")
    again = execution.execute(command, idempotency_key="set-calls")
    assert again.stream_id == first.stream_id
    assert again.replayed
    titles = [e for e in execution.history() if type(e).name == "goal.GoalSet"]
    assert len(titles) == 2  # the seeded goal and this one


@pytest.mark.parametrize("key", ["", " spaced key ", "x" * 201, "naïve"])
def test_a_malformed_key_is_invalid_input(execution: Execution, key: str) -> None:
    """Given a key that is empty, has spaces, is too long or not ASCII, when a command carries
    it, then InvalidInput is raised and nothing is stored."""
    position = execution.store.last_position()
    with pytest.raises(InvalidInput, match="idempotency key"):
        execution.execute(_log(3), idempotency_key=key)
    assert execution.store.last_position() == position


def test_receipts_are_invisible_to_every_reader_of_the_log(
    execution: Execution, url: str, tmp_path: Path
) -> None:
    """Given check-ins recorded with keys (some crossing a snapshot), when the history, the
    ledger, the audit trail, the chain, an export/import and the view tables read the store,
    then they see exactly the events, as if no key had been used."""
    seeded = len(execution.history())
    for n in range(5):
        execution.execute(_log(n + 1, when=n + 1), idempotency_key=f"k-{n}")
    store = _store(execution)
    events = execution.history()
    assert len(events) == len(list(store.read_all())) == seeded + 5
    assert store.last_position() >= len(events) + 5  # the receipts hold positions too
    assert execution.events(receipt_stream_id("k-0")) == []
    with pytest.raises(NotFound, match="receipt"):
        store.load(receipt_stream_id("k-0"), GOAL)
    assert execution.ledger_as_of() == Ledger.of(events)
    assert len(trail(store.read_all(), goal=GOAL_ID)) == 2 + 5
    report = store.verify()
    assert report.ok
    assert report.events_checked == len(events) + 5
    exported = io.BytesIO()
    assert write_export(store, exported) == len(events)
    copy = open_store("memory://")
    import_lines(copy, exported.getvalue().splitlines(keepends=True))
    assert [r.event for r in copy.read_all()] == events
    if not url.startswith("memory"):
        with ViewWorker(store) as worker:
            worker.catch_up()
            assert {view: worker.rows(view) for view in VIEWS} == {
                view: expected(events, view) for view in VIEWS
            }


def _race(url: str, barrier: Any, results: Any) -> None:
    """One racing process: wait for the others, then send the shared request once."""
    try:
        with Execution(open_store(url, clock=FixedClock()), future_tolerance=None) as execution:
            execution.goal(GOAL_ID)  # warm up: the race is on the write, not on connecting
            barrier.wait(timeout=120)
            outcome = execution.execute(_log(7), idempotency_key="race", retries=3)
            results.put((outcome.replayed, [(e.stream_id, e.version) for e in outcome.events]))
    except BaseException as error:  # reported by the test, not lost in the child
        results.put((None, [repr(error)]))
        raise


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_racing_with_one_key_record_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Given four processes sending the same check-in with the same key at the same moment,
    when they all finish, then exactly one recorded it, the others got its events back as a
    replay, and the goal holds one new check-in."""
    url = (
        f"sqlite:///{tmp_path / 'race.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    with Execution(open_store(url, clock=FixedClock()), future_tolerance=None) as setup:
        _seed(setup)
    context = multiprocessing.get_context("spawn")  # no inherited pools or locks
    barrier, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_race, args=(url, barrier, results)) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join()
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    assert sorted(replayed for replayed, _ in outcomes) == [False, True, True, True]
    assert {tuple(events) for _, events in outcomes} == {((GOAL_ID, 3),)}
    with Execution(open_store(url)) as check:
        assert [e.version for e in check.events(GOAL_ID)] == [1, 2, 3]
        assert _store(check).verify().ok


def test_events_and_receipt_are_stored_together_or_not_at_all(execution: Execution) -> None:
    """Given a decision whose goal version another writer took, and one whose key another
    command holds, when each is appended with its receipt, then each raises ConcurrentChange
    and stores neither its events nor its receipt."""
    store = _store(execution)
    goal = store.load(GOAL_ID, GOAL)
    done = execution.execute(_log(1), idempotency_key="held")
    stale = execution.execute(_log(2, when=2)).events  # taken: the stale decision's version
    position = store.last_position()
    receipt = Receipt("fresh", "f" * 64, "goal", GOAL_ID, stale[0].version, stale[0].version)
    with pytest.raises(ConcurrentChange):
        store.append_once(stale, GOAL, goal, receipt)
    assert store.receipt("fresh") is None
    assert store.last_position() == position
    later = attrs.evolve(stale[0], version=stale[0].version + 1)
    held = attrs.evolve(receipt, key="held", first_version=later.version)
    with pytest.raises(ConcurrentChange):
        store.append_once([later], GOAL, goal, held)
    assert store.last_position() == position
    assert store.receipt("held") == attrs.evolve(held, **_fields(done))
    assert store.verify().ok


def _fields(outcome: Any) -> dict[str, Any]:
    """The receipt fields an outcome fixes."""
    return {
        "fingerprint": Receipt.fingerprint_of(_log(1)),
        "first_version": outcome.events[0].version,
        "last_version": outcome.events[-1].version,
    }
