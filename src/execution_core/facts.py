"""What every stream's ledger module is written with: the fact, the draft, the handler table.

The views' ledger (:mod:`execution_core.views.ledger`) keeps every fact of a store with both
clocks so a view can ask for any past state. What one event *means* to it is written beside the
event's stream, in ``<stream>/ledger.py``: the records the stream's facts become and one handler
per event type, gathered in a :class:`StreamLedger` that the registry
(:data:`execution_core.streams.LEDGERS`) names by stream. The handlers write into a
:class:`Draft`, a ledger being changed, which copies a table on first touch only. This module
names no stream and imports no view (the views import every stream's records through it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import attrs

from execution_core.event import Event
from execution_core.folding import slot_setters

__all__ = [
    "Draft",
    "Fact",
    "Handler",
    "StreamLedger",
    "in_order",
    "latest",
    "positional_maker",
    "stamp",
]

F = TypeVar("F", bound="Fact")
R = TypeVar("R", bound=attrs.AttrsInstance)
"""A record of the ledger: an attrs class (a :class:`Fact` or a table's entry)."""


@attrs.frozen(kw_only=True)
class Fact:
    """What every fact in the ledger carries: who, both clocks, and its place in the history."""

    actor: str
    occurred_at: datetime
    """Business time: what the fact is about (may be backdated)."""
    recorded_at: datetime
    """When the store accepted the fact."""
    seq: int
    """Position of the event in the ledger's recorded order (1 for the first event)."""

    def happened_by(self, at: datetime) -> bool:
        """Whether the fact had happened by business time ``at``."""
        return self.occurred_at <= at


def latest(facts: Iterable[F], at: datetime) -> F | None:
    """The last fact (by business time, then recorded order) that happened by ``at``."""
    best: F | None = None
    for fact in facts:
        occurred_at = fact.occurred_at
        if occurred_at <= at and (
            best is None
            or occurred_at > best.occurred_at
            or (occurred_at == best.occurred_at and fact.seq > best.seq)
        ):
            best = fact
    return best


def in_order(facts: Iterable[F], at: datetime) -> tuple[F, ...]:
    """The facts that happened by ``at``, in business-time order (then recorded order)."""
    return tuple(
        sorted((f for f in facts if f.occurred_at <= at), key=lambda f: (f.occurred_at, f.seq))
    )


def stamp(event: Event, seq: int) -> dict[str, Any]:
    """The :class:`Fact` fields of the fact an event becomes at position ``seq``."""
    return {
        "actor": event.actor,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "seq": seq,
    }


class Draft:
    """A ledger being changed, which the handlers write into.

    The base is the ledger before the change: a frozen attrs value whose ``position`` counts the
    events applied, whose other fields are its tables (mappings and tuples), and whose
    ``extensions`` mapping keeps the tables of streams it has no field for (an extension's, a
    test's). ``current[name]`` reads a table or value as it stands (nothing copied); a table is
    copied on first change (:meth:`table`), then changed in place; a value is replaced whole
    (:meth:`put`). ``work`` is the streams' scratch space for the length of the draft (the goals
    keep their waiting check-ins there), and each stream's ``settle`` writes what it left there
    before the draft is frozen.
    """

    def __init__(
        self,
        base: Any,
        handlers: Mapping[type[Event], Handler],
        settles: Sequence[Callable[[Draft], None]] = (),
    ) -> None:
        self.base = base
        self.position: int = base.position
        self.work: dict[str, Any] = {}
        self._handlers = handlers
        self._settles = settles
        self._fields = _field_names(type(base))
        self._standing = _Standing.of(base, self._fields)
        self.current: Mapping[str, Any] = self._standing
        """Every table or value as it stands, to read only (nothing is copied)."""
        self._tables: dict[str, Any] = {}
        self._values: dict[str, Any] = {}

    def table(self, name: str) -> Any:
        """A table to change in place: a dict (a list, for a tuple), copied on first touch."""
        table = self._tables.get(name)
        if table is None:
            known = self._values.pop(name) if name in self._values else self._standing[name]
            table = list(known) if isinstance(known, tuple) else dict(known)
            self._tables[name] = self._standing[name] = table
        return table

    def put(self, name: str, value: Any) -> None:
        """Replace a value whole (a state the stream's ``evolve`` returns)."""
        self._tables.pop(name, None)
        self._values[name] = self._standing[name] = value

    def apply(self, event: Event) -> None:
        """Fold the next event (in recorded order) through its stream's handler, if any."""
        self.position += 1
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, event, self.position)

    def freeze(self) -> Any:
        """The ledger after every event applied; the draft is discarded after this."""
        for settle in self._settles:
            settle(self)
        changes: dict[str, Any] = {"position": self.position}
        extensions: dict[str, Any] = {}
        for changed in (self._values, self._tables):
            for name, value in changed.items():
                frozen = tuple(value) if isinstance(value, list) else value
                if name in self._fields:
                    changes[name] = frozen
                else:
                    extensions[name] = frozen
        if extensions:
            changes["extensions"] = {**self.base.extensions, **extensions}
        # A frozen ledger shares its tables with no draft: the draft is discarded after this.
        return attrs.evolve(self.base, **changes)


