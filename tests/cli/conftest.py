"""A demo store the command-line tests read (recorded once per module), and the runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from execution_core_adapters.cli.main import app

WIDE = {"COLUMNS": "200"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """The command line as typer's runner invokes it (standard output and error apart)."""
    return CliRunner().invoke(app, list(args), env={**WIDE, **(env or {})})


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store the demo recorded (read only by the tests that take it)."""
    path = tmp_path_factory.mktemp("demo") / "season.db"
    result = run("demo", "--db", str(path), "--json")
    assert result.exit_code == 0, result.output
    return path
