"""A sample season: a 12-person company plays a 26-week cycle, recorded through the facade.

The season is data (:mod:`execution_core_adapters.cli.demo_season`, in the terms of
:mod:`execution_core_adapters.cli.season`); :func:`record_season` plays it.

Deterministic (seeded): the same store always gets the same events, and the store's clock
follows the season (each fact is recorded a couple of hours after it happened, one check-in
is entered late), so the history is bitemporal like a real one.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid5

from rich.console import Console
from rich.table import Table

from execution_core import SYSTEM, CoachingKind, Execution, Owner
from execution_core import views as v
from execution_core.errors import NotPermitted
from execution_core.events import Direction
from execution_core.ids import NAMESPACE
from execution_core.signals import Signal
from execution_core.views import Health
from execution_core_adapters.cli.demo_season import DEMO_SEASON
from execution_core_adapters.cli.render import (
    NARROW,
    History,
    appraisal_summary_table,
    lead_time_summary,
    lead_time_table,
    printable,
    scoreboard_table,
)
from execution_core_adapters.cli.season import Coaching, Drop, Goal, Move, Season

__all__ = [
    "BOARD_WEEKS",
    "CYCLE_ID",
    "SEASON_START",
    "SEASON_WEEKS",
    "DemoSeason",
    "SeasonClock",
    "print_season_views",
    "print_signals",
    "record_season",
    "week_moment",
]

SEASON_START = DEMO_SEASON.cycle.starts_on
SEASON_WEEKS = DEMO_SEASON.cycle.weeks
SEASON_END = SEASON_START + timedelta(weeks=SEASON_WEEKS) - timedelta(days=1)
CYCLE_ID = uuid5(NAMESPACE, f"demo/cycle/{DEMO_SEASON.cycle.key}")
RECORDING_LAG = timedelta(hours=2)
LATE_BY = timedelta(days=7, hours=3)
"""How long after it happened a check-in of a goal's ``late_weeks`` is entered."""


class SeasonClock:
    """The store's clock during the demo: business time plus a recording lag."""

    def __init__(self) -> None:
        self.now = datetime.combine(SEASON_START, datetime.min.time(), tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _goal_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"demo/goal/{key}")


@dataclass
class _Track:
    """A key result's hidden trajectory as the season plays: its value, and whether its goal
    was coached yet."""

    goal: Goal
    kr: str
    owner: str
    baseline: float
    target: float
    reach: float
    milestone_week: int | None = None
    coached: bool = False
    value: float = 0.0


@dataclass
class DemoSeason:
    """What the demo recorded."""

    cycle_id: UUID
    events: int
    by_type: Counter[str]
    goals: dict[str, UUID]
    starts_on: date = SEASON_START
    ends_on: date = SEASON_END


