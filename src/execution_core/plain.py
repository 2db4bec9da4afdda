"""Outcomes, states, events and views as plain JSON data, for an app's API or a log line.

:func:`to_dict` turns any value the library returns into dicts, lists, strings, numbers,
booleans and None: attrs values field by field, enums as their values, ids and times as ISO
text, owners and alignments as small objects. :func:`to_json` writes that as canonical JSON
(sorted keys). States and ``Outcome`` have the same as methods (``goal.to_json()``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

import attrs

__all__ = ["JsonForm", "to_dict", "to_json"]


def _plain(value: object) -> object:  # noqa: PLR0911 - one case per kind of value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if attrs.has(type(value)):
        return {
            field.name: _plain(getattr(value, field.name))
            for field in attrs.fields(type(value))  # type: ignore[arg-type]
            if not field.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if hasattr(value, "model_dump"):  # a command (pydantic)
        return _plain(value.model_dump(mode="json"))
    raise TypeError(f"no plain form for {type(value).__name__}")


def to_dict(value: object) -> Any:
    """``value`` as JSON-ready data (an attrs value or a mapping becomes a dict); a float that
    is not finite becomes None, as JSON has no such number."""
    return _plain(value)


def to_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text with sorted keys (see :func:`to_dict`)."""
    return json.dumps(_plain(value), sort_keys=True, indent=indent, ensure_ascii=False)


class JsonForm:
    """``to_dict`` and ``to_json`` for an attrs value (the states, ``Outcome``)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This value as JSON-ready data, field by field."""
        data: dict[str, Any] = _plain(self)  # type: ignore[assignment]
        return data

    def to_json(self, *, indent: int | None = None) -> str:
        """This value as JSON text with sorted keys."""
        return to_json(self, indent=indent)
