"""Goal commands shared rules, SetGoal and AddKeyResult; the helpers every goal module uses.

The other goal commands are in ``test_goals_progress.py`` (LogProgress, AdjustTarget),
``test_goals_changes.py`` (RealignGoal, ReassignGoal, WeightGoal) and ``test_goals_plan.py``
(actions, completing, dropping and reviewing a goal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    ActionSpec,
    AddKeyResult,
    AddTheme,
    AdjustTarget,
    CloseCycle,
    Command,
    CompleteAction,
    CompleteGoal,
    DropAction,
    DropGoal,
    GoalKind,
    InvalidInput,
    KeyResultSpec,
    LogProgress,
    NotFound,
    NotPermitted,
    OpenCycle,
    Owner,
    PlanAction,
    RealignGoal,
    ReassignGoal,
    RemovePerson,
    RetireTheme,
    ReviewGoal,
    RuleViolated,
    SetGoal,
    WeightGoal,
)
from execution_core.events import ActionPlanned, Alignment, Direction, GoalSet, KeyResultAdded
from execution_core.goals.commands import OwnerSpec
from tests.support import CYCLE_ID, T0, Spec, day, payload
from tests.unit import DROP, NAIVE, json_of, make, then_invalid

ANA_GOAL = UUID("00000000-0000-4000-8000-0000000000a1")
"""Ana's goal: the goal most examples act on."""
SECOND_GOAL = UUID("00000000-0000-4000-8000-0000000000a2")
TOP_GOAL = UUID("00000000-0000-4000-8000-0000000000e1")
"""Unit hq's goal, aligned to the theme growth (top of the cascade)."""
SALES_GOAL = UUID("00000000-0000-4000-8000-0000000000e2")
"""Unit sales' goal, cascading from TOP_GOAL."""
NEXT_GOAL = UUID("00000000-0000-4000-8000-0000000000f1")
"""A goal in the 2027 cycle."""
UNKNOWN_GOAL = UUID("00000000-0000-4000-8000-0000000000ff")
NEXT_CYCLE = UUID("00000000-0000-4000-8000-0000000000c2")
"""The 2027 cycle, opened by the examples themselves."""

# -- specs and commands with valid defaults on the standard org -------------------------------


def deals(**fields: Any) -> KeyResultSpec:
    """An increasing metric: deals closed from 0 to 10 (stretch 15)."""
    defaults = {"name": "Deals closed", "unit": "deals", "target": 10.0, "stretch": 15.0}
    return KeyResultSpec(**{"kr_id": "deals", **defaults, **fields})


def churn(**fields: Any) -> KeyResultSpec:
    """A decreasing metric: churned accounts from 8 down to 4 (stretch 2)."""
    defaults = {"name": "Churned accounts", "baseline": 8.0, "target": 4.0, "stretch": 2.0}
    return KeyResultSpec(
        **{"kr_id": "churn", "direction": Direction.DECREASE, **defaults, **fields}
    )


def demo(**fields: Any) -> KeyResultSpec:
    """A milestone: the demo is shipped or not."""
    return KeyResultSpec(**{"kr_id": "demo", "name": "Demo shipped", "milestone": True, **fields})


def call(**fields: Any) -> ActionSpec:
    """A task of ana's plan."""
    defaults = {"task": "Call the top ten leads", "owner_id": "ana", "due_on": date(2026, 2, 1)}
    return ActionSpec(**{"action_id": "call", **defaults, **fields})


def set_goal(**fields: Any) -> SetGoal:
    """Max sets ana's goal at T0, aligned to growth, with deals, churn, demo and one action."""
    return make(
        SetGoal,
        fields,
        actor="max",
        goal_id=ANA_GOAL,
        cycle_id=CYCLE_ID,
        title="Grow the pipeline",
        owner=OwnerSpec(id="ana"),
        theme_id="growth",
        key_results=(deals(), churn(), demo()),
        actions=(call(),),
    )


