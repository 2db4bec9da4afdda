"""Coaching commands: coach a person, agree commitments, record how they ended."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from execution_core.coaching.events import CoachingKind
from execution_core.command import Command, Day, Id, Name, Text

__all__ = [
    "CommitmentSpec",
    "GiveCoaching",
    "KeepCommitment",
    "MakeCommitment",
    "MissCommitment",
]


class CommitmentSpec(BaseModel):
    """An action the person commits to by a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commitment_id: Id
    action: Name
    due_on: Day


class GiveCoaching(Command):
    """The actor coaches a person (maybe about one of their goals), maybe agreeing commitments."""

    person_id: Id
    goal_id: UUID | None = None
    kind: CoachingKind = CoachingKind.GUIDANCE
    note: Text = ""
    commitments: tuple[CommitmentSpec, ...] = Field(default=(), max_length=20)


class MakeCommitment(Command):
    """Record a commitment outside a coaching conversation."""

    person_id: Id
    commitment: CommitmentSpec
    goal_id: UUID | None = None


class KeepCommitment(Command):
    """Record that a commitment was kept."""

    person_id: Id
    commitment_id: Id


class MissCommitment(Command):
    """Record that a commitment was missed."""

    person_id: Id
    commitment_id: Id
    note: Text = ""
