"""The classic appraisal views: the sheet, calibration, rating history and the trace.

Ana's 2026 goals: goal 1 (weight 2) ends at 80 of 100 (0.8); goal 2 (weight 1) at 10 of 10
(1.0); a developmental milestone (weight 1) not done (0); goal 4 (weight 5) was dropped. Her
attainment is (2 * 0.8 + 1 + 0) / 4 = 0.65: computed rating 2, bonus 0.5. Max records 3 on day
370; Hana calibrates it to 4 on day 375.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from execution_core import GoalKind, NotPermitted, Policy
from execution_core.views import (
    RatingSource,
    appraisal_sheet,
    appraisal_trace,
    calibration,
    rating_history,
)
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr

NEXT = UUID("00000000-0000-4000-8000-0000000000c7")


@pytest.fixture
def history() -> History:
    h = History()
    h.goal(1, weight=2)
    h.goal(2, weight=1, key_results=(kr(target=10),))
    h.goal(3, weight=1, kind=GoalKind.DEVELOPMENTAL, key_results=(kr(milestone=True),))
    h.goal(4, weight=5)
    h.log(1, 80, 300)
    h.log(2, 10, 200)
    h.log(3, 0, 100)
    h.execution.drop_goal(goal_id(4), reason="merged", actor="max", occurred_at=d(50))
    h.goal(5, "ben")
    h.log(5, 100, 300)
    return h


def _ratings(h: History) -> None:
    x = h.execution
    x.record_appraisal(CYCLE_ID, "ana", 3, summary="solid year", actor="max", occurred_at=d(370))
    x.calibrate_rating(
        CYCLE_ID, "ana", 4, reason="peer comparison", actor="hana", occurred_at=d(375)
    )


def test_the_computed_rating_and_bonus(history: History) -> None:
    """Given only the execution history, then ana's sheet lists her three live goals with their
    final scores, attainment 0.65, computed rating 2 and bonus 0.5."""
    sheet = appraisal_sheet(history.ledger(), CYCLE_ID, "ana", viewer="hana", at=d(369))
    assert [(g.goal_id, g.final_score) for g in sheet.goals] == [
        (goal_id(1), 0.8),
        (goal_id(2), 1.0),
        (goal_id(3), 0.0),
    ]
    assert sheet.attainment == pytest.approx(0.65)
    assert (sheet.computed_rating, sheet.rating, sheet.rating_source) == (
        2,
        2,
        RatingSource.COMPUTED,
    )
    assert sheet.bonus_multiplier == 0.5


def test_a_recorded_rating_overrides_the_computed_one(history: History) -> None:
    """Given max recorded 3 on day 370, when the sheet is read on day 372, then the rating is 3
    (recorded) with bonus 1.0, and the computed 2 is still shown."""
    _ratings(history)
    sheet = appraisal_sheet(history.ledger(), CYCLE_ID, "ana", viewer="max", at=d(372))
    assert (sheet.computed_rating, sheet.recorded_rating, sheet.calibrated_rating) == (2, 3, None)
    assert (sheet.rating, sheet.rating_source, sheet.bonus_multiplier) == (
        3,
        RatingSource.RECORDED,
        1.0,
    )
    assert (sheet.reviewer_id, sheet.summary) == ("max", "solid year")


def test_a_calibrated_rating_overrides_the_recorded_one(history: History) -> None:
    """Given the rating calibrated to 4 on day 375, when the sheet is read on day 380, then the
    rating is 4 (calibrated) with bonus 1.2."""
    _ratings(history)
    sheet = appraisal_sheet(history.ledger(), CYCLE_ID, "ana", viewer="ana", at=d(380))
    assert (sheet.computed_rating, sheet.recorded_rating, sheet.calibrated_rating) == (2, 3, 4)
    assert (sheet.rating, sheet.rating_source, sheet.bonus_multiplier) == (
        4,
        RatingSource.CALIBRATED,
        1.2,
    )
    assert sheet.to_records()[0]["rating"] == 4


def test_another_policy_recomputes_the_rating(history: History) -> None:
    """Given a rubric with floors 0.3, 0.5, 0.6 and 0.65, then the same attainment of 0.65
    computes to rating 5."""
    policy = Policy(rating_floors=(0.3, 0.5, 0.6, 0.65))
    sheet = appraisal_sheet(
        history.ledger(), CYCLE_ID, "ana", viewer="hana", at=d(369), policy=policy
    )
    assert sheet.computed_rating == 5


@pytest.mark.parametrize("viewer", ["ana", "max", "cleo", "hana"])
def test_the_person_their_managers_and_hr_may_see_the_sheet(history: History, viewer: str) -> None:
    """Given the default access policy, then ana, her managers and HR may see her sheet."""
    assert appraisal_sheet(history.ledger(), CYCLE_ID, "ana", viewer=viewer, at=d(369)).goals


@pytest.mark.parametrize("viewer", ["ben", "cora", "zed"])
def test_nobody_else_sees_an_appraisal(history: History, viewer: str) -> None:
    """Given the default access policy, then a peer, an unrelated coach or a stranger may see
    neither ana's sheet, nor her rating history, nor her trace."""
    ledger = history.ledger()
    with pytest.raises(NotPermitted):
        appraisal_sheet(ledger, CYCLE_ID, "ana", viewer=viewer, at=d(369))
    with pytest.raises(NotPermitted):
        rating_history(ledger, "ana", viewer=viewer, at=d(369))
    with pytest.raises(NotPermitted):
        appraisal_trace(ledger, CYCLE_ID, "ana", viewer=viewer, at=d(369))