def unit_goal(goal_id: UUID, unit_id: str, **fields: Any) -> SetGoal:
    """Cleo (an executive) sets a unit's goal with no key results, aligned to growth."""
    defaults = {"actor": "cleo", "title": f"Goal of {unit_id}", "key_results": (), "actions": ()}
    owner = OwnerSpec(kind="unit", id=unit_id)
    return set_goal(**{"goal_id": goal_id, "owner": owner, **defaults, **fields})


def sales_goal() -> SetGoal:
    """Cleo sets unit sales a goal with one key result: revenue from 0 to 500 kEUR."""
    revenue = deals(kr_id="revenue", name="Revenue", unit="kEUR", target=500.0, stretch=None)
    return unit_goal(SALES_GOAL, "sales", key_results=(revenue,))


def add_key_result(**fields: Any) -> AddKeyResult:
    nps = KeyResultSpec(kr_id="nps", name="Net promoter score", baseline=20, target=40)
    return make(
        AddKeyResult, fields, actor="max", occurred_at=day(7), goal_id=ANA_GOAL, key_result=nps
    )


def log_progress(**fields: Any) -> LogProgress:
    return make(
        LogProgress,
        fields,
        actor="ana",
        occurred_at=day(7),
        goal_id=ANA_GOAL,
        kr_id="deals",
        value=3.0,
        confidence=0.8,
        comment="Two big leads in play",
    )


def adjust_target(**fields: Any) -> AdjustTarget:
    return make(
        AdjustTarget,
        fields,
        actor="max",
        occurred_at=day(7),
        goal_id=ANA_GOAL,
        kr_id="deals",
        target=8.0,
        stretch=12.0,
        reason="The market shrank",
    )


def realign_goal(**fields: Any) -> RealignGoal:
    """Max aligns ana's goal to nothing (the examples name a theme or parent where they need)."""
    defaults = {"reason": "The theme was folded into another"}
    return make(RealignGoal, fields, actor="max", occurred_at=day(7), goal_id=ANA_GOAL, **defaults)


def reassign_goal(**fields: Any) -> ReassignGoal:
    defaults = {"owner": OwnerSpec(id="ben"), "reason": "Ana moved to key accounts"}
    return make(ReassignGoal, fields, actor="max", occurred_at=day(7), goal_id=ANA_GOAL, **defaults)


def weight_goal(**fields: Any) -> WeightGoal:
    return make(WeightGoal, fields, actor="max", occurred_at=day(7), goal_id=ANA_GOAL, weight=2.0)


def plan_action(**fields: Any) -> PlanAction:
    action = call(action_id="visit", task="Visit the three biggest clients")
    return make(
        PlanAction, fields, actor="ana", occurred_at=day(7), goal_id=ANA_GOAL, action=action
    )


def complete_action(**fields: Any) -> CompleteAction:
    return make(
        CompleteAction, fields, actor="ana", occurred_at=day(7), goal_id=ANA_GOAL, action_id="call"
    )


def drop_action(**fields: Any) -> DropAction:
    defaults = {"action_id": "call", "reason": "The leads went cold"}
    return make(DropAction, fields, actor="ana", occurred_at=day(7), goal_id=ANA_GOAL, **defaults)


def complete_goal(**fields: Any) -> CompleteGoal:
    return make(CompleteGoal, fields, actor="ana", occurred_at=day(7), goal_id=ANA_GOAL)


def drop_goal(**fields: Any) -> DropGoal:
    defaults = {"reason": "The product line was cancelled"}
    return make(DropGoal, fields, actor="max", occurred_at=day(7), goal_id=ANA_GOAL, **defaults)


def review_goal(**fields: Any) -> ReviewGoal:
    return make(
        ReviewGoal,
        fields,
        actor="ana",
        occurred_at=day(7),
        goal_id=ANA_GOAL,
        worked="Weekly calls",
        did_not_work="Cold emails",
        lessons="Start with the warm leads",
    )


def close_cycle(on: float = 10) -> CloseCycle:
    """Cleo closes the 2026 cycle on day ``on``."""
    return make(CloseCycle, {"occurred_at": day(on)}, cycle_id=CYCLE_ID)


def open_next_cycle() -> OpenCycle:
    """Cleo opens the 2027 cycle."""
    return make(
        OpenCycle,
        {},
        cycle_id=NEXT_CYCLE,
        name="2027",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )


