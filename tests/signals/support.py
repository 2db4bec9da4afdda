"""Given/when/then support for signals: facts recorded through the facade, the live views
stepped batch by batch (each ``when`` one batch) or ticked by a clock, and the signals of the
last step."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from execution_core import Command, Event, LogProgress
from execution_core.signals import Cause, Signal, SignalKind, Situation, derive_signals, observe
from execution_core.views.live import LiveBatch, LiveState, Touched, advance, clock_tick
from tests.support import CYCLE_ID, Spec, standard_org

GOAL = UUID("00000000-0000-4000-8000-0000000000aa")

__all__ = ["CYCLE_ID", "GOAL", "Watch", "kinds", "on_line"]


def caught_up(events: list[Event]) -> tuple[LiveState, Situation]:
    """A live state that folded ``events`` as one batch and wrote it, and its situation."""
    state = LiveState()
    state.fold(events, len(events))
    touched = Touched()
    touched.note(events)
    advance(state, touched)
    state.written()
    return state, observe(state)


def ticked(state: LiveState, at: datetime) -> LiveBatch:
    """The batch of a clock tick at ``at`` (see :func:`clock_tick`)."""
    touched = Touched()
    clock_tick(state, at, touched)
    return advance(state, touched)


def on_line(forecast: float, at: datetime, target: float = 10.0) -> float:
    """The value a first check-in at ``at`` needs for the goal's forecast (a line from the
    baseline 0 at the cycle start, read at its end) to be ``forecast``."""
    start = datetime(2026, 1, 1, tzinfo=at.tzinfo)
    elapsed = (at - start).total_seconds() / 86_400.0
    return round(forecast * target * elapsed / 365.0, 6)


def kinds(signals: tuple[Signal, ...]) -> list[str]:
    """The kinds of some signals, in order."""
    return [s.kind.value for s in signals]


class Watch:
    """Facts recorded through the facade into an in-memory store; the live views advanced over
    each ``when`` as one batch, or ticked at a clock; the signals of each step returned."""

    def __init__(self) -> None:
        self.spec = Spec()
        self.execution = self.spec.execution
        self.state = LiveState()
        self.situation = Situation.empty()
        self.position = 0
        self.log: list[Signal] = []

    def given(self, *commands: Command) -> Watch:
        """Record facts and step the views over them (their signals go to ``log`` only)."""
        for command in commands:
            self.execution.execute(command)
            self._step()
        return self

    def given_org(self, *extra: Command) -> Watch:
        """The standard organization and 2026 cycle, then ``extra``."""
        return self.given(*standard_org(), *extra)

    def when(self, *commands: Command) -> tuple[Signal, ...]:
        """Record facts as one batch and give the signals of that step."""
        for command in commands:
            self.execution.execute(command)
        return self._step()

    def when_tick(self, at: datetime) -> tuple[Signal, ...]:
        """Read the views at ``at`` with no new fact and give the signals of that tick."""
        touched = Touched()
        clock_tick(self.state, at, touched)
        return self._advance(touched, Cause(self.position, at))

    def _step(self) -> tuple[Signal, ...]:
        events: list[Event] = []
        last = self.position
        for recorded in self.execution.store.read_all(after=self.position):
            events.append(recorded.event)
            last = recorded.position
        if not events:
            return ()
        self.state.fold(events, last)
        self.position = last
        touched = Touched()
        touched.note(events)
        return self._advance(touched, Cause(last))

    def _advance(self, touched: Touched, cause: Cause) -> tuple[Signal, ...]:
        batch = advance(self.state, touched)
        after = observe(self.state, batch, self.situation)
        assert after == observe(self.state), "the re-read situation differs from a full read"
        signals = derive_signals(self.situation, after, cause)
        self.state.written()
        self.situation = after
        self.log.extend(signals)
        return signals

    def check_in(self, value: float, at: datetime, goal_id: UUID = GOAL) -> LogProgress:
        """ana's check-in on the deals key result."""
        return LogProgress(
            actor="ana", occurred_at=at, goal_id=goal_id, kr_id="deals", value=value, confidence=0.7
        )


def only(signals: tuple[Signal, ...], kind: SignalKind) -> Signal:
    """The one signal of a kind (fails when there is none or several)."""
    found = [s for s in signals if s.kind is kind]
    assert len(found) == 1, f"expected one {kind.value}, got {kinds(signals)}"
    return found[0]


def day_steps(events: list[Event]) -> list[Signal]:
    """The signals of the live views stepped one business day at a time over ``events`` (a
    step ends before the first event dated on a later day than any seen, and at the end):
    the oracle of a worker's catch-up in one batch, computed from scratch at every step (no
    re-reading from the step before)."""
    state = LiveState()
    situation = Situation.empty()
    found: list[Signal] = []
    run: list[Event] = []
    position = 0

    def step() -> None:
        nonlocal situation
        if not run:
            return
        state.fold(run, position)
        touched = Touched()
        touched.note(run)
        advance(state, touched)
        after = observe(state)
        found.extend(derive_signals(situation, after, Cause(position)))
        state.written()
        situation = after
        run.clear()

    latest = None
    for event in events:
        if latest is not None and event.occurred_at.date() > latest.date():
            step()
        run.append(event)
        position += 1
        latest = event.occurred_at if latest is None else max(latest, event.occurred_at)
    step()
    return found
