"""What the library accepts: every value a command takes is bounded in the command's schema.

Each case of issue 12 is refused with a typed error that records nothing, through the facade
(``Execution.log_progress(...)``) and through JSON (``Execution.execute(text)``), and each bound
is published in the command's JSON schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    Execution,
    ExecutionError,
    InvalidInput,
    LogProgress,
    OpenCycle,
    Policy,
    SetGoal,
)
from execution_core import views as v
from execution_core.command import COMMANDS
from execution_core.views import Ledger
from tests.support import CYCLE_ID, T0, Spec, seed_deals_goal

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000a1")
AT = T0 + timedelta(days=1)
AT_JSON = AT.isoformat()
LATEST = date(2999, 12, 31)
"""The last day a date may name."""


@pytest.fixture
def execution() -> Iterator[Execution]:
    """The standard organization and ana's goal ``deals`` (baseline 0, target 10)."""
    spec = Spec()
    seed_deals_goal(spec.execution, GOAL_ID)
    yield spec.execution
    spec.execution.close()


def refused(execution: Execution, attempt: Callable[[], object]) -> ExecutionError:
    """The attempt raises InvalidInput and the store is left exactly as it was."""
    before = execution.store.last_position()
    with pytest.raises(InvalidInput) as caught:
        attempt()
    assert execution.store.last_position() == before, "a refused command recorded events"
    return caught.value


def refused_json(execution: Execution, request: dict[str, Any]) -> ExecutionError:
    """The JSON text of the request is refused with InvalidInput and records nothing."""
    text = json.dumps({"occurred_at": AT_JSON, **request}, allow_nan=True)
    return refused(execution, lambda: execution.execute(text))


def progress(**changes: Any) -> dict[str, Any]:
    """A valid check-in on ana's ``deals`` as JSON, with some fields changed."""
    base = {"type": "LogProgress", "actor": "ana", "goal_id": str(GOAL_ID), "kr_id": "deals"}
    return {**base, "value": 4, "confidence": 0.5, **changes}


def open_cycle_json(**changes: Any) -> dict[str, Any]:
    """A valid OpenCycle as JSON, with some fields changed."""
    base = {"type": "OpenCycle", "actor": "cleo", "name": "H2", "starts_on": "2026-07-01"}
    return {**base, "ends_on": "2026-12-31", **changes}


# -- dates and times ------------------------------------------------------------------------------


def test_an_open_ended_cycle_end_of_9999_is_refused(execution: Execution) -> None:
    """A cycle ending on 9999-12-31 is refused (the views count to the midnight after it)."""
    error = refused(
        execution,
        lambda: execution.open_cycle(
            "Forever", date(2026, 7, 1), date(9999, 12, 31), actor="cleo", occurred_at=AT
        ),
    )
    assert "2999-12-31" in str(error)
    refused_json(execution, open_cycle_json(ends_on="9999-12-31"))


def test_a_cycle_ending_on_the_last_accepted_day_takes_check_ins_and_builds_every_view() -> None:
    """A cycle ending on 2999-12-31 takes a check-in, and its scoreboard builds at its end."""
    spec = Spec()
    seed_deals_goal(spec.execution, GOAL_ID)
    ex = spec.execution
    cycle = ex.open_cycle("Long", date(2026, 1, 1), LATEST, actor="cleo", occurred_at=AT)
    assert cycle.id is not None
    goal = ex.set_goal(
        cycle.id,
        "Long game",
        "ana",
        key_results=[{"kr_id": "k", "name": "K"}],
        actor="max",
        occurred_at=AT,
    )
    assert goal.id is not None
    ex.log_progress(goal.id, "k", value=0.5, confidence=0.5, actor="ana", occurred_at=AT)
    ledger = Ledger.of(ex.history())
    end = ledger.cycles[cycle.id].ends_at
    assert end == datetime(3000, 1, 1, tzinfo=UTC)
    assert v.scoreboard(ledger, cycle.id, at=end + timedelta(days=1)).rows


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1899-12-31T23:59:59+00:00",
        "1900-01-01T00:00:00+01:00",
        "3000-01-01T00:00:00+00:00",
    ],
)
def test_a_business_time_outside_1900_to_2999_utc_is_refused(
    execution: Execution, moment: str
) -> None:
    """An occurred_at outside 1900-01-01..2999-12-31 in UTC is refused before any conversion
    (so no offset can overflow it)."""
    refused_json(execution, progress(occurred_at=moment))


