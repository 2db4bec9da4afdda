"""Where a store lives: store URLs, the PostgreSQL settings (:data:`POSTGRES_OPTIONS`), the
environment variables they may come from, and the eventsourcing environment they make
(:func:`store_env`).

A PostgreSQL URL is a libpq connection URI: psycopg parses it, so every libpq parameter works
under its libpq name (``sslmode``, ``sslrootcert``, ``application_name``, ``target_session_attrs``,
a socket directory as ``host=/var/run/postgresql``...); the query's execution-core options
(``schema``, ``pool_size``...) are taken out first. The parameters beyond the server, port,
database, user and password travel in the setting :data:`LIBPQ_SETTING` to every connection
(:func:`libpq_parameters`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from execution_core.errors import InvalidInput, StoreUnavailable

__all__ = [
    "APPLICATION_NAME",
    "LIBPQ_SETTING",
    "POSTGRES_NOT_INSTALLED",
    "POSTGRES_OPTIONS",
    "PostgresOption",
    "creates_tables",
    "is_postgres",
    "libpq_parameters",
    "server_named",
    "store_env",
]

APPLICATION_NAME = "ExecutionCore"
"""The eventsourcing application's name: the prefix of its tables and environment variables."""


@dataclass(frozen=True)
class PostgresOption:
    """One PostgreSQL setting: its URL query name, its environment variable, what it accepts."""

    name: str
    variable: str
    parse: Callable[[str], object]
    accepts: str
    default: str
    meaning: str


def _integer(least: int) -> Callable[[str], object]:
    def parse(text: str) -> object:
        value = int(text)
        if value < least:
            raise ValueError(f"below {least}")
        return value

    return parse


def _positive_number(text: str) -> object:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError("not a positive finite number")
    return value


_TRUE, _FALSE = {"y", "yes", "t", "true", "on", "1"}, {"n", "no", "f", "false", "off", "0"}


def _boolean(text: str) -> object:
    if text.lower() not in _TRUE | _FALSE:
        raise ValueError("not yes/no")
    return text.lower() in _TRUE


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _schema(text: str) -> object:
    """A plain identifier, the whole text (``$`` would let ``public\\n`` through)."""
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError("not a plain identifier (letters, digits, _; at most 63)")
    return text


POSTGRES_OPTIONS: tuple[PostgresOption, ...] = (
    PostgresOption(
        "schema",
        "POSTGRES_SCHEMA",
        _schema,
        "identifier",
        "public",
        "the schema holding the tables; it must exist",
    ),
    PostgresOption(
        "pool_size",
        "POSTGRES_POOL_SIZE",
        _integer(1),
        "integer >= 1",
        "5",
        "connections kept open per store object",
    ),
    PostgresOption(
        "max_overflow",
        "POSTGRES_MAX_OVERFLOW",
        _integer(0),
        "integer >= 0",
        "10",
        "extra connections opened under load, beyond pool_size",
    ),
    PostgresOption(
        "max_waiting",
        "POSTGRES_MAX_WAITING",
        _integer(0),
        "integer >= 0",
        "0",
        "threads allowed to queue for a connection (0: no limit)",
    ),
    PostgresOption(
        "connect_timeout",
        "POSTGRES_CONNECT_TIMEOUT",
        _integer(1),
        "seconds >= 1",
        "30",
        "how long to wait for a connection, new or from the pool",
    ),
    PostgresOption(
        "idle_in_transaction_session_timeout",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
        _integer(0),
        "seconds >= 0",
        "5",
        "the server ends a session idle inside a transaction this long (0: never)",
    ),
    PostgresOption(
        "lock_timeout",
        "POSTGRES_LOCK_TIMEOUT",
        _integer(0),
        "seconds >= 0",
        "0",
        "how long a write waits for the events table's lock (0: no limit)",
    ),
    PostgresOption(
        "conn_max_age",
        "POSTGRES_CONN_MAX_AGE",
        _positive_number,
        "seconds > 0",
        "3600",
        "a pooled connection is replaced after this long",
    ),
    PostgresOption(
        "pre_ping",
        "POSTGRES_PRE_PING",
        _boolean,
        "yes/no",
        "no",
        "check a pooled connection before use (one round trip; survives server restarts)",
    ),
    PostgresOption(
        "create_tables",
        "EXECUTIONCORE_CREATE_TABLE",
        _boolean,
        "yes/no",
        "yes",
        "create the tables on open (no: a DBA created them, see the schema below)",
    ),
)
"""Every PostgreSQL setting a store URL's query or the environment may give."""

_PREFIX = APPLICATION_NAME.upper() + "_"

LIBPQ_SETTING = "POSTGRES_LIBPQ"
"""The store setting holding the URL's other libpq parameters, as a libpq conninfo string
(``sslmode=require application_name=planner``)."""

POSTGRES_NOT_INSTALLED = (
    "PostgreSQL support is not installed: pip install 'execution-core[postgres]'"
)
"""Why a PostgreSQL URL cannot be opened without the ``postgres`` extra."""

_CONNECTION = {
    "dbname": "POSTGRES_DBNAME",
    "host": "POSTGRES_HOST",
    "port": "POSTGRES_PORT",
    "user": "POSTGRES_USER",
    "password": "POSTGRES_PASSWORD",
}
"""The libpq parameters eventsourcing takes as settings of its own, and those settings."""


