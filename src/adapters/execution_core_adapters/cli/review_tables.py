"""The game review and the strategy map on a terminal, as rich Tables (every figure comes from
the view value; every stored text goes through :func:`shown` or :func:`printable`)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from execution_core.views import GameReview, StrategyMap
from execution_core_adapters.cli.render import (
    NOTHING,
    health_text,
    outcome_text,
    owner_text,
    percent,
    printable,
    shown,
    table_box,
)

__all__ = ["game_review_table", "lessons_text", "strategy_map_table"]


def game_review_table(view: GameReview, *, title: str, compact: bool = False) -> Table:
    """Per goal: owner, how it ended (progress, health, outcome at the cycle's end), what
    worked, what did not, the lessons and who reviewed it; a goal not reviewed says so. A
    compact table keeps the goal, its final progress and the review's three texts."""
    table = Table(title=title, title_justify="left", box=table_box(compact))
    table.add_column("goal", ratio=2 if compact else None, max_width=None if compact else 40)
    if not compact:
        table.add_column("owner")
        table.add_column("status")
    table.add_column("final", justify="right")
    if not compact:
        table.add_column("health")
        table.add_column("outcome")
    for heading in ("worked", "did not work", "lessons"):
        table.add_column(heading, ratio=3 if compact else None, max_width=None if compact else 36)
    if not compact:
        table.add_column("reviewed by")
    for row in view.rows:
        not_yet = Text("not reviewed yet" if row.status != "dropped" else "", style="dim")
        texts = (
            (Text(printable(row.worked)), shown(row.did_not_work), shown(row.lessons))
            if row.reviewed
            else (not_yet, "", "")
        )
        cells: list[str | Text] = [shown(row.title)]
        if not compact:
            cells += [owner_text(row.owner), row.status]
        cells.append(percent(row.final_progress))
        if not compact:
            cells += [health_text(row.final_health), outcome_text(row.outcome)]
        cells += texts
        if not compact:
            cells.append(NOTHING if row.reviewed_by is None else shown(row.reviewed_by))
        table.add_row(*cells)
    return table


def lessons_text(view: GameReview) -> str:
    """The lessons collected and how many goals await a review, as lines to print."""
    lines = [f"Lessons ({len(view.lessons)}):"] if view.lessons else ["No lessons recorded yet."]
    lines.extend(f"  - {shown(lesson)}" for lesson in view.lessons)
    if view.unreviewed:
        lines.append(
            f"{len(view.unreviewed)} goals not reviewed yet: "
            + shown(", ".join(row.title for row in view.unreviewed))
        )
    return "\n".join(lines)


def strategy_map_table(view: StrategyMap, *, title: str, compact: bool = False) -> Table:
    """Perspectives in the scorecard's order; under each its themes with their rollup, and
    under each theme the goals serving it, children indented."""
    table = Table(title=title, title_justify="left", box=table_box(compact))
    table.add_column("perspective")
    table.add_column("theme / goal", max_width=36 if compact else 56)
    table.add_column("owner")
    table.add_column("status")
    table.add_column("weight", justify="right")
    table.add_column("progress", justify="right")
    table.add_column("health")
    for group in view.perspectives:
        perspective = "no perspective" if group.perspective is None else group.perspective.value
        for n, theme in enumerate(group.themes):
            table.add_row(
                Text(perspective if n == 0 else "", style="bold"),
                Text(printable(theme.title), style="bold"),
                "",
                "retired" if theme.retired else "",
                "",
                percent(theme.progress),
                health_text(theme.health),
            )
            for goal in theme.goals:
                table.add_row(
                    "",
                    f"{'  ' * (goal.depth + 1)}{shown(goal.title)}",
                    owner_text(goal.owner),
                    goal.status,
                    f"{goal.weight:g}",
                    percent(goal.progress),
                    health_text(goal.health),
                )
    if not view.perspectives:
        table.add_row(NOTHING, "no themes", "", "", "", "", "")
    return table
