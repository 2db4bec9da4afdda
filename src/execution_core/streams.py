"""The registry: every kind of stream execution-core knows, each one a :class:`Decider`.

This is the one list of streams. The facade finds the decider of a command here, the store the
decider of a stored event's name, the codec and the event catalog the event types of each
stream, the chain verifier and the transfer the stream of every stored name, the ledger what it
folds. Adding a command or an event to a stream changes that stream's folder only; adding a
stream adds one line here (or, in a test or an extension, a :meth:`StreamRegistry.registered`
block).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from execution_core.appraisals import ledger as appraisals_ledger
from execution_core.appraisals.decider import APPRAISAL
from execution_core.coaching import ledger as coaching_ledger
from execution_core.coaching.decider import COACHING
from execution_core.command import Command
from execution_core.cycles import ledger as cycles_ledger
from execution_core.cycles.decider import CYCLE
from execution_core.decider import Decider
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.facts import StreamLedger
from execution_core.goals import ledger as goals_ledger
from execution_core.goals.decider import GOAL
from execution_core.organization import ledger as organization_ledger
from execution_core.organization.decider import ORGANIZATION
from execution_core.strategy import ledger as strategy_ledger
from execution_core.strategy.decider import STRATEGY

__all__ = [
    "APPRAISAL",
    "COACHING",
    "CYCLE",
    "GOAL",
    "LEDGERS",
    "ORGANIZATION",
    "STRATEGY",
    "REGISTRY",
    "STREAMS",
    "StreamRegistry",
    "decider_for",
    "decider_named",
    "decider_of_event",
]


class StreamRegistry:
    """The kinds of stream, in catalog order, with the lookups every layer needs."""

    def __init__(self, streams: tuple[tuple[Decider[Any], StreamLedger], ...]) -> None:
        self._deciders: list[Decider[Any]] = []
        self._by_name: dict[str, Decider[Any]] = {}
        self._by_command: dict[type[Command], Decider[Any]] = {}
        self.ledgers: dict[str, StreamLedger] = {}
        """What each kind's facts mean to the views' ledger (its folder's ``ledger.py``), by
        the kind's name."""
        for decider, ledger in streams:
            self._add(decider, ledger)

    def __iter__(self) -> Iterator[Decider[Any]]:
        return iter(tuple(self._deciders))

    def __len__(self) -> int:
        return len(self._deciders)

    def names(self) -> tuple[str, ...]:
        """The stream kinds' names, in catalog order."""
        return tuple(decider.stream for decider in self._deciders)

    def named(self, name: str) -> Decider[Any]:
        """The decider of a stream kind by its name (a receipt's ``stream``)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidInput(f"no stream kind named {name!r}") from None

    def for_command(self, command: Command | type[Command]) -> Decider[Any]:
        """The decider that decides a command (or a command type)."""
        kind = command if isinstance(command, type) else type(command)
        try:
            return self._by_command[kind]
        except KeyError:
            raise InvalidInput(f"not a command execution-core knows: {kind.__name__}") from None

    def of_event(self, name: str) -> Decider[Any]:
        """The decider of the stream kind an event's stable name belongs to (its prefix)."""
        return self.named(name.split(".", 1)[0])

    def event_types(self, stream: str) -> tuple[type[Event], ...]:
        """A stream kind's event classes, in catalog order."""
        return self.named(stream).events

    @contextmanager
    def registered(
        self, decider: Decider[Any], ledger: StreamLedger | None = None
    ) -> Iterator[Decider[Any]]:
        """Add a stream kind (and what its facts mean to the ledger, if the views are to fold
        it) for the length of a block: a test-only stream, an extension."""
        self._add(decider, ledger)
        try:
            yield decider
        finally:
            self._deciders.remove(decider)
            del self._by_name[decider.stream]
            self.ledgers.pop(decider.stream, None)
            for command in decider.commands:
                del self._by_command[command]

    def _add(self, decider: Decider[Any], ledger: StreamLedger | None) -> None:
        if decider.stream in self._by_name:
            raise ValueError(f"a stream kind named {decider.stream!r} is registered already")
        taken = [command.__name__ for command in decider.commands if command in self._by_command]
        if taken:
            raise ValueError(f"commands decided by another stream already: {taken}")
        strays = [
            event.name for event in decider.events if event.name.split(".")[0] != decider.stream
        ]
        if strays:
            raise ValueError(f"events not named after stream {decider.stream!r}: {strays}")
        self._deciders.append(decider)
        self._by_name[decider.stream] = decider
        self._by_command.update(dict.fromkeys(decider.commands, decider))
        if ledger is not None:
            if ledger.stream != decider.stream:
                raise ValueError(f"the ledger of {ledger.stream!r} given for {decider.stream!r}")
            self.ledgers[decider.stream] = ledger


REGISTRY = StreamRegistry(
    (
        (ORGANIZATION, organization_ledger.LEDGER),
        (STRATEGY, strategy_ledger.LEDGER),
        (CYCLE, cycles_ledger.LEDGER),
        (GOAL, goals_ledger.LEDGER),
        (COACHING, coaching_ledger.LEDGER),
        (APPRAISAL, appraisals_ledger.LEDGER),
    )
)
"""The stream kinds of execution-core, each with its ledger."""

LEDGERS = REGISTRY.ledgers
"""The registry's ledgers by stream kind (the ledger folds the events of the kinds named)."""

STREAMS = REGISTRY
"""The registry, iterated: every stream kind's decider in catalog order."""

decider_named = REGISTRY.named
decider_for = REGISTRY.for_command
decider_of_event = REGISTRY.of_event
