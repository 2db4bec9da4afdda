"""Signals derived from two situations: what changed between the live views before and after a
batch of facts or a clock tick, as a pure function (see docs/signals.md for each kind)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from execution_core.cycles.state import day_start
from execution_core.policy import Policy
from execution_core.signals.kinds import SignalKind
from execution_core.signals.signal import Cause, Signal
from execution_core.signals.situation import (
    CheckinState,
    CycleMark,
    GoalMark,
    Situation,
    checkin_state,
)
from execution_core.views.formulas import Health

__all__ = ["derive_signals"]

_TURNED = {
    Health.AT_RISK: SignalKind.TURNED_AT_RISK,
    Health.OFF_TRACK: SignalKind.TURNED_OFF_TRACK,
    Health.STALE: SignalKind.WENT_STALE,
    Health.NOT_STARTED: SignalKind.NOT_STARTED,
}
_ORDER = {kind: i for i, kind in enumerate(SignalKind)}
_LEVELS = CheckinState.LEVELS


def _crossed(
    crossing: datetime, before: datetime | None, after: datetime, fallback: datetime
) -> datetime:
    """The instant a threshold was crossed, when time alone crossed it between the two views;
    else ``fallback`` (the facts moved the views)."""
    if before is not None and before < crossing <= after:
        return crossing
    return fallback


class _Change(NamedTuple):
    """One goal's marks before and after, with what every signal about it carries."""

    goal_id: UUID
    old: GoalMark | None
    new: GoalMark
    cycle: CycleMark
    before_at: datetime | None
    """The instant the goal's cycle was read at before (None: it was not on the board)."""

    @property
    def policy(self) -> Policy:
        return self.cycle.policy

    def who(self) -> dict[str, Any]:
        new = self.new
        return {
            "cycle_id": new.cycle_id,
            "goal_id": self.goal_id,
            "person_id": new.person_id,
            "unit_id": new.unit_id,
        }