class _Player:
    """Plays a :class:`Season` into ``execution``: each fact at its business time, the store's
    clock a recording lag behind (never going back)."""

    def __init__(
        self, season: Season, execution: Execution, clock: SeasonClock, rng: random.Random
    ) -> None:
        self.season, self.execution, self.clock, self.rng = season, execution, clock, rng
        self.org = season.organization
        self.start = datetime.combine(
            season.cycle.starts_on, datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=9)
        self.goals = {goal.key: _goal_id(goal.key) for goal in season.goals}
        self.owners = {goal.key: self.org.lead_of(goal.owner) for goal in season.goals}
        self.tracks = [track for goal in season.goals for track in self._tracks(goal)]
        self.dropped: set[str] = set()

    def at(self, week: float, hours: float = 0) -> datetime:
        """The business time of a move, and the store's clock moved past it."""
        moment = self.start + timedelta(weeks=week, hours=hours)
        self.clock.now = max(self.clock.now, moment + RECORDING_LAG)
        return moment

    def _tracks(self, goal: Goal) -> list[_Track]:
        owner = self.org.lead_of(goal.owner)
        metrics = [
            _Track(goal, m.kr_id, owner, m.baseline, m.target, m.reach, value=m.baseline)
            for m in goal.metrics
        ]
        milestones = [
            _Track(goal, m.kr_id, owner, 0.0, 1.0, 1.0, milestone_week=m.week)
            for m in goal.milestones
        ]
        return metrics + milestones

    def found(self) -> None:
        """The organization, the strategy and the cycle, a week before it starts."""
        x, org, strategy, cycle = self.execution, self.org, self.season.strategy, self.season.cycle
        t = self.at(-1)
        for unit in org.units:
            x.found_unit(
                unit.unit_id, unit.name, parent_id=unit.parent, actor=SYSTEM, occurred_at=t
            )
        for p in org.people:
            x.add_person(
                p.person_id,
                p.name,
                p.unit,
                manager_id=p.manager,
                roles=p.roles,
                actor=SYSTEM,
                occurred_at=t,
            )
        for unit_id, lead in org.leads:
            x.appoint_unit_lead(unit_id, lead, actor=SYSTEM, occurred_at=t)
        for coach, person in org.coaches:
            x.authorise_coach(coach, person, actor=coach, occurred_at=t)
        x.define_strategy(strategy.statement, actor=strategy.by, occurred_at=t)
        for theme in strategy.themes:
            x.add_theme(
                theme.theme_id,
                theme.title,
                perspective=theme.perspective,
                actor=strategy.by,
                occurred_at=t,
            )
        x.open_cycle(
            cycle.name,
            cycle.starts_on,
            SEASON_END,
            cadence_days=cycle.cadence_days,
            cycle_id=CYCLE_ID,
            actor=cycle.by,
            occurred_at=t,
        )

    def set_goals(self) -> None:
        """Every goal, in order, at the cycle's start."""
        t = self.at(0)
        for goal in self.season.goals:
            self.execution.set_goal(
                CYCLE_ID,
                goal.title,
                Owner("unit", goal.owner) if goal.unit else goal.owner,
                kind=goal.kind,
                theme_id=goal.theme,
                parent_goal_id=self.goals[goal.parent] if goal.parent else None,
                weight=goal.weight,
                key_results=_key_results(goal),
                actions=[
                    {
                        "action_id": a.action_id,
                        "task": a.task,
                        "owner_id": self.owners[goal.key],
                        "due_on": SEASON_START + timedelta(weeks=a.due_week),
                    }
                    for a in goal.actions
                ],
                goal_id=self.goals[goal.key],
                actor=goal.by,
                occurred_at=t,
            )

    def play(self) -> None:
        """The season week by week: check-ins (late ones a week later), coaching and its
        commitments, the planned moves, the actions done when due."""
        late: list[tuple[_Track, float, float, datetime]] = []
        last_coached: dict[str, int] = {}
        commitments: list[tuple[str, str, int, bool]] = []
        for week in range(1, SEASON_WEEKS):
            late.extend(self.check_in(week))
            late[:] = self.enter_late(week, late)
            commitments.extend(self.coach(week, last_coached))
            self.resolve(week, commitments)
            for move in self.season.moves:
                if move.week == week:
                    self.move(move)
            for goal in self.season.goals:
                for action in goal.actions:
                    if action.completed and action.due_week == week:
                        self.execution.complete_action(
                            self.goals[goal.key],
                            action.action_id,
                            actor=self.owners[goal.key],
                            occurred_at=self.at(week, hours=38),
                        )

    def check_in(self, week: int) -> list[tuple[_Track, float, float, datetime]]:
        """This week's check-ins; those to enter late are returned instead."""
        share = week / SEASON_WEEKS
        late = []
        for track in self.tracks:
            if track.goal.key in self.dropped or week in track.goal.quiet_weeks:
                continue
            value = _next_value(track, share, self.rng)
            when = self.start + timedelta(weeks=week, hours=self.rng.uniform(0, 30))
            if week in track.goal.late_weeks:
                late.append((track, value, _confidence(track, share), when))
                continue
            self.execution.log_progress(
                self.goals[track.goal.key],
                track.kr,
                value=value,
                confidence=_confidence(track, share),
                actor=track.owner,
                occurred_at=self.at(
                    week, hours=(when - self.start).total_seconds() / 3600 - week * 168
                ),
            )
        return late

    def enter_late(
        self, week: int, late: list[tuple[_Track, float, float, datetime]]
    ) -> list[tuple[_Track, float, float, datetime]]:
        """Enter the late check-ins that happened before this week; return the others."""
        for track, value, confidence, when in [entry for entry in late if entry[3] < self.at(week)]:
            self.clock.now = max(self.clock.now, when + LATE_BY)
            self.execution.log_progress(
                self.goals[track.goal.key],
                track.kr,
                value=value,
                confidence=confidence,
                comment="entered late",
                actor=track.owner,
                occurred_at=when,
            )
        return [entry for entry in late if entry[3] >= self.at(week)]

    def coach(self, week: int, last_coached: dict[str, int]) -> list[tuple[str, str, int, bool]]:
        """Managers coach the metrics behind pace (see :class:`CoachingRule`); the commitments
        made, as (person, commitment, due week, to be kept)."""
        rule, made = self.season.coaching, []
        for track in self.tracks:
            manager = self.org.manager_of(track.owner)
            if manager is None or track.milestone_week is not None:
                continue
            key = track.goal.key
            gap = _progress(track) - week / SEASON_WEEKS
            recently = week - last_coached.get(key, -99) < rule.every_weeks
            if gap < -rule.behind_by and not recently and key not in self.dropped:
                last_coached[key] = week
                track.coached = True
                commitment = f"{key}-w{week}"
                self.execution.give_coaching(
                    track.owner,
                    kind=CoachingKind.GUIDANCE,
                    note=rule.note.format(kr=track.kr),
                    goal_id=self.goals[key],
                    commitments=[
                        {
                            "commitment_id": commitment,
                            "action": rule.commitment,
                            "due_on": SEASON_START + timedelta(weeks=week + rule.due_in_weeks),
                        }
                    ],
                    actor=manager,
                    occurred_at=self.at(week, hours=rule.hours),
                )
                due = week + rule.due_in_weeks
                made.append((track.owner, commitment, due, self.rng.random() < rule.kept_share))
        return made

    def resolve(self, week: int, commitments: list[tuple[str, str, int, bool]]) -> None:
        """The commitments due this week, kept by the person or missed (noted by the manager)."""
        rule = self.season.coaching
        for person, commitment, _due, kept in [c for c in commitments if c[2] == week]:
            moment = self.at(week, hours=rule.resolved_hours)
            if kept:
                self.execution.keep_commitment(person, commitment, actor=person, occurred_at=moment)
            else:
                self.execution.miss_commitment(
                    person,
                    commitment,
                    note=rule.missed_note,
                    actor=self.org.manager_of(person) or person,
                    occurred_at=moment,
                )

    def move(self, move: Move) -> None:
        """One planned move."""
        moment = self.at(move.week, hours=move.hours)
        if isinstance(move, Coaching):
            self.execution.give_coaching(
                move.person,
                kind=move.kind,
                note=move.note,
                goal_id=self.goals[move.goal],
                actor=move.coach,
                occurred_at=moment,
            )
        elif isinstance(move, Drop):
            self.dropped.add(move.goal)
            self.execution.drop_goal(
                self.goals[move.goal], reason=move.reason, actor=move.by, occurred_at=moment
            )
        else:
            self.execution.adjust_target(
                self.goals[move.goal],
                move.kr_id,
                target=move.target,
                stretch=move.stretch,
                reason=move.reason,
                actor=move.by,
                occurred_at=moment,
            )
            for track in self.tracks:
                if track.goal.key == move.goal and track.kr == move.kr_id:
                    track.target = move.target

    def close(self) -> None:
        """Goals completed, the cycle closed, the game reviews, the appraisals and calibrations."""
        x, closing = self.execution, self.season.closing
        end = self.at(SEASON_WEEKS, hours=closing.close_hours)
        for key in closing.completed:
            x.complete_goal(
                self.goals[key],
                actor=self.owners[key],
                occurred_at=self.at(SEASON_WEEKS - 1, closing.completed_hours),
            )
        x.close_cycle(CYCLE_ID, actor=closing.closed_by, occurred_at=end)
        review_at = self.at(SEASON_WEEKS, hours=closing.review_hours)
        for review in closing.reviews:
            x.review_goal(
                self.goals[review.goal],
                worked=review.worked,
                did_not_work=review.did_not_work,
                lessons=review.lessons,
                actor=review.by,
                occurred_at=review_at,
            )
        appraisals = closing.appraisals
        appraise_at = self.at(SEASON_WEEKS + 1)
        for person, rating in appraisals.ratings:
            x.record_appraisal(
                CYCLE_ID,
                person,
                rating,
                summary=appraisals.summary.format(person=person),
                actor=self.org.manager_of(person) or appraisals.reviewer,
                occurred_at=appraise_at,
            )
        for c in appraisals.calibrations:
            x.calibrate_rating(
                CYCLE_ID,
                c.person,
                c.rating,
                reason=c.reason,
                actor=c.by,
                occurred_at=self.at(SEASON_WEEKS + 1, hours=c.hours),
            )


