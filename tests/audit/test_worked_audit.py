"""The worked audit of docs/audit.md is real: every command shown there, rerun against a freshly
recorded demo season, prints exactly the output shown.

Console blocks hold ``$ command`` lines, each followed by its output. ``execution-core`` commands
run through the command line app at 120 columns; ``cp``, ``sqlite3 FILE "SQL"``, ``cmp`` and
``head -n 1`` are done in Python (``cmp`` prints nothing when the files are equal). Trailing
spaces are ignored; of the demo's own output, only its table and summary are compared, with
the timing left out. Any other command fails the test, so the document cannot show one the
test does not check.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from execution_core_adapters.cli.main import app

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)
TIMING = re.compile(r"in [\d.]+ s \([\d,]+ events/s\)")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
"""A chain hash: each store seals personal fields with its own keys (docs/privacy.md), so a
recording's hashes are its own; the page's are one run's."""
runner = CliRunner()


def shown(document: str) -> Iterator[tuple[str, str]]:
    """Every ``$ command`` of the document's console blocks with the output shown after it."""
    for block in CONSOLE.findall(document):
        for part in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = part.partition("\n")
            yield command, output


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def run(command: str) -> str:
    """What ``command`` prints, run in the current directory."""
    args = shlex.split(command)
    if args[0] == "execution-core":
        result = runner.invoke(app, args[1:], env={"COLUMNS": "120"})
        return result.output
    if args[0] == "cp":
        shutil.copyfile(args[1], args[2])
        return ""
    if args[0] == "sqlite3":
        with sqlite3.connect(args[1]) as connection:
            connection.execute(args[2])
        connection.close()
        return ""
    if args[0] == "cmp":
        same = Path(args[1]).read_bytes() == Path(args[2]).read_bytes()
        return "" if same else f"{args[1]} {args[2]} differ\n"
    if args[:3] == ["head", "-n", "1"]:
        with Path(args[3]).open() as file:
            return file.readline()
    raise AssertionError(f"docs/audit.md shows a command this test cannot check: {command}")


def _demo(expected: list[str], got: list[str]) -> tuple[list[str], list[str]]:
    """The demo's table and summary line, timing masked; the boards after it are left out."""
    kept = [line for line in expected if not line.startswith("[...")]
    return [TIMING.sub("in ...", line) for line in kept], [
        TIMING.sub("in ...", line) for line in got[: len(kept)]
    ]


def test_the_worked_audit_prints_what_the_document_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a fresh directory, when every command of docs/audit.md's console blocks runs in
    order (the first records the demo season), then each prints exactly the output shown
    (chain hashes aside: they are each store's own)."""
    monkeypatch.chdir(tmp_path)
    commands = list(shown(DOCUMENT.read_text()))
    assert commands[0][0] == "execution-core demo --db season.db"
    assert len(commands) >= 15
    for command, output in commands:
        expected = [HASH.sub("<hash>", line) for line in _lines(output)]
        got = [HASH.sub("<hash>", line) for line in _lines(run(command))]
        if command.startswith("execution-core demo"):
            expected, got = _demo(expected, got)
        assert got == expected, f"$ {command}\n" + "\n".join(got)
