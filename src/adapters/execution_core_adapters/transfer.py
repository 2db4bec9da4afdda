"""Export and import of the history as JSON Lines: one event a line, canonical, byte-stable.

A line is the canonical JSON (sorted keys, no spaces, UTF-8) of::

    {"name": stored name, "payload": the event's own fields, "schema_version": n,
     "stream_id": "uuid", "version": n}

followed by ``\\n``, in the order the store recorded the events. Events are written at the
current schema version of their type (older stored versions are upcast on the way out), so
export -> import -> export gives the same bytes.

**Scope.** The whole history, or one cycle: the organization and strategy streams (always, so
an import is self-contained), the cycle's stream, every goal set in that cycle, every appraisal
of that cycle, and the whole coaching journal of every person coached about one of those goals
or coached on a date within the cycle. Streams are never cut: a journal also brings its coaching
from other cycles, so that it replays from version 1, and with it the goals (of any cycle) it
speaks of, the goals those cascade from and their cycles, so that the file replays by the
domain's rules (see **Import**).

**Import** goes into an empty store only, and is all or nothing: every line is validated first
(the envelope with pydantic; the payload through the codec and its upcasters; each stream
replayed with its decider's ``evolve``, versions 1, 2, 3... without gap, opened by its opening
event, at the stream id the domain derives), then the history is held to the rules of the API
(:mod:`execution_core.admission`: each decision's command rebuilt and decided again on the
states before it, recorded time never going back), then every event is inserted in one
transaction. A broken file is refused as a whole with :class:`ImportRefused`, naming the line
and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import IO, Any
from uuid import UUID

import attrs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from execution_core.access import AccessPolicy
from execution_core.admission import first_refusal
from execution_core.appraisals.events import AppraisalRecorded
from execution_core.decider import Decider
from execution_core.errors import ConcurrentChange, InvalidInput, NotFound, Problem
from execution_core.event import EVENT_TYPES, Event
from execution_core.goals.events import GoalSet
from execution_core.ids import (
    ORGANIZATION_ID,
    STRATEGY_ID,
    appraisal_stream_id,
    coaching_stream_id,
)
from execution_core.ports import EventStore, FinalState
from execution_core.streams import CYCLE, decider_of_event
from execution_core_adapters.storage.codec import (
    CodecError,
    dumps,
    event_from_payload,
    event_payload,
)
from execution_core_adapters.storage.payload_schema import payload_schema

__all__ = [
    "Envelope",
    "ImportRefused",
    "ImportReport",
    "LineProblem",
    "cycle_streams",
    "event_line",
    "export_line_schema",
    "export_lines",
    "import_lines",
    "validate_lines",
    "write_export",
]

MAX_PROBLEMS = 20
"""Validation stops after this many problems (the first one is what matters)."""

_OPENING = {
    "cycle": "cycle.CycleOpened",
    "goal": "goal.GoalSet",
    "appraisal": "appraisal.AppraisalRecorded",
}
"""The event that opens a stream of a kind, and may only open it."""

_FIXED = {"organization": ORGANIZATION_ID, "strategy": STRATEGY_ID}


# -- the line ----------------------------------------------------------------------------------


class Envelope(BaseModel):
    """One line of an export, as parsed before its payload is decoded."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str
    schema_version: int = Field(ge=1)
    stream_id: UUID
    version: int = Field(ge=1)
    payload: dict[str, Any]

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in EVENT_TYPES:
            raise ValueError(f"unknown event type {value!r}")
        return value

    @field_validator("payload")
    @classmethod
    def _own_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        clash = sorted({"schema_version", "stream_id", "version"} & value.keys())
        if clash:
            raise ValueError(f"the payload repeats envelope fields {clash}")
        return value

    def event(self) -> Event:
        """The event, upcast to its type's current schema version and validated."""
        payload = {**self.payload, "schema_version": self.schema_version}
        return event_from_payload(self.name, self.stream_id, self.version, payload)


def event_line(event: Event) -> bytes:
    """The canonical export line of an event (with its newline)."""
    return (
        dumps(
            {
                "name": type(event).name,
                "payload": event_payload(event),
                "schema_version": type(event).schema_version,
                "stream_id": str(event.stream_id),
                "version": event.version,
            }
        )
        + b"\n"
    )


# -- export ------------------------------------------------------------------------------------


