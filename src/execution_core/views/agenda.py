"""The agenda: per person, what is due.

- *check-in due*: an active goal with key results the person answers for (their own, or their
  unit's as its lead) with no check-in for a cadence or more (counted from the goal's setting
  or the cycle start when nothing was logged yet);
- *action* and *commitment* items: open ones owned by the person, overdue (due before the day of
  ``at``) or due within the coming cadence;
- for a manager, *coaching owed* to each direct report: no session from the manager within the
  radar's short window, and each goal of the report at risk or off track with no coaching since
  it turned so;
- *goal to reassign*: each active goal owned by someone who left, on the agenda of their nearest
  active manager (else the nearest active lead of their unit's chain), until the cycle is
  closed; due on the day they left.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.policy import Policy
from execution_core.views._common import cycle_of, policy_in_force, records, utc
from execution_core.views.ledger import CycleRecord, Ledger
from execution_core.views.plan_quality import orphaned_goals
from execution_core.views.radar import goals_of_person, uncoached_goals
from execution_core.views.reading import Reader

__all__ = ["Agenda", "AgendaItem", "AgendaKind", "agenda"]


class AgendaKind(StrEnum):
    """What kind of thing is due."""

    CHECK_IN_DUE = "check-in due"
    ACTION_DUE = "action due"
    ACTION_OVERDUE = "action overdue"
    COMMITMENT_DUE = "commitment due"
    COMMITMENT_OVERDUE = "commitment overdue"
    COACHING_OWED = "coaching owed"
    REASSIGN_GOAL = "goal to reassign"


@attrs.frozen(kw_only=True)
class AgendaItem:
    """One thing a person should do."""

    person_id: str
    kind: AgendaKind
    subject: str
    """The goal title, the action's task, the commitment, or the report owed coaching."""
    goal_id: UUID | None
    ref: str | None
    """The action id, commitment id or report's person id."""
    due_on: date | None
    days_overdue: int
    """Days past due by the day of ``at`` (0 when not yet overdue)."""


