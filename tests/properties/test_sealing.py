"""Properties of sealing personal fields (``execution_core_adapters.storage.sealing``).

Oracle: the value itself. Any text (any unicode, empty aside) sealed with a person's key and
opened again is the same text; any personal event stored through the store's mapper reads back
equal to the event; once the key is erased, every sealed field opens as ``ERASED`` and the
stored bytes, which the hash chain covers, are unchanged.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st

from execution_core.privacy import ERASED, PERSONAL
from execution_core_adapters.storage.keys import MemoryKeyStore
from execution_core_adapters.storage.mapper import EventMapper, Sealing
from execution_core_adapters.storage.sealing import SEALED_BY, Sealer
from tests.strategies import event_strategies

STRATEGIES = event_strategies()
PERSONAL_NAMES = sorted(PERSONAL)
texts = st.text(min_size=1)
people = st.text(min_size=1, max_size=40)


@given(
    name=st.sampled_from(PERSONAL_NAMES),
    text=texts,
    person=people,
    version=st.integers(min_value=1, max_value=2**31),
)
def test_sealing_then_opening_any_text_gives_it_back(
    name: str, text: str, person: str, version: int
) -> None:
    """open(seal(text)) == text for every personal field, the sealed form hiding the text."""
    sealer = Sealer(MemoryKeyStore())
    payload = dict.fromkeys(PERSONAL[name].fields, text)
    sealed = sealer.seal(name, payload, person, UUID(int=version), version)
    assert sealed[SEALED_BY] == person
    assert all(sealed[field] != text for field in PERSONAL[name].fields)
    assert sealer.unseal(name, sealed, UUID(int=version), version) == payload


@given(name=st.sampled_from(PERSONAL_NAMES), text=texts, person=people)
def test_an_erased_key_opens_every_field_as_erased(name: str, text: str, person: str) -> None:
    """After erasure, by this sealer or another on the same keys, each field reads ERASED."""
    keys = MemoryKeyStore()
    sealer = Sealer(keys)
    payload = dict.fromkeys(PERSONAL[name].fields, text)
    sealed = sealer.seal(name, payload, person, UUID(int=1), 1)
    Sealer(keys).erase(person)
    sealer.forget(person)
    assert sealer.unseal(name, sealed, UUID(int=1), 1) == dict.fromkeys(payload, ERASED)


@pytest.mark.parametrize("name", PERSONAL_NAMES)
@given(data=st.data(), person=people)
def test_a_personal_event_reads_back_equal_through_the_mapper(
    name: str, data: st.DataObject, person: str
) -> None:
    """mapper.to_domain_event(mapper.to_stored_event(sealed event)) == the event."""
    event = data.draw(STRATEGIES[name])
    mapper = EventMapper(transcoder=JSONTranscoder())
    mapper.sealer = Sealer(MemoryKeyStore())
    stored = mapper.to_stored_event(Sealing(event, person))
    assert mapper.to_domain_event(stored) == event


@given(text=texts, person=people)
def test_a_sealed_value_moved_to_another_event_does_not_open(text: str, person: str) -> None:
    """A sealed value is bound to its event's name, stream, version and field: copied into
    another version of the stream it is refused, never opened as that event's text."""
    sealer = Sealer(MemoryKeyStore())
    name = "coaching.CoachingGiven"
    sealed = sealer.seal(name, {"note": text}, person, UUID(int=1), 1)
    with pytest.raises(ValueError, match="does not open"):
        sealer.unseal(name, sealed, UUID(int=1), 2)
