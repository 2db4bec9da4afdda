"""The Ledger: the one read model every view reads, an incremental fold over all events.

The ledger keeps every fact with both clocks (``occurred_at``, business time; ``recorded_at``,
when the store accepted it), its actor and its position ``seq`` in the recorded order, so a view
can ask for any past state of the plan: "as at" business time ``t`` keeps the facts with
``occurred_at <= t``. Where the core's own stream states fit (organization, strategy, cycle,
coaching journal, appraisal) the ledger folds them with the core's ``evolve`` functions; goals
keep their full history (every check-in, adjustment, realignment) because views read them at
any instant.

What each fact means is written beside its stream: ``<stream>/ledger.py`` holds the stream's
records (``GoalRecord``, ``CycleRecord``, ...) and one handler per event type, and the fold
dispatches every event of a registered stream kind (:data:`execution_core.streams.REGISTRY`)
to the handlers the registry names for it (:data:`execution_core.streams.LEDGERS`). The
records are re-exported here, where the views import them.

``Ledger().apply(event)`` returns a new ledger and leaves the old one untouched (tables are
copied on write, only those the event touches); ``Ledger.of(events)`` folds a whole history in
one pass, and ``Ledger.of(events, as_of=T)`` the part of it recorded by ``T`` (the system's
knowledge at recorded time ``T``; see :mod:`execution_core.views.history`). A long catch-up folds
into a :class:`LedgerBuilder`, which changes its tables in place and gives the ledger on
``freeze()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs

from execution_core.appraisals.ledger import AppraisalRecord, RatingChanged, RatingRecorded
from execution_core.clock import as_utc
from execution_core.coaching.ledger import (
    CommitmentRecord,
    CommitmentResolved,
    JournalRecord,
    Session,
)
from execution_core.cycles.ledger import CycleRecord, PolicyFact
from execution_core.decider import Decider
from execution_core.event import Event
from execution_core.facts import Draft, Fact, Handler, StreamLedger, latest
from execution_core.folding import without_cyclic_gc
from execution_core.goals.ledger import (
    ActionRecord,
    ActionResolved,
    CheckIn,
    GoalEnded,
    GoalRecord,
    GoalReview,
    KeyResultRecord,
    Realignment,
    Reassignment,
    Reweighting,
    TargetChange,
)
from execution_core.organization.state import Organization
from execution_core.organization.state import evolve as evolve_organization
from execution_core.strategy.state import Strategy
from execution_core.strategy.state import evolve as evolve_strategy
from execution_core.streams import LEDGERS, REGISTRY

__all__ = [
    "ActionRecord",
    "ActionResolved",
    "AppraisalRecord",
    "CheckIn",
    "CommitmentRecord",
    "CommitmentResolved",
    "CycleRecord",
    "Fact",
    "GoalEnded",
    "GoalRecord",
    "GoalReview",
    "JournalRecord",
    "KeyResultRecord",
    "Ledger",
    "LedgerBuilder",
    "PolicyFact",
    "RatingChanged",
    "RatingRecorded",
    "Realignment",
    "Reassignment",
    "Reweighting",
    "Session",
    "TargetChange",
    "latest",
]

S = TypeVar("S")


# -- the ledger -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Ledger:
    """Everything the views read, folded from every event of a store in recorded order."""

    position: int = 0
    """How many events have been applied."""
    organization: Organization = attrs.Factory(Organization)
    """The organization as the latest events leave it (see :meth:`organization_at`)."""
    strategy: Strategy = attrs.Factory(Strategy)
    """The strategy as the latest events leave it (see :meth:`strategy_at`)."""
    organization_events: tuple[Event, ...] = ()
    strategy_events: tuple[Event, ...] = ()
    cycles: Mapping[UUID, CycleRecord] = attrs.Factory(dict)
    goals: Mapping[UUID, GoalRecord] = attrs.Factory(dict)
    """Every goal, in the order it was set."""
    children: Mapping[UUID, tuple[UUID, ...]] = attrs.Factory(dict)
    """Goals ever aligned to a parent goal, by parent, in the order they were aligned to it."""
    journals: Mapping[str, JournalRecord] = attrs.Factory(dict)
    commitments_by_goal: Mapping[UUID, tuple[tuple[str, str], ...]] = attrs.Factory(dict)
    """``(person id, commitment id)`` of the commitments made about each goal."""
    appraisals: Mapping[tuple[UUID, str], AppraisalRecord] = attrs.Factory(dict)
    """Appraisals by ``(cycle id, person id)``."""
    journal_streams: Mapping[UUID, str] = attrs.Factory(dict)
    appraisal_streams: Mapping[UUID, tuple[UUID, str]] = attrs.Factory(dict)
    extensions: Mapping[str, Any] = attrs.Factory(dict)
    """The tables of registered stream kinds the ledger has no field for (an extension's, a
    test's), by the name their handlers write them under."""

    @classmethod
    def of(cls, events: Iterable[Event], *, as_of: datetime | None = None) -> Ledger:
        """Fold a history (every event of a store, in recorded order) into a ledger.

        With ``as_of`` (recorded time), only the events the store had accepted by then
        (``recorded_at <= as_of``) are folded: the ledger as the system knew it at ``as_of``.
        Business time stays the views' ``at``. For many such questions over a long history,
        :class:`~execution_core.views.history.LedgerHistory` answers from checkpoints.
        """
        if as_of is not None:
            known_by = as_utc(as_of)
            events = (event for event in events if event.recorded_at <= known_by)
        draft = _new_draft(cls())
        with without_cyclic_gc():  # a ledger's records form no cycles (see folding)
            for event in events:
                draft.apply(event)
        return _frozen(draft)

    def apply(self, event: Event) -> Ledger:
        """The ledger after one more event (the next one in recorded order)."""
        draft = _new_draft(self)
        draft.apply(event)
        return _frozen(draft)

    def apply_all(self, events: Iterable[Event]) -> Ledger:
        """The ledger after more events, folded in one pass."""
        draft = _new_draft(self)
        with without_cyclic_gc():
            for event in events:
                draft.apply(event)
        return _frozen(draft)

    def organization_at(self, at: datetime) -> Organization:
        """The organization as it was at business time ``at``.

        An event about someone the filtered history does not know yet (a backdated move of a
        person who joined later) is skipped.
        """
        return _fold_at(self.organization_events, at, self.organization, Organization(), _org)

    def strategy_at(self, at: datetime) -> Strategy:
        """The strategy as it was at business time ``at``."""
        return _fold_at(self.strategy_events, at, self.strategy, Strategy(), _strategy)

    def goals_of(self, cycle_id: UUID, at: datetime) -> Iterator[GoalRecord]:
        """The goals of a cycle set by ``at``, in the order they were set."""
        for goal in self.goals.values():
            if goal.cycle_id == cycle_id and goal.occurred_at <= at:
                yield goal

    def journal(self, person_id: str) -> JournalRecord:
        """A person's coaching journal (empty if they were never coached)."""
        return self.journals.get(person_id) or JournalRecord(person_id=person_id)

    def commitments_of_goal(self, goal_id: UUID) -> tuple[CommitmentRecord, ...]:
        """The commitments made about a goal."""
        return tuple(
            self.journals[person].commitments[commitment]
            for person, commitment in self.commitments_by_goal.get(goal_id, ())
        )


class LedgerBuilder:
    """Folds events into a ledger in place, for long catch-ups: ``freeze()`` gives the ledger of
    the events so far (cheap when nothing was folded since the last call), and folding goes on
    after it without changing the ledgers already given out."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self._ledger = Ledger() if ledger is None else ledger
        self._draft: Draft | None = None

    @property
    def position(self) -> int:
        """How many events have been folded."""
        return self._ledger.position if self._draft is None else self._draft.position

    def apply(self, event: Event) -> None:
        """Fold the next event (in recorded order)."""
        self.apply_all((event,))

    def apply_all(self, events: Iterable[Event]) -> None:
        """Fold more events, in recorded order."""
        draft = self._draft
        if draft is None:
            draft = self._draft = _new_draft(self._ledger)
        apply = draft.apply
        for event in events:
            apply(event)

    def freeze(self) -> Ledger:
        """The ledger of every event folded so far."""
        if self._draft is not None:
            self._ledger = _frozen(self._draft)
            self._draft = None
        return self._ledger


def _org(state: Organization, event: Event) -> Organization:
    return evolve_organization(state, event)


def _strategy(state: Strategy, event: Event) -> Strategy:
    return evolve_strategy(state, event)


def _fold_at(
    events: Sequence[Event],
    at: datetime,
    latest_state: S,
    initial: S,
    evolve: Callable[[S, Event], S],
) -> S:
    if all(event.occurred_at <= at for event in events):
        return latest_state
    state = initial
    for event in events:
        if event.occurred_at <= at:
            try:
                state = evolve(state, event)
            except KeyError:
                continue
    return state


_Folding = tuple[Mapping[type[Event], Handler], tuple[Callable[[Draft], None], ...]]
_Key = tuple[tuple[Decider[Any], ...], tuple[StreamLedger, ...]]
_folding: list[tuple[_Key, _Folding]] = []
"""The handlers assembled for the registry as it last was (one entry at most)."""


def _handlers() -> _Folding:
    """Every registered stream kind's handlers, and what each settles before a freeze: taken
    from the registry again whenever its kinds or their ledger entries changed (a test's)."""
    key = (tuple(REGISTRY), tuple(LEDGERS.values()))
    if _folding and _folding[0][0] == key:  # the same objects: compared by identity first
        return _folding[0][1]
    handlers: dict[type[Event], Handler] = {}
    settles: list[Callable[[Draft], None]] = []
    for decider in key[0]:
        ledger = LEDGERS.get(decider.stream)
        if ledger is not None:
            handlers.update(ledger.handlers)
            if ledger.settle is not None:
                settles.append(ledger.settle)
    folding = (handlers, tuple(settles))
    _folding[:] = [(key, folding)]
    return folding


def _new_draft(ledger: Ledger) -> Draft:
    handlers, settles = _handlers()
    return Draft(ledger, handlers, settles)


def _frozen(draft: Draft) -> Ledger:
    return cast(Ledger, draft.freeze())
