"""matplotlib figures of the views: burn-up, health heatmap, rating distributions, detection lead
times, coaching load, the alignment tree and icicle, and the strategy map.

Every function draws on a new :class:`~matplotlib.figure.Figure` (never pyplot's global state,
so it works under any backend, Agg included, and never shows anything) or on the ``ax`` given,
and returns the figure. In a notebook a cell ending with the figure displays it; elsewhere
``fig.savefig("board.png")``. The figures are made to stay readable at the size of a simulated
1,000-person organization: several policies as small multiples rather than overlapping bars,
whole numbers on the axes that count, units rather than goals when goals are too many to see.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from execution_core.views import AlignmentTree, Health, LeadTimeReport, StrategyMap
from execution_core_adapters.notebook.frames import HEALTH_ORDER

__all__ = [
    "HEALTH_COLOURS",
    "HEATMAP_CELLS",
    "MonteCarloRuns",
    "plot_alignment_icicle",
    "plot_alignment_tree",
    "plot_burnup",
    "plot_coaching_load",
    "plot_health_heatmap",
    "plot_lead_times",
    "plot_rating_distributions",
    "plot_strategy_map",
]

HEATMAP_CELLS: tuple[str, ...] = (*HEALTH_ORDER, "ended", "not set")
"""The cells of the heatmap: the five healths in their order, a goal completed or dropped, a
goal not set yet."""

HEALTH_COLOURS: Mapping[str, str] = {
    Health.ON_TRACK.value: "#2e7d32",
    Health.AT_RISK.value: "#f9a825",
    Health.OFF_TRACK.value: "#c62828",
    Health.STALE.value: "#6a1b9a",
    Health.NOT_STARTED.value: "#9e9e9e",
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


def _integer(*axes: Axis) -> None:
    """Ticks at whole numbers only, on an axis that counts (goals, managers, sessions)."""
    for axis in axes:
        axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _series(
    values: Mapping[str, Iterable[float | int | None]] | Iterable[float | int | None], name: str
) -> dict[str, list[float | None]]:
    """One named series, or a series per name (a policy) as given."""
    if isinstance(values, Mapping):
        return {str(key): _floats(inner) for key, inner in values.items()}
    return {name: _floats(values)}


def _floats(values: Iterable[float | int | None]) -> list[float | None]:
    return [None if value is None or pd.isna(value) else float(value) for value in values]


def _histograms(
    series: Mapping[str, Sequence[float | None]],
    bins: Sequence[float],
    *,
    describe: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    title: str,
    ax: Axes | None,
) -> Figure:
    """A histogram per series: small multiples (a panel each, one x and one y scale, the series'
    own colour) on a new figure, or step outlines on the ``ax`` given; whole counts on y."""
    colours = [f"C{n % 10}" for n in range(len(series))]
    if ax is not None:
        figure, ax = _axes(ax, (7, 4))
        for (name, values), colour in zip(series.items(), colours, strict=True):
            ax.hist(
                [value for value in values if value is not None],
                bins=list(bins),
                histtype="step",
                linewidth=1.8,
                color=colour,
                label=f"{name} ({describe[name]})",
            )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend()
        _integer(ax.yaxis)
        return figure
    figure = Figure(figsize=(7, min(12.0, 1.6 + 1.7 * len(series))), layout="constrained")
    panels = figure.subplots(len(series), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    for panel, (name, values), colour in zip(panels, series.items(), colours, strict=True):
        panel.hist(
            [value for value in values if value is not None],
            bins=list(bins),
            color=colour,
            edgecolor="white",
        )
        panel.set_title(f"{name}: {describe[name]}", loc="left", fontsize=9)
        panel.set_ylabel(ylabel)
        _integer(panel.yaxis)
    panels[-1].set_xlabel(xlabel)
    figure.suptitle(title)
    return figure


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


UNIT_SHARE_COLOURS = ListedColormap(
    ["#2e7d32", "#7cb342", "#fdd835", "#fb8c00", "#e53935", "#b71c1c"], name="behind"
).with_extremes(bad="#ffffff")
"""Green (every goal in play on track) to dark red (none): the unit rows' share not on track;
white where the unit had no goal in play."""


def _cells(weekly: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per goal and week: ``goal_id``, ``week``, ``cell`` (a name of
    :data:`HEATMAP_CELLS`), ``group`` (the ``by`` column, or one group when the frame has none)
    and ``title``."""
    cells = pd.DataFrame(
        {
            "goal_id": weekly["goal_id"].to_numpy(),
            "week": weekly["week"].to_numpy(),
            "cell": [
                _cell(status, health)
                for status, health in zip(weekly["status"], weekly["health"], strict=True)
            ],
            "group": weekly[by].astype(object).to_numpy() if by in weekly else "",
            "title": weekly["title"].astype(str).to_numpy(),
        }
    )
    cells["group"] = cells["group"].where(cells["group"].notna(), "no unit")
    return cells