def cycle_streams(store: EventStore, cycle_id: UUID, *, upto: int | None = None) -> set[UUID]:
    """The streams a cycle export holds (see the module's "Scope"), as of position ``upto``."""
    cycle_events: list[Event] = []
    goals: set[UUID] = set()
    appraisals: set[UUID] = set()
    about: dict[UUID, set[UUID]] = {}
    coached_on: dict[UUID, list[datetime]] = {}
    cycle_of: dict[UUID, UUID] = {}
    parents: dict[UUID, set[UUID]] = {}
    for recorded in store.read_all():
        if upto is not None and recorded.position > upto:
            break
        event = recorded.event
        kind = decider_of_event(type(event).name).stream
        if event.stream_id == cycle_id and kind == "cycle":
            cycle_events.append(event)
        elif isinstance(event, GoalSet):
            cycle_of[event.stream_id] = event.cycle_id
            if event.cycle_id == cycle_id:
                goals.add(event.stream_id)
        elif isinstance(event, AppraisalRecorded) and event.cycle_id == cycle_id:
            appraisals.add(event.stream_id)
        elif kind == "coaching":
            goal_id = getattr(event, "goal_id", None)
            if goal_id is not None:
                about.setdefault(event.stream_id, set()).add(goal_id)
            coached_on.setdefault(event.stream_id, []).append(event.occurred_at)
        alignment = getattr(event, "aligned_to", getattr(event, "new_alignment", None))
        if kind == "goal" and alignment is not None and alignment.parent_id is not None:
            parents.setdefault(event.stream_id, set()).add(alignment.parent_id)
    if not cycle_events:
        raise NotFound(f"no cycle {cycle_id} in the store")
    cycle = CYCLE.fold(cycle_events)
    journals = {
        journal
        for journal, dates in coached_on.items()
        if about.get(journal, set()) & goals or any(cycle.contains(at) for at in dates)
    }
    # What the kept streams refer to comes too, so that the file replays by the domain's rules:
    # goals of other cycles a journal speaks of, the goals they cascade from, and their cycles.
    needed = _with_ancestors(
        set(goals).union(*(about.get(journal, set()) for journal in journals)), parents
    )
    cycles = {cycle_of[goal] for goal in needed if goal in cycle_of}
    return {ORGANIZATION_ID, STRATEGY_ID, cycle_id} | needed | cycles | appraisals | journals


def _with_ancestors(goals: set[UUID], parents: dict[UUID, set[UUID]]) -> set[UUID]:
    """These goals and every goal any of them was ever aligned to, up their cascades."""
    needed = set(goals)
    pending = list(needed)
    while pending:
        for parent in parents.get(pending.pop(), set()) - needed:
            needed.add(parent)
            pending.append(parent)
    return needed


def export_lines(store: EventStore, *, cycle_id: UUID | None = None) -> Iterator[bytes]:
    """The history (or one cycle's part of it) as export lines, in recorded order.

    Events recorded while the export runs are left out: it stops at the position it started at.
    """
    upto = store.last_position()
    included = None if cycle_id is None else cycle_streams(store, cycle_id, upto=upto)
    for recorded in store.read_all():
        if recorded.position > upto:
            return
        if included is None or recorded.event.stream_id in included:
            yield event_line(recorded.event)


def write_export(store: EventStore, out: IO[bytes], *, cycle_id: UUID | None = None) -> int:
    """Write the export to a binary file; return the number of events written."""
    count = 0
    for line in export_lines(store, cycle_id=cycle_id):
        out.write(line)
        count += 1
    return count


def export_line_schema() -> dict[str, object]:
    """The JSON schema of one export line as :func:`export_lines` writes it: the envelope,
    and the payload of each event type, told apart by ``name`` (a union discriminated by
    ``name``, at the type's current ``schema_version``; an import also takes older versions,
    which its upcasters bring up to date)."""
    from execution_core.catalog import JSON_SCHEMA_DIALECT

    defs: dict[str, object] = {}
    lines: dict[str, object] = {}
    for name, stored in sorted(EVENT_TYPES.items()):
        lines[name] = {
            "type": "object",
            "title": name,
            "description": (stored.cls.__doc__ or "").strip(),
            "properties": {
                "name": {"const": name, "type": "string"},
                "schema_version": {"const": stored.schema_version, "type": "integer"},
                "stream_id": {"type": "string", "format": "uuid"},
                "version": {"type": "integer", "minimum": 1},
                "payload": payload_schema(stored.cls, defs),
            },
            "required": ["name", "payload", "schema_version", "stream_id", "version"],
            "additionalProperties": False,
        }
    clash = sorted(lines.keys() & defs.keys())
    if clash:  # pragma: no cover - stored names are dotted, value types are not
        raise AssertionError(f"event names clash with value types: {clash}")
    mapping = {name: f"#/$defs/{name}" for name in lines}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "ExportLine",
        "description": "One line of `execution-core audit export`: one event, canonical JSON.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "name", "mapping": mapping},
        "$defs": {**defs, **lines},
    }


