"""Planting events a view cannot take, below the command layer (through the store's recorder),
as an older version, an import or a bug could have left them; and repairing them."""

from __future__ import annotations

import json
import math
from typing import Any, cast

import pytest
from eventsourcing.persistence import StoredEvent

from execution_core import Event
from execution_core_adapters.storage.store import ExecutionStore
from tests.materialize.oracle import put

__all__ = ["BAD", "CASES", "plant", "repair", "stored_with", "url_of"]

BAD = 27
"""The index in the season of the goal planted with a value a view table cannot hold."""

CASES = [
    # SQLite stores NaN as NULL: the board's NOT NULL weight refuses it.
    pytest.param("sqlite", {"weight": math.nan}, "NOT NULL", id="sqlite-nan"),
    # PostgreSQL text refuses NUL: the board's title column refuses it.
    pytest.param(
        "postgres",
        {"title": "Grow\x00revenue"},
        "cannot contain NUL",
        id="postgres-nul",
        marks=pytest.mark.postgres,
    ),
]


def url_of(backend: str, request: pytest.FixtureRequest) -> str:
    return cast(
        str, request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    )


def stored_with(store: ExecutionStore, event: Event, changes: dict[str, Any]) -> StoredEvent:
    """The stored form of ``event`` with ``changes`` in its payload (NaN written as JSON's
    NaN), bypassing every check of the commands and of the codec."""
    stored = store.app.mapper.to_stored_event(cast(Any, event))
    payload = json.loads(stored.state)
    payload.update(changes)
    state = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)


def plant(url: str, season: list[Event], changes: dict[str, Any], upto: int) -> ExecutionStore:
    """A store with season[:upto], season[BAD] stored with ``changes``."""
    store = put(url, season[:BAD])
    store.app.recorder.insert_events([stored_with(store, season[BAD], changes)])
    store.app.events.put(cast(Any, season[BAD + 1 : upto]))
    return store


def repair(store: ExecutionStore, position: int, event: Event) -> None:
    """Rewrite the stored payload at ``position`` with the event's good one (an operator's
    repair of the store, as an import of a corrected history would do)."""
    recorder: Any = store.app.recorder
    good = store.app.mapper.to_stored_event(cast(Any, event)).state
    with recorder.datastore.transaction(commit=True) as cursor:
        if hasattr(recorder.datastore, "schema"):
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
            cursor.execute(
                f"UPDATE {table} SET state = %s WHERE notification_id = %s", (good, position)
            )
        else:
            table = recorder.events_table_name
            cursor.execute(f"UPDATE {table} SET state = ? WHERE rowid = ?", (good, position))
