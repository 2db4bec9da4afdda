"""The wiring of a store to the core: what ``Execution.open`` finds through the entry point
``execution_core.stores`` (declared in pyproject.toml), so the core never names its adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from execution_core import AccessPolicy, Execution
from execution_core.ports import EventStore
from execution_core_adapters.storage.store import open_store as _open_store

__all__ = ["open_execution", "open_store"]


def open_store(url: str, **options: Any) -> EventStore:
    """Open the eventsourcing store a URL names (see ``storage.store.open_store``)."""
    return _open_store(url, **options)


def open_execution(
    url: str,
    *,
    access: AccessPolicy | None = None,
    new_id: Callable[[], UUID] = uuid4,
    **options: Any,
) -> Execution:
    """An ``Execution`` on the store a URL names: what ``Execution.open`` does, without the
    entry-point lookup."""
    return Execution(_open_store(url, **options), access=access, new_id=new_id)