def test_a_far_business_time_through_the_facade_is_refused(execution: Execution) -> None:
    """The facade refuses a 9999 occurred_at as InvalidInput, not as an OverflowError."""
    far = datetime(9999, 12, 31, 23, tzinfo=UTC)
    refused(
        execution,
        lambda: execution.log_progress(
            GOAL_ID, "deals", value=4, confidence=0.5, actor="ana", occurred_at=far
        ),
    )


# -- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("person_id", ["a\x00b", "a\x1b[2J\x1b[31mred", "r\u202eevil", "\u2066x"])
def test_a_person_id_with_a_control_or_bidi_character_is_refused(
    execution: Execution, person_id: str
) -> None:
    """NUL, terminal escapes and bidi overrides or isolates in a person id are refused."""
    refused(
        execution,
        lambda: execution.add_person(person_id, "Eve", "sales", actor="system", occurred_at=AT),
    )
    request = {"type": "AddPerson", "actor": "system", "person_id": person_id}
    refused_json(execution, {**request, "name": "Eve", "unit_id": "sales"})


def test_a_nul_in_a_goal_title_is_refused(execution: Execution) -> None:
    """A NUL in a goal title is refused (PostgreSQL text cannot hold it)."""
    refused(
        execution,
        lambda: execution.set_goal(CYCLE_ID, "Dea\x00ls", "ana", actor="max", occurred_at=AT),
    )
    request = {"type": "SetGoal", "actor": "max", "cycle_id": str(CYCLE_ID)}
    refused_json(execution, {**request, "title": "Dea\x00ls", "owner": {"id": "ana"}})


@pytest.mark.parametrize(
    "comment", ["a\x00b", "tab\there", "cr\rreturn", "a\u2028b", "r\u202eevil"]
)
def test_a_comment_with_a_nul_a_control_or_a_format_character_is_refused(
    execution: Execution, comment: str
) -> None:
    """A comment holding NUL, a control character other than a line feed, a line separator
    or a bidi override is refused."""
    refused(
        execution,
        lambda: execution.log_progress(
            GOAL_ID, "deals", value=4, confidence=0.5, comment=comment, actor="ana", occurred_at=AT
        ),
    )
    refused_json(execution, progress(comment=comment))


def test_a_comment_keeps_its_line_feeds_and_a_title_may_not_hold_one(execution: Execution) -> None:
    """Free text may span lines; a name (a goal title) is one line."""
    execution.log_progress(
        GOAL_ID, "deals", value=4, confidence=0.5, comment="one\ntwo", actor="ana", occurred_at=AT
    )
    assert execution.goal(GOAL_ID).key_results["deals"].value == 4
    refused(
        execution,
        lambda: execution.set_goal(CYCLE_ID, "one\ntwo", "ana", actor="max", occurred_at=AT),
    )


# -- numbers --------------------------------------------------------------------------------------


def test_a_key_result_spanning_the_whole_float_range_is_refused(execution: Execution) -> None:
    """baseline -1.7e308 and target 1.7e308 are refused (their gap overflows to infinity)."""
    kr = {"kr_id": "huge", "name": "Huge", "baseline": -1.7e308, "target": 1.7e308}
    refused(
        execution,
        lambda: execution.set_goal(
            CYCLE_ID, "Huge", "ana", key_results=[kr], actor="max", occurred_at=AT
        ),
    )
    request = {"type": "SetGoal", "actor": "max", "cycle_id": str(CYCLE_ID), "title": "Huge"}
    refused_json(execution, {**request, "owner": {"id": "ana"}, "key_results": [kr]})


