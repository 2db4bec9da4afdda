"""The game review: each goal's review beside how it ended, the goals not reviewed yet, the
lessons collected, and who may read it."""

from __future__ import annotations

import pytest

from execution_core import NotPermitted
from execution_core.views import Health, Outcome, game_review
from tests.views.scenario import CYCLE_ID, History, d, goal_id

END = 365


def _season() -> History:
    """Ana's goal 1 ends at 1.0 (met) and ben's goal 2 at 0.4; goal 3 is dropped. Max reviews
    goal 2 on day 370 (after the cycle's end); nobody reviews goal 1 (yet)."""
    h = History()
    h.goal(1)
    h.goal(2, "ben")
    h.goal(3, "ben")
    h.log(1, 100, 300)
    h.log(2, 40, 300)
    h.execution.drop_goal(goal_id(3), reason="merged", actor="max", occurred_at=d(100))
    h.execution.review_goal(
        goal_id(2),
        worked="Early conversations",
        did_not_work="Quiet weeks hid the slide",
        lessons="Check in weekly",
        actor="max",
        occurred_at=d(370),
    )
    return h


def test_a_review_stands_beside_how_the_goal_ended() -> None:
    """Given a goal ended at 0.4 and reviewed after the cycle's end, when the game review is
    read after it, then the goal's row holds its final progress, health and outcome read at
    the cycle's end, what worked, what did not, the lessons and who reviewed it when."""
    review = game_review(_season().ledger(), CYCLE_ID, at=d(400))
    row = {r.goal_id: r for r in review.rows}[goal_id(2)]
    assert review.ends_at == d(END)
    assert row.owner.id == "ben"
    assert row.final_progress == pytest.approx(0.4)
    assert row.final_health is Health.OFF_TRACK
    assert row.outcome is Outcome.MISSED
    assert (row.reviewed, row.worked, row.did_not_work, row.lessons) == (
        True,
        "Early conversations",
        "Quiet weeks hid the slide",
        "Check in weekly",
    )
    assert (row.reviewed_by, row.reviewed_at) == ("max", d(370))


def test_the_goals_not_reviewed_and_the_lessons_collected() -> None:
    """Given three goals, one dropped and one reviewed, then the one left is not reviewed yet
    (a dropped goal needs no review), and the lessons are those of the review."""
    review = game_review(_season().ledger(), CYCLE_ID, at=d(400))
    assert [r.goal_id for r in review.rows] == [goal_id(1), goal_id(2), goal_id(3)]
    assert [r.goal_id for r in review.unreviewed] == [goal_id(1)]
    assert review.lessons == ("Check in weekly",)


def test_a_review_counts_from_its_own_business_time() -> None:
    """Given a review on day 370, when the game review is read at the cycle's end, then no goal
    is reviewed yet, though the goals are read as they ended."""
    review = game_review(_season().ledger(), CYCLE_ID, at=d(END))
    assert not any(r.reviewed for r in review.rows)
    assert [r.goal_id for r in review.unreviewed] == [goal_id(1), goal_id(2)]
    assert review.rows[1].final_progress == pytest.approx(0.4)


def test_records_name_every_column() -> None:
    """Given the game review, then its records flatten the owner and the enums."""
    (record, *_) = game_review(_season().ledger(), CYCLE_ID, at=d(400)).to_records()
    assert set(record) == {
        "goal_id",
        "title",
        "kind",
        "owner_kind",
        "owner_id",
        "status",
        "final_progress",
        "final_health",
        "outcome",
        "reviewed",
        "worked",
        "did_not_work",
        "lessons",
        "reviewed_by",
        "reviewed_at",
        "recorded_at",
    }
    assert (record["final_health"], record["outcome"]) == ("on track", "met")


def test_a_viewer_must_be_allowed_to_see_the_board() -> None:
    """Given a viewer who is active, then the review reads; given someone unknown to the
    organization, then it is refused."""
    ledger = _season().ledger()
    assert game_review(ledger, CYCLE_ID, at=d(400), viewer="ana").rows
    with pytest.raises(NotPermitted):
        game_review(ledger, CYCLE_ID, at=d(400), viewer="stranger")
