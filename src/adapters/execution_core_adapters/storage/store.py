"""The event store on eventsourcing: in-memory, a SQLite file (the default) or PostgreSQL.

One entry point, :func:`open_store`, takes a URL. Events are stored by stable name with canonical
JSON (see :mod:`.codec`), appended with optimistic concurrency per stream, followed in
order through eventsourcing's notification log, and snapshotted when a stream grows long.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, unquote, urlsplit
from uuid import UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    DatabaseError,
    IntegrityError,
    InterfaceError,
    Mapper,
    OperationalError,
    StoredEvent,
)
from eventsourcing.utils import Environment, EnvType

from execution_core.clock import Clock
from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, InvalidInput, NotFound, StoreUnavailable
from execution_core.event import Event
from execution_core.ids import NAMESPACE
from execution_core.ports import Recorded
from execution_core_adapters.storage.chain import (
    AuditReport,
    ChainedPOPORecorder,
    ChainHead,
    ReadOutdated,
    chained_recorder,
)
from execution_core_adapters.storage.codec import (
    decode_event,
    decode_state,
    encode_event,
    encode_state,
)

__all__ = [
    "POSTGRES_OPTIONS",
    "RECEIPT_TOPIC",
    "ExecutionStore",
    "PostgresOption",
    "open_store",
    "receipt_stream_id",
    "store_env",
]

S = TypeVar("S")

SNAPSHOT_TOPIC = "snapshot/"
RECEIPT_TOPIC = "idempotency/receipt"
"""The topic of the receipts kept in the events table (see :meth:`ExecutionStore.append_once`)."""
APPLICATION_NAME = "ExecutionCore"


def receipt_stream_id(key: str) -> UUID:
    """The one-event stream that holds the receipt of an idempotency key."""
    return uuid5(NAMESPACE, f"idempotency/{key}")


@dataclass(frozen=True)
class _ReceiptRecord:
    """A receipt as stored: version 1 of its own stream, so a second writer of the key fails."""

    originator_id: UUID
    originator_version: int
    receipt: Receipt

    def encode(self) -> bytes:
        r = self.receipt
        return json.dumps(
            {
                "fingerprint": r.fingerprint,
                "first_version": r.first_version,
                "key": r.key,
                "last_version": r.last_version,
                "stream": r.stream,
                "stream_id": str(r.stream_id),
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, stream_id: UUID, version: int, data: bytes) -> _ReceiptRecord:
        fields = json.loads(data)
        fields["stream_id"] = UUID(fields["stream_id"])
        return cls(stream_id, version, Receipt(**fields))


@dataclass(frozen=True)
class _Snapshot:
    """A stream state stored beside the events so long streams load fast."""

    originator_id: UUID
    originator_version: int
    stream: str
    state: bytes


class _EventMapper(Mapper[UUID]):
    """Maps core events by stable name (never ``module:qualname``) and snapshots by stream."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, _Snapshot):
            topic, data = SNAPSHOT_TOPIC + domain_event.stream, domain_event.state
            stream_id, version = (
                domain_event.originator_id,
                domain_event.originator_version,
            )
        elif isinstance(domain_event, _ReceiptRecord):
            topic, data = RECEIPT_TOPIC, domain_event.encode()
            stream_id, version = domain_event.originator_id, domain_event.originator_version
        else:
            event = cast(Event, domain_event)
            topic, data = encode_event(event)
            stream_id, version = event.stream_id, event.version
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=stream_id, originator_version=version, topic=topic, state=data
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        stream_id = _uuid(stored_event.originator_id)
        if stored_event.topic.startswith(SNAPSHOT_TOPIC):
            return _Snapshot(
                stream_id,
                stored_event.originator_version,
                stored_event.topic[len(SNAPSHOT_TOPIC) :],
                data,
            )
        if stored_event.topic == RECEIPT_TOPIC:
            return _ReceiptRecord.decode(stream_id, stored_event.originator_version, data)
        return decode_event(stored_event.topic, stream_id, stored_event.originator_version, data)


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class _Application(Application[UUID]):
    name = APPLICATION_NAME

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (:func:`store_env` already read the process environment),
        so a stray variable cannot redirect a store opened by URL."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return _EventMapper(
            transcoder=self.factory.transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def construct_recorder(self) -> ApplicationRecorder:
        """eventsourcing's recorder for the backend, keeping the hash chain (``.chain``)."""
        return chained_recorder(self.factory)


