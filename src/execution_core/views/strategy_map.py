"""The strategy map: the themes grouped by their balanced-scorecard perspective (financial,
customer, internal process, learning and growth; themes with none last), under each theme the
goals that serve it, directly or through their parents, and the theme's rollup.

A theme rolls up the goals aligned to it directly (dropped ones left out) by weight, as in the
alignment tree: its progress is the weighted mean of their progress, its forecast the weighted
mean of their forecasts (goals with none left out), and its health the band of that forecast
under the policy in force (None: nothing to roll up).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.policy import Policy
from execution_core.strategy.events import Perspective
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, policy_in_force, records, require
from execution_core.views.formulas import Health
from execution_core.views.ledger import Ledger
from execution_core.views.reading import ScoreboardRow
from execution_core.views.scoreboard import Scoreboard

__all__ = [
    "PERSPECTIVE_ORDER",
    "MapGoal",
    "MapRecord",
    "MapTheme",
    "PerspectiveGroup",
    "StrategyMap",
    "strategy_map",
]

PERSPECTIVE_ORDER = (
    Perspective.FINANCIAL,
    Perspective.CUSTOMER,
    Perspective.INTERNAL_PROCESS,
    Perspective.LEARNING_AND_GROWTH,
)
"""The balanced scorecard's order: results first, what drives them last."""


@attrs.frozen(kw_only=True)
class MapGoal:
    """A goal serving a theme: ``depth`` 0 when aligned to it directly, 1 for a child of such a
    goal, and so on."""

    goal_id: UUID
    title: str
    owner: Owner
    status: str
    depth: int
    parent_id: UUID | None
    weight: float
    progress: float
    forecast: float | None
    health: Health


@attrs.frozen(kw_only=True)
class MapTheme:
    """A theme with its rollup and the goals that serve it (depth first)."""

    theme_id: str
    title: str
    perspective: Perspective | None
    retired: bool
    progress: float | None
    forecast: float | None
    health: Health | None
    goals: tuple[MapGoal, ...]


@attrs.frozen(kw_only=True)
class PerspectiveGroup:
    """The themes of one perspective (None: themes given no perspective)."""

    perspective: Perspective | None
    themes: tuple[MapTheme, ...]


@attrs.frozen(kw_only=True)
class MapRecord:
    """One goal under its theme and perspective, flattened for a table (a theme with no goal
    gives one record with no goal)."""

    perspective: str | None
    theme_id: str
    theme_title: str
    theme_progress: float | None
    theme_health: Health | None
    goal_id: UUID | None
    title: str | None
    owner: Owner | None
    status: str | None
    depth: int | None
    weight: float | None
    progress: float | None
    health: Health | None


@attrs.frozen(kw_only=True)
class StrategyMap:
    """The strategy map of a cycle at ``at``: the perspectives that have themes, in order."""

    cycle_id: UUID
    at: datetime
    vision: str
    perspectives: tuple[PerspectiveGroup, ...]

    def theme(self, theme_id: str) -> MapTheme:
        """One theme of the map (KeyError when it is not on it)."""
        for group in self.perspectives:
            for theme in group.themes:
                if theme.theme_id == theme_id:
                    return theme
        raise KeyError(theme_id)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal under each theme, perspectives in order."""
        return records(_records(self))


def _record(perspective: Perspective | None, theme: MapTheme, goal: MapGoal | None) -> MapRecord:
    return MapRecord(
        perspective=None if perspective is None else perspective.value,
        theme_id=theme.theme_id,
        theme_title=theme.title,
        theme_progress=theme.progress,
        theme_health=theme.health,
        goal_id=None if goal is None else goal.goal_id,
        title=None if goal is None else goal.title,
        owner=None if goal is None else goal.owner,
        status=None if goal is None else goal.status,
        depth=None if goal is None else goal.depth,
        weight=None if goal is None else goal.weight,
        progress=None if goal is None else goal.progress,
        health=None if goal is None else goal.health,
    )


def _records(view: StrategyMap) -> Iterator[MapRecord]:
    for group in view.perspectives:
        for theme in group.themes:
            if not theme.goals:
                yield _record(group.perspective, theme, None)
            for goal in theme.goals:
                yield _record(group.perspective, theme, goal)


def _serving(
    row: ScoreboardRow, below: Mapping[UUID, list[ScoreboardRow]], depth: int, seen: set[UUID]
) -> Iterator[MapGoal]:
    """A goal and every goal below it, depth first (each once, whatever the alignment)."""
    if row.goal_id in seen:
        return
    seen.add(row.goal_id)
    yield MapGoal(
        goal_id=row.goal_id,
        title=row.title,
        owner=row.owner,
        status=row.status,
        depth=depth,
        parent_id=row.parent_id,
        weight=row.weight,
        progress=row.progress,
        forecast=row.forecast,
        health=row.health,
    )
    for child in below.get(row.goal_id, []):
        yield from _serving(child, below, depth + 1, seen)


def strategy_map(
    ledger: Ledger,
    cycle_id: UUID,
    *,
    at: datetime,
    policy: Policy | None = None,
    viewer: str | None = None,
    access: AccessPolicy | None = None,
) -> StrategyMap:
    """The strategy map of a cycle at business time ``at``: the strategy and its themes as they
    were at ``at``, a retired theme only while goals still serve it.

    ``viewer``, when given, must be allowed to see the board (``Permission.VIEW_BOARD``: anyone
    active, by default): the map shows the same goals.
    """
    if viewer is not None:
        require(ledger, viewer, Permission.VIEW_BOARD, None, access)
    board = Scoreboard.build(ledger, cycle_id, at=at, policy=policy)
    at = board.at
    rules = policy_in_force(cycle_of(ledger, cycle_id), at, policy)
    strategy = ledger.strategy_at(at)
    below: dict[UUID, list[ScoreboardRow]] = {}
    direct: dict[str, list[ScoreboardRow]] = {}
    for row in board.rows.values():
        if row.parent_id is not None:
            below.setdefault(row.parent_id, []).append(row)
        elif row.theme_id is not None:
            direct.setdefault(row.theme_id, []).append(row)
    themes: list[MapTheme] = []
    for theme in strategy.themes.values():
        roots = direct.get(theme.id, [])
        if theme.retired and not roots:
            continue
        live = [r for r in roots if r.status != "dropped"]
        forecast = f.weighted_mean((r.weight, r.forecast) for r in live if r.forecast is not None)
        seen: set[UUID] = set()
        themes.append(
            MapTheme(
                theme_id=theme.id,
                title=theme.title,
                perspective=theme.perspective,
                retired=theme.retired,
                progress=f.weighted_mean((r.weight, r.progress) for r in live),
                forecast=forecast,
                health=f.forecast_band(forecast, rules),
                goals=tuple(g for r in roots for g in _serving(r, below, 0, seen)),
            )
        )
    order: tuple[Perspective | None, ...] = (*PERSPECTIVE_ORDER, None)
    groups = tuple(
        PerspectiveGroup(
            perspective=perspective,
            themes=tuple(t for t in themes if t.perspective == perspective),
        )
        for perspective in order
    )
    return StrategyMap(
        cycle_id=cycle_id,
        at=at,
        vision=strategy.vision or "",
        perspectives=tuple(g for g in groups if g.themes),
    )
