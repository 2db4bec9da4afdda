"""The simulator: records an organization, its strategy and goals, then plays a cycle.

Every fact goes through :meth:`Execution.execute` as the command a real person would issue
(actor and business time included), so a simulation leaves a real event stream: every view,
audit and export works on it. The engine is deterministic: the same model, policy and seed
always issue the same commands at the same business times, and with a :class:`SimulationClock`
as the store's clock (each fact recorded ``RECORDING_LAG`` after it happened) the same events.

The calendar of a week ``w`` (0-based) of the cycle: the world moves (each key result's hidden
trajectory advances one week); on Friday the policy reads the board at 10:00 and its check-ins
are recorded one second apart from 10:00:01; at 17:00 the commitments due that week are kept
or missed; the policy reads the board again at 18:00 and its management acts (coaching,
adjustments) follow, one second apart. The cycle closes at 09:00 on the Monday after
its last day; reviews from 10:00 the next day, appraisals two days later.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

import attrs

from execution_core.access import SYSTEM
from execution_core.appraisals.commands import RecordAppraisal
from execution_core.catalog import EVENT_TYPES_BY_STREAM
from execution_core.coaching import events as coaching_events
from execution_core.coaching.commands import (
    CommitmentSpec,
    GiveCoaching,
    KeepCommitment,
    MissCommitment,
)
from execution_core.coaching.events import CoachingGiven
from execution_core.command import Command
from execution_core.cycles.commands import CloseCycle, OpenCycle
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.folding import without_cyclic_gc
from execution_core.goals.commands import AdjustTarget as AdjustTargetCommand
from execution_core.goals.commands import KeyResultSpec, LogProgress, ReviewGoal, SetGoal
from execution_core.organization.commands import AddPerson, AppointUnitLead, FoundUnit
from execution_core.policy import Policy
from execution_core.service import Execution
from execution_core.simulation.blueprint import Blueprint, GoalPlan, blueprint
from execution_core.simulation.model import Model
from execution_core.simulation.observation import Board, Situation
from execution_core.simulation.outcome import Appraisals
from execution_core.simulation.policies import (
    Act,
    AdjustTarget,
    Appraise,
    CheckIn,
    Coach,
    ManagementPolicy,
    Review,
)
from execution_core.simulation.trajectory import Trajectory
from execution_core.strategy.commands import AddTheme, DefineStrategy
from execution_core.views.ledger import Ledger

__all__ = [
    "RECORDING_LAG",
    "SimulationClock",
    "SimulationRun",
    "cycle_instants",
    "run_simulation",
    "week_start",
]

RECORDING_LAG = timedelta(hours=2)
"""How long after a fact happened the simulated store records it."""

_FRIDAY = timedelta(days=4)


class SimulationClock:
    """The store's clock during a simulation: the engine sets ``now`` before each command."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2000, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@attrs.frozen(kw_only=True)
class SimulationRun:
    """What one simulation recorded."""

    cycle_id: UUID
    seed: int
    model: Model
    policy: str
    """The name of the policy played (before ``switch_week``, if any)."""
    switch_week: int | None
    switched_to: str | None
    blueprint: Blueprint
    starts_at: datetime
    ends_at: datetime
    closed_at: datetime
    appraised_at: datetime
    commands: int
    events: int


def cycle_instants(model: Model) -> tuple[datetime, datetime]:
    """The first instant of the simulated cycle and the instant it ends."""
    starts_at = datetime.combine(model.start, time(), tzinfo=UTC)
    return starts_at, starts_at + timedelta(weeks=model.weeks)


def week_start(model: Model, week: int) -> datetime:
    """Monday 00:00 of a week of the cycle (``week = weeks``: the instant the cycle ends)."""
    return cycle_instants(model)[0] + timedelta(weeks=week)


_COACHING_EVENTS = tuple(
    getattr(coaching_events, name) for name in EVENT_TYPES_BY_STREAM["coaching"]
)
"""What the appraiser of the engine leaves out (see :meth:`_Engine.computed_rating`)."""


