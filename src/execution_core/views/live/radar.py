"""The live radar: one row per active person and coach of every cycle not closed, read at the
cycle's instant (the rows of :func:`execution_core.views.coaching_radar`, built with the same
functions). A batch of facts re-reads the whole cycle; what is known of when each goal turned
at risk is kept in the state until the goal, a goal below it or the cycle's policy changes.

A clock tick (a batch with no fact) re-reads only the people whose rows time alone can change
(:func:`timed_people`) and moves every other row's ``evaluated_at`` in place (:class:`Timed`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from execution_core.organization.state import Organization, Person
from execution_core.views.formulas import Health
from execution_core.views.ledger import CycleRecord, JournalRecord, Ledger, Session
from execution_core.views.live.changes import Row, RowChanges, Timed
from execution_core.views.live.state import BoardChange, LiveBatch, LiveState, on_board
from execution_core.views.radar import (
    answerer,
    coach_tallies,
    coached_since_turning,
    goals_by_person,
    overdue_commitments,
)
from execution_core.views.reading import ScoreboardRow
from execution_core.views.retiming import standing

__all__ = ["RadarProjection", "timed_people"]

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

    def cycle_rows(
        self, state: LiveState, cycle: CycleRecord, people: Collection[str] | None = None
    ) -> list[Row]:
        """The radar rows of the cycle at its board's instant: every person's, or these
        people's (their goals found from the board's standing columns, and only their rows
        re-timed)."""
        ledger = state.ledger
        board = state.boards[cycle.id]
        at = board.at
        org = ledger.organization_at(at)
        rows: Iterable[ScoreboardRow] = board.rows.values()
        if people is not None:
            timed = board.rows
            rows = (
                timed[goal_id]
                for goal_id, row in standing(timed).items()
                if answerer(org, row) in people
            )
        mine = goals_by_person(org, ledger, rows)
        found: list[Row] = []
        for person in org.active_people():
            if people is None or person.id in people:
                found.extend(self._person_rows(state, cycle, org, person, mine.get(person.id, ())))
        return found

    def _person_rows(
        self,
        state: LiveState,
        cycle: CycleRecord,
        org: Organization,
        person: Person,
        goals: Sequence[ScoreboardRow],
    ) -> list[Row]:
        """A person's rows at the cycle's board instant, one per coach."""
        at = state.boards[cycle.id].at
        windows = cycle.policy_at(at).coaching_windows_days
        short, long = windows
        journal = state.ledger.journal(person.id)
        sessions = journal.sessions_by(at)
        uncoached = self._uncoached(state, cycle, journal, goals, at)
        overdue = overdue_commitments(journal, at)
        return [
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
        ]

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
        """Every row of every cycle on the radar, the cycles shown before cleared first; on a
        clock tick, only the rows of the people whose rows time alone can change (the others'
        ``evaluated_at`` moved in place), and the rows of their coaches gone deleted."""
        changes = RowChanges()
        tick = batch.touched.events == 0
        for change in batch.boards:
            cycle = change.cycle
            shown = on_board(cycle, batch.now)
            was = cycle.id in batch.shown
            people = timed_people(batch.state.ledger, change) if tick and was and shown else None
            if people is not None:
                self._retimed(changes, batch.state, change, people)
                continue
            if was:
                changes.clear_cycles.append(cycle.id)
            if shown:
                changes.upsert.extend(self.cycle_rows(batch.state, cycle))
        return changes

    def _retimed(
        self, changes: RowChanges, state: LiveState, change: BoardChange, people: set[str]
    ) -> None:
        """A cycle's row changes at a later instant with no new fact: ``evaluated_at`` moved,
        the people's rows rewritten, and their rows of coaches no longer theirs deleted."""
        assert change.old is not None
        cycle, was, at = change.cycle, change.old.at, change.new.at
        if was == at:
            return
        changes.timed.append(Timed(cycle.id, at))
        if not people:
            return
        rows = self.cycle_rows(state, cycle, people)
        changes.upsert.extend(rows)
        now = {(row[1], row[2]) for row in rows}
        ledger = state.ledger
        org = ledger.organization_at(at)
        windows = cycle.policy_at(at).coaching_windows_days
        for person in org.active_people():
            if person.id not in people:
                continue
            sessions = ledger.journal(person.id).sessions_by(was)
            for tally in coach_tallies(org, person, sessions, at=was, windows_days=windows):
                key = (person.id, tally.coach_id or "")
                if key not in now:
                    changes.delete.append((cycle.id, *key))

    def rows(self, state: LiveState) -> RowChanges:
        """Every row of every cycle not closed."""
        changes = RowChanges(truncate=True)
        if state.now is None:
            return changes
        for cycle in state.ledger.cycles.values():
            if cycle.id in state.boards and on_board(cycle, state.now):
                changes.upsert.extend(self.cycle_rows(state, cycle))
        return changes


def timed_people(ledger: Ledger, change: BoardChange) -> set[str] | None:
    """The people whose radar rows of the cycle may differ between the board's old and new
    instants with no new fact between them: those who answer for a goal the board marked (its
    health may have moved), those with a session that left a coaching window in between, and,
    when the date moved, those with a commitment that fell due in between. None (anyone) when
    the board was rebuilt, marked any goal, or went back in time. The rest of a row (the
    people, their coaches, the turns of their goals, their commitments) reads only facts,
    none of them dated after the old instant (else :meth:`LiveState.tick
    <execution_core.views.live.state.LiveState.tick>` rebuilds the boards)."""
    old, new = change.old, change.new
    if change.rebuilt or change.marked is None or old is None or new.at < old.at:
        return None
    was, at = old.at, new.at
    people: set[str] = set()
    if was == at:
        return people
    org = ledger.organization_at(at)
    rows = standing(new.rows)
    for goal_id in change.marked:
        row = rows.get(goal_id)
        person_id = None if row is None else answerer(org, row)
        if person_id is not None:
            people.add(person_id)
    edges = [
        (was - timedelta(days=days), at - timedelta(days=days))
        for days in change.cycle.policy_at(at).coaching_windows_days
    ]
    today, before = at.date(), was.date()
    for person_id, journal in ledger.journals.items():
        left = any(low < s.occurred_at <= high for s in journal.sessions for low, high in edges)
        if left or (before != today and _fell_due(journal, before, today)):
            people.add(person_id)
    return people


def _fell_due(journal: JournalRecord, before: date, today: date) -> bool:
    """Whether a commitment of the journal turns overdue between the two dates (overdue: due
    before the date it is read on)."""
    return any(before <= c.due_on < today for c in journal.commitments.values())
