"""Goal commands that plan and end a goal: AddKeyResult, PlanAction, CompleteAction, DropAction,
CompleteGoal, DropGoal and ReviewGoal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from execution_core import NotFound, NotPermitted, RuleViolated
from execution_core.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Direction,
    GoalCompleted,
    GoalDropped,
    GoalReviewed,
    KeyResultAdded,
)
from execution_core.states import Action
from tests.support import Spec, day
from tests.unit import json_of, only_payload, then_invalid
from tests.unit.test_goals import (
    ANA_GOAL,
    add_key_result,
    call,
    churn,
    close_cycle,
    complete_action,
    complete_goal,
    deals,
    drop_action,
    drop_goal,
    left,
    plan_action,
    review_goal,
    sales_goal,
    then_invalid_call,
    with_goal,
)

# -- AddKeyResult -------------------------------------------------------------------------------


def test_add_key_result_records_the_agreed_criteria(org_spec: Spec) -> None:
    """Given ana's goal, when max adds an NPS key result, then KeyResultAdded is recorded."""
    with_goal(org_spec)
    events = org_spec.when(add_key_result())
    assert only_payload(events, KeyResultAdded) == {
        "kr_id": "nps",
        "kr_name": "Net promoter score",
        "unit": "",
        "baseline": 20.0,
        "target": 40.0,
        "stretch": None,
        "direction": Direction.INCREASE,
        "milestone": False,
        "weight": 1.0,
    }
    kr = org_spec.execution.goal(ANA_GOAL).key_results["nps"]
    assert (kr.target, kr.original_target, kr.value, kr.progress) == (40.0, 40.0, None, 0.0)


def test_add_key_result_decreasing_with_a_stretch(org_spec: Spec) -> None:
    """Given ana's goal, when a decreasing key result with a lower stretch is added, then it is
    recorded."""
    with_goal(org_spec)
    spec = churn(kr_id="tickets", baseline=100, target=60, stretch=40, weight=2)
    events = org_spec.when(add_key_result(key_result=spec))
    assert only_payload(events, KeyResultAdded)["direction"] is Direction.DECREASE
    assert org_spec.execution.goal(ANA_GOAL).key_results["tickets"].weight == 2.0


@pytest.mark.parametrize("actor", ["ben", "cora"])
def test_add_key_result_refuses_a_peer_or_a_coach(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when a peer or an unauthorised coach adds a key result, then
    NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(add_key_result(actor=actor), NotPermitted)


def test_add_key_result_refuses_an_id_already_in_the_goal(org_spec: Spec) -> None:
    """Given ana's goal has deals, when another key result deals is added, then RuleViolated."""
    with_goal(org_spec)
    org_spec.then_refused(add_key_result(key_result=deals()), RuleViolated, "already exists")


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"kr_id": "nps", "name": "NPS", "baseline": 30, "target": 30}, "equal to its baseline"),
        ({"kr_id": "nps", "name": "NPS", "baseline": 30, "target": 20}, "above the baseline"),
        (
            {"kr_id": "cost", "name": "Cost", "baseline": 5, "target": 9, "direction": "decrease"},
            "below the baseline",
        ),
        ({"kr_id": "nps", "name": "NPS", "target": 5, "stretch": 4}, "stretch must lie beyond"),
        ({"kr_id": "go", "name": "Go live", "milestone": True, "baseline": 1}, "milestone"),
        ({"kr_id": "nps", "name": "NPS", "target": float("inf")}, "target"),
        ({"kr_id": "nps", "name": "NPS", "unit": "x" * 51}, "unit"),
        ({"kr_id": "n p s", "name": "NPS"}, "kr_id"),
    ],
)
def test_add_key_result_malformed_is_invalid_input(
    org_spec: Spec, spec: dict[str, Any], problem: str
) -> None:
    """Given ana's goal, when the facade adds a malformed key result, then InvalidInput."""
    with_goal(org_spec)
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.add_key_result(ANA_GOAL, spec, actor="max", occurred_at=day(7)),
        problem,
    )


# -- PlanAction ---------------------------------------------------------------------------------


