"""The event store on eventsourcing: in-memory, a SQLite file (the default) or PostgreSQL.

One entry point, :func:`open_store`, takes a URL (see :mod:`.config`). :class:`ExecutionStore`
implements the core's port (``execution_core.ports.EventStore``): events stored by stable name
(:mod:`.mapper`), appended with optimistic concurrency per stream through the chained recorders
(:mod:`.recorders`), followed in order through eventsourcing's notification log, snapshotted
when a stream grows long, and cached, with the guard against stale reads (:mod:`.guard`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    DatabaseError,
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    StoredEvent,
)
from eventsourcing.utils import Environment, EnvType

from execution_core import DEFAULT_STORE
from execution_core.clock import Clock
from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, NotFound, StoreUnavailable
from execution_core.event import Event
from execution_core.organization.events import PersonErased
from execution_core.ports import ChainHead, FinalState, Recorded
from execution_core.privacy import subject_of
from execution_core.streams import decider_of_event
from execution_core_adapters.storage.chain_format import CHAIN_TABLE, head_of
from execution_core_adapters.storage.chain_verify import AuditReport, verify
from execution_core_adapters.storage.codec import decode_state, encode_state
from execution_core_adapters.storage.config import (
    APPLICATION_NAME,
    POSTGRES_NOT_INSTALLED,
    is_postgres,
    server_named,
    store_env,
)
from execution_core_adapters.storage.guard import ReadGuard
from execution_core_adapters.storage.keys import KEY_TABLE, KeyStore, key_store_for
from execution_core_adapters.storage.mapper import (
    RECEIPT_TOPIC,
    EventMapper,
    ReceiptRecord,
    Snapshot,
    receipt_stream_id,
)
from execution_core_adapters.storage.opening import creating_tables, not_usable, reaching_store
from execution_core_adapters.storage.recorders import (
    ChainedPOPORecorder,
    ChainedRecorder,
    ReadOutdated,
    chained_recorder,
)
from execution_core_adapters.storage.sealing import Sealer

__all__ = ["SQLITE_TABLES", "ExecutionStore", "StoreApplication", "open_store", "sealed_by"]

S = TypeVar("S")

SQLITE_TABLES = frozenset({"stored_events", "stored_snapshots", CHAIN_TABLE, KEY_TABLE})
"""The tables of an execution-core SQLite store file (a file with others is not one, or holds
something else too: the command line refuses to treat it as a store of its own)."""


class StoreApplication(Application[UUID]):
    """The eventsourcing application under a store: its mapper and its chained recorder."""

    name = APPLICATION_NAME

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (:func:`store_env` already read the process environment),
        so a stray variable cannot redirect a store opened by URL."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(
            transcoder=self.factory.transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def construct_recorder(self) -> ApplicationRecorder:
        """eventsourcing's recorder for the backend, keeping the hash chain (``.chain``)."""
        return chained_recorder(self.factory)


