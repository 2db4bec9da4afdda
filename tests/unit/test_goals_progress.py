"""Goal commands that move a key result: LogProgress (check-ins) and AdjustTarget."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from execution_core import AuthoriseCoach, NotFound, NotPermitted, RuleViolated
from execution_core.events import Direction, ProgressLogged, TargetAdjusted
from tests.support import Spec, day
from tests.unit import json_of, make, only_payload, then_invalid
from tests.unit.test_goals import (
    ANA_GOAL,
    SALES_GOAL,
    adjust_target,
    close_cycle,
    complete_goal,
    drop_goal,
    left,
    log_progress,
    reassign_goal,
    sales_goal,
    then_invalid_call,
    with_goal,
)


def authorise_cora() -> AuthoriseCoach:
    """Cleo authorises cora to coach ana."""
    return make(AuthoriseCoach, {}, coach_id="cora", person_id="ana")


# -- LogProgress --------------------------------------------------------------------------------


def test_log_progress_records_the_check_in(org_spec: Spec) -> None:
    """Given ana's goal, when ana logs 3 deals with confidence 0.8, then ProgressLogged is
    recorded and becomes the latest reading."""
    with_goal(org_spec)
    events = org_spec.when(log_progress())
    assert only_payload(events, ProgressLogged) == {
        "kr_id": "deals",
        "value": 3.0,
        "confidence": 0.8,
        "comment": "Two big leads in play",
        "source": "check-in",
    }
    goal = org_spec.execution.goal(ANA_GOAL)
    kr = goal.key_results["deals"]
    assert (kr.value, kr.confidence, kr.logged_at, kr.progress) == (3.0, 0.8, day(7), 0.3)
    assert goal.last_checkin_at == day(7)


def test_log_progress_records_where_the_reading_came_from(org_spec: Spec) -> None:
    """Given ana's goal, when a reading is logged from an import, then its source is recorded."""
    with_goal(org_spec)
    events = org_spec.when(log_progress(source="import"))
    assert only_payload(events, ProgressLogged)["source"] == "import"


def test_log_progress_a_later_check_in_replaces_the_reading(org_spec: Spec) -> None:
    """Given a check-in on day 7, when ana logs again on day 14, then the day-14 reading is the
    latest."""
    with_goal(org_spec).given(log_progress())
    org_spec.when(log_progress(occurred_at=day(14), value=6.0, confidence=0.9))
    goal = org_spec.execution.goal(ANA_GOAL)
    assert (goal.key_results["deals"].value, goal.last_checkin_at) == (6.0, day(14))


def test_log_progress_backdated_does_not_replace_the_latest_reading(org_spec: Spec) -> None:
    """Given a check-in on day 14, when one dated day 7 is logged late, then it is recorded but
    the day-14 reading stays the latest."""
    with_goal(org_spec).given(log_progress(occurred_at=day(14), value=6.0, confidence=0.9))
    events = org_spec.when(log_progress(occurred_at=day(7), value=3.0, confidence=0.5))
    assert only_payload(events, ProgressLogged)["value"] == 3.0
    goal = org_spec.execution.goal(ANA_GOAL)
    kr = goal.key_results["deals"]
    assert (kr.value, kr.confidence, kr.logged_at) == (6.0, 0.9, day(14))
    assert goal.last_checkin_at == day(14)
    assert goal.version == events[0].version


def test_log_progress_on_a_decreasing_metric(org_spec: Spec) -> None:
    """Given churn goes from 8 down to 4, when ana logs 6, then progress is half way."""
    with_goal(org_spec)
    org_spec.when(log_progress(kr_id="churn", value=6.0))
    assert org_spec.execution.goal(ANA_GOAL).key_results["churn"].progress == 0.5


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_log_progress_a_milestone_as_done_or_not_done(org_spec: Spec, value: float) -> None:
    """Given the demo milestone, when ana logs it as 0 or 1, then the check-in is recorded."""
    with_goal(org_spec)
    events = org_spec.when(log_progress(kr_id="demo", value=value))
    assert only_payload(events, ProgressLogged)["value"] == value


@pytest.mark.parametrize("value", [0.5, 2.0, -1.0])
def test_log_progress_refuses_a_milestone_other_than_0_or_1(org_spec: Spec, value: float) -> None:
    """Given the demo milestone, when ana logs it with another value, then RuleViolated."""
    with_goal(org_spec)
    command = log_progress(kr_id="demo", value=value)
    org_spec.then_refused(command, RuleViolated, "milestone is logged as 1")


