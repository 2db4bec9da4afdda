"""Organization commands: units, people, reporting lines, roles and coaching rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from execution_core import (
    AddPerson,
    AppointUnitLead,
    AuthoriseCoach,
    Command,
    DeauthoriseCoach,
    FoundUnit,
    InvalidInput,
    MovePerson,
    NotFound,
    NotPermitted,
    RemovePerson,
    Role,
    RuleViolated,
    SetRoles,
)
from execution_core.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from tests.support import T0, Spec, day
from tests.unit import DROP, NAIVE, json_of, make, only_payload, then_invalid

# -- commands with valid defaults on the standard org (by cleo, an executive, at T0) ------------


def found_unit(**fields: Any) -> FoundUnit:
    return make(FoundUnit, fields, unit_id="ops", name="Operations", parent_id="hq")


def appoint_lead(**fields: Any) -> AppointUnitLead:
    return make(AppointUnitLead, fields, unit_id="sales", lead_id="max")


def add_person(**fields: Any) -> AddPerson:
    return make(AddPerson, fields, person_id="eve", name="Eve", unit_id="sales", manager_id="max")


def move_person(**fields: Any) -> MovePerson:
    return make(MovePerson, fields, person_id="ana", unit_id="hq")


def remove_person(**fields: Any) -> RemovePerson:
    return make(RemovePerson, fields, person_id="ben", reason="moved abroad")


def set_roles(**fields: Any) -> SetRoles:
    return make(SetRoles, fields, person_id="ben", roles=(Role.REVIEWER,))


def authorise_coach(**fields: Any) -> AuthoriseCoach:
    return make(AuthoriseCoach, fields, coach_id="cora", person_id="ana")


def deauthorise_coach(**fields: Any) -> DeauthoriseCoach:
    return make(DeauthoriseCoach, fields, coach_id="cora", person_id="ana")


def ben_left() -> RemovePerson:
    return remove_person(person_id="ben")


EVERY_COMMAND = [
    found_unit(),
    appoint_lead(),
    add_person(),
    move_person(),
    remove_person(),
    set_roles(),
    authorise_coach(),
    deauthorise_coach(),
]


# -- what every organization command shares ----------------------------------------------------


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a command comes with a naive occurred_at, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")
    then_invalid(org_spec, json_of(command, occurred_at="2026-01-05T09:00:00"), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_unknown_field_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a command carries a field it does not know, then
    InvalidInput."""
    then_invalid(org_spec, json_of(command, colour="blue"), "colour")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_command_without_a_proper_actor_is_invalid_input(
    org_spec: Spec, command: Command
) -> None:
    """Given the standard org, when a command has no actor or a blank one, then InvalidInput."""
    then_invalid(org_spec, json_of(command, actor=DROP), "actor")
    then_invalid(org_spec, json_of(command, actor="  "), "actor")