def retire_theme(theme_id: str = "growth") -> RetireTheme:
    return make(RetireTheme, {}, theme_id=theme_id, reason="Folded into another theme")


def add_retention() -> AddTheme:
    return make(AddTheme, {}, theme_id="retention", title="Keep our customers")


def left(person_id: str) -> RemovePerson:
    return make(RemovePerson, {}, person_id=person_id)


def with_goal(spec: Spec, **fields: Any) -> Spec:
    """The standard org plus ana's goal (set by max at T0)."""
    return spec.given(set_goal(**fields))


def with_cascade(spec: Spec) -> Spec:
    """The standard org plus TOP_GOAL (hq) > SALES_GOAL (sales) > ANA_GOAL (ana)."""
    return spec.given(
        unit_goal(TOP_GOAL, "hq"),
        unit_goal(SALES_GOAL, "sales", theme_id=None, parent_goal_id=TOP_GOAL),
        set_goal(theme_id=None, parent_goal_id=SALES_GOAL),
    )


def then_invalid_call(spec: Spec, call: Callable[[], object], match: str) -> None:
    """A facade call is refused as InvalidInput matching ``match``; nothing is recorded."""
    before = spec.execution.store.last_position()
    with pytest.raises(InvalidInput, match=re.escape(match)):
        call()
    assert spec.execution.store.last_position() == before, "a refused command recorded events"


def kr_json(spec: KeyResultSpec, **changes: Any) -> dict[str, Any]:
    """The JSON form of a key result spec with some fields changed."""
    return {**spec.model_dump(mode="json"), **changes}


EVERY_COMMAND: list[Command] = [
    set_goal(goal_id=SECOND_GOAL),
    add_key_result(),
    log_progress(),
    adjust_target(),
    realign_goal(),
    reassign_goal(),
    weight_goal(),
    plan_action(),
    complete_action(),
    drop_action(),
    complete_goal(),
    drop_goal(),
    review_goal(),
]
"""One valid example of every goal command, given ana's goal."""

ON_A_GOAL = EVERY_COMMAND[1:]
"""Every command that acts on an existing goal."""

CHANGING = [c for c in ON_A_GOAL if not isinstance(c, ReviewGoal)]
"""Every command on an existing goal except the review."""


def _name(command: Command) -> str:
    return command.command_name


# -- every goal command -------------------------------------------------------------------------


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=_name)
def test_every_example_is_accepted_on_ana_s_goal(org_spec: Spec, command: Command) -> None:
    """Given ana's goal, when any of the valid examples runs, then it records events."""
    with_goal(org_spec)
    assert org_spec.when(command)


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a goal command has a naive time, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=_name)
def test_an_unknown_field_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a goal command has an unknown field, then InvalidInput."""
    then_invalid(org_spec, json_of(command, mood="great"), "mood")


@pytest.mark.parametrize("command", ON_A_GOAL, ids=_name)
def test_a_malformed_goal_id_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given ana's goal, when a goal command names a goal id that is not a UUID, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(command, goal_id="ana-goal"), "goal_id")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=_name)
def test_a_command_without_an_actor_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given ana's goal, when a goal command names no actor, then InvalidInput."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(command, actor=DROP), "actor")


@pytest.mark.parametrize("command", [complete_action(), drop_action()], ids=_name)
def test_an_empty_action_id_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given ana's goal, when a task is completed or dropped with an empty id, then
    InvalidInput."""
    with_goal(org_spec)
    then_invalid(org_spec, json_of(command, action_id=" "), "action_id")


@pytest.mark.parametrize("command", ON_A_GOAL, ids=_name)
def test_a_command_on_an_unknown_goal_is_refused(org_spec: Spec, command: Command) -> None:
    """Given only ana's goal, when a command names an unknown goal, then NotFound."""
    with_goal(org_spec)
    unknown = command.model_copy(update={"goal_id": UNKNOWN_GOAL})
    org_spec.then_refused(unknown, NotFound, "unknown goal")