@pytest.mark.parametrize("actor", ["ana", "max", "cleo"])
def test_log_progress_by_the_owner_or_the_manager_chain(org_spec: Spec, actor: str) -> None:
    """Given ana reports to max who reports to cleo, when any of them logs ana's progress, then it
    is recorded."""
    with_goal(org_spec)
    assert org_spec.when(log_progress(actor=actor))[0].actor == actor


@pytest.mark.parametrize("actor", ["ben", "cora", "hana"])
def test_log_progress_refuses_a_peer_a_coach_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when her peer ben, coach cora or HR logs its progress, then
    NotPermitted."""
    with_goal(org_spec).given(authorise_cora())
    org_spec.then_refused(log_progress(actor=actor), NotPermitted)


def test_log_progress_refuses_the_previous_owner_of_a_reassigned_goal(org_spec: Spec) -> None:
    """Given ana's goal was handed to ben, when ana logs its progress, then NotPermitted."""
    with_goal(org_spec).given(reassign_goal(occurred_at=day(3)))
    org_spec.then_refused(
        log_progress(), NotPermitted, "'ana' is not permitted to log progress for person ben"
    )


def test_log_progress_refuses_an_owner_who_left(org_spec: Spec) -> None:
    """Given ana left, when ana logs her goal's progress, then NotPermitted."""
    with_goal(org_spec).given(left("ana"))
    org_spec.then_refused(log_progress(), NotPermitted)


def test_log_progress_on_a_unit_goal_by_a_member(org_spec: Spec) -> None:
    """Given a goal owned by unit sales, when ana of sales logs its progress, then it is
    recorded."""
    org_spec.given(sales_goal())
    events = org_spec.when(log_progress(goal_id=SALES_GOAL, kr_id="revenue", value=200.0))
    assert only_payload(events, ProgressLogged)["kr_id"] == "revenue"


def test_log_progress_on_a_unit_goal_refuses_someone_outside_the_unit(org_spec: Spec) -> None:
    """Given a goal owned by unit sales, when cora of hq logs its progress, then NotPermitted."""
    org_spec.given(sales_goal())
    command = log_progress(actor="cora", goal_id=SALES_GOAL, kr_id="revenue")
    org_spec.then_refused(command, NotPermitted, "unit sales")


def test_log_progress_refuses_an_unknown_key_result(org_spec: Spec) -> None:
    """Given ana's goal has no key result nps, when progress on nps is logged, then NotFound."""
    with_goal(org_spec)
    org_spec.then_refused(log_progress(kr_id="nps"), NotFound, "unknown key result 'nps'")


@pytest.mark.parametrize(
    "at",
    [datetime(2025, 12, 31, 23, 59, tzinfo=UTC), datetime(2027, 1, 1, 0, 0, tzinfo=UTC)],
    ids=["before-the-start", "after-the-end"],
)
def test_log_progress_refuses_a_date_outside_the_cycle(org_spec: Spec, at: datetime) -> None:
    """Given the 2026 cycle, when progress is dated before its first or after its last day, then
    RuleViolated."""
    with_goal(org_spec)
    org_spec.then_refused(log_progress(occurred_at=at), RuleViolated, "outside the goal's cycle")


@pytest.mark.parametrize(
    "at",
    [datetime(2026, 1, 1, 0, 0, tzinfo=UTC), datetime(2026, 12, 31, 23, 59, tzinfo=UTC)],
    ids=["first-instant", "last-day"],
)
def test_log_progress_on_the_cycle_s_first_and_last_day(org_spec: Spec, at: datetime) -> None:
    """Given the 2026 cycle, when progress is dated on its first or its last day, then it is
    recorded."""
    with_goal(org_spec)
    assert org_spec.when(log_progress(occurred_at=at))


def test_log_progress_on_a_dropped_goal_is_refused(org_spec: Spec) -> None:
    """Given max dropped ana's goal, when ana logs progress on it, then RuleViolated."""
    with_goal(org_spec).given(drop_goal(occurred_at=day(2)))
    org_spec.then_refused(log_progress(), RuleViolated, "is dropped")


def test_log_progress_on_a_completed_goal_is_refused(org_spec: Spec) -> None:
    """Given ana completed her goal, when she logs progress on it, then RuleViolated."""
    with_goal(org_spec).given(complete_goal(occurred_at=day(2)))
    org_spec.then_refused(log_progress(), RuleViolated, "is completed")


