"""Target honesty, confidence calibration and the (descriptive) coaching effect."""

from __future__ import annotations

import pytest

from execution_core.views import (
    Outcome,
    coaching_effect,
    confidence_calibration,
    target_honesty,
)
from tests.views.scenario import CYCLE_ID, History, d, goal_id


def _adjusted_history() -> History:
    h = History()
    x = h.execution
    h.goal(1)  # lowered while behind
    h.log(1, 10, 30)
    h.log(1, 12, 60)
    x.adjust_target(
        goal_id(1), "kr", target=50, reason="too ambitious", actor="max", occurred_at=d(61)
    )
    h.log(1, 40, 90)
    h.goal(2, "ben")  # lowered while ahead
    h.log(2, 50, 30)
    x.adjust_target(
        goal_id(2), "kr", target=80, reason="budget cut", actor="max", occurred_at=d(31)
    )
    h.log(2, 90, 100)
    h.goal(3, "ben")  # raised
    h.log(3, 10, 30)
    x.adjust_target(goal_id(3), "kr", target=120, reason="stretch", actor="max", occurred_at=d(61))
    return h


def test_a_target_lowered_while_the_forecast_was_below_it_is_flagged() -> None:
    """Given a target lowered from 100 to 50 on day 61, when the forecast then (0.743 of 100) was
    below it, then the goal is flagged, and scored 0.4 against the original target and 0.8 against
    the adjusted one."""
    honesty = target_honesty(_adjusted_history().ledger(), CYCLE_ID, at=d(400))
    row = next(r for r in honesty.rows if r.goal_id == goal_id(1))
    assert (row.original_score, row.adjusted_score) == (0.4, 0.8)
    assert (row.original_outcome, row.adjusted_outcome) == (Outcome.MISSED, Outcome.MISSED)
    assert row.adjustments == 1
    (lowered,) = row.lowered_while_behind
    assert (lowered.old_target, lowered.new_target, lowered.actor) == (100, 50, "max")
    assert lowered.forecast_progress == pytest.approx(0.7433, abs=1e-4)
    assert [r.goal_id for r in honesty.flagged] == [goal_id(1)]


def test_lowering_while_ahead_and_raising_are_not_flagged() -> None:
    """Given a target lowered from 100 to 80 while the forecast was far above it, and a target
    raised, then neither is flagged; the first scores 0.9 (missed) against the original and 1.0
    (met) against the adjusted target."""
    honesty = target_honesty(_adjusted_history().ledger(), CYCLE_ID, at=d(400))
    ahead = next(r for r in honesty.rows if r.goal_id == goal_id(2))
    assert (ahead.original_score, ahead.adjusted_score) == (0.9, 1.0)
    assert (ahead.original_outcome, ahead.adjusted_outcome) == (Outcome.MISSED, Outcome.MET)
    assert not ahead.flagged
    raised = next(r for r in honesty.rows if r.goal_id == goal_id(3))
    assert not raised.flagged
    records = honesty.to_records()
    assert [r["flagged"] for r in records] == [True, False, False]


def test_confidence_calibration_per_owner() -> None:
    """Given ana 90 % then 80 % sure of a key result she met, and ben twice 90 % sure of one he
    missed, then ana's Brier score is (0.01 + 0.04) / 2 = 0.025 and ben's 0.81."""
    h = History()
    h.goal(1)
    h.log(1, 50, 30, confidence=0.9)
    h.log(1, 100, 60, confidence=0.8)
    h.goal(2, "ben")
    h.log(2, 10, 30, confidence=0.9)
    h.log(2, 20, 60, confidence=0.9)
    rows = {r.owner.id: r for r in confidence_calibration(h.ledger(), CYCLE_ID, at=d(400)).rows}
    assert rows["ana"].brier == pytest.approx(0.025)
    assert (rows["ana"].checkins, rows["ana"].hit_rate) == (2, 1.0)
    assert rows["ana"].mean_confidence == pytest.approx(0.85)
    assert rows["ben"].brier == pytest.approx(0.81)
    assert rows["ben"].hit_rate == 0.0


def test_coaching_effect_is_the_progress_slope_before_and_after() -> None:
    """Given progress 0.1 on day 14 and 0.2 on day 28, coaching at day 28.5, then 0.4 on day 42
    and 0.6 on day 56, then the slope is 0.2 / 4 = 0.05 a week in the four weeks before and
    0.4 / 4 = 0.1 after: a change of 0.05, reported as a correlation, not a cause."""
    h = History()
    h.goal(1)
    h.log(1, 10, 14)
    h.log(1, 20, 28)
    h.execution.give_coaching("ana", goal_id=goal_id(1), actor="max", occurred_at=d(28.5))
    h.log(1, 40, 42)
    h.log(1, 60, 56)
    effect = coaching_effect(h.ledger(), CYCLE_ID, at=d(100))
    (row,) = effect.rows
    assert (row.coach_id, row.person_id, row.goal_id) == ("max", "ana", goal_id(1))
    assert row.progress_at_session == 0.2
    assert row.slope_before == pytest.approx(0.05)
    assert row.slope_after == pytest.approx(0.1)
    assert row.slope_change == pytest.approx(0.05)
    assert "not an effect" in effect.note
    assert effect.to_records()[0]["slope_change"] == pytest.approx(0.05)


def test_general_coaching_is_read_against_each_goal_of_the_person_and_windows_are_cut() -> None:
    """Given general coaching of ana on day 7 with two goals, when read on day 21, then there is
    a row per goal, the window before is cut at the cycle start (1 week) and the one after at the
    instant (2 weeks)."""
    h = History()
    h.goal(1)
    h.goal(2)
    h.log(1, 10, 5)
    h.execution.give_coaching("ana", actor="max", occurred_at=d(7))
    h.log(1, 30, 14)
    rows = coaching_effect(h.ledger(), CYCLE_ID, at=d(21)).rows
    assert [r.goal_id for r in rows] == [goal_id(1), goal_id(2)]
    first = rows[0]
    assert (first.weeks_before, first.weeks_after) == (1.0, 2.0)
    assert first.slope_before == pytest.approx(0.1)
    assert first.slope_after == pytest.approx(0.1)
