"""The default formulas of the domain, as small pure functions of numbers and instants.

Every threshold comes from a :class:`~execution_core.policy.Policy`; nothing here reads a clock
or a store. Progress is in *progress units*: 0 at the baseline, 1 at the target.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from execution_core.policy import Policy

__all__ = [
    "EPSILON",
    "Health",
    "Outcome",
    "bonus_multiplier",
    "brier_score",
    "clamp01",
    "days_between",
    "expected_progress",
    "forecast_band",
    "goal_outcome",
    "health",
    "health_holds",
    "key_result_forecast",
    "key_result_outcome",
    "key_result_progress",
    "least_squares_at",
    "rating",
    "score",
    "weighted_mean",
]

EPSILON = 1e-9
"""Tolerance for "reaches 1.0" comparisons of floating-point scores."""

SECONDS_PER_DAY = 86_400.0


class Health(StrEnum):
    """How a goal looks on the live scoreboard."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NOT_STARTED = "not started"
    STALE = "stale"


class Outcome(StrEnum):
    """The agreed criteria: missed below the target, met at it, exceeded at the stretch."""

    MISSED = "missed"
    MET = "met"
    EXCEEDED = "exceeded"


def clamp01(value: float) -> float:
    """``value`` clamped to 0..1."""
    return min(1.0, max(0.0, value))


def key_result_progress(
    value: float | None, baseline: float, target: float, *, milestone: bool = False
) -> float:
    """Raw progress ``p = (value - baseline) / (target - baseline)`` (may leave 0..1).

    Works for decreasing metrics too (both differences are negative). Before any check-in
    (``value is None``) the key result is at its baseline: 0. A milestone is 1 when done, else 0.
    """
    if value is None:
        return 0.0
    if milestone:
        return 1.0 if value >= 1.0 else 0.0
    return (value - baseline) / (target - baseline)


def score(progress: float) -> float:
    """The OKR-style score of a raw progress: clamped to 0..1 (over-achievement stays in p)."""
    return clamp01(progress)


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """The mean of ``(weight, value)`` pairs by weight; None when the weights add up to 0."""
    total = 0.0
    weighted = 0.0
    for weight, value in pairs:
        total += weight
        weighted += weight * value
    if total <= 0.0:
        return None
    return weighted / total


def days_between(start: datetime, end: datetime) -> float:
    """Days (fractional) from ``start`` to ``end``; negative when ``end`` comes first."""
    return (end - start).total_seconds() / SECONDS_PER_DAY


def expected_progress(at: datetime, starts_at: datetime, ends_at: datetime) -> float:
    """The pace: the elapsed share of the cycle at ``at``, clamped to 0..1."""
    length = days_between(starts_at, ends_at)
    if length <= 0.0:
        return 1.0 if at >= ends_at else 0.0
    return clamp01(days_between(starts_at, at) / length)


def least_squares_at(points: Sequence[tuple[float, float]], x: float) -> float:
    """The least-squares line through ``(x, y)`` points, read at ``x``.

    With a single distinct abscissa the line is flat at the mean of the ordinates.
    """
    if not points:
        raise ValueError("a line needs at least one point")
    n = float(len(points))
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    spread = sum([(px - mean_x) ** 2 for px in xs])
    if spread == 0.0:
        return mean_y
    slope = sum([(px - mean_x) * (py - mean_y) for px, py in zip(xs, ys, strict=True)]) / spread
    return mean_y + slope * (x - mean_x)


def key_result_forecast(
    checkins: Sequence[tuple[float, float]],
    baseline: float,
    target: float,
    cycle_days: float,
    *,
    milestone: bool = False,
    latest_value: float | None = None,
) -> float | None:
    """The raw progress a key result is heading for at the cycle end; None before a check-in.

    ``checkins`` are ``(days since the cycle start, value)``. The baseline at the cycle start is
    the first point of the least-squares line, which is read at ``cycle_days``. A milestone is
    not a trend: its forecast is its state (1 when done, else 0), from ``latest_value``.
    """
    if not checkins:
        return None
    if milestone:
        return key_result_progress(latest_value, baseline, target, milestone=True)
    span = target - baseline
    points = [(0.0, 0.0)]
    points.extend([(x, (v - baseline) / span) for x, v in checkins])  # key_result_progress
    return least_squares_at(points, cycle_days)