def _summary(ax: Axes, cells: pd.DataFrame, weeks: Sequence[object]) -> None:
    """Stacked bars: how many goals each week are in each health (and ended), with a legend."""
    counts = (
        pd.crosstab(cells["week"], cells["cell"])
        .reindex(index=list(weeks), columns=list(HEATMAP_CELLS), fill_value=0)
        .drop(columns="not set")
    )
    bottom = np.zeros(len(weeks))
    for name in counts.columns:
        heights = counts[name].to_numpy(dtype=float)
        if heights.any():
            ax.bar(
                range(len(weeks)),
                heights,
                bottom=bottom,
                width=0.9,
                color=HEALTH_COLOURS[name],
                label=name,
            )
        bottom += heights
    _integer(ax.yaxis)
    ax.set_ylabel("goals")
    ax.margins(x=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def _goal_grid(ax: Axes, cells: pd.DataFrame, weeks: Sequence[object], labelled: bool) -> None:
    """A row per goal, grouped by unit (a rule between groups, their names on the right)."""
    codes = {name: code for code, name in enumerate(HEATMAP_CELLS)}
    order = cells.drop_duplicates("goal_id")
    groups = list(dict.fromkeys(order["group"]))
    goals = [goal for group in groups for goal in order.loc[order["group"] == group, "goal_id"]]
    row_of = {goal: row for row, goal in enumerate(goals)}
    column_of = {week: column for column, week in enumerate(weeks)}
    grid = np.full((len(goals), len(weeks)), codes["not set"], dtype=float)
    for goal, week, cell in cells[["goal_id", "week", "cell"]].itertuples(index=False):
        grid[row_of[goal], column_of[week]] = codes[cell]
    colours = ListedColormap([HEALTH_COLOURS[name] for name in HEATMAP_CELLS])
    norm = BoundaryNorm(np.arange(len(HEATMAP_CELLS) + 1) - 0.5, colours.N)
    ax.imshow(grid, aspect="auto", interpolation="nearest", cmap=colours, norm=norm)
    titles = dict(zip(order["goal_id"], order["title"], strict=True))
    if labelled:
        ax.set_yticks(range(len(goals)), [_short(titles[goal], 32) for goal in goals], fontsize=7)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(goals)} goals")
    first = 0
    for group in groups:
        size = int((order["group"] == group).sum())
        if len(groups) > 1:
            if first:
                ax.axhline(first - 0.5, color="black", lw=1.2)
            ax.text(
                1.01,
                first + (size - 1) / 2,
                _short(str(group), 28),
                va="center",
                fontsize=8,
                fontweight="bold",
                transform=ax.get_yaxis_transform(),
            )
        first += size