class _MonotonicClock:
    """Never hands out an instant earlier than one it handed out before."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        reading = self._clock()
        if reading.tzinfo is not UTC:
            if reading.tzinfo is None:
                raise ValueError("the store's clock must return aware datetimes")
            reading = reading.astimezone(UTC)
        with self._lock:
            if self._last is not None and reading < self._last:
                reading = self._last
            self._last = reading
        return reading


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class ExecutionStore:
    """The execution core's event store on eventsourcing (implements ``ports.EventStore``)."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        clock: Clock | None = None,
        snapshot_interval: int = 50,
        cache_size: int = 10_000,
    ) -> None:
        with creating_tables(env), reaching_store():
            self.app = StoreApplication(env=dict(env))
            self._sealer = Sealer(key_store_for(self.app.recorder))
        self._mapper = cast(EventMapper, self.app.mapper)
        self._mapper.sealer = self._sealer
        self._clock = _MonotonicClock(clock or _wall_clock)
        self._snapshot_interval = snapshot_interval
        self._cache: OrderedDict[int, Any] = OrderedDict()
        """The states last loaded or written, by their stream id's integer (a dictionary probe;
        a ``UUID`` key's hash is Python code), least recent first."""
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._deciders: dict[type, Decider[Any]] = {}
        self._guard = ReadGuard(self._cached_version, checks=is_postgres(env))
        self._checks = self._guard.checks
        recorder = self.app.recorder
        self._memory = recorder if isinstance(recorder, ChainedPOPORecorder) else None

    # -- the port ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock reading (aware UTC, never earlier than the previous reading)."""
        return self._clock()

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The current state: from the cache or newest snapshot, fast-forwarded by new events."""
        state = self._cache.get(stream_id.int)  # one probe: atomic, no lock needed
        checks = self._checks
        if checks:
            self._guard.loaded(stream_id)
        initial = decider.initial
        memory = self._memory
        if memory is not None:
            newest = memory.newest_version(stream_id)
            if state is not None and state.__class__ is initial.__class__:
                held: int = getattr(state, "version")  # noqa: B009 - every state counts it
                if newest == held:
                    return state  # in this process's memory: nothing newer was stored
            elif state is None and newest == 0:
                # nothing stored in this process's memory (a new stream): nor any snapshot
                self._deciders[type(initial)] = decider
                self._remember(stream_id, initial)
                return initial
        elif (
            checks
            and state is not None
            and state.__class__ is initial.__class__
            and self._guard.assumes(stream_id)
        ):
            return state  # assumed current: the write checks it (see :meth:`reading`)
        self._deciders[type(initial)] = decider
        with reaching_store():
            if state is None or type(state) is not type(decider.initial):
                state = self._from_snapshot(stream_id, decider)
            version: int = getattr(state, "version")  # noqa: B009 - every state counts it
            newer = cast(list[Event], list(self.app.events.get(stream_id, gt=version or None)))
        if newer and not isinstance(newer[0], Event):
            raise NotFound(f"{stream_id} holds an idempotency receipt, not a {decider.stream}")
        if newer and version == 0:
            owner = decider_of_event(type(newer[0]).name)
            if owner.stream != decider.stream:
                raise NotFound(f"{stream_id} is a {owner.stream} stream, not a {decider.stream}")
        state = decider.fold(newer, state)
        self._remember(stream_id, state)
        return state

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """Let one decision use the cached states of these streams without asking the database
        (PostgreSQL), and of the streams the previous decision on one of them also loaded (its
        co-reads, see :class:`.guard.ReadGuard`): the write that follows commits only if none
        of them changed meanwhile (checked under the events table's lock, in the write's
        transaction), else it raises ``ConcurrentChange`` and stores nothing. Yields whether
        any cached state was assumed current, so the caller can redo a decision that refused or
        recorded nothing on fresh reads.

        In memory and in SQLite every load checks the store itself, so nothing is assumed."""
        return self._guard.reading(stream_ids)

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Store one decision's events atomically; a version already taken is a conflict."""
        self._record(events, decider, state, None)

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """Store the events and their receipt in one transaction (the receipt as version 1 of
        its key's own stream): a key already used is a conflict like a version already taken,
        so of two writers racing with one key, one records and the other stores nothing."""
        self._record(events, decider, state, receipt)

    def receipt(self, key: str) -> Receipt | None:
        """The receipt stored under an idempotency key, if any."""
        with reaching_store():
            records = list(self.app.events.get(receipt_stream_id(key), limit=1))
        if not records or not isinstance(records[0], ReceiptRecord):
            return None
        return records[0].receipt

    def _record(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt | None
    ) -> None:
        if not events:
            return
        for event in events:
            if isinstance(event, PersonErased):
                # before the fact: a failure between leaves the data erased, never the fact
                # recorded and the data readable (a retry records it)
                self._erase(event.person_id)
        stream_id = events[0].stream_id
        assumed = self._guard.writing(stream_id)
        guard = {"unchanged": (list(assumed), list(assumed.values()))} if assumed else {}
        try:
            with reaching_store(recording=True):
                # the recorder itself: ``EventStore.put`` also builds a notification per event,
                # which nothing here reads
                to_stored = self._mapper.stored_event
                stored = [to_stored(event, subject_of(event, state)) for event in events]
                if receipt is not None:
                    record = ReceiptRecord(receipt_stream_id(receipt.key), 1, receipt)
                    stored.append(self._mapper.to_stored_event(record))
                self.app.recorder.insert_events(stored, **guard)
        except ReadOutdated:
            for assumed_id in assumed:
                self._forget(assumed_id)
            raise ConcurrentChange(
                "a stream this decision read changed since it was read; re-read and retry"
            ) from None
        except IntegrityError:
            self._forget(stream_id)
            taken = "or the idempotency key was used " if receipt is not None else ""
            raise ConcurrentChange(
                f"stream {stream_id} changed since it was read (version "
                f"{events[0].version - 1}) {taken}meanwhile; re-read and retry",
                stream_id=stream_id,
            ) from None
        except StoreUnavailable:
            self._forget(stream_id)
            raise
        self._remember(stream_id, state)
        self._maybe_snapshot(events, decider, state)

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events with ``after < version <= upto``."""
        with reaching_store():
            found = self.app.events.get(stream_id, gt=after or None, lte=upto)
            return [event for event in found if isinstance(event, Event)]

    def read_all(
        self, *, after: int = 0, limit: int | None = None, page: int = 1000
    ) -> Iterator[Recorded]:
        """Every event in recorded order, from ``position > after``, read ``page`` records at
        a time (positions may have gaps; the receipts of idempotency keys, stored among the
        events, are left out). As fast as eventsourcing's own notification loop: one select
        per page, one decode per event."""
        remaining = limit
        position = after
        rows_after = self._rows_after
        decode: Callable[[StoredEvent], Event] = self._mapper.to_domain_event
        while remaining is None or remaining > 0:
            size = page if remaining is None else min(page, remaining)
            with reaching_store():
                rows = rows_after(position, size)
            if not rows:
                return
            if remaining is None:
                for at, stored in rows:
                    if stored.topic != RECEIPT_TOPIC:
                        yield Recorded(at, decode(stored))
            else:
                for at, stored in rows:
                    if stored.topic != RECEIPT_TOPIC:
                        yield Recorded(at, decode(stored))
                        remaining -= 1
            position = rows[-1][0]
            if len(rows) < size:
                return

    def _rows_after(self, position: int, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        """A page of the log after ``position``: the stored rows themselves in memory, else
        the recorder's notifications (each a stored event with its position)."""
        if self._memory is not None:
            return self._memory.stored_page(position, limit)
        found = self.app.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=False
        )
        return [(notification.id, notification) for notification in found]

    def last_position(self) -> int:
        """The position of the newest record of the events table (0 when empty); a receipt
        may hold it, so it can be past the last event ``read_all`` yields."""
        with reaching_store():
            return self.app.recorder.max_notification_id() or 0

    def chain_head(self) -> ChainHead:
        """The newest chain entry's position and hash (see :mod:`.chain_format`)."""
        with reaching_store():
            return head_of(self.chained().chain_head())

    def import_history(self, events: Sequence[Event], finals: Iterable[FinalState]) -> None:
        """Store a validated history into this empty store in one transaction, then snapshot
        each final state at least one snapshot interval long (as appends would have).
        ``ConcurrentChange`` when the store holds events or another writer stored some
        meanwhile; then nothing is stored."""
        if self.last_position():
            raise ConcurrentChange("the store already holds events: nothing was imported")
        if events:
            try:
                with reaching_store(recording=True):
                    to_stored = self._mapper.stored_event
                    persons = sealed_by(events)
                    stored = [to_stored(e, p) for e, p in zip(events, persons, strict=True)]
                    self.app.recorder.insert_events(stored)
                    for event in events:
                        if isinstance(event, PersonErased):
                            self._sealer.erase(event.person_id)
            except IntegrityError:
                raise ConcurrentChange(
                    "another writer stored events during the import; nothing was imported"
                ) from None
        with self._lock:
            self._cache.clear()
        interval = self._snapshot_interval
        if self.app.snapshots is None or interval <= 0:
            return
        snapshots = [
            Snapshot.of(final.stream_id, final.decider, final.state, encode_state(final.state))
            for final in finals
            if final.state.version >= interval
        ]
        if snapshots:
            with reaching_store():
                self.app.snapshots.put(cast(Any, snapshots))

    def close(self) -> None:
        """Close the database connections."""
        self.app.close()

    # -- beyond the port: what the storage adapters' own tools read --------------------------

    def verify(self, anchor: ChainHead | None = None) -> AuditReport:
        """Check the stored events against their hash chain (see :func:`.chain_verify.verify`)."""
        return verify(self, anchor=anchor)

    def chained(self) -> ChainedRecorder:
        """The recorder keeping the hash chain: its head and a consistent read of the events
        beside the chain (what the verifier walks)."""
        recorder = self.app.recorder
        if not isinstance(recorder, ChainedRecorder):
            raise TypeError(f"{type(recorder).__qualname__} keeps no hash chain")
        return recorder

    def snapshots_of(self, stream_id: UUID) -> list[Snapshot]:
        """A stream's stored snapshots, oldest first, of any state version (the verifier checks
        those a load would use)."""
        if self.app.snapshots is None:
            return []
        with reaching_store():
            return cast(list[Snapshot], list(self.app.snapshots.get(stream_id)))

    def keys(self) -> KeyStore:
        """The key store beside the events (the people's keys; see :mod:`.keys`)."""
        return self._sealer.keys

    def infrastructure(self) -> InfrastructureFactory[Any]:
        """The eventsourcing infrastructure factory this store's recorders come from (the same
        database and settings), for adapters that keep their own tables beside the events, as
        the projection worker keeps its views. The store owns it: do not close it."""
        return self.app.factory

    def stored_after(self, position: int) -> tuple[int, str, str] | None:
        """The first event after ``position`` as stored, without decoding it: its position,
        stream id and topic (receipts skipped). It names an event ``read_all`` cannot decode."""
        with reaching_store():
            notifications = self.app.recorder.select_notifications(
                start=position, limit=10, inclusive_of_start=False
            )
        for notification in notifications:
            if notification.topic != RECEIPT_TOPIC:
                return notification.id, str(notification.originator_id), notification.topic
        return None

    # -- erasure -----------------------------------------------------------------------------

    def _erase(self, person_id: str) -> None:
        """Delete every snapshot (states hold names and notes in the clear; they are taken
        again as streams grow), the person's key, and every cached state."""
        with reaching_store():
            self._drop_snapshots()
            self._sealer.erase(person_id)
        with self._lock:
            self._cache.clear()

    def _drop_snapshots(self) -> None:
        snapshots = self.app.snapshots
        if snapshots is None:
            return
        recorder = snapshots.recorder
        datastore: Any = getattr(recorder, "datastore", None)
        if datastore is None:  # memory: a new, empty snapshot recorder
            self.app.snapshots = self.app.construct_snapshot_store()
            return
        table = str(getattr(recorder, "events_table_name"))  # noqa: B009 - both SQL recorders
        schema = getattr(datastore, "schema", None)
        qualified = table if schema is None else f'"{schema}"."{table}"'
        with datastore.transaction(commit=True) as cursor:
            if schema is None:  # SQLite zeroes deleted rows only with secure_delete
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(f"DELETE FROM {qualified}")

    # -- snapshots and cache -----------------------------------------------------------------

    def _from_snapshot(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The newest snapshot's state, if it holds the decider's current state class (else the
        initial state: the events are folded, and the next snapshot replaces the old one)."""
        if self.app.snapshots is None:
            return decider.initial
        snapshots = list(self.app.snapshots.get(stream_id, desc=True, limit=1))
        if not snapshots:
            return decider.initial
        snapshot = cast(Snapshot, snapshots[0])
        if snapshot.stream != decider.stream:
            raise NotFound(f"{stream_id} is a {snapshot.stream} stream, not a {decider.stream}")
        if not snapshot.fits(decider):
            return decider.initial
        return decode_state(snapshot.state, type(decider.initial))

    def _maybe_snapshot(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        if self.app.snapshots is None or self._snapshot_interval <= 0:
            return
        first, last = events[0].version, events[-1].version
        if last // self._snapshot_interval > (first - 1) // self._snapshot_interval:
            snapshot = Snapshot.of(events[0].stream_id, decider, state, encode_state(state))
            # The events are stored: a snapshot is only a shortcut, taken again later.
            with suppress(IntegrityError, OperationalError, InterfaceError):
                self.app.snapshots.put(cast(Any, [snapshot]))

    def _cached_version(self, stream_id: UUID) -> int | None:
        """The version of a stream's cached state, if one of a known decider is cached."""
        state = self._cache.get(stream_id.int)
        if state is None or type(state) not in self._deciders:
            return None
        return int(getattr(state, "version", 0))

    def _forget(self, stream_id: UUID) -> None:
        with self._lock:
            self._cache.pop(stream_id.int, None)

    def _remember(self, stream_id: UUID, state: Any) -> None:
        key = stream_id.int
        cache = self._cache
        with self._lock:
            cache[key] = state
            cache.move_to_end(key)
            if len(cache) > self._cache_size:
                cache.popitem(last=False)


def sealed_by(history: Sequence[Event]) -> list[str | None]:
    """Whose key seals each event of a history (None: no personal field, or nobody's): the
    person its stream's state after it names, each stream folded along (as the import's
    validation did, and as an append reads it off the state it decided on)."""
    states: dict[UUID, Any] = {}
    persons: list[str | None] = []
    for event in history:
        decider = decider_of_event(type(event).name)
        state = decider.evolve(states.get(event.stream_id, decider.initial), event)
        states[event.stream_id] = state
        persons.append(subject_of(event, state))
    return persons


def open_store(
    url: str = DEFAULT_STORE,
    *,
    clock: Clock | None = None,
    snapshot_interval: int = 50,
    cache_size: int = 10_000,
    env: Mapping[str, str] | None = None,
) -> ExecutionStore:
    """Open the store a URL names, creating its tables; ``env`` adds eventsourcing settings.

    Raises ``InvalidInput`` for a bad URL, a file that is not a store, or a PostgreSQL schema
    that does not exist, and ``StoreUnavailable`` (naming the server) when the server cannot be
    reached or the PostgreSQL driver is not installed: the same typed errors for any caller.
    """
    settings = store_env(url)
    if env:
        settings.update(env)
    try:
        return ExecutionStore(
            settings,
            clock=clock,
            snapshot_interval=snapshot_interval,
            cache_size=cache_size,
        )
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("psycopg"):
            raise
        raise StoreUnavailable(POSTGRES_NOT_INSTALLED) from error
    except StoreUnavailable as error:
        reason = str(error).removeprefix("the event store cannot be reached: ")
        raise StoreUnavailable(
            f"{server_named(settings)} cannot be reached ({reason}); check that the server "
            "runs and the store URL's host, port and user"
        ) from error
    except (DatabaseError, sqlite3.DatabaseError) as error:
        raise not_usable(settings, error) from error
