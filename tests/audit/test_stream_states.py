"""Every stream's state as of a recorded time and as at a business time, alone and together, and
the one rule both clocks share with the views.

The standard organization is recorded on 2026-01-05 (T0), everything in it dated T0. Times in
the scenarios are days of the cycle (``d(40)`` is 2026-02-10); the store's clock is moved by
hand, so each fact's recorded time is stated where it is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, Policy
from execution_core.audit import plan_of
from execution_core.ids import appraisal_stream_id, coaching_stream_id
from execution_core.streams import APPRAISAL, COACHING, CYCLE, GOAL, ORGANIZATION, STRATEGY
from execution_core.views import Ledger
from execution_core.views.history import stream_state
from tests.audit.timed import Timed, instants, timed_histories
from tests.support import T0
from tests.views.scenario import CYCLE_ID, History, d, goal_id

BEFORE = T0 - timedelta(days=1)
"""A recorded and business time before anything was recorded or had happened."""


def rec(days: float) -> datetime:
    """A recorded time, ``days`` into the cycle (noon)."""
    return d(days) + timedelta(hours=12)


@pytest.fixture
def season() -> History:
    """One of every stream, each changed twice with the two clocks apart.

    - goal 1 (ana, target 100), set on day 30 (recorded day 30); max lowers the target to 80
      on day 60 (recorded day 60), then enters a lowering to 90 dated day 50 (recorded day 70):
      backdated before the first one, so by business time 80 stands from day 60 on.
    - the cycle adopts a policy (on track at 0.8) dated day 45, recorded day 75.
    - cleo moves ben to HQ on day 80 (recorded day 80).
    - cleo adds the theme "care" on day 20, recorded day 85.
    - max coaches ana on day 90 (recorded day 90) with a commitment, kept on day 95 (recorded
      day 100).
    - hana records ana's appraisal (rating 3) on day 120, recorded day 125; calibrated to 4
      dated day 130, recorded day 140.
    """
    h = History()
    clock = h.spec.clock
    x = h.execution
    clock.now = rec(30)
    h.goal(1, at=30)
    clock.now = rec(60)
    x.adjust_target(goal_id(1), "kr", target=80, reason="market", actor="max", occurred_at=d(60))
    clock.now = rec(70)
    x.adjust_target(goal_id(1), "kr", target=90, reason="late", actor="max", occurred_at=d(50))
    clock.now = rec(75)
    x.adopt_policy(CYCLE_ID, Policy(on_track=0.8), actor="cleo", occurred_at=d(45))
    clock.now = rec(80)
    x.move_person("ben", unit_id="hq", actor="cleo", occurred_at=d(80))
    clock.now = rec(85)
    x.add_theme("care", "Care for customers", actor="cleo", occurred_at=d(20))
    clock.now = rec(90)
    x.give_coaching(
        "ana",
        goal_id=goal_id(1),
        commitments=[{"commitment_id": "c1", "action": "call clients", "due_on": d(97).date()}],
        actor="max",
        occurred_at=d(90),
    )
    clock.now = rec(100)
    x.keep_commitment("ana", "c1", actor="ana", occurred_at=d(95))
    clock.now = rec(125)
    x.record_appraisal(CYCLE_ID, "ana", 3, actor="hana", occurred_at=d(120))
    clock.now = rec(140)
    x.calibrate_rating(CYCLE_ID, "ana", 4, reason="panel", actor="hana", occurred_at=d(130))
    return h


def test_a_goal_as_of_as_at_and_both(season: History) -> None:
    """Given two target lowerings, the second backdated before the first, then the goal's target
    follows both clocks: as of a recorded time it is what the last command left (90 once the
    late entry is in), as at a business time the one dated last by then (90 on day 55, 80 from
    day 60), and no goal at all before it was set."""
    x = season.execution

    def target(**clocks: Any) -> float:
        return float(x.goal_as_of(goal_id(1), **clocks).key_results["kr"].target)

    assert target(as_of=rec(59)) == 100
    assert target(as_of=rec(65)) == 80
    assert target(as_of=rec(70)) == 90  # the stream as it stood: the last command's value
    assert target(as_at=d(55)) == 90
    assert target(as_at=d(65)) == 80  # by business time the day-60 lowering stands
    assert target(as_of=rec(65), as_at=d(55)) == 100  # the day-50 lowering was not known yet
    assert target(as_of=rec(70), as_at=d(55)) == 90
    assert x.goal_as_of(goal_id(1), as_of=rec(29)).exists is False
    assert x.goal_as_of(goal_id(1), as_at=d(29)).exists is False
    assert x.goal_as_of(goal_id(1), as_at=d(65)).version == x.goal(goal_id(1)).version
    plan = plan_of(x.ledger_as_of(), at=d(65)).goals[goal_id(1)]
    assert plan.key_results["kr"].target == target(as_at=d(65))


def test_the_cycle_as_of_as_at_and_both(season: History) -> None:
    """Given a policy dated day 45 but recorded on day 75, then the cycle has it as of day 75 on
    and as at day 45 on, both together only when both clocks have reached it."""
    x = season.execution
    adopted = Policy(on_track=0.8)
    assert x.cycle_as_of(CYCLE_ID, as_of=rec(74)).policy == Policy()
    assert x.cycle_as_of(CYCLE_ID, as_of=rec(75)).policy == adopted
    assert x.cycle_as_of(CYCLE_ID, as_at=d(44)).policy == Policy()
    assert x.cycle_as_of(CYCLE_ID, as_at=d(45)).policy == adopted
    assert x.cycle_as_of(CYCLE_ID, as_of=rec(74), as_at=d(50)).policy == Policy()
    assert x.cycle_as_of(CYCLE_ID, as_of=rec(75), as_at=d(50)).policy == adopted
    assert not x.cycle_as_of(CYCLE_ID, as_of=BEFORE).opened
    assert not x.cycle_as_of(CYCLE_ID, as_at=BEFORE).opened


def test_the_organization_as_of_as_at_and_both(season: History) -> None:
    """Given ben moved to HQ on day 80 (recorded then), then he is in sales before it by either
    clock and in HQ from it by both; nobody is known before the organization was recorded."""
    x = season.execution

    def unit(**clocks: Any) -> str:
        return x.organization_as_of(**clocks).people["ben"].unit_id

    assert (unit(as_of=rec(79)), unit(as_of=rec(80))) == ("sales", "hq")
    assert (unit(as_at=d(79)), unit(as_at=d(80))) == ("sales", "hq")
    assert (unit(as_of=rec(79), as_at=d(80)), unit(as_of=rec(80), as_at=d(79))) == ("sales",) * 2
    assert unit(as_of=rec(80), as_at=d(80)) == "hq"
    assert x.organization_as_of(as_of=BEFORE).people == {}
    assert x.organization_as_of(as_at=BEFORE).people == {}


def test_the_strategy_as_of_as_at_and_both(season: History) -> None:
    """Given the theme "care" dated day 20 but recorded on day 85, then it is in the strategy as
    at day 20 on (as known today), as of day 85 on, and as of day 84 at no business time."""
    x = season.execution

    def has_care(**clocks: Any) -> bool:
        return "care" in x.strategy_as_of(**clocks).themes

    assert (has_care(as_of=rec(84)), has_care(as_of=rec(85))) == (False, True)
    assert (has_care(as_at=d(19)), has_care(as_at=d(20))) == (False, True)
    assert (has_care(as_of=rec(84), as_at=d(90)), has_care(as_of=rec(85), as_at=d(20))) == (
        False,
        True,
    )


def test_the_coaching_journal_as_of_as_at_and_both(season: History) -> None:
    """Given ana's commitment made on day 90 and kept on day 95 (recorded day 100), then it is
    open as of day 99 whatever the business time, and kept as at day 95 once known."""
    x = season.execution

    def status(**clocks: Any) -> str | None:
        journal = x.coaching_journal_as_of("ana", **clocks)
        found = journal.commitments.get("c1")
        return None if found is None else found.status

    assert (status(as_of=rec(89)), status(as_of=rec(90)), status(as_of=rec(100))) == (
        None,
        "open",
        "kept",
    )
    assert (status(as_at=d(89)), status(as_at=d(94)), status(as_at=d(95))) == (
        None,
        "open",
        "kept",
    )
    assert status(as_of=rec(99), as_at=d(120)) == "open"
    assert status(as_of=rec(100), as_at=d(94)) == "open"
    assert status(as_of=rec(100), as_at=d(95)) == "kept"


def test_the_appraisal_as_of_as_at_and_both(season: History) -> None:
    """Given ana's rating 3 recorded on day 125 about day 120, calibrated to 4 about day 130 on
    day 140, then the rating that stands follows both clocks, and there is no appraisal before
    it was recorded (by either clock)."""
    x = season.execution

    def rating(**clocks: Any) -> int | None:
        return x.appraisal_as_of(CYCLE_ID, "ana", **clocks).rating

    assert (rating(as_of=rec(124)), rating(as_of=rec(125)), rating(as_of=rec(140))) == (
        None,
        3,
        4,
    )
    assert (rating(as_at=d(119)), rating(as_at=d(120)), rating(as_at=d(130))) == (None, 3, 4)
    assert rating(as_of=rec(139), as_at=d(200)) == 3
    assert rating(as_of=rec(140), as_at=d(129)) == 3
    assert rating(as_of=rec(140), as_at=d(130)) == 4
    assert x.appraisal_as_of(CYCLE_ID, "ana") == x.appraisal(CYCLE_ID, "ana")
    assert x.appraisal_as_of(CYCLE_ID, "ana", as_of=rec(124)).recorded is False


def test_a_check_in_dated_before_its_key_result_waits_for_it() -> None:
    """Given a key result added on day 40 and a check-in on it dated day 35 (recorded later),
    then as at day 45 the goal's key result has that reading (as the views count it), and as at
    day 36 the goal has no such key result."""
    h = History()
    h.spec.clock.now = rec(30)
    h.goal(1, at=30)
    x = h.execution
    h.spec.clock.now = rec(40)
    x.add_key_result(goal_id(1), {"kr_id": "extra", "name": "extra", "target": 10}, **_by(40))
    h.spec.clock.now = rec(41)
    x.log_progress(goal_id(1), "extra", value=4, confidence=0.5, **_by(35))
    assert x.goal_as_of(goal_id(1), as_at=d(45)).key_results["extra"].value == 4
    assert "extra" not in x.goal_as_of(goal_id(1), as_at=d(36)).key_results
    reading = x.ledger_as_of().goals[goal_id(1)].key_results["extra"].latest_checkin(d(45))
    assert reading is not None
    assert reading.value == 4


def _by(day: float) -> dict[str, Any]:
    return {"actor": "cleo", "occurred_at": d(day)}


# -- one rule for both clocks: stream states as at T read as the views read ----------------------


def _streams(events: Iterable[Event]) -> dict[UUID, list[Event]]:
    found: dict[UUID, list[Event]] = {}
    for event in events:
        found.setdefault(event.stream_id, []).append(event)
    return found


@settings(max_examples=100)
@given(timed_histories(), instants, st.one_of(st.none(), instants))
def test_stream_states_as_at_agree_with_the_views(
    timed: Timed, at: datetime, as_of: datetime | None
) -> None:
    """Property: for random histories (facts backdated in any order), a recorded time T1 and a
    business time T2, every stream's state as of T1 as at T2 says what the ledger as of T1 says
    as at T2: each goal's existence, status, owner, alignment, weight, targets, stretches and
    latest readings; the cycle's opening, closing and policy (once it had opened and adopted
    one by T2); each commitment's status; each appraisal's rating; the organization and the
    strategy (oracle: the views' readers over Ledger.of the events recorded by T1)."""
    ledger = Ledger.of(timed.events, as_of=as_of)
    plan = plan_of(ledger, at=at).goals
    streams = _streams(timed.events)

    def state(stream_id: UUID, decider: Any) -> Any:
        return stream_state(streams.get(stream_id, []), decider, as_of=as_of, as_at=at)

    for goal in ledger.goals.values():
        goal_state = state(goal.id, GOAL)
        planned = plan.get(goal.id)
        assert goal_state.exists == (planned is not None)
        if planned is None:
            continue
        assert (goal_state.status, goal_state.owner, goal_state.aligned_to) == (
            planned.status,
            planned.owner,
            planned.aligned_to,
        )
        assert goal_state.weight == planned.weight
        assert goal_state.last_checkin_at == goal.last_checkin_at(at)
        assert set(goal_state.key_results) == set(planned.key_results)
        for record in goal.key_results_at(at):
            kr = goal_state.key_results[record.id]
            agreed = planned.key_results[record.id]
            assert (kr.target, kr.stretch) == (agreed.target, agreed.stretch)
            reading = record.latest_checkin(at)
            assert kr.value == (None if reading is None else reading.value)
    for cycle in ledger.cycles.values():
        cycle_state = state(cycle.id, CYCLE)
        assert cycle_state.opened == (cycle.opened.occurred_at <= at)
        if not cycle_state.opened:
            continue
        assert cycle_state.closed_at == cycle.closed_at(at)
        if any(policy.occurred_at <= at for policy in cycle.policies):
            assert cycle_state.policy == cycle.policy_at(at)
    for person, journal in ledger.journals.items():
        journal_state = state(coaching_stream_id(person), COACHING)
        for commitment in journal.commitments.values():
            if commitment.occurred_at <= at:
                assert journal_state.commitments[commitment.id].status == commitment.status_at(at)
    for (cycle_id, person), appraisal in ledger.appraisals.items():
        appraisal_state = state(appraisal_stream_id(cycle_id, person), APPRAISAL)
        recorded = appraisal.recorded_by(at)
        changes = appraisal.calibrations_by(at)
        expected = changes[-1].to_rating if changes else recorded and recorded.rating
        assert appraisal_state.rating == expected
    organization_id = timed.events[0].stream_id
    assert state(organization_id, ORGANIZATION) == ledger.organization_at(at)
    strategy = next(e.stream_id for e in timed.events if e.name.startswith("strategy."))
    assert state(strategy, STRATEGY) == ledger.strategy_at(at)


def test_an_empty_history_has_every_initial_state() -> None:
    """Given no events, then every decider's initial state is the answer, by either clock."""
    deciders: list[Any] = [ORGANIZATION, STRATEGY, CYCLE, GOAL, COACHING, APPRAISAL]
    for decider in deciders:
        assert stream_state([], decider, as_of=T0, as_at=T0) == decider.initial
        assert stream_state([], decider) == decider.initial


def test_times_must_be_aware() -> None:
    """Given a naive as_at, then ValueError (the zone would be a guess)."""
    with pytest.raises(ValueError, match="naive"):
        stream_state([], GOAL, as_at=datetime(2026, 1, 1))
