"""The notebook figures: each returns a figure with the artists it promises, and saves as PNG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Polygon, Rectangle

from execution_core import views as v
from execution_core.simulation import ExecutionManagement, Model, PerformanceManagement
from execution_core_adapters.notebook import (
    HEATMAP_CELLS,
    burnup_frame,
    plot_alignment_icicle,
    plot_alignment_tree,
    plot_burnup,
    plot_coaching_load,
    plot_health_heatmap,
    plot_lead_times,
    plot_rating_distributions,
    plot_strategy_map,
    scoreboard_by_week,
    view_frame,
)
from execution_core_adapters.simulate import monte_carlo
from tests.notebook.conftest import Season

AFTER = datetime(2026, 8, 1, tzinfo=UTC)
MID = datetime(2026, 3, 16, 12, tzinfo=UTC)


def _bars(figure: Figure, panel: int = 0) -> list[Rectangle]:
    return [p for p in figure.axes[panel].patches if isinstance(p, Rectangle)]


def test_a_burnup_draws_progress_pace_and_target(season: Season) -> None:
    """Given a goal's burn-up frame, when plotted, then the figure has three lines: progress
    with a point per row, the pace, and the target at 1.0."""
    frame = burnup_frame(season.ledger, season.demo.cycle_id, season.demo.goals["ben"])

    figure = plot_burnup(frame, title="Open the Nordics")

    progress, pace, target = figure.axes[0].get_lines()
    assert len(progress.get_xdata()) == len(pace.get_xdata()) == len(frame)  # type: ignore[arg-type]
    assert list(target.get_ydata()) == [1.0, 1.0]  # type: ignore[arg-type]
    assert figure.axes[0].get_title() == "Open the Nordics"


def _whole(ticks: object) -> bool:
    return all(float(tick) == int(tick) for tick in np.asarray(ticks))


def test_the_heatmap_has_a_cell_per_goal_and_week_grouped_by_unit(season: Season) -> None:
    """Given the weekly scoreboard, when the health heatmap is drawn, then its grid is one
    image of 14 goals by 26 weeks, the goals of each unit together under the unit's name, Ben's
    quiet weeks stale and the dropped goal ended; above it a summary counts the goals each
    week in whole numbers."""
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    figure = plot_health_heatmap(weekly)

    grid_ax, summary = figure.axes
    (image,) = grid_ax.get_images()
    assert isinstance(image, AxesImage)
    grid = np.asarray(image.get_array())
    assert grid.shape == (14, 26)
    labels = [label.get_text() for label in grid_ax.get_yticklabels()]
    titles = dict(zip(weekly["title"], weekly["goal_id"], strict=False))
    goals = [titles[label] for label in labels]
    ben = grid[goals.index(season.demo.goals["ben"])]
    assert HEATMAP_CELLS.index("stale") in set(ben)
    partners = grid[goals.index(season.demo.goals["ben-partners"])]
    assert partners[-1] == HEATMAP_CELLS.index("ended")
    unit_of = dict(zip(weekly["goal_id"], weekly["unit"], strict=False))
    units = [unit_of[goal] for goal in goals]
    assert units == sorted(units, key=list(dict.fromkeys(units)).index)  # together
    assert [text.get_text() for text in grid_ax.texts] == list(dict.fromkeys(units))
    heights = np.zeros(26)
    for bar in _bars(figure, 1):
        heights[round(bar.get_x() + bar.get_width() / 2)] += bar.get_height()
    set_by_week = weekly.groupby("week")["health"].count().to_numpy()
    assert list(heights) == list(set_by_week)
    assert _whole(summary.get_yticks())
    assert summary.get_ylabel() == "goals"


def test_a_large_heatmap_shows_a_row_per_unit(season: Season) -> None:
    """Given more goals than the limit, when the heatmap is drawn, then the grid has a row per
    unit labelled with its goal count, each cell the share of the unit's goals in play that
    were not on track that week (checked against a count of the frame), and a colour bar."""
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    figure = plot_health_heatmap(weekly, max_goals=5)

    grid_ax, _summary, colour_bar = figure.axes
    shares = grid_ax.get_images()[0].get_array()
    assert shares is not None
    grid = np.ma.filled(shares, np.nan)
    units = list(dict.fromkeys(weekly["unit"]))
    assert grid.shape == (len(units), 26)
    sizes = weekly.drop_duplicates("goal_id")["unit"].value_counts()
    assert [t.get_text() for t in grid_ax.get_yticklabels()] == [
        f"{unit} ({sizes[unit]})" for unit in units
    ]
    for row, unit in enumerate(units):
        for column, week in enumerate(range(1, 27)):
            cells = weekly[(weekly["unit"] == unit) & (weekly["week"] == week)]
            playing = cells[cells["status"].eq("active") & cells["health"].notna()]
            expected = (playing["health"] != "on track").mean() if len(playing) else np.nan
            assert grid[row, column] == pytest.approx(expected, nan_ok=True)
    assert "not on track" in colour_bar.get_ylabel()


def test_a_heatmap_on_given_axes_is_the_grid_alone(season: Season) -> None:
    """Given axes of an existing figure, when the heatmap is drawn on them, then only the
    grid is drawn there, with a legend of the cells it shows."""
    figure = Figure()
    ax = figure.add_subplot()
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    assert plot_health_heatmap(weekly, ax=ax) is figure

    assert len(figure.axes) == 1
    legend = ax.get_legend()
    assert legend is not None
    assert {t.get_text() for t in legend.get_texts()} <= set(HEATMAP_CELLS)


@attrs.frozen
class _Run:
    policy: str
    ratings: tuple[int, ...]


@attrs.frozen
class _MonteCarlo:
    runs: tuple[_Run, ...]


def test_rating_distributions_side_by_side() -> None:
    """Given the ratings of two policies' Monte Carlo runs, when plotted, then there are five
    bars per policy, each policy's shares pooled over its runs and adding up to 1."""
    result = _MonteCarlo(
        (
            _Run("performance", (1, 2, 3, 3)),
            _Run("execution", (3, 4, 4, 5)),
            _Run("performance", (3, 3, 4, 5)),
        )
    )

    figure = plot_rating_distributions(result)

    bars = _bars(figure)
    assert len(bars) == 10
    performance, execution = (
        [bar.get_height() for bar in bars[:5]],
        [bar.get_height() for bar in bars[5:]],
    )
    assert performance == pytest.approx([1 / 8, 1 / 8, 4 / 8, 1 / 8, 1 / 8])
    assert execution == pytest.approx([0, 0, 0.25, 0.5, 0.25])
    (guideline,) = figure.axes[0].collections
    assert isinstance(guideline, LineCollection)
    assert [segment[0][1] for segment in guideline.get_segments()] == [0.1, 0.2, 0.4, 0.2, 0.1]


