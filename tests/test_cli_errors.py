"""The command line on a user's mistake, an unusable store or an unreachable server: one line on
standard error, an exit code that tells a refusal (1) from a usage error (2) and an unavailable
store (3), nothing deleted; names and ids printed escaped; ratings shown only to a viewer who may
see them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner, Result

from execution_core import Execution, InvalidInput, StoreUnavailable, audit
from execution_core_adapters.cli.main import DEMO_MARKER, app
from execution_core_adapters.storage.config import store_env
from execution_core_adapters.storage.store import open_store
from tests.audit.helpers import edited, raw_for, record_small
from tests.conftest import postgres_server

runner = CliRunner()
WIDE = {"COLUMNS": "200"}
CLOSED_PORT = "postgresql://postgres@127.0.0.1:1/test?connect_timeout=1"


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args), env=WIDE)


def _one_line(result: Result) -> str:
    """The single line a failed command wrote on standard error (never a traceback)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return lines[0]


def _events(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
    db.close()
    return int(count)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store the demo recorded (read only by the tests that take it)."""
    path = tmp_path_factory.mktemp("demo") / "season.db"
    assert _run("demo", "--db", str(path)).exit_code == 0
    return path


# -- nothing deletes a store it did not make --------------------------------------------------


def test_demo_replaces_its_own_unchanged_store(tmp_path: Path) -> None:
    """Given a store the demo recorded and nobody changed, when the demo runs again on it, then
    it is replaced by the same season (exit 0, the same number of events, marked again)."""
    path = tmp_path / "season.db"
    assert _run("demo", "--db", str(path)).exit_code == 0
    before = _events(path)
    again = _run("demo", "--db", str(path))
    assert again.exit_code == 0, again.output
    assert "unchanged since the demo" in again.stderr
    assert _events(path) == before
    with sqlite3.connect(path) as db:
        assert db.execute(f"SELECT events FROM {DEMO_MARKER}").fetchall() == [(before,)]
    db.close()


def test_demo_refuses_its_store_once_someone_added_an_event(tmp_path: Path) -> None:
    """Given a demo store to which someone then added a person, when the demo runs on it, then
    it refuses with exit 1, saying the store changed, and the store keeps every event."""
    path = tmp_path / "season.db"
    assert _run("demo", "--db", str(path)).exit_code == 0
    with Execution(open_store(f"sqlite:///{path}"), future_tolerance=None) as execution:
        execution.add_person(
            "zoe", "Zoe", "sales", actor="hana", occurred_at=datetime(2026, 8, 1, tzinfo=UTC)
        )
    after = _events(path)
    refused = _run("demo", "--db", str(path))
    assert refused.exit_code == 1
    assert "has changed since the demo recorded it" in _one_line(refused)
    assert _events(path) == after


def test_demo_refuses_a_store_it_did_not_make(tmp_path: Path) -> None:
    """Given an execution-core store recorded by an app (no demo marker), when the demo is
    pointed at it, then it exits 1 and the store keeps every event."""
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    recorded = record_small(url)
    refused = _run("demo", "--db", str(tmp_path / "prod.db"))
    assert refused.exit_code == 1
    assert "the demo did not make; nothing was deleted" in _one_line(refused)
    assert _events(tmp_path / "prod.db") == recorded


def test_demo_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    """Given a file that is not a SQLite database, when the demo is pointed at it, then it
    exits 2 and the file is byte for byte as it was."""
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"not a database\n")
    refused = _run("demo", "--db", str(notes))
    assert refused.exit_code == 2
    assert "is not an execution-core store" in _one_line(refused)
    assert notes.read_bytes() == b"not a database\n"


# -- one line and an exit code, never a traceback ---------------------------------------------


@pytest.mark.parametrize(
    "command", [["board"], ["audit", "verify"], ["audit", "trail", "--person", "ana"]]
)
def test_a_file_that_is_not_a_database_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    """Given a text file, when a command reads it as a store, then it says it is not an
    execution-core store in one line, exits 2, and the file is unchanged."""
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"hello\n")
    result = _run(*command, "--db", str(notes))
    assert result.exit_code == 2
    assert "is not an execution-core store" in _one_line(result)
    assert notes.read_bytes() == b"hello\n"


@pytest.mark.parametrize(
    "command", [["board"], ["audit", "verify"], ["audit", "trail", "--person", "ana"]]
)
def test_an_unreachable_server_names_it_and_exits_3(command: list[str]) -> None:
    """Given a PostgreSQL URL on a closed port, when a command opens it, then one line names the
    server and what to check, and the exit code is 3 (unavailable)."""
    result = _run(*command, "--db", CLOSED_PORT)
    assert result.exit_code == 3
    line = _one_line(result)
    assert "PostgreSQL at 127.0.0.1:1" in line
    assert "check that the server runs" in line


def test_simulate_into_an_unreachable_server_is_unavailable_not_refused() -> None:
    """Given `simulate --db` on a closed port, when it runs, then it exits 3 (unavailable, as
    every command does), not 1 or 2, naming the server."""
    result = _run("simulate", "--people", "2", "--weeks", "2", "--db", CLOSED_PORT)
    assert result.exit_code == 3
    assert "PostgreSQL at 127.0.0.1:1" in _one_line(result)


def test_an_unreachable_server_from_python_names_it() -> None:
    """Given a PostgreSQL URL on a closed port, when a Python caller opens it, then the
    StoreUnavailable it gets names the server and its database."""
    with pytest.raises(StoreUnavailable, match=r"PostgreSQL at 127\.0\.0\.1:1 \(database 'test'"):
        open_store(CLOSED_PORT)


def test_a_missing_schema_is_a_usage_error_naming_it() -> None:
    """Given the real server and a schema that does not exist, when a command opens the store,
    then one line names the schema and how to create it, exit 2, and no schema is created."""
    dsn = postgres_server()
    url = f"{dsn}?schema=ec_no_such_schema"
    result = _run("audit", "verify", "--db", url)
    assert result.exit_code == 2
    line = _one_line(result)
    assert "schema 'ec_no_such_schema' does not exist" in line
    assert "CREATE SCHEMA ec_no_such_schema" in line
    with pytest.raises(InvalidInput, match="does not exist"):
        open_store(url)
    with psycopg.connect(dsn, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = 'ec_no_such_schema'"
        ).fetchall()
    assert found == []


@pytest.mark.parametrize("schema", ["public%0A", "public%0Aevil", "%20public"])
def test_a_schema_name_with_a_newline_or_space_is_refused(schema: str) -> None:
    """Given a schema that is an identifier followed by a newline (which ``re.match`` with
    ``$`` let through) or led by a space, when the URL is read, then it is InvalidInput."""
    with pytest.raises(InvalidInput, match="not a plain identifier"):
        store_env(f"postgresql://postgres@127.0.0.1/test?schema={schema}")


def test_an_unwritable_out_is_a_usage_error_and_leaves_nothing(
    demo_store: Path, tmp_path: Path
) -> None:
    """Given an --out in a directory that does not exist, when `audit export` runs, then one
    line says it cannot write there, exit 2, and no partial file is left anywhere."""
    out = tmp_path / "missing" / "export.jsonl"
    result = _run("audit", "export", "--db", str(demo_store), "--out", str(out))
    assert result.exit_code == 2
    assert f"cannot write {out}" in _one_line(result)
    assert list(tmp_path.iterdir()) == []


def test_simulate_refuses_a_cycle_longer_than_ten_years() -> None:
    """Given `simulate --weeks 100000000` (past any date), when it runs, then it is a usage error
    (exit 2) before anything is simulated, not a traceback."""
    result = _run("simulate", "--people", "2", "--weeks", "100000000")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "--weeks" in result.output


def test_an_unknown_event_type_is_refused_with_the_way_to_audit(tmp_path: Path) -> None:
    """Given a store where a row's event type is one this version does not know, when `board`
    reads it, then one line names the type and `audit verify`, and the exit code is 1."""
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    record_small(url)
    raw = raw_for(url)
    position = raw.rows()[-1][0]
    raw.execute("UPDATE {events} SET topic = ? WHERE rowid = ?", "goal.FromTheFuture", position)
    result = _run("board", "--db", str(path))
    assert result.exit_code == 1
    line = _one_line(result)
    assert "unknown event type 'goal.FromTheFuture'" in line
    assert "audit verify" in line


def test_the_installed_command_shows_no_traceback(tmp_path: Path) -> None:
    """Given the installed `execution-core` script and a file that is not a database, when it
    runs `audit verify` on it, then standard error is one line and the exit code 2."""
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    script = Path(sys.executable).with_name("execution-core")
    done = subprocess.run(
        [str(script), "audit", "verify", "--db", str(notes)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_the_help_documents_the_exit_codes() -> None:
    """Given `execution-core --help`, then it lists what each exit code means."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    for words in ("1 refused", "2 usage error", "3 store unavailable", "4 a bug"):
        assert words in result.output


# -- names and ids printed escaped ------------------------------------------------------------


HOSTILE_NAME = "[red]Ana[/red]\x1b[2J"
HOSTILE_TITLE = "Deals \u202eslaed"


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    """A small store whose rows were edited (as a store written before the commands refused such
    values may hold them): ana's name has markup and a terminal escape, a goal title a bidi
    override."""
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    record_small(url)
    raw = raw_for(url)
    for position, _stream, _version, topic, state in raw.rows():
        payload = json.loads(state)
        if topic == "organization.PersonJoined" and payload["person_id"] == "ana":
            raw.execute(
                "UPDATE {events} SET state = ? WHERE rowid = ?",
                edited(state, person_name=HOSTILE_NAME),
                position,
            )
        if topic == "goal.GoalSet" and payload["title"] == "Deals for ana":
            raw.execute(
                "UPDATE {events} SET state = ? WHERE rowid = ?",
                edited(state, title=HOSTILE_TITLE),
                position,
            )
    return path


def test_stored_names_and_titles_are_printed_escaped(hostile_store: Path) -> None:
    """Given a store holding a name with rich markup and ESC and a title with a bidi override,
    when `board` and `appraisal` print them, then the output holds neither ESC nor the override,
    shows them as \\x1b and \\u202e, and the markup as its own characters."""
    board = _run("board", "--db", str(hostile_store))
    sheet = _run("appraisal", "--db", str(hostile_store), "--viewer", "ana", "--person", "ana")
    for result in (board, sheet):
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
        assert "\u202e" not in result.output
    assert "Deals \\u202eslaed" in board.stdout
    assert "[red]Ana[/red]\\x1b[2J" in sheet.stdout


@pytest.mark.parametrize("hostile", ["a\x1b[2Jb", "r\u202eevil", "[bold]x[/bold]"])
def test_ids_typed_on_the_command_line_are_echoed_escaped(
    hostile_store: Path, hostile: str
) -> None:
    """Given an id with a terminal escape, a bidi override or markup, when a command echoes it
    (in a refusal, or a trail's title), then it is shown escaped and never interpreted."""
    refused = _run("appraisal", "--db", str(hostile_store), "--viewer", hostile)
    assert refused.exit_code == 1  # a viewer the store does not hold: not found
    trail = _run("audit", "trail", "--db", str(hostile_store), "--person", hostile)
    assert trail.exit_code == 0, trail.output
    for result in (refused, trail):
        assert "\x1b" not in result.output
        assert "\u202e" not in result.output
    assert hostile.encode("unicode_escape").decode() in _one_line(refused)
    assert f"person {hostile.encode('unicode_escape').decode()}" in trail.stdout


# -- personal data stays personal -------------------------------------------------------------


def test_a_trail_shows_ratings_only_to_a_viewer_who_may_see_them(demo_store: Path) -> None:
    """Given the demo store, when `audit trail --person ana` runs without a viewer, as ben (a
    peer) and as hana (HR), then only hana's trail shows ana's rating and summary; the others
    keep the entries, withhold the details and say so on standard error."""
    anonymous = _run("audit", "trail", "--db", str(demo_store), "--person", "ana")
    peer = _run("audit", "trail", "--db", str(demo_store), "--person", "ana", "--viewer", "ben")
    hr = _run("audit", "trail", "--db", str(demo_store), "--person", "ana", "--viewer", "hana")
    for withheld in (anonymous, peer):
        assert withheld.exit_code == 0, withheld.output
        assert "H1 appraisal of ana" not in withheld.stdout
        assert "AppraisalRecorded" in withheld.stdout
        assert "withheld" in withheld.stderr
    assert hr.exit_code == 0, hr.output
    assert "H1 appraisal of ana" in hr.stdout
    assert "withheld" not in hr.stderr


def test_the_trail_function_takes_a_viewer_too(demo_store: Path) -> None:
    """Given the demo's events, when `audit.trail` is called without a viewer and with ana
    herself, then the appraisal's details are withheld and then shown (the access policy of
    the appraisal sheet)."""
    store = open_store(f"sqlite:///{demo_store}")
    try:
        events = list(store.read_all())
    finally:
        store.close()
    hidden = audit.trail(events, person="ana")
    own = audit.trail(events, person="ana", viewer="ana")
    appraisal = [e for e in hidden if e.event == "appraisal.AppraisalRecorded"]
    assert appraisal
    assert {e.details for e in appraisal} == {audit.WITHHELD}
    assert hidden.withheld == len(appraisal)
    assert own.withheld == 0
    assert any("rating=" in e.details for e in own if e.event == "appraisal.AppraisalRecorded")


@pytest.mark.parametrize("view", ["appraisal", "trace", "rating-history"])
def test_a_persons_view_in_as_of_needs_a_viewer(demo_store: Path, view: str) -> None:
    """Given the demo store, when `audit as-of --view V --person ana` runs without --viewer,
    then it is a usage error (exit 2): the viewer no longer defaults to the person."""
    result = _run("audit", "as-of", "--db", str(demo_store), "--view", view, "--person", "ana")
    assert result.exit_code == 2
    assert "--viewer" in result.output
    assert "H1 appraisal" not in result.output


def test_audit_takes_a_cycle_by_its_name_as_board_does(demo_store: Path) -> None:
    """Given the demo store, when `audit as-of` and `audit trail` are given `--cycle "2026 H1"`
    (the name `board --cycle` takes), then both show that cycle."""
    plan = _run("audit", "as-of", "--db", str(demo_store), "--cycle", "2026 H1")
    assert plan.exit_code == 0, plan.output
    trail = _run("audit", "trail", "--db", str(demo_store), "--cycle", "2026 H1", "--json")
    assert trail.exit_code == 0, trail.output
    assert json.loads(trail.stdout.splitlines()[0])["event"] == "cycle.CycleOpened"
