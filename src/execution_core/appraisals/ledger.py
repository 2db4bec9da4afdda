"""What an appraisal's facts mean to the views' ledger: the appraisal's record and its handlers.

An appraisal folds with the core's own ``evolve`` and keeps the recorded rating and every
calibration, by cycle and person, so a view reads the rating as it stood at any instant.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.appraisals.state import Appraisal
from execution_core.appraisals.state import evolve as evolve_appraisal
from execution_core.facts import Draft, Fact, StreamLedger, in_order, stamp

__all__ = ["LEDGER", "AppraisalRecord", "RatingChanged", "RatingRecorded"]

LEDGER = StreamLedger("appraisal")
"""What each appraisal event means to the ledger (the registry names it: ``streams.LEDGERS``)."""


@attrs.frozen(kw_only=True)
class RatingRecorded(Fact):
    """A reviewer recorded a rating."""

    reviewer_id: str
    rating: int
    summary: str = ""


@attrs.frozen(kw_only=True)
class RatingChanged(Fact):
    """Calibration changed a rating."""

    from_rating: int
    to_rating: int
    reason: str


@attrs.frozen(kw_only=True)
class AppraisalRecord:
    """A person's appraisal for a cycle: the core's state and the facts behind it."""

    cycle_id: UUID
    person_id: str
    state: Appraisal = attrs.Factory(Appraisal)
    recorded: RatingRecorded | None = None
    calibrations: tuple[RatingChanged, ...] = ()

    def recorded_by(self, at: datetime) -> RatingRecorded | None:
        """The recorded rating, if it had been recorded by ``at``."""
        recorded = self.recorded
        return recorded if recorded is not None and recorded.occurred_at <= at else None

    def calibrations_by(self, at: datetime) -> tuple[RatingChanged, ...]:
        """The calibrations by ``at``, in business-time order; none before the rating they
        change had been recorded (a calibration backdated before it is in force from then)."""
        if self.recorded_by(at) is None:
            return ()
        return in_order(self.calibrations, at)


# -- what each event means to the ledger


@LEDGER.handles(AppraisalRecorded)
def _on_appraisal(draft: Draft, event: AppraisalRecorded, seq: int) -> None:
    key = (event.cycle_id, event.person_id)
    _appraisal_streams(draft)[event.stream_id] = key
    record = _appraisals(draft).get(key) or AppraisalRecord(
        cycle_id=event.cycle_id, person_id=event.person_id
    )
    _appraisals(draft)[key] = attrs.evolve(
        record,
        state=evolve_appraisal(record.state, event),
        recorded=RatingRecorded(
            **stamp(event, seq),
            reviewer_id=event.reviewer_id,
            rating=event.rating,
            summary=event.summary,
        ),
    )


@LEDGER.handles(RatingCalibrated)
def _on_calibrated(draft: Draft, event: RatingCalibrated, seq: int) -> None:
    key = _appraisal_streams(draft).get(event.stream_id)
    if key is None:
        return
    record = _appraisals(draft)[key]
    change = RatingChanged(
        **stamp(event, seq),
        from_rating=event.from_rating,
        to_rating=event.to_rating,
        reason=event.reason,
    )
    _appraisals(draft)[key] = attrs.evolve(
        record,
        state=evolve_appraisal(record.state, event),
        calibrations=(*record.calibrations, change),
    )


def _appraisals(draft: Draft) -> dict[tuple[UUID, str], AppraisalRecord]:
    appraisals: dict[tuple[UUID, str], AppraisalRecord] = draft.table("appraisals")
    return appraisals


def _appraisal_streams(draft: Draft) -> dict[UUID, tuple[UUID, str]]:
    streams: dict[UUID, tuple[UUID, str]] = draft.table("appraisal_streams")
    return streams
