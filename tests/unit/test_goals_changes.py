"""Goal commands that change what a goal serves, whose it is and how much it weighs: RealignGoal,
ReassignGoal and WeightGoal."""

from __future__ import annotations

from typing import Any

import pytest

from execution_core import GoalKind, NotFound, NotPermitted, Owner, RuleViolated
from execution_core.events import Alignment, GoalRealigned, GoalReassigned, GoalWeighted
from execution_core.goals.commands import OwnerSpec
from tests.support import Spec, day
from tests.unit import json_of, only_payload, then_invalid
from tests.unit.test_goals import (
    ANA_GOAL,
    NEXT_CYCLE,
    NEXT_GOAL,
    SALES_GOAL,
    TOP_GOAL,
    UNKNOWN_GOAL,
    add_retention,
    drop_goal,
    left,
    open_next_cycle,
    realign_goal,
    reassign_goal,
    retire_theme,
    then_invalid_call,
    unit_goal,
    weight_goal,
    with_cascade,
    with_goal,
)

# -- RealignGoal --------------------------------------------------------------------------------


def test_realign_goal_under_a_parent_goal(org_spec: Spec) -> None:
    """Given ana's goal serves growth, when max aligns it under sales' goal, then GoalRealigned
    records both alignments and why."""
    with_goal(org_spec).given(unit_goal(SALES_GOAL, "sales"))
    events = org_spec.when(realign_goal(parent_goal_id=SALES_GOAL))
    assert only_payload(events, GoalRealigned) == {
        "old_alignment": Alignment(theme_id="growth"),
        "new_alignment": Alignment(parent_id=SALES_GOAL),
        "reason": "The theme was folded into another",
    }
    assert org_spec.execution.goal(ANA_GOAL).parent_id == SALES_GOAL


def test_realign_goal_to_another_theme(org_spec: Spec) -> None:
    """Given ana's goal serves growth, when max aligns it to retention, then it serves
    retention."""
    with_goal(org_spec).given(add_retention())
    events = org_spec.when(realign_goal(theme_id="retention"))
    assert only_payload(events, GoalRealigned)["new_alignment"] == Alignment(theme_id="retention")
    assert org_spec.execution.goal(ANA_GOAL).aligned_to == Alignment(theme_id="retention")


def test_realign_goal_to_nothing(org_spec: Spec) -> None:
    """Given ana's goal serves growth, when max aligns it to nothing, then it is aligned to
    nothing."""
    with_goal(org_spec)
    events = org_spec.when(realign_goal())
    assert only_payload(events, GoalRealigned)["new_alignment"] is None
    assert org_spec.execution.goal(ANA_GOAL).aligned_to is None


def test_realign_goal_away_from_a_retired_theme(org_spec: Spec) -> None:
    """Given growth was retired after ana's goal was set, when her goal moves to retention, then
    it is recorded."""
    with_goal(org_spec).given(retire_theme(), add_retention())
    assert org_spec.when(realign_goal(theme_id="retention"))


