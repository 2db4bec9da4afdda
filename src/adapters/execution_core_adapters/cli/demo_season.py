"""The demo's season as data: Northwind, a 12-person company, plays the 26 weeks of 2026 H1.

Played by :func:`execution_core_adapters.cli.demo.record_season`; the docs and the tests pin
the events it records (ids, payloads and recorded times), so a change here changes them.
"""

from __future__ import annotations

from datetime import date

from execution_core import CoachingKind, GoalKind, Perspective, Role
from execution_core_adapters.cli.season import (
    Action,
    Appraisals,
    Calibration,
    Closing,
    Coaching,
    CoachingRule,
    CycleOpening,
    Drop,
    Goal,
    Metric,
    Milestone,
    Organization,
    Person,
    Review,
    Season,
    Strategy,
    TargetAdjustment,
    Theme,
    Unit,
)

__all__ = ["DEMO_SEASON"]

ORGANIZATION = Organization(
    units=(
        Unit(unit_id="hq", name="Northwind HQ"),
        Unit(unit_id="sales", name="Sales", parent="hq"),
        Unit(unit_id="product", name="Product", parent="hq"),
        Unit(unit_id="ops", name="Operations", parent="hq"),
    ),
    people=(
        Person(person_id="cleo", name="Cleo Marsh", unit="hq", roles=(Role.EXECUTIVE,)),
        Person(
            person_id="hana",
            name="Hana Ito",
            unit="hq",
            manager="cleo",
            roles=(Role.HR, Role.REVIEWER),
        ),
        Person(person_id="max", name="Max Weber", unit="sales", manager="cleo"),
        Person(person_id="pia", name="Pia Laine", unit="product", manager="cleo"),
        Person(person_id="oscar", name="Oscar Diaz", unit="ops", manager="cleo"),
        Person(person_id="ana", name="Ana Costa", unit="sales", manager="max"),
        Person(person_id="ben", name="Ben Okafor", unit="sales", manager="max"),
        Person(person_id="carl", name="Carl Berg", unit="sales", manager="max"),
        Person(person_id="dev", name="Dev Patel", unit="product", manager="pia"),
        Person(person_id="eve", name="Eve Novak", unit="product", manager="pia"),
        Person(person_id="finn", name="Finn Hale", unit="product", manager="pia"),
        Person(person_id="gus", name="Gus Moreau", unit="ops", manager="oscar"),
    ),
    leads=(("sales", "max"), ("product", "pia"), ("ops", "oscar"), ("hq", "cleo")),
    coaches=(("hana", "eve"),),
)

STRATEGY = Strategy(
    statement="Northwind is the onboarding customers recommend",
    themes=(
        Theme(theme_id="growth", title="Grow new revenue", perspective=Perspective.FINANCIAL),
        Theme(
            theme_id="customers", title="Delight new customers", perspective=Perspective.CUSTOMER
        ),
        Theme(
            theme_id="craft",
            title="Grow our craft",
            perspective=Perspective.LEARNING_AND_GROWTH,
        ),
    ),
    by="cleo",
)

CYCLE = CycleOpening(
    key="2026-h1", name="2026 H1", starts_on=date(2026, 1, 5), weeks=26, cadence_days=7, by="cleo"
)

DEPARTMENTAL = GoalKind.DEPARTMENTAL
DEVELOPMENTAL = GoalKind.DEVELOPMENTAL

