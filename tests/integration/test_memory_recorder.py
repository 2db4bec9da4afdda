"""The in-memory recorder's fast read of a stream's newer end answers as eventsourcing's scan."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import given
from hypothesis import strategies as st

from adapters.chain import ChainedPOPORecorder

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
