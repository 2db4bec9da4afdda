"""Decisions of a goal stream, including the rules that read other streams.

A goal decision reads, besides the goal: its cycle (dates, closed or not), the strategy (themes
to align to) and the goals above a new parent (to refuse alignment loops). The service loads
them into ``GoalFacts``; the decision itself stays pure.

Once the goal's cycle is closed, only its review is recorded: a check-in, an adjustment, an
action or a new goal is refused whatever its business date, since a late entry after the close
would change scores that appraisals already read (late check-ins are entered before the close).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import singledispatch
from types import MappingProxyType
from uuid import UUID

import attrs

from execution_core.access import Owner, Permission, permitted_for_anyone
from execution_core.command import Command
from execution_core.cycles.decider import CYCLE
from execution_core.cycles.state import Cycle
from execution_core.decider import (
    Context,
    Decider,
    Reader,
    Stamper,
    authorise,
    members,
    refuse,
    require_owner,
    require_person,
)
from execution_core.errors import InvalidInput, NotFound
from execution_core.event import Event
from execution_core.folding import handler
from execution_core.goals import commands as _commands
from execution_core.goals import events as _events
from execution_core.goals.commands import (
    AddKeyResult,
    AdjustTarget,
    CompleteAction,
    CompleteGoal,
    DropAction,
    DropGoal,
    KeyResultSpec,
    LogProgress,
    PlanAction,
    RealignGoal,
    ReassignGoal,
    ReviewGoal,
    SetGoal,
    WeightGoal,
    criteria_problem,
)
from execution_core.goals.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Alignment,
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalReviewed,
    GoalSet,
    GoalWeighted,
    KeyResultAdded,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.goals.state import Goal, evolve
from execution_core.ids import STRATEGY_ID
from execution_core.strategy.decider import STRATEGY
from execution_core.strategy.state import Strategy

__all__ = ["GOAL", "PERMISSIONS", "GoalFacts", "decide"]

PERMISSIONS: Mapping[type[Command], Permission] = {
    SetGoal: Permission.SET_GOAL,
    AddKeyResult: Permission.PLAN_GOAL,
    PlanAction: Permission.PLAN_GOAL,
    CompleteAction: Permission.PLAN_GOAL,
    DropAction: Permission.PLAN_GOAL,
    CompleteGoal: Permission.PLAN_GOAL,
    ReviewGoal: Permission.PLAN_GOAL,
    LogProgress: Permission.LOG_PROGRESS,
    AdjustTarget: Permission.ADJUST_GOAL,
    RealignGoal: Permission.ADJUST_GOAL,
    ReassignGoal: Permission.ADJUST_GOAL,
    WeightGoal: Permission.ADJUST_GOAL,
    DropGoal: Permission.ADJUST_GOAL,
}
"""What each goal command asks of the access policy, for the goal's owner."""


_NO_STRATEGY = Strategy()
_NO_GOALS: Mapping[UUID, Goal] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class GoalFacts:
    """What a goal decision reads beyond the goal stream (most read only the cycle: the
    others default to one shared empty value, not a new one per decision)."""

    cycle: Cycle
    """The goal's cycle (for SetGoal: the cycle named by the command)."""
    strategy: Strategy = _NO_STRATEGY
    goals: Mapping[UUID, Goal] = _NO_GOALS
    """The parent goal named by the command and every goal above it."""


def decide(state: Goal, command: Command, context: Context, facts: GoalFacts) -> tuple[Event, ...]:
    """Decide what a goal command records, or refuse it with a typed error."""
    goal_id = getattr(command, "goal_id", None)
    if goal_id is None:
        raise InvalidInput("goal_id must be assigned before deciding")
    if isinstance(command, SetGoal):
        if state.exists:
            refuse(f"goal {goal_id} already exists", rule="goal exists")
        subject = command.owner.to_owner()
        _require_known_owner(subject, command.actor, context)
    else:
        if not state.exists:
            raise NotFound(f"unknown goal {goal_id}", kind="goal", id=goal_id)
        subject = state.owner
    authorise(context, command.actor, PERMISSIONS[type(command)], subject)
    cycle = facts.cycle
    if not cycle.opened:
        missing = getattr(command, "cycle_id", state.cycle_id)
        raise NotFound(f"unknown cycle {missing}", kind="cycle", id=missing)
    if not isinstance(command, ReviewGoal):
        if cycle.closed_at is not None:  # the game is over: late facts of play come too late
            refuse(
                f"cycle {cycle.name!r} closed on {cycle.closed_at:%Y-%m-%d}: only reviews and "
                "appraisals are recorded after the close, whatever their date",
                rule="cycle closed",
            )
        if state.exists and state.status != "active":
            refuse(f"goal {state.title!r} is {state.status}", rule="goal not active")
    stamp = Stamper(goal_id, state.version, command, context.now)
    handler(_decide, command)(command, state, stamp, context, facts)
    return stamp.done()


@singledispatch
def _decide(
    command: Command, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts
) -> None:
    raise TypeError(f"not a goal command: {type(command).__name__}")