@dataclass(frozen=True)
class PostgresOption:
    """One PostgreSQL setting: its URL query name, its environment variable, what it accepts."""

    name: str
    variable: str
    parse: Callable[[str], object]
    accepts: str
    default: str
    meaning: str


def _integer(least: int) -> Callable[[str], object]:
    def parse(text: str) -> object:
        value = int(text)
        if value < least:
            raise ValueError(f"below {least}")
        return value

    return parse


def _positive_number(text: str) -> object:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError("not a positive finite number")
    return value


_TRUE, _FALSE = {"y", "yes", "t", "true", "on", "1"}, {"n", "no", "f", "false", "off", "0"}


def _boolean(text: str) -> object:
    if text.lower() not in _TRUE | _FALSE:
        raise ValueError("not yes/no")
    return text.lower() in _TRUE


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _schema(text: str) -> object:
    """A plain identifier, the whole text (``$`` would let ``public\\n`` through)."""
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError("not a plain identifier (letters, digits, _; at most 63)")
    return text


POSTGRES_OPTIONS: tuple[PostgresOption, ...] = (
    PostgresOption(
        "schema",
        "POSTGRES_SCHEMA",
        _schema,
        "identifier",
        "public",
        "the schema holding the tables; it must exist",
    ),
    PostgresOption(
        "pool_size",
        "POSTGRES_POOL_SIZE",
        _integer(1),
        "integer >= 1",
        "5",
        "connections kept open per store object",
    ),
    PostgresOption(
        "max_overflow",
        "POSTGRES_MAX_OVERFLOW",
        _integer(0),
        "integer >= 0",
        "10",
        "extra connections opened under load, beyond pool_size",
    ),
    PostgresOption(
        "max_waiting",
        "POSTGRES_MAX_WAITING",
        _integer(0),
        "integer >= 0",
        "0",
        "threads allowed to queue for a connection (0: no limit)",
    ),
    PostgresOption(
        "connect_timeout",
        "POSTGRES_CONNECT_TIMEOUT",
        _integer(1),
        "seconds >= 1",
        "30",
        "how long to wait for a connection, new or from the pool",
    ),
    PostgresOption(
        "idle_in_transaction_session_timeout",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
        _integer(0),
        "seconds >= 0",
        "5",
        "the server ends a session idle inside a transaction this long (0: never)",
    ),
    PostgresOption(
        "lock_timeout",
        "POSTGRES_LOCK_TIMEOUT",
        _integer(0),
        "seconds >= 0",
        "0",
        "how long a write waits for the events table's lock (0: no limit)",
    ),
    PostgresOption(
        "conn_max_age",
        "POSTGRES_CONN_MAX_AGE",
        _positive_number,
        "seconds > 0",
        "3600",
        "a pooled connection is replaced after this long",
    ),
    PostgresOption(
        "pre_ping",
        "POSTGRES_PRE_PING",
        _boolean,
        "yes/no",
        "no",
        "check a pooled connection before use (one round trip; survives server restarts)",
    ),
    PostgresOption(
        "create_tables",
        "EXECUTIONCORE_CREATE_TABLE",
        _boolean,
        "yes/no",
        "yes",
        "create the tables on open (no: a DBA created them, see the schema below)",
    ),
)
"""Every PostgreSQL setting a store URL's query or the environment may give."""

_PREFIX = APPLICATION_NAME.upper() + "_"


def _from_environment(environ: Mapping[str, str], variable: str) -> str | None:
    """``EXECUTIONCORE_<VARIABLE>`` or else ``<VARIABLE>``, as eventsourcing looks them up."""
    value = environ.get(_PREFIX + variable)
    return environ.get(variable) if value is None else value


