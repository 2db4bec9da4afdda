"""What a goal's facts mean to the views' ledger: a goal's history record and its handlers.

A goal keeps its full history (every check-in, adjustment, realignment, reassignment, ending
and review) because views read it at any business instant. Check-ins, by far the most frequent
events, are not written into their goal one by one: the fold keeps them waiting in a list per
goal and writes them into the goal's record once, when the ledger is frozen (or when another
event about the goal needs the record), so a run of check-ins costs one new record per goal
instead of one per check-in. Which check-in stands as a key result's reading is the goal
state's rule (:func:`execution_core.goals.state.replaces_reading`): a backdated one is history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.event import Event
from execution_core.facts import (
    Draft,
    Fact,
    StreamLedger,
    latest,
    positional_maker,
    stamp,
)
from execution_core.folding import changed
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
from execution_core.goals.state import replaces_reading

__all__ = [
    "LEDGER",
    "ActionRecord",
    "ActionResolved",
    "CheckIn",
    "GoalEnded",
    "GoalRecord",
    "GoalReview",
    "KeyResultRecord",
    "Realignment",
    "Reassignment",
    "Reweighting",
    "TargetChange",
]

LEDGER = StreamLedger("goal")
"""What each goal event means to the ledger (the registry names it: ``streams.LEDGERS``)."""

_WAITING = "goal.checkins"
"""The draft's scratch entry for check-ins not yet written into their goals, by goal."""


@attrs.frozen(kw_only=True)
class CheckIn(Fact):
    """A check-in on a key result: its value and the owner's confidence of reaching it."""

    kr_id: str
    value: float
    confidence: float
    comment: str = ""


@attrs.frozen(kw_only=True)
class TargetChange(Fact):
    """A key result's target (and stretch) changed, with the reason."""

    goal_id: UUID
    kr_id: str
    old_target: float
    new_target: float
    old_stretch: float | None
    new_stretch: float | None
    reason: str


@attrs.frozen(kw_only=True)
class KeyResultRecord(Fact):
    """A key result as agreed (the fact is its addition), with every check-in and adjustment."""

    id: str
    name: str
    unit: str
    baseline: float
    original_target: float
    original_stretch: float | None
    direction: Direction
    milestone: bool
    weight: float
    checkins: tuple[CheckIn, ...] = ()
    """In recorded order (a backdated check-in comes where it was recorded)."""
    adjustments: tuple[TargetChange, ...] = ()

    def criteria_at(self, at: datetime) -> tuple[float, float | None]:
        """The target and stretch in force at ``at``."""
        change = latest(self.adjustments, at)
        if change is None:
            return self.original_target, self.original_stretch
        return change.new_target, change.new_stretch

    def checkins_by(self, at: datetime) -> tuple[CheckIn, ...]:
        """The check-ins that happened by ``at``, in recorded order."""
        return tuple(c for c in self.checkins if c.occurred_at <= at)

    def latest_checkin(self, at: datetime) -> CheckIn | None:
        """The reading that stands at ``at``: of the check-ins by then, in recorded order, the
        last that replaced the one standing before it (see :func:`replaces_reading`)."""
        standing: CheckIn | None = None
        for checkin in self.checkins:
            occurred_at = checkin.occurred_at
            if occurred_at <= at and replaces_reading(
                occurred_at, None if standing is None else standing.occurred_at
            ):
                standing = checkin
        return standing


@attrs.frozen(kw_only=True)
class Realignment(Fact):
    """The goal now serves another theme or parent goal (or nothing)."""

    goal_id: UUID
    old: Alignment | None
    new: Alignment | None
    reason: str


@attrs.frozen(kw_only=True)
class Reassignment(Fact):
    """The goal changed hands."""

    goal_id: UUID
    old: Owner
    new: Owner
    reason: str


@attrs.frozen(kw_only=True)
class Reweighting(Fact):
    """The goal's weight changed."""

    goal_id: UUID
    old: float
    new: float


@attrs.frozen(kw_only=True)
class GoalEnded(Fact):
    """The goal was completed or dropped."""

    goal_id: UUID
    status: Literal["completed", "dropped"]
    reason: str = ""


