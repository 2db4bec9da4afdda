"""A clock tick re-times the live boards' rows instead of re-reading them, and re-reads only the
goals whose marks time alone can change: the instants where re-timing alone would be wrong, and
properties over random histories and policies that the ticked boards and situation equal the
ones read from scratch."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from execution_core import AdoptPolicy, Event, Policy
from execution_core.cycles.commands import PolicySpec
from execution_core.signals import Cause, SignalKind, derive_signals, observe
from execution_core.views.live import BoardChange, Touched, advance, instant
from execution_core.views.scoreboard import Scoreboard
from tests.signals.support import CYCLE_ID, Watch, caught_up, on_line, only, ticked
from tests.signals.test_kinds import deals_goal
from tests.support import day
from tests.views.scenario import History, d
from tests.views.strategies import Op, Player, ops

EVERYONE = ["ana", "ben", "max"]


def _board_is_a_build(watch: Watch) -> None:
    """Every board of the watched state equals one built from scratch at its instant."""
    state = watch.state
    assert state.now is not None
    for cycle in state.ledger.cycles.values():
        board = state.boards[cycle.id]
        assert board == Scoreboard.build(state.ledger, cycle.id, at=instant(cycle, state.now))


def test_a_forecast_withheld_until_an_elapsed_share_counts_once_the_clock_passes_it() -> None:
    """Given a policy that withholds forecasts until 30 % of the cycle elapsed (and a goal
    goes stale only after 100 cadences) and a first check-in on an off-track line, when the
    clock ticks to day 90 the goal still reads on track, and when it ticks past the share the
    goal turns off track with no new fact, as a board read from scratch shows it."""
    policy = PolicySpec.model_validate({"forecast_min_elapsed": 0.3, "stale_cadences": 100.0})
    watch = Watch().given_org(
        AdoptPolicy(cycle_id=CYCLE_ID, policy=policy, actor="cleo", occurred_at=day(0)),
        deals_goal(),
    )
    watch.given(watch.check_in(on_line(0.3, day(7)), day(7)))
    assert SignalKind.TURNED_OFF_TRACK not in {s.kind for s in watch.when_tick(day(90))}
    _board_is_a_build(watch)
    signal = only(watch.when_tick(day(120)), SignalKind.TURNED_OFF_TRACK)
    assert (signal.was, signal.now) == ("on track", "off track")
    _board_is_a_build(watch)


def test_the_comparison_catches_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A board that marks no goal turned by time alone (a planted bug) leaves a goal that
    went stale between two ticks (its check-in overdue at both) with its old mark, which the
    comparison with a full read catches."""
    module = importlib.import_module("execution_core.views.scoreboard")  # the name is a function's
    monkeypatch.setattr(module, "turning", lambda *_, **__: [])
    watch = Watch().given_org(deals_goal())
    watch.given(watch.check_in(on_line(1.0, day(7)), day(7)))
    watch.when_tick(day(18))
    with pytest.raises(AssertionError, match="differs from a full read"):
        watch.when_tick(day(22))


def test_a_tick_re_reads_only_the_goals_time_alone_can_change() -> None:
    """Given a goal checked in on day 7 (weekly cadence, stale after two), when the clock
    ticks from day 8 to day 9 the goal's health cannot change and its row is not marked;
    when it ticks past day 21 it is marked (and turns stale)."""
    watch = Watch().given_org(deals_goal())
    watch.given(watch.check_in(on_line(1.0, day(7)), day(7)))
    watch.when_tick(day(8))
    watch.state.tick(day(9))
    (change,) = advance(watch.state, Touched()).boards
    assert change.marked == []
    assert len(change.changed) == 1  # the pace moved: the row changed, its health did not
    watch.state.written()
    watch.state.tick(day(22))
    (change,) = advance(watch.state, Touched()).boards
    assert change.marked == [deals_goal().goal_id]
    _board_is_a_build(watch)


policies = st.builds(
    lambda stale, started, elapsed, grace, uncoached: Policy(
        stale_cadences=stale,
        not_started_expected=started,
        forecast_min_elapsed=elapsed,
        checkin_grace_days=grace,
        uncoached_days=uncoached,
    ),
    st.sampled_from([0.5, 1.0, 2.0, 4.0]),
    st.sampled_from([0.0, 0.1, 0.3]),
    st.sampled_from([0.0, 0.0, 0.2, 0.5]),
    st.integers(0, 5),
    st.integers(1, 20),
)


def _played(operations: list[Op], policy: Policy, adopted: float, cut: float) -> list[Event]:
    """The history with every operation's day (its last argument, up to 400) scaled into the
    first ``cut`` days of the cycle, so the clock ticks from inside it, where time alone moves
    the views."""
    history = History()
    player = Player(history)
    history.execution.adopt_policy(CYCLE_ID, policy, actor="cleo", occurred_at=d(adopted))
    for op in operations:
        player.play(Op(op.kind, (*op.args[:-1], round(op.args[-1] * cut / 400.0))))
    return history.execution.history()


def _check_marked(change: BoardChange) -> None:
    """A re-timed board's rows not marked kept their health (oracle: the rows before and
    after, read in full)."""
    if change.rebuilt or change.old is None:
        event("rebuilt")
        return
    if change.marked is None:
        event("marked: any")
        return
    marked = set(change.marked)
    turned = {
        g
        for g, row in change.new.rows.items()
        if g in change.old.rows and change.old.rows[g].health != row.health
    }
    event(f"turned by time alone: {min(len(turned), 2)}+")
    assert turned <= marked


@settings(deadline=None, max_examples=150)
@given(
    operations=ops(EVERYONE, EVERYONE),
    policy=policies,
    adopted=st.sampled_from([0.0, 5.0]),
    cut=st.integers(min_value=10, max_value=300).map(float),
    ticks=st.lists(
        st.one_of(
            st.integers(min_value=0, max_value=72), st.integers(min_value=-240, max_value=1440)
        ),
        min_size=1,
        max_size=16,
    ),
)
def test_ticked_boards_and_situations_equal_ones_read_from_scratch(
    operations: list[Op], policy: Policy, adopted: float, cut: float, ticks: list[int]
) -> None:
    """Property: under a random policy (stale, not-started and forecast thresholds, grace
    and uncoached days), a run of clock ticks (hours forward, now and then back) after a
    random history leaves (1) every board equal to ``Scoreboard.build`` at its instant
    (oracle: the build from scratch); (2) every goal whose health time alone turned marked
    (oracle: the rows before and after, read in full); (3) the situation re-read from the one
    before equal to one read from scratch, with the same signals (oracle: ``observe`` with no
    situation before)."""
    events = _played(operations, policy, adopted, cut)
    state, reread = caught_up(events)
    scratch = reread
    assert state.now is not None
    at = state.now
    for hours in ticks:
        at += timedelta(hours=hours)
        batch = ticked(state, at)
        for change in batch.boards:
            _check_marked(change)
        for cycle in state.ledger.cycles.values():
            built = Scoreboard.build(state.ledger, cycle.id, at=instant(cycle, at))
            assert state.boards[cycle.id] == built
        after_reread = observe(state, batch, reread)
        after_scratch = observe(state)
        assert after_reread == after_scratch
        cause = Cause(len(events), at)
        assert derive_signals(reread, after_reread, cause) == derive_signals(
            scratch, after_scratch, cause
        )
        state.written()
        reread, scratch = after_reread, after_scratch
