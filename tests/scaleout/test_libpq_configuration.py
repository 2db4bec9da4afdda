"""Configuration an embedding app needs: the store named by an environment variable, libpq's
own parameters in a PostgreSQL URL (a socket directory as ``host``, ``sslmode``,
``application_name``) reaching every connection of the real server, and a missing schema as
a typed error with its fields."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import psycopg
import pytest

from execution_core import STORE_VARIABLE, Execution, InvalidInput
from execution_core.service import DEFAULT_STORE, store_url
from execution_core_adapters.storage.config import LIBPQ_SETTING, libpq_parameters, store_env
from execution_core_adapters.storage.store import open_store
from tests.conftest import POSTGRES_DSN
from tests.support import standard_org

SOCKETS = "/var/run/postgresql"


def _schema_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["schema"]


@pytest.fixture
def socket_url(postgres_url: str) -> str:
    """The fresh schema of the test server, reached through its Unix socket directory."""
    if not Path(SOCKETS, ".s.PGSQL.5432").exists():
        pytest.skip(f"no PostgreSQL socket in {SOCKETS}")
    database = urlsplit(POSTGRES_DSN).path.lstrip("/")
    return f"postgresql://postgres@/{database}?host={SOCKETS}&schema={_schema_of(postgres_url)}"


def test_the_store_url_comes_from_the_argument_then_the_variable_then_the_default() -> None:
    """Given the variable set, empty or unset, when the store to open is asked for, then a
    given URL wins, then the variable when not empty, then the default."""
    assert store_url("memory://", {STORE_VARIABLE: "sqlite:///x.db"}) == "memory://"
    assert store_url(None, {STORE_VARIABLE: "sqlite:///x.db"}) == "sqlite:///x.db"
    assert store_url(None, {STORE_VARIABLE: ""}) == DEFAULT_STORE
    assert store_url(None, {}) == DEFAULT_STORE


def test_execution_open_without_a_url_opens_the_store_the_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given EXECUTION_CORE_STORE names a SQLite file, when ``Execution.open()`` records the
    organization, then that file holds it (and no default store was made)."""
    path = tmp_path / "named.db"
    monkeypatch.setenv(STORE_VARIABLE, f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    with Execution.open() as execution:
        for command in standard_org():
            execution.execute(command)
    assert not (tmp_path / "execution.db").exists()
    with Execution.open(f"sqlite:///{path}") as again:
        assert "ana" in again.organization().people


def test_libpq_parameters_in_the_url_are_kept_under_their_libpq_names() -> None:
    """Given a URL with a socket host, sslmode, application_name and an execution-core option,
    when it is read, then the server settings take the socket, the option its setting, and the
    other parameters travel as libpq names them."""
    env = store_env(
        "postgresql://app@/plans?host=/var/run/postgresql&sslmode=require"
        "&application_name=planner&target_session_attrs=read-write&pool_size=3",
        environ={},
    )
    assert (env["POSTGRES_HOST"], env["POSTGRES_DBNAME"], env["POSTGRES_USER"]) == (
        "/var/run/postgresql",
        "plans",
        "app",
    )
    assert env["POSTGRES_POOL_SIZE"] == "3"
    assert libpq_parameters(env) == {
        "sslmode": "require",
        "application_name": "planner",
        "target_session_attrs": "read-write",
    }


def test_a_url_with_no_libpq_parameter_carries_none() -> None:
    """Given a URL with only the server and an option, when it is read, then no libpq setting
    is added."""
    env = store_env("postgresql://app:pw@db:6543/plans?schema=s", environ={})
    assert LIBPQ_SETTING not in env
    assert libpq_parameters(env) == {}


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("sslmod=require", "unknown PostgreSQL option 'sslmod'"),
        ("sslmode=require&sslmode=disable", "twice"),
    ],
)
def test_a_parameter_neither_ours_nor_libpqs_is_invalid_input(query: str, match: str) -> None:
    """Given a misspelt or repeated parameter, when the URL is read, then InvalidInput names
    it before any connection."""
    with pytest.raises(InvalidInput, match=match):
        store_env(f"postgresql://app@db/plans?{query}", environ={})


@pytest.mark.postgres
def test_a_store_reached_through_the_socket_with_libpq_parameters_records(
    socket_url: str,
) -> None:
    """Given the real server reached through its socket directory with sslmode=disable and an
    application_name, when commands run, then they are recorded and the server sees the
    store's connections under that name."""
    url = f"{socket_url}&sslmode=disable&application_name=ec-embed-test&pool_size=1"
    with Execution(open_store(url)) as execution:
        for command in standard_org():
            execution.execute(command)
        assert "ana" in execution.organization().people
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
            names = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                ("ec-embed-test",),
            ).fetchone()
        assert names is not None
        assert names[0] >= 1


@pytest.mark.postgres
def test_a_missing_schema_is_invalid_input_naming_it(socket_url: str) -> None:
    """Given the real server and a schema that does not exist, when a store is opened through
    the socket, then InvalidInput names the schema as a field and the rule, and nothing is
    created."""
    url = socket_url.replace(f"schema={_schema_of(socket_url)}", "schema=ec_no_such_schema_x")
    with pytest.raises(InvalidInput) as caught:
        open_store(url)
    error = caught.value
    assert (error.rule, error.ids) == ("schema missing", {"schema": "ec_no_such_schema_x"})
    assert "CREATE SCHEMA ec_no_such_schema_x" in str(error)
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as admin:
        found = admin.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'ec_no_such_schema_x'"
        ).fetchone()
    assert found == (0,)
