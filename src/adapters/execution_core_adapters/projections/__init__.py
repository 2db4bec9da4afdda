"""Projections: the worker that keeps materialized view tables current (a thin driver of the
core's live projections), and those tables.

``tables`` defines the view tables, ``recorders`` writes them per backend (SQLite, PostgreSQL)
with the tracking position, ``log`` reads the store's events through its port, ``worker``
drives the batches; ``materialize`` keeps the names importable where they were first published.
"""

from __future__ import annotations

from execution_core_adapters.projections.recorders import TrackingConflict
from execution_core_adapters.projections.tables import (
    PARKED,
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
    "PARKED",
    "TABLES",
    "VIEWS",
    "Column",
    "ParkedView",
    "Progress",
    "Table",
    "TrackingConflict",
    "ViewStatus",
    "ViewWorker",
    "parse_views",
    "tracking_name",
]
