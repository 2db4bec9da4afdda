"""Whether a history is one the domain could have recorded: the rules of import.

An imported event is held to the rules of the API by asking the API itself, not a second copy
of its rules: the events each command recorded are turned back into that command, and the
service decides it again on the states the history had reached just before, with the store's
clock reading the events' ``recorded_at``. The history is admissible when every decision is
accepted and records exactly the events it holds (ids, actor, both clocks, every field).
So every bound of a command's schema, every permission and every rule between streams (cycle
dates, parent goals, who coaches whom) applies to imports as it applies to commands.

Pure: the states live in memory in :class:`_Replaying`, an :class:`EventStore` that records
nothing anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from functools import singledispatch
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs
from pydantic import ValidationError

from execution_core.access import AccessPolicy
from execution_core.appraisals import events as appraisal_ev
from execution_core.appraisals.commands import CalibrateRating, RecordAppraisal
from execution_core.catalog import invalid_command
from execution_core.coaching import events as coaching_ev
from execution_core.coaching.commands import (
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
)
from execution_core.command import Command, Receipt
from execution_core.cycles import events as cycle_ev
from execution_core.cycles.commands import AdoptPolicy, CloseCycle, OpenCycle
from execution_core.decider import Decider
from execution_core.errors import ExecutionError, InvalidInput, NotFound, RuleViolated
from execution_core.event import Event
from execution_core.goals import commands as goal_cmd
from execution_core.goals import events as goal_ev
from execution_core.organization import commands as org_cmd
from execution_core.organization import events as org_ev
from execution_core.ports import EventStore, Recorded
from execution_core.service import Execution
from execution_core.strategy import commands as strategy_cmd
from execution_core.strategy import events as strategy_ev

__all__ = ["Admission", "Inadmissible", "Refusal", "command_events", "first_refusal"]

S = TypeVar("S")

_FOLLOWERS: Mapping[type[Event], tuple[type[Event], ...]] = {
    cycle_ev.CycleOpened: (cycle_ev.PolicyAdopted,),
    goal_ev.GoalSet: (goal_ev.KeyResultAdded, goal_ev.ActionPlanned),
    coaching_ev.CoachingGiven: (coaching_ev.CommitmentMade,),
}
"""The commands that record more than one event: the event they open with, and the kinds of
event that may follow it in the same decision, in the order the decider records them."""


class Inadmissible(RuleViolated):
    """A command rebuilt from a decision's events records other events than these."""

    def __init__(self, message: str, *, offset: int) -> None:
        super().__init__(message)
        self.offset = offset
        """Which of the decision's events (from 0) differs first."""


@attrs.frozen
class Refusal:
    """Why the event at ``index`` (from 0) of a history is not one the domain would record."""

    index: int
    reason: str


def _same_decision(first: Event, event: Event, previous: Event) -> bool:
    """One decision stamps its events on one stream, in turn, with one actor and both clocks."""
    return (
        event.stream_id == first.stream_id
        and event.version == previous.version + 1
        and (event.actor, event.occurred_at, event.recorded_at)
        == (first.actor, first.occurred_at, first.recorded_at)
    )


def command_events(events: Sequence[Event]) -> Iterator[tuple[int, Sequence[Event]]]:
    """The events of a history cut into the decisions that recorded them (with the index of
    each decision's first event): an opening event and the events its command records with it.
    """
    start = 0
    while start < len(events):
        first = events[start]
        followers = _FOLLOWERS.get(type(first), ())
        # a cycle opens with exactly one policy; the others take any number of each follower
        limit = min(
            len(events), start + 2 if isinstance(first, cycle_ev.CycleOpened) else len(events)
        )
        end, stage = start + 1, 0
        while end < limit and _same_decision(first, events[end], events[end - 1]):
            kind = type(events[end])
            if kind not in followers[stage:]:
                break
            stage = followers.index(kind)
            end += 1
        yield start, events[start:end]
        start = end


# -- the states so far ------------------------------------------------------------------------