def _unit_grid(ax: Axes, cells: pd.DataFrame, weeks: Sequence[object], max_units: int) -> AxesImage:
    """A row per unit: the share of its goals in play that are not on track, week by week."""
    playing = cells[cells["cell"].isin(HEALTH_ORDER)]  # in play: not ended, already set
    share = (
        playing.assign(behind=playing["cell"] != Health.ON_TRACK.value)
        .pivot_table(index="group", columns="week", values="behind", aggfunc="mean")
        .reindex(index=list(dict.fromkeys(cells["group"])), columns=list(weeks))
    )
    sizes = cells.drop_duplicates("goal_id")["group"].value_counts()
    image = ax.imshow(
        np.ma.masked_invalid(share.to_numpy(dtype=float)),
        aspect="auto",
        interpolation="nearest",
        cmap=UNIT_SHARE_COLOURS,
        vmin=0.0,
        vmax=1.0,
    )
    units = list(share.index)
    if len(units) <= max_units:
        ax.set_yticks(
            range(len(units)),
            [f"{_short(str(unit), 28)} ({sizes.get(unit, 0)})" for unit in units],
            fontsize=7,
        )
    else:
        ax.set_yticks([])
    ax.set_ylabel(f"{len(units)} units (goals in each)")
    return image


def plot_health_heatmap(
    weekly: pd.DataFrame,
    *,
    title: str = "",
    by: str = "unit",
    max_goals: int = 60,
    max_units: int = 60,
    ax: Axes | None = None,
) -> Figure:
    """Every goal's health week by week (a :func:`~.scoreboard_by_week` frame), grouped by
    unit (the ``by`` column), under a summary: how many goals were in each health each week
    (stacked bars, whole numbers of goals).

    Up to ``max_goals`` goals, a row per goal (labelled by title), the goals of a unit together
    under its name. Beyond that a row per unit (labelled with its goal count when there are at
    most ``max_units``): the share of its goals in play (not ended, already set) that were not
    on track that week, so a 400-goal organization reads as a few dozen units rather than a
    wall of lines. Given ``ax``, only the grid is drawn there, without the summary."""
    weeks = sorted(dict.fromkeys(weekly["week"]))
    cells = _cells(weekly, by)
    goals = cells["goal_id"].nunique()
    per_unit = goals > max_goals and by in weekly
    top: Axes | None = None
    if ax is None:
        rows = cells["group"].nunique() if per_unit else goals
        height = min(13.0, 3.5 + 0.2 * rows)
        figure = Figure(figsize=(10, height), layout="constrained")
        spec = figure.add_gridspec(2, 1, height_ratios=(1.6, max(1.6, height - 2.2)))
        ax = figure.add_subplot(spec[1])
        top = figure.add_subplot(spec[0], sharex=ax)
    figure, ax = _axes(ax, (10, 4))
    if per_unit:
        image = _unit_grid(ax, cells, weeks, max_units)
        figure.colorbar(
            image,
            ax=ax,
            fraction=0.04,
            aspect=30,
            label="share of the unit's goals in play not on track",
        )
    else:
        _goal_grid(ax, cells, weeks, labelled=goals <= max_goals)
    ax.set_xticks(range(len(weeks)), [str(week) for week in weeks], fontsize=7)
    ax.set_xlim(-0.5, len(weeks) - 0.5)
    ax.set_xlabel("week of the cycle")
    heading = title or "Health of every goal, week by week"
    if top is None:
        ax.set_title(heading)
        if not per_unit:
            shown = [name for name in HEATMAP_CELLS if name in set(cells["cell"])]
            ax.legend(
                handles=[Patch(color=HEALTH_COLOURS[name], label=name) for name in shown],
                loc="upper center",
                bbox_to_anchor=(0.5, -0.08),
                ncol=len(shown),
                fontsize=8,
            )
    else:
        _summary(top, cells, weeks)
        top.tick_params(labelbottom=False)
        top.set_title(heading)
    return figure


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
    return _floats(values)


