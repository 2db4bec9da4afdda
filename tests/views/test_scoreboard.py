"""The live scoreboard: worked examples from domain.md's formulas, the policy in force, who may
see it, and incremental updates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from execution_core import Event, GoalKind, NotPermitted, Owner, Policy
from execution_core.events import (
    Alignment,
    CycleOpened,
    Direction,
    GoalSet,
    KeyResultAdded,
    PolicyAdopted,
    ProgressLogged,
)
from execution_core.views import Health, Ledger, Outcome, Scoreboard, scoreboard
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr, on


def board_at(
    history: History, days: float, *, policy: Policy | None = None, viewer: str | None = None
) -> Scoreboard:
    return scoreboard(history.ledger(), CYCLE_ID, at=d(days), policy=policy, viewer=viewer)


def test_a_decreasing_metric_worked_by_hand() -> None:
    """Given churn from 10 down to 4 logged at 8.2 on days 73 and 146, when the board is read on
    day 146, then progress is 0.3, expected 0.4, pace gap -0.1, and the forecast (the line
    through (0, 0), (73, 0.3), (146, 0.3) read at day 365) is 0.8: at risk."""
    h = History()
    h.goal(1, key_results=(kr(baseline=10, target=4, decrease=True),))
    h.log(1, 8.2, 73, confidence=0.6)
    h.log(1, 8.2, 146, confidence=0.5)
    row = board_at(h, 146).row(goal_id(1))
    assert row.progress == pytest.approx(0.3)
    assert row.expected == pytest.approx(0.4)
    assert row.pace_gap == pytest.approx(-0.1)
    assert row.forecast == pytest.approx(0.8)
    assert row.health is Health.AT_RISK
    assert row.confidence == 0.5
    assert row.last_checkin_at == d(146)
    assert row.days_since_checkin == 0
    assert row.owner == Owner("person", "ana")


def test_a_milestone_is_off_track_until_done_then_met() -> None:
    """Given a milestone logged not done on day 30 and done on day 60, when the board is read on
    days 40 and 60, then it is at 0 and off track, then at 1, on track and met."""
    h = History()
    h.goal(1, key_results=(kr(milestone=True),))
    h.log(1, 0, 30)
    h.log(1, 1, 60)
    before = board_at(h, 40).row(goal_id(1))
    assert (before.progress, before.forecast, before.health) == (0.0, 0.0, Health.OFF_TRACK)
    after = board_at(h, 60).row(goal_id(1))
    assert (after.progress, after.forecast, after.health) == (1.0, 1.0, Health.ON_TRACK)
    assert after.outcome is Outcome.MET


def test_an_over_achiever_keeps_raw_progress_while_the_score_is_clamped() -> None:
    """Given target 100 and stretch 120, when 150 is logged, then raw progress is 1.5, progress
    and forecast are 1, and the goal has exceeded."""
    h = History()
    h.goal(1, key_results=(kr(target=100, stretch=120),))
    h.log(1, 150, 100)
    row = board_at(h, 100).row(goal_id(1))
    assert row.raw_progress == 1.5
    assert row.progress == 1.0
    assert row.forecast == 1.0
    assert row.outcome is Outcome.EXCEEDED


def test_a_goal_with_several_key_results_is_their_weighted_mean() -> None:
    """Given key results of weight 3 at 0.5 and weight 1 at 1.0, then the goal is at 0.625."""
    h = History()
    h.goal(1, key_results=(kr("a", target=10, weight=3), kr("b", target=10, weight=1)))
    h.log(1, 5, 73, kr_id="a", confidence=0.6)
    h.log(1, 10, 73, kr_id="b", confidence=1.0)
    row = board_at(h, 73).row(goal_id(1))
    assert row.progress == 0.625
    assert row.confidence == pytest.approx((3 * 0.6 + 1.0) / 4)


def test_a_goal_with_no_key_results_rolls_up_its_children_by_weight() -> None:
    """Given a goal with no key results and children of weight 3 at 0.5 and weight 1 at 1.0,
    then the parent is at (3 * 0.5 + 1) / 4 = 0.625; once the second child is dropped, at 0.5."""
    h = History()
    h.goal(1, "max", key_results=())
    h.goal(2, "ana", parent=1, weight=3, key_results=(kr(target=10),))
    h.goal(3, "ben", parent=1, weight=1, key_results=(kr(target=10),))
    h.log(2, 5, 73)
    h.log(3, 10, 73)
    parent = board_at(h, 73).row(goal_id(1))
    assert parent.rolls_up
    assert parent.progress == 0.625
    assert parent.forecast == 1.0
    assert parent.last_checkin_at == d(73)
    h.execution.drop_goal(goal_id(3), reason="moved on", actor="max", occurred_at=d(80))
    assert board_at(h, 80).row(goal_id(1)).progress == 0.5


def test_a_stale_goal() -> None:
    """Given a weekly cadence and a check-in on day 10, then on day 24 the goal is fresh and a
    second later it is stale."""
    h = History()
    h.goal(1)
    h.log(1, 50, 10)
    assert board_at(h, 24).row(goal_id(1)).health is Health.ON_TRACK
    stale = board_at(h, 24 + 1 / 86_400).row(goal_id(1))
    assert stale.health is Health.STALE
    assert stale.days_since_checkin == 14


def test_a_not_started_goal() -> None:
    """Given a goal with nothing logged, then on day 36 (expected 0.099) it is on track and on
    day 37 (expected 0.101) it is not started."""
    h = History()
    h.goal(1)
    early = board_at(h, 36).row(goal_id(1))
    assert (early.health, early.forecast, early.last_checkin_at) == (Health.ON_TRACK, None, None)
    assert board_at(h, 37).row(goal_id(1)).health is Health.NOT_STARTED


def test_facts_after_the_instant_are_ignored() -> None:
    """Given a check-in on day 100 and a goal set on day 120, when the board is read on day 90,
    then neither is seen."""
    h = History()
    h.goal(1)
    h.log(1, 50, 100)
    h.goal(2, at=120)
    board = board_at(h, 90)
    assert list(board.rows) == [goal_id(1)]
    assert board.row(goal_id(1)).last_checkin_at is None


def test_a_backdated_check_in_is_history_not_the_latest_reading() -> None:
    """Given 60 logged on day 100, then 20 logged later but dated day 50, when read on day 100,
    then the goal is at 0.6 and the forecast fits both points."""
    h = History()
    h.goal(1)
    h.log(1, 60, 100)
    h.log(1, 20, 50)
    row = board_at(h, 100).row(goal_id(1))
    assert row.progress == 0.6
    assert row.forecast == 1.0  # the line through (0, 0), (50, 0.2), (100, 0.6) is steep


def test_open_commitments_about_a_goal() -> None:
    """Given two commitments made about a goal and one kept, then the row counts one open."""
    h = History()
    h.goal(1)
    h.execution.give_coaching(
        "ana",
        goal_id=goal_id(1),
        commitments=(
            {"commitment_id": "c1", "action": "call", "due_on": on(40)},
            {"commitment_id": "c2", "action": "write", "due_on": on(40)},
        ),
        actor="max",
        occurred_at=d(30),
    )
    assert board_at(h, 31).row(goal_id(1)).open_commitments == 2
    h.execution.keep_commitment("ana", "c1", actor="ana", occurred_at=d(35))
    assert board_at(h, 36).row(goal_id(1)).open_commitments == 1


def test_the_policy_in_force_is_the_latest_adopted_by_the_instant() -> None:
    """Given a forecast of 0.8 and a policy with on_track 0.75 adopted on day 150, then the goal
    is at risk on day 149 and on track from day 150; a policy passed in overrides it."""
    h = History()
    h.goal(1, key_results=(kr(baseline=10, target=4, decrease=True),))
    h.log(1, 8.2, 73)
    h.log(1, 8.2, 146)
    lenient = Policy(on_track=0.75)
    h.execution.adopt_policy(CYCLE_ID, lenient, actor="cleo", occurred_at=d(150))
    assert board_at(h, 149).row(goal_id(1)).health is Health.AT_RISK
    board = board_at(h, 150)
    assert board.policy == lenient
    assert board.row(goal_id(1)).health is Health.ON_TRACK
    strict = Policy(on_track=0.95, at_risk=0.85)
    assert board_at(h, 150, policy=strict).row(goal_id(1)).health is Health.OFF_TRACK


def test_viewers_must_be_allowed_to_view_the_board() -> None:
    """Given the default access policy, then a member may view the board and a stranger may not."""
    h = History()
    h.goal(1)
    assert board_at(h, 10, viewer="ben").rows
    with pytest.raises(NotPermitted):
        board_at(h, 10, viewer="zed")


def test_records_flatten_the_owner() -> None:
    """Given a unit goal, then its record names the owner's kind and id and the health's text."""
    h = History()
    h.goal(1, Owner("unit", "sales"), actor="cleo")
    record = board_at(h, 10).to_records()[0]
    assert (record["owner_kind"], record["owner_id"]) == ("unit", "sales")
    assert record["health"] == "on track"
    assert record["goal_id"] == goal_id(1)


def test_an_incremental_update_replaces_only_the_touched_rows() -> None:
    """Given a board of a parent with key results and two children, when a child checks in, then
    only the child's row is a new object (a parent with key results does not roll up), and the
    board equals one built from scratch."""
    h = History()
    h.goal(1, "max")
    h.goal(2, parent=1)
    h.goal(3, "ben", parent=1)
    ledger = h.ledger()
    board = Scoreboard.build(ledger, CYCLE_ID, at=d(200))
    h.log(2, 40, 100)
    event = h.execution.history()[-1]
    ledger = ledger.apply(event)
    after = board.apply(event, ledger)
    changed = {g for g in after.rows if after.rows[g] is not board.rows[g]}
    assert changed == {goal_id(2)}
    assert after == Scoreboard.build(ledger, CYCLE_ID, at=d(200))


def test_an_incremental_update_walks_up_through_rollups() -> None:
    """Given a chain of rollup goals above a goal with a key result, when it checks in, then every
    rollup above it is recomputed and the board equals one built from scratch."""
    h = History()
    h.goal(1, "cleo", key_results=())
    h.goal(2, "max", parent=1, key_results=())
    h.goal(3, parent=2)
    h.goal(4, "ben", parent=1)
    ledger = h.ledger()
    board = Scoreboard.build(ledger, CYCLE_ID, at=d(200))
    h.log(3, 40, 100)
    event = h.execution.history()[-1]
    ledger = ledger.apply(event)
    after = board.apply(event, ledger)
    assert after.row(goal_id(1)).progress == pytest.approx(0.2)
    assert after == Scoreboard.build(ledger, CYCLE_ID, at=d(200))


def test_an_incremental_realignment_updates_both_rollups() -> None:
    """Given a goal at 0.4 under rollup goal 1, when it is realigned under rollup goal 2, then
    goal 1 falls to 0 and goal 2 rises to 0.4, and the board equals one built from scratch."""
    h = History()
    h.goal(1, "max", key_results=())
    h.goal(2, "max", key_results=())
    h.goal(3, parent=1)
    h.log(3, 40, 100)
    ledger = h.ledger()
    board = Scoreboard.build(ledger, CYCLE_ID, at=d(200))
    assert board.row(goal_id(1)).progress == 0.4
    h.execution.realign_goal(
        goal_id(3), parent_goal_id=goal_id(2), reason="reorg", actor="max", occurred_at=d(150)
    )
    event = h.execution.history()[-1]
    ledger = ledger.apply(event)
    after = board.apply(event, ledger)
    assert (after.row(goal_id(1)).progress, after.row(goal_id(2)).progress) == (0.0, 0.4)
    assert after == Scoreboard.build(ledger, CYCLE_ID, at=d(200))


# -- cost of one incremental update with 10,000 goals ----------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)
BIG_CYCLE = UUID(int=1)


def _event(cls: type[Event], stream: UUID, version: int, at: datetime, **payload: object) -> Event:
    return cls(
        stream_id=stream, version=version, actor="ana", occurred_at=at, recorded_at=at, **payload
    )


def _big_history(goals: int) -> tuple[list[Event], list[UUID]]:
    events = [
        _event(
            CycleOpened,
            BIG_CYCLE,
            1,
            T0,
            cycle_name="big",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cadence_days=7,
        ),
        _event(PolicyAdopted, BIG_CYCLE, 2, T0, policy=Policy()),
    ]
    ids: list[UUID] = []
    for i in range(goals):
        gid = UUID(int=1000 + i)
        ids.append(gid)
        parent = ids[i // 10] if i >= 10 else None
        events.append(
            _event(
                GoalSet,
                gid,
                1,
                T0,
                title=f"goal {i}",
                kind=GoalKind.INDIVIDUAL,
                owner=Owner("person", f"p{i % 500}"),
                cycle_id=BIG_CYCLE,
                aligned_to=None if parent is None else Alignment(parent_id=parent),
                weight=1.0,
            )
        )
        events.append(
            _event(
                KeyResultAdded,
                gid,
                2,
                T0,
                kr_id="kr",
                kr_name="kr",
                unit="",
                baseline=0.0,
                target=100.0,
                stretch=None,
                direction=Direction.INCREASE,
                milestone=False,
                weight=1.0,
            )
        )
        for week in range(1, 5):
            events.append(
                _event(
                    ProgressLogged,
                    gid,
                    2 + week,
                    T0 + timedelta(weeks=week),
                    kr_id="kr",
                    value=3.0 * week,
                    confidence=0.7,
                )
            )
    return events, ids


def test_a_board_of_ten_thousand_goals_updated_check_in_by_check_in_equals_a_rebuild() -> None:
    """Given a board of 10,000 goals, when check-ins arrive one by one and update it
    incrementally, then it equals a board rebuilt from scratch (the cost is measured in
    benchmarks/, never asserted here: shared machines are noisy)."""
    events, ids = _big_history(10_000)
    ledger = Ledger.of(events)
    at = T0 + timedelta(weeks=20)
    board = Scoreboard.build(ledger, BIG_CYCLE, at=at)
    for n in range(200):
        gid = ids[(n * 7919) % len(ids)]
        event = _event(
            ProgressLogged,
            gid,
            100 + n,
            T0 + timedelta(weeks=10, hours=n),
            kr_id="kr",
            value=float(n % 100),
            confidence=0.5,
        )
        ledger = ledger.apply(event)
        board = board.apply(event, ledger)
    assert board == Scoreboard.build(ledger, BIG_CYCLE, at=at)
