"""A stream's behaviour as data (Chassaing's decider), and the helpers every decider shares.

A :class:`Decider` is one kind of stream: ``decide(state, command, context, facts) -> events``
and ``evolve(state, event) -> state`` (both pure) from ``initial``, the commands it decides and
the events it records, which stream a command writes (``stream_id``), which other streams its
ids name (``reads``, the read set a store may guard) and what else a decision reads (``facts``,
through any :class:`Reader`). The registry (:mod:`execution_core.streams`) lists them; the
facade, the store, the codec, the chain verifier and the ledger all take what they need from it.
The context carries what every decision may read (the organization, the access policy) and the
store's clock reading for ``recorded_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, NoReturn, Protocol, TypeVar
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, DefaultAccessPolicy, Owner, Permission
from execution_core.clock import require_utc
from execution_core.command import Command
from execution_core.errors import InvalidInput, NotFound, NotPermitted, RuleViolated
from execution_core.event import Event
from execution_core.organization.state import Organization

__all__ = [
    "Context",
    "Decider",
    "Reader",
    "Stamper",
    "authorise",
    "members",
    "refuse",
    "require_owner",
    "require_person",
]

S = TypeVar("S")
E = TypeVar("E", bound=Event)


class Reader(Protocol):
    """What a decision's facts are read through: the current state of a stream (a store, or a
    fake one in specs)."""

    def load(self, stream_id: UUID, decider: Decider[S]) -> S:
        """The current state of one stream of the decider's kind."""
        ...


def _no_decisions(state: Any, command: Command, context: Context, facts: Any) -> tuple[Event, ...]:
    raise InvalidInput(f"{type(command).__name__} is not decided by this stream")


def _no_stream(command: Command) -> UUID:
    raise InvalidInput(f"{type(command).__name__} names no stream of this kind")


def _reads_nothing(command: Command) -> tuple[UUID, ...]:
    return ()


def _no_facts(command: Command, state: Any, reader: Reader) -> None:
    return None


def _same_ids(command: Command, new_id: Callable[[], UUID]) -> Command:
    return command


@attrs.frozen
class Decider(Generic[S]):
    """One kind of stream, as data: its state, its rules, and what its decisions read.

    Only ``stream``, ``initial`` and ``evolve`` are needed to fold; a stream that takes
    commands also gives ``decide``, ``commands``, ``stream_id`` and, when its decisions read
    other streams, ``reads`` and ``facts``.
    """

    stream: str
    """The kind's stable name: the prefix of its events' names and a receipt's ``stream``."""
    initial: S
    evolve: Callable[[S, Event], S]
    decide: Callable[[S, Any, Context, Any], tuple[Event, ...]] = attrs.field(
        default=_no_decisions, kw_only=True
    )
    """Pure: what a command records on the state (given the facts), or a typed refusal."""
    commands: tuple[type[Command], ...] = attrs.field(default=(), kw_only=True)
    events: tuple[type[Event], ...] = attrs.field(default=(), kw_only=True)
    stream_id: Callable[[Any], UUID] = attrs.field(default=_no_stream, kw_only=True)
    """Which stream of this kind a command writes, from its ids."""
    reads: Callable[[Any], tuple[UUID, ...]] = attrs.field(default=_reads_nothing, kw_only=True)
    """The other streams a command's ids name that its decision reads (the organization is
    always read): what a store may keep cached and check at the write."""
    facts: Callable[[Any, S, Reader], Any] = attrs.field(default=_no_facts, kw_only=True)
    """What else a decision reads, loaded through the reader (None when nothing)."""
    assign_ids: Callable[[Any, Callable[[], UUID]], Any] = attrs.field(
        default=_same_ids, kw_only=True
    )
    """A command that opens a new stream gets its id here when the caller left it out."""
    state_version: int = attrs.field(default=1, kw_only=True)
    """Bumped when the state class changes meaning, so stored snapshots of it are not read."""

    def fold(self, events: Iterable[Event], state: S | None = None) -> S:
        """Replay events onto a state (the initial one by default)."""
        current = self.initial if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current

    def run(
        self, command: Command, context: Context, reader: Reader
    ) -> tuple[UUID, S, tuple[Event, ...]]:
        """Decide one command against the states the reader holds: the stream it writes, the
        state it was decided on, and the events it records (nothing is stored)."""
        stream_id = self.stream_id(command)
        state, events = self.decide_on(stream_id, command, context, reader)
        return stream_id, state, events

    def decide_on(
        self, stream_id: UUID, command: Command, context: Context, reader: Reader
    ) -> tuple[S, tuple[Event, ...]]:
        """:meth:`run` for a caller that knows the command's stream already (the facade reads
        it once, for the read set too): the state decided on and the events recorded."""
        state = reader.load(stream_id, self)
        facts = self.facts(command, state, reader)
        return state, self.decide(state, command, context, facts)


