"""Materialized views: tables kept current from the store's notification log, exactly once.

A :class:`ViewWorker` follows the store's events in recorded order, folds them into a
:class:`~execution_core.views.Ledger` held in memory, and keeps view tables (``view_board``,
``view_appraisal``, ``view_radar``) equal to the pure projections over the events it has seen,
evaluated at one stated instant (see docs/materialized-views.md, "The evaluation rule").

Exactly once: each batch writes the rows it changed **and** the worker's tracking position
(eventsourcing's ``Tracking``, one name per view: ``view.board``, ...) in one transaction of a
tracking recorder that subclasses eventsourcing's SQLite or PostgreSQL one. A position at or
below the one already tracked raises ``IntegrityError`` and the whole batch rolls back, so a
second worker on the same view, or a batch replayed after a crash, cannot apply anything twice.
Rows are full values of the keys a batch touched (upserts, and deletes of keys that vanished),
computed at the end of the batch, so writing a batch twice would be harmless anyway.

On start (and after a failed commit) the worker rebuilds its ledger by replaying the events up
to the tracked position without writing a row, then continues from there. ``rebuild`` drops the
view tables and the tracking rows and catches up from the first event.

An event a view cannot take (it cannot be decoded, the view's logic raises on it, or the
database refuses the rows it gives) **parks** that view: the worker re-applies the failing
batch one event at a time, each view in its own transaction, to find the event; records the
view, the event and the error in ``view_parked``; and goes on with the other views. A parked
view is skipped until ``rebuild`` of that view. A tracking conflict (another worker recorded
the position first) is not a failure: the worker reloads from the tracked position and goes on.
"""

from __future__ import annotations

