"""What a sample season is made of, as data: the organization, the strategy, the goals with
their hidden trajectories, the moves made week by week, and the cycle's end.

:mod:`execution_core_adapters.cli.demo_season` holds the demo's season in these terms and
:func:`execution_core_adapters.cli.demo.record_season` plays one through the facade. Weeks
count from the cycle's first Monday (week 0) and hours from 09:00 that Monday, so a move at
``week=6, hours=33`` happens on the Tuesday of week 6 at 18:00.
"""

from __future__ import annotations

from datetime import date

import attrs

from execution_core import CoachingKind, GoalKind, Perspective, Role

__all__ = [
    "Action",
    "Appraisals",
    "Calibration",
    "Closing",
    "Coaching",
    "CoachingRule",
    "CycleOpening",
    "Drop",
    "Goal",
    "Metric",
    "Milestone",
    "Move",
    "Organization",
    "Person",
    "Review",
    "Season",
    "Strategy",
    "TargetAdjustment",
    "Theme",
    "Unit",
]


@attrs.frozen(kw_only=True)
class Unit:
    """A unit founded before the season (``parent`` None: the root)."""

    unit_id: str
    name: str
    parent: str | None = None


@attrs.frozen(kw_only=True)
class Person:
    """A person added before the season."""

    person_id: str
    name: str
    unit: str
    manager: str | None = None
    roles: tuple[Role, ...] = ()


@attrs.frozen(kw_only=True)
class Organization:
    """Units (founded in order), people, unit leads (appointed in order) and coaches authorised
    beyond the manager line, as (coach, person)."""

    units: tuple[Unit, ...]
    people: tuple[Person, ...]
    leads: tuple[tuple[str, str], ...]
    coaches: tuple[tuple[str, str], ...] = ()

    def lead_of(self, owner: str) -> str:
        """Who answers for a unit (its lead), or the person themself."""
        return dict(self.leads).get(owner, owner)

    def manager_of(self, person: str) -> str | None:
        """A person's manager (None for the top, or for someone unknown)."""
        return {p.person_id: p.manager for p in self.people}.get(person)


@attrs.frozen(kw_only=True)
class Theme:
    """A strategic theme and its balanced-scorecard perspective."""

    theme_id: str
    title: str
    perspective: Perspective


@attrs.frozen(kw_only=True)
class Strategy:
    """The strategy defined (and its themes added) by ``by`` before the season."""

    statement: str
    themes: tuple[Theme, ...]
    by: str


@attrs.frozen(kw_only=True)
class CycleOpening:
    """The cycle the season plays: its name, length and check-in cadence."""

    key: str
    """Makes the cycle's id (``uuid5(NAMESPACE, f"demo/cycle/{key}")``)."""
    name: str
    starts_on: date
    weeks: int
    cadence_days: int
    by: str


@attrs.frozen(kw_only=True)
class Metric:
    """A measured key result and its hidden trajectory: ``reach`` is the share of the gap from
    baseline to target it closes by the season's end (before any boost from coaching)."""

    kr_id: str
    name: str
    baseline: float
    target: float
    stretch: float | None
    reach: float


@attrs.frozen(kw_only=True)
class Milestone:
    """A milestone key result, done in week ``week`` (never when None)."""

    kr_id: str
    name: str
    week: int | None


@attrs.frozen(kw_only=True)
class Action:
    """A task of a goal, due in week ``due_week``; completed then by the goal's owner when
    ``completed``."""

    action_id: str
    task: str
    due_week: int
    completed: bool = False


@attrs.frozen(kw_only=True)
class Goal:
    """A goal set at the season's start, by ``by``, for a person or a unit (``unit`` True).

    Its trajectory: no check-in in ``quiet_weeks``; the check-ins of ``late_weeks`` are entered
    a week late; after its first coaching each metric reaches ``boost_after_coaching`` more of
    the gap.
    """

    key: str
    """Makes the goal's id (``uuid5(NAMESPACE, f"demo/goal/{key}")``)."""
    title: str
    owner: str
    by: str
    unit: bool = False
    kind: GoalKind = GoalKind.INDIVIDUAL
    theme: str | None = None
    parent: str | None = None
    weight: float = 1.0
    metrics: tuple[Metric, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    actions: tuple[Action, ...] = ()
    quiet_weeks: tuple[int, ...] = ()
    late_weeks: tuple[int, ...] = ()
    boost_after_coaching: float = 0.0


@attrs.frozen(kw_only=True)
class CoachingRule:
    """How managers coach during the season: a metric more than ``behind_by`` behind the pace
    gets a guidance session from the owner's manager (at most once in ``every_weeks`` per
    goal) with one commitment due ``due_in_weeks`` later, kept with probability
    ``kept_share``."""

    behind_by: float
    every_weeks: int
    hours: float
    note: str
    """Formatted with ``kr`` (the key result's id)."""
    commitment: str
    due_in_weeks: int
    kept_share: float
    resolved_hours: float
    missed_note: str


@attrs.frozen(kw_only=True)
class Coaching:
    """A coaching session given in week ``week``."""

    week: int
    hours: float
    person: str
    coach: str
    kind: CoachingKind
    note: str
    goal: str


@attrs.frozen(kw_only=True)
class Drop:
    """A goal dropped in week ``week``: no more check-ins or coaching about it."""

    week: int
    hours: float
    goal: str
    reason: str
    by: str


@attrs.frozen(kw_only=True)
class TargetAdjustment:
    """A key result's target (and stretch) adjusted in week ``week``; its trajectory aims at the
    new target from then on."""

    week: int
    hours: float
    goal: str
    kr_id: str
    target: float
    stretch: float | None
    reason: str
    by: str


Move = Coaching | Drop | TargetAdjustment
"""A move made during the season, besides check-ins, planned coaching and actions."""


@attrs.frozen(kw_only=True)
class Review:
    """A game review of a goal at the cycle's end."""

    goal: str
    worked: str
    did_not_work: str
    lessons: str
    by: str


@attrs.frozen(kw_only=True)
class Calibration:
    """A rating calibrated after the appraisals."""

    person: str
    rating: int
    reason: str
    by: str
    hours: float
    """After the appraisals."""


@attrs.frozen(kw_only=True)
class Appraisals:
    """The ratings recorded a week after the cycle's end (by each person's manager, else
    ``reviewer``), then the calibrations."""

    ratings: tuple[tuple[str, int], ...]
    summary: str
    """Formatted with ``person``."""
    reviewer: str
    calibrations: tuple[Calibration, ...] = ()


@attrs.frozen(kw_only=True)
class Closing:
    """The cycle's end: goals completed in the last week (``completed_hours`` into it), the
    close and the game reviews (``close_hours`` and ``review_hours`` from 09:00 on the Monday
    after the last week), then the appraisals (a week later)."""

    completed: tuple[str, ...]
    completed_hours: float
    close_hours: float
    closed_by: str
    reviews: tuple[Review, ...]
    review_hours: float
    appraisals: Appraisals


@attrs.frozen(kw_only=True)
class Season:
    """A whole season: who, what for, the goals, what happens each week, how it ends."""

    organization: Organization
    strategy: Strategy
    cycle: CycleOpening
    goals: tuple[Goal, ...]
    coaching: CoachingRule
    moves: tuple[Move, ...]
    closing: Closing
