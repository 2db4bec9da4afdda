"""(c) Serialization: every event and every stream state survives the canonical JSON codec.

The oracle is the value itself: decoding what was encoded gives back an equal value, and
encoding it again gives back the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core.catalog import EVENT_TYPES_BY_STREAM, event_types
from execution_core_adapters.storage.codec import (
    decode_event,
    decode_state,
    dumps,
    encode_event,
    encode_state,
    event_payload,
    stored_payload,
    uuid_of,
    uuid_text,
)
from tests.strategies import STATE_TYPES, event_strategies, state_strategies

EVENTS = event_strategies()
STATES = state_strategies()


def test_every_registered_event_type_has_a_strategy() -> None:
    """Given the registry, then every event type of every stream has a strategy here."""
    registered = {kind.name for kind in event_types()}
    assert set(EVENTS) == registered
    assert sum(len(names) for names in EVENT_TYPES_BY_STREAM.values()) == len(registered)


@pytest.mark.parametrize("name", sorted(EVENTS))
@given(data=st.data())
def test_every_event_round_trips_through_the_codec(name: str, data: st.DataObject) -> None:
    """Property: decode_event(encode_event(e)) == e for every event type, every value inside it
    of the same type as before (an enum stays an enum, not an equal str). Oracle: the event."""
    event = data.draw(EVENTS[name])
    topic, stored = encode_event(event)
    decoded = decode_event(topic, event.stream_id, event.version, stored)
    assert topic == name
    assert decoded == event
    assert _typed(decoded) == _typed(event), "a value came back as another type"


@pytest.mark.parametrize("name", sorted(EVENTS))
@given(data=st.data())
def test_every_event_encodes_canonically(name: str, data: st.DataObject) -> None:
    """Property: encode(decode(bytes)) == bytes, and the bytes are the canonical dump of their
    own JSON (sorted keys, no spaces). Oracle: the stored bytes."""
    event = data.draw(EVENTS[name])
    topic, stored = encode_event(event)
    assert encode_event(decode_event(topic, event.stream_id, event.version, stored)) == (
        topic,
        stored,
    )
    assert dumps(json.loads(stored)) == stored


@pytest.mark.parametrize("name", sorted(EVENTS))
@given(data=st.data())
def test_the_stored_payload_is_the_converters_unstructuring(name: str, data: st.DataObject) -> None:
    """Property: the stored payload, built per event type with the envelope left out, writes
    the bytes of the converter's generic unstructuring of the whole event (what
    ``encode_state`` writes) without its stream id and version, with its schema version.
    Oracle: the generic unstructuring."""
    event = data.draw(EVENTS[name])
    generic = json.loads(encode_state(event))
    assert generic.pop("stream_id") == str(event.stream_id)
    assert generic.pop("version") == event.version
    generic["schema_version"] = type(event).schema_version
    assert dumps(stored_payload(event)) == dumps(generic) == encode_event(event)[1]
    assert dumps(event_payload(event)) == dumps(
        {key: value for key, value in generic.items() if key != "schema_version"}
    )


@given(value=st.uuids())
def test_a_uuid_is_spelled_and_read_as_uuid_does(value: UUID) -> None:
    """Property: the remembered spelling of an id is ``str(id)`` and the remembered id of a
    spelling is ``UUID(text)``, the first time and after."""
    assert uuid_text(value) == str(value)
    assert uuid_text(UUID(int=value.int)) == str(value)
    for text in (str(value), value.hex, str(value).upper()):
        assert uuid_of(text) == value
        assert uuid_of(text) == value


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(value=JSON_VALUES)
def test_the_canonical_dump_is_the_standard_librarys(value: Any) -> None:
    """Property: ``dumps`` (the C encoder, built once) writes exactly what ``json.dumps`` with
    sorted keys, no spaces and no ASCII escaping writes, for any JSON value: stores, exports and
    hash chains written before it stay byte-identical. Oracle: the standard library."""
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert dumps(value) == expected.encode()


@pytest.mark.parametrize("cls", STATE_TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_every_stream_state_round_trips_through_the_codec(
    cls: type[Any], data: st.DataObject
) -> None:
    """Property: decode_state(encode_state(s), type(s)) == s for every stream state type, every
    value inside it of the same type as before. Oracle: the state drawn."""
    state = data.draw(STATES[cls])
    restored = decode_state(encode_state(state), cls)
    assert restored == state
    assert _typed(restored) == _typed(state), "a value came back as another type"


@pytest.mark.parametrize("cls", STATE_TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_a_state_round_trip_keeps_the_order_of_its_mappings(
    cls: type[Any], data: st.DataObject
) -> None:
    """Property: every mapping inside a state keeps its order through encode/decode (the order
    is observable: Organization.active_people() promises "the order they joined").
    Oracle: the key order of the state drawn."""
    state = data.draw(STATES[cls])
    restored = decode_state(encode_state(state), cls)
    assert _mapping_orders(restored) == _mapping_orders(state)


@pytest.mark.parametrize("cls", STATE_TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_equal_states_encode_to_equal_bytes(cls: type[Any], data: st.DataObject) -> None:
    """Property: encode_state is canonical ("as canonical JSON", as the codec says): a state
    whose sets were built in another order is equal and encodes to the same bytes, and so does
    its own decoding. Oracle: the encoding of the state drawn."""
    state = data.draw(STATES[cls])
    stored = encode_state(state)
    rebuilt = _sets_rebuilt_in_reverse(state)
    assert rebuilt == state
    assert encode_state(rebuilt) == stored
    assert encode_state(decode_state(stored, cls)) == stored


def _typed(value: Any) -> Any:
    """A value with the exact type of everything inside it made part of it: an equal value of
    another type (``"increase"`` for ``Direction.INCREASE``, ``1`` for ``1.0``) compares unequal.
    Mappings and sets compare regardless of order."""
    if isinstance(value, Mapping):
        return (type(value), frozenset((_typed(k), _typed(v)) for k, v in value.items()))
    if isinstance(value, frozenset | set):
        return (type(value), frozenset(_typed(item) for item in value))
    if isinstance(value, tuple | list):
        return (type(value), tuple(_typed(item) for item in value))
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple((f.name, _typed(getattr(value, f.name))) for f in fields))
    return (type(value), value)


def _mapping_orders(value: Any, path: str = "") -> dict[str, list[Any]]:
    """The key order of every mapping inside a value, by its path."""
    orders: dict[str, list[Any]] = {}
    if isinstance(value, Mapping):
        orders[path] = list(value)
        for key, item in value.items():
            orders.update(_mapping_orders(item, f"{path}[{key!r}]"))
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            orders.update(_mapping_orders(getattr(value, field.name), f"{path}.{field.name}"))
    return orders


def _sets_rebuilt_in_reverse(value: Any) -> Any:
    """An equal value whose frozensets were built by inserting their items in reverse order."""
    if isinstance(value, frozenset):
        return frozenset(reversed([_sets_rebuilt_in_reverse(item) for item in value]))
    if isinstance(value, Mapping):
        return {key: _sets_rebuilt_in_reverse(item) for key, item in value.items()}
    if attrs.has(type(value)):
        changes = {
            field.alias: _sets_rebuilt_in_reverse(getattr(value, field.name))
            for field in attrs.fields(type(value))
            if field.init
        }
        return attrs.evolve(value, **changes)
    return value
