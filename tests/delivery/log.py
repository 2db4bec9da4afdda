"""The signal log the delivery tests deliver: the demo season's, derived by the projection
worker from its events one business day at a time, as a coach would have got them (over a
hundred signals of 14 kinds about the season's twelve people)."""

from __future__ import annotations

from collections.abc import Sequence

from execution_core import Event
from execution_core.signals import Signal
from execution_core_adapters.projections import ViewWorker
from execution_core_adapters.projections.signal_log import read_signals
from execution_core_adapters.storage.store import ExecutionStore
from tests.materialize.oracle import put

__all__ = ["append", "logged", "project"]


def append(url: str, events: Sequence[Event]) -> None:
    """Append recorded events to the store at ``url`` (as a writer would have recorded them)."""
    put(url, events).close()


def project(store: ExecutionStore) -> int:
    """Bring the views and the signal log up to the store's last event, stepping day by day;
    the log's size."""
    with ViewWorker(store, signal_steps=True) as worker:
        worker.catch_up()
    return len(logged(store))


def logged(store: ExecutionStore) -> list[tuple[int, Signal]]:
    """Every signal of the store's log, with its seq."""
    return read_signals(store, 0, 100_000)