GOALS = (
    Goal(
        key="sales",
        title="Grow new revenue to 1.2 M EUR",
        owner="sales",
        unit=True,
        by="cleo",
        kind=DEPARTMENTAL,
        theme="growth",
        metrics=(
            Metric(
                kr_id="revenue",
                name="New revenue (k EUR)",
                baseline=0,
                target=1200,
                stretch=1500,
                reach=0.93,
            ),
        ),
        actions=(
            Action(
                action_id="pricing", task="Publish the new price book", due_week=4, completed=True
            ),
        ),
    ),
    Goal(
        key="product",
        title="Ship self-serve onboarding",
        owner="product",
        unit=True,
        by="cleo",
        kind=DEPARTMENTAL,
        theme="customers",
        metrics=(
            Metric(
                kr_id="activation",
                name="Activation rate (%)",
                baseline=20,
                target=35,
                stretch=40,
                reach=0.82,
            ),
        ),
        milestones=(Milestone(kr_id="launch", name="Self-serve flow launched", week=14),),
        actions=(Action(action_id="beta", task="Run the closed beta", due_week=8, completed=True),),
    ),
    Goal(
        key="ops",
        title="Cut the support backlog",
        owner="ops",
        unit=True,
        by="cleo",
        kind=DEPARTMENTAL,
        theme="customers",
        metrics=(
            Metric(
                kr_id="backlog",
                name="Open tickets",
                baseline=400,
                target=100,
                stretch=60,
                reach=1.02,
            ),
        ),
        actions=(
            Action(action_id="triage", task="Introduce daily triage", due_week=2, completed=True),
        ),
    ),
    Goal(
        key="ana",
        title="Close mid-market deals",
        owner="ana",
        by="max",
        parent="sales",
        metrics=(
            Metric(
                kr_id="deals", name="Deals closed", baseline=0, target=12, stretch=15, reach=1.2
            ),
        ),
        actions=(Action(action_id="list", task="Build target list", due_week=2, completed=True),),
    ),
    Goal(
        key="ben",
        title="Open the Nordics",
        owner="ben",
        by="max",
        parent="sales",
        metrics=(
            Metric(
                kr_id="pipeline",
                name="Nordic pipeline (k EUR)",
                baseline=0,
                target=600,
                stretch=None,
                reach=0.5,
            ),
        ),
        actions=(Action(action_id="hire", task="Hire a local partner", due_week=6),),
        quiet_weeks=(9, 10, 11, 12, 13),
    ),
    Goal(
        key="ben-partners",
        title="Launch a partner channel",
        owner="ben",
        by="max",
        parent="sales",
        weight=0.5,
        metrics=(
            Metric(
                kr_id="partners",
                name="Signed partners",
                baseline=0,
                target=5,
                stretch=None,
                reach=0.3,
            ),
        ),
    ),
    Goal(
        key="carl",
        title="Expand existing accounts",
        owner="carl",
        by="max",
        parent="sales",
        metrics=(
            Metric(
                kr_id="upsell",
                name="Upsell revenue (k EUR)",
                baseline=0,
                target=300,
                stretch=360,
                reach=0.62,
            ),
        ),
        actions=(Action(action_id="qbr", task="Run QBRs with top 20 accounts", due_week=10),),
        boost_after_coaching=0.45,
    ),
    Goal(
        key="dev",
        title="Build the onboarding flow",
        owner="dev",
        by="pia",
        parent="product",
        metrics=(
            Metric(
                kr_id="steps", name="Steps automated", baseline=0, target=8, stretch=None, reach=1.0
            ),
        ),
        milestones=(Milestone(kr_id="flow", name="Flow in production", week=13),),
    ),
    Goal(
        key="eve",
        title="Instrument activation",
        owner="eve",
        by="pia",
        parent="product",
        metrics=(
            Metric(
                kr_id="events",
                name="Tracked activation events",
                baseline=0,
                target=40,
                stretch=50,
                reach=0.86,
            ),
        ),
        actions=(
            Action(action_id="schema", task="Agree the event schema", due_week=3, completed=True),
        ),
        late_weeks=(9,),
    ),
    Goal(
        key="finn",
        title="Cut time to first value",
        owner="finn",
        by="pia",
        parent="product",
        metrics=(
            Metric(
                kr_id="minutes",
                name="Minutes to first value",
                baseline=45,
                target=15,
                stretch=10,
                reach=0.78,
            ),
        ),
    ),
    Goal(
        key="gus",
        title="Automate ticket triage",
        owner="gus",
        by="oscar",
        parent="ops",
        metrics=(
            Metric(
                kr_id="automated",
                name="Tickets auto-triaged (%)",
                baseline=0,
                target=60,
                stretch=75,
                reach=0.9,
            ),
        ),
    ),
    Goal(
        key="ana-dev",
        title="Learn structured negotiation",
        owner="ana",
        by="ana",
        kind=DEVELOPMENTAL,
        theme="craft",
        milestones=(Milestone(kr_id="course", name="Negotiation course passed", week=10),),
    ),
    Goal(
        key="dev-dev",
        title="Mentor a junior engineer",
        owner="dev",
        by="dev",
        kind=DEVELOPMENTAL,
        theme="craft",
        milestones=(Milestone(kr_id="mentee", name="Mentee ships first feature", week=18),),
    ),
    Goal(
        key="eve-dev",
        title="Speak at a meetup",
        owner="eve",
        by="eve",
        kind=DEVELOPMENTAL,
        theme="craft",
        milestones=(Milestone(kr_id="talk", name="Talk given", week=20),),
    ),
)

