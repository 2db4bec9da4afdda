"""The view tables: their columns (in the live projections' order), keys and meaning, the
table of parked views, and the name each view's position is tracked under."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

__all__ = [
    "APPRAISAL",
    "BOARD",
    "PARKED",
    "RADAR",
    "SIGNALS_TABLE",
    "SIGNAL_COLUMNS",
    "TABLES",
    "VIEWS",
    "Column",
    "ParkedView",
    "Table",
    "error_text",
    "tracking_name",
]

VIEWS: tuple[str, ...] = ("board", "appraisal", "radar")
"""Every materialized view, by name (the table is ``view_<name>``)."""


def tracking_name(view: str) -> str:
    """The name a view's position is tracked under (``view.board``, ...)."""
    return f"view.{view}"


@attrs.frozen
class Column:
    """A column of a view table; ``kind`` is one of uuid, text, real, int, bool, time, list."""

    name: str
    kind: str
    nullable: bool = False
    doc: str = ""


@attrs.frozen
class Table:
    """A view table: its name, columns (in order) and primary key."""

    view: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def name(self) -> str:
        """The table's name in the database."""
        return f"view_{self.view}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of the columns, in order."""
        return tuple(column.name for column in self.columns)


def _c(name: str, kind: str, doc: str = "", *, null: bool = False) -> Column:
    return Column(name, kind, null, doc)


BOARD = Table(
    "board",
    (
        _c("goal_id", "uuid", "the goal"),
        _c("cycle_id", "uuid", "its cycle"),
        _c("evaluated_at", "time", "the instant the row is read at (see the evaluation rule)"),
        _c("title", "text"),
        _c("kind", "text", "individual, team, departmental or developmental"),
        _c("owner_kind", "text", "person or unit"),
        _c("owner_id", "text", "the owner at evaluated_at"),
        _c("status", "text", "active, completed or dropped"),
        _c("weight", "real"),
        _c("aligned_to", "text", "recorded alignment: theme growth, goal <id>", null=True),
        _c("parent_id", "uuid", "the goal it rolls up into", null=True),
        _c("theme_id", "text", null=True),
        _c("rolls_up", "bool", "no key results of its own: rolls up its child goals"),
        _c("progress", "real", "weighted score, 0..1"),
        _c("raw_progress", "real", "weighted raw progress, over-achievement kept"),
        _c("expected", "real", "elapsed share of the cycle at evaluated_at"),
        _c("pace_gap", "real", "progress - expected"),
        _c("forecast", "real", "forecast score at the cycle end (null: nothing logged)", null=True),
        _c("health", "text", "on track, at risk, off track, not started or stale"),
        _c("confidence", "real", null=True),
        _c("last_checkin_at", "time", null=True),
        _c("days_since_checkin", "int", null=True),
        _c("open_commitments", "int"),
        _c("outcome", "text", "missed, met or exceeded as things stand"),
    ),
    ("goal_id",),
)

APPRAISAL = Table(
    "appraisal",
    (
        _c("cycle_id", "uuid"),
        _c("person_id", "text"),
        _c("evaluated_at", "time", "the instant the sheet is read at (see the evaluation rule)"),
        _c("cycle_name", "text"),
        _c("goals", "int", "the person's goals in the cycle (dropped ones left out)"),
        _c("attainment", "real", "weighted mean of the final goal scores", null=True),
        _c("computed_rating", "int", null=True),
        _c("recorded_rating", "int", null=True),
        _c("calibrated_rating", "int", null=True),
        _c("rating", "int", "the rating that stands", null=True),
        _c("rating_source", "text", "computed, recorded or calibrated", null=True),
        _c("bonus_multiplier", "real", null=True),
    ),
    ("cycle_id", "person_id"),
)

RADAR = Table(
    "radar",
    (
        _c("cycle_id", "uuid"),
        _c("person_id", "text"),
        _c("coach_id", "text", "the coach; '' on the one row of a person with no coach"),
        _c("evaluated_at", "time", "the instant the row is read at (see the evaluation rule)"),
        _c("relation", "text", "manager, authorised, other or none"),
        _c("short_days", "int", "the short window (14 days by default)"),
        _c("long_days", "int", "the long window (30 days by default)"),
        _c("coaching_short", "int", "this coach's sessions within the short window"),
        _c("coaching_long", "int", "this coach's sessions within the long window"),
        _c("last_session_at", "time", null=True),
        _c("uncoached_goals", "list", "goals at risk or off track, no coaching since they turned"),
        _c("overdue_commitments", "list", "open commitments past their due date"),
    ),
    ("cycle_id", "person_id", "coach_id"),
)

TABLES: Mapping[str, Table] = {table.view: table for table in (BOARD, APPRAISAL, RADAR)}
"""Every view table, by view name."""

PARKED = Table(
    "parked",
    (
        _c("view_name", "text", "the parked view (board, appraisal or radar)"),
        _c("notification_id", "int", "the position of the event it cannot take"),
        _c("stream_id", "text", "that event's stream"),
        _c("event_type", "text", "that event's stored type (goal.GoalSet, ...)"),
        _c("error", "text", "why: the exception's type and message"),
        _c("parked_at", "time", "when the view was parked (wall clock)"),
    ),
    ("view_name",),
)
"""``view_parked``: one row per parked view, next to the view tables (not a view itself)."""

SIGNALS_TABLE = "view_signals"
"""The signal log: one row per signal the worker derived, ``seq`` its position in the log
(ascending in commit order, with possible gaps), ``key`` unique (a signal derived again, after a
restart or a rebuild, is not logged twice). Written in the transaction of the view rows and the
tracking position of the batch that derived it; a rebuild of the views keeps it."""

SIGNAL_COLUMNS: tuple[str, ...] = (
    "key",
    "kind",
    "cycle_id",
    "goal_id",
    "person_id",
    "unit_id",
    "at",
    "position",
    "signal",
)
"""The columns a signal fills (``seq`` is assigned by the database); ``position`` is the store
position of its cause, ``signal`` its JSON (:meth:`~execution_core.signals.Signal.to_dict`)."""

_ERROR_TEXT = 2_000
"""At most this many characters of an error are kept in ``view_parked``."""


@attrs.frozen
class ParkedView:
    """A view stopped at an event it cannot take, and why (a row of ``view_parked``)."""

    view: str
    position: int
    """The notification id of the event; the view stays tracked before it."""
    stream_id: str
    event_type: str
    error: str
    parked_at: datetime

    def describe(self) -> str:
        """One line for a log or a terminal."""
        return (
            f"view {self.view} parked at event {self.position} ({self.event_type}, stream "
            f"{self.stream_id}): {self.error}"
        )


def error_text(error: BaseException) -> str:
    """The error as stored: type and message, NUL-free (PostgreSQL text refuses NUL), bounded."""
    text = f"{type(error).__name__}: {error}".replace("\x00", "\\x00")
    return text if len(text) <= _ERROR_TEXT else text[: _ERROR_TEXT - 1] + "…"
