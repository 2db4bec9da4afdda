"""The chained PostgreSQL recorder: eventsourcing's, writing the hash chain rows and checking
a decision's guard (``unchanged=``) in the insert's one pipelined transaction.

Defined on first use (:func:`postgres_recorder_class`), so that psycopg, an optional
dependency, loads only when a PostgreSQL store is opened.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent

from execution_core_adapters.storage.chain_format import (
    CHAIN_TABLE,
    GENESIS,
    ChainEntry,
    StoredRow,
    chain_entries,
    check_head,
    state_bytes,
    stream_text,
)

__all__ = ["PAGE", "ReadOutdated", "postgres_recorder_class"]

PAGE = 1000
"""Rows per page when the chain and the events are read back."""


class ReadOutdated(Exception):
    """A write's guard found a stream it relied on changed: nothing was stored."""


@functools.cache
def postgres_recorder_class() -> type[Any]:
    """Defined on first use, so that psycopg (an optional dependency) loads only when needed."""
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    from psycopg.sql import SQL, Identifier

    class ChainedPostgresRecorder(PostgresApplicationRecorder):
        """The PostgreSQL recorder, writing the chain rows in the transaction of the insert.

        Inserts take eventsourcing's EXCLUSIVE lock on the events table first, so positions
        follow commit order and the chain head read after the lock is the true predecessor.
        """

        contiguous = False

        def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
            super().__init__(datastore, events_table_name=events_table_name)
            schema = Identifier(self.datastore.schema)
            chain = Identifier(CHAIN_TABLE)
            events = Identifier(self.events_table_name)
            self.sql_create_statements.append(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
                    "notification_id bigint PRIMARY KEY, "
                    "originator_id text NOT NULL, "
                    "originator_version bigint NOT NULL, "
                    "event_hash bytea NOT NULL, "
                    "chain_hash bytea NOT NULL)"
                ).format(schema=schema, chain=chain)
            )
            self._insert_returning = SQL(
                "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[]) "
                "RETURNING notification_id, originator_id, originator_version"
            ).format(
                schema=schema,
                events=events,
                id_type=SQL(self.datastore.originator_id_type),  # uuid or text
            )
            self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
            self._select_head = SQL(
                "SELECT * FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1"
            ).format(schema=schema, chain=chain)
            self._insert_chain = SQL(
                "INSERT INTO {schema}.{chain} SELECT * FROM unnest("
                "%s::bigint[], %s::text[], %s::bigint[], %s::bytea[], %s::bytea[])"
            ).format(schema=schema, chain=chain)
            self._select_events_page = SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {schema}.{events} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s"
            ).format(schema=schema, events=events)
            self._select_chain_page = SQL(
                "SELECT * FROM {schema}.{chain} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s"
            ).format(schema=schema, chain=chain)
            self._select_changed = SQL(
                "SELECT e.originator_id FROM unnest(%s::uuid[], %s::bigint[]) AS w(id, v) "
                "JOIN {schema}.{events} AS e "
                "ON e.originator_id = w.id AND e.originator_version > w.v LIMIT 1"
            ).format(schema=schema, events=events)
            # The write's statements rendered once: psycopg would compose them on every insert
            # (a tenth of a write's time), and caches the parsing of a rendered one.
            self._write_lock = [_rendered(s) for s in self.lock_table_statements]
            self._write = [
                _rendered(s)
                for s in (
                    self._notify,
                    self._select_changed,
                    self._insert_returning,
                    self._select_head,
                    self._insert_chain,
                )
            ]

        def insert_events(
            self, stored_events: Sequence[StoredEvent], **kwargs: Any
        ) -> Sequence[int] | None:
            # Not retried on a lost connection (unlike eventsourcing's): the commit may have
            # gone through, so the caller decides (storage.store raises StoreUnavailable).
            # ``unchanged=(stream ids, versions)``: commit only if none of those streams has
            # grown past those versions (checked under the lock), else ReadOutdated.
            if not stored_events:
                return []
            columns = (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            )
            # One pipeline: BEGIN, lock, insert and head read go out together; the chain rows
            # and COMMIT go out together once the positions are back. (Cursors are left open:
            # closing them inside the pipeline would cost a round trip.)
            with (
                self.datastore.get_connection() as conn,
                conn.pipeline(),
                conn.transaction(),
            ):
                notify, select_changed, insert_returning, select_head, insert_chain = self._write
                lock, insert, head = conn.cursor(), conn.cursor(), conn.cursor()
                for statement in self._write_lock:
                    lock.execute(statement, prepare=True)
                lock.execute(notify)
                unchanged, guard = kwargs.get("unchanged"), conn.cursor()
                if unchanged is not None:
                    guard.execute(select_changed, unchanged, prepare=True)
                insert.execute(insert_returning, columns, prepare=True)
                head.execute(select_head, prepare=True)
                returned = insert.fetchall()
                last = head.fetchone()
                if unchanged is not None and guard.fetchone() is not None:
                    raise ReadOutdated("a stream read for this decision changed since")
                by_key = {(str(r["originator_id"]), r["originator_version"]): r for r in returned}
                stored = [
                    (
                        by_key[(str(e.originator_id), e.originator_version)]["notification_id"],
                        e,
                    )
                    for e in stored_events
                ]
                check_head(last["notification_id"] if last else None, [n for n, _ in stored])
                entries = chain_entries(bytes(last["chain_hash"]) if last else GENESIS, stored)
                insert.execute(
                    insert_chain,
                    prepare=True,
                    params=[
                        [entry.position for entry in entries],
                        [entry.stream_id for entry in entries],
                        [entry.version for entry in entries],
                        [entry.event_hash for entry in entries],
                        [entry.chain_hash for entry in entries],
                    ],
                )
            return [position for position, _ in stored]

        def chain_head(self) -> ChainEntry | None:
            """The newest chain entry."""
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(self._select_head)
                row = curs.fetchone()
            return _postgres_entry(row) if row else None

        @contextmanager
        def chain_snapshot(self) -> Iterator[tuple[Iterator[StoredRow], Iterator[ChainEntry]]]:
            """Both tables read in one REPEATABLE READ, READ ONLY transaction."""
            with self.datastore.get_connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

                def pages(statement: Any) -> Iterator[Any]:
                    after = 0
                    while True:
                        with conn.cursor() as curs:
                            curs.execute(statement, (after, PAGE))
                            rows = curs.fetchall()
                        yield from rows
                        if len(rows) < PAGE:
                            return
                        after = rows[-1]["notification_id"]

                yield (
                    (
                        StoredRow(
                            r["notification_id"],
                            stream_text(r["originator_id"]),
                            r["originator_version"],
                            r["topic"],
                            state_bytes(r["state"]),
                        )
                        for r in pages(self._select_events_page)
                    ),
                    (_postgres_entry(r) for r in pages(self._select_chain_page)),
                )

    return ChainedPostgresRecorder


def _rendered(statement: Any) -> Any:
    """A composed psycopg statement as the bytes it renders to (others as they are)."""
    as_bytes = getattr(statement, "as_bytes", None)
    return as_bytes(None) if as_bytes is not None else statement


def _postgres_entry(row: Any) -> ChainEntry:
    return ChainEntry(
        position=row["notification_id"],
        stream_id=row["originator_id"],
        version=row["originator_version"],
        event_hash=bytes(row["event_hash"]),
        chain_hash=bytes(row["chain_hash"]),
    )
