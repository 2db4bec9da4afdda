"""A cycle as its events leave it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, singledispatch
from typing import Literal
from uuid import UUID

import attrs

from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.event import Event
from execution_core.folding import changed, handler
from execution_core.plain import JsonForm
from execution_core.policy import Policy

__all__ = ["Cycle", "OpenedCycle", "evolve"]


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=UTC)


@attrs.frozen
class Cycle(JsonForm):
    """The state of a cycle stream; ``opened`` is false until CycleOpened."""

    version: int = 0
    id: UUID | None = None
    name: str = ""
    starts_on: date = date.min
    ends_on: date = date.min
    cadence_days: int = 7
    policy: Policy = attrs.Factory(Policy)
    closed_at: datetime | None = None

    @property
    def opened(self) -> bool:
        """Whether the cycle exists."""
        return self.version > 0

    # Kept once computed (a slot attrs adds; not a field): the views read both instants of a
    # cycle for every goal and key result they read, and a cycle state never changes.
    @cached_property
    def starts_at(self) -> datetime:
        """The first instant of the cycle (midnight UTC of its start date)."""
        return day_start(self.starts_on)

    @cached_property
    def ends_at(self) -> datetime:
        """The instant the cycle ends (midnight UTC after its end date)."""
        return day_start(self.ends_on) + timedelta(days=1)

    def status(self, at: datetime) -> Literal["planned", "open", "closed"]:
        """Planned before its start, open until closed, closed after."""
        if self.closed_at is not None and at >= self.closed_at:
            return "closed"
        return "planned" if at < self.starts_at else "open"

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` falls within the cycle's dates."""
        if at.tzinfo is UTC:  # every command's business time: its UTC day is in the dates
            return self.starts_on <= at.date() <= self.ends_on
        return self.starts_at <= at < self.ends_at


@attrs.frozen
class OpenedCycle(Cycle):
    """A cycle that has been opened, as the facade returns it: its id is known (the state of
    a stream not yet opened is a plain :class:`Cycle`, whose id is None)."""

    id: UUID = attrs.field(kw_only=True, validator=attrs.validators.instance_of(UUID))


def evolve(state: Cycle, event: Event) -> Cycle:
    """Apply one cycle event (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: Cycle) -> Cycle:
    raise TypeError(f"not a cycle event: {type(event).__name__}")


@_apply.register
def _(event: CycleOpened, state: Cycle) -> Cycle:
    return changed(
        state,
        version=event.version,
        id=event.stream_id,
        name=event.cycle_name,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        cadence_days=event.cadence_days,
    )


@_apply.register
def _(event: PolicyAdopted, state: Cycle) -> Cycle:
    return changed(state, version=event.version, policy=event.policy)


@_apply.register
def _(event: CycleClosed, state: Cycle) -> Cycle:
    return changed(state, version=event.version, closed_at=event.occurred_at)
