"""Regressions found by acceptance testing on a small organization, values computed by hand."""

from __future__ import annotations

import pytest

from execution_core import Policy, RuleViolated
from execution_core.views import Ledger, appraisal_sheet, confidence_calibration
from tests.views.scenario import CYCLE_ID, History, d, goal_id


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
