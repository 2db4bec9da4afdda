"""Facts dated in the future beyond the facade's tolerance are refused with a typed error and
record nothing; within it, and without a tolerance, they are recorded as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from execution_core import (
    DEFAULT_FUTURE_TOLERANCE,
    DatedInTheFuture,
    Execution,
    InvalidInput,
    LogProgress,
)
from execution_core_adapters.storage.store import open_store
from tests.signals.support import GOAL
from tests.signals.test_kinds import deals_goal
from tests.support import FixedClock, day, standard_org


def _execution(
    tolerance: timedelta | None = DEFAULT_FUTURE_TOLERANCE,
) -> tuple[Execution, FixedClock]:
    clock = FixedClock(day(0))
    execution = Execution(open_store("memory://", clock=clock), future_tolerance=tolerance)
    for command in (*standard_org(), deals_goal()):
        execution.execute(command)
    return execution, clock


def _check_in(at_day: float) -> LogProgress:
    return LogProgress(
        actor="ana", occurred_at=day(at_day), goal_id=GOAL, kr_id="deals", value=1, confidence=0.5
    )


def test_a_check_in_dated_beyond_the_tolerance_is_refused_and_records_nothing() -> None:
    """With a one-day tolerance, a check-in dated 30 days ahead of the store's clock is
    DatedInTheFuture (an InvalidInput) and the store is left as it was."""
    execution, _ = _execution(timedelta(days=1))
    before = execution.store.last_position()
    with pytest.raises(DatedInTheFuture, match="ahead of the store's clock") as caught:
        execution.execute(_check_in(30))
    assert isinstance(caught.value, InvalidInput)
    assert execution.store.last_position() == before


def test_a_check_in_within_the_tolerance_is_recorded() -> None:
    """A check-in dated half a day ahead of the clock, within a one-day tolerance, is
    recorded."""
    execution, _ = _execution(timedelta(days=1))
    assert execution.execute(_check_in(0.5)).events


def test_by_default_a_fact_dated_next_year_is_refused() -> None:
    """The facade refuses by default: a check-in dated 300 days ahead of the store's clock (a
    typo for next year) is DatedInTheFuture; half a day ahead is within the default day."""
    execution, _ = _execution()
    assert timedelta(days=1) == DEFAULT_FUTURE_TOLERANCE
    with pytest.raises(DatedInTheFuture):
        execution.execute(_check_in(300))
    assert execution.execute(_check_in(0.5)).events


def test_without_a_tolerance_any_date_is_recorded() -> None:
    """A facade told ``future_tolerance=None`` (replaying a history recorded so) records a fact
    dated a year ahead."""
    execution, _ = _execution(None)
    assert execution.execute(_check_in(300)).events


def test_a_negative_tolerance_is_refused() -> None:
    """A negative tolerance is InvalidInput when the facade is built."""
    with pytest.raises(InvalidInput):
        Execution(open_store("memory://"), future_tolerance=timedelta(days=-1))


def test_the_largest_tolerance_records_as_none_does() -> None:
    """A tolerance of timedelta.max (accepted when the facade is built) records a fact dated a
    year ahead, as None does: the check does not overflow at the store's clock plus it."""
    execution, _ = _execution(timedelta.max)
    assert execution.execute(_check_in(300)).events