import bisect
import gc
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.coaching.events import (
    CoachingGiven,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.organization.state import Organization
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views.appraisal import Appraiser
from execution_core.views.formulas import Health
from execution_core.views.ledger import (
    CycleRecord,
    GoalRecord,
    JournalRecord,
    Ledger,
    LedgerBuilder,
)
from execution_core.views.radar import Turn, coached_since_turning
from execution_core.views.reading import ScoreboardRow, read_goal
from execution_core.views.scoreboard import Scoreboard
from execution_core_adapters.storage.store import (
    APPLICATION_NAME,
    RECEIPT_TOPIC,
    ExecutionStore,
    open_store,
    store_env,
)

__all__ = [
    "PARKED",
    "TABLES",
    "VIEWS",
    "Column",
    "ParkedView",
    "Progress",
    "Table",
    "TrackingConflict",
    "ViewStatus",
    "ViewWorker",
    "tracking_name",
]

_LOG = logging.getLogger(__name__)

VIEWS: tuple[str, ...] = ("board", "appraisal", "radar")
"""Every materialized view, by name (the table is ``view_<name>``)."""

Progress = Callable[[int, int], None]
"""Called after every page read: ``(events done, events in total)``; the total is estimated from
positions (they may have gaps), and the last call of a pass reports ``(done, done)``."""


def tracking_name(view: str) -> str:
    """The name a view's position is tracked under (``view.board``, ...)."""
    return f"view.{view}"


# -- the tables ---------------------------------------------------------------------------------


@attrs.frozen
class Column:
    """A column of a view table; ``kind`` is one of uuid, text, real, int, bool, time, list."""

    name: str
    kind: str
    nullable: bool = False
    doc: str = ""


@attrs.frozen
class Table:
    """A view table: its name, columns (in order) and primary key."""

    view: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def name(self) -> str:
        """The table's name in the database."""
        return f"view_{self.view}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of the columns, in order."""
        return tuple(column.name for column in self.columns)


def _c(name: str, kind: str, doc: str = "", *, null: bool = False) -> Column:
    return Column(name, kind, null, doc)


BOARD = Table(
    "board",
    (
        _c("goal_id", "uuid", "the goal"),
        _c("cycle_id", "uuid", "its cycle"),
        _c("evaluated_at", "time", "the instant the row is read at (see the evaluation rule)"),
        _c("title", "text"),
        _c("kind", "text", "individual, team, departmental or developmental"),
        _c("owner_kind", "text", "person or unit"),
        _c("owner_id", "text", "the owner at evaluated_at"),
        _c("status", "text", "active, completed or dropped"),
        _c("weight", "real"),
        _c("aligned_to", "text", "recorded alignment: theme growth, goal <id>", null=True),
        _c("parent_id", "uuid", "the goal it rolls up into", null=True),
        _c("theme_id", "text", null=True),
        _c("rolls_up", "bool", "no key results of its own: rolls up its child goals"),
        _c("progress", "real", "weighted score, 0..1"),
        _c("raw_progress", "real", "weighted raw progress, over-achievement kept"),
        _c("expected", "real", "elapsed share of the cycle at evaluated_at"),
        _c("pace_gap", "real", "progress - expected"),
        _c("forecast", "real", "forecast score at the cycle end (null: nothing logged)", null=True),
        _c("health", "text", "on track, at risk, off track, not started or stale"),
        _c("confidence", "real", null=True),
        _c("last_checkin_at", "time", null=True),
        _c("days_since_checkin", "int", null=True),
        _c("open_commitments", "int"),
        _c("outcome", "text", "missed, met or exceeded as things stand"),
    ),
    ("goal_id",),
)

APPRAISAL = Table(
    "appraisal",
    (
        _c("cycle_id", "uuid"),
        _c("person_id", "text"),
        _c("evaluated_at", "time", "the instant the sheet is read at (see the evaluation rule)"),
        _c("cycle_name", "text"),
        _c("goals", "int", "the person's goals in the cycle (dropped ones left out)"),
        _c("attainment", "real", "weighted mean of the final goal scores", null=True),
        _c("computed_rating", "int", null=True),
        _c("recorded_rating", "int", null=True),
        _c("calibrated_rating", "int", null=True),
        _c("rating", "int", "the rating that stands", null=True),
        _c("rating_source", "text", "computed, recorded or calibrated", null=True),
        _c("bonus_multiplier", "real", null=True),
    ),
    ("cycle_id", "person_id"),
)

RADAR = Table(
    "radar",
    (
        _c("cycle_id", "uuid"),
        _c("person_id", "text"),
        _c("coach_id", "text", "the coach; '' on the one row of a person with no coach"),
        _c("evaluated_at", "time", "the instant the row is read at (see the evaluation rule)"),
        _c("relation", "text", "manager, authorised, other or none"),
        _c("short_days", "int", "the short window (14 days by default)"),
        _c("long_days", "int", "the long window (30 days by default)"),
        _c("coaching_short", "int", "this coach's sessions within the short window"),
        _c("coaching_long", "int", "this coach's sessions within the long window"),
        _c("last_session_at", "time", null=True),
        _c("uncoached_goals", "list", "goals at risk or off track, no coaching since they turned"),
        _c("overdue_commitments", "list", "open commitments past their due date"),
    ),
    ("cycle_id", "person_id", "coach_id"),
)

TABLES: Mapping[str, Table] = {table.view: table for table in (BOARD, APPRAISAL, RADAR)}
"""Every view table, by view name."""

PARKED = Table(
    "parked",
    (
        _c("view_name", "text", "the parked view (board, appraisal or radar)"),
        _c("notification_id", "int", "the position of the event it cannot take"),
        _c("stream_id", "text", "that event's stream"),
        _c("event_type", "text", "that event's stored type (goal.GoalSet, ...)"),
        _c("error", "text", "why: the exception's type and message"),
        _c("parked_at", "time", "when the view was parked (wall clock)"),
    ),
    ("view_name",),
)
"""``view_parked``: one row per parked view, next to the view tables (not a view itself)."""

_ERROR_TEXT = 2_000
"""At most this many characters of an error are kept in ``view_parked``."""


@attrs.frozen
class ParkedView:
    """A view stopped at an event it cannot take, and why (a row of ``view_parked``)."""

    view: str
    position: int
    """The notification id of the event; the view stays tracked before it."""
    stream_id: str
    event_type: str
    error: str
    parked_at: datetime

    def describe(self) -> str:
        """One line for a log or a terminal."""
        return (
            f"view {self.view} parked at event {self.position} ({self.event_type}, stream "
            f"{self.stream_id}): {self.error}"
        )


@attrs.frozen
class ViewStatus:
    """Where a view stands: its tracked position, the log's head, the events it has still to
    apply, and why it is parked (None: it is not)."""

    view: str
    position: int
    head: int
    lag: int
    parked: ParkedView | None


class TrackingConflict(IntegrityError):
    """Another worker already tracked a view at or past where this batch starts: nothing was
    written, and the worker reloads from the tracked position (normal with several workers)."""


class _RowsRefused(Exception):
    """The database refused a view's rows (a data error, a constraint): not a conflict, not a
    lost connection."""

    def __init__(self, view: str, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.view = view
        self.error = error


def _error_text(error: BaseException) -> str:
    """The error as stored: type and message, NUL-free (PostgreSQL text refuses NUL), bounded."""
    text = f"{type(error).__name__}: {error}".replace("\x00", "\\x00")
    return text if len(text) <= _ERROR_TEXT else text[: _ERROR_TEXT - 1] + "…"


# -- the batches the recorders write ------------------------------------------------------------

Row = tuple[Any, ...]


@attrs.define
class _Patch:
    """What one batch changes in one view table (applied in this order)."""

    table: Table
    truncate: bool = False
    """Delete every row first (a full rewrite)."""
    clear_cycles: list[UUID] = attrs.Factory(list)
    """Delete every row of these cycles."""
    delete: list[Row] = attrs.Factory(list)
    """Delete these keys."""
    evaluated_at: datetime | None = None
    """Set ``evaluated_at`` of every row to this instant."""
    upsert: list[Row] = attrs.Factory(list)
    """Insert or replace these rows (every column, in the table's order)."""


class _ViewRecorder(TrackingRecorder):
    """A tracking recorder that also writes view tables (the dialect comes from a subclass)."""

    placeholder = "?"
    row_lock = ""
    """How a SELECT locks the rows it reads until the commit (SQLite: the write lock does)."""
    transient: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    """The errors of an unreachable or busy database (the driver's too): never an event's fault."""
    integrity: tuple[type[BaseException], ...] = (IntegrityError,)
    """The errors of a refused tracking insert (the driver's too)."""

    def view_table(self, table: Table) -> str:
        raise NotImplementedError

    def column_type(self, kind: str) -> str:
        raise NotImplementedError

    def adapt(self, kind: str) -> Callable[[Any], Any] | None:
        raise NotImplementedError

    def convert_back(self, kind: str, value: Any) -> Any:
        raise NotImplementedError

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        datastore: Any = getattr(self, "datastore")  # noqa: B009 - both recorders keep one
        with datastore.transaction(commit=True) as cursor:
            yield cursor

    def _ddl(self, table: Table) -> list[str]:
        name = self.view_table(table)
        columns = ", ".join(
            f"{c.name} {self.column_type(c.kind)}{'' if c.nullable else ' NOT NULL'}"
            for c in table.columns
        )
        statements = [
            f"CREATE TABLE IF NOT EXISTS {name} ({columns}, PRIMARY KEY ({', '.join(table.key)}))"
        ]
        if table.key[0] != "cycle_id":
            index = self._index_name(table)
            statements.append(f"CREATE INDEX IF NOT EXISTS {index} ON {name} (cycle_id)")
        return statements

    def _index_name(self, table: Table) -> str:
        return f"{table.name}_cycle"

    def create_views(self, tables: Iterable[Table]) -> None:
        """Create the view tables that do not exist yet (and ``view_parked``), and a tracking
        row at 0 for each view not tracked yet (so even a first commit has a row to check and
        lock, see ``write``)."""
        p = self.placeholder
        with self._transaction() as cursor:
            columns = ", ".join(
                f"{c.name} {self.column_type(c.kind)} NOT NULL" for c in PARKED.columns
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.view_table(PARKED)} "
                f"({columns}, PRIMARY KEY (view_name))"
            )
            for table in tables:
                for statement in self._ddl(table):
                    cursor.execute(statement)
                cursor.execute(
                    f"INSERT INTO {self.tracking_table()} (application_name, notification_id) "
                    f"VALUES ({p}, 0) ON CONFLICT (application_name) DO NOTHING",
                    (tracking_name(table.view),),
                )

    def drop_views(self, tables: Sequence[Table]) -> None:
        """Drop the view tables, forget their tracking positions and un-park them, in one
        transaction."""
        p = self.placeholder
        with self._transaction() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {self.view_table(table)}")
                cursor.execute(
                    f"DELETE FROM {self.tracking_table()} WHERE application_name = {p}",
                    (tracking_name(table.view),),
                )
                cursor.execute(
                    f"DELETE FROM {self.view_table(PARKED)} WHERE view_name = {p}", (table.view,)
                )

    def park(self, parked: ParkedView) -> None:
        """Record a view as parked (the first cause stays when two workers park it)."""
        p = self.placeholder
        values = (
            parked.view,
            parked.position,
            parked.stream_id,
            parked.event_type,
            parked.error,
            self._key_value("time", parked.parked_at),
        )
        with self._transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {self.view_table(PARKED)} ({', '.join(PARKED.column_names)}) "
                f"VALUES ({', '.join(p for _ in values)}) ON CONFLICT (view_name) DO NOTHING",
                values,
            )

    def parked(self) -> dict[str, ParkedView]:
        """Every parked view, by name."""
        return {
            row["view_name"]: ParkedView(
                row["view_name"],
                row["notification_id"],
                row["stream_id"],
                row["event_type"],
                row["error"],
                row["parked_at"],
            )
            for row in self.select_rows(PARKED)
        }

    def tracking_table(self) -> str:
        raise NotImplementedError

    def write(
        self,
        patches: Sequence[_Patch],
        position: int,
        before_commit: Callable[[int], None] | None = None,
        since: Mapping[str, int] | None = None,
    ) -> None:
        """Apply the patches and track ``position`` for each patched view, in one transaction
        (TrackingConflict, and nothing written, when a view is already tracked at or past it).
        With ``since`` (view: the position the batch starts from), the batch is also refused
        unless each view is still tracked exactly there: a compare-and-set under the tracking
        row's lock, so two workers of one view never both apply the same events. Rows the
        database refuses raise ``_RowsRefused`` (naming the view); a lost or busy database
        raises its own error; nothing is written in either case."""
        p = self.placeholder
        with self._transaction() as cursor:
            for view, start in (since or {}).items():
                cursor.execute(
                    f"SELECT notification_id FROM {self.tracking_table()} "
                    f"WHERE application_name = {p}{self.row_lock}",
                    (tracking_name(view),),
                )
                found = cursor.fetchone()
                tracked = 0 if found is None else found["notification_id"]
                if tracked != start:
                    raise TrackingConflict(
                        f"{tracking_name(view)} is tracked at {tracked}, not {start}: "
                        "another worker applied these events"
                    )
            for patch in patches:
                try:
                    self._apply(cursor, patch)
                except self.transient:
                    raise
                except Exception as error:
                    raise _RowsRefused(patch.table.view, error) from error
                try:
                    cast(Any, self)._insert_tracking(
                        cursor, Tracking(tracking_name(patch.table.view), position)
                    )
                except self.integrity as error:
                    raise TrackingConflict(
                        f"{tracking_name(patch.table.view)} is already tracked at or past "
                        f"{position}: another worker applied these events"
                    ) from error
            if before_commit is not None:
                before_commit(position)

    def _apply(self, cursor: Any, patch: _Patch) -> None:
        """Write a patch's rows (a row the database refuses raises the driver's error)."""
        p = self.placeholder
        table = patch.table
        name = self.view_table(table)
        if patch.truncate:
            cursor.execute(f"DELETE FROM {name}")
        if patch.clear_cycles:
            cursor.executemany(
                f"DELETE FROM {name} WHERE cycle_id = {p}",
                [(self._key_value("uuid", c),) for c in patch.clear_cycles],
            )
        if patch.delete:
            where = " AND ".join(f"{k} = {p}" for k in table.key)
            kinds = [self._kind(table, k) for k in table.key]
            cursor.executemany(
                f"DELETE FROM {name} WHERE {where}",
                [
                    tuple(self._key_value(k, v) for k, v in zip(kinds, key, strict=True))
                    for key in patch.delete
                ],
            )
        if patch.evaluated_at is not None:
            cursor.execute(
                f"UPDATE {name} SET evaluated_at = {p}",
                (self._key_value("time", patch.evaluated_at),),
            )
        if patch.upsert:
            cursor.executemany(self._upsert_sql(table), self._adapt_rows(table, patch))

    def _kind(self, table: Table, column: str) -> str:
        return next(c.kind for c in table.columns if c.name == column)

    def _key_value(self, kind: str, value: Any) -> Any:
        adapt = self.adapt(kind)
        return value if adapt is None else adapt(value)

    def _adapt_rows(self, table: Table, patch: _Patch) -> list[Row]:
        adapters = [self.adapt(c.kind) for c in table.columns]
        if not any(adapters):
            return patch.upsert
        pairs = [(i, a) for i, a in enumerate(adapters) if a is not None]
        rows: list[Row] = []
        for row in patch.upsert:
            values = list(row)
            for i, adapt in pairs:
                value = values[i]
                if value is not None:
                    values[i] = adapt(value)
            rows.append(tuple(values))
        return rows

    def _upsert_sql(self, table: Table) -> str:
        names = table.column_names
        values = ", ".join(self.placeholder for _ in names)
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in table.key)
        return (
            f"INSERT INTO {self.view_table(table)} ({', '.join(names)}) VALUES ({values}) "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
        )

    def select_rows(self, table: Table) -> list[dict[str, Any]]:
        """Every row of a view table, values as Python values, in key order."""
        names = table.column_names
        statement = (
            f"SELECT {', '.join(names)} FROM {self.view_table(table)} "
            f"ORDER BY {', '.join(table.key)}"
        )
        with self._transaction() as cursor:
            cursor.execute(statement)
            fetched = cursor.fetchall()
        kinds = [c.kind for c in table.columns]
        return [
            {
                name: None if row[name] is None else self.convert_back(kind, row[name])
                for name, kind in zip(names, kinds, strict=True)
            }
            for row in fetched
        ]


