"""The two databases a projection reads and writes: the store its events come from, and the
database its tables live in (the store's own, or another one named by ``views_url``).

The view worker, the signal log and the signal dispatcher all stand on this pair, so who opened
what, and so who closes it, is decided here once.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from execution_core_adapters.storage.config import APPLICATION_NAME, store_env
from execution_core_adapters.storage.store import ExecutionStore, open_store

__all__ = ["ViewsDatabase"]


class ViewsDatabase:
    """A store and the database of the tables derived from it.

    ``store`` is an open :class:`ExecutionStore` (left open on :meth:`close`) or a store URL
    (opened here, closed on :meth:`close`); ``views_url`` names another database for the
    tables (opened here, closed on :meth:`close`), else they live in the store's database.
    """

    def __init__(self, store: ExecutionStore | str, views_url: str | None = None) -> None:
        self._owns_store = isinstance(store, str)
        self.store: ExecutionStore = open_store(store) if isinstance(store, str) else store
        self._separate: InfrastructureFactory[Any] | None = None
        try:
            if views_url is None:
                self.factory: InfrastructureFactory[Any] = self.store.infrastructure()
            else:
                self._separate = InfrastructureFactory.construct(
                    Environment(APPLICATION_NAME, store_env(views_url))
                )
                self.factory = self._separate
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close what was opened here: the separate tables' database, and the store if its URL
        was given (idempotent)."""
        if self._separate is not None:
            self._separate.close()
            self._separate = None
        if self._owns_store:
            self.store.close()
            self._owns_store = False