def test_lead_times_of_several_policies_are_small_multiples(season: Season) -> None:
    """Given the season's lead-time report and a mapping of two series, when plotted, then
    there is a panel per series on one scale, its bars count every flagged goal, its title
    counts those never flagged, and the count axis has whole numbers."""
    report = v.detection_lead_time(season.ledger, season.demo.cycle_id, at=AFTER)

    single = plot_lead_times(report)
    pair = plot_lead_times({"execution": [7, 30, 100, None], "performance": [0, 0, None, None]})

    assert len(single.axes) == 1
    assert sum(bar.get_height() for bar in _bars(single)) == len(report.rows) == 6
    execution, performance = pair.axes
    assert [ax.get_title(loc="left") for ax in pair.axes] == [
        "execution: 3 flagged, 1 never",
        "performance: 2 flagged, 2 never",
    ]
    assert sum(bar.get_height() for bar in _bars(pair, 0)) == 3
    assert sum(bar.get_height() for bar in _bars(pair, 1)) == 2
    assert execution.get_ylim() == performance.get_ylim()
    assert execution.get_xlim() == performance.get_xlim()
    assert all(_whole(ax.get_yticks()) for ax in pair.axes)
    assert performance.get_xlabel() == "days the live view saw it before the cycle's end"


def test_lead_times_on_given_axes_are_step_outlines() -> None:
    """Given axes of an existing figure and two series, when plotted there, then each series is
    one unfilled outline, named in the legend with its counts."""
    figure = Figure()
    ax = figure.add_subplot()

    series: dict[str, list[float | None]] = {"execution": [7, 30, None], "performance": [0, 3]}
    plot_lead_times(series, ax=ax)

    outlines = [patch for patch in ax.patches if isinstance(patch, Polygon)]
    assert len(outlines) == 2
    assert not any(patch.get_fill() for patch in outlines)
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "execution (2 flagged, 1 never)",
        "performance (2 flagged, 0 never)",
    ]


