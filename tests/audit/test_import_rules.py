"""Import is held to the rules of the API: a file the domain could not have recorded is refused
whole, naming the line and the rule, and nothing is stored (issue 12)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from execution_core import Execution, GiveCoaching, KeyResultSpec, LogProgress, OpenCycle, SetGoal
from execution_core.access import Owner, Permission
from execution_core.admission import command_events
from execution_core.goals.commands import OwnerSpec
from execution_core.ids import coaching_stream_id
from execution_core_adapters.cli.audit import audit_app
from execution_core_adapters.storage.codec import dumps
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import ImportRefused, export_lines, import_lines
from tests.audit.helpers import GOAL_A, GOAL_B
from tests.support import CYCLE_ID, FixedClock, day, seed_deals_goal, standard_org

Edit = Callable[[list[bytes]], int]
"""Breaks one line of a good file in place; returns its index."""


def _where(lines: list[bytes], name: str, nth: int = 1, stream: UUID | None = None) -> int:
    hits = [
        i
        for i, line in enumerate(lines)
        if json.loads(line)["name"] == name
        and (stream is None or json.loads(line)["stream_id"] == str(stream))
    ]
    return hits[nth - 1]


def _payload(line: bytes, **fields: Any) -> bytes:
    data = json.loads(line)
    data["payload"] = {**data["payload"], **fields}
    return dumps(data) + b"\n"


def _nan_value(lines: list[bytes]) -> int:
    i = _where(lines, "goal.ProgressLogged", 3)
    lines[i] = re.sub(rb'"value":[-0-9.e]+', b'"value":NaN', lines[i])
    assert b'"value":NaN' in lines[i]
    return i


def _confidence_five(lines: list[bytes]) -> int:
    i = _where(lines, "goal.ProgressLogged", 3)
    lines[i] = _payload(lines[i], confidence=5)
    return i


def _actor_without_permission(lines: list[bytes]) -> int:
    i = _where(lines, "goal.ProgressLogged", 3)  # ana's goal: cora is neither owner nor manager
    lines[i] = _payload(lines[i], actor="cora")
    return i


def _outside_the_cycle(lines: list[bytes]) -> int:
    i = _where(lines, "goal.ProgressLogged", 3)
    lines[i] = _payload(lines[i], occurred_at="2027-02-01T09:00:00+00:00")
    return i


def _recorded_time_goes_back(lines: list[bytes]) -> int:
    i = _where(lines, "goal.ProgressLogged", 3)
    lines[i] = _payload(lines[i], recorded_at="2025-06-01T09:00:00+00:00")
    return i


def _parent_goal_not_in_the_file(lines: list[bytes]) -> int:
    i = _where(lines, "goal.GoalSet", 2)
    missing = "00000000-0000-4000-8000-0000000000ff"
    lines[i] = _payload(lines[i], aligned_to={"parent_id": missing, "theme_id": None})
    return i


def _coach_is_not_the_actor(lines: list[bytes]) -> int:
    i = _where(lines, "coaching.CoachingGiven")
    lines[i] = _payload(lines[i], coach_id="cora")
    return i


CASES: dict[str, tuple[Edit, str]] = {
    "nan": (_nan_value, "value: Input should be a finite number"),
    "confidence": (_confidence_five, "confidence: Input should be less than or equal to 1"),
    "permission": (
        _actor_without_permission,
        "'cora' is not permitted to log progress for person ana",
    ),
    "cycle dates": (_outside_the_cycle, "is outside the goal's cycle"),
    "recorded order": (_recorded_time_goes_back, "recorded time never goes back"),
    "parent goal": (_parent_goal_not_in_the_file, "unknown parent goal"),
    "not as decided": (_coach_is_not_the_actor, "coach_id 'cora' where GiveCoaching records"),
}


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'target.db'}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_line_the_api_would_refuse_imports_nothing_and_is_named(
    case: str, good_lines: list[bytes], tmp_path: Path
) -> None:
    """Given a good export with one line in the middle changed into one the API refuses (each
    case of issue 12), when imported into an empty SQLite file, then the whole file is refused
    naming that line and the rule, and the store holds nothing."""
    lines = list(good_lines)
    edit, rule = CASES[case]
    index = edit(lines)
    assert index > 0
    store = open_store(_sqlite(tmp_path))
    try:
        with pytest.raises(ImportRefused) as refused:
            import_lines(store, lines)
        assert refused.value.line == index + 1, refused.value
        assert rule in refused.value.reason, refused.value.reason
        assert str(refused.value).startswith(f"line {index + 1}: ")
        assert store.last_position() == 0
    finally:
        store.close()


@pytest.mark.postgres
def test_a_refused_import_stores_nothing_on_postgres(
    good_lines: list[bytes], postgres_url: str
) -> None:
    """Given a good export with a check-in by an actor without the permission, when imported
    into an empty PostgreSQL store, then it is refused naming that line and, opened afresh, the
    store holds nothing and then takes the good file."""
    lines = list(good_lines)
    index = _actor_without_permission(lines)
    store = open_store(postgres_url)
    try:
        with pytest.raises(ImportRefused, match="is not permitted to log progress") as refused:
            import_lines(store, lines)
    finally:
        store.close()
    assert refused.value.line == index + 1
    reopened = open_store(postgres_url)
    try:
        assert reopened.last_position() == 0
        import_lines(reopened, good_lines)
        assert reopened.verify().ok
    finally:
        reopened.close()


def test_import_of_an_unknown_event_type_exits_non_zero_without_a_traceback(
    good_lines: list[bytes], tmp_path: Path
) -> None:
    """Given an export with a line of an unknown event type, when `audit import` runs, then it
    exits 1 naming the line and the type, and raises no exception to the terminal."""
    lines = list(good_lines)
    i = _where(lines, "goal.ProgressLogged", 2)
    data = json.loads(lines[i])
    lines[i] = dumps({**data, "name": "goal.ProgressFaked"}) + b"\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    result = runner.invoke(audit_app, ["import", str(bad), "--db", _sqlite(tmp_path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"bad.jsonl:{i + 1}: " in result.output
    assert "unknown event type 'goal.ProgressFaked'" in result.output


runner = CliRunner()


def test_a_good_file_is_cut_into_the_decisions_that_recorded_it(good_lines: list[bytes]) -> None:
    """Given the small history, when its events are cut into decisions, then a SetGoal's
    GoalSet and KeyResultAdded go together, as do OpenCycle's two events, and every other
    event stands alone."""
    store = open_store("memory://")
    import_lines(store, good_lines)
    events = [recorded.event for recorded in store.read_all()]
    sizes = {
        type(group[0]).name: len(group) for _, group in command_events(events) if len(group) > 1
    }
    assert sizes == {"cycle.CycleOpened": 2, "goal.GoalSet": 2}
    assert sum(len(group) for _, group in command_events(events)) == len(events)


def test_a_cycle_export_brings_the_goals_its_journals_speak_of(tmp_path: Path) -> None:
    """Given coaching in 2026 about a goal of another cycle, when the 2026 cycle is exported,
    then the file brings that goal and its cycle, and imports by the domain's rules."""
    clock = FixedClock()
    store = open_store(f"sqlite:///{tmp_path / 'two.db'}", clock=clock)
    execution = Execution(store, future_tolerance=None)
    for command in standard_org():
        execution.execute(command)
    other = UUID("00000000-0000-4000-8000-000000000002")
    execution.execute(
        OpenCycle(
            cycle_id=other,
            name="2025",
            starts_on=date(2025, 1, 1),
            ends_on=date(2026, 6, 30),
            actor="cleo",
            occurred_at=day(1),
        )
    )
    execution.execute(
        SetGoal(
            goal_id=GOAL_B,
            cycle_id=other,
            title="Old deals",
            owner=OwnerSpec(id="ana"),
            key_results=(KeyResultSpec(kr_id="k", name="K", target=5),),
            actor="max",
            occurred_at=day(2),
        )
    )
    execution.execute(
        GiveCoaching(actor="max", occurred_at=day(3), person_id="ana", goal_id=GOAL_B)
    )
    part = list(export_lines(store, cycle_id=CYCLE_ID))
    streams = {UUID(json.loads(line)["stream_id"]) for line in part}
    assert {GOAL_B, other, coaching_stream_id("ana")} <= streams
    assert GOAL_A not in streams
    copy = open_store("memory://")
    assert import_lines(copy, part).events == len(part)
    store.close()


class _Everyone:
    """An access policy that permits every act (an app's own policy, unlike the default)."""

    def permits(self, actor: str, permission: Permission, subject: Owner | None, org: Any) -> bool:
        """Yes, always."""
        return True


def test_an_import_is_checked_under_the_access_policy_it_is_given() -> None:
    """Given a check-in by cora on ana's goal, recorded under a policy that permits it, when the
    export is imported, then the default policy refuses that line and the same policy takes it."""
    store = open_store("memory://", clock=FixedClock())
    execution = Execution(store, access=_Everyone(), future_tolerance=None)
    seed_deals_goal(execution, GOAL_A)
    execution.execute(
        LogProgress(
            actor="cora", occurred_at=day(3), goal_id=GOAL_A, kr_id="deals", value=1, confidence=0.5
        )
    )
    lines = list(export_lines(store))
    with pytest.raises(ImportRefused, match="'cora' is not permitted to log progress") as refused:
        import_lines(open_store("memory://"), lines)
    assert refused.value.line == len(lines)
    assert import_lines(open_store("memory://"), lines, access=_Everyone()).events == len(lines)
