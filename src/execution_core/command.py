"""The base of every command: untrusted input, validated by pydantic before any rule runs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from execution_core.clock import as_utc

__all__ = ["COMMANDS", "Command", "Id", "Name", "Text", "UtcDatetime"]

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
