"""The event store on eventsourcing: in-memory, a SQLite file (the default) or PostgreSQL.

One entry point, :func:`open_store`, takes a URL. Events are stored by stable name with canonical
JSON (see :mod:`adapters.codec`), appended with optimistic concurrency per stream, followed in
order through eventsourcing's notification log, and snapshotted when a stream grows long.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper, StoredEvent

from adapters.chain import AuditReport, ChainHead, chained_recorder
from adapters.codec import decode_event, decode_state, encode_event, encode_state
from execution_core.clock import Clock
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, InvalidInput, NotFound
from execution_core.event import Event
from execution_core.ports import Recorded

__all__ = ["ExecutionStore", "open_store", "store_env"]

S = TypeVar("S")

SNAPSHOT_TOPIC = "snapshot/"
APPLICATION_NAME = "ExecutionCore"


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
        return decode_event(stored_event.topic, stream_id, stored_event.originator_version, data)


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class _Application(Application[UUID]):
    name = APPLICATION_NAME

    def construct_mapper(self) -> Mapper[UUID]:
        return _EventMapper(
            transcoder=self.factory.transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def construct_recorder(self) -> ApplicationRecorder:
        """eventsourcing's recorder for the backend, keeping the hash chain (adapters.chain)."""
        return chained_recorder(self.factory)


def store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for a store URL.

    ``memory://``; ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or a plain path;
    ``postgresql://user:password@host:port/dbname?schema=s&pool_size=5&connect_timeout=5``.
    """
    env: dict[str, str] = {"IS_SNAPSHOTTING_ENABLED": "y"}
    if url in ("memory://", "memory", ":memory:"):
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
        return env
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        env["POSTGRES_DBNAME"] = unquote(parts.path.lstrip("/")) or "postgres"
        env["POSTGRES_HOST"] = parts.hostname or "127.0.0.1"
        env["POSTGRES_PORT"] = str(parts.port or 5432)
        env["POSTGRES_USER"] = unquote(parts.username or "postgres")
        env["POSTGRES_PASSWORD"] = unquote(parts.password or "")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        known = {
            "schema": "POSTGRES_SCHEMA",
            "pool_size": "POSTGRES_POOL_SIZE",
            "max_overflow": "POSTGRES_MAX_OVERFLOW",
            "connect_timeout": "POSTGRES_CONNECT_TIMEOUT",
            "lock_timeout": "POSTGRES_LOCK_TIMEOUT",
            "idle_in_transaction_session_timeout": ("POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT"),
        }
        for key, value in options.items():
            if key not in known:
                raise InvalidInput(f"unknown PostgreSQL option {key!r}; known: {sorted(known)}")
            env[known[key]] = value
        return env
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
        self.app = _Application(env=dict(env))
        self._clock = _MonotonicClock(clock or _wall_clock)
        self._snapshot_interval = snapshot_interval
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # -- the port ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The store's clock reading (aware UTC, never earlier than the previous reading)."""
        return self._clock()

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The current state: from the cache or newest snapshot, fast-forwarded by new events."""
        with self._lock:
            state = self._cache.get(stream_id)
        if state is None or type(state) is not type(decider.initial):
            state = self._from_snapshot(stream_id, decider)
        version: int = getattr(state, "version")  # noqa: B009 - every state counts its version
        newer = cast(list[Event], list(self.app.events.get(stream_id, gt=version or None)))
        if newer and version == 0 and newer[0].name.split(".")[0] != decider.stream:
            raise NotFound(
                f"{stream_id} is a {newer[0].name.split('.')[0]} stream, not a {decider.stream}"
            )
        state = decider.fold(newer, state)
        self._remember(stream_id, state)
        return state

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Store one decision's events atomically; a version already taken is a conflict."""
        if not events:
            return
        try:
            self.app.events.put(cast(Any, list(events)))
        except IntegrityError:
            with self._lock:
                self._cache.pop(events[0].stream_id, None)
            raise ConcurrentChange(
                f"stream {events[0].stream_id} changed since it was read (version "
                f"{events[0].version - 1}); re-read and retry"
            ) from None
        self._remember(events[0].stream_id, state)
        self._maybe_snapshot(events, decider, state)

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events with ``after < version <= upto``."""
        return cast(
            list[Event],
            list(self.app.events.get(stream_id, gt=after or None, lte=upto)),
        )

    def read_all(
        self, *, after: int = 0, limit: int | None = None, page: int = 1000
    ) -> Iterator[Recorded]:
        """Every event in recorded order, from ``position > after`` (positions may have gaps)."""
        remaining = limit
        position = after
        while remaining is None or remaining > 0:
            size = page if remaining is None else min(page, remaining)
            notifications = self.app.recorder.select_notifications(
                start=position, limit=size, inclusive_of_start=False
            )
            if not notifications:
                return
            for notification in notifications:
                event = cast(Event, self.app.mapper.to_domain_event(notification))
                yield Recorded(notification.id, event)
            position = notifications[-1].id
            if remaining is not None:
                remaining -= len(notifications)
            if len(notifications) < size:
                return

    def last_position(self) -> int:
        """The position of the newest event (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0

    def verify(self, anchor: ChainHead | None = None) -> AuditReport:
        """Check the stored events against their hash chain (see :func:`adapters.chain.verify`)."""
        from adapters.chain import verify

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
            self.app.snapshots.put(cast(Any, [snapshot]))

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
    """Open the store a URL names, creating its tables; ``env`` adds eventsourcing settings."""
    settings = store_env(url)
    if env:
        settings.update(env)
    return ExecutionStore(
        settings,
        clock=clock,
        snapshot_interval=snapshot_interval,
        cache_size=cache_size,
    )