def plot_lead_times(
    lead_days: LeadDays | Mapping[str, LeadDays],
    *,
    bin_days: int = 14,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Histograms of detection lead times (days from the first flag to the cycle's end) of
    missed goals, ``bin_days`` wide bins: one panel per policy when given a mapping, on one
    scale so the panels compare (step outlines on one axes when ``ax`` is given). Goals never
    flagged have no lead time: each panel's title counts them."""
    series = (
        {str(name): _days(values) for name, values in lead_days.items()}
        if isinstance(lead_days, Mapping)
        else {"missed goals": _days(lead_days)}
    )
    known = [day for days in series.values() for day in days if day is not None]
    top = max([bin_days, *known])
    bins = [float(edge) for edge in np.arange(0, top + bin_days, bin_days)]
    describe = {
        name: f"{sum(d is not None for d in days)} flagged, {sum(d is None for d in days)} never"
        for name, days in series.items()
    }
    return _histograms(
        series,
        bins,
        describe=describe,
        xlabel="days the live view saw it before the cycle's end",
        ylabel="missed goals",
        title=title or "Detection lead time of missed goals",
        ax=ax,
    )


# -- coaching load ----------------------------------------------------------------------------


def plot_coaching_load(
    sessions: Iterable[int] | Mapping[str, Iterable[int]],
    *,
    weeks: int | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """How many coaching sessions each manager gave over a cycle (a run's
    ``coaching_per_manager``, pooled over runs, or one such list per policy): histograms whose
    bins hold whole numbers of sessions and whose axes count whole managers; one panel per
    policy (step outlines on ``ax``). Each panel's title gives the managers, the mean, and the
    mean a week when ``weeks`` is given."""
    series = _series(sessions, "managers")
    counts = [int(n) for values in series.values() for n in values if n is not None]
    top = max([1, *counts])
    width = max(1, math.ceil((top + 1) / 25))
    bins = [edge - 0.5 for edge in range(0, top + width + 1, width)]

    def describe(values: Sequence[float | None]) -> str:
        known = [value for value in values if value is not None]
        mean = sum(known) / len(known) if known else 0.0
        weekly = f", about {mean / weeks:.1f} a week" if weeks else ""
        return f"{len(known)} managers, mean {mean:.1f} sessions{weekly}"

    figure = _histograms(
        series,
        bins,
        describe={name: describe(values) for name, values in series.items()},
        xlabel="coaching sessions per manager"
        + (f" over {weeks} weeks" if weeks else " over the cycle"),
        ylabel="managers",
        title=title or "Coaching load",
        ax=ax,
    )
    for axes in figure.axes:
        _integer(axes.xaxis)
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


# -- alignment icicle -------------------------------------------------------------------------

NODE_COLOUR = "#455a64"
"""The strategy's and the themes' colour in the icicle (they have no health of their own)."""

UNALIGNED = "aligned to nothing"


def _icicle(tree: AlignmentTree) -> list[tuple[dict[str, object], float, float, float]]:
    """Each node with its column (depth), top and extent: a node spans as many rows as it has
    leaves below it (a childless node one), its children stacked inside its span. Goals aligned
    to nothing go under one block of their own in the themes' column."""
    records = tree.to_records()
    children: dict[str, list[dict[str, object]]] = {}
    roots: list[dict[str, object]] = []
    loose: list[dict[str, object]] = []
    for row in records:
        if row["parent"] is not None:
            children.setdefault(str(row["parent"]), []).append(row)
        elif row["kind"] == "strategy":
            roots.append(row)
        else:
            loose.append(row)
    if loose:
        group: dict[str, object] = {"kind": UNALIGNED, "id": UNALIGNED, "title": UNALIGNED}
        group |= {"progress": None, "health": None, "status": None, "unaligned": True}
        children[UNALIGNED] = loose
    placed: list[tuple[dict[str, object], float, float, float]] = []

    def leaves(row: dict[str, object]) -> int:
        below = children.get(str(row["id"]), [])
        return sum(leaves(child) for child in below) if below else 1

    def put(row: dict[str, object], depth: float, top: float) -> float:
        extent = float(leaves(row))
        placed.append((row, depth, top, extent))
        inner = top
        for child in children.get(str(row["id"]), []):
            inner += put(child, depth + 1, inner)
        return extent

    next_top = 0.0
    for root in roots:
        next_top += put(root, 0.0, next_top)
    if loose:
        put(group, 1.0, next_top)
    return placed


def _fill(row: Mapping[str, object]) -> str:
    if row["kind"] == UNALIGNED:
        return "#ffcdd2"
    if row["kind"] != "goal":
        return NODE_COLOUR
    return HEALTH_COLOURS[_cell(row["status"], row["health"])]


def _ink(fill: str) -> str:
    """Black text on a light fill, white on a dark one."""
    red, green, blue = to_rgb(fill)
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"


def plot_alignment_icicle(
    tree: AlignmentTree, *, max_labels: int = 60, title: str = "", ax: Axes | None = None
) -> Figure:
    """The alignment tree as an icicle, for hundreds of goals: a column per level (strategy,
    themes, goals, child goals), each node a bar as tall as the number of leaves below it, its
    children stacked beside it, goals coloured by health (ended grey), goals aligned to nothing
    in a red-ringed block of their own. A node is labelled with its title and rolled-up progress
    when it spans at least a ``1 / max_labels`` share of the rows, so the strategy, the themes
    and the big goals stay named however many goals there are."""
    placed = _icicle(tree)
    rows = max([1.0, *(top + extent for _row, _depth, top, extent in placed)])
    depth = int(max([0.0, *(column for _row, column, _top, _extent in placed)]))
    figure, ax = _axes(ax, (12, min(12.0, 1.5 + 0.16 * min(rows, max_labels) + 0.5)))
    fills = [_fill(row) for row, _depth, _top, _extent in placed]
    ax.barh(
        [top + extent / 2 for _row, _depth, top, extent in placed],
        0.98,
        height=[extent for _row, _depth, _top, extent in placed],
        left=[column for _row, column, _top, _extent in placed],
        align="center",
        color=fills,
        edgecolor=["#d50000" if row["unaligned"] else "white" for row, *_ in placed],
        linewidth=0.6 if rows <= 4 * max_labels else 0.0,
    )
    width = int(12 * 72 * 0.8 / (depth + 1) / (7 * 0.62))  # characters a column holds at 7 pt
    for (row, column, top, extent), fill in zip(placed, fills, strict=True):
        if extent * max_labels < rows:
            continue
        ax.hlines([top, top + extent], column, column + 0.98, colors="white", linewidth=1.5)
        progress = row["progress"]
        done = "" if progress is None else f" {float(str(progress)):.0%}"
        ax.text(
            column + 0.03,
            top + extent / 2,
            _short(str(row["title"]), max(8, width - len(done))) + done,
            va="center",
            fontsize=7,
            color=_ink(fill),
            clip_on=True,
        )
    ax.set_xlim(0, depth + 1)
    ax.set_ylim(rows, 0)
    columns = ["strategy", "themes", "goals", *["child goals"] * max(0, depth - 2)]
    ax.set_xticks([n + 0.5 for n in range(depth + 1)], columns[: depth + 1])
    ax.set_yticks([])
    goals = sum(1 for row, *_ in placed if row["kind"] == "goal")
    ax.set_ylabel(f"{goals} goals, a row for each with none below it")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    shown = [name for name in HEATMAP_CELLS if HEALTH_COLOURS[name] in fills]
    ax.legend(
        handles=[Patch(color=HEALTH_COLOURS[name], label=name) for name in shown],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
    )
    ax.set_title(title or "Alignment: strategy > themes > goals, sized by the goals below")
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
