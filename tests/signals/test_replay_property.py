"""Signals are the differences of consecutive live views: properties over random histories
applied in random batches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import event, given, settings
from hypothesis import strategies as st

from execution_core import Event, Owner
from execution_core.signals import Cause, Signal, SignalKind, Situation, derive_signals, observe
from execution_core.views import Ledger, scoreboard
from execution_core.views.formulas import Health
from execution_core.views.live import LiveState, Touched, advance
from tests.signals.support import caught_up, ticked
from tests.views.scenario import History
from tests.views.strategies import Op, Player, ops

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]
HEALTH_KINDS = {
    SignalKind.TURNED_AT_RISK,
    SignalKind.TURNED_OFF_TRACK,
    SignalKind.BACK_ON_TRACK,
    SignalKind.WENT_STALE,
    SignalKind.NOT_STARTED,
}
_TURNED = {
    Health.AT_RISK: SignalKind.TURNED_AT_RISK,
    Health.OFF_TRACK: SignalKind.TURNED_OFF_TRACK,
    Health.STALE: SignalKind.WENT_STALE,
    Health.NOT_STARTED: SignalKind.NOT_STARTED,
}

Change = tuple[SignalKind, UUID, str | None, str]


def _played(operations: list[Op]) -> list[Event]:
    history = History()
    player = Player(history)
    for op in operations:
        player.play(op)
    return history.execution.history()


def _cuts(events: Sequence[Event], sizes: list[int]) -> list[int]:
    """Batch ends: the drawn sizes, then the rest in one batch."""
    cuts: list[int] = []
    done = 0
    for size in sizes:
        if done >= len(events):
            break
        done = min(len(events), done + size)
        cuts.append(done)
    if done < len(events):
        cuts.append(len(events))
    return cuts


def _health_of(events: Sequence[Event]) -> dict[UUID, tuple[str, Health]]:
    """Each goal's status and health on the classic scoreboard of its cycle, read at the
    latest business time capped to the cycle's end, for every cycle not closed then."""
    ledger = Ledger.of(events)
    latest = max(e.occurred_at for e in events)
    found: dict[UUID, tuple[str, Health]] = {}
    for cycle in ledger.cycles.values():
        if cycle.state.status(latest) == "closed":
            continue
        board = scoreboard(ledger, cycle.id, at=min(latest, cycle.ends_at))
        for goal_id, row in board.rows.items():
            found[goal_id] = (row.status, row.health)
    return found


def _expected_turns(
    before: dict[UUID, tuple[str, Health]], after: dict[UUID, tuple[str, Health]]
) -> set[Change]:
    """The health signals the documented rule gives between two classic scoreboards."""
    changes: set[Change] = set()
    for goal_id, (status, health) in after.items():
        if status != "active":
            continue
        old = before.get(goal_id)
        was = old[1] if old is not None and old[0] == "active" else None
        if was == health:
            continue
        if health == Health.ON_TRACK:
            if was is not None:
                changes.add((SignalKind.BACK_ON_TRACK, goal_id, was.value, health.value))
        else:
            changes.add((_TURNED[health], goal_id, None if was is None else was.value, health))
    return changes


def _turns(signals: Sequence[Signal]) -> set[Change]:
    return {
        (s.kind, s.goal_id, s.was, s.now)
        for s in signals
        if s.kind in HEALTH_KINDS and s.goal_id is not None and s.now is not None
    }


@settings(deadline=None, max_examples=40)
@given(
    operations=ops(EVERYONE, PEOPLE),
    sizes=st.lists(st.integers(min_value=1, max_value=12), max_size=8),
)
def test_signals_are_the_differences_of_consecutive_live_views(
    operations: list[Op], sizes: list[int]
) -> None:
    """Property: for a random history applied in random batches, (1) the situation re-read
    from the one before each batch equals one read from scratch, and the signals of both
    pairs are equal; (2) the health signals of each batch equal the health changes between
    the classic scoreboards read before and after it (oracle: ``views.scoreboard``, with the
    documented rule); (3) deriving again gives the same signals and keys."""
    events = _played(operations)
    state = LiveState()
    reread = scratch = Situation.empty()
    health: dict[UUID, tuple[str, Health]] = {}
    start = 0
    for end in _cuts(events, sizes):
        batch_events = events[start:end]
        state.fold(batch_events, end)
        touched = Touched()
        touched.note(batch_events)
        batch = advance(state, touched)
        after_reread = observe(state, batch, reread)
        after_scratch = observe(state)
        assert after_reread == after_scratch
        cause = Cause(end)
        signals = derive_signals(reread, after_reread, cause)
        again = derive_signals(scratch, after_scratch, cause)
        assert signals == again
        assert [s.key for s in signals] == [s.key for s in again]
        now_health = _health_of(events[:end])
        turns = _turns(signals)
        assert turns == _expected_turns(health, now_health)
        event(f"health signals in a batch: {min(len(turns), 3)}+")
        health = now_health
        state.written()
        reread, scratch = after_reread, after_scratch
        start = end


@settings(deadline=None, max_examples=60)
@given(
    operations=ops(EVERYONE, PEOPLE),
    data=st.data(),
)
def test_a_signal_survives_its_json_round_trip(operations: list[Op], data: st.DataObject) -> None:
    """Property: every signal derived from a random history equals ``Signal.from_dict`` of its
    ``to_dict()`` (through JSON text), key included (oracle: the signal itself)."""
    events = _played(operations)
    state = LiveState()
    before = Situation.empty()
    found: list[Signal] = []
    step = data.draw(st.integers(min_value=1, max_value=10))
    for end in range(step, len(events) + step, step):
        chunk = events[end - step : end]
        if not chunk:
            break
        state.fold(chunk, end)
        touched = Touched()
        touched.note(chunk)
        after = observe(state, advance(state, touched), before)
        found.extend(derive_signals(before, after, Cause(end, _tick(data))))
        state.written()
        before = after
    for signal in found:
        copy = Signal.from_dict(json.loads(signal.to_json()))
        assert copy == signal
        assert copy.key == signal.key


def _tick(data: st.DataObject) -> datetime | None:
    moment: datetime | None = data.draw(st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))))
    return moment


@settings(deadline=None, max_examples=30)
@given(
    operations=ops(EVERYONE, PEOPLE),
    ticks=st.lists(st.integers(min_value=-20, max_value=60), min_size=1, max_size=8),
)
def test_ticks_re_read_what_a_read_from_scratch_gives(
    operations: list[Op], ticks: list[int]
) -> None:
    """Property: after a random history, a run of clock ticks (forward, and now and then
    back) leaves the re-read situation equal to one read from scratch at every tick, and the
    signals of both pairs equal (oracle: the read from scratch)."""
    events = _played(operations)
    state, reread = caught_up(events)
    scratch = reread
    assert state.now is not None
    at = state.now
    for days in ticks:
        at += timedelta(days=days)
        after_reread = observe(state, ticked(state, at), reread)
        after_scratch = observe(state)
        assert after_reread == after_scratch
        cause = Cause(len(events), at)
        assert derive_signals(reread, after_reread, cause) == derive_signals(
            scratch, after_scratch, cause
        )
        state.written()
        reread, scratch = after_reread, after_scratch
