"""Appraisal streams: the rating recorded for a person and cycle, and its calibration."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from execution_core.appraisals.commands import CalibrateRating, RecordAppraisal
from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.errors import NotFound, NotPermitted, RuleViolated
from execution_core.ids import appraisal_stream_id
from execution_core.organization.events import PersonLeft
from tests.specs.background import closed_cycle, world
from tests.specs.gwt import Fact, Scenario, fact
from tests.support import CYCLE_ID, day

HANA = {"actor": "hana", "occurred_at": day(30)}
UNKNOWN = UUID("00000000-0000-4000-8000-0000000000ee")
RECORDED = fact(
    AppraisalRecorded,
    stream_id=appraisal_stream_id(CYCLE_ID, "ana"),
    actor="max",
    reviewer_id="max",
    person_id="ana",
    cycle_id=CYCLE_ID,
    rating=4,
    summary="",
)


def given(*more: Fact) -> Scenario:
    return Scenario().given(*world(), *more)


def record(**fields: object) -> RecordAppraisal:
    values: dict[str, object] = {
        "cycle_id": CYCLE_ID,
        "person_id": "ana",
        "rating": 4,
        "summary": "Strong pipeline work",
        **HANA,
    }
    return RecordAppraisal.model_validate({**values, **fields})


def calibrate(**fields: object) -> CalibrateRating:
    values: dict[str, object] = {
        "cycle_id": CYCLE_ID,
        "person_id": "ana",
        "rating": 3,
        "reason": "in line with the unit",
        **HANA,
    }
    return CalibrateRating.model_validate({**values, **fields})


def test_record_appraisal_by_a_reviewer_after_the_close() -> None:
    """Given the cycle closed, when hana (a reviewer) appraises ana, then AppraisalRecorded in
    ana's appraisal stream for the cycle."""
    given(closed_cycle()).when(record(occurred_at=datetime(2027, 1, 10, tzinfo=UTC))).then(
        fact(
            AppraisalRecorded,
            reviewer_id="hana",
            person_id="ana",
            cycle_id=CYCLE_ID,
            rating=4,
            summary="Strong pipeline work",
        )
    )


def test_record_appraisal_of_someone_who_left() -> None:
    """A leaver is still appraised for the cycle they worked in."""
    given(fact(PersonLeft, person_id="ana")).when(record()).then(
        fact(
            AppraisalRecorded,
            reviewer_id="hana",
            person_id="ana",
            cycle_id=CYCLE_ID,
            rating=4,
            summary="Strong pipeline work",
        )
    )


def test_record_appraisal_refuses_oneself_a_peer_a_second_one_and_an_unknown_cycle() -> None:
    """Nobody appraises themselves or a peer; an appraisal is recorded once (then calibrated);
    an unknown cycle or person is not found; a cycle that has not started has nothing yet."""
    given().when(record(person_id="hana")).then_refused(NotPermitted, "'hana' is not permitted to")
    given().when(record(actor="ben")).then_refused(NotPermitted, "'ben' is not permitted to")
    given(RECORDED).when(record()).then_refused(RuleViolated, "already recorded")
    given().when(record(cycle_id=UNKNOWN)).then_refused(NotFound, "unknown cycle")
    given().when(record(person_id="zoe")).then_refused(NotFound, "unknown person")
    given().when(record(occurred_at=datetime(2025, 12, 1, tzinfo=UTC))).then_refused(
        RuleViolated, "has not started"
    )


def test_calibrate_rating_records_the_old_and_new_rating() -> None:
    """Given ana rated 4 by max, when hana calibrates it to 3, then RatingCalibrated."""
    given(RECORDED).when(calibrate()).then(
        fact(RatingCalibrated, from_rating=4, to_rating=3, reason="in line with the unit")
    )


def test_calibrate_rating_refuses_no_appraisal_the_same_rating_and_a_manager() -> None:
    """Nothing recorded is nothing to calibrate; the rating in force changes nothing; a
    manager who is no reviewer may not calibrate."""
    given().when(calibrate()).then_refused(NotFound, "no appraisal recorded")
    given(RECORDED).when(calibrate(rating=4)).then_refused(RuleViolated, "already 4")
    given(RECORDED).when(calibrate(actor="max")).then_refused(
        NotPermitted, "'max' is not permitted to"
    )
