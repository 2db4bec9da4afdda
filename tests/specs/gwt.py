"""Given events, when a command, then the events it decides: one decider at a time.

``given`` appends events to a :class:`~execution_core.fake_store.FakeEventStore` (numbered in
their stream, through the decider the registry names for them); ``when`` decides a command
through the registry's decider on the states that store holds (``Decider.run``, facts
included) with a ``Context`` of the fixed clock reading, the organization and the default
access policy; ``then`` compares the decided events whole, ignoring nothing, and
``then_refused`` the error type exactly, with nothing recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs
import pytest

from execution_core.access import AccessPolicy, DefaultAccessPolicy
from execution_core.command import Command
from execution_core.decider import Context, Decider
from execution_core.errors import ExecutionError
from execution_core.event import Event
from execution_core.fake_store import FakeEventStore
from execution_core.ids import ORGANIZATION_ID, STRATEGY_ID
from execution_core.streams import ORGANIZATION, decider_for, decider_of_event
from tests.support import T0

__all__ = ["NOW", "Decision", "Fact", "Scenario", "fact"]

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
"""The store's clock reading in every decision: the ``recorded_at`` of the events decided."""

_FIXED_STREAMS = {"organization": ORGANIZATION_ID, "strategy": STRATEGY_ID}


@attrs.frozen
class Fact:
    """An event before its version is known: its class, payload, and what differs from the
    defaults (the stream, who, when)."""

    cls: type[Event]
    payload: Mapping[str, Any]
    stream_id: UUID | None = None
    actor: str | None = None
    occurred_at: datetime | None = None

    def stamped(
        self,
        stream_id: UUID,
        version: int,
        actor: str,
        occurred_at: datetime,
        recorded_at: datetime,
    ) -> Event:
        """The event itself, at ``version`` of its stream (its own values, where it has them)."""
        return self.cls(
            stream_id=self.stream_id or stream_id,
            version=version,
            actor=self.actor or actor,
            occurred_at=self.occurred_at or occurred_at,
            recorded_at=recorded_at,
            **self.payload,
        )


def fact(
    cls: type[Event],
    /,
    *,
    stream_id: UUID | None = None,
    actor: str | None = None,
    occurred_at: datetime | None = None,
    **payload: Any,
) -> Fact:
    """An event of ``cls`` with this payload; in ``given`` the stream defaults to the fixed one
    of its kind, the actor to ``system`` and the business time to T0; in ``then`` to the
    command's stream, actor and business time."""
    return Fact(cls, payload, stream_id, actor, occurred_at)


class Scenario:
    """One spec: the fake store its givens are appended to, the clock and the access policy."""

    def __init__(self, *, now: datetime = NOW, access: AccessPolicy | None = None) -> None:
        self.now = now
        self.access = access or DefaultAccessPolicy()
        self.store = FakeEventStore(clock=lambda: self.now)

    def given(self, *facts: Fact) -> Scenario:
        """Append the facts, each at the next version of its stream, recorded at T0."""
        for one in facts:
            decider = decider_of_event(one.cls.name)
            stream_id = one.stream_id or _FIXED_STREAMS.get(decider.stream)
            if stream_id is None:
                raise ValueError(f"name the stream of a given {one.cls.__name__}")
            state = self.store.load(stream_id, decider)
            version = int(getattr(state, "version"))  # noqa: B009 - every state counts it
            event = one.stamped(stream_id, version + 1, "system", T0, T0)
            self.store.append([event], decider, decider.fold([event], state))
        return self

    def when(self, command: Command) -> Decision:
        """Decide the command through its decider on the stored states (nothing is stored)."""
        decider = decider_for(command)
        context = Context(
            now=self.now, org=self.store.load(ORGANIZATION_ID, ORGANIZATION), access=self.access
        )
        try:
            _, state, events = decider.run(command, context, self.store)
        except ExecutionError as error:
            return Decision(self, command, decider, 0, (), error)
        return Decision(self, command, decider, int(getattr(state, "version")), events, None)  # noqa: B009


@attrs.frozen
class Decision:
    """What the decider decided for one command: events, or the error that refused it."""

    scenario: Scenario
    command: Command
    decider: Decider[Any]
    version: int
    events: tuple[Event, ...]
    error: ExecutionError | None

    def then(self, *expected: Fact) -> tuple[Event, ...]:
        """The decided events equal these, whole (their stream, versions following the state
        decided on, the command's actor and business time, recorded at the clock's reading);
        they are then appended, so the spec may go on."""
        if self.error is not None:
            pytest.fail(f"{type(self.command).__name__} was refused: {self.error!r}")
        stream_id = self.decider.stream_id(self.command)
        wanted = tuple(
            one.stamped(
                stream_id,
                self.version + n,
                self.command.actor,
                self.command.occurred_at,
                self.scenario.now,
            )
            for n, one in enumerate(expected, start=1)
        )
        assert self.events == wanted
        store = self.scenario.store
        state = store.load(stream_id, self.decider)
        store.append(self.events, self.decider, self.decider.fold(self.events, state))
        return self.events

    def then_refused(self, error: type[ExecutionError], match: str) -> ExecutionError:
        """The command is refused with exactly this error type, its message matching."""
        if self.error is None:
            pytest.fail(f"{type(self.command).__name__} was not refused: {self.events}")
        assert type(self.error) is error, f"refused with {self.error!r}, not {error.__name__}"
        assert self.events == ()
        with pytest.raises(error, match=match):
            raise self.error
        return self.error
