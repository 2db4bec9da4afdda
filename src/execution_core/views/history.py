"""Bitemporal reading: the ledger as the system knew it at a recorded time, from checkpoints,
and any stream's state as of a recorded time and as at a business time.

Two clocks, two questions (docs/audit.md):

* **as of** ``T`` (recorded time): only the facts the store had accepted by ``T``
  (``recorded_at <= T``), so the answer is what the system *knew* then. A policy adopted, a
  check-in corrected or a goal dropped later is invisible.
* **as at** ``T`` (business time): only the facts that had *happened* by ``T``
  (``occurred_at <= T``), including those entered late. Every view takes it as ``at``.

Together: ``scoreboard(history.as_of(march_3), cycle, at=february_28)`` is what we believed on
March 3 about the end of February.

:class:`LedgerHistory` keeps a checkpoint of the :class:`Ledger` every ``every`` events (in
memory, evenly spaced, at most ``keep`` of them) and an index of every event's position and
recorded time, so ``as_of(T)`` folds only the events between the nearest checkpoint at or before
``T`` and ``T`` instead of the whole history. It reads events through the store port
(``read_all``), so the core stays free of I/O of its own.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

import attrs

from execution_core.clock import as_utc
from execution_core.decider import Decider
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.folding import without_cyclic_gc
from execution_core.ports import Recorded
from execution_core.views.ledger import Ledger

__all__ = [
    "Checkpoint",
    "EventSource",
    "LedgerHistory",
    "StoreChanged",
    "stream_state",
]

S = TypeVar("S")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_OPENED_BY_FIRST_EVENT = frozenset({"goal", "cycle", "appraisal"})
"""Streams whose first event opens the thing (GoalSet, CycleOpened, AppraisalRecorded)."""


def _micros(moment: datetime) -> int:
    """An aware instant as whole microseconds since 1970 (exact, unlike a float timestamp)."""
    return (moment - _EPOCH) // _MICROSECOND


class EventSource(Protocol):
    """Where a :class:`LedgerHistory` reads events: the store port's ``read_all``."""

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        """Every event in recorded order from ``position > after`` (at most ``limit``)."""
        ...


class StoreChanged(InvalidInput):
    """The store no longer holds, at a position, the event a checkpoint was folded from."""


@attrs.frozen
class _Events:
    """A list of events as an :class:`EventSource` (positions 1, 2, ...)."""

    events: Sequence[Event]

    def read_all(self, *, after: int = 0, limit: int | None = None) -> Iterator[Recorded]:
        end = len(self.events) if limit is None else min(len(self.events), after + limit)
        for index in range(after, end):
            yield Recorded(index + 1, self.events[index])


@attrs.frozen
class Checkpoint:
    """The ledger of the first ``count`` events; ``position`` is the store position of the
    last of them (0 for none)."""

    count: int
    position: int
    ledger: Ledger


