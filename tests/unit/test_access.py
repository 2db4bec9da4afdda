"""The default access policy: who may do what to whom; a refused actor records nothing."""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    SYSTEM,
    AddPerson,
    AdjustTarget,
    AppointUnitLead,
    AuthoriseCoach,
    CloseCycle,
    Command,
    DefaultAccessPolicy,
    DefineStrategy,
    FoundUnit,
    GiveCoaching,
    KeyResultSpec,
    LogProgress,
    NotPermitted,
    Owner,
    RecordAppraisal,
    RemovePerson,
    Role,
    RuleViolated,
    SetGoal,
)
from execution_core.access import Permission
from execution_core.events import StrategyDefined
from execution_core.goals.commands import OwnerSpec
from execution_core.states import Organization
from tests.support import CYCLE_ID, Spec, day, standard_org
from tests.unit import make

ANA_GOAL = UUID("00000000-0000-4000-8000-0000000000a1")

# -- the organization the rules are read against -----------------------------------------------


def extended_org() -> list[Command]:
    """The standard org, plus: max leads sales; ben leads desk (under sales) where dan reports to
    him; eli is an executive with no reports; rita a reviewer; cora may coach ana; lea, an
    executive, has left."""
    return [
        *standard_org(),
        make(AppointUnitLead, {}, unit_id="sales", lead_id="max"),
        make(FoundUnit, {}, unit_id="desk", name="Desk", parent_id="sales", lead_id="ben"),
        make(AddPerson, {}, person_id="dan", name="Dan", unit_id="desk", manager_id="ben"),
        make(
            AddPerson,
            {},
            person_id="eli",
            name="Eli",
            unit_id="hq",
            manager_id="cleo",
            roles=(Role.EXECUTIVE,),
        ),
        make(
            AddPerson,
            {},
            person_id="rita",
            name="Rita",
            unit_id="hq",
            manager_id="cleo",
            roles=(Role.REVIEWER,),
        ),
        make(AddPerson, {}, person_id="lea", name="Lea", unit_id="hq", roles=(Role.EXECUTIVE,)),
        make(RemovePerson, {}, person_id="lea"),
        make(AuthoriseCoach, {}, coach_id="cora", person_id="ana"),
    ]


@cache
def org() -> Organization:
    """The extended organization as its events leave it."""
    return Spec().given(*extended_org()).execution.organization()


def permits(actor: str, permission: Permission, subject: Owner | None = None) -> bool:
    """Whether the default policy lets ``actor`` do ``permission`` to ``subject``."""
    return DefaultAccessPolicy().permits(actor, permission, subject, org())


def person(person_id: str) -> Owner:
    return Owner("person", person_id)


def unit(unit_id: str) -> Owner:
    return Owner("unit", unit_id)


def cases(allowed: dict[Permission, set[str]], actors: tuple[str, ...]) -> list[Any]:
    """One case per permission and actor, expecting True exactly for the actors listed."""
    return [
        pytest.param(permission, actor, actor in who, id=f"{permission.name}-{actor}")
        for permission, who in allowed.items()
        for actor in actors
    ]


# -- organization-wide acts --------------------------------------------------------------------


@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.name)
def test_the_hr_system_may_only_administer_the_organization(permission: Permission) -> None:
    """Given the system actor, when it asks for any act, then only administering the org is
    allowed."""
    expected = permission is Permission.ADMINISTER_ORGANIZATION
    assert permits(SYSTEM, permission, person("ana")) is expected
    assert permits(SYSTEM, permission) is expected


@pytest.mark.parametrize("actor", ["lea", "zoe"], ids=["an executive who left", "a stranger"])
@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.name)
def test_someone_who_left_or_never_joined_may_do_nothing(
    actor: str, permission: Permission
) -> None:
    """Given lea left and zoe never joined, when either asks for any act, then it is refused."""
    assert not permits(actor, permission)
    assert not permits(actor, permission, person("ana"))


ORGANIZATION_WIDE = {
    Permission.ADMINISTER_ORGANIZATION: {"cleo", "eli", "hana"},
    Permission.DEFINE_STRATEGY: {"cleo", "eli"},
    Permission.RUN_CYCLE: {"cleo", "eli"},
    Permission.ADOPT_POLICY: {"cleo", "eli", "hana"},
    Permission.VIEW_BOARD: {"cleo", "eli", "hana", "rita", "max", "ana", "cora"},
}