class _Deriving:
    """The signals of one pair of situations, collected."""

    def __init__(self, before: Situation, after: Situation, cause: Cause) -> None:
        self.before = before
        self.after = after
        self.cause = cause
        self.found: list[Signal] = []

    def fact_time(self, instant: datetime) -> datetime:
        """The business time of a change the facts made: the newest fact seen, capped to the
        instant the views were read at."""
        latest = self.after.latest
        return instant if latest is None or latest > instant else latest

    def add(self, kind: SignalKind, at: datetime, policy: Policy, **fields: Any) -> None:
        self.found.append(Signal(kind=kind, at=at, cause=self.cause, policy=policy, **fields))

    def cycles(self) -> None:
        for cycle_id, mark in self.after.cycles.items():
            old = self.before.cycles.get(cycle_id)
            was = None if old is None else old.status
            if mark.status != "planned" and was in (None, "planned"):
                before_at = None if old is None else old.at
                at = _crossed(mark.starts_at, before_at, mark.at, self.fact_time(mark.at))
                self.add(
                    SignalKind.CYCLE_OPENED, at, mark.policy, cycle_id=cycle_id, was=was, now="open"
                )
            if mark.status == "closed" and was != "closed":
                at = mark.closed_at or self.fact_time(mark.at)
                self.add(
                    SignalKind.CYCLE_CLOSED,
                    at,
                    mark.policy,
                    cycle_id=cycle_id,
                    was=was,
                    now="closed",
                )

    def goal(self, goal_id: UUID, old: GoalMark | None, new: GoalMark) -> None:
        previous = self.before.cycles.get(new.cycle_id)
        before_at = None if previous is None or old is None else previous.at
        change = _Change(goal_id, old, new, self.after.cycles[new.cycle_id], before_at)
        if new.status == "active":
            self.health(change)
            self.checkin(change)
            self.uncoached(change)
        self.lowered(change)

    def uncoached(self, change: _Change) -> None:
        old, new, cycle = change.old, change.new, change.cycle
        since = new.uncoached_since
        if since is None or (old is not None and old.uncoached_since == since):
            return
        crossing = since + timedelta(days=change.policy.uncoached_days)
        at = _crossed(crossing, change.before_at, cycle.at, self.fact_time(cycle.at))
        self.add(
            SignalKind.UNCOACHED_AT_RISK,
            at,
            change.policy,
            was=since.isoformat(),
            now=new.health.value,
            **change.who(),
        )

    def health(self, change: _Change) -> None:
        old, new, cycle, policy = change.old, change.new, change.cycle, change.policy
        was = None if old is None or old.status != "active" else old.health
        if was == new.health:
            return
        if new.health == Health.ON_TRACK:
            if was is None or was == Health.ON_TRACK:
                return
            kind = SignalKind.BACK_ON_TRACK
        else:
            kind = _TURNED[new.health]
        crossing: datetime | None = None
        if new.health == Health.STALE and new.last_checkin_at is not None:
            cadences = timedelta(days=policy.stale_cadences * cycle.cadence_days)
            crossing = new.last_checkin_at + cadences
        elif new.health == Health.NOT_STARTED:
            length = cycle.ends_at - cycle.starts_at
            crossing = max(new.set_at, cycle.starts_at + length * policy.not_started_expected)
        fallback = self.fact_time(cycle.at)
        checked_in = new.last_checkin_at
        if (
            old is not None
            and checked_in is not None
            and checked_in != old.last_checkin_at
            and checked_in <= cycle.at
        ):
            fallback = checked_in  # the check-in that moved it
        at = (
            fallback
            if crossing is None
            else _crossed(crossing, change.before_at, cycle.at, fallback)
        )
        self.add(
            kind,
            at,
            policy,
            was=None if was is None else was.value,
            now=new.health.value,
            **change.who(),
        )

    def checkin(self, change: _Change) -> None:
        old, new, cycle, policy = change.old, change.new, change.cycle, change.policy
        was = CheckinState.UP_TO_DATE
        if old is not None and old.status == "active" and old.checkin_since == new.checkin_since:
            was = old.checkin
        if new.checkin_since is None or _LEVELS[new.checkin] <= _LEVELS[was]:
            return
        _, due, overdue = checkin_state(
            at=cycle.at, since=new.checkin_since, cadence_days=cycle.cadence_days, policy=policy
        )
        fallback = self.fact_time(cycle.at)
        steps = (
            (CheckinState.DUE, SignalKind.CHECKIN_DUE, due),
            (CheckinState.OVERDUE, SignalKind.CHECKIN_OVERDUE, overdue),
        )
        for state, kind, crossing in steps:
            if _LEVELS[was] < _LEVELS[state] <= _LEVELS[new.checkin]:
                at = _crossed(crossing, change.before_at, cycle.at, fallback)
                self.add(kind, at, policy, was=was, now=state, **change.who())
                was = state

    def lowered(self, change: _Change) -> None:
        seen = () if change.old is None else change.old.lowered
        for mark in change.new.lowered:
            if mark in seen:
                continue
            self.add(
                SignalKind.TARGET_LOWERED_BELOW_FORECAST,
                mark.occurred_at,
                change.policy,
                ref=mark.kr_id,
                was=repr(mark.old_target),
                now=repr(mark.new_target),
                **change.who(),
            )

    def goals(self) -> None:
        before = self.before.goals
        for goal_id in self.after.goals_to_compare(self.before):
            new = self.after.goals.get(goal_id)
            if new is None:
                continue
            old = before.get(goal_id)
            if old != new:
                self.goal(goal_id, old, new)

    def policy_of(self, cycle_id: UUID | None) -> Policy:
        mark = None if cycle_id is None else self.after.cycles.get(cycle_id)
        return Policy() if mark is None else mark.policy

    def due(self) -> None:
        for (goal_id, action_id), due in self.after.actions.items():
            if (goal_id, action_id) in self.before.actions:
                continue
            self.add(
                SignalKind.ACTION_OVERDUE,
                self._overdue_at(due.due_on, due.cycle_id),
                self.policy_of(due.cycle_id),
                cycle_id=due.cycle_id,
                goal_id=goal_id,
                person_id=due.person_id,
                ref=action_id,
                was="open",
                now="overdue",
            )
        for (person_id, commitment_id), due in self.after.commitments.items():
            if (person_id, commitment_id) in self.before.commitments:
                continue
            self.add(
                SignalKind.COMMITMENT_OVERDUE,
                self._overdue_at(due.due_on, None),
                self.policy_of(due.cycle_id),
                cycle_id=due.cycle_id,
                goal_id=due.goal_id,
                person_id=person_id,
                ref=commitment_id,
                was="open",
                now="overdue",
            )

    def _overdue_at(self, due_on: date, cycle_id: UUID | None) -> datetime:
        """Overdue from the first instant of the day after the due date (when time alone
        crossed it), else when the facts made it so."""
        assert self.after.now is not None
        mark = None if cycle_id is None else self.after.cycles.get(cycle_id)
        old = None if cycle_id is None else self.before.cycles.get(cycle_id)
        after_at = self.after.now if mark is None else mark.at
        before_at = (
            self.before.now
            if old is None and cycle_id is None
            else (None if old is None else old.at)
        )
        crossing = day_start(due_on) + timedelta(days=1)
        return _crossed(crossing, before_at, after_at, self.fact_time(after_at))

    def appraisals(self) -> None:
        for (cycle_id, person_id), mark in self.after.appraisals.items():
            old = self.before.appraisals.get((cycle_id, person_id))
            if old == mark:
                continue
            policy = self.policy_of(cycle_id)
            who = {"cycle_id": cycle_id, "person_id": person_id, "unit_id": mark.unit_id}
            if mark.recorded is not None and (old is None or old.recorded is None):
                assert mark.recorded_at is not None
                self.add(
                    SignalKind.APPRAISAL_RECORDED,
                    mark.recorded_at,
                    policy,
                    was=None,
                    now=str(mark.recorded),
                    **who,
                )
            previous = None if old is None else old.calibrated_at
            if mark.calibrated is not None and mark.calibrated_at != previous:
                assert mark.calibrated_at is not None
                was = (
                    old.calibrated
                    if old is not None and old.calibrated is not None
                    else mark.recorded
                )
                self.add(
                    SignalKind.APPRAISAL_CALIBRATED,
                    mark.calibrated_at,
                    policy,
                    was=None if was is None else str(was),
                    now=str(mark.calibrated),
                    **who,
                )


def derive_signals(before: Situation, after: Situation, cause: Cause) -> tuple[Signal, ...]:
    """The signals of the change from ``before`` to ``after`` (the live views before and after
    a batch of facts or a clock tick), ``cause`` naming what moved them; ordered by business
    time, then kind, then key. Pure: the same two situations give the same signals."""
    if after.now is None:
        return ()
    deriving = _Deriving(before, after, cause)
    deriving.cycles()
    deriving.goals()
    deriving.due()
    deriving.appraisals()
    return tuple(sorted(deriving.found, key=lambda s: (s.at, _ORDER[s.kind], s.key)))