class LedgerHistory:
    """The ledger at any recorded time, answered from the nearest checkpoint.

    ``catch_up()`` folds the events recorded since the last call (the first call folds the whole
    history once, taking a checkpoint every ``every`` events). ``as_of(T)`` then starts from the
    newest checkpoint whose events were all recorded by ``T`` and folds at most the events up to
    the last one recorded by ``T``, reading them again from the source, so a question costs at
    most ``every`` events of folding however long the history is. When more than ``keep``
    checkpoints would be kept, every other one is dropped and ``every`` doubles: memory stays
    bounded, and a question costs at most ``history / (keep / 2)`` events.

    The answer is exactly ``Ledger.of(events, as_of=T)`` (a property test checks it), also when
    recorded times are not in position order (clocks of several writers): the index of recorded
    times by position tells which events and which checkpoints qualify.

    Memory: checkpoints share every record the events between them did not touch, but a record
    that changes (a key result with a new check-in) is copied whole into the next checkpoint,
    so a few long-lived hot records cost up to ``keep / 2`` copies of their history. Python's
    cycle collector is paused while folding (the records form no cycles).
    """

    def __init__(self, source: EventSource, *, every: int = 1_000, keep: int = 64) -> None:
        if every < 1 or keep < 2:
            raise InvalidInput("a checkpoint needs every >= 1 and keep >= 2")
        self._source = source
        self._every = every
        self._keep = keep
        self._lock = threading.RLock()
        self._latest = Ledger()
        self._checkpoints: list[Checkpoint] = [Checkpoint(0, 0, self._latest)]
        self._positions = array("q")
        """Store position of each event, by ordinal (0-based)."""
        self._recorded = array("q")
        """Recorded time of each event in microseconds, by ordinal."""
        self._running_max = array("q")
        """The latest recorded time among the events up to each ordinal (never decreases)."""
        self._monotonic = True
        self._running_min_after: array[int] | None = None
        self._last: tuple[int, int, Ledger] | None = None

    @classmethod
    def of(cls, events: Iterable[Event], *, every: int = 1_000, keep: int = 64) -> LedgerHistory:
        """A history of a list of events (kept in memory as its source), caught up."""
        history = cls(_Events(tuple(events)), every=every, keep=keep)
        history.catch_up()
        return history

    # -- keeping up with the store ------------------------------------------------------------

    def catch_up(self) -> int:
        """Fold the events recorded since the last call; return how many there were."""
        with self._lock, without_cyclic_gc():
            initial = self.count
            pending: list[Event] = []
            for recorded in self._source.read_all(after=self.position):
                self._index(recorded)
                pending.append(recorded.event)
                if self.count % self._every == 0:
                    self._fold(pending, take_checkpoint=True)
                    pending = []
            if pending:
                self._fold(pending, take_checkpoint=False)
            return self.count - initial

    def _index(self, recorded: Recorded) -> None:
        micros = _micros(recorded.event.recorded_at)
        previous = self._running_max[-1] if self._running_max else micros
        if micros < previous:
            self._monotonic = False
        self._positions.append(recorded.position)
        self._recorded.append(micros)
        self._running_max.append(max(previous, micros))
        self._running_min_after = None

    def _fold(self, events: list[Event], *, take_checkpoint: bool) -> None:
        self._latest = self._latest.apply_all(events)
        if take_checkpoint:
            count = len(self._recorded)
            self._checkpoints.append(Checkpoint(count, self._positions[-1], self._latest))
            if len(self._checkpoints) > self._keep:
                self._every *= 2
                self._checkpoints = [c for c in self._checkpoints if c.count % self._every == 0]

    # -- what it holds ----------------------------------------------------------------------

    @property
    def latest(self) -> Ledger:
        """The ledger of every event folded so far."""
        return self._latest

    @property
    def count(self) -> int:
        """How many events have been folded."""
        return len(self._recorded)

    @property
    def position(self) -> int:
        """The store position of the newest event folded (0 for none)."""
        return self._positions[-1] if self._positions else 0

    @property
    def last_recorded_at(self) -> datetime | None:
        """The latest recorded time among the events folded (None before any)."""
        if not self._running_max:
            return None
        return _EPOCH + self._running_max[-1] * _MICROSECOND

    @property
    def every(self) -> int:
        """The current spacing of checkpoints, in events."""
        return self._every

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        """The checkpoints kept, oldest first (the first is the empty ledger)."""
        return tuple(self._checkpoints)

    # -- answering --------------------------------------------------------------------------

    def as_of(self, recorded_at: datetime | None = None) -> Ledger:
        """The ledger as the system knew it at ``recorded_at`` (every event folded if None):
        equal to ``Ledger.of(events, as_of=recorded_at)``."""
        if recorded_at is None:
            return self._latest
        t = _micros(as_utc(recorded_at))
        with self._lock:
            count = self.count
            cached = self._last
            if cached is not None and cached[:2] == (t, count):
                return cached[2]
            with without_cyclic_gc():
                ledger = self._answer(t, as_utc(recorded_at))
            self._last = (t, count, ledger)
            return ledger

    def _answer(self, t: int, recorded_at: datetime) -> Ledger:
        # events 1..last hold every event recorded by t (and, out of order, maybe later ones);
        # events 1..complete were all recorded by t
        last = bisect_right(self._recorded if self._monotonic else self._min_after(), t)
        complete = bisect_right(self._running_max, t)
        if complete == self.count:
            return self._latest
        counts = [c.count for c in self._checkpoints]
        start = self._checkpoints[bisect_right(counts, complete) - 1]
        if start.count == last:
            return start.ledger
        tail = []
        expected = start.count
        for recorded in self._source.read_all(after=start.position, limit=last - start.count):
            if recorded.position != self._positions[expected]:
                raise StoreChanged(
                    f"the store holds position {recorded.position} where event "
                    f"{expected + 1} of the history was at {self._positions[expected]}"
                )
            expected += 1
            if recorded.event.recorded_at <= recorded_at:
                tail.append(recorded.event)
        if expected != last:
            raise StoreChanged(
                f"the store returned {expected - start.count} events, not "
                f"{last - start.count}, after position {start.position}"
            )
        return start.ledger.apply_all(tail)

    def _min_after(self) -> array[int]:
        """The earliest recorded time among the events from each ordinal on (never decreases)."""
        if self._running_min_after is None:
            values = array("q", self._recorded)
            for index in range(len(values) - 2, -1, -1):
                values[index] = min(values[index], values[index + 1])
            self._running_min_after = values
        return self._running_min_after


