"""A sample season: a 12-person company plays a 26-week cycle, recorded through the facade.

Deterministic (seeded): the same store always gets the same events, and the store's clock
follows the season (each fact is recorded a couple of hours after it happened, one check-in
is entered late), so the history is bitemporal like a real one.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid5

from rich.console import Console

from execution_core import SYSTEM, CoachingKind, Execution, GoalKind, Owner, Perspective, Role
from execution_core import views as v
from execution_core.errors import NotPermitted
from execution_core.events import Direction
from execution_core.ids import NAMESPACE
from execution_core.views import Health
from execution_core_adapters.cli.render import (
    NARROW,
    History,
    appraisal_summary_table,
    lead_time_summary,
    lead_time_table,
    scoreboard_table,
)

__all__ = [
    "BOARD_WEEKS",
    "SEASON_START",
    "SEASON_WEEKS",
    "DemoSeason",
    "SeasonClock",
    "print_season_views",
    "record_season",
    "week_moment",
]

SEASON_START = date(2026, 1, 5)
SEASON_WEEKS = 26
SEASON_END = SEASON_START + timedelta(weeks=SEASON_WEEKS) - timedelta(days=1)
CYCLE_ID = uuid5(NAMESPACE, "demo/cycle/2026-h1")
RECORDING_LAG = timedelta(hours=2)


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
    """A key result's hidden trajectory: the share of the gap it closes by the end."""

    goal: str
    kr: str
    owner: str
    baseline: float
    target: float
    reach: float
    milestone_week: int | None = None
    quiet_weeks: range = range(0)
    boost_after_coaching: float = 0.0
    coached: bool = False
    value: float = 0.0
    history: list[float] = field(default_factory=list)


@dataclass
class DemoSeason:
    """What the demo recorded."""

    cycle_id: UUID
    events: int
    by_type: Counter[str]
    goals: dict[str, UUID]
    starts_on: date = SEASON_START
    ends_on: date = SEASON_END


PEOPLE = [
    # person, name, unit, manager, roles
    ("cleo", "Cleo Marsh", "hq", None, (Role.EXECUTIVE,)),
    ("hana", "Hana Ito", "hq", "cleo", (Role.HR, Role.REVIEWER)),
    ("max", "Max Weber", "sales", "cleo", ()),
    ("pia", "Pia Laine", "product", "cleo", ()),
    ("oscar", "Oscar Diaz", "ops", "cleo", ()),
    ("ana", "Ana Costa", "sales", "max", ()),
    ("ben", "Ben Okafor", "sales", "max", ()),
    ("carl", "Carl Berg", "sales", "max", ()),
    ("dev", "Dev Patel", "product", "pia", ()),
    ("eve", "Eve Novak", "product", "pia", ()),
    ("finn", "Finn Hale", "product", "pia", ()),
    ("gus", "Gus Moreau", "ops", "oscar", ()),
]
MANAGERS = {person: manager for person, _, _, manager, _ in PEOPLE}


