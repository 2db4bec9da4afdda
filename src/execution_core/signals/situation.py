"""The situation: what the live views show that signals watch, read from a live state.

A :class:`Situation` holds, per cycle, goal, overdue action or commitment and appraisal, the few
values a signal compares (a goal's health, its check-in state, its targets; a cycle's status;
a rating). :func:`observe` reads it from a :class:`~execution_core.views.live.LiveState`; given
the situation before and the batch, it re-reads only what the batch changed (the rest is
shared), and notes which goals it re-read so :func:`~.derive.derive_signals` compares only
those. A situation is a value: the same live state gives the same situation either way.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

import attrs

from execution_core.organization.state import Organization
from execution_core.policy import Policy
from execution_core.views.formulas import Health
from execution_core.views.honesty import lowered_while_behind
from execution_core.views.ledger import CycleRecord, GoalRecord, Ledger
from execution_core.views.live.state import BoardChange, LiveBatch, LiveState
from execution_core.views.radar import Turn, trace_turn
from execution_core.views.reading import Reader, ScoreboardRow

__all__ = [
    "CheckinState",
    "CycleMark",
    "DueMark",
    "GoalMark",
    "LoweredMark",
    "RatingMark",
    "Situation",
    "checkin_state",
    "observe",
]

_FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


class CheckinState:
    """A goal's check-in state: ``UP_TO_DATE`` until a cadence has passed since its last
    check-in (or since it was set, or the cycle started), then ``DUE``, then ``OVERDUE`` once
    ``policy.checkin_grace_days`` more have passed."""

    UP_TO_DATE = "up to date"
    DUE = "due"
    OVERDUE = "overdue"
    LEVELS: Mapping[str, int] = {UP_TO_DATE: 0, DUE: 1, OVERDUE: 2}


class LoweredMark(NamedTuple):
    """A target lowered while the forecast was below it (see
    :func:`execution_core.views.honesty.lowered_while_behind`)."""

    kr_id: str
    old_target: float
    new_target: float
    occurred_at: datetime


class GoalMark(NamedTuple):
    """What signals watch of a goal on the live board."""

    cycle_id: UUID
    person_id: str | None
    """Who answers for it: its owner, or its unit's lead."""
    unit_id: str | None
    """Its owning unit, or its owner's unit."""
    status: str
    health: Health
    last_checkin_at: datetime | None
    checkin: str
    """A :class:`CheckinState` value (up to date when no check-in is expected of it)."""
    checkin_since: datetime | None
    """The instant the check-in count starts from (None: no check-in is expected of it)."""
    uncoached_since: datetime | None
    """When it turned at risk or off track, if nobody coached its owner since and
    ``policy.uncoached_days`` have passed (None: not so)."""
    lowered: tuple[LoweredMark, ...]
    """Its targets lowered while the forecast was below them, by the instant."""
    set_at: datetime


class CycleMark(NamedTuple):
    """A cycle: its status at the situation's instant and the instant its board is read at."""

    status: str
    at: datetime
    policy: Policy
    starts_at: datetime
    ends_at: datetime
    cadence_days: int
    closed_at: datetime | None


class DueMark(NamedTuple):
    """An open action or commitment past its due date."""

    person_id: str
    goal_id: UUID | None
    cycle_id: UUID | None
    due_on: date


class RatingMark(NamedTuple):
    """A person's appraisal in a cycle: the recorded and the calibrated rating, and when."""

    recorded: int | None
    recorded_at: datetime | None
    calibrated: int | None
    calibrated_at: datetime | None
    unit_id: str | None


