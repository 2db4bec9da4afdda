"""Reading goals at an instant: the row every live view is built from.

A goal with key results of its own is read from them; a goal with none rolls up its aligned
child goals by weight (dropped children left out). A goal whose alignment loops back to itself
(possible only through a race, see docs/architecture.md) counts as aligned to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Literal, TypedDict
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.goals.events import Alignment, GoalKind
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views.formulas import Health, Outcome
from execution_core.views.ledger import CycleRecord, GoalRecord, KeyResultRecord, Ledger

__all__ = [
    "KeyResultReading",
    "Reader",
    "ScoreboardRow",
    "effective_parent",
    "read_goal",
    "read_key_result",
    "timeline",
    "timed",
]

GoalStatus = Literal["active", "completed", "dropped"]
DAY = f.SECONDS_PER_DAY


@attrs.frozen(kw_only=True)
class KeyResultReading:
    """A key result read at an instant."""

    kr_id: str
    weight: float
    target: float
    stretch: float | None
    value: float | None
    raw_progress: float
    progress: float
    forecast: float | None
    """Raw forecast progress at the cycle end (None before any check-in)."""
    confidence: float | None
    last_checkin_at: datetime | None
    outcome: Outcome


@attrs.frozen(kw_only=True)
class ScoreboardRow:
    """One goal on the live scoreboard at an instant."""

    goal_id: UUID
    title: str
    kind: GoalKind
    owner: Owner
    status: GoalStatus
    weight: float
    aligned_to: Alignment | None
    """The alignment as recorded at the instant (may loop or name an unseen parent)."""
    parent_id: UUID | None
    """The parent goal it rolls up into (None when aligned to a theme, to nothing, or in a loop)."""
    theme_id: str | None
    rolls_up: bool
    """True when the goal has no key results of its own and rolls up its child goals."""
    progress: float
    """Weighted score, within 0..1."""
    raw_progress: float
    """Weighted raw progress (over-achievement kept, may exceed 1)."""
    expected: float
    pace_gap: float
    forecast: float | None
    """Weighted forecast score at the cycle end, within 0..1 (None: nothing logged)."""
    health: Health
    confidence: float | None
    last_checkin_at: datetime | None
    days_since_checkin: int | None
    open_commitments: int
    outcome: Outcome
    """The agreed criteria as they stand at the instant (final at the cycle end)."""


def read_key_result(
    kr: KeyResultRecord,
    cycle: CycleRecord,
    at: datetime,
    *,
    original_targets: bool = False,
    policy: Policy | None = None,
) -> KeyResultReading:
    """A key result at ``at``: progress against the target in force (or the original one).
    With ``policy``, a forecast without the evidence the policy asks for is withheld (None,
    see :meth:`Policy.forecast_counts`)."""
    if original_targets:
        target, stretch = kr.original_target, kr.original_stretch
    else:
        target, stretch = kr.criteria_at(at)
    checkins = kr.checkins_by(at)
    last = kr.latest_checkin(at)
    value = None if last is None else last.value
    raw = f.key_result_progress(value, kr.baseline, target, milestone=kr.milestone)
    start = cycle.starts_at
    forecast = f.key_result_forecast(
        [((c.occurred_at - start).total_seconds() / DAY, c.value) for c in checkins],  # days
        kr.baseline,
        target,
        cycle.length_days,
        milestone=kr.milestone,
        latest_value=value,
    )
    if (
        forecast is not None
        and policy is not None
        and not policy.forecast_counts(
            len(checkins), f.expected_progress(at, cycle.starts_at, cycle.ends_at)
        )
    ):
        forecast = None
    return KeyResultReading(
        kr_id=kr.id,
        weight=kr.weight,
        target=target,
        stretch=stretch,
        value=value,
        raw_progress=raw,
        progress=f.score(raw),
        forecast=forecast,
        confidence=None if last is None else last.confidence,
        last_checkin_at=None if last is None else last.occurred_at,
        outcome=f.key_result_outcome(value, kr.baseline, target, stretch, milestone=kr.milestone),
    )


def effective_parent(ledger: Ledger, goal: GoalRecord, at: datetime) -> UUID | None:
    """The parent goal ``goal`` rolls up into at ``at``: None when it is aligned to a theme or
    to nothing, when its parent was not set by ``at``, or when its alignment loops back to it."""
    alignment = goal.alignment_at(at)
    parent = None if alignment is None else alignment.parent_id
    if parent is None:
        return None
    seen = {goal.id}
    above: UUID | None = parent
    while above is not None:
        if above in seen:
            return None if above == goal.id else parent
        seen.add(above)
        record = ledger.goals.get(above)
        if record is None or record.occurred_at > at:
            return None if above == parent else parent
        up = record.alignment_at(at)
        above = None if up is None else up.parent_id
    return parent


def open_commitments(ledger: Ledger, goal_id: UUID, at: datetime) -> int:
    """Commitments made about the goal by ``at`` and still open then."""
    return sum(
        1
        for c in ledger.commitments_of_goal(goal_id)
        if c.occurred_at <= at and c.status_at(at) == "open"
    )


ChildRow = Callable[[UUID], "ScoreboardRow | None"]


class Timed(TypedDict):
    """The columns of a goal's row that move with time alone (its facts unchanged)."""

    expected: float
    pace_gap: float
    health: Health
    days_since_checkin: int | None


