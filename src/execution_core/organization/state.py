"""The organization as its events leave it: the unit tree, people and who reports to whom."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property, singledispatch
from typing import Any

import attrs

from execution_core.event import Event
from execution_core.folding import changed, handler
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
from execution_core.plain import JsonForm
from execution_core.privacy import ERASED

__all__ = ["Organization", "Person", "Unit", "evolve"]


@attrs.frozen
class Unit:
    """A node of the unit tree."""

    id: str
    name: str
    parent_id: str | None = None
    lead_id: str | None = None


@attrs.frozen
class Person:
    """A member of the organization (``active`` is false once they left)."""

    id: str
    name: str
    unit_id: str
    manager_id: str | None = None
    roles: frozenset[Role] = frozenset()
    active: bool = True
    erased: bool = False
    """Whether their personal data was erased (their name then reads as erased)."""


@attrs.frozen
class Organization(JsonForm):
    """The state of the organization stream, with the questions access rules ask of it."""

    version: int = 0
    units: Mapping[str, Unit] = attrs.Factory(dict)
    people: Mapping[str, Person] = attrs.Factory(dict)
    coaches: frozenset[tuple[str, str]] = frozenset()
    """Authorised (coach, person) pairs beyond the reporting line."""

    def person(self, person_id: str) -> Person | None:
        """The person with this id, whether active or not."""
        return self.people.get(person_id)

    def is_active(self, person_id: str) -> bool:
        """Whether the person exists and has not left."""
        person = self.people.get(person_id)
        return person is not None and person.active

    def has_role(self, person_id: str, role: Role) -> bool:
        """Whether an active person holds a role."""
        person = self.people.get(person_id)
        return person is not None and person.active and role in person.roles

    def manager_chain(self, person_id: str) -> tuple[str, ...]:
        """The person's manager, their manager, and so on up to the top."""
        chains = self._manager_chains
        found = chains.get(person_id)
        if found is not None:
            return found
        chain: list[str] = []
        person = self.people.get(person_id)
        while person is not None and person.manager_id is not None:
            if person.manager_id in chain or person.manager_id == person_id:
                break  # a cycle cannot be recorded, but never loop on one
            chain.append(person.manager_id)
            person = self.people.get(person.manager_id)
        found = chains[person_id] = tuple(chain)
        return found

    @cached_property
    def _manager_chains(self) -> dict[str, tuple[str, ...]]:
        """The chains asked of this state so far (a slot attrs adds, not a field: every state
        of the organization is a new instance with none). The access policy asks a chain on
        most decisions about someone, and the organization changes far less often."""
        return {}

    def is_manager_of(self, manager_id: str, person_id: str) -> bool:
        """Whether ``manager_id`` stands anywhere above ``person_id`` in the reporting line."""
        return manager_id in self.manager_chain(person_id)

    def may_coach(self, coach_id: str, person_id: str) -> bool:
        """Whether the coach is in the person's manager chain or authorised for them."""
        return self.is_manager_of(coach_id, person_id) or (coach_id, person_id) in self.coaches

    def reports_of(self, manager_id: str) -> tuple[str, ...]:
        """Active people whose direct manager is ``manager_id``."""
        return tuple(p.id for p in self.people.values() if p.active and p.manager_id == manager_id)

    def unit_chain(self, unit_id: str) -> tuple[str, ...]:
        """The unit and its ancestors, from the unit up to the root."""
        chain: list[str] = []
        unit = self.units.get(unit_id)
        while unit is not None and unit.id not in chain:
            chain.append(unit.id)
            unit = self.units.get(unit.parent_id) if unit.parent_id else None
        return tuple(chain)

    def members_of(self, unit_id: str) -> tuple[str, ...]:
        """Active people whose unit is ``unit_id`` (not its sub-units)."""
        return tuple(p.id for p in self.people.values() if p.active and p.unit_id == unit_id)

    def active_people(self) -> tuple[Person, ...]:
        """Everyone who has not left, in the order they joined."""
        return tuple(p for p in self.people.values() if p.active)


def _advance(state: Organization, event: Event, **changes: Any) -> Organization:
    return changed(state, version=event.version, **changes)


def _with_person(state: Organization, person: Person) -> dict[str, Person]:
    people = dict(state.people)
    people[person.id] = person
    return people


def evolve(state: Organization, event: Event) -> Organization:
    """Apply one organization event to the state (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: Organization) -> Organization:
    raise TypeError(f"not an organization event: {type(event).__name__}")


@_apply.register
def _(event: UnitFounded, state: Organization) -> Organization:
    units = dict(state.units)
    units[event.unit_id] = Unit(event.unit_id, event.unit_name, event.parent_id, event.lead_id)
    return _advance(state, event, units=units)


@_apply.register
def _(event: UnitLeadAppointed, state: Organization) -> Organization:
    units = dict(state.units)
    units[event.unit_id] = changed(units[event.unit_id], lead_id=event.lead_id)
    return _advance(state, event, units=units)


@_apply.register
def _(event: PersonJoined, state: Organization) -> Organization:
    person = Person(
        event.person_id,
        event.person_name,
        event.unit_id,
        event.manager_id,
        frozenset(event.roles),
    )
    return _advance(state, event, people=_with_person(state, person))


@_apply.register
def _(event: PersonMoved, state: Organization) -> Organization:
    person = changed(
        state.people[event.person_id],
        unit_id=event.unit_id,
        manager_id=event.manager_id,
    )
    return _advance(state, event, people=_with_person(state, person))


@_apply.register
def _(event: PersonLeft, state: Organization) -> Organization:
    person = changed(state.people[event.person_id], active=False)
    coaches = frozenset(pair for pair in state.coaches if event.person_id not in pair)
    return _advance(state, event, people=_with_person(state, person), coaches=coaches)


@_apply.register
def _(event: RolesChanged, state: Organization) -> Organization:
    person = changed(state.people[event.person_id], roles=frozenset(event.roles))
    return _advance(state, event, people=_with_person(state, person))


@_apply.register
def _(event: CoachAuthorised, state: Organization) -> Organization:
    return _advance(state, event, coaches=state.coaches | {(event.coach_id, event.person_id)})


@_apply.register
def _(event: CoachDeauthorised, state: Organization) -> Organization:
    return _advance(state, event, coaches=state.coaches - {(event.coach_id, event.person_id)})


@_apply.register
def _(event: PersonErased, state: Organization) -> Organization:
    person = changed(state.people[event.person_id], name=ERASED, erased=True)
    return _advance(state, event, people=_with_person(state, person))
