"""Confidence intervals of a mean over a point's seeds: Student's t, computed here.

A sweep runs few seeds per point (8 is common), where the normal approximation's 1.96 makes
an interval a third too narrow; the t quantile is computed from the regularized incomplete
beta function (Numerical Recipes' continued fraction), so no statistics library is needed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import attrs

__all__ = ["Interval", "mean_interval", "t_quantile"]

_EPSILON = 1e-14
_TINY = 1e-300


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= d * c
        if abs(d * c - 1.0) < _EPSILON:
            break
    return result


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _continued_fraction(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(probability: float, df: float) -> float:
    """The ``probability`` quantile of Student's t with ``df`` degrees of freedom."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be within (0, 1), got {probability}")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if probability < 0.5:
        return -t_quantile(1.0 - probability, df)
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < probability and high < 1e12:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if _t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


@attrs.frozen
class Interval:
    """A mean and its confidence interval (None where fewer than two values make one)."""

    runs: int
    mean: float | None
    sd: float | None
    low: float | None
    high: float | None


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """The mean of ``values`` with its two-sided t interval at ``confidence``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be within (0, 1), got {confidence}")
    if not values:
        return Interval(0, None, None, None, None)
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Interval(1, mean, None, None, None)
    sd = statistics.stdev(values)
    half = t_quantile(0.5 + confidence / 2.0, len(values) - 1) * sd / math.sqrt(len(values))
    return Interval(len(values), mean, sd, mean - half, mean + half)