def timed(
    *,
    progress: float,
    forecast: float | None,
    last_checkin: datetime | None,
    status: GoalStatus,
    cadence_days: float,
    ends_at: datetime,
    at: datetime,
    expected: float,
    policy: Policy,
) -> Timed:
    """The pace, the pace gap, the health and the days since the last check-in of a goal at
    ``at`` in a cycle of that cadence ending at ``ends_at``: what a live board recomputes for a
    row whose facts did not change (the cycle's instants are passed in, read once a board)."""
    return Timed(
        expected=expected,
        pace_gap=progress - expected,
        health=f.health(
            forecast=forecast,
            last_checkin=last_checkin,
            at=at,
            expected=expected,
            cadence_days=cadence_days,
            policy=policy,
            active=status == "active" and at < ends_at,
        ),
        days_since_checkin=None if last_checkin is None else (at - last_checkin).days,
    )


def read_goal(
    ledger: Ledger,
    cycle: CycleRecord,
    goal: GoalRecord,
    *,
    at: datetime,
    policy: Policy,
    child_row: ChildRow,
    original_targets: bool = False,
) -> ScoreboardRow:
    """One goal at ``at``; ``child_row`` gives the rows of its children (for a rollup)."""
    expected = f.expected_progress(at, cycle.starts_at, cycle.ends_at)
    status = goal.status_at(at)
    alignment = goal.alignment_at(at)
    key_results = goal.key_results_at(at)
    parts: list[Outcome] = []
    if key_results:
        readings = [
            read_key_result(kr, cycle, at, original_targets=original_targets, policy=policy)
            for kr in key_results
        ]
        progress = f.weighted_mean((r.weight, r.progress) for r in readings) or 0.0
        raw = f.weighted_mean((r.weight, r.raw_progress) for r in readings) or 0.0
        logged = [r for r in readings if r.forecast is not None]
        forecast = (
            f.weighted_mean((r.weight, f.clamp01(r.forecast or 0.0)) for r in readings)
            if logged
            else None
        )
        confidence = f.weighted_mean(
            (r.weight, r.confidence) for r in readings if r.confidence is not None
        )
        times = [r.last_checkin_at for r in readings if r.last_checkin_at is not None]
        parts = [r.outcome for r in readings]
    else:
        children = [(row.weight, row) for row in _children_rows(ledger, goal, at, child_row) if row]
        progress = f.weighted_mean((w, row.progress) for w, row in children) or 0.0
        raw = f.weighted_mean((w, row.raw_progress) for w, row in children) or 0.0
        has_forecast = any(row.forecast is not None for _, row in children)
        forecast = (
            f.weighted_mean((w, row.forecast or 0.0) for w, row in children)
            if has_forecast
            else None
        )
        confidence = f.weighted_mean(
            (w, row.confidence) for w, row in children if row.confidence is not None
        )
        times = [row.last_checkin_at for _, row in children if row.last_checkin_at is not None]
        parts = [row.outcome for _, row in children]
    last = max(times) if times else None
    return ScoreboardRow(
        goal_id=goal.id,
        title=goal.title,
        kind=goal.kind,
        owner=goal.owner_at(at),
        status=status,
        weight=goal.weight_at(at),
        aligned_to=alignment,
        parent_id=effective_parent(ledger, goal, at),
        theme_id=None if alignment is None else alignment.theme_id,
        rolls_up=not key_results,
        progress=progress,
        raw_progress=raw,
        forecast=forecast,
        confidence=confidence,
        last_checkin_at=last,
        **timed(
            progress=progress,
            forecast=forecast,
            last_checkin=last,
            status=status,
            cadence_days=cycle.cadence_days,
            ends_at=cycle.ends_at,
            at=at,
            expected=expected,
            policy=policy,
        ),
        open_commitments=open_commitments(ledger, goal.id, at),
        outcome=f.goal_outcome(parts, progress),
    )