def _iso(value: datetime) -> str:
    return value.isoformat()


def _json_list(value: Sequence[Any]) -> str:
    return json.dumps([str(item) for item in value])


class SQLiteViewRecorder(SQLiteTrackingRecorder, _ViewRecorder):
    """The view tables and tracking positions in a SQLite file (the store's file by default)."""

    transient = (OperationalError, InterfaceError, sqlite3.OperationalError, sqlite3.InterfaceError)
    integrity = (IntegrityError, sqlite3.IntegrityError)

    _ADAPT: Mapping[str, Callable[[Any], Any]] = {
        "uuid": str,
        "time": _iso,
        "bool": int,
        "list": _json_list,
    }
    _TYPES: Mapping[str, str] = {
        "uuid": "TEXT",
        "text": "TEXT",
        "real": "REAL",
        "int": "INTEGER",
        "bool": "INTEGER",
        "time": "TEXT",
        "list": "TEXT",
    }

    def view_table(self, table: Table) -> str:
        return table.name

    def tracking_table(self) -> str:
        return "tracking"

    def column_type(self, kind: str) -> str:
        return self._TYPES[kind]

    def adapt(self, kind: str) -> Callable[[Any], Any] | None:
        return self._ADAPT.get(kind)

    def convert_back(self, kind: str, value: Any) -> Any:
        return _convert_back(kind, value)


def _convert_back(kind: str, value: Any) -> Any:
    if kind == "uuid" and not isinstance(value, UUID):
        return UUID(str(value))
    if kind == "time" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "list":
        return tuple(json.loads(value))
    return value


def _postgres_recorder_class() -> type[_ViewRecorder]:
    """The PostgreSQL view recorder (built on first use: psycopg is an optional dependency)."""
    global _POSTGRES_RECORDER  # noqa: PLW0603 - a class built once, on first use
    if _POSTGRES_RECORDER is not None:
        return _POSTGRES_RECORDER
    import psycopg
    from eventsourcing.postgres import PostgresTrackingRecorder

    class PostgresViewRecorder(PostgresTrackingRecorder, _ViewRecorder):
        """The view tables and tracking positions in a PostgreSQL schema (the store's)."""

        placeholder = "%s"
        row_lock = " FOR UPDATE"
        transient = (
            OperationalError,
            InterfaceError,
            psycopg.OperationalError,
            psycopg.InterfaceError,
        )
        integrity = (IntegrityError, psycopg.IntegrityError)
        _TYPES: Mapping[str, str] = {
            "uuid": "uuid",
            "text": "text",
            "real": "double precision",
            "int": "bigint",
            "bool": "boolean",
            "time": "timestamptz",
            "list": "text",
        }

        def _schema(self) -> str:
            return _quote(self.datastore.schema)

        def view_table(self, table: Table) -> str:
            return f"{self._schema()}.{_quote(table.name)}"

        def tracking_table(self) -> str:
            return f"{self._schema()}.{_quote(self.tracking_table_name)}"

        def column_type(self, kind: str) -> str:
            return self._TYPES[kind]

        def adapt(self, kind: str) -> Callable[[Any], Any] | None:
            return _json_list if kind == "list" else None

        def convert_back(self, kind: str, value: Any) -> Any:
            return _convert_back(kind, value)

    _POSTGRES_RECORDER = PostgresViewRecorder
    return PostgresViewRecorder


_POSTGRES_RECORDER: type[_ViewRecorder] | None = None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _view_recorder(factory: InfrastructureFactory[Any]) -> _ViewRecorder:
    """The view recorder for an eventsourcing factory (SQLite or PostgreSQL)."""
    if isinstance(factory, SQLiteFactory):
        return cast(_ViewRecorder, factory.tracking_recorder(SQLiteViewRecorder))
    from eventsourcing.postgres import PostgresFactory

    if isinstance(factory, PostgresFactory):
        return cast(_ViewRecorder, cast(Any, factory).tracking_recorder(_postgres_recorder_class()))
    raise InvalidInput(
        "materialized views need a SQLite or PostgreSQL database: open the store with a "
        "sqlite:/// or postgresql:// URL, or give views_url"
    )


# -- reading events -----------------------------------------------------------------------------

_ORG_EVENTS = (
    UnitFounded,
    UnitLeadAppointed,
    PersonJoined,
    PersonMoved,
    PersonLeft,
    RolesChanged,
    CoachAuthorised,
    CoachDeauthorised,
)
_CYCLE_EVENTS = (CycleOpened, PolicyAdopted, CycleClosed)
_SPECIAL: frozenset[type[Event]] = frozenset(
    (
        *_ORG_EVENTS,
        *_CYCLE_EVENTS,
        CommitmentMade,
        CommitmentKept,
        CommitmentMissed,
        CoachingGiven,
        AppraisalRecorded,
        RatingCalibrated,
    )
)
_FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