def _postgres_env(url: str, environ: Mapping[str, str]) -> dict[str, str]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"invalid port in store URL {url!r}") from None
    connection = {
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
        "POSTGRES_HOST": parts.hostname or "",
        "POSTGRES_PORT": str(port or ""),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    defaults = {
        "POSTGRES_DBNAME": "postgres",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
    }
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "IS_SNAPSHOTTING_ENABLED": "y"}
    for variable, value in connection.items():
        env[variable] = value or _from_environment(environ, variable) or defaults[variable]
    if not env["POSTGRES_PORT"].isdigit() or not 0 < int(env["POSTGRES_PORT"]) < 65536:
        raise InvalidInput(f"invalid PostgreSQL port {env['POSTGRES_PORT']!r}")
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in query:
            raise InvalidInput(f"PostgreSQL option {key!r} given twice in the store URL")
        query[key] = value
    known = {option.name: option for option in POSTGRES_OPTIONS}
    unknown = sorted(query.keys() - known.keys())
    if unknown:
        raise InvalidInput(f"unknown PostgreSQL option {unknown[0]!r}; known: {sorted(known)}")
    for option in POSTGRES_OPTIONS:
        given = query.get(option.name)
        source = f"option {option.name!r} of the store URL"
        if given is None:
            given = _from_environment(environ, option.variable)
            source = f"environment variable {option.variable}"
        if given is None or given == "":
            continue
        try:
            option.parse(given)
        except ValueError as error:
            raise InvalidInput(
                f"invalid {source}: {given!r} ({error}); expected {option.accepts}"
            ) from None
        env[option.variable] = given
    return env


