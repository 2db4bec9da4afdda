"""The live projections (execution_core.views.live) in memory, no database: applying a history
in batches gives the rows a build from the ledger of the same events gives, and the rows of the
classic views (the tables' oracle)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from execution_core import Event, Owner
from execution_core.ports import Recorded
from execution_core.views import Ledger
from execution_core.views.live import PROJECTIONS, LiveViews, RowChanges
from execution_core.views.live import radar as live_radar
from execution_core.views.live import state as live_state
from tests.materialize.oracle import expected, latest
from tests.views.scenario import History, d, goal_id
from tests.views.strategies import Op, Player, ops

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]

Table = dict[tuple[Any, ...], dict[str, Any]]


def _played(operations: list[Op]) -> list[Event]:
    history = History()
    player = Player(history)
    for op in operations:
        player.play(op)
    return history.execution.history()


def _recorded(events: Sequence[Event]) -> list[Recorded]:
    return [Recorded(position, event) for position, event in enumerate(events, start=1)]


def _write(table: Table, view: str, changes: RowChanges) -> None:
    """Apply row changes to an in-memory table, as the worker's recorders do in SQL."""
    projection = PROJECTIONS[view]
    columns, key = projection.columns, projection.key
    if changes.truncate:
        table.clear()
    for cycle_id in changes.clear_cycles:
        for k in [k for k, row in table.items() if row["cycle_id"] == cycle_id]:
            del table[k]
    for k in changes.delete:
        table.pop(tuple(k), None)
    if changes.evaluated_at is not None:
        for row in table.values():
            row["evaluated_at"] = changes.evaluated_at
    _move_in_place(table, changes)
    for values in changes.upsert:
        row = dict(zip(columns, values, strict=True))
        table[tuple(row[c] for c in key)] = row


def _move_in_place(table: Table, changes: RowChanges) -> None:
    """Move the rows of the cycles read at a later instant, as one statement a cycle does."""
    for timed in changes.timed:
        for row in table.values():
            if row["cycle_id"] == timed.cycle_id:
                row["evaluated_at"] = timed.at
    for paced in changes.paced:
        for row in table.values():
            if row["cycle_id"] == paced.cycle_id:
                row["evaluated_at"] = paced.at
                row["expected"] = paced.expected
                row["pace_gap"] = row["progress"] - paced.expected


def _as_stored(view: str, table: Table) -> list[dict[str, Any]]:
    """The rows as the oracle states them (lists of ids as text), in key order."""
    rows = []
    for row in table.values():
        stored = dict(row)
        for name in ("uncoached_goals", "overdue_commitments"):
            if name in stored:
                stored[name] = tuple(str(item) for item in stored[name])
        rows.append(stored)
    key = PROJECTIONS[view].key
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))


def _in_batches(events: Sequence[Event], sizes: Sequence[int]) -> dict[str, Table]:
    """The tables after applying ``events`` in batches of ``sizes`` (the rest as one)."""
    live = LiveViews()
    tables: dict[str, Table] = {view: {} for view in PROJECTIONS}
    recorded = _recorded(events)
    done = 0
    for size in [*sizes, len(recorded)]:
        batch = recorded[done : done + size]
        done += len(batch)
        for view, changes in live.apply(batch).items():
            _write(tables[view], view, changes)
    return tables


def _built(events: Sequence[Event]) -> dict[str, Table]:
    """The tables built at once from the ledger of ``events``."""
    at: datetime | None = latest(events) if events else None
    tables: dict[str, Table] = {view: {} for view in PROJECTIONS}
    for view, changes in LiveViews.build(Ledger.of(events), at).rows().items():
        _write(tables[view], view, changes)
    return tables


@settings(deadline=None)
@given(
    operations=st.one_of(ops(EVERYONE, PEOPLE), ops(EVERYONE, PEOPLE, realigning=True)),
    sizes=st.lists(st.integers(min_value=1, max_value=25), max_size=6),
)
def test_batches_of_a_random_history_give_the_rows_of_a_build_from_its_ledger(
    operations: list[Op], sizes: list[int]
) -> None:
    """Property: a random history applied in random batches leaves every projection's rows
    equal to the rows built from the ledger of all its events, and to the classic views' rows
    (oracle: views equal a rebuild; and the pure views, as the tables' oracle reads them)."""
    events = _played(operations)
    batched = _in_batches(events, sizes)
    assert batched == _built(events)
    for view in PROJECTIONS:
        assert _as_stored(view, batched[view]) == expected(events, view), view


@settings(deadline=None, max_examples=30)
@given(operations=ops(EVERYONE, PEOPLE, realigning=True), data=st.data())
def test_every_batch_leaves_the_rows_of_the_events_so_far(
    operations: list[Op], data: st.DataObject
) -> None:
    """Property: after each batch (not only the last), the rows equal a build from the ledger
    of the events applied so far (oracle: views equal a rebuild)."""
    events = _played(operations)
    live = LiveViews()
    tables: dict[str, Table] = {view: {} for view in PROJECTIONS}
    recorded = _recorded(events)
    done = 0
    while done < len(recorded):
        size = data.draw(st.integers(min_value=1, max_value=15))
        batch = recorded[done : done + size]
        done += len(batch)
        for view, changes in live.apply(batch).items():
            _write(tables[view], view, changes)
        assert tables == _built(events[:done])


