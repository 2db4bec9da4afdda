"""(b) Replay: folding a stream's stored events rebuilds exactly the state the decider held.

A random valid command sequence (after the standard org) runs through ``Execution`` on an
in-memory store and on a SQLite file that snapshots every 3 events. The oracle is the state the
service returned for each stream: the fold of the stream's stored events must equal it, so must
the store's own load (warm cache), and so must a load by a fresh store object on the same file
(cold cache: from the newest snapshot, fast-forwarded by the events after it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given

from execution_core import Command, Event, Execution
from execution_core.ids import ORGANIZATION_ID
from execution_core_adapters.storage.store import open_store
from tests.strategies import TickingClock, command_sequences, decider_of
from tests.support import standard_org

SNAPSHOT_INTERVAL = 3


def _run(execution: Execution, commands: Iterable[Command]) -> dict[UUID, Any]:
    """Run the commands; the last state the service returned for each stream it wrote."""
    returned: dict[UUID, Any] = {}
    for command in commands:
        outcome = execution.execute(command)
        returned[outcome.stream_id] = outcome.state
    return returned


def _streams(execution: Execution) -> dict[UUID, list[Event]]:
    """Every stream's events, from the store's total order."""
    streams: dict[UUID, list[Event]] = {}
    for event in execution.history():
        streams.setdefault(event.stream_id, []).append(event)
    return streams


@given(commands=command_sequences())
def test_replaying_a_stream_rebuilds_the_state_the_service_returned(
    commands: list[Command], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Property: for every stream, fold(store.read(stream)) == the state the service returned ==
    store.load(stream), on memory and on SQLite with snapshots, and a fresh store on the same
    SQLite file loads the same state. Oracle: the states Execution returned."""
    url = f"sqlite:///{tmp_path_factory.mktemp('replay') / 'plan.db'}"
    everything = [*standard_org(), *commands]
    memory = Execution(open_store("memory://", clock=TickingClock()), future_tolerance=None)
    sqlite = Execution(
        open_store(url, clock=TickingClock(), snapshot_interval=SNAPSHOT_INTERVAL),
        future_tolerance=None,
    )
    try:
        for execution in (memory, sqlite):
            returned = _run(execution, everything)
            streams = _streams(execution)
            assert set(streams) == set(returned)
            for stream_id, events in streams.items():
                decider = decider_of(events[0])
                folded = decider.fold(execution.store.read(stream_id))
                assert folded == returned[stream_id]
                assert execution.store.load(stream_id, decider) == folded
        assert memory.history() == sqlite.history(), "the two stores recorded different events"
        folds = {
            stream_id: decider_of(events[0]).fold(events)
            for stream_id, events in _streams(sqlite).items()
        }
    finally:
        memory.close()
        sqlite.close()

    fresh = open_store(url, snapshot_interval=SNAPSHOT_INTERVAL)
    try:
        assert fresh.app.snapshots is not None
        assert list(fresh.app.snapshots.get(ORGANIZATION_ID)), "no snapshot was taken"
        for stream_id, state in folds.items():
            assert fresh.load(stream_id, decider_of(fresh.read(stream_id)[0])) == state
    finally:
        fresh.close()


@given(commands=command_sequences())
def test_a_store_read_cold_decides_like_one_read_warm(commands: list[Command]) -> None:
    """Property: the same commands record the same events whether every decision reads its
    states warm (from the store's cache) or cold (a store with no cache decodes the newest
    snapshot and the events after it, as a new process would). Oracle: the warm history."""
    warm = Execution(open_store("memory://", clock=TickingClock()), future_tolerance=None)
    cold = Execution(
        open_store(
            "memory://", clock=TickingClock(), snapshot_interval=SNAPSHOT_INTERVAL, cache_size=0
        ),
        future_tolerance=None,
    )
    try:
        for command in [*standard_org(), *commands]:
            warm.execute(command)
            cold.execute(command)
        assert cold.history() == warm.history()
    finally:
        warm.close()
        cold.close()
