"""Decisions of a cycle stream.

A closed cycle takes no more play, but HR or an executive may still adopt a policy for it dated
before its close: a rubric corrected after the close, which the computed ratings then use (the
"as of" audit still shows what was believed before the correction).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import singledispatch
from uuid import UUID

from execution_core.access import Permission
from execution_core.command import Command
from execution_core.cycles import commands as _commands
from execution_core.cycles import events as _events
from execution_core.cycles.commands import AdoptPolicy, CloseCycle, OpenCycle
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.cycles.state import Cycle, evolve
from execution_core.decider import Context, Decider, Stamper, authorise, members, refuse
from execution_core.errors import InvalidInput, NotFound
from execution_core.event import Event
from execution_core.folding import handler
from execution_core.policy import Policy

__all__ = ["CYCLE", "decide"]


def decide(
    state: Cycle, command: Command, context: Context, facts: None = None
) -> tuple[Event, ...]:
    """Decide what a cycle command records, or refuse it with a typed error."""
    cycle_id = getattr(command, "cycle_id", None)
    if cycle_id is None:
        raise InvalidInput("cycle_id must be assigned before deciding")
    permission = (
        Permission.ADOPT_POLICY if isinstance(command, AdoptPolicy) else Permission.RUN_CYCLE
    )
    authorise(context, command.actor, permission)
    stamp = Stamper(cycle_id, state.version, command, context.now)
    handler(_decide, command)(command, state, stamp)
    return stamp.done()


@singledispatch
def _decide(command: Command, state: Cycle, stamp: Stamper) -> None:
    raise TypeError(f"not a cycle command: {type(command).__name__}")


def _require_open(state: Cycle, command: Command) -> None:
    if not state.opened:
        cycle_id = getattr(command, "cycle_id", None)
        raise NotFound(f"unknown cycle {cycle_id}", kind="cycle", id=cycle_id)
    if state.closed_at is not None:
        refuse(f"cycle {state.name!r} is closed", rule="cycle closed")


@_decide.register
def _(command: OpenCycle, state: Cycle, stamp: Stamper) -> None:
    if state.opened:
        refuse(f"cycle {command.cycle_id} is already opened", rule="cycle exists")
    stamp(
        CycleOpened,
        cycle_name=command.name,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        cadence_days=command.cadence_days,
    )
    policy = Policy() if command.policy is None else command.policy.to_policy()
    stamp(PolicyAdopted, policy=policy)


@_decide.register
def _(command: AdoptPolicy, state: Cycle, stamp: Stamper) -> None:
    if not state.opened:
        raise NotFound(f"unknown cycle {command.cycle_id}", kind="cycle", id=command.cycle_id)
    closed_at = state.closed_at
    if closed_at is not None and command.occurred_at >= closed_at:
        # A closed cycle's rubric may still be corrected (appraisals stay open), as of a date
        # inside the cycle, so every view read after it uses the corrected policy.
        refuse(
            f"cycle {state.name!r} closed on {closed_at:%Y-%m-%d}: a policy for it must be dated "
            "before its close",
            rule="cycle closed",
        )
    policy = command.policy.to_policy()
    if policy == state.policy:
        refuse("this policy is already in force", rule="no change")
    stamp(PolicyAdopted, policy=policy)


@_decide.register
def _(command: CloseCycle, state: Cycle, stamp: Stamper) -> None:
    _require_open(state, command)
    if command.occurred_at < state.starts_at:
        refuse(
            f"cycle {state.name!r} cannot close before it starts ({state.starts_on})",
            rule="cycle not started",
        )
    stamp(CycleClosed)


def _stream_id(command: OpenCycle | AdoptPolicy | CloseCycle) -> UUID:
    if command.cycle_id is None:
        raise InvalidInput("cycle_id must be assigned before deciding")
    return command.cycle_id


def _assign_ids(command: Command, new_id: Callable[[], UUID]) -> Command:
    if isinstance(command, OpenCycle) and command.cycle_id is None:
        return command.model_copy(update={"cycle_id": new_id()})
    return command


CYCLE: Decider[Cycle] = Decider(
    "cycle",
    Cycle(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
    assign_ids=_assign_ids,
)
"""A cycle stream (one per cycle)."""
