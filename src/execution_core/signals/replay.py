"""A history's signals, as a catch-up logs them: the live views stepped one business day at a
time (the rule the projection worker follows, here and in :func:`step_ends`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from execution_core.event import Event
from execution_core.ports import Recorded
from execution_core.signals.derive import derive_signals
from execution_core.signals.signal import Cause, Signal
from execution_core.signals.situation import Situation, observe
from execution_core.views.live.state import LiveState, advance
from execution_core.views.live.touched import Touched

__all__ = ["replay_signals", "step_ends"]


def step_ends(events: Sequence[Event], latest: datetime | None) -> list[int]:
    """Where a batch of events is cut into business-day steps: the index of each event dated
    on a later day than any seen before it (``latest``: the newest business time seen before
    the batch; 0 when the first event starts a new day). A backdated event joins the step it
    arrives in."""
    ends: list[int] = []
    day = None if latest is None else latest.date()
    for i, event in enumerate(events):
        when = event.occurred_at.date()
        if day is not None and when > day:
            ends.append(i)
        if day is None or when > day:
            day = when
    return ends


def replay_signals(recorded: Iterable[Recorded]) -> list[Signal]:
    """The signals of a history read in recorded order, the live views stepped one business
    day at a time and once at the end (what a worker catching up in one pass logs)."""
    history = list(recorded)
    events = [r.event for r in history]
    state = LiveState()
    before = Situation.empty()
    found: list[Signal] = []
    start = 0
    for end in [*step_ends(events, None), len(events)]:
        if end <= start:
            continue
        step = events[start:end]
        position = history[end - 1].position
        state.fold(step, position)
        touched = Touched()
        touched.note(step)
        after = observe(state, advance(state, touched), before)
        found.extend(derive_signals(before, after, Cause(position)))
        state.written()
        before = after
        start = end
    return found