def _from_environment(environ: Mapping[str, str], variable: str) -> str | None:
    """``EXECUTIONCORE_<VARIABLE>`` or else ``<VARIABLE>``, as eventsourcing looks them up."""
    value = environ.get(_PREFIX + variable)
    return environ.get(variable) if value is None else value


def _libpq_keywords() -> frozenset[str]:
    """Every connection parameter the installed libpq knows."""
    try:
        from psycopg import pq
    except ImportError:
        raise StoreUnavailable(POSTGRES_NOT_INSTALLED) from None
    return frozenset(default.keyword.decode() for default in pq.Conninfo.get_defaults())


def _split_query(url: str) -> tuple[dict[str, str], str]:
    """The execution-core options of a URL's query, and the URL with libpq's parameters only."""
    parts = urlsplit(url)
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in query:
            raise InvalidInput(f"PostgreSQL option {key!r} given twice in the store URL")
        query[key] = value
    known = {option.name for option in POSTGRES_OPTIONS}
    libpq = {key: value for key, value in query.items() if key not in known}
    unknown = sorted(libpq.keys() - _libpq_keywords())
    if unknown:
        raise InvalidInput(
            f"unknown PostgreSQL option {unknown[0]!r}: neither an execution-core option "
            f"({sorted(known)}) nor a libpq connection parameter"
        )
    ours = {key: value for key, value in query.items() if key in known}
    return ours, url.split("?", 1)[0] + (f"?{urlencode(libpq)}" if libpq else "")


def _postgres_env(url: str, environ: Mapping[str, str]) -> dict[str, str]:
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    query, libpq_url = _split_query(url)
    try:
        given = {key: str(value) for key, value in conninfo_to_dict(libpq_url).items()}
    except ProgrammingError as error:
        raise InvalidInput(f"invalid PostgreSQL store URL: {error}") from None
    defaults = {
        "POSTGRES_DBNAME": "postgres",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
    }
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "IS_SNAPSHOTTING_ENABLED": "y"}
    for parameter, variable in _CONNECTION.items():
        named = given.pop(parameter, "")
        env[variable] = named or _from_environment(environ, variable) or defaults[variable]
    ports = env["POSTGRES_PORT"].split(",")
    if not all(port.isdigit() and 0 < int(port) < 65536 for port in ports):
        raise InvalidInput(f"invalid PostgreSQL port {env['POSTGRES_PORT']!r} in the store URL")
    if given:
        env[LIBPQ_SETTING] = make_conninfo(**given)
    for option in POSTGRES_OPTIONS:
        value = query.get(option.name)
        source = f"option {option.name!r} of the store URL"
        if value is None:
            value = _from_environment(environ, option.variable)
            source = f"environment variable {option.variable}"
        if value is None or value == "":
            continue
        try:
            option.parse(value)
        except ValueError as error:
            raise InvalidInput(
                f"invalid {source}: {value!r} ({error}); expected {option.accepts}"
            ) from None
        env[option.variable] = value
    return env


def libpq_parameters(settings: Mapping[str, str]) -> dict[str, str]:
    """The libpq parameters a store's settings pass to every connection besides the server,
    port, database, user and password (``{"sslmode": "require"}``...); none for a URL that
    gives none."""
    text = settings.get(LIBPQ_SETTING)
    if not text:
        return {}
    from psycopg.conninfo import conninfo_to_dict

    return {key: str(value) for key, value in conninfo_to_dict(text).items()}


def store_env(url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The eventsourcing environment for a store URL.

    ``memory://``; ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or a plain path;
    ``postgresql://user:password@host:port/dbname?schema=s&pool_size=5&sslmode=require``
    (any libpq parameter, under its libpq name): what the URL leaves out comes from the
    environment (``environ``, by default the process environment: ``POSTGRES_HOST``,
    ``POSTGRES_PASSWORD``, ``POSTGRES_POOL_SIZE``... see :data:`POSTGRES_OPTIONS`), then the
    defaults. An invalid value raises ``InvalidInput``.
    """
    env: dict[str, str] = {"IS_SNAPSHOTTING_ENABLED": "y"}
    if url in ("memory://", "memory", ":memory:"):
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
        return env
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres_env(url, os.environ if environ is None else environ)
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parts.path
    elif parts.scheme in ("", "file"):
        path = parts.path if parts.scheme == "file" else url
    else:
        raise InvalidInput(
            f"unsupported store URL {url!r}: use memory://, sqlite:///… or postgresql://…"
        )
    if not path:
        raise InvalidInput(f"no file path in store URL {url!r}")
    env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    env["SQLITE_DBNAME"] = str(Path(path))
    env["SQLITE_LOCK_TIMEOUT"] = "10"
    return env


def is_postgres(settings: Mapping[str, str]) -> bool:
    """Whether a store's settings name a PostgreSQL server."""
    return settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"


def creates_tables(settings: Mapping[str, str]) -> bool:
    """Whether opening the store creates (or checks) its tables (``create_tables``)."""
    given = _from_environment(settings, "CREATE_TABLE")
    return bool(_boolean(given or "yes"))


def server_named(settings: Mapping[str, str]) -> str:
    """The server or file a store's settings name, for a message."""
    if settings.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return (
            f"PostgreSQL at {settings.get('POSTGRES_HOST')}:{settings.get('POSTGRES_PORT')} "
            f"(database {settings.get('POSTGRES_DBNAME')!r}, user "
            f"{settings.get('POSTGRES_USER')!r})"
        )
    return f"the SQLite file {settings.get('SQLITE_DBNAME')}"
