"""The guard against stale reads learns co-reads: the streams a decision on a stream loaded
beyond those its command named are assumed next time, and checked at the write like the named
ones (on the real PostgreSQL server, the one store that assumes anything)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from execution_core import ConcurrentChange
from execution_core.streams import ORGANIZATION
from execution_core_adapters.storage.guard import ReadGuard
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.conformance.contract import founded, write


@pytest.fixture
def two(postgres_url: str) -> Iterator[tuple[ExecutionStore, ExecutionStore]]:
    """Two store objects on one schema (as two processes)."""
    first, second = open_store(postgres_url), open_store(postgres_url)
    yield first, second
    first.close()
    second.close()


def _decide_on(store: ExecutionStore, written: UUID, co_read: UUID) -> int:
    """One decision on ``written`` naming only it, that also loads ``co_read``; the version
    of ``co_read`` it saw."""
    with store.reading([written]):
        seen = store.load(co_read, ORGANIZATION)
        state = store.load(written, ORGANIZATION)
        events = [founded(written, state.version + 1, "d")]
        store.append(events, ORGANIZATION, ORGANIZATION.fold(events, state))
    return seen.version


@pytest.mark.postgres
def test_a_co_read_is_assumed_next_time(two: tuple[ExecutionStore, ExecutionStore]) -> None:
    """Given a decision on X that also loaded Y, when the next decision on X names only X, then
    the guard says it assumed cached states, and Y loads from the cache."""
    first, _ = two
    x, y = uuid4(), uuid4()
    write(first, x)
    write(first, y)
    _decide_on(first, x, y)
    with first.reading([x]) as assumed:
        assert assumed
    with first.reading([uuid4()]) as assumed:
        assert not assumed


@pytest.mark.postgres
def test_a_co_read_changed_meanwhile_refuses_the_write(
    two: tuple[ExecutionStore, ExecutionStore],
) -> None:
    """Given a decision on X that also loaded Y, and another process that changed Y since, when
    the next decision on X (naming only X) loads the cached Y and appends to X, then
    ``ConcurrentChange`` is raised and nothing is stored; a fresh decision then sees the new Y."""
    first, second = two
    x, y = uuid4(), uuid4()
    write(first, x)
    write(first, y)
    _decide_on(first, x, y)
    write(second, y, label="other")
    position = first.last_position()
    with pytest.raises(ConcurrentChange):
        assert _decide_on(first, x, y) == 1  # the cached Y, assumed current
    assert first.last_position() == position
    assert len(first.read(x)) == 2
    assert _decide_on(first, x, y) == 2


def test_co_reads_are_kept_for_a_bounded_number_of_streams() -> None:
    """Given a guard that keeps co-reads for two written streams, when three streams are
    written in turn (each decision also loading one other stream), then the first one's
    co-reads are forgotten and a block naming it assumes only what it names."""
    guard = ReadGuard(lambda stream_id: 1, checks=True, kept=2)
    co_read = uuid4()
    written = [uuid4() for _ in range(3)]
    for stream in written:
        with guard.reading([stream]):
            guard.loaded(co_read)
            guard.loaded(stream)
            assert guard.writing(stream) == {stream: 1}
    assert guard.co_reads(written[0]) == ()
    assert guard.co_reads(written[2]) == (co_read,)
    with guard.reading([written[2]]):
        assert guard.assumes(co_read)
    with guard.reading([written[0]]):
        assert not guard.assumes(co_read)


def test_a_guard_that_cannot_check_assumes_nothing() -> None:
    """Where writes cannot check assumed versions (memory, SQLite), a block assumes nothing
    and a write inside it checks nothing."""
    guard = ReadGuard(lambda stream_id: 1, checks=False)
    stream = uuid4()
    with guard.reading([stream]) as assumed:
        assert not assumed
        assert not guard.assumes(stream)
        assert guard.writing(stream) == {}