def test_log_progress_dated_after_the_cycle_closed_is_refused(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when progress dated day 11 is logged, then
    RuleViolated."""
    with_goal(org_spec).given(close_cycle(on=10))
    org_spec.then_refused(log_progress(occurred_at=day(11)), RuleViolated, "only reviews")


def test_log_progress_backdated_before_the_cycle_closed_is_refused(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when progress dated day 9 is logged late, then
    RuleViolated: late check-ins are entered before the close (issue 12 changed this from
    accepted)."""
    with_goal(org_spec).given(close_cycle(on=10))
    org_spec.then_refused(log_progress(occurred_at=day(9)), RuleViolated, "whatever their date")


@pytest.mark.parametrize("confidence", [1.01, -0.01, 5.0])
def test_log_progress_refuses_a_confidence_outside_0_to_1(
    org_spec: Spec, confidence: float
) -> None:
    """Given ana's goal, when the facade logs a confidence outside 0..1, then InvalidInput."""
    with_goal(org_spec)
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.log_progress(
            ANA_GOAL, "deals", value=3, confidence=confidence, actor="ana", occurred_at=day(7)
        ),
        "confidence",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": -0.5}, "confidence"),
        ({"confidence": "sure"}, "confidence"),
        ({"value": float("nan")}, "value"),
        ({"value": "three"}, "value"),
        ({"kr_id": ""}, "kr_id"),
        ({"comment": "x" * 10_001}, "comment"),
        ({"goal_id": "ana-goal"}, "goal_id"),
        ({"source": "the crm"}, "source"),
    ],
)
def test_log_progress_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given ana's goal, when LogProgress arrives malformed, then InvalidInput names the field."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(log_progress(), **changes), field)


@pytest.mark.parametrize("confidence", [0.0, 1.0])
def test_log_progress_accepts_the_bounds_of_confidence(org_spec: Spec, confidence: float) -> None:
    """Given ana's goal, when the facade logs a confidence of exactly 0 or 1, then it is
    recorded."""
    with_goal(org_spec)
    goal = org_spec.execution.log_progress(
        ANA_GOAL, "deals", value=3, confidence=confidence, actor="ana", occurred_at=day(7)
    )
    assert goal.key_results["deals"].confidence == confidence


# -- AdjustTarget -------------------------------------------------------------------------------


def test_adjust_target_records_old_and_new_target(org_spec: Spec) -> None:
    """Given deals aims at 10 (stretch 15), when max lowers it to 8 (stretch 12), then
    TargetAdjusted is recorded and the original target is kept."""
    with_goal(org_spec)
    events = org_spec.when(adjust_target())
    assert only_payload(events, TargetAdjusted) == {
        "kr_id": "deals",
        "old_target": 10.0,
        "new_target": 8.0,
        "old_stretch": 15.0,
        "new_stretch": 12.0,
        "reason": "The market shrank",
    }
    kr = org_spec.execution.goal(ANA_GOAL).key_results["deals"]
    assert (kr.target, kr.stretch, kr.original_target) == (8.0, 12.0, 10.0)


def test_adjust_target_may_drop_the_stretch(org_spec: Spec) -> None:
    """Given deals has a stretch of 15, when max keeps the target but gives no stretch, then the
    stretch is removed."""
    with_goal(org_spec)
    events = org_spec.when(adjust_target(target=10.0, stretch=None))
    assert only_payload(events, TargetAdjusted)["new_stretch"] is None
    assert org_spec.execution.goal(ANA_GOAL).key_results["deals"].stretch is None


def test_adjust_target_of_a_decreasing_metric(org_spec: Spec) -> None:
    """Given churn aims down from 8 to 4, when max moves the target to 5 (stretch 3), then it is
    recorded."""
    with_goal(org_spec)
    events = org_spec.when(adjust_target(kr_id="churn", target=5.0, stretch=3.0))
    assert only_payload(events, TargetAdjusted)["new_target"] == 5.0
    assert org_spec.execution.goal(ANA_GOAL).key_results["churn"].direction is Direction.DECREASE


@pytest.mark.parametrize("actor", ["max", "cleo", "cora"])
def test_adjust_target_by_a_manager_an_executive_or_an_authorised_coach(
    org_spec: Spec, actor: str
) -> None:
    """Given cora is authorised to coach ana, when max, cleo or cora adjusts ana's target, then it
    is recorded."""
    with_goal(org_spec).given(authorise_cora())
    assert org_spec.when(adjust_target(actor=actor))[0].actor == actor


