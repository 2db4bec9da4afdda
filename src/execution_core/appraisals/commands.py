"""Appraisal commands (reviewers, HR and the person's managers, by default)."""

from __future__ import annotations

from uuid import UUID

from execution_core.command import Command, Id, Rating, Reason, Text

__all__ = ["CalibrateRating", "RecordAppraisal"]


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
    reason: Reason