def record_season(
    execution: Execution,
    clock: SeasonClock,
    *,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    season: Season = DEMO_SEASON,
) -> DemoSeason:
    """Record the whole season into ``execution`` (whose store reads ``clock``)."""
    say = progress or (lambda _message: None)
    player = _Player(season, execution, clock, random.Random(seed))
    say("founding the organization, defining the strategy and opening the cycle")
    player.found()
    say("cascading goals")
    player.set_goals()
    say("playing the season week by week")
    player.play()
    say("closing the cycle, reviewing and appraising")
    player.close()
    history = execution.history()
    return DemoSeason(
        cycle_id=CYCLE_ID,
        events=len(history),
        by_type=Counter(type(event).__name__ for event in history),
        goals=player.goals,
    )


def _key_results(goal: Goal) -> list[dict[str, object]]:
    """A goal's key results as ``set_goal`` takes them: metrics, then milestones."""
    metrics: list[dict[str, object]] = [
        {
            "kr_id": m.kr_id,
            "name": m.name,
            "baseline": m.baseline,
            "target": m.target,
            "stretch": m.stretch,
            "direction": Direction.INCREASE if m.target > m.baseline else Direction.DECREASE,
        }
        for m in goal.metrics
    ]
    milestones: list[dict[str, object]] = [
        {"kr_id": m.kr_id, "name": m.name, "milestone": True} for m in goal.milestones
    ]
    return metrics + milestones