@pytest.mark.parametrize("command", EVERY_COMMAND[:-1], ids=_name)
def test_anything_dated_after_the_cycle_closed_is_refused(org_spec: Spec, command: Command) -> None:
    """Given the cycle closed on day 10, when any command but a review is dated day 11, then
    RuleViolated."""
    with_goal(org_spec).given(close_cycle(on=10))
    late = command.model_copy(update={"occurred_at": day(11)})
    org_spec.then_refused(late, RuleViolated, "closed on 2026-01-15: only reviews")


@pytest.mark.parametrize("command", CHANGING, ids=_name)
@pytest.mark.parametrize("ended", [complete_goal, drop_goal], ids=["completed", "dropped"])
def test_a_goal_that_ended_takes_no_more_changes(
    org_spec: Spec, command: Command, ended: Callable[..., Command]
) -> None:
    """Given ana's goal was completed or dropped on day 2, when any command but a review acts on
    it, then RuleViolated."""
    end = ended(occurred_at=day(2))
    with_goal(org_spec).given(end)
    status = "completed" if isinstance(end, CompleteGoal) else "dropped"
    org_spec.then_refused(command, RuleViolated, f"is {status}")


# -- SetGoal ------------------------------------------------------------------------------------


def test_set_goal_records_the_goal_its_key_results_and_actions(org_spec: Spec) -> None:
    """Given the standard org, when max sets ana's goal, then GoalSet, its key results and its
    action are recorded."""
    events = org_spec.when(set_goal())
    assert [type(e) for e in events] == [
        GoalSet,
        KeyResultAdded,
        KeyResultAdded,
        KeyResultAdded,
        ActionPlanned,
    ]
    assert {e.stream_id for e in events} == {ANA_GOAL}
    assert payload(events[0]) == {
        "title": "Grow the pipeline",
        "kind": GoalKind.INDIVIDUAL,
        "owner": Owner("person", "ana"),
        "cycle_id": CYCLE_ID,
        "aligned_to": Alignment(theme_id="growth"),
        "weight": 1.0,
    }
    assert payload(events[2]) == {
        "kr_id": "churn",
        "kr_name": "Churned accounts",
        "unit": "",
        "baseline": 8.0,
        "target": 4.0,
        "stretch": 2.0,
        "direction": Direction.DECREASE,
        "milestone": False,
        "weight": 1.0,
    }
    assert payload(events[4]) == {
        "action_id": "call",
        "task": "Call the top ten leads",
        "owner_id": "ana",
        "due_on": date(2026, 2, 1),
    }
    goal = org_spec.execution.goal(ANA_GOAL)
    assert (goal.version, goal.status, goal.set_at) == (5, "active", T0)
    assert list(goal.key_results) == ["deals", "churn", "demo"]
    assert goal.key_results["demo"].milestone
    assert goal.actions["call"].status == "open"


def test_set_goal_assigns_an_id_when_none_is_given(org_spec: Spec) -> None:
    """Given no goal_id, when max sets a goal, then the execution assigns it a new id."""
    events = org_spec.when(set_goal(goal_id=None))
    assert events[0].stream_id == UUID(int=101)


def test_set_goal_for_a_unit(org_spec: Spec) -> None:
    """Given unit sales, when cleo sets a team goal owned by the unit, then the unit owns it."""
    events = org_spec.when(unit_goal(SALES_GOAL, "sales", kind=GoalKind.TEAM))
    assert payload(events[0])["owner"] == Owner("unit", "sales")
    assert payload(events[0])["kind"] is GoalKind.TEAM
    assert org_spec.execution.goal(SALES_GOAL).owner == Owner("unit", "sales")


def test_set_goal_for_a_unit_through_the_facade(org_spec: Spec) -> None:
    """Given unit sales, when cleo sets its goal via the facade with an Owner, then it is set."""
    goal = org_spec.execution.set_goal(
        CYCLE_ID, "Sales grows", Owner("unit", "sales"), actor="cleo", occurred_at=T0
    )
    assert goal.owner == Owner("unit", "sales")


def test_set_goal_cascading_from_a_parent_goal(org_spec: Spec) -> None:
    """Given hq's goal, when sales' goal is set under it, then it is aligned to that parent."""
    org_spec.given(unit_goal(TOP_GOAL, "hq"))
    events = org_spec.when(unit_goal(SALES_GOAL, "sales", theme_id=None, parent_goal_id=TOP_GOAL))
    assert payload(events[0])["aligned_to"] == Alignment(parent_id=TOP_GOAL)
    assert org_spec.execution.goal(SALES_GOAL).parent_id == TOP_GOAL