@pytest.mark.parametrize(
    ("permission", "actor", "expected"),
    cases(ORGANIZATION_WIDE, ("cleo", "eli", "hana", "rita", "max", "ana", "cora")),
)
def test_organization_wide_acts(permission: Permission, actor: str, expected: bool) -> None:
    """Given the roles of the org, when someone asks for an org-wide act, then executives run
    strategy and cycles, HR administers and adopts policies, and everyone views the board."""
    assert permits(actor, permission) is expected


@pytest.mark.parametrize(
    "permission",
    [p for p in Permission if p not in ORGANIZATION_WIDE],
    ids=lambda p: p.name,
)
def test_an_act_about_someone_needs_a_subject(permission: Permission) -> None:
    """Given cleo is an executive, when she asks for an act about someone without naming whom, then
    it is refused."""
    assert not permits("cleo", permission)


# -- acts about a person -----------------------------------------------------------------------

ABOUT_ANA = {
    Permission.SET_GOAL: {"ana", "max", "cleo", "eli"},
    Permission.PLAN_GOAL: {"ana", "max", "cleo", "eli"},
    Permission.LOG_PROGRESS: {"ana", "max", "cleo"},
    Permission.ADJUST_GOAL: {"max", "cleo", "cora", "eli"},
    Permission.COACH: {"max", "cleo", "cora"},
    Permission.RESOLVE_COMMITMENT: {"ana", "max", "cleo", "cora"},
    Permission.RECORD_APPRAISAL: {"max", "cleo", "hana", "rita"},
    Permission.CALIBRATE_RATING: {"hana", "rita"},
    Permission.VIEW_APPRAISAL: {"ana", "max", "cleo", "hana"},
}
"""Who may act about ana: herself; max, her manager; cleo, his manager and an executive; cora,
her authorised coach; ben, her peer; hana (HR and reviewer); rita (reviewer); eli (executive)."""


@pytest.mark.parametrize(
    ("permission", "actor", "expected"),
    cases(ABOUT_ANA, ("ana", "max", "cleo", "cora", "ben", "hana", "rita", "eli")),
)
def test_acts_about_a_person(permission: Permission, actor: str, expected: bool) -> None:
    """Given ana's reporting line, coach and the roles around her, when someone asks to act about
    her, then the default policy answers as the ABOUT_ANA table says."""
    assert permits(actor, permission, person("ana")) is expected


@pytest.mark.parametrize(
    "permission",
    [Permission.COACH, Permission.RECORD_APPRAISAL, Permission.CALIBRATE_RATING],
    ids=lambda p: p.name,
)
def test_nobody_coaches_or_appraises_themselves(permission: Permission) -> None:
    """Given hana is HR and reviewer and cleo an executive, when they ask to coach or appraise
    themselves, then it is refused."""
    assert not permits("hana", permission, person("hana"))
    assert not permits("cleo", permission, person("cleo"))


def test_a_person_may_view_their_own_appraisal() -> None:
    """Given ana, when she asks to view her own appraisal, then it is allowed."""
    assert permits("ana", Permission.VIEW_APPRAISAL, person("ana"))


# -- acts about a unit -------------------------------------------------------------------------

ABOUT_DESK = {
    Permission.SET_GOAL: {"ben", "dan", "max", "cleo", "eli"},
    Permission.PLAN_GOAL: {"ben", "dan", "max", "cleo", "eli"},
    Permission.LOG_PROGRESS: {"ben", "dan", "max", "cleo"},
    Permission.ADJUST_GOAL: {"max", "cleo", "eli"},
}
"""Desk is led by ben with member dan, under sales led by max, under hq."""


@pytest.mark.parametrize(
    ("permission", "actor", "expected"),
    cases(ABOUT_DESK, ("ben", "dan", "max", "cleo", "eli", "ana", "hana")),
)
def test_acts_about_a_unit_goal(permission: Permission, actor: str, expected: bool) -> None:
    """Given desk's lead and member and the leads above it, when someone acts about a desk goal,
    then its people own it, the leads above manage it, and executives set and adjust it."""
    assert permits(actor, permission, unit("desk")) is expected


