"""Events and states to canonical JSON and back, by stable name and schema version.

Stored bytes are canonical (sorted keys, no spaces) so the same event always serializes to the
same bytes: exports are byte-identical, and so are stored payloads but for their personal
fields, which :mod:`.sealing` seals with each store's own keys.

Two ways back. :func:`event_from_payload` (imports, anything from outside) checks every value's
type and every event's invariants. :func:`decode_event` reads what the store itself wrote,
validated when it was written and covered by the hash chain since: it runs the upcasters but
trusts the values, with one plain reader per event type (built once), because catching up views
over millions of stored events is bounded by this decoding (``strict=True`` checks as an import
does).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

import execution_core.catalog  # noqa: F401 - registers every event type
from execution_core.errors import InvalidInput
from execution_core.event import EVENT_TYPES, Event, EventType, upcast

__all__ = [
    "CodecError",
    "decode_event",
    "decode_state",
    "load_payload",
    "read_payload",
    "stored_payload",
    "dumps",
    "json_string",
    "uuid_of",
    "uuid_text",
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


_converter.register_unstructure_hook_func(  # most sets are empty (a person's roles, in snapshots)
    _is_frozenset,
    lambda value: sorted([_converter.unstructure(item) for item in value]) if value else [],
)


_UUID_TEXTS: dict[int, str] = {}
_UUID_TEXTS_KEPT = 1 << 16


def uuid_text(value: UUID) -> str:
    """``str(value)``, remembered for the ids spelled last: a stream id is spelled for its
    events' id fields, the insert, the chain and every sealed field's context, and
    ``UUID.__str__`` is Python code that costs more than an event's hash (a lookup by the
    id's integer costs a dictionary probe; the memory is bounded: it is emptied when full)."""
    text = _UUID_TEXTS.get(value.int)
    if text is None:
        if len(_UUID_TEXTS) >= _UUID_TEXTS_KEPT:
            _UUID_TEXTS.clear()
        text = _UUID_TEXTS[value.int] = str(value)
    return text


_UUIDS: dict[str, UUID] = {}


def uuid_of(text: str) -> UUID:
    """``UUID(text)``, remembered for the ids read last, as :func:`uuid_text` spells them:
    reading back, the same goal and cycle ids come in event after event, and ``UUID.__init__``
    is Python code that costs more than the rest of such a field (bounded the same way)."""
    found = _UUIDS.get(text)
    if found is None:
        if len(_UUIDS) >= _UUID_TEXTS_KEPT:
            _UUIDS.clear()
        found = _UUIDS[text] = UUID(text)
    return found


_converter.register_unstructure_hook(UUID, uuid_text)
# as the preconfigured hook (``v.isoformat()``) without a Python frame per value
_converter.register_unstructure_hook(datetime, datetime.isoformat)
_converter.register_structure_hook(UUID, lambda value, _t: UUID(value))
_converter.register_structure_hook(datetime, lambda value, _t: datetime.fromisoformat(value))
_converter.register_structure_hook(date, lambda value, _t: date.fromisoformat(value))

_ENVELOPE = ("stream_id", "version")


json_string: Callable[[str], str] = json.encoder.encode_basestring
"""A string as :func:`dumps` writes it (quoted and escaped, non-ASCII kept)."""

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_c_make_encoder: Callable[..., Any] | None = getattr(json.encoder, "c_make_encoder", None)
_encode_chunks: Callable[[Any, int], tuple[str, ...]] | None = (
    None
    if _c_make_encoder is None
    else _c_make_encoder(
        None,  # no circular-reference markers: payloads are trees unstructured from attrs
        _CANONICAL.default,
        json_string,  # ensure_ascii=False
        None,  # no indent
        ":",
        ",",
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan, as json.dumps
    )
)


def dumps(data: Any) -> bytes:
    """Canonical JSON bytes: ``json.dumps(data, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``, through the standard library's C encoder built once (every stored
    event and every hash-chain header is written here, and ``json.dumps`` builds a new encoder
    per call, which costs more than encoding a small object)."""
    if _encode_chunks is None:  # pragma: no cover - a Python without the C accelerator
        return _CANONICAL.encode(data).encode()
    return "".join(_encode_chunks(data, 0)).encode()


_Unstructure = Callable[[Event], dict[str, Any]]
_PAYLOADS: dict[type[Event], _Unstructure] = {}


def _payload_of(cls: type[Event]) -> _Unstructure:
    """The converter's own unstructuring of an event type with the envelope left out (built
    once per type: nothing spells the stream id only to drop it)."""
    made = _PAYLOADS.get(cls)
    if made is None:
        omitted: dict[str, Any] = {key: override(omit=True) for key in _ENVELOPE}
        made = _PAYLOADS[cls] = make_dict_unstructure_fn(cls, _converter, **omitted)
    return made


def event_payload(event: Event) -> dict[str, Any]:
    """The stored fields of an event, without its stream id and version (kept as columns)."""
    return _payload_of(type(event))(event)


def stored_payload(event: Event) -> dict[str, Any]:
    """The stored fields of an event with its schema version (what :func:`encode_event`
    writes, before the storage layer seals its personal fields)."""
    cls = type(event)
    payload = _payload_of(cls)(event)
    payload["schema_version"] = cls.schema_version
    return payload


def encode_event(event: Event) -> tuple[str, bytes]:
    """The stored topic (stable name) and bytes of an event; the bytes carry the schema version."""
    return type(event).name, dumps(stored_payload(event))


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


