"""The exit codes, one test per code and cause (docs/cli.md, "Exit codes"): 0 done, 1 refused
by the domain or not found or tampered, 2 a usage error, 3 the store unavailable, 4 a bug; each
failure is one line on standard error and nothing on standard output."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import Result

from execution_core_adapters.cli import errors
from tests.cli.conftest import run

CLOSED_PORT = "postgresql://postgres@127.0.0.1:1/test?connect_timeout=1"


def _failed_with(result: Result, code: int) -> str:
    """The one line a failed command wrote on standard error, once its exit code is checked."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "Traceback" not in result.stderr
    return line


def test_0_a_view_read(demo_store: Path) -> None:
    """Given the demo store, when the board is read, then the exit code is 0."""
    assert run("board", "--db", str(demo_store)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["board", "--viewer", "nobody"], "may not see the scoreboard"),
        (["appraisal", "--viewer", "ana", "--person", "ben"], "may not see ben's appraisal"),
        (["appraisal", "--viewer", "nobody"], "unknown viewer 'nobody'"),
        (["board", "--cycle", "2031"], "no cycle '2031' in the store"),
        (["audit", "trail", "--goal", "ffffffff"], "no goal id starts with 'ffffffff'"),
    ],
)
def test_1_refused_by_the_domain_or_not_found(demo_store: Path, args: list[str], says: str) -> None:
    """Given the demo store, when a command asks for what the access policy refuses, or names a
    viewer, cycle or goal the store does not hold, then it exits 1 saying which."""
    assert says in _failed_with(run(*args, "--db", str(demo_store)), 1)


def test_1_a_tampered_store(demo_store: Path, tmp_path: Path) -> None:
    """Given a copy of the demo store with one stored event edited, when it is verified, then
    the exit code is 1 and the line names the tampering."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo_store.read_bytes())
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE stored_events SET state = state || ' ' WHERE rowid = 7")
    db.close()
    result = run("audit", "verify", "--db", str(copy))
    assert result.exit_code == 1
    assert "TAMPERED" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["board", "--at", "next tuesday"], "not an ISO 8601"),
        (["board", "--db", "mysql://x/y"], "mysql"),
        (["views", "status", "--views", "nothing"], "nothing"),
    ],
)
def test_2_a_usage_error(demo_store: Path, args: list[str], says: str) -> None:
    """Given a bad option value or an unknown store URL, then the exit code is 2 and the line
    names the value."""
    db = [] if "--db" in args else ["--db", str(demo_store)]
    assert says in _failed_with(run(*args, *db), 2)


def test_2_a_missing_store_is_named_and_not_created(tmp_path: Path) -> None:
    """Given a path where no store is, when a view or the views' status is read there, then
    the exit code is 2, the path is named, and no file is created."""
    missing = tmp_path / "missing.db"
    for args in (["board"], ["views", "status"], ["audit", "verify"]):
        assert str(missing) in _failed_with(run(*args, "--db", str(missing)), 2)
    assert not missing.exists()


def test_2_an_unknown_option_is_clicks_usage_error() -> None:
    """Given an option no command has, then typer's usage error and exit 2."""
    result = run("board", "--colour")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_3_an_unreachable_server() -> None:
    """Given a PostgreSQL URL on a closed port, when the board is read, then the exit code is 3
    and the line says the server cannot be reached."""
    assert "cannot be reached" in _failed_with(run("board", "--db", CLOSED_PORT), 3)


def test_4_a_bug_says_so_and_hides_the_traceback(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a command that fails in a way no error of the library names (a planted bug in the
    rendering), then the exit code is 4 and one line asks for a report, without a traceback."""

    def broken(*_args: object, **_kwargs: object) -> object:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr("execution_core_adapters.cli.main.scoreboard_table", broken)
    line = _failed_with(run("board", "--db", str(demo_store)), 4)
    assert "ZeroDivisionError: planted" in line
    assert "this is a bug" in line


def test_the_codes_are_the_documented_ones() -> None:
    """Given the errors module, then its codes are 1, 2, 3 and 4 and the help paragraph and
    docs/cli.md name each one's meaning."""
    assert (errors.EXIT_REFUSED, errors.EXIT_USAGE, errors.EXIT_UNAVAILABLE) == (1, 2, 3)
    assert errors.EXIT_INTERNAL == 4
    doc = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |"):
        assert code in doc


def test_the_installed_script_exits_1_on_a_refusal(demo_store: Path) -> None:
    """Given the installed `execution-core` script in a real process, when a viewer who may
    not see an appraisal asks for it, then the process exits 1 with one line on stderr."""
    script = Path(sys.executable).with_name("execution-core")
    done = subprocess.run(
        [str(script), "appraisal", "--viewer", "ana", "--person", "ben", "--db", str(demo_store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
