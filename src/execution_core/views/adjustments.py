"""The adjustments log: every target adjusted, goal realigned, reassigned, reweighted or
dropped in a cycle, with who and why, in business-time order.

:class:`AdjustmentKind` is the one vocabulary of changes to a plan: the audit's plan diff
(``execution_core.audit``, where it is also importable as ``ChangeKind``) uses all of it, this
log the five kinds that adjust a plan already set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.policy import Policy
from execution_core.views._common import cycle_of, records, utc
from execution_core.views.ledger import Fact, GoalRecord, Ledger

__all__ = ["Adjustment", "AdjustmentKind", "AdjustmentsLog", "adjustments_log", "criteria_text"]


class AdjustmentKind(StrEnum):
    """What changed in the plan. The values are stored in records and printed: never change
    one."""

    GOAL_SET = "goal set"
    KEY_RESULT_ADDED = "key result added"
    TARGET_ADJUSTED = "target adjusted"
    TARGET = "target adjusted"
    """The earlier name of :attr:`TARGET_ADJUSTED` (the same member)."""
    REALIGNED = "realigned"
    REASSIGNED = "reassigned"
    REWEIGHTED = "reweighted"
    COMPLETED = "completed"
    DROPPED = "dropped"


@attrs.frozen(kw_only=True)
class Adjustment:
    """One adjustment of the plan."""

    goal_id: UUID
    goal_title: str
    kind: AdjustmentKind
    kr_id: str | None
    before: str
    after: str
    reason: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime


@attrs.frozen(kw_only=True)
class AdjustmentsLog:
    """The adjustments of a cycle by ``at``."""

    cycle_id: UUID
    at: datetime
    rows: tuple[Adjustment, ...]

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per adjustment."""
        return records(self.rows)


def criteria_text(target: float, stretch: float | None) -> str:
    """A key result's agreed criteria as text, the one wording of the adjustments log and of
    the plan's diff (``target 100, stretch 120``; ``stretch none`` when none was agreed)."""
    return f"target {target:g}, stretch {'none' if stretch is None else f'{stretch:g}'}"


def _text(value: object) -> str:
    return "nothing" if value is None else str(value)


def _changes(goal: GoalRecord) -> Iterator[tuple[Fact, AdjustmentKind, str | None, str, str, str]]:
    """Every adjustment of a goal: (fact, kind, key result, before, after, reason)."""
    for kr in goal.key_results.values():
        for t in kr.adjustments:
            before = criteria_text(t.old_target, t.old_stretch)
            after = criteria_text(t.new_target, t.new_stretch)
            yield t, AdjustmentKind.TARGET_ADJUSTED, kr.id, before, after, t.reason
    for r in goal.realignments:
        yield r, AdjustmentKind.REALIGNED, None, _text(r.old), _text(r.new), r.reason
    for o in goal.reassignments:
        yield o, AdjustmentKind.REASSIGNED, None, str(o.old), str(o.new), o.reason
    for w in goal.reweightings:
        yield w, AdjustmentKind.REWEIGHTED, None, f"{w.old:g}", f"{w.new:g}", ""
    for e in goal.endings:
        if e.status == "dropped":
            yield e, AdjustmentKind.DROPPED, None, "active", "dropped", e.reason


def adjustments_log(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> AdjustmentsLog:
    """The adjustments log of a cycle at business time ``at`` (``policy`` plays no part)."""
    at = utc(at)
    cycle_of(ledger, cycle_id)
    found = [
        (goal, *change)
        for goal in ledger.goals_of(cycle_id, at)
        for change in _changes(goal)
        if change[0].occurred_at <= at
    ]
    found.sort(key=lambda item: (item[1].occurred_at, item[1].seq))
    rows = tuple(
        Adjustment(
            goal_id=goal.id,
            goal_title=goal.title,
            kind=kind,
            kr_id=kr_id,
            before=before,
            after=after,
            reason=reason,
            actor=fact.actor,
            occurred_at=fact.occurred_at,
            recorded_at=fact.recorded_at,
        )
        for goal, fact, kind, kr_id, before, after, reason in found
    )
    return AdjustmentsLog(cycle_id=cycle_id, at=at, rows=rows)
