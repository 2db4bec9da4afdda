"""Detection lead time: for each goal that ended missed, the first day the live view showed it
at risk or off track, against the cycle end, where an appraisal would first see it.

The live view is replayed at every instant the goal (or a goal below it) changed, under the
policy then in force; a goal's health only turns at risk or off track at such an instant.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.policy import Policy
from execution_core.views._common import cycle_of, policy_in_force, records, utc
from execution_core.views.formulas import Health, Outcome
from execution_core.views.ledger import Ledger
from execution_core.views.reading import Reader, timeline

__all__ = ["LeadTime", "LeadTimeReport", "detection_lead_time"]

_FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


@attrs.frozen(kw_only=True)
class LeadTime:
    """A goal that ended missed, and how early the live view saw it coming."""

    goal_id: UUID
    title: str
    owner: Owner
    final_progress: float
    first_flagged_at: datetime | None
    """The first instant the live view showed it at risk or off track (None: never)."""
    first_flagged_health: Health | None
    first_flagged_on: date | None
    cycle_ends_on: date
    lead_days: int | None
    """Days from the first flagged day to the cycle's last day (None: never flagged)."""


@attrs.frozen(kw_only=True)
class LeadTimeReport:
    """Lead times of a cycle's missed goals, read at ``at``."""

    cycle_id: UUID
    at: datetime
    complete: bool
    """Whether the cycle had ended by ``at`` (before that, "missed" means "missed so far")."""
    rows: tuple[LeadTime, ...]

    @property
    def mean_lead_days(self) -> float | None:
        """The mean lead time of the goals that were flagged at all."""
        days = [r.lead_days for r in self.rows if r.lead_days is not None]
        return sum(days) / len(days) if days else None

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per missed goal."""
        return records(self.rows)


def detection_lead_time(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> LeadTimeReport:
    """The detection lead time of a cycle's missed goals at business time ``at``.

    Outcomes are read at the cycle end (or at ``at`` if earlier). ``policy`` replays every
    instant under that policy instead of the one then in force.
    """
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    end = min(at, cycle.ends_at)
    final = Reader(ledger, cycle, end, policy_in_force(cycle, end, policy)).rows()
    ends_on = cycle.state.ends_on
    rows: list[LeadTime] = []
    for row in final.values():
        if row.status == "dropped" or row.outcome is not Outcome.MISSED:
            continue
        first = next(
            (
                (instant, past.health)
                for instant, past, _ in timeline(ledger, cycle, row.goal_id, end, policy)
                if past.health in _FLAGGED
            ),
            None,
        )
        first_day = None if first is None else first[0].date()
        rows.append(
            LeadTime(
                goal_id=row.goal_id,
                title=row.title,
                owner=row.owner,
                final_progress=row.progress,
                first_flagged_at=None if first is None else first[0],
                first_flagged_health=None if first is None else first[1],
                first_flagged_on=first_day,
                cycle_ends_on=ends_on,
                lead_days=None if first_day is None else (ends_on - first_day).days,
            )
        )
    return LeadTimeReport(cycle_id=cycle_id, at=at, complete=at >= cycle.ends_at, rows=tuple(rows))
