"""The policy values signals and the forecast rule add read old events the same: a stored
policy without them decodes to their defaults, strictly and on the trusted path alike."""

from __future__ import annotations

import json
from uuid import UUID

import pytest

from execution_core import Policy
from execution_core.events import PolicyAdopted
from execution_core_adapters.storage.codec import decode_event, encode_event
from tests.support import T0

NEW_FIELDS = (
    "checkin_grace_days",
    "uncoached_days",
    "forecast_min_checkins",
    "forecast_min_elapsed",
)
CYCLE = UUID("00000000-0000-4000-8000-000000000001")


def _stored_before_the_fields(event: PolicyAdopted) -> tuple[str, bytes]:
    name, data = encode_event(event)
    payload = json.loads(data)
    for field in NEW_FIELDS:
        del payload["policy"][field]
    return name, json.dumps(payload).encode()


@pytest.mark.parametrize("strict", [False, True])
def test_a_policy_stored_before_the_new_fields_reads_with_their_defaults(strict: bool) -> None:
    """A PolicyAdopted stored without the four new policy values decodes to a policy with
    their defaults, equal to the event as written today."""
    adopted = PolicyAdopted(
        stream_id=CYCLE,
        version=2,
        actor="cleo",
        occurred_at=T0,
        recorded_at=T0,
        policy=Policy(on_track=0.85),
    )
    name, data = _stored_before_the_fields(adopted)
    assert decode_event(name, CYCLE, adopted.version, data, strict=strict) == adopted


def test_the_new_values_have_todays_meaning_by_default() -> None:
    """By default a check-in is overdue three days after it falls due, an at-risk goal is
    flagged after seven days without coaching, and a forecast counts from the first check-in."""
    policy = Policy()
    assert [getattr(policy, field) for field in NEW_FIELDS] == [3, 7, 1, 0.0]


@pytest.mark.parametrize(
    "values",
    [
        {"checkin_grace_days": -1},
        {"uncoached_days": 0},
        {"forecast_min_checkins": 0},
        {"forecast_min_elapsed": 1.5},
    ],
)
def test_out_of_range_values_are_refused(values: dict[str, float]) -> None:
    """A grace below 0 days, an uncoached period below a day, a forecast needing no check-in
    or more than the whole cycle is refused."""
    with pytest.raises(ValueError, match=r"\w"):
        Policy(**values)  # type: ignore[arg-type]
