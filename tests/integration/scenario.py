"""The parity scenario (the demo season) and a canonical dump of a store to compare stores by."""

from __future__ import annotations

import sys
from uuid import UUID

from execution_core import EventStore, Execution
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.storage.codec import encode_event
from execution_core_adapters.storage.store import open_store


def record(url: str) -> int:
    """Record the demo season into the store at ``url``; return the number of events."""
    clock = SeasonClock()
    with Execution(open_store(url, clock=clock, snapshot_interval=10)) as execution:
        return record_season(execution, clock).events


def dump(store: EventStore) -> list[str]:
    """Every event as one canonical line: stream, version, type name and stored bytes."""
    lines = []
    for recorded in store.read_all():
        name, data = encode_event(recorded.event)
        event = recorded.event
        lines.append(f"{event.stream_id} {event.version} {name} {data.decode()}")
    return lines


def dump_streams(store: EventStore, stream_ids: list[UUID]) -> list[str]:
    """Each listed stream's events read back stream by stream (through the snapshot path)."""
    lines = []
    for stream_id in stream_ids:
        for event in store.read(stream_id):
            name, data = encode_event(event)
            lines.append(f"{stream_id} {event.version} {name} {data.decode()}")
    return lines


if __name__ == "__main__":  # used by the tests to write and read in separate processes
    action, url = sys.argv[1], sys.argv[2]
    if action == "record":
        print(record(url))
    else:
        store = open_store(url)
        print("\n".join(dump(store)))
        store.close()