def record_season(  # noqa: PLR0912, PLR0915 - a season is a long script, read top to bottom
    execution: Execution,
    clock: SeasonClock,
    *,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> DemoSeason:
    """Record the whole season into ``execution`` (whose store reads ``clock``)."""
    rng = random.Random(seed)
    say = progress or (lambda _message: None)
    start = datetime.combine(SEASON_START, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)

    def at(week: float, hours: float = 0) -> datetime:
        moment = start + timedelta(weeks=week, hours=hours)
        clock.now = max(clock.now, moment + RECORDING_LAG)
        return moment

    say("founding the organization")
    t = at(-1)
    execution.found_unit("hq", "Northwind HQ", actor=SYSTEM, occurred_at=t)
    for unit, name in (("sales", "Sales"), ("product", "Product"), ("ops", "Operations")):
        execution.found_unit(unit, name, parent_id="hq", actor=SYSTEM, occurred_at=t)
    for person, name, unit, manager, roles in PEOPLE:
        execution.add_person(
            person, name, unit, manager_id=manager, roles=roles, actor=SYSTEM, occurred_at=t
        )
    for unit, lead in (("sales", "max"), ("product", "pia"), ("ops", "oscar"), ("hq", "cleo")):
        execution.appoint_unit_lead(unit, lead, actor=SYSTEM, occurred_at=t)
    execution.authorise_coach("hana", "eve", actor="hana", occurred_at=t)

    say("defining the strategy and opening the cycle")
    execution.define_strategy(
        "Northwind is the onboarding customers recommend", actor="cleo", occurred_at=t
    )
    for theme, title, perspective in (
        ("growth", "Grow new revenue", Perspective.FINANCIAL),
        ("customers", "Delight new customers", Perspective.CUSTOMER),
        ("craft", "Grow our craft", Perspective.LEARNING_AND_GROWTH),
    ):
        execution.add_theme(theme, title, perspective=perspective, actor="cleo", occurred_at=t)
    execution.open_cycle(
        "2026 H1",
        SEASON_START,
        SEASON_END,
        cadence_days=7,
        cycle_id=CYCLE_ID,
        actor="cleo",
        occurred_at=t,
    )

    say("cascading goals")
    t = at(0)
    goals: dict[str, UUID] = {}
    tracks: list[_Track] = []

    def goal(
        key: str,
        title: str,
        owner: str | Owner,
        *,
        by: str,
        kind: GoalKind = GoalKind.INDIVIDUAL,
        theme: str | None = None,
        parent: str | None = None,
        krs: tuple[tuple[str, str, float, float, float | None, float], ...] = (),
        milestones: tuple[tuple[str, str, int | None], ...] = (),
        actions: tuple[tuple[str, str, int], ...] = (),
        weight: float = 1.0,
    ) -> None:
        goals[key] = _goal_id(key)
        owner_id = owner if isinstance(owner, str) else _lead(owner.id)
        key_results: list[dict[str, object]] = []
        for kr_id, name, baseline, target, stretch, reach in krs:
            direction = Direction.INCREASE if target > baseline else Direction.DECREASE
            key_results.append(
                {
                    "kr_id": kr_id,
                    "name": name,
                    "baseline": baseline,
                    "target": target,
                    "stretch": stretch,
                    "direction": direction,
                }
            )
            tracks.append(_Track(key, kr_id, owner_id, baseline, target, reach, value=baseline))
        for kr_id, name, week in milestones:
            key_results.append({"kr_id": kr_id, "name": name, "milestone": True})
            tracks.append(_Track(key, kr_id, owner_id, 0.0, 1.0, 1.0, milestone_week=week))
        execution.set_goal(
            CYCLE_ID,
            title,
            owner,
            kind=kind,
            theme_id=theme,
            parent_goal_id=goals[parent] if parent else None,
            weight=weight,
            key_results=key_results,
            actions=[
                {
                    "action_id": action_id,
                    "task": task,
                    "owner_id": owner_id,
                    "due_on": SEASON_START + timedelta(weeks=due_week),
                }
                for action_id, task, due_week in actions
            ],
            goal_id=goals[key],
            actor=by,
            occurred_at=t,
        )

    sales, product, ops = Owner("unit", "sales"), Owner("unit", "product"), Owner("unit", "ops")
    goal(
        "sales",
        "Grow new revenue to 1.2 M EUR",
        sales,
        by="cleo",
        kind=GoalKind.DEPARTMENTAL,
        theme="growth",
        krs=(("revenue", "New revenue (k EUR)", 0, 1200, 1500, 0.93),),
        actions=(("pricing", "Publish the new price book", 4),),
    )
    goal(
        "product",
        "Ship self-serve onboarding",
        product,
        by="cleo",
        kind=GoalKind.DEPARTMENTAL,
        theme="customers",
        krs=(("activation", "Activation rate (%)", 20, 35, 40, 0.82),),
        milestones=(("launch", "Self-serve flow launched", 14),),
        actions=(("beta", "Run the closed beta", 8),),
    )
    goal(
        "ops",
        "Cut the support backlog",
        ops,
        by="cleo",
        kind=GoalKind.DEPARTMENTAL,
        theme="customers",
        krs=(("backlog", "Open tickets", 400, 100, 60, 1.02),),
        actions=(("triage", "Introduce daily triage", 2),),
    )
    goal(
        "ana",
        "Close mid-market deals",
        "ana",
        by="max",
        parent="sales",
        krs=(("deals", "Deals closed", 0, 12, 15, 1.2),),
        actions=(("list", "Build target list", 2),),
    )
    goal(
        "ben",
        "Open the Nordics",
        "ben",
        by="max",
        parent="sales",
        krs=(("pipeline", "Nordic pipeline (k EUR)", 0, 600, None, 0.5),),
        actions=(("hire", "Hire a local partner", 6),),
    )
    goal(
        "ben-partners",
        "Launch a partner channel",
        "ben",
        by="max",
        parent="sales",
        weight=0.5,
        krs=(("partners", "Signed partners", 0, 5, None, 0.3),),
    )
    goal(
        "carl",
        "Expand existing accounts",
        "carl",
        by="max",
        parent="sales",
        krs=(("upsell", "Upsell revenue (k EUR)", 0, 300, 360, 0.62),),
        actions=(("qbr", "Run QBRs with top 20 accounts", 10),),
    )
    goal(
        "dev",
        "Build the onboarding flow",
        "dev",
        by="pia",
        parent="product",
        milestones=(("flow", "Flow in production", 13),),
        krs=(("steps", "Steps automated", 0, 8, None, 1.0),),
    )
    goal(
        "eve",
        "Instrument activation",
        "eve",
        by="pia",
        parent="product",
        krs=(("events", "Tracked activation events", 0, 40, 50, 0.86),),
        actions=(("schema", "Agree the event schema", 3),),
    )
    goal(
        "finn",
        "Cut time to first value",
        "finn",
        by="pia",
        parent="product",
        krs=(("minutes", "Minutes to first value", 45, 15, 10, 0.78),),
    )
    goal(
        "gus",
        "Automate ticket triage",
        "gus",
        by="oscar",
        parent="ops",
        krs=(("automated", "Tickets auto-triaged (%)", 0, 60, 75, 0.9),),
    )
    goal(
        "ana-dev",
        "Learn structured negotiation",
        "ana",
        by="ana",
        kind=GoalKind.DEVELOPMENTAL,
        theme="craft",
        milestones=(("course", "Negotiation course passed", 10),),
    )
    goal(
        "dev-dev",
        "Mentor a junior engineer",
        "dev",
        by="dev",
        kind=GoalKind.DEVELOPMENTAL,
        theme="craft",
        milestones=(("mentee", "Mentee ships first feature", 18),),
    )
    goal(
        "eve-dev",
        "Speak at a meetup",
        "eve",
        by="eve",
        kind=GoalKind.DEVELOPMENTAL,
        theme="craft",
        milestones=(("talk", "Talk given", 20),),
    )

    for track in tracks:
        if track.goal == "ben":
            track.quiet_weeks = range(9, 14)
        if track.goal == "carl":
            track.boost_after_coaching = 0.45

    say("playing the season week by week")
    dropped = False
    adjusted = False
    last_coached: dict[str, int] = {}
    commitments: list[tuple[str, str, int, bool]] = []
    late: list[tuple[_Track, float, float, datetime]] = []
    for week in range(1, SEASON_WEEKS):
        share = week / SEASON_WEEKS
        for track in tracks:
            if track.goal == "ben-partners" and dropped:
                continue
            if week in track.quiet_weeks:
                continue
            value = _next_value(track, share, rng)
            when = start + timedelta(weeks=week, hours=rng.uniform(0, 30))
            if track.goal == "eve" and week == 9:
                late.append((track, value, _confidence(track, share), when))
                continue
            execution.log_progress(
                goals[track.goal],
                track.kr,
                value=value,
                confidence=_confidence(track, share),
                actor=track.owner,
                occurred_at=at(week, hours=(when - start).total_seconds() / 3600 - week * 168),
            )
        for track, value, confidence, when in [entry for entry in late if entry[3] < at(week)]:
            clock.now = max(clock.now, when + timedelta(days=7, hours=3))  # entered a week late
            execution.log_progress(
                goals[track.goal],
                track.kr,
                value=value,
                confidence=confidence,
                comment="entered late",
                actor=track.owner,
                occurred_at=when,
            )
        late[:] = [entry for entry in late if entry[3] >= at(week)]
        for track in tracks:
            manager = MANAGERS.get(track.owner)
            if manager is None or track.milestone_week is not None:
                continue
            gap = _progress(track) - share
            recently = week - last_coached.get(track.goal, -99) < 4
            if gap < -0.12 and not recently and not (track.goal == "ben-partners" and dropped):
                last_coached[track.goal] = week
                track.coached = True
                commitment = f"{track.goal}-w{week}"
                execution.give_coaching(
                    track.owner,
                    kind=CoachingKind.GUIDANCE,
                    note=f"Behind pace on {track.kr}: agreed one change for the next two weeks",
                    goal_id=goals[track.goal],
                    commitments=[
                        {
                            "commitment_id": commitment,
                            "action": "Try the agreed change and report back",
                            "due_on": SEASON_START + timedelta(weeks=week + 2),
                        }
                    ],
                    actor=manager,
                    occurred_at=at(week, hours=32),
                )
                commitments.append((track.owner, commitment, week + 2, rng.random() < 0.7))
        for person, commitment, _due, kept in [c for c in commitments if c[2] == week]:
            moment = at(week, hours=40)
            if kept:
                execution.keep_commitment(person, commitment, actor=person, occurred_at=moment)
            else:
                execution.miss_commitment(
                    person,
                    commitment,
                    note="no time",
                    actor=MANAGERS[person] or person,
                    occurred_at=moment,
                )
        if week == 6:
            execution.give_coaching(
                "ana",
                kind=CoachingKind.RECOGNITION,
                note="Great start on mid-market",
                goal_id=goals["ana"],
                actor="max",
                occurred_at=at(week, hours=33),
            )
            execution.give_coaching(
                "eve",
                kind=CoachingKind.GUIDANCE,
                note="Mentoring: preparing a meetup talk",
                goal_id=goals["eve-dev"],
                actor="hana",
                occurred_at=at(week, hours=34),
            )
        if week == 11 and not dropped:
            dropped = True
            execution.drop_goal(
                goals["ben-partners"],
                reason="Strategy review: partners move to next year, Ben focuses on the Nordics",
                actor="max",
                occurred_at=at(week, hours=36),
            )
        if week == 12 and not adjusted:
            adjusted = True
            execution.adjust_target(
                goals["finn"],
                "minutes",
                target=20,
                stretch=15,
                reason="The legacy import step stays until Q3; 20 minutes is the honest target",
                actor="pia",
                occurred_at=at(week, hours=36),
            )
            for track in tracks:
                if track.goal == "finn":
                    track.target = 20
        for key, action, due_week in (
            ("sales", "pricing", 4),
            ("ops", "triage", 2),
            ("ana", "list", 2),
            ("eve", "schema", 3),
            ("product", "beta", 8),
        ):
            if week == due_week:
                owner = _lead(key) if key in ("sales", "ops", "product") else key
                execution.complete_action(
                    goals[key], action, actor=owner, occurred_at=at(week, hours=38)
                )

    say("closing the cycle, reviewing and appraising")
    end = at(SEASON_WEEKS, hours=-9)
    for key in ("dev", "gus"):
        execution.complete_goal(
            goals[key], actor=_owner_of(key), occurred_at=at(SEASON_WEEKS - 1, 40)
        )
    execution.close_cycle(CYCLE_ID, actor="cleo", occurred_at=end)
    review_at = at(SEASON_WEEKS, hours=30)
    execution.review_goal(
        goals["ben"],
        worked="Early partner conversations",
        did_not_work="Five quiet weeks without check-ins hid the slide",
        lessons="Check in weekly even when there is bad news",
        actor="max",
        occurred_at=review_at,
    )
    execution.review_goal(
        goals["carl"],
        worked="Coaching on QBR preparation turned the trend",
        did_not_work="A slow first quarter",
        lessons="Ask for coaching at the first amber week",
        actor="carl",
        occurred_at=review_at,
    )
    ratings = {
        "ana": 5,
        "ben": 2,
        "carl": 3,
        "dev": 4,
        "eve": 3,
        "finn": 3,
        "gus": 4,
        "max": 4,
        "pia": 3,
        "oscar": 4,
        "hana": 3,
    }
    appraise_at = at(SEASON_WEEKS + 1)
    for person, rating in ratings.items():
        reviewer = MANAGERS[person] or "hana"
        execution.record_appraisal(
            CYCLE_ID,
            person,
            rating,
            summary=f"H1 appraisal of {person}",
            actor=reviewer,
            occurred_at=appraise_at,
        )
    execution.calibrate_rating(
        CYCLE_ID,
        "eve",
        4,
        reason="Calibration: instrumentation unblocked two teams",
        actor="hana",
        occurred_at=at(SEASON_WEEKS + 1, hours=6),
    )
    history = execution.history()
    return DemoSeason(
        cycle_id=CYCLE_ID,
        events=len(history),
        by_type=Counter(type(event).__name__ for event in history),
        goals=goals,
    )


def _lead(unit_or_person: str) -> str:
    return {"sales": "max", "product": "pia", "ops": "oscar", "hq": "cleo"}.get(
        unit_or_person, unit_or_person
    )


def _owner_of(goal_key: str) -> str:
    return _lead(goal_key.split("-", maxsplit=1)[0])


def _progress(track: _Track) -> float:
    return (track.value - track.baseline) / (track.target - track.baseline)


def _next_value(track: _Track, share: float, rng: random.Random) -> float:
    if track.milestone_week is not None:
        track.value = 1.0 if share * SEASON_WEEKS >= track.milestone_week else 0.0
        return track.value
    reach = track.reach + (track.boost_after_coaching if track.coached else 0.0)
    drift = reach * share + rng.gauss(0, 0.03)
    closed = max(_progress(track), min(drift, reach + 0.05))
    track.value = round(track.baseline + closed * (track.target - track.baseline), 1)
    track.history.append(track.value)
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


def print_season_views(console: Console, history: History, *, viewer: str = "hana") -> None:
    """Print the live board early, mid-season and late, the appraisal sheets at the end (as
    ``viewer`` sees them) and the detection lead time of the goals that ended missed."""
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