def test_plan_action_records_the_task(org_spec: Spec) -> None:
    """Given ana's goal, when ana plans a visit, then ActionPlanned is recorded and the task is
    open."""
    with_goal(org_spec)
    events = org_spec.when(plan_action())
    assert only_payload(events, ActionPlanned) == {
        "action_id": "visit",
        "task": "Visit the three biggest clients",
        "owner_id": "ana",
        "due_on": date(2026, 2, 1),
    }
    action = org_spec.execution.goal(ANA_GOAL).actions["visit"]
    assert action == Action("visit", "Visit the three biggest clients", "ana", date(2026, 2, 1))
    assert action.status == "open"


def test_plan_action_for_someone_else(org_spec: Spec) -> None:
    """Given ana's goal, when max plans a task owned by ben, then it is recorded."""
    with_goal(org_spec)
    events = org_spec.when(plan_action(actor="max", action=call(action_id="intro", owner_id="ben")))
    assert only_payload(events, ActionPlanned)["owner_id"] == "ben"


@pytest.mark.parametrize("actor", ["ben", "cora", "hana"])
def test_plan_action_refuses_a_peer_a_coach_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when ben, cora or hana plans a task of it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(plan_action(actor=actor), NotPermitted)


def test_plan_action_refuses_an_id_already_in_the_plan(org_spec: Spec) -> None:
    """Given ana's plan has a task call, when another task call is planned, then RuleViolated."""
    with_goal(org_spec)
    command = plan_action(action=call())
    org_spec.then_refused(command, RuleViolated, "action 'call' already exists")


def test_plan_action_refuses_an_unknown_owner(org_spec: Spec) -> None:
    """Given no person zoe, when a task is planned for zoe, then NotFound."""
    with_goal(org_spec)
    command = plan_action(action=call(action_id="visit", owner_id="zoe"))
    org_spec.then_refused(command, NotFound, "unknown person 'zoe'")


def test_plan_action_refuses_an_owner_who_left(org_spec: Spec) -> None:
    """Given ben left, when a task is planned for ben, then RuleViolated."""
    with_goal(org_spec).given(left("ben"))
    command = plan_action(actor="max", action=call(action_id="visit", owner_id="ben"))
    org_spec.then_refused(command, RuleViolated, "has left")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"task": " "}, "action.task"),
        ({"due_on": "next week"}, "action.due_on"),
        ({"owner_id": ""}, "action.owner_id"),
        ({"action_id": "the visit"}, "action.action_id"),
    ],
)
def test_plan_action_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given ana's goal, when PlanAction arrives with a malformed task, then InvalidInput names the
    field."""
    with_goal(org_spec)
    command = plan_action()
    action = {**command.action.model_dump(mode="json"), **changes}
    then_invalid(org_spec, json_of(command, action=action), field)


# -- CompleteAction -----------------------------------------------------------------------------


def test_complete_action_records_the_task_done(org_spec: Spec) -> None:
    """Given ana's open task call, when ana marks it done, then ActionDone is recorded."""
    with_goal(org_spec)
    events = org_spec.when(complete_action())
    assert only_payload(events, ActionDone) == {"action_id": "call"}
    assert org_spec.execution.goal(ANA_GOAL).actions["call"].status == "done"


def test_complete_action_by_the_manager(org_spec: Spec) -> None:
    """Given ana's open task call, when max marks it done, then ActionDone is recorded."""
    with_goal(org_spec)
    assert only_payload(org_spec.when(complete_action(actor="max")), ActionDone)


@pytest.mark.parametrize("actor", ["ben", "cora"])
def test_complete_action_refuses_a_peer_or_a_coach(org_spec: Spec, actor: str) -> None:
    """Given ana's open task call, when ben or cora marks it done, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(complete_action(actor=actor), NotPermitted)


def test_complete_action_refuses_an_unknown_action(org_spec: Spec) -> None:
    """Given ana's plan has no task visit, when visit is marked done, then NotFound."""
    with_goal(org_spec)
    command = complete_action(action_id="visit")
    org_spec.then_refused(command, NotFound, "unknown action 'visit'")


def test_complete_action_refuses_a_task_already_done(org_spec: Spec) -> None:
    """Given task call is done, when it is marked done again, then RuleViolated."""
    with_goal(org_spec).given(complete_action(occurred_at=day(3)))
    org_spec.then_refused(complete_action(), RuleViolated, "already done")