@attrs.define
class _Dirty:
    """What the events of a batch touched (resolved against the ledger at the batch end)."""

    streams: set[UUID] = attrs.Factory(set)
    goals: set[UUID] = attrs.Factory(set)
    cycles: set[UUID] = attrs.Factory(set)
    appraisals: set[tuple[UUID, str]] = attrs.Factory(set)
    appraisal_streams: set[UUID] = attrs.Factory(set)
    resolved_commitments: set[tuple[UUID, str]] = attrs.Factory(set)
    org: bool = False
    events: int = 0

    def note(self, events: Sequence[Event]) -> None:
        """Remember what these events touch (cheap: the work is done once, at the batch end)."""
        self.events += len(events)
        self.streams.update(e.stream_id for e in events)
        for event in events:
            if type(event) not in _SPECIAL:
                continue
            if isinstance(event, _CYCLE_EVENTS):
                self.cycles.add(event.stream_id)
            elif isinstance(event, _ORG_EVENTS):
                self.org = True
            elif isinstance(event, CommitmentMade):
                if event.goal_id is not None:
                    self.goals.add(event.goal_id)
            elif isinstance(event, CommitmentKept | CommitmentMissed):
                self.resolved_commitments.add((event.stream_id, event.commitment_id))
            elif isinstance(event, AppraisalRecorded):
                self.appraisals.add((event.cycle_id, event.person_id))
            elif isinstance(event, RatingCalibrated):
                self.appraisal_streams.add(event.stream_id)

    def resolve(self, ledger: Ledger) -> None:
        """Turn streams into goals and appraisal keys, and commitments into their goals."""
        goals = ledger.goals
        self.goals.update(s for s in self.streams if s in goals)
        for stream in self.appraisal_streams:
            key = ledger.appraisal_streams.get(stream)
            if key is not None:
                self.appraisals.add(key)
        for stream, commitment_id in self.resolved_commitments:
            person = ledger.journal_streams.get(stream)
            if person is None:
                continue
            commitment = ledger.journal(person).commitments.get(commitment_id)
            if commitment is not None and commitment.goal_id is not None:
                self.goals.add(commitment.goal_id)


# -- the boards (kept in memory for every cycle; every view reads them) -------------------------


@attrs.define
class _BoardChange:
    """How one cycle's board changed in a batch."""

    cycle: CycleRecord
    old: Scoreboard | None
    new: Scoreboard
    changed: list[UUID]
    """Goals whose row changed (every goal when the board was rebuilt or re-timed)."""
    rebuilt: bool


def _instant(cycle: CycleRecord, now: datetime) -> datetime:
    """The instant a cycle's board is read at: the latest business time seen, capped to the
    cycle's end."""
    return min(now, cycle.ends_at)


def _on_board(cycle: CycleRecord, now: datetime) -> bool:
    """Whether a cycle is shown on the live views: not closed by ``now``."""
    return cycle.state.status(now) != "closed"


def _parent_of(row: ScoreboardRow | None) -> UUID | None:
    """The parent goal named by the row's recorded alignment (loops included)."""
    if row is None or row.aligned_to is None:
        return None
    return row.aligned_to.parent_id


def _retimed(
    row: ScoreboardRow, cycle: CycleRecord, at: datetime, expected: float, policy: Policy
) -> ScoreboardRow:
    """The row read at ``at`` when none of its facts changed: only the pace, the pace gap, the
    health and the days since the last check-in move with time (the same formulas as
    ``reading.read_goal``)."""
    last = row.last_checkin_at
    return attrs.evolve(
        row,
        expected=expected,
        pace_gap=row.progress - expected,
        health=f.health(
            forecast=row.forecast,
            last_checkin=last,
            at=at,
            expected=expected,
            cadence_days=cycle.cadence_days,
            policy=policy,
            active=row.status == "active" and at < cycle.ends_at,
        ),
        days_since_checkin=None if last is None else (at - last).days,
    )


def _update_board(
    ledger: Ledger,
    cycle: CycleRecord,
    board: Scoreboard | None,
    goals: Iterable[UUID],
    now: datetime,
) -> _BoardChange:
    """The cycle's board at the batch end: rebuilt when new, when a cycle event or another policy
    came in; else the touched goals re-read (and the goals above them while their rows change)
    and, when the instant moved, every other row re-timed."""
    at = _instant(cycle, now)
    if board is None or board.policy != cycle.policy_at(at):
        new = Scoreboard.build(ledger, cycle.id, at=at)
        return _BoardChange(cycle, board, new, list(new.rows), rebuilt=True)
    policy = board.policy
    rows: dict[UUID, ScoreboardRow] = dict(board.rows)
    moved = at != board.at
    expected = f.expected_progress(at, cycle.starts_at, cycle.ends_at) if moved else board.expected
    touched = set(goals)

    def read(goal: GoalRecord) -> ScoreboardRow:
        return read_goal(ledger, cycle, goal, at=at, policy=policy, child_row=rows.get)

    if moved:
        for goal_id, row in rows.items():
            if goal_id not in touched:
                rows[goal_id] = _retimed(row, cycle, at, expected, policy)
    for goal_id in touched:
        goal = ledger.goals.get(goal_id)
        if goal is None or goal.cycle_id != cycle.id or goal.occurred_at > at:
            continue
        old = rows.get(goal_id)
        new_row = read(goal)
        if new_row == old:
            continue
        rows[goal_id] = new_row
        old_parent, new_parent = _parent_of(old), _parent_of(new_row)
        _walk_up(ledger, rows, read, cycle=cycle, at=at, start=goal_id, parent=old_parent)
        if new_parent != old_parent:
            _walk_up(ledger, rows, read, cycle=cycle, at=at, start=goal_id, parent=new_parent)
    if moved:
        changed = list(rows)
    else:
        changed = [g for g, row in rows.items() if board.rows.get(g) is not row]
    new = attrs.evolve(board, at=at, expected=expected, rows=rows)
    return _BoardChange(cycle, board, new, changed, rebuilt=False)


def _walk_up(
    ledger: Ledger,
    rows: dict[UUID, ScoreboardRow],
    read: Callable[[GoalRecord], ScoreboardRow],
    *,
    cycle: CycleRecord,
    at: datetime,
    start: UUID,
    parent: UUID | None,
) -> None:
    """Re-read the goals above ``start`` along its recorded alignment while their rows change
    (as ``Scoreboard.apply`` does)."""
    seen = {start}
    current = parent
    while current is not None and current not in seen:
        seen.add(current)
        goal = ledger.goals.get(current)
        if goal is None or goal.occurred_at > at or goal.cycle_id != cycle.id:
            return
        row = read(goal)
        if rows.get(current) == row:
            return
        rows[current] = row
        current = _parent_of(row)


# -- the state a worker keeps -------------------------------------------------------------------


@attrs.define
class _State:
    """The worker's memory: the ledger up to ``position``, the latest business time seen, and
    every cycle's board at its instant; all of it consistent with the tables at ``position``."""

    folding: LedgerBuilder
    """The ledger, folded in place page after page and frozen when read (see :attr:`ledger`)."""
    position: int
    now: datetime | None
    boards: dict[UUID, Scoreboard] = attrs.Factory(dict)
    turned: dict[UUID, Turn | None] = attrs.Factory(dict)
    """What the radar learnt of when each goal turned at risk or off track (None: nothing);
    forgotten when the goal or one below it changes (see :func:`_forget_turnings`)."""
    committed_now: datetime | None = None
    """The latest business time seen at the last commit (what the tables were evaluated at)."""
    shown: set[UUID] = attrs.Factory(set)
    """The cycles on the live views at the last commit (their rows are in the tables)."""

    @property
    def ledger(self) -> Ledger:
        """The ledger up to ``position`` (frozen at the first read after a fold, so a batch of
        many pages pays for new goal records once, not once per page)."""
        return self.folding.freeze()

    def showing(self) -> set[UUID]:
        """The cycles on the live views now: every cycle not closed by the latest time seen."""
        now = self.now
        if now is None:
            return set()
        return {c.id for c in self.ledger.cycles.values() if _on_board(c, now)}

    def fold(self, events: Sequence[Event], position: int) -> None:
        """Apply a page of events."""
        if not events:
            return
        self.folding.apply_all(events)
        latest = max(e.occurred_at for e in events)
        if self.now is None or latest > self.now:
            self.now = latest
        self.position = position

    def build_boards(self) -> None:
        """Every cycle's board from scratch (after a replay)."""
        self.boards = {}
        if self.now is None:
            return
        for cycle in self.ledger.cycles.values():
            self.boards[cycle.id] = Scoreboard.build(
                self.ledger, cycle.id, at=_instant(cycle, self.now)
            )