def _check_alignment(
    alignment: Alignment | None, goal_id: UUID, cycle_id: UUID | None, facts: GoalFacts
) -> None:
    if alignment is None:
        return
    if alignment.theme_id is not None:
        theme = facts.strategy.themes.get(alignment.theme_id)
        if theme is None:
            raise NotFound(
                f"unknown theme {alignment.theme_id!r}", kind="theme", id=alignment.theme_id
            )
        if theme.retired:
            refuse(
                f"theme {alignment.theme_id!r} is retired: it takes no new goals",
                rule="theme retired",
            )
        return
    parent_id = alignment.parent_id
    if parent_id == goal_id:
        refuse("a goal cannot be aligned to itself", rule="aligned to itself")
    parent = facts.goals.get(parent_id) if parent_id is not None else None
    if parent is None or not parent.exists:
        raise NotFound(f"unknown parent goal {parent_id}", kind="goal", id=parent_id)
    if parent.cycle_id != cycle_id:
        refuse("a goal cascades only from a goal of the same cycle", rule="parent in another cycle")
    if parent.status == "dropped":
        refuse(f"parent goal {parent.title!r} was dropped", rule="parent dropped")
    seen: set[UUID] = set()
    above: Goal | None = parent
    while above is not None and above.parent_id is not None and above.parent_id not in seen:
        if above.parent_id == goal_id:
            refuse("a goal cannot be aligned to its own descendant", rule="aligned to a descendant")
        seen.add(above.parent_id)
        above = facts.goals.get(above.parent_id)


def _require_known_owner(owner: Owner, actor: str, context: Context) -> None:
    """An unknown owner is NotFound to everyone who may set goals at all, before the access
    policy is asked about them (its rules about someone find no one and would refuse a manager
    where an executive passes); anyone else is NotPermitted by ``authorise`` next."""
    org = context.org
    known = org.person(owner.id) is not None if owner.kind == "person" else owner.id in org.units
    if not known and permitted_for_anyone(context.access, actor, Permission.SET_GOAL, org):
        require_owner(org, owner)


def _check_owner(owner: Owner, kind: GoalKind, context: Context) -> None:
    require_owner(context.org, owner)
    if kind is GoalKind.DEVELOPMENTAL and owner.kind != "person":
        refuse("a developmental goal belongs to a person", rule="developmental goal of a unit")


def _add_key_result(spec: KeyResultSpec, stamp: Stamper) -> None:
    stamp(
        KeyResultAdded,
        kr_id=spec.kr_id,
        kr_name=spec.name,
        unit=spec.unit,
        baseline=spec.baseline,
        target=spec.target,
        stretch=spec.stretch,
        direction=spec.direction,
        milestone=spec.milestone,
        weight=spec.weight,
    )