def decode_event(
    name: str, stream_id: UUID, version: int, data: bytes, *, strict: bool = False
) -> Event:
    """Restore an event from the topic and bytes the store wrote (trusted: upcast, not
    re-validated; ``strict`` validates every value as :func:`event_from_payload` does)."""
    payload = load_payload(name, stream_id, version, data, strict=strict)
    return read_payload(name, stream_id, version, payload, strict=strict)


def load_payload(
    name: str, stream_id: UUID, version: int, data: bytes, *, strict: bool = False
) -> dict[str, Any]:
    """The stored payload of an event as a JSON object (``CodecError`` if it is not one)."""
    try:
        payload = json.loads(data) if strict else _loads(data)
    except ValueError as error:
        raise CodecError(f"{name} v{version} of {stream_id}: not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise CodecError(f"{name} v{version} of {stream_id}: not a JSON object")
    return payload


def read_payload(
    name: str, stream_id: UUID, version: int, payload: dict[str, Any], *, strict: bool = False
) -> Event:
    """Restore an event from its parsed stored payload (as :func:`decode_event`)."""
    if strict:
        return event_from_payload(name, stream_id, version, payload)
    reader = _READERS.get(name)
    if reader is None:
        if name not in EVENT_TYPES:
            raise CodecError(f"unknown event type {name!r}")
        reader = _READERS[name] = _reader(EVENT_TYPES[name])
    try:
        if payload.get("schema_version", 1) != reader.schema_version:
            fields = dict(payload)
            payload = upcast(name, fields.pop("schema_version", 1), fields)
        return reader.read(payload, stream_id, version)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as error:
        raise CodecError(f"{name} v{version} of {stream_id}: {_reason(error)}") from None


def _loads(data: bytes) -> Any:
    """JSON parsed by orjson (several times faster than the standard library on small objects);
    what it refuses and the standard library reads (NaN, integers past 64 bits) is read so."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


_Reader = Callable[[dict[str, Any], UUID, int], Event]
_Convert = Callable[[Any], Any]
_MISSING = object()


@attrs.frozen
class _TrustedReader:
    """How the events of one type are read back from the store."""

    schema_version: int
    read: _Reader


_READERS: dict[str, _TrustedReader] = {}


def _reader(kind: EventType) -> _TrustedReader:
    """A reader that builds the event from its stored fields without re-validating them: each
    field is converted by its type (dates parsed, enums and nested values restored), and the
    frozen instance is filled in slot by slot (its validators ran when it was first made)."""
    cls = kind.cls
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, _Convert | None, Any]] = []
    for field in attrs.fields(cls):
        if field.name in _ENVELOPE:
            continue
        default = field.default
        if default is attrs.NOTHING:
            default = _MISSING
        plan.append((field.name, _field_converter(hints[field.name]), default))
    slots = {name: _slot(cls, name) for name in (*_ENVELOPE, *(name for name, _, _ in plan))}
    if hasattr(cls, "__attrs_post_init__") or None in slots.values():
        return _TrustedReader(kind.schema_version, _constructor(cls, plan))
    return _TrustedReader(kind.schema_version, _filler(cls, plan, slots))


def _slot(cls: type[Event], name: str) -> Any:
    """The slot holding a field, or None when the class keeps it otherwise."""
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


def _filler(
    cls: type[Event], plan: list[tuple[str, _Convert | None, Any]], slots: dict[str, Any]
) -> _Reader:
    """The reader as straight-line code (as attrs and cattrs generate theirs): one statement per
    field, each value set straight into its slot, no keyword arguments, no validators."""
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for n, slot in enumerate(slots.values()):
        scope[f"_s{n}"] = slot.__set__
    lines = [
        "def read(payload, stream_id, version):",
        "    event = _new(_cls)",
        "    _s0(event, stream_id)",
        "    _s1(event, version)",
    ]
    for n, (name, convert, default) in enumerate(plan, start=len(_ENVELOPE)):
        value = f"payload[{name!r}]"
        if default is not _MISSING:
            scope[f"_d{n}"] = default
            fallback = f"_d{n}.factory()" if isinstance(default, attrs.Factory) else f"_d{n}"  # type: ignore[arg-type]
            value = f"({value} if {name!r} in payload else {fallback})"
        if convert is not None:
            scope[f"_c{n}"] = convert
            value = f"_c{n}({value})"
        lines.append(f"    _s{n}(event, {value})")
    lines.append("    return event")
    exec("\n".join(lines), scope)  # the code is built here from the class's own fields
    return cast(_Reader, scope["read"])


def _constructor(cls: type[Event], plan: list[tuple[str, _Convert | None, Any]]) -> _Reader:
    """The reader of a class that must run its own ``__init__`` (it has a post-init step)."""

    def read(payload: dict[str, Any], stream_id: UUID, version: int) -> Event:
        fields: dict[str, Any] = {}
        for name, convert, default in plan:
            if name in payload:
                value = payload[name]
                fields[name] = value if convert is None else convert(value)
            elif default is _MISSING:
                raise KeyError(name)
        return cls(stream_id=stream_id, version=version, **fields)

    return read


_PLAIN: dict[Any, _Convert | None] = {
    str: None,
    int: None,
    bool: None,
    float: float,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    UUID: uuid_of,
}


def _field_converter(kind: Any) -> _Convert | None:
    """How a stored JSON value becomes the field's value (None: it already is)."""
    if kind in _PLAIN:
        return _PLAIN[kind]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        present = _field_converter(inner)
        return None if present is None else lambda value: None if value is None else present(value)
    return lambda value: _converter.structure(value, kind)


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
