"""The JSON schema of a stored event's payload, read from the event class as the codec writes it
(:mod:`.codec`): attrs values as objects, ids and dates as ISO text, enums as their values,
tuples and frozensets as arrays, ``X | None`` as ``X`` or null."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal
from uuid import UUID

import attrs

from execution_core.event import Event

__all__ = ["payload_schema"]

_ENVELOPE = ("stream_id", "version")
"""Fields of an event kept beside its payload (the codec's envelope), not inside it."""

_PLAIN: dict[Any, dict[str, object]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    UUID: {"type": "string", "format": "uuid"},
    datetime: {"type": "string", "format": "date-time"},
    date: {"type": "string", "format": "date"},
}


def _schema(kind: Any, defs: dict[str, object]) -> dict[str, object]:  # noqa: PLR0911
    if kind in _PLAIN:
        return dict(_PLAIN[kind])
    if kind is Any or kind is object:
        return {}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"enum": [member.value for member in kind]}
    if isinstance(kind, type) and attrs.has(kind):
        if kind.__name__ not in defs:
            defs[kind.__name__] = {}  # placeholder: a value type that nests itself
            defs[kind.__name__] = _object(kind, defs, skip=())
        return {"$ref": f"#/$defs/{kind.__name__}"}
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(arg, defs) for arg in args]}
    if kind is type(None):
        return {"type": "null"}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema(args[0], defs)}
    if origin is tuple:
        items = [_schema(arg, defs) for arg in args]
        return {
            "type": "array",
            "prefixItems": items,
            "minItems": len(items),
            "maxItems": len(items),
        }
    if origin in (frozenset, set, list):
        return {"type": "array", "items": _schema(args[0], defs) if args else {}}
    if origin is not None and str(origin).endswith(("Mapping'>", "dict'>")):
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    raise TypeError(f"no JSON schema for the stored type {kind!r}")


def _object(cls: type, defs: dict[str, object], *, skip: tuple[str, ...]) -> dict[str, object]:
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.name not in skip]
    required = [field.name for field in fields if field.default is attrs.NOTHING]
    return {
        "type": "object",
        "properties": {field.name: _schema(hints[field.name], defs) for field in fields},
        "required": required,
        "additionalProperties": False,
    }


def payload_schema(event_type: type[Event], defs: dict[str, object]) -> dict[str, object]:
    """The schema of ``event_type``'s payload (its fields but the stream id and version); the
    value types it nests (an owner, an alignment, a policy) are added to ``defs``."""
    return _object(event_type, defs, skip=_ENVELOPE)
