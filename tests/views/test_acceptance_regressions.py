"""Regressions found by acceptance testing on a small organization, values computed by hand."""

from __future__ import annotations

import pytest

from execution_core.views import confidence_calibration
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
