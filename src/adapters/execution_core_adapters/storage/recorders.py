"""The chained recorders: eventsourcing's in-memory, SQLite and PostgreSQL application
recorders, each writing the hash chain (:mod:`.chain_format`) in the transaction of the insert.

:func:`chained_recorder` builds the one an application's factory calls for. The PostgreSQL
recorder also takes the guard of a decision that read cached states (``unchanged=``, see
``ExecutionStore.reading``): checked under the events table's lock, else :class:`ReadOutdated`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, cast, runtime_checkable
from uuid import UUID

import attrs
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    Notification,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory

from execution_core_adapters.storage.chain_format import (
    CHAIN_TABLE,
    GENESIS,
    ChainEntry,
    ChainRow,
    StoredRow,
    chain_entries,
    chain_row,
    check_head,
    state_bytes,
    stream_text,
)
from execution_core_adapters.storage.opening import connecting_as_configured
from execution_core_adapters.storage.postgres_recorder import (
    PAGE,
    ReadOutdated,
    postgres_recorder_class,
)

__all__ = [
    "ChainedPOPORecorder",
    "ChainedRecorder",
    "ChainedSQLiteRecorder",
    "ReadOutdated",
    "chained_recorder",
]


@runtime_checkable
class ChainedRecorder(Protocol):
    """What :func:`verify` and :func:`head` need of a recorder that keeps the chain."""

    contiguous: bool
    """Whether positions are gapless by construction (SQLite, memory): a gap proves removal."""

    def chain_head(self) -> ChainEntry | None:
        """The newest chain entry."""
        ...

    def chain_snapshot(
        self,
    ) -> AbstractContextManager[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
        """The events and the chain, both in position order, read from one consistent snapshot."""
        ...


class ChainedPOPORecorder(POPOApplicationRecorder):
    """The in-memory recorder, keeping the chain in a list beside the events.

    It keeps its events in a table of its own (``events``, with an index per stream) and
    implements every method of eventsourcing's ``ApplicationRecorder`` interface on it, so it
    uses eventsourcing's public API only: the base class lends it ``subscribe`` (which calls
    the public ``listen``), nothing of its private storage.
    """

    contiguous = True

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.events: list[StoredEvent] = []
        """Every stored event; its position is its index plus one."""
        self.chain: list[ChainRow] = []
        """The chain, one row per event (made a :class:`ChainEntry` when read)."""
        self._index: dict[str, dict[int, int]] = defaultdict(dict)
        """Per stream (its id as text), each stored version's index in ``events``."""
        self._subscribers: set[threading.Event] = set()
        self._newest: dict[int, int] = {}
        """The highest version stored per stream, by the id's integer (a dictionary probe; a
        ``UUID`` key's hash is Python code): what a cached state is checked against."""
        self._unordered: set[str] = set()
        """Streams whose versions were not stored in ascending order (none, from the facade)."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The uniqueness check, the table update and the chain, in one pass under the lock
        that spells each stream id once (``str(UUID)`` is the costliest step of a small
        insert); then the subscriptions are woken."""
        with self.lock:
            check_head(self.chain[-1][0] if self.chain else None, [len(self.events) + 1])
            keys = [stream_text(stored.originator_id) for stored in stored_events]
            new = set()
            for key, stored in zip(keys, stored_events, strict=True):
                if stored.originator_version in self._index.get(key, ()):
                    raise IntegrityError(f"Stored event already recorded: {stored}")
                new.add((key, stored.originator_version))
            if len(new) < len(stored_events):
                raise IntegrityError(f"Stored events are not unique: {stored_events}")
            previous = self.chain[-1][4] if self.chain else GENESIS
            positions = []
            for key, stored in zip(keys, stored_events, strict=True):
                version = stored.originator_version
                ident = stored.originator_id
                ident = ident if isinstance(ident, UUID) else UUID(ident)
                newest = self._newest.get(ident.int, 0)
                if version <= newest:
                    self._unordered.add(key)
                else:
                    self._newest[ident.int] = version
                self.events.append(stored)
                position = len(self.events)
                self._index[key][version] = position - 1
                positions.append(position)
                row = chain_row(previous, position, key, stored)
                self.chain.append(row)
                previous = row[4]
            woken = list(self._subscribers)
        for event in woken:
            event.set()
        return positions

    def listen(self, event: threading.Event) -> None:
        """Wake ``event`` after each insert (a subscription's)."""
        with self.lock:
            self._subscribers.add(event)

    def unlisten(self, event: threading.Event) -> None:
        """Stop waking ``event``."""
        with self.lock:
            self._subscribers.discard(event)

    def max_notification_id(self) -> int | None:
        """The newest position (None: no event yet)."""
        with self.lock:
            return len(self.events) or None

    def newest_version(self, originator_id: UUID) -> int:
        """The highest version stored for a stream (0 when it has none), without reading it."""
        return self._newest.get(originator_id.int, 0)

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """A stream's events in version order; a fast-forward of a cached state (``gt`` its
        version) reads only the newer end of the stream's index, so loading a long stream (the
        organization of a simulated company) stays cheap."""
        key = stream_text(originator_id)
        with self.lock:
            index = self._index.get(key)
            if not index:
                return []
            if gt is not None and lte is None and not desc and key not in self._unordered:
                newer: list[int] = []
                for version in reversed(index):
                    if version <= gt:
                        break
                    newer.append(index[version])
                newer.reverse()
                if limit is not None:
                    del newer[limit:]
                return [self.events[position] for position in newer]
            # as eventsourcing's scan: versions in the order stored (reversed for ``desc``)
            chosen = [
                index[version]
                for version in (reversed(index) if desc else index)
                if (gt is None or version > gt) and (lte is None or version <= lte)
            ]
            return [self.events[position] for position in chosen[:limit]]

    def stored_page(self, after: int, limit: int) -> list[tuple[int, StoredEvent]]:
        """Up to ``limit`` stored events after position ``after``, each with its position: the
        rows as kept (``select_notifications`` copies each into a new notification; as there, a
        limit below one reads to the end)."""
        first = max(after, 0)
        with self.lock:
            rows = self.events[first : first + limit] if limit > 0 else self.events[first:]
        return list(enumerate(rows, start=first + 1))

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """A page of the log from ``start``: one slice of the table (eventsourcing's own steps
        through it one row at a time), filtered by topic if asked."""
        first = 1 if start is None else max(start if inclusive_of_start else start + 1, 1)
        with self.lock:
            last = len(self.events) if stop is None else max(min(stop, len(self.events)), 0)
            if topics:
                wanted = set(topics)
                page = [
                    (position, s)
                    for position, s in enumerate(self.events[first - 1 : last], start=first)
                    if s.topic in wanted
                ]
                if limit > 0:
                    del page[limit:]
            else:
                # as eventsourcing's walk: a limit below one never fills, so it reads to the end
                end = min(first - 1 + limit, last) if limit > 0 else last
                page = list(enumerate(self.events[first - 1 : max(end, first - 1)], start=first))
        return [
            Notification(
                id=position,
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
            )
            for position, s in page
        ]

    def chain_head(self) -> ChainEntry | None:
        """The newest chain entry."""
        with self.lock:
            return ChainEntry(*self.chain[-1]) if self.chain else None

    @contextmanager
    def chain_snapshot(self) -> Iterator[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
        """A copy of the events and the chain taken under the store's lock."""
        with self.lock:
            rows = [
                StoredRow(n, stream_text(s.originator_id), s.originator_version, s.topic, s.state)
                for n, s in enumerate(self.events, start=1)
            ]
            entries = [ChainEntry(*row) for row in self.chain]
        yield iter(rows), iter(entries)


def _sqlite_stream_text(value: object) -> str:
    """SQLite keeps a stream id as 32 hex digits; any other spelling is an edit."""
    if isinstance(value, str):
        try:
            parsed = UUID(value)
        except ValueError:
            return value
        return str(parsed) if parsed.hex == value else value
    return repr(value)


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """The SQLite recorder, writing the chain rows in the transaction of the insert."""

    contiguous = True

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
            "notification_id INTEGER PRIMARY KEY, "
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "event_hash BLOB NOT NULL, "
            "chain_hash BLOB NOT NULL)",
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The events and their chain rows in one transaction of this recorder's own (through
        the datastore's public ``transaction``, whose exit turns SQLite's constraint errors
        into eventsourcing's ``IntegrityError``); the events' table as eventsourcing lays it
        out, the row id its notification id."""
        with self.datastore.transaction(commit=True) as c:
            # The first INSERT takes SQLite's write lock: no one else appends until we commit.
            positions = []
            for stored in stored_events:
                ident = stored.originator_id
                c.execute(
                    self._insert_event,
                    (
                        ident.hex if isinstance(ident, UUID) else ident,
                        stored.originator_version,
                        stored.topic,
                        stored.state,
                    ),
                )
                positions.append(c.lastrowid)
            c.execute(
                f"SELECT notification_id, chain_hash FROM {CHAIN_TABLE} "
                "ORDER BY notification_id DESC LIMIT 1"
            )
            row = c.fetchone()
            check_head(row[0] if row else None, positions)
            entries = chain_entries(
                bytes(row[1]) if row else GENESIS, zip(positions, stored_events, strict=True)
            )
            c.executemany(
                f"INSERT INTO {CHAIN_TABLE} VALUES (?,?,?,?,?)",
                [attrs.astuple(entry) for entry in entries],
            )
        return positions

    @property
    def _insert_event(self) -> str:
        return (
            f"INSERT INTO {self.events_table_name} "
            "(originator_id, originator_version, topic, state) VALUES (?,?,?,?)"
        )

    def chain_head(self) -> ChainEntry | None:
        """The newest chain entry."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1")
            row = c.fetchone()
        return _sqlite_entry(row) if row else None

    @contextmanager
    def chain_snapshot(self) -> Iterator[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
        """Both tables read inside one read transaction (one WAL snapshot)."""
        with self.datastore.transaction(commit=False) as c:
            events = (
                f"SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?"
            )
            chain = (
                f"SELECT * FROM {CHAIN_TABLE} WHERE notification_id > ? "
                "ORDER BY notification_id LIMIT ?"
            )
            yield (
                (
                    StoredRow(r[0], _sqlite_stream_text(r[1]), r[2], r[3], state_bytes(r[4]))
                    for r in _pages(c, events)
                ),
                (_sqlite_entry(r) for r in _pages(c, chain)),
            )


def _pages(c: SQLiteCursor, statement: str) -> Iterator[Any]:
    """Keyset pagination inside the transaction of ``c`` (a fresh cursor for each page)."""
    after = 0
    while True:
        with SQLiteCursor(c.sqlite_cursor.connection.cursor()) as page:
            page.execute(statement, (after, PAGE))
            rows = page.fetchall()
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _sqlite_entry(row: Any) -> ChainEntry:
    return ChainEntry(
        position=row[0],
        stream_id=row[1],
        version=row[2],
        event_hash=bytes(row[3]),
        chain_hash=bytes(row[4]),
    )


def chained_recorder(factory: InfrastructureFactory[Any]) -> ApplicationRecorder:
    """The chain-keeping application recorder for an eventsourcing infrastructure factory."""
    recorder: Any
    if isinstance(factory, POPOFactory):
        return ChainedPOPORecorder()
    if isinstance(factory, SQLiteFactory):
        recorder = ChainedSQLiteRecorder(datastore=factory.datastore)
    else:
        from eventsourcing.postgres import PostgresFactory

        if not isinstance(factory, PostgresFactory):
            raise TypeError(f"no chained recorder for {type(factory).__qualname__}")
        prefix = factory.env.name.lower() or "stored"
        connecting_as_configured(factory)
        recorder = postgres_recorder_class()(
            datastore=factory.datastore, events_table_name=f"{prefix}_events"
        )
    if factory.env_create_table():
        recorder.create_table()
    return cast(ApplicationRecorder, recorder)


# -- verifying ---------------------------------------------------------------------------------
