"""Goal commands: set and plan a goal, log progress, adjust it, end it and review it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from execution_core.access import Owner
from execution_core.command import (
    MIN_GAP,
    Command,
    Day,
    Id,
    Label,
    Measure,
    Name,
    Reason,
    Share,
    Text,
    Weight,
)
from execution_core.goals.events import Alignment, Direction, GoalKind

__all__ = [
    "ActionSpec",
    "AddKeyResult",
    "AdjustTarget",
    "CompleteAction",
    "CompleteGoal",
    "DropAction",
    "DropGoal",
    "KeyResultSpec",
    "LogProgress",
    "OwnerSpec",
    "PlanAction",
    "RealignGoal",
    "ReassignGoal",
    "ReviewGoal",
    "SetGoal",
    "WeightGoal",
]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class OwnerSpec(_Spec):
    """Whom a goal belongs to."""

    kind: Literal["person", "unit"] = "person"
    id: Id

    def to_owner(self) -> Owner:
        """The core value."""
        return Owner(self.kind, self.id)


class KeyResultSpec(_Spec):
    """A key result as agreed: a metric from baseline to target (and stretch), or a milestone.

    A milestone is done (1) or not done (0): leave baseline, target and stretch at their defaults.
    A metric's target lies at least 1e-6 from its baseline, so progress is always finite.
    """

    kr_id: Id
    name: Name
    unit: Label = ""
    baseline: Measure = 0.0
    target: Measure = 1.0
    stretch: Measure | None = None
    direction: Direction = Direction.INCREASE
    milestone: StrictBool = False  # 1 or "yes" is not coerced to a milestone
    weight: Weight = 1.0

    @model_validator(mode="after")
    def _criteria(self) -> KeyResultSpec:
        problem = criteria_problem(
            self.baseline,
            self.target,
            self.stretch,
            self.direction,
            milestone=self.milestone,
        )
        if problem:
            raise ValueError(problem)
        return self


class ActionSpec(_Spec):
    """A task of the goal's plan."""

    action_id: Id
    task: Name
    owner_id: Id
    due_on: Day


def criteria_problem(
    baseline: float,
    target: float,
    stretch: float | None,
    direction: Direction,
    *,
    milestone: bool,
) -> str | None:
    """Why these criteria cannot be agreed, or None when they can."""
    if milestone:
        if (baseline, target, stretch, direction) != (
            0.0,
            1.0,
            None,
            Direction.INCREASE,
        ):
            return "a milestone is done or not done: it takes no baseline, target or stretch"
        return None
    sign = 1 if direction is Direction.INCREASE else -1
    if abs(target - baseline) < MIN_GAP:  # progress divides by the gap: keep it finite
        return f"a target equal to its baseline (or within {MIN_GAP:g}) leaves no gap to close"
    if sign * (target - baseline) < 0:
        side = "above" if sign > 0 else "below"
        return f"to {direction.value}, the target must lie {side} the baseline"
    if stretch is not None and sign * (stretch - target) <= 0:
        return "a stretch must lie beyond the target"
    return None


class _GoalCommand(Command):
    goal_id: UUID


def _alignment(theme_id: str | None, parent_goal_id: UUID | None) -> Alignment | None:
    if theme_id is not None and parent_goal_id is not None:
        raise ValueError("align to a theme or to a parent goal, not both")
    if theme_id is None and parent_goal_id is None:
        return None
    return Alignment(theme_id=theme_id, parent_id=parent_goal_id)


class SetGoal(Command):
    """Set a goal with its key results and action plan; ``goal_id`` is assigned if absent."""

    goal_id: UUID | None = None
    cycle_id: UUID
    title: Name
    kind: GoalKind = GoalKind.INDIVIDUAL
    owner: OwnerSpec
    theme_id: Id | None = None
    parent_goal_id: UUID | None = None
    weight: Weight = 1.0
    key_results: tuple[KeyResultSpec, ...] = Field(default=(), max_length=50)
    actions: tuple[ActionSpec, ...] = Field(default=(), max_length=200)

    @model_validator(mode="after")
    def _shape(self) -> SetGoal:
        _alignment(self.theme_id, self.parent_goal_id)
        for label, ids in (
            ("key result", [kr.kr_id for kr in self.key_results]),
            ("action", [a.action_id for a in self.actions]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"{label} ids must be unique within a goal")
        return self

    @property
    def alignment(self) -> Alignment | None:
        """The alignment asked for."""
        return _alignment(self.theme_id, self.parent_goal_id)


class AddKeyResult(_GoalCommand):
    """Add a key result to a goal."""

    key_result: KeyResultSpec


class LogProgress(_GoalCommand):
    """Check in: the key result's current value and the owner's confidence (0..1), and where the
    reading came from (``check-in`` by default; ``import``, ``integration``, ...)."""

    kr_id: Id
    value: Measure
    confidence: Share
    comment: Text = ""
    source: Id = "check-in"


class AdjustTarget(_GoalCommand):
    """Agree a new target (and stretch) for a key result, saying why."""

    kr_id: Id
    target: Measure
    stretch: Measure | None = None
    reason: Reason


class RealignGoal(_GoalCommand):
    """Align the goal to another theme or parent goal (or to nothing)."""

    theme_id: Id | None = None
    parent_goal_id: UUID | None = None
    reason: Reason

    @model_validator(mode="after")
    def _shape(self) -> RealignGoal:
        _alignment(self.theme_id, self.parent_goal_id)
        return self

    @property
    def alignment(self) -> Alignment | None:
        """The alignment asked for."""
        return _alignment(self.theme_id, self.parent_goal_id)


class ReassignGoal(_GoalCommand):
    """Hand the goal to another owner."""

    owner: OwnerSpec
    reason: Reason


class WeightGoal(_GoalCommand):
    """Change the goal's weight."""

    weight: Weight


class PlanAction(_GoalCommand):
    """Add a task to the goal's plan."""

    action: ActionSpec


class CompleteAction(_GoalCommand):
    """Mark a planned task done."""

    action_id: Id


class DropAction(_GoalCommand):
    """Drop a planned task."""

    action_id: Id
    reason: Text = ""


class CompleteGoal(_GoalCommand):
    """Declare the goal complete."""


class DropGoal(_GoalCommand):
    """Abandon the goal, saying why."""

    reason: Reason


class ReviewGoal(_GoalCommand):
    """Record the game review of the goal (allowed after the cycle closed)."""

    worked: Text = ""
    did_not_work: Text = ""
    lessons: Text = ""
