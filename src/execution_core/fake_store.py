"""An in-memory :class:`~execution_core.ports.EventStore` with no database: for fast specs.

:class:`FakeEventStore` keeps every event in plain Python lists and behaves as the
eventsourcing store does where the port says something (optimistic concurrency per stream,
atomic appends, idempotency receipts stored with their events, positions in recorded order,
snapshots every N events of a stream, a clock that never goes back, a chain head that moves
with every record, a whole history imported at once). It passes the same
conformance suite (``tests/conformance``), so an app may test its own code on it and trust
the real stores to agree. It never reads the wall clock: inject one, or take the fixed default.

    store = FakeEventStore(clock=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    execution = Execution(store)  # no eventsourcing is imported
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs

from execution_core.clock import Clock
from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, InvalidInput, NotFound
from execution_core.event import Event
from execution_core.ports import GENESIS_HASH, ChainHead, FinalState, Recorded

__all__ = ["FAKE_EPOCH", "FakeEventStore"]

S = TypeVar("S")

FAKE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""What a fake store's clock reads when none is injected (a fixed instant, never the wall's)."""


@attrs.frozen
class _Snapshot:
    """A stream's state at a version, kept so a load folds only the newer events."""

    stream: str
    state_version: int
    version: int
    state: Any


def _fixed_clock() -> datetime:
    return FAKE_EPOCH


