"""A person's coaching journal as its events leave it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import singledispatch
from typing import Any, Literal
from uuid import UUID

import attrs

from execution_core.coaching.events import (
    CoachingGiven,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.event import Event
from execution_core.folding import changed, handler
from execution_core.plain import JsonForm

__all__ = ["CoachingJournal", "Commitment", "OpenedCoachingJournal", "evolve"]


@attrs.frozen
class Commitment:
    """An action the person committed to, and how it ended."""

    id: str
    action: str
    due_on: date
    goal_id: UUID | None = None
    status: Literal["open", "kept", "missed"] = "open"


@attrs.frozen
class CoachingJournal(JsonForm):
    """The state of a person's coaching journal stream."""

    version: int = 0
    person_id: str | None = None
    sessions: int = 0
    last_coached_at: datetime | None = None
    commitments: Mapping[str, Commitment] = attrs.Factory(dict)

    def open_commitments(self) -> tuple[Commitment, ...]:
        """Commitments not yet kept or missed."""
        return tuple(c for c in self.commitments.values() if c.status == "open")


@attrs.frozen
class OpenedCoachingJournal(CoachingJournal):
    """The journal of a known person, as the facade returns it: whose it is is known even
    before their first coaching (a plain :class:`CoachingJournal` of no events has no person)."""

    person_id: str = attrs.field(kw_only=True, validator=attrs.validators.instance_of(str))


def evolve(state: CoachingJournal, event: Event) -> CoachingJournal:
    """Apply one coaching event (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: CoachingJournal) -> CoachingJournal:
    raise TypeError(f"not a coaching event: {type(event).__name__}")


def _commit(
    state: CoachingJournal, event: Event, commitment: Commitment, **changes: Any
) -> CoachingJournal:
    commitments = dict(state.commitments)
    commitments[commitment.id] = commitment
    return changed(state, version=event.version, commitments=commitments, **changes)


@_apply.register
def _(event: CoachingGiven, state: CoachingJournal) -> CoachingJournal:
    last = state.last_coached_at
    return changed(
        state,
        version=event.version,
        person_id=event.person_id,
        sessions=state.sessions + 1,
        last_coached_at=event.occurred_at if last is None else max(last, event.occurred_at),
    )


@_apply.register
def _(event: CommitmentMade, state: CoachingJournal) -> CoachingJournal:
    commitment = Commitment(event.commitment_id, event.action, event.due_on, event.goal_id)
    return _commit(state, event, commitment, person_id=event.person_id)


@_apply.register
def _(event: CommitmentKept, state: CoachingJournal) -> CoachingJournal:
    kept = changed(state.commitments[event.commitment_id], status="kept")
    return _commit(state, event, kept)


@_apply.register
def _(event: CommitmentMissed, state: CoachingJournal) -> CoachingJournal:
    missed = changed(state.commitments[event.commitment_id], status="missed")
    return _commit(state, event, missed)
