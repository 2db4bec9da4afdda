"""The `review` and `strategy-map` commands on the demo store: the game review with its lessons,
the strategy map by perspective, a viewer who may not read them refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from execution_core_adapters.cli.main import app

runner = CliRunner()


def _run(*args: str, columns: str = "200") -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": columns})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo season recorded into a SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "season.db"
    assert _run("demo", "--db", str(path)).exit_code == 0
    return path


def test_review_prints_the_reviews_and_the_lessons(store: Path) -> None:
    """Given the demo store, when `review` runs, then Ben's and Carl's reviews, the lessons
    collected and the count of goals not reviewed yet are printed."""
    result = _run("review", "--db", str(store))
    assert result.exit_code == 0, result.output
    assert "Game review, 2026 H1" in result.output
    assert "Early partner conversations" in result.output
    assert "  - Check in weekly even when there is bad news" in result.output
    assert "  - Ask for coaching at the first amber week" in result.output
    assert "11 goals not reviewed yet" in result.output


def test_review_read_at_the_cycle_end_has_no_review_yet(store: Path) -> None:
    """Given the demo's reviews dated after the cycle's end, when `review --at` the end, then
    no lesson is recorded yet."""
    result = _run("review", "--db", str(store), "--at", "2026-07-05T00:00")
    assert result.exit_code == 0, result.output
    assert "No lessons recorded yet." in result.output
    assert "14 goals not reviewed yet" not in result.output  # the dropped one needs none
    assert "13 goals not reviewed yet" in result.output


def test_review_fits_a_narrow_terminal(store: Path) -> None:
    """Given an 80-column terminal, then `review` prints no wider line."""
    result = _run("review", "--db", str(store), columns="80")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_strategy_map_groups_the_themes_by_perspective(store: Path) -> None:
    """Given the demo store, when `strategy-map` runs, then the perspectives come in the
    scorecard's order with their themes, and child goals under them."""
    result = _run("strategy-map", "--db", str(store), "--viewer", "ana")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("│ financial") < out.index("│ customer") < out.index("│ learning and growth")
    assert out.index("Grow new revenue to 1.2 M EUR") < out.index("Close mid-market deals")
    assert "Delight new customers" in out
    assert "Northwind is the onboarding customers recommend" in out


@pytest.mark.parametrize("command", ["review", "strategy-map"])
def test_a_viewer_unknown_to_the_organization_is_refused(store: Path, command: str) -> None:
    """Given a viewer nobody knows, when `review` or `strategy-map` runs as them, then it exits
    1 with one line on standard error."""
    result = _run(command, "--db", str(store), "--viewer", "stranger")
    assert result.exit_code == 1
    assert "stranger may not see the" in result.stderr
    assert len(result.stderr.splitlines()) == 1
