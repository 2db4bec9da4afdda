"""The projection worker's public names where they were first published (docs and apps import
them from here): the worker is in :mod:`.worker`, the tables in :mod:`.tables`, their SQL in
:mod:`.recorders`, and the view logic in the core (:mod:`execution_core.views.live`)."""

from __future__ import annotations

from execution_core_adapters.projections.recorders import (
    SQLiteViewRecorder,
    TrackingConflict,
)
from execution_core_adapters.projections.tables import (
    APPRAISAL,
    BOARD,
    PARKED,
    RADAR,
    TABLES,
    VIEWS,
    Column,
    ParkedView,
    Table,
    tracking_name,
)
from execution_core_adapters.projections.worker import (
    Progress,
    ViewStatus,
    ViewWorker,
    parse_views,
)

__all__ = [
    "APPRAISAL",
    "BOARD",
    "PARKED",
    "RADAR",
    "TABLES",
    "VIEWS",
    "Column",
    "ParkedView",
    "Progress",
    "SQLiteViewRecorder",
    "Table",
    "TrackingConflict",
    "ViewStatus",
    "ViewWorker",
    "parse_views",
    "tracking_name",
]