@attrs.define
class _Batch:
    """A batch's effect, handed to each view to compute its patch."""

    state: _State
    dirty: _Dirty
    now: datetime
    moved: bool
    """Whether the latest business time moved in this batch."""
    boards: list[_BoardChange]
    shown: set[UUID]
    """The cycles whose rows were in the live tables before the batch."""


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


# -- the views ----------------------------------------------------------------------------------


class _View:
    """One materialized view: computes the patch of its table for a batch."""

    table: Table

    def __init__(self) -> None:
        self.position = 0
        self.full = False
        """Rewrite every row at the next write (the table lags behind the worker's memory)."""

    @property
    def name(self) -> str:
        return self.table.view

    def patch(self, batch: _Batch) -> _Patch:
        raise NotImplementedError

    def full_patch(self, state: _State) -> _Patch:
        raise NotImplementedError


class _BoardView(_View):
    """``view_board``: one row per goal of every cycle not closed, read at the cycle's instant."""

    table = BOARD

    @staticmethod
    def row(cycle_id: UUID, at: datetime, r: ScoreboardRow) -> Row:
        return (
            r.goal_id,
            cycle_id,
            at,
            r.title,
            _plain(r.kind),
            r.owner.kind,
            r.owner.id,
            r.status,
            r.weight,
            None if r.aligned_to is None else str(r.aligned_to),
            r.parent_id,
            r.theme_id,
            r.rolls_up,
            r.progress,
            r.raw_progress,
            r.expected,
            r.pace_gap,
            r.forecast,
            _plain(r.health),
            r.confidence,
            r.last_checkin_at,
            r.days_since_checkin,
            r.open_commitments,
            _plain(r.outcome),
        )

    def patch(self, batch: _Batch) -> _Patch:
        patch = _Patch(self.table)
        for change in batch.boards:
            cycle_id = change.cycle.id
            shown = _on_board(change.cycle, batch.now)
            was = cycle_id in batch.shown
            if was and not shown:
                patch.clear_cycles.append(cycle_id)
            if not shown:
                continue
            board = change.new
            goal_ids: Iterable[UUID] = board.rows if not was else change.changed
            if change.rebuilt and was:
                patch.clear_cycles.append(cycle_id)
                goal_ids = board.rows
            patch.upsert.extend(self.row(cycle_id, board.at, board.rows[g]) for g in goal_ids)
        return patch

    def full_patch(self, state: _State) -> _Patch:
        patch = _Patch(self.table, truncate=True)
        if state.now is None:
            return patch
        for cycle in state.ledger.cycles.values():
            board = state.boards.get(cycle.id)
            if board is not None and _on_board(cycle, state.now):
                patch.upsert.extend(self.row(cycle.id, board.at, r) for r in board.rows.values())
        return patch


_SHEET_FIELDS = (
    "owner",
    "status",
    "weight",
    "progress",
    "raw_progress",
    "outcome",
    "title",
    "kind",
)


class _SheetReader(Appraiser):
    """The core's appraiser, given the cycle's rows already read (the worker's board at the
    same instant) and only the rows of the person appraised, so a sheet costs its own goals."""

    def __init__(
        self,
        ledger: Ledger,
        cycle: CycleRecord,
        at: datetime,
        policy: Policy,
        rows: dict[UUID, ScoreboardRow],
    ) -> None:
        self.ledger = ledger
        self.cycle = cycle
        self.at = at
        self.policy = policy
        self.rows = rows


class _AppraisalView(_View):
    """``view_appraisal``: one row per cycle and person with a goal or an appraisal in it."""

    table = APPRAISAL

    def _rows(
        self, state: _State, cycle: CycleRecord, people: Iterable[str]
    ) -> tuple[list[Row], list[Row]]:
        """The rows of these people in the cycle, and the keys of those with no sheet."""
        assert state.now is not None
        now = state.now
        board = state.boards[cycle.id]
        by_owner: dict[str, dict[UUID, ScoreboardRow]] = {}
        for goal_id, row in board.rows.items():
            if row.owner.kind == "person":
                by_owner.setdefault(row.owner.id, {})[goal_id] = row
        policy = cycle.policy_at(now)
        upserts: list[Row] = []
        deletes: list[Row] = []
        for person in people:
            reader = _SheetReader(state.ledger, cycle, now, policy, by_owner.get(person, {}))
            if not reader.has_part(person):
                deletes.append((cycle.id, person))
                continue
            s = reader.sheet(person)
            upserts.append(
                (
                    cycle.id,
                    person,
                    now,
                    s.cycle_name,
                    len(s.goals),
                    s.attainment,
                    s.computed_rating,
                    s.recorded_rating,
                    s.calibrated_rating,
                    s.rating,
                    _plain(s.rating_source),
                    s.bonus_multiplier,
                )
            )
        return upserts, deletes

    @staticmethod
    def _everyone(state: _State, cycle: CycleRecord) -> list[str]:
        people = dict.fromkeys(state.ledger.organization.people)
        for cycle_id, person in state.ledger.appraisals:
            if cycle_id == cycle.id:
                people.setdefault(person)
        return list(people)

    def patch(self, batch: _Batch) -> _Patch:
        state = batch.state
        patch = _Patch(self.table, evaluated_at=batch.now if batch.moved else None)
        keys: dict[UUID, set[str]] = {}
        for cycle_id, person in batch.dirty.appraisals:
            keys.setdefault(cycle_id, set()).add(person)
        for change in batch.boards:
            cycle = change.cycle
            if change.rebuilt or cycle.id in batch.dirty.cycles:
                people: Iterable[str] = self._everyone(state, cycle)
            else:
                touched = keys.setdefault(cycle.id, set())
                assert change.old is not None
                for goal_id in change.changed:
                    old, new = change.old.rows.get(goal_id), change.new.rows[goal_id]
                    if old is not None and all(
                        getattr(old, n) == getattr(new, n) for n in _SHEET_FIELDS
                    ):
                        continue
                    for row in (old, new):
                        if row is not None and row.owner.kind == "person":
                            touched.add(row.owner.id)
                staff = state.ledger.organization.people
                appraised = state.ledger.appraisals
                people = sorted(p for p in touched if p in staff or (cycle.id, p) in appraised)
            if people:
                upserts, deletes = self._rows(state, cycle, people)
                patch.upsert.extend(upserts)
                patch.delete.extend(deletes)
            keys.pop(cycle.id, None)
        for cycle_id, people in keys.items():
            known = state.ledger.cycles.get(cycle_id)
            if known is not None and cycle_id in state.boards:
                upserts, deletes = self._rows(state, known, sorted(people))
                patch.upsert.extend(upserts)
                patch.delete.extend(deletes)
        return patch

    def full_patch(self, state: _State) -> _Patch:
        patch = _Patch(self.table, truncate=True)
        if state.now is None:
            return patch
        for cycle in state.ledger.cycles.values():
            upserts, _ = self._rows(state, cycle, self._everyone(state, cycle))
            patch.upsert.extend(upserts)
        return patch


