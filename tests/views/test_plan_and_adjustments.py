"""Plan quality and the adjustments log."""

from __future__ import annotations

from execution_core import GoalKind
from execution_core.views import AdjustmentKind, FindingKind, adjustments_log, plan_quality
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr, on

ACTION = {"action_id": "a", "task": "do it", "owner_id": "ana", "due_on": on(90)}


def test_plan_quality_findings() -> None:
    """Given ana with a theme-aligned goal (weight 0.6, with an action) and a developmental one
    (weight 0.4, with an action), and ben with one goal aligned to nothing, with no key results,
    no children, no actions and weight 0.5, then ben's goal is unaligned, without criteria and
    without actions, his weights add up to 0.5, and everyone but ana lacks a developmental goal."""
    h = History()
    h.goal(1, weight=0.6, actions=(ACTION,))
    h.goal(2, weight=0.4, theme=None, parent=1, kind=GoalKind.DEVELOPMENTAL, actions=(ACTION,))
    h.goal(3, "ben", theme=None, key_results=(), weight=0.5)
    quality = plan_quality(h.ledger(), CYCLE_ID, at=d(10))
    assert [f.goal_id for f in quality.of_kind(FindingKind.UNALIGNED)] == [goal_id(3)]
    assert [f.goal_id for f in quality.of_kind(FindingKind.NO_CRITERIA)] == [goal_id(3)]
    assert [f.goal_id for f in quality.of_kind(FindingKind.NO_ACTIONS)] == [goal_id(3)]
    (weights,) = quality.of_kind(FindingKind.WEIGHTS)
    assert weights.subject == "person ben"
    assert "add up to 0.5" in weights.detail
    lacking = {f.subject for f in quality.of_kind(FindingKind.NO_DEVELOPMENTAL_GOAL)}
    assert lacking == {"cleo", "hana", "max", "ben", "cora"}


def test_a_goal_rolling_up_children_has_criteria_and_a_dropped_action_is_no_action() -> None:
    """Given a goal with no key results but a child, and a goal whose only action was dropped,
    then the first has agreed criteria and the second has no actions."""
    h = History()
    h.goal(1, "max", key_results=(), actions=(ACTION,))
    h.goal(2, parent=1, actions=(ACTION,))
    h.execution.drop_action(goal_id(2), "a", actor="ana", occurred_at=d(5))
    quality = plan_quality(h.ledger(), CYCLE_ID, at=d(10))
    assert quality.of_kind(FindingKind.NO_CRITERIA) == ()
    (no_actions,) = quality.of_kind(FindingKind.NO_ACTIONS)
    assert (no_actions.goal_id, no_actions.detail) == (goal_id(2), "every task was dropped")


def test_adjustments_log_with_who_and_why() -> None:
    """Given a target adjusted, a realignment, a reassignment, a reweighting and a drop, then the
    log lists them in business-time order with actor and reason, and leaves out what happened
    after the instant."""
    h = History()
    h.goal(1, key_results=(kr(target=100, stretch=120),))
    h.goal(2)
    x = h.execution
    x.adjust_target(
        goal_id(1), "kr", target=80, reason="market shrank", actor="max", occurred_at=d(40)
    )
    x.realign_goal(
        goal_id(2), parent_goal_id=goal_id(1), reason="cascade", actor="max", occurred_at=d(41)
    )
    x.reassign_goal(goal_id(2), "ben", reason="ana on leave", actor="max", occurred_at=d(42))
    x.weight_goal(goal_id(2), 2.0, actor="max", occurred_at=d(43))
    x.drop_goal(goal_id(2), reason="no longer needed", actor="cleo", occurred_at=d(44))
    x.adjust_target(goal_id(1), "kr", target=90, reason="later", actor="max", occurred_at=d(50))
    log = adjustments_log(h.ledger(), CYCLE_ID, at=d(45))
    assert [(a.kind, a.actor, a.reason) for a in log.rows] == [
        (AdjustmentKind.TARGET, "max", "market shrank"),
        (AdjustmentKind.REALIGNED, "max", "cascade"),
        (AdjustmentKind.REASSIGNED, "max", "ana on leave"),
        (AdjustmentKind.REWEIGHTED, "max", ""),
        (AdjustmentKind.DROPPED, "cleo", "no longer needed"),
    ]
    target = log.rows[0]
    assert (target.kr_id, target.before, target.after) == (
        "kr",
        "target 100, stretch 120",
        "target 80, stretch none",
    )
    assert log.rows[2].before == "person ana"
    assert log.to_records()[1]["kind"] == "realigned"
