"""The base of every command: untrusted input, validated by pydantic before any rule runs."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

import attrs
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from execution_core.clock import as_utc
from execution_core.errors import InvalidInput

__all__ = [
    "COMMANDS",
    "EARLIEST_DAY",
    "IDEMPOTENCY_KEY_PATTERN",
    "LATEST_DAY",
    "MAX_DAYS",
    "MAX_MAGNITUDE",
    "MIN_GAP",
    "Command",
    "Day",
    "Days",
    "Id",
    "Label",
    "Measure",
    "Name",
    "Rating",
    "Reason",
    "Receipt",
    "Share",
    "Text",
    "UtcDatetime",
    "Weight",
    "idempotency_key",
]

# -- what the library accepts --------------------------------------------------------------------
# Every bound a command's value must meet lives here, once, as a type its schema carries: what
# every view, every backend (memory, SQLite, PostgreSQL) and every export can hold.

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
"""The range of every date and business time: far enough from ``date.max`` that a cycle's
"midnight after the end date", cadences and look-back windows never overflow."""

MAX_DAYS = 366
"""The longest cadence or look-back window in days, so ``timedelta`` arithmetic stays in range."""

MAX_MAGNITUDE = 1e12
"""The largest magnitude of a measured value (baseline, target, stretch, check-in value)."""

MIN_GAP = 1e-6
"""The smallest distance between a key result's target and its baseline: with
``MAX_MAGNITUDE``, progress ``(value - baseline) / (target - baseline)`` stays finite."""

_C0_C1 = r"\x00-\x09\x0b-\x1f\x7f-\x9f"
"""Control characters (C0, DEL, C1) except the line feed."""
_FORMAT = (
    r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    r"\U000e0020-\U000e007f"
)
"""Invisible format characters (Unicode category Cf: bidi overrides and isolates, zero-width
characters, the BOM, tags) and the line and paragraph separators: they make two different
texts look alike or reorder what a terminal shows."""

TEXT_PATTERN = rf"^[^{_C0_C1}{_FORMAT}]*$"
"""Free text: any character but controls and format characters; line feeds are kept."""
NAME_PATTERN = rf"^[^\n{_C0_C1}{_FORMAT}]*$"
"""A label: free text on one line."""
ID_PATTERN = rf"^[^\s{_C0_C1}{_FORMAT}]+$"
"""An identifier: no whitespace, control or format character at all."""


def _matching(pattern: str, what: str) -> AfterValidator:
    """A validator enforcing ``pattern`` (also published in the schema) with a readable message."""
    compiled = re.compile(pattern)

    def check(text: str) -> str:
        if compiled.match(text) is None:
            bad = next((ch for ch in text if ch != "\n" and not compiled.match(ch)), "\n")
            raise ValueError(f"{what} (found U+{ord(bad):04X})")
        return text

    return AfterValidator(check)


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    _matching(ID_PATTERN, "an id holds no whitespace, control or format character"),
    Field(json_schema_extra={"pattern": ID_PATTERN}),
]
"""A caller-chosen identifier (person, unit, theme, key result, action): 1-100 characters,
none of them whitespace, a control or a format character."""

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    _matching(NAME_PATTERN, "a name is one line without control or format characters"),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
"""A short human label, on one line."""

Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=50),
    _matching(NAME_PATTERN, "a label is one line without control or format characters"),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
"""A short optional label, such as a key result's unit (``%``, ``EUR``)."""

