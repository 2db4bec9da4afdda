"""The hash chain's format: what is hashed, how links follow, what one chain row holds.

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

The recorders (:mod:`.recorders`) write it; the verifier (:mod:`.chain_verify`) walks it. The
newest chain hash, a :class:`~execution_core.ports.ChainHead`, exported and kept elsewhere, also
exposes a rewritten or truncated chain (see docs/audit.md, "Tamper evidence").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from execution_core.errors import ExecutionError
from execution_core.ports import GENESIS_HASH, ChainHead
from execution_core_adapters.storage.codec import dumps, json_string, uuid_text

__all__ = [
    "CHAIN_TABLE",
    "GENESIS",
    "ChainBroken",
    "ChainEntry",
    "ChainRow",
    "ChainHead",
    "StoredRow",
    "chain_entries",
    "chain_entry",
    "chain_row",
    "check_head",
    "event_hash",
    "head_of",
    "link",
    "state_bytes",
    "stream_text",
]

CHAIN_TABLE = "event_chain"
"""The side table of the chain (in the store's SQLite file or PostgreSQL schema)."""

GENESIS = bytes.fromhex(GENESIS_HASH)
"""The chain hash before the first event (32 zero bytes)."""


class ChainBroken(ExecutionError):
    """A write found the chain inconsistent with the events (rows removed out of band)."""


def _scalar(value: object) -> object:
    """A column value as the header carries it (anything unexpected stays visibly different)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return repr(value)
    return value


def state_bytes(value: object) -> bytes:
    """A stored state column as the bytes the chain hashes (anything odd by its repr)."""
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
    if type(position) is int and type(version) is int and type(stream_id) is type(topic) is str:
        # what ``dumps`` writes for these (every row the store writes), spelled directly
        header = f"[{position},{json_string(stream_id)},{version},{json_string(topic)}]".encode()
    else:
        header = dumps([position, stream_id, _scalar(version), _scalar(topic)])
    return hashlib.sha256(header + b"\n" + state).digest()


def link(previous: bytes, digest: bytes) -> bytes:
    """The chain hash that follows ``previous`` for an event whose hash is ``digest``."""
    return hashlib.sha256(previous + digest).digest()


def stream_text(value: object) -> str:
    """A stream id as the chain hashes it: ``str(UUID)``, lower case with hyphens."""
    return uuid_text(value) if type(value) is UUID else str(value)


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


ChainRow = tuple[int, str, int, bytes, bytes]
"""A chain entry's fields in order, as a plain tuple: a tuple of atomic values is one the cycle
collector stops tracking, so a store in memory keeps its chain as rows."""


def chain_row(previous: bytes, position: int, stream: str, event: StoredEvent) -> ChainRow:
    """The fields of the chain entry of an event stored at ``position``, following chain hash
    ``previous``."""
    version = event.originator_version
    digest = event_hash(position, stream, version, event.topic, event.state)
    return position, stream, version, digest, link(previous, digest)


def chain_entry(previous: bytes, position: int, stream: str, event: StoredEvent) -> ChainEntry:
    """The chain entry of an event stored at ``position``, following chain hash ``previous``."""
    return ChainEntry(*chain_row(previous, position, stream, event))


def chain_entries(previous: bytes, stored: Iterable[tuple[int, StoredEvent]]) -> list[ChainEntry]:
    entries = []
    for position, event in sorted(stored, key=lambda pair: pair[0]):
        entries.append(chain_entry(previous, position, stream_text(event.originator_id), event))
        previous = entries[-1].chain_hash
    return entries


def check_head(head_position: int | None, positions: Sequence[int]) -> None:
    if head_position is not None and positions and min(positions) <= head_position:
        raise ChainBroken(
            f"new events got position {min(positions)}, but the chain already reaches "
            f"{head_position}: events were removed from the store out of band; nothing was "
            "stored (run `execution-core audit verify`)"
        )


# -- the recorders -----------------------------------------------------------------------------


def head_of(entry: ChainEntry | None) -> ChainHead:
    """The chain head an entry makes (the empty store's head for None)."""
    if entry is None:
        return ChainHead(0, GENESIS.hex())
    return ChainHead(entry.position, entry.chain_hash.hex())
