"""The notebook figures: each returns a figure with the artists it promises, and saves as PNG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from execution_core import views as v
from execution_core.simulation import ExecutionManagement, Model, PerformanceManagement
from execution_core_adapters.notebook import (
    HEALTH_ORDER,
    burnup_frame,
    plot_alignment_tree,
    plot_burnup,
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


def _bars(figure: Figure) -> list[Rectangle]:
    return [p for p in figure.axes[0].patches if isinstance(p, Rectangle)]


def test_a_burnup_draws_progress_pace_and_target(season: Season) -> None:
    """Given a goal's burn-up frame, when plotted, then the figure has three lines: progress
    with a point per row, the pace, and the target at 1.0."""
    frame = burnup_frame(season.ledger, season.demo.cycle_id, season.demo.goals["ben"])

    figure = plot_burnup(frame, title="Open the Nordics")

    progress, pace, target = figure.axes[0].get_lines()
    assert len(progress.get_xdata()) == len(pace.get_xdata()) == len(frame)  # type: ignore[arg-type]
    assert list(target.get_ydata()) == [1.0, 1.0]  # type: ignore[arg-type]
    assert figure.axes[0].get_title() == "Open the Nordics"


def test_the_heatmap_has_a_cell_per_goal_and_week(season: Season) -> None:
    """Given the weekly scoreboard, when the health heatmap is drawn, then it is one image of
    14 goals by 26 weeks, Ben's quiet weeks show stale, and the dropped goal shows ended."""
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    figure = plot_health_heatmap(weekly)

    (image,) = figure.axes[0].get_images()
    assert isinstance(image, AxesImage)
    grid = np.asarray(image.get_array())
    assert grid.shape == (14, 26)
    goals = list(dict.fromkeys(weekly["goal_id"]))
    ben = grid[goals.index(season.demo.goals["ben"])]
    assert HEALTH_ORDER.index("stale") in set(ben)
    partners = grid[goals.index(season.demo.goals["ben-partners"])]
    assert partners[-1] == HEALTH_ORDER.index("ended")
    assert len(figure.axes[0].get_yticklabels()) == 14


def test_a_large_heatmap_drops_the_goal_labels(season: Season) -> None:
    """Given more goals than the label limit, when the heatmap is drawn, then the rows carry
    no labels and the axis says how many goals there are."""
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    figure = plot_health_heatmap(weekly, max_labels=5)

    assert figure.axes[0].get_yticks().size == 0
    assert figure.axes[0].get_ylabel() == "14 goals"


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


def test_lead_times_histogram_per_policy(season: Season) -> None:
    """Given the season's lead-time report and a mapping of two series, when plotted, then the
    bars count every flagged goal and the legend counts those never flagged."""
    report = v.detection_lead_time(season.ledger, season.demo.cycle_id, at=AFTER)

    single = plot_lead_times(report)
    pair = plot_lead_times({"execution": [7, 30, 100, None], "performance": [0, 0, None, None]})

    assert sum(bar.get_height() for bar in _bars(single)) == len(report.rows) == 6
    assert sum(bar.get_height() for bar in _bars(pair)) == 5
    legend = pair.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "execution (3 flagged, 1 never)",
        "performance (2 flagged, 2 never)",
    ]


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


@pytest.mark.parametrize(
    "draw",
    [
        lambda s: plot_burnup(burnup_frame(s.ledger, s.demo.cycle_id, s.demo.goals["carl"])),
        lambda s: plot_health_heatmap(scoreboard_by_week(s.ledger, s.demo.cycle_id)),
        lambda s: plot_rating_distributions({"a": [1, 3, 5], "b": [2, 3, 3]}),
        lambda s: plot_lead_times(v.detection_lead_time(s.ledger, s.demo.cycle_id, at=AFTER)),
        lambda s: plot_alignment_tree(v.alignment_tree(s.ledger, s.demo.cycle_id, at=AFTER)),
    ],
    ids=["burnup", "heatmap", "ratings", "lead_times", "alignment_tree"],
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
    assert sum(bar.get_height() for bar in _bars(lead_times)) == flagged
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