class _Standing(dict[str, Any]):
    """A draft's tables and values as they stand: each read from the base ledger on first use
    (an extension's table is empty at first). It holds no reference back to its draft, so a
    draft is freed as soon as it is dropped."""

    __slots__ = ("base", "fields")
    base: Any
    fields: frozenset[str]

    @classmethod
    def of(cls, base: Any, fields: frozenset[str]) -> _Standing:
        """Nothing read yet (made without an ``__init__`` of its own: a draft per event)."""
        standing = cls()
        standing.base = base
        standing.fields = fields
        return standing

    def __missing__(self, name: str) -> Any:
        base = self.base
        value = getattr(base, name) if name in self.fields else base.extensions.get(name, {})
        self[name] = value
        return value


_FIELDS: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(attrs.fields_dict(cls))
    return names


Handler = Callable[[Draft, Any, int], None]
"""What one event means to the ledger: ``handler(draft, event, seq)`` writes it into the draft."""

H = TypeVar("H", bound=Handler)


class StreamLedger:
    """What one stream's facts mean to the ledger: a handler per event type, and what is
    written at the end of every fold (``settle``, for facts a handler left waiting)."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.handlers: dict[type[Event], Handler] = {}
        self.settle: Callable[[Draft], None] | None = None

    def handles(self, *types: type[Event]) -> Callable[[H], H]:
        """Register the decorated function as the handler of these event types."""

        def register(handler: H) -> H:
            for cls in types:
                if cls in self.handlers:
                    raise ValueError(f"{cls.__name__} has a ledger handler already")
                self.handlers[cls] = handler
            return handler

        return register

    def settles(self, settle: Callable[[Draft], None]) -> Callable[[Draft], None]:
        """Register the decorated function as what is written before every freeze."""
        self.settle = settle
        return settle


def positional_maker(cls: type[R]) -> Callable[..., R]:
    """A function building ``cls`` from its fields in order, slot by slot: the fold makes one
    fact per event, and attrs' keyword ``__init__`` of a frozen class costs twice as much.
    Only for a class whose ``__init__`` only stores its arguments
    (:func:`~execution_core.folding.slot_setters`; else the class itself, called with
    keywords), so the value is the same either way."""
    fields = attrs.fields(cls)
    setters = slot_setters(cls)
    if setters is None:
        names = [f.name for f in fields]
        return lambda *values: cls(**dict(zip(names, values, strict=True)))
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    names = [f"v{n}" for n in range(len(setters))]
    lines = [f"def make({', '.join(names)}):", "    made = _new(_cls)"]
    for name, setter in zip(names, setters, strict=True):
        scope[f"_set_{name}"] = setter
        lines.append(f"    _set_{name}(made, {name})")
    lines.append("    return made")
    exec("\n".join(lines), scope)  # straight-line code, as attrs writes its own __init__
    return cast(Callable[..., R], scope["make"])
