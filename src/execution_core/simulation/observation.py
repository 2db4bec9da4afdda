"""What a simulated manager can see: the recorded check-ins, read with the views' formulas.

The :class:`Board` is a small projection of the events a simulation records (check-ins, target
adjustments, coaching, goal endings), kept up to date as the engine records them. A policy
reads it through a :class:`Situation`: each goal's progress, forecast and health computed with
:mod:`execution_core.views.formulas` exactly as the scoreboard computes them (a test holds the
two equal), never the hidden trajectory. Only goals with key results of their own are on it;
the unit goals they roll up into are on the scoreboard.
"""

from __future__ import annotations

import random
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.coaching.events import CoachingGiven
from execution_core.event import Event
from execution_core.facts import positional_maker
from execution_core.goals.events import (
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalReviewed,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.organization.events import Role
from execution_core.policy import Policy
from execution_core.simulation.blueprint import Blueprint, GoalPlan
from execution_core.views import formulas as f
from execution_core.views.formulas import Health

__all__ = ["Board", "GoalView", "KeyResultView", "PersonView", "Situation"]

FLAGGED = (Health.AT_RISK, Health.OFF_TRACK)


@attrs.frozen(kw_only=True)
class KeyResultView:
    """A key result as recorded: its criteria in force and its check-ins so far."""

    kr_id: str
    name: str
    baseline: float
    target: float
    stretch: float | None
    original_target: float
    checkins: int
    value: float | None
    confidence: float | None
    last_checkin_at: datetime | None
    progress: float
    """Raw progress against the target in force (0 before any check-in)."""
    forecast: float | None
    """Raw progress the check-ins' line reaches at the cycle end (None before any)."""


@attrs.frozen(kw_only=True)
class GoalView:
    """A goal as a manager sees it on the live board at an instant."""

    goal_id: UUID
    title: str
    kind: GoalKind
    owner_id: str
    manager_id: str | None
    status: str
    weight: float
    key_results: tuple[KeyResultView, ...]
    progress: float
    """Weighted score, within 0..1 (the scoreboard's ``progress``)."""
    forecast: float | None
    """Weighted forecast score, within 0..1 (the scoreboard's ``forecast``)."""
    health: Health
    last_checkin_at: datetime | None
    coached_at: tuple[datetime, ...]
    """When the owner was coached about this goal."""
    adjustments: int
    """How many target adjustments the goal has had."""
    reviewed: bool

    @property
    def flagged(self) -> bool:
        """Whether the live view shows the goal at risk or off track."""
        return self.health in FLAGGED


@attrs.frozen(kw_only=True)
class PersonView:
    """A person of the organization, with their manager and direct reports."""

    person_id: str
    name: str
    unit_id: str
    manager_id: str | None
    roles: tuple[Role, ...]
    reports: tuple[str, ...]


_make_key_result_view = positional_maker(KeyResultView)
"""``KeyResultView`` from its fields in order, slot by slot (one per check-in read)."""
_make_goal_view = positional_maker(GoalView)
"""``GoalView`` from its fields in order, slot by slot (one per change of a goal's view)."""


class _KeyResult:
    __slots__ = (
        "baseline",
        "confidence",
        "forecast",
        "last_at",
        "name",
        "original_target",
        "points",
        "reckoned",
        "stretch",
        "target",
        "value",
    )

    def __init__(self, name: str, baseline: float, target: float, stretch: float | None) -> None:
        self.name = name
        self.baseline = baseline
        self.target = target
        self.original_target = target
        self.stretch = stretch
        self.points: list[tuple[float, float]] = []
        self.value: float | None = None
        self.confidence: float | None = None
        self.last_at: datetime | None = None
        self.forecast: float | None = None
        self.reckoned: tuple[float, float, float, float] | None = None
        """The last forecast reckoned for a check-in not yet recorded: (target, day, value,
        forecast), reused when that check-in is recorded (see :meth:`Board.forecast_with`)."""


@attrs.frozen
class _Reading:
    """The part of a goal's view that changes only when a check-in or a target adjustment of
    one of its key results is recorded."""

    key_results: tuple[KeyResultView, ...]
    progress: float
    forecast: float | None
    last: datetime | None


class _Goal:
    __slots__ = (
        "adjustments",
        "coached_at",
        "holds",
        "krs",
        "manager_id",
        "plan",
        "reading",
        "reviewed",
        "status",
        "view",
    )

    def __init__(self, plan: GoalPlan, manager_id: str | None) -> None:
        self.plan = plan
        self.manager_id = manager_id
        self.status = "active"
        self.reviewed = False
        self.adjustments = 0
        self.coached_at: list[datetime] = []
        self.reading: _Reading | None = None
        self.view: GoalView | None = None
        self.holds: tuple[datetime, datetime] | None = None
        """The instants over which ``view``'s health holds (see ``formulas.health_holds``)."""
        self.krs = {
            kr.kr_id: _KeyResult(kr.name, kr.baseline, kr.target, kr.stretch)
            for kr in plan.key_results
        }


class Board:
    """The recorded state of every goal with key results, as the engine records events."""

    def __init__(
        self,
        blueprint: Blueprint,
        *,
        starts_at: datetime,
        ends_at: datetime,
        cadence_days: int,
        thresholds: Policy,
    ) -> None:
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.cadence_days = cadence_days
        self.thresholds = thresholds
        self._cycle_days = f.days_between(starts_at, ends_at)
        managers = {person.person_id: person.manager_id for person in blueprint.people}
        self._goals = {
            plan.goal_id: _Goal(plan, managers.get(plan.owner.id))
            for plan in blueprint.goals
            if plan.key_results and plan.owner.kind == "person"
        }
        reports: dict[str, list[str]] = {}
        for person in blueprint.people:
            if person.manager_id is not None:
                reports.setdefault(person.manager_id, []).append(person.person_id)
        self._sealed: dict[UUID, GoalView] = {}
        """Every goal's view as the last walk (:meth:`views`) gave it, in the board's order."""
        self._sealed_over: tuple[datetime, datetime] | None = None
        """Instants over which every view of ``_sealed`` holds, but those of ``_touched``."""
        self._touched: list[UUID] = []
        """Goals recorded about since the last walk (a goal may come more than once)."""
        self.people = {
            person.person_id: PersonView(
                person_id=person.person_id,
                name=person.name,
                unit_id=person.unit_id,
                manager_id=person.manager_id,
                roles=person.roles,
                reports=tuple(reports.get(person.person_id, ())),
            )
            for person in blueprint.people
        }

    def __contains__(self, goal_id: UUID) -> bool:
        return goal_id in self._goals

    def __len__(self) -> int:
        return len(self._goals)

    def goal_ids(self) -> Iterator[UUID]:
        """The goals on the board, in the order they were set."""
        return iter(self._goals)

    def record(self, event: Event) -> None:
        """Take in one recorded event (events about other things are ignored)."""
        if isinstance(event, CoachingGiven):
            goal_id = event.goal_id
            coached = self._goals.get(goal_id) if goal_id else None
            if goal_id is not None and coached is not None:
                coached.coached_at.append(event.occurred_at)
                self._forget(goal_id, coached)  # its reading stands: no key result moved
            return
        goal = self._goals.get(event.stream_id)
        if goal is None:
            return
        self._forget(event.stream_id, goal)
        if isinstance(event, ProgressLogged | TargetAdjusted):
            goal.reading = None
        if isinstance(event, ProgressLogged):
            kr = goal.krs[event.kr_id]
            day = f.days_between(self.starts_at, event.occurred_at)
            reckoned, kr.reckoned = kr.reckoned, None
            kr.points.append((day, event.value))
            kr.value = event.value
            kr.confidence = event.confidence
            kr.last_at = event.occurred_at
            if reckoned is not None and reckoned[:3] == (kr.target, day, event.value):
                kr.forecast = reckoned[3]  # the same points, the same line: reckoned already
            else:
                kr.forecast = self._forecast(kr)
        elif isinstance(event, TargetAdjusted):
            kr = goal.krs[event.kr_id]
            kr.target = event.new_target
            kr.stretch = event.new_stretch
            kr.forecast = self._forecast(kr)
            goal.adjustments += 1
        elif isinstance(event, GoalCompleted):
            goal.status = "completed"
        elif isinstance(event, GoalDropped):
            goal.status = "dropped"
        elif isinstance(event, GoalReviewed):
            goal.reviewed = True

    def _forget(self, goal_id: UUID, goal: _Goal) -> None:
        """Drop a goal's view: something was recorded about it."""
        if goal.view is not None:  # else forgotten already since the last walk, or never read
            self._touched.append(goal_id)
        goal.view = goal.holds = None

    def _forecast(self, kr: _KeyResult) -> float | None:
        return f.key_result_forecast(kr.points, kr.baseline, kr.target, self._cycle_days)

    def forecast_with(self, goal_id: UUID, kr_id: str, at: datetime, value: float) -> float:
        """The raw forecast of a key result if ``value`` were logged at ``at`` (what the owner
        reckons when stating their confidence)."""
        kr = self._goals[goal_id].krs[kr_id]
        day = f.days_between(self.starts_at, at)
        forecast = f.key_result_forecast(
            [*kr.points, (day, value)], kr.baseline, kr.target, self._cycle_days
        )
        assert forecast is not None
        kr.reckoned = (kr.target, day, value, forecast)
        return forecast

    def view(self, goal_id: UUID, at: datetime, expected: float | None = None) -> GoalView:
        """A goal as the live board shows it at ``at`` (``expected``: the pace at ``at``)."""
        if expected is None:
            expected = f.expected_progress(at, self.starts_at, self.ends_at)
        return self._view(goal_id, self._goals[goal_id], at, expected)

    def views(
        self, at: datetime, expected: float, known: Mapping[UUID, GoalView]
    ) -> dict[UUID, GoalView]:
        """Every goal's view at ``at``, in the order they were set (those in ``known`` kept):
        one walk of the board, where a policy hook reads every goal.

        A walk starts from the views the last one gave when they all still hold at ``at`` (a
        later instant, before any of them can change with time alone) and reads again only
        the goals recorded about since; otherwise it reads every goal whose view lapsed."""
        over = self._sealed_over
        if over is not None and over[0] <= at <= over[1]:
            sealed = dict(self._sealed)
            until = over[1]
            for goal_id in self._touched:
                goal = self._goals[goal_id]
                seen = known.get(goal_id) if known else None
                sealed[goal_id] = seen or self._view(goal_id, goal, at, expected)
                holds = goal.holds
                assert holds is not None
                until = min(until, holds[1])
            if known:
                sealed.update(known)
        else:
            sealed, until = self._walk(at, expected, known)
        self._sealed, self._sealed_over = sealed, (at, until)
        self._touched = []
        return sealed

    def _walk(
        self, at: datetime, expected: float, known: Mapping[UUID, GoalView]
    ) -> tuple[dict[UUID, GoalView], datetime]:
        """Every goal's view at ``at``, and the last instant all of them hold (no later than
        the cycle's end: a walk after it checks every goal, as every walk did before)."""
        view = self._view
        sealed: dict[UUID, GoalView] = {}
        until = self.ends_at
        for goal_id, goal in self._goals.items():
            seen = known.get(goal_id) if known else None
            holds = goal.holds
            if seen is None:
                seen = goal.view  # kept while nothing is recorded and its health holds
                if seen is None or holds is None or not holds[0] <= at <= holds[1]:
                    seen = view(goal_id, goal, at, expected)
                    holds = goal.holds
            sealed[goal_id] = seen
            assert holds is not None  # a goal read at ``at`` (here or in ``known``) has them
            until = min(until, holds[1])
        return sealed, until

    def _view(self, goal_id: UUID, goal: _Goal, at: datetime, expected: float) -> GoalView:
        reading = goal.reading
        if reading is None:
            reading = goal.reading = self._read(goal)
        pursued = goal.status == "active"
        health = f.health(
            forecast=reading.forecast,
            last_checkin=reading.last,
            at=at,
            expected=expected,
            cadence_days=self.cadence_days,
            policy=self.thresholds,
            active=pursued and at < self.ends_at,
        )
        goal.holds = f.health_holds(
            last_checkin=reading.last,
            at=at,
            expected=expected,
            cadence_days=self.cadence_days,
            policy=self.thresholds,
            pursued=pursued,
            ends_at=self.ends_at,
        )
        if goal.view is not None and goal.view.health is health:
            return goal.view  # nothing recorded about the goal since, and its health holds
        plan = goal.plan
        goal.view = _make_goal_view(
            goal_id,
            plan.title,
            plan.kind,
            plan.owner.id,
            goal.manager_id,
            goal.status,
            plan.weight,
            reading.key_results,
            reading.progress,
            reading.forecast,
            health,
            reading.last,
            tuple(goal.coached_at),
            goal.adjustments,
            goal.reviewed,
        )
        return goal.view

    @staticmethod
    def _read(goal: _Goal) -> _Reading:
        readings: list[KeyResultView] = []
        scores: list[tuple[float, float]] = []
        forecasts: list[tuple[float, float]] = []
        times: list[datetime] = []
        logged = False
        for kr_id, kr in goal.krs.items():  # each as the scoreboard reads it, by weight 1
            progress = f.key_result_progress(kr.value, kr.baseline, kr.target)
            readings.append(
                _make_key_result_view(
                    kr_id,
                    kr.name,
                    kr.baseline,
                    kr.target,
                    kr.stretch,
                    kr.original_target,
                    len(kr.points),
                    kr.value,
                    kr.confidence,
                    kr.last_at,
                    progress,
                    kr.forecast,
                )
            )
            scores.append((1.0, f.score(progress)))
            forecasts.append((1.0, f.clamp01(kr.forecast or 0.0)))
            logged = logged or kr.forecast is not None
            if kr.last_at is not None:
                times.append(kr.last_at)
        return _Reading(
            tuple(readings),
            f.weighted_mean(scores) or 0.0,
            f.weighted_mean(forecasts) if logged else None,
            max(times) if times else None,
        )


class _Goals(Mapping[UUID, GoalView]):
    """The goals of the board read at one instant, each computed when first asked for."""

    def __init__(self, board: Board, at: datetime) -> None:
        self._board = board
        self._at = at
        self._read: dict[UUID, GoalView] = {}
        self._expected = f.expected_progress(at, board.starts_at, board.ends_at)

    def __getitem__(self, goal_id: UUID) -> GoalView:
        view = self._read.get(goal_id)
        if view is None:
            if goal_id not in self._board:
                raise KeyError(goal_id)
            view = self._read[goal_id] = self._board.view(goal_id, self._at, self._expected)
        return view

    def __iter__(self) -> Iterator[UUID]:
        return self._board.goal_ids()

    def __len__(self) -> int:
        return len(self._board)

    def values(self) -> ValuesView[GoalView]:
        """Every goal's view (each policy hook walks them all: read in one pass here, not
        through ``Mapping``'s generic view calling ``__getitem__`` per key)."""
        self.seal()
        return self._read.values()

    def items(self) -> ItemsView[UUID, GoalView]:
        """Every goal with its view (see :meth:`values`)."""
        self.seal()
        return self._read.items()

    def seal(self) -> None:
        """Read every goal now, so the mapping keeps this instant's board for good."""
        if len(self._read) < len(self._board):  # in the board's order, as the keys are
            self._read = self._board.views(self._at, self._expected, self._read)


@attrs.frozen(kw_only=True)
class Situation:
    """What a policy sees at a moment of the cycle: the live board and the organization.

    The goals are read from the board when first asked for, and all of them once the policy's
    hook has returned: a situation kept for later shows the board of its own instant.

    ``week`` counts from 0 (the first week) to ``weeks - 1``; at the close it is ``weeks``.
    ``random`` is seeded by the simulation, for policies that decide by chance.
    """

    cycle_id: UUID
    week: int
    weeks: int
    at: datetime
    starts_at: datetime
    ends_at: datetime
    cadence_days: int
    thresholds: Policy
    goals: Mapping[UUID, GoalView]
    people: Mapping[str, PersonView]
    random: random.Random

    @classmethod
    def of(
        cls, board: Board, *, cycle_id: UUID, week: int, weeks: int, at: datetime, seed: str
    ) -> Situation:
        """The situation the board shows at ``at``."""
        return cls(
            cycle_id=cycle_id,
            week=week,
            weeks=weeks,
            at=at,
            starts_at=board.starts_at,
            ends_at=board.ends_at,
            cadence_days=board.cadence_days,
            thresholds=board.thresholds,
            goals=_Goals(board, at),
            people=board.people,
            random=random.Random(seed),
        )

    @property
    def expected(self) -> float:
        """The elapsed share of the cycle (the pace every goal is measured against)."""
        return f.expected_progress(self.at, self.starts_at, self.ends_at)

    @property
    def closing(self) -> bool:
        """Whether this is the moment after the cycle closed (reviews and appraisals)."""
        return self.week >= self.weeks

    def seal(self) -> None:
        """Fix the situation to the board it was made from (the engine does this before it
        records the acts a policy returned, so a situation a policy keeps stays as it was)."""
        if isinstance(self.goals, _Goals):
            self.goals.seal()

    def goals_of(self, person_id: str) -> list[GoalView]:
        """A person's goals on the board."""
        return [goal for goal in self.goals.values() if goal.owner_id == person_id]
