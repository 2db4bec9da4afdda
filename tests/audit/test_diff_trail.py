"""diff(T1, T2) of the plan and the trail of a goal, a person or a cycle.

The February plan (recorded times in 2026; each fact happens when it is recorded unless said):
on the 1st cleo sets goal 1 (ana, theme growth, target 100) and goal 2 (ben, target 100); on the
5th max lowers goal 1's target to 80 ("market shrank"); on the 8th max hands goal 2 to ana ("ben
on leave"); on the 12th cleo sets goal 3 (ana, under goal 1, weight 2, target 100); on the 15th
max weights goal 2 at 3; on the 20th max drops goal 2 ("merged into goal 1"); on the 25th max
realigns goal 1 to nothing ("theme retired"); on the 26th max records that goal 1 had gone to ben
on the 4th ("handover missed"); on March 1st max raises goal 1's target back to 100.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import ExecutionError, Owner
from execution_core.audit import ChangeKind, Plan, diff, plan_of, trail
from execution_core.views import AdjustmentKind
from execution_core.views.history import LedgerHistory
from tests.audit.timed import Timed, instants, timed_histories
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr


def feb(day: int, hour: int = 12) -> datetime:
    """An instant in February 2026."""
    return datetime(2026, 2, day, hour, tzinfo=UTC)


MARCH_1 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def february() -> History:
    h = History()
    x, clock = h.execution, h.spec.clock

    def on(moment: datetime) -> datetime:
        clock.now = moment
        return moment

    on(feb(1))
    h.goal(1, at=31)
    h.goal(2, "ben", at=31)
    x.adjust_target(
        goal_id(1), "kr", target=80, reason="market shrank", actor="max", occurred_at=on(feb(5))
    )
    x.reassign_goal(goal_id(2), "ana", reason="ben on leave", actor="max", occurred_at=on(feb(8)))
    on(feb(12))
    h.goal(3, parent=1, weight=2, at=42)
    x.weight_goal(goal_id(2), 3.0, actor="max", occurred_at=on(feb(15)))
    x.drop_goal(goal_id(2), reason="merged into goal 1", actor="max", occurred_at=on(feb(20)))
    x.realign_goal(goal_id(1), reason="theme retired", actor="max", occurred_at=on(feb(25)))
    on(feb(26))
    x.reassign_goal(goal_id(1), "ben", reason="handover missed", actor="max", occurred_at=feb(4))
    x.adjust_target(
        goal_id(1), "kr", target=100, reason="market back", actor="max", occurred_at=on(MARCH_1)
    )
    return h


def _rows(found: object) -> list[tuple[object, ...]]:
    keys = ("kind", "goal_title", "kr_id", "before", "after", "reason", "actor")
    return [tuple(r[k] for k in keys) for r in found.to_records()]  # type: ignore[attr-defined]


def test_the_changes_between_two_recorded_times(february: History) -> None:
    """Given the February plan, when diffed between the 3rd and the 28th, then each change is
    listed once, old to new, in the order it was recorded, with who and why; the backdated
    handover shows both clocks."""
    history = february.execution.ledger_history()
    found = diff(history, feb(3), feb(28))
    assert _rows(found) == [
        (
            "target adjusted",
            "goal 1",
            "kr",
            "target 100, stretch none",
            "target 80, stretch none",
            "market shrank",
            "max",
        ),
        ("reassigned", "goal 2", None, "person ben", "person ana", "ben on leave", "max"),
        (
            "goal set",
            "goal 3",
            None,
            "",
            f"'goal 3' for person ana, aligned to goal {goal_id(1)}, weight 2",
            "",
            "cleo",
        ),
        ("key result added", "goal 3", "kr", "", "target 100, stretch none", "", "cleo"),
        ("reweighted", "goal 2", None, "1", "3", "", "max"),
        ("dropped", "goal 2", None, "active", "dropped", "merged into goal 1", "max"),
        ("realigned", "goal 1", None, "theme growth", "nothing", "theme retired", "max"),
        ("reassigned", "goal 1", None, "person ana", "person ben", "handover missed", "max"),
    ]
    handover = found.changes[-1]
    assert (handover.occurred_at, handover.recorded_at) == (feb(4), feb(26))
    assert (found.since, found.until) == (feb(3), feb(28))


def test_a_change_undone_within_the_window_is_not_a_change(february: History) -> None:
    """Given goal 1's target lowered on the 5th and raised back on March 1st, when diffed from
    the 3rd to March 2nd, then no target change is listed (the trail still has both)."""
    history = february.execution.ledger_history()
    found = diff(history, feb(3), MARCH_1 + timedelta(days=1))
    assert ChangeKind.TARGET_ADJUSTED not in [c.kind for c in found]
    adjusted = [
        e
        for e in trail(february.execution.history(), goal=goal_id(1))
        if e.event == "goal.TargetAdjusted"
    ]
    assert len(adjusted) == 2


def test_the_diff_as_at_a_business_time(february: History) -> None:
    """Given the February plan, when diffed between the 3rd and March 2nd as at the 6th, then
    it lists what was learnt about the 6th: the lowered target (in force on the 6th) and the
    handover backdated to the 4th; nothing that happened later."""
    history = february.execution.ledger_history()
    found = diff(history, feb(3), MARCH_1 + timedelta(days=1), at=feb(6))
    assert [(c.kind, c.goal_title) for c in found] == [
        (ChangeKind.TARGET_ADJUSTED, "goal 1"),
        (ChangeKind.REASSIGNED, "goal 1"),
    ]


def test_the_plan_applied_with_the_diff(february: History) -> None:
    """Given the February plan, then the plan as of the 3rd with the diff to the 28th applied is
    the plan as of the 28th, with goal 2 dropped and owned by ana and goal 3 added."""
    history = february.execution.ledger_history()
    before, after = plan_of(history.as_of(feb(3))), plan_of(history.as_of(feb(28)))
    assert before.apply(diff(history, feb(3), feb(28))) == after
    goal_2 = after.goals[goal_id(2)]
    assert (goal_2.status, goal_2.owner, goal_2.weight) == ("dropped", Owner("person", "ana"), 3)
    assert goal_id(3) in after.goals
    assert goal_id(3) not in before.goals
    assert next(r["targets"] for r in after.to_records()) == "kr: target 80, stretch none"


def test_a_diff_backwards_is_refused(february: History) -> None:
    """Given any history, when diffed from a later to an earlier time, then InvalidInput."""
    with pytest.raises(ExecutionError, match="back to"):
        diff(february.execution.ledger_history(), feb(10), feb(3))


def test_the_trail_of_a_goal(february: History) -> None:
    """Given the February plan and max coaching ben about goal 1 with a commitment he keeps,
    then goal 1's trail lists its own events, goal 3 set under it, and the coaching, commitment
    and its keeping, in recorded order with positions, both clocks and actors."""
    x = february.execution
    february.spec.clock.now = MARCH_1 + timedelta(days=2)
    x.give_coaching(
        "ben",
        goal_id=goal_id(1),
        commitments=({"commitment_id": "c1", "action": "call", "due_on": d(70).date()},),
        actor="max",
        occurred_at=MARCH_1,
    )
    x.keep_commitment("ben", "c1", actor="ben", occurred_at=MARCH_1 + timedelta(days=1))
    found = trail(x.store.read_all(), goal=goal_id(1))
    assert [(e.event, e.relation, e.actor) for e in found] == [
        ("goal.GoalSet", "goal", "cleo"),
        ("goal.KeyResultAdded", "goal", "cleo"),
        ("goal.TargetAdjusted", "goal", "max"),
        ("goal.GoalSet", "child goal", "cleo"),
        ("goal.GoalRealigned", "goal", "max"),
        ("goal.GoalReassigned", "goal", "max"),
        ("goal.TargetAdjusted", "goal", "max"),
        ("coaching.CoachingGiven", "coaching", "max"),
        ("coaching.CommitmentMade", "coaching", "max"),
        ("coaching.CommitmentKept", "coaching", "ben"),
    ]
    positions = [e.position for e in found]
    assert positions == sorted(positions)
    handover = found.entries[5]
    assert (handover.occurred_at, handover.recorded_at) == (feb(4), feb(26))
    assert handover.details == "old_owner=person ana, new_owner=person ben, reason=handover missed"
    assert found.to_records()[0]["event"] == "goal.GoalSet"
    as_of = trail(x.history(), goal=goal_id(1), as_of=feb(10))
    assert [e.event for e in as_of] == [
        "goal.GoalSet",
        "goal.KeyResultAdded",
        "goal.TargetAdjusted",
    ]


def test_the_trail_of_a_person_and_of_a_cycle(february: History) -> None:
    """Given the February plan, then ben's trail has his joining, every event of the goals he
    owned at some time (goal 2 from the start, goal 1 since the backdated handover), and the
    cycle's trail has its opening, every goal event and nothing of the organization."""
    x = february.execution
    ben = trail(x.history(), person="ben")
    assert ben.entries[0].event == "organization.PersonJoined"
    goals = {e.stream_id for e in ben if e.relation == "goal"}
    assert goals == {goal_id(1), goal_id(2)}
    cycle = trail(x.history(), cycle=CYCLE_ID)
    assert {e.stream for e in cycle} == {"cycle", "goal"}
    goal_events = [e for e in x.history() if e.name.startswith("goal.")]
    assert len([e for e in cycle if e.stream == "goal"]) == len(goal_events)
    with pytest.raises(ExecutionError, match="exactly one"):
        trail(x.history(), goal=goal_id(1), person="ben")


