"""The thresholds and rubric in force: one value, adopted by a cycle as an event.

Every number a view or an appraisal uses lives here, so old results can always be recomputed
under the rules of their time, and a caller can evaluate the same history under another policy.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import attrs
from pydantic import Field, Strict

from execution_core.command import MAX_DAYS, Days, Share

__all__ = ["RATINGS", "Policy"]

RATINGS = (1, 2, 3, 4, 5)
"""The appraisal scale."""


MAX_CADENCES = 100.0
"""The most cadences a check-in may be late before a goal is stale (100 * 366 days at most)."""
Cadences = Annotated[float, Strict(), Field(gt=0.0, le=MAX_CADENCES, allow_inf_nan=False)]
"""How many cadences make a goal stale: above 0, at most ``MAX_CADENCES``."""
GraceDays = Annotated[int, Strict(), Field(ge=0, le=MAX_DAYS)]
"""A number of days of grace: a strict integer from 0 to 366."""
CheckIns = Annotated[int, Strict(), Field(ge=1, le=1_000)]
"""A number of check-ins: a strict integer from 1 to 1000."""
Factor = Annotated[float, Strict(), Field(ge=0.0, le=100.0, allow_inf_nan=False)]
"""A rating floor (in attainment) or a bonus multiplier: a number from 0 to 100."""
PerRating = Annotated[tuple[Factor, ...], Field(min_length=5, max_length=5)]
"""One factor per rating 1..5."""
Shares = Annotated[tuple[Share, ...], Field(min_length=5, max_length=5)]
"""One share per rating 1..5."""


def _unit_interval(_instance: Any, attribute: Any, value: float) -> None:
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"{attribute.name} must be within 0..1, got {value}")


def _positive(_instance: Any, attribute: Any, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a finite number > 0, got {value}")


def _five(_instance: Any, attribute: Any, value: tuple[float, ...]) -> None:
    if len(value) != 5:
        raise ValueError(f"{attribute.name} needs one value per rating 1..5, got {len(value)}")


@attrs.frozen(kw_only=True)
class Policy:
    """Thresholds for health and outcomes, the appraisal rubric and the calibration guideline.

    Tuples indexed by rating are ordered from rating 1 to rating 5.
    """

    on_track: Share = attrs.field(default=0.9, validator=_unit_interval)
    """Forecast at or above which a goal is on track."""
    at_risk: Share = attrs.field(default=0.7, validator=_unit_interval)
    """Forecast at or above which a goal is at risk (below: off track)."""
    not_started_expected: Share = attrs.field(default=0.1, validator=_unit_interval)
    """Expected progress from which a goal with no check-in counts as not started."""
    stale_cadences: Cadences = attrs.field(default=2.0, validator=_positive)
    """A goal is stale when its last check-in is older than this many cadences."""
    okr_sweet_spot: Share = attrs.field(default=0.7, validator=_unit_interval)
    """The OKR-style score that counts as a well-set stretch."""
    rating_floors: tuple[Factor, Factor, Factor, Factor] = (0.5, 0.7, 0.85, 1.0)
    """Attainment needed for ratings 2, 3, 4 and 5 (below the first: rating 1)."""
    bonus_multipliers: PerRating = attrs.field(default=(0.0, 0.5, 1.0, 1.2, 1.5), validator=_five)
    """Bonus multiplier for ratings 1..5."""
    guideline: Shares = attrs.field(default=(0.1, 0.2, 0.4, 0.2, 0.1), validator=_five)
    """Guideline share of ratings 1..5 in a unit, for calibration."""
    coaching_windows_days: tuple[Days, Days] = attrs.field(default=(14, 30))
    """The two look-back windows of the coaching radar."""
    checkin_grace_days: GraceDays = 3
    """Days after a check-in falls due (a cadence after the last one) before it is overdue."""
    uncoached_days: Days = 7
    """Days an at-risk or off-track goal may go with no coaching of its owner since it turned
    so before the ``uncoached_at_risk`` signal fires."""
    forecast_min_checkins: CheckIns = 1
    """Check-ins a key result needs before its forecast counts; until then it has none (the
    goal reads on track, or not started, never at risk or off track from a forecast)."""
    forecast_min_elapsed: Share = attrs.field(default=0.0, validator=_unit_interval)
    """Elapsed share of the cycle before any forecast counts (0: from the first check-in)."""

    def __attrs_post_init__(self) -> None:
        numbers = (*self.rating_floors, *self.bonus_multipliers, *self.guideline)
        if not all(math.isfinite(n) for n in numbers):
            raise ValueError("rating floors, bonus multipliers and guideline must be finite")
        if not all(1 <= days <= MAX_DAYS for days in self.coaching_windows_days):
            raise ValueError(f"coaching windows must be 1 to {MAX_DAYS} days")
        for name in ("checkin_grace_days", "uncoached_days"):
            days = getattr(self, name)
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
                raise ValueError(f"{name} must be a whole number of days from 0 to {MAX_DAYS}")
        count = self.forecast_min_checkins
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1_000:
            raise ValueError("forecast_min_checkins must be a whole number from 1 to 1000")
        if self.uncoached_days < 1:
            raise ValueError("uncoached_days must be at least 1")
        if self.stale_cadences > MAX_CADENCES:
            raise ValueError("stale_cadences must be at most 100")
        if self.at_risk > self.on_track:
            raise ValueError("at_risk must not exceed on_track")
        if list(self.rating_floors) != sorted(self.rating_floors):
            raise ValueError("rating_floors must rise from rating 2 to rating 5")
        if abs(sum(self.guideline) - 1.0) > 1e-9:
            raise ValueError(f"guideline shares must add up to 1, got {sum(self.guideline)}")
        if min(self.guideline) < 0 or min(self.bonus_multipliers) < 0:
            raise ValueError("guideline shares and bonus multipliers must not be negative")

    def forecast_counts(self, checkins: int, elapsed: float) -> bool:
        """Whether a key result's forecast has enough evidence to count: ``checkins`` by the
        instant, ``elapsed`` the cycle's elapsed share then."""
        return checkins >= self.forecast_min_checkins and elapsed >= self.forecast_min_elapsed

    def rating_for(self, attainment: float) -> int:
        """The computed rating (1..5) of an attainment under this rubric."""
        rating = 1
        for floor in self.rating_floors:
            if attainment >= floor:
                rating += 1
        return rating

    def bonus_for(self, rating: int) -> float:
        """The bonus multiplier of a rating (1..5)."""
        return self.bonus_multipliers[rating - 1]
