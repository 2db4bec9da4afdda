"""Strategy events: the vision and the themes (strategic objectives) goals align to.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from execution_core.event import Event, event_type

__all__ = ["Perspective", "StrategyDefined", "ThemeAdded", "ThemeRetired"]


class Perspective(StrEnum):
    """The balanced-scorecard perspective a theme belongs to."""

    FINANCIAL = "financial"
    CUSTOMER = "customer"
    INTERNAL_PROCESS = "internal process"
    LEARNING_AND_GROWTH = "learning and growth"


@event_type("strategy.StrategyDefined")
@attrs.frozen(kw_only=True)
class StrategyDefined(Event):
    """The executives stated (or restated) the vision."""

    vision: str


@event_type("strategy.ThemeAdded")
@attrs.frozen(kw_only=True)
class ThemeAdded(Event):
    """A strategic theme goals can align to."""

    theme_id: str
    title: str
    perspective: Perspective | None = None


@event_type("strategy.ThemeRetired")
@attrs.frozen(kw_only=True)
class ThemeRetired(Event):
    """A theme no longer takes new goals; goals aligned to it keep their history."""

    theme_id: str
    reason: str = ""
