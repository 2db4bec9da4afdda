"""The alignment tree: strategy > themes > goals > child goals, rolled up, the unaligned flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from execution_core.events import Alignment, GoalRealigned
from execution_core.views import AlignmentNode, Ledger, alignment_tree, scoreboard
from tests.views.scenario import CYCLE_ID, History, d, goal_id, kr


def _ids(nodes: tuple[AlignmentNode, ...]) -> list[str]:
    return [node.id for node in nodes]


def test_themes_roll_up_their_goals_and_the_strategy_its_themes() -> None:
    """Given a rollup goal over children at 0.5 (weight 3) and 1.0 (weight 1) aligned to growth,
    a goal at 0.2 on a second theme, and one goal aligned to nothing, then growth is at 0.625,
    the strategy at the mean of its themes (0.4125), and the loose goal is flagged."""
    h = History()
    h.execution.add_theme("care", "Delight customers", actor="cleo", occurred_at=d(0))
    h.goal(1, "max", key_results=())
    h.goal(2, parent=1, weight=3, key_results=(kr(target=10),))
    h.goal(3, "ben", parent=1, weight=1, key_results=(kr(target=10),))
    h.goal(4, "ben", theme="care")
    h.goal(5, "ben", theme=None)
    h.log(2, 5, 73)
    h.log(3, 10, 73)
    h.log(4, 20, 73)
    tree = alignment_tree(h.ledger(), CYCLE_ID, at=d(73))
    growth, care = tree.strategy.children
    assert (growth.id, growth.progress) == ("growth", 0.625)
    assert (care.id, care.progress) == ("care", 0.2)
    assert tree.strategy.progress == pytest.approx((0.625 + 0.2) / 2)
    (parent,) = growth.children
    assert parent.id == str(goal_id(1))
    assert _ids(parent.children) == [str(goal_id(2)), str(goal_id(3))]
    assert _ids(tree.unaligned) == [str(goal_id(5))]
    assert tree.unaligned[0].unaligned


def test_records_walk_the_tree_depth_first() -> None:
    """Given a theme with a goal and a child, then the records list the strategy, the theme, the
    goal and the child at depths 0 to 3 with their parents."""
    h = History()
    h.goal(1, "max")
    h.goal(2, parent=1)
    records = alignment_tree(h.ledger(), CYCLE_ID, at=d(10)).to_records()
    assert [(r["depth"], r["kind"], r["parent"]) for r in records] == [
        (0, "strategy", None),
        (1, "theme", "strategy"),
        (2, "goal", "growth"),
        (3, "goal", str(goal_id(1))),
    ]


def test_an_alignment_loop_counts_as_aligned_to_nothing() -> None:
    """Given two goals that realigned to each other at the same moment (a race the core cannot
    prevent), then neither rolls up into the other and both are flagged as unaligned."""
    h = History()
    h.goal(1, "max")
    h.goal(2)
    events = h.execution.history()
    when = datetime(2026, 2, 1, tzinfo=UTC)

    def realign(goal: UUID, to: UUID, version: int) -> GoalRealigned:
        return GoalRealigned(
            stream_id=goal,
            version=version,
            actor="cleo",
            occurred_at=when,
            recorded_at=when,
            old_alignment=Alignment(theme_id="growth"),
            new_alignment=Alignment(parent_id=to),
            reason="race",
        )

    versions = {e.stream_id: e.version for e in events}
    ledger = Ledger.of(
        [
            *events,
            realign(goal_id(1), goal_id(2), versions[goal_id(1)] + 1),
            realign(goal_id(2), goal_id(1), versions[goal_id(2)] + 1),
        ]
    )
    rows = scoreboard(ledger, CYCLE_ID, at=d(60)).rows
    assert rows[goal_id(1)].parent_id is None
    assert rows[goal_id(2)].parent_id is None
    tree = alignment_tree(ledger, CYCLE_ID, at=d(60))
    assert sorted(_ids(tree.unaligned)) == sorted([str(goal_id(1)), str(goal_id(2))])
