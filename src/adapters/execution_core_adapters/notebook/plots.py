"""matplotlib figures of the views: burn-up, health heatmap, rating distributions, detection lead
times, the alignment tree and the strategy map.

Every function draws on a new :class:`~matplotlib.figure.Figure` (never pyplot's global state,
so it works under any backend, Agg included, and never shows anything) or on the ``ax`` given,
and returns the figure. In a notebook a cell ending with the figure displays it; elsewhere
``fig.savefig("board.png")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from execution_core.views import AlignmentTree, Health, LeadTimeReport, StrategyMap

__all__ = [
    "HEALTH_COLOURS",
    "HEALTH_ORDER",
    "MonteCarloRuns",
    "plot_alignment_tree",
    "plot_burnup",
    "plot_health_heatmap",
    "plot_lead_times",
    "plot_rating_distributions",
    "plot_strategy_map",
]

HEALTH_ORDER: tuple[str, ...] = (
    Health.ON_TRACK.value,
    Health.AT_RISK.value,
    Health.OFF_TRACK.value,
    Health.NOT_STARTED.value,
    Health.STALE.value,
    "ended",
    "not set",
)
"""The cells of the heatmap: the five healths, a goal completed or dropped, a goal not set yet."""

HEALTH_COLOURS: Mapping[str, str] = {
    Health.ON_TRACK.value: "#2e7d32",
    Health.AT_RISK.value: "#f9a825",
    Health.OFF_TRACK.value: "#c62828",
    Health.NOT_STARTED.value: "#9e9e9e",
    Health.STALE.value: "#6a1b9a",
    "ended": "#cfd8dc",
    "not set": "#ffffff",
}

RATINGS = (1, 2, 3, 4, 5)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        assert isinstance(figure, Figure)
        return figure, ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


# -- burn-up ----------------------------------------------------------------------------------


def plot_burnup(burnup: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Figure:
    """A burn-up (a :func:`~.burnup_frame`): the progress as steps (each
    reading stands until the next), the pace line the cycle expects, and the target at 1.0;
    three lines, progress first."""
    figure, ax = _axes(ax, (7, 4))
    weeks = burnup["week"].to_numpy(dtype=float)
    progress = burnup["progress"].to_numpy(dtype=float)
    # a reading stands until the next one: the board knew nothing newer in between
    ax.plot(weeks, progress, marker="o", ms=3, drawstyle="steps-post", label="progress")
    ax.plot(weeks, burnup["expected"].to_numpy(dtype=float), ls="--", color="grey", label="pace")
    ax.axhline(1.0, color="black", lw=0.8, ls=":", label="target")
    ax.set_xlabel("week of the cycle")
    ax.set_ylabel("progress (share of the gap closed)")
    ax.set_title(title or "Burn-up against the pace")
    ax.legend(loc="upper left")
    return figure


# -- health heatmap ---------------------------------------------------------------------------


def _cell(status: object, health: object) -> str:
    if status in ("completed", "dropped"):
        return "ended"
    if isinstance(health, str) and health in HEALTH_COLOURS:
        return health
    return "not set"


def plot_health_heatmap(
    weekly: pd.DataFrame,
    *,
    title: str = "",
    max_labels: int = 40,
    ax: Axes | None = None,
) -> Figure:
    """Every goal's health week by week (a :func:`~.scoreboard_by_week` frame): one image, a
    row per goal (in the order set), a column per week; goals are labelled
    by title when there are at most ``max_labels`` of them."""
    goals = list(dict.fromkeys(weekly["goal_id"]))
    weeks = sorted(dict.fromkeys(weekly["week"]))
    codes = {name: code for code, name in enumerate(HEALTH_ORDER)}
    grid = np.full((len(goals), len(weeks)), codes["not set"], dtype=float)
    row_of = {goal: row for row, goal in enumerate(goals)}
    column_of = {week: column for column, week in enumerate(weeks)}
    for goal, week, status, health in weekly[["goal_id", "week", "status", "health"]].itertuples(
        index=False
    ):
        grid[row_of[goal], column_of[week]] = codes[_cell(status, health)]
    height = min(12.0, 1.5 + 0.22 * len(goals))
    figure, ax = _axes(ax, (9, height))
    colours = ListedColormap([HEALTH_COLOURS[name] for name in HEALTH_ORDER])
    norm = BoundaryNorm(np.arange(len(HEALTH_ORDER) + 1) - 0.5, colours.N)
    ax.imshow(grid, aspect="auto", interpolation="nearest", cmap=colours, norm=norm)
    ax.set_xticks(range(len(weeks)), [str(week) for week in weeks], fontsize=7)
    titles = dict(zip(weekly["goal_id"], weekly["title"], strict=False))
    if len(goals) <= max_labels:
        ax.set_yticks(range(len(goals)), [_short(str(titles[goal]), 32) for goal in goals])
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(goals)} goals")
    ax.set_xlabel("week of the cycle")
    ax.set_title(title or "Health of every goal, week by week")
    shown = [name for name in HEALTH_ORDER if codes[name] in set(grid.flat)]
    ax.legend(
        handles=[Patch(color=HEALTH_COLOURS[name], label=name) for name in shown],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
    )
    return figure


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- rating distributions ---------------------------------------------------------------------


class _Run(Protocol):
    @property
    def policy(self) -> str: ...

    @property
    def ratings(self) -> Sequence[int]: ...


class MonteCarloRuns(Protocol):
    """A Monte Carlo result: runs that each name their policy and carry everyone's rating."""

    @property
    def runs(self) -> Sequence[_Run]: ...