def test_the_coaching_load_counts_whole_managers_and_sessions() -> None:
    """Given sessions per manager of two policies, when the coaching load is plotted, then
    there is a panel per policy whose bars count every manager, bins that hold whole numbers
    of sessions, whole-number ticks on both axes, and the mean a week in the title."""
    figure = plot_coaching_load({"execution": [0, 3, 5, 5, 12], "budget": [1, 1, 2]}, weeks=26)

    execution, budget = figure.axes
    bars = _bars(figure, 0)
    assert sum(bar.get_height() for bar in bars) == 5
    assert sum(bar.get_height() for bar in _bars(figure, 1)) == 3
    assert all(bar.get_x() % 1 == 0.5 for bar in bars)  # edges between whole numbers
    assert all(_whole(ax.get_yticks()) and _whole(ax.get_xticks()) for ax in figure.axes)
    assert execution.get_title(loc="left") == (
        "execution: 5 managers, mean 5.0 sessions, about 0.2 a week"
    )
    assert budget.get_xlabel() == "coaching sessions per manager over 26 weeks"
    assert execution.get_ylabel() == "managers"


def test_the_alignment_tree_has_a_dot_per_node_and_an_edge_per_child(season: Season) -> None:
    """Given the season's alignment tree, when drawn, then there is one dot and one label per
    node (strategy, 3 themes, 14 goals) and one edge per node below another."""
    tree = v.alignment_tree(season.ledger, season.demo.cycle_id, at=MID)
    nodes = tree.to_records()

    figure = plot_alignment_tree(tree)

    ax = figure.axes[0]
    (edges,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(nodes) == 18
    assert len(edges.get_segments()) == len(nodes) - 1
    assert len(dots.get_offsets()) == len(nodes)  # type: ignore[arg-type]
    assert len(ax.texts) == len(nodes)
    assert len(plot_alignment_tree(tree, max_labels=5).axes[0].texts) == 4  # strategy, themes


def test_an_unaligned_goal_hangs_in_the_goals_column(season: Season) -> None:
    """Given a tree with a goal aligned to nothing, when drawn, then that goal's dot sits in
    the goals' column ringed red, with no edge to it."""
    goal = v.AlignmentNode(
        kind="goal", id="loose", title="Loose goal", progress=0.2, unaligned=True
    )
    tree = attrs.evolve(
        v.alignment_tree(season.ledger, season.demo.cycle_id, at=MID), unaligned=(goal,)
    )

    figure = plot_alignment_tree(tree)

    ax = figure.axes[0]
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    offsets = np.asarray(dots.get_offsets())
    assert offsets[-1][0] == 2.0
    assert tuple(np.asarray(dots.get_edgecolor())[-1][:3]) == pytest.approx((0xD5 / 255, 0, 0))
    (edges,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges.get_segments()) == 17


def _icicle_bars(ax: Axes) -> list[Rectangle]:
    return [bar for container in ax.containers for bar in container]


def test_the_icicle_has_a_bar_per_node_as_tall_as_its_leaves(season: Season) -> None:
    """Given the season's alignment tree, when drawn as an icicle, then there is a bar per node
    in its level's column, as tall as the goals with none below it under the node, the strategy
    spanning every row, and every node labelled at this size."""
    tree = v.alignment_tree(season.ledger, season.demo.cycle_id, at=MID)
    nodes = tree.to_records()
    parents = {str(row["parent"]) for row in nodes}
    leaves = sum(1 for row in nodes if str(row["id"]) not in parents)

    figure = plot_alignment_icicle(tree)

    ax = figure.axes[0]
    bars = _icicle_bars(ax)
    assert len(bars) == len(nodes) == 18
    assert [bar.get_x() for bar in bars] == [float(str(row["depth"])) for row in nodes]
    assert bars[0].get_height() == leaves
    themes = [bar for bar, row in zip(bars, nodes, strict=True) if row["kind"] == "theme"]
    assert sum(bar.get_height() for bar in themes) == leaves
    assert len(ax.texts) == len(nodes)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "strategy",
        "themes",
        "goals",
        "child goals",
    ]


def test_a_large_icicle_names_only_the_nodes_with_room(season: Season) -> None:
    """Given the season's tree and room for two labels a column, when drawn as an icicle, then
    only the nodes spanning at least half the rows are labelled."""
    tree = v.alignment_tree(season.ledger, season.demo.cycle_id, at=MID)

    ax = plot_alignment_icicle(tree, max_labels=2).axes[0]

    rows = _icicle_bars(ax)[0].get_height()
    wide = [bar for bar in _icicle_bars(ax) if bar.get_height() * 2 >= rows]
    assert len(ax.texts) == len(wide) >= 1


