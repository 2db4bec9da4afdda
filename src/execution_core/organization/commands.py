"""Organization commands: units, people, reporting lines, roles and coaching rights."""

from __future__ import annotations

from pydantic import Field

from execution_core.command import Command, Id, Name, Text
from execution_core.organization.events import Role

__all__ = [
    "AddPerson",
    "AppointUnitLead",
    "AuthoriseCoach",
    "DeauthoriseCoach",
    "ErasePerson",
    "FoundUnit",
    "MovePerson",
    "RemovePerson",
    "SetRoles",
]


class FoundUnit(Command):
    """Found a unit under ``parent_id`` (or at the top)."""

    unit_id: Id
    name: Name
    parent_id: Id | None = None
    lead_id: Id | None = None


class AppointUnitLead(Command):
    """Make a person the lead of a unit."""

    unit_id: Id
    lead_id: Id


class AddPerson(Command):
    """Bring a person into a unit, reporting to ``manager_id``."""

    person_id: Id
    name: Name
    unit_id: Id
    manager_id: Id | None = None
    roles: tuple[Role, ...] = Field(default=(), max_length=len(Role))


class MovePerson(Command):
    """Change a person's unit and/or manager; a field left out stays as it is.

    Give ``manager_id=None`` explicitly to leave the person with no manager.
    """

    person_id: Id
    unit_id: Id | None = None
    manager_id: Id | None = None


class RemovePerson(Command):
    """Record that a person left; their reports must be moved first."""

    person_id: Id
    reason: Text = ""


class SetRoles(Command):
    """Set a person's roles to exactly these."""

    person_id: Id
    roles: tuple[Role, ...] = Field(max_length=len(Role))


class AuthoriseCoach(Command):
    """Let someone outside the reporting line coach a person."""

    coach_id: Id
    person_id: Id


class DeauthoriseCoach(Command):
    """End a coach's authorisation for a person."""

    coach_id: Id
    person_id: Id


class ErasePerson(Command):
    """Erase a person's personal data (their name, the notes and comments about them): the
    store deletes their key; ids, dates and numbers stay (see docs/privacy.md)."""

    person_id: Id