@st.composite
def _two_times(draw: st.DrawFn, timed: Timed) -> tuple[datetime, datetime]:
    times = timed.recorded_times
    pick = st.one_of(st.sampled_from(times), instants)
    first, second = draw(pick), draw(pick)
    return min(first, second), max(first, second)


@settings(max_examples=40)
@given(timed_histories(), st.data(), st.one_of(st.none(), instants))
def test_the_plan_at_t1_with_the_diff_applied_is_the_plan_at_t2(
    timed: Timed, data: st.DataObject, at: datetime | None
) -> None:
    """Property: for T1 <= T2, plan(T1).apply(diff(T1, T2)) == plan(T2), read as at any
    business time or none, and every change was recorded in (T1, T2] (oracle: the plan read
    from the ledger as of T2)."""
    t1, t2 = data.draw(_two_times(timed))
    history = LedgerHistory.of(timed.events, every=5, keep=4)
    found = diff(history, t1, t2, at=at)
    before: Plan = plan_of(history.as_of(t1), at=at)
    assert before.apply(found) == plan_of(history.as_of(t2), at=at)
    assert all(t1 < change.recorded_at <= t2 for change in found)
    assert len(diff(history, t2, t2, at=at)) == 0
    for_cycle = diff(history, t1, t2, cycle_id=CYCLE_ID, at=at)
    assert plan_of(history.as_of(t1), cycle_id=CYCLE_ID, at=at).apply(for_cycle) == plan_of(
        history.as_of(t2), cycle_id=CYCLE_ID, at=at
    )


