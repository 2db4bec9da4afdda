"""Appraisal commands: the rating a reviewer records for a person and cycle, and calibration."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    CalibrateRating,
    CloseCycle,
    Command,
    NotFound,
    NotPermitted,
    OpenCycle,
    RecordAppraisal,
    RemovePerson,
    RuleViolated,
)
from execution_core.events import AppraisalRecorded, RatingCalibrated
from execution_core.ids import appraisal_stream_id
from tests.support import CYCLE_ID, Spec, day
from tests.unit import DROP, NAIVE, json_of, make, only_payload, then_invalid

UNKNOWN_CYCLE = UUID("00000000-0000-4000-8000-0000000000ee")
LATER = UUID("00000000-0000-4000-8000-0000000000c3")
"""A cycle that starts on March 1, 2026."""

# -- commands with valid defaults on the standard org (hana, a reviewer, appraises ana) ---------


def record_appraisal(**fields: Any) -> RecordAppraisal:
    at = {"actor": "hana", "occurred_at": day(30)}
    return make(
        RecordAppraisal,
        {**at, **fields},
        cycle_id=CYCLE_ID,
        person_id="ana",
        rating=4,
        summary="Strong pipeline work",
    )


def calibrate_rating(**fields: Any) -> CalibrateRating:
    at = {"actor": "hana", "occurred_at": day(40)}
    return make(
        CalibrateRating,
        {**at, **fields},
        cycle_id=CYCLE_ID,
        person_id="ana",
        rating=3,
        reason="in line with the unit",
    )


def later_cycle() -> OpenCycle:
    return make(
        OpenCycle,
        {},
        cycle_id=LATER,
        name="Spring",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 5, 31),
    )


EVERY_COMMAND = [record_appraisal(), calibrate_rating()]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when an appraisal command has a naive time, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
@pytest.mark.parametrize("rating", [0, 6, -1, 3.5, "3", True, None])
def test_a_rating_off_the_scale_is_invalid_input(
    org_spec: Spec, command: Command, rating: object
) -> None:
    """Given the scale 1..5, when a rating off it (or not an integer) arrives, then InvalidInput."""
    then_invalid(org_spec, json_of(command, rating=rating), "rating")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_appraisal_of_an_unknown_person_is_refused(org_spec: Spec, command: Command) -> None:
    """Given no person zoe, when zoe is appraised or calibrated, then NotFound."""
    org_spec.then_refused(command.model_copy(update={"person_id": "zoe"}), NotFound, "zoe")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_appraisal_in_an_unknown_cycle_is_refused(org_spec: Spec, command: Command) -> None:
    """Given no such cycle, when ana is appraised or calibrated in it, then NotFound."""
    unknown = command.model_copy(update={"cycle_id": UNKNOWN_CYCLE})
    org_spec.then_refused(unknown, NotFound, "unknown cycle")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_appraisal_before_the_cycle_starts_is_refused(org_spec: Spec, command: Command) -> None:
    """Given a cycle starting March 1, when ana is appraised in it in January, then RuleViolated."""
    org_spec.given(later_cycle())
    early = command.model_copy(update={"cycle_id": LATER})
    org_spec.then_refused(early, RuleViolated, "has not started")


# -- RecordAppraisal ---------------------------------------------------------------------------


def test_record_appraisal_records_the_reviewer_and_rating(org_spec: Spec) -> None:
    """Given hana is a reviewer, when she rates ana 4, then AppraisalRecorded is recorded."""
    events = org_spec.when(record_appraisal())
    assert only_payload(events, AppraisalRecorded) == {
        "reviewer_id": "hana",
        "person_id": "ana",
        "cycle_id": CYCLE_ID,
        "rating": 4,
        "summary": "Strong pipeline work",
    }
    assert events[0].stream_id == appraisal_stream_id(CYCLE_ID, "ana")
    assert org_spec.execution.appraisal(CYCLE_ID, "ana").rating == 4


def test_record_appraisal_by_the_persons_manager(org_spec: Spec) -> None:
    """Given ana reports to max, when max rates her 5, then max is recorded as the reviewer."""
    events = org_spec.when(record_appraisal(actor="max", rating=5))
    assert only_payload(events, AppraisalRecorded)["reviewer_id"] == "max"


def test_record_appraisal_after_the_cycle_closed(org_spec: Spec) -> None:
    """Given the cycle closed on day 20, when hana appraises ana on day 30, then it is recorded."""
    org_spec.given(make(CloseCycle, {"occurred_at": day(20)}, cycle_id=CYCLE_ID))
    events = org_spec.when(record_appraisal())
    assert [type(e) for e in events] == [AppraisalRecorded]


def test_record_appraisal_of_a_person_who_left(org_spec: Spec) -> None:
    """Given ben left, when max appraises ben, then the appraisal is recorded."""
    org_spec.given(make(RemovePerson, {"occurred_at": day(20)}, person_id="ben"))
    events = org_spec.when(record_appraisal(actor="max", person_id="ben", rating=2))
    assert only_payload(events, AppraisalRecorded)["person_id"] == "ben"


def test_record_appraisal_refuses_an_appraisal_of_oneself(org_spec: Spec) -> None:
    """Given hana is a reviewer and HR, when she appraises herself, then NotPermitted."""
    org_spec.then_refused(record_appraisal(person_id="hana"), NotPermitted)


@pytest.mark.parametrize(
    "actor", ["ben", "cora", "system"], ids=["a peer", "a colleague", "the hr system"]
)
def test_record_appraisal_refuses_someone_neither_manager_reviewer_nor_hr(
    org_spec: Spec, actor: str
) -> None:
    """Given ben, cora and the HR system hold no appraisal right over ana, when they rate her, then
    NotPermitted."""
    org_spec.then_refused(record_appraisal(actor=actor), NotPermitted)


def test_record_appraisal_refuses_a_second_appraisal(org_spec: Spec) -> None:
    """Given ana's appraisal was recorded, when another is recorded, then RuleViolated (calibrate
    it)."""
    org_spec.given(record_appraisal())
    org_spec.then_refused(record_appraisal(actor="max", rating=5), RuleViolated, "calibrate")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": "x" * 10_001}, "summary"),
        ({"cycle_id": DROP}, "cycle_id"),
        ({"person_id": "a b"}, "person_id"),
        ({"rating": DROP}, "rating"),
    ],
)
def test_record_appraisal_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when RecordAppraisal arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(record_appraisal(), **changes), field)


# -- CalibrateRating ---------------------------------------------------------------------------


def test_calibrate_rating_records_from_and_to(org_spec: Spec) -> None:
    """Given ana was rated 4, when hana calibrates to 3, then RatingCalibrated records 4 to 3 and
    why."""
    org_spec.given(record_appraisal())
    events = org_spec.when(calibrate_rating())
    assert only_payload(events, RatingCalibrated) == {
        "from_rating": 4,
        "to_rating": 3,
        "reason": "in line with the unit",
    }
    appraisal = org_spec.execution.appraisal(CYCLE_ID, "ana")
    assert (appraisal.recorded_rating, appraisal.rating) == (4, 3)


def test_calibrate_rating_again_starts_from_the_calibrated_rating(org_spec: Spec) -> None:
    """Given ana was rated 4 and calibrated to 3, when calibrated to 2, then the change is from
    3."""
    org_spec.given(record_appraisal(), calibrate_rating())
    events = org_spec.when(calibrate_rating(rating=2))
    assert only_payload(events, RatingCalibrated)["from_rating"] == 3


def test_calibrate_rating_refuses_when_nothing_was_recorded(org_spec: Spec) -> None:
    """Given no appraisal of ana, when hana calibrates her rating, then NotFound."""
    org_spec.then_refused(calibrate_rating(), NotFound, "no appraisal recorded")


def test_calibrate_rating_refuses_the_rating_that_stands(org_spec: Spec) -> None:
    """Given ana was rated 4, when her rating is calibrated to 4, then RuleViolated."""
    org_spec.given(record_appraisal())
    org_spec.then_refused(calibrate_rating(rating=4), RuleViolated, "already 4")


def test_calibrate_rating_refuses_the_persons_manager(org_spec: Spec) -> None:
    """Given max manages ana but is no reviewer, when max calibrates her rating, then
    NotPermitted."""
    org_spec.given(record_appraisal())
    org_spec.then_refused(calibrate_rating(actor="max"), NotPermitted)


def test_calibrate_rating_refuses_calibrating_oneself(org_spec: Spec) -> None:
    """Given cleo rated hana, when hana (reviewer and HR) calibrates her own rating, then
    NotPermitted."""
    org_spec.given(record_appraisal(actor="cleo", person_id="hana"))
    org_spec.then_refused(calibrate_rating(person_id="hana", rating=5), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": DROP}, "reason"),
        ({"reason": "x" * 10_001}, "reason"),
        ({"cycle_id": "2026"}, "cycle_id"),
    ],
)
def test_calibrate_rating_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when CalibrateRating arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(calibrate_rating(), **changes), field)
