"""Early warning, counted honestly: for every goal of a cycle, the first day the live view
flagged it (at risk, off track, or not started), beside how it ended; so a flag's lead time is
read with what flags cost: false alarms (flagged goals that ended met) and misses (missed
goals never flagged).

- *lead time*: days from a missed goal's first flag to the cycle's last day (as
  :func:`~.lead_time.detection_lead_time`, with *not started* counted as a flag: a goal never
  started that ends missed was visible on the board, unlike in the lead-time view);
- *precision*: the share of flagged goals that ended missed;
- *recall*: the share of missed goals that were flagged.

The live view is replayed at every instant the goal (or a goal below it) changed and at the
instant it would turn *not started*, under the policy then in force or the one given, so the
same history can be read under another forecast rule (see ``Policy.forecast_min_checkins`` and
``forecast_min_elapsed``). Goals with no key results of their own (rollups) are left out: they
are flagged when their children are, and replaying them at every change below is costly.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.policy import Policy
from execution_core.views._common import cycle_of, policy_in_force, records, utc
from execution_core.views.formulas import Health, Outcome, expected_progress
from execution_core.views.ledger import CycleRecord, Ledger
from execution_core.views.reading import Reader, ScoreboardRow, timeline

__all__ = ["EarlyWarning", "Flag", "early_warning", "first_flag"]

FLAGS = (Health.AT_RISK, Health.OFF_TRACK, Health.NOT_STARTED)
"""The healths that flag a goal to its coach."""


@attrs.frozen(kw_only=True)
class Flag:
    """A goal, how it ended, and when the live view first flagged it (None: never)."""

    goal_id: UUID
    title: str
    owner: Owner
    outcome: Outcome
    first_flagged_at: datetime | None
    first_flagged_health: Health | None
    lead_days: int | None
    """Days from the first flagged day to the cycle's last day (None: never flagged)."""

    @property
    def missed(self) -> bool:
        """Whether the goal ended missed."""
        return self.outcome is Outcome.MISSED


@attrs.frozen(kw_only=True)
class EarlyWarning:
    """The flags of a cycle's goals read at ``at`` (under ``policy`` when one was given)."""

    cycle_id: UUID
    at: datetime
    policy: Policy | None
    rows: tuple[Flag, ...]

    @property
    def flagged(self) -> int:
        """Goals flagged at least once."""
        return sum(1 for r in self.rows if r.first_flagged_at is not None)

    @property
    def missed(self) -> int:
        """Goals that ended missed."""
        return sum(1 for r in self.rows if r.missed)

    @property
    def caught(self) -> int:
        """Missed goals that were flagged."""
        return sum(1 for r in self.rows if r.missed and r.first_flagged_at is not None)

    @property
    def false_alarms(self) -> int:
        """Flagged goals that ended met or exceeded."""
        return self.flagged - self.caught

    @property
    def misses(self) -> int:
        """Missed goals never flagged."""
        return self.missed - self.caught

    @property
    def precision(self) -> float | None:
        """The share of flagged goals that ended missed (None: nothing flagged)."""
        return self.caught / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        """The share of missed goals that were flagged (None: nothing missed)."""
        return self.caught / self.missed if self.missed else None

    @property
    def lead_days(self) -> tuple[int, ...]:
        """The lead times of the missed goals that were flagged."""
        return tuple(r.lead_days for r in self.rows if r.missed and r.lead_days is not None)

    @property
    def median_lead_days(self) -> float | None:
        """The median lead time of the missed goals flagged (None: none)."""
        days = self.lead_days
        return statistics.median(days) if days else None

    def summary(self) -> dict[str, object]:
        """The figures in one flat dict."""
        return {
            "goals": len(self.rows),
            "flagged": self.flagged,
            "missed": self.missed,
            "false_alarms": self.false_alarms,
            "misses": self.misses,
            "precision": self.precision,
            "recall": self.recall,
            "median_lead_days": self.median_lead_days,
        }

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal."""
        return records(self.rows)


def first_flag(
    ledger: Ledger, cycle: CycleRecord, row: ScoreboardRow, end: datetime, policy: Policy | None
) -> tuple[datetime, Health] | None:
    """The first instant by ``end`` the live view flagged the goal, and how (None: never)."""
    readings = [
        (instant, past.health)
        for instant, past, _ in timeline(ledger, cycle, row.goal_id, end, policy)
    ]
    goal = ledger.goals[row.goal_id]
    ne = (policy or cycle.policy_at(end)).not_started_expected
    crossing = max(goal.occurred_at, cycle.starts_at + (cycle.ends_at - cycle.starts_at) * ne)
    if expected_progress(crossing, cycle.starts_at, cycle.ends_at) < ne:
        # the pace in float days can fall a hair short at that instant (9.1 / 91 < 0.1)
        crossing += timedelta(microseconds=1)
    if crossing <= end:
        in_force = policy or cycle.policy_at(crossing)
        past = Reader(ledger, cycle, crossing, in_force).row(row.goal_id)
        if past is not None:
            readings.append((crossing, past.health))
    readings.sort(key=lambda reading: reading[0])
    return next(((t, h) for t, h in readings if h in FLAGS), None)


def early_warning(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> EarlyWarning:
    """The flags of a cycle's goals (rollups and dropped goals left out) read at business time
    ``at``; outcomes at the cycle end (or ``at`` if earlier). ``policy`` replays every instant
    under that policy instead of the one then in force."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    end = min(at, cycle.ends_at)
    final = Reader(ledger, cycle, end, policy_in_force(cycle, end, policy)).rows()
    ends_on = cycle.state.ends_on
    rows: list[Flag] = []
    for row in final.values():
        if row.rolls_up or row.status == "dropped":
            continue
        first = first_flag(ledger, cycle, row, end, policy)
        rows.append(
            Flag(
                goal_id=row.goal_id,
                title=row.title,
                owner=row.owner,
                outcome=row.outcome,
                first_flagged_at=None if first is None else first[0],
                first_flagged_health=None if first is None else first[1],
                lead_days=None if first is None else (ends_on - first[0].date()).days,
            )
        )
    return EarlyWarning(cycle_id=cycle_id, at=at, policy=policy, rows=tuple(rows))