@pytest.mark.parametrize("actor", ["max", "cleo"])
def test_realign_goal_by_a_manager_or_an_executive(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when max or cleo realigns it, then it is recorded."""
    with_goal(org_spec)
    assert org_spec.when(realign_goal(actor=actor))[0].actor == actor


@pytest.mark.parametrize("actor", ["ana", "ben"])
def test_realign_goal_refuses_the_owner_or_a_peer(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when ana or ben realigns it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(realign_goal(actor=actor), NotPermitted)


def test_realign_goal_refuses_the_alignment_it_has(org_spec: Spec) -> None:
    """Given ana's goal serves growth, when it is realigned to growth, then RuleViolated."""
    with_goal(org_spec)
    command = realign_goal(theme_id="growth")
    org_spec.then_refused(command, RuleViolated, "already aligned to theme growth")


def test_realign_goal_refuses_nothing_when_aligned_to_nothing(org_spec: Spec) -> None:
    """Given ana's goal is aligned to nothing, when it is realigned to nothing, then
    RuleViolated."""
    with_goal(org_spec, theme_id=None)
    org_spec.then_refused(realign_goal(), RuleViolated, "already aligned")


def test_realign_goal_refuses_the_goal_itself(org_spec: Spec) -> None:
    """Given ana's goal, when it is realigned under itself, then RuleViolated."""
    with_goal(org_spec)
    command = realign_goal(parent_goal_id=ANA_GOAL)
    org_spec.then_refused(command, RuleViolated, "aligned to itself")


def test_realign_goal_refuses_its_own_child(org_spec: Spec) -> None:
    """Given hq > sales > ana, when hq's goal is realigned under sales' goal, then
    RuleViolated."""
    with_cascade(org_spec)
    command = realign_goal(actor="cleo", goal_id=TOP_GOAL, parent_goal_id=SALES_GOAL)
    org_spec.then_refused(command, RuleViolated, "its own descendant")


def test_realign_goal_refuses_its_own_grandchild(org_spec: Spec) -> None:
    """Given hq > sales > ana, when hq's goal is realigned under ana's goal, then RuleViolated."""
    with_cascade(org_spec)
    command = realign_goal(actor="cleo", goal_id=TOP_GOAL, parent_goal_id=ANA_GOAL)
    org_spec.then_refused(command, RuleViolated, "its own descendant")


def test_realign_goal_a_grandchild_under_its_grandparent(org_spec: Spec) -> None:
    """Given hq > sales > ana, when ana's goal is realigned directly under hq's goal, then it is
    recorded."""
    with_cascade(org_spec)
    events = org_spec.when(realign_goal(parent_goal_id=TOP_GOAL))
    assert only_payload(events, GoalRealigned)["old_alignment"] == Alignment(parent_id=SALES_GOAL)


def test_realign_goal_refuses_an_unknown_theme(org_spec: Spec) -> None:
    """Given no theme retention, when ana's goal is realigned to it, then NotFound."""
    with_goal(org_spec)
    command = realign_goal(theme_id="retention")
    org_spec.then_refused(command, NotFound, "unknown theme 'retention'")


def test_realign_goal_refuses_a_retired_theme(org_spec: Spec) -> None:
    """Given retention was added and retired, when ana's goal is realigned to it, then
    RuleViolated."""
    with_goal(org_spec).given(add_retention())
    org_spec.given(retire_theme("retention"))
    org_spec.then_refused(realign_goal(theme_id="retention"), RuleViolated, "retired")


def test_realign_goal_refuses_an_unknown_parent_goal(org_spec: Spec) -> None:
    """Given no goal UNKNOWN_GOAL, when ana's goal is realigned under it, then NotFound."""
    with_goal(org_spec)
    command = realign_goal(parent_goal_id=UNKNOWN_GOAL)
    org_spec.then_refused(command, NotFound, "unknown parent goal")


def test_realign_goal_refuses_a_parent_goal_in_another_cycle(org_spec: Spec) -> None:
    """Given a goal in the 2027 cycle, when ana's 2026 goal is realigned under it, then
    RuleViolated."""
    with_goal(org_spec).given(open_next_cycle(), unit_goal(NEXT_GOAL, "sales", cycle_id=NEXT_CYCLE))
    command = realign_goal(parent_goal_id=NEXT_GOAL)
    org_spec.then_refused(command, RuleViolated, "same cycle")


def test_realign_goal_refuses_a_dropped_parent_goal(org_spec: Spec) -> None:
    """Given sales' goal was dropped, when ana's goal is realigned under it, then RuleViolated."""
    with_goal(org_spec).given(
        unit_goal(SALES_GOAL, "sales"), drop_goal(actor="cleo", goal_id=SALES_GOAL)
    )
    command = realign_goal(parent_goal_id=SALES_GOAL)
    org_spec.then_refused(command, RuleViolated, "was dropped")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"theme_id": "growth", "parent_goal_id": str(TOP_GOAL)}, "not both"),
        ({"reason": ""}, "reason"),
        ({"theme_id": "two words"}, "theme_id"),
        ({"parent_goal_id": "sales-goal"}, "parent_goal_id"),
    ],
)
def test_realign_goal_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given ana's goal, when RealignGoal arrives malformed, then InvalidInput says what is
    wrong."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(realign_goal(), **changes), field)


# -- ReassignGoal -------------------------------------------------------------------------------


def test_reassign_goal_records_old_and_new_owner(org_spec: Spec) -> None:
    """Given ana's goal, when max hands it to ben, then GoalReassigned is recorded and ben owns
    it."""
    with_goal(org_spec)
    events = org_spec.when(reassign_goal())
    assert only_payload(events, GoalReassigned) == {
        "old_owner": Owner("person", "ana"),
        "new_owner": Owner("person", "ben"),
        "reason": "Ana moved to key accounts",
    }
    assert org_spec.execution.goal(ANA_GOAL).owner == Owner("person", "ben")


def test_reassign_goal_to_a_unit(org_spec: Spec) -> None:
    """Given ana's goal, when cleo hands it to unit sales via the facade, then the unit owns
    it."""
    with_goal(org_spec)
    goal = org_spec.execution.reassign_goal(
        ANA_GOAL, Owner("unit", "sales"), reason="Team effort", actor="cleo", occurred_at=day(7)
    )
    assert goal.owner == Owner("unit", "sales")