def test_calibration_distribution_per_unit(history: History) -> None:
    """Given ana calibrated to 4, ben computed at 5 (attainment 1.0) and max recorded at 3
    without goals, all in sales, then sales (and the organization) has one each of 3, 4 and 5:
    shares of a third against the guideline 10/20/40/20/10 %."""
    _ratings(history)
    history.execution.record_appraisal(CYCLE_ID, "max", 3, actor="cleo", occurred_at=d(370))
    result = calibration(history.ledger(), CYCLE_ID, at=d(380))
    assert sorted(result.ratings) == [("ana", "sales", 4), ("ben", "sales", 5), ("max", "sales", 3)]
    sales = result.of_unit("sales")
    assert [r.count for r in sales] == [0, 0, 1, 1, 1]
    assert [r.guideline for r in sales] == [0.1, 0.2, 0.4, 0.2, 0.1]
    assert sales[2].share == pytest.approx(1 / 3)
    assert sales[2].gap == pytest.approx(1 / 3 - 0.4)
    assert [r.count for r in result.of_unit(None)] == [0, 0, 1, 1, 1]
    assert result.of_unit("hq") == ()


def test_rating_history_across_cycles(history: History) -> None:
    """Given ana's calibrated 4 in 2026 and in 2027 (under a rubric with floors 0.4, 0.6, 0.8,
    0.95) a goal at 0.82, then her history lists 2026 with 4 (calibrated) and 2027 with a
    computed 4 (it would be 3 under the default rubric)."""
    _ratings(history)
    x = history.execution
    x.open_cycle(
        "2027",
        date(2027, 1, 1),
        date(2027, 12, 31),
        cycle_id=NEXT,
        policy=Policy(rating_floors=(0.4, 0.6, 0.8, 0.95)),
        actor="cleo",
        occurred_at=d(366),
    )
    x.set_goal(
        NEXT,
        "next",
        "ana",
        goal_id=goal_id(9),
        key_results=(kr(),),
        actor="cleo",
        occurred_at=d(366),
    )
    history.log(9, 82, 400)
    rows = rating_history(history.ledger(), "ana", viewer="ana", at=d(800)).rows
    assert [(r.cycle_name, r.rating, r.rating_source) for r in rows] == [
        ("2026", 4, RatingSource.CALIBRATED),
        ("2027", 4, RatingSource.COMPUTED),
    ]
    assert rows[1].attainment == pytest.approx(0.82)
    default = rating_history(history.ledger(), "ana", viewer="ana", at=d(800), policy=Policy())
    assert default.rows[1].rating == 3


def test_the_trace_from_execution_to_rating(history: History) -> None:
    """Given the history and both changes, then the trace shows each goal's share and
    contribution (0.4 + 0.25 + 0 = 0.65), the computed 2 under the policy adopted when the cycle
    opened, then 2 -> 3 recorded by max and 3 -> 4 calibrated by hana, with reasons and clocks."""
    _ratings(history)
    trace = appraisal_trace(history.ledger(), CYCLE_ID, "ana", viewer="hana", at=d(380))
    assert [(g.share, g.contribution) for g in trace.goals] == [
        (0.5, 0.4),
        (0.25, 0.25),
        (0.25, 0.0),
    ]
    assert sum(g.contribution for g in trace.goals) == pytest.approx(trace.attainment or 0)
    assert trace.computed_rating == 2
    assert trace.policy == Policy()
    assert trace.policy_adopted_by == "cleo"
    changes = [(c.kind.value, c.from_rating, c.to_rating, c.actor, c.reason) for c in trace.changes]
    assert changes == [
        ("recorded", 2, 3, "max", "solid year"),
        ("calibrated", 3, 4, "hana", "peer comparison"),
    ]
    assert trace.changes[1].occurred_at == d(375)
    assert trace.rating == 4
    steps = [r["step"] for r in trace.to_records()]
    assert steps == ["goal", "goal", "goal", "attainment", "computed", "recorded", "calibrated"]
