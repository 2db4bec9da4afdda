"""The EventStore contract: what every store promises the service, checked the same way on each.

:class:`EventStoreContract` is abstract (pytest does not collect it); ``test_stores.py``
subclasses it once per store with a ``backend`` fixture. Each check is a plain method taking a
:class:`~tests.conformance.backend.Backend`, so ``test_planted_bugs.py`` can run the same checks
against a broken store and show they fail. The events are organization events (any registered
event would do): ``UnitFounded`` numbered by version, folded by the organization decider.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import attrs
import pytest

from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, ExecutionError, NotFound
from execution_core.event import Event
from execution_core.organization.events import UnitFounded
from execution_core.organization.state import Organization
from execution_core.ports import GENESIS_HASH, ChainHead, EventStore, FinalState, Recorded
from execution_core.streams import ORGANIZATION, STRATEGY
from tests.conformance.backend import Backend

__all__ = ["T0", "EventStoreContract", "founded", "write"]

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def founded(stream_id: UUID, version: int, label: str = "u") -> UnitFounded:
    """The event at ``version`` of an organization stream: a unit named after both."""
    return UnitFounded(
        stream_id=stream_id,
        version=version,
        actor="system",
        occurred_at=T0,
        recorded_at=T0,
        unit_id=f"{label}{version}",
        unit_name=f"Unit {label} {version}",
    )


def write(
    store: EventStore,
    stream_id: UUID,
    count: int = 1,
    label: str = "u",
    receipt_key: str | None = None,
) -> list[Event]:
    """Load the stream, decide ``count`` new events on it and append them in one call."""
    state = store.load(stream_id, ORGANIZATION)
    events: list[Event] = [
        founded(stream_id, state.version + n, label) for n in range(1, count + 1)
    ]
    new_state = ORGANIZATION.fold(events, state)
    if receipt_key is None:
        store.append(events, ORGANIZATION, new_state)
    else:
        store.append_once(events, ORGANIZATION, new_state, receipt_for(receipt_key, events))
    return events


def receipt_for(key: str, events: list[Event]) -> Receipt:
    """The receipt a keyed command that recorded these events would store."""
    return Receipt(
        key=key,
        fingerprint=f"fingerprint of {key}",
        stream=ORGANIZATION.stream,
        stream_id=events[0].stream_id,
        first_version=events[0].version,
        last_version=events[-1].version,
    )


def counting(decider: Decider[Organization]) -> tuple[Decider[Organization], list[Event]]:
    """The decider, with every event its ``evolve`` folds noted in the list."""
    folded: list[Event] = []

    def evolve(state: Organization, event: Event) -> Organization:
        folded.append(event)
        return decider.evolve(state, event)

    return attrs.evolve(decider, evolve=evolve), folded


def everything(store: EventStore) -> list[Recorded]:
    """The whole store through ``read_all``."""
    return list(store.read_all())


class EventStoreContract:
    """Every check of the contract; subclasses give a ``backend`` fixture."""

    # -- append and read ------------------------------------------------------------------------

    def test_append_then_read_gives_the_events_back(self, backend: Backend) -> None:
        """Given appended events, when the stream is read, then it gives them back equal and in
        version order, and the loaded state is their fold."""
        store = backend.open()
        stream = uuid4()
        events = write(store, stream, 2) + write(store, stream, 1)
        assert store.read(stream) == events
        assert store.load(stream, ORGANIZATION) == ORGANIZATION.fold(events)
        assert store.read(uuid4()) == []

    def test_read_takes_a_version_window(self, backend: Backend) -> None:
        """``read(after=a, upto=b)`` gives exactly the versions a < v <= b."""
        store = backend.open()
        stream = uuid4()
        events = write(store, stream, 6)
        assert store.read(stream, after=2) == events[2:]
        assert store.read(stream, upto=3) == events[:3]
        assert store.read(stream, after=1, upto=4) == events[1:4]
        assert store.read(stream, after=6) == []

    def test_a_multi_event_append_stores_every_event_together(self, backend: Backend) -> None:
        """Given one append of four events, then the stream and ``read_all`` hold all four, in
        order, one after another in the total order."""
        store = backend.open()
        stream = uuid4()
        write(store, uuid4(), 1)
        before = store.last_position()
        events = write(store, stream, 4)
        assert store.read(stream) == events
        recorded = list(store.read_all(after=before))
        assert [r.event for r in recorded] == events
        assert store.last_position() >= recorded[-1].position > before
        assert store.load(stream, ORGANIZATION).version == 4

    # -- following the total order --------------------------------------------------------------

    def test_read_all_gives_every_event_in_recorded_order(self, backend: Backend) -> None:
        """Given appends to interleaved streams (some with receipts), when ``read_all`` is read,
        then it gives every event once, in the order recorded, at increasing positions no
        greater than ``last_position``, and no receipt."""
        store = backend.open()
        assert store.last_position() == 0
        assert everything(store) == []
        streams = [uuid4(), uuid4(), uuid4()]
        recorded: list[Event] = []
        for round_ in range(4):
            for n, stream in enumerate(streams):
                key = f"key-{round_}-{n}" if (round_ + n) % 3 == 0 else None
                recorded += write(store, stream, 1 + (round_ + n) % 3, receipt_key=key)
        got = everything(store)
        assert [r.event for r in got] == recorded
        positions = [r.position for r in got]
        assert positions == sorted(set(positions)), "positions must strictly increase"
        assert positions[0] > 0
        assert positions[-1] <= store.last_position()

    @pytest.mark.parametrize("page", [1, 2, 3, 7, 1000])
    def test_read_all_pages_by_after_and_limit(self, backend: Backend, page: int) -> None:
        """Paging ``read_all`` with ``after`` = the last position seen and ``limit`` = the page
        size gives the whole order again, no page longer than asked, whatever the gaps."""
        store = backend.open()
        for n in range(6):
            write(store, uuid4(), 1 + n % 3, receipt_key=f"gap-{n}" if n % 2 else None)
        whole = everything(store)
        pages: list[list[Recorded]] = []
        after = 0
        while chunk := list(store.read_all(after=after, limit=page)):
            assert len(chunk) <= page
            pages.append(chunk)
            after = chunk[-1].position
        assert [r for chunk in pages for r in chunk] == whole
        assert list(store.read_all(after=store.last_position())) == []
        middle = whole[len(whole) // 2].position
        assert list(store.read_all(after=middle)) == [r for r in whole if r.position > middle]

    # -- optimistic concurrency -----------------------------------------------------------------

    def test_of_two_writers_on_one_version_one_wins_and_the_loser_stores_nothing(
        self, backend: Backend
    ) -> None:
        """Given two writers that loaded a stream at the same version, when both append, then
        the first is stored and the second raises ``ConcurrentChange`` (an ``ExecutionError``)
        and stores none of its events, anywhere."""
        first, second = backend.open(), backend.open()
        stream = uuid4()
        write(first, stream, 2)
        seen_first = first.load(stream, ORGANIZATION)
        seen_second = second.load(stream, ORGANIZATION)
        assert seen_first == seen_second
        winner = [founded(stream, 3, "winner")]
        loser = [founded(stream, 3, "loser"), founded(stream, 4, "loser")]
        first.append(winner, ORGANIZATION, ORGANIZATION.fold(winner, seen_first))
        position = first.last_position()
        with pytest.raises(ConcurrentChange) as caught:
            second.append(loser, ORGANIZATION, ORGANIZATION.fold(loser, seen_second))
        assert isinstance(caught.value, ExecutionError)
        for store in (first, second):
            assert store.read(stream)[2:] == winner
            assert store.last_position() == position
            units = {getattr(r.event, "unit_id", None) for r in store.read_all()}
            assert not units & {"loser3", "loser4"}
        assert second.load(stream, ORGANIZATION) == ORGANIZATION.fold(first.read(stream))

    def test_of_racing_writers_exactly_one_records_and_whole(self, backend: Backend) -> None:
        """Given six writers (threads; on a shared database, six store objects) that read a
        stream at one version, when they all append two events at once, then exactly one
        records, both of its events, and every other one raises ``ConcurrentChange``."""
        stores = [backend.open() for _ in range(6)]
        stream = uuid4()
        write(stores[0], stream, 1)
        states = [store.load(stream, ORGANIZATION) for store in stores]
        start = threading.Barrier(len(stores))
        won: list[int] = []
        failed: list[BaseException] = []

        def race(n: int) -> None:
            events = [founded(stream, 2, f"w{n}-"), founded(stream, 3, f"w{n}-")]
            start.wait()
            try:
                stores[n].append(events, ORGANIZATION, ORGANIZATION.fold(events, states[n]))
                won.append(n)
            except ConcurrentChange:
                pass
            except BaseException as error:  # reported below, with the outcome
                failed.append(error)

        threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failed == []
        assert len(won) == 1
        units = [getattr(event, "unit_id", None) for event in stores[0].read(stream)]
        assert units == ["u1", f"w{won[0]}-2", f"w{won[0]}-3"]
        assert len(everything(stores[-1])) == 3

    # -- idempotency receipts -------------------------------------------------------------------

    def test_a_receipt_is_stored_with_its_events(self, backend: Backend) -> None:
        """Given a keyed append, then its receipt is read back equal, its events are stored, and
        a key never used has no receipt."""
        store = backend.open()
        stream = uuid4()
        write(store, stream, 1)
        events = write(store, stream, 2, receipt_key="k-1")
        assert store.receipt("k-1") == receipt_for("k-1", events)
        assert store.read(stream)[1:] == events
        assert store.receipt("never used") is None

    def test_a_second_receipt_for_a_key_is_a_conflict_and_stores_nothing(
        self, backend: Backend
    ) -> None:
        """Given a key already used, when another append (by another writer, on another stream)
        uses it, then it raises ``ConcurrentChange``, stores none of its events, and the first
        receipt stays."""
        first, second = backend.open(), backend.open()
        events = write(first, uuid4(), 1, receipt_key="shared")
        position = first.last_position()
        other = uuid4()
        with pytest.raises(ConcurrentChange):
            write(second, other, 2, receipt_key="shared")
        assert second.read(other) == []
        assert second.last_position() == position
        assert second.receipt("shared") == receipt_for("shared", events)

    # -- snapshots ------------------------------------------------------------------------------

    def test_a_long_stream_loads_as_the_fold_of_its_events_without_folding_them_all(
        self, backend: Backend
    ) -> None:
        """Given 23 events appended in batches to a store snapshotting every 5, when the stream
        is loaded (by this store and by another one), then the state equals the fold of its
        events, and no load folds more than 5 of them (a snapshot or a cache holds the rest)."""
        store = backend.open(snapshot_interval=5)
        stream = uuid4()
        for size in (1, 3, 5, 2, 7, 1, 4):
            write(store, stream, size)
        events = store.read(stream)
        assert len(events) == 23
        for reader in (store, backend.open(snapshot_interval=5)):
            decider, folded = counting(ORGANIZATION)
            assert reader.load(stream, decider) == ORGANIZATION.fold(events)
            assert len(folded) <= 5

    def test_a_reopened_store_loads_the_same_state(self, backend: Backend) -> None:
        """Given a snapshotted stream with events past its snapshot, when the store is closed
        and opened again on the same data, then loading gives the same state as before."""
        store = backend.open(snapshot_interval=4)
        stream = uuid4()
        for size in (3, 4, 2, 6):
            write(store, stream, size)
        before = store.load(stream, ORGANIZATION)
        again = backend.reopen(store, snapshot_interval=4)
        assert again.load(stream, ORGANIZATION) == before == ORGANIZATION.fold(again.read(stream))

    def test_a_changed_state_version_does_not_read_old_snapshots(self, backend: Backend) -> None:
        """Given a stream snapshotted by one state version, when a decider of the next state
        version loads it cold, then it folds every event instead of reading the old snapshot."""
        store = backend.open(snapshot_interval=3)
        stream = uuid4()
        write(store, stream, 7)
        newer, folded = counting(attrs.evolve(ORGANIZATION, state_version=2))
        reader = backend.reopen(store, snapshot_interval=3)
        state = reader.load(stream, newer)
        assert state == ORGANIZATION.fold(reader.read(stream))
        if backend.shared:
            assert len(folded) == 7

    def test_loading_a_stream_of_another_kind_is_not_found(self, backend: Backend) -> None:
        """Given an organization stream (long enough to be snapshotted), when it is loaded as a
        strategy, then ``NotFound`` names both kinds, whichever store loads it."""
        store = backend.open(snapshot_interval=2)
        stream = uuid4()
        write(store, stream, 3)
        for reader in (store, backend.open(snapshot_interval=2)):
            with pytest.raises(NotFound, match="organization"):
                reader.load(stream, STRATEGY)

    # -- the guard against stale reads ----------------------------------------------------------

    def test_a_guarded_decision_reads_current_states_or_its_write_is_refused(
        self, backend: Backend
    ) -> None:
        """Given a writer that read streams X and Y, and another writer that changed Y since,
        when the first decides on X inside ``reading([X, Y])``, then either the Y it loads is
        current, or (only when the guard said it assumed cached states) its append to X raises
        ``ConcurrentChange`` and stores nothing; after the block Y loads current."""
        first, second = backend.open(), backend.open()
        x, y = uuid4(), uuid4()
        write(first, x, 1)
        write(first, y, 1)
        first.load(x, ORGANIZATION)
        first.load(y, ORGANIZATION)
        write(second, y, 2, label="other")
        current_y = second.load(y, ORGANIZATION)
        position = second.last_position()
        with first.reading([x, y]) as assumed:
            assert isinstance(assumed, bool)
            seen_y = first.load(y, ORGANIZATION)
            state_x = first.load(x, ORGANIZATION)
            events = [founded(x, state_x.version + 1, "guarded")]
            if seen_y == current_y:
                first.append(events, ORGANIZATION, ORGANIZATION.fold(events, state_x))
                assert first.read(x)[-1] == events[0]
            else:
                assert assumed, "a stale state was loaded although the guard assumed nothing"
                with pytest.raises(ConcurrentChange):
                    first.append(events, ORGANIZATION, ORGANIZATION.fold(events, state_x))
                assert first.last_position() == position
                assert len(first.read(x)) == 1
        assert first.load(y, ORGANIZATION) == current_y

    def test_reading_guards_nothing_once_left(self, backend: Backend) -> None:
        """After a ``reading`` block, a write on a fresh read succeeds even if a stream of the
        block's read set changed meanwhile."""
        first, second = backend.open(), backend.open()
        x, y = uuid4(), uuid4()
        write(first, x, 1)
        write(first, y, 1)
        with first.reading([x, y]):
            first.load(y, ORGANIZATION)
        write(second, y, 1)
        write(first, x, 1)
        assert len(first.read(x)) == 2

    # -- the chain head -------------------------------------------------------------------------

    def test_the_chain_head_moves_with_every_append_and_is_the_last_position(
        self, backend: Backend
    ) -> None:
        """Given an empty store, its head is position 0 and the genesis hash; after each append
        (with or without a receipt) the head is at ``last_position()`` with a hash never seen
        before; a refused append leaves it where it was; another store on the data agrees."""
        store = backend.open()
        assert store.chain_head() == ChainHead(0, GENESIS_HASH)
        seen = {GENESIS_HASH}
        stream = uuid4()
        for n in range(4):
            write(store, stream, 1 + n % 2, receipt_key=f"head-{n}" if n % 2 else None)
            head = store.chain_head()
            assert head.position == store.last_position()
            assert len(head.hash) == 64
            assert set(head.hash) <= set("0123456789abcdef")
            assert head.hash not in seen
            seen.add(head.hash)
        stale = [founded(stream, 1, "stale")]
        with pytest.raises(ConcurrentChange):
            store.append(stale, ORGANIZATION, ORGANIZATION.fold(stale))
        assert store.chain_head() == head
        assert backend.open().chain_head() == head

    # -- importing a history ------------------------------------------------------------------

    def test_a_history_imported_into_an_empty_store_reads_back_whole(
        self, backend: Backend
    ) -> None:
        """Given a history of two streams, when it is imported into an empty store snapshotting
        every 5, then ``read_all`` gives it in order, each stream loads as its fold without
        folding more than 5 events, and the chain head is at the last position."""
        store = backend.open(snapshot_interval=5)
        x, y = uuid4(), uuid4()
        history: list[Event] = []
        for version in range(1, 13):
            history.append(founded(x, version, "x"))
            if version <= 3:
                history.append(founded(y, version, "y"))
        x_events = [e for e in history if e.stream_id == x]
        y_events = [e for e in history if e.stream_id == y]
        finals = [
            FinalState(x, ORGANIZATION, ORGANIZATION.fold(x_events)),
            FinalState(y, ORGANIZATION, ORGANIZATION.fold(y_events)),
        ]
        store.import_history(history, finals)
        assert [r.event for r in store.read_all()] == history
        assert store.chain_head().position == store.last_position()
        for reader in (store, backend.open(snapshot_interval=5)):
            for stream, events in ((x, x_events), (y, y_events)):
                decider, folded = counting(ORGANIZATION)
                assert reader.load(stream, decider) == ORGANIZATION.fold(events)
                assert len(folded) <= 5

    def test_a_history_is_imported_into_an_empty_store_only(self, backend: Backend) -> None:
        """Given a store holding events, an import raises ``ConcurrentChange`` and stores none of
        the history."""
        store = backend.open()
        write(store, uuid4(), 2)
        position, head = store.last_position(), store.chain_head()
        stream = uuid4()
        history: list[Event] = [founded(stream, 1), founded(stream, 2)]
        with pytest.raises(ConcurrentChange):
            store.import_history(
                history, [FinalState(stream, ORGANIZATION, ORGANIZATION.fold(history))]
            )
        assert store.read(stream) == []
        assert (store.last_position(), store.chain_head()) == (position, head)

    # -- the clock ------------------------------------------------------------------------------

    def test_now_is_aware_utc_and_never_goes_back(self, backend: Backend) -> None:
        """Given a clock that jumps back and reads in another zone, then ``now()`` is UTC,
        equal to the clock when it moves forward, and held when it goes back."""
        readings = iter(
            [
                T0,
                T0 + timedelta(hours=1),
                T0 - timedelta(days=1),
                (T0 + timedelta(hours=2)).astimezone(timezone(timedelta(hours=5))),
            ]
        )
        store = backend.open(clock=lambda: next(readings))
        got = [store.now() for _ in range(4)]
        assert got == [
            T0,
            T0 + timedelta(hours=1),
            T0 + timedelta(hours=1),
            T0 + timedelta(hours=2),
        ]
        assert all(moment.utcoffset() == timedelta(0) for moment in got)

    def test_a_naive_clock_is_refused(self, backend: Backend) -> None:
        """A clock giving naive datetimes is refused with ``ValueError``: its zone is a guess."""
        store = backend.open(clock=lambda: datetime(2026, 1, 5, 9, 0))
        with pytest.raises(ValueError, match="aware"):
            store.now()
