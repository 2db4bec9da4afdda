"""Decisions of an appraisal stream."""

from __future__ import annotations

from functools import singledispatch
from uuid import UUID

from execution_core.access import Owner, Permission
from execution_core.appraisals import commands as _commands
from execution_core.appraisals import events as _events
from execution_core.appraisals.commands import CalibrateRating, RecordAppraisal
from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.appraisals.state import Appraisal, evolve
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
from execution_core.ids import appraisal_stream_id

__all__ = ["APPRAISAL", "decide"]


def decide(state: Appraisal, command: Command, context: Context, cycle: Cycle) -> tuple[Event, ...]:
    """Decide what an appraisal command records, or refuse it with a typed error."""
    assert isinstance(command, RecordAppraisal | CalibrateRating)
    require_person(context.org, command.person_id, active=False)
    permission = (
        Permission.RECORD_APPRAISAL
        if isinstance(command, RecordAppraisal)
        else Permission.CALIBRATE_RATING
    )
    authorise(context, command.actor, permission, Owner("person", command.person_id))
    if not cycle.opened:
        raise NotFound(f"unknown cycle {command.cycle_id}", kind="cycle", id=command.cycle_id)
    if command.occurred_at < cycle.starts_at:
        refuse(
            f"cycle {cycle.name!r} has not started: nothing to appraise yet",
            rule="cycle not started",
        )
    stream_id = appraisal_stream_id(command.cycle_id, command.person_id)
    stamp = Stamper(stream_id, state.version, command, context.now)
    handler(_decide, command)(command, state, stamp)
    return stamp.done()


@singledispatch
def _decide(command: Command, state: Appraisal, stamp: Stamper) -> None:
    raise TypeError(f"not an appraisal command: {type(command).__name__}")


@_decide.register
def _(command: RecordAppraisal, state: Appraisal, stamp: Stamper) -> None:
    if state.recorded:
        refuse(
            "an appraisal is already recorded for this person and cycle: calibrate it",
            rule="appraisal exists",
        )
    stamp(
        AppraisalRecorded,
        reviewer_id=command.actor,
        person_id=command.person_id,
        cycle_id=command.cycle_id,
        rating=command.rating,
        summary=command.summary,
    )


@_decide.register
def _(command: CalibrateRating, state: Appraisal, stamp: Stamper) -> None:
    if not state.recorded or state.rating is None:
        raise NotFound(
            "no appraisal recorded for this person and cycle to calibrate", kind="appraisal"
        )
    if command.rating == state.rating:
        refuse(f"the rating is already {state.rating}", rule="no change")
    stamp(
        RatingCalibrated,
        from_rating=state.rating,
        to_rating=command.rating,
        reason=command.reason,
    )


def _stream_id(command: RecordAppraisal | CalibrateRating) -> UUID:
    return appraisal_stream_id(command.cycle_id, command.person_id)


def _reads(command: RecordAppraisal | CalibrateRating) -> tuple[UUID, ...]:
    return (command.cycle_id,)


def _facts(command: RecordAppraisal | CalibrateRating, state: Appraisal, reader: Reader) -> Cycle:
    """The cycle appraised (its dates and whether it is open)."""
    return reader.load(command.cycle_id, CYCLE)


APPRAISAL: Decider[Appraisal] = Decider(
    "appraisal",
    Appraisal(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
    reads=_reads,
    facts=_facts,
)
"""An appraisal stream (one per person and cycle)."""