def test_events_carry_the_actor_and_both_clocks_in_utc(org_spec: Spec) -> None:
    """Given a business time at UTC+2, when cleo founds a unit, then the event is stamped in UTC."""
    org_spec.clock.now = day(3)
    at = datetime(2026, 1, 4, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    (event,) = org_spec.when(found_unit(occurred_at=at))
    assert event.actor == "cleo"
    assert event.occurred_at == datetime(2026, 1, 4, 9, 0, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC
    assert event.recorded_at == day(3)
    assert event.version == org_spec.execution.organization().version


def test_the_facade_refuses_a_naive_business_time(org_spec: Spec) -> None:
    """Given the standard org, when the facade is called with a naive time, then InvalidInput."""
    before = org_spec.execution.store.last_position()
    with pytest.raises(InvalidInput, match="occurred_at"):
        org_spec.execution.add_person("eve", "Eve", "sales", actor="cleo", occurred_at=NAIVE)
    assert org_spec.execution.store.last_position() == before


# -- FoundUnit ---------------------------------------------------------------------------------


def test_found_unit_records_the_first_unit(spec: Spec) -> None:
    """Given an empty store, when the HR system founds a top unit, then UnitFounded is recorded."""
    events = spec.when(
        found_unit(actor="system", unit_id="hq", name="Headquarters", parent_id=None)
    )
    assert only_payload(events, UnitFounded) == {
        "unit_id": "hq",
        "unit_name": "Headquarters",
        "parent_id": None,
        "lead_id": None,
    }


def test_found_unit_records_its_parent_and_lead(org_spec: Spec) -> None:
    """Given the standard org, when cleo founds ops under hq led by cora, then both are recorded."""
    events = org_spec.when(found_unit(lead_id="cora"))
    assert only_payload(events, UnitFounded) == {
        "unit_id": "ops",
        "unit_name": "Operations",
        "parent_id": "hq",
        "lead_id": "cora",
    }
    assert org_spec.execution.organization().unit_chain("ops") == ("ops", "hq")


def test_found_unit_refuses_an_existing_unit(org_spec: Spec) -> None:
    """Given unit sales exists, when it is founded again, then RuleViolated."""
    org_spec.then_refused(found_unit(unit_id="sales"), RuleViolated, "already exists")


def test_found_unit_refuses_an_unknown_parent(org_spec: Spec) -> None:
    """Given no unit mars, when a unit is founded under mars, then NotFound."""
    org_spec.then_refused(found_unit(parent_id="mars"), NotFound, "mars")


def test_found_unit_refuses_an_unknown_lead(org_spec: Spec) -> None:
    """Given no person zoe, when a unit is founded led by zoe, then NotFound."""
    org_spec.then_refused(found_unit(lead_id="zoe"), NotFound, "zoe")


def test_found_unit_refuses_a_lead_who_left(org_spec: Spec) -> None:
    """Given ben left, when a unit is founded led by ben, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(found_unit(lead_id="ben"), RuleViolated, "has left")


def test_found_unit_is_refused_to_a_manager_without_an_admin_role(org_spec: Spec) -> None:
    """Given max is neither executive nor HR, when max founds a unit, then NotPermitted."""
    org_spec.then_refused(found_unit(actor="max"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit_id": "two words"}, "unit_id"),
        ({"unit_id": ""}, "unit_id"),
        ({"unit_id": DROP}, "unit_id"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"parent_id": "two words"}, "parent_id"),
        ({"lead_id": 7}, "lead_id"),
    ],
)
def test_found_unit_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when FoundUnit arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(found_unit(), **changes), field)


# -- AppointUnitLead ---------------------------------------------------------------------------


def test_appoint_unit_lead_records_the_lead(org_spec: Spec) -> None:
    """Given sales has no lead, when cleo appoints max, then UnitLeadAppointed is recorded."""
    events = org_spec.when(appoint_lead())
    assert only_payload(events, UnitLeadAppointed) == {"unit_id": "sales", "lead_id": "max"}
    assert org_spec.execution.organization().units["sales"].lead_id == "max"


def test_appoint_unit_lead_replaces_a_previous_lead(org_spec: Spec) -> None:
    """Given max leads sales, when cleo appoints ana, then ana leads sales."""
    org_spec.given(appoint_lead())
    events = org_spec.when(appoint_lead(lead_id="ana"))
    assert only_payload(events, UnitLeadAppointed) == {"unit_id": "sales", "lead_id": "ana"}


def test_appoint_unit_lead_refuses_an_unknown_unit(org_spec: Spec) -> None:
    """Given no unit mars, when a lead is appointed to mars, then NotFound."""
    org_spec.then_refused(appoint_lead(unit_id="mars"), NotFound, "mars")


def test_appoint_unit_lead_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when zoe is appointed lead, then NotFound."""
    org_spec.then_refused(appoint_lead(lead_id="zoe"), NotFound, "zoe")


def test_appoint_unit_lead_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when ben is appointed lead of sales, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(appoint_lead(lead_id="ben"), RuleViolated, "has left")


def test_appoint_unit_lead_refuses_the_current_lead(org_spec: Spec) -> None:
    """Given max leads sales, when max is appointed again, then RuleViolated."""
    org_spec.given(appoint_lead())
    org_spec.then_refused(appoint_lead(), RuleViolated, "already leads")


def test_appoint_unit_lead_is_refused_to_a_person_without_an_admin_role(org_spec: Spec) -> None:
    """Given ana has no role, when ana appoints herself lead of sales, then NotPermitted."""
    org_spec.then_refused(appoint_lead(actor="ana", lead_id="ana"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lead_id": DROP}, "lead_id"),
        ({"unit_id": "a b"}, "unit_id"),
        ({"unit_id": None}, "unit_id"),
    ],
)
def test_appoint_unit_lead_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when AppointUnitLead arrives malformed, then InvalidInput."""
    then_invalid(org_spec, json_of(appoint_lead(), **changes), field)


# -- AddPerson ---------------------------------------------------------------------------------


def test_add_person_records_who_joined_where_and_to_whom_they_report(org_spec: Spec) -> None:
    """Given the standard org, when eve joins sales under max, then PersonJoined is recorded."""
    events = org_spec.when(add_person())
    assert only_payload(events, PersonJoined) == {
        "person_id": "eve",
        "person_name": "Eve",
        "unit_id": "sales",
        "manager_id": "max",
        "roles": (),
    }
    assert org_spec.execution.organization().manager_chain("eve") == ("max", "cleo")


def test_add_person_records_roles_once_each_in_order(org_spec: Spec) -> None:
    """Given the standard org, when eve joins as reviewer, hr, reviewer, then roles are (hr,
    reviewer)."""
    roles = (Role.REVIEWER, Role.HR, Role.REVIEWER)
    events = org_spec.when(add_person(roles=roles))
    assert only_payload(events, PersonJoined)["roles"] == (Role.HR, Role.REVIEWER)


def test_add_person_refuses_an_existing_person(org_spec: Spec) -> None:
    """Given ana exists, when ana is added again, then RuleViolated."""
    org_spec.then_refused(add_person(person_id="ana"), RuleViolated, "already exists")


def test_add_person_refuses_the_id_of_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when a person is added with id ben, then RuleViolated (ids are not
    reused)."""
    org_spec.given(ben_left())
    org_spec.then_refused(add_person(person_id="ben"), RuleViolated, "already exists")


def test_add_person_refuses_an_unknown_unit(org_spec: Spec) -> None:
    """Given no unit mars, when eve joins mars, then NotFound."""
    org_spec.then_refused(add_person(unit_id="mars"), NotFound, "mars")


def test_add_person_refuses_an_unknown_manager(org_spec: Spec) -> None:
    """Given no person zoe, when eve joins reporting to zoe, then NotFound."""
    org_spec.then_refused(add_person(manager_id="zoe"), NotFound, "zoe")


def test_add_person_refuses_a_manager_who_left(org_spec: Spec) -> None:
    """Given ben left, when eve joins reporting to ben, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(add_person(manager_id="ben"), RuleViolated, "has left")


def test_add_person_is_refused_to_a_manager_without_an_admin_role(org_spec: Spec) -> None:
    """Given max has no admin role, when max adds eve to his team, then NotPermitted."""
    org_spec.then_refused(add_person(actor="max"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"person_id": "eve smith"}, "person_id"),
        ({"name": ""}, "name"),
        ({"unit_id": DROP}, "unit_id"),
        ({"roles": ["boss"]}, "roles"),
        ({"roles": ["hr", "hr", "hr", "hr"]}, "roles"),
        ({"roles": "hr"}, "roles"),
    ],
)
def test_add_person_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when AddPerson arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(add_person(), **changes), field)


# -- MovePerson --------------------------------------------------------------------------------


def test_move_person_to_another_unit_keeps_the_manager(org_spec: Spec) -> None:
    """Given ana reports to max in sales, when she moves to hq, then PersonMoved keeps max."""
    events = org_spec.when(move_person())
    assert only_payload(events, PersonMoved) == {
        "person_id": "ana",
        "unit_id": "hq",
        "manager_id": "max",
    }


def test_move_person_to_another_manager_keeps_the_unit(org_spec: Spec) -> None:
    """Given ana is in sales, when she moves to report to cora, then PersonMoved keeps sales."""
    events = org_spec.when(move_person(unit_id=None, manager_id="cora"))
    assert only_payload(events, PersonMoved) == {
        "person_id": "ana",
        "unit_id": "sales",
        "manager_id": "cora",
    }


def test_move_person_to_no_manager_when_asked_explicitly(org_spec: Spec) -> None:
    """Given ana reports to max, when moved with manager_id None, then she has no manager."""
    events = org_spec.when(move_person(unit_id=None, manager_id=None))
    assert only_payload(events, PersonMoved)["manager_id"] is None
    assert org_spec.execution.organization().manager_chain("ana") == ()


def test_move_person_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when zoe is moved, then NotFound."""
    org_spec.then_refused(move_person(person_id="zoe"), NotFound, "zoe")


def test_move_person_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when ben is moved, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(move_person(person_id="ben"), RuleViolated, "has left")


def test_move_person_refuses_an_unknown_unit(org_spec: Spec) -> None:
    """Given no unit mars, when ana is moved to mars, then NotFound."""
    org_spec.then_refused(move_person(unit_id="mars"), NotFound, "mars")


def test_move_person_refuses_an_unknown_manager(org_spec: Spec) -> None:
    """Given no person zoe, when ana is moved to report to zoe, then NotFound."""
    org_spec.then_refused(move_person(manager_id="zoe"), NotFound, "zoe")


def test_move_person_refuses_a_manager_who_left(org_spec: Spec) -> None:
    """Given ben left, when ana is moved to report to ben, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(move_person(manager_id="ben"), RuleViolated, "has left")


def test_move_person_refuses_reporting_to_oneself(org_spec: Spec) -> None:
    """Given ana, when ana is moved to report to herself, then RuleViolated (a loop)."""
    org_spec.then_refused(move_person(manager_id="ana"), RuleViolated, "loop")


def test_move_person_refuses_a_reporting_loop(org_spec: Spec) -> None:
    """Given ana reports to max who reports to cleo, when cleo is moved under ana, then
    RuleViolated."""
    org_spec.then_refused(move_person(person_id="cleo", manager_id="ana"), RuleViolated, "loop")


def test_move_person_refuses_a_move_that_changes_nothing(org_spec: Spec) -> None:
    """Given ana is in sales under max, when moved to sales under max, then RuleViolated."""
    command = move_person(unit_id="sales", manager_id="max")
    org_spec.then_refused(command, RuleViolated, "changes nothing")


def test_move_person_is_refused_to_a_manager_without_an_admin_role(org_spec: Spec) -> None:
    """Given max manages ana but has no admin role, when max moves ana, then NotPermitted."""
    org_spec.then_refused(move_person(actor="max"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"person_id": DROP}, "person_id"),
        ({"unit_id": "a b"}, "unit_id"),
        ({"manager_id": ""}, "manager_id"),
    ],
)
def test_move_person_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when MovePerson arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(move_person(), **changes), field)


# -- RemovePerson ------------------------------------------------------------------------------


def test_remove_person_records_who_left_and_why(org_spec: Spec) -> None:
    """Given ben is active, when cleo records that he left, then PersonLeft is recorded."""
    events = org_spec.when(remove_person())
    assert only_payload(events, PersonLeft) == {"person_id": "ben", "reason": "moved abroad"}
    assert not org_spec.execution.organization().is_active("ben")


def test_remove_person_ends_their_coaching_authorisations(org_spec: Spec) -> None:
    """Given cora may coach ben, when ben leaves, then the authorisation is gone."""
    org_spec.given(authorise_coach(person_id="ben"))
    org_spec.when(remove_person())
    assert org_spec.execution.organization().coaches == frozenset()


def test_remove_person_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when zoe is removed, then NotFound."""
    org_spec.then_refused(remove_person(person_id="zoe"), NotFound, "zoe")


def test_remove_person_refuses_a_person_who_already_left(org_spec: Spec) -> None:
    """Given ben left, when ben is removed again, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(remove_person(), RuleViolated, "has left")


def test_remove_person_refuses_a_manager_who_still_has_reports(org_spec: Spec) -> None:
    """Given ana and ben report to max, when max is removed, then RuleViolated naming them."""
    org_spec.then_refused(remove_person(person_id="max"), RuleViolated, "ana, ben")


def test_remove_person_is_refused_to_a_manager_without_an_admin_role(org_spec: Spec) -> None:
    """Given max has no admin role, when max removes ben, then NotPermitted."""
    org_spec.then_refused(remove_person(actor="max"), NotPermitted)


def test_remove_person_malformed_is_invalid_input(org_spec: Spec) -> None:
    """Given the standard org, when RemovePerson has a reason over 10,000 chars, then
    InvalidInput."""
    then_invalid(org_spec, json_of(remove_person(), reason="x" * 10_001), "reason")


# -- SetRoles ----------------------------------------------------------------------------------


def test_set_roles_records_the_roles_once_each_in_order(org_spec: Spec) -> None:
    """Given ben has no role, when he is given reviewer, hr, hr, then RolesChanged is (hr,
    reviewer)."""
    events = org_spec.when(set_roles(roles=(Role.REVIEWER, Role.HR, Role.HR)))
    assert only_payload(events, RolesChanged) == {
        "person_id": "ben",
        "roles": (Role.HR, Role.REVIEWER),
    }


def test_set_roles_to_none_clears_them(org_spec: Spec) -> None:
    """Given hana is hr and reviewer, when her roles are set to none, then RolesChanged is empty."""
    events = org_spec.when(set_roles(person_id="hana", roles=()))
    assert only_payload(events, RolesChanged) == {"person_id": "hana", "roles": ()}


def test_set_roles_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when zoe's roles are set, then NotFound."""
    org_spec.then_refused(set_roles(person_id="zoe"), NotFound, "zoe")


def test_set_roles_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when ben's roles are set, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(set_roles(), RuleViolated, "has left")


def test_set_roles_refuses_the_roles_already_held(org_spec: Spec) -> None:
    """Given hana is hr and reviewer, when set to reviewer and hr, then RuleViolated."""
    command = set_roles(person_id="hana", roles=(Role.REVIEWER, Role.HR))
    org_spec.then_refused(command, RuleViolated, "already has")


def test_set_roles_is_refused_to_a_person_without_an_admin_role(org_spec: Spec) -> None:
    """Given ben has no role, when ben makes himself executive, then NotPermitted."""
    org_spec.then_refused(set_roles(actor="ben", roles=(Role.EXECUTIVE,)), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"roles": DROP}, "roles"), ({"roles": ["boss"]}, "roles"), ({"roles": ["hr"] * 4}, "roles")],
)
def test_set_roles_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when SetRoles arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(set_roles(), **changes), field)


