"""The coaching radar: per person and coach, how much coaching happened lately, which goals
turned at risk or off track with no coaching since, and which commitments are overdue.

A person's coaches are their manager (their default coach), the coaches authorised for them, and
anyone else who coached them within the long window; a person with none gets one row with no
coach. Windows are ``Policy.coaching_windows_days`` (14 and 30 days by default), counted back
from ``at``. A goal "turned" at the first change instant of its current run of forecasts below
on track; coaching about that goal, or general coaching of the person, since then counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import attrs

from execution_core.organization.state import Organization, Person
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, policy_in_force, record, utc
from execution_core.views.formulas import Health
from execution_core.views.ledger import CycleRecord, JournalRecord, Ledger, Session
from execution_core.views.reading import Reader, ScoreboardRow, change_instants, timeline

__all__ = [
    "CoachTally",
    "CoachingRadar",
    "RadarRow",
    "UncoachedGoal",
    "answerer",
    "coaching_radar",
    "Turn",
    "coach_tallies",
    "coached_since_turning",
    "goals_by_person",
    "goals_of_person",
    "overdue_commitments",
    "trace_turn",
    "uncoached_goals",
]

Relation = Literal["manager", "authorised", "other", "none"]
_FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


@attrs.frozen(kw_only=True)
class UncoachedGoal:
    """A goal at risk or off track with no coaching since it turned so."""

    goal_id: UUID
    title: str
    health: Health
    turned_at: datetime


@attrs.frozen(kw_only=True)
class RadarRow:
    """One person and one of their coaches."""

    person_id: str
    coach_id: str | None
    relation: Relation
    sessions_short: int
    """Sessions by this coach within the short window (14 days by default)."""
    sessions_long: int
    """Sessions by this coach within the long window (30 days by default)."""
    last_session_at: datetime | None
    """This coach's latest session with the person by ``at``."""
    uncoached_goals: tuple[UncoachedGoal, ...]
    """The person's goals at risk or off track with no coaching (by anyone) since they turned."""
    overdue_commitments: tuple[str, ...]
    """The person's open commitments past their due date."""


@attrs.frozen(kw_only=True)
class CoachingRadar:
    """The radar of a cycle at ``at``."""

    cycle_id: UUID
    at: datetime
    windows_days: tuple[int, int]
    rows: tuple[RadarRow, ...]

    def for_coach(self, coach_id: str) -> tuple[RadarRow, ...]:
        """The rows a coach reads."""
        return tuple(row for row in self.rows if row.coach_id == coach_id)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per person and coach; the window counts are named by their length
        (``coaching_14d``, ``coaching_30d``) and the goal and commitment lists joined."""
        short, long = self.windows_days
        out: list[dict[str, object]] = []
        for row in self.rows:
            flat = record(row)
            flat[f"coaching_{short}d"] = flat.pop("sessions_short")
            flat[f"coaching_{long}d"] = flat.pop("sessions_long")
            flat["uncoached_goals"] = tuple(g.goal_id for g in row.uncoached_goals)
            out.append(flat)
        return out


def answerer(org: Organization, row: ScoreboardRow) -> str | None:
    """The person who answers for a goal on the radar: its owner, or its unit's lead."""
    owner = row.owner
    if owner.kind == "person":
        return owner.id
    unit = org.units.get(owner.id) if owner.kind == "unit" else None
    return None if unit is None else unit.lead_id


def goals_of_person(
    org: Organization, person_id: str, rows: list[ScoreboardRow]
) -> list[ScoreboardRow]:
    """The rows of the goals a person answers for: their own, and their units' as the lead."""
    return [row for row in rows if answerer(org, row) == person_id]


def goals_by_person(
    org: Organization, ledger: Ledger, rows: Iterable[ScoreboardRow]
) -> dict[str, list[ScoreboardRow]]:
    """The rows each person answers for, in the order the goals were set (as
    :func:`goals_of_person`, for everyone at once)."""
    mine: dict[str, list[ScoreboardRow]] = {}
    goals = ledger.goals
    for row in sorted(rows, key=lambda r: goals[r.goal_id].seq):
        person_id = answerer(org, row)
        if person_id is not None:
            mine.setdefault(person_id, []).append(row)
    return mine


@attrs.frozen
class CoachTally:
    """One coach of a person (None: the person has none) and the coaching they gave."""

    coach_id: str | None
    relation: Relation
    sessions_short: int
    sessions_long: int
    last_session_at: datetime | None


