"""Coaching commands: who may coach whom, about which goal, and how commitments end."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    AuthoriseCoach,
    CloseCycle,
    CoachingKind,
    Command,
    CommitmentSpec,
    DeauthoriseCoach,
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
    NotFound,
    NotPermitted,
    RemovePerson,
    RuleViolated,
    SetGoal,
)
from execution_core.events import CoachingGiven, CommitmentKept, CommitmentMade, CommitmentMissed
from execution_core.goals.commands import OwnerSpec
from tests.support import CYCLE_ID, Spec, day, payload
from tests.unit import DROP, NAIVE, json_of, make, only_payload, then_invalid

ANA_GOAL = UUID("00000000-0000-4000-8000-0000000000a1")
BEN_GOAL = UUID("00000000-0000-4000-8000-0000000000b1")
SALES_GOAL = UUID("00000000-0000-4000-8000-0000000000e1")
HQ_GOAL = UUID("00000000-0000-4000-8000-0000000000e2")
UNKNOWN_GOAL = UUID("00000000-0000-4000-8000-0000000000ff")

# -- commands with valid defaults on the standard org (by max, ana's manager, on day 1) ----------


def commitment(commitment_id: str = "call", **fields: Any) -> CommitmentSpec:
    defaults = {"action": "Call the three biggest leads", "due_on": date(2026, 1, 16)}
    return CommitmentSpec(commitment_id=commitment_id, **{**defaults, **fields})


def give_coaching(**fields: Any) -> GiveCoaching:
    at = {"actor": "max", "occurred_at": day(1)}
    return make(GiveCoaching, {**at, **fields}, person_id="ana", note="Focus on big leads")


def make_commitment(**fields: Any) -> MakeCommitment:
    at = {"actor": "ana", "occurred_at": day(1)}
    return make(MakeCommitment, {**at, **fields}, person_id="ana", commitment=commitment())


def keep_commitment(**fields: Any) -> KeepCommitment:
    at = {"actor": "max", "occurred_at": day(8)}
    return make(KeepCommitment, {**at, **fields}, person_id="ana", commitment_id="call")


def miss_commitment(**fields: Any) -> MissCommitment:
    at = {"actor": "max", "occurred_at": day(8)}
    return make(
        MissCommitment, {**at, **fields}, person_id="ana", commitment_id="call", note="ran out"
    )


def set_goal(goal_id: UUID, owner: OwnerSpec) -> SetGoal:
    """A goal in the 2026 cycle, set by cleo (an executive may set anyone's goal)."""
    return make(
        SetGoal, {}, goal_id=goal_id, cycle_id=CYCLE_ID, title=f"Goal of {owner.id}", owner=owner
    )


def with_goals(spec: Spec) -> Spec:
    """The standard org plus a goal for ana, one for ben, one for unit sales and one for unit hq."""
    return spec.given(
        set_goal(ANA_GOAL, OwnerSpec(id="ana")),
        set_goal(BEN_GOAL, OwnerSpec(id="ben")),
        set_goal(SALES_GOAL, OwnerSpec(kind="unit", id="sales")),
        set_goal(HQ_GOAL, OwnerSpec(kind="unit", id="hq")),
    )


def cycle_closed_on_day_10() -> CloseCycle:
    return make(CloseCycle, {"occurred_at": day(10)}, cycle_id=CYCLE_ID)


def authorise_cora() -> AuthoriseCoach:
    return make(AuthoriseCoach, {}, coach_id="cora", person_id="ana")


def left(person_id: str) -> RemovePerson:
    return make(RemovePerson, {}, person_id=person_id)


EVERY_COMMAND = [give_coaching(), make_commitment(), keep_commitment(), miss_commitment()]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a coaching command has a naive time, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_unknown_field_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a coaching command has an unknown field, then InvalidInput."""
    then_invalid(org_spec, json_of(command, mood="great"), "mood")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_command_about_an_unknown_person_is_refused(org_spec: Spec, command: Command) -> None:
    """Given no person zoe, when a coaching command names zoe, then NotFound."""
    org_spec.then_refused(command.model_copy(update={"person_id": "zoe"}), NotFound, "zoe")


# -- GiveCoaching ------------------------------------------------------------------------------


def test_give_coaching_records_who_coached_whom(org_spec: Spec) -> None:
    """Given ana reports to max, when max coaches ana, then CoachingGiven is recorded."""
    events = org_spec.when(give_coaching())
    assert only_payload(events, CoachingGiven) == {
        "coach_id": "max",
        "person_id": "ana",
        "goal_id": None,
        "kind": CoachingKind.GUIDANCE,
        "note": "Focus on big leads",
    }
    journal = org_spec.execution.coaching_journal("ana")
    assert (journal.sessions, journal.last_coached_at) == (1, day(1))


def test_give_coaching_about_a_goal_records_the_commitments_agreed(org_spec: Spec) -> None:
    """Given ana's goal, when max coaches her about it agreeing two commitments, then all three are
    recorded."""
    with_goals(org_spec)
    command = give_coaching(
        goal_id=ANA_GOAL,
        kind=CoachingKind.CORRECTION,
        commitments=(commitment("call"), commitment("demo", action="Book a demo")),
    )
    events = org_spec.when(command)
    assert [type(e) for e in events] == [CoachingGiven, CommitmentMade, CommitmentMade]
    assert payload(events[0])["goal_id"] == ANA_GOAL
    assert payload(events[0])["kind"] is CoachingKind.CORRECTION
    assert payload(events[2]) == {
        "commitment_id": "demo",
        "person_id": "ana",
        "action": "Book a demo",
        "due_on": date(2026, 1, 16),
        "goal_id": ANA_GOAL,
    }


def test_give_coaching_by_the_managers_manager(org_spec: Spec) -> None:
    """Given ana reports to max who reports to cleo, when cleo coaches ana, then it is recorded."""
    events = org_spec.when(give_coaching(actor="cleo", kind=CoachingKind.RECOGNITION))
    assert only_payload(events, CoachingGiven)["coach_id"] == "cleo"


def test_give_coaching_by_an_authorised_coach(org_spec: Spec) -> None:
    """Given cora is authorised to coach ana, when cora coaches ana, then CoachingGiven is
    recorded."""
    org_spec.given(authorise_cora())
    events = org_spec.when(give_coaching(actor="cora"))
    assert only_payload(events, CoachingGiven)["coach_id"] == "cora"


def test_give_coaching_about_a_goal_of_the_persons_unit(org_spec: Spec) -> None:
    """Given a goal of unit sales, when max coaches ana of sales about it, then it is recorded."""
    with_goals(org_spec)
    events = org_spec.when(give_coaching(goal_id=SALES_GOAL))
    assert only_payload(events, CoachingGiven)["goal_id"] == SALES_GOAL


def test_give_coaching_backdated_before_the_cycle_closed_is_refused(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when coaching about ana's goal dated day 9 is recorded
    late, then RuleViolated: once closed, a cycle's goals take no coaching whatever its date
    (issue 12 changed this from accepted)."""
    with_goals(org_spec).given(cycle_closed_on_day_10())
    command = give_coaching(goal_id=ANA_GOAL, occurred_at=day(9))
    org_spec.then_refused(command, RuleViolated, "closed on 2026-01-15: coaching about its goals")


def test_give_coaching_about_nothing_in_particular_after_the_close(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when max coaches ana on day 11 about no goal, then it is
    recorded: only coaching tied to the closed cycle's goals is refused."""
    with_goals(org_spec).given(cycle_closed_on_day_10())
    events = org_spec.when(give_coaching(occurred_at=day(11)))
    assert [type(e) for e in events] == [CoachingGiven]


def test_give_coaching_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when max coaches ben, then RuleViolated."""
    org_spec.given(left("ben"))
    org_spec.then_refused(give_coaching(person_id="ben"), RuleViolated, "has left")


def test_give_coaching_refuses_coaching_oneself(org_spec: Spec) -> None:
    """Given ana, when ana coaches herself, then NotPermitted."""
    org_spec.then_refused(give_coaching(actor="ana"), NotPermitted)


@pytest.mark.parametrize(
    "actor",
    ["ben", "cora", "hana"],
    ids=["a peer", "an unauthorised coach", "hr outside the line"],
)
def test_give_coaching_refuses_someone_neither_manager_nor_authorised_coach(
    org_spec: Spec, actor: str
) -> None:
    """Given ben, cora and hana are not in ana's line nor authorised, when they coach her, then
    NotPermitted."""
    org_spec.then_refused(give_coaching(actor=actor), NotPermitted)


def test_give_coaching_refuses_a_report_coaching_their_manager(org_spec: Spec) -> None:
    """Given ana reports to max, when ana coaches max, then NotPermitted."""
    org_spec.then_refused(give_coaching(actor="ana", person_id="max"), NotPermitted)


def test_give_coaching_refuses_a_coach_no_longer_authorised(org_spec: Spec) -> None:
    """Given cora's authorisation for ana ended, when cora coaches ana, then NotPermitted."""
    org_spec.given(authorise_cora(), make(DeauthoriseCoach, {}, coach_id="cora", person_id="ana"))
    org_spec.then_refused(give_coaching(actor="cora"), NotPermitted)


def test_give_coaching_refuses_an_unknown_goal(org_spec: Spec) -> None:
    """Given no goal with that id, when max coaches ana about it, then NotFound."""
    org_spec.then_refused(give_coaching(goal_id=UNKNOWN_GOAL), NotFound, "unknown goal")


def test_give_coaching_refuses_a_goal_of_someone_else(org_spec: Spec) -> None:
    """Given a goal of ben, when max coaches ana about it, then RuleViolated."""
    with_goals(org_spec)
    command = give_coaching(goal_id=BEN_GOAL)
    org_spec.then_refused(command, RuleViolated, "not 'ana''s goal")


def test_give_coaching_refuses_a_goal_of_another_unit(org_spec: Spec) -> None:
    """Given a goal of unit hq, when max coaches ana of sales about it, then RuleViolated."""
    with_goals(org_spec)
    org_spec.then_refused(give_coaching(goal_id=HQ_GOAL), RuleViolated, "not 'ana''s goal")


def test_give_coaching_refuses_a_date_after_the_goals_cycle_closed(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when max coaches ana about her goal on day 11, then
    RuleViolated."""
    with_goals(org_spec).given(cycle_closed_on_day_10())
    command = give_coaching(goal_id=ANA_GOAL, occurred_at=day(11))
    org_spec.then_refused(command, RuleViolated, "closed")


def test_give_coaching_refuses_repeated_commitment_ids(org_spec: Spec) -> None:
    """Given the standard org, when two commitments of one session share an id, then
    RuleViolated."""
    command = give_coaching(commitments=(commitment("call"), commitment("call")))
    org_spec.then_refused(command, RuleViolated, "unique")


def test_give_coaching_refuses_a_commitment_id_already_in_the_journal(org_spec: Spec) -> None:
    """Given ana committed to call, when a session agrees another call commitment, then
    RuleViolated."""
    org_spec.given(make_commitment())
    command = give_coaching(commitments=(commitment("call"),))
    org_spec.then_refused(command, RuleViolated, "already exists")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "praise"}, "kind"),
        ({"note": "x" * 10_001}, "note"),
        ({"goal_id": "ana-goal"}, "goal_id"),
        ({"person_id": DROP}, "person_id"),
        ({"commitments": [commitment().model_dump(mode="json")] * 21}, "commitments"),
        ({"commitments": [{"commitment_id": "c", "action": "x", "due_on": "soon"}]}, "due_on"),
        ({"commitments": [{"commitment_id": "c", "action": "", "due_on": "2026-02-01"}]}, "action"),
        ({"commitments": [{"commitment_id": "c", "action": "x"}]}, "due_on"),
    ],
)
def test_give_coaching_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when GiveCoaching arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(give_coaching(), **changes), field)


# -- MakeCommitment ----------------------------------------------------------------------------


def test_make_commitment_records_the_persons_own_commitment(org_spec: Spec) -> None:
    """Given ana, when she records a commitment of her own, then CommitmentMade is recorded."""
    events = org_spec.when(make_commitment())
    assert only_payload(events, CommitmentMade) == {
        "commitment_id": "call",
        "person_id": "ana",
        "action": "Call the three biggest leads",
        "due_on": date(2026, 1, 16),
        "goal_id": None,
    }
    assert [c.id for c in org_spec.execution.coaching_journal("ana").open_commitments()] == ["call"]


def test_make_commitment_about_a_goal(org_spec: Spec) -> None:
    """Given ana's goal, when max records her commitment about it, then the goal is recorded with
    it."""
    with_goals(org_spec)
    events = org_spec.when(make_commitment(actor="max", goal_id=ANA_GOAL))
    assert only_payload(events, CommitmentMade)["goal_id"] == ANA_GOAL


def test_make_commitment_by_an_authorised_coach(org_spec: Spec) -> None:
    """Given cora may coach ana, when cora records ana's commitment, then it is recorded."""
    org_spec.given(authorise_cora())
    events = org_spec.when(make_commitment(actor="cora"))
    assert [type(e) for e in events] == [CommitmentMade]


def test_make_commitment_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when max records a commitment for ben, then RuleViolated."""
    org_spec.given(left("ben"))
    org_spec.then_refused(make_commitment(actor="max", person_id="ben"), RuleViolated, "has left")


@pytest.mark.parametrize("actor", ["ben", "cora", "hana"])
def test_make_commitment_refuses_someone_outside_the_persons_line(
    org_spec: Spec, actor: str
) -> None:
    """Given ben, cora and hana are neither ana, her managers nor her coach, when they commit for
    her, then NotPermitted."""
    org_spec.then_refused(make_commitment(actor=actor), NotPermitted)


def test_make_commitment_refuses_an_id_already_used(org_spec: Spec) -> None:
    """Given ana committed to call, when another call commitment is made, then RuleViolated."""
    org_spec.given(make_commitment())
    org_spec.then_refused(make_commitment(), RuleViolated, "already exists")


def test_make_commitment_refuses_an_id_already_resolved(org_spec: Spec) -> None:
    """Given ana's call commitment was kept, when a new call commitment is made, then
    RuleViolated."""
    org_spec.given(make_commitment(), keep_commitment())
    org_spec.then_refused(make_commitment(), RuleViolated, "already exists")


def test_make_commitment_refuses_an_unknown_goal(org_spec: Spec) -> None:
    """Given no goal with that id, when ana commits about it, then NotFound."""
    org_spec.then_refused(make_commitment(goal_id=UNKNOWN_GOAL), NotFound, "unknown goal")


def test_make_commitment_refuses_a_goal_of_someone_else(org_spec: Spec) -> None:
    """Given a goal of ben, when ana commits about it, then RuleViolated."""
    with_goals(org_spec)
    org_spec.then_refused(make_commitment(goal_id=BEN_GOAL), RuleViolated, "not 'ana''s goal")


def test_make_commitment_refuses_a_date_after_the_goals_cycle_closed(org_spec: Spec) -> None:
    """Given the cycle closed on day 10, when ana commits about her goal on day 12, then
    RuleViolated."""
    with_goals(org_spec).given(cycle_closed_on_day_10())
    command = make_commitment(goal_id=ANA_GOAL, occurred_at=day(12))
    org_spec.then_refused(command, RuleViolated, "closed")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"commitment": DROP}, "commitment"),
        (
            {"commitment": {"commitment_id": "a b", "action": "x", "due_on": "2026-02-01"}},
            "commitment_id",
        ),
        ({"commitment": {"commitment_id": "c", "action": "x", "due_on": "2026-02-30"}}, "due_on"),
        (
            {
                "commitment": {
                    "commitment_id": "c",
                    "action": "x",
                    "due_on": "2026-02-01",
                    "why": "x",
                }
            },
            "why",
        ),
    ],
)
def test_make_commitment_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when MakeCommitment arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(make_commitment(), **changes), field)


# -- KeepCommitment ----------------------------------------------------------------------------


def test_keep_commitment_records_that_it_was_kept(org_spec: Spec) -> None:
    """Given ana's open call commitment, when max records it kept, then CommitmentKept is
    recorded."""
    org_spec.given(make_commitment())
    events = org_spec.when(keep_commitment())
    assert only_payload(events, CommitmentKept) == {"commitment_id": "call"}
    assert org_spec.execution.coaching_journal("ana").commitments["call"].status == "kept"


def test_keep_commitment_of_a_person_who_left(org_spec: Spec) -> None:
    """Given ana committed and then left, when max records the commitment kept, then it is
    recorded."""
    org_spec.given(make_commitment(), left("ana"))
    events = org_spec.when(keep_commitment())
    assert [type(e) for e in events] == [CommitmentKept]


def test_keep_commitment_refuses_an_unknown_commitment(org_spec: Spec) -> None:
    """Given ana has no commitment, when one is recorded kept, then NotFound."""
    org_spec.then_refused(keep_commitment(), NotFound, "unknown commitment")


def test_keep_commitment_refuses_a_commitment_already_kept(org_spec: Spec) -> None:
    """Given ana's commitment was kept, when it is recorded kept again, then RuleViolated."""
    org_spec.given(make_commitment(), keep_commitment())
    org_spec.then_refused(keep_commitment(), RuleViolated, "already kept")


def test_keep_commitment_refuses_a_commitment_already_missed(org_spec: Spec) -> None:
    """Given ana's commitment was missed, when it is recorded kept, then RuleViolated."""
    org_spec.given(make_commitment(), miss_commitment())
    org_spec.then_refused(keep_commitment(), RuleViolated, "already missed")


@pytest.mark.parametrize("actor", ["ben", "cora"])
def test_keep_commitment_refuses_someone_outside_the_persons_line(
    org_spec: Spec, actor: str
) -> None:
    """Given ben and cora are neither ana, her managers nor her coach, when they resolve her
    commitment, then NotPermitted."""
    org_spec.given(make_commitment())
    org_spec.then_refused(keep_commitment(actor=actor), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"commitment_id": DROP}, "commitment_id"), ({"commitment_id": "two words"}, "commitment_id")],
)
def test_keep_commitment_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when KeepCommitment arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(keep_commitment(), **changes), field)