@attrs.frozen(kw_only=True)
class GoalReview(Fact):
    """The game review of a goal."""

    goal_id: UUID
    worked: str
    did_not_work: str
    lessons: str


@attrs.frozen(kw_only=True)
class ActionResolved(Fact):
    """A planned task was done or dropped."""

    status: Literal["done", "dropped"]
    reason: str = ""


@attrs.frozen(kw_only=True)
class ActionRecord(Fact):
    """A task of a goal's plan (the fact is its planning) and how it ended."""

    id: str
    task: str
    owner_id: str
    due_on: date
    resolutions: tuple[ActionResolved, ...] = ()

    def status_at(self, at: datetime) -> Literal["open", "done", "dropped"]:
        """Open, done or dropped at ``at``."""
        resolution = latest(self.resolutions, at)
        return "open" if resolution is None else resolution.status


@attrs.frozen(kw_only=True)
class GoalRecord(Fact):
    """A goal (the fact is GoalSet) with the full history of everything that happened to it."""

    id: UUID
    cycle_id: UUID
    title: str
    kind: GoalKind
    owner: Owner
    """The owner it was set for (see :meth:`owner_at`)."""
    aligned_to: Alignment | None
    """The alignment it was set with (see :meth:`alignment_at`)."""
    weight: float
    """The weight it was set with (see :meth:`weight_at`)."""
    key_results: Mapping[str, KeyResultRecord] = attrs.Factory(dict)
    actions: Mapping[str, ActionRecord] = attrs.Factory(dict)
    realignments: tuple[Realignment, ...] = ()
    reassignments: tuple[Reassignment, ...] = ()
    reweightings: tuple[Reweighting, ...] = ()
    endings: tuple[GoalEnded, ...] = ()
    reviews: tuple[GoalReview, ...] = ()

    def owner_at(self, at: datetime) -> Owner:
        """Whom the goal belongs to at ``at``."""
        change = latest(self.reassignments, at)
        return self.owner if change is None else change.new

    def alignment_at(self, at: datetime) -> Alignment | None:
        """What the goal is aligned to at ``at``."""
        change = latest(self.realignments, at)
        return self.aligned_to if change is None else change.new

    def weight_at(self, at: datetime) -> float:
        """The goal's weight at ``at``."""
        change = latest(self.reweightings, at)
        return self.weight if change is None else change.new

    def status_at(self, at: datetime) -> Literal["active", "completed", "dropped"]:
        """Active, completed or dropped at ``at``."""
        ending = latest(self.endings, at)
        return "active" if ending is None else ending.status

    def key_results_at(self, at: datetime) -> tuple[KeyResultRecord, ...]:
        """The key results agreed by ``at``, in the order they were added."""
        return tuple(kr for kr in self.key_results.values() if kr.occurred_at <= at)

    def actions_at(self, at: datetime) -> tuple[ActionRecord, ...]:
        """The actions planned by ``at``."""
        return tuple(a for a in self.actions.values() if a.occurred_at <= at)

    def last_checkin_at(self, at: datetime) -> datetime | None:
        """The business time of the latest check-in on any key result by ``at``."""
        times = [c.occurred_at for kr in self.key_results_at(at) for c in kr.checkins_by(at)]
        return max(times) if times else None


_make_checkin = positional_maker(CheckIn)
"""``CheckIn`` from actor, occurred_at, recorded_at, seq, kr_id, value, confidence, comment."""


# -- what each goal event means to the ledger -----------------------------------------------


@LEDGER.handles(GoalSet)
def _on_goal_set(draft: Draft, event: GoalSet, seq: int) -> None:
    _waiting(draft).pop(event.stream_id, None)  # a goal set again starts afresh
    _goals(draft)[event.stream_id] = GoalRecord(
        **stamp(event, seq),
        id=event.stream_id,
        cycle_id=event.cycle_id,
        title=event.title,
        kind=GoalKind(event.kind),  # a store may hand enums back as plain text
        owner=event.owner,
        aligned_to=event.aligned_to,
        weight=event.weight,
    )
    if event.aligned_to is not None and event.aligned_to.parent_id is not None:
        _add_child(draft, event.aligned_to.parent_id, event.stream_id)