def coach_tallies(
    org: Organization,
    person: Person,
    sessions: Sequence[Session],
    *,
    at: datetime,
    windows_days: tuple[int, int],
) -> list[CoachTally]:
    """A person's coaches at ``at`` (their manager, their authorised coaches, anyone who coached
    them within the long window; one tally with no coach when none) and each one's sessions
    within the windows; ``sessions``: the person's sessions by ``at``."""
    short, long = windows_days
    long_start = at - timedelta(days=long)
    short_start = at - timedelta(days=short)
    coaches: dict[str, Relation] = {}
    if person.manager_id is not None:
        coaches[person.manager_id] = "manager"
    for coach, coached in sorted(org.coaches):
        if coached == person.id:
            coaches.setdefault(coach, "authorised")
    for s in sessions:
        if s.occurred_at > long_start:
            coaches.setdefault(s.coach_id, "other")
    if not coaches:
        return [CoachTally(None, "none", 0, 0, None)]
    tallies: list[CoachTally] = []
    for coach, relation in coaches.items():
        theirs = [s for s in sessions if s.coach_id == coach]
        tallies.append(
            CoachTally(
                coach,
                relation,
                sum(1 for s in theirs if s.occurred_at > short_start),
                sum(1 for s in theirs if s.occurred_at > long_start),
                max((s.occurred_at for s in theirs), default=None),
            )
        )
    return tallies


def overdue_commitments(journal: JournalRecord, at: datetime) -> tuple[str, ...]:
    """The person's commitments open at ``at`` and past their due date."""
    return tuple(
        c.id
        for c in journal.commitments.values()
        if c.occurred_at <= at and c.status_at(at) == "open" and c.due_on < at.date()
    )


def uncoached_goals(
    ledger: Ledger,
    cycle: CycleRecord,
    *,
    journal: JournalRecord,
    goals: list[ScoreboardRow],
    at: datetime,
    policy: Policy | None,
) -> tuple[UncoachedGoal, ...]:
    """Which of the person's goals (their rows at ``at``) turned at risk or off track and had
    no coaching since; ``policy`` overrides the policy in force at each instant."""
    found: list[UncoachedGoal] = []
    sessions = journal.sessions_by(at)
    for row in goals:
        if row.status != "active" or row.health not in _FLAGGED:
            continue
        turned_at: datetime | None = None
        for instant, past, in_force in timeline(ledger, cycle, row.goal_id, at, policy):
            if f.forecast_band(past.forecast, in_force) in _FLAGGED:
                turned_at = turned_at or instant
            else:
                turned_at = None
        if turned_at is None:
            continue
        coached = any(
            s.occurred_at >= turned_at and s.goal_id in (None, row.goal_id) for s in sessions
        )
        if not coached:
            found.append(
                UncoachedGoal(
                    goal_id=row.goal_id, title=row.title, health=row.health, turned_at=turned_at
                )
            )
    return tuple(found)


@attrs.frozen
class Turn:
    """How far back a goal's current run of forecasts at risk or off track is known to reach:
    to ``since`` at least, and exactly (the goal turned at ``since``) when ``complete``.

    ``seen_at`` is the instant it was traced at. ``stale_from`` is set when facts dated from
    that instant on have arrived since: the timeline from there on must be read again, but
    what the turn says of the instants before it (and by ``seen_at``) still holds, since a fact
    changes a goal's readings only from its own business time on."""

    since: datetime
    complete: bool
    seen_at: datetime | None = attrs.field(default=None, eq=False)
    stale_from: datetime | None = attrs.field(default=None, eq=False)
    """Bookkeeping of what is known, not part of the answer: two turns are equal when they
    say the same of the goal."""

    def staled(self, earliest: datetime) -> Turn:
        """The turn once facts dated from ``earliest`` on have arrived."""
        if self.stale_from is not None and self.stale_from <= earliest:
            return self
        return attrs.evolve(self, stale_from=earliest)


