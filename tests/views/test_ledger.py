"""The Ledger: one incremental fold over every event, keeping both clocks on every fact."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce

from execution_core import Owner, Policy
from execution_core.views import Ledger
from tests.views.scenario import CYCLE_ID, History, d, goal_id, on


def test_a_check_in_keeps_both_clocks_actor_and_position() -> None:
    """Given a check-in dated day 40 but recorded on day 45 by max, then the ledger keeps its
    value, confidence, both clocks, actor and position in the history."""
    h = History()
    h.goal(1)
    h.spec.clock.now = d(45)
    h.log(1, 30, 40, confidence=0.8)
    ledger = h.ledger()
    (checkin,) = ledger.goals[goal_id(1)].key_results["kr"].checkins
    assert (checkin.value, checkin.confidence, checkin.actor) == (30, 0.8, "max")
    assert (checkin.occurred_at, checkin.recorded_at) == (d(40), d(45))
    assert checkin.seq == ledger.position


def test_applying_an_event_leaves_the_old_ledger_untouched() -> None:
    """Given a ledger, when one more event is applied, then a new ledger comes back and the old
    one is unchanged."""
    h = History()
    h.goal(1)
    events = h.execution.history()
    before = Ledger.of(events)
    h.log(1, 30, 40)
    after = before.apply(h.execution.history()[-1])
    assert before.goals[goal_id(1)].key_results["kr"].checkins == ()
    assert len(after.goals[goal_id(1)].key_results["kr"].checkins) == 1
    assert after.position == before.position + 1
    assert before == Ledger.of(events)


def test_folding_event_by_event_equals_folding_at_once() -> None:
    """Property oracle on a fixed history: Ledger.of(events) equals applying them one by one."""
    h = History()
    h.goal(1, key_results=())
    h.goal(2, parent=1)
    h.log(2, 30, 40)
    h.execution.give_coaching(
        "ana",
        goal_id=goal_id(2),
        commitments=({"commitment_id": "c", "action": "a", "due_on": on(50)},),
        actor="max",
        occurred_at=d(41),
    )
    h.execution.keep_commitment("ana", "c", actor="ana", occurred_at=d(45))
    h.execution.record_appraisal(CYCLE_ID, "ana", 3, actor="max", occurred_at=d(370))
    h.execution.calibrate_rating(CYCLE_ID, "ana", 4, reason="r", actor="hana", occurred_at=d(371))
    events = h.execution.history()
    assert reduce(Ledger.apply, events, Ledger()) == Ledger.of(events)


def test_goal_history_answers_as_at_any_instant() -> None:
    """Given a goal reassigned on day 50, reweighted on day 60 and realigned on day 70, then its
    owner, weight and alignment are read as they were at each instant."""
    h = History()
    h.goal(1, weight=1.0)
    x = h.execution
    x.reassign_goal(goal_id(1), "ben", reason="handover", actor="max", occurred_at=d(50))
    x.weight_goal(goal_id(1), 2.0, actor="max", occurred_at=d(60))
    x.realign_goal(goal_id(1), reason="no theme", actor="max", occurred_at=d(70))
    goal = h.ledger().goals[goal_id(1)]
    assert goal.owner_at(d(49)) == Owner("person", "ana")
    assert goal.owner_at(d(50)) == Owner("person", "ben")
    assert (goal.weight_at(d(59)), goal.weight_at(d(60))) == (1.0, 2.0)
    assert goal.alignment_at(d(69)) is not None
    assert goal.alignment_at(d(70)) is None


def test_the_policy_history_of_a_cycle() -> None:
    """Given the cycle's opening policy and another adopted on day 100, then the policy in force
    is the opening one before day 100 and the new one from then."""
    h = History()
    h.execution.adopt_policy(CYCLE_ID, Policy(on_track=0.8), actor="cleo", occurred_at=d(100))
    cycle = h.ledger().cycles[CYCLE_ID]
    assert cycle.policy_at(d(99)) == Policy()
    assert cycle.policy_at(d(100)) == Policy(on_track=0.8)
    assert len(cycle.policies) == 2


def test_the_organization_as_it_was() -> None:
    """Given the standard org (founded on day 4) and ben moved to HQ on day 60, then on day 3
    nobody was there, on day 59 ben was in sales and on day 60 in HQ."""
    h = History()
    h.execution.move_person("ben", unit_id="hq", actor="cleo", occurred_at=d(60))
    ledger = h.ledger()
    assert ledger.organization_at(d(3)).people == {}
    assert ledger.organization_at(d(59)).people["ben"].unit_id == "sales"
    assert ledger.organization_at(d(60)).people["ben"].unit_id == "hq"
    assert ledger.organization_at(d(60)) is ledger.organization


def test_appraisals_are_keyed_by_cycle_and_person() -> None:
    """Given a recorded and a calibrated rating, then the ledger keeps both facts and the core's
    appraisal state under (cycle, person)."""
    h = History()
    h.execution.record_appraisal(CYCLE_ID, "ana", 3, actor="max", occurred_at=d(370))
    h.execution.calibrate_rating(
        CYCLE_ID, "ana", 4, reason="peer review", actor="hana", occurred_at=d(371)
    )
    appraisal = h.ledger().appraisals[(CYCLE_ID, "ana")]
    assert appraisal.recorded is not None
    assert appraisal.recorded.rating == 3
    assert [c.to_rating for c in appraisal.calibrations] == [4]
    assert appraisal.state.rating == 4
    assert appraisal.recorded_by(d(369)) is None
    assert appraisal.calibrations_by(d(370) + timedelta(hours=1)) == ()
