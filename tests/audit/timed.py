"""Random histories whose events are recorded at moving recorded times, for the bitemporal
properties: the view operations of ``tests.views.strategies`` played through ``Execution`` while
the store's clock advances by a drawn step before each operation (zero: the same instant).

While playing, the state of every stream is captured after each operation, keyed by the clock:
what the system knew at that recorded time, the oracle of the ``as_of`` properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from execution_core import Event, Execution, Owner
from execution_core.decider import Decider
from execution_core.streams import APPRAISAL, COACHING, CYCLE, GOAL, ORGANIZATION, STRATEGY
from tests.views.scenario import History, d
from tests.views.strategies import Op, Player, ops

__all__ = ["DECIDERS", "EVERYONE", "PEOPLE", "Timed", "instants", "timed_histories"]

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]
STEPS = [timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=9)]


@attrs.frozen
class Timed:
    """A played history: its events, and every stream's state at each recorded time."""

    events: tuple[Event, ...]
    states: dict[datetime, dict[UUID, object]]
    """The state of every stream known after the last operation recorded at each instant."""

    @property
    def recorded_times(self) -> list[datetime]:
        """The distinct recorded times, in order."""
        return sorted({event.recorded_at for event in self.events})


def _streams(events: Sequence[Event]) -> dict[UUID, str]:
    return {event.stream_id: event.name.split(".", maxsplit=1)[0] for event in events}


def _play(operations: list[Op], steps: list[timedelta]) -> Timed:
    history = History()
    clock = history.spec.clock
    clock.now = d(40)
    x = history.execution
    player = Player(history)
    states: dict[datetime, dict[UUID, object]] = {}
    for number, op in enumerate(operations):
        clock.now += steps[number % len(steps)]
        player.play(op)
        events = x.history()
        snapshot: dict[UUID, object] = {}
        for stream_id, stream in _streams(events).items():
            snapshot[stream_id] = _load(x, stream_id, stream)
        states[clock.now] = snapshot
    return Timed(tuple(x.history()), states)


DECIDERS: dict[str, Decider[Any]] = {
    "organization": ORGANIZATION,
    "strategy": STRATEGY,
    "cycle": CYCLE,
    "goal": GOAL,
    "coaching": COACHING,
    "appraisal": APPRAISAL,
}
"""The decider of each kind of stream."""


def _load(x: Execution, stream_id: UUID, stream: str) -> object:
    return x.store.load(stream_id, DECIDERS[stream])


def timed_histories(*, policies: bool = True) -> Any:
    """A strategy for played histories with moving recorded times."""
    return st.builds(
        _play,
        st.lists(ops(EVERYONE, PEOPLE, policies=policies), min_size=1, max_size=3).map(
            lambda parts: [op for part in parts for op in part]
        ),
        st.lists(st.sampled_from(STEPS), min_size=1, max_size=4),
    )


instants = st.integers(min_value=0, max_value=420).map(d)
"""Business or recorded instants from the cycle start to well after its end."""
