"""Goal events: the goal, its key results and actions, check-ins, adjustments and its end.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.event import Event, event_type, register_upcaster

__all__ = [
    "ActionDone",
    "ActionDropped",
    "ActionPlanned",
    "Alignment",
    "Direction",
    "GoalCompleted",
    "GoalDropped",
    "GoalKind",
    "GoalRealigned",
    "GoalReassigned",
    "GoalReviewed",
    "GoalSet",
    "GoalWeighted",
    "KeyResultAdded",
    "ProgressLogged",
    "TargetAdjusted",
]


class GoalKind(StrEnum):
    """The four kinds of goal."""

    INDIVIDUAL = "individual"
    TEAM = "team"
    DEPARTMENTAL = "departmental"
    DEVELOPMENTAL = "developmental"


class Direction(StrEnum):
    """Whether a metric key result is reached by going up or down."""

    INCREASE = "increase"
    DECREASE = "decrease"


def _exactly_one(instance: Alignment, _attribute: Any, _value: Any) -> None:
    if (instance.theme_id is None) == (instance.parent_id is None):
        raise ValueError("an alignment names exactly one of a theme or a parent goal")


@attrs.frozen
class Alignment:
    """What a goal is aligned to: a strategic theme, or a parent goal it cascades from."""

    theme_id: str | None = attrs.field(default=None, validator=_exactly_one)
    parent_id: UUID | None = None

    def __str__(self) -> str:
        return f"theme {self.theme_id}" if self.theme_id else f"goal {self.parent_id}"


@event_type("goal.GoalSet")
@attrs.frozen(kw_only=True)
class GoalSet(Event):
    """A goal was set for an owner in a cycle."""

    title: str
    kind: GoalKind
    owner: Owner
    cycle_id: UUID
    aligned_to: Alignment | None
    weight: float


@event_type("goal.KeyResultAdded")
@attrs.frozen(kw_only=True)
class KeyResultAdded(Event):
    """A key result: the agreed criteria (missed below target, met at it, exceeded at stretch)."""

    kr_id: str
    kr_name: str
    unit: str
    baseline: float
    target: float
    stretch: float | None
    direction: Direction
    milestone: bool
    weight: float


@event_type("goal.ProgressLogged", version=2)
@attrs.frozen(kw_only=True)
class ProgressLogged(Event):
    """A check-in: the key result's value, how confident the owner is of reaching it, and where
    the reading came from (``check-in``, ``import``, ``integration``, ...)."""

    kr_id: str
    value: float
    confidence: float
    comment: str = ""
    source: str = "check-in"


@register_upcaster("goal.ProgressLogged", 1)
def _progress_logged_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no ``source``: every reading then was entered at a check-in."""
    if "source" in payload:
        raise ValueError("goal.ProgressLogged version 1 has no field 'source'")
    return {**payload, "source": "check-in"}


@event_type("goal.TargetAdjusted")
@attrs.frozen(kw_only=True)
class TargetAdjusted(Event):
    """A key result's target (and stretch) changed, with the reason agreed."""

    kr_id: str
    old_target: float
    new_target: float
    old_stretch: float | None
    new_stretch: float | None
    reason: str


@event_type("goal.GoalRealigned")
@attrs.frozen(kw_only=True)
class GoalRealigned(Event):
    """The goal now serves another theme or parent goal."""

    old_alignment: Alignment | None
    new_alignment: Alignment | None
    reason: str


@event_type("goal.GoalReassigned")
@attrs.frozen(kw_only=True)
class GoalReassigned(Event):
    """The goal changed hands."""

    old_owner: Owner
    new_owner: Owner
    reason: str


@event_type("goal.GoalWeighted")
@attrs.frozen(kw_only=True)
class GoalWeighted(Event):
    """The goal's weight among its owner's goals (and in its parent's rollup) changed."""

    old_weight: float
    new_weight: float


@event_type("goal.ActionPlanned")
@attrs.frozen(kw_only=True)
class ActionPlanned(Event):
    """A task in the plan for reaching the goal."""

    action_id: str
    task: str
    owner_id: str
    due_on: date


@event_type("goal.ActionDone")
@attrs.frozen(kw_only=True)
class ActionDone(Event):
    """A planned task was done."""

    action_id: str


@event_type("goal.ActionDropped")
@attrs.frozen(kw_only=True)
class ActionDropped(Event):
    """A planned task was dropped."""

    action_id: str
    reason: str = ""


@event_type("goal.GoalCompleted")
@attrs.frozen(kw_only=True)
class GoalCompleted(Event):
    """The goal was declared complete: no more check-ins."""


@event_type("goal.GoalDropped")
@attrs.frozen(kw_only=True)
class GoalDropped(Event):
    """The goal was abandoned, with the reason."""

    reason: str


@event_type("goal.GoalReviewed")
@attrs.frozen(kw_only=True)
class GoalReviewed(Event):
    """The game review of the goal: what worked, what did not, lessons."""

    worked: str
    did_not_work: str
    lessons: str
