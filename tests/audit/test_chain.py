"""The hash chain: kept as events are stored, and verify names the first tampered event."""

from __future__ import annotations

import hashlib
import itertools
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core import ConcurrentChange, Execution, LogProgress
from execution_core.ports import ChainHead
from execution_core.streams import GOAL
from execution_core_adapters.storage.chain_format import GENESIS, ChainBroken, event_hash, link
from execution_core_adapters.storage.chain_verify import head
from execution_core_adapters.storage.codec import dumps
from execution_core_adapters.storage.recorders import ChainedPOPORecorder
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.audit.helpers import GOAL_A, GOAL_B, edited, raw_for, record_small, stream_of
from tests.integration.scenario import record
from tests.support import FixedClock, day

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on SQLite (a fresh file) or on the real PostgreSQL (a fresh schema)."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def small(url: str) -> str:
    """The small history recorded at ``url``."""
    record_small(url)
    return url


def _verify(url: str, anchor: ChainHead | None = None) -> Any:
    store = open_store(url)
    try:
        return store.verify(anchor=anchor)
    finally:
        store.close()


def _progress_positions(url: str) -> list[int]:
    return [row[0] for row in raw_for(url).rows() if row[3] == "goal.ProgressLogged"]


# -- an untouched store ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memory_season_head() -> ChainHead:
    """The chain head of the demo season recorded in memory."""
    from execution_core_adapters.cli.demo import SeasonClock, record_season

    clock = SeasonClock()
    store = open_store("memory://", clock=clock, snapshot_interval=10)
    record_season(Execution(store, future_tolerance=None), clock)
    report = store.verify()
    assert report.ok, report.first
    return head(store)


@given(
    position=st.integers(min_value=0),
    stream=st.text(),
    version=st.integers() | st.booleans() | st.none() | st.text(max_size=3),
    topic=st.text() | st.integers(),
    state=st.binary(max_size=16),
)
def test_event_hash_follows_its_definition(
    position: int, stream: str, version: object, topic: object, state: bytes
) -> None:
    """Property: the event hash is sha256 of the canonical JSON header (``dumps``, a value
    neither an int nor a str by its repr), a newline and the bytes, for any column values,
    those the store writes spelled directly included. Oracle: the definition in chain_format."""
    scalar = [
        v if isinstance(v, int | str) and not isinstance(v, bool) else repr(v)
        for v in (version, topic)
    ]
    header = dumps([position, stream, *scalar])
    assert event_hash(position, stream, version, topic, state) == (
        hashlib.sha256(header + b"\n" + state).digest()
    )


def test_untouched_demo_season_verifies(url: str, memory_season_head: ChainHead) -> None:
    """Given the demo season recorded on SQLite or PostgreSQL, when verified by a fresh store,
    then every event and snapshot checks out, the head is at the in-memory recording's position
    (its hash is the store's own: personal fields are sealed with each store's keys, see
    docs/privacy.md), and the store verifies against its own head as an anchor."""
    count = record(url)
    report = _verify(url)
    assert report.ok, report.first
    assert report.events_checked == count == memory_season_head.position
    assert report.snapshots_checked > 0
    assert report.head.position == memory_season_head.position
    assert report.head != memory_season_head
    assert _verify(url, anchor=report.head).ok


def test_empty_store_verifies_with_the_genesis_head() -> None:
    """Given an empty store, when verified, then it is ok with no events and the genesis head."""
    store = open_store("memory://")
    report = store.verify()
    assert (report.ok, report.events_checked, report.head) == (True, 0, ChainHead(0, GENESIS.hex()))
    assert store.verify(anchor=head(store)).ok


def test_chain_follows_its_definition_from_the_stored_rows(small: str) -> None:
    """Property: the head equals the fold of link(previous, event_hash(row)) over the stored rows
    (oracle: the formula of docs/audit.md recomputed from raw SQL)."""
    expected = GENESIS
    for position, stream, version, topic, state in raw_for(small).rows():
        expected = link(expected, event_hash(position, stream_of(stream), version, topic, state))
    store = open_store(small)
    try:
        assert head(store).hash == expected.hex()
    finally:
        store.close()


