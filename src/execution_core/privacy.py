"""Which stored fields are personal, and whose they are: the one declaration the storage
adapters read to encrypt them with a key per person (see docs/privacy.md).

Pure data: no I/O, no cryptography. A field is *personal* when it is free text written about
one person, or that person's name: erasing the person (``organization.PersonErased``) makes
every such field read :data:`ERASED`. Ids, dates, numbers, enums, goal titles, key result names,
action tasks and the reasons of plan adjustments are the plan's, not a person's, and stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from execution_core.event import Event

__all__ = ["ERASED", "PERSONAL", "PersonalFields", "personal_fields", "subject_of"]

ERASED = "[erased]"
"""What a personal field reads once its person was erased."""

Subject = Callable[[Event, Any], str | None]
"""Whose key seals an event's personal fields: from the event and its stream's state after it
(None: nobody's; the fields are stored as they are)."""


def _named(event: Event, _state: Any) -> str | None:
    return str(getattr(event, "person_id"))  # noqa: B009 - every event using it has the field


def _stream_person(_event: Event, state: Any) -> str | None:
    person: str | None = getattr(state, "person_id", None)
    return person


def _goal_owner(_event: Event, state: Any) -> str | None:
    owner: Any = getattr(state, "owner", None)  # an access.Owner (states import this module)
    return str(owner.id) if getattr(owner, "kind", None) == "person" else None


@attrs.frozen
class PersonalFields:
    """The personal fields of one event type and how to find their person."""

    fields: tuple[str, ...]
    subject: Subject


PERSONAL: Mapping[str, PersonalFields] = {
    "organization.PersonJoined": PersonalFields(("person_name",), _named),
    "organization.PersonLeft": PersonalFields(("reason",), _named),
    "coaching.CoachingGiven": PersonalFields(("note",), _named),
    "coaching.CommitmentMade": PersonalFields(("action",), _named),
    "coaching.CommitmentMissed": PersonalFields(("note",), _stream_person),
    "appraisal.AppraisalRecorded": PersonalFields(("summary",), _named),
    "appraisal.RatingCalibrated": PersonalFields(("reason",), _stream_person),
    "goal.ProgressLogged": PersonalFields(("comment",), _goal_owner),
    "goal.GoalReviewed": PersonalFields(("worked", "did_not_work", "lessons"), _goal_owner),
}
"""Every event type with personal fields, by stored name (the stored format's own names, so
this module imports no stream; ``tests/unit/test_erasure.py`` checks each names text fields).
A check-in comment and a goal's review are the goal owner's when a person owns the goal; a
unit's goal has no one person's."""


def personal_fields(name: str) -> tuple[str, ...]:
    """The personal fields of an event type (none for most)."""
    found = PERSONAL.get(name)
    return () if found is None else found.fields


def subject_of(event: Event, state: Any) -> str | None:
    """The person whose key seals the event's personal fields (None: no personal field, or
    nobody's), given its stream's state after the event."""
    found = PERSONAL.get(type(event).name)
    return None if found is None else found.subject(event, state)