class _Replaying:
    """The states a history has reached, as an :class:`EventStore` the service decides on;
    its clock reads the ``recorded_at`` of the decision being checked. Nothing is persisted."""

    def __init__(self) -> None:
        self._states: dict[UUID, Any] = {}
        self._events: list[Event] = []
        self.clock: datetime | None = None

    def state(self, stream_id: UUID) -> Any:
        """A stream's state, or None when the history has no such stream yet."""
        return self._states.get(stream_id)

    def now(self) -> datetime:
        """The ``recorded_at`` of the decision being checked."""
        assert self.clock is not None
        return self.clock

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The stream's state so far (the decider's initial one for a stream not yet seen, or
        for an id that names a stream of another kind, as a store would fold it)."""
        state = self._states.get(stream_id)
        if state is None or type(state) is not type(decider.initial):
            return decider.initial
        loaded: S = state
        return loaded

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """Every load is of the states so far: nothing is assumed."""
        return nullcontext(False)

    def append(self, events: Sequence[Event], decider: Decider[S], state: S) -> None:
        """Take the state a decision leads to."""
        self._states[events[0].stream_id] = state
        self._events.extend(events)
        self.last: tuple[int, Decider[Any]] = (len(events), decider)

    def retake(self, before: Any, events: Sequence[Event]) -> Any:
        """Take these events instead of those the last decision recorded; the state they lead
        to from ``before`` (None: the stream's initial state)."""
        count, decider = self.last
        del self._events[-count:]
        state = decider.fold(events, before)
        self._states[events[0].stream_id] = state
        self._events.extend(events)
        return state

    def append_once(
        self, events: Sequence[Event], decider: Decider[S], state: S, receipt: Receipt
    ) -> None:
        """As :meth:`append`: a replay sends no idempotency keys."""
        self.append(events, decider, state)

    def receipt(self, key: str) -> Receipt | None:
        """No receipts: a replay sends no idempotency keys."""
        return None

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events so far."""
        return [
            e
            for e in self._events
            if e.stream_id == stream_id
            and e.version > after
            and (upto is None or e.version <= upto)
        ]

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """The events so far, numbered from 1."""
        end = None if limit is None else after + limit
        for position, event in enumerate(self._events[after:end], start=after + 1):
            yield Recorded(position, event)

    def last_position(self) -> int:
        """How many events the replay has taken."""
        return len(self._events)

    def close(self) -> None:
        """Nothing to release."""


# -- the command an event came from ------------------------------------------------------------


def _rebuild(events: Sequence[Event], states: _Replaying) -> Command:
    """The command that would have recorded these events, validated as the API validates it."""
    first = events[0]
    cls, fields = _command_fields(first, events[1:], states)
    fields = {"actor": first.actor, "occurred_at": first.occurred_at, **fields}
    try:
        return cls.model_validate(fields)
    except ValidationError as error:
        raise invalid_command(cls.__name__, error) from None


def _alignment(alignment: goal_ev.Alignment | None) -> dict[str, Any]:
    if alignment is None:
        return {}
    return {"theme_id": alignment.theme_id, "parent_goal_id": alignment.parent_id}


def _key_result(event: goal_ev.KeyResultAdded) -> dict[str, Any]:
    return {
        "kr_id": event.kr_id,
        "name": event.kr_name,
        "unit": event.unit,
        "baseline": event.baseline,
        "target": event.target,
        "stretch": event.stretch,
        "direction": event.direction,
        "milestone": event.milestone,
        "weight": event.weight,
    }


def _action(event: goal_ev.ActionPlanned) -> dict[str, Any]:
    return {
        "action_id": event.action_id,
        "task": event.task,
        "owner_id": event.owner_id,
        "due_on": event.due_on,
    }


def _commitment(event: coaching_ev.CommitmentMade) -> dict[str, Any]:
    return {"commitment_id": event.commitment_id, "action": event.action, "due_on": event.due_on}


def _person_of(state: Any, what: str) -> str:
    person_id: str | None = state.person_id
    if person_id is None:
        raise NotFound(f"no {what} to resolve this in")
    return person_id


Fields = tuple[type[Command], dict[str, Any]]


@singledispatch
def _command_fields(event: Event, rest: Sequence[Event], states: _Replaying) -> Fields:
    raise InvalidInput(f"no command records {type(event).name}")


def _register(
    kind: type[Event], build: Callable[[Any, Sequence[Event], _Replaying], Fields]
) -> None:
    _command_fields.register(kind)(build)


# Organization and strategy: one event, one command, fields named alike.
_PLAIN: Mapping[type[Event], tuple[type[Command], Mapping[str, str]]] = {
    org_ev.UnitFounded: (
        org_cmd.FoundUnit,
        {"unit_id": "unit_id", "name": "unit_name", "parent_id": "parent_id", "lead_id": "lead_id"},
    ),
    org_ev.UnitLeadAppointed: (
        org_cmd.AppointUnitLead,
        {"unit_id": "unit_id", "lead_id": "lead_id"},
    ),
    org_ev.PersonJoined: (
        org_cmd.AddPerson,
        {
            "person_id": "person_id",
            "name": "person_name",
            "unit_id": "unit_id",
            "manager_id": "manager_id",
            "roles": "roles",
        },
    ),
    org_ev.PersonMoved: (
        org_cmd.MovePerson,
        {"person_id": "person_id", "unit_id": "unit_id", "manager_id": "manager_id"},
    ),
    org_ev.PersonLeft: (org_cmd.RemovePerson, {"person_id": "person_id", "reason": "reason"}),
    org_ev.PersonErased: (org_cmd.ErasePerson, {"person_id": "person_id"}),
    org_ev.RolesChanged: (org_cmd.SetRoles, {"person_id": "person_id", "roles": "roles"}),
    org_ev.CoachAuthorised: (
        org_cmd.AuthoriseCoach,
        {"coach_id": "coach_id", "person_id": "person_id"},
    ),
    org_ev.CoachDeauthorised: (
        org_cmd.DeauthoriseCoach,
        {"coach_id": "coach_id", "person_id": "person_id"},
    ),
    strategy_ev.StrategyDefined: (strategy_cmd.DefineStrategy, {"vision": "vision"}),
    strategy_ev.ThemeAdded: (
        strategy_cmd.AddTheme,
        {"theme_id": "theme_id", "title": "title", "perspective": "perspective"},
    ),
    strategy_ev.ThemeRetired: (
        strategy_cmd.RetireTheme,
        {"theme_id": "theme_id", "reason": "reason"},
    ),
    goal_ev.ActionDone: (goal_cmd.CompleteAction, {"action_id": "action_id"}),
    goal_ev.ActionDropped: (goal_cmd.DropAction, {"action_id": "action_id", "reason": "reason"}),
    goal_ev.GoalCompleted: (goal_cmd.CompleteGoal, {}),
    goal_ev.GoalDropped: (goal_cmd.DropGoal, {"reason": "reason"}),
    goal_ev.GoalReviewed: (
        goal_cmd.ReviewGoal,
        {"worked": "worked", "did_not_work": "did_not_work", "lessons": "lessons"},
    ),
    goal_ev.ProgressLogged: (
        goal_cmd.LogProgress,
        {
            "kr_id": "kr_id",
            "value": "value",
            "confidence": "confidence",
            "comment": "comment",
            "source": "source",
        },
    ),
    goal_ev.TargetAdjusted: (
        goal_cmd.AdjustTarget,
        {"kr_id": "kr_id", "target": "new_target", "stretch": "new_stretch", "reason": "reason"},
    ),
    goal_ev.GoalWeighted: (goal_cmd.WeightGoal, {"weight": "new_weight"}),
}
"""Events whose command takes their fields under these names (goal commands also take the
stream id as ``goal_id``)."""


def _plain(event: Event, rest: Sequence[Event], states: _Replaying) -> Fields:
    cls, names = _PLAIN[type(event)]
    fields = {field: getattr(event, attribute) for field, attribute in names.items()}
    if "goal_id" in cls.model_fields:
        fields["goal_id"] = event.stream_id
    return cls, fields


for _kind in _PLAIN:
    _register(_kind, _plain)


@_command_fields.register
def _(event: cycle_ev.CycleOpened, rest: Sequence[Event], states: _Replaying) -> Fields:
    policies = [e.policy for e in rest if isinstance(e, cycle_ev.PolicyAdopted)]
    return OpenCycle, {
        "cycle_id": event.stream_id,
        "name": event.cycle_name,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "cadence_days": event.cadence_days,
        "policy": attrs.asdict(policies[0]) if policies else None,
    }


@_command_fields.register
def _(event: cycle_ev.PolicyAdopted, rest: Sequence[Event], states: _Replaying) -> Fields:
    return AdoptPolicy, {"cycle_id": event.stream_id, "policy": attrs.asdict(event.policy)}


@_command_fields.register
def _(event: cycle_ev.CycleClosed, rest: Sequence[Event], states: _Replaying) -> Fields:
    return CloseCycle, {"cycle_id": event.stream_id}


@_command_fields.register
def _(event: goal_ev.GoalSet, rest: Sequence[Event], states: _Replaying) -> Fields:
    return goal_cmd.SetGoal, {
        "goal_id": event.stream_id,
        "cycle_id": event.cycle_id,
        "title": event.title,
        "kind": event.kind,
        "owner": {"kind": event.owner.kind, "id": event.owner.id},
        **_alignment(event.aligned_to),
        "weight": event.weight,
        "key_results": [_key_result(e) for e in rest if isinstance(e, goal_ev.KeyResultAdded)],
        "actions": [_action(e) for e in rest if isinstance(e, goal_ev.ActionPlanned)],
    }


@_command_fields.register
def _(event: goal_ev.KeyResultAdded, rest: Sequence[Event], states: _Replaying) -> Fields:
    return goal_cmd.AddKeyResult, {"goal_id": event.stream_id, "key_result": _key_result(event)}


@_command_fields.register
def _(event: goal_ev.ActionPlanned, rest: Sequence[Event], states: _Replaying) -> Fields:
    return goal_cmd.PlanAction, {"goal_id": event.stream_id, "action": _action(event)}


@_command_fields.register
def _(event: goal_ev.GoalRealigned, rest: Sequence[Event], states: _Replaying) -> Fields:
    return goal_cmd.RealignGoal, {
        "goal_id": event.stream_id,
        **_alignment(event.new_alignment),
        "reason": event.reason,
    }


@_command_fields.register
def _(event: goal_ev.GoalReassigned, rest: Sequence[Event], states: _Replaying) -> Fields:
    return goal_cmd.ReassignGoal, {
        "goal_id": event.stream_id,
        "owner": {"kind": event.new_owner.kind, "id": event.new_owner.id},
        "reason": event.reason,
    }


@_command_fields.register
def _(event: coaching_ev.CoachingGiven, rest: Sequence[Event], states: _Replaying) -> Fields:
    return GiveCoaching, {
        "person_id": event.person_id,
        "goal_id": event.goal_id,
        "kind": event.kind,
        "note": event.note,
        "commitments": [_commitment(e) for e in rest if isinstance(e, coaching_ev.CommitmentMade)],
    }


@_command_fields.register
def _(event: coaching_ev.CommitmentMade, rest: Sequence[Event], states: _Replaying) -> Fields:
    return MakeCommitment, {
        "person_id": event.person_id,
        "commitment": _commitment(event),
        "goal_id": event.goal_id,
    }


@_command_fields.register
def _(event: coaching_ev.CommitmentKept, rest: Sequence[Event], states: _Replaying) -> Fields:
    journal = states.state(event.stream_id)
    return KeepCommitment, {
        "person_id": _person_of(journal, "coaching journal"),
        "commitment_id": event.commitment_id,
    }


@_command_fields.register
def _(event: coaching_ev.CommitmentMissed, rest: Sequence[Event], states: _Replaying) -> Fields:
    journal = states.state(event.stream_id)
    return MissCommitment, {
        "person_id": _person_of(journal, "coaching journal"),
        "commitment_id": event.commitment_id,
        "note": event.note,
    }


@_command_fields.register
def _(event: appraisal_ev.AppraisalRecorded, rest: Sequence[Event], states: _Replaying) -> Fields:
    return RecordAppraisal, {
        "cycle_id": event.cycle_id,
        "person_id": event.person_id,
        "rating": event.rating,
        "summary": event.summary,
    }


@_command_fields.register
def _(event: appraisal_ev.RatingCalibrated, rest: Sequence[Event], states: _Replaying) -> Fields:
    appraisal = states.state(event.stream_id)
    return CalibrateRating, {
        "cycle_id": appraisal.cycle_id,
        "person_id": _person_of(appraisal, "appraisal"),
        "rating": event.to_rating,
        "reason": event.reason,
    }


# -- deciding again ----------------------------------------------------------------------------


class Admission:
    """A history checked one decision at a time against the domain's own decisions."""

    def __init__(self, *, access: AccessPolicy | None = None) -> None:
        self._states = _Replaying()
        # The replay serves every port method the facade calls while deciding (load, now,
        # reading, append, receipt, read); it keeps no chain and takes no import, so it is
        # not a whole EventStore and says so here rather than with stubs.
        # A fact is taken as it was recorded: its date ahead of its recorded_at was the recording
        # facade's tolerance to judge, not the check's.
        self._execution = Execution(
            cast(EventStore, self._states), access=access, future_tolerance=None
        )
        self._recorded_at: datetime | None = None

    def admit(self, events: Sequence[Event]) -> None:
        """Check the events one decision recorded (see :func:`command_events`) and take them.

        Raises the :class:`ExecutionError` the API would raise for their command, or
        :class:`Inadmissible` when the command records other events than these.
        """
        first = events[0]
        if self._recorded_at is not None and first.recorded_at < self._recorded_at:
            raise RuleViolated(
                f"recorded_at {first.recorded_at.isoformat()} is earlier than the "
                f"{self._recorded_at.isoformat()} before it: recorded time never goes back"
            )
        command = _rebuild(events, self._states)
        self._states.clock = first.recorded_at
        before = self._states.state(first.stream_id)
        outcome = self._execution.execute(command)
        held, decided = tuple(events), outcome.events
        problem = _difference(held, decided, type(command).__name__)
        if problem is not None and not self._older(before, held, decided, outcome.state):
            raise Inadmissible(problem[1], offset=problem[0])
        self._recorded_at = first.recorded_at

    def _older(
        self, before: Any, held: tuple[Event, ...], decided: tuple[Event, ...], state: Any
    ) -> bool:
        """Whether the file holds the decision as an older library recorded it: the first
        events only, leaving out some that change nothing but the version (a cycle opened
        before each opening recorded its default policy). Then the file's events are taken."""
        if len(held) >= len(decided) or held != decided[: len(held)]:
            return False
        mine = self._states.retake(before, held)
        return bool(attrs.evolve(state, version=mine.version) == mine)


def _difference(
    held: tuple[Event, ...], decided: tuple[Event, ...], command: str
) -> tuple[int, str] | None:
    """Where and how the events held differ from those the command records (None: alike)."""
    for index, (mine, theirs) in enumerate(zip(held, decided, strict=False)):
        if mine == theirs:
            continue
        if type(mine) is not type(theirs):
            return index, f"{command} records {type(theirs).name} here, not {type(mine).name}"
        fields = [
            f"{a.name} {getattr(mine, a.name)!r} where {command} records "
            f"{getattr(theirs, a.name)!r}"
            for a in attrs.fields(type(mine))
            if getattr(mine, a.name) != getattr(theirs, a.name)
        ]
        return index, f"{type(mine).name} has " + "; ".join(fields)
    if len(decided) > len(held):
        names = ", ".join(type(e).name for e in decided[len(held) :])
        return len(held) - 1, f"{command} records {names} with it, which the file lacks"
    return None


def first_refusal(events: Sequence[Event], *, access: AccessPolicy | None = None) -> Refusal | None:
    """The first event of a history (in recorded order) that the domain would not have
    recorded there, and why; None when the whole history is admissible."""
    admission = Admission(access=access)
    for start, decision in command_events(events):
        try:
            admission.admit(decision)
        except ExecutionError as error:
            offset = error.offset if isinstance(error, Inadmissible) else 0
            refused = type(decision[offset]).name
            return Refusal(start + offset, f"{refused} is refused: {error}")
    return None
