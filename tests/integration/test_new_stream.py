"""A stream is data: a throwaway stream, registered for one test, works end to end.

What a newcomer writes to add a stream (or an event to a stream) is what this module writes: an
event class with a stable name, a state and its ``evolve``, a command and a ``decide``, and one
``Decider`` bringing them together. Nothing else is edited: the facade, the store, the codec,
the chain verifier and the catalog find the stream through the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid5

import attrs
import pytest

from execution_core import SYSTEM, Command, Execution, InvalidInput, RuleViolated
from execution_core.catalog import EVENT_TYPES_BY_STREAM
from execution_core.command import Text
from execution_core.decider import Context, Decider, Stamper, refuse
from execution_core.event import EVENT_TYPES, Event, event_type
from execution_core.ids import NAMESPACE
from execution_core.streams import REGISTRY
from execution_core_adapters.storage.store import open_store

SCRATCH_ID = uuid5(NAMESPACE, "scratch")
T = datetime(2026, 1, 5, 9, tzinfo=UTC)


@event_type("scratch.NoteTaken")
@attrs.frozen(kw_only=True)
class NoteTaken(Event):
    """A note on the test-only scratch pad."""

    text: str


@attrs.frozen
class Pad:
    """The scratch pad: its notes, in order."""

    version: int = 0
    notes: tuple[str, ...] = ()


def evolve(state: Pad, event: Event) -> Pad:
    """A note joins the pad."""
    assert isinstance(event, NoteTaken)
    return Pad(event.version, (*state.notes, event.text))


class _TakeNote(Command):
    """Write a note on the pad (named with an underscore: kept out of the public catalog)."""

    text: Text


def decide(state: Pad, command: _TakeNote, context: Context, facts: None) -> tuple[Event, ...]:
    """A pad takes each note once."""
    if command.text in state.notes:
        refuse(f"the pad already says {command.text!r}")
    stamp = Stamper(SCRATCH_ID, state.version, command, context.now)
    stamp(NoteTaken, text=command.text)
    return stamp.done()


def _scratch_id(command: Command) -> UUID:
    return SCRATCH_ID


SCRATCH: Decider[Pad] = Decider(
    "scratch",
    Pad(),
    evolve,
    decide=decide,
    commands=(_TakeNote,),
    events=(NoteTaken,),
    stream_id=_scratch_id,
)


_NOTE_TAKEN = EVENT_TYPES.pop(NoteTaken.name)  # known only while a test registers the stream


@pytest.fixture
def scratch() -> Iterator[Decider[Pad]]:
    """The scratch stream and its event type, registered for one test."""
    EVENT_TYPES[NoteTaken.name] = _NOTE_TAKEN
    try:
        with REGISTRY.registered(SCRATCH) as decider:
            yield decider
    finally:
        EVENT_TYPES.pop(NoteTaken.name, None)


def _note(text: str) -> _TakeNote:
    return _TakeNote(text=text, actor=SYSTEM, occurred_at=T)


def test_a_registered_stream_records_and_refuses_through_the_facade(
    scratch: Decider[Pad], tmp_path: Path
) -> None:
    """Given the scratch stream registered, when its command runs through the facade on a
    SQLite file, then the event is stored, read back by name and folded into its state; the
    stream's own rule refuses a repeat and records nothing."""
    with Execution(open_store(f"sqlite:///{tmp_path / 'scratch.db'}")) as execution:
        outcome = execution.execute(_note("kick-off"))
        assert outcome.state == Pad(1, ("kick-off",))
        with pytest.raises(RuleViolated):
            execution.execute(_note("kick-off"))
        assert [type(e) for e in execution.events(SCRATCH_ID)] == [NoteTaken]
    reopened = open_store(f"sqlite:///{tmp_path / 'scratch.db'}")
    try:
        assert reopened.load(SCRATCH_ID, scratch) == Pad(1, ("kick-off",))
        assert reopened.verify().ok
    finally:
        reopened.close()


def test_the_catalog_lists_a_registered_stream_only_while_it_is_registered(
    scratch: Decider[Pad],
) -> None:
    """Given the registry, when a stream is registered for a block, then the registry finds
    its decider by name, by command and by event name, and forgets it after the block."""
    assert REGISTRY.named("scratch") is scratch
    assert REGISTRY.for_command(_TakeNote) is scratch
    assert REGISTRY.of_event("scratch.NoteTaken") is scratch
    assert "scratch" not in EVENT_TYPES_BY_STREAM  # the shipped catalog is fixed at import


def test_an_unregistered_stream_is_refused_by_the_facade() -> None:
    """Given the scratch stream not registered, when its command runs, then InvalidInput and
    nothing is recorded."""
    with Execution(open_store("memory://")) as execution:
        with pytest.raises(InvalidInput, match="not a command execution-core knows"):
            execution.execute(_note("too soon"))
        assert execution.history() == []


def test_a_stream_whose_events_are_named_for_another_is_refused() -> None:
    """Given a decider whose event names another stream's prefix, when it is registered, then
    the registry refuses it (a stored name says which stream it belongs to)."""
    misnamed = attrs.evolve(SCRATCH, stream="pad")
    with (
        pytest.raises(ValueError, match="not named after stream 'pad'"),
        REGISTRY.registered(misnamed),
    ):
        pass
