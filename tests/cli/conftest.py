"""A demo store the command-line tests read (recorded once per module), and the runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from execution_core_adapters.cli.main import app

WIDE = {"COLUMNS": "200"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """The command line as typer's runner invokes it (standard output and error apart)."""
    return CliRunner().invoke(app, list(args), env={**WIDE, **(env or {})})


def commands(group: typer.Typer, prefix: str = "") -> dict[str, Callable[..., Any]]:
    """Every command of a typer app (its groups' too), by its full name: `audit verify`."""
    found: dict[str, Callable[..., Any]] = {}
    for command in group.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        found[f"{prefix}{name}"] = command.callback
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        found.update(commands(sub.typer_instance, f"{prefix}{sub.name} "))
    return found


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store the demo recorded (read only by the tests that take it)."""
    path = tmp_path_factory.mktemp("demo") / "season.db"
    result = run("demo", "--db", str(path), "--json")
    assert result.exit_code == 0, result.output
    return path