class _RadarView(_View):
    """``view_radar``: one row per person and coach of every cycle not closed, read at the
    cycle's instant (the whole cycle is re-read at each batch; what is known of when each goal
    turned at risk is remembered until the goal, a goal below it or the cycle's policy
    changes)."""

    table = RADAR

    def cycle_rows(self, state: _State, cycle: CycleRecord) -> list[Row]:
        """Every radar row of the cycle (as ``views.coaching_radar`` reads them)."""
        assert state.now is not None
        ledger = state.ledger
        board = state.boards[cycle.id]
        at = board.at
        in_force = cycle.policy_at(at)
        short, long = in_force.coaching_windows_days
        org = ledger.organization_at(at)
        mine = _goals_by_person(org, ledger, board)
        rows: list[Row] = []
        for person in org.active_people():
            journal = ledger.journal(person.id)
            sessions = journal.sessions_by(at)
            uncoached_ids = self._uncoached(state, cycle, journal, mine.get(person.id, ()), at)
            overdue = tuple(
                c.id
                for c in journal.commitments.values()
                if c.occurred_at <= at and c.status_at(at) == "open" and c.due_on < at.date()
            )
            coaches: dict[str, str] = {}
            if person.manager_id is not None:
                coaches[person.manager_id] = "manager"
            for coach, coached in sorted(org.coaches):
                if coached == person.id:
                    coaches.setdefault(coach, "authorised")
            long_start = at - timedelta(days=long)
            short_start = at - timedelta(days=short)
            for s in sessions:
                if s.occurred_at > long_start:
                    coaches.setdefault(s.coach_id, "other")
            if not coaches:
                rows.append(
                    (cycle.id, person.id, "", at, "none", short, long, 0, 0, None,
                     uncoached_ids, overdue)
                )  # fmt: skip
            for coach, relation in coaches.items():
                theirs = [s for s in sessions if s.coach_id == coach]
                rows.append(
                    (
                        cycle.id,
                        person.id,
                        coach,
                        at,
                        relation,
                        short,
                        long,
                        sum(1 for s in theirs if s.occurred_at > short_start),
                        sum(1 for s in theirs if s.occurred_at > long_start),
                        max((s.occurred_at for s in theirs), default=None),
                        uncoached_ids,
                        overdue,
                    )
                )
        return rows

    def _uncoached(
        self,
        state: _State,
        cycle: CycleRecord,
        journal: JournalRecord,
        goals: Sequence[ScoreboardRow],
        at: datetime,
    ) -> tuple[UUID, ...]:
        """As ``views.radar.uncoached_goals`` (policy in force), reading each goal's timeline
        only as far back as the answer needs, and keeping what it learnt of the turns."""
        found: list[UUID] = []
        sessions: tuple[Any, ...] | None = None
        for row in goals:
            if row.status != "active" or row.health not in _FLAGGED:
                continue
            if sessions is None:
                sessions = journal.sessions_by(at)
            coached, state.turned[row.goal_id] = coached_since_turning(
                state.ledger,
                cycle,
                row.goal_id,
                sessions=sessions,
                at=at,
                policy=None,
                known=state.turned.get(row.goal_id),
            )
            if not coached:
                found.append(row.goal_id)
        return tuple(found)

    def patch(self, batch: _Batch) -> _Patch:
        patch = _Patch(self.table)
        for change in batch.boards:
            cycle = change.cycle
            if cycle.id in batch.shown:
                patch.clear_cycles.append(cycle.id)
            if _on_board(cycle, batch.now):
                patch.upsert.extend(self.cycle_rows(batch.state, cycle))
        return patch

    def full_patch(self, state: _State) -> _Patch:
        patch = _Patch(self.table, truncate=True)
        if state.now is None:
            return patch
        for cycle in state.ledger.cycles.values():
            if cycle.id in state.boards and _on_board(cycle, state.now):
                patch.upsert.extend(self.cycle_rows(state, cycle))
        return patch


def _goals_by_person(
    org: Organization, ledger: Ledger, board: Scoreboard
) -> dict[str, list[ScoreboardRow]]:
    """The rows each person answers for (their own, and their units' as the lead), in the
    order the goals were set (as ``views.radar.goals_of_person``, for everyone at once)."""
    mine: dict[str, list[ScoreboardRow]] = {}
    goals = ledger.goals
    for row in sorted(board.rows.values(), key=lambda r: goals[r.goal_id].seq):
        owner = row.owner
        if owner.kind == "person":
            mine.setdefault(owner.id, []).append(row)
        elif owner.kind == "unit":
            unit = org.units.get(owner.id)
            if unit is not None and unit.lead_id is not None:
                mine.setdefault(unit.lead_id, []).append(row)
    return mine


def _forget_turnings(state: _State, goals: Iterable[UUID], cycles: Iterable[UUID]) -> None:
    """Drop the remembered turning instants that the batch may have changed: of the touched
    goals and every goal ever above them, and of every goal of a cycle with a cycle event."""
    if not state.turned:
        return
    ledger = state.ledger
    cycles = set(cycles)
    if cycles:
        for goal_id in list(state.turned):
            record = ledger.goals.get(goal_id)
            if record is None or record.cycle_id in cycles:
                del state.turned[goal_id]
    parents: dict[UUID, list[UUID]] = {}
    for parent, children in ledger.children.items():
        for child in children:
            parents.setdefault(child, []).append(parent)
    stack = list(goals)
    seen: set[UUID] = set()
    while stack:
        goal_id = stack.pop()
        if goal_id in seen:
            continue
        seen.add(goal_id)
        state.turned.pop(goal_id, None)
        stack.extend(parents.get(goal_id, ()))


_VIEW_CLASSES: Mapping[str, type[_View]] = {
    "board": _BoardView,
    "appraisal": _AppraisalView,
    "radar": _RadarView,
}


def parse_views(views: str | Iterable[str]) -> tuple[str, ...]:
    """View names from ``"board,radar"`` or a list; every name must be known."""
    names = [v.strip() for v in views.split(",")] if isinstance(views, str) else list(views)
    names = [n for n in names if n]
    unknown = [n for n in names if n not in VIEWS]
    if unknown or not names:
        raise InvalidInput(f"unknown views {unknown or names}: choose from {', '.join(VIEWS)}")
    return tuple(dict.fromkeys(names))