def _pooled(ratings: Mapping[str, Iterable[int]] | MonteCarloRuns) -> dict[str, list[int]]:
    if isinstance(ratings, Mapping):
        return {str(name): [int(r) for r in values] for name, values in ratings.items()}
    pooled: dict[str, list[int]] = {}
    for run in ratings.runs:
        pooled.setdefault(str(run.policy), []).extend(int(r) for r in run.ratings)
    return pooled


def plot_rating_distributions(
    ratings: Mapping[str, Iterable[int]] | MonteCarloRuns,
    *,
    guideline: Sequence[float] | None = (0.1, 0.2, 0.4, 0.2, 0.1),
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """The share of people at each rating 1..5 under each policy, bars side by side (five
    bars per policy), pooled over every run of a Monte Carlo result (or given as policy name to
    ratings); the calibration guideline as a dashed mark over each rating when given."""
    pooled = _pooled(ratings)
    figure, ax = _axes(ax, (7, 4))
    width = 0.8 / max(1, len(pooled))
    positions = np.arange(len(RATINGS), dtype=float)
    for index, (name, values) in enumerate(pooled.items()):
        total = max(1, len(values))
        shares = [values.count(rating) / total for rating in RATINGS]
        offset = (index - (len(pooled) - 1) / 2) * width
        ax.bar(positions + offset, shares, width=width, label=f"{name} (n={len(values)})")
    if guideline is not None:
        ax.hlines(
            list(guideline),
            positions - 0.45,
            positions + 0.45,
            colors="black",
            linewidths=1.2,
            linestyles="dashed",
            label="guideline",
            zorder=3,
        )
    ax.set_xticks(positions, [str(rating) for rating in RATINGS])
    ax.set_xlabel("rating")
    ax.set_ylabel("share of people")
    ax.set_title(title or "Rating distribution by policy")
    ax.legend()
    return figure


# -- detection lead time ----------------------------------------------------------------------

LeadDays = Iterable[float | int | None] | LeadTimeReport


def _days(values: LeadDays) -> list[float | None]:
    if isinstance(values, LeadTimeReport):
        return [None if row.lead_days is None else float(row.lead_days) for row in values.rows]
    return [None if value is None or pd.isna(value) else float(value) for value in values]


def plot_lead_times(
    lead_days: LeadDays | Mapping[str, LeadDays],
    *,
    bin_days: int = 14,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """A histogram of detection lead times (days from the first flag to the cycle's end) of
    missed goals, one series per policy when given a mapping; ``bin_days`` wide bins. Goals
    never flagged have no lead time: their count is in the legend."""
    series = (
        {str(name): _days(values) for name, values in lead_days.items()}
        if isinstance(lead_days, Mapping)
        else {"missed goals": _days(lead_days)}
    )
    known = [day for days in series.values() for day in days if day is not None]
    top = max([bin_days, *known])
    bins = [float(edge) for edge in np.arange(0, top + bin_days, bin_days)]
    figure, ax = _axes(ax, (7, 4))
    for name, days in series.items():
        flagged = [day for day in days if day is not None]
        never = len(days) - len(flagged)
        label = f"{name} ({len(flagged)} flagged, {never} never)"
        ax.hist(flagged, bins=bins, alpha=0.6, label=label, edgecolor="white")
    ax.set_xlabel("days the live view saw it before the cycle's end")
    ax.set_ylabel("missed goals")
    ax.set_title(title or "Detection lead time of missed goals")
    ax.legend()
    return figure


# -- alignment tree ---------------------------------------------------------------------------


def _layout(tree: AlignmentTree) -> tuple[list[dict[str, object]], dict[str, tuple[float, float]]]:
    """Depth along x, leaves one below the other, each parent centred on its children."""
    records = tree.to_records()
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for row in records:
        parent = row["parent"]
        if parent is None:
            roots.append(str(row["id"]))
        else:
            children.setdefault(str(parent), []).append(str(row["id"]))
    # goals aligned to nothing hang in the goals' column, under no theme
    depth = {
        str(row["id"]): int(str(row["depth"])) + (2 if row["unaligned"] else 0) for row in records
    }
    place: dict[str, tuple[float, float]] = {}
    next_leaf = 0.0

    def put(node: str) -> float:
        nonlocal next_leaf
        below = children.get(node, [])
        if below:
            ys = [put(child) for child in below]
            y = sum(ys) / len(ys)
        else:
            y, next_leaf = next_leaf, next_leaf + 1.0
        place[node] = (float(depth[node]), -y)
        return y

    for root in roots:
        put(root)
        next_leaf += 0.5
    return records, place


def plot_alignment_tree(
    tree: AlignmentTree, *, max_labels: int = 60, title: str = "", ax: Axes | None = None
) -> Figure:
    """The alignment tree: strategy, themes, goals and child goals from left to right, one
    edge per node below a parent (one line collection), one dot per node coloured by health
    (goals aligned to nothing ringed red), and each node's title and progress as a label when
    there are at most ``max_labels`` nodes (else only the strategy's and the themes')."""
    records, place = _layout(tree)
    leaves = max([1.0, *(-y for _x, y in place.values())])
    figure, ax = _axes(ax, (10, min(14.0, 1.5 + 0.3 * leaves)))
    segments = [
        [place[str(row["parent"])], place[str(row["id"])]]
        for row in records
        if row["parent"] is not None
    ]
    ax.add_collection(LineCollection(segments, colors="#90a4ae", linewidths=0.8))
    xs = [place[str(row["id"])][0] for row in records]
    ys = [place[str(row["id"])][1] for row in records]
    colours = [
        HEALTH_COLOURS[_cell(row["status"], row["health"])] if row["kind"] == "goal" else "#263238"
        for row in records
    ]
    edges = ["#d50000" if row["unaligned"] else "white" for row in records]
    size = 60.0 if len(records) <= max_labels else max(10.0, 60.0 * max_labels / len(records))
    ax.scatter(xs, ys, c=colours, edgecolors=edges, s=size, zorder=3)
    labelled = len(records) <= max_labels
    for row, x, y in zip(records, xs, ys, strict=True):
        if labelled or row["kind"] != "goal":
            progress = row["progress"]
            done = "" if progress is None else f" ({float(str(progress)):.0%})"
            ax.annotate(
                _short(str(row["title"]), 36) + done,
                (x, y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                zorder=4,
            )
    depth = max(xs, default=0.0)
    ax.set_xlim(-0.3, depth + 1.6)
    ax.set_ylim(min(ys, default=0.0) - 0.8, 0.8)
    columns = ["strategy", "themes", "goals", *["child goals"] * int(max(0.0, depth - 2))]
    ax.set_xticks(range(int(depth) + 1), columns[: int(depth) + 1])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or "Alignment: strategy > themes > goals")
    return figure


# -- strategy map -----------------------------------------------------------------------------

PERSPECTIVE_SHADES = ("#eceff1", "#ffffff")
"""The background bands of the perspectives, alternating."""


def plot_strategy_map(
    view: StrategyMap, *, max_goals: int = 60, title: str = "", ax: Axes | None = None
) -> Figure:
    """The strategy map: one band per perspective (in the scorecard's order, top to bottom),
    in it one thick bar per theme (its rolled-up progress, coloured by its health) and one thin
    bar per goal serving it (marked by depth, coloured by its health, ended goals grey), when
    there are at most ``max_goals`` goals (else the themes alone)."""
    themes = [theme for group in view.perspectives for theme in group.themes]
    goals = sum(len(theme.goals) for theme in themes)
    with_goals = goals <= max_goals
    rows = len(themes) + (goals if with_goals else 0)
    figure, ax = _axes(ax, (10, min(14.0, 1.5 + 0.32 * max(rows, 1))))
    y = 0.0
    labels: list[tuple[float, str]] = []
    bold: set[int] = set()
    for n, group in enumerate(view.perspectives):
        top = y
        for theme in group.themes:
            health = theme.health.value if theme.health is not None else "not set"
            ax.barh(
                -y,
                theme.progress or 0.0,
                height=0.8,
                color=HEALTH_COLOURS[health],
                edgecolor="#263238",
                linewidth=1.0,
            )
            labels.append((-y, _short(theme.title, 40)))
            bold.add(len(labels) - 1)
            y += 1.0
            for goal in theme.goals if with_goals else ():
                ax.barh(
                    -y,
                    goal.progress,
                    height=0.45,
                    color=HEALTH_COLOURS[_cell(goal.status, goal.health.value)],
                )
                labels.append((-y, "- " * (goal.depth + 1) + _short(goal.title, 36)))
                y += 1.0
        ax.axhspan(-(y - 0.5), -(top - 0.5), color=PERSPECTIVE_SHADES[n % 2], zorder=0)
        name = "no perspective" if group.perspective is None else group.perspective.value
        ax.text(
            1.02,
            -(top + y - 1) / 2,
            name,
            va="center",
            fontsize=9,
            fontweight="bold",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks([at for at, _ in labels], [label for _, label in labels], fontsize=7)
    for n, text in enumerate(ax.get_yticklabels()):
        if n in bold:
            text.set_fontweight("bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(-(y - 0.5), 0.5)
    ax.set_xlabel("progress")
    ax.set_title(title or "Strategy map: themes by perspective, and the goals serving them")
    return figure