# -- import ------------------------------------------------------------------------------------


@attrs.frozen(init=False)
class LineProblem(Problem):
    """Why one line of an import file was refused (lines count from 1): a :class:`Problem`
    whose ``path`` is the line's number."""

    def __init__(self, line: int, reason: str) -> None:
        self.__attrs_init__((line,), reason, "line")

    @property
    def line(self) -> int:
        """The refused line's number."""
        number = self.path[0]
        assert isinstance(number, int)
        return number

    @property
    def reason(self) -> str:
        """Why it was refused."""
        return self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRefused(InvalidInput):
    """The file does not describe a history the domain could have produced; nothing was stored."""

    problems: tuple[LineProblem, ...]

    def __init__(self, problems: Sequence[LineProblem], *, more: bool = False) -> None:
        refused = tuple(problems)
        others = len(refused) - 1
        tail = f" (and {others}{'+' if more else ''} more)" if others or more else ""
        super().__init__(f"{refused[0]}{tail}; nothing was imported", problems=refused)

    @property
    def line(self) -> int:
        """The first refused line."""
        return self.problems[0].line

    @property
    def reason(self) -> str:
        """Why the first refused line was refused."""
        return self.problems[0].reason


@attrs.frozen
class ImportReport:
    """What an import stored."""

    events: int
    streams: int


@attrs.define
class _Stream:
    kind: str
    decider: Decider[Any]
    state: Any
    first_line: int
    broken: bool = False


class _Replay:
    """Every stream of the file replayed with its decider, line by line."""

    def __init__(self) -> None:
        self.streams: dict[UUID, _Stream] = {}
        self.cycle_refs: list[tuple[int, UUID]] = []

    def apply(self, number: int, event: Event) -> str | None:
        """Apply one event; the reason it cannot follow its stream's history, if it cannot."""
        name = type(event).name
        decider = decider_of_event(name)
        kind = decider.stream
        stream = self.streams.setdefault(
            event.stream_id, _Stream(kind, decider, decider.initial, number)
        )
        if stream.broken:
            return None  # its first problem is reported; the rest would only echo it
        reason = self._reason(stream, kind, name, event)
        if reason is None:
            try:
                stream.state = stream.decider.evolve(stream.state, event)
            except KeyError as error:
                reason = f"{name} refers to {error} which stream {event.stream_id} does not have"
            except (TypeError, ValueError, AttributeError) as error:
                reason = f"{name} cannot follow stream {event.stream_id}'s history: {error}"
        if reason is not None:
            stream.broken = True
        elif isinstance(event, GoalSet | AppraisalRecorded):
            self.cycle_refs.append((number, event.cycle_id))
        return reason

    @staticmethod
    def _reason(stream: _Stream, kind: str, name: str, event: Event) -> str | None:
        where = f"stream {event.stream_id}"
        if stream.kind != kind:
            return (
                f"a {kind} event in {where}, a {stream.kind} stream (from line {stream.first_line})"
            )
        current: int = stream.state.version
        if event.version <= current:
            return f"version {event.version} of {where} again (it is at version {current})"
        if event.version > current + 1:
            return f"version gap in {where}: expected version {current + 1}, got {event.version}"
        return _opening_problem(kind, name, event) or _identity_problem(kind, event)

    def set_aside(self, stream_id: UUID, number: int) -> None:
        """A line of this stream was refused: check no more of it (its problems would echo)."""
        stream = self.streams.setdefault(
            stream_id, _Stream("", Decider("", None, _no_evolve), None, number)
        )
        stream.broken = True

    def dangling(self) -> list[LineProblem]:
        """Goals and appraisals whose cycle is not in the file."""
        return [
            LineProblem(number, f"cycle {cycle_id} is not in the file")
            for number, cycle_id in self.cycle_refs
            if (cycle := self.streams.get(cycle_id)) is None or cycle.kind != "cycle"
        ]


def _no_evolve(state: Any, _event: Event) -> Any:
    return state


