"""What a coaching journal's facts mean to the views' ledger: the journal's record, its handlers.

A journal folds with the core's own ``evolve`` and keeps every session and commitment (with how
it ended), by person; the ledger also indexes the commitments made about each goal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import attrs

from execution_core.coaching.events import (
    CoachingGiven,
    CoachingKind,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.coaching.state import CoachingJournal
from execution_core.coaching.state import evolve as evolve_journal
from execution_core.event import Event
from execution_core.facts import (
    Draft,
    Fact,
    StreamLedger,
    in_order,
    latest,
    positional_maker,
)
from execution_core.folding import changed

__all__ = ["LEDGER", "CommitmentRecord", "CommitmentResolved", "JournalRecord", "Session"]

LEDGER = StreamLedger("coaching")
"""What each coaching event means to the ledger (the registry names it: ``streams.LEDGERS``)."""


@attrs.frozen(kw_only=True)
class Session(Fact):
    """A coaching conversation."""

    coach_id: str
    person_id: str
    goal_id: UUID | None
    kind: CoachingKind
    note: str = ""


@attrs.frozen(kw_only=True)
class CommitmentResolved(Fact):
    """A commitment was kept or missed."""

    status: Literal["kept", "missed"]
    note: str = ""


@attrs.frozen(kw_only=True)
class CommitmentRecord(Fact):
    """An action a person committed to (the fact is the commitment) and how it ended."""

    id: str
    person_id: str
    action: str
    due_on: date
    goal_id: UUID | None = None
    resolutions: tuple[CommitmentResolved, ...] = ()

    def status_at(self, at: datetime) -> Literal["open", "kept", "missed"]:
        """Open, kept or missed at ``at``."""
        resolution = latest(self.resolutions, at)
        return "open" if resolution is None else resolution.status


@attrs.frozen(kw_only=True)
class JournalRecord:
    """A person's coaching journal: the core's journal state, every session and commitment."""

    person_id: str
    state: CoachingJournal = attrs.Factory(CoachingJournal)
    sessions: tuple[Session, ...] = ()
    commitments: Mapping[str, CommitmentRecord] = attrs.Factory(dict)

    def sessions_by(self, at: datetime) -> tuple[Session, ...]:
        """The sessions that happened by ``at``, in business-time order."""
        return in_order(self.sessions, at)


_make_session = positional_maker(Session)
"""``Session`` from actor, occurred_at, recorded_at, seq, coach_id, person_id, goal_id, kind,
note (a journal's fold makes one per session, so slot by slot)."""
_make_commitment = positional_maker(CommitmentRecord)
"""``CommitmentRecord`` from actor, occurred_at, recorded_at, seq, id, person_id, action,
due_on, goal_id, resolutions."""
_make_resolution = positional_maker(CommitmentResolved)
"""``CommitmentResolved`` from actor, occurred_at, recorded_at, seq, status, note."""


# -- what each event means to the ledger


def _journal_of(draft: Draft, event: Event, person_id: str | None) -> JournalRecord | None:
    if person_id is None:
        person_id = _journal_streams(draft).get(event.stream_id)
        if person_id is None:
            return None
    else:
        _journal_streams(draft)[event.stream_id] = person_id
    return _journals(draft).get(person_id) or JournalRecord(person_id=person_id)


@LEDGER.handles(CoachingGiven)
def _on_coaching(draft: Draft, event: CoachingGiven, seq: int) -> None:
    journal = _journal_of(draft, event, event.person_id)
    assert journal is not None
    session = _make_session(
        event.actor,
        event.occurred_at,
        event.recorded_at,
        seq,
        event.coach_id,
        event.person_id,
        event.goal_id,
        CoachingKind(event.kind),
        event.note,
    )
    _journals(draft)[journal.person_id] = changed(
        journal,
        state=evolve_journal(journal.state, event),
        sessions=(*journal.sessions, session),
    )


@LEDGER.handles(CommitmentMade)
def _on_commitment(draft: Draft, event: CommitmentMade, seq: int) -> None:
    journal = _journal_of(draft, event, event.person_id)
    assert journal is not None
    commitment = _make_commitment(
        event.actor,
        event.occurred_at,
        event.recorded_at,
        seq,
        event.commitment_id,
        event.person_id,
        event.action,
        event.due_on,
        event.goal_id,
        (),
    )
    _journals(draft)[journal.person_id] = changed(
        journal,
        state=evolve_journal(journal.state, event),
        commitments={**journal.commitments, commitment.id: commitment},
    )
    if event.goal_id is not None:
        by_goal = _commitments_by_goal(draft)
        by_goal[event.goal_id] = (
            *by_goal.get(event.goal_id, ()),
            (event.person_id, event.commitment_id),
        )


@LEDGER.handles(CommitmentKept, CommitmentMissed)
def _on_commitment_resolved(
    draft: Draft, event: CommitmentKept | CommitmentMissed, seq: int
) -> None:
    journal = _journal_of(draft, event, None)
    if journal is None or event.commitment_id not in journal.commitments:
        return
    status, note = ("missed", event.note) if isinstance(event, CommitmentMissed) else ("kept", "")
    fact = _make_resolution(event.actor, event.occurred_at, event.recorded_at, seq, status, note)
    commitment = journal.commitments[event.commitment_id]
    resolved = changed(commitment, resolutions=(*commitment.resolutions, fact))
    _journals(draft)[journal.person_id] = changed(
        journal,
        state=evolve_journal(journal.state, event),
        commitments={**journal.commitments, resolved.id: resolved},
    )


def _journals(draft: Draft) -> dict[str, JournalRecord]:
    journals: dict[str, JournalRecord] = draft.table("journals")
    return journals


def _journal_streams(draft: Draft) -> dict[UUID, str]:
    streams: dict[UUID, str] = draft.table("journal_streams")
    return streams


def _commitments_by_goal(draft: Draft) -> dict[UUID, tuple[tuple[str, str], ...]]:
    by_goal: dict[UUID, tuple[tuple[str, str], ...]] = draft.table("commitments_by_goal")
    return by_goal
