"""The view commands (`board`, `appraisal`, `radar`) and the demo's printed views."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from execution_core_adapters.cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args), env=WIDE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo season recorded into a SQLite file, and what the demo printed."""
    path = tmp_path_factory.mktemp("demo") / "season.db"
    result = _run("demo", "--db", str(path))
    assert result.exit_code == 0, result.output
    return path, result.output


def test_the_demo_prints_three_boards_the_appraisal_and_the_lead_time(
    demo: tuple[Path, str],
) -> None:
    """Given a fresh file, when `demo` records the season, then it prints the board at weeks 4,
    13 and 22, the appraisal sheets and the lead-time summary."""
    _, output = demo
    for week in ("Week 4 (early)", "Week 13 (mid-season)", "Week 22 (late)"):
        assert week in output
    assert "Appraisal sheets, 2026 H1" in output
    assert "Eve Novak (eve)" in output
    summary = r"flagged \d+ of the \d+ goals that ended missed, a median [\d.]+ days before"
    assert re.search(summary, output)


def test_board_shows_the_goals_and_their_health(demo: tuple[Path, str]) -> None:
    """Given the demo store, when `board` reads it mid-season, then every goal title and the
    health words are on the table."""
    path, _ = demo
    result = _run("board", "--db", str(path), "--at", "2026-04-10T12:00")
    assert result.exit_code == 0, result.output
    for title in ("Grow new revenue to 1.2 M EUR", "Close mid-market deals", "Speak at a meetup"):
        assert title in result.output
    for word in ("on track", "off track", "stale"):
        assert word in result.output
    assert "2026-04-10 12:00 UTC" in result.output


def test_board_fits_a_narrow_terminal(demo: tuple[Path, str]) -> None:
    """Given the demo store, when `board` prints to an 80-column terminal, then no line is wider
    and the health words stay whole."""
    path, _ = demo
    result = runner.invoke(
        app, ["board", "--db", str(path), "--at", "2026-04-10"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    for word in ("on track", "off track", "stale"):
        assert word in result.output


def test_board_defaults_to_the_cycle_end(demo: tuple[Path, str]) -> None:
    """Given the demo store (appraisals dated after the cycle), when `board` runs without --at,
    then it reads the board at the cycle's end, not later and not at the wall clock."""
    path, _ = demo
    result = _run("board", "--db", str(path), "--viewer", "ana")
    assert result.exit_code == 0, result.output
    assert "at 2026-07-06 00:00 UTC" in result.output


def test_appraisal_refuses_a_viewer_who_may_not_see_the_person(demo: tuple[Path, str]) -> None:
    """Given the demo store, when ben asks for ana's appraisal, then the command says he may
    not and exits 1 (a refusal, told from a usage error's 2)."""
    path, _ = demo
    result = _run("appraisal", "--db", str(path), "--viewer", "ben", "--person", "ana")
    assert result.exit_code == 1
    assert "ben may not see ana's appraisal" in result.output
    assert "Appraisal of" not in result.output


def test_appraisal_shows_a_calibrated_rating_over_the_recorded_one(demo: tuple[Path, str]) -> None:
    """Given the demo store, when HR asks for eve's appraisal, then the sheet shows the recorded
    3 and the calibrated 4 that stands."""
    path, _ = demo
    result = _run("appraisal", "--db", str(path), "--viewer", "hana", "--person", "eve")
    assert result.exit_code == 0, result.output
    assert "recorded 3 by pia; calibrated 4 -> rating 4 (calibrated)" in result.output


def test_appraisal_of_everyone_skips_whom_the_viewer_may_not_see(demo: tuple[Path, str]) -> None:
    """Given the demo store, when max asks for every sheet, then he gets his own and his reports'
    and a note naming the people skipped."""
    path, _ = demo
    result = _run("appraisal", "--db", str(path), "--viewer", "max")
    assert result.exit_code == 0, result.output
    for person in ("Ana Costa (ana)", "Ben Okafor (ben)", "Carl Berg (carl)"):
        assert f"Appraisal of {person}" in result.output
    assert "Appraisal of Eve Novak" not in result.output
    assert "Skipped 8 people whose appraisal max may not see" in result.output


def test_radar_runs(demo: tuple[Path, str]) -> None:
    """Given the demo store, when `radar` reads it in March, then it lists people with their
    coaches and a goal flagged and not coached since."""
    path, _ = demo
    result = _run("radar", "--db", str(path), "--at", "2026-03-10T12:00")
    assert result.exit_code == 0, result.output
    assert "Coaching radar, 2026 H1" in result.output
    assert "authorised" in result.output
    assert "Cut time to first value: at risk since 2026-03-03" in result.output


@pytest.mark.parametrize("command", [["board"], ["radar"], ["appraisal", "--viewer", "hana"]])
def test_a_missing_store_exits_2_and_creates_no_file(tmp_path: Path, command: list[str]) -> None:
    """Given no file at the path, when a view command is pointed at it, then it says so, exits
    2, and leaves no file behind."""
    missing = tmp_path / "nothing.db"
    result = _run(*command, "--db", str(missing))
    assert result.exit_code == 2
    assert "no store at" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_cycle_exits_1_and_an_unreadable_instant_2(demo: tuple[Path, str]) -> None:
    """Given the demo store, when `board` is asked for a cycle the store does not hold (not
    found: 1) or an unreadable --at (usage: 2), then it names the problem with that code."""
    path, _ = demo
    cycle = _run("board", "--db", str(path), "--cycle", "2030")
    assert cycle.exit_code == 1
    assert "it holds 2026 H1" in cycle.output
    instant = _run("board", "--db", str(path), "--at", "next tuesday")
    assert instant.exit_code == 2
    assert "not an ISO 8601" in instant.output