# -- AuthoriseCoach ----------------------------------------------------------------------------


def test_authorise_coach_records_the_pair(org_spec: Spec) -> None:
    """Given cora is outside ana's line, when cleo authorises cora for ana, then it is recorded."""
    events = org_spec.when(authorise_coach())
    assert only_payload(events, CoachAuthorised) == {"coach_id": "cora", "person_id": "ana"}
    assert org_spec.execution.organization().may_coach("cora", "ana")


def test_authorise_coach_refuses_an_unknown_coach(org_spec: Spec) -> None:
    """Given no person zoe, when zoe is authorised to coach ana, then NotFound."""
    org_spec.then_refused(authorise_coach(coach_id="zoe"), NotFound, "zoe")


def test_authorise_coach_refuses_an_unknown_person(org_spec: Spec) -> None:
    """Given no person zoe, when cora is authorised to coach zoe, then NotFound."""
    org_spec.then_refused(authorise_coach(person_id="zoe"), NotFound, "zoe")


def test_authorise_coach_refuses_a_coach_who_left(org_spec: Spec) -> None:
    """Given ben left, when ben is authorised to coach ana, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(authorise_coach(coach_id="ben"), RuleViolated, "has left")


def test_authorise_coach_refuses_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when cora is authorised to coach ben, then RuleViolated."""
    org_spec.given(ben_left())
    org_spec.then_refused(authorise_coach(person_id="ben"), RuleViolated, "has left")