def _turning_again() -> tuple[Table, Table]:
    """Ana's goal at risk from day 10 (coached on day 5, before it turned), coached on day 20,
    back on track on day 30, at risk again from day 40: the radar applied in two batches, and
    built at once."""
    history = History()
    x = history.execution
    history.goal(1, "ana", at=1)
    x.give_coaching("ana", actor="max", occurred_at=d(5))
    history.log(1, 2.0, 10)
    first = len(x.history())
    x.give_coaching("ana", actor="max", occurred_at=d(20))
    history.log(1, 60.0, 30)
    x.adjust_target(
        goal_id(1), "kr", target=1000.0, reason="stretch", actor="max", occurred_at=d(40)
    )
    events = x.history()
    return _in_batches(events, [first])["radar"], _built(events)["radar"]


def test_a_goal_that_turns_at_risk_again_is_judged_from_its_new_turn() -> None:
    """Given Ana's goal at risk again after coaching, when the radar is applied in two batches,
    then it equals the radar built at once, with the goal uncoached."""
    batched, built = _turning_again()
    assert batched == built
    ana = [row for row in batched.values() if row["person_id"] == "ana"]
    assert ana[0]["uncoached_goals"] == (goal_id(1),)
    assert isinstance(ana[0]["uncoached_goals"][0], UUID)


def test_the_comparison_catches_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given live projections with a planted bug (they never forget when a goal turned at
    risk), when the same story is applied in two batches, then the radar differs from the
    build: the comparison above can fail."""
    monkeypatch.setattr(live_state, "forget_turnings", lambda *_args: None)
    batched, built = _turning_again()
    assert batched != built


def test_a_realignment_that_closes_a_loop_rebuilds_the_board() -> None:
    """Given two goals rolling up, a third aligned to the first, a check-in, and realignments
    that make the first a child of the third (a loop), when the last realignments come in a
    batch of their own, then the rows equal a build (a loop changes the effective parent of
    the goals below the realigned one, so the board is rebuilt, as ``Scoreboard.apply`` does;
    found by the property above on the tables)."""
    operations = [
        Op("goal", ("ana", None, 0.5, [], False, 0.0)),
        Op("goal", ("ana", None, 0.5, [], False, 0.0)),
        Op("goal", ("ana", 1, 0.5, [("up", 0.5)], False, 0.0)),
        Op("log", (0, 0, -0.5, 0.1, 0.0)),
        Op("realign", (8, None, 0.0)),
        Op("realign", (0, 8, 0.0)),
    ]
    events = _played(operations)
    assert _in_batches(events, [len(events) - 2]) == _built(events)


def _early(operations: list[Op], cut: float) -> list[Event]:
    """The history with every operation's day (its last argument, up to 400) scaled into the
    first ``cut`` days of the cycle, so a clock ticks from inside it, where time alone moves
    the radar (coaching leaves its windows, commitments fall due, goals go stale)."""
    return _played(
        [Op(op.kind, (*op.args[:-1], round(op.args[-1] * cut / 400.0))) for op in operations]
    )


def _ticked(events: Sequence[Event], hours: Sequence[int]) -> list[tuple[datetime, Table, bool]]:
    """The radar table after the events, then after each clock tick (``hours`` on from the
    last instant, back when negative), with the instant of each tick and whether it moved
    rows in place."""
    live = LiveViews()
    table: Table = {}
    _write(table, "radar", live.apply(_recorded(events))["radar"])
    assert live.state.now is not None
    at = live.state.now
    seen: list[tuple[datetime, Table, bool]] = []
    for step in hours:
        at += timedelta(hours=step)
        changes = live.tick(at)["radar"]
        _write(table, "radar", changes)
        seen.append((at, {key: dict(row) for key, row in table.items()}, bool(changes.timed)))
    return seen


ticks = st.lists(
    st.one_of(st.integers(min_value=0, max_value=72), st.integers(min_value=-240, max_value=1440)),
    min_size=1,
    max_size=12,
)


@settings(deadline=None, max_examples=120)
@given(
    operations=ops(EVERYONE, PEOPLE),
    cut=st.integers(min_value=10, max_value=300).map(float),
    hours=ticks,
)
def test_a_ticked_radar_equals_the_classic_radar_at_the_clock(
    operations: list[Op], cut: float, hours: list[int]
) -> None:
    """Property: after a random history, each clock tick (hours forward, now and then back)
    leaves the radar rows equal to the classic ``coaching_radar`` read at the clock (oracle:
    the pure view, as the tables' oracle reads it), though a tick forward rewrites only the
    people whose rows time alone can change."""
    events = _early(operations, cut)
    for at, table, in_place in _ticked(events, hours):
        event("radar ticked in place" if in_place else "radar rewritten or unmoved")
        assert _as_stored("radar", table) == expected(events, "radar", now=at)


def test_the_tick_comparison_catches_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a radar with a planted bug (a tick re-reads no one: only ``evaluated_at``
    moves), when Ana's goal goes stale and her coaching leaves the windows with no new fact,
    then the ticked radar differs from the classic radar at the clock: the property above
    can fail."""
    monkeypatch.setattr(live_radar, "timed_people", lambda *_args: set())
    history = History()
    history.goal(1, "ana", at=1)
    history.execution.give_coaching("ana", actor="max", occurred_at=d(5))
    history.log(1, 2.0, 10)
    events = history.execution.history()
    ((at, table, _),) = _ticked(events, [24 * 40])
    assert _as_stored("radar", table) != expected(events, "radar", now=at)
