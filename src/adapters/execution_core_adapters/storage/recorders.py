"""The chained recorders: eventsourcing's in-memory, SQLite and PostgreSQL application
recorders, each writing the hash chain (:mod:`.chain_format`) in the transaction of the insert.

:func:`chained_recorder` builds the one an application's factory calls for. The PostgreSQL
recorder also takes the guard of a decision that read cached states (``unchanged=``, see
``ExecutionStore.reading``): checked under the events table's lock, else :class:`ReadOutdated`.
"""

from __future__ import annotations

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
    StoredRow,
    chain_entries,
    chain_entry,
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
    """The in-memory recorder, keeping the chain in a list beside the events."""

    contiguous = True

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[ChainEntry] = []
        self._newest: dict[UUID, int] = {}
        """The highest version stored per stream (what a cached state is checked against)."""
        self._unordered: set[str] = set()
        """Streams whose versions were not stored in ascending order (none, from the facade)."""

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """eventsourcing's uniqueness check and table update, and the chain, in one pass that
        spells each stream id once (``str(UUID)`` is the costliest step of a small insert)."""
        with self._database_lock:
            check_head(
                self.chain[-1].position if self.chain else None, [len(self._stored_events) + 1]
            )
            keys = [str(stored.originator_id) for stored in stored_events]
            new = set()
            for key, stored in zip(keys, stored_events, strict=True):
                index = self._stored_events_index.get(key)
                if index is not None and stored.originator_version in index:
                    raise IntegrityError(f"Stored event already recorded: {stored}")
                new.add((key, stored.originator_version))
            if len(new) < len(stored_events):
                raise IntegrityError(f"Stored events are not unique: {stored_events}")
            previous = self.chain[-1].chain_hash if self.chain else GENESIS
            positions = []
            for key, stored in zip(keys, stored_events, strict=True):
                version = stored.originator_version
                ident = stored.originator_id
                ident = ident if isinstance(ident, UUID) else UUID(ident)
                newest = self._newest.get(ident, 0)
                if version <= newest:
                    self._unordered.add(key)
                else:
                    self._newest[ident] = version
                self._stored_events.append(stored)
                position = len(self._stored_events)
                self._stored_events_index[key][version] = position - 1
                positions.append(position)
                self.chain.append(chain_entry(previous, position, key, stored))
                previous = self.chain[-1].chain_hash
            return positions

    def chain_head(self) -> ChainEntry | None:
        """The newest chain entry."""
        with self._database_lock:
            return self.chain[-1] if self.chain else None

    def newest_version(self, originator_id: UUID) -> int:
        """The highest version stored for a stream (0 when it has none), without reading it."""
        return self._newest.get(originator_id, 0)

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """eventsourcing's in-memory recorder scans a stream's whole index on every read; a
        fast-forward of a cached state (``gt`` its version) reads only the newer end here, so
        loading a long stream (the organization of a simulated company) stays cheap."""
        key = str(originator_id)
        if gt is None or lte is not None or desc or key in self._unordered:
            return super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        with self._database_lock:
            index = self._stored_events_index.get(key)
            if not index:
                return []
            newer: list[int] = []
            for version in reversed(index):
                if version <= gt:
                    break
                newer.append(index[version])
            newer.reverse()
            if limit is not None:
                del newer[limit:]
            return [self._stored_events[position] for position in newer]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """eventsourcing's in-memory recorder steps through the list one index at a time (with
        a ``try`` per row); a page here is one slice, which halves reading a store back."""
        if topics:
            return super().select_notifications(
                start, limit, stop, topics, inclusive_of_start=inclusive_of_start
            )
        first = 1 if start is None else max(start if inclusive_of_start else start + 1, 1)
        with self._database_lock:
            last = len(self._stored_events) if stop is None else stop
            # as eventsourcing's walk: a limit below one never fills, so it reads to the end
            end = min(first - 1 + limit, last) if limit > 0 else last
            page = self._stored_events[first - 1 : max(end, first - 1)]
        return [
            Notification(
                id=position,
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
            )
            for position, s in enumerate(page, start=first)
        ]

    @contextmanager
    def chain_snapshot(self) -> Iterator[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
        """A copy of the events and the chain taken under the store's lock."""
        with self._database_lock:
            rows = [
                StoredRow(n, stream_text(s.originator_id), s.originator_version, s.topic, s.state)
                for n, s in enumerate(self._stored_events, start=1)
            ]
            entries = list(self.chain)
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

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The first INSERT took SQLite's write lock, so no one else appends until we commit.
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
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
