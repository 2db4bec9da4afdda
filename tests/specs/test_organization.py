"""The organization stream: units, people, reporting lines, roles and coaching rights."""

from __future__ import annotations

from execution_core.errors import NotFound, NotPermitted, RuleViolated
from execution_core.organization.commands import (
    AddPerson,
    AppointUnitLead,
    AuthoriseCoach,
    DeauthoriseCoach,
    ErasePerson,
    FoundUnit,
    MovePerson,
    RemovePerson,
    SetRoles,
)
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonErased,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    Role,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from tests.specs.background import organization
from tests.specs.gwt import Scenario, fact
from tests.support import T0

HR = {"actor": "hana", "occurred_at": T0}
SYSTEM = {"actor": "system", "occurred_at": T0}


def given_org() -> Scenario:
    return Scenario().given(*organization())


# -- FoundUnit ------------------------------------------------------------------------------


def test_found_unit_records_the_unit_under_its_parent() -> None:
    """Given the organization, when HR founds a unit under Sales led by max, then UnitFounded."""
    given_org().when(
        FoundUnit(unit_id="emea", name="EMEA", parent_id="sales", lead_id="max", **HR)
    ).then(fact(UnitFounded, unit_id="emea", unit_name="EMEA", parent_id="sales", lead_id="max"))


def test_found_unit_at_the_top_of_an_empty_organization() -> None:
    """Given nothing, when the HR system founds a unit, then it is the first organization event."""
    Scenario().when(FoundUnit(unit_id="hq", name="HQ", **SYSTEM)).then(
        fact(UnitFounded, unit_id="hq", unit_name="HQ")
    )


def test_found_unit_refuses_a_taken_id_an_unknown_parent_and_a_stranger() -> None:
    """A unit id already taken breaks a rule; an unknown parent is not found; someone who does
    not administer the organization is not permitted."""
    given_org().when(FoundUnit(unit_id="sales", name="Sales again", **HR)).then_refused(
        RuleViolated, "already exists"
    )
    given_org().when(FoundUnit(unit_id="x", name="X", parent_id="nowhere", **HR)).then_refused(
        NotFound, "unknown unit 'nowhere'"
    )
    given_org().when(FoundUnit(unit_id="x", name="X", actor="ana", occurred_at=T0)).then_refused(
        NotPermitted, "'ana' is not permitted to administer"
    )


# -- AppointUnitLead ------------------------------------------------------------------------


def test_appoint_unit_lead() -> None:
    """When HR makes max the lead of Sales, then UnitLeadAppointed."""
    given_org().when(AppointUnitLead(unit_id="sales", lead_id="max", **HR)).then(
        fact(UnitLeadAppointed, unit_id="sales", lead_id="max")
    )


def test_appoint_unit_lead_refuses_the_same_lead_again_and_an_unknown_person() -> None:
    """The lead already leading is a broken rule; an unknown person is not found."""
    scenario = given_org()
    scenario.when(AppointUnitLead(unit_id="sales", lead_id="max", **HR)).then(
        fact(UnitLeadAppointed, unit_id="sales", lead_id="max")
    )
    scenario.when(AppointUnitLead(unit_id="sales", lead_id="max", **HR)).then_refused(
        RuleViolated, "already leads"
    )
    given_org().when(AppointUnitLead(unit_id="sales", lead_id="zoe", **HR)).then_refused(
        NotFound, "unknown person 'zoe'"
    )


# -- AddPerson ------------------------------------------------------------------------------


def test_add_person_records_them_with_sorted_roles() -> None:
    """When HR adds a reviewer to Sales under max, then PersonJoined with their roles."""
    given_org().when(
        AddPerson(
            person_id="dan",
            name="Dan",
            unit_id="sales",
            manager_id="max",
            roles=(Role.REVIEWER, Role.HR, Role.REVIEWER),
            **HR,
        )
    ).then(
        fact(
            PersonJoined,
            person_id="dan",
            person_name="Dan",
            unit_id="sales",
            manager_id="max",
            roles=(Role.HR, Role.REVIEWER),
        )
    )


def test_add_person_refuses_a_taken_id_an_unknown_unit_and_hr_making_an_executive() -> None:
    """A person id already taken breaks a rule, an unknown unit is not found, and HR may not
    make anyone an executive (only an executive or the HR system may)."""
    given_org().when(AddPerson(person_id="ana", name="Ana", unit_id="sales", **HR)).then_refused(
        RuleViolated, "already exists"
    )
    given_org().when(AddPerson(person_id="dan", name="Dan", unit_id="ops", **HR)).then_refused(
        NotFound, "unknown unit 'ops'"
    )
    given_org().when(
        AddPerson(person_id="dan", name="Dan", unit_id="hq", roles=(Role.EXECUTIVE,), **HR)
    ).then_refused(NotPermitted, "executive role")


# -- MovePerson -----------------------------------------------------------------------------