def test_authorise_coach_refuses_coaching_oneself(org_spec: Spec) -> None:
    """Given ana, when ana is authorised to coach herself, then RuleViolated."""
    command = authorise_coach(coach_id="ana")
    org_spec.then_refused(command, RuleViolated, "nobody coaches themselves")


def test_authorise_coach_refuses_a_pair_already_authorised(org_spec: Spec) -> None:
    """Given cora may coach ana, when she is authorised again, then RuleViolated."""
    org_spec.given(authorise_coach())
    org_spec.then_refused(authorise_coach(), RuleViolated, "already authorised")


def test_authorise_coach_is_refused_to_a_manager_without_an_admin_role(org_spec: Spec) -> None:
    """Given max manages ana, when max authorises cora for ana, then NotPermitted."""
    org_spec.then_refused(authorise_coach(actor="max"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"), [({"coach_id": DROP}, "coach_id"), ({"person_id": ""}, "person_id")]
)
def test_authorise_coach_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when AuthoriseCoach arrives malformed, then InvalidInput."""
    then_invalid(org_spec, json_of(authorise_coach(), **changes), field)


# -- DeauthoriseCoach --------------------------------------------------------------------------


def test_deauthorise_coach_records_the_end_of_the_pair(org_spec: Spec) -> None:
    """Given cora may coach ana, when cleo deauthorises her, then CoachDeauthorised is recorded."""
    org_spec.given(authorise_coach())
    events = org_spec.when(deauthorise_coach())
    assert only_payload(events, CoachDeauthorised) == {"coach_id": "cora", "person_id": "ana"}
    assert not org_spec.execution.organization().may_coach("cora", "ana")


def test_deauthorise_coach_refuses_a_pair_never_authorised(org_spec: Spec) -> None:
    """Given cora was never authorised for ana, when she is deauthorised, then NotFound."""
    org_spec.then_refused(deauthorise_coach(), NotFound, "not authorised")


def test_deauthorise_coach_is_refused_to_a_person_without_an_admin_role(org_spec: Spec) -> None:
    """Given cora may coach ana, when ana deauthorises cora, then NotPermitted."""
    org_spec.given(authorise_coach())
    org_spec.then_refused(deauthorise_coach(actor="ana"), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"), [({"person_id": DROP}, "person_id"), ({"coach_id": "a b"}, "coach_id")]
)
def test_deauthorise_coach_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when DeauthoriseCoach arrives malformed, then InvalidInput."""
    then_invalid(org_spec, json_of(deauthorise_coach(), **changes), field)


def test_organization_changes_are_dated_in_business_time(org_spec: Spec) -> None:
    """Given a backdated move, when it is recorded, then occurred_at is the business time given."""
    (event,) = org_spec.when(move_person(occurred_at=day(-3)))
    assert event.occurred_at == T0 - timedelta(days=3)
    assert event.recorded_at == T0


# -- who may change the executive role; leads who leave -----------------------------------------


def test_set_roles_refuses_hr_making_itself_executive(org_spec: Spec) -> None:
    """Given hana is HR (she may administer the organization), when she makes herself
    executive, then NotPermitted and nothing is recorded."""
    command = set_roles(actor="hana", person_id="hana", roles=(Role.EXECUTIVE, Role.HR))
    org_spec.then_refused(command, NotPermitted, "executive role")


def test_set_roles_lets_hr_change_other_roles(org_spec: Spec) -> None:
    """Given hana is HR, when she makes ben a reviewer, then RolesChanged is recorded."""
    events = org_spec.when(set_roles(actor="hana"))
    assert only_payload(events, RolesChanged) == {"person_id": "ben", "roles": (Role.REVIEWER,)}


def test_set_roles_lets_an_executive_appoint_an_executive(org_spec: Spec) -> None:
    """Given cleo is an executive, when she makes hana executive too, then RolesChanged."""
    command = set_roles(person_id="hana", roles=(Role.EXECUTIVE, Role.HR))
    events = org_spec.when(command)
    assert only_payload(events, RolesChanged)["roles"] == (Role.EXECUTIVE, Role.HR)


def test_set_roles_refuses_hr_revoking_an_executive(org_spec: Spec) -> None:
    """Given cleo is executive, when hana (HR) removes her roles, then NotPermitted."""
    org_spec.then_refused(set_roles(actor="hana", person_id="cleo", roles=()), NotPermitted)


def test_add_person_refuses_hr_hiring_an_executive(org_spec: Spec) -> None:
    """Given hana is HR, when she adds a new executive, then NotPermitted; the system actor (an
    HR-system sync) may."""
    command = add_person(actor="hana", roles=(Role.EXECUTIVE,))
    org_spec.then_refused(command, NotPermitted, "executive role")
    events = org_spec.when(add_person(actor="system", roles=(Role.EXECUTIVE,)))
    assert only_payload(events, PersonJoined)["roles"] == (Role.EXECUTIVE,)


def test_remove_person_refuses_a_unit_lead(org_spec: Spec) -> None:
    """Given max leads Sales, when max's reports move and max is removed, then RuleViolated:
    another lead must be appointed first, so no unit is led by someone who left."""
    org_spec.given(
        appoint_lead(),
        move_person(person_id="ana", unit_id="sales", manager_id="cleo"),
        move_person(person_id="ben", unit_id="sales", manager_id="cleo"),
    )
    org_spec.then_refused(remove_person(person_id="max"), RuleViolated, "still leads sales")
    org_spec.given(appoint_lead(lead_id="ana"))
    assert only_payload(org_spec.when(remove_person(person_id="max")), PersonLeft)
