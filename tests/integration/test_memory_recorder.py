"""The in-memory recorder's fast reads (a stream's newer end, a page of the whole store) answer
as eventsourcing's scans."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import given
from hypothesis import strategies as st

from execution_core_adapters.storage.recorders import ChainedPOPORecorder

STREAMS = [UUID(int=n) for n in range(1, 4)]


def _stored(stream: UUID, version: int) -> StoredEvent:
    return StoredEvent(stream, version, "test.Event", f"{stream.int}:{version}".encode())


@given(
    versions=st.lists(
        st.tuples(st.sampled_from(STREAMS), st.integers(1, 30)),
        unique=True,
        max_size=40,
    ),
    gt=st.none() | st.integers(0, 31),
    lte=st.none() | st.integers(0, 31),
    desc=st.booleans(),
    limit=st.none() | st.integers(1, 10),
    in_order=st.booleans(),
)
def test_a_read_of_the_newer_end_equals_the_full_scan(
    *,
    versions: list[tuple[UUID, int]],
    gt: int | None,
    lte: int | None,
    desc: bool,
    limit: int | None,
    in_order: bool,
) -> None:
    """Property: for any streams, stored in any version order, and any query, the chained
    recorder selects what eventsourcing's own in-memory recorder selects (the oracle)."""
    ours, oracle = ChainedPOPORecorder(), POPOApplicationRecorder()
    if in_order:  # as the facade stores them: each stream's versions ascending
        versions = sorted(versions, key=lambda pair: pair[1])
    for stream, version in versions:
        ours.insert_events([_stored(stream, version)])
        oracle.insert_events([_stored(stream, version)])

    for stream in STREAMS:
        selected = ours.select_events(stream, gt=gt, lte=lte, desc=desc, limit=limit)
        expected = oracle.select_events(stream, gt=gt, lte=lte, desc=desc, limit=limit)
        assert list(selected) == list(expected)


@given(
    stored=st.integers(0, 30),
    start=st.none() | st.integers(-2, 33),
    limit=st.integers(0, 12),
    stop=st.none() | st.integers(-2, 33),
    topics=st.sampled_from([(), ("test.Event",), ("test.Other",), ("test.Event", "test.Other")]),
    inclusive_of_start=st.booleans(),
)
def test_a_page_of_notifications_equals_the_step_by_step_walk(
    *,
    stored: int,
    start: int | None,
    limit: int,
    stop: int | None,
    topics: tuple[str, ...],
    inclusive_of_start: bool,
) -> None:
    """Property: for any store and any page asked for (start, inclusive or not, limit, stop,
    topics), the chained recorder returns what eventsourcing's own in-memory recorder returns
    (the oracle), ids and all."""
    ours, oracle = ChainedPOPORecorder(), POPOApplicationRecorder()
    for n in range(1, stored + 1):
        event = StoredEvent(
            STREAMS[n % 3], n, "test.Event" if n % 4 else "test.Other", f"{n}".encode()
        )
        ours.insert_events([event])
        oracle.insert_events([event])
    page = ours.select_notifications(
        start, limit, stop, topics, inclusive_of_start=inclusive_of_start
    )
    expected = oracle.select_notifications(
        start, limit, stop, topics, inclusive_of_start=inclusive_of_start
    )
    assert list(page) == list(expected)


def test_a_subscription_is_woken_by_an_insert() -> None:
    """Given a subscription to the in-memory recorder (eventsourcing's, lent by its base class),
    when events are inserted after it started, then it yields them in order, ids and all."""
    recorder = ChainedPOPORecorder()
    recorder.insert_events([_stored(STREAMS[0], 1)])
    with recorder.subscribe(gt=1) as subscription:
        recorder.insert_events([_stored(STREAMS[1], 1), _stored(STREAMS[1], 2)])
        received = [next(subscription), next(subscription)]
    assert [(n.id, n.originator_id, n.originator_version) for n in received] == [
        (2, STREAMS[1], 1),
        (3, STREAMS[1], 2),
    ]