# -- stream states ----------------------------------------------------------------------------


def stream_state(
    events: Iterable[Event],
    decider: Decider[S],
    *,
    as_of: datetime | None = None,
    as_at: datetime | None = None,
) -> S:
    """A stream's state from its events (in version order) as the system knew it at recorded
    time ``as_of`` and as things were at business time ``as_at`` (either or both; neither: the
    state as it stands).

    The events recorded by ``as_of`` that had happened by ``as_at`` are folded. A goal, cycle or
    appraisal whose opening event is not among them had not begun: the decider's initial state.

    * Without ``as_at``, in version order: the state the stream had at ``as_of``, the one the
      commands recorded then were decided against.
    * With ``as_at``, the state as the business clock orders the facts, the rule the views read
      by (docs/audit.md, "One rule for both clocks"): for a goal, cycle, coaching journal or
      appraisal, the opening event, then the others by business time (ties in version order),
      so the value that stands is the one that happened last, whenever it was recorded (a
      target adjustment backdated before an earlier-recorded one does not replace it); the
      organization and the strategy fold in version order, as ``Ledger.organization_at`` and
      ``strategy_at`` do. An event the partial state cannot take yet (a check-in dated before
      its key result was added) waits until it can, and is skipped if it never can (a backdated
      move of a person who joined later than ``as_at``). ``version`` is the newest folded.
    """
    known_by = None if as_of is None else as_utc(as_of)
    happened_by = None if as_at is None else as_utc(as_at)
    seen: list[Event] = []
    for event in events:
        if (known_by is None or event.recorded_at <= known_by) and (
            happened_by is None or event.occurred_at <= happened_by
        ):
            seen.append(event)
        elif event.version == 1 and decider.stream in _OPENED_BY_FIRST_EVENT:
            return decider.initial
    if happened_by is None or decider.stream not in _BY_BUSINESS_TIME or len(seen) < 2:
        return _fold(decider, seen)
    opening, rest = seen[:1], seen[1:]
    if decider.stream not in _OPENED_BY_FIRST_EVENT:
        opening, rest = [], seen
    rest.sort(key=lambda event: (event.occurred_at, event.version))
    state = _fold(decider, opening + rest)
    newest = max(event.version for event in seen)
    if getattr(state, "version", newest) != newest and attrs.has(type(state)):
        state = attrs.evolve(state, version=newest)  # type: ignore[misc]
    return state


_BY_BUSINESS_TIME = frozenset({"goal", "cycle", "coaching", "appraisal"})
"""Streams whose views read each value as the latest fact by business time."""


def _fold(decider: Decider[S], events: Iterable[Event]) -> S:
    """Fold events in the order given; one the state cannot take yet waits for the next event
    that applies, then is tried again (and is left out if it never applies)."""
    state = decider.initial
    waiting: list[Event] = []
    for event in events:
        try:
            state = decider.evolve(state, event)
        except KeyError:
            waiting.append(event)
            continue
        while waiting:
            still = []
            for pending in waiting:
                try:
                    state = decider.evolve(state, pending)
                except KeyError:
                    still.append(pending)
            if len(still) == len(waiting):
                break
            waiting = still
    return state
