"""Decisions of the organization stream."""

from __future__ import annotations

from functools import singledispatch
from uuid import UUID

from execution_core.access import SYSTEM, Permission
from execution_core.command import Command
from execution_core.decider import (
    Context,
    Decider,
    Stamper,
    authorise,
    members,
    refuse,
    require_person,
)
from execution_core.errors import NotFound, NotPermitted
from execution_core.event import Event
from execution_core.folding import handler
from execution_core.ids import ORGANIZATION_ID
from execution_core.organization import commands as _commands
from execution_core.organization import events as _events
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
from execution_core.organization.state import Organization, evolve

__all__ = ["ORGANIZATION", "decide"]


def decide(
    state: Organization, command: Command, context: Context, facts: None = None
) -> tuple[Event, ...]:
    """Decide what an organization command records, or refuse it with a typed error."""
    authorise(context, command.actor, Permission.ADMINISTER_ORGANIZATION)
    stamp = Stamper(ORGANIZATION_ID, state.version, command, context.now)
    handler(_decide, command)(command, state, stamp)
    return stamp.done()


@singledispatch
def _decide(command: Command, state: Organization, stamp: Stamper) -> None:
    raise TypeError(f"not an organization command: {type(command).__name__}")


def _require_unit(state: Organization, unit_id: str) -> None:
    if unit_id not in state.units:
        raise NotFound(f"unknown unit {unit_id!r}", kind="unit", id=unit_id)


def _require_executive_to_change_executives(state: Organization, actor: str) -> None:
    """HR administers the organization, but must not be able to make itself (or anyone) an
    executive: only an executive, or the system actor of an HR-system sync, may."""
    if actor != SYSTEM and not state.has_role(actor, Role.EXECUTIVE):
        raise NotPermitted.refusing(actor, "grant or revoke the executive role")


@_decide.register
def _(command: FoundUnit, state: Organization, stamp: Stamper) -> None:
    if command.unit_id in state.units:
        refuse(f"unit {command.unit_id!r} already exists", rule="unit exists")
    if command.parent_id is not None:
        _require_unit(state, command.parent_id)
    if command.lead_id is not None:
        require_person(state, command.lead_id)
    stamp(
        UnitFounded,
        unit_id=command.unit_id,
        unit_name=command.name,
        parent_id=command.parent_id,
        lead_id=command.lead_id,
    )


@_decide.register
def _(command: AppointUnitLead, state: Organization, stamp: Stamper) -> None:
    _require_unit(state, command.unit_id)
    require_person(state, command.lead_id)
    if state.units[command.unit_id].lead_id == command.lead_id:
        refuse(f"{command.lead_id!r} already leads unit {command.unit_id!r}", rule="no change")
    stamp(UnitLeadAppointed, unit_id=command.unit_id, lead_id=command.lead_id)


@_decide.register
def _(command: AddPerson, state: Organization, stamp: Stamper) -> None:
    if command.person_id in state.people:
        refuse(f"person {command.person_id!r} already exists", rule="person exists")
    _require_unit(state, command.unit_id)
    if command.manager_id is not None:
        require_person(state, command.manager_id)
    if Role.EXECUTIVE in command.roles:
        _require_executive_to_change_executives(state, command.actor)
    stamp(
        PersonJoined,
        person_id=command.person_id,
        person_name=command.name,
        unit_id=command.unit_id,
        manager_id=command.manager_id,
        roles=tuple(sorted(set(command.roles))),
    )


@_decide.register
def _(command: MovePerson, state: Organization, stamp: Stamper) -> None:
    require_person(state, command.person_id)
    person = state.people[command.person_id]
    unit_id = person.unit_id if command.unit_id is None else command.unit_id
    _require_unit(state, unit_id)
    manager_id = (
        command.manager_id if "manager_id" in command.model_fields_set else person.manager_id
    )
    if manager_id is not None:
        require_person(state, manager_id)
        if manager_id == person.id or person.id in state.manager_chain(manager_id):
            refuse(
                f"{manager_id!r} reports to {person.id!r}: a reporting line cannot loop",
                rule="reporting loop",
            )
    if (unit_id, manager_id) == (person.unit_id, person.manager_id):
        refuse(f"moving {person.id!r} changes nothing", rule="no change")
    stamp(PersonMoved, person_id=person.id, unit_id=unit_id, manager_id=manager_id)


@_decide.register
def _(command: RemovePerson, state: Organization, stamp: Stamper) -> None:
    require_person(state, command.person_id)
    reports = state.reports_of(command.person_id)
    if reports:
        refuse(
            f"{command.person_id!r} still manages {', '.join(reports)}: move them first",
            rule="still manages",
        )
    led = sorted(u.id for u in state.units.values() if u.lead_id == command.person_id)
    if led:
        refuse(
            f"{command.person_id!r} still leads {', '.join(led)}: appoint another lead first",
            rule="still leads",
        )
    stamp(PersonLeft, person_id=command.person_id, reason=command.reason)


@_decide.register
def _(command: SetRoles, state: Organization, stamp: Stamper) -> None:
    require_person(state, command.person_id)
    roles = tuple(sorted(set(command.roles)))
    held = state.people[command.person_id].roles
    if frozenset(roles) == held:
        refuse(f"{command.person_id!r} already has exactly these roles", rule="no change")
    if (Role.EXECUTIVE in roles) != (Role.EXECUTIVE in held):
        _require_executive_to_change_executives(state, command.actor)
    stamp(RolesChanged, person_id=command.person_id, roles=roles)


@_decide.register
def _(command: AuthoriseCoach, state: Organization, stamp: Stamper) -> None:
    require_person(state, command.coach_id)
    require_person(state, command.person_id)
    if command.coach_id == command.person_id:
        refuse("nobody coaches themselves", rule="self coaching")
    if (command.coach_id, command.person_id) in state.coaches:
        refuse(
            f"{command.coach_id!r} is already authorised to coach {command.person_id!r}",
            rule="no change",
        )
    stamp(CoachAuthorised, coach_id=command.coach_id, person_id=command.person_id)


@_decide.register
def _(command: DeauthoriseCoach, state: Organization, stamp: Stamper) -> None:
    if (command.coach_id, command.person_id) not in state.coaches:
        raise NotFound(
            f"{command.coach_id!r} is not authorised to coach {command.person_id!r}",
            kind="coach authorisation",
            id=command.coach_id,
        )
    stamp(CoachDeauthorised, coach_id=command.coach_id, person_id=command.person_id)


@_decide.register
def _(command: ErasePerson, state: Organization, stamp: Stamper) -> None:
    require_person(state, command.person_id)
    if state.people[command.person_id].erased:
        refuse(f"{command.person_id!r} was already erased", rule="already erased")
    stamp(PersonErased, person_id=command.person_id)


def _stream_id(command: Command) -> UUID:
    return ORGANIZATION_ID


ORGANIZATION: Decider[Organization] = Decider(
    "organization",
    Organization(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
)
"""The organization stream (one per store); every decision reads it as its context."""
