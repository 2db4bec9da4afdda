"""The base of every event, and the registry that gives each event type a stable stored name.

The stored form of an event is a contract: a stored event is found again by its *name* and
*schema version*, never by its Python module or class name, so classes can move freely.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import attrs

from execution_core.clock import require_utc

__all__ = [
    "EVENT_TYPES",
    "Event",
    "EventType",
    "Upcaster",
    "event_type",
    "event_type_of",
    "register_upcaster",
    "upcast",
]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the stored payload of schema version N into that of version N + 1."""


def _non_empty(_instance: Any, attribute: Any, value: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def _positive(_instance: Any, attribute: Any, value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be >= 1, got {value}")


@attrs.frozen(kw_only=True)
class Event:
    """An immutable fact about one stream, with the two clocks that make history bitemporal.

    ``occurred_at`` is business time (what the fact is about, given by the caller, may be
    backdated); ``recorded_at`` is when the store accepted it (from the store's clock).
    """

    stream_id: UUID
    version: int = attrs.field(validator=_positive)
    actor: str = attrs.field(validator=_non_empty)
    occurred_at: datetime = attrs.field(validator=require_utc)
    recorded_at: datetime = attrs.field(validator=require_utc)

    name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1


@attrs.frozen
class EventType:
    """How one event class is stored: its stable name and its current schema version."""

    name: str
    schema_version: int
    cls: type[Event]


EVENT_TYPES: dict[str, EventType] = {}
"""Every event type by stable name; the adapters store and restore events through it."""

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}

E = TypeVar("E", bound=type[Event])


def event_type(name: str, *, version: int = 1) -> Callable[[E], E]:
    """Give an event class its stable stored name and schema version, and register it."""

    def register(cls: E) -> E:
        if name in EVENT_TYPES and EVENT_TYPES[name].cls is not cls:
            raise ValueError(f"event name {name!r} is already taken by {EVENT_TYPES[name].cls}")
        cls.name = name
        cls.schema_version = version
        EVENT_TYPES[name] = EventType(name=name, schema_version=version, cls=cls)
        return cls

    return register


def event_type_of(event: Event) -> EventType:
    """The registered stored type of an event instance."""
    return EVENT_TYPES[type(event).name]


def register_upcaster(name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Declare how a stored payload of ``name`` moves from ``from_version`` to the next."""

    def register(func: Upcaster) -> Upcaster:
        _UPCASTERS[(name, from_version)] = func
        return func

    return register


def upcast(name: str, stored_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored payload up to the current schema version of its event type."""
    current = EVENT_TYPES[name].schema_version
    if stored_version > current:
        raise ValueError(
            f"{name} was stored at schema version {stored_version}, newer than this "
            f"library's {current}: upgrade execution-core to read it"
        )
    version = stored_version
    while version < current:
        try:
            step = _UPCASTERS[(name, version)]
        except KeyError:
            raise ValueError(f"no upcaster for {name} from version {version}") from None
        payload = step(payload)
        version += 1
    return payload
