"""The strategy map: themes grouped by perspective in the balanced scorecard's order, the goals
serving each (directly and through parents), and each theme's rollup."""

from __future__ import annotations

import pytest

from execution_core import NotPermitted
from execution_core.strategy.events import Perspective
from execution_core.views import Health, strategy_map
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr


def _map_history() -> History:
    """Growth (no perspective in the standard organization) is joined by a learning theme
    "craft", a customer theme "care" and a financial theme "margin"; goal 1 rolls up goals 2
    (weight 3, at 0.5) and 3 (weight 1, at 1.0) under care; goal 4 (at 0.05 a fifth into the
    year) serves margin; goal 5 serves craft and is dropped; goal 6 serves nothing."""
    h = History()
    x = h.execution
    x.add_theme(
        "craft", "Grow our craft", perspective="learning and growth", actor="cleo", occurred_at=d(0)
    )
    x.add_theme(
        "care",
        "Delight customers",
        perspective=Perspective.CUSTOMER,
        actor="cleo",
        occurred_at=d(0),
    )
    x.add_theme(
        "margin",
        "Widen the margin",
        perspective=Perspective.FINANCIAL,
        actor="cleo",
        occurred_at=d(0),
    )
    h.goal(1, "max", key_results=(), theme="care")
    h.goal(2, parent=1, weight=3, key_results=(kr(target=10),))
    h.goal(3, "ben", parent=1, weight=1, key_results=(kr(target=10),))
    h.goal(4, "ben", theme="margin")
    h.goal(5, "ana", theme="craft")
    h.goal(6, "ben", theme=None)
    h.log(2, 5, 73)
    h.log(3, 10, 73)
    h.log(4, 5, 73)
    x.drop_goal(goal_id(5), reason="no budget", actor="max", occurred_at=d(50))
    return h


def test_themes_are_grouped_by_perspective_in_the_scorecard_order() -> None:
    """Given themes of the financial, customer and learning perspectives and one with none,
    then the map lists financial, customer, learning and growth, then the theme without one."""
    view = strategy_map(_map_history().ledger(), CYCLE_ID, at=d(73))
    assert [(g.perspective, [t.theme_id for t in g.themes]) for g in view.perspectives] == [
        (Perspective.FINANCIAL, ["margin"]),
        (Perspective.CUSTOMER, ["care"]),
        (Perspective.LEARNING_AND_GROWTH, ["craft"]),
        (None, ["growth"]),
    ]


def test_a_theme_holds_its_goals_directly_and_through_parents() -> None:
    """Given care served by goal 1 and, through it, goals 2 and 3, then the theme lists all
    three depth first, and a goal aligned to nothing is on no theme."""
    view = strategy_map(_map_history().ledger(), CYCLE_ID, at=d(73))
    care = view.theme("care")
    assert [(g.goal_id, g.depth) for g in care.goals] == [
        (goal_id(1), 0),
        (goal_id(2), 1),
        (goal_id(3), 1),
    ]
    on_the_map = {g.goal_id for group in view.perspectives for t in group.themes for g in t.goals}
    assert goal_id(6) not in on_the_map


def test_a_theme_rolls_up_its_direct_goals_by_weight() -> None:
    """Given care's goal 1 rolling up 0.5 (weight 3) and 1.0 (weight 1), margin's goal at 0.05
    and craft's only goal dropped, then care is at 0.625, margin at 0.05 and craft has no
    rollup; each theme's health is the band of its weighted forecast (margin's forecast, 0.25,
    is off track)."""
    view = strategy_map(_map_history().ledger(), CYCLE_ID, at=d(73))
    care, margin, craft = view.theme("care"), view.theme("margin"), view.theme("craft")
    assert care.progress == pytest.approx(0.625)
    assert margin.progress == pytest.approx(0.05)
    assert margin.forecast == pytest.approx(0.25)
    assert (craft.progress, craft.forecast, craft.health) == (None, None, None)
    assert [g.status for g in craft.goals] == ["dropped"]
    assert care.health is Health.ON_TRACK
    assert margin.health is Health.OFF_TRACK


def test_the_map_is_read_at_an_instant() -> None:
    """Given themes added on day 0 and goals set on day 0, when the map is read before any
    check-in, then every theme is there with goals at progress 0."""
    view = strategy_map(_map_history().ledger(), CYCLE_ID, at=d(1))
    assert view.theme("care").progress == 0.0
    assert view.theme("care").health is None


def test_records_flatten_theme_and_goal() -> None:
    """Given the map, then one record per goal under its theme, with the perspective's text;
    a theme with no goal gives one record with no goal."""
    h = History()
    h.execution.add_theme(
        "ops", "Run smoothly", perspective="internal process", actor="cleo", occurred_at=d(0)
    )
    h.goal(1)
    records = strategy_map(h.ledger(), CYCLE_ID, at=d(10)).to_records()
    assert [(r["perspective"], r["theme_id"], r["goal_id"]) for r in records] == [
        ("internal process", "ops", None),
        (None, "growth", goal_id(1)),
    ]
    assert set(records[1]) == {
        "perspective",
        "theme_id",
        "theme_title",
        "theme_progress",
        "theme_health",
        "goal_id",
        "title",
        "owner_kind",
        "owner_id",
        "status",
        "depth",
        "weight",
        "progress",
        "health",
    }


def test_a_viewer_must_be_allowed_to_see_the_board() -> None:
    """Given someone unknown to the organization as the viewer, then the map is refused."""
    ledger = _map_history().ledger()
    assert strategy_map(ledger, CYCLE_ID, at=d(73), viewer="ben").perspectives
    with pytest.raises(NotPermitted):
        strategy_map(ledger, CYCLE_ID, at=d(73), viewer="stranger")