# -- tampering with one row --------------------------------------------------------------------


def test_edited_state_is_named(small: str) -> None:
    """Given a check-in whose stored bytes were edited in the database, when verified, then the
    report names that event as edited."""
    raw = raw_for(small)
    position = _progress_positions(small)[2]
    _, stream, version, _, state = raw.rows()[position - 1]
    raw.execute(
        "UPDATE {events} SET state = ? WHERE rowid = ?", edited(state, value=99.0), position
    )
    report = _verify(small)
    assert not report.ok
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("edited", position)
    assert (report.first.stream_id, report.first.version) == (stream_of(stream), version)


def test_deleted_row_is_named(small: str) -> None:
    """Given a check-in row deleted from the events table, when verified, then the report names
    it (stream and version, from the chain) as removed."""
    raw = raw_for(small)
    position = _progress_positions(small)[1]
    _, stream, version, _, _ = raw.rows()[position - 1]
    raw.execute("DELETE FROM {events} WHERE rowid = ?", position)
    report = _verify(small)
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("removed", position)
    assert (report.first.stream_id, report.first.version) == (stream_of(stream), version)


def test_swapped_payloads_are_named(small: str) -> None:
    """Given two check-ins whose payloads were swapped (the store still reads both), when
    verified, then the first of them is named as reordered, pointing at the other."""
    raw = raw_for(small)
    first, second = _progress_positions(small)[0], _progress_positions(small)[3]
    rows = raw.rows()
    raw.execute("UPDATE {events} SET state = ? WHERE rowid = ?", rows[second - 1][4], first)
    raw.execute("UPDATE {events} SET state = ? WHERE rowid = ?", rows[first - 1][4], second)
    report = _verify(small)
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("reordered", first)
    assert f"recorded at position {second}" in report.first.detail
    assert report.problems >= 2  # the two events (and snapshots folded from them)


def test_row_inserted_out_of_band_is_named(small: str) -> None:
    """Given a check-in inserted straight into the events table, when verified, then the report
    names it as inserted out of band."""
    raw = raw_for(small)
    rows = raw.rows()
    last_a = max(row for row in rows if stream_of(row[1]) == str(GOAL_A))
    stream = GOAL_A.hex if not small.startswith("postgresql") else str(GOAL_A)
    forged = edited(last_a[4], value=10.0, comment="done!")
    raw.execute(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        stream,
        last_a[2] + 1,
        "goal.ProgressLogged",
        forged,
    )
    report = _verify(small)
    assert report.first is not None
    assert report.first.kind == "inserted"
    assert report.first.position > rows[-1][0]
    assert (report.first.stream_id, report.first.version) == (str(GOAL_A), last_a[2] + 1)


def test_event_deleted_with_its_chain_entry_is_named(small: str) -> None:
    """Given a check-in deleted together with its chain entry, when verified, then the report
    says an event was removed there (SQLite: at its position, a gap it never leaves; PostgreSQL,
    whose positions may have gaps: at the next event, where the chain breaks)."""
    raw = raw_for(small)
    position = _progress_positions(small)[1]
    raw.execute("DELETE FROM {events} WHERE rowid = ?", position)
    raw.execute("DELETE FROM {chain} WHERE notification_id = ?", position)
    report = _verify(small)
    assert report.first is not None
    assert report.first.kind == "removed"
    expected = position + 1 if small.startswith("postgresql") else position
    assert report.first.position == expected


def test_forged_snapshot_is_named(small: str) -> None:
    """Given a snapshot edited in the database (loads would start from it), when verified, then
    the report names that snapshot of the stream."""
    raw = raw_for(small)
    for stream, version, state in raw.query(
        "SELECT originator_id, originator_version, state FROM {snapshots}"
    ):
        forged = bytes(state).replace(b'"Deals for ana"', b'"Deals for eve"')
        raw.execute(
            "UPDATE {snapshots} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            forged,
            stream,
            version,
        )
    report = _verify(small)
    assert report.first is not None
    assert (report.first.record, report.first.kind) == ("snapshot", "edited")
    assert report.first.stream_id == str(GOAL_A)