@attrs.frozen(kw_only=True)
class Context:
    """What a decision may read besides its own stream; ``now`` is the store's clock reading."""

    now: datetime = attrs.field(validator=require_utc)
    org: Organization = attrs.Factory(Organization)
    access: AccessPolicy = attrs.Factory(DefaultAccessPolicy)


class Stamper:
    """Numbers, attributes and dates the events that one command records on one stream."""

    __slots__ = ("_actor", "_now", "_occurred_at", "_stream_id", "_version", "events")

    def __init__(self, stream_id: UUID, version: int, command: Command, now: datetime) -> None:
        self._stream_id = stream_id
        self._version = version
        self._actor = command.actor
        self._occurred_at = command.occurred_at
        self._now = now
        self.events: list[Event] = []

    def __call__(self, cls: type[E], **payload: Any) -> E:
        """Record one more event of type ``cls`` with the given payload."""
        self._version += 1
        event = cls(
            stream_id=self._stream_id,
            version=self._version,
            actor=self._actor,
            occurred_at=self._occurred_at,
            recorded_at=self._now,
            **payload,
        )
        self.events.append(event)
        return event

    def done(self) -> tuple[Event, ...]:
        """The events stamped, in order."""
        return tuple(self.events)


def refuse(message: str, *, rule: str | None = None) -> NoReturn:
    """Refuse a command that breaks a rule (named by ``rule``, a short stable phrase an app can
    match, such as ``"cycle closed"``)."""
    raise RuleViolated(message, rule=rule)


def authorise(
    context: Context, actor: str, permission: Permission, subject: Owner | None = None
) -> None:
    """Ask the access policy; a refusal is a typed error and nothing is recorded."""
    if not context.access.permits(actor, permission, subject, context.org):
        raise NotPermitted.refusing(actor, permission.value, subject)


def require_person(org: Organization, person_id: str, *, active: bool = True) -> None:
    """The person must exist (and, by default, not have left)."""
    person = org.person(person_id)
    if person is None:
        raise NotFound(f"unknown person {person_id!r}", kind="person", id=person_id)
    if active and not person.active:
        refuse(f"person {person_id!r} has left the organization", rule="person left")


def require_owner(org: Organization, owner: Owner) -> None:
    """A goal owner must be an active person or an existing unit."""
    if owner.kind == "person":
        require_person(org, owner.id)
    elif owner.id not in org.units:
        raise NotFound(f"unknown unit {owner.id!r}", kind="unit", id=owner.id)


T = TypeVar("T")


def members(module: Any, kind: type[T]) -> tuple[type[T], ...]:
    """The classes of a stream's ``events`` or ``commands`` module (its ``__all__``, in
    order) that are ``kind``: what a stream declares without listing them twice."""
    return tuple(
        obj
        for name in module.__all__
        if isinstance(obj := getattr(module, name), type) and issubclass(obj, kind)
    )
