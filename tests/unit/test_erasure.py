"""Erasing a person (``ErasePerson`` -> ``PersonErased``) and the declaration of which stored
fields are personal (``execution_core.privacy``)."""

from __future__ import annotations

from uuid import UUID

import attrs
import pytest

from execution_core import ErasePerson, NotFound, NotPermitted, RuleViolated
from execution_core.access import Owner
from execution_core.event import EVENT_TYPES
from execution_core.events import GoalReviewed, PersonErased, PersonJoined
from execution_core.goals.state import Goal
from execution_core.privacy import ERASED, PERSONAL, subject_of
from tests.support import T0, Spec


def erase(person_id: str = "ana", actor: str = "hana") -> ErasePerson:
    return ErasePerson(person_id=person_id, actor=actor, occurred_at=T0)


def test_hr_erases_a_person_and_the_fact_holds_no_personal_data(org_spec: Spec) -> None:
    """Given the standard org, when HR erases ana, then PersonErased names only her id."""
    (event,) = org_spec.when(erase())
    assert isinstance(event, PersonErased)
    assert event.person_id == "ana"
    assert set(PERSONAL) & {PersonErased.name} == set()


def test_an_erased_person_reads_as_erased_in_the_organization(org_spec: Spec) -> None:
    """Given ana erased, then the organization's state shows her name as erased, her place kept."""
    org_spec.when(erase())
    ana = org_spec.execution.organization().people["ana"]
    assert (ana.name, ana.erased, ana.unit_id, ana.manager_id) == (ERASED, True, "sales", "max")


@pytest.mark.parametrize("actor", ["max", "ana", "ben", "stranger"])
def test_only_an_administrator_may_erase(org_spec: Spec, actor: str) -> None:
    """Given the standard org, when a manager, the person, a peer or a stranger erases, then
    NotPermitted and nothing is recorded (the default policy: system, executives and HR)."""
    org_spec.then_refused(erase(actor=actor), NotPermitted)


def test_erasing_an_unknown_person_is_not_found(org_spec: Spec) -> None:
    """Given the standard org, when HR erases zoe, then NotFound and nothing is recorded."""
    org_spec.then_refused(erase(person_id="zoe"), NotFound, "zoe")


def test_erasing_twice_is_refused(org_spec: Spec) -> None:
    """Given ana erased, when HR erases her again, then RuleViolated and nothing is recorded."""
    org_spec.when(erase())
    org_spec.then_refused(erase(), RuleViolated, "already erased")


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_every_personal_field_is_a_text_field_of_a_registered_event(name: str) -> None:
    """The declaration names registered event types and string fields of theirs only."""
    fields = attrs.fields_dict(EVENT_TYPES[name].cls)
    for field in PERSONAL[name].fields:
        assert fields[field].type in ("str", str), f"{name}.{field} is not text"


def test_a_person_owns_the_personal_fields_of_events_naming_them() -> None:
    """A PersonJoined is sealed with the joining person's key, whatever the state."""
    joined = PersonJoined(
        stream_id=UUID(int=1),
        version=1,
        actor="system",
        occurred_at=T0,
        recorded_at=T0,
        person_id="ana",
        person_name="Ana",
        unit_id="sales",
    )
    assert subject_of(joined, None) == "ana"


@pytest.mark.parametrize(
    ("owner", "person"), [(Owner("person", "ana"), "ana"), (Owner("unit", "sales"), None)]
)
def test_a_goal_review_is_its_owner_s_when_a_person_owns_the_goal(
    owner: Owner, person: str | None
) -> None:
    """A review of a person's goal is theirs; a unit's goal has no one person's review."""
    review = GoalReviewed(
        stream_id=UUID(int=2),
        version=3,
        actor="max",
        occurred_at=T0,
        recorded_at=T0,
        worked="w",
        did_not_work="d",
        lessons="l",
    )
    assert subject_of(review, Goal(owner=owner)) == person