@attrs.frozen(kw_only=True)
class Agenda:
    """Everyone's agenda in a cycle at ``at``."""

    cycle_id: UUID
    at: datetime
    items: tuple[AgendaItem, ...]

    def for_person(self, person_id: str) -> tuple[AgendaItem, ...]:
        """One person's items."""
        return tuple(item for item in self.items if item.person_id == person_id)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per item."""
        return records(self.items)


class _Agenda:
    """Collects the items of everyone's agenda at one instant."""

    def __init__(self, ledger: Ledger, cycle: CycleRecord, at: datetime, policy: Policy | None):
        self.ledger = ledger
        self.cycle = cycle
        self.at = at
        self.policy = policy
        self.in_force = policy_in_force(cycle, at, policy)
        self.org = ledger.organization_at(at)
        self.rows = list(Reader(ledger, cycle, at, self.in_force).rows().values())
        self.today = at.date()
        self.cadence = timedelta(days=cycle.cadence_days)
        self.horizon = self.today + self.cadence
        self.items: list[AgendaItem] = []

    def add(
        self,
        person_id: str,
        kind: AgendaKind,
        subject: str,
        *,
        goal_id: UUID | None,
        ref: str | None,
        due_on: date | None,
    ) -> None:
        self.items.append(
            AgendaItem(
                person_id=person_id,
                kind=kind,
                subject=subject,
                goal_id=goal_id,
                ref=ref,
                due_on=due_on,
                days_overdue=0 if due_on is None else max(0, (self.today - due_on).days),
            )
        )

    def check_ins(self, person_id: str) -> None:
        cycle, at = self.cycle, self.at
        if not (cycle.starts_at <= at < cycle.ends_at and cycle.closed_at(at) is None):
            return
        for row in goals_of_person(self.org, person_id, self.rows):
            if row.status != "active" or row.rolls_up:
                continue
            goal = self.ledger.goals[row.goal_id]
            since = row.last_checkin_at or max(goal.occurred_at, cycle.starts_at)
            if at - since >= self.cadence:
                due = (since + self.cadence).date()
                self.add(
                    person_id,
                    AgendaKind.CHECK_IN_DUE,
                    row.title,
                    goal_id=row.goal_id,
                    ref=None,
                    due_on=due,
                )

    def actions(self, person_id: str) -> None:
        for row in self.rows:
            if row.status != "active":
                continue
            for action in self.ledger.goals[row.goal_id].actions_at(self.at):
                if (
                    action.owner_id != person_id
                    or action.status_at(self.at) != "open"
                    or action.due_on >= self.horizon
                ):
                    continue
                overdue = action.due_on < self.today
                self.add(
                    person_id,
                    AgendaKind.ACTION_OVERDUE if overdue else AgendaKind.ACTION_DUE,
                    action.task,
                    goal_id=row.goal_id,
                    ref=action.id,
                    due_on=action.due_on,
                )

    def commitments(self, person_id: str) -> None:
        for commitment in self.ledger.journal(person_id).commitments.values():
            if (
                commitment.occurred_at > self.at
                or commitment.status_at(self.at) != "open"
                or commitment.due_on >= self.horizon
            ):
                continue
            overdue = commitment.due_on < self.today
            self.add(
                person_id,
                AgendaKind.COMMITMENT_OVERDUE if overdue else AgendaKind.COMMITMENT_DUE,
                commitment.action,
                goal_id=commitment.goal_id,
                ref=commitment.id,
                due_on=commitment.due_on,
            )

    def reassignments(self) -> None:
        """The goals of leavers, for whoever should hand them on (until the cycle is closed: a
        closed cycle takes no reassignment)."""
        if self.cycle.closed_at(self.at) is not None:
            return
        for orphan in orphaned_goals(self.ledger, self.rows, self.org, self.at):
            if orphan.reassign_by is not None:
                self.add(
                    orphan.reassign_by,
                    AgendaKind.REASSIGN_GOAL,
                    f"{orphan.title} of {orphan.owner_id}, who left",
                    goal_id=orphan.goal_id,
                    ref=orphan.owner_id,
                    due_on=orphan.left_at.date(),
                )

    def coaching(self, manager_id: str) -> None:
        short = timedelta(days=self.in_force.coaching_windows_days[0])
        for report_id in self.org.reports_of(manager_id):
            journal = self.ledger.journal(report_id)
            if not any(
                s.coach_id == manager_id and s.occurred_at > self.at - short
                for s in journal.sessions_by(self.at)
            ):
                self.add(
                    manager_id,
                    AgendaKind.COACHING_OWED,
                    f"no coaching of {report_id} in {short.days} days",
                    goal_id=None,
                    ref=report_id,
                    due_on=None,
                )
            theirs = goals_of_person(self.org, report_id, self.rows)
            for goal in uncoached_goals(
                self.ledger,
                self.cycle,
                journal=journal,
                goals=theirs,
                at=self.at,
                policy=self.policy,
            ):
                self.add(
                    manager_id,
                    AgendaKind.COACHING_OWED,
                    f"{goal.title} {goal.health.value} since {goal.turned_at:%Y-%m-%d}",
                    goal_id=goal.goal_id,
                    ref=report_id,
                    due_on=goal.turned_at.date(),
                )


def agenda(ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None) -> Agenda:
    """Everyone's agenda in a cycle at business time ``at``."""
    at = utc(at)
    builder = _Agenda(ledger, cycle_of(ledger, cycle_id), at, policy)
    for person in builder.org.active_people():
        builder.check_ins(person.id)
        builder.actions(person.id)
        builder.commitments(person.id)
        builder.coaching(person.id)
    builder.reassignments()
    return Agenda(cycle_id=cycle_id, at=at, items=tuple(builder.items))