@pytest.mark.parametrize("target", [5e-324, 1e-7])
def test_a_target_closer_to_its_baseline_than_the_minimum_gap_is_refused(
    execution: Execution, target: float
) -> None:
    """A target within 1e-6 of its baseline is refused, as setting and as an adjustment, so
    progress (which divides by the gap) stays finite."""
    kr = {"kr_id": "tiny", "name": "Tiny", "baseline": 0, "target": target}
    error = refused(
        execution,
        lambda: execution.add_key_result(GOAL_ID, kr, actor="max", occurred_at=AT),
    )
    assert "no gap to close" in str(error)
    before = execution.store.last_position()
    with pytest.raises(ExecutionError, match="no gap to close"):
        execution.adjust_target(
            GOAL_ID, "deals", target=target, reason="Smaller", actor="max", occurred_at=AT
        )
    assert execution.store.last_position() == before


@pytest.mark.parametrize("value", [1e308, -1.7e308, 1e12 * 1.0000001, 10**20])
def test_a_check_in_value_beyond_1e12_is_refused(execution: Execution, value: float) -> None:
    """A check-in value beyond plus or minus 10^12 is refused (progress stays finite)."""
    refused(
        execution,
        lambda: execution.log_progress(
            GOAL_ID, "deals", value=value, confidence=0.5, actor="ana", occurred_at=AT
        ),
    )
    refused_json(execution, progress(value=value))


@pytest.mark.parametrize("value", ["3", True, False])
def test_a_check_in_value_given_as_a_string_or_a_bool_is_refused(
    execution: Execution, value: object
) -> None:
    """``value="3"`` and ``value=True`` are refused, not coerced."""
    refused(
        execution,
        lambda: execution.log_progress(
            GOAL_ID,
            "deals",
            value=value,  # type: ignore[arg-type]
            confidence=0.5,
            actor="ana",
            occurred_at=AT,
        ),
    )
    refused_json(execution, progress(value=value))


@pytest.mark.parametrize("confidence", ["0.5", True, float("nan")])
def test_a_confidence_given_as_a_string_a_bool_or_nan_is_refused(
    execution: Execution, confidence: object
) -> None:
    """A confidence must be a number from 0 to 1: no string, bool or NaN."""
    refused_json(execution, progress(confidence=confidence))


def test_an_integer_check_in_value_is_still_a_number(execution: Execution) -> None:
    """An int is a fine measure, through the facade and JSON."""
    execution.execute(json.dumps({"occurred_at": AT_JSON, **progress(value=7)}))
    assert execution.goal(GOAL_ID).key_results["deals"].value == 7


@pytest.mark.parametrize(
    "policy",
    [
        {"coaching_windows_days": [14, 10**9]},
        {"coaching_windows_days": [1.5, 30]},
        {"stale_cadences": 1e308},
        {"on_track": True},
        {"bonus_multipliers": [0, 0.5, 1, 1.2, 1e308]},
    ],
)
def test_a_policy_whose_days_or_factors_would_overflow_is_refused(
    execution: Execution, policy: dict[str, Any]
) -> None:
    """Policy day counts and factors are bounded (a huge window overflows ``timedelta``)."""
    refused_json(execution, open_cycle_json(policy=policy))


def test_a_policy_or_cadence_out_of_range_is_refused_through_the_facade(
    execution: Execution,
) -> None:
    """A Policy with a huge window cannot be built; one with a rating floor beyond 100, or a
    cadence of a million days, is refused by the facade as InvalidInput."""
    with pytest.raises(ValueError, match="coaching windows"):
        Policy(coaching_windows_days=(14, 10**9))
    steep = Policy(rating_floors=(0.5, 0.7, 0.85, 1_000.0))
    refused(
        execution, lambda: execution.adopt_policy(CYCLE_ID, steep, actor="hana", occurred_at=AT)
    )
    refused(
        execution,
        lambda: execution.open_cycle(
            "H2",
            date(2026, 7, 1),
            date(2026, 12, 31),
            cadence_days=10**6,
            actor="cleo",
            occurred_at=AT,
        ),
    )