@pytest.mark.parametrize("actor", ["ana", "ben", "cora", "hana"])
def test_adjust_target_refuses_the_owner_a_peer_an_unauthorised_coach_or_hr(
    org_spec: Spec, actor: str
) -> None:
    """Given ana's goal and no authorised coach, when ana, ben, cora or hana adjusts its target,
    then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(
        adjust_target(actor=actor), NotPermitted, f"'{actor}' is not permitted to adjust"
    )


def test_adjust_target_refuses_an_unknown_key_result(org_spec: Spec) -> None:
    """Given ana's goal has no key result nps, when its target is adjusted, then NotFound."""
    with_goal(org_spec)
    org_spec.then_refused(adjust_target(kr_id="nps"), NotFound, "unknown key result 'nps'")


def test_adjust_target_refuses_a_milestone(org_spec: Spec) -> None:
    """Given the demo milestone, when its target is adjusted, then RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(kr_id="demo", target=2.0, stretch=None)
    org_spec.then_refused(command, RuleViolated, "milestone has no target")


def test_adjust_target_refuses_a_target_equal_to_the_baseline(org_spec: Spec) -> None:
    """Given deals starts at 0, when its target is adjusted to 0, then RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(target=0.0, stretch=None)
    org_spec.then_refused(command, RuleViolated, "equal to its baseline")


def test_adjust_target_refuses_the_wrong_side_of_the_baseline_for_a_decrease(
    org_spec: Spec,
) -> None:
    """Given churn aims down from 8, when its target is adjusted to 9, then RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(kr_id="churn", target=9.0, stretch=None)
    org_spec.then_refused(command, RuleViolated, "below the baseline")


def test_adjust_target_refuses_the_wrong_side_of_the_baseline_for_an_increase(
    org_spec: Spec,
) -> None:
    """Given deals aims up from 0, when its target is adjusted to -2, then RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(target=-2.0, stretch=None)
    org_spec.then_refused(command, RuleViolated, "above the baseline")


@pytest.mark.parametrize(
    ("kr_id", "target", "stretch"),
    [("deals", 8.0, 8.0), ("deals", 8.0, 7.0), ("churn", 4.0, 4.0), ("churn", 4.0, 5.0)],
)
def test_adjust_target_refuses_a_stretch_not_beyond_the_target(
    org_spec: Spec, kr_id: str, target: float, stretch: float
) -> None:
    """Given deals (up) and churn (down), when a stretch at or short of the target is agreed, then
    RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(kr_id=kr_id, target=target, stretch=stretch)
    org_spec.then_refused(command, RuleViolated, "stretch must lie beyond the target")


def test_adjust_target_refuses_the_same_target_and_stretch(org_spec: Spec) -> None:
    """Given deals aims at 10 (stretch 15), when it is adjusted to 10 (stretch 15), then
    RuleViolated."""
    with_goal(org_spec)
    command = adjust_target(target=10.0, stretch=15.0)
    org_spec.then_refused(command, RuleViolated, "already these")


def test_adjust_target_of_a_unit_goal_refuses_its_members(org_spec: Spec) -> None:
    """Given a goal owned by unit sales, when max (a member) adjusts it, then NotPermitted."""
    org_spec.given(sales_goal())
    command = adjust_target(goal_id=SALES_GOAL, kr_id="revenue", target=400.0, stretch=None)
    org_spec.then_refused(command, NotPermitted, "unit sales")


def test_adjust_target_of_a_unit_goal_by_an_executive(org_spec: Spec) -> None:
    """Given a goal owned by unit sales, when cleo adjusts its target, then it is recorded."""
    org_spec.given(sales_goal())
    command = adjust_target(
        actor="cleo", goal_id=SALES_GOAL, kr_id="revenue", target=400.0, stretch=None
    )
    assert only_payload(org_spec.when(command), TargetAdjusted)["old_target"] == 500.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"target": float("inf")}, "target"),
        ({"stretch": "more"}, "stretch"),
        ({"kr_id": "two words"}, "kr_id"),
    ],
)
def test_adjust_target_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given ana's goal, when AdjustTarget arrives malformed, then InvalidInput names the field."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(adjust_target(), **changes), field)


def test_adjust_target_without_a_reason_via_the_facade(org_spec: Spec) -> None:
    """Given ana's goal, when the facade adjusts a target with an empty reason, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.adjust_target(
            ANA_GOAL, "deals", target=8, reason="", actor="max", occurred_at=day(7)
        ),
        "reason",
    )
