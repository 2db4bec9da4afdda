"""The ports the service layer talks through; adapters implement them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

import attrs

from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.event import Event

__all__ = ["GENESIS_HASH", "ChainHead", "EventStore", "FinalState", "Recorded"]

S = TypeVar("S")


@attrs.frozen
class Recorded:
    """An event with its position in the store's total order (its notification id)."""

    position: int
    event: Event


GENESIS_HASH = "0" * 64
"""The chain hash of an empty store (32 zero bytes, in hex)."""


@attrs.frozen
class ChainHead:
    """The newest chain hash and its position: export it, keep it elsewhere, verify against it.

    ``position`` 0 with :data:`GENESIS_HASH` is the head of an empty store.
    """

    position: int
    hash: str

    def to_json(self) -> str:
        """``{"hash": "<64 hex digits>", "position": n}`` (canonical: sorted keys, no spaces)."""
        return json.dumps(attrs.asdict(self), sort_keys=True, separators=(",", ":"))

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
class FinalState:
    """A stream's state after the last event of an import, for the store to snapshot."""

    stream_id: UUID
    decider: Decider[Any]
    state: Any


class EventStore(Protocol):
    """Where events live: append with optimistic concurrency, read back, follow in order.

    ``append`` raises :class:`~execution_core.errors.ConcurrentChange` when another writer took
    one of the versions first, and then stores none of the events.
    """

    def now(self) -> datetime:
        """The store's clock: the ``recorded_at`` of the events appended next (aware UTC)."""
        ...

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The current state of a stream (from a snapshot and/or cache where it can)."""
        ...

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """The guard against stale reads: within the block, loads of these streams may return
        cached states without asking the database, and the write that follows commits only if
        none of them changed meanwhile (else ``ConcurrentChange``, nothing stored). Yields
        whether any cached state was assumed current, so the caller can redo a decision that
        refused or recorded nothing on fresh reads. A store that checks every load yields
        False."""
        ...

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Store the events of one decision atomically; ``state`` is the state they lead to."""
        ...

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """Store the events and their receipt in one transaction; a receipt already stored
        under the same key is a ``ConcurrentChange`` too (then nothing is stored)."""
        ...

    def receipt(self, key: str) -> Receipt | None:
        """The receipt stored under an idempotency key, if any."""
        ...

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events with ``after < version <= upto``, in order."""
        ...

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """Every event of the store in the order it was recorded, from ``position > after``."""
        ...

    def last_position(self) -> int:
        """The position of the newest event (0 for an empty store)."""
        ...

    def chain_head(self) -> ChainHead:
        """The position and chain hash of the newest chained record (``ChainHead(0,
        GENESIS_HASH)`` for an empty store): kept elsewhere, it exposes a rewritten or
        truncated history."""
        ...

    def import_history(self, events: Sequence[Event], finals: Iterable[FinalState]) -> None:
        """Store an already validated history into an empty store, all or nothing, then
        snapshot the final states as the store's own snapshot interval would have. Raises
        ``ConcurrentChange`` (nothing stored) when the store is not empty or another writer
        stored events meanwhile."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...