def test_set_goal_aligned_to_nothing(org_spec: Spec) -> None:
    """Given the standard org, when a goal is set with no theme or parent, then it aligns to
    nothing."""
    events = org_spec.when(set_goal(theme_id=None))
    assert payload(events[0])["aligned_to"] is None


@pytest.mark.parametrize("actor", ["ana", "max", "cleo"])
def test_set_goal_by_the_owner_a_manager_or_an_executive(org_spec: Spec, actor: str) -> None:
    """Given ana, when she, her manager or an executive sets her goal, then it is set."""
    events = org_spec.when(set_goal(actor=actor))
    assert events[0].actor == actor


@pytest.mark.parametrize("actor", ["ben", "cora", "hana"])
def test_set_goal_refuses_a_peer_a_coach_or_hr(org_spec: Spec, actor: str) -> None:
    """Given ana, when a peer, an unauthorised coach or HR sets her goal, then NotPermitted."""
    org_spec.then_refused(set_goal(actor=actor), NotPermitted)


def test_set_goal_refuses_a_goal_that_exists(org_spec: Spec) -> None:
    """Given ana's goal, when a goal with its id is set again, then RuleViolated."""
    with_goal(org_spec)
    org_spec.then_refused(set_goal(title="Again"), RuleViolated, "already exists")


def test_set_goal_refuses_an_unknown_cycle(org_spec: Spec) -> None:
    """Given no 2027 cycle, when a goal is set in it, then NotFound."""
    org_spec.then_refused(set_goal(cycle_id=NEXT_CYCLE), NotFound, "unknown cycle")


def test_set_goal_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when cleo sets zoe a goal, then NotFound."""
    command = set_goal(actor="cleo", owner=OwnerSpec(id="zoe"))
    org_spec.then_refused(command, NotFound, "unknown person 'zoe'")


def test_set_goal_refuses_an_unknown_unit(org_spec: Spec) -> None:
    """Given no unit ops, when cleo sets unit ops a goal, then NotFound."""
    org_spec.then_refused(unit_goal(SALES_GOAL, "ops"), NotFound, "unknown unit 'ops'")


def test_set_goal_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ana left, when cleo sets ana a goal, then RuleViolated."""
    org_spec.given(left("ana"))
    org_spec.then_refused(set_goal(actor="cleo"), RuleViolated, "has left")


def test_set_goal_developmental_for_a_person(org_spec: Spec) -> None:
    """Given ana, when max sets her a developmental goal, then it is recorded with that kind."""
    events = org_spec.when(set_goal(kind=GoalKind.DEVELOPMENTAL))
    assert payload(events[0])["kind"] is GoalKind.DEVELOPMENTAL


def test_set_goal_refuses_a_developmental_goal_owned_by_a_unit(org_spec: Spec) -> None:
    """Given unit sales, when cleo sets it a developmental goal, then RuleViolated."""
    command = unit_goal(SALES_GOAL, "sales", kind=GoalKind.DEVELOPMENTAL)
    org_spec.then_refused(command, RuleViolated, "developmental goal belongs to a person")


def test_set_goal_refuses_an_unknown_theme(org_spec: Spec) -> None:
    """Given no theme retention, when a goal is aligned to it, then NotFound."""
    org_spec.then_refused(set_goal(theme_id="retention"), NotFound, "unknown theme 'retention'")


def test_set_goal_refuses_a_retired_theme(org_spec: Spec) -> None:
    """Given growth was retired, when a goal is aligned to it, then RuleViolated."""
    org_spec.given(retire_theme())
    org_spec.then_refused(set_goal(), RuleViolated, "retired")


def test_set_goal_refuses_an_unknown_parent_goal(org_spec: Spec) -> None:
    """Given no goal UNKNOWN_GOAL, when a goal cascades from it, then NotFound."""
    command = set_goal(theme_id=None, parent_goal_id=UNKNOWN_GOAL)
    org_spec.then_refused(command, NotFound, "unknown parent goal")