def _children_rows(
    ledger: Ledger, goal: GoalRecord, at: datetime, child_row: ChildRow
) -> Iterator[ScoreboardRow | None]:
    for child_id in ledger.children.get(goal.id, ()):
        child = ledger.goals.get(child_id)
        if (
            child is None
            or child.occurred_at > at
            or child.status_at(at) == "dropped"
            or effective_parent(ledger, child, at) != goal.id
        ):
            continue
        yield child_row(child_id)


class Reader:
    """Reads the goals of one cycle at one instant under one policy (rollups memoized)."""

    def __init__(
        self,
        ledger: Ledger,
        cycle: CycleRecord,
        at: datetime,
        policy: Policy,
        *,
        original_targets: bool = False,
    ) -> None:
        self.ledger = ledger
        self.cycle = cycle
        self.at = at
        self.policy = policy
        self.original_targets = original_targets
        self._rows: dict[UUID, ScoreboardRow] = {}

    def row(self, goal_id: UUID) -> ScoreboardRow | None:
        """The goal's row, or None when it is not a goal of the cycle set by the instant."""
        row = self._rows.get(goal_id)
        if row is not None:
            return row
        goal = self.ledger.goals.get(goal_id)
        if goal is None or goal.cycle_id != self.cycle.id or goal.occurred_at > self.at:
            return None
        row = read_goal(
            self.ledger,
            self.cycle,
            goal,
            at=self.at,
            policy=self.policy,
            child_row=self.row,
            original_targets=self.original_targets,
        )
        self._rows[goal_id] = row
        return row

    def rows(self) -> dict[UUID, ScoreboardRow]:
        """Every goal of the cycle set by the instant, in the order the goals were set."""
        rows: dict[UUID, ScoreboardRow] = {}
        for goal in self.ledger.goals_of(self.cycle.id, self.at):
            row = self.row(goal.id)
            assert row is not None
            rows[goal.id] = row
        return rows


def subtree(ledger: Ledger, goal_id: UUID) -> list[GoalRecord]:
    """The goal and every goal ever aligned below it."""
    found: list[GoalRecord] = []
    seen: set[UUID] = set()
    stack = [goal_id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        record = ledger.goals.get(current)
        if record is not None:
            found.append(record)
        stack.extend(ledger.children.get(current, ()))
    return found


def change_instants(
    ledger: Ledger, cycle: CycleRecord, goal_id: UUID, upto: datetime, *, with_policies: bool
) -> list[datetime]:
    """Every business time by ``upto`` at which the goal's forecast or rollup can change."""
    instants: set[datetime] = set()
    for goal in subtree(ledger, goal_id):
        instants.add(goal.occurred_at)
        for kr in goal.key_results.values():
            instants.add(kr.occurred_at)
            instants.update(c.occurred_at for c in kr.checkins)
            instants.update(a.occurred_at for a in kr.adjustments)
        for changes in (goal.realignments, goal.reweightings, goal.endings):
            instants.update(c.occurred_at for c in changes)
    if with_policies:
        instants.update(p.occurred_at for p in cycle.policies)
    return sorted(t for t in instants if t <= upto)


def timeline(
    ledger: Ledger,
    cycle: CycleRecord,
    goal_id: UUID,
    upto: datetime,
    policy: Policy | None,
) -> list[tuple[datetime, ScoreboardRow, Policy]]:
    """The goal as the live view showed it just after each of its change instants by ``upto``,
    under the policy then in force (or ``policy`` when given)."""
    readings: list[tuple[datetime, ScoreboardRow, Policy]] = []
    for instant in change_instants(ledger, cycle, goal_id, upto, with_policies=policy is None):
        in_force = policy or cycle.policy_at(instant)
        row = Reader(ledger, cycle, instant, in_force).row(goal_id)
        if row is not None:
            readings.append((instant, row, in_force))
    return readings
