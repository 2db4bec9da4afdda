"""The store's trusted read path (``decode_event``) against the validating one (``strict``, what
imports use): the same events, the same types inside them, upcasters still run, and the
refusals that do not depend on re-validating values still come."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core.events import ProgressLogged
from execution_core_adapters.storage.codec import CodecError, decode_event, dumps, encode_event
from tests.strategies import event_strategies

EVENTS = event_strategies()
AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _types(event: Any) -> dict[str, type]:
    return {field.name: type(getattr(event, field.name)) for field in attrs.fields(type(event))}


@pytest.mark.parametrize("name", sorted(EVENTS))
@given(data=st.data())
def test_the_trusted_read_gives_what_the_strict_read_gives(name: str, data: st.DataObject) -> None:
    """Property: for every event type, decoding stored bytes on the trusted path gives an event
    equal to the strict path's, every value of the same type (an enum stays an enum, a date a
    date), and encoding it again gives the same bytes. Oracle: the strict, validating decode."""
    event = data.draw(EVENTS[name])
    topic, stored = encode_event(event)
    trusted = decode_event(topic, event.stream_id, event.version, stored)
    strict = decode_event(topic, event.stream_id, event.version, stored, strict=True)
    assert trusted == strict == event
    assert _types(trusted) == _types(strict)
    assert encode_event(trusted) == (topic, stored)


def _progress(**changes: Any) -> bytes:
    event = ProgressLogged(
        stream_id=uuid4(),
        version=3,
        actor="ana",
        occurred_at=AT,
        recorded_at=AT,
        kr_id="kr",
        value=4.0,
        confidence=0.5,
        comment="good week",
        source="integration",
    )
    payload = json.loads(encode_event(event)[1]) | changes
    return dumps({k: v for k, v in payload.items() if v is not None})


def test_the_trusted_read_runs_the_upcasters() -> None:
    """Given a check-in stored at schema version 1 (no source), when read on the trusted path,
    then it comes back upcast: its source is "check-in"."""
    stored = _progress(schema_version=1, source=None)
    event = decode_event("goal.ProgressLogged", uuid4(), 3, stored)
    assert isinstance(event, ProgressLogged)
    assert event.source == "check-in"


def test_a_missing_field_with_a_default_takes_the_default() -> None:
    """Given a check-in stored without its comment (a field with a default), when read on the
    trusted path, then the comment is the default, as the strict path gives it."""
    stored = _progress(comment=None)
    stream = uuid4()
    trusted = decode_event("goal.ProgressLogged", stream, 3, stored)
    assert trusted == decode_event("goal.ProgressLogged", stream, 3, stored, strict=True)
    assert isinstance(trusted, ProgressLogged)
    assert trusted.comment == ""


@pytest.mark.parametrize(
    ("name", "stored", "reason"),
    [
        ("goal.Nope", _progress(), "unknown event type"),
        ("goal.ProgressLogged", b"{not json", "not JSON"),
        ("goal.ProgressLogged", b"[1, 2]", "not a JSON object"),
        ("goal.ProgressLogged", _progress(kr_id=None), "kr_id"),
        ("goal.ProgressLogged", _progress(occurred_at="yesterday"), "Invalid isoformat"),
        ("goal.ProgressLogged", _progress(schema_version=1), "version 1 has no field 'source'"),
        ("goal.ProgressLogged", _progress(schema_version=9), "upgrade execution-core"),
    ],
)
def test_the_trusted_read_still_refuses_what_it_cannot_read(
    name: str, stored: bytes, reason: str
) -> None:
    """Given stored bytes of an unknown type, not JSON, not an object, missing a required field,
    with an unreadable instant, a version-1 check-in that has a source, or a newer schema, when
    read on the trusted path, then CodecError names the reason."""
    with pytest.raises(CodecError, match=reason):
        decode_event(name, uuid4(), 3, stored)


def test_json_the_fast_parser_refuses_is_read_by_the_standard_one() -> None:
    """Given stored bytes the standard JSON module writes but orjson refuses (a NaN), when read
    on the trusted path, then the event comes back with its NaN."""
    stored = _progress(value=float("nan"))
    assert b"NaN" in stored
    event = decode_event("goal.ProgressLogged", uuid4(), 3, stored)
    assert isinstance(event, ProgressLogged)
    assert event.value != event.value