class _Engine:
    """One simulation in progress: the hidden world, the board, and the facade it records to."""

    def __init__(
        self,
        execution: Execution,
        model: Model,
        policy: ManagementPolicy,
        *,
        seed: int,
        clock: SimulationClock | None,
        switch: tuple[int, ManagementPolicy] | None,
    ) -> None:
        self.execution = execution
        self.model = model
        self.policy = policy
        self.seed = seed
        self.clock = clock
        self.switch = switch
        self.plan = blueprint(
            model.people,
            seed=seed,
            span=model.span,
            themes=model.themes,
            krs_per_goal=model.krs_per_goal,
            developmental=model.developmental,
            ability_sd=model.ability_sd,
        )
        self.cycle_id = self.plan.cycle_id
        self.starts_at, self.ends_at = cycle_instants(model)
        self.managers = {p.person_id: p.manager_id for p in self.plan.people}
        self.goals = {goal.goal_id: goal for goal in self.plan.goals}
        self.goal_index = {goal.goal_id: n for n, goal in enumerate(self.plan.goals)}
        self.trajectories = self._trajectories()
        self.board = Board(
            self.plan,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            cadence_days=policy.cadence_days,
            thresholds=Policy(),
        )
        self.recorded: list[Event] = []
        self.commands = 0
        self.due: dict[int, list[tuple[str, str, str]]] = {}
        self._appraiser: Appraisals | None = None

    def _trajectories(self) -> dict[tuple[UUID, str], Trajectory]:
        ability = {p.person_id: p.ability for p in self.plan.people}
        model = self.model
        made: dict[tuple[UUID, str], Trajectory] = {}
        for index, goal in enumerate(self.plan.goals):
            for kr in goal.key_results:
                rng = random.Random(f"simulation/{self.seed}/kr/{index}/{kr.kr_id}")
                reach = rng.gauss(
                    model.reach_mean + ability.get(goal.owner.id, 0.0), model.reach_sd
                )
                made[goal.goal_id, kr.kr_id] = Trajectory(
                    rng,
                    weeks=model.weeks,
                    reach=reach,
                    noise=model.noise / math.sqrt(model.weeks),
                    shock_rate=model.shock_rate,
                    shock_size=model.shock_size,
                )
        return made

    # -- recording -----------------------------------------------------------------------------

    def do(self, command: Command) -> None:
        if self.clock is not None:
            self.clock.now = max(self.clock.now, command.occurred_at + RECORDING_LAG)
        outcome = self.execution.execute(command)
        self.commands += 1
        for event in outcome.events:
            self.recorded.append(event)
            self.board.record(event)
            if isinstance(event, CoachingGiven) and event.goal_id in self.goals:
                # the model: any session about a goal changes its key results' course
                for kr in self.goals[event.goal_id].key_results:
                    self.trajectories[event.goal_id, kr.kr_id].coach(self.model.coaching_effect)

    def policy_at(self, week: int) -> ManagementPolicy:
        if self.switch is not None and week >= self.switch[0]:
            return self.switch[1]
        return self.policy

    def ask(
        self, hook: Callable[[Situation], Iterable[Act]], week: int, at: datetime, moment: str
    ) -> list[Act]:
        """A policy's acts at a moment, decided on the board as it stands; the situation is
        sealed before any act is recorded, so one a policy keeps never shows a later board."""
        situation = Situation.of(
            self.board,
            cycle_id=self.cycle_id,
            week=week,
            weeks=self.model.weeks,
            at=at,
            seed=f"simulation/{self.seed}/{moment}/{week}",
        )
        acts = list(hook(situation))
        situation.seal()
        return acts

    # -- the season ----------------------------------------------------------------------------

    def setup(self) -> None:
        plan = self.plan
        at = self.starts_at - timedelta(days=7) + timedelta(hours=9)
        chief = plan.chief_id
        for unit in plan.units:
            self.do(
                FoundUnit(
                    unit_id=unit.unit_id,
                    name=unit.name,
                    parent_id=unit.parent_id,
                    actor=SYSTEM,
                    occurred_at=at,
                )
            )
        for person in plan.people:
            self.do(
                AddPerson(
                    person_id=person.person_id,
                    name=person.name,
                    unit_id=person.unit_id,
                    manager_id=person.manager_id,
                    roles=person.roles,
                    actor=SYSTEM,
                    occurred_at=at,
                )
            )
        for unit in plan.units:
            self.do(
                AppointUnitLead(
                    unit_id=unit.unit_id, lead_id=unit.lead_id, actor=SYSTEM, occurred_at=at
                )
            )
        self.do(
            DefineStrategy(
                vision="A simulated company that executes its strategy",
                actor=chief,
                occurred_at=at,
            )
        )
        for theme in plan.themes:
            self.do(
                AddTheme(
                    theme_id=theme.theme_id,
                    title=theme.title,
                    perspective=theme.perspective,
                    actor=chief,
                    occurred_at=at,
                )
            )
        self.do(
            OpenCycle(
                cycle_id=self.cycle_id,
                name=f"Simulated cycle {self.seed}",
                starts_on=self.model.start,
                ends_on=self.model.start + timedelta(weeks=self.model.weeks, days=-1),
                cadence_days=self.policy.cadence_days,
                actor=chief,
                occurred_at=at,
            )
        )
        at = self.starts_at + timedelta(hours=9)
        for n, goal in enumerate(plan.goals):
            self.do(self._set_goal(goal, at + timedelta(seconds=n)))

    def _set_goal(self, goal: GoalPlan, at: datetime) -> SetGoal:
        return SetGoal(
            goal_id=goal.goal_id,
            cycle_id=self.cycle_id,
            title=goal.title,
            kind=goal.kind,
            owner={"kind": goal.owner.kind, "id": goal.owner.id},
            theme_id=goal.theme_id,
            parent_goal_id=goal.parent_goal_id,
            weight=goal.weight,
            key_results=tuple(
                KeyResultSpec(
                    kr_id=kr.kr_id,
                    name=kr.name,
                    unit=kr.unit,
                    baseline=kr.baseline,
                    target=kr.target,
                    stretch=kr.stretch,
                    direction=kr.direction,
                )
                for kr in goal.key_results
            ),
            actor=goal.set_by,
            occurred_at=at,
        )

    def play(self, progress: Callable[[int, int], None] | None) -> None:
        weeks = self.model.weeks
        for week in range(weeks):
            for trajectory in self.trajectories.values():
                trajectory.advance()
            friday = self.starts_at + timedelta(weeks=week) + _FRIDAY
            at = friday + timedelta(hours=10)
            policy = self.policy_at(week)
            self.perform(week, at, self.ask(policy.check_ins, week, at, "check-in"))
            self.resolve_commitments(week, friday + timedelta(hours=17))
            at = friday + timedelta(hours=18)
            self.perform(week, at, self.ask(policy.manage, week, at, "manage"))
            if progress is not None:
                progress(week + 1, weeks)

    def close(self) -> tuple[datetime, datetime]:
        closed_at = self.ends_at + timedelta(hours=9)
        self.do(CloseCycle(cycle_id=self.cycle_id, actor=self.plan.chief_id, occurred_at=closed_at))
        at = self.ends_at + timedelta(days=1, hours=10)
        policy = self.policy_at(self.model.weeks)
        acts = self.ask(policy.close, self.model.weeks, at, "close")
        reviews = [act for act in acts if not isinstance(act, Appraise)]
        self.perform(self.model.weeks, at, reviews)
        appraised_at = self.ends_at + timedelta(days=3, hours=10)
        self.perform(self.model.weeks, appraised_at, [a for a in acts if isinstance(a, Appraise)])
        return closed_at, appraised_at

    def perform(self, week: int, at: datetime, acts: Iterable[Act]) -> None:
        for n, act in enumerate(acts, start=1):
            moment = at + timedelta(seconds=n)  # after the instant the policy read the board
            if isinstance(act, Command):
                self.do(act)
            elif isinstance(act, CheckIn):
                self.check_in(act, moment)
            elif isinstance(act, Coach):
                self.coach(act, week, moment)
            elif isinstance(act, AdjustTarget):
                self.adjust(act, moment)
            elif isinstance(act, Review):
                self.review(act, moment)
            elif isinstance(act, Appraise):
                self.appraise(act, moment)
            else:
                raise InvalidInput(f"not an act the simulator knows: {act!r}")

    # -- the acts ------------------------------------------------------------------------------

    def _goal(self, goal_id: UUID) -> GoalPlan:
        goal = self.goals.get(goal_id)
        if goal is None or goal.owner.kind != "person":
            raise InvalidInput(f"{goal_id} is not a goal a person of the simulation owns")
        return goal

    def _above(self, person_id: str) -> str:
        """Who acts on a person's behalf: their manager, or the chief at the top."""
        return self.managers.get(person_id) or self.plan.chief_id

    def check_in(self, act: CheckIn, at: datetime) -> None:
        goal = self._goal(act.goal_id)
        kr_ids = act.kr_ids or tuple(kr.kr_id for kr in goal.key_results)
        for offset, kr in enumerate(k for k in goal.key_results if k.kr_id in kr_ids):
            progress = self.trajectories[goal.goal_id, kr.kr_id].progress
            value = round(kr.baseline + progress * (kr.target - kr.baseline), 2)
            when = at + timedelta(milliseconds=offset)
            reckoned = self.board.forecast_with(goal.goal_id, kr.kr_id, when, value)
            confidence = 0.5 + 1.5 * (min(reckoned, 1.2) - 0.85) + self.model.optimism
            self.do(
                LogProgress(
                    goal_id=goal.goal_id,
                    kr_id=kr.kr_id,
                    value=value,
                    confidence=round(min(0.95, max(0.05, confidence)), 2),
                    actor=goal.owner.id,
                    occurred_at=when,
                )
            )

    def coach(self, act: Coach, week: int, at: datetime) -> None:
        goal = self._goal(act.goal_id)
        person = goal.owner.id
        coach = act.coach_id or self.managers.get(person)
        if coach is None:
            raise InvalidInput(f"{person} has no manager: name the coach")
        commitments: tuple[CommitmentSpec, ...] = ()
        if act.commitment_weeks is not None:
            due_week = week + act.commitment_weeks
            commitment_id = f"w{week}-g{self.goal_index[goal.goal_id]}"
            commitments = (
                CommitmentSpec(
                    commitment_id=commitment_id,
                    action="Try the agreed change and report back",
                    due_on=(self.starts_at + timedelta(weeks=due_week) + _FRIDAY).date(),
                ),
            )
            if due_week < self.model.weeks:
                self.due.setdefault(due_week, []).append((person, commitment_id, coach))
        self.do(
            GiveCoaching(
                person_id=person,
                goal_id=goal.goal_id,
                kind=act.kind,
                note=act.note,
                commitments=commitments,
                actor=coach,
                occurred_at=at,
            )
        )

    def resolve_commitments(self, week: int, at: datetime) -> None:
        due = self.due.pop(week, [])
        rng = random.Random(f"simulation/{self.seed}/commitments/{week}")
        for n, (person, commitment_id, coach) in enumerate(due):
            moment = at + timedelta(seconds=n)
            if rng.random() < self.model.commitment_kept:
                self.do(
                    KeepCommitment(
                        person_id=person,
                        commitment_id=commitment_id,
                        actor=person,
                        occurred_at=moment,
                    )
                )
            else:
                self.do(
                    MissCommitment(
                        person_id=person,
                        commitment_id=commitment_id,
                        note="No time this fortnight",
                        actor=coach,
                        occurred_at=moment,
                    )
                )

    def adjust(self, act: AdjustTarget, at: datetime) -> None:
        goal = self._goal(act.goal_id)
        self.do(
            AdjustTargetCommand(
                goal_id=goal.goal_id,
                kr_id=act.kr_id,
                target=act.target,
                stretch=act.stretch,
                reason=act.reason,
                actor=self._above(goal.owner.id),
                occurred_at=at,
            )
        )

    def review(self, act: Review, at: datetime) -> None:
        goal = self._goal(act.goal_id)
        self.do(
            ReviewGoal(
                goal_id=goal.goal_id,
                worked=act.worked,
                did_not_work=act.did_not_work,
                lessons=act.lessons,
                actor=self._above(goal.owner.id),
                occurred_at=at,
            )
        )

    def appraise(self, act: Appraise, at: datetime) -> None:
        person = act.person_id
        rating = act.rating
        if rating is None:
            rating = self.computed_rating(person, at) or 3
        reviewer = self.managers.get(person) or self.plan.hr_id
        self.do(
            RecordAppraisal(
                cycle_id=self.cycle_id,
                person_id=person,
                rating=rating,
                summary=act.summary or f"Appraisal of {person}: the computed rating",
                actor=reviewer,
                occurred_at=at,
            )
        )

    def computed_rating(self, person_id: str, at: datetime) -> int | None:
        """The rating the appraisal sheet computes from the goals (the view, not a shortcut).

        The sheets are read once, at the first appraisal: after the cycle closed only reviews
        and appraisals are recorded, and neither changes a computed rating. Their ledger leaves
        the coaching journals out: a computed rating reads the goals of the cycle (and their
        organization) only, and the journals are the costliest part of a ledger to fold."""
        if self._appraiser is None:
            ledger = Ledger.of(e for e in self.recorded if not isinstance(e, _COACHING_EVENTS))
            self._appraiser = Appraisals(ledger, ledger.cycles[self.cycle_id], at)
        return self._appraiser.sheet(person_id).computed_rating


