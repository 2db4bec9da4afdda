"""What a row of the events table is: an event, a snapshot or an idempotency receipt.

eventsourcing keeps all three in one table; the topic tells them apart, here and nowhere else.
Events are stored by stable name (never ``module:qualname``) with canonical JSON (see
:mod:`.codec`); a snapshot's topic names its stream kind, the version of the state it holds and
the fingerprint of that state's class, so a snapshot of a changed state class is never read
back into the new one (see :func:`state_fingerprint`).
"""

from __future__ import annotations

import enum
import hashlib
import json
import typing
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID, uuid5

import attrs
from eventsourcing.persistence import Mapper, StoredEvent

from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.event import Event
from execution_core.ids import NAMESPACE
from execution_core.privacy import PERSONAL
from execution_core_adapters.storage.codec import (
    CodecError,
    decode_event,
    dumps,
    encode_event,
    load_payload,
    read_payload,
    stored_payload,
)
from execution_core_adapters.storage.sealing import SEALED_BY, Sealer

__all__ = [
    "RECEIPT_TOPIC",
    "SNAPSHOT_TOPIC",
    "EventMapper",
    "ReceiptRecord",
    "Sealing",
    "Snapshot",
    "receipt_stream_id",
    "state_fingerprint",
    "state_version",
]

SNAPSHOT_TOPIC = "snapshot/"
"""The topic prefix of snapshots: ``snapshot/<stream kind>/<state version>/<fingerprint>``."""
RECEIPT_TOPIC = "idempotency/receipt"
"""The topic of the receipts kept in the events table (see ``ExecutionStore.append_once``)."""


def receipt_stream_id(key: str) -> UUID:
    """The one-event stream that holds the receipt of an idempotency key."""
    return uuid5(NAMESPACE, f"idempotency/{key}")


@dataclass(frozen=True)
class ReceiptRecord:
    """A receipt as stored: version 1 of its own stream, so a second writer of the key fails."""

    originator_id: UUID
    originator_version: int
    receipt: Receipt

    def encode(self) -> bytes:
        """The receipt's canonical JSON."""
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
    def decode(cls, stream_id: UUID, version: int, data: bytes) -> ReceiptRecord:
        """A receipt record from its stored bytes."""
        fields = json.loads(data)
        fields["stream_id"] = UUID(fields["stream_id"])
        return cls(stream_id, version, Receipt(**fields))


@dataclass(frozen=True)
class Sealing:
    """An event to store with its personal fields sealed with ``person``'s key."""

    event: Event
    person: str


@dataclass(frozen=True)
class Snapshot:
    """A stream state stored beside the events so long streams load fast.

    ``state_version`` and ``fingerprint`` say which state class wrote it: None and "" for a
    snapshot written before snapshots carried them (never read back)."""

    originator_id: UUID
    originator_version: int
    stream: str
    state: bytes
    state_version: int | None = None
    fingerprint: str = ""

    def fits(self, decider: Decider[Any]) -> bool:
        """Whether this snapshot holds the decider's current state class."""
        return self.state_version == state_version(decider) and self.fingerprint == (
            state_fingerprint(type(decider.initial))
        )

    @property
    def topic(self) -> str:
        """The stored topic."""
        if self.state_version is None:
            return SNAPSHOT_TOPIC + self.stream
        return f"{SNAPSHOT_TOPIC}{self.stream}/{self.state_version}/{self.fingerprint}"

    @classmethod
    def of(cls, stream_id: UUID, decider: Decider[Any], state: Any, data: bytes) -> Snapshot:
        """The snapshot of a state the decider folded (its bytes already encoded)."""
        version: int = state.version
        return cls(
            stream_id,
            version,
            decider.stream,
            data,
            state_version(decider),
            state_fingerprint(type(decider.initial)),
        )

    @classmethod
    def parse(cls, stream_id: UUID, version: int, topic: str, data: bytes) -> Snapshot:
        """A snapshot from its stored topic and bytes."""
        parts = topic[len(SNAPSHOT_TOPIC) :].split("/")
        if len(parts) == 3 and parts[1].isdigit():
            return cls(stream_id, version, parts[0], data, int(parts[1]), parts[2])
        return cls(stream_id, version, parts[0], data)