@_decide.register
def _(command: SetGoal, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    assert command.goal_id is not None
    owner = command.owner.to_owner()
    _check_owner(owner, command.kind, context)
    _check_alignment(command.alignment, command.goal_id, command.cycle_id, facts)
    for action in command.actions:
        require_person(context.org, action.owner_id)
    stamp(
        GoalSet,
        title=command.title,
        kind=command.kind,
        owner=owner,
        cycle_id=command.cycle_id,
        aligned_to=command.alignment,
        weight=command.weight,
    )
    for spec in command.key_results:
        _add_key_result(spec, stamp)
    for action in command.actions:
        stamp(
            ActionPlanned,
            action_id=action.action_id,
            task=action.task,
            owner_id=action.owner_id,
            due_on=action.due_on,
        )


@_decide.register
def _(
    command: AddKeyResult,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    if command.key_result.kr_id in state.key_results:
        refuse(
            f"key result {command.key_result.kr_id!r} already exists in this goal",
            rule="key result exists",
        )
    _add_key_result(command.key_result, stamp)


def _key_result_of(state: Goal, kr_id: str) -> None:
    if kr_id not in state.key_results:
        raise NotFound(
            f"unknown key result {kr_id!r} in goal {state.title!r}", kind="key result", id=kr_id
        )


@_decide.register
def _(
    command: LogProgress,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    _key_result_of(state, command.kr_id)
    if not facts.cycle.contains(command.occurred_at):
        refuse(
            f"progress dated {command.occurred_at:%Y-%m-%d} is outside the goal's cycle "
            f"({facts.cycle.starts_on} to {facts.cycle.ends_on})",
            rule="progress outside the cycle",
        )
    if state.key_results[command.kr_id].milestone and command.value not in (0.0, 1.0):
        refuse("a milestone is logged as 1 (done) or 0 (not done)", rule="milestone value")
    stamp(
        ProgressLogged,
        kr_id=command.kr_id,
        value=command.value,
        confidence=command.confidence,
        comment=command.comment,
        source=command.source,
    )


@_decide.register
def _(
    command: AdjustTarget,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    _key_result_of(state, command.kr_id)
    kr = state.key_results[command.kr_id]
    if kr.milestone:
        refuse("a milestone has no target to adjust", rule="milestone target")
    problem = criteria_problem(
        kr.baseline, command.target, command.stretch, kr.direction, milestone=False
    )
    if problem:
        refuse(problem, rule="target criteria")
    if (command.target, command.stretch) == (kr.target, kr.stretch):
        refuse("the target and stretch are already these", rule="no change")
    stamp(
        TargetAdjusted,
        kr_id=kr.id,
        old_target=kr.target,
        new_target=command.target,
        old_stretch=kr.stretch,
        new_stretch=command.stretch,
        reason=command.reason,
    )


@_decide.register
def _(
    command: RealignGoal,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    alignment = command.alignment
    if alignment == state.aligned_to:
        refuse(f"the goal is already aligned to {alignment or 'nothing'}", rule="no change")
    _check_alignment(alignment, command.goal_id, state.cycle_id, facts)
    stamp(
        GoalRealigned,
        old_alignment=state.aligned_to,
        new_alignment=alignment,
        reason=command.reason,
    )


@_decide.register
def _(
    command: ReassignGoal,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    owner = command.owner.to_owner()
    if owner == state.owner:
        refuse(f"the goal already belongs to {owner}", rule="no change")
    _check_owner(owner, state.kind, context)
    authorise(context, command.actor, Permission.SET_GOAL, owner)  # and may give it to them
    stamp(GoalReassigned, old_owner=state.owner, new_owner=owner, reason=command.reason)


@_decide.register
def _(command: WeightGoal, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    if command.weight == state.weight:
        refuse(f"the goal already weighs {state.weight}", rule="no change")
    stamp(GoalWeighted, old_weight=state.weight, new_weight=command.weight)


@_decide.register
def _(command: PlanAction, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    action = command.action
    if action.action_id in state.actions:
        refuse(f"action {action.action_id!r} already exists in this goal", rule="action exists")
    require_person(context.org, action.owner_id)
    stamp(
        ActionPlanned,
        action_id=action.action_id,
        task=action.task,
        owner_id=action.owner_id,
        due_on=action.due_on,
    )


def _open_action(state: Goal, action_id: str) -> None:
    action = state.actions.get(action_id)
    if action is None:
        raise NotFound(
            f"unknown action {action_id!r} in goal {state.title!r}", kind="action", id=action_id
        )
    if action.status != "open":
        refuse(f"action {action_id!r} is already {action.status}", rule="action resolved")


@_decide.register
def _(
    command: CompleteAction,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    _open_action(state, command.action_id)
    stamp(ActionDone, action_id=command.action_id)


@_decide.register
def _(command: DropAction, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    _open_action(state, command.action_id)
    stamp(ActionDropped, action_id=command.action_id, reason=command.reason)


@_decide.register
def _(
    command: CompleteGoal,
    state: Goal,
    stamp: Stamper,
    context: Context,
    facts: GoalFacts,
) -> None:
    stamp(GoalCompleted)


@_decide.register
def _(command: DropGoal, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    stamp(GoalDropped, reason=command.reason)


@_decide.register
def _(command: ReviewGoal, state: Goal, stamp: Stamper, context: Context, facts: GoalFacts) -> None:
    if state.reviewed:
        refuse(f"goal {state.title!r} has already been reviewed", rule="goal reviewed")
    stamp(
        GoalReviewed,
        worked=command.worked,
        did_not_work=command.did_not_work,
        lessons=command.lessons,
    )


def _stream_id(command: Command) -> UUID:
    goal_id: UUID | None = getattr(command, "goal_id", None)
    if goal_id is None:
        raise InvalidInput("goal_id must be assigned before deciding")
    return goal_id


def _reads(command: Command) -> tuple[UUID, ...]:
    if not isinstance(command, SetGoal | RealignGoal):
        return ()  # the other commands name no stream but their goal
    named = (command.value_of("cycle_id"), command.parent_goal_id)
    return tuple(stream_id for stream_id in named if isinstance(stream_id, UUID))


def _facts(command: Command, goal: Goal, reader: Reader) -> GoalFacts:
    """The goal's cycle; for a new alignment also the strategy and the goals above the parent
    (to refuse a loop), walked up as far as they go."""
    cycle_id = command.cycle_id if isinstance(command, SetGoal) else goal.cycle_id
    cycle = reader.load(cycle_id, CYCLE) if cycle_id is not None else Cycle()
    if not isinstance(command, SetGoal | RealignGoal):
        return GoalFacts(cycle=cycle)
    strategy = reader.load(STRATEGY_ID, STRATEGY)
    goals: dict[UUID, Goal] = {}
    above = command.parent_goal_id
    while above is not None and above not in goals:
        parent = reader.load(above, GOAL)
        goals[above] = parent
        above = parent.parent_id
    return GoalFacts(cycle=cycle, strategy=strategy, goals=goals)


def _assign_ids(command: Command, new_id: Callable[[], UUID]) -> Command:
    if isinstance(command, SetGoal) and command.goal_id is None:
        return command.model_copy(update={"goal_id": new_id()})
    return command


GOAL: Decider[Goal] = Decider(
    "goal",
    Goal(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
    reads=_reads,
    facts=_facts,
    assign_ids=_assign_ids,
)
"""A goal stream (one per goal)."""