def trace_turn(
    ledger: Ledger,
    cycle: CycleRecord,
    goal_id: UUID,
    *,
    at: datetime,
    policy: Policy | None,
    until: datetime | None,
    known: Turn | None = None,
    readers: Callable[[datetime, Policy], Reader] | None = None,
) -> Turn | None:
    """When the goal turned at risk or off track, as far as a question needs it: its timeline
    (as :func:`uncoached_goals` reads it) walked back from ``at``, or from where ``known`` (an
    earlier answer, at the same facts) stopped, until the run's first instant is found or the
    run reaches back to ``until`` (None: always find the first instant). None when the goal's
    latest forecast is not at risk or off track. Reads as few instants as it can: one, when
    ``until`` is ``at``; a stale ``known`` spares the instants before its ``stale_from`` that
    its run covers. ``readers`` gives the reader of the cycle at an instant under a policy: one
    that keeps its readers lets many goals' traces share the rows of the goals below them (a
    rollup's timeline reads its whole subtree at each instant)."""
    read = readers or (lambda instant, in_force: Reader(ledger, cycle, instant, in_force))
    kept: Turn | None = None
    if known is not None and known.stale_from is not None:
        kept, known = known, None
    if known is not None and (known.complete or (until is not None and known.since <= until)):
        return known
    since = None if known is None else known.since
    instants = change_instants(ledger, cycle, goal_id, at, with_policies=policy is None)
    for instant in reversed(instants):
        if since is not None and instant >= since:
            continue
        if kept is not None and _covers(kept, instant):
            # Read unbroken down to an instant no new fact can have changed, inside the run
            # the kept turn saw: the run reaches back as far as it said.
            since, complete, kept = kept.since, kept.complete, None
            if complete:
                return Turn(since, complete=True, seen_at=at)
            if until is not None and since <= until:
                return Turn(since, complete=False, seen_at=at)
            continue
        in_force = policy or cycle.policy_at(instant)
        past = read(instant, in_force).row(goal_id)
        if past is None:
            continue
        if f.forecast_band(past.forecast, in_force) not in _FLAGGED:
            break
        since = instant
        if until is not None and since <= until:
            return Turn(since, complete=False, seen_at=at)
    return None if since is None else Turn(since, complete=True, seen_at=at)


def _covers(kept: Turn, instant: datetime) -> bool:
    """Whether the stale turn still vouches for the goal's reading at the instant: one before
    the new facts and by when it was traced, inside its run."""
    assert kept.stale_from is not None
    assert kept.seen_at is not None
    return kept.since <= instant < kept.stale_from and instant <= kept.seen_at


def coached_since_turning(
    ledger: Ledger,
    cycle: CycleRecord,
    goal_id: UUID,
    *,
    sessions: Sequence[Session],
    at: datetime,
    policy: Policy | None,
    known: Turn | None = None,
) -> tuple[bool, Turn | None]:
    """Whether a goal at risk or off track at ``at`` (its health there, read under ``policy`` or
    the policy in force) is off the uncoached list: it never turned, or the person was coached
    about it, or in general, since it turned, as :func:`uncoached_goals` decides (``sessions``:
    the person's sessions by ``at``); and what was learnt of its turn (to pass back as ``known``
    while the goal's facts and ``at`` stay). Reads nothing when nobody coached the person."""
    coached_at = max(
        (s.occurred_at for s in sessions if s.goal_id in (None, goal_id)), default=None
    )
    if coached_at is None:
        # Its forecast at ``at`` is below on track, and so it was at its last change instant
        # (nothing that moves a forecast happened in between): it turned, and no coaching since.
        return False, known
    turn = trace_turn(ledger, cycle, goal_id, at=at, policy=policy, until=coached_at, known=known)
    coached = turn is None or turn.since <= coached_at
    return coached, turn


def coaching_radar(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> CoachingRadar:
    """The coaching radar of a cycle at business time ``at``."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    in_force = policy_in_force(cycle, at, policy)
    short, long = in_force.coaching_windows_days
    org = ledger.organization_at(at)
    mine = goals_by_person(org, ledger, Reader(ledger, cycle, at, in_force).rows().values())
    radar: list[RadarRow] = []
    for person in org.active_people():
        journal = ledger.journal(person.id)
        sessions = journal.sessions_by(at)
        uncoached = uncoached_goals(
            ledger, cycle, journal=journal, goals=mine.get(person.id, []), at=at, policy=policy
        )
        overdue = overdue_commitments(journal, at)
        radar.extend(
            RadarRow(
                person_id=person.id,
                coach_id=tally.coach_id,
                relation=tally.relation,
                sessions_short=tally.sessions_short,
                sessions_long=tally.sessions_long,
                last_session_at=tally.last_session_at,
                uncoached_goals=uncoached,
                overdue_commitments=overdue,
            )
            for tally in coach_tallies(org, person, sessions, at=at, windows_days=(short, long))
        )
    return CoachingRadar(cycle_id=cycle_id, at=at, windows_days=(short, long), rows=tuple(radar))
