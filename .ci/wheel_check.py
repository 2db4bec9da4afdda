"""The package as a user gets it from an index, checked from a fresh venv by ``.ci/check-wheel``.

Run by that venv's interpreter outside the repository: the version, the two top-level packages
(and no ``adapters`` one), the ``execution_core.stores`` entry point, ``Execution.open`` on a
memory store, the command line (``--version``, ``demo --json``, ``board --json``, ``audit
verify --json``), erasing a person (``erase``, then ``audit verify``), and a README on the
index whose links are all absolute. Each check prints one line; the last line counts them
(``N passed, N failed``), and a failure exits 1.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BIN = Path(sys.executable).parent
CHECKS: list[Callable[[], None]] = []


def check(function: Callable[[], None]) -> Callable[[], None]:
    CHECKS.append(function)
    return function


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "execution-core"), *args], capture_output=True, text=True, check=False
    )


@check
def installed_from_the_wheel() -> None:
    """Both packages come from this venv's site-packages, and no ``adapters`` package exists."""
    import execution_core
    import execution_core_adapters

    for module in (execution_core, execution_core_adapters):
        assert str(module.__file__).startswith(sys.prefix), module.__file__
    assert importlib.util.find_spec("adapters") is None


@check
def one_version() -> None:
    """``__version__``, the distribution's metadata and ``--version`` agree."""
    import execution_core

    version = importlib.metadata.version("execution-core")
    assert execution_core.__version__ == version
    shown = run("--version")
    assert shown.returncode == 0, shown
    assert shown.stdout.strip() == f"execution-core {version}", shown


@check
def the_store_entry_point() -> None:
    """``execution_core.stores`` names the adapters' opener, and a memory store opens and
    records through the facade."""
    from execution_core import SYSTEM, Execution

    names = [e.name for e in importlib.metadata.entry_points(group="execution_core.stores")]
    assert names == ["eventsourcing"], names
    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with Execution.open("memory://") as ex:
        ex.found_unit("hq", "Headquarters", actor=SYSTEM, occurred_at=t)
        assert "hq" in ex.organization().units


@check
def the_command_line() -> None:
    """The demo records a season, the board reads it as JSON Lines and the chain verifies."""
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        demo = run("demo", "--db", db, "--json")
        assert demo.returncode == 0, demo.stderr
        assert json.loads(demo.stdout)["events"] > 0
        board = run("board", "--db", db, "--json")
        assert board.returncode == 0, board.stderr
        rows = [json.loads(line) for line in board.stdout.splitlines()]
        assert rows
        assert all("health" in row for row in rows)
        verify = run("audit", "verify", "--db", db, "--json")
        assert verify.returncode == 0, verify
        assert json.loads(verify.stdout)["ok"] is True, verify


@check
def an_erasure_that_keeps_the_chain() -> None:
    """A person erased from a SQLite store by the installed command line: the chain verifies,
    the export shows their name as erased, and their name is nowhere in the database file."""
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        assert run("demo", "--db", db, "--json").returncode == 0
        erase = run("erase", "ana", "--db", db, "--json")
        assert erase.returncode == 0, erase.stderr
        assert json.loads(erase.stdout)["person_id"] == "ana"
        verify = run("audit", "verify", "--db", db, "--json")
        assert verify.returncode == 0, verify
        assert json.loads(verify.stdout)["ok"] is True, verify
        export = run("audit", "export", "--db", db)
        names = {
            line["payload"]["person_id"]: line["payload"]["person_name"]
            for line in map(json.loads, export.stdout.splitlines())
            if line["name"] == "organization.PersonJoined"
        }
        assert names["ana"] == "[erased]", names
        refused = run("erase", "ben", "--db", db, "--actor", "ana")
        assert refused.returncode == 1, refused


@check
def a_readme_that_reads_off_the_repository() -> None:
    """The long description on the index has no relative link (docs/ is not there)."""
    readme = str(importlib.metadata.metadata("execution-core")["Description"])
    assert "## Ten lines of the API" in readme
    relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme)
    assert not relative, relative


def main() -> int:
    failed = 0
    for function in CHECKS:
        try:
            function()
        except Exception as error:  # report every check, then fail
            failed += 1
            print(f"FAILED {function.__name__}: {type(error).__name__}: {error}")
        else:
            print(f"ok {function.__name__}")
    print(f"wheel: {len(CHECKS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
