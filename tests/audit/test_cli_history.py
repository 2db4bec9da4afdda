"""The ``execution-core audit as-of | diff | trail`` commands on a SQLite store.

The store: the standard organization (recorded 2026-01-05), ana's goal 1 set on February 1st
(0 to 100), a check-in of 30 on the 3rd, corrected to 50 on the 10th (about the 3rd), and max
lowering the target to 80 on the 20th ("market shrank").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from execution_core import Execution, Policy
from execution_core_adapters.cli.audit import audit_app
from execution_core_adapters.cli.history import PERSON_VIEWS, VIEWS, parse_instant
from execution_core_adapters.storage.store import open_store
from tests.support import FixedClock, standard_org
from tests.views.scenario import CYCLE_ID, d, goal_id, kr

runner = CliRunner()


def feb(day: int) -> datetime:
    """Noon on a February day of 2026."""
    return datetime(2026, 2, day, 12, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    location = f"sqlite:///{tmp_path / 'audit.db'}"
    clock = FixedClock()
    with Execution(open_store(location, clock=clock)) as x:
        for command in standard_org():
            x.execute(command)
        clock.now = feb(1)
        x.set_goal(
            CYCLE_ID,
            "goal 1",
            "ana",
            goal_id=goal_id(1),
            theme_id="growth",
            key_results=(kr(),),
            actor="cleo",
            occurred_at=d(31),
        )
        clock.now = feb(3)
        x.log_progress(goal_id(1), "kr", value=30, confidence=0.6, actor="ana", occurred_at=feb(3))
        clock.now = feb(10)
        x.log_progress(
            goal_id(1),
            "kr",
            value=50,
            confidence=0.4,
            comment="corrected",
            actor="max",
            occurred_at=feb(3),
        )
        clock.now = feb(20)
        x.adjust_target(
            goal_id(1), "kr", target=80, reason="market shrank", actor="max", occurred_at=feb(20)
        )
    return location


def _json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(audit_app, list(args))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_as_of_shows_a_view_as_known_then_and_as_at_a_business_time(url: str) -> None:
    """Given the late correction, when `audit as-of` shows the scoreboard as of the 5th and as
    of the 10th as at the 5th, then progress reads 0.3 and then 0.5."""
    (then,) = _json("as-of", "2026-02-05", "--view", "scoreboard", "--json", "--db", url)
    assert then["progress"] == pytest.approx(0.3)
    (later,) = _json(
        "as-of", "2026-02-10", "--at", "2026-02-05", "--view", "scoreboard", "--json", "--db", url
    )
    assert later["progress"] == pytest.approx(0.5)


def test_as_of_shows_the_plan_as_a_table_by_default(url: str) -> None:
    """Given the store, when `audit as-of` runs without a view before and after the target
    change, then the plan table shows target 100 and then 80."""
    before = runner.invoke(audit_app, ["as-of", "2026-02-19", "--db", url])
    assert before.exit_code == 0, before.output
    assert "goal 1" in before.stdout
    assert "100" in before.stdout
    (now,) = _json("as-of", "--json", "--db", url)
    assert now["targets"] == "kr: target 80, stretch none"


def test_diff_lists_the_changes_between_two_recorded_times(url: str) -> None:
    """Given the store, when `audit diff` runs from January 31st to the 28th, then it lists the
    goal set, its key result and the lowered target with who and why."""
    rows = _json("diff", "2026-01-31", "2026-02-28", "--json", "--db", url)
    assert [(r["kind"], r["actor"], r["reason"]) for r in rows] == [
        ("goal set", "cleo", ""),
        ("key result added", "cleo", ""),
        ("target adjusted", "max", "market shrank"),
    ]
    assert rows[2]["before"] == "target 100, stretch none"
    assert rows[2]["recorded_at"] == "2026-02-20T12:00:00+00:00"


def test_trail_lists_every_event_of_a_goal_by_id_prefix(url: str) -> None:
    """Given the store, when `audit trail --goal` names the goal by the start of its id, then it
    lists its five events in recorded order with both clocks; `--as-of` the 5th keeps three."""
    prefix = str(goal_id(1))[:8]
    rows = _json("trail", "--goal", prefix, "--json", "--db", url)
    assert [r["event"] for r in rows] == [
        "goal.GoalSet",
        "goal.KeyResultAdded",
        "goal.ProgressLogged",
        "goal.ProgressLogged",
        "goal.TargetAdjusted",
    ]
    correction = rows[3]
    assert (correction["occurred_at"], correction["recorded_at"]) == (
        "2026-02-03T12:00:00+00:00",
        "2026-02-10T12:00:00+00:00",
    )
    assert (
        len(_json("trail", "--goal", prefix, "--as-of", "2026-02-05", "--json", "--db", url)) == 3
    )
    ana = _json("trail", "--person", "ana", "--json", "--db", url)
    assert [r["relation"] for r in ana][:1] == ["organization"]
    table = runner.invoke(audit_app, ["trail", "--person", "ana", "--db", url])
    assert table.exit_code == 0
    assert "trail of person ana" in table.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["trail"],
        ["as-of", "yesterday"],
        ["as-of", "--view", "nothing"],
    ],
)
def test_bad_requests_exit_2(url: str, args: list[str]) -> None:
    """Given the store, when a command names no subject, an unreadable time or an unknown
    view, then it exits 2 and records nothing."""
    result = runner.invoke(audit_app, [*args, "--db", url])
    assert result.exit_code == 2, result.output


def test_a_goal_the_store_does_not_hold_exits_1(url: str) -> None:
    """Given the store, when `trail` names a goal id no goal starts with, then it is not found:
    exit 1, one line naming the prefix."""
    result = runner.invoke(audit_app, ["trail", "--goal", "ffffffff", "--db", url])
    assert result.exit_code == 1, result.output
    assert "no goal id starts with 'ffffffff'" in result.stderr


def test_a_missing_store_is_not_created(tmp_path: Path) -> None:
    """Given no file, when `audit as-of` names it, then it exits 2 and creates nothing."""
    missing = tmp_path / "missing.db"
    result = runner.invoke(audit_app, ["as-of", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert not missing.exists()


def test_a_date_means_the_end_of_that_day() -> None:
    """Given a date, a naive time and a time with an offset, then they read as the last instant
    of that day in UTC, as UTC, and converted to UTC."""
    assert parse_instant("2026-03-03") == datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_instant("2026-03-03T10:00") == datetime(2026, 3, 3, 10, tzinfo=UTC)
    assert parse_instant("2026-03-03T10:00+02:00") == datetime(2026, 3, 3, 8, tzinfo=UTC)


@pytest.mark.parametrize("view", ["plan", *VIEWS])
def test_every_view_of_a_cycle_reads_as_of_and_as_at(url: str, view: str) -> None:
    """Given the store, when `audit as-of` shows each view of the cycle as of the 5th as at the
    3rd, as JSON and as a table, then each succeeds."""
    args = ["as-of", "2026-02-05", "--at", "2026-02-03", "--view", view, "--db", url]
    _json(*args, "--json")
    table = runner.invoke(audit_app, args)
    assert table.exit_code == 0, table.output
    title = f"{view} as of 2026-02-05 23:59 UTC, as at 2026-02-03 23:59 UTC"
    assert title in " ".join(table.stdout.split())


@pytest.mark.parametrize("view", sorted(PERSON_VIEWS))
def test_every_view_of_a_person_reads_as_of_and_as_at(url: str, view: str) -> None:
    """Given the store, when `audit as-of` shows ana's appraisal, trace and rating history, read
    by hana (HR), then each succeeds and names ana."""
    args = ["as-of", "2026-02-25", "--view", view, "--person", "ana", "--viewer", "hana"]
    rows = _json(*args, "--json", "--db", url)
    assert rows
    table = runner.invoke(audit_app, [*args, "--db", url])
    assert table.exit_code == 0, table.output
    assert f"{view} of ana as of 2026-02-25" in " ".join(table.stdout.split())


def test_a_past_appraisal_uses_the_policy_in_force_then(url: str) -> None:
    """Given ana at 50 of 80 (final score 0.625: rating 2 under the default floors 0.5 / 0.7 /
    0.85 / 1.0), when HR adopts softer floors (0.4 / 0.6 / 0.75 / 0.9: rating 3) on the 25th,
    backdated to January 6th, then the appraisal as of the 24th still computes 2, and as of the
    25th computes 3, whatever the business time asked."""
    clock = FixedClock(feb(25))
    with Execution(open_store(url, clock=clock)) as x:
        x.adopt_policy(
            CYCLE_ID,
            Policy(rating_floors=(0.4, 0.6, 0.75, 0.9)),
            actor="hana",
            occurred_at=datetime(2026, 1, 6, tzinfo=UTC),
        )
    args = ["--view", "appraisal", "--person", "ana", "--viewer", "hana", "--json", "--db", url]
    for recorded, rating in (("2026-02-24", 2), ("2026-02-25", 3)):
        (row,) = _json("as-of", recorded, "--at", "2026-02-24", *args)
        assert (row["attainment"], row["computed_rating"]) == (pytest.approx(0.625), rating)


@pytest.mark.parametrize(
    "args",
    [
        ["as-of", "--view", "appraisal"],
        ["as-of", "--view", "scoreboard", "--person", "ana"],
        ["as-of", "--view", "appraisal", "--person", "ana", "--viewer", "ben"],
    ],
)
def test_person_views_need_a_person_who_the_viewer_may_see(url: str, args: list[str]) -> None:
    """Given the store, when a person's view names no person, a cycle view names one, or ben
    asks for ana's appraisal, then the command refuses (exit 2, or 1 for access)."""
    result = runner.invoke(audit_app, [*args, "--db", url])
    assert result.exit_code in (1, 2), result.output
    assert result.exit_code == (1 if "ben" in args else 2)