def test_reassign_goal_from_a_unit_to_a_person(org_spec: Spec) -> None:
    """Given a goal of unit sales, when cleo hands it to ana, then ana owns it."""
    org_spec.given(unit_goal(SALES_GOAL, "sales"))
    command = reassign_goal(actor="cleo", goal_id=SALES_GOAL, owner=OwnerSpec(id="ana"))
    events = org_spec.when(command)
    assert only_payload(events, GoalReassigned)["old_owner"] == Owner("unit", "sales")


@pytest.mark.parametrize("actor", ["ana", "ben"])
def test_reassign_goal_refuses_the_owner_or_a_peer(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when ana or ben reassigns it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(reassign_goal(actor=actor), NotPermitted)


def test_reassign_goal_refuses_a_new_owner_outside_the_actors_reach(org_spec: Spec) -> None:
    """Given ana's goal, when max hands it to cora, who is outside his reporting line, then
    NotPermitted: giving a goal needs the right to set goals for the new owner too."""
    with_goal(org_spec)
    org_spec.then_refused(reassign_goal(owner=OwnerSpec(id="cora")), NotPermitted, "cora")


def test_reassign_goal_refuses_the_owner_it_has(org_spec: Spec) -> None:
    """Given ana's goal, when it is reassigned to ana, then RuleViolated."""
    with_goal(org_spec)
    command = reassign_goal(owner=OwnerSpec(id="ana"))
    org_spec.then_refused(command, RuleViolated, "already belongs to person ana")


def test_reassign_goal_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when ana's goal is reassigned to zoe, then NotFound."""
    with_goal(org_spec)
    command = reassign_goal(owner=OwnerSpec(id="zoe"))
    org_spec.then_refused(command, NotFound, "unknown person 'zoe'")


def test_reassign_goal_refuses_an_unknown_unit(org_spec: Spec) -> None:
    """Given no unit ops, when ana's goal is reassigned to unit ops, then NotFound."""
    with_goal(org_spec)
    command = reassign_goal(owner=OwnerSpec(kind="unit", id="ops"))
    org_spec.then_refused(command, NotFound, "unknown unit 'ops'")


def test_reassign_goal_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when ana's goal is reassigned to ben, then RuleViolated."""
    with_goal(org_spec).given(left("ben"))
    org_spec.then_refused(reassign_goal(), RuleViolated, "has left")


def test_reassign_goal_refuses_a_developmental_goal_to_a_unit(org_spec: Spec) -> None:
    """Given ana's developmental goal, when it is reassigned to unit sales, then RuleViolated."""
    with_goal(org_spec, kind=GoalKind.DEVELOPMENTAL)
    command = reassign_goal(owner=OwnerSpec(kind="unit", id="sales"))
    org_spec.then_refused(command, RuleViolated, "developmental goal belongs to a person")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"owner": {"kind": "team", "id": "sales"}}, "owner.kind"),
        ({"owner": {"kind": "person"}}, "owner.id"),
        ({"owner": "ben"}, "owner"),
    ],
)
def test_reassign_goal_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given ana's goal, when ReassignGoal arrives malformed, then InvalidInput names the
    field."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(reassign_goal(), **changes), field)


# -- WeightGoal ---------------------------------------------------------------------------------


def test_weight_goal_records_old_and_new_weight(org_spec: Spec) -> None:
    """Given ana's goal weighs 1, when max weights it 2, then GoalWeighted is recorded."""
    with_goal(org_spec)
    events = org_spec.when(weight_goal())
    assert only_payload(events, GoalWeighted) == {"old_weight": 1.0, "new_weight": 2.0}
    assert org_spec.execution.goal(ANA_GOAL).weight == 2.0


@pytest.mark.parametrize("actor", ["ana", "ben", "hana"])
def test_weight_goal_refuses_the_owner_a_peer_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana's goal, when ana, ben or hana weights it, then NotPermitted."""
    with_goal(org_spec)
    org_spec.then_refused(weight_goal(actor=actor), NotPermitted)


def test_weight_goal_refuses_the_weight_it_has(org_spec: Spec) -> None:
    """Given ana's goal weighs 1, when it is weighted 1, then RuleViolated."""
    with_goal(org_spec)
    org_spec.then_refused(weight_goal(weight=1.0), RuleViolated, "already weighs 1.0")


@pytest.mark.parametrize("weight", [0.0, -1.0, 1_000.5, float("nan")])
def test_weight_goal_out_of_range_is_invalid_input(org_spec: Spec, weight: float) -> None:
    """Given ana's goal, when the facade weights it 0, negative, above 1000 or NaN, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.weight_goal(ANA_GOAL, weight, actor="max", occurred_at=day(7)),
        "weight",
    )
