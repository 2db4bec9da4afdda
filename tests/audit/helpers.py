"""Histories to audit, and raw access to the stored rows to tamper with them as an attacker would.

The tampering goes around the library on purpose: plain SQL on the SQLite file or on the
PostgreSQL schema, the way someone with database access (and no hash keys) would edit history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from execution_core import Execution, GiveCoaching, KeyResultSpec, LogProgress, SetGoal
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.chain_format import CHAIN_TABLE
from execution_core_adapters.storage.store import open_store
from tests.support import CYCLE_ID, FixedClock, day, standard_org

GOAL_A = UUID("00000000-0000-4000-8000-00000000000a")
GOAL_B = UUID("00000000-0000-4000-8000-00000000000b")


def record_small(url: str) -> int:
    """A small history (the standard org, two goals, eight check-ins, coaching); its size."""
    clock = FixedClock()
    with Execution(open_store(url, clock=clock, snapshot_interval=4)) as execution:
        for command in standard_org():
            execution.execute(command)
        for goal_id, owner in ((GOAL_A, "ana"), (GOAL_B, "ben")):
            execution.execute(
                SetGoal(
                    actor="max",
                    occurred_at=day(1),
                    goal_id=goal_id,
                    cycle_id=CYCLE_ID,
                    title=f"Deals for {owner}",
                    owner=OwnerSpec(id=owner),
                    theme_id="growth",
                    key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
                )
            )
        for week in range(1, 5):
            for goal_id, owner in ((GOAL_A, "ana"), (GOAL_B, "ben")):
                clock.now = day(7 * week)
                execution.execute(
                    LogProgress(
                        actor=owner,
                        occurred_at=day(7 * week),
                        goal_id=goal_id,
                        kr_id="deals",
                        value=2.0 * week,
                        confidence=0.5 + week / 10,
                        comment=f"week {week} ✓",
                    )
                )
        clock.now = day(30)
        execution.execute(
            GiveCoaching(actor="max", occurred_at=day(30), person_id="ana", goal_id=GOAL_A)
        )
        return execution.store.last_position()


class Raw(Protocol):
    """Plain SQL on a store's tables, by position (notification id)."""

    def rows(self) -> list[tuple[int, str, int, str, bytes]]:
        """Every event row: position, stream id (as stored), version, topic, state."""
        ...

    def execute(self, sql: str, *params: Any) -> None:
        """Run one statement: ``{events}``, ``{chain}`` and ``{snapshots}`` name the tables,
        ``?`` marks the parameters, ``rowid`` is the position."""
        ...

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one query (same conventions) and return its rows."""
        ...


class SQLiteRaw:
    """Raw access to a SQLite store file."""

    def __init__(self, url: str) -> None:
        self.path = url.removeprefix("sqlite:///")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            yield db
            db.commit()
        finally:
            db.close()

    def rows(self) -> list[tuple[int, str, int, str, bytes]]:
        return [
            (row[0], row[1], row[2], row[3], row[4])
            for row in self.query(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM {events} ORDER BY rowid"
            )
        ]

    def execute(self, sql: str, *params: Any) -> None:
        self.query(sql, *params)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        statement = sql.format(
            events="stored_events", chain=CHAIN_TABLE, snapshots="stored_snapshots"
        )
        with self._db() as db:
            return list(db.execute(statement, params))


class PostgresRaw:
    """Raw access to a store's schema on the PostgreSQL server."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.schema = parse_qs(parts.query)["schema"][0]
        self.dsn = parts._replace(query="").geturl()

    def rows(self) -> list[tuple[int, str, int, str, bytes]]:
        return [
            (row[0], row[1], row[2], row[3], bytes(row[4]))
            for row in self.query(
                "SELECT rowid, originator_id::text, originator_version, topic, state "
                "FROM {events} ORDER BY rowid"
            )
        ]

    def execute(self, sql: str, *params: Any) -> None:
        self.query(sql, *params)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        statement = (
            sql.format(
                events=f'"{self.schema}".executioncore_events',
                chain=f'"{self.schema}".{CHAIN_TABLE}',
                snapshots=f'"{self.schema}".executioncore_snapshots',
            )
            .replace("?", "%s")
            .replace("rowid", "notification_id")
        )
        with psycopg.connect(self.dsn) as db:
            cursor = db.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


def raw_for(url: str) -> SQLiteRaw | PostgresRaw:
    """Raw access to the store at ``url`` (SQLite or PostgreSQL)."""
    return PostgresRaw(url) if url.startswith("postgresql") else SQLiteRaw(url)


def edited(state: bytes, **changes: Any) -> bytes:
    """A stored payload with some fields changed, still canonical JSON (a plausible forgery)."""
    payload = json.loads(state)
    payload.update(changes)
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def stream_of(stored: str) -> str:
    """A stored stream id in canonical form (SQLite keeps 32 hex digits)."""
    return str(UUID(stored))
