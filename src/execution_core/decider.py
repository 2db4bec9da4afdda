"""A stream's behaviour as data (Chassaing's decider), and the helpers every decider shares.

``decide(state, command, context) -> events`` and ``evolve(state, event) -> state`` are pure;
``fold`` replays events. The context carries what a decision may read beyond its own stream
(the organization, the access policy) and the store's clock reading for ``recorded_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, NoReturn, TypeVar
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, DefaultAccessPolicy, Owner, Permission
from execution_core.clock import require_utc
from execution_core.command import Command
from execution_core.errors import NotFound, NotPermitted, RuleViolated
from execution_core.event import Event
from execution_core.organization.state import Organization

__all__ = [
    "Context",
    "Decider",
    "Stamper",
    "authorise",
    "refuse",
    "require_owner",
    "require_person",
]

S = TypeVar("S")
E = TypeVar("E", bound=Event)


@attrs.frozen
class Decider(Generic[S]):
    """One stream type: its initial state and how an event moves it on."""

    stream: str
    initial: S
    evolve: Callable[[S, Event], S]

    def fold(self, events: Iterable[Event], state: S | None = None) -> S:
        """Replay events onto a state (the initial one by default)."""
        current = self.initial if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current


@attrs.frozen(kw_only=True)
class Context:
    """What a decision may read besides its own stream; ``now`` is the store's clock reading."""

    now: datetime = attrs.field(validator=require_utc)
    org: Organization = attrs.Factory(Organization)
    access: AccessPolicy = attrs.Factory(DefaultAccessPolicy)


class Stamper:
    """Numbers, attributes and dates the events that one command records on one stream."""

    def __init__(self, stream_id: UUID, version: int, command: Command, now: datetime) -> None:
        self._stream_id = stream_id
        self._version = version
        self._command = command
        self._now = now
        self.events: list[Event] = []

    def __call__(self, cls: type[E], **payload: Any) -> E:
        """Record one more event of type ``cls`` with the given payload."""
        self._version += 1
        event = cls(
            stream_id=self._stream_id,
            version=self._version,
            actor=self._command.actor,
            occurred_at=self._command.occurred_at,
            recorded_at=self._now,
            **payload,
        )
        self.events.append(event)
        return event

    def done(self) -> tuple[Event, ...]:
        """The events stamped, in order."""
        return tuple(self.events)


def refuse(message: str) -> NoReturn:
    """Refuse a command that breaks a rule."""
    raise RuleViolated(message)


def authorise(
    context: Context, actor: str, permission: Permission, subject: Owner | None = None
) -> None:
    """Ask the access policy; a refusal is a typed error and nothing is recorded."""
    if not context.access.permits(actor, permission, subject, context.org):
        whom = f" for {subject}" if subject is not None else ""
        raise NotPermitted(f"{actor} may not {permission.value}{whom}")


def require_person(org: Organization, person_id: str, *, active: bool = True) -> None:
    """The person must exist (and, by default, not have left)."""
    person = org.person(person_id)
    if person is None:
        raise NotFound(f"unknown person {person_id!r}")
    if active and not person.active:
        refuse(f"person {person_id!r} has left the organization")


def require_owner(org: Organization, owner: Owner) -> None:
    """A goal owner must be an active person or an existing unit."""
    if owner.kind == "person":
        require_person(org, owner.id)
    elif owner.id not in org.units:
        raise NotFound(f"unknown unit {owner.id!r}")
