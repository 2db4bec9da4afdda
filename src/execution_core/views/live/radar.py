"""The live radar: one row per active person and coach of every cycle not closed, read at the
cycle's instant (the rows of :func:`execution_core.views.coaching_radar`, built with the same
functions). The whole cycle is re-read at each batch; what is known of when each goal turned
at risk is kept in the state until the goal, a goal below it or the cycle's policy changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from execution_core.views.formulas import Health
from execution_core.views.ledger import CycleRecord, JournalRecord, Session
from execution_core.views.live.changes import Row, RowChanges
from execution_core.views.live.state import LiveBatch, LiveState, on_board
from execution_core.views.radar import (
    coach_tallies,
    coached_since_turning,
    goals_by_person,
    overdue_commitments,
)
from execution_core.views.reading import ScoreboardRow

__all__ = ["RadarProjection"]

_FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


class RadarProjection:
    """The live radar rows (see :class:`~.projection.LiveProjection`); a person with no coach
    has one row with coach ``''`` (a key column cannot be None)."""

    name = "radar"
    key = ("cycle_id", "person_id", "coach_id")
    columns = (
        "cycle_id",
        "person_id",
        "coach_id",
        "evaluated_at",
        "relation",
        "short_days",
        "long_days",
        "coaching_short",
        "coaching_long",
        "last_session_at",
        "uncoached_goals",
        "overdue_commitments",
    )

    def cycle_rows(self, state: LiveState, cycle: CycleRecord) -> list[Row]:
        """Every radar row of the cycle at its board's instant."""
        ledger = state.ledger
        board = state.boards[cycle.id]
        at = board.at
        windows = cycle.policy_at(at).coaching_windows_days
        short, long = windows
        org = ledger.organization_at(at)
        mine = goals_by_person(org, ledger, board.rows.values())
        rows: list[Row] = []
        for person in org.active_people():
            journal = ledger.journal(person.id)
            sessions = journal.sessions_by(at)
            uncoached = self._uncoached(state, cycle, journal, mine.get(person.id, ()), at)
            overdue = overdue_commitments(journal, at)
            rows.extend(
                (
                    cycle.id,
                    person.id,
                    tally.coach_id or "",
                    at,
                    tally.relation,
                    short,
                    long,
                    tally.sessions_short,
                    tally.sessions_long,
                    tally.last_session_at,
                    uncoached,
                    overdue,
                )
                for tally in coach_tallies(org, person, sessions, at=at, windows_days=windows)
            )
        return rows

    def _uncoached(
        self,
        state: LiveState,
        cycle: CycleRecord,
        journal: JournalRecord,
        goals: Sequence[ScoreboardRow],
        at: datetime,
    ) -> tuple[UUID, ...]:
        """As ``views.radar.uncoached_goals`` (policy in force), reading each goal's timeline
        only as far back as the answer needs, and keeping what it learnt of the turns."""
        found: list[UUID] = []
        sessions: tuple[Session, ...] | None = None
        for row in goals:
            if row.status != "active" or row.health not in _FLAGGED:
                continue
            if sessions is None:
                sessions = tuple(journal.sessions_by(at))
            coached, state.turned[row.goal_id] = coached_since_turning(
                state.ledger,
                cycle,
                row.goal_id,
                sessions=sessions,
                at=at,
                policy=None,
                known=state.turned.get(row.goal_id),
            )
            if not coached:
                found.append(row.goal_id)
        return tuple(found)

    def changes(self, batch: LiveBatch) -> RowChanges:
        """Every row of every cycle on the radar, the cycles shown before cleared first."""
        changes = RowChanges()
        for change in batch.boards:
            cycle = change.cycle
            if cycle.id in batch.shown:
                changes.clear_cycles.append(cycle.id)
            if on_board(cycle, batch.now):
                changes.upsert.extend(self.cycle_rows(batch.state, cycle))
        return changes

    def rows(self, state: LiveState) -> RowChanges:
        """Every row of every cycle not closed."""
        changes = RowChanges(truncate=True)
        if state.now is None:
            return changes
        for cycle in state.ledger.cycles.values():
            if cycle.id in state.boards and on_board(cycle, state.now):
                changes.upsert.extend(self.cycle_rows(state, cycle))
        return changes
