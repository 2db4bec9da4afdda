"""Properties of the views over random histories played through ``Execution``."""

from __future__ import annotations

from datetime import datetime
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, Owner, Policy
from execution_core import views as v
from execution_core.views import Ledger, Scoreboard
from tests.support import CYCLE_VIEWS
from tests.views.scenario import CYCLE_ID, History, d
from tests.views.strategies import Op, Player, ops

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]
instants = st.integers(min_value=0, max_value=400).map(d)
policies = st.one_of(st.none(), st.just(Policy(on_track=0.85, at_risk=0.6)))


def _played(operations: list[Op]) -> list[Event]:
    history = History()
    player = Player(history)
    for op in operations:
        player.play(op)
    return history.execution.history()


LIVE = CYCLE_VIEWS


def _every_view(ledger: Ledger, at: datetime, policy: Policy | None) -> list[object]:
    values: list[object] = [view(ledger, CYCLE_ID, at=at, policy=policy) for view in LIVE]
    for person in PEOPLE:
        values.append(v.appraisal_sheet(ledger, CYCLE_ID, person, viewer="hana", at=at))
        values.append(v.appraisal_trace(ledger, CYCLE_ID, person, viewer="hana", at=at))
        values.append(v.rating_history(ledger, person, viewer="hana", at=at, policy=policy))
    return values


@settings(max_examples=200)
@given(st.one_of(ops(EVERYONE, PEOPLE), ops(EVERYONE, PEOPLE, realigning=True)), instants, policies)
def test_the_scoreboard_built_incrementally_equals_the_one_built_from_scratch(
    operations: list[Op], at: datetime, policy: Policy | None
) -> None:
    """Property: folding Scoreboard.apply event by event equals Scoreboard.build on the ledger
    at every step (oracle: the from-scratch build), on mixed histories and on histories that
    realign goals between rollups."""
    ledger = Ledger()
    board = Scoreboard.build(ledger, CYCLE_ID, at=at, policy=policy)
    for event in _played(operations):
        ledger = ledger.apply(event)
        board = board.apply(event, ledger)
        assert board == Scoreboard.build(ledger, CYCLE_ID, at=at, policy=policy)


@given(ops(EVERYONE, PEOPLE), instants, policies)
def test_every_view_built_incrementally_equals_the_view_built_from_scratch(
    operations: list[Op], at: datetime, policy: Policy | None
) -> None:
    """Property: the ledger folded event by event equals Ledger.of, and every view read from it
    equals the view read from the ledger folded at once (oracle: the from-scratch fold)."""
    events = _played(operations)
    stepwise = reduce(Ledger.apply, events, Ledger())
    at_once = Ledger.of(events)
    assert stepwise == at_once
    assert _every_view(stepwise, at, policy) == _every_view(at_once, at, policy)


def _within(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


@given(ops(EVERYONE, PEOPLE), instants)
def test_every_progress_and_rollup_score_stays_within_zero_and_one(
    operations: list[Op], at: datetime
) -> None:
    """Property: progress, forecast and expected pace on the scoreboard, every node of the
    alignment tree, final scores and attainments, and honesty scores lie within 0..1 (oracle: the
    bounds); raw progress may exceed them."""
    ledger = Ledger.of(_played(operations))
    for row in v.scoreboard(ledger, CYCLE_ID, at=at).rows.values():
        for value in (row.progress, row.forecast, row.expected, row.confidence):
            assert _within(value)
    tree = v.alignment_tree(ledger, CYCLE_ID, at=at)
    for top in (tree.strategy, *tree.unaligned):
        assert all(_within(node.progress) for node in top.walk())
    for person in PEOPLE:
        sheet = v.appraisal_sheet(ledger, CYCLE_ID, person, viewer="hana", at=at)
        assert _within(sheet.attainment)
        assert all(_within(g.final_score) for g in sheet.goals)
    for honest in v.target_honesty(ledger, CYCLE_ID, at=at).rows:
        assert _within(honest.original_score)
        assert _within(honest.adjusted_score)


@st.composite
def _two_histories(draw: st.DrawFn) -> tuple[list[tuple[Op, int]], list[tuple[Op, int]]]:
    """Ana's operations alone, and the same interleaved with other people's operations."""
    mine = [(op, 0) for op in draw(ops(["ana"], ["ana"], policies=False))]
    theirs = [
        (op, 1)
        for op in draw(ops(["ben", "max", Owner("unit", "sales")], ["ben", "max"], policies=False))
        if op.kind != "reassign"
    ]
    slots = draw(st.permutations([0] * len(mine) + [1] * len(theirs)))
    queues = [list(mine), list(theirs)]
    merged = [queues[slot].pop(0) for slot in slots]
    return mine, merged


@given(_two_histories(), instants)
def test_a_persons_appraisal_depends_only_on_their_goals_ratings_and_the_policy(
    histories: tuple[list[tuple[Op, int]], list[tuple[Op, int]]], at: datetime
) -> None:
    """Property: ana's appraisal sheet is the same whether or not other people's goals,
    check-ins, coaching and ratings are interleaved with her history (oracle: her history
    alone)."""
    sheets = []
    for operations in histories:
        history = History()
        player = Player(history)
        for op, namespace in operations:
            player.play(op, namespace)
        ledger = Ledger.of(history.execution.history())
        sheets.append(v.appraisal_sheet(ledger, CYCLE_ID, "ana", viewer="hana", at=at))
    alone, among_others = sheets
    assert alone == among_others
