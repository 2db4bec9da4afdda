"""Regressions found by acceptance testing on a small organization, values computed by hand."""

from __future__ import annotations

import pytest

from execution_core import Policy, RuleViolated
from execution_core.views import (
    AgendaKind,
    FindingKind,
    Ledger,
    agenda,
    appraisal_sheet,
    confidence_calibration,
    plan_quality,
)
from tests.views.scenario import CYCLE_ID, History, d, goal_id, on


def test_a_confidence_counts_for_the_owner_who_stated_it() -> None:
    """Given ana 90 % sure of a key result on day 30, the goal handed to ben on day 100, then ben
    40 % and 20 % sure on days 200 and 300, and the key result missed (60 of 100), then ana's
    Brier score is (0.9 - 0)^2 = 0.81 over one check-in and ben's (0.16 + 0.04) / 2 = 0.10 over
    two (not 1.01 / 3 = 0.337 over three for ben alone)."""
    h = History()
    h.goal(1, "ana")
    h.log(1, 20, 30, confidence=0.9, actor="ana")
    h.execution.reassign_goal(
        goal_id(1), "ben", reason="ana moves to key accounts", actor="max", occurred_at=d(100)
    )
    h.log(1, 50, 200, confidence=0.4, actor="ben")
    h.log(1, 60, 300, confidence=0.2, actor="ben")
    rows = {r.owner.id: r for r in confidence_calibration(h.ledger(), CYCLE_ID, at=d(400)).rows}
    assert set(rows) == {"ana", "ben"}
    assert (rows["ana"].checkins, rows["ben"].checkins) == (1, 2)
    assert rows["ana"].brier == pytest.approx(0.81)
    assert rows["ben"].brier == pytest.approx(0.10)
    assert rows["ana"].mean_confidence == pytest.approx(0.9)
    assert rows["ben"].mean_confidence == pytest.approx(0.3)
    assert rows["ben"].hit_rate == 0.0


def test_a_rubric_corrected_after_the_close_rates_the_closed_cycle() -> None:
    """Given ana's only goal at 80 of 100 (attainment 0.8: rating 3 under the default floors
    0.5/0.7/0.85/1.0) and the cycle closed on day 366, when HR adopts on day 368 floors
    0.4/0.6/0.8/1.0 dated day 364, inside the cycle, then her computed rating is 4 (0.8 reaches
    the new floor 0.8), the system as of day 367 still shows 3, and a check-in dated day 350
    recorded after the close is refused."""
    h = History()
    h.goal(1, "ana")
    h.log(1, 80, 300, actor="ana")
    h.spec.clock.now = d(366)
    h.execution.close_cycle(CYCLE_ID, actor="cleo", occurred_at=d(366))
    h.spec.clock.now = d(368)
    corrected = Policy(rating_floors=(0.4, 0.6, 0.8, 1.0))
    h.execution.adopt_policy(CYCLE_ID, corrected, actor="hana", occurred_at=d(364))
    with pytest.raises(RuleViolated, match="only reviews and appraisals"):
        h.log(1, 95, 350, actor="ana")
    history = list(h.execution.history())
    now = appraisal_sheet(Ledger.of(history), CYCLE_ID, "ana", viewer="hana", at=d(370))
    before = appraisal_sheet(
        Ledger.of(history, as_of=d(367)), CYCLE_ID, "ana", viewer="hana", at=d(370)
    )
    assert now.attainment == pytest.approx(0.8)
    assert (now.computed_rating, now.policy) == (4, corrected)
    assert before.computed_rating == 3


def _ana_leaves_owning_goals() -> History:
    """Ana owns goals 1 (active), 2 (completed on day 20) and 3 (dropped on day 30), ben owns
    goal 4; the HR sync records that ana left on day 40."""
    h = History()
    for n, owner in ((1, "ana"), (2, "ana"), (3, "ana"), (4, "ben")):
        h.goal(n, owner)
    h.execution.complete_goal(goal_id(2), actor="ana", occurred_at=d(20))
    h.execution.drop_goal(goal_id(3), reason="obsolete", actor="max", occurred_at=d(30))
    h.execution.remove_person("ana", reason="resigned", actor="system", occurred_at=d(40))
    return h


def test_an_active_goal_of_someone_who_left_is_flagged_in_plan_quality() -> None:
    """Given ana left on day 40 (2026-02-10) owning goal 1 (active), goal 2 (completed) and goal 3
    (dropped), when plan quality is read on day 50, then only goal 1 is flagged as owned by
    someone who left, max (her manager) to reassign it; on day 39 nothing is."""
    ledger = _ana_leaves_owning_goals().ledger()
    (finding,) = plan_quality(ledger, CYCLE_ID, at=d(50)).of_kind(FindingKind.OWNER_LEFT)
    assert (finding.subject, finding.goal_id) == ("goal 1", goal_id(1))
    assert finding.detail == "Ana (ana) left on 2026-02-10 while owning it; max is to reassign it"
    assert not plan_quality(ledger, CYCLE_ID, at=d(39)).of_kind(FindingKind.OWNER_LEFT)


def test_the_leavers_manager_has_the_goal_to_reassign_on_the_agenda_until_it_is() -> None:
    """Given ana left on day 40 owning goal 1, when max's agenda is read on day 50, then it says
    reassign goal 1 (due on day 40, 10 days overdue); once max hands it to ben on day 52, neither
    the agenda nor plan quality lists it on day 55."""
    h = _ana_leaves_owning_goals()
    items = agenda(h.ledger(), CYCLE_ID, at=d(50)).for_person("max")
    (item,) = [i for i in items if i.kind is AgendaKind.REASSIGN_GOAL]
    assert (item.goal_id, item.ref, item.due_on, item.days_overdue) == (
        goal_id(1),
        "ana",
        on(40),
        10,
    )
    h.execution.reassign_goal(goal_id(1), "ben", reason="ana left", actor="max", occurred_at=d(52))
    ledger = h.ledger()
    after = agenda(ledger, CYCLE_ID, at=d(55)).items
    assert not [i for i in after if i.kind is AgendaKind.REASSIGN_GOAL]
    assert not plan_quality(ledger, CYCLE_ID, at=d(55)).of_kind(FindingKind.OWNER_LEFT)


def test_a_leaver_with_no_manager_is_handed_on_by_the_lead_of_their_unit() -> None:
    """Given max leads unit sales and ben, in sales with no manager, left on day 40 owning goal 4,
    when the agenda is read on day 50, then max has goal 4 to reassign."""
    h = History()
    h.goal(4, "ben")
    x = h.execution
    x.appoint_unit_lead("sales", "max", actor="system", occurred_at=d(1))
    x.move_person("ben", manager_id=None, actor="system", occurred_at=d(2))
    x.remove_person("ben", reason="resigned", actor="system", occurred_at=d(40))
    items = agenda(h.ledger(), CYCLE_ID, at=d(50)).items
    reassign = [(i.person_id, i.goal_id) for i in items if i.kind is AgendaKind.REASSIGN_GOAL]
    assert reassign == [("max", goal_id(4))]
