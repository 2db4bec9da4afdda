"""Where a command's output goes: results on standard output, messages and progress on
standard error, and ``--json`` as JSON Lines (one object a row or a result), so a script can
pipe the result of any command while a person still reads what happened.

Values become JSON as a reader of the tables would write them: times and dates in ISO 8601,
ids as text, enums by their value, value objects (attrs classes) as objects.

Log lines (the worker's, the library's) go through stdlib ``logging`` to standard error, one
line each with a UTC time stamp, at the level ``--log-level`` chooses.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID

import attrs
import typer
from rich.console import Console

__all__ = [
    "LogLevel",
    "configure_logging",
    "emit",
    "err",
    "jsonable",
    "out",
    "shows_progress",
]


class LogLevel(StrEnum):
    """The levels ``--log-level`` takes (stdlib logging's, in lower case)."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is logged (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


_FORMAT = logging.Formatter(
    "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%SZ"
)
_FORMAT.converter = time.gmtime

_REPORTED_BY_COMMANDS = "execution_core_adapters.projections.materialize"
"""The library's log of parked views: the views commands and the worker report those
themselves (once, with the command that fixes them), so its lines are not written twice."""


def configure_logging(level: LogLevel | str = LogLevel.INFO) -> None:
    """Log lines at ``level`` and above go to standard error (installed once per process)."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StandardError) for handler in root.handlers):
        handler = _StandardError()
        handler.setFormatter(_FORMAT)
        handler.addFilter(lambda record: record.name != _REPORTED_BY_COMMANDS)
        root.addHandler(handler)
    for name in ("execution_core", "execution_core_adapters"):
        logging.getLogger(name).setLevel(str(level).upper())


def out() -> Console:
    """Standard output, for results (made per command, so the terminal's width is read when it
    runs, not at import)."""
    return Console()


def err() -> Console:
    """Standard error, for messages and progress."""
    return Console(stderr=True)


def shows_progress() -> bool:
    """Whether progress bars are drawn: only when standard error is a terminal."""
    return err().is_terminal


def jsonable(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """``value`` as plain JSON values (see the module); a float that is not finite is null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(jsonable(key)): jsonable(item) for key, item in value.items()}
    if attrs.has(type(value)):
        return jsonable(attrs.asdict(value, recurse=False))
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return [jsonable(item) for item in value]
    return str(value)


def emit(records: Iterable[Mapping[str, Any]]) -> None:
    """Print each record as one line of JSON on standard output (JSON Lines)."""
    for record in records:
        typer.echo(json.dumps(jsonable(record), ensure_ascii=False, allow_nan=False))
