"""What a live projection hands its writer: the row changes of one batch, in one table."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

__all__ = ["Paced", "Row", "RowChanges", "Timed"]

Row = tuple[Any, ...]
"""A row as a tuple of plain values, in the projection's column order."""


@attrs.frozen
class Paced:
    """Every row of a cycle read at a later instant with no new fact about it: its
    ``evaluated_at`` set to ``at``, ``expected`` to ``expected`` and ``pace_gap`` to
    ``progress - expected`` (the board's rows; one statement, not a row at a time)."""

    cycle_id: UUID
    at: datetime
    expected: float


@attrs.frozen
class Timed:
    """Every row of a cycle read at a later instant, none of its other values moved by the
    time in between: its ``evaluated_at`` set to ``at`` (one statement, not a row at a time;
    the rows that did move are upserted after it)."""

    cycle_id: UUID
    at: datetime


@attrs.define
class RowChanges:
    """What one batch changes in one projection's rows, applied in the order of the fields."""

    truncate: bool = False
    """Delete every row first (a full rewrite)."""
    clear_cycles: list[UUID] = attrs.Factory(list)
    """Delete every row of these cycles."""
    delete: list[Row] = attrs.Factory(list)
    """Delete the rows of these keys (in the projection's key order)."""
    evaluated_at: datetime | None = None
    """Set ``evaluated_at`` of every row to this instant."""
    timed: list[Timed] = attrs.Factory(list)
    """Set ``evaluated_at`` of every row of these cycles (see :class:`Timed`)."""
    paced: list[Paced] = attrs.Factory(list)
    """Move the pace of every row of these cycles (see :class:`Paced`)."""
    upsert: list[Row] = attrs.Factory(list)
    """Insert or replace these rows (every column)."""
