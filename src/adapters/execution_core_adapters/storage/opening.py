"""Opening a store and reaching it: the tables created one process at a time, and database
failures as the core's typed errors (``StoreUnavailable``, ``InvalidInput``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import uuid5

from eventsourcing.persistence import (
    DatabaseError,
    InfrastructureFactory,
    InterfaceError,
    OperationalError,
)
from eventsourcing.utils import Environment

from execution_core.errors import InvalidInput, StoreUnavailable
from execution_core.ids import NAMESPACE
from execution_core_adapters.storage.config import (
    APPLICATION_NAME,
    creates_tables,
    is_postgres,
    libpq_parameters,
    server_named,
)

__all__ = ["connecting_as_configured", "creating_tables", "not_usable", "reaching_store"]


def connecting_as_configured(factory: InfrastructureFactory[Any]) -> None:
    """Give every connection of a PostgreSQL factory's pool the store's other libpq
    parameters (``sslmode``, ``application_name``...; see ``config.libpq_parameters``), before
    its pool opens (on first use); eventsourcing itself passes only the server, port, database,
    user and password."""
    from eventsourcing.postgres import PostgresFactory

    if isinstance(factory, PostgresFactory):
        kwargs = factory.datastore.pool.kwargs
        if not isinstance(kwargs, dict):  # pragma: no cover - eventsourcing 9.5 gives a dict
            raise TypeError("the pool's connection parameters are not a dict")
        kwargs.update(libpq_parameters(factory.env))


@contextmanager
def creating_tables(env: Mapping[str, str]) -> Iterator[None]:
    """On PostgreSQL, one process at a time creates (or checks) the tables of a schema: the
    server refuses concurrent ``CREATE OR REPLACE FUNCTION`` ("tuple concurrently updated"),
    which would fail workers started together. A session advisory lock on a side connection
    serialises them; it is released when that connection closes."""
    settings = Environment(APPLICATION_NAME, dict(env))
    if not is_postgres(settings) or not creates_tables(settings):
        yield
        return
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = settings.get("POSTGRES_SCHEMA") or "public"
    lock = int.from_bytes(uuid5(NAMESPACE, f"create-tables/{schema}").bytes[:8], signed=True)
    try:
        connection = psycopg.connect(
            make_conninfo(**libpq_parameters(settings)),
            dbname=settings.get("POSTGRES_DBNAME"),
            host=settings.get("POSTGRES_HOST"),
            port=settings.get("POSTGRES_PORT"),
            user=settings.get("POSTGRES_USER"),
            password=settings.get("POSTGRES_PASSWORD"),
            connect_timeout=int(settings.get("POSTGRES_CONNECT_TIMEOUT") or 30),
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        raise StoreUnavailable(f"the event store cannot be reached: {error}") from error
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (lock,))
        yield


class _Reaching:
    """Database connection failures as :class:`StoreUnavailable` (see :func:`reaching_store`).

    A plain context manager (no generator): every load and append of a store enters one."""

    __slots__ = ("recording",)

    def __init__(self, *, recording: bool) -> None:
        self.recording = recording

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: object
    ) -> None:
        if error is None or not isinstance(error, OperationalError | InterfaceError):
            return
        if self.recording:
            raise StoreUnavailable(
                "the connection to the event store failed while recording; the transaction "
                "was rolled back unless its commit was already under way (retry with the same "
                f"idempotency key to record at most once): {error}"
            ) from error
        raise StoreUnavailable(f"the event store cannot be reached: {error}") from error


_READING = _Reaching(recording=False)
_RECORDING = _Reaching(recording=True)


def reaching_store(*, recording: bool = False) -> AbstractContextManager[None]:
    """Database connection failures as :class:`StoreUnavailable` (after eventsourcing's own
    retries of reads; a write is never retried blindly, see ``.chain``)."""
    return _RECORDING if recording else _READING


def not_usable(
    settings: Mapping[str, str], error: DatabaseError | sqlite3.DatabaseError
) -> InvalidInput:
    """Why a store that was reached cannot be opened: a missing schema, or not a store."""
    schema = settings.get("POSTGRES_SCHEMA") or "public"
    if settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        if "schema" in str(error) and "does not exist" in str(error):
            return InvalidInput(
                f"schema {schema!r} does not exist in {server_named(settings)}: create it "
                f"(CREATE SCHEMA {schema}) or name another with ?schema= in the store URL",
                rule="schema missing",
                ids={"schema": schema},
            )
        return InvalidInput(f"{server_named(settings)} refused to open the store: {error}")
    return InvalidInput(
        f"{settings.get('SQLITE_DBNAME')} is not an execution-core store ({error}); "
        "nothing was read or written"
    )
