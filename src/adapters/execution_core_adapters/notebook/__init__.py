"""Notebook adapters (the ``notebook`` extra): pandas frames of the history and the views, and
matplotlib figures of them. pandas and matplotlib are imported here and nowhere else.

Frames: :func:`events_frame` (one row per event, both clocks, payload flattened),
:func:`view_frame` (any view's ``to_records()``), :func:`view_over_time` and
:func:`scoreboard_by_week` (a view every week of a cycle), :func:`burnup_frame`,
:func:`game_review_frame`, :func:`strategy_map_frame`; health, status and outcome columns as
the ordered categoricals :data:`HEALTH`, :data:`STATUS`, :data:`OUTCOME`.
Figures: :func:`plot_burnup`, :func:`plot_health_heatmap`, :func:`plot_rating_distributions`,
:func:`plot_lead_times`, :func:`plot_coaching_load`, :func:`plot_alignment_tree`,
:func:`plot_alignment_icicle`, :func:`plot_strategy_map`. See docs/notebooks.md.
"""

from __future__ import annotations

from execution_core_adapters.notebook.frames import (
    EVENT_COLUMNS,
    HEALTH,
    HEALTH_ORDER,
    OUTCOME,
    OUTCOME_ORDER,
    STATUS,
    STATUS_ORDER,
    HasRecords,
    burnup_frame,
    cycle_weeks,
    event_record,
    events_frame,
    game_review_frame,
    records_frame,
    scoreboard_by_week,
    strategy_map_frame,
    view_frame,
    view_over_time,
)
from execution_core_adapters.notebook.plots import (
    HEALTH_COLOURS,
    HEATMAP_CELLS,
    MonteCarloRuns,
    plot_alignment_icicle,
    plot_alignment_tree,
    plot_burnup,
    plot_coaching_load,
    plot_health_heatmap,
    plot_lead_times,
    plot_rating_distributions,
    plot_strategy_map,
)

__all__ = [
    # frames
    "EVENT_COLUMNS",
    "HEALTH",
    "HEALTH_ORDER",
    "STATUS",
    "STATUS_ORDER",
    "OUTCOME",
    "OUTCOME_ORDER",
    "HasRecords",
    "events_frame",
    "event_record",
    "records_frame",
    "view_frame",
    "view_over_time",
    "scoreboard_by_week",
    "cycle_weeks",
    "burnup_frame",
    "game_review_frame",
    "strategy_map_frame",
    # figures
    "HEALTH_COLOURS",
    "HEATMAP_CELLS",
    "MonteCarloRuns",
    "plot_burnup",
    "plot_health_heatmap",
    "plot_rating_distributions",
    "plot_lead_times",
    "plot_coaching_load",
    "plot_alignment_tree",
    "plot_alignment_icicle",
    "plot_strategy_map",
]
