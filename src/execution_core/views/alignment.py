"""The alignment tree: strategy > themes > goals > child goals, rolled up.

A goal rolls up its key results (or, with none of its own, its child goals by weight); a theme
rolls up the goals aligned to it by weight; the strategy is the plain mean of its themes that
have goals. Goals aligned to nothing (or to a theme or parent not known at the instant, or in an
alignment loop) hang under no theme and are flagged: every activity should serve the strategy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Literal
from uuid import UUID

import attrs

from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import records
from execution_core.views.formulas import Health
from execution_core.views.ledger import Ledger
from execution_core.views.reading import ScoreboardRow
from execution_core.views.scoreboard import Scoreboard

__all__ = ["AlignmentNode", "AlignmentRecord", "AlignmentTree", "alignment_tree"]

NodeKind = Literal["strategy", "theme", "goal"]


@attrs.frozen(kw_only=True)
class AlignmentNode:
    """A node of the tree with its rolled-up progress (None: nothing below it to roll up)."""

    kind: NodeKind
    id: str
    title: str
    progress: float | None
    weight: float = 1.0
    health: Health | None = None
    owner: str | None = None
    status: str | None = None
    unaligned: bool = False
    """True for a goal that serves no theme (directly or through its parents)."""
    children: tuple[AlignmentNode, ...] = ()

    def walk(self, depth: int = 0, parent: str | None = None) -> Iterator[AlignmentRecord]:
        """The node and everything below it, depth first."""
        yield AlignmentRecord(
            depth=depth,
            parent=parent,
            kind=self.kind,
            id=self.id,
            title=self.title,
            progress=self.progress,
            weight=self.weight,
            health=self.health,
            owner=self.owner,
            status=self.status,
            unaligned=self.unaligned,
        )
        for child in self.children:
            yield from child.walk(depth + 1, self.id)


@attrs.frozen(kw_only=True)
class AlignmentRecord:
    """A node flattened for a table, with its depth and its parent's id."""

    depth: int
    parent: str | None
    kind: NodeKind
    id: str
    title: str
    progress: float | None
    weight: float
    health: Health | None
    owner: str | None
    status: str | None
    unaligned: bool


@attrs.frozen(kw_only=True)
class AlignmentTree:
    """The strategy with its themes and goals, and the goals aligned to nothing."""

    cycle_id: UUID
    at: datetime
    strategy: AlignmentNode
    unaligned: tuple[AlignmentNode, ...]
    """Goals (with their children) that serve no theme."""

    def to_records(self) -> list[dict[str, object]]:
        """Every node, depth first: the strategy's tree, then the unaligned goals."""
        rows = list(self.strategy.walk())
        for node in self.unaligned:
            rows.extend(node.walk())
        return records(rows)


def _goal_node(
    row: ScoreboardRow,
    below: Mapping[UUID | None, list[ScoreboardRow]],
    unaligned: bool,
) -> AlignmentNode:
    return AlignmentNode(
        kind="goal",
        id=str(row.goal_id),
        title=row.title,
        progress=row.progress,
        weight=row.weight,
        health=row.health,
        owner=str(row.owner),
        status=row.status,
        unaligned=unaligned,
        children=tuple(_goal_node(c, below, unaligned) for c in below.get(row.goal_id, [])),
    )


def _live(rows: list[ScoreboardRow]) -> list[ScoreboardRow]:
    return [row for row in rows if row.status != "dropped"]


def alignment_tree(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> AlignmentTree:
    """The alignment tree of a cycle at business time ``at``."""
    board = Scoreboard.build(ledger, cycle_id, at=at, policy=policy)
    at = board.at
    strategy = ledger.strategy_at(at)
    below: dict[UUID | None, list[ScoreboardRow]] = {}
    by_theme: dict[str, list[ScoreboardRow]] = {}
    loose: list[ScoreboardRow] = []
    for row in board.rows.values():
        if row.parent_id is not None:
            below.setdefault(row.parent_id, []).append(row)
        elif row.theme_id is not None and row.theme_id in strategy.themes:
            by_theme.setdefault(row.theme_id, []).append(row)
        else:
            loose.append(row)
    themes: list[AlignmentNode] = []
    for theme in strategy.themes.values():
        goals = by_theme.get(theme.id, [])
        if theme.retired and not goals:
            continue
        live = _live(goals)
        themes.append(
            AlignmentNode(
                kind="theme",
                id=theme.id,
                title=theme.title,
                progress=f.weighted_mean((r.weight, r.progress) for r in live),
                status="retired" if theme.retired else "active",
                children=tuple(_goal_node(r, below, unaligned=False) for r in goals),
            )
        )
    rolled = [t.progress for t in themes if t.progress is not None]
    root = AlignmentNode(
        kind="strategy",
        id="strategy",
        title=strategy.vision or "",
        progress=sum(rolled) / len(rolled) if rolled else None,
        children=tuple(themes),
    )
    return AlignmentTree(
        cycle_id=cycle_id,
        at=at,
        strategy=root,
        unaligned=tuple(_goal_node(r, below, unaligned=True) for r in loose),
    )
