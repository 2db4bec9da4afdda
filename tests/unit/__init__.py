"""Given/when/then examples of every command, one module per stream, and the helpers they share.

Commands are built from a valid default (``make``) so each example states only what it changes;
untrusted input goes through ``Execution.execute(dict)`` exactly as an app's JSON would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import pytest

from execution_core import Command, Event, InvalidInput
from tests.support import T0, Spec, payload

__all__ = ["DROP", "NAIVE", "json_of", "make", "only_payload", "then_invalid"]

C = TypeVar("C", bound=Command)

NAIVE = datetime(2026, 1, 5, 9, 0)
"""T0 without its timezone: a business time whose instant is a guess."""

DROP: Any = object()
"""Give a field this value in :func:`json_of` to leave the field out."""


def make(cls: type[C], overrides: Mapping[str, Any], /, **defaults: Any) -> C:
    """A command by cleo at T0 with these defaults, any of them (or actor, occurred_at)
    overridden."""
    return cls(**{"actor": "cleo", "occurred_at": T0, **defaults, **overrides})


def json_of(command: Command, **changes: Any) -> dict[str, Any]:
    """The JSON form of a valid command with some fields changed (or left out with DROP)."""
    data = {**command.dump(), **changes}
    return {key: value for key, value in data.items() if value is not DROP}


def then_invalid(spec: Spec, data: Mapping[str, Any], field: str) -> InvalidInput:
    """The untrusted command is refused as InvalidInput naming ``field``; nothing is recorded."""
    before = spec.execution.store.last_position()
    with pytest.raises(InvalidInput, match=re.escape(field)) as caught:
        spec.execution.execute(data)
    assert spec.execution.store.last_position() == before, "a refused command recorded events"
    return caught.value


def only_payload(events: tuple[Event, ...], kind: type[Event]) -> dict[str, Any]:
    """The payload of the one event a command recorded, after checking its type."""
    assert [type(e) for e in events] == [kind]
    return payload(events[0])