def _progress(track: _Track) -> float:
    return (track.value - track.baseline) / (track.target - track.baseline)


def _next_value(track: _Track, share: float, rng: random.Random) -> float:
    if track.milestone_week is not None:
        track.value = 1.0 if share * SEASON_WEEKS >= track.milestone_week else 0.0
        return track.value
    boost = track.goal.boost_after_coaching if track.coached else 0.0
    drift = (track.reach + boost) * share + rng.gauss(0, 0.03)
    closed = max(_progress(track), min(drift, track.reach + boost + 0.05))
    track.value = round(track.baseline + closed * (track.target - track.baseline), 1)
    return track.value


def _confidence(track: _Track, share: float) -> float:
    if track.milestone_week is not None:
        return 0.8
    pace = _progress(track) - share
    return round(min(0.95, max(0.2, 0.7 + pace)), 2)


# -- what the demo prints after recording (reads the history; records nothing) ---------------

BOARD_WEEKS = {4: "early", 13: "mid-season", 22: "late"}
"""The weeks of the season at which the demo shows the live board."""


def week_moment(week: int) -> datetime:
    """Friday noon of a week of the season (week 0 starts on SEASON_START): its check-ins are in."""
    return datetime.combine(SEASON_START, time(12), tzinfo=UTC) + timedelta(weeks=week, days=4)


