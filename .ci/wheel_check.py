"""The package as a user gets it from an index, checked from a fresh venv by ``.ci/check-wheel``.

Run by that venv's interpreter outside the repository: the version, the two top-level packages
(and no ``adapters`` one), the ``execution_core.stores`` entry point, ``Execution.open`` on a
memory store, the command line (``--version``, ``demo --json``, ``board --json``, ``audit
verify --json``), erasing a person (``erase``, then ``audit verify``), and a README on the
index whose links are all absolute; then each point of issue 15 as a user of the wheel meets
it: the README's example under ``mypy --strict`` (mypy is installed in that venv by
``.ci/check-wheel``) and run; ``execution-core schema``; structured errors (``to_dict``,
``NotFound``); the store named by ``EXECUTION_CORE_STORE``; ``--json`` on the commands that
print a view or a result; ``views status``; the completion script; the exit codes. Each check
prints one line; the last line counts them (``N passed, N failed``), and a failure exits 1.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

BIN = Path(sys.executable).parent
CHECKS: list[Callable[[], None]] = []


def check(function: Callable[[], None]) -> Callable[[], None]:
    CHECKS.append(function)
    return function


def run(
    *args: str, env: dict[str, str] | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "execution-core"), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
    )


def json_lines(text: str) -> list[dict[str, object]]:
    """The objects of a JSON Lines result (each line one object)."""
    rows = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(row, dict) for row in rows), text[:200]
    return rows


def readme_example() -> str:
    """The python block under "Ten lines of the API" of the README on the index."""
    readme = str(importlib.metadata.metadata("execution-core")["Description"])
    section = readme.split("## Ten lines of the API", 1)[1]
    found = re.search(r"^```python\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert found, "no python block under 'Ten lines of the API'"
    return found.group(1)


E = TypeVar("E", bound=Exception)


def refusal(error: type[E], call: Callable[[], object]) -> E:
    """The error of the type given that the call raises (an AssertionError if none)."""
    try:
        call()
    except error as raised:
        return raised
    raise AssertionError(f"{error.__name__} was not raised")


DEMO: dict[str, str] = {}
"""The demo store the command-line checks share: recorded once, through the environment."""


def demo_store() -> str:
    """A demo season recorded into a SQLite file named by ``EXECUTION_CORE_STORE`` alone (no
    ``--db``): the file is where the variable says."""
    if "url" not in DEMO:
        folder = tempfile.mkdtemp()
        url = f"sqlite:///{folder}/season.db"
        demo = run("demo", "--json", env={**os.environ, "EXECUTION_CORE_STORE": url}, cwd=folder)
        assert demo.returncode == 0, demo.stderr
        assert Path(folder, "season.db").is_file()
        assert not Path(folder, "execution.db").exists()
        DEMO["url"] = url
    return DEMO["url"]


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


@check
def the_readme_example_type_checks_and_runs() -> None:
    """The README's example passes ``mypy --strict`` against the installed wheel, with no
    configuration of the project's, and runs."""
    with tempfile.TemporaryDirectory() as folder:
        example = Path(folder) / "readme_example.py"
        example.write_text(readme_example())
        Path(folder, "mypy.ini").write_text("[mypy]\n")
        typed = subprocess.run(
            [str(BIN / "mypy"), "--strict", "--config-file", "mypy.ini", "--cache-dir",
             str(Path(folder) / "cache"), example.name],
            cwd=folder, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert typed.returncode == 0, typed.stdout + typed.stderr
        ran = subprocess.run(
            [sys.executable, example.name], cwd=folder, capture_output=True, text=True, check=False
        )
        assert ran.returncode == 0, ran.stderr
        assert Path(folder, "plan.db").is_file()


@check
def one_schema_of_every_command() -> None:
    """``execution-core schema`` prints one JSON Schema: a union told apart by ``type``, whose
    commands allow the idempotency key; ``schema export-line`` the export line's."""
    shown = run("schema")
    assert shown.returncode == 0, shown.stderr
    schema = json.loads(shown.stdout)
    mapping = schema["discriminator"]["mapping"]
    assert {"SetGoal", "LogProgress", "RecordAppraisal"} <= set(mapping), sorted(mapping)
    assert len(schema["oneOf"]) == len(mapping)
    assert "idempotency_key" in schema["$defs"]["LogProgress"]["properties"]
    line = run("schema", "export-line")
    assert line.returncode == 0, line.stderr
    assert "goal.ProgressLogged" in line.stdout


@check
def errors_with_fields() -> None:
    """An unknown cycle is ``NotFound`` with its kind and id; a refused command's error names
    the command, its ids and each problem's field, all in ``to_dict()``."""
    from uuid import uuid4

    from execution_core import SYSTEM, Execution, InvalidInput, NotFound

    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    unknown = uuid4()
    with Execution.open("memory://") as ex:
        missing = refusal(NotFound, lambda: ex.cycle(unknown))
        invalid = refusal(
            InvalidInput, lambda: ex.found_unit("", "HQ", actor=SYSTEM, occurred_at=t)
        )
    assert (missing.kind, missing.id) == ("cycle", str(unknown)), vars(missing)
    assert missing.to_dict()["error"] == "NotFound"
    found = json.loads(json.dumps(invalid.to_dict()))
    assert found["command"] == "FoundUnit", found
    assert [p["where"] for p in found["problems"]] == ["unit_id"], found


@check
def the_store_variable() -> None:
    """``EXECUTION_CORE_STORE`` names the store of the command line (the demo recorded into it,
    above) and of ``Execution.open()``."""
    url = demo_store()
    env = {**os.environ, "EXECUTION_CORE_STORE": url}
    with tempfile.TemporaryDirectory() as elsewhere:
        verify = run("audit", "verify", "--json", env=env, cwd=elsewhere)
        assert verify.returncode == 0, verify.stderr
        assert json.loads(verify.stdout)["ok"] is True
        probe = subprocess.run(
            [sys.executable, "-c",
             "from execution_core import Execution\n"
             "with Execution.open() as ex: print(len(ex.organization().people))"],
            env=env, cwd=elsewhere, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr
        assert int(probe.stdout) == 12, probe.stdout
        assert not Path(elsewhere, "execution.db").exists()


@check
def json_from_every_view_command() -> None:
    """Every command that prints a view or a result prints JSON Lines with ``--json``, and its
    messages go to standard error."""
    db = demo_store()
    for args in (
        ("board",),
        ("radar",),
        ("review",),
        ("strategy-map",),
        ("appraisal", "--viewer", "hana"),
        ("audit", "as-of", "2026-03-01", "--view", "scoreboard"),
        ("audit", "trail", "--person", "ana", "--viewer", "hana"),
        ("audit", "diff", "2026-02-01", "2026-05-01"),
        ("simulate", "--people", "12", "--weeks", "6"),
    ):
        shown = run(*args, "--db", db, "--json") if args[0] != "simulate" else run(*args, "--json")
        assert shown.returncode == 0, (args, shown.stderr)
        assert json_lines(shown.stdout), args


@check
def views_status() -> None:
    """``views status`` says how far the view tables lag: the whole log before a catch-up,
    nothing after it."""
    db = demo_store()
    before = run("views", "status", "--db", db, "--json")
    assert before.returncode == 0, before.stderr
    lags = {row["view"]: row["lag"] for row in json_lines(before.stdout)}
    assert set(lags) == {"board", "appraisal", "radar"}, lags
    assert all(isinstance(lag, int) and lag > 0 for lag in lags.values()), lags
    caught = run("views", "catch-up", "--db", db, "--json")
    assert caught.returncode == 0, caught.stderr
    after = run("views", "status", "--db", db, "--json")
    assert [row["lag"] for row in json_lines(after.stdout)] == [0, 0, 0], after.stdout


@check
def a_completion_script() -> None:
    """typer's variable prints a bash completion script for the command."""
    shown = subprocess.run(
        [str(BIN / "execution-core")],
        env={**os.environ, "_EXECUTION_CORE_COMPLETE": "source_bash"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "_EXECUTION_CORE_COMPLETE" in shown.stdout
    assert "complete " in shown.stdout


@check
def exit_codes() -> None:
    """0 done; 1 refused by the domain (a viewer who may not see the board, an unknown person);
    2 a usage error (an unknown option, a bad time, no store at a path); each failure one line
    on standard error and nothing on standard output."""
    db = demo_store()
    assert run("board", "--db", db).returncode == 0
    with tempfile.TemporaryDirectory() as folder:
        for code, args in (
            (1, ("board", "--db", db, "--viewer", "nobody")),
            (1, ("appraisal", "--db", db, "--viewer", "hana", "--person", "nobody")),
            (2, ("board", "--db", db, "--no-such-option")),
            (2, ("board", "--db", db, "--at", "next tuesday")),
            (2, ("board", "--db", str(Path(folder) / "missing.db"))),
        ):
            failed = run(*args)
            assert failed.returncode == code, (args, failed.returncode, failed.stderr)
            assert failed.stdout == "", (args, failed.stdout)
            assert failed.stderr.strip(), args


def run_checks(checks: list[Callable[[], None]], label: str) -> int:
    """Run every check, a line each, then the count (``label: N passed, N failed``); 1 if one
    failed (after all have run)."""
    failed = 0
    started = time.perf_counter()
    for function in checks:
        began = time.perf_counter()
        try:
            function()
        except Exception as error:  # report every check, then fail
            failed += 1
            print(f"FAILED {function.__name__}: {type(error).__name__}: {error}")
        else:
            print(f"ok {function.__name__} ({time.perf_counter() - began:.1f} s)")
    print(f"the checks took {time.perf_counter() - started:.0f} s")
    print(f"{label}: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main() -> int:
    return run_checks(CHECKS, "wheel")


if __name__ == "__main__":
    sys.exit(main())
