"""One default store for every command: ``demo`` records where ``audit``, the views and the
worker read when no ``--db`` is given (``execution_core.DEFAULT_STORE``)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from execution_core import DEFAULT_STORE, Execution
from execution_core.service import store_url
from execution_core_adapters.cli.main import app
from tests.cli.conftest import commands

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def test_every_command_defaults_to_the_one_store() -> None:
    """Given every command of the command line, then each one's --db defaults to
    DEFAULT_STORE, Execution.open's default too (but `simulate`, which plays in memory unless
    told otherwise)."""
    defaults = {
        name: inspect.signature(callback).parameters["db"].default
        for name, callback in commands(app).items()
        if "db" in inspect.signature(callback).parameters and name != "simulate"
    }
    assert {"demo", "board", "appraisal", "radar", "audit verify", "views status"} <= set(defaults)
    assert {name for name, default in defaults.items() if default != DEFAULT_STORE} == set()
    assert inspect.signature(Execution.open).parameters["url"].default is None
    assert store_url(None, {}) == DEFAULT_STORE  # what Execution.open() opens, no variable set


def test_the_demo_then_audit_verify_without_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an empty working directory, when `demo` runs and then `audit verify`, `board` and
    `review` without --db, then all succeed on the one store the demo recorded."""
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["demo"], env=WIDE).exit_code == 0
    assert (tmp_path / "execution.db").exists()
    verified = runner.invoke(app, ["audit", "verify"], env=WIDE)
    assert verified.exit_code == 0, verified.output
    for command in (["board"], ["review"], ["strategy-map"]):
        result = runner.invoke(app, command, env=WIDE)
        assert result.exit_code == 0, (command, result.output)
    again = runner.invoke(app, ["demo"], env=WIDE)
    assert again.exit_code == 0
    assert "unchanged since the demo" in again.stderr
