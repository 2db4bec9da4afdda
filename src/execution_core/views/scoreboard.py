"""The live scoreboard: per goal, where it is, where it should be, where it is heading.

Built from scratch with :func:`scoreboard`, then kept current with :meth:`Scoreboard.apply`,
which recomputes only the rows an event touches: the goal it is about and, while their rows
change, the goals it rolls up into (a commitment touches only its goal's row). A cycle event
(a new policy in force) rebuilds the board. Either way the result is the same value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Permission
from execution_core.coaching.events import CommitmentKept, CommitmentMade, CommitmentMissed
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.event import Event
from execution_core.goals.events import GoalRealigned
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import policy_in_force, records, require, utc
from execution_core.views.ledger import CycleRecord, Ledger
from execution_core.views.reading import Reader, ScoreboardRow, read_goal

__all__ = ["Scoreboard", "ScoreboardRow", "scoreboard"]

_CYCLE_EVENTS = (CycleOpened, PolicyAdopted, CycleClosed)


@attrs.frozen(kw_only=True)
class Scoreboard:
    """The goals of a cycle at an instant ``at`` (business time), under ``policy``."""

    cycle_id: UUID
    at: datetime
    policy: Policy
    expected: float
    """The pace every goal is measured against: the elapsed share of the cycle."""
    rows: Mapping[UUID, ScoreboardRow]
    """One row per goal set by ``at``, in the order the goals were set."""
    policy_override: Policy | None = None
    """The policy given by the caller, if any (else the cycle's policy in force at ``at``)."""

    @classmethod
    def build(
        cls, ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
    ) -> Scoreboard:
        """The scoreboard from scratch."""
        at = utc(at)
        cycle = ledger.cycles.get(cycle_id)
        in_force = policy_in_force(cycle, at, policy)
        if cycle is None:
            return cls(
                cycle_id=cycle_id,
                at=at,
                policy=in_force,
                expected=0.0,
                rows={},
                policy_override=policy,
            )
        return cls(
            cycle_id=cycle_id,
            at=at,
            policy=in_force,
            expected=f.expected_progress(at, cycle.starts_at, cycle.ends_at),
            rows=Reader(ledger, cycle, at, in_force).rows(),
            policy_override=policy,
        )

    def row(self, goal_id: UUID) -> ScoreboardRow:
        """The row of a goal (KeyError when it is not on the board)."""
        return self.rows[goal_id]

    def apply(self, event: Event, ledger: Ledger) -> Scoreboard:
        """The scoreboard after ``event``; ``ledger`` is the ledger with the event applied."""
        if isinstance(event, _CYCLE_EVENTS):
            if event.stream_id != self.cycle_id:
                return self
            return Scoreboard.build(ledger, self.cycle_id, at=self.at, policy=self.policy_override)
        if isinstance(event, GoalRealigned) and event.occurred_at <= self.at:
            # A realignment can open or close an alignment loop, which changes the effective
            # parent of goals *below* it too; realignments are rare, so rebuild the board.
            goal = ledger.goals.get(event.stream_id)
            if goal is not None and goal.cycle_id == self.cycle_id:
                return Scoreboard.build(
                    ledger, self.cycle_id, at=self.at, policy=self.policy_override
                )
        cycle = ledger.cycles.get(self.cycle_id)
        touched = self._touched(event, ledger)
        if event.occurred_at > self.at or cycle is None or touched is None:
            return self
        goal_id, with_parents = touched
        return self._recompute(ledger, cycle, goal_id, with_parents=with_parents)

    def _touched(self, event: Event, ledger: Ledger) -> tuple[UUID, bool] | None:
        """The goal of this board whose row the event may change, and whether the goals above
        it may change too (not for a commitment: commitments do not roll up)."""
        goal = ledger.goals.get(event.stream_id)
        if goal is not None:
            return (goal.id, True) if goal.cycle_id == self.cycle_id else None
        goal_id = _commitment_goal(event, ledger)
        if goal_id is None or goal_id not in self.rows:
            return None
        return goal_id, False

    def _recompute(
        self, ledger: Ledger, cycle: CycleRecord, goal_id: UUID, *, with_parents: bool
    ) -> Scoreboard:
        goal = ledger.goals[goal_id]
        if goal.occurred_at > self.at:
            return self
        rows = dict(self.rows)
        old = rows.get(goal_id)
        new = read_goal(ledger, cycle, goal, at=self.at, policy=self.policy, child_row=rows.get)
        if new == old:
            return self
        rows[goal_id] = new
        if with_parents:
            old_parent = _parent_of(old)
            new_parent = _parent_of(new)
            self._walk_up(ledger, cycle, rows, goal_id, old_parent)
            if new_parent != old_parent:
                self._walk_up(ledger, cycle, rows, goal_id, new_parent)
        return attrs.evolve(self, rows=rows)

    def _walk_up(
        self,
        ledger: Ledger,
        cycle: CycleRecord,
        rows: dict[UUID, ScoreboardRow],
        start: UUID,
        parent: UUID | None,
    ) -> None:
        """Recompute the goals above ``start`` along its recorded alignment while they change."""
        seen = {start}
        current = parent
        while current is not None and current not in seen:
            seen.add(current)
            goal = ledger.goals.get(current)
            if goal is None or goal.occurred_at > self.at or goal.cycle_id != self.cycle_id:
                return
            row = read_goal(ledger, cycle, goal, at=self.at, policy=self.policy, child_row=rows.get)
            if rows.get(current) == row:
                return
            rows[current] = row
            current = _parent_of(row)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal (owner as ``owner_kind`` and ``owner_id``)."""
        return records(self.rows.values())


def _parent_of(row: ScoreboardRow | None) -> UUID | None:
    """The parent goal named by the row's recorded alignment (loops included)."""
    if row is None or row.aligned_to is None:
        return None
    return row.aligned_to.parent_id


def _commitment_goal(event: Event, ledger: Ledger) -> UUID | None:
    if isinstance(event, CommitmentMade):
        return event.goal_id
    if isinstance(event, CommitmentKept | CommitmentMissed):
        person = ledger.journal_streams.get(event.stream_id)
        if person is None:
            return None
        commitment = ledger.journal(person).commitments.get(event.commitment_id)
        return None if commitment is None else commitment.goal_id
    return None


def scoreboard(
    ledger: Ledger,
    cycle_id: UUID,
    *,
    at: datetime,
    policy: Policy | None = None,
    viewer: str | None = None,
    access: AccessPolicy | None = None,
) -> Scoreboard:
    """The live scoreboard of a cycle at business time ``at``.

    ``policy`` evaluates the board under another policy than the one in force; ``viewer``, when
    given, must be allowed ``Permission.VIEW_BOARD`` (else NotPermitted).
    """
    if viewer is not None:
        require(ledger, viewer, Permission.VIEW_BOARD, None, access)
    return Scoreboard.build(ledger, cycle_id, at=at, policy=policy)