def test_unaligned_goals_get_a_block_of_their_own_in_the_icicle(season: Season) -> None:
    """Given a tree with a goal aligned to nothing, when drawn as an icicle, then a block in
    the themes' column holds it, and the goal's bar, in the goals' column, is ringed red."""
    goal = v.AlignmentNode(
        kind="goal", id="loose", title="Loose goal", progress=0.2, unaligned=True
    )
    tree = attrs.evolve(
        v.alignment_tree(season.ledger, season.demo.cycle_id, at=MID), unaligned=(goal,)
    )

    bars = _icicle_bars(plot_alignment_icicle(tree).axes[0])

    block, loose = bars[-2:]
    assert (block.get_x(), loose.get_x()) == (1.0, 2.0)
    assert block.get_y() == loose.get_y()
    assert tuple(loose.get_edgecolor()[:3]) == pytest.approx((0xD5 / 255, 0, 0))


@pytest.mark.parametrize(
    "draw",
    [
        lambda s: plot_burnup(burnup_frame(s.ledger, s.demo.cycle_id, s.demo.goals["carl"])),
        lambda s: plot_health_heatmap(scoreboard_by_week(s.ledger, s.demo.cycle_id)),
        lambda s: plot_rating_distributions({"a": [1, 3, 5], "b": [2, 3, 3]}),
        lambda s: plot_lead_times(v.detection_lead_time(s.ledger, s.demo.cycle_id, at=AFTER)),
        lambda s: plot_alignment_tree(v.alignment_tree(s.ledger, s.demo.cycle_id, at=AFTER)),
        lambda s: plot_alignment_icicle(v.alignment_tree(s.ledger, s.demo.cycle_id, at=AFTER)),
        lambda s: plot_coaching_load([3, 5, 8]),
    ],
    ids=["burnup", "heatmap", "ratings", "lead_times", "alignment_tree", "icicle", "coaching"],
)
def test_every_figure_saves_as_png(
    season: Season, draw: Callable[[Season], Figure], tmp_path: Path
) -> None:
    """Given any of the figures of the season, when saved as PNG, then a PNG file is written."""
    path = tmp_path / "figure.png"

    draw(season).savefig(path)

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_figure_draws_on_the_axes_given(season: Season) -> None:
    """Given axes of an existing figure, when a burn-up is drawn on them, then it returns that
    figure and adds no axes."""
    figure = Figure()
    ax = figure.add_subplot()

    drawn = plot_burnup(
        burnup_frame(season.ledger, season.demo.cycle_id, season.demo.goals["ana"]), ax=ax
    )

    assert drawn is figure
    assert len(figure.axes) == 1


def test_the_simulators_monte_carlo_plots_as_is() -> None:
    """Given a small Monte Carlo of both built-in policies from the simulator, when its ratings
    and lead times are plotted and its runs framed, then there are five bars per policy, every
    missed goal's lead time is counted, and one row per run."""
    result = monte_carlo(
        Model(people=6, weeks=4), [PerformanceManagement(), ExecutionManagement()], seeds=2
    )

    ratings = plot_rating_distributions(result)
    lead = {p: [d for run in result.of(p) for d in run.lead_days] for p in result.policies}
    lead_times = plot_lead_times(lead)

    assert len(_bars(ratings)) == 10
    flagged = sum(1 for days in lead.values() for d in days if d is not None)
    assert len(lead_times.axes) == 2
    assert sum(bar.get_height() for n in (0, 1) for bar in _bars(lead_times, n)) == flagged
    assert list(view_frame(result)["policy"]) == ["performance"] * 2 + ["execution"] * 2


def test_the_strategy_map_has_a_bar_per_theme_and_goal_and_a_band_per_perspective(
    season: Season,
) -> None:
    """Given the season's strategy map (3 perspectives, 3 themes, 14 goals), when drawn, then
    there is one bar per theme and goal, one label per bar, one shaded band and one name per
    perspective; with fewer goals allowed than it has, only the themes' bars."""
    view = v.strategy_map(season.ledger, season.demo.cycle_id, at=MID)

    figure = plot_strategy_map(view)

    ax = figure.axes[0]
    bars = [bar for container in ax.containers for bar in container]
    assert len(bars) == 3 + 14
    assert len(ax.get_yticklabels()) == 3 + 14
    assert [t.get_text() for t in ax.texts] == ["financial", "customer", "learning and growth"]
    assert len(ax.patches) - len(bars) == 3  # the bands
    only_themes = plot_strategy_map(view, max_goals=5).axes[0]
    assert sum(len(container) for container in only_themes.containers) == 3


def test_the_strategy_map_saves_as_png(season: Season, tmp_path: Path) -> None:
    """Given the season's strategy map, when the figure is saved, then a PNG is written."""
    view = v.strategy_map(season.ledger, season.demo.cycle_id, at=AFTER)
    path = tmp_path / "map.png"
    plot_strategy_map(view, title="2026 H1").savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
