"""``--json``: every command that prints a view or a result prints it as JSON Lines on standard
output (one object a row, or one for a result), equal to the library's own records of it, while
messages stay on standard error."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from execution_core import views as v
from execution_core_adapters.cli.main import app
from execution_core_adapters.cli.output import jsonable
from execution_core_adapters.cli.render import read_history
from execution_core_adapters.storage.store import open_store
from tests.cli.conftest import commands, run

AT = "2026-04-15T12:00:00+00:00"
WITHOUT_JSON = {"audit head", "audit export", "schema", "views run", "worker"}
"""Commands with no --json: `audit head`, `audit export` and `schema` print JSON already,
`views run` and `worker` run until stopped and log."""


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _oracle(demo_store: Path, view: Callable[..., Any], **kwargs: Any) -> list[dict[str, Any]]:
    """The view computed by the library on the same store, as JSON would carry it."""
    store = open_store(f"sqlite:///{demo_store}")
    try:
        ledger = read_history(store).ledger
    finally:
        store.close()
    (cycle_id,) = ledger.cycles
    records = view(ledger, cycle_id, at=datetime.fromisoformat(AT), **kwargs).to_records()
    return [jsonable(record) for record in records]


def test_every_command_that_prints_a_result_takes_json() -> None:
    """Given every command of the command line, then each takes --json but those that print
    JSON already or run until stopped."""
    without = {
        name
        for name, callback in commands(app).items()
        if "as_json" not in inspect.signature(callback).parameters
    }
    assert without == WITHOUT_JSON


@pytest.mark.parametrize(
    ("command", "view"),
    [
        ("board", v.scoreboard),
        ("radar", v.coaching_radar),
        ("review", v.game_review),
        ("strategy-map", v.strategy_map),
    ],
)
def test_a_view_is_its_records_one_a_line(
    demo_store: Path, command: str, view: Callable[..., Any]
) -> None:
    """Given the demo store, when a view command runs with --json at a business time, then
    each line of standard output is one record of the view the library computes (the oracle),
    in its order."""
    result = run(command, "--db", str(demo_store), "--at", AT, "--json")
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout) == _oracle(demo_store, view)


def test_appraisal_is_one_line_a_sheet(demo_store: Path) -> None:
    """Given the demo store, when HR reads the appraisals with --json, then each line is one
    person's sheet header with its goals, and the people skipped are said on stderr only."""
    result = run("appraisal", "--db", str(demo_store), "--viewer", "hana", "--json")
    assert result.exit_code == 0, result.output
    sheets = _lines(result.stdout)
    assert sheets
    for sheet in sheets:
        assert {"person_id", "attainment", "rating", "bonus_multiplier", "goals"} <= set(sheet)
        assert all("final_score" in goal for goal in sheet["goals"])
    one = run("appraisal", "--db", str(demo_store), "--viewer", "hana", "--person", "ana", "--json")
    assert _lines(one.stdout) == [s for s in sheets if s["person_id"] == "ana"]


def test_verify_import_and_views_print_one_result(demo_store: Path, tmp_path: Path) -> None:
    """Given the demo store, when it is verified, exported and imported into a new store, and
    the new store's views are caught up and their status read with --json, then each prints
    its result as JSON Lines that agree with one another."""
    verified = run("audit", "verify", "--db", str(demo_store), "--json")
    assert verified.exit_code == 0, verified.output
    (report,) = _lines(verified.stdout)
    assert report["ok"] is True
    assert report["head"]["position"] == report["events_checked"]
    export = tmp_path / "season.jsonl"
    assert run("audit", "export", "--db", str(demo_store), "--out", str(export)).exit_code == 0
    copy = tmp_path / "copy.db"
    imported = run("audit", "import", str(export), "--db", str(copy), "--json")
    assert imported.exit_code == 0, imported.output
    (result,) = _lines(imported.stdout)
    assert result["imported"] is True
    assert result["events"] == len(export.read_bytes().splitlines())
    caught_up = run("views", "catch-up", "--db", str(copy), "--json")
    assert caught_up.exit_code == 0, caught_up.output
    (applied,) = _lines(caught_up.stdout)
    assert applied["parked"] == {}
    status = run("views", "status", "--db", str(copy), "--json")
    rows = _lines(status.stdout)
    assert {row["view"]: row["position"] for row in rows} == applied["positions"]
    assert all(row["lag"] == 0 and row["parked"] is None for row in rows)


def test_a_refused_import_names_its_lines_in_json_too(tmp_path: Path) -> None:
    """Given an export file with a line that is not JSON, when it is imported with --json, then
    the exit code is 1, standard output holds one object naming the line, and no store is
    left behind."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    target = tmp_path / "new.db"
    result = run("audit", "import", str(bad), "--db", str(target), "--json")
    assert result.exit_code == 1
    (refusal,) = _lines(result.stdout)
    assert refusal["imported"] is False
    assert [problem["line"] for problem in refusal["problems"]] == [1]
    assert "refused, nothing imported" in result.stderr
    assert not target.exists()


def test_the_demo_prints_what_it_recorded(tmp_path: Path) -> None:
    """Given an empty path, when the demo runs with --json, then standard output is one object
    whose event counts by type add up to its total, and the store holds that many events."""
    path = tmp_path / "demo.db"
    result = run("demo", "--db", str(path), "--json")
    assert result.exit_code == 0, result.output
    (recorded,) = _lines(result.stdout)
    assert sum(recorded["by_type"].values()) == recorded["events"]
    store = open_store(f"sqlite:///{path}")
    try:
        assert store.last_position() == recorded["events"]
    finally:
        store.close()


def test_json_values_are_plain(demo_store: Path) -> None:
    """Given the board as JSON, then times are ISO 8601 with their offset, ids are text and
    health is its word: nothing a JSON reader must know Python to read."""
    result = run("board", "--db", str(demo_store), "--at", AT, "--json")
    row = _lines(result.stdout)[0]
    assert datetime.fromisoformat(row["last_checkin_at"]).tzinfo == UTC
    assert isinstance(row["goal_id"], str)
    assert row["health"] in {"on track", "at risk", "off track", "not started", "stale", None}
