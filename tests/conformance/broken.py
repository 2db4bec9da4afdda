"""Stores with one planted bug each, to show that the contract catches it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from execution_core.command import Receipt
from execution_core.decider import Decider
from execution_core.event import Event
from execution_core.ports import ChainHead, EventStore, FinalState, Recorded

__all__ = ["DroppingStore", "ReorderingStore", "Wrapper"]

S = TypeVar("S")


class Wrapper:
    """A store that passes every call to the store it wraps (what the broken ones change)."""

    def __init__(self, inner: EventStore) -> None:
        self.inner = inner

    def now(self) -> datetime:
        """The wrapped store's clock."""
        return self.inner.now()

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The wrapped store's state."""
        return self.inner.load(stream_id, decider)

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """The wrapped store's guard."""
        return self.inner.reading(stream_ids)

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Appended by the wrapped store."""
        self.inner.append(events, decider, state)

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """Appended with the receipt by the wrapped store."""
        self.inner.append_once(events, decider, state, receipt)

    def receipt(self, key: str) -> Receipt | None:
        """The wrapped store's receipt."""
        return self.inner.receipt(key)

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """The wrapped store's events."""
        return self.inner.read(stream_id, after=after, upto=upto)

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """The wrapped store's total order."""
        return self.inner.read_all(after=after, limit=limit)

    def last_position(self) -> int:
        """The wrapped store's newest position."""
        return self.inner.last_position()

    def chain_head(self) -> ChainHead:
        """The wrapped store's chain head."""
        return self.inner.chain_head()

    def import_history(self, events: Sequence[Event], finals: Iterable[FinalState]) -> None:
        """Imported by the wrapped store."""
        self.inner.import_history(events, finals)

    def close(self) -> None:
        """Closes the wrapped store."""
        self.inner.close()


class DroppingStore(Wrapper):
    """Planted bug: of an append of several events, the last one is silently not stored."""

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Stores all the events but the last of a multi-event append."""
        super().append(events[:-1] if len(events) > 1 else events, decider, state)

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """Stores all the events but the last of a multi-event append, and the receipt."""
        super().append_once(events[:-1] if len(events) > 1 else events, decider, state, receipt)


class ReorderingStore(Wrapper):
    """Planted bug: ``read_all`` gives the first two events it yields in swapped order."""

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """The wrapped store's order with its first two events swapped."""
        recorded = list(super().read_all(after=after, limit=limit))
        if len(recorded) >= 2:
            recorded[0], recorded[1] = recorded[1], recorded[0]
        return iter(recorded)