def _opening_problem(kind: str, name: str, event: Event) -> str | None:
    """Goals, cycles and appraisals open with their opening event, and only with it."""
    opening = _OPENING.get(kind)
    if opening is None or (event.version == 1) == (name == opening):
        return None
    if event.version == 1:
        return f"a {kind} stream starts with {opening}, not {name}"
    return f"{name} opens a {kind} stream; stream {event.stream_id} is already open"


def _identity_problem(kind: str, event: Event) -> str | None:
    """Streams whose id the domain fixes or derives must be at that id."""
    where = f"stream {event.stream_id}"
    if kind in _FIXED and event.stream_id != _FIXED[kind]:
        return f"{kind} events belong to stream {_FIXED[kind]}, not {event.stream_id}"
    person_id = getattr(event, "person_id", None)
    if (
        kind == "coaching"
        and person_id is not None
        and event.stream_id != coaching_stream_id(person_id)
    ):
        return f"{where} is not the coaching journal of {person_id!r}"
    if isinstance(event, AppraisalRecorded) and event.stream_id != appraisal_stream_id(
        event.cycle_id, event.person_id
    ):
        return f"{where} is not the appraisal of {event.person_id!r} in cycle {event.cycle_id}"
    return None


def _validate(
    lines: Iterable[bytes | str], access: AccessPolicy | None = None
) -> tuple[list[Event], _Replay]:
    replay = _Replay()
    events: list[Event] = []
    problems: list[LineProblem] = []
    for number, raw in enumerate(lines, start=1):
        if len(problems) >= MAX_PROBLEMS:
            raise ImportRefused(problems, more=True)
        if not raw.strip():
            problems.append(LineProblem(number, "empty line"))
            continue
        try:
            envelope = Envelope.model_validate_json(raw)
        except ValidationError as error:
            problems.append(LineProblem(number, _describe(error)))
            stream_id = _stream_id_of(raw)
            if stream_id is not None:
                replay.set_aside(stream_id, number)
            continue
        try:
            event = envelope.event()
        except CodecError as error:
            problems.append(LineProblem(number, str(error)))
            replay.set_aside(envelope.stream_id, number)
            continue
        reason = replay.apply(number, event)
        if reason is not None:
            problems.append(LineProblem(number, reason))
            continue
        events.append(event)
    problems.extend(replay.dangling())
    if problems:
        raise ImportRefused(sorted(problems, key=lambda problem: problem.line)[:MAX_PROBLEMS])
    refusal = first_refusal(events, access=access)
    if refusal is not None:
        # every line holds one event here, so the event at index i is on line i + 1
        raise ImportRefused([LineProblem(refusal.index + 1, refusal.reason)])
    return events, replay


def _stream_id_of(raw: bytes | str) -> UUID | None:
    """The stream id of a line refused for another reason, if it has a readable one."""
    try:
        data = json.loads(raw)
        return UUID(data["stream_id"]) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"])
        problems.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(problems)


def validate_lines(
    lines: Iterable[bytes | str], *, access: AccessPolicy | None = None
) -> list[Event]:
    """Every event of an export file, validated as an import would; :class:`ImportRefused`
    names the first bad line (and up to ``MAX_PROBLEMS`` more)."""
    return _validate(lines, access)[0]


def import_lines(
    store: EventStore,
    lines: Iterable[bytes | str],
    *,
    access: AccessPolicy | None = None,
) -> ImportReport:
    """Validate a whole export file, then store all of its events in one transaction.

    Only into an empty store (:class:`InvalidInput` otherwise); a broken file raises
    :class:`ImportRefused` and stores nothing. Each decision is checked by the domain under
    ``access`` (the default access policy when None), as the API would have checked its
    command. Long streams get a snapshot afterwards.
    """
    _require_empty(store)
    events, replay = _validate(lines, access)
    _require_empty(store)
    finals = [
        FinalState(stream_id, stream.decider, stream.state)
        for stream_id, stream in replay.streams.items()
    ]
    try:
        store.import_history(events, finals)
    except ConcurrentChange:
        raise InvalidInput(
            "another writer stored events during the import; nothing was imported"
        ) from None
    return ImportReport(events=len(events), streams=len(replay.streams))


def _require_empty(store: EventStore) -> None:
    if store.last_position():
        raise InvalidInput(
            f"the store already holds events (up to position {store.last_position()}): "
            "import only into an empty store"
        )
