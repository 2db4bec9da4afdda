"""The live board: one row per goal of every cycle not closed, read at the cycle's instant
(the rows of :func:`execution_core.views.scoreboard`, kept by :meth:`Scoreboard.advance`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from execution_core.views.live.changes import Paced, Row, RowChanges
from execution_core.views.live.state import LiveBatch, LiveState, on_board
from execution_core.views.reading import ScoreboardRow
from execution_core.views.retiming import days_moved

__all__ = ["BoardProjection", "plain"]


def plain(value: Any) -> Any:
    """An enum as its value (what a row holds), anything else as it is."""
    return value.value if isinstance(value, Enum) else value


class BoardProjection:
    """The live board's rows (see :class:`~.projection.LiveProjection`)."""

    name = "board"
    key = ("goal_id",)
    columns = (
        "goal_id",
        "cycle_id",
        "evaluated_at",
        "title",
        "kind",
        "owner_kind",
        "owner_id",
        "status",
        "weight",
        "aligned_to",
        "parent_id",
        "theme_id",
        "rolls_up",
        "progress",
        "raw_progress",
        "expected",
        "pace_gap",
        "forecast",
        "health",
        "confidence",
        "last_checkin_at",
        "days_since_checkin",
        "open_commitments",
        "outcome",
    )

    @staticmethod
    def row(cycle_id: UUID, at: datetime, r: ScoreboardRow) -> Row:
        """A scoreboard row as a row of the projection."""
        return (
            r.goal_id,
            cycle_id,
            at,
            r.title,
            plain(r.kind),
            r.owner.kind,
            r.owner.id,
            r.status,
            r.weight,
            None if r.aligned_to is None else str(r.aligned_to),
            r.parent_id,
            r.theme_id,
            r.rolls_up,
            r.progress,
            r.raw_progress,
            r.expected,
            r.pace_gap,
            r.forecast,
            plain(r.health),
            r.confidence,
            r.last_checkin_at,
            r.days_since_checkin,
            r.open_commitments,
            plain(r.outcome),
        )

    def changes(self, batch: LiveBatch) -> RowChanges:
        """The rows of the goals whose row changed; a cycle's rows cleared when it closed, all
        of them rewritten when its board was rebuilt. When a board only moved to a later
        instant, its pace is moved in place (:class:`Paced`) and only the rows that changed
        beyond it are written: the marked ones, and those whose days since the last check-in
        moved."""
        changes = RowChanges()
        for change in batch.boards:
            cycle_id = change.cycle.id
            shown = on_board(change.cycle, batch.now)
            was = cycle_id in batch.shown
            if was and not shown:
                changes.clear_cycles.append(cycle_id)
            if not shown:
                continue
            board, old = change.new, change.old
            goal_ids: Iterable[UUID] = board.rows if not was else change.changed
            if change.rebuilt and was:
                changes.clear_cycles.append(cycle_id)
                goal_ids = board.rows
            elif was and old is not None and change.marked is not None and old.at != board.at:
                changes.paced.append(Paced(cycle_id, board.at, board.expected))
                moved = days_moved(board.rows, was=old.at, now=board.at)
                goal_ids = dict.fromkeys([*change.marked, *moved])
            changes.upsert.extend(self.row(cycle_id, board.at, board.rows[g]) for g in goal_ids)
        return changes

    def rows(self, state: LiveState) -> RowChanges:
        """Every goal row of every cycle not closed."""
        changes = RowChanges(truncate=True)
        if state.now is None:
            return changes
        for cycle in state.ledger.cycles.values():
            board = state.boards.get(cycle.id)
            if board is not None and on_board(cycle, state.now):
                changes.upsert.extend(self.row(cycle.id, board.at, r) for r in board.rows.values())
        return changes
