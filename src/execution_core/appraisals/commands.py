"""Appraisal commands (reviewers, HR and the person's managers, by default)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from execution_core.command import Command, Id, Text

__all__ = ["CalibrateRating", "RecordAppraisal"]

Rating = Annotated[int, Field(ge=1, le=5, strict=True)]


class RecordAppraisal(Command):
    """The actor, as reviewer, records a person's rating (1..5) for a cycle."""

    cycle_id: UUID
    person_id: Id
    rating: Rating
    summary: Text = ""


class CalibrateRating(Command):
    """Change a recorded rating in calibration, saying why."""

    cycle_id: UUID
    person_id: Id
    rating: Rating
    reason: Annotated[str, Field(min_length=1, max_length=10_000)]
