"""The fast paths of a long catch-up, against the plain folds and readers they stand in for:
the LedgerBuilder (folds in place, check-ins written into their goals when frozen) and the
radar's backward walk over a goal's timeline (``trace_turn``)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, ExecutionError, Owner, Policy
from execution_core import views as v
from execution_core.views import Ledger, LedgerBuilder
from execution_core.views.radar import (
    Turn,
    coached_since_turning,
    goals_of_person,
    trace_turn,
    uncoached_goals,
)
from execution_core.views.reading import Reader
from tests.views.scenario import CYCLE_ID, History, d, goal_id
from tests.views.strategies import Op, Player, ops

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]
instants = st.integers(min_value=0, max_value=400).map(d)
policies = st.one_of(st.none(), st.just(Policy(on_track=0.85, at_risk=0.6)))
histories = st.one_of(ops(EVERYONE, PEOPLE), ops(EVERYONE, PEOPLE, realigning=True))


def _played(operations: list[Op]) -> list[Event]:
    history = History()
    player = Player(history)
    for op in operations:
        player.play(op)
    return history.execution.history()


@given(histories, st.lists(st.integers(min_value=0, max_value=6), max_size=12))
def test_a_builder_frozen_now_and_then_gives_the_ledger_of_the_events_so_far(
    operations: list[Op], cuts: list[int]
) -> None:
    """Property: folding a random history into a LedgerBuilder in random pieces, frozen after
    each, gives Ledger.of the events so far every time, and a ledger given out earlier does not
    change while the builder folds on (oracle: Ledger.of over each prefix)."""
    events = _played(operations)
    builder = LedgerBuilder()
    given_out: list[tuple[int, Ledger]] = []
    done = 0
    for cut in [*cuts, len(events)]:
        builder.apply_all(events[done : done + cut])
        done = min(len(events), done + cut)
        assert builder.position == done
        given_out.append((done, builder.freeze()))
    assert builder.freeze() is given_out[-1][1], "nothing folded since: the same ledger"
    for count, ledger in given_out:
        assert ledger == Ledger.of(events[:count])


def test_a_builder_continues_from_a_ledger() -> None:
    """Given the ledger of a history's first half, when a builder started from it folds the
    second half one event at a time, then it freezes into the ledger of the whole history."""
    history = History()
    history.goal(1, "ana", at=1)
    for day in range(2, 12):
        history.log(1, float(day * 5), day)
    events = history.execution.history()
    half = len(events) // 2
    builder = LedgerBuilder(Ledger.of(events[:half]))
    for event in events[half:]:
        builder.apply(event)
    assert builder.freeze() == Ledger.of(events)


@st.composite
def _turning_history(draw: st.DrawFn) -> tuple[list[Event], datetime]:
    """Ana's goal 1 (a key result of its own) and goal 2 (rolling up goal 3), weekly check-ins
    that move their forecasts across the bands, coaching of Ana (about a goal or in general),
    and policies adopted on the way."""
    history = History()
    x = history.execution
    history.goal(1, "ana", at=0)
    history.goal(2, "ana", key_results=(), at=0)
    history.goal(3, "ana", parent=2, at=draw(st.sampled_from([0, 30])))
    values = st.sampled_from([0.0, 5.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    weeks = draw(st.integers(min_value=1, max_value=40))
    for week in range(1, weeks + 1):
        history.log(1, draw(values), 7 * week)
        history.log(3, draw(values), 7 * week + 1)
    moments = st.integers(min_value=max(1, 7 * weeks - 60), max_value=7 * weeks + 5)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(st.sampled_from(["coach 1", "coach 3", "coach", "policy"]))
        day = draw(moments)
        with contextlib.suppress(ExecutionError):
            if kind == "policy":
                on_track = draw(st.sampled_from([0.5, 0.7, 0.9]))
                policy = Policy(on_track=on_track, at_risk=on_track - 0.3)
                x.adopt_policy(CYCLE_ID, policy, actor="cleo", occurred_at=d(day))
            else:
                about = None if kind == "coach" else goal_id(int(kind[-1]))
                x.give_coaching("ana", goal_id=about, actor="max", occurred_at=d(day))
    return x.history(), d(7 * weeks + draw(st.integers(min_value=1, max_value=10)))


@settings(max_examples=150)
@given(
    st.one_of(st.tuples(histories.map(_played), instants), _turning_history()),
    policies,
    st.sampled_from([None, *range(0, 400, 20)]),
)
def test_the_backward_walk_judges_every_flagged_goal_as_the_full_timeline_does(
    case: tuple[list[Event], datetime], policy: Policy | None, coached_day: int | None
) -> None:
    """Property: for every person's goal at risk or off track, coached_since_turning says it is
    coached exactly when uncoached_goals leaves it off the list, whether it starts afresh or
    from a turn learnt for another question (a coaching on a drawn day); and trace_turn with no
    bound finds the turning instant uncoached_goals reports (oracle: the forward walk over the
    whole timeline)."""
    events, at = case
    ledger = Ledger.of(events)
    cycle = ledger.cycles.get(CYCLE_ID)
    if cycle is None:
        return
    in_force = policy or cycle.policy_at(at)
    rows = list(Reader(ledger, cycle, at, in_force).rows().values())
    org = ledger.organization_at(at)
    for person in PEOPLE:
        journal = ledger.journal(person)
        sessions = journal.sessions_by(at)
        goals = goals_of_person(org, person, rows)
        listed = {
            g.goal_id: g.turned_at
            for g in uncoached_goals(
                ledger, cycle, journal=journal, goals=goals, at=at, policy=policy
            )
        }
        for row in goals:
            if row.status != "active" or row.health not in (v.Health.AT_RISK, v.Health.OFF_TRACK):
                continue
            until = None if coached_day is None else min(at, d(coached_day))
            earlier = trace_turn(ledger, cycle, row.goal_id, at=at, policy=policy, until=until)
            for known in (None, earlier):
                coached, _ = coached_since_turning(
                    ledger, cycle, row.goal_id, sessions=sessions, at=at, policy=policy, known=known
                )
                assert coached == (row.goal_id not in listed)
            exact = trace_turn(ledger, cycle, row.goal_id, at=at, policy=policy, until=None)
            if row.goal_id in listed:
                assert exact == Turn(listed[row.goal_id], complete=True)
