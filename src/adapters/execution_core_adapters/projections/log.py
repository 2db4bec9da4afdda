"""The store's events as the worker reads them: pages through the store's port (``read_all``),
and what the worker needs to know of an event the store cannot decode."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from eventsourcing.persistence import InterfaceError, OperationalError

from execution_core.errors import StoreUnavailable
from execution_core.ports import Recorded
from execution_core_adapters.storage.store import ExecutionStore

__all__ = ["UNREACHABLE", "Ref", "Unreadable", "event_positions", "pages"]

Ref = tuple[int, str, str]
"""An event as a parked row names it: (position, stream id, stored type)."""

UNREACHABLE = (OperationalError, InterfaceError, StoreUnavailable)
"""The errors of an unreachable or busy database: never an event's fault (the caller waits
and tries again)."""


class Unreadable(Exception):
    """A stored event that cannot be decoded: every view of the worker parks on it."""

    def __init__(self, ref: Ref, error: BaseException) -> None:
        super().__init__(str(error))
        self.ref = ref
        self.error = error


def pages(
    store: ExecutionStore, after: int, *, size: int, stop: int | None = None
) -> Iterator[list[Recorded]]:
    """The events after ``after`` (up to ``stop``), ``size`` at a time. An event that cannot be
    decoded ends the pages: the events before it are yielded, then :class:`Unreadable` is
    raised (unless it lies past ``stop``)."""
    recorded = store.read_all(after=after, page=size)
    position = after
    while True:
        page: list[Recorded] = []
        failure: Exception | None = None
        try:
            # extend keeps what the iterator gave before it raised
            page.extend(islice(recorded, size))
        except UNREACHABLE:
            raise
        except Exception as error:  # any failure to decode is the event's: find which one
            failure = error
        if page:
            position = page[-1].position
        end = len(page) < size or failure is not None
        if stop is not None and page and page[-1].position >= stop:
            page = [r for r in page if r.position <= stop]
            end, failure = True, None
        if page:
            yield page
        if failure is not None:
            ref = _stored_after(store, position)
            if ref is not None and (stop is None or ref[0] <= stop):
                raise Unreadable(ref, failure) from failure
        if end:
            return


def event_positions(store: ExecutionStore, after: int, *, size: int) -> list[int]:
    """The positions of the events after ``after``, in order (an event that cannot be decoded
    counts: it is one still to apply)."""
    positions: list[int] = []
    while True:
        try:
            positions.extend(r.position for r in store.read_all(after=after, page=size))
            return positions
        except UNREACHABLE:
            raise
        except Exception:
            ref = _stored_after(store, positions[-1] if positions else after)
            if ref is None:
                return positions
            positions.append(ref[0])
            after = ref[0]


def _stored_after(store: ExecutionStore, position: int) -> Ref | None:
    """The first stored event after ``position``, named as stored (it cannot be decoded).

    ``read_all`` raises on an event it cannot decode without naming it; the store names it."""
    return store.stored_after(position)