def store_env(url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The eventsourcing environment for a store URL.

    ``memory://``; ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or a plain path;
    ``postgresql://user:password@host:port/dbname?schema=s&pool_size=5&connect_timeout=5``:
    what the URL leaves out comes from the environment (``environ``, by default the process
    environment: ``POSTGRES_HOST``, ``POSTGRES_PASSWORD``, ``POSTGRES_POOL_SIZE``... see
    :data:`POSTGRES_OPTIONS`), then the defaults. An invalid value raises ``InvalidInput``.
    """
    env: dict[str, str] = {"IS_SNAPSHOTTING_ENABLED": "y"}
    if url in ("memory://", "memory", ":memory:"):
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
        return env
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres_env(url, os.environ if environ is None else environ)
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parts.path
    elif parts.scheme in ("", "file"):
        path = parts.path if parts.scheme == "file" else url
    else:
        raise InvalidInput(
            f"unsupported store URL {url!r}: use memory://, sqlite:///… or postgresql://…"
        )
    if not path:
        raise InvalidInput(f"no file path in store URL {url!r}")
    env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    env["SQLITE_DBNAME"] = str(Path(path))
    env["SQLITE_LOCK_TIMEOUT"] = "10"
    return env


class _MonotonicClock:
    """Never hands out an instant earlier than one it handed out before."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        reading = self._clock()
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


@contextmanager
def _creating_tables(env: Mapping[str, str]) -> Iterator[None]:
    """On PostgreSQL, one process at a time creates (or checks) the tables of a schema: the
    server refuses concurrent ``CREATE OR REPLACE FUNCTION`` ("tuple concurrently updated"),
    which would fail workers started together. A session advisory lock on a side connection
    serialises them; it is released when that connection closes."""
    settings = Environment(APPLICATION_NAME, dict(env))
    if settings.get("PERSISTENCE_MODULE") != "eventsourcing.postgres" or not _boolean(
        settings.get("CREATE_TABLE") or "yes"
    ):
        yield
        return
    import psycopg

    schema = settings.get("POSTGRES_SCHEMA") or "public"
    lock = int.from_bytes(uuid5(NAMESPACE, f"create-tables/{schema}").bytes[:8], signed=True)
    try:
        connection = psycopg.connect(
            dbname=settings.get("POSTGRES_DBNAME"),
            host=settings.get("POSTGRES_HOST"),
            port=settings.get("POSTGRES_PORT"),
            user=settings.get("POSTGRES_USER"),
            password=settings.get("POSTGRES_PASSWORD"),
            connect_timeout=int(settings.get("POSTGRES_CONNECT_TIMEOUT") or 30),
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        raise StoreUnavailable(f"the event store cannot be reached: {error}") from error
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (lock,))
        yield


@contextmanager
def _reaching_store(*, recording: bool = False) -> Iterator[None]:
    """Database connection failures as :class:`StoreUnavailable` (after eventsourcing's own
    retries of reads; a write is never retried blindly, see ``.chain``)."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        if recording:
            raise StoreUnavailable(
                "the connection to the event store failed while recording; the transaction "
                "was rolled back unless its commit was already under way (retry with the same "
                f"idempotency key to record at most once): {error}"
            ) from error
        raise StoreUnavailable(f"the event store cannot be reached: {error}") from error


_ASSUMING_NOTHING = nullcontext(False)
"""What :meth:`ExecutionStore.reading` is where every load asks the store (reusable)."""


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
        with _creating_tables(env), _reaching_store():
            self.app = _Application(env=dict(env))
        self._clock = _MonotonicClock(clock or _wall_clock)
        self._snapshot_interval = snapshot_interval
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._deciders: dict[type, Decider[Any]] = {}
        self._fresh = threading.local()
        self._postgres = env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
        recorder = self.app.recorder
        self._memory = recorder if isinstance(recorder, ChainedPOPORecorder) else None

    # -- the port ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock reading (aware UTC, never earlier than the previous reading)."""
        return self._clock()

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The current state: from the cache or newest snapshot, fast-forwarded by new events."""
        with self._lock:
            state = self._cache.get(stream_id)
        if state is not None and type(state) is type(decider.initial):
            if stream_id in getattr(self._fresh, "ids", {}):
                return state  # assumed current: the write checks it (see :meth:`reading`)
            held: int = getattr(state, "version")  # noqa: B009 - every state counts it
            if self._memory is not None and self._memory.newest_version(stream_id) == held:
                return state  # in this process's memory: nothing newer was stored
        self._deciders[type(decider.initial)] = decider
        with _reaching_store():
            if state is None or type(state) is not type(decider.initial):
                state = self._from_snapshot(stream_id, decider)
            version: int = getattr(state, "version")  # noqa: B009 - every state counts it
            newer = cast(list[Event], list(self.app.events.get(stream_id, gt=version or None)))
        if newer and not isinstance(newer[0], Event):
            raise NotFound(f"{stream_id} holds an idempotency receipt, not a {decider.stream}")
        if newer and version == 0 and newer[0].name.split(".")[0] != decider.stream:
            raise NotFound(
                f"{stream_id} is a {newer[0].name.split('.')[0]} stream, not a {decider.stream}"
            )
        state = decider.fold(newer, state)
        self._remember(stream_id, state)
        return state

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """Let one decision use the cached states of these streams without asking the database
        (PostgreSQL): the write that follows commits only if none of them changed meanwhile
        (checked under the events table's lock, in the write's transaction), else it raises
        ``ConcurrentChange`` and stores nothing. Yields whether any cached state was used, so
        the caller can redo a decision that refused or recorded nothing on fresh reads.

        In memory and in SQLite every load checks the store itself, so nothing is assumed."""
        if not self._postgres:
            return _ASSUMING_NOTHING
        return self._assuming(stream_ids)

    @contextmanager
    def _assuming(self, stream_ids: Sequence[UUID]) -> Iterator[bool]:
        assumed: dict[UUID, int] = {}
        with self._lock:
            for stream_id in dict.fromkeys(stream_ids):
                state = self._cache.get(stream_id)
                if state is not None and type(state) in self._deciders:
                    assumed[stream_id] = int(getattr(state, "version", 0))
        self._fresh.ids = assumed
        try:
            yield bool(assumed)
        finally:
            self._fresh.ids = {}

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
        with _reaching_store():
            records = list(self.app.events.get(receipt_stream_id(key), limit=1))
        if not records or not isinstance(records[0], _ReceiptRecord):
            return None
        return records[0].receipt

    def _record(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt | None
    ) -> None:
        if not events:
            return
        batch: list[Any] = list(events)
        if receipt is not None:
            batch.append(_ReceiptRecord(receipt_stream_id(receipt.key), 1, receipt))
        stream_id = events[0].stream_id
        assumed: dict[UUID, int] = getattr(self._fresh, "ids", {})
        guard = {"unchanged": (list(assumed), list(assumed.values()))} if assumed else {}
        try:
            with _reaching_store(recording=True):
                # the recorder itself: ``EventStore.put`` also builds a notification per event,
                # which nothing here reads
                stored = [self.app.mapper.to_stored_event(record) for record in batch]
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
                f"{events[0].version - 1}) {taken}meanwhile; re-read and retry"
            ) from None
        except StoreUnavailable:
            self._forget(stream_id)
            raise
        self._remember(stream_id, state)
        self._maybe_snapshot(events, decider, state)

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events with ``after < version <= upto``."""
        with _reaching_store():
            found = self.app.events.get(stream_id, gt=after or None, lte=upto)
            return [event for event in found if isinstance(event, Event)]

    def read_all(
        self, *, after: int = 0, limit: int | None = None, page: int = 1000
    ) -> Iterator[Recorded]:
        """Every event in recorded order, from ``position > after`` (positions may have gaps;
        the receipts of idempotency keys, stored among the events, are left out)."""
        remaining = limit
        position = after
        while remaining is None or remaining > 0:
            size = page if remaining is None else min(page, remaining)
            with _reaching_store():
                notifications = self.app.recorder.select_notifications(
                    start=position, limit=size, inclusive_of_start=False
                )
            if not notifications:
                return
            for notification in notifications:
                if notification.topic == RECEIPT_TOPIC:
                    continue
                event = cast(Event, self.app.mapper.to_domain_event(notification))
                yield Recorded(notification.id, event)
                if remaining is not None:
                    remaining -= 1
            position = notifications[-1].id
            if len(notifications) < size:
                return

    def last_position(self) -> int:
        """The position of the newest record of the events table (0 when empty); a receipt
        may hold it, so it can be past the last event ``read_all`` yields."""
        with _reaching_store():
            return self.app.recorder.max_notification_id() or 0

    def verify(self, anchor: ChainHead | None = None) -> AuditReport:
        """Check the stored events against their hash chain (see :func:`.chain.verify`)."""
        from execution_core_adapters.storage.chain import verify

        return verify(self, anchor=anchor)

    def close(self) -> None:
        """Close the database connections."""
        self.app.close()

    # -- snapshots and cache -----------------------------------------------------------------

    def _from_snapshot(self, stream_id: UUID, decider: Decider[S]) -> S:
        if self.app.snapshots is None:
            return decider.initial
        snapshots = list(self.app.snapshots.get(stream_id, desc=True, limit=1))
        if not snapshots:
            return decider.initial
        snapshot = cast(_Snapshot, snapshots[0])
        if snapshot.stream != decider.stream:
            raise NotFound(f"{stream_id} is a {snapshot.stream} stream, not a {decider.stream}")
        return decode_state(snapshot.state, type(decider.initial))

    def _maybe_snapshot(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        if self.app.snapshots is None or self._snapshot_interval <= 0:
            return
        first, last = events[0].version, events[-1].version
        if last // self._snapshot_interval > (first - 1) // self._snapshot_interval:
            snapshot = _Snapshot(events[0].stream_id, last, decider.stream, encode_state(state))
            # The events are stored: a snapshot is only a shortcut, taken again later.
            with suppress(IntegrityError, OperationalError, InterfaceError):
                self.app.snapshots.put(cast(Any, [snapshot]))

    def _forget(self, stream_id: UUID) -> None:
        with self._lock:
            self._cache.pop(stream_id, None)

    def _remember(self, stream_id: UUID, state: Any) -> None:
        with self._lock:
            self._cache[stream_id] = state
            self._cache.move_to_end(stream_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def open_store(
    url: str = "sqlite:///execution.db",
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
        raise StoreUnavailable(
            "PostgreSQL support is not installed: pip install 'execution-core[postgres]'"
        ) from error
    except StoreUnavailable as error:
        reason = str(error).removeprefix("the event store cannot be reached: ")
        raise StoreUnavailable(
            f"{_server(settings)} cannot be reached ({reason}); check that the server runs and "
            "the store URL's host, port and user"
        ) from error
    except (DatabaseError, sqlite3.DatabaseError) as error:
        raise _not_usable(settings, error) from error


def _server(settings: Mapping[str, str]) -> str:
    """The server or file a store's settings name, for a message."""
    if settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return (
            f"PostgreSQL at {settings.get('POSTGRES_HOST')}:{settings.get('POSTGRES_PORT')} "
            f"(database {settings.get('POSTGRES_DBNAME')!r}, user "
            f"{settings.get('POSTGRES_USER')!r})"
        )
    return f"the SQLite file {settings.get('SQLITE_DBNAME')}"


def _not_usable(
    settings: Mapping[str, str], error: DatabaseError | sqlite3.DatabaseError
) -> InvalidInput:
    """Why a store that was reached cannot be opened: a missing schema, or not a store."""
    schema = settings.get("POSTGRES_SCHEMA") or "public"
    if settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        if "schema" in str(error) and "does not exist" in str(error):
            return InvalidInput(
                f"schema {schema!r} does not exist in {_server(settings)}: create it "
                f"(CREATE SCHEMA {schema}) or name another with ?schema= in the store URL"
            )
        return InvalidInput(f"{_server(settings)} refused to open the store: {error}")
    return InvalidInput(
        f"{settings.get('SQLITE_DBNAME')} is not an execution-core store ({error}); "
        "nothing was read or written"
    )