def test_move_person_states_the_new_unit_and_manager_in_full() -> None:
    """When ben moves to HQ (his manager left as it is), then PersonMoved names both."""
    given_org().when(MovePerson(person_id="ben", unit_id="hq", **HR)).then(
        fact(PersonMoved, person_id="ben", unit_id="hq", manager_id="max")
    )


def test_move_person_refuses_a_loop_and_a_move_that_changes_nothing() -> None:
    """Reporting to one's own report loops the line; a move to where one is changes nothing."""
    given_org().when(MovePerson(person_id="max", manager_id="ana", **HR)).then_refused(
        RuleViolated, "cannot loop"
    )
    given_org().when(MovePerson(person_id="ana", unit_id="sales", **HR)).then_refused(
        RuleViolated, "changes nothing"
    )


# -- RemovePerson ---------------------------------------------------------------------------


def test_remove_person_records_that_they_left() -> None:
    """When ben leaves, then PersonLeft with the reason."""
    given_org().when(RemovePerson(person_id="ben", reason="moved on", **HR)).then(
        fact(PersonLeft, person_id="ben", reason="moved on")
    )


def test_remove_person_refuses_a_manager_with_reports_and_someone_already_gone() -> None:
    """A manager with reports must have them moved first; someone who left cannot leave again."""
    given_org().when(RemovePerson(person_id="max", **HR)).then_refused(
        RuleViolated, "still manages ana, ben"
    )
    scenario = given_org()
    scenario.when(RemovePerson(person_id="ben", **HR)).then(fact(PersonLeft, person_id="ben"))
    scenario.when(RemovePerson(person_id="ben", **HR)).then_refused(RuleViolated, "has left")


# -- ErasePerson ----------------------------------------------------------------------------


def test_erase_person_records_only_their_id() -> None:
    """When HR erases ana, then PersonErased, which holds no personal data (docs/privacy.md)."""
    given_org().when(ErasePerson(person_id="ana", **HR)).then(fact(PersonErased, person_id="ana"))


def test_erase_person_refuses_a_manager_an_unknown_person_and_a_second_erasure() -> None:
    """Her manager does not administer the organization; an unknown person is not found; a
    person already erased breaks a rule."""
    given_org().when(ErasePerson(person_id="ana", actor="max", occurred_at=T0)).then_refused(
        NotPermitted, "administer"
    )
    given_org().when(ErasePerson(person_id="zoe", **HR)).then_refused(NotFound, "zoe")
    scenario = given_org()
    scenario.when(ErasePerson(person_id="ana", **HR)).then(fact(PersonErased, person_id="ana"))
    scenario.when(ErasePerson(person_id="ana", **HR)).then_refused(RuleViolated, "already")


# -- SetRoles -------------------------------------------------------------------------------


def test_set_roles_records_exactly_these_roles() -> None:
    """When HR makes cora a reviewer, then RolesChanged."""
    given_org().when(SetRoles(person_id="cora", roles=(Role.REVIEWER,), **HR)).then(
        fact(RolesChanged, person_id="cora", roles=(Role.REVIEWER,))
    )


def test_set_roles_refuses_the_same_roles_and_hr_revoking_an_executive() -> None:
    """The roles already held change nothing; HR may not revoke the executive role."""
    given_org().when(SetRoles(person_id="cora", roles=(), **HR)).then_refused(
        RuleViolated, "already has exactly these roles"
    )
    given_org().when(SetRoles(person_id="cleo", roles=(), **HR)).then_refused(
        NotPermitted, "executive role"
    )


# -- AuthoriseCoach and DeauthoriseCoach ----------------------------------------------------


def test_authorise_coach() -> None:
    """When HR lets cora coach ana, then CoachAuthorised."""
    given_org().when(AuthoriseCoach(coach_id="cora", person_id="ana", **HR)).then(
        fact(CoachAuthorised, coach_id="cora", person_id="ana")
    )


def test_authorise_coach_refuses_oneself_and_a_second_authorisation() -> None:
    """Nobody coaches themselves; an authorisation already given is not given twice."""
    given_org().when(AuthoriseCoach(coach_id="ana", person_id="ana", **HR)).then_refused(
        RuleViolated, "coaches themselves"
    )
    scenario = given_org().given(fact(CoachAuthorised, coach_id="cora", person_id="ana"))
    scenario.when(AuthoriseCoach(coach_id="cora", person_id="ana", **HR)).then_refused(
        RuleViolated, "already authorised"
    )


def test_deauthorise_coach() -> None:
    """Given cora authorised to coach ana, when HR ends it, then CoachDeauthorised."""
    scenario = given_org().given(fact(CoachAuthorised, coach_id="cora", person_id="ana"))
    scenario.when(DeauthoriseCoach(coach_id="cora", person_id="ana", **HR)).then(
        fact(CoachDeauthorised, coach_id="cora", person_id="ana")
    )


def test_deauthorise_coach_refuses_an_authorisation_never_given() -> None:
    """Ending an authorisation that does not exist is not found."""
    given_org().when(DeauthoriseCoach(coach_id="cora", person_id="ana", **HR)).then_refused(
        NotFound, "not authorised"
    )
