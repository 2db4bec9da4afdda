"""The ledger folds what the registry names: a test-only stream with its own ledger handler.

What a newcomer writes for the views to see a new event is its stream's ``ledger.py``: a
``StreamLedger`` with one handler per event type, registered with the stream's decider
(``REGISTRY.registered(decider, ledger)``). Nothing in ``views/ledger.py`` is edited.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid5

import attrs
import pytest

from execution_core.decider import Decider
from execution_core.event import EVENT_TYPES, Event, event_type
from execution_core.facts import Draft, Fact, StreamLedger, stamp
from execution_core.ids import NAMESPACE
from execution_core.streams import LEDGERS, REGISTRY
from execution_core.views.ledger import Ledger, LedgerBuilder

MEMO_ID = uuid5(NAMESPACE, "memo")
T = datetime(2026, 1, 5, 9, tzinfo=UTC)


@event_type("memo.MemoWritten")
@attrs.frozen(kw_only=True)
class MemoWritten(Event):
    """A memo on the test-only memo board."""

    text: str


@attrs.frozen(kw_only=True)
class Memo(Fact):
    """What a memo means to the ledger: its text, with both clocks."""

    text: str


MEMO_LEDGER = StreamLedger("memo")


@MEMO_LEDGER.handles(MemoWritten)
def _on_memo(draft: Draft, event: MemoWritten, seq: int) -> None:
    draft.table("memos")[seq] = Memo(**stamp(event, seq), text=event.text)


def _evolve(state: int, event: Event) -> int:
    return event.version


MEMO: Decider[int] = Decider("memo", 0, _evolve, events=(MemoWritten,))


_MEMO_WRITTEN = EVENT_TYPES.pop(MemoWritten.name)  # known only while a test registers it


@pytest.fixture
def memo_stream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Decider[int]]:
    """The memo stream and its event type registered, with its ledger, for one test only."""
    monkeypatch.setitem(EVENT_TYPES, MemoWritten.name, _MEMO_WRITTEN)
    with REGISTRY.registered(MEMO, MEMO_LEDGER):
        yield MEMO


def _memo(version: int, text: str) -> MemoWritten:
    return MemoWritten(
        stream_id=MEMO_ID,
        version=version,
        actor="ana",
        occurred_at=T,
        recorded_at=T,
        text=text,
    )


def test_a_registered_streams_events_are_folded_by_its_own_handler(
    memo_stream: Decider[int],
) -> None:
    """Events of a stream registered with a ledger entry land where its handler writes them."""
    ledger = Ledger.of([_memo(1, "first"), _memo(2, "second")])
    memos = ledger.extensions["memos"]
    assert [memo.text for memo in memos.values()] == ["first", "second"]
    assert memos[2] == Memo(actor="ana", occurred_at=T, recorded_at=T, seq=2, text="second")
    assert ledger.position == 2


def test_the_fold_is_the_same_one_event_at_a_time_and_in_a_builder(
    memo_stream: Decider[int],
) -> None:
    """Applying events one by one, or in a builder across freezes, gives the one-pass ledger."""
    events = [_memo(1, "first"), _memo(2, "second")]
    one_by_one = Ledger().apply(events[0]).apply(events[1])
    builder = LedgerBuilder()
    builder.apply(events[0])
    first = builder.freeze()
    builder.apply(events[1])
    assert one_by_one == builder.freeze() == Ledger.of(events)
    assert list(first.extensions["memos"]) == [1]  # a ledger given out is not changed after


def test_an_unregistered_stream_is_not_folded() -> None:
    """Outside the registration the same events only move the position: no handler knows them."""
    ledger = Ledger.of([_memo(1, "first")])
    assert ledger.extensions == {}
    assert ledger.position == 1


def test_every_core_stream_has_its_ledger_in_the_registry() -> None:
    """Each registered stream kind names its folder's ledger; no handler is left unregistered."""
    assert set(LEDGERS) == set(REGISTRY.names())
    for decider in REGISTRY:
        handled = set(LEDGERS[decider.stream].handlers)
        assert handled <= set(decider.events), decider.stream