def test_complete_action_refuses_a_dropped_task(org_spec: Spec) -> None:
    """Given task call was dropped, when it is marked done, then RuleViolated."""
    with_goal(org_spec).given(drop_action(occurred_at=day(3)))
    org_spec.then_refused(complete_action(), RuleViolated, "already dropped")


# -- DropAction ---------------------------------------------------------------------------------


def test_drop_action_records_the_task_dropped_and_why(org_spec: Spec) -> None:
    """Given ana's open task call, when ana drops it, then ActionDropped is recorded with the
    reason."""
    with_goal(org_spec)
    events = org_spec.when(drop_action())
    assert only_payload(events, ActionDropped) == {
        "action_id": "call",
        "reason": "The leads went cold",
    }
    assert org_spec.execution.goal(ANA_GOAL).actions["call"].status == "dropped"


def test_drop_action_without_a_reason(org_spec: Spec) -> None:
    """Given ana's open task call, when max drops it via the facade with no reason, then it is
    recorded."""
    with_goal(org_spec)
    goal = org_spec.execution.drop_action(ANA_GOAL, "call", actor="max", occurred_at=day(7))
    assert goal.actions["call"].status == "dropped"


@pytest.mark.parametrize("actor", ["ben", "hana"])
def test_drop_action_refuses_a_peer_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana's open task call, when ben or hana drops it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(drop_action(actor=actor), NotPermitted)


def test_drop_action_refuses_an_unknown_action(org_spec: Spec) -> None:
    """Given ana's plan has no task visit, when visit is dropped, then NotFound."""
    with_goal(org_spec)
    org_spec.then_refused(drop_action(action_id="visit"), NotFound, "unknown action 'visit'")


def test_drop_action_refuses_a_task_already_dropped(org_spec: Spec) -> None:
    """Given task call was dropped, when it is dropped again, then RuleViolated."""
    with_goal(org_spec).given(drop_action(occurred_at=day(3)))
    org_spec.then_refused(drop_action(), RuleViolated, "already dropped")


def test_drop_action_refuses_a_task_done(org_spec: Spec) -> None:
    """Given task call is done, when it is dropped, then RuleViolated."""
    with_goal(org_spec).given(complete_action(occurred_at=day(3)))
    org_spec.then_refused(drop_action(), RuleViolated, "already done")


def test_drop_action_with_an_overlong_reason_is_invalid_input(org_spec: Spec) -> None:
    """Given ana's open task call, when it is dropped with a reason over 10,000 characters, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(drop_action(), reason="x" * 10_001), "reason")


# -- CompleteGoal -------------------------------------------------------------------------------


def test_complete_goal_records_the_goal_completed(org_spec: Spec) -> None:
    """Given ana's active goal, when ana declares it complete, then GoalCompleted is recorded."""
    with_goal(org_spec)
    events = org_spec.when(complete_goal())
    assert only_payload(events, GoalCompleted) == {}
    assert org_spec.execution.goal(ANA_GOAL).status == "completed"


@pytest.mark.parametrize("actor", ["max", "cleo"])
def test_complete_goal_by_a_manager_or_an_executive(org_spec: Spec, actor: str) -> None:
    """Given ana's active goal, when max or cleo declares it complete, then it is recorded."""
    with_goal(org_spec)
    assert org_spec.when(complete_goal(actor=actor))[0].actor == actor


@pytest.mark.parametrize("actor", ["ben", "cora"])
def test_complete_goal_refuses_a_peer_or_a_coach(org_spec: Spec, actor: str) -> None:
    """Given ana's active goal, when ben or cora declares it complete, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(complete_goal(actor=actor), NotPermitted)


def test_complete_goal_of_a_unit_by_a_member(org_spec: Spec) -> None:
    """Given a goal owned by unit sales, when ana of sales declares it complete, then it is
    recorded."""
    org_spec.given(sales_goal())
    command = complete_goal(goal_id=sales_goal().goal_id)
    assert only_payload(org_spec.when(command), GoalCompleted) == {}


def test_complete_goal_refuses_a_completed_goal(org_spec: Spec) -> None:
    """Given ana's goal was completed, when it is completed again, then RuleViolated."""
    with_goal(org_spec).given(complete_goal(occurred_at=day(3)))
    org_spec.then_refused(complete_goal(), RuleViolated, "is completed")