def run_simulation(
    execution: Execution,
    model: Model,
    policy: ManagementPolicy,
    *,
    seed: int,
    clock: SimulationClock | None = None,
    switch: tuple[int, ManagementPolicy] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationRun:
    """Record a whole simulated cycle into ``execution`` (whose store should be empty).

    ``clock``, when it is the store's clock, makes the recorded times follow the simulation;
    ``switch=(week, other)`` plays ``other`` from that week on (a counterfactual branch);
    ``progress(week, weeks)`` is called after each week.
    """
    if switch is not None and not 0 <= switch[0] <= model.weeks:
        raise InvalidInput(f"switch week must be within 0..{model.weeks}, got {switch[0]}")
    for playing in (policy,) if switch is None else (policy, switch[1]):
        _check_policy(playing)
    # every command allocates events and states that live on (in the store, its cache, the
    # board) and form no cycles: the collector's repeated full passes over them took a tenth
    # of a run; paused, one pass over what the run made is owed after it, which costs less.
    # The engine (its copy of every event, its board, its appraiser's ledger) is let go before
    # the collector resumes, so that pass walks only what outlives the run.
    with without_cyclic_gc():
        engine = _Engine(execution, model, policy, seed=seed, clock=clock, switch=switch)
        engine.setup()
        engine.play(progress)
        closed_at, appraised_at = engine.close()
        run = SimulationRun(
            cycle_id=engine.cycle_id,
            seed=seed,
            model=model,
            policy=policy.name,
            switch_week=None if switch is None else switch[0],
            switched_to=None if switch is None else switch[1].name,
            blueprint=engine.plan,
            starts_at=engine.starts_at,
            ends_at=engine.ends_at,
            closed_at=closed_at,
            appraised_at=appraised_at,
            commands=engine.commands,
            events=len(engine.recorded),
        )
        del engine
    return run


def _check_policy(policy: ManagementPolicy) -> None:
    """What the engine reads of any policy, checked before anything is recorded (a policy of
    one's own need not validate itself as the built-in ones do)."""
    cadence = getattr(policy, "cadence_days", None)
    if isinstance(cadence, bool) or not isinstance(cadence, int) or cadence < 1:
        raise InvalidInput(
            f"policy {getattr(policy, 'name', policy)!r}: cadence_days must be a whole number "
            f"of days >= 1, got {cadence!r}"
        )
