"""The simulated world's parameters: its size, how key results move, what coaching does.

Every number here is a *model parameter* a user states, not something the simulator measures.
In particular ``coaching_effect`` is the assumption "a coaching session closes this share of a
key result's projected shortfall"; a simulation run under it shows its consequences, never
evidence for it.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import attrs

from execution_core.errors import InvalidInput

__all__ = ["Model"]


def _at_least(bound: int) -> Any:
    def check(_instance: Any, attribute: Any, value: int) -> None:
        if value < bound:
            raise InvalidInput(f"{attribute.name} must be at least {bound}, got {value}")

    return check


def _non_negative(_instance: Any, attribute: Any, value: float) -> None:
    if not (math.isfinite(value) and value >= 0.0):
        raise InvalidInput(f"{attribute.name} must be a finite number >= 0, got {value}")


def _share(_instance: Any, attribute: Any, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{attribute.name} must be within 0..1, got {value}")


def _finite(_instance: Any, attribute: Any, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidInput(f"{attribute.name} must be finite, got {value}")


@attrs.frozen(kw_only=True)
class Model:
    """The parameters of a simulated organization and of its key results' hidden trajectories.

    Trajectory of a key result, in *progress* units (0 at the baseline, 1 at the original
    target), week by week: ``p[w] = p[w-1] + drift + boost + noise[w] + shock[w]``, where
    ``drift = reach / weeks`` and ``reach ~ Normal(reach_mean + ability, reach_sd)`` (``ability
    ~ Normal(0, ability_sd)`` is the owner's, shared by their key results), ``noise[w] ~
    Normal(0, noise / sqrt(weeks))``, and with probability ``shock_rate`` a week brings a setback
    ``shock ~ Normal(-shock_size, shock_size / 2)``. Progress stays within -0.25..1.6.
    ``boost`` starts at 0; each coaching session about the goal adds
    ``coaching_effect * shortfall / weeks_left`` to it, where ``shortfall`` is how far the key
    result's current line (``p + (drift + boost) * weeks_left``) ends below its target.
    """

    people: int = attrs.field(default=60, validator=_at_least(2))
    """Head count, the chief executive and an HR partner included."""
    weeks: int = attrs.field(default=26, validator=_at_least(2))
    """Length of the cycle in weeks."""
    span: int = attrs.field(default=6, validator=_at_least(2))
    """Span of control: at most this many direct reports per manager."""
    themes: int = attrs.field(default=3, validator=_at_least(1))
    """Strategic themes the business goals cascade from (plus a craft theme for development)."""
    krs_per_goal: int = attrs.field(default=1, validator=_at_least(1))
    """Key results of each individual goal."""
    developmental: bool = True
    """Whether everyone also has a developmental goal (one key result, half the weight)."""
    reach_mean: float = attrs.field(default=1.0, validator=_finite)
    """Mean share of the gap to the target a key result closes on its own by the cycle end."""
    reach_sd: float = attrs.field(default=0.25, validator=_non_negative)
    """Spread of that share between key results."""
    ability_sd: float = attrs.field(default=0.1, validator=_non_negative)
    """Spread of a person's ability, shared by all their key results."""
    noise: float = attrs.field(default=0.1, validator=_non_negative)
    """Spread of a key result's random walk by the cycle end, in progress units (each week
    moves it by ``Normal(0, noise / sqrt(weeks))``)."""
    shock_rate: float = attrs.field(default=0.02, validator=_share)
    """Chance that a week brings a key result a shock."""
    shock_size: float = attrs.field(default=0.15, validator=_non_negative)
    """Typical size of a shock (a setback: its mean is minus this)."""
    coaching_effect: float = attrs.field(default=0.3, validator=_share)
    """Share of the projected shortfall one coaching session closes. A model parameter."""
    commitment_kept: float = attrs.field(default=0.7, validator=_share)
    """Chance that a commitment agreed in coaching is kept."""
    optimism: float = attrs.field(default=0.05, validator=_finite)
    """Mean bias of the confidence people state at check-in (positive: over-confident)."""
    start: date = date(2026, 1, 5)
    """First day of the cycle (the cycle ends ``weeks`` weeks later)."""
