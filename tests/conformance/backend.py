"""A backend: how the contract opens stores on one kind of database, and opens them again."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from execution_core.clock import Clock
from execution_core.ports import EventStore

__all__ = ["Backend", "Opener"]

Opener = Callable[[Clock | None, int], EventStore]
"""Open a store on the backend's database with this clock and snapshot interval."""


class Backend:
    """The stores of one test on one database.

    A *shared* backend (a SQLite file, a PostgreSQL schema) opens a new store object on the
    same data each time, so two objects are two writers; an unshared one (in memory) has no
    data outside its store object, so every open after the first gives that same object back.
    """

    def __init__(self, name: str, opener: Opener, *, shared: bool) -> None:
        self.name = name
        self.shared = shared
        self._opener = opener
        self._opened: list[EventStore] = []

    def open(self, *, clock: Clock | None = None, snapshot_interval: int = 50) -> EventStore:
        """A store on this backend's data (the first one again, when the data is not shared)."""
        if self._opened and not self.shared:
            return self._opened[0]
        store = self._opener(clock, snapshot_interval)
        self._opened.append(store)
        return store

    def reopen(self, store: EventStore, *, snapshot_interval: int = 50) -> EventStore:
        """The store closed and opened again on the same data (itself, when not shared)."""
        if not self.shared:
            return store
        store.close()
        return self.open(snapshot_interval=snapshot_interval)

    def close(self) -> None:
        """Close every store opened (one already closed may refuse: that is fine)."""
        for store in self._opened:
            with suppress(Exception):
                store.close()
        self._opened.clear()
