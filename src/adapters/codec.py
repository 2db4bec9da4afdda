"""Events and states to canonical JSON and back, by stable name and schema version.

Stored bytes are canonical (sorted keys, no spaces) so the same event always serializes to the
same bytes: exports are byte-identical and hash chains are reproducible.
"""

from __future__ import annotations

import json
import typing
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar
from uuid import UUID

import cattrs
from cattrs.preconf.json import make_converter

import execution_core.catalog  # noqa: F401 - registers every event type
from execution_core.errors import InvalidInput
from execution_core.event import EVENT_TYPES, Event, upcast

__all__ = [
    "CodecError",
    "decode_event",
    "decode_state",
    "dumps",
    "encode_event",
    "encode_state",
    "event_payload",
    "event_from_payload",
]

T = TypeVar("T")

_converter = make_converter(forbid_extra_keys=True)


class CodecError(InvalidInput):
    """Stored or imported bytes do not describe a valid event or state."""


def _strict(kind: type[Any], accepts: tuple[type[Any], ...]) -> None:
    def structure(value: Any, _type: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {kind.__name__}, got a boolean")
        if not isinstance(value, accepts):
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        return kind(value)

    _converter.register_structure_hook(kind, structure)


def _enum(value: Any, kind: type[Enum]) -> Enum:
    return kind(value)


_strict(int, (int,))
_strict(float, (int, float))
_strict(str, (str,))
_strict(bool, (bool,))
# StrEnum precedes str in an enum's MRO, so enum fields come back as enums, not plain strings
_converter.register_structure_hook(StrEnum, _enum)
_converter.register_structure_hook(Enum, _enum)


def _is_frozenset(kind: Any) -> bool:
    return kind is frozenset or typing.get_origin(kind) is frozenset


_converter.register_unstructure_hook_func(
    _is_frozenset, lambda value: sorted(_converter.unstructure(item) for item in value)
)
_converter.register_unstructure_hook(UUID, str)
_converter.register_structure_hook(UUID, lambda value, _t: UUID(value))
_converter.register_structure_hook(datetime, lambda value, _t: datetime.fromisoformat(value))
_converter.register_structure_hook(date, lambda value, _t: date.fromisoformat(value))

_ENVELOPE = ("stream_id", "version")


def dumps(data: Any) -> bytes:
    """Canonical JSON bytes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_payload(event: Event) -> dict[str, Any]:
    """The stored fields of an event, without its stream id and version (kept as columns)."""
    data: dict[str, Any] = _converter.unstructure(event)
    for key in _ENVELOPE:
        data.pop(key)
    return data


def encode_event(event: Event) -> tuple[str, bytes]:
    """The stored topic (stable name) and bytes of an event; the bytes carry the schema version."""
    payload = event_payload(event)
    payload["schema_version"] = type(event).schema_version
    return type(event).name, dumps(payload)


def event_from_payload(name: str, stream_id: UUID, version: int, payload: dict[str, Any]) -> Event:
    """Restore an event from its stored fields, upcasting older schema versions first."""
    if name not in EVENT_TYPES:
        raise CodecError(f"unknown event type {name!r}")
    fields = dict(payload)
    stored_version = fields.pop("schema_version", 1)
    try:
        fields = upcast(name, stored_version, fields)
        fields["stream_id"] = str(stream_id)
        fields["version"] = version
        return _converter.structure(fields, EVENT_TYPES[name].cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        raise CodecError(f"{name} v{version} of {stream_id}: {_reason(error)}") from None


def decode_event(name: str, stream_id: UUID, version: int, data: bytes) -> Event:
    """Restore an event from its stored topic and bytes."""
    try:
        payload = json.loads(data)
    except ValueError as error:
        raise CodecError(f"{name} v{version} of {stream_id}: not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise CodecError(f"{name} v{version} of {stream_id}: not a JSON object")
    return event_from_payload(name, stream_id, version, payload)


def encode_state(state: object) -> bytes:
    """A stream state (for a snapshot) as JSON; mappings keep their order (people in the
    order they joined), sets are sorted, so equal states give equal bytes."""
    data = _converter.unstructure(state)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def decode_state(data: bytes, cls: type[T]) -> T:
    """A stream state from a snapshot."""
    try:
        return _converter.structure(json.loads(data), cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        raise CodecError(f"snapshot of {cls.__name__}: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(error))
    return str(error)
