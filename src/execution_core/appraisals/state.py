"""A person's appraisal for a cycle, as its events leave it."""

from __future__ import annotations

from functools import singledispatch
from uuid import UUID

import attrs

from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.event import Event
from execution_core.folding import changed, handler
from execution_core.plain import JsonForm

__all__ = ["Appraisal", "RecordedAppraisal", "evolve"]


@attrs.frozen
class Appraisal(JsonForm):
    """The state of an appraisal stream; ``recorded`` is false until AppraisalRecorded."""

    version: int = 0
    person_id: str | None = None
    cycle_id: UUID | None = None
    reviewer_id: str | None = None
    recorded_rating: int | None = None
    calibrated_rating: int | None = None
    summary: str = ""

    @property
    def recorded(self) -> bool:
        """Whether a reviewer recorded a rating."""
        return self.recorded_rating is not None

    @property
    def rating(self) -> int | None:
        """The rating that stands: calibrated over recorded."""
        return (
            self.calibrated_rating if self.calibrated_rating is not None else self.recorded_rating
        )


@attrs.frozen
class RecordedAppraisal(Appraisal):
    """An appraisal a reviewer recorded, as the facade returns it: whose, for which cycle, by
    whom and the rating are known (a plain :class:`Appraisal` not yet recorded has None)."""

    person_id: str = attrs.field(kw_only=True, validator=attrs.validators.instance_of(str))
    cycle_id: UUID = attrs.field(kw_only=True, validator=attrs.validators.instance_of(UUID))
    reviewer_id: str = attrs.field(kw_only=True, validator=attrs.validators.instance_of(str))
    recorded_rating: int = attrs.field(kw_only=True, validator=attrs.validators.instance_of(int))

    @property
    def rating(self) -> int:
        """The rating that stands: calibrated over recorded."""
        return self.recorded_rating if self.calibrated_rating is None else self.calibrated_rating


def evolve(state: Appraisal, event: Event) -> Appraisal:
    """Apply one appraisal event (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: Appraisal) -> Appraisal:
    raise TypeError(f"not an appraisal event: {type(event).__name__}")


@_apply.register
def _(event: AppraisalRecorded, state: Appraisal) -> Appraisal:
    return changed(
        state,
        version=event.version,
        person_id=event.person_id,
        cycle_id=event.cycle_id,
        reviewer_id=event.reviewer_id,
        recorded_rating=event.rating,
        summary=event.summary,
    )


@_apply.register
def _(event: RatingCalibrated, state: Appraisal) -> Appraisal:
    return changed(state, version=event.version, calibrated_rating=event.to_rating)