@attrs.frozen(eq=False, weakref_slot=True)
class Situation:
    """What the live views show that signals watch, at ``now`` (None: no event yet);
    ``latest`` is the newest business time of the facts seen."""

    now: datetime | None
    latest: datetime | None
    cycles: Mapping[UUID, CycleMark]
    goals: Mapping[UUID, GoalMark]
    """The goals of every cycle not closed."""
    actions: Mapping[tuple[UUID, str], DueMark]
    """The overdue actions, by (goal, action id)."""
    commitments: Mapping[tuple[str, str], DueMark]
    """The overdue commitments, by (person, commitment id)."""
    appraisals: Mapping[tuple[UUID, str], RatingMark]
    base: weakref.ref[Situation] | None = attrs.field(default=None, repr=False)
    """The situation this one was re-read from (see :attr:`reread`)."""
    reread: frozenset[UUID] | None = attrs.field(default=None, repr=False)
    """The goals re-read from ``base``: every other goal's mark is ``base``'s (None: all)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Situation):
            return NotImplemented
        return (
            self.now == other.now
            and self.latest == other.latest
            and self.cycles == other.cycles
            and self.goals == other.goals
            and self.actions == other.actions
            and self.commitments == other.commitments
            and self.appraisals == other.appraisals
        )

    def __hash__(self) -> int:
        return hash((self.now, self.latest, len(self.goals)))

    def goals_to_compare(self, before: Situation) -> Iterable[UUID]:
        """The goals whose marks may differ from ``before``'s: the re-read ones when this
        situation was re-read from ``before``, else every goal of either."""
        if self.reread is not None and self.base is not None and self.base() is before:
            return self.reread
        return dict.fromkeys([*before.goals, *self.goals])

    @classmethod
    def empty(cls) -> Situation:
        """The situation before any event."""
        return cls(None, None, {}, {}, {}, {}, {})


def checkin_state(
    *, at: datetime, since: datetime, cadence_days: int, policy: Policy
) -> tuple[str, datetime, datetime]:
    """The check-in state at ``at`` counted from ``since``, and the instants it turns due and
    overdue."""
    due = since + timedelta(days=cadence_days)
    overdue = due + timedelta(days=policy.checkin_grace_days)
    if at >= overdue:
        return CheckinState.OVERDUE, due, overdue
    if at >= due:
        return CheckinState.DUE, due, overdue
    return CheckinState.UP_TO_DATE, due, overdue


def _who(org: Organization, row: ScoreboardRow) -> tuple[str | None, str | None]:
    owner = row.owner
    if owner.kind == "person":
        person = org.people.get(owner.id)
        return owner.id, None if person is None else person.unit_id
    unit = org.units.get(owner.id)
    return (None if unit is None else unit.lead_id), owner.id


def _lowered(goal: GoalRecord, cycle: CycleRecord, at: datetime) -> tuple[LoweredMark, ...]:
    marks: list[LoweredMark] = []
    for kr in goal.key_results_at(at):
        if kr.adjustments and not kr.milestone:
            marks.extend(
                LoweredMark(t.kr_id, t.old_target, t.new_target, t.occurred_at)
                for t in lowered_while_behind(kr, cycle, at)
            )
    return tuple(marks)


class _Observer:
    """Reads marks from one live state (the organization and sessions read once)."""

    def __init__(self, state: LiveState) -> None:
        self.state = state
        self.ledger: Ledger = state.ledger
        self.org = self.ledger.organization
        self._readers: dict[tuple[UUID, datetime, Policy], Reader] = {}

    def _reader(self, cycle: CycleRecord) -> Callable[[datetime, Policy], Reader]:
        """The cycle's readers at past instants, kept for the observation (one ledger state),
        so the turns of a goal and of the rollups above it read each row once."""

        def reader(instant: datetime, policy: Policy) -> Reader:
            key = (cycle.id, instant, policy)
            found = self._readers.get(key)
            if found is None:
                found = self._readers[key] = Reader(self.ledger, cycle, instant, policy)
            return found

        return reader

    def goal(
        self,
        cycle: CycleRecord,
        mark: CycleMark,
        row: ScoreboardRow,
    ) -> GoalMark:
        goal = self.ledger.goals[row.goal_id]
        at = mark.at
        policy = mark.policy
        person_id, unit_id = _who(self.org, row)
        active = row.status == "active"
        checkin = CheckinState.UP_TO_DATE
        since: datetime | None = None
        if (
            active
            and not row.rolls_up
            and mark.starts_at <= at < mark.ends_at
            and mark.closed_at is None
        ):
            since = row.last_checkin_at or max(goal.occurred_at, mark.starts_at)
            checkin = checkin_state(
                at=at, since=since, cadence_days=mark.cadence_days, policy=policy
            )[0]
        uncoached = None
        if active and row.health in _FLAGGED and person_id is not None:
            uncoached = self._uncoached(cycle, row.goal_id, person_id, at, policy)
        return GoalMark(
            cycle.id,
            person_id,
            unit_id,
            row.status,
            row.health,
            row.last_checkin_at,
            checkin,
            since,
            uncoached,
            _lowered(goal, cycle, at),
            goal.occurred_at,
        )

    def _uncoached(
        self, cycle: CycleRecord, goal_id: UUID, person_id: str, at: datetime, policy: Policy
    ) -> datetime | None:
        """When the goal turned at risk or off track, if that is ``policy.uncoached_days`` or
        more before ``at`` and nobody coached the person (about it, or in general) since.

        The timeline is walked back only as far as the answer needs: not at all when the
        person was coached within the days (whenever it turned, a session followed), to the
        days' start when it may have turned since, and to the last session when it is older.
        """
        threshold = at - timedelta(days=policy.uncoached_days)
        last = max(
            (
                session.occurred_at
                for session in self.ledger.journal(person_id).sessions
                if session.occurred_at <= at and session.goal_id in (None, goal_id)
            ),
            default=None,
        )
        if last is not None and last >= threshold:
            return None
        turn = self._turn(cycle, goal_id, at, threshold)
        if turn is None or turn.since > threshold:
            return None
        turn = self._turn(cycle, goal_id, at, last)
        if turn is None or (last is not None and turn.since <= last):
            return None
        return turn.since

    def _turn(
        self, cycle: CycleRecord, goal_id: UUID, at: datetime, until: datetime | None
    ) -> Turn | None:
        """The goal's turn traced back to ``until`` (None: its first instant), remembered for
        the next question at the same facts."""
        turn = trace_turn(
            self.ledger,
            cycle,
            goal_id,
            at=at,
            policy=None,
            until=until,
            known=self.state.turned.get(goal_id),
            readers=self._reader(cycle),
        )
        self.state.turned[goal_id] = turn
        return turn

    def actions(
        self, cycle: CycleRecord, mark: CycleMark, goal_ids: Iterable[UUID] | None = None
    ) -> dict[tuple[UUID, str], DueMark]:
        """The overdue actions of these goals of the cycle (None: of every goal on its
        board, read from the ledger's goals with actions, not looked up one by one)."""
        found: dict[tuple[UUID, str], DueMark] = {}
        at = mark.at
        today = at.date()
        goals = self.ledger.goals
        records: Iterable[GoalRecord | None] = (
            (g for g in goals.values() if g.actions and g.cycle_id == cycle.id)
            if goal_ids is None
            else (goals.get(goal_id) for goal_id in goal_ids)
        )
        for goal in records:
            if (
                goal is None
                or not goal.actions
                or goal.occurred_at > at
                or goal.status_at(at) != "active"
            ):
                continue
            for action in goal.actions_at(at):
                if action.due_on < today and action.status_at(at) == "open":
                    found[(goal.id, action.id)] = DueMark(
                        action.owner_id, goal.id, cycle.id, action.due_on
                    )
        return found

    def commitments(self, people: Iterable[str], now: datetime) -> dict[tuple[str, str], DueMark]:
        found: dict[tuple[str, str], DueMark] = {}
        today = now.date()
        goals = self.ledger.goals
        for person_id in people:
            journal = self.ledger.journals.get(person_id)
            if journal is None:
                continue
            for c in journal.commitments.values():
                if c.occurred_at <= now and c.due_on < today and c.status_at(now) == "open":
                    goal = None if c.goal_id is None else goals.get(c.goal_id)
                    found[(person_id, c.id)] = DueMark(
                        person_id, c.goal_id, None if goal is None else goal.cycle_id, c.due_on
                    )
        return found

    def appraisals(
        self, keys: Iterable[tuple[UUID, str]], now: datetime
    ) -> dict[tuple[UUID, str], RatingMark]:
        found: dict[tuple[UUID, str], RatingMark] = {}
        for key in keys:
            record = self.ledger.appraisals.get(key)
            if record is None:
                continue
            recorded = record.recorded_by(now)
            if recorded is None:
                continue
            calibrations = record.calibrations_by(now)
            last = calibrations[-1] if calibrations else None
            person = self.org.people.get(key[1])
            found[key] = RatingMark(
                recorded.rating,
                recorded.occurred_at,
                None if last is None else last.to_rating,
                None if last is None else last.occurred_at,
                None if person is None else person.unit_id,
            )
        return found


def _cycle_marks(state: LiveState, now: datetime) -> dict[UUID, CycleMark]:
    marks: dict[UUID, CycleMark] = {}
    for cycle in state.ledger.cycles.values():
        board = state.boards.get(cycle.id)
        if board is None:
            continue
        marks[cycle.id] = CycleMark(
            cycle.state.status(now),
            board.at,
            board.policy,
            cycle.starts_at,
            cycle.ends_at,
            cycle.cadence_days,
            cycle.closed_at(board.at),
        )
    return marks


def observe(
    state: LiveState, batch: LiveBatch | None = None, before: Situation | None = None
) -> Situation:
    """The situation of a live state. With ``batch`` (the batch that led to the state) and
    ``before`` (the situation before it), only what the batch changed is re-read."""
    if state.now is None:
        return Situation.empty()
    if batch is None or before is None or before.now is None:
        return _observe_all(_Observer(state), state.now)
    return _Rereading(_Observer(state), state.now, batch, before).situation()


def _observe_all(observer: _Observer, now: datetime) -> Situation:
    state = observer.state
    ledger = observer.ledger
    cycles = _cycle_marks(state, now)
    goals: dict[UUID, GoalMark] = {}
    actions: dict[tuple[UUID, str], DueMark] = {}
    for cycle_id, mark in cycles.items():
        if mark.status == "closed":
            continue
        cycle = ledger.cycles[cycle_id]
        rows = state.boards[cycle_id].rows
        for row in rows.values():
            goals[row.goal_id] = observer.goal(cycle, mark, row)
        actions.update(observer.actions(cycle, mark))
    return Situation(
        now,
        state.latest,
        cycles,
        goals,
        actions,
        observer.commitments(ledger.journals, now),
        observer.appraisals(ledger.appraisals, now),
    )


def _only_later(previous: CycleMark, mark: CycleMark) -> bool:
    """Whether a cycle's mark differs from the one before only by a later instant within the
    running cycle (what a clock tick or a later fact does)."""
    return (
        previous.status == mark.status == "open"
        and previous.policy == mark.policy
        and previous.closed_at is None
        and mark.closed_at is None
        and previous.starts_at == mark.starts_at
        and previous.ends_at == mark.ends_at
        and previous.cadence_days == mark.cadence_days
        and previous.at <= mark.at < mark.ends_at
        and previous.at >= mark.starts_at
    )


def _recent(turn: Turn | None, at: datetime, days: timedelta) -> bool:
    """Whether a known, complete, current turn is more recent than ``days`` before ``at``."""
    return turn is not None and turn.complete and turn.stale_from is None and at - turn.since < days


class _Rereading:
    """A situation re-read from the one before a batch: the marks the batch may have changed."""

    def __init__(
        self, observer: _Observer, now: datetime, batch: LiveBatch, before: Situation
    ) -> None:
        assert before.now is not None
        self.observer = observer
        self.now = now
        self.batch = batch
        self.before = before
        ledger = observer.ledger
        self.cycles = _cycle_marks(observer.state, now)
        self.goals = dict(before.goals)
        self.actions = dict(before.actions)
        self.reread: set[UUID] = set()
        self.day_moved = before.now.date() != now.date()
        streams = batch.touched.streams
        self.people = {ledger.journal_streams[s] for s in streams if s in ledger.journal_streams}
        people = self.people
        self.coached = (
            [g for g, m in before.goals.items() if m.uncoached_since and m.person_id in people]
            if people
            else []
        )
        """The goals flagged uncoached whose owner's journal the batch touched (coaching may
        take them off the list)."""

    def situation(self) -> Situation:
        for change in self.batch.boards:
            self.cycle(change)
        observer, ledger, now = self.observer, self.observer.ledger, self.now
        if self.day_moved or self.batch.moved or self.batch.touched.org:
            commitments = observer.commitments(ledger.journals, now)
            appraisals = observer.appraisals(ledger.appraisals, now)
        else:
            people = self.people
            commitments = {k: v for k, v in self.before.commitments.items() if k[0] not in people}
            commitments.update(observer.commitments(people, now))
            keys = self.batch.touched.appraisals
            appraisals = {k: v for k, v in self.before.appraisals.items() if k not in keys}
            appraisals.update(observer.appraisals(keys, now))
        return Situation(
            now,
            observer.state.latest,
            self.cycles,
            self.goals,
            self.actions,
            commitments,
            appraisals,
            weakref.ref(self.before),
            frozenset(self.reread),
        )

    def _retime(
        self,
        cycle: CycleRecord,
        mark: CycleMark,
        rows: Mapping[UUID, ScoreboardRow],
        skip: AbstractSet[UUID],
        marked: Collection[UUID] | None,
    ) -> None:
        """Re-read at a later instant the goals whose mark can change there: the touched ones
        (``skip``), the ones whose row changed its status, health or last check-in (only the
        ``marked`` goals' rows may have; None: any), and the ones whose check-in state or
        uncoached mark time alone changes (:meth:`_timed_out`). A row neither touched nor
        marked is not read (a board re-times a row when first read)."""
        before = self.before.goals
        goals, reread, observer = self.goals, self.reread, self.observer
        compare: Iterable[UUID] = rows if marked is None else dict.fromkeys([*marked, *skip])
        for goal_id in compare:
            row = rows.get(goal_id)
            if row is None:
                continue
            old = before.get(goal_id)
            if (
                old is None
                or goal_id in skip
                or old.health != row.health
                or old.status != row.status
                or old.last_checkin_at != row.last_checkin_at
            ):
                goals[goal_id] = observer.goal(cycle, mark, row)
                reread.add(goal_id)
        for goal_id in self._timed_out(cycle.id, mark):
            if goal_id not in reread:
                goals[goal_id] = observer.goal(cycle, mark, rows[goal_id])
                reread.add(goal_id)

    def _timed_out(self, cycle_id: UUID, mark: CycleMark) -> list[UUID]:
        """The goals of the cycle whose mark before may change at the later instant with no
        new fact: their check-in state differs there, or they may have become uncoached
        (flagged and active, not uncoached yet, and their known turn not more recent than the
        policy's days). Read from the marks alone, not the rows."""
        at, policy = mark.at, mark.policy
        due = timedelta(days=mark.cadence_days)
        overdue = due + timedelta(days=policy.checkin_grace_days)
        uncoached = timedelta(days=policy.uncoached_days)
        turned = self.observer.state.turned
        several = len(self.cycles) > 1
        found: list[UUID] = []
        at_risk, off_track = Health.AT_RISK, Health.OFF_TRACK
        for goal_id, old in self.before.goals.items():
            if several and old.cycle_id != cycle_id:
                continue
            since = old.checkin_since
            if since is not None:
                elapsed = at - since
                state = (
                    CheckinState.OVERDUE
                    if elapsed >= overdue
                    else CheckinState.DUE
                    if elapsed >= due
                    else CheckinState.UP_TO_DATE
                )
                if state != old.checkin:
                    found.append(goal_id)
                    continue
            health = old.health
            if (
                (health is at_risk or health is off_track)
                and old.uncoached_since is None
                and old.status == "active"
                and not _recent(turned.get(goal_id), at, uncoached)
            ):
                found.append(goal_id)
        return found

    def drop(self, goal_ids: Iterable[UUID]) -> None:
        for goal_id in goal_ids:
            if self.goals.pop(goal_id, None) is not None:
                self.reread.add(goal_id)

    def cycle(self, change: BoardChange) -> None:
        cycle = change.cycle
        cycle_id = cycle.id
        board = change.new
        mark = self.cycles[cycle_id]
        actions = self.actions
        if change.old is None or mark.status == "closed":
            # A rebuilt board may have lost rows (an advanced one keeps every row it had).
            self.drop([g for g, m in self.goals.items() if m.cycle_id == cycle_id])
        if mark.status == "closed":
            for key in [k for k, due in actions.items() if due.cycle_id == cycle_id]:
                del actions[key]
            return
        previous = self.before.cycles.get(cycle_id)
        whole = change.rebuilt or self.batch.touched.org or previous != mark
        rows = board.rows
        ids = (
            list(rows)
            if whole
            else [*change.changed, *self.coached, *(g for g in self.batch.retraced if g in rows)]
        )
        touched = self.batch.touched.goals
        retimed = (
            not change.rebuilt
            and not self.batch.touched.org
            and previous is not None
            and _only_later(previous, mark)
        )
        if retimed and whole:
            marked = None if change.marked is None else set(change.marked)
            self._retime(cycle, mark, board.rows, self.batch.retraced.union(self.coached), marked)
        else:
            for goal_id in ids:
                row = board.rows.get(goal_id)
                if row is not None:
                    self.goals[goal_id] = self.observer.goal(cycle, mark, row)
                    self.reread.add(goal_id)
        if whole or self.day_moved:
            for key in [k for k, due in actions.items() if due.cycle_id == cycle_id]:
                del actions[key]
            actions.update(self.observer.actions(cycle, mark))
        else:
            for key in [k for k in actions if k[0] in touched]:
                del actions[key]
            mine = [g for g in touched if g in board.rows]
            actions.update(self.observer.actions(cycle, mark, mine))
