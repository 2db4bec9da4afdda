"""The default formulas of domain.md, worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core import Policy
from execution_core.views import formulas as f
from execution_core.views.formulas import Health, Outcome

START = datetime(2026, 1, 1, tzinfo=UTC)
END = START + timedelta(days=365)


def test_progress_of_an_increasing_metric() -> None:
    """Given baseline 20 and target 70, when the value is 45, then p = 25 / 50 = 0.5."""
    assert f.key_result_progress(45, 20, 70) == 0.5


def test_progress_of_a_decreasing_metric() -> None:
    """Given churn from 10 % down to 4 %, when it is 7 %, then p = (7 - 10) / (4 - 10) = 0.5."""
    assert f.key_result_progress(7, 10, 4) == 0.5


def test_a_decreasing_metric_that_got_worse_has_negative_progress_and_score_zero() -> None:
    """Given churn from 10 down to 4, when it rises to 13, then p = -0.5 and the score is 0."""
    p = f.key_result_progress(13, 10, 4)
    assert p == -0.5
    assert f.score(p) == 0.0


def test_an_over_achiever_keeps_raw_progress_and_scores_one() -> None:
    """Given target 100 from 0, when the value is 150, then p = 1.5 is kept and the score is 1."""
    p = f.key_result_progress(150, 0, 100)
    assert p == 1.5
    assert f.score(p) == 1.0


def test_a_milestone_is_zero_or_one() -> None:
    """Given a milestone, when it is not done, done, or never logged, then p is 0, 1 and 0."""
    assert f.key_result_progress(0.0, 0, 1, milestone=True) == 0.0
    assert f.key_result_progress(1.0, 0, 1, milestone=True) == 1.0
    assert f.key_result_progress(None, 0, 1, milestone=True) == 0.0


def test_expected_progress_is_the_elapsed_share_clamped() -> None:
    """Given a 365-day cycle, when 73 days passed, then 0.2 is expected; before and after the
    cycle, 0 and 1."""
    assert f.expected_progress(START + timedelta(days=73), START, END) == pytest.approx(0.2)
    assert f.expected_progress(START - timedelta(days=3), START, END) == 0.0
    assert f.expected_progress(END + timedelta(days=3), START, END) == 1.0


def test_weighted_mean() -> None:
    """Given scores 0.5 (weight 3) and 1.0 (weight 1), then their weighted mean is 2.5 / 4."""
    assert f.weighted_mean([(3, 0.5), (1, 1.0)]) == 0.625
    assert f.weighted_mean([]) is None


def test_least_squares_line_read_at_the_cycle_end() -> None:
    """Given points (0, 0), (73, 0.3), (146, 0.3), then the least-squares line has mean
    (73, 0.2) and slope 0.15 / 73, so at day 365 it reads 0.2 + 0.15 * 4 = 0.8."""
    assert f.least_squares_at([(0, 0), (73, 0.3), (146, 0.3)], 365) == pytest.approx(0.8)


def test_a_line_through_one_abscissa_is_flat() -> None:
    """Given two points at the same x, then the line is flat at their mean."""
    assert f.least_squares_at([(0, 0.0), (0, 0.4)], 365) == pytest.approx(0.2)


def test_forecast_starts_from_the_baseline_at_the_cycle_start() -> None:
    """Given a decreasing metric 10 -> 4 at 8.2 on days 73 and 146, then the forecast is the line
    through (0, 0), (73, 0.3), (146, 0.3) read at day 365: 0.8."""
    forecast = f.key_result_forecast([(73, 8.2), (146, 8.2)], 10, 4, 365)
    assert forecast == pytest.approx(0.8)


def test_forecast_of_a_milestone_is_its_state() -> None:
    """Given a milestone, then its forecast is 1 once done and 0 before; None before any log."""
    assert f.key_result_forecast([(30, 0.0)], 0, 1, 365, milestone=True, latest_value=0.0) == 0
    assert f.key_result_forecast([(60, 1.0)], 0, 1, 365, milestone=True, latest_value=1.0) == 1
    assert f.key_result_forecast([], 0, 1, 365, milestone=True) is None


@pytest.mark.parametrize(
    ("forecast", "health"),
    [
        (0.95, Health.ON_TRACK),
        (0.9, Health.ON_TRACK),
        (0.8, Health.AT_RISK),
        (0.7, Health.AT_RISK),
        (0.69, Health.OFF_TRACK),
    ],
)
def test_health_bands_of_the_default_policy(forecast: float, health: Health) -> None:
    """Given a fresh check-in, then the forecast decides: >= 0.9 on track, >= 0.7 at risk."""
    now = START + timedelta(days=100)
    assert (
        f.health(
            forecast=forecast,
            last_checkin=now,
            at=now,
            expected=0.27,
            cadence_days=7,
            policy=Policy(),
        )
        is health
    )


def _health(
    *,
    at: datetime,
    expected: float = 0.5,
    forecast: float | None = 1.0,
    last: datetime | None = None,
    active: bool = True,
) -> Health:
    return f.health(
        forecast=forecast,
        last_checkin=last,
        at=at,
        expected=expected,
        cadence_days=7,
        policy=Policy(),
        active=active,
    )


def test_not_started_once_a_tenth_of_the_cycle_passed_with_nothing_logged() -> None:
    """Given nothing logged, then below 0.1 expected nothing is due (on track) and from 0.1 on
    the goal is not started."""
    assert _health(at=START, expected=0.099, forecast=None) is Health.ON_TRACK
    assert _health(at=START, expected=0.1, forecast=None) is Health.NOT_STARTED


def test_stale_when_the_last_check_in_is_older_than_two_cadences() -> None:
    """Given a weekly cadence, then 14 days after the last check-in the goal is not yet stale and
    a second later it is; a goal no longer pursued is never stale."""
    last = START + timedelta(days=10)
    at = last + timedelta(days=14)
    assert _health(at=at, last=last) is Health.ON_TRACK
    later = at + timedelta(seconds=1)
    assert _health(at=later, last=last) is Health.STALE
    assert _health(at=later, last=last, active=False) is Health.ON_TRACK


_INSTANTS = st.integers(min_value=-10 * 86_400_000_000, max_value=400 * 86_400_000_000).map(
    lambda micros: START + timedelta(microseconds=micros)
)


@given(
    last=st.none() | _INSTANTS,
    at=_INSTANTS,
    other=_INSTANTS,
    forecast=st.none() | st.floats(min_value=-1.0, max_value=2.0),
    cadence_days=st.integers(min_value=1, max_value=60),
    pursued=st.booleans(),
)
def test_health_holds_over_the_instants_it_names(
    *,
    last: datetime | None,
    at: datetime,
    other: datetime,
    forecast: float | None,
    cadence_days: int,
    pursued: bool,
) -> None:
    """Property: at any instant inside the span ``health_holds`` gives for ``at``, the health is
    the health at ``at``, each read with the pace of its own instant. Oracle: ``health`` itself,
    read at both instants (the span is what lets a live board keep a goal's view)."""
    policy = Policy()

    def health_at(instant: datetime) -> Health:
        return f.health(
            forecast=forecast,
            last_checkin=last,
            at=instant,
            expected=f.expected_progress(instant, START, END),
            cadence_days=cadence_days,
            policy=policy,
            active=pursued and instant < END,
        )

    since, until = f.health_holds(
        last_checkin=last,
        at=at,
        expected=f.expected_progress(at, START, END),
        cadence_days=cadence_days,
        policy=policy,
        pursued=pursued,
        ends_at=END,
    )
    assert since <= at <= until
    for instant in (other, since, until, at):
        if since <= instant <= until:
            assert health_at(instant) is health_at(at)


def test_outcome_missed_met_exceeded() -> None:
    """Given target 100 and stretch 120, then 99 is missed, 100 met and 120 exceeded; a
    decreasing metric 10 -> 4 with stretch 3 is exceeded at 3."""
    assert f.key_result_outcome(99, 0, 100, 120) is Outcome.MISSED
    assert f.key_result_outcome(100, 0, 100, 120) is Outcome.MET
    assert f.key_result_outcome(120, 0, 100, 120) is Outcome.EXCEEDED
    assert f.key_result_outcome(200, 0, 100, None) is Outcome.MET
    assert f.key_result_outcome(3, 10, 4, 3) is Outcome.EXCEEDED
    assert f.key_result_outcome(None, 0, 100, None) is Outcome.MISSED


def test_goal_outcome() -> None:
    """Given its parts, then a goal is exceeded when all are, met at a weighted score of 1, else
    missed."""
    assert f.goal_outcome([Outcome.EXCEEDED, Outcome.EXCEEDED], 1.0) is Outcome.EXCEEDED
    assert f.goal_outcome([Outcome.EXCEEDED, Outcome.MET], 1.0) is Outcome.MET
    assert f.goal_outcome([Outcome.EXCEEDED, Outcome.MISSED], 0.9) is Outcome.MISSED
    assert f.goal_outcome([], 0.0) is Outcome.MISSED


@pytest.mark.parametrize(
    ("attainment", "rating", "bonus"),
    [(1.2, 5, 1.5), (1.0, 5, 1.5), (0.85, 4, 1.2), (0.7, 3, 1.0), (0.5, 2, 0.5), (0.49, 1, 0.0)],
)
def test_rubric_and_bonus(attainment: float, rating: int, bonus: float) -> None:
    """Given the default rubric, then attainment maps to a rating and the rating to a bonus."""
    assert f.rating(attainment, Policy()) == rating
    assert f.bonus_multiplier(rating, Policy()) == bonus


def test_brier_score() -> None:
    """Given confidences 0.9 and 0.8 on a key result that was met, then the Brier score is
    (0.01 + 0.04) / 2 = 0.025; always 90 % sure and always missing scores 0.81."""
    assert f.brier_score([(0.9, True), (0.8, True)]) == pytest.approx(0.025)
    assert f.brier_score([(0.9, False), (0.9, False)]) == pytest.approx(0.81)
    assert f.brier_score([]) is None
