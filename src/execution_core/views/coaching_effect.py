"""Coaching effect (descriptive): the progress slope in the weeks before and after each coaching
session. It is a correlation a coach can read, never a cause: goals are coached *because* they
are in trouble, and many things change at once.

A session about a goal gives one row for that goal; a general session gives one row for each
goal the person owned then. The slope is the change of the goal's progress (its 0..1 score) per
week between the window's ends: from ``weeks`` before the session (or the cycle start) to the
session, and from the session to ``weeks`` after it (or ``at``, or the cycle end).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs

from execution_core.coaching.events import CoachingKind
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, records, utc
from execution_core.views.ledger import CycleRecord, GoalRecord, Ledger, Session
from execution_core.views.reading import Reader

__all__ = ["CoachingEffect", "SessionEffect", "coaching_effect"]

DISCLAIMER = (
    "Descriptive only: progress slopes around coaching sessions show a correlation, not an "
    "effect of the coaching."
)


@attrs.frozen(kw_only=True)
class SessionEffect:
    """Progress around one coaching session, for one goal."""

    coach_id: str
    person_id: str
    goal_id: UUID
    goal_title: str
    kind: CoachingKind
    session_at: datetime
    progress_at_session: float
    slope_before: float | None
    """Progress per week over the window before the session (None: no time before it)."""
    slope_after: float | None
    """Progress per week over the window after the session (None: no time after it yet)."""
    weeks_before: float
    weeks_after: float

    @property
    def slope_change(self) -> float | None:
        """``slope_after - slope_before``, when both are known (descriptive, not causal)."""
        if self.slope_before is None or self.slope_after is None:
            return None
        return self.slope_after - self.slope_before


@attrs.frozen(kw_only=True)
class CoachingEffect:
    """Progress slopes around the coaching sessions of a cycle's goals, by ``at``."""

    cycle_id: UUID
    at: datetime
    window_weeks: float
    rows: tuple[SessionEffect, ...]
    note: str = DISCLAIMER

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per session and goal, with ``slope_change``."""
        out = []
        for row, flat in zip(self.rows, records(self.rows), strict=True):
            flat["slope_change"] = row.slope_change
            out.append(flat)
        return out


def _progress(ledger: Ledger, cycle: CycleRecord, goal_id: UUID, t: datetime) -> float:
    row = Reader(ledger, cycle, t, cycle.policy_at(t)).row(goal_id)
    return 0.0 if row is None else row.progress


def _slope(
    ledger: Ledger, cycle: CycleRecord, goal_id: UUID, start: datetime, end: datetime
) -> tuple[float | None, float]:
    weeks = f.days_between(start, end) / 7.0
    if weeks <= 0.0:
        return None, 0.0
    change = _progress(ledger, cycle, goal_id, end) - _progress(ledger, cycle, goal_id, start)
    return change / weeks, weeks


def _goals_of_session(ledger: Ledger, cycle_id: UUID, session: Session) -> list[GoalRecord]:
    t = session.occurred_at
    if session.goal_id is not None:
        goal = ledger.goals.get(session.goal_id)
        if goal is None or goal.cycle_id != cycle_id or goal.occurred_at > t:
            return []
        return [goal]
    return [
        goal
        for goal in ledger.goals_of(cycle_id, t)
        if goal.owner_at(t).kind == "person"
        and goal.owner_at(t).id == session.person_id
        and goal.status_at(t) != "dropped"
    ]


def coaching_effect(
    ledger: Ledger,
    cycle_id: UUID,
    *,
    at: datetime,
    policy: Policy | None = None,
    weeks: float = 4.0,
) -> CoachingEffect:
    """Progress slopes ``weeks`` before and after each coaching session by business time ``at``
    about the cycle's goals (``policy`` plays no part: progress does not depend on it)."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    window = timedelta(weeks=weeks)
    sessions = sorted(
        (
            s
            for journal in ledger.journals.values()
            for s in journal.sessions
            if s.occurred_at <= at
        ),
        key=lambda s: (s.occurred_at, s.seq),
    )
    rows: list[SessionEffect] = []
    for session in sessions:
        t = session.occurred_at
        if not cycle.starts_at <= t < cycle.ends_at:
            continue
        for goal in _goals_of_session(ledger, cycle_id, session):
            before, weeks_before = _slope(
                ledger, cycle, goal.id, max(t - window, cycle.starts_at), t
            )
            after, weeks_after = _slope(
                ledger, cycle, goal.id, t, min(t + window, at, cycle.ends_at)
            )
            rows.append(
                SessionEffect(
                    coach_id=session.coach_id,
                    person_id=session.person_id,
                    goal_id=goal.id,
                    goal_title=goal.title,
                    kind=session.kind,
                    session_at=t,
                    progress_at_session=_progress(ledger, cycle, goal.id, t),
                    slope_before=before,
                    slope_after=after,
                    weeks_before=weeks_before,
                    weeks_after=weeks_after,
                )
            )
    return CoachingEffect(cycle_id=cycle_id, at=at, window_weeks=weeks, rows=tuple(rows))
