"""PostgreSQL configuration: by URL query, by environment, the URL winning; invalid values are
InvalidInput naming the option, before any connection is made."""

from __future__ import annotations

import pytest

from execution_core import Execution, InvalidInput, StoreUnavailable
from execution_core_adapters.storage.config import POSTGRES_OPTIONS, store_env
from execution_core_adapters.storage.store import open_store
from tests.support import standard_org

URL = "postgresql://app:s3cret@db.example:6543/plans"


def test_the_url_names_the_server_and_its_query_the_options() -> None:
    """Given a URL with credentials, port, database and every option, when it is read, then each
    becomes eventsourcing's setting, whatever the environment says."""
    query = (
        "schema=tenant_1&pool_size=10&max_overflow=0&max_waiting=50&connect_timeout=5"
        "&idle_in_transaction_session_timeout=30&lock_timeout=2&conn_max_age=600"
        "&pre_ping=yes&create_tables=no"
    )
    env = store_env(f"{URL}?{query}", environ={"POSTGRES_POOL_SIZE": "99", "POSTGRES_HOST": "x"})
    assert env == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "IS_SNAPSHOTTING_ENABLED": "y",
        "POSTGRES_DBNAME": "plans",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": "s3cret",
        "POSTGRES_SCHEMA": "tenant_1",
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "0",
        "POSTGRES_MAX_WAITING": "50",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
        "POSTGRES_LOCK_TIMEOUT": "2",
        "POSTGRES_CONN_MAX_AGE": "600",
        "POSTGRES_PRE_PING": "yes",
        "EXECUTIONCORE_CREATE_TABLE": "no",
    }


def test_what_the_url_leaves_out_comes_from_the_environment_then_the_defaults() -> None:
    """Given a bare ``postgresql://`` and POSTGRES_* variables (the prefixed form winning), when
    it is read, then the variables fill the gaps and the defaults the rest."""
    environ = {
        "POSTGRES_HOST": "pg.internal",
        "POSTGRES_PASSWORD": "from-env",
        "POSTGRES_SCHEMA": "plans",
        "POSTGRES_POOL_SIZE": "3",
        "EXECUTIONCORE_POSTGRES_POOL_SIZE": "4",
    }
    env = store_env("postgresql://", environ=environ)
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"]) == (
        "pg.internal",
        "5432",
        "postgres",
    )
    assert (env["POSTGRES_PASSWORD"], env["POSTGRES_SCHEMA"], env["POSTGRES_POOL_SIZE"]) == (
        "from-env",
        "plans",
        "4",
    )
    assert "POSTGRES_LOCK_TIMEOUT" not in env  # eventsourcing's default applies


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("pool_size=0", "pool_size"),
        ("pool_size=ten", "pool_size"),
        ("max_overflow=-1", "max_overflow"),
        ("connect_timeout=0", "connect_timeout"),
        ("lock_timeout=1.5", "lock_timeout"),
        ("conn_max_age=nan", "conn_max_age"),
        ("conn_max_age=inf", "conn_max_age"),
        ("pre_ping=maybe", "pre_ping"),
        ("schema=a;drop", "schema"),
        ("schema=" + "s" * 64, "schema"),
        ("pool_size=2&pool_size=3", "twice"),
        ("poolsize=2", "unknown PostgreSQL option 'poolsize'"),
    ],
)
def test_an_invalid_option_in_the_url_is_invalid_input(query: str, match: str) -> None:
    """Given a URL with an out-of-range, mistyped, repeated or unknown option, when it is read,
    then InvalidInput names it."""
    with pytest.raises(InvalidInput, match=match):
        store_env(f"{URL}?{query}", environ={})


@pytest.mark.parametrize(
    "environ",
    [{"POSTGRES_POOL_SIZE": "many"}, {"POSTGRES_PORT": "70000"}, {"POSTGRES_PRE_PING": "2"}],
)
def test_an_invalid_environment_variable_is_invalid_input(environ: dict[str, str]) -> None:
    """Given an invalid POSTGRES_* variable, when a URL that leaves it out is read, then
    InvalidInput names the variable."""
    with pytest.raises(InvalidInput, match=r"POSTGRES_|port"):
        store_env("postgresql://", environ=environ)


def test_an_invalid_port_in_the_url_is_invalid_input() -> None:
    """Given a URL whose port is not a number, when it is read, then InvalidInput."""
    with pytest.raises(InvalidInput, match="port"):
        store_env("postgresql://app@db:http/plans", environ={})


def test_every_option_is_documented() -> None:
    """Given the options table, when the deployment guide is read, then each option and its
    environment variable appear in its Configuration section."""
    from pathlib import Path

    guide = Path(__file__).parents[2].joinpath("docs", "deployment.md").read_text()
    section = guide.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for option in POSTGRES_OPTIONS:
        assert f"`{option.name}`" in section, option.name
        assert f"`{option.variable}`" in section, option.variable


def test_a_store_opened_with_options_works_on_the_server(postgres_url: str) -> None:
    """Given the real server and a URL with a pool, timeouts and pre-ping, when commands run,
    then they are recorded and the pool has the size asked for."""
    url = f"{postgres_url}&pool_size=2&max_overflow=1&connect_timeout=5&lock_timeout=5&pre_ping=y"
    with Execution(open_store(url)) as execution:
        for command in standard_org():
            execution.execute(command)
        pool = execution.store.app.factory.datastore.pool  # type: ignore[attr-defined]
        assert (pool.min_size, pool.max_size) == (2, 3)
        assert execution.organization().people


def test_an_unreachable_server_is_store_unavailable() -> None:
    """Given a URL naming a port where no server listens, when a store is opened, then
    StoreUnavailable (an ExecutionError) says the store cannot be reached."""
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        open_store("postgresql://postgres@127.0.0.1:1/test?connect_timeout=1")