def test_kr_helper_is_the_views_one() -> None:
    """Given the views' key result helper, then a plain metric from 0 to 100 is what the plan
    fixtures above assume."""
    assert kr()["target"] == 100.0


def test_a_goal_completed_within_the_window(february: History) -> None:
    """Given goal 3 completed by ana on March 3rd (recorded then), when diffed from March 2nd
    to the 4th, then the one change is goal 3 completed, active to completed, by ana."""
    february.spec.clock.now = datetime(2026, 3, 3, 12, tzinfo=UTC)
    february.execution.complete_goal(goal_id(3), actor="ana", occurred_at=february.spec.clock.now)
    history = february.execution.ledger_history()
    found = diff(history, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))
    assert [(c.kind, c.goal_title, c.before, c.after, c.actor) for c in found] == [
        (ChangeKind.COMPLETED, "goal 3", "active", "completed", "ana")
    ]


def test_the_plan_diff_and_the_adjustments_log_share_one_change_vocabulary() -> None:
    """Given the audit's ChangeKind and the views' AdjustmentKind, then they are one enum whose
    stored and printed values keep their meaning (TARGET is the earlier name of
    TARGET_ADJUSTED)."""
    assert ChangeKind is AdjustmentKind
    assert [kind.value for kind in AdjustmentKind] == [
        "goal set",
        "key result added",
        "target adjusted",
        "realigned",
        "reassigned",
        "reweighted",
        "completed",
        "dropped",
    ]
    assert AdjustmentKind["TARGET"] is AdjustmentKind.TARGET_ADJUSTED  # the earlier name
    assert AdjustmentKind("target adjusted") is ChangeKind.TARGET_ADJUSTED