Text = Annotated[
    str,
    StringConstraints(max_length=10_000),
    _matching(
        TEXT_PATTERN, "text holds no control character but line feeds, nor format characters"
    ),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
"""Free text (notes, reasons, summaries): line feeds allowed, other controls and format
characters refused; bounded so one request cannot flood the store."""

Reason = Annotated[Text, StringConstraints(min_length=1)]
"""A non-empty free text saying why."""


_NUMBERS = (int, float)  # bool is an int; a tuple, not ``int | float``, built once


def _not_a_number(value: object) -> object:
    """Dates and times come as ISO 8601 strings or date objects, never as numbers (timestamps)."""
    if isinstance(value, _NUMBERS):
        raise ValueError("a date or time is an ISO 8601 string, not a number")
    return value


def _in_utc(moment: datetime) -> datetime:
    """The instant in UTC (:func:`~execution_core.clock.as_utc`); one given in UTC, as most
    are, is itself."""
    return moment if moment.tzinfo is UTC else as_utc(moment)


_NO_NUMBER = BeforeValidator(_not_a_number)

UtcDatetime = Annotated[
    AwareDatetime,
    Field(
        ge=datetime.combine(EARLIEST_DAY, time(), UTC),
        le=datetime.combine(LATEST_DAY, time.max, UTC),
        json_schema_extra={
            "formatMinimum": f"{EARLIEST_DAY}T00:00:00Z",
            "formatMaximum": f"{LATEST_DAY}T23:59:59.999999Z",
        },
    ),
    _NO_NUMBER,
    AfterValidator(_in_utc),
]
"""An aware datetime from 1900-01-01 to 2999-12-31 (UTC), normalised to UTC; naive datetimes are
refused. The range is checked before the conversion, so no offset can overflow it."""

Day = Annotated[
    date,
    Field(
        ge=EARLIEST_DAY,
        le=LATEST_DAY,
        json_schema_extra={"formatMinimum": str(EARLIEST_DAY), "formatMaximum": str(LATEST_DAY)},
    ),
    _NO_NUMBER,
]
"""A calendar day from 1900-01-01 to 2999-12-31 (an open-ended 9999-12-31 is refused: the
views count to the midnight after a cycle's last day)."""

Days = Annotated[int, Strict(), Field(ge=1, le=MAX_DAYS)]
"""A number of days (a cadence, a look-back window): a strict integer from 1 to 366."""

Measure = Annotated[
    float, Strict(), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)
]
"""A measured value: a finite number (an int is fine; a string or a bool is not) within
plus or minus 10^12."""

Share = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
"""A number from 0 to 1 (a confidence, a threshold, a share), strictly a number."""

Weight = Annotated[float, Strict(), Field(gt=0.0, le=1_000.0, allow_inf_nan=False)]
"""A relative weight: a number above 0, at most 1000."""

Rating = Annotated[int, Strict(), Field(ge=1, le=5)]
"""An appraisal rating: a strict integer from 1 to 5."""


COMMANDS: dict[str, type[Command]] = {}
"""Every concrete command class by its type name (the ``type`` of its JSON form)."""


class Command(BaseModel):
    """An intention from an actor, dated in business time.

    ``actor`` is who asks (a person id, or ``"system"`` for an HR-system sync);
    ``occurred_at`` is when the fact happened in the business, which may be in the past.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )

    actor: Id
    occurred_at: UtcDatetime = Field(description="Business time of the fact (aware, UTC).")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            COMMANDS[cls.__name__] = cls

    @property
    def command_name(self) -> str:
        """The command's type name, as it appears in JSON (``type``)."""
        return type(self).__name__

    def value_of(self, name: str) -> Any:
        """The value of a field this kind of command may not have (None when it has none).

        Deciders ask it of every command they decide (a check-in names no cycle); pydantic
        answers a missing attribute through a raised and caught ``AttributeError``, which costs
        more than the rest of reading the command."""
        return self.__dict__.get(name)

    def dump(self) -> dict[str, Any]:
        """A JSON-ready dict of the command, with its ``type``."""
        return {"type": self.command_name, **self.model_dump(mode="json")}


# -- idempotency ---------------------------------------------------------------------------------

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
"""An idempotency key: 1 to 200 printable ASCII characters, no spaces (a UUID fits)."""
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def idempotency_key(key: object) -> str:
    """The key, checked: :class:`InvalidInput` unless it is 1-200 printable ASCII characters."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidInput(
            "an idempotency key is a string of 1 to 200 printable ASCII characters without "
            f"spaces, not {str(key)[:40]!r}"
        )
    return key


@attrs.frozen
class Receipt:
    """What a command sent with an idempotency key recorded, stored atomically with its events.

    ``fingerprint`` identifies the command as it was sent (before the service chose any ids),
    so a retry can be told apart from another command reusing the key.
    """

    key: str
    fingerprint: str
    stream: str
    """The kind of stream written (``goal``, ``cycle``...)."""
    stream_id: UUID
    first_version: int
    last_version: int

    @staticmethod
    def fingerprint_of(command: Command) -> str:
        """sha256 of the command's canonical JSON (sorted keys, no spaces)."""
        text = json.dumps(command.dump(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()