def test_a_member_of_a_sub_unit_does_not_own_the_parent_units_goals() -> None:
    """Given dan is in desk under sales, when dan logs progress on a sales goal, then it is
    refused."""
    assert not permits("dan", Permission.LOG_PROGRESS, unit("sales"))
    assert permits("ana", Permission.LOG_PROGRESS, unit("sales"))


# -- the policy as the execution applies it ----------------------------------------------------


def ana_goal(**fields: Any) -> SetGoal:
    return make(
        SetGoal,
        fields,
        goal_id=ANA_GOAL,
        cycle_id=CYCLE_ID,
        title="Grow the pipeline",
        owner=OwnerSpec(id="ana"),
        key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
    )


def refused_commands() -> list[Any]:
    """Commands of every stream, each run by an actor the default policy refuses."""
    return [
        pytest.param(
            make(FoundUnit, {"actor": "max"}, unit_id="ops", name="Ops"), id="org-by-a-manager"
        ),
        pytest.param(make(DefineStrategy, {"actor": "hana"}, vision="Other"), id="strategy-by-hr"),
        pytest.param(make(CloseCycle, {"actor": "hana"}, cycle_id=CYCLE_ID), id="cycle-by-hr"),
        pytest.param(ana_goal(actor="ben", goal_id=UUID(int=7)), id="goal-set-by-a-peer"),
        pytest.param(
            make(
                LogProgress,
                {"actor": "eli"},
                goal_id=ANA_GOAL,
                kr_id="deals",
                value=1,
                confidence=0.5,
            ),
            id="progress-by-an-executive-outside-the-line",
        ),
        pytest.param(
            make(
                AdjustTarget,
                {"actor": "ana"},
                goal_id=ANA_GOAL,
                kr_id="deals",
                target=5,
                reason="hard",
            ),
            id="own-target-lowered-by-the-owner",
        ),
        pytest.param(
            make(GiveCoaching, {"actor": "ben"}, person_id="ana"), id="coaching-by-a-peer"
        ),
        pytest.param(
            make(
                RecordAppraisal,
                {"actor": "ana", "occurred_at": day(30)},
                cycle_id=CYCLE_ID,
                person_id="ana",
                rating=5,
            ),
            id="self-appraisal",
        ),
    ]


@pytest.mark.parametrize("command", refused_commands())
def test_a_refused_actor_gets_not_permitted_and_nothing_is_recorded(command: Command) -> None:
    """Given the extended org with ana's goal, when an actor the policy refuses runs a command,
    then NotPermitted is raised and nothing is recorded."""
    Spec().given(*extended_org(), ana_goal(actor="max")).then_refused(command, NotPermitted)


def test_a_refusal_names_the_actor_the_act_and_the_subject() -> None:
    """Given ben is ana's peer, when ben coaches ana, then the refusal says who may not do what to
    whom."""
    spec = Spec().given(*extended_org())
    error = spec.then_refused(make(GiveCoaching, {"actor": "ben"}, person_id="ana"), NotPermitted)
    assert str(error) == "'ben' is not permitted to coach for person ana"
    assert isinstance(error, RuleViolated)
    assert isinstance(error, NotPermitted)
    assert (error.actor, error.permission, error.subject) == ("ben", "coach", "person ana")
    assert error.rule == "coach"


def test_someone_who_left_loses_their_rights(org_spec: Spec) -> None:
    """Given hana (HR and reviewer) left, when she records ana's appraisal, then NotPermitted."""
    org_spec.given(make(RemovePerson, {}, person_id="hana"))
    command = make(
        RecordAppraisal,
        {"actor": "hana", "occurred_at": day(30)},
        cycle_id=CYCLE_ID,
        person_id="ana",
        rating=3,
    )
    org_spec.then_refused(command, NotPermitted)


def test_an_unknown_actor_is_refused(org_spec: Spec) -> None:
    """Given no person zoe, when zoe founds a unit, then NotPermitted and nothing is recorded."""
    org_spec.then_refused(
        make(FoundUnit, {"actor": "zoe"}, unit_id="ops", name="Ops"), NotPermitted
    )


class _Everyone:
    """An access policy that permits every act."""

    def permits(
        self, actor: str, permission: Permission, subject: Owner | None, org: Organization
    ) -> bool:
        return True


