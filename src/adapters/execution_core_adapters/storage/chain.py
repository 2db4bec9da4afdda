"""Tamper evidence: a hash chain over the stored events, kept as they are stored.

Every insert of events also writes, in the same transaction and after the notification ids
(positions) are assigned, one row per event to the side table ``event_chain``::

    event_chain(notification_id PRIMARY KEY, originator_id, originator_version,
                event_hash, chain_hash)

    event_hash_n = sha256(header_n + b"\\n" + state_n)
        header_n = canonical JSON of [position, stream id, version, topic]
                   (e.g. ``[7,"5d8f...-...",3,"goal.ProgressLogged"]``), state_n the stored bytes
    chain_hash_n = sha256(chain_hash_p + event_hash_n)
        p the previous position present in the chain (positions may have gaps), and
        chain_hash of "no previous event" = 32 zero bytes

:func:`verify` walks the events and the chain side by side, in position order, and names the
first event that was edited, removed, reordered or inserted out of band. :func:`head` is the
newest chain hash: exported and kept elsewhere, it also exposes a rewritten or truncated chain
(see docs/audit.md, "Tamper evidence").

The recorders below subclass eventsourcing's SQLite, PostgreSQL and in-memory application
recorders; :func:`chained_recorder` builds the one an application's factory calls for.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal, Protocol, cast, runtime_checkable
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

from execution_core.decider import Decider
from execution_core.errors import ExecutionError
from execution_core.event import Event
from execution_core.streams import STREAMS
from execution_core_adapters.storage.codec import decode_state, dumps

__all__ = [
    "CHAIN_TABLE",
    "GENESIS",
    "AuditReport",
    "ChainBroken",
    "ChainEntry",
    "ChainHead",
    "ChainedRecorder",
    "ReadOutdated",
    "StoredRow",
    "Tampering",
    "chained_recorder",
    "event_hash",
    "event_streams",
    "head",
    "link",
    "verify",
]

CHAIN_TABLE = "event_chain"
"""The side table of the chain (in the store's SQLite file or PostgreSQL schema)."""

GENESIS = bytes(32)
"""The chain hash before the first event."""

_PAGE = 1000
_WINDOW = 1000
"""How far back verify looks for the hash a broken link continues from (inserted rows)."""
_DIAGNOSED = 3
"""How many edited events verify searches the whole store for (is it another's moved here?)."""

Kind = Literal["edited", "removed", "reordered", "inserted", "truncated", "rewritten"]


class ChainBroken(ExecutionError):
    """A write found the chain inconsistent with the events (rows removed out of band)."""


class ReadOutdated(Exception):
    """A write's guard found a stream it relied on changed: nothing was stored."""


# -- what is hashed ----------------------------------------------------------------------------


def _scalar(value: object) -> object:
    """A column value as the header carries it (anything unexpected stays visibly different)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return repr(value)
    return value


def _state_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return repr(value).encode()


def event_hash(
    position: int, stream_id: str, version: object, topic: object, state: bytes
) -> bytes:
    """sha256 of the canonical header ``[position, stream id, version, topic]``, a newline and
    the stored bytes."""
    header = dumps([position, stream_id, _scalar(version), _scalar(topic)])
    return hashlib.sha256(header + b"\n" + state).digest()


def link(previous: bytes, digest: bytes) -> bytes:
    """The chain hash that follows ``previous`` for an event whose hash is ``digest``."""
    return hashlib.sha256(previous + digest).digest()


def _stream_text(value: object) -> str:
    """A stream id as the chain hashes it: ``str(UUID)``, lower case with hyphens."""
    return str(value)


@attrs.frozen
class StoredRow:
    """One row of the events table as stored (the thing the chain vouches for)."""

    position: int
    stream_id: str
    version: object
    topic: object
    state: bytes

    def digest(self) -> bytes:
        """The event hash of this row at its position."""
        return event_hash(self.position, self.stream_id, self.version, self.topic, self.state)


@attrs.frozen
class ChainEntry:
    """One row of the chain: which event was stored at a position, its hash, the chain hash."""

    position: int
    stream_id: str
    version: int
    event_hash: bytes
    chain_hash: bytes


def _entry(previous: bytes, position: int, stream: str, event: StoredEvent) -> ChainEntry:
    """The chain entry of an event stored at ``position``, following chain hash ``previous``."""
    digest = event_hash(position, stream, event.originator_version, event.topic, event.state)
    return ChainEntry(position, stream, event.originator_version, digest, link(previous, digest))


def _entries(previous: bytes, stored: Iterable[tuple[int, StoredEvent]]) -> list[ChainEntry]:
    entries = []
    for position, event in sorted(stored, key=lambda pair: pair[0]):
        entries.append(_entry(previous, position, _stream_text(event.originator_id), event))
        previous = entries[-1].chain_hash
    return entries


def _check_head(head_position: int | None, positions: Sequence[int]) -> None:
    if head_position is not None and positions and min(positions) <= head_position:
        raise ChainBroken(
            f"new events got position {min(positions)}, but the chain already reaches "
            f"{head_position}: events were removed from the store out of band; nothing was "
            "stored (run `execution-core audit verify`)"
        )


# -- the recorders -----------------------------------------------------------------------------


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
            _check_head(
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
                self.chain.append(_entry(previous, position, key, stored))
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
                StoredRow(n, _stream_text(s.originator_id), s.originator_version, s.topic, s.state)
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
        _check_head(row[0] if row else None, positions)
        entries = _entries(
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
                    StoredRow(r[0], _sqlite_stream_text(r[1]), r[2], r[3], _state_bytes(r[4]))
                    for r in _pages(c, events)
                ),
                (_sqlite_entry(r) for r in _pages(c, chain)),
            )


def _pages(c: SQLiteCursor, statement: str) -> Iterator[Any]:
    """Keyset pagination inside the transaction of ``c`` (a fresh cursor for each page)."""
    after = 0
    while True:
        with SQLiteCursor(c.sqlite_cursor.connection.cursor()) as page:
            page.execute(statement, (after, _PAGE))
            rows = page.fetchall()
        yield from rows
        if len(rows) < _PAGE:
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


@functools.cache
def _postgres_recorder_class() -> type[Any]:
    """Defined on first use, so that psycopg (an optional dependency) loads only when needed."""
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    from psycopg.sql import SQL, Identifier

    class ChainedPostgresRecorder(PostgresApplicationRecorder):
        """The PostgreSQL recorder, writing the chain rows in the transaction of the insert.

        Inserts take eventsourcing's EXCLUSIVE lock on the events table first, so positions
        follow commit order and the chain head read after the lock is the true predecessor.
        """

        contiguous = False

        def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
            super().__init__(datastore, events_table_name=events_table_name)
            schema = Identifier(self.datastore.schema)
            chain = Identifier(CHAIN_TABLE)
            events = Identifier(self.events_table_name)
            self.sql_create_statements.append(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
                    "notification_id bigint PRIMARY KEY, "
                    "originator_id text NOT NULL, "
                    "originator_version bigint NOT NULL, "
                    "event_hash bytea NOT NULL, "
                    "chain_hash bytea NOT NULL)"
                ).format(schema=schema, chain=chain)
            )
            self._insert_returning = SQL(
                "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[]) "
                "RETURNING notification_id, originator_id, originator_version"
            ).format(
                schema=schema,
                events=events,
                id_type=SQL(self.datastore.originator_id_type),  # uuid or text
            )
            self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
            self._select_head = SQL(
                "SELECT * FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1"
            ).format(schema=schema, chain=chain)
            self._insert_chain = SQL(
                "INSERT INTO {schema}.{chain} SELECT * FROM unnest("
                "%s::bigint[], %s::text[], %s::bigint[], %s::bytea[], %s::bytea[])"
            ).format(schema=schema, chain=chain)
            self._select_events_page = SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {schema}.{events} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s"
            ).format(schema=schema, events=events)
            self._select_chain_page = SQL(
                "SELECT * FROM {schema}.{chain} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s"
            ).format(schema=schema, chain=chain)
            self._select_changed = SQL(
                "SELECT e.originator_id FROM unnest(%s::uuid[], %s::bigint[]) AS w(id, v) "
                "JOIN {schema}.{events} AS e "
                "ON e.originator_id = w.id AND e.originator_version > w.v LIMIT 1"
            ).format(schema=schema, events=events)
            # The write's statements rendered once: psycopg would compose them on every insert
            # (a tenth of a write's time), and caches the parsing of a rendered one.
            self._write_lock = [_rendered(s) for s in self.lock_table_statements]
            self._write = [
                _rendered(s)
                for s in (
                    self._notify,
                    self._select_changed,
                    self._insert_returning,
                    self._select_head,
                    self._insert_chain,
                )
            ]

        def insert_events(
            self, stored_events: Sequence[StoredEvent], **kwargs: Any
        ) -> Sequence[int] | None:
            # Not retried on a lost connection (unlike eventsourcing's): the commit may have
            # gone through, so the caller decides (storage.store raises StoreUnavailable).
            # ``unchanged=(stream ids, versions)``: commit only if none of those streams has
            # grown past those versions (checked under the lock), else ReadOutdated.
            if not stored_events:
                return []
            columns = (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            )
            # One pipeline: BEGIN, lock, insert and head read go out together; the chain rows
            # and COMMIT go out together once the positions are back. (Cursors are left open:
            # closing them inside the pipeline would cost a round trip.)
            with (
                self.datastore.get_connection() as conn,
                conn.pipeline(),
                conn.transaction(),
            ):
                notify, select_changed, insert_returning, select_head, insert_chain = self._write
                lock, insert, head = conn.cursor(), conn.cursor(), conn.cursor()
                for statement in self._write_lock:
                    lock.execute(statement, prepare=True)
                lock.execute(notify)
                unchanged, guard = kwargs.get("unchanged"), conn.cursor()
                if unchanged is not None:
                    guard.execute(select_changed, unchanged, prepare=True)
                insert.execute(insert_returning, columns, prepare=True)
                head.execute(select_head, prepare=True)
                returned = insert.fetchall()
                last = head.fetchone()
                if unchanged is not None and guard.fetchone() is not None:
                    raise ReadOutdated("a stream read for this decision changed since")
                by_key = {(str(r["originator_id"]), r["originator_version"]): r for r in returned}
                stored = [
                    (
                        by_key[(str(e.originator_id), e.originator_version)]["notification_id"],
                        e,
                    )
                    for e in stored_events
                ]
                _check_head(last["notification_id"] if last else None, [n for n, _ in stored])
                entries = _entries(bytes(last["chain_hash"]) if last else GENESIS, stored)
                insert.execute(
                    insert_chain,
                    prepare=True,
                    params=[
                        [entry.position for entry in entries],
                        [entry.stream_id for entry in entries],
                        [entry.version for entry in entries],
                        [entry.event_hash for entry in entries],
                        [entry.chain_hash for entry in entries],
                    ],
                )
            return [position for position, _ in stored]

        def chain_head(self) -> ChainEntry | None:
            """The newest chain entry."""
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(self._select_head)
                row = curs.fetchone()
            return _postgres_entry(row) if row else None

        @contextmanager
        def chain_snapshot(self) -> Iterator[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
            """Both tables read in one REPEATABLE READ, READ ONLY transaction."""
            with self.datastore.get_connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

                def pages(statement: Any) -> Iterator[Any]:
                    after = 0
                    while True:
                        with conn.cursor() as curs:
                            curs.execute(statement, (after, _PAGE))
                            rows = curs.fetchall()
                        yield from rows
                        if len(rows) < _PAGE:
                            return
                        after = rows[-1]["notification_id"]

                yield (
                    (
                        StoredRow(
                            r["notification_id"],
                            _stream_text(r["originator_id"]),
                            r["originator_version"],
                            r["topic"],
                            _state_bytes(r["state"]),
                        )
                        for r in pages(self._select_events_page)
                    ),
                    (_postgres_entry(r) for r in pages(self._select_chain_page)),
                )

    return ChainedPostgresRecorder


def _rendered(statement: Any) -> Any:
    """A composed psycopg statement as the bytes it renders to (others as they are)."""
    as_bytes = getattr(statement, "as_bytes", None)
    return as_bytes(None) if as_bytes is not None else statement


def _postgres_entry(row: Any) -> ChainEntry:
    return ChainEntry(
        position=row["notification_id"],
        stream_id=row["originator_id"],
        version=row["originator_version"],
        event_hash=bytes(row["event_hash"]),
        chain_hash=bytes(row["chain_hash"]),
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
        recorder = _postgres_recorder_class()(
            datastore=factory.datastore, events_table_name=f"{prefix}_events"
        )
    if factory.env_create_table():
        recorder.create_table()
    return cast(ApplicationRecorder, recorder)


# -- verifying ---------------------------------------------------------------------------------


@attrs.frozen
class ChainHead:
    """The newest chain hash and its position: export it, keep it elsewhere, verify against it.

    ``position`` 0 with the genesis hash is the head of an empty store.
    """

    position: int
    hash: str

    def to_json(self) -> str:
        """``{"hash": "<64 hex digits>", "position": n}``."""
        return dumps(attrs.asdict(self)).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> ChainHead:
        """Read a head written by :meth:`to_json`."""
        data = json.loads(text)
        if not (
            isinstance(data, dict)
            and isinstance(data.get("position"), int)
            and isinstance(data.get("hash"), str)
            and len(data["hash"]) == 64
            and set(data["hash"]) <= set("0123456789abcdef")
        ):
            raise ValueError('a chain head is {"hash": "<64 hex digits>", "position": <int>}')
        return cls(position=data["position"], hash=data["hash"])


@attrs.frozen
class Tampering:
    """The first sign of tampering: where, which event (as recorded in the chain), what it is."""

    kind: Kind
    """edited, removed, reordered or inserted (out of band); with an anchor also truncated
    (newest events removed with their chain entries) or rewritten (chain recomputed)."""
    position: int
    """The event's position (notification id); 0 for a snapshot."""
    stream_id: str
    version: int | None
    detail: str
    record: Literal["event", "snapshot"] = "event"

    def __str__(self) -> str:
        what = f"{self.stream_id} v{self.version}" if self.stream_id else "(unknown event)"
        where = f"position {self.position}" if self.record == "event" else "snapshot"
        return f"{self.kind}: {where}, {what}: {self.detail}"


@attrs.frozen
class AuditReport:
    """What :func:`verify` found: ``ok`` when the events and the chain agree throughout."""

    ok: bool
    events_checked: int
    head: ChainHead
    first: Tampering | None = None
    """The first (lowest position) sign of tampering."""
    problems: int = 0
    """How many positions (and snapshots) showed a sign of tampering."""
    snapshots_checked: int = 0


class _Store(Protocol):
    app: Any

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events."""
        ...


def _recorder(store: _Store) -> ChainedRecorder:
    recorder = store.app.recorder
    if not isinstance(recorder, ChainedRecorder):
        raise TypeError(f"{type(recorder).__qualname__} keeps no hash chain")
    return recorder


def head(store: _Store) -> ChainHead:
    """The store's newest chain hash and position (position 0 when the store is empty)."""
    entry = _recorder(store).chain_head()
    if entry is None:
        return ChainHead(0, GENESIS.hex())
    return ChainHead(entry.position, entry.chain_hash.hex())


def _problem(kind: Kind, at: StoredRow | ChainEntry, detail: str) -> Tampering:
    version = at.version if isinstance(at.version, int) else None
    return Tampering(kind, at.position, at.stream_id, version, detail)


class _Walk:
    """One pass over the events and the chain in position order, link by link."""

    def __init__(self, contiguous: bool, anchor: ChainHead | None) -> None:
        self.contiguous = contiguous
        self.anchor = anchor
        self.anchor_seen = anchor is None
        self.problems: list[Tampering] = []
        self.mismatched: list[Tampering] = []
        self.checked = 0
        self.entries_seen = 0
        self.streams: dict[str, str] = {}
        self.previous: ChainEntry | None = None
        self.recent: deque[ChainEntry] = deque(maxlen=_WINDOW)

    def run(self, rows: Iterator[StoredRow], entries: Iterator[ChainEntry]) -> None:
        row, entry = next(rows, None), next(entries, None)
        while row is not None or entry is not None:
            if entry is None or (row is not None and row.position < entry.position):
                assert row is not None
                self._count(row)
                self.problems.append(
                    _problem("inserted", row, "it has no chain entry: written around the store")
                )
                row = next(rows, None)
                continue
            self._gap(entry)
            if row is None or entry.position < row.position:
                self.problems.append(
                    _problem("removed", entry, "recorded in the chain but missing from the events")
                )
            else:
                self._count(row)
                self._pair(row, entry)
                row = next(rows, None)
            self._anchor(entry)
            self.previous = entry
            self.recent.append(entry)
            self.entries_seen += 1
            entry = next(entries, None)
        self._finish()

    def _count(self, row: StoredRow) -> None:
        self.checked += 1
        if isinstance(row.topic, str):
            self.streams.setdefault(row.stream_id, row.topic)

    def _gap(self, entry: ChainEntry) -> None:
        expected = 1 if self.previous is None else self.previous.position + 1
        if self.contiguous and entry.position > expected:
            self.problems.append(
                Tampering(
                    "removed",
                    expected,
                    "",
                    None,
                    f"positions {expected} to {entry.position - 1} are missing from both the "
                    "events and the chain, and this store never leaves gaps",
                )
            )

    def _pair(self, row: StoredRow, entry: ChainEntry) -> None:
        previous_hash = self.previous.chain_hash if self.previous else GENESIS
        if row.digest() != entry.event_hash:
            moved = (row.stream_id, row.version) != (entry.stream_id, entry.version)
            problem = _problem(
                "edited",
                entry,
                f"another event ({row.stream_id} v{row.version}) now sits where it was"
                if moved
                else "its stored bytes differ from those hashed when it was stored",
            )
            self.mismatched.append(problem)
            self.problems.append(problem)
        elif link(previous_hash, entry.event_hash) != entry.chain_hash:
            self.problems.append(self._broken_link(entry))

    def _broken_link(self, entry: ChainEntry) -> Tampering:
        """The link from the previous entry fails: does it hold from an earlier one?"""
        recent = list(self.recent)  # the last one is the previous entry
        bases = [(recent[i].chain_hash, i) for i in range(len(recent) - 2, -1, -1)]
        if self.entries_seen == len(recent):
            bases.append((GENESIS, -1))
        for base, index in bases:
            if link(base, entry.event_hash) == entry.chain_hash:
                since = recent[index].position if index >= 0 else 0
                return _problem(
                    "inserted",
                    recent[index + 1],
                    f"inserted with a forged chain entry: the chain runs from position {since} "
                    f"straight to {entry.position}",
                )
        if self.previous is not None and entry.position > self.previous.position + 1:
            return _problem(
                "removed",
                entry,
                "the chain breaks just before this event: an event recorded before it was "
                "removed together with its chain entry",
            )
        return _problem(
            "edited",
            entry,
            "the chain breaks at this event: it was edited and its hash recomputed, or the "
            "chain table was edited",
        )

    def _anchor(self, entry: ChainEntry) -> None:
        anchor = self.anchor
        if anchor is None or self.anchor_seen or entry.position < anchor.position:
            return
        self.anchor_seen = True
        if entry.position > anchor.position:
            self.problems.append(
                Tampering(
                    "removed",
                    anchor.position,
                    "",
                    None,
                    "the anchored head's event and chain entry are missing",
                )
            )
        elif entry.chain_hash.hex() != anchor.hash:
            self.problems.append(
                _problem(
                    "rewritten",
                    entry,
                    "the chain hash here differs from the anchored head: the chain was "
                    "recomputed over history changed at or before this position",
                )
            )

    def _finish(self) -> None:
        anchor = self.anchor
        if anchor is None or self.anchor_seen:
            return
        if anchor.position == 0:
            if anchor.hash != GENESIS.hex():
                self.problems.append(
                    Tampering("rewritten", 0, "", None, "the anchor is no chain's empty head")
                )
            return
        last = self.previous.position if self.previous else 0
        self.problems.append(
            Tampering(
                "truncated",
                last + 1,
                "",
                None,
                f"the chain ends at position {last}, before the anchored head at "
                f"{anchor.position}: the newest events were removed with their chain entries",
            )
        )


def _diagnose(recorder: ChainedRecorder, walk: _Walk) -> None:
    """Is an 'edited' event in fact one recorded elsewhere (moved), or its payload (swapped)?"""
    targets = {problem.position: problem for problem in walk.mismatched[:_DIAGNOSED]}
    if not targets:
        return
    with recorder.chain_snapshot() as (rows, entries):
        suspects = {row.position: row for row in rows if row.position in targets}
    with recorder.chain_snapshot() as (rows, entries):
        found = _relocations(_pairs(rows, entries), suspects, targets)
    walk.problems = [
        found[p.position] if p.position in found and p in walk.mismatched else p
        for p in walk.problems
    ]


def _relocations(
    pairs: Iterator[tuple[StoredRow, ChainEntry]],
    suspects: dict[int, StoredRow],
    targets: dict[int, Tampering],
) -> dict[int, Tampering]:
    """For each suspect row, the position whose recorded hash it (or its payload) matches."""
    found: dict[int, Tampering] = {}
    for row, entry in pairs:
        for position, suspect in suspects.items():
            if position == row.position or position in found:
                continue
            whole = event_hash(
                entry.position, suspect.stream_id, suspect.version, suspect.topic, suspect.state
            )
            payload = event_hash(
                entry.position, row.stream_id, row.version, row.topic, suspect.state
            )
            if entry.event_hash in (whole, payload):
                what = "the event" if entry.event_hash == whole else "the payload"
                found[position] = attrs.evolve(
                    targets[position],
                    kind="reordered",
                    detail=f"{what} now at position {position} was recorded at position "
                    f"{entry.position} ({entry.stream_id} v{entry.version})",
                )
    return found


def _pairs(
    rows: Iterator[StoredRow], entries: Iterator[ChainEntry]
) -> Iterator[tuple[StoredRow, ChainEntry]]:
    row, entry = next(rows, None), next(entries, None)
    while row is not None and entry is not None:
        if row.position == entry.position:
            yield row, entry
            row, entry = next(rows, None), next(entries, None)
        elif row.position < entry.position:
            row = next(rows, None)
        else:
            entry = next(entries, None)


@functools.cache
def event_streams() -> dict[str, tuple[str, Decider[Any]]]:
    """Each stored event name with the kind of stream it belongs to and that stream's decider."""
    return {
        event.name: (decider.stream, decider) for decider in STREAMS for event in decider.events
    }


def _check_snapshots(store: _Store, streams: dict[str, str], walk: _Walk) -> int:
    """Each snapshot must equal the fold of its stream's events up to its version."""
    if store.app.snapshots is None:
        return 0
    deciders = event_streams()
    checked = 0
    for stream_text, topic in streams.items():
        if topic not in deciders:
            continue
        try:
            stream_id = UUID(stream_text)
        except ValueError:
            continue
        decider = deciders[topic][1]
        snapshots = list(store.app.snapshots.get(stream_id))  # before the events (see below)
        if not snapshots:
            continue
        try:
            events = store.read(stream_id, upto=snapshots[-1].originator_version)
        except ExecutionError:
            continue  # an undecodable event: the chain walk already reports it
        state = decider.initial
        by_version = {snapshot.originator_version: snapshot for snapshot in snapshots}
        for event in events:
            try:
                state = decider.evolve(state, event)
            except (KeyError, TypeError, ValueError, AttributeError):
                break  # not a sequence the domain produces: left to the chain walk and import
            snapshot = by_version.get(event.version)
            if snapshot is None:
                continue
            checked += 1
            try:
                same = decode_state(snapshot.state, type(decider.initial)) == state
            except ExecutionError:
                same = False
            if not same:
                walk.problems.append(
                    Tampering(
                        "edited",
                        0,
                        stream_text,
                        event.version,
                        "the snapshot differs from the fold of the stream's events: loads "
                        "would start from a forged state",
                        record="snapshot",
                    )
                )
    return checked


def verify(
    store: _Store, *, anchor: ChainHead | None = None, snapshots: bool = True
) -> AuditReport:
    """Check every stored event against the chain (and, with ``anchor``, the chain against a
    head kept elsewhere; with ``snapshots``, every snapshot against its stream's events)."""
    recorder = _recorder(store)
    walk = _Walk(recorder.contiguous, anchor)
    with recorder.chain_snapshot() as (rows, entries):
        walk.run(rows, entries)
    _diagnose(recorder, walk)
    # Snapshots are read before their streams' events, and a snapshot is written after its
    # events commit, so a concurrent writer cannot make a sound snapshot look forged.
    snapshots_checked = _check_snapshots(store, walk.streams, walk) if snapshots else 0
    current = walk.previous
    chain_head = (
        ChainHead(current.position, current.chain_hash.hex())
        if current
        else ChainHead(0, GENESIS.hex())
    )
    first = min(walk.problems, key=_order) if walk.problems else None
    return AuditReport(
        ok=not walk.problems,
        events_checked=walk.checked,
        head=chain_head,
        first=first,
        problems=len(walk.problems),
        snapshots_checked=snapshots_checked,
    )


def _order(problem: Tampering) -> tuple[int, int]:
    return (1 if problem.record == "snapshot" else 0, problem.position)