def test_set_goal_refuses_a_parent_goal_in_another_cycle(org_spec: Spec) -> None:
    """Given a goal in the 2027 cycle, when a 2026 goal cascades from it, then RuleViolated."""
    org_spec.given(open_next_cycle(), unit_goal(NEXT_GOAL, "sales", cycle_id=NEXT_CYCLE))
    command = set_goal(theme_id=None, parent_goal_id=NEXT_GOAL)
    org_spec.then_refused(command, RuleViolated, "same cycle")


def test_set_goal_refuses_a_dropped_parent_goal(org_spec: Spec) -> None:
    """Given sales' goal was dropped, when ana's goal cascades from it, then RuleViolated."""
    org_spec.given(unit_goal(SALES_GOAL, "sales"), drop_goal(goal_id=SALES_GOAL, actor="cleo"))
    command = set_goal(theme_id=None, parent_goal_id=SALES_GOAL)
    org_spec.then_refused(command, RuleViolated, "was dropped")


def test_set_goal_refuses_a_goal_aligned_to_itself(org_spec: Spec) -> None:
    """Given the standard org, when a goal names itself as its parent, then RuleViolated."""
    command = set_goal(theme_id=None, parent_goal_id=ANA_GOAL)
    org_spec.then_refused(command, RuleViolated, "aligned to itself")


def test_set_goal_refuses_an_action_owned_by_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when a goal's plan gives zoe a task, then NotFound."""
    org_spec.then_refused(set_goal(actions=(call(owner_id="zoe"),)), NotFound, "'zoe'")


def test_set_goal_refuses_an_action_owned_by_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when a goal's plan gives ben a task, then RuleViolated."""
    org_spec.given(left("ben"))
    org_spec.then_refused(set_goal(actions=(call(owner_id="ben"),)), RuleViolated, "has left")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"parent_goal_id": str(TOP_GOAL)}, "not both"),
        ({"title": " "}, "title"),
        ({"cycle_id": DROP}, "cycle_id"),
        ({"owner": {"kind": "team", "id": "sales"}}, "owner.kind"),
        ({"owner": {"id": "two words"}}, "owner.id"),
        ({"kind": "heroic"}, "kind"),
        ({"weight": 0}, "weight"),
        ({"weight": 1001}, "weight"),
        ({"key_results": [kr_json(deals()), kr_json(deals())]}, "key result ids must be unique"),
        ({"actions": [call().model_dump(mode="json")] * 2}, "action ids must be unique"),
        ({"key_results": [kr_json(deals(), target=0.0)]}, "equal to its baseline"),
        ({"key_results": [kr_json(deals(), target=-5.0)]}, "above the baseline"),
        ({"key_results": [kr_json(churn(), target=9.0)]}, "below the baseline"),
        ({"key_results": [kr_json(deals(), stretch=10.0)]}, "stretch must lie beyond"),
        ({"key_results": [kr_json(churn(), stretch=5.0)]}, "stretch must lie beyond"),
        ({"key_results": [kr_json(demo(), target=5.0)]}, "milestone is done or not done"),
        ({"key_results": [kr_json(deals(), weight=0)]}, "key_results.0.weight"),
        ({"actions": [{**call().model_dump(mode="json"), "due_on": "soon"}]}, "due_on"),
    ],
)
def test_set_goal_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], problem: str
) -> None:
    """Given the standard org, when SetGoal arrives malformed, then InvalidInput says what is
    wrong."""
    then_invalid(org_spec, json_of(set_goal(), **changes), problem)


def test_set_goal_with_a_target_equal_to_its_baseline_via_the_facade(org_spec: Spec) -> None:
    """Given the standard org, when the facade sets a key result with no gap, then InvalidInput."""
    flat = {"kr_id": "flat", "name": "Flat", "baseline": 3, "target": 3}
    then_invalid_call(
        org_spec,
        lambda: org_spec.execution.set_goal(
            CYCLE_ID, "Stand still", "ana", key_results=[flat], actor="max", occurred_at=T0
        ),
        "equal to its baseline",
    )
