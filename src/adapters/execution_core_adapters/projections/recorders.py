"""The SQL side of the view tables, per backend: tracking recorders of eventsourcing's SQLite
and PostgreSQL ones that also create, patch, read and drop the view tables, writing a batch's
rows and its tracking position in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    OperationalError,
    TrackingRecorder,
)
from eventsourcing.sqlite import SQLiteFactory, SQLiteTrackingRecorder

from execution_core.errors import InvalidInput
from execution_core.signals import Signal
from execution_core.views.live import Row, RowChanges
from execution_core_adapters.projections.tables import (
    PARKED,
    SIGNAL_COLUMNS,
    SIGNALS_TABLE,
    ParkedView,
    Table,
    tracking_name,
)
from execution_core_adapters.storage.opening import connecting_as_configured

__all__ = [
    "Patch",
    "RowsRefused",
    "SQLiteViewRecorder",
    "TrackingConflict",
    "ViewRecorder",
    "view_recorder",
]


class TrackingConflict(IntegrityError):
    """Another worker already tracked a view at or past where this batch starts: nothing was
    written, and the worker reloads from the tracked position (normal with several workers)."""


class RowsRefused(Exception):
    """The database refused a view's rows (a data error, a constraint): not a conflict, not a
    lost connection."""

    def __init__(self, view: str, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.view = view
        self.error = error


@attrs.frozen
class Patch:
    """A live projection's row changes for one view table."""

    table: Table
    changes: RowChanges