# -- what only an anchor exposes ---------------------------------------------------------------


def test_truncated_tail_passes_alone_and_fails_against_an_anchor(small: str) -> None:
    """Given the newest two events removed with their chain entries, when verified, then alone it
    passes (the documented limit) and against the head saved before, it is named truncated."""
    store = open_store(small)
    anchor = head(store)
    store.close()
    raw = raw_for(small)
    for position in (anchor.position, anchor.position - 1):
        raw.execute("DELETE FROM {events} WHERE rowid = ?", position)
        raw.execute("DELETE FROM {chain} WHERE notification_id = ?", position)
    assert _verify(small).ok
    report = _verify(small, anchor=anchor)
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("truncated", anchor.position - 1)


def test_rewritten_chain_passes_alone_and_fails_against_an_anchor(small: str) -> None:
    """Given an edited check-in and every chain entry from it recomputed, when verified, then alone
    it passes (the documented limit) and against the head saved before, it is named rewritten."""
    store = open_store(small)
    anchor = head(store)
    store.close()
    raw = raw_for(small)
    target = _progress_positions(small)[6]  # goal A's newest check-in, after its snapshot
    _, _, _, _, state = raw.rows()[target - 1]
    raw.execute("UPDATE {events} SET state = ? WHERE rowid = ?", edited(state, value=50.0), target)
    previous = GENESIS
    for position, stream, version, topic, data in raw.rows():
        digest = event_hash(position, stream_of(stream), version, topic, data)
        previous = link(previous, digest)
        if position >= target:
            raw.execute(
                "UPDATE {chain} SET event_hash = ?, chain_hash = ? WHERE notification_id = ?",
                digest,
                previous,
                position,
            )
    assert _verify(small).ok
    report = _verify(small, anchor=anchor)
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("rewritten", anchor.position)


# -- writing ---------------------------------------------------------------------------------


def _log(
    target: str | ExecutionStore, goal_id: UUID, owner: str, value: float, when: float = 40
) -> None:
    store = open_store(target, clock=FixedClock(day(when))) if isinstance(target, str) else target
    execution = Execution(store, future_tolerance=None)
    try:
        execution.execute(
            LogProgress(
                actor=owner,
                occurred_at=day(when),
                goal_id=goal_id,
                kr_id="deals",
                value=value,
                confidence=0.8,
            )
        )
    finally:
        if isinstance(target, str):
            store.close()


def test_forged_chain_entry_ahead_stops_writes_and_stores_nothing(small: str) -> None:
    """Given a chain entry forged beyond the newest event, when a check-in is appended, then it
    raises ChainBroken and the insert is rolled back."""
    raw = raw_for(small)
    last = raw.rows()[-1][0]
    raw.execute("INSERT INTO {chain} VALUES (?, ?, ?, ?, ?)", last + 3, str(GOAL_A), 99, b"x", b"y")
    with pytest.raises(ChainBroken, match="removed from the store out of band"):
        _log(small, GOAL_A, "ana", 9.0)
    assert raw.rows()[-1][0] == last


@pytest.mark.postgres
def test_gaps_left_by_failed_inserts_do_not_break_the_chain(postgres_url: str) -> None:
    """Given a conflicting append that consumed a PostgreSQL position and failed, when more events
    follow and the store is verified, then the chain skips the gap and checks out."""
    count = record_small(postgres_url)
    store = open_store(postgres_url)
    try:
        taken = store.read(GOAL_A)[-1]
        with pytest.raises(ConcurrentChange):
            store.append([taken], GOAL, store.load(GOAL_A, GOAL))
    finally:
        store.close()
    _log(postgres_url, GOAL_A, "ana", 9.0)
    report = _verify(postgres_url)
    assert report.ok, report.first
    assert report.events_checked == count + 1
    assert report.head.position > count + 1


