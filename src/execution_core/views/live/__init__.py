"""Live projections: the board, appraisal and radar rows kept current event batch by event
batch, pure (no I/O), for a writer such as the projection worker to store.

A :class:`LiveState` folds the events; :func:`advance` turns what a batch :class:`Touched` into
every cycle's board at the batch end (a :class:`LiveBatch`); each projection gives the
:class:`RowChanges` of a batch, or all its rows for a state. :class:`LiveViews` drives them
together for a caller with no tables of its own. The rows equal the classic views
(``scoreboard``, ``appraisal_sheet``, ``coaching_radar``) read at the instants of the
evaluation rule (docs/materialized-views.md), and are built with the same code.
"""

from __future__ import annotations

from execution_core.views.live.appraisal import AppraisalProjection
from execution_core.views.live.board import BoardProjection
from execution_core.views.live.changes import Paced, Row, RowChanges, Timed
from execution_core.views.live.projection import LiveProjection
from execution_core.views.live.radar import RadarProjection
from execution_core.views.live.state import (
    BoardChange,
    LiveBatch,
    LiveState,
    advance,
    clock_tick,
    instant,
    on_board,
)
from execution_core.views.live.touched import Touched
from execution_core.views.live.views import PROJECTIONS, LiveViews

__all__ = [
    "PROJECTIONS",
    "AppraisalProjection",
    "BoardChange",
    "BoardProjection",
    "LiveBatch",
    "LiveProjection",
    "LiveState",
    "LiveViews",
    "Paced",
    "RadarProjection",
    "Row",
    "RowChanges",
    "Timed",
    "Touched",
    "advance",
    "clock_tick",
    "instant",
    "on_board",
]
