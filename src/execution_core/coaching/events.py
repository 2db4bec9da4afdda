"""Coaching journal events: coaching a person received and the commitments agreed.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.event import Event, event_type

__all__ = [
    "CoachingGiven",
    "CoachingKind",
    "CommitmentKept",
    "CommitmentMade",
    "CommitmentMissed",
]


class CoachingKind(StrEnum):
    """What a coaching conversation was for."""

    GUIDANCE = "guidance"
    RECOGNITION = "recognition"
    CORRECTION = "correction"


@event_type("coaching.CoachingGiven")
@attrs.frozen(kw_only=True)
class CoachingGiven(Event):
    """A coach coached a person, about a goal or in general."""

    coach_id: str
    person_id: str
    goal_id: UUID | None
    kind: CoachingKind
    note: str = ""


@event_type("coaching.CommitmentMade")
@attrs.frozen(kw_only=True)
class CommitmentMade(Event):
    """The person committed to an action by a date."""

    commitment_id: str
    person_id: str
    action: str
    due_on: date
    goal_id: UUID | None = None


@event_type("coaching.CommitmentKept")
@attrs.frozen(kw_only=True)
class CommitmentKept(Event):
    """A commitment was kept."""

    commitment_id: str


@event_type("coaching.CommitmentMissed")
@attrs.frozen(kw_only=True)
class CommitmentMissed(Event):
    """A commitment was missed."""

    commitment_id: str
    note: str = ""