def _with_goal(draft: Draft, event: Event, change: Callable[[GoalRecord], GoalRecord]) -> None:
    goal = _goal(draft, event.stream_id)
    if goal is not None:
        _goals(draft)[event.stream_id] = change(goal)


def _with_key_result(
    draft: Draft, event: Event, kr_id: str, change: Callable[[KeyResultRecord], KeyResultRecord]
) -> None:
    def on_goal(goal: GoalRecord) -> GoalRecord:
        kr = goal.key_results.get(kr_id)
        if kr is None:
            return goal
        key_results = dict(goal.key_results)
        key_results[kr_id] = change(kr)
        return changed(goal, key_results=key_results)

    _with_goal(draft, event, on_goal)


@LEDGER.handles(KeyResultAdded)
def _on_key_result(draft: Draft, event: KeyResultAdded, seq: int) -> None:
    kr = KeyResultRecord(
        **stamp(event, seq),
        id=event.kr_id,
        name=event.kr_name,
        unit=event.unit,
        baseline=event.baseline,
        original_target=event.target,
        original_stretch=event.stretch,
        direction=Direction(event.direction),
        milestone=event.milestone,
        weight=event.weight,
    )
    _with_goal(
        draft,
        event,
        lambda goal: changed(goal, key_results={**goal.key_results, kr.id: kr}),
    )


@LEDGER.handles(ProgressLogged)
def _on_progress(draft: Draft, event: ProgressLogged, seq: int) -> None:
    goal = draft.current["goals"].get(event.stream_id)
    if goal is None or event.kr_id not in goal.key_results:
        return
    checkin = _make_checkin(
        event.actor,
        event.occurred_at,
        event.recorded_at,
        seq,
        event.kr_id,
        event.value,
        event.confidence,
        event.comment,
    )
    waiting = draft.work.get(_WAITING)
    if waiting is None:
        waiting = draft.work[_WAITING] = {}
    pending = waiting.get(event.stream_id)
    if pending is None:
        waiting[event.stream_id] = [checkin]
    else:
        pending.append(checkin)


def _with_checkins(goal: GoalRecord, checkins: Sequence[CheckIn]) -> GoalRecord:
    """The goal with these check-ins appended to their key results, in order."""
    if len(goal.key_results) == 1:  # every check-in is on it (the fold checked the key result)
        ((only, kr),) = goal.key_results.items()
        extended = changed(kr, checkins=kr.checkins + tuple(checkins))
        return changed(goal, key_results={only: extended})
    by_kr: dict[str, list[CheckIn]] = {}
    for checkin in checkins:
        by_kr.setdefault(checkin.kr_id, []).append(checkin)
    key_results = dict(goal.key_results)
    for kr_id, added in by_kr.items():
        kr = key_results[kr_id]
        key_results[kr_id] = changed(kr, checkins=(*kr.checkins, *added))
    return changed(goal, key_results=key_results)


@LEDGER.handles(TargetAdjusted)
def _on_target(draft: Draft, event: TargetAdjusted, seq: int) -> None:
    change = TargetChange(
        **stamp(event, seq),
        goal_id=event.stream_id,
        kr_id=event.kr_id,
        old_target=event.old_target,
        new_target=event.new_target,
        old_stretch=event.old_stretch,
        new_stretch=event.new_stretch,
        reason=event.reason,
    )
    _with_key_result(
        draft,
        event,
        event.kr_id,
        lambda kr: changed(kr, adjustments=(*kr.adjustments, change)),
    )


@LEDGER.handles(GoalRealigned)
def _on_realigned(draft: Draft, event: GoalRealigned, seq: int) -> None:
    fact = Realignment(
        **stamp(event, seq),
        goal_id=event.stream_id,
        old=event.old_alignment,
        new=event.new_alignment,
        reason=event.reason,
    )
    _with_goal(draft, event, lambda goal: changed(goal, realignments=(*goal.realignments, fact)))
    if event.new_alignment is not None and event.new_alignment.parent_id is not None:
        _add_child(draft, event.new_alignment.parent_id, event.stream_id)


@LEDGER.handles(GoalReassigned)
def _on_reassigned(draft: Draft, event: GoalReassigned, seq: int) -> None:
    fact = Reassignment(
        **stamp(event, seq),
        goal_id=event.stream_id,
        old=event.old_owner,
        new=event.new_owner,
        reason=event.reason,
    )
    _with_goal(draft, event, lambda goal: changed(goal, reassignments=(*goal.reassignments, fact)))