@contextmanager
def _gc_paused(paused: bool) -> Iterator[None]:
    """Pause the cyclic garbage collector: a catch-up allocates millions of long-lived,
    acyclic objects, and the collector would otherwise rescan the growing ledger again and
    again (measured: half of the catch-up time). Reference counting still frees everything."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- the worker ---------------------------------------------------------------------------------

_MAX_CONFLICTS = 10
"""Tracking conflicts in a row after which a catch-up returns (the next call goes on)."""

_MAX_BACKOFF = 60.0
"""The longest pause, in seconds, between tries while the database is unreachable."""

_Ref = tuple[int, str, str]
"""An event as a parked row names it: (notification id, stream id, stored type)."""


def _ref(position: int, event: Event) -> _Ref:
    return position, str(event.stream_id), type(event).name or type(event).__name__


class _Unreadable(Exception):
    """A stored event that cannot be decoded: every view of the worker parks on it."""

    def __init__(self, notification: Notification, error: BaseException) -> None:
        super().__init__(str(error))
        self.ref: _Ref = (notification.id, str(notification.originator_id), notification.topic)
        self.error = error


class _Refused(Exception):
    """A batch ending at ``upto`` failed because of one of its events, not known yet."""

    def __init__(self, upto: int) -> None:
        super().__init__(upto)
        self.upto = upto


class _Poisoned(Exception):
    """The ledger every view reads cannot take an event: every active view was parked on it."""


class ViewWorker:
    """Keeps view tables current from a store's notification log, exactly once.

    ``store`` is an open :class:`ExecutionStore` or a store URL (then the worker
    opens it and closes it on :meth:`close`). The view tables live in the store's database
    (the same SQLite file, the same PostgreSQL schema) unless ``views_url`` names another.
    ``page_size`` notifications are read per query. A transaction commits whenever a pass
    reaches the end of the log (or ``limit``, or ``stop_event``), and in between once
    ``batch_size`` events are pending, provided the rows' cost stays within ``commit_share``
    of the time (see :meth:`_commit_due`; None: at every full batch).
    ``progress`` is called after each page; ``before_commit(position)`` inside each batch's
    transaction just before it commits (raising aborts the batch: tests simulate crashes so).
    ``pause_gc`` pauses the cyclic garbage collector during a pass (see :func:`_gc_paused`).
    An event a view cannot take parks that view (see :meth:`parked`) and the others go on.
    """

    def __init__(
        self,
        store: ExecutionStore | str,
        views: str | Iterable[str] = VIEWS,
        *,
        views_url: str | None = None,
        page_size: int = 5_000,
        batch_size: int = 100_000,
        progress: Progress | None = None,
        commit_share: float | None = 0.1,
        pause_gc: bool = True,
        before_commit: Callable[[int], None] | None = None,
    ) -> None:
        if page_size < 1 or batch_size < 1:
            raise InvalidInput("page_size and batch_size must be at least 1")
        if commit_share is not None and not 0.0 < commit_share <= 1.0:
            raise InvalidInput("commit_share must be within (0, 1], or None")
        self.views = parse_views(views)
        self._owns_store = isinstance(store, str)
        self.store = open_store(store) if isinstance(store, str) else store
        self._views_factory: InfrastructureFactory[Any] | None = None
        try:
            if views_url is None:
                factory = self.store.app.factory
            else:
                factory = InfrastructureFactory.construct(
                    Environment(APPLICATION_NAME, store_env(views_url))
                )
                self._views_factory = factory
            self.recorder = _view_recorder(factory)
        except BaseException:
            self.close()
            raise
        self._views = [_VIEW_CLASSES[name]() for name in self.views]
        self.recorder.create_views(v.table for v in self._views)
        self.page_size = page_size
        self.batch_size = batch_size
        self.progress = progress
        self.commit_share = commit_share
        self.pause_gc = pause_gc
        self.before_commit = before_commit
        self._commit_cost = 0.0
        self._committed_at = time.perf_counter()
        self.commits = 0
        """How many batches this worker committed (a counter, for monitoring)."""
        self.commit_seconds = 0.0
        """Time spent computing and writing rows and committing, in seconds (a counter)."""
        self.conflicts = 0
        """How many batches were refused because another worker had applied them first (a
        counter: each one only made this worker reload from the tracked position)."""
        self._state: _State | None = None
        self._lock = threading.Lock()
        self._parked: dict[str, ParkedView] = {}
        self._isolate_until: int | None = None
        """Apply one event per commit, each view alone, up to this position (a batch failed)."""
        self._applied = 0

    # -- the public surface --------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        """The tracked position of each of the worker's views (0: nothing applied yet)."""
        return {
            v.name: self.recorder.max_tracking_id(tracking_name(v.name)) or 0 for v in self._views
        }

    def parked(self) -> dict[str, ParkedView]:
        """The worker's views that are parked (as recorded, by any worker), by name."""
        return {name: p for name, p in self.recorder.parked().items() if name in self.views}

    def status(self) -> list[ViewStatus]:
        """Each view's position, the log's head, the events still to apply (read from the log,
        receipts left out) and why it is parked, if it is."""
        positions = self.positions()
        parked = self.parked()
        head = self.store.last_position()
        ids = self._event_ids(after=min(positions.values()))
        return [
            ViewStatus(
                view,
                positions[view],
                head,
                len(ids) - bisect.bisect_right(ids, positions[view]),
                parked.get(view),
            )
            for view in self.views
        ]

    def catch_up(
        self, *, limit: int | None = None, stop_event: threading.Event | None = None
    ) -> int:
        """Apply every event recorded after the tracked positions (at most ``limit``); return how
        many were applied. Stops early, after committing what it applied, when ``stop_event``
        is set. Parked views are skipped; a view that cannot take an event is parked on it
        and the others go on; a batch another worker applied first is dropped and the worker
        goes on from the position tracked (see :attr:`conflicts`)."""
        with self._lock, _gc_paused(self.pause_gc):
            self._applied = 0
            conflicts = 0
            while True:
                try:
                    self._catch_up(limit, stop_event)
                except TrackingConflict:
                    self._state = None  # another worker went further: reload from there
                    self.conflicts += 1
                    conflicts += 1
                    if conflicts < _MAX_CONFLICTS:
                        continue
                except _Refused as refused:
                    self._state = None  # find the event: one at a time up to the batch's end
                    self._isolate_until = refused.upto
                    continue
                except _Unreadable as unreadable:
                    self._state = None
                    for view in self._active():
                        self._park(view, unreadable.ref, unreadable.error)
                except _Poisoned:
                    self._state = None  # the ledger took part of an event: reload next time
                except BaseException:
                    self._state = None  # memory may be ahead of the tables: reload next time
                    raise
                return self._applied

    def rebuild(self, *, stop_event: threading.Event | None = None) -> int:
        """Drop the view tables, their tracking positions and parked rows, then catch up from
        the start (a view whose cause was fixed is so un-parked; one still failing parks
        again)."""
        with self._lock:
            tables = [v.table for v in self._views]
            self.recorder.drop_views(tables)
            self.recorder.create_views(tables)
            self._state = None
            self._parked = {}
            self._isolate_until = None
        return self.catch_up(stop_event=stop_event)

    def run(self, poll_interval: float = 1.0, stop_event: threading.Event | None = None) -> None:
        """Catch up, then poll for new events every ``poll_interval`` seconds until
        ``stop_event`` is set. When the database is unreachable it tries again after a pause
        that doubles up to a minute; any other error is raised."""
        stop = stop_event or threading.Event()
        pause = poll_interval
        while not stop.is_set():
            try:
                applied = self.catch_up(stop_event=stop)
            except (OperationalError, InterfaceError):
                stop.wait(pause)
                pause = min(pause * 2, max(_MAX_BACKOFF, poll_interval))
                continue
            pause = poll_interval
            if not applied:
                stop.wait(poll_interval)

    def rows(self, view: str) -> list[dict[str, Any]]:
        """The rows of a view table as Python values (uuid, datetime, bool, tuple), by key."""
        return self.recorder.select_rows(TABLES[parse_views([view])[0]])

    def close(self) -> None:
        """Close the views database (when separate) and the store (when the worker opened it)."""
        if self._views_factory is not None:
            self._views_factory.close()
            self._views_factory = None
        if self._owns_store:
            self.store.close()
            self._owns_store = False

    def __enter__(self) -> ViewWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parking -------------------------------------------------------------------------------

    def _active(self) -> list[_View]:
        """The views not parked."""
        return [v for v in self._views if v.name not in self._parked]

    def _refresh_parked(self) -> None:
        """Read which views are parked (another worker may have parked one, a rebuild may have
        un-parked one); log each newly found one once."""
        parked = self.parked()
        for name in parked.keys() - self._parked.keys():
            _LOG.error("%s; skipped until rebuilt", parked[name].describe())
        if self._parked.keys() - parked.keys():
            self._state = None  # un-parked by a rebuild: reload from its position
        self._parked = parked

    def _park(self, view: _View, ref: _Ref, error: BaseException) -> None:
        """Record ``view`` as parked on the event ``ref``; the view stays tracked before it."""
        position, stream_id, event_type = ref
        parked = ParkedView(
            view.name, position, stream_id, event_type, _error_text(error), datetime.now(UTC)
        )
        self.recorder.park(parked)
        self._parked[view.name] = parked
        _LOG.error("%s; the other views go on", parked.describe())

    def _park_all(self, ref: _Ref, error: BaseException) -> None:
        for view in self._active():
            self._park(view, ref, error)

    # -- the work ------------------------------------------------------------------------------

    def _event_ids(self, after: int) -> list[int]:
        """The positions of the events after ``after`` (receipts left out), in order."""
        select = self.store.app.recorder.select_notifications
        ids: list[int] = []
        position = after
        while True:
            notifications = select(start=position, limit=self.page_size, inclusive_of_start=False)
            ids.extend(n.id for n in notifications if n.topic != RECEIPT_TOPIC)
            if len(notifications) < self.page_size:
                return ids
            position = notifications[-1].id

    def _pages(
        self, start: int, stop: int | None, done: int, total: int
    ) -> Generator[tuple[list[int], list[Event]], None, None]:
        """Pages of (positions, decoded events) after ``start`` (up to ``stop``), reporting
        progress after each. An event that cannot be decoded ends the pages: the events
        before it are yielded, then ``_Unreadable`` is raised."""
        select = self.store.app.recorder.select_notifications
        decode = self.store.app.mapper.to_domain_event
        position = start
        while True:
            notifications: Sequence[Notification] = select(
                start=position, limit=self.page_size, stop=stop, inclusive_of_start=False
            )
            if not notifications:
                return
            # Receipts of idempotency keys share the events table; they are no view's events.
            kept = [n for n in notifications if n.topic != RECEIPT_TOPIC]
            unreadable: _Unreadable | None = None
            try:
                events = [cast(Event, decode(n)) for n in kept]
            except Exception:  # any failure to decode is the event's: find which one
                events = []
                for notification in kept:
                    try:
                        events.append(cast(Event, decode(notification)))
                    except Exception as error:
                        unreadable = _Unreadable(notification, error)
                        break
            ids = [n.id for n in kept[: len(events)]]
            position = notifications[-1].id
            done += len(events)
            if self.progress is not None:
                self.progress(done, max(total, done))
            if events:
                yield ids, events
            if unreadable is not None:
                raise unreadable
            if len(notifications) < self.page_size:
                return

    def _load(self) -> tuple[_State, int]:
        """The state at the tracked positions of the active views: the ledger replayed without
        writing a row."""
        positions = self.positions()
        active = self._active()
        start = min(positions[v.name] for v in active)
        for view in active:
            view.position = positions[view.name]
            view.full = view.position > start
        state = _State(LedgerBuilder(), 0, None)
        replayed = 0
        if start:
            total = self.store.last_position()
            for ids, events in self._pages(0, start, 0, total):
                state.fold(events, ids[-1])
                replayed += len(events)
            state.position = start
        state.build_boards()
        state.committed_now = state.now
        state.shown = state.showing()
        return state, replayed

    def _catch_up(self, limit: int | None, stop_event: threading.Event | None) -> None:
        """One pass; what it commits is counted in ``_applied``. Raises ``_Refused`` when a
        batch fails because of an event (then the caller isolates it, see ``_isolate_until``)."""
        self._refresh_parked()
        remaining = None if limit is None else limit - self._applied
        if (remaining is not None and remaining <= 0) or not self._active():
            return
        done = 0
        if self._state is None:
            self._state, done = self._load()
        state = self._state
        total = done + max(0, self.store.last_position() - state.position)
        applied = 0
        dirty = _Dirty()
        pages = self._pages(state.position, None, done, total)
        try:
            for ids, page in pages:
                events = page
                if remaining is not None and applied + len(events) > remaining:
                    events = events[: remaining - applied]
                stopping = (remaining is not None and applied + len(events) >= remaining) or (
                    stop_event is not None and stop_event.is_set()
                )
                if not self._take(state, dirty, ids, events):
                    return  # every view is parked
                applied += len(events)
                done += len(events)
                full = dirty.events >= self.batch_size and self._commit_due()
                if dirty.events and (stopping or full):
                    self._commit(state, dirty)
                    dirty = _Dirty()
                if stopping:
                    break
        except _Unreadable:
            if dirty.events:
                self._commit(state, dirty)  # what came before the event, then park on it
            raise
        finally:
            pages.close()
        if dirty.events:
            self._commit(state, dirty)
        if self.progress is not None:
            self.progress(done, done)

    def _take(
        self, state: _State, dirty: _Dirty, ids: Sequence[int], events: Sequence[Event]
    ) -> bool:
        """Fold a page into the batch, or apply it one event at a time while isolating a
        failure; False when every view is parked."""
        if self._isolate_until is not None:
            return self._apply_page_alone(state, ids, events)
        try:
            state.fold(events, ids[len(events) - 1])
        except Exception as error:
            raise _Refused(ids[len(events) - 1]) from error
        dirty.note(events)
        return True

    def _apply_page_alone(self, state: _State, ids: Sequence[int], events: Sequence[Event]) -> bool:
        """Apply a page one event at a time (see :meth:`_apply_alone`), and leave the isolation
        once past its end; False when no view is left to apply them to."""
        for position, event in zip(ids, events, strict=False):
            self._apply_alone(state, position, event)
            if not self._active():
                return False
        if self._isolate_until is not None and ids[len(events) - 1] >= self._isolate_until:
            self._isolate_until = None
        return True

    def _apply_alone(self, state: _State, position: int, event: Event) -> None:
        """Apply one event and commit it for each active view in its own transaction; a view
        that cannot take it is parked on it (every view, when the shared ledger cannot)."""
        try:
            state.fold([event], position)
        except Exception as error:
            self._park_all(_ref(position, event), error)
            raise _Poisoned from error
        dirty = _Dirty()
        dirty.note([event])
        self._commit(state, dirty, alone=_ref(position, event))

    def _commit_due(self) -> bool:
        """Whether a full batch may commit now: always without ``commit_share``; else once the
        time since the last commit is long enough for that commit's cost to be at most
        ``commit_share`` of the whole (so a large catch-up commits less often)."""
        if self.commit_share is None:
            return True
        since = time.perf_counter() - self._committed_at
        return since * self.commit_share >= self._commit_cost * (1.0 - self.commit_share)

    def _commit(self, state: _State, dirty: _Dirty, alone: _Ref | None = None) -> None:
        """Compute the patches of the batch at its end and write them with the position; the
        memory stays consistent with the tables (on failure the caller drops it)."""
        started = time.perf_counter()
        self._write_batch(state, dirty, alone)
        self._committed_at = time.perf_counter()
        self._commit_cost = self._committed_at - started
        self.commits += 1
        self.commit_seconds += self._commit_cost
        self._applied += dirty.events

    def _board_changes(self, state: _State, dirty: _Dirty) -> _Batch:
        """Every cycle's board at the batch end (what every view reads)."""
        assert state.now is not None
        ledger = state.ledger
        dirty.resolve(ledger)
        by_cycle: dict[UUID, list[UUID]] = {}
        for goal_id in dirty.goals:
            goal: GoalRecord | None = ledger.goals.get(goal_id)
            if goal is not None:
                by_cycle.setdefault(goal.cycle_id, []).append(goal_id)
        changes = [
            _update_board(
                ledger,
                cycle,
                None if cycle.id in dirty.cycles else state.boards.get(cycle.id),
                by_cycle.get(cycle.id, ()),
                state.now,
            )
            for cycle in ledger.cycles.values()
        ]
        _forget_turnings(state, dirty.goals, [c.cycle.id for c in changes if c.rebuilt])
        state.boards = {c.cycle.id: c.new for c in changes}
        return _Batch(
            state, dirty, state.now, state.now != state.committed_now, changes, state.shown
        )

    def _write_batch(self, state: _State, dirty: _Dirty, alone: _Ref | None) -> None:
        """Write the batch: all views in one transaction; or, for one event (``alone``), each
        view in its own, parking a view that cannot take it."""
        due = [v for v in self._active() if v.position < state.position]
        try:
            batch = self._board_changes(state, dirty)
        except Exception as error:
            if alone is None:
                raise _Refused(state.position) from error
            self._park_all(alone, error)
            raise _Poisoned from error
        written: list[_View] = []
        if alone is None:
            try:
                patches = [v.full_patch(state) if v.full else v.patch(batch) for v in due]
            except Exception as error:
                raise _Refused(state.position) from error
            if patches:
                since = {v.name: v.position for v in due}
                try:
                    self.recorder.write(patches, state.position, self.before_commit, since)
                except _RowsRefused as error:
                    raise _Refused(state.position) from error
            written = due
        else:
            for view in due:
                try:
                    patch = view.full_patch(state) if view.full else view.patch(batch)
                except Exception as error:
                    self._park(view, alone, error)
                    continue
                try:
                    self.recorder.write(
                        [patch], state.position, self.before_commit, {view.name: view.position}
                    )
                except _RowsRefused as refused:
                    self._park(view, alone, refused.error)
                    continue
                written.append(view)
        for view in written:
            view.position = state.position
            view.full = False
        state.committed_now = state.now
        state.shown = state.showing()
