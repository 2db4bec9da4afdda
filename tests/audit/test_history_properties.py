"""Properties of as_of, as_at and the checkpoints over random histories with moving clocks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, ExecutionError
from execution_core import views as v
from execution_core.views import Ledger
from execution_core.views.history import LedgerHistory, stream_state
from tests.audit.timed import DECIDERS, PEOPLE, Timed, instants, timed_histories
from tests.support import CYCLE_VIEWS
from tests.views.scenario import CYCLE_ID, d

LIVE = CYCLE_VIEWS


def _outcome(view: Callable[..., object], *args: object, **kwargs: object) -> object:
    """The view, or the error it raised (a ledger that does not know the cycle yet)."""
    try:
        return view(*args, **kwargs)
    except ExecutionError as error:
        return (type(error), str(error))


def _every_view(ledger: Ledger, at: datetime) -> list[object]:
    values = [_outcome(view, ledger, CYCLE_ID, at=at) for view in LIVE]
    for person in PEOPLE:
        for sheet in (v.appraisal_sheet, v.appraisal_trace):
            values.append(_outcome(sheet, ledger, CYCLE_ID, person, viewer="hana", at=at))
        values.append(_outcome(v.rating_history, ledger, person, viewer="hana", at=at))
    return values


def _near(draw: st.DrawFn, timed: Timed) -> datetime:
    """A recorded time of the history, a microsecond either side of one, or any instant."""
    times = timed.recorded_times
    return draw(
        st.one_of(
            st.sampled_from(times).flatmap(
                lambda t: st.sampled_from([t - timedelta(microseconds=1), t, t + timedelta(1)])
            ),
            instants,
        )
    )


@st.composite
def _history_and_time(draw: st.DrawFn) -> tuple[Timed, datetime]:
    timed = draw(timed_histories())
    return timed, _near(draw, timed)


checkpointing = st.tuples(st.integers(1, 12), st.integers(2, 5))
"""Checkpoint spacing and how many to keep: small, so thinning happens on short histories."""


@settings(max_examples=30)
@given(_history_and_time(), checkpointing, instants)
def test_as_of_equals_the_views_over_the_events_recorded_by_then(
    drawn: tuple[Timed, datetime], spacing: tuple[int, int], at: datetime
) -> None:
    """Property: the ledger as of T from the checkpoints equals the ledger folded from only the
    events recorded by T, and so does every view read from it, as at T and as at any business
    time (oracle: the prefix of the history recorded by T, folded from scratch)."""
    timed, t = drawn
    every, keep = spacing
    history = LedgerHistory.of(timed.events, every=every, keep=keep)
    assert len(history.checkpoints) <= keep + 1
    prefix = Ledger.of([event for event in timed.events if event.recorded_at <= t])
    answer = history.as_of(t)
    assert answer == prefix
    assert answer == Ledger.of(timed.events, as_of=t)
    for when in (t, at):
        assert _every_view(answer, when) == _every_view(prefix, when)


@settings(max_examples=30)
@given(timed_histories(), st.randoms(use_true_random=False), st.data())
def test_as_of_holds_when_recorded_times_are_out_of_position_order(
    timed: Timed, rng: random.Random, data: st.DataObject
) -> None:
    """Property: with recorded times shuffled among positions (writers with skewed clocks),
    the checkpoints still answer as of T exactly as the fold of the events recorded by T
    (oracle: Ledger.of over the filtered events)."""
    times = [event.recorded_at for event in timed.events]
    rng.shuffle(times)
    events = [
        attrs.evolve(event, recorded_at=time)
        for event, time in zip(timed.events, times, strict=True)
    ]
    every = data.draw(st.integers(1, 8))
    history = LedgerHistory.of(events, every=every, keep=3)
    for _ in range(4):
        t = data.draw(st.sampled_from(times)) + data.draw(
            st.sampled_from([timedelta(0), timedelta(microseconds=-1)])
        )
        assert history.as_of(t) == Ledger.of([e for e in events if e.recorded_at <= t])


@settings(max_examples=30)
@given(timed_histories(), st.integers(min_value=5, max_value=420).map(d))
def test_as_at_equals_the_views_over_the_events_that_had_happened_by_then(
    timed: Timed, at: datetime
) -> None:
    """Property: every view as at business time T (once the cycle is open) over the whole
    history equals the same view over only the events that had happened by T, late entries
    included (oracle: the history filtered by business time, folded from scratch)."""
    everything = Ledger.of(timed.events)
    happened = Ledger.of([event for event in timed.events if event.occurred_at <= at])
    assert _every_view(everything, at) == _every_view(happened, at)


@settings(max_examples=30)
@given(timed_histories(), st.data())
def test_a_stream_state_as_of_t_is_the_state_the_system_had_at_t(
    timed: Timed, data: st.DataObject
) -> None:
    """Property: every stream's state as of a recorded time T equals the state the store
    returned right after the last command recorded at T (oracle: the states captured while the
    history was played)."""
    t = data.draw(st.sampled_from(sorted(timed.states)))
    by_stream: dict[Any, list[Event]] = {}
    for event in timed.events:
        by_stream.setdefault(event.stream_id, []).append(event)
    for stream_id, state in timed.states[t].items():
        stream = by_stream[stream_id][0].name.split(".", maxsplit=1)[0]
        assert stream_state(by_stream[stream_id], DECIDERS[stream], as_of=t) == state