COACHING = CoachingRule(
    behind_by=0.12,
    every_weeks=4,
    hours=32,
    note="Behind pace on {kr}: agreed one change for the next two weeks",
    commitment="Try the agreed change and report back",
    due_in_weeks=2,
    kept_share=0.7,
    resolved_hours=40,
    missed_note="no time",
)

MOVES = (
    Coaching(
        week=6,
        hours=33,
        person="ana",
        coach="max",
        kind=CoachingKind.RECOGNITION,
        note="Great start on mid-market",
        goal="ana",
    ),
    Coaching(
        week=6,
        hours=34,
        person="eve",
        coach="hana",
        kind=CoachingKind.GUIDANCE,
        note="Mentoring: preparing a meetup talk",
        goal="eve-dev",
    ),
    Drop(
        week=11,
        hours=36,
        goal="ben-partners",
        by="max",
        reason="Strategy review: partners move to next year, Ben focuses on the Nordics",
    ),
    TargetAdjustment(
        week=12,
        hours=36,
        goal="finn",
        kr_id="minutes",
        target=20,
        stretch=15,
        by="pia",
        reason="The legacy import step stays until Q3; 20 minutes is the honest target",
    ),
)

CLOSING = Closing(
    completed=("dev", "gus"),
    completed_hours=40,
    close_hours=-9,
    closed_by="cleo",
    reviews=(
        Review(
            goal="ben",
            worked="Early partner conversations",
            did_not_work="Five quiet weeks without check-ins hid the slide",
            lessons="Check in weekly even when there is bad news",
            by="max",
        ),
        Review(
            goal="carl",
            worked="Coaching on QBR preparation turned the trend",
            did_not_work="A slow first quarter",
            lessons="Ask for coaching at the first amber week",
            by="carl",
        ),
    ),
    review_hours=30,
    appraisals=Appraisals(
        ratings=(
            ("ana", 5),
            ("ben", 2),
            ("carl", 3),
            ("dev", 4),
            ("eve", 3),
            ("finn", 3),
            ("gus", 4),
            ("max", 4),
            ("pia", 3),
            ("oscar", 4),
            ("hana", 3),
        ),
        summary="H1 appraisal of {person}",
        reviewer="hana",
        calibrations=(
            Calibration(
                person="eve",
                rating=4,
                reason="Calibration: instrumentation unblocked two teams",
                by="hana",
                hours=6,
            ),
        ),
    ),
)

DEMO_SEASON = Season(
    organization=ORGANIZATION,
    strategy=STRATEGY,
    cycle=CYCLE,
    goals=GOALS,
    coaching=COACHING,
    moves=MOVES,
    closing=CLOSING,
)
"""The demo's season."""
