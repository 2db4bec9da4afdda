"""The game review: what worked, what did not and the lessons of each goal, recorded at the
cycle's end, beside how the goal ended; the goals nobody reviewed yet; the lessons collected.

A review looks back on a finished game, so each goal is read as at ``min(at, cycle end)`` (its
final progress, health and outcome), while a review counts from its own ``occurred_at``
(usually after the cycle's end), like a recorded rating. A goal is reviewed once.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.goals.events import GoalKind
from execution_core.policy import Policy
from execution_core.views._common import cycle_of, records, require, utc
from execution_core.views.formulas import Health, Outcome
from execution_core.views.ledger import GoalReview, Ledger, latest
from execution_core.views.scoreboard import Scoreboard

__all__ = ["GameReview", "ReviewedGoal", "game_review"]


@attrs.frozen(kw_only=True)
class ReviewedGoal:
    """One goal of the cycle: how it ended and its review (empty texts and None: no review)."""

    goal_id: UUID
    title: str
    kind: GoalKind
    owner: Owner
    status: str
    final_progress: float
    final_health: Health
    outcome: Outcome
    reviewed: bool
    worked: str
    did_not_work: str
    lessons: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    recorded_at: datetime | None


@attrs.frozen(kw_only=True)
class GameReview:
    """The game review of a cycle at ``at``: one row per goal set, in the order they were set."""

    cycle_id: UUID
    at: datetime
    ends_at: datetime
    """The instant the goals are read at: ``min(at, cycle end)``."""
    rows: tuple[ReviewedGoal, ...]

    @property
    def unreviewed(self) -> tuple[ReviewedGoal, ...]:
        """The goals not dropped that have no review yet."""
        return tuple(r for r in self.rows if not r.reviewed and r.status != "dropped")

    @property
    def lessons(self) -> tuple[str, ...]:
        """Every lesson recorded, in the goals' order."""
        return tuple(r.lessons for r in self.rows if r.lessons)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal."""
        return records(self.rows)


def game_review(
    ledger: Ledger,
    cycle_id: UUID,
    *,
    at: datetime,
    policy: Policy | None = None,
    viewer: str | None = None,
    access: AccessPolicy | None = None,
) -> GameReview:
    """The game review of a cycle at business time ``at``.

    ``viewer``, when given, must be allowed to see the board (``Permission.VIEW_BOARD``: anyone
    active, by default): the reviews are the team's lessons, shared as the board is.
    """
    at = utc(at)
    if viewer is not None:
        require(ledger, viewer, Permission.VIEW_BOARD, None, access)
    cycle = cycle_of(ledger, cycle_id)
    ends_at = min(at, cycle.ends_at)
    board = Scoreboard.build(ledger, cycle_id, at=ends_at, policy=policy)
    rows = []
    for row in board.rows.values():
        review: GoalReview | None = latest(ledger.goals[row.goal_id].reviews, at)
        rows.append(
            ReviewedGoal(
                goal_id=row.goal_id,
                title=row.title,
                kind=row.kind,
                owner=row.owner,
                status=row.status,
                final_progress=row.progress,
                final_health=row.health,
                outcome=row.outcome,
                reviewed=review is not None,
                worked="" if review is None else review.worked,
                did_not_work="" if review is None else review.did_not_work,
                lessons="" if review is None else review.lessons,
                reviewed_by=None if review is None else review.actor,
                reviewed_at=None if review is None else review.occurred_at,
                recorded_at=None if review is None else review.recorded_at,
            )
        )
    return GameReview(cycle_id=cycle_id, at=at, ends_at=ends_at, rows=tuple(rows))
