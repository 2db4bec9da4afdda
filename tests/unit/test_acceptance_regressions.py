"""Regressions found by acceptance testing, as given / when / then at the decider level."""

from __future__ import annotations

import pytest

from execution_core import Command, NotFound, NotPermitted, RemovePerson, RuleViolated
from execution_core.events import GoalReassigned, PersonLeft
from execution_core.goals.commands import OwnerSpec
from tests.support import Spec, day
from tests.unit import make
from tests.unit.test_goals import (
    EVERY_COMMAND,
    close_cycle,
    reassign_goal,
    review_goal,
    set_goal,
    with_goal,
)

# -- an unknown owner is NotFound whoever may set goals asks -----------------------------------


@pytest.mark.parametrize("actor", ["cleo", "max", "ana", "cora"])
@pytest.mark.parametrize(
    ("owner", "message"),
    [
        (OwnerSpec(id="zoe"), "unknown person 'zoe'"),
        (OwnerSpec(kind="unit", id="ops"), "unknown unit 'ops'"),
    ],
    ids=["person", "unit"],
)
def test_an_unknown_owner_is_not_found_for_everyone_who_may_set_goals(
    org_spec: Spec, actor: str, owner: OwnerSpec, message: str
) -> None:
    """Given no person zoe and no unit ops, when the executive, a manager, a report or a coach
    sets them a goal, then NotFound for each (a manager was told NotPermitted)."""
    org_spec.then_refused(set_goal(actor=actor, owner=owner), NotFound, message)


@pytest.mark.parametrize("actor", ["system", "zoe"], ids=["the HR sync", "a stranger"])
def test_an_unknown_owner_is_not_permitted_for_whoever_may_set_no_goal(
    org_spec: Spec, actor: str
) -> None:
    """Given the HR-system actor and a stranger, who may set no goal for anyone, when they set a
    goal for the unknown zoe, then NotPermitted: who exists is not told to them."""
    org_spec.then_refused(set_goal(actor=actor, owner=OwnerSpec(id="zoe")), NotPermitted)


def test_a_known_owner_the_actor_may_not_serve_is_still_not_permitted(org_spec: Spec) -> None:
    """Given ben, whom ana does not manage, when ana sets ben a goal, then NotPermitted (only an
    unknown owner is answered before the access policy)."""
    org_spec.then_refused(set_goal(actor="ana", owner=OwnerSpec(id="ben")), NotPermitted, "ben")


@pytest.mark.parametrize("actor", ["cleo", "max"])
def test_reassigning_to_an_unknown_owner_is_not_found_for_the_executive_and_the_manager(
    org_spec: Spec, actor: str
) -> None:
    """Given ana's goal, when the executive or her manager hands it to the unknown zoe, then
    NotFound for both."""
    org_spec.given(set_goal())
    command = reassign_goal(owner=OwnerSpec(id="zoe"), actor=actor)
    org_spec.then_refused(command, NotFound, "unknown person 'zoe'")


# -- once a cycle is closed, play is over whatever the business date ---------------------------


@pytest.mark.parametrize("command", EVERY_COMMAND[:-1], ids=lambda c: c.command_name)
def test_a_fact_of_play_dated_before_the_close_is_refused_once_the_cycle_closed(
    org_spec: Spec, command: Command
) -> None:
    """Given ana's goal and the cycle closed on day 10, when any goal command but a review, dated
    day 7 or earlier, is recorded after the close, then RuleViolated (it was accepted)."""
    assert command.occurred_at < day(10)
    with_goal(org_spec).given(close_cycle(on=10))
    org_spec.then_refused(command, RuleViolated, "closed on 2026-01-15: only reviews")


def test_a_review_dated_before_the_close_is_recorded_after_it(org_spec: Spec) -> None:
    """Given ana's goal and the cycle closed on day 10, when her review dated day 9 is recorded
    after the close, then it is accepted: the appraisal side stays open."""
    with_goal(org_spec).given(close_cycle(on=10))
    assert org_spec.when(review_goal(occurred_at=day(9)))


# -- a leaver owning active goals -------------------------------------------------------------


def _ana_left() -> RemovePerson:
    return make(RemovePerson, {"actor": "system", "occurred_at": day(5)}, person_id="ana")


def test_a_person_owning_active_goals_may_leave(org_spec: Spec) -> None:
    """Given ana owns an active goal, when the HR sync records that she left, then PersonLeft is
    recorded: a leave is a fact that happened, and plan quality flags her goals instead."""
    with_goal(org_spec)
    events = org_spec.when(_ana_left())
    assert [type(e) for e in events] == [PersonLeft]


def test_the_manager_of_a_leaver_may_hand_their_goal_on(org_spec: Spec) -> None:
    """Given ana left owning her goal, when max (her manager) hands it to ben, then
    GoalReassigned is recorded from ana to ben."""
    with_goal(org_spec).given(_ana_left())
    (event,) = org_spec.when(reassign_goal())
    assert isinstance(event, GoalReassigned)
    assert (event.old_owner.id, event.new_owner.id) == ("ana", "ben")