class FakeEventStore:
    """Every event in memory, with the port's semantics and none of its infrastructure.

    ``clock`` gives ``now()`` (aware; read as UTC, and never earlier than a previous reading);
    every ``snapshot_interval`` events of a stream its state is kept and ``load`` starts from
    it (0 turns snapshots off). Loads always see the newest events, so :meth:`reading` assumes
    nothing. Safe to share between threads.

    With no clock the store reads :data:`FAKE_EPOCH`, and the facade refuses facts dated more
    than its ``future_tolerance`` after that: inject a clock that moves with the business
    times a test records (or give the facade ``future_tolerance=None``).
    """

    def __init__(self, *, clock: Clock | None = None, snapshot_interval: int = 50) -> None:
        self._clock = clock or _fixed_clock
        self._last_reading: datetime | None = None
        self._snapshot_interval = snapshot_interval
        self._lock = threading.RLock()
        self._log: list[tuple[int, Event | Receipt]] = []
        self._streams: dict[UUID, list[Event]] = {}
        self._receipts: dict[str, Receipt] = {}
        self._snapshots: dict[UUID, _Snapshot] = {}
        self._position = 0
        self._chain = bytes.fromhex(GENESIS_HASH)

    # -- the clock ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The injected clock's reading in UTC, held at the previous one if the clock went back."""
        reading = self._clock()
        if reading.tzinfo is None or reading.utcoffset() is None:
            raise ValueError("the store's clock must return aware datetimes")
        reading = reading.astimezone(UTC)
        with self._lock:
            if self._last_reading is not None and reading < self._last_reading:
                reading = self._last_reading
            self._last_reading = reading
        return reading

    # -- reading a stream ---------------------------------------------------------------------

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The stream's state, from its newest snapshot of this state version on; ``NotFound``
        when the stream holds events of another kind."""
        with self._lock:
            events = list(self._streams.get(stream_id, ()))
            snapshot = self._snapshots.get(stream_id)
        if events and _kind(events[0]) != decider.stream:
            raise NotFound(f"{stream_id} is a {_kind(events[0])} stream, not a {decider.stream}")
        state = decider.initial
        if (
            snapshot is not None
            and snapshot.stream == decider.stream
            and snapshot.state_version == decider.state_version
            and type(snapshot.state) is type(decider.initial)
        ):
            state = snapshot.state
            events = events[snapshot.version :]
        return decider.fold(events, state)

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """Nothing to guard: every load reads the newest events, so no state is assumed."""
        return nullcontext(False)

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events with ``after < version <= upto``, in order."""
        with self._lock:
            events = self._streams.get(stream_id, [])
            return [e for e in events if e.version > after and (upto is None or e.version <= upto)]

    # -- writing ------------------------------------------------------------------------------

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Store one decision's events at once; a version already taken stores none of them."""
        self._record(events, decider, state, None)

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """Store the events and their receipt at once; a key already used is a conflict too."""
        self._record(events, decider, state, receipt)

    def receipt(self, key: str) -> Receipt | None:
        """The receipt stored under an idempotency key, if any."""
        with self._lock:
            return self._receipts.get(key)

    def _record(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt | None
    ) -> None:
        if not events:
            return
        with self._lock:
            self._check_versions(events)
            if receipt is not None and receipt.key in self._receipts:
                raise ConcurrentChange(
                    f"idempotency key {receipt.key!r} was used meanwhile; re-read and retry"
                )
            self._store([*events, *([receipt] if receipt else [])])
            self._maybe_snapshot(events, decider, state)

    def _store(self, records: Sequence[Event | Receipt]) -> None:
        """Give each record the next position and link it into the chain (under the lock)."""
        for record in records:
            self._position += 1
            self._log.append((self._position, record))
            self._chain = hashlib.sha256(self._chain + _digest(self._position, record)).digest()
            if isinstance(record, Event):
                self._streams.setdefault(record.stream_id, []).append(record)
            else:
                self._receipts[record.key] = record

    def import_history(self, events: Sequence[Event], finals: Iterable[FinalState]) -> None:
        """Store a whole history into this empty store at once, then snapshot each final state
        whose stream is at least one snapshot interval long; ``ConcurrentChange`` (nothing
        stored) when the store holds anything already."""
        with self._lock:
            if self._position:
                raise ConcurrentChange(
                    f"a history is imported into an empty store only; this one holds "
                    f"{self._position} records"
                )
            self._check_versions(events)
            self._store(events)
            interval = self._snapshot_interval
            for final in finals:
                version = len(self._streams.get(final.stream_id, ()))
                if interval > 0 and version >= interval:
                    self._snapshots[final.stream_id] = _Snapshot(
                        final.decider.stream, final.decider.state_version, version, final.state
                    )

    def _check_versions(self, events: Sequence[Event]) -> None:
        """Each stream's new versions must follow its newest one, without gaps."""
        expected: dict[UUID, int] = {}
        for event in events:
            stream = event.stream_id
            if stream not in expected:
                expected[stream] = len(self._streams.get(stream, ())) + 1
            if event.version < expected[stream]:
                raise ConcurrentChange(
                    f"stream {stream} changed since it was read (version "
                    f"{event.version - 1}) meanwhile; re-read and retry",
                    stream_id=stream,
                )
            if event.version > expected[stream]:
                raise InvalidInput(
                    f"stream {stream} is at version {expected[stream] - 1}: "
                    f"version {event.version} would leave a gap"
                )
            expected[stream] += 1

    def _maybe_snapshot(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        interval = self._snapshot_interval
        first, last = events[0].version, events[-1].version
        if interval > 0 and last // interval > (first - 1) // interval:
            self._snapshots[events[0].stream_id] = _Snapshot(
                decider.stream, decider.state_version, last, state
            )

    # -- following the store ------------------------------------------------------------------

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """Every event in recorded order from ``position > after``, at most ``limit`` of them
        (receipts hold positions too, so positions may skip)."""
        with self._lock:
            log = self._log[max(after, 0) :]  # positions are 1, 2, 3...: the list's index + 1
        remaining = limit
        for position, record in log:
            if remaining is not None and remaining <= 0:
                return
            if not isinstance(record, Event):
                continue
            yield Recorded(position, record)
            if remaining is not None:
                remaining -= 1

    def last_position(self) -> int:
        """The position of the newest record, event or receipt (0 for an empty store)."""
        with self._lock:
            return self._position

    def chain_head(self) -> ChainHead:
        """The newest record's position and the hash chained over every record up to it
        (sha256 of the previous hash and the record's canonical JSON at its position); this
        store's own digest: what the port promises is that it moves with every record."""
        with self._lock:
            return ChainHead(self._position, self._chain.hex())

    def close(self) -> None:
        """Nothing to release: the events stay readable (a fake holds no connection)."""


def _digest(position: int, record: Event | Receipt) -> bytes:
    """sha256 of the record's canonical JSON: its position, stored name and every field."""
    name = record.name if isinstance(record, Event) else "idempotency/receipt"
    form = [position, name, attrs.asdict(record)]
    text = json.dumps(form, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).digest()


def _plain(value: object) -> object:
    """JSON for what ``json`` does not know: sets sorted, the rest (ids, instants) as text."""
    if isinstance(value, set | frozenset):
        return sorted(str(item) for item in value)
    return str(value)


def _kind(event: Event) -> str:
    return event.name.split(".", 1)[0]
