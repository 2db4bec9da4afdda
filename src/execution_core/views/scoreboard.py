"""The live scoreboard: per goal, where it is, where it should be, where it is heading.

Built from scratch with :func:`scoreboard`, then kept current with :meth:`Scoreboard.apply`
(one event) or :meth:`Scoreboard.advance` (a batch, and a later instant), which recompute only
the rows the events touch: the goal they are about and, while their rows change, the goals it
rolls up into (a commitment touches only its goal's row). A cycle event (a new policy in force)
rebuilds the board. Either way the result is the same value. The live projections
(:mod:`execution_core.views.live`) keep every cycle's board with :meth:`Scoreboard.advance`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import NamedTuple, Protocol
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Permission
from execution_core.coaching.events import CommitmentKept, CommitmentMade, CommitmentMissed
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.event import Event
from execution_core.folding import changed
from execution_core.goals.events import GoalRealigned
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import policy_in_force, records, require, utc
from execution_core.views.ledger import CycleRecord, GoalRecord, Ledger
from execution_core.views.reading import Reader, ScoreboardRow, read_goal, timed
from execution_core.views.retiming import TimedRows, turning

__all__ = ["Advanced", "Rows", "Scoreboard", "ScoreboardRow", "parent_of", "scoreboard", "walk_up"]


class Rows(Protocol):
    """Rows being re-read into while a board is built: a dict, or :class:`TimedRows`."""

    def get(self, goal_id: UUID, /) -> ScoreboardRow | None: ...

    def __setitem__(self, goal_id: UUID, row: ScoreboardRow, /) -> None: ...


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
        if not self._reread(ledger, cycle, rows, goal, with_parents=with_parents):
            return self
        return attrs.evolve(self, rows=rows)

    def _reread(
        self,
        ledger: Ledger,
        cycle: CycleRecord,
        rows: Rows,
        goal: GoalRecord,
        *,
        with_parents: bool,
        noted: dict[UUID, None] | None = None,
    ) -> bool:
        """Re-read ``goal`` into ``rows`` at the board's instant and, while their rows change,
        the goals above it along its old and new alignment; whether its row changed. The
        goals whose row changed are added to ``noted``."""

        def read(record: GoalRecord) -> ScoreboardRow:
            return read_goal(
                ledger, cycle, record, at=self.at, policy=self.policy, child_row=rows.get
            )

        old = rows.get(goal.id)
        new = read(goal)
        if new == old:
            return False
        rows[goal.id] = new
        if noted is not None:
            noted[goal.id] = None
        if with_parents:
            old_parent, new_parent = parent_of(old), parent_of(new)
            parents = [old_parent] if new_parent == old_parent else [old_parent, new_parent]
            for parent in parents:
                walk_up(
                    ledger,
                    rows,
                    read,
                    cycle_id=self.cycle_id,
                    at=self.at,
                    start=goal.id,
                    parent=parent,
                    noted=noted,
                )
        return True

    def advance(
        self, ledger: Ledger, cycle: CycleRecord, goals: Iterable[UUID], at: datetime
    ) -> Advanced:
        """The board at ``at`` (not before its instant, and :meth:`retimable` to it) after a
        batch of events that touched ``goals`` (none of them a cycle event or a realignment of
        this board's goals; those rebuild it): the touched goals are re-read, the goals above
        them while their rows change, and every other row re-timed when first read (see
        :mod:`~execution_core.views.retiming`)."""
        moved = at != self.at
        board = self
        rows: TimedRows
        if moved:
            expected = f.expected_progress(at, cycle.starts_at, cycle.ends_at)
            board = attrs.evolve(self, at=at, expected=expected, rows={})
            rows = TimedRows.later(self.rows, board.retimer(cycle))
        else:
            rows = TimedRows.of(self.rows)
        read: dict[UUID, None] = {}
        for goal_id in dict.fromkeys(goals):
            goal = ledger.goals.get(goal_id)
            if goal is None or goal.cycle_id != cycle.id or goal.occurred_at > at:
                continue
            board._reread(ledger, cycle, rows, goal, with_parents=True, noted=read)
        board = attrs.evolve(board, rows=rows)
        if not moved:
            return Advanced(board, list(read), list(read))
        turned = turning(
            rows,
            policy=board.policy,
            cadence_days=cycle.cadence_days,
            ends_at=cycle.ends_at,
            was=(self.at, self.expected),
            now=(at, board.expected),
        )
        marked = None if turned is None else list(dict.fromkeys([*read, *turned]))
        return Advanced(board, list(rows), marked)

    def retimable(self, cycle: CycleRecord, at: datetime) -> bool:
        """Whether the board's rows, re-timed to ``at`` with no new fact, are the rows read
        there: not when the policy in force differs, nor when the cycle's elapsed share crosses
        the policy's ``forecast_min_elapsed`` in between (forecasts appear or vanish)."""
        if self.policy != cycle.policy_at(at):
            return False
        floor = self.policy.forecast_min_elapsed
        if floor <= 0.0:
            return True
        expected = f.expected_progress(at, cycle.starts_at, cycle.ends_at)
        return (self.expected >= floor) == (expected >= floor)

    def retimed(self, row: ScoreboardRow, cycle: CycleRecord) -> ScoreboardRow:
        """A row read at an earlier instant, read at the board's instant when none of its facts
        changed since: only the pace, the pace gap, the health and the days since the last
        check-in move with time (:func:`~.reading.timed`, as :func:`~.reading.read_goal`)."""
        return self.retimer(cycle)(row)

    def retimer(self, cycle: CycleRecord) -> Callable[[ScoreboardRow], ScoreboardRow]:
        """:meth:`retimed` for many rows of the cycle: its instants read once, not per row (a
        clock tick re-times every row of every board)."""
        at, expected, policy = self.at, self.expected, self.policy
        cadence_days, ends_at = cycle.cadence_days, cycle.ends_at

        def retime(row: ScoreboardRow) -> ScoreboardRow:
            return changed(
                row,
                **timed(
                    progress=row.progress,
                    forecast=row.forecast,
                    last_checkin=row.last_checkin_at,
                    status=row.status,
                    cadence_days=cadence_days,
                    ends_at=ends_at,
                    at=at,
                    expected=expected,
                    policy=policy,
                ),
            )

        return retime

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal (owner as ``owner_kind`` and ``owner_id``)."""
        return records(self.rows.values())


class Advanced(NamedTuple):
    """A board advanced over a batch (see :meth:`Scoreboard.advance`)."""

    board: Scoreboard
    changed: list[UUID]
    """The goals whose row changed (every goal when the instant moved)."""
    marked: list[UUID] | None
    """The goals whose row may have changed beyond the pace, the pace gap and the days since
    the last check-in: re-read from their facts, or turned by time alone (see
    :func:`~execution_core.views.retiming.turning`); None: any goal."""


def parent_of(row: ScoreboardRow | None) -> UUID | None:
    """The parent goal named by the row's recorded alignment (loops included)."""
    if row is None or row.aligned_to is None:
        return None
    return row.aligned_to.parent_id


def walk_up(
    ledger: Ledger,
    rows: Rows,
    read: Callable[[GoalRecord], ScoreboardRow],
    *,
    cycle_id: UUID,
    at: datetime,
    start: UUID,
    parent: UUID | None,
    noted: dict[UUID, None] | None = None,
) -> None:
    """Re-read (with ``read``) the goals above ``start`` along its recorded alignment, from
    ``parent``, while their rows change (adding them to ``noted``)."""
    seen = {start}
    current = parent
    while current is not None and current not in seen:
        seen.add(current)
        goal = ledger.goals.get(current)
        if goal is None or goal.occurred_at > at or goal.cycle_id != cycle_id:
            return
        row = read(goal)
        if rows.get(current) == row:
            return
        rows[current] = row
        if noted is not None:
            noted[current] = None
        current = parent_of(row)


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
