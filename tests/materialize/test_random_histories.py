"""The incremental boards behind the tables, over random histories (rollups, realignments,
policies, commitments, backdated facts) cut into random batches."""

from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, Owner
from execution_core.views.live import state as live_state
from execution_core_adapters.projections.materialize import VIEWS, ViewWorker
from tests.conftest import fresh_schema, postgres_server
from tests.materialize.oracle import expected, put
from tests.views.scenario import History, d, goal_id
from tests.views.strategies import Op, Player, ops

EVERYONE: list[str | Owner] = ["ana", "ben", "max", Owner("unit", "sales")]
PEOPLE = ["ana", "ben", "max"]


def _played(operations: list[Op]) -> list[Event]:
    history = History()
    player = Player(history)
    for op in operations:
        player.play(op)
    return history.execution.history()


@settings(deadline=None)
@given(
    operations=st.one_of(ops(EVERYONE, PEOPLE), ops(EVERYONE, PEOPLE, realigning=True)),
    steps=st.lists(st.integers(min_value=1, max_value=25), min_size=1, max_size=5),
    page=st.integers(min_value=1, max_value=12),
)
def test_the_tables_equal_the_projections_after_every_batch_of_a_random_history(
    tmp_path_factory: pytest.TempPathFactory, operations: list[Op], steps: list[int], page: int
) -> None:
    """Property: on a random history applied in random steps (each step one batch, read in
    pages of a random size), every table equals the projections over the events applied so far
    after every step, and at the end (oracle: the projections built from scratch)."""
    events = _played(operations)
    store = put(f"sqlite:///{tmp_path_factory.mktemp('random') / 'store.db'}", events)
    with ViewWorker(store, page_size=page, batch_size=10_000, commit_share=None) as worker:
        done = 0
        for step in [*steps, len(events)]:
            done += worker.catch_up(limit=step)
            for view in VIEWS:
                assert worker.rows(view) == expected(events[:done], view), view
        assert done == len(events)
    store.close()


@pytest.mark.postgres
@settings(deadline=None, max_examples=12)
@given(
    operations=ops(EVERYONE, PEOPLE, realigning=True),
    steps=st.lists(st.integers(min_value=1, max_value=25), min_size=1, max_size=3),
    page=st.integers(min_value=1, max_value=12),
)
def test_the_postgres_tables_equal_the_projections_after_every_batch_of_a_random_history(
    operations: list[Op], steps: list[int], page: int
) -> None:
    """Property: the same on the real PostgreSQL server (a fresh schema per example): after
    every step, every table equals the projections over the events applied so far."""
    events = _played(operations)
    with fresh_schema(postgres_server()) as url:
        store = put(url, events)
        with ViewWorker(store, page_size=page, batch_size=10_000, commit_share=None) as worker:
            done = 0
            for step in [*steps, len(events)]:
                done += worker.catch_up(limit=step)
                for view in VIEWS:
                    assert worker.rows(view) == expected(events[:done], view), view
            assert done == len(events)
        store.close()


def _turning_again(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ana's goal at risk from day 10 (materialized then, Ana coached on day 5 before it
    turned), coached on day 20, back on track on day 30, at risk again from day 40 (target
    raised): the radar rows, and the oracle's."""
    history = History()
    x = history.execution
    history.goal(1, "ana", at=1)
    x.give_coaching("ana", actor="max", occurred_at=d(5))
    history.log(1, 2.0, 10)
    events = x.history()
    store = put(url, events)
    with ViewWorker(store, "radar", commit_share=None) as worker:
        worker.catch_up()
        assert worker.rows("radar") == expected(events, "radar")
        x.give_coaching("ana", actor="max", occurred_at=d(20))
        history.log(1, 60.0, 30)
        x.adjust_target(
            goal_id(1), "kr", target=1000.0, reason="stretch", actor="max", occurred_at=d(40)
        )
        more = x.history()[len(events) :]
        store.app.events.put(cast(Any, more))
        worker.catch_up()
        rows = worker.rows("radar")
    store.close()
    return rows, expected([*events, *more], "radar")


def test_a_goal_that_turns_at_risk_again_is_judged_from_its_new_turn(sqlite_url: str) -> None:
    """Given Ana's goal at risk from day 10, coached on day 20, back on track on day 30 and at
    risk again from day 40, when the radar is materialized after day 10 and again after day
    40, then the goal counts as uncoached again (the coaching came before its new turn), as the
    radar built from scratch says."""
    rows, oracle = _turning_again(sqlite_url)
    assert rows == oracle
    ana = [r for r in rows if r["person_id"] == "ana"]
    assert ana[0]["uncoached_goals"] == (str(goal_id(1)),)


def test_the_oracle_catches_a_planted_bug(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a worker with a planted bug (it never forgets when a goal turned at risk), when
    the same story is materialized, then its radar differs from the oracle's: the comparison
    above can fail."""
    monkeypatch.setattr(live_state, "forget_turnings", lambda *_args: None)
    rows, oracle = _turning_again(sqlite_url)
    assert rows != oracle
