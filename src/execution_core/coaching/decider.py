"""Decisions of a coaching journal: who may coach whom is read from the organization.

Coaching about a goal whose cycle is closed is refused whatever its date (the game is over);
coaching about nothing in particular, and resolving commitments, stay open.
"""

from __future__ import annotations

from functools import singledispatch
from uuid import UUID

import attrs

from execution_core.access import Owner, Permission
from execution_core.coaching import commands as _commands
from execution_core.coaching import events as _events
from execution_core.coaching.commands import (
    CommitmentSpec,
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
)
from execution_core.coaching.events import (
    CoachingGiven,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.coaching.state import CoachingJournal, evolve
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
    require_person,
)
from execution_core.errors import NotFound
from execution_core.event import Event
from execution_core.folding import handler
from execution_core.goals.decider import GOAL
from execution_core.goals.state import Goal
from execution_core.ids import coaching_stream_id

__all__ = ["COACHING", "CoachingFacts", "decide"]


@attrs.frozen(kw_only=True)
class CoachingFacts:
    """The goal a coaching conversation is about, and its cycle, when it names one."""

    goal: Goal | None = None
    cycle: Cycle | None = None


def decide(
    state: CoachingJournal,
    command: Command,
    context: Context,
    facts: CoachingFacts | None = None,
) -> tuple[Event, ...]:
    """Decide what a coaching command records, or refuse it with a typed error."""
    facts = facts or CoachingFacts()
    person_id: str = getattr(command, "person_id")  # noqa: B009 - every coaching command has it
    require_person(
        context.org,
        person_id,
        active=not isinstance(command, KeepCommitment | MissCommitment),
    )
    permission = (
        Permission.COACH if isinstance(command, GiveCoaching) else Permission.RESOLVE_COMMITMENT
    )
    authorise(context, command.actor, permission, Owner("person", person_id))
    stamp = Stamper(coaching_stream_id(person_id), state.version, command, context.now)
    handler(_decide, command)(command, state, stamp, context, facts)
    return stamp.done()


@singledispatch
def _decide(
    command: Command,
    state: CoachingJournal,
    stamp: Stamper,
    context: Context,
    facts: CoachingFacts,
) -> None:
    raise TypeError(f"not a coaching command: {type(command).__name__}")


def _check_goal(person_id: str, at: Command, context: Context, facts: CoachingFacts) -> None:
    goal = facts.goal
    if goal is None or not goal.exists:
        goal_id = getattr(at, "goal_id", None)
        raise NotFound(f"unknown goal {goal_id}", kind="goal", id=goal_id)
    owner = goal.owner
    person = context.org.people[person_id]
    unit = context.org.units.get(owner.id) if owner.kind == "unit" else None
    concerns_person = (owner.kind == "person" and owner.id == person_id) or (
        unit is not None and (person.unit_id == unit.id or unit.lead_id == person_id)
    )
    if not concerns_person:
        refuse(f"goal {goal.title!r} is not {person_id!r}'s goal", rule="goal of another person")
    cycle = facts.cycle
    if cycle is not None and cycle.closed_at is not None:  # whatever the coaching's date
        refuse(
            f"cycle {cycle.name!r} of goal {goal.title!r} closed on {cycle.closed_at:%Y-%m-%d}: "
            "coaching about its goals is no longer recorded",
            rule="cycle closed",
        )


def _commit(
    spec: CommitmentSpec,
    person_id: str,
    goal_id: object,
    state: CoachingJournal,
    stamp: Stamper,
) -> None:
    if spec.commitment_id in state.commitments:
        refuse(
            f"commitment {spec.commitment_id!r} already exists for {person_id!r}",
            rule="commitment exists",
        )
    stamp(
        CommitmentMade,
        commitment_id=spec.commitment_id,
        person_id=person_id,
        action=spec.action,
        due_on=spec.due_on,
        goal_id=goal_id,
    )


@_decide.register
def _(
    command: GiveCoaching,
    state: CoachingJournal,
    stamp: Stamper,
    context: Context,
    facts: CoachingFacts,
) -> None:
    if command.goal_id is not None:
        _check_goal(command.person_id, command, context, facts)
    ids = [c.commitment_id for c in command.commitments]
    if len(ids) != len(set(ids)):
        refuse("commitment ids must be unique", rule="commitment ids unique")
    stamp(
        CoachingGiven,
        coach_id=command.actor,
        person_id=command.person_id,
        goal_id=command.goal_id,
        kind=command.kind,
        note=command.note,
    )
    for spec in command.commitments:
        _commit(spec, command.person_id, command.goal_id, state, stamp)


@_decide.register
def _(
    command: MakeCommitment,
    state: CoachingJournal,
    stamp: Stamper,
    context: Context,
    facts: CoachingFacts,
) -> None:
    if command.goal_id is not None:
        _check_goal(command.person_id, command, context, facts)
    _commit(command.commitment, command.person_id, command.goal_id, state, stamp)


def _open(state: CoachingJournal, commitment_id: str) -> None:
    commitment = state.commitments.get(commitment_id)
    if commitment is None:
        raise NotFound(f"unknown commitment {commitment_id!r}", kind="commitment", id=commitment_id)
    if commitment.status != "open":
        refuse(
            f"commitment {commitment_id!r} was already {commitment.status}",
            rule="commitment resolved",
        )


@_decide.register
def _(
    command: KeepCommitment,
    state: CoachingJournal,
    stamp: Stamper,
    context: Context,
    facts: CoachingFacts,
) -> None:
    _open(state, command.commitment_id)
    stamp(CommitmentKept, commitment_id=command.commitment_id)


@_decide.register
def _(
    command: MissCommitment,
    state: CoachingJournal,
    stamp: Stamper,
    context: Context,
    facts: CoachingFacts,
) -> None:
    _open(state, command.commitment_id)
    stamp(CommitmentMissed, commitment_id=command.commitment_id, note=command.note)


def _stream_id(command: Command) -> UUID:
    return coaching_stream_id(getattr(command, "person_id"))  # noqa: B009 - every coaching command has it


def _reads(command: Command) -> tuple[UUID, ...]:
    goal_id = command.value_of("goal_id")
    return (goal_id,) if isinstance(goal_id, UUID) else ()


def _facts(command: Command, journal: CoachingJournal, reader: Reader) -> CoachingFacts:
    """The goal a conversation or commitment is about, and that goal's cycle."""
    goal_id = command.value_of("goal_id")
    if goal_id is None:
        return CoachingFacts()
    goal = reader.load(goal_id, GOAL)
    cycle = reader.load(goal.cycle_id, CYCLE) if goal.cycle_id else None
    return CoachingFacts(goal=goal, cycle=cycle)


COACHING: Decider[CoachingJournal] = Decider(
    "coaching",
    CoachingJournal(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
    reads=_reads,
    facts=_facts,
)
"""A coaching journal stream (one per person)."""
