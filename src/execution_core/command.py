"""The base of every command: untrusted input, validated by pydantic before any rule runs."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any
from uuid import UUID

import attrs
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from execution_core.clock import as_utc
from execution_core.errors import InvalidInput

__all__ = [
    "COMMANDS",
    "Command",
    "Id",
    "Name",
    "Receipt",
    "Text",
    "UtcDatetime",
    "idempotency_key",
]

Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"),
]
"""A caller-chosen identifier (person, unit, theme, key result, action): no spaces."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
"""A short human label."""

Text = Annotated[str, StringConstraints(max_length=10_000)]
"""Free text (notes, reasons, summaries); bounded so one request cannot flood the store."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]
"""An aware datetime, normalised to UTC; naive datetimes are refused."""


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

    def dump(self) -> dict[str, Any]:
        """A JSON-ready dict of the command, with its ``type``."""
        return {"type": self.command_name, **self.model_dump(mode="json")}


# -- idempotency ---------------------------------------------------------------------------------

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
"""An idempotency key: 1 to 200 printable ASCII characters, no spaces (a UUID fits)."""


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
