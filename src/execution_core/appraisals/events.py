"""Appraisal events: the rating a reviewer recorded, and calibration changes to it.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs

from execution_core.event import Event, event_type
from execution_core.policy import RATINGS

__all__ = ["AppraisalRecorded", "RatingCalibrated"]


def _on_scale(_instance: Any, attribute: Any, value: int) -> None:
    if value not in RATINGS:
        raise ValueError(f"{attribute.name} must be one of {RATINGS}, got {value}")


@event_type("appraisal.AppraisalRecorded")
@attrs.frozen(kw_only=True)
class AppraisalRecorded(Event):
    """A reviewer recorded a person's rating for a cycle (overrides the computed rating)."""

    reviewer_id: str
    person_id: str
    cycle_id: UUID
    rating: int = attrs.field(validator=_on_scale)
    summary: str = ""


@event_type("appraisal.RatingCalibrated")
@attrs.frozen(kw_only=True)
class RatingCalibrated(Event):
    """Calibration changed the rating (overrides the recorded one)."""

    from_rating: int = attrs.field(validator=_on_scale)
    to_rating: int = attrs.field(validator=_on_scale)
    reason: str