def print_season_views(
    console: Console,
    history: History,
    *,
    viewer: str = "hana",
    signals: Sequence[Signal] | None = None,
) -> None:
    """Print the live board early, mid-season and late, the appraisal sheets at the end (as
    ``viewer`` sees them) and the detection lead time of the goals that ended missed; with the
    season's ``signals``, what a coach was told about those goals, and when."""
    ledger = history.ledger
    cycle = ledger.cycles[CYCLE_ID]
    compact = console.width < NARROW
    end = history.latest or cycle.ends_at
    console.rule("The live board during the season (the coach's view)")
    for week, label in BOARD_WEEKS.items():
        at = week_moment(week)
        board = v.scoreboard(ledger, CYCLE_ID, at=at)
        title = (
            f"Week {week} ({label}), {at:%a %Y-%m-%d %H:%M} UTC: {board.expected:.0%} of the cycle"
        )
        console.print(scoreboard_table(board, title=title, compact=compact))
    console.rule(f"The appraisal at the end (HR's view, as {viewer} sees it)")
    people = ledger.organization.people
    sheets = []
    for person_id in people:
        try:
            sheet = v.appraisal_sheet(ledger, CYCLE_ID, person_id, viewer=viewer, at=end)
        except NotPermitted:
            continue
        if sheet.goals or sheet.rating is not None:
            sheets.append(sheet)
    console.print(
        appraisal_summary_table(
            sheets,
            names={person_id: person.name for person_id, person in people.items()},
            title=f"Appraisal sheets, {cycle.state.name}, at {end:%Y-%m-%d %H:%M} UTC",
            compact=compact,
        )
    )
    console.rule("Detection lead time: the live view against the appraisal")
    report = v.detection_lead_time(ledger, CYCLE_ID, at=end)
    weeks = range(1, SEASON_WEEKS)
    boards = [v.scoreboard(ledger, CYCLE_ID, at=week_moment(week)) for week in weeks]
    strips = {
        row.goal_id: [board.rows[row.goal_id].health for board in boards] for row in report.rows
    }
    console.print(
        lead_time_table(
            report,
            title="The goals that ended missed, and the first day the live view flagged each",
            strips=strips,
            strip_label=f"weekly board, weeks {weeks[0]}-{weeks[-1]}",
            compact=compact,
        )
    )
    console.print(lead_time_summary(report))
    flagged_last = [
        row for row in report.rows if strips[row.goal_id][-1] in (Health.AT_RISK, Health.OFF_TRACK)
    ]
    console.print(
        f"On the last weekly board (week {weeks[-1]}) {len(flagged_last)} of them still showed at "
        "risk or off track; a goal forecast on track can still end just short of its target."
    )
    if signals is not None:
        print_signals(console, report, signals)


_TOLD = {
    "turned_at_risk": "at risk",
    "turned_off_track": "off track",
    "back_on_track": "back on track",
    "went_stale": "stale",
    "not_started": "not started",
    "uncoached_at_risk": "uncoached",
    "target_lowered_below_forecast": "target lowered",
    "checkin_overdue": "check-in overdue",
    "action_overdue": "action overdue",
    "commitment_overdue": "commitment overdue",
}
"""The signals shown beside each missed goal, by kind (a check-in merely due is left out)."""


def print_signals(console: Console, report: v.LeadTimeReport, signals: Sequence[Signal]) -> None:
    """The signals a coach received in the season about each goal that ended missed, with their
    dates, next to the day the lead-time view first saw it flagged; and every signal by kind."""
    console.rule("The signals a coach received (see docs/signals.md)")
    table = Table(
        "goal", "flagged (lead)", "signals, in order", title="What the coach was told, and when"
    )
    for row in report.rows:
        told = [
            f"{s.at:%m-%d} {_TOLD[s.kind.value]}"
            for s in signals
            if s.goal_id == row.goal_id and s.kind.value in _TOLD
        ]
        flagged = (
            "never"
            if row.first_flagged_on is None
            else f"{row.first_flagged_on:%m-%d} ({row.lead_days} d)"
        )
        shown_told = ", ".join(told[:8]) + (f", +{len(told) - 8}" if len(told) > 8 else "")
        table.add_row(printable(row.title), flagged, shown_told or "-")
    console.print(table)
    console.print(
        "The lead time reads the board at every fact; a catch-up logs signals from the board "
        "at the end of each business day, so a goal flagged by one of a day's check-ins may be "
        "signalled at the day's last one."
    )
    kinds = Counter(s.kind.value for s in signals)
    console.print(
        f"{len(signals)} signals in the season: "
        + ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        + ". List them with execution-core signals."
    )