# -- DropGoal -----------------------------------------------------------------------------------


def test_drop_goal_records_the_goal_dropped_and_why(org_spec: Spec) -> None:
    """Given ana's active goal, when max drops it, then GoalDropped is recorded with the
    reason."""
    with_goal(org_spec)
    events = org_spec.when(drop_goal())
    assert only_payload(events, GoalDropped) == {"reason": "The product line was cancelled"}
    assert org_spec.execution.goal(ANA_GOAL).status == "dropped"


@pytest.mark.parametrize("actor", ["ana", "ben"])
def test_drop_goal_refuses_the_owner_or_a_peer(org_spec: Spec, actor: str) -> None:
    """Given ana's active goal, when ana or ben drops it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(drop_goal(actor=actor), NotPermitted)


def test_drop_goal_refuses_a_dropped_goal(org_spec: Spec) -> None:
    """Given ana's goal was dropped, when it is dropped again, then RuleViolated."""
    with_goal(org_spec).given(drop_goal(occurred_at=day(3)))
    org_spec.then_refused(drop_goal(), RuleViolated, "is dropped")


def test_drop_goal_without_a_reason_is_invalid_input(org_spec: Spec) -> None:
    """Given ana's active goal, when the facade drops it with an empty reason, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.drop_goal(ANA_GOAL, reason="", actor="max", occurred_at=day(7)),
        "reason",
    )


# -- ReviewGoal ---------------------------------------------------------------------------------


def test_review_goal_records_the_game_review(org_spec: Spec) -> None:
    """Given ana's goal, when ana reviews it, then GoalReviewed is recorded and the goal is
    reviewed."""
    with_goal(org_spec)
    events = org_spec.when(review_goal())
    assert only_payload(events, GoalReviewed) == {
        "worked": "Weekly calls",
        "did_not_work": "Cold emails",
        "lessons": "Start with the warm leads",
    }
    goal = org_spec.execution.goal(ANA_GOAL)
    assert (goal.reviewed, goal.status) == (True, "active")


def test_review_goal_after_the_cycle_closed(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when ana reviews her goal on day 30, then it is
    recorded."""
    with_goal(org_spec).given(close_cycle(on=10))
    events = org_spec.when(review_goal(occurred_at=day(30)))
    assert only_payload(events, GoalReviewed)["lessons"] == "Start with the warm leads"
    assert org_spec.execution.goal(ANA_GOAL).reviewed


@pytest.mark.parametrize("ended", ["completed", "dropped"])
def test_review_goal_after_the_goal_ended(org_spec: Spec, ended: str) -> None:
    """Given ana's goal was completed or dropped, when it is reviewed, then GoalReviewed is
    recorded."""
    end = (
        complete_goal(occurred_at=day(3)) if ended == "completed" else drop_goal(occurred_at=day(3))
    )
    with_goal(org_spec).given(end)
    assert only_payload(org_spec.when(review_goal()), GoalReviewed)
    assert org_spec.execution.goal(ANA_GOAL).status == ended


def test_review_goal_with_nothing_to_say(org_spec: Spec) -> None:
    """Given ana's goal, when max reviews it via the facade with empty notes, then it is
    recorded."""
    with_goal(org_spec)
    goal = org_spec.execution.review_goal(ANA_GOAL, actor="max", occurred_at=day(7))
    assert goal.reviewed


@pytest.mark.parametrize("actor", ["ben", "cora", "hana"])
def test_review_goal_refuses_a_peer_a_coach_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when ben, cora or hana reviews it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(review_goal(actor=actor), NotPermitted)


def test_review_goal_refuses_a_second_review(org_spec: Spec) -> None:
    """Given ana's goal was reviewed, when it is reviewed again, then RuleViolated."""
    with_goal(org_spec).given(review_goal(occurred_at=day(3)))
    org_spec.then_refused(review_goal(), RuleViolated, "already been reviewed")


@pytest.mark.parametrize("field", ["worked", "did_not_work", "lessons"])
def test_review_goal_overlong_notes_are_invalid_input(org_spec: Spec, field: str) -> None:
    """Given ana's goal, when a review note exceeds 10,000 characters, then InvalidInput names
    it."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(review_goal(), **{field: "x" * 10_001}), field)
