"""Organization events: units (a tree), people, reporting lines, roles and coaching rights.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from execution_core.event import Event, event_type

__all__ = [
    "CoachAuthorised",
    "CoachDeauthorised",
    "PersonErased",
    "PersonJoined",
    "PersonLeft",
    "PersonMoved",
    "Role",
    "RolesChanged",
    "UnitFounded",
    "UnitLeadAppointed",
]


class Role(StrEnum):
    """What a person may do beyond their own goals (the default access policy reads these)."""

    EXECUTIVE = "executive"
    HR = "hr"
    REVIEWER = "reviewer"


@event_type("organization.UnitFounded")
@attrs.frozen(kw_only=True)
class UnitFounded(Event):
    """A unit was founded, under a parent unit or at the top of the tree."""

    unit_id: str
    unit_name: str
    parent_id: str | None = None
    lead_id: str | None = None


@event_type("organization.UnitLeadAppointed")
@attrs.frozen(kw_only=True)
class UnitLeadAppointed(Event):
    """A person now leads a unit (answers for the unit's own goals)."""

    unit_id: str
    lead_id: str


@event_type("organization.PersonJoined")
@attrs.frozen(kw_only=True)
class PersonJoined(Event):
    """A person joined a unit, reporting to a manager (their default coach)."""

    person_id: str
    person_name: str
    unit_id: str
    manager_id: str | None = None
    roles: tuple[Role, ...] = ()


@event_type("organization.PersonMoved")
@attrs.frozen(kw_only=True)
class PersonMoved(Event):
    """A person's unit and/or manager changed; both new values are stated in full."""

    person_id: str
    unit_id: str
    manager_id: str | None


@event_type("organization.PersonLeft")
@attrs.frozen(kw_only=True)
class PersonLeft(Event):
    """A person left the organization; their history stays."""

    person_id: str
    reason: str = ""


@event_type("organization.RolesChanged")
@attrs.frozen(kw_only=True)
class RolesChanged(Event):
    """A person's roles are now exactly these (an addition to the catalog of domain.md)."""

    person_id: str
    roles: tuple[Role, ...]


@event_type("organization.CoachAuthorised")
@attrs.frozen(kw_only=True)
class CoachAuthorised(Event):
    """Someone other than the manager may now coach a person (an addition to the catalog)."""

    coach_id: str
    person_id: str


@event_type("organization.CoachDeauthorised")
@attrs.frozen(kw_only=True)
class CoachDeauthorised(Event):
    """A coach's authorisation for a person ended (an addition to the catalog)."""

    coach_id: str
    person_id: str


@event_type("organization.PersonErased")
@attrs.frozen(kw_only=True)
class PersonErased(Event):
    """A person's personal data was erased: their key was deleted, so every personal field
    sealed with it reads as erased (see docs/privacy.md). Holds no personal data itself."""

    person_id: str