class _Nobody:
    """An access policy that refuses every act."""

    def permits(
        self, actor: str, permission: Permission, subject: Owner | None, org: Organization
    ) -> bool:
        return False


def test_a_replacement_policy_can_permit_what_the_default_refuses(org_spec: Spec) -> None:
    """Given a policy that permits everything, when ben restates the vision, then it is recorded."""
    org_spec.execution.access = _Everyone()
    events = org_spec.when(make(DefineStrategy, {"actor": "ben"}, vision="Ben's vision"))
    assert [type(e) for e in events] == [StrategyDefined]


def test_a_replacement_policy_can_refuse_what_the_default_permits(org_spec: Spec) -> None:
    """Given a policy that refuses everything, when cleo restates the vision, then NotPermitted."""
    org_spec.execution.access = _Nobody()
    command = make(DefineStrategy, {}, vision="Cleo's new vision")
    org_spec.then_refused(command, NotPermitted, "'cleo' is not permitted to define strategy")


# -- the rules as a table ----------------------------------------------------------------------


def _owner_people(owner: Owner, o: Organization) -> set[str]:
    """Who owns a goal: the person, or a unit's active members and its lead."""
    if owner.kind == "person":
        return {owner.id}
    unit = o.units.get(owner.id)
    people = set(o.members_of(owner.id))
    if unit is not None and unit.lead_id is not None:
        people.add(unit.lead_id)
    return people


def _rules_table(actor: str, permission: Permission, subject: Owner | None) -> bool:
    """The default rules written as a table of every fact about the actor, computed up front:
    the oracle of the policy, which computes only what each rule reads."""
    from execution_core.access import _coached, _managers

    o = org()
    if actor == SYSTEM:
        return permission is Permission.ADMINISTER_ORGANIZATION
    if not o.is_active(actor):
        return False
    executive = o.has_role(actor, Role.EXECUTIVE)
    hr = o.has_role(actor, Role.HR)
    reviewer = o.has_role(actor, Role.REVIEWER)
    organization_wide = {
        Permission.ADMINISTER_ORGANIZATION: executive or hr,
        Permission.DEFINE_STRATEGY: executive,
        Permission.RUN_CYCLE: executive,
        Permission.ADOPT_POLICY: executive or hr,
        Permission.VIEW_BOARD: True,
    }
    if permission in organization_wide:
        return organization_wide[permission]
    if subject is None:
        return False
    is_self = actor in _owner_people(subject, o)  # the policy asks the actor's record only
    is_manager = actor in _managers(subject, o)
    is_coach = any(c == actor and p in _coached(subject, o) for c, p in o.coaches)
    return {
        Permission.SET_GOAL: is_self or is_manager or executive,
        Permission.PLAN_GOAL: is_self or is_manager or executive,
        Permission.LOG_PROGRESS: is_self or is_manager,
        Permission.ADJUST_GOAL: is_manager or is_coach or executive,
        Permission.COACH: not is_self and (is_manager or is_coach),
        Permission.RESOLVE_COMMITMENT: is_self or is_manager or is_coach,
        Permission.RECORD_APPRAISAL: not is_self and (is_manager or reviewer or hr),
        Permission.CALIBRATE_RATING: not is_self and (reviewer or hr),
        Permission.VIEW_APPRAISAL: is_self or is_manager or hr,
    }[permission]


def test_the_policy_answers_as_the_table_of_rules_for_every_actor_act_and_subject() -> None:
    """Given the extended organization, when every actor (everyone, the HR system, someone
    unknown) asks for every permission about every subject (each person, each unit, nobody),
    then the policy answers as the rules' table does."""
    o = org()
    actors = [*o.people, SYSTEM, "nobody"]
    subjects: list[Owner | None] = [
        None,
        *(Owner("person", person) for person in o.people),
        *(Owner("unit", unit) for unit in o.units),
        Owner("person", "nobody"),
        Owner("unit", "nowhere"),
    ]
    policy = DefaultAccessPolicy()
    asked = granted = 0
    for actor in actors:
        for permission in Permission:
            for subject in subjects:
                expected = _rules_table(actor, permission, subject)
                assert policy.permits(actor, permission, subject, o) is expected, (
                    actor,
                    permission,
                    subject,
                )
                asked += 1
                granted += expected
    assert asked == len(actors) * len(Permission) * len(subjects)
    assert 0 < granted < asked
