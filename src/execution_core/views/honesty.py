"""Target honesty: each goal scored against its original and its adjusted targets side by side,
with the targets that were lowered while the forecast was below them flagged.

"Lowered" means made easier: a lower target for an increasing metric, a higher one for a
decreasing metric. "The forecast was below" means the key result's forecast, from the check-ins
up to the adjustment and against the target it replaced, fell short of that target. Scores are
read at the cycle end (or at ``at`` if earlier).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.goals.events import Direction
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, policy_in_force, records, utc
from execution_core.views.formulas import Outcome
from execution_core.views.ledger import CycleRecord, KeyResultRecord, Ledger, TargetChange
from execution_core.views.reading import Reader

__all__ = ["HonestyRow", "LoweredTarget", "TargetHonesty", "lowered_while_behind", "target_honesty"]


@attrs.frozen(kw_only=True)
class LoweredTarget:
    """A target made easier while the forecast was short of it."""

    goal_id: UUID
    kr_id: str
    old_target: float
    new_target: float
    forecast_progress: float
    """The forecast against the old target when it was lowered (below 1)."""
    reason: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime


@attrs.frozen(kw_only=True)
class HonestyRow:
    """A goal against its original and its adjusted targets."""

    goal_id: UUID
    title: str
    owner: Owner
    original_score: float
    adjusted_score: float
    original_outcome: Outcome
    adjusted_outcome: Outcome
    adjustments: int
    """Target adjustments on the goal's own key results by ``at``."""
    lowered_while_behind: tuple[LoweredTarget, ...]

    @property
    def flagged(self) -> bool:
        """Whether a target was lowered while the forecast was below it."""
        return bool(self.lowered_while_behind)


@attrs.frozen(kw_only=True)
class TargetHonesty:
    """Target honesty of a cycle's goals at ``at``."""

    cycle_id: UUID
    at: datetime
    rows: tuple[HonestyRow, ...]

    @property
    def flagged(self) -> tuple[HonestyRow, ...]:
        """The goals with a target lowered while behind."""
        return tuple(row for row in self.rows if row.flagged)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal (``flagged`` and the lowered key results' ids added)."""
        out = []
        for row, flat in zip(self.rows, records(self.rows), strict=True):
            flat["lowered_while_behind"] = tuple(t.kr_id for t in row.lowered_while_behind)
            flat["flagged"] = row.flagged
            out.append(flat)
        return out


def _easier(kr: KeyResultRecord, change: TargetChange) -> bool:
    if kr.direction == Direction.INCREASE:
        return change.new_target < change.old_target
    return change.new_target > change.old_target


def lowered_while_behind(
    kr: KeyResultRecord, cycle: CycleRecord, at: datetime
) -> tuple[LoweredTarget, ...]:
    """The adjustments of a key result by ``at`` that lowered its target while behind it."""
    found: list[LoweredTarget] = []
    for change in kr.adjustments:
        if change.occurred_at > at or not _easier(kr, change):
            continue
        checkins = kr.checkins_by(change.occurred_at)
        forecast = f.key_result_forecast(
            [(f.days_between(cycle.starts_at, c.occurred_at), c.value) for c in checkins],
            kr.baseline,
            change.old_target,
            cycle.length_days,
        )
        if forecast is not None and forecast < 1.0 - f.EPSILON:
            found.append(
                LoweredTarget(
                    goal_id=change.goal_id,
                    kr_id=kr.id,
                    old_target=change.old_target,
                    new_target=change.new_target,
                    forecast_progress=forecast,
                    reason=change.reason,
                    actor=change.actor,
                    occurred_at=change.occurred_at,
                    recorded_at=change.recorded_at,
                )
            )
    return tuple(found)


def target_honesty(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> TargetHonesty:
    """Target honesty of a cycle at business time ``at``."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    end = min(at, cycle.ends_at)
    in_force = policy_in_force(cycle, end, policy)
    adjusted = Reader(ledger, cycle, end, in_force).rows()
    original = Reader(ledger, cycle, end, in_force, original_targets=True)
    rows: list[HonestyRow] = []
    for goal_id, row in adjusted.items():
        if row.status == "dropped":
            continue
        before = original.row(goal_id)
        assert before is not None
        goal = ledger.goals[goal_id]
        krs = goal.key_results_at(at)
        rows.append(
            HonestyRow(
                goal_id=goal_id,
                title=row.title,
                owner=row.owner,
                original_score=before.progress,
                adjusted_score=row.progress,
                original_outcome=before.outcome,
                adjusted_outcome=row.outcome,
                adjustments=sum(1 for kr in krs for a in kr.adjustments if a.occurred_at <= at),
                lowered_while_behind=tuple(
                    t for kr in krs for t in lowered_while_behind(kr, cycle, at)
                ),
            )
        )
    return TargetHonesty(cycle_id=cycle_id, at=at, rows=tuple(rows))