def state_version(decider: Decider[Any]) -> int:
    """The version of the state a decider folds (1 until its stream says otherwise)."""
    return int(getattr(decider, "state_version", 1))


_FINGERPRINTS: dict[type, str] = {}


def state_fingerprint(cls: type) -> str:
    """A structural hash of a state class: its attrs fields' names and type annotations,
    recursively through the attrs classes (and the members of the enums) they contain. A field
    added, removed, renamed or retyped changes it, so old snapshots are not misread."""
    fingerprint = _FINGERPRINTS.get(cls)
    if fingerprint is None:
        fingerprint = hashlib.sha256(_shape(cls, set()).encode()).hexdigest()[:16]
        _FINGERPRINTS[cls] = fingerprint
    return fingerprint


def _shape(cls: type, seen: set[type]) -> str:
    if cls in seen:
        return cls.__qualname__
    seen.add(cls)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        return f"{cls.__qualname__}<{','.join(str(m.value) for m in cls)}>"
    if not attrs.has(cls):
        return getattr(cls, "__qualname__", repr(cls))
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        hints = {}
    parts = []
    for field in attrs.fields(cls):
        kind = hints.get(field.name, field.type)
        nested = [_shape(inner, seen) for inner in _classes(kind)]
        parts.append(f"{field.name}:{kind!r}[{';'.join(nested)}]")
    return f"{cls.__qualname__}{{{','.join(parts)}}}"


def _classes(kind: Any) -> list[type]:
    """The attrs classes and enums a type annotation names, at any depth."""
    found: list[type] = []
    if isinstance(kind, type) and (attrs.has(kind) or issubclass(kind, enum.Enum)):
        found.append(kind)
    for argument in typing.get_args(kind):
        found.extend(_classes(argument))
    return found


class EventMapper(Mapper[UUID]):
    """Maps core events by stable name, snapshots by stream kind and state version, receipts by
    their one topic; with a :class:`.sealing.Sealer`, seals and opens personal fields."""

    sealer: Sealer | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """The stored form of an event, a snapshot or a receipt record."""
        if isinstance(domain_event, Sealing):
            return self.stored_event(domain_event.event, domain_event.person)
        if isinstance(domain_event, Snapshot):
            topic, data = domain_event.topic, domain_event.state
            stream_id, version = domain_event.originator_id, domain_event.originator_version
        elif isinstance(domain_event, ReceiptRecord):
            topic, data = RECEIPT_TOPIC, domain_event.encode()
            stream_id, version = domain_event.originator_id, domain_event.originator_version
        else:
            return self.stored_event(cast(Event, domain_event), None)
        return self._stored(stream_id, version, topic, data)

    def stored_event(self, event: Event, person: str | None) -> StoredEvent:
        """The stored form of an event, its personal fields sealed with ``person``'s key (the
        store's write path: no :class:`Sealing` made only to be taken apart)."""
        stream_id, version = event.stream_id, event.version
        if person is None or self.sealer is None:
            topic, data = encode_event(event)
        else:
            topic = type(event).name
            payload = self.sealer.seal(topic, stored_payload(event), person, stream_id, version)
            data = dumps(payload)
        return self._stored(stream_id, version, topic, data)

    def _stored(self, stream_id: UUID, version: int, topic: str, data: bytes) -> StoredEvent:
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(stream_id, version, topic, data)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """An event, a snapshot or a receipt record from its stored form."""
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        ident = stored_event.originator_id
        stream_id = ident if isinstance(ident, UUID) else UUID(ident)
        topic = stored_event.topic
        if topic.startswith(SNAPSHOT_TOPIC):
            return Snapshot.parse(stream_id, stored_event.originator_version, topic, data)
        if topic == RECEIPT_TOPIC:
            return ReceiptRecord.decode(stream_id, stored_event.originator_version, data)
        version = stored_event.originator_version
        if topic in PERSONAL:
            payload = load_payload(topic, stream_id, version, data)
            if SEALED_BY in payload and self.sealer is not None:
                try:
                    payload = self.sealer.unseal(topic, payload, stream_id, version)
                except ValueError as error:
                    raise CodecError(f"{topic} v{version} of {stream_id}: {error}") from None
            return read_payload(topic, stream_id, version, payload)
        return decode_event(topic, stream_id, version, data)