# -- the schema says it ---------------------------------------------------------------------------


def _property(command: str, name: str) -> dict[str, Any]:
    schema = COMMANDS[command].model_json_schema()
    prop: dict[str, Any] = schema["properties"][name]
    return prop


def test_every_bound_appears_in_the_commands_json_schemas() -> None:
    """The bounds are published in the JSON schemas: measure and confidence ranges, the date
    and time range, the id and text patterns, day counts and the policy's windows."""
    value = _property("LogProgress", "value")
    assert (value["minimum"], value["maximum"]) == (-1e12, 1e12)
    confidence = _property("LogProgress", "confidence")
    assert (confidence["minimum"], confidence["maximum"]) == (0.0, 1.0)
    assert _property("OpenCycle", "ends_on")["formatMaximum"] == "2999-12-31"
    assert _property("OpenCycle", "starts_on")["formatMinimum"] == "1900-01-01"
    occurred = _property("LogProgress", "occurred_at")
    assert occurred["formatMaximum"] == "2999-12-31T23:59:59.999999Z"
    assert "\\u2028-\\u202e" in _property("AddPerson", "person_id")["pattern"]
    assert "\\x00" in _property("LogProgress", "comment")["pattern"]
    assert _property("OpenCycle", "cadence_days")["maximum"] == 366
    spec = OpenCycle.model_json_schema()["$defs"]["PolicySpec"]["properties"]
    assert spec["coaching_windows_days"]["prefixItems"][1]["maximum"] == 366
    assert spec["stale_cadences"]["maximum"] == 100
    key_result = SetGoal.model_json_schema()["$defs"]["KeyResultSpec"]
    assert "1e-6" in key_result["description"]
    assert key_result["properties"]["target"]["maximum"] == 1e12


def test_the_schema_refuses_what_a_command_refuses() -> None:
    """The LogProgress model refuses 1e308 and "3" as its schema says, without a store."""
    for value in (1e308, "3"):
        with pytest.raises(ValueError, match="value"):
            LogProgress(
                actor="ana",
                occurred_at=AT,
                goal_id=GOAL_ID,
                kr_id="deals",
                value=value,
                confidence=0.5,
            )


# -- strict types beyond numbers ------------------------------------------------------------------


@pytest.mark.parametrize("milestone", [1, "true", "yes"])
def test_a_milestone_flag_given_as_a_number_or_a_string_is_refused(
    execution: Execution, milestone: object
) -> None:
    """``milestone`` is a JSON boolean: 1, "true" or "yes" is refused, not coerced."""
    key_result = {"kr_id": "launch", "name": "Launch", "milestone": milestone}
    refused(
        execution,
        lambda: execution.add_key_result(GOAL_ID, key_result, actor="max", occurred_at=AT),
    )
    request = {"type": "AddKeyResult", "actor": "max", "goal_id": str(GOAL_ID)}
    refused_json(execution, {**request, "key_result": key_result})


@pytest.mark.parametrize("when", [0, 1_700_000_000, 1.5e9, True])
def test_a_date_or_a_business_time_given_as_a_number_is_refused(
    execution: Execution, when: object
) -> None:
    """A number is not a date or a time (pydantic would read it as a Unix timestamp)."""
    refused_json(execution, open_cycle_json(ends_on=when))
    refused_json(execution, progress(occurred_at=when))
    refused(
        execution,
        lambda: execution.open_cycle(
            "H2",
            date(2026, 7, 1),
            when,  # type: ignore[arg-type]
            actor="cleo",
            occurred_at=AT,
        ),
    )
