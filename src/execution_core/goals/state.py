"""A goal as its events leave it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import singledispatch
from typing import Any, Literal
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.event import Event
from execution_core.folding import changed, handler
from execution_core.goals.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Alignment,
    Direction,
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalReviewed,
    GoalSet,
    GoalWeighted,
    KeyResultAdded,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.plain import JsonForm

__all__ = ["Action", "Goal", "GoalStatus", "KeyResult", "OpenedGoal", "evolve", "replaces_reading"]

GoalStatus = Literal["active", "completed", "dropped"]
ActionStatus = Literal["open", "done", "dropped"]


@attrs.frozen
class KeyResult:
    """A key result with its latest check-in."""

    id: str
    name: str
    unit: str
    baseline: float
    target: float
    stretch: float | None
    direction: Direction
    milestone: bool
    weight: float
    original_target: float
    value: float | None = None
    confidence: float | None = None
    logged_at: datetime | None = None

    @property
    def progress(self) -> float:
        """Raw progress ``(value - baseline) / (target - baseline)``; 0 before any check-in."""
        if self.value is None:
            return 0.0
        return (self.value - self.baseline) / (self.target - self.baseline)


@attrs.frozen
class Action:
    """A task of the goal's plan."""

    id: str
    task: str
    owner_id: str
    due_on: date
    status: ActionStatus = "open"


@attrs.frozen
class Goal(JsonForm):
    """The state of a goal stream; ``exists`` is false until GoalSet."""

    version: int = 0
    id: UUID | None = None
    title: str = ""
    kind: GoalKind = GoalKind.INDIVIDUAL
    owner: Owner = attrs.Factory(lambda: Owner("person", "-"))
    cycle_id: UUID | None = None
    aligned_to: Alignment | None = None
    weight: float = 1.0
    key_results: Mapping[str, KeyResult] = attrs.Factory(dict)
    actions: Mapping[str, Action] = attrs.Factory(dict)
    status: GoalStatus = "active"
    reviewed: bool = False
    set_at: datetime | None = None
    last_checkin_at: datetime | None = None

    @property
    def exists(self) -> bool:
        """Whether the goal has been set."""
        return self.version > 0

    @property
    def parent_id(self) -> UUID | None:
        """The parent goal this goal cascades from, if any."""
        return self.aligned_to.parent_id if self.aligned_to is not None else None


@attrs.frozen
class OpenedGoal(Goal):
    """A goal that has been set, as the facade returns it: its id and cycle are known (the
    state of a stream not yet set is a plain :class:`Goal`, whose ids are None)."""

    id: UUID = attrs.field(kw_only=True, validator=attrs.validators.instance_of(UUID))
    cycle_id: UUID = attrs.field(kw_only=True, validator=attrs.validators.instance_of(UUID))


def replaces_reading(occurred_at: datetime, standing_since: datetime | None) -> bool:
    """Whether a check-in of business time ``occurred_at`` replaces the reading that stands
    since ``standing_since`` (None before any): a backdated check-in is history, not the latest
    reading; one of the same instant, recorded later, replaces it. The goal's state and the
    ledger's goal record (:mod:`execution_core.goals.ledger`) both read check-ins by this rule."""
    return standing_since is None or occurred_at >= standing_since


def evolve(state: Goal, event: Event) -> Goal:
    """Apply one goal event (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: Goal) -> Goal:
    raise TypeError(f"not a goal event: {type(event).__name__}")


def _kr(state: Goal, event: Event, kr: KeyResult, **changes: Any) -> Goal:
    key_results = dict(state.key_results)
    key_results[kr.id] = kr
    return changed(state, version=event.version, key_results=key_results, **changes)


def _action(state: Goal, event: Event, action: Action) -> Goal:
    actions = dict(state.actions)
    actions[action.id] = action
    return changed(state, version=event.version, actions=actions)


@_apply.register
def _(event: GoalSet, state: Goal) -> Goal:
    return changed(
        state,
        version=event.version,
        id=event.stream_id,
        title=event.title,
        kind=event.kind,
        owner=event.owner,
        cycle_id=event.cycle_id,
        aligned_to=event.aligned_to,
        weight=event.weight,
        set_at=event.occurred_at,
    )


@_apply.register
def _(event: KeyResultAdded, state: Goal) -> Goal:
    kr = KeyResult(
        id=event.kr_id,
        name=event.kr_name,
        unit=event.unit,
        baseline=event.baseline,
        target=event.target,
        stretch=event.stretch,
        direction=event.direction,
        milestone=event.milestone,
        weight=event.weight,
        original_target=event.target,
    )
    return _kr(state, event, kr)


@_apply.register
def _(event: ProgressLogged, state: Goal) -> Goal:
    kr = state.key_results[event.kr_id]
    if not replaces_reading(event.occurred_at, kr.logged_at):
        return changed(state, version=event.version)
    kr = changed(kr, value=event.value, confidence=event.confidence, logged_at=event.occurred_at)
    latest = state.last_checkin_at
    if latest is None or event.occurred_at > latest:
        latest = event.occurred_at
    return _kr(state, event, kr, last_checkin_at=latest)


@_apply.register
def _(event: TargetAdjusted, state: Goal) -> Goal:
    kr = changed(
        state.key_results[event.kr_id],
        target=event.new_target,
        stretch=event.new_stretch,
    )
    return _kr(state, event, kr)


@_apply.register
def _(event: GoalRealigned, state: Goal) -> Goal:
    return changed(state, version=event.version, aligned_to=event.new_alignment)


@_apply.register
def _(event: GoalReassigned, state: Goal) -> Goal:
    return changed(state, version=event.version, owner=event.new_owner)


@_apply.register
def _(event: GoalWeighted, state: Goal) -> Goal:
    return changed(state, version=event.version, weight=event.new_weight)


@_apply.register
def _(event: ActionPlanned, state: Goal) -> Goal:
    action = Action(event.action_id, event.task, event.owner_id, event.due_on)
    return _action(state, event, action)


@_apply.register
def _(event: ActionDone, state: Goal) -> Goal:
    return _action(state, event, changed(state.actions[event.action_id], status="done"))


@_apply.register
def _(event: ActionDropped, state: Goal) -> Goal:
    return _action(state, event, changed(state.actions[event.action_id], status="dropped"))


@_apply.register
def _(event: GoalCompleted, state: Goal) -> Goal:
    return changed(state, version=event.version, status="completed")


@_apply.register
def _(event: GoalDropped, state: Goal) -> Goal:
    return changed(state, version=event.version, status="dropped")


@_apply.register
def _(event: GoalReviewed, state: Goal) -> Goal:
    return changed(state, version=event.version, reviewed=True)