class ViewRecorder(TrackingRecorder):
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

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A transaction on the views' database, committed when the block ends (rolled back
        when it raises); yields the driver's cursor (rows as mappings, ``placeholder`` for
        parameters): for a writer that keeps rows of its own beside the views and the signal
        log, such as a dispatcher's positions, in one transaction with what it reads."""
        with self._transaction() as cursor:
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
        columns = ", ".join(f"{c.name} {self.column_type(c.kind)} NOT NULL" for c in PARKED.columns)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.view_table(PARKED)} "
            f"({columns}, PRIMARY KEY (view_name))",
            *self._signals_ddl(),
        ]
        for table in tables:
            statements.extend(self._ddl(table))
        # One statement a transaction: CREATE INDEX takes a SHARE lock on its table even when
        # the index exists, and a starting worker that held it on one table while asking for
        # another deadlocked with a running worker writing both (PostgreSQL). Holding one lock
        # at a time, a starter only waits. Every statement is idempotent.
        for statement in statements:
            with self._transaction() as cursor:
                cursor.execute(statement)
        for table in tables:
            with self._transaction() as cursor:
                cursor.execute(
                    f"INSERT INTO {self.tracking_table()} (application_name, notification_id) "
                    f"VALUES ({p}, 0) ON CONFLICT (application_name) DO NOTHING",
                    (tracking_name(table.view),),
                )

    def signals_table(self) -> str:
        """The signal log's table (``view_signals``) as SQL names it."""
        raise NotImplementedError

    def _signals_ddl(self) -> list[str]:
        raise NotImplementedError

    def create_signals(self) -> None:
        """Create the signal log's table if it does not exist yet."""
        for statement in self._signals_ddl():  # one a transaction, as in create_views
            with self._transaction() as cursor:
                cursor.execute(statement)

    def _insert_signals(self, cursor: Any, signals: Sequence[Signal]) -> None:
        """Append signals to the log; one whose key is logged already is skipped."""
        p = self.placeholder
        names = ", ".join(SIGNAL_COLUMNS)
        cursor.executemany(
            f"INSERT INTO {self.signals_table()} ({names}) "
            f"VALUES ({', '.join(p for _ in SIGNAL_COLUMNS)}) ON CONFLICT (key) DO NOTHING",
            [
                (
                    s.key,
                    s.kind.value,
                    None if s.cycle_id is None else str(s.cycle_id),
                    None if s.goal_id is None else str(s.goal_id),
                    s.person_id,
                    s.unit_id,
                    self._key_value("time", s.at),
                    s.cause.position,
                    s.to_json(),
                )
                for s in signals
            ],
        )

    def select_signals(
        self, after_seq: int, limit: int, where: str = "", values: Sequence[Any] = ()
    ) -> list[tuple[int, str]]:
        """Up to ``limit`` logged signals after ``after_seq``, in log order: (seq, JSON)."""
        p = self.placeholder
        with self._transaction() as cursor:
            cursor.execute(
                f"SELECT seq, signal FROM {self.signals_table()} WHERE seq > {p}{where} "
                f"ORDER BY seq LIMIT {p}",
                (after_seq, *values, limit),
            )
            return [(int(row["seq"]), str(row["signal"])) for row in cursor.fetchall()]

    def last_signal_seq(self) -> int:
        """The newest position of the signal log (0: empty)."""
        with self._transaction() as cursor:
            cursor.execute(f"SELECT MAX(seq) AS seq FROM {self.signals_table()}")
            row = cursor.fetchone()
        return 0 if row is None or row["seq"] is None else int(row["seq"])

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
        patches: Sequence[Patch],
        position: int,
        before_commit: Callable[[int], None] | None = None,
        since: Mapping[str, int] | None = None,
        *,
        signals: Sequence[Signal] = (),
        track: bool = True,
    ) -> None:
        """Apply the patches, append ``signals`` to the signal log (``view_signals``; a key
        already logged is skipped) and track ``position`` for each patched view, in one
        transaction. ``track`` False (a clock tick: no new event) writes the rows at the
        position already tracked, which ``since`` must then name.
        (TrackingConflict, and nothing written, when a view is already tracked at or past it).
        With ``since`` (view: the position the batch starts from), the batch is also refused
        unless each view is still tracked exactly there: a compare-and-set under the tracking
        row's lock, so two workers of one view never both apply the same events. Rows the
        database refuses raise ``RowsRefused`` (naming the view); a lost or busy database
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
                    raise RowsRefused(patch.table.view, error) from error
                if not track:
                    continue
                try:
                    self._track(cursor, tracking_name(patch.table.view), position)
                except self.integrity as error:
                    raise TrackingConflict(
                        f"{tracking_name(patch.table.view)} is already tracked at or past "
                        f"{position}: another worker applied these events"
                    ) from error
            if signals:
                try:
                    self._insert_signals(cursor, signals)
                except self.transient:
                    raise
                except Exception as error:
                    raise RowsRefused("signals", error) from error
            if before_commit is not None:
                before_commit(position)

    def _track(self, cursor: Any, name: str, position: int) -> None:
        """Move a tracking row forward to ``position`` in the write's transaction, refused
        (``IntegrityError``) unless it is past the position tracked: eventsourcing's single-row
        tracking, written here on its table so that only the table's layout, not the library's
        private methods, is relied on."""
        p = self.placeholder
        table = self.tracking_table()
        cursor.execute(
            f"INSERT INTO {table} (application_name, notification_id) VALUES ({p}, {p}) "
            "ON CONFLICT (application_name) DO UPDATE "
            "SET notification_id = excluded.notification_id "
            f"WHERE {table}.notification_id < excluded.notification_id "
            "RETURNING notification_id",
            (name, position),
        )
        if cursor.fetchone() is None:
            raise IntegrityError(f"{name} is already tracked at or past {position}")

    def _apply(self, cursor: Any, patch: Patch) -> None:
        """Write a patch's rows (a row the database refuses raises the driver's error)."""
        p = self.placeholder
        table = patch.table
        name = self.view_table(table)
        if patch.changes.truncate:
            cursor.execute(f"DELETE FROM {name}")
        if patch.changes.clear_cycles:
            cursor.executemany(
                f"DELETE FROM {name} WHERE cycle_id = {p}",
                [(self._key_value("uuid", c),) for c in patch.changes.clear_cycles],
            )
        if patch.changes.delete:
            where = " AND ".join(f"{k} = {p}" for k in table.key)
            kinds = [self._kind(table, k) for k in table.key]
            cursor.executemany(
                f"DELETE FROM {name} WHERE {where}",
                [
                    tuple(self._key_value(k, v) for k, v in zip(kinds, key, strict=True))
                    for key in patch.changes.delete
                ],
            )
        if patch.changes.evaluated_at is not None:
            cursor.execute(
                f"UPDATE {name} SET evaluated_at = {p}",
                (self._key_value("time", patch.changes.evaluated_at),),
            )
        if patch.changes.timed:
            cursor.executemany(
                f"UPDATE {name} SET evaluated_at = {p} WHERE cycle_id = {p}",
                [
                    (self._key_value("time", timed.at), self._key_value("uuid", timed.cycle_id))
                    for timed in patch.changes.timed
                ],
            )
        if patch.changes.paced:
            cursor.executemany(
                f"UPDATE {name} SET evaluated_at = {p}, expected = {p}, "
                f"pace_gap = progress - {p} WHERE cycle_id = {p}",
                [
                    (
                        self._key_value("time", paced.at),
                        paced.expected,
                        paced.expected,
                        self._key_value("uuid", paced.cycle_id),
                    )
                    for paced in patch.changes.paced
                ],
            )
        if patch.changes.upsert:
            cursor.executemany(self._upsert_sql(table), self._adapt_rows(table, patch))

    def adapt_time(self, value: datetime) -> Any:
        """An instant as this database takes it in a query."""
        return self._key_value("time", value)

    def _kind(self, table: Table, column: str) -> str:
        return next(c.kind for c in table.columns if c.name == column)

    def _key_value(self, kind: str, value: Any) -> Any:
        adapt = self.adapt(kind)
        return value if adapt is None else adapt(value)

    def _adapt_rows(self, table: Table, patch: Patch) -> list[Row]:
        adapters = [self.adapt(c.kind) for c in table.columns]
        if not any(adapters):
            return patch.changes.upsert
        pairs = [(i, a) for i, a in enumerate(adapters) if a is not None]
        rows: list[Row] = []
        for row in patch.changes.upsert:
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


class SQLiteViewRecorder(SQLiteTrackingRecorder, ViewRecorder):
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

    def signals_table(self) -> str:
        return SIGNALS_TABLE

    def _signals_ddl(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {SIGNALS_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, cycle_id TEXT, goal_id TEXT, "
            "person_id TEXT, unit_id TEXT, at TEXT NOT NULL, position INTEGER NOT NULL, "
            "signal TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {SIGNALS_TABLE}_at ON {SIGNALS_TABLE} (at)",
        ]

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


def _postgres_recorder_class() -> type[ViewRecorder]:
    """The PostgreSQL view recorder (built on first use: psycopg is an optional dependency)."""
    global _POSTGRES_RECORDER  # noqa: PLW0603 - a class built once, on first use
    if _POSTGRES_RECORDER is not None:
        return _POSTGRES_RECORDER
    import psycopg
    from eventsourcing.postgres import PostgresTrackingRecorder

    class PostgresViewRecorder(PostgresTrackingRecorder, ViewRecorder):
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

        def signals_table(self) -> str:
            return f"{self._schema()}.{_quote(SIGNALS_TABLE)}"

        def _signals_ddl(self) -> list[str]:
            table = self.signals_table()
            index = _quote(f"{SIGNALS_TABLE}_at")
            return [
                f"CREATE TABLE IF NOT EXISTS {table} (seq bigint GENERATED ALWAYS AS IDENTITY "
                "PRIMARY KEY, key text NOT NULL UNIQUE, kind text NOT NULL, cycle_id text, "
                "goal_id text, person_id text, unit_id text, at timestamptz NOT NULL, "
                "position bigint NOT NULL, signal text NOT NULL)",
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} (at)",
            ]

        def column_type(self, kind: str) -> str:
            return self._TYPES[kind]

        def adapt(self, kind: str) -> Callable[[Any], Any] | None:
            return _json_list if kind == "list" else None

        def convert_back(self, kind: str, value: Any) -> Any:
            return _convert_back(kind, value)

    _POSTGRES_RECORDER = PostgresViewRecorder
    return PostgresViewRecorder


_POSTGRES_RECORDER: type[ViewRecorder] | None = None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def view_recorder(factory: InfrastructureFactory[Any]) -> ViewRecorder:
    """The view recorder for an eventsourcing factory (SQLite or PostgreSQL)."""
    if isinstance(factory, SQLiteFactory):
        return cast(ViewRecorder, factory.tracking_recorder(SQLiteViewRecorder))
    from eventsourcing.postgres import PostgresFactory

    if isinstance(factory, PostgresFactory):
        connecting_as_configured(factory)
        return cast(ViewRecorder, cast(Any, factory).tracking_recorder(_postgres_recorder_class()))
    raise InvalidInput(
        "materialized views need a SQLite or PostgreSQL database: open the store with a "
        "sqlite:/// or postgresql:// URL, or give views_url"
    )