# -- MissCommitment ----------------------------------------------------------------------------


def test_miss_commitment_records_that_it_was_missed(org_spec: Spec) -> None:
    """Given ana's open call commitment, when ana records it missed, then CommitmentMissed is
    recorded."""
    org_spec.given(make_commitment())
    events = org_spec.when(miss_commitment(actor="ana"))
    assert only_payload(events, CommitmentMissed) == {"commitment_id": "call", "note": "ran out"}
    journal = org_spec.execution.coaching_journal("ana")
    assert journal.commitments["call"].status == "missed"
    assert journal.open_commitments() == ()


def test_miss_commitment_refuses_an_unknown_commitment(org_spec: Spec) -> None:
    """Given ana has no commitment, when one is recorded missed, then NotFound."""
    org_spec.then_refused(miss_commitment(), NotFound, "unknown commitment")


def test_miss_commitment_refuses_a_commitment_already_kept(org_spec: Spec) -> None:
    """Given ana's commitment was kept, when it is recorded missed, then RuleViolated."""
    org_spec.given(make_commitment(), keep_commitment())
    org_spec.then_refused(miss_commitment(), RuleViolated, "already kept")


def test_miss_commitment_refuses_a_commitment_already_missed(org_spec: Spec) -> None:
    """Given ana's commitment was missed, when it is recorded missed again, then RuleViolated."""
    org_spec.given(make_commitment(), miss_commitment())
    org_spec.then_refused(miss_commitment(), RuleViolated, "already missed")


def test_miss_commitment_refuses_someone_outside_the_persons_line(org_spec: Spec) -> None:
    """Given ben is ana's peer, when ben records her commitment missed, then NotPermitted."""
    org_spec.given(make_commitment())
    org_spec.then_refused(miss_commitment(actor="ben"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"note": "x" * 10_001}, "note"), ({"commitment_id": ""}, "commitment_id")],
)
def test_miss_commitment_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when MissCommitment arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(miss_commitment(), **changes), field)