@LEDGER.handles(GoalWeighted)
def _on_weighted(draft: Draft, event: GoalWeighted, seq: int) -> None:
    fact = Reweighting(
        **stamp(event, seq), goal_id=event.stream_id, old=event.old_weight, new=event.new_weight
    )
    _with_goal(draft, event, lambda goal: changed(goal, reweightings=(*goal.reweightings, fact)))


@LEDGER.handles(GoalCompleted, GoalDropped)
def _on_ended(draft: Draft, event: GoalCompleted | GoalDropped, seq: int) -> None:
    if isinstance(event, GoalDropped):
        fact = GoalEnded(
            **stamp(event, seq), goal_id=event.stream_id, status="dropped", reason=event.reason
        )
    else:
        fact = GoalEnded(**stamp(event, seq), goal_id=event.stream_id, status="completed")
    _with_goal(draft, event, lambda goal: changed(goal, endings=(*goal.endings, fact)))


@LEDGER.handles(GoalReviewed)
def _on_reviewed(draft: Draft, event: GoalReviewed, seq: int) -> None:
    fact = GoalReview(
        **stamp(event, seq),
        goal_id=event.stream_id,
        worked=event.worked,
        did_not_work=event.did_not_work,
        lessons=event.lessons,
    )
    _with_goal(draft, event, lambda goal: changed(goal, reviews=(*goal.reviews, fact)))


@LEDGER.handles(ActionPlanned)
def _on_action_planned(draft: Draft, event: ActionPlanned, seq: int) -> None:
    action = ActionRecord(
        **stamp(event, seq),
        id=event.action_id,
        task=event.task,
        owner_id=event.owner_id,
        due_on=event.due_on,
    )
    _with_goal(
        draft, event, lambda goal: changed(goal, actions={**goal.actions, action.id: action})
    )


@LEDGER.handles(ActionDone, ActionDropped)
def _on_action_resolved(draft: Draft, event: ActionDone | ActionDropped, seq: int) -> None:
    if isinstance(event, ActionDropped):
        fact = ActionResolved(**stamp(event, seq), status="dropped", reason=event.reason)
    else:
        fact = ActionResolved(**stamp(event, seq), status="done")

    def on_goal(goal: GoalRecord) -> GoalRecord:
        action = goal.actions.get(event.action_id)
        if action is None:
            return goal
        resolved = attrs.evolve(action, resolutions=(*action.resolutions, fact))
        return changed(goal, actions={**goal.actions, action.id: resolved})

    _with_goal(draft, event, on_goal)


def _goals(draft: Draft) -> dict[UUID, GoalRecord]:
    goals: dict[UUID, GoalRecord] = draft.table("goals")
    return goals


def _waiting(draft: Draft) -> dict[UUID, list[CheckIn]]:
    waiting: dict[UUID, list[CheckIn]] | None = draft.work.get(_WAITING)
    if waiting is None:
        waiting = draft.work[_WAITING] = {}
    return waiting


def _goal(draft: Draft, goal_id: UUID) -> GoalRecord | None:
    """The goal's record, its waiting check-ins written into it."""
    goals = _goals(draft)
    checkins = _waiting(draft).pop(goal_id, None)
    if checkins is not None:
        goals[goal_id] = _with_checkins(goals[goal_id], checkins)
    return goals.get(goal_id)


def _add_child(draft: Draft, parent_id: UUID, child_id: UUID) -> None:
    children: dict[UUID, tuple[UUID, ...]] = draft.table("children")
    known = children.get(parent_id, ())
    if child_id not in known:
        children[parent_id] = (*known, child_id)


@LEDGER.settles
def _write_checkins(draft: Draft) -> None:
    """Every waiting check-in into its goal's record, before the draft is frozen."""
    waiting: dict[UUID, list[CheckIn]] | None = draft.work.pop(_WAITING, None)
    if waiting:
        goals = _goals(draft)
        for goal_id, checkins in waiting.items():
            goals[goal_id] = _with_checkins(goals[goal_id], checkins)