def forecast_band(forecast: float | None, policy: Policy) -> Health | None:
    """Where a forecast alone puts a goal: on track, at risk or off track (None: no forecast)."""
    if forecast is None:
        return None
    if forecast >= policy.on_track:
        return Health.ON_TRACK
    if forecast >= policy.at_risk:
        return Health.AT_RISK
    return Health.OFF_TRACK


def health(
    *,
    forecast: float | None,
    last_checkin: datetime | None,
    at: datetime,
    expected: float,
    cadence_days: float,
    policy: Policy,
    active: bool = True,
) -> Health:
    """The health of a goal at ``at``.

    Not started when nothing was logged and the pace is at least ``policy.not_started_expected``
    (before that nothing is due yet: on track); stale when ``active`` (a goal still pursued in
    a running cycle) and its last check-in is older than ``policy.stale_cadences`` cadences;
    otherwise the band of its forecast.
    """
    if last_checkin is None:
        if expected >= policy.not_started_expected:
            return Health.NOT_STARTED
        return Health.ON_TRACK
    if active and at - last_checkin > _stale_span(cadence_days, policy):
        return Health.STALE
    band = forecast_band(forecast, policy)
    return Health.ON_TRACK if band is None else band


def _stale_span(cadence_days: float, policy: Policy) -> timedelta:
    """How long after its last check-in a goal still pursued is not yet stale."""
    return timedelta(days=policy.stale_cadences * cadence_days)


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)
_INSTANT = timedelta(microseconds=1)


def health_holds(
    *,
    last_checkin: datetime | None,
    at: datetime,
    expected: float,
    cadence_days: float,
    policy: Policy,
    pursued: bool,
    ends_at: datetime,
) -> tuple[datetime, datetime]:
    """The instants around ``at`` (both ends included) over which :func:`health` gives what it
    gives at ``at``, while nothing is recorded about the goal: what lets a live board keep a
    goal's view instead of reading it again at every instant.

    ``expected`` is the pace at ``at`` (the pace never falls as time moves on); ``pursued``
    whether the goal is still active, so that ``active = pursued and instant < ends_at``.
    """
    if last_checkin is None:
        if expected >= policy.not_started_expected:
            return at, _LATEST  # not started: the pace only grows
        return _EARLIEST, at
    if not pursued:
        return _EARLIEST, _LATEST  # the band of the forecast, whenever it is read
    if at >= ends_at:
        return ends_at, _LATEST
    try:
        stale = last_checkin + _stale_span(cadence_days, policy)  # the last instant not stale
    except OverflowError:
        stale = _LATEST
    if at > stale:
        return stale + _INSTANT, ends_at - _INSTANT
    return _EARLIEST, min(stale, ends_at - _INSTANT)


def key_result_outcome(
    value: float | None,
    baseline: float,
    target: float,
    stretch: float | None,
    *,
    milestone: bool = False,
) -> Outcome:
    """Missed below the target, met at it, exceeded at the stretch (when one was agreed)."""
    progress = key_result_progress(value, baseline, target, milestone=milestone)
    if value is None or progress < 1.0 - EPSILON:
        return Outcome.MISSED
    if stretch is not None and not milestone:
        stretch_progress = key_result_progress(stretch, baseline, target)
        if progress >= stretch_progress - EPSILON:
            return Outcome.EXCEEDED
    return Outcome.MET


def goal_outcome(parts: Sequence[Outcome], weighted_score: float) -> Outcome:
    """Exceeded when every part (key result or child goal) is; met when the weighted score
    reaches 1.0; else missed. A goal with no parts is missed."""
    if parts and all(part is Outcome.EXCEEDED for part in parts):
        return Outcome.EXCEEDED
    if parts and weighted_score >= 1.0 - EPSILON:
        return Outcome.MET
    return Outcome.MISSED


def rating(attainment: float, policy: Policy) -> int:
    """The computed appraisal rating (1..5) of an attainment under the policy's rubric."""
    return policy.rating_for(attainment)


def bonus_multiplier(rating_value: int, policy: Policy) -> float:
    """The bonus multiplier of a rating under the policy."""
    return policy.bonus_for(rating_value)


def brier_score(forecasts: Iterable[tuple[float, bool]]) -> float | None:
    """Mean squared gap between stated probabilities and what happened (0 is perfect, 1 worst);
    None without any forecast."""
    total = 0.0
    count = 0
    for probability, happened in forecasts:
        total += (probability - (1.0 if happened else 0.0)) ** 2
        count += 1
    return total / count if count else None