def test_concurrent_writers_keep_one_consistent_chain(url: str) -> None:
    """Given four writers appending check-ins to two goals at once through separate stores, when
    verified, then every event is chained exactly once in position order."""
    count = record_small(url)
    done: list[int] = []
    errors: list[BaseException] = []

    def writer(store: ExecutionStore, goal_id: UUID, owner: str) -> None:
        try:
            for value in range(5):
                for _attempt in range(50):
                    try:
                        _log(store, goal_id, owner, float(value))
                        done.append(1)
                        break
                    except ConcurrentChange:
                        continue
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    writers = ((GOAL_A, "ana"), (GOAL_B, "ben"), (GOAL_A, "max"), (GOAL_B, "max"))
    stores = [open_store(url, clock=FixedClock(day(40))) for _ in writers]
    threads = [
        threading.Thread(target=writer, args=(store, goal, owner))
        for store, (goal, owner) in zip(stores, writers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert not errors, errors
    report = _verify(url)
    assert report.ok, report.first
    assert report.events_checked == count + len(done) == count + 20


def test_tampering_in_memory_is_named() -> None:
    """Given an in-memory store whose recorded event was replaced in place, when verified, then
    the report names it as edited."""
    store = open_store("memory://")
    record_small_in(store)
    recorder = store.app.recorder
    assert isinstance(recorder, ChainedPOPORecorder)
    original = recorder.events[5]
    assert b'"unit_id":"sales"' in original.state
    recorder.events[5] = type(original)(
        originator_id=original.originator_id,
        originator_version=original.originator_version,
        topic=original.topic,
        state=original.state.replace(b'"unit_id":"sales"', b'"unit_id":"hq"'),
    )
    report = store.verify()
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("edited", 6)


def record_small_in(store: Any) -> None:
    """Record the standard organization into an open store."""
    from tests.support import standard_org

    execution = Execution(store, future_tolerance=None)
    for command in standard_org():
        execution.execute(command)


@pytest.mark.postgres
def test_row_and_chain_entry_forged_into_a_gap_are_named(postgres_url: str) -> None:
    """Given a PostgreSQL gap (a failed insert) filled with a forged event and a correctly hashed
    chain entry, when verified, then the link after it breaks and the forged row is named inserted
    (the chain runs straight from the entry before it to the one after)."""
    record_small(postgres_url)
    store = open_store(postgres_url)
    try:
        taken = store.read(GOAL_A)[-1]
        with pytest.raises(ConcurrentChange):
            store.append([taken], GOAL, store.load(GOAL_A, GOAL))
    finally:
        store.close()
    _log(postgres_url, GOAL_B, "ben", 9.0)
    raw = raw_for(postgres_url)
    rows = raw.rows()
    gap = next(a[0] + 1 for a, b in itertools.pairwise(rows) if b[0] != a[0] + 1)
    _, _, version, topic, state = max(r for r in rows if stream_of(r[1]) == str(GOAL_A))
    forged = edited(state, value=10.0, comment="backfilled")
    raw.execute(
        "INSERT INTO {events} (originator_id, originator_version, topic, state, notification_id) "
        "VALUES (?, ?, ?, ?, ?)",
        str(GOAL_A),
        version + 1,
        topic,
        forged,
        gap,
    )
    (previous,) = raw.query("SELECT chain_hash FROM {chain} WHERE notification_id = ?", gap - 1)
    digest = event_hash(gap, str(GOAL_A), version + 1, topic, forged)
    raw.execute(
        "INSERT INTO {chain} VALUES (?, ?, ?, ?, ?)",
        gap,
        str(GOAL_A),
        version + 1,
        digest,
        link(bytes(previous[0]), digest),
    )
    report = _verify(postgres_url)
    assert report.first is not None
    assert (report.first.kind, report.first.position) == ("inserted", gap)
    assert (report.first.stream_id, report.first.version) == (str(GOAL_A), version + 1)
