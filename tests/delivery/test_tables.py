"""The delivery tables on a SQLite file and the real PostgreSQL server: subscriptions stored
and read back, a taken name refused with nothing stored, positions moved only by a
compare-and-set together with the dead letters of the batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from execution_core import InvalidInput
from execution_core.subscriptions import Handler, Subscription, Webhook
from execution_core_adapters.delivery import DeadLetter, DeliveryConflict
from execution_core_adapters.delivery.tables import DeliveryTables
from execution_core_adapters.storage.store import open_store

AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
FEED = Subscription(
    "coach-feed",
    Webhook("http://127.0.0.1:9/hooks"),
    "max",
    frozenset({"goal_at_risk"}),
    frozenset({"sales"}),
    frozenset({"ana"}),
    frozenset({UUID(int=5)}),
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tables(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DeliveryTables]:
    """The delivery tables of a fresh store, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = open_store(url)
    try:
        yield DeliveryTables(store.infrastructure())
    finally:
        store.close()


def _letter(key: str, seq: int) -> DeadLetter:
    return DeadLetter("coach-feed", seq, key, "goal_at_risk", '{"k":1}', 5, "HTTP 500", AT)


def test_a_subscription_reads_back_as_stored(tables: DeliveryTables) -> None:
    """Given a webhook subscription with every filter and a handler one, then both read back
    equal, with their positions, by name."""
    tables.add(FEED, 3, AT)
    handler = Subscription("audit", Handler("apps.audit:record"), "hana")
    tables.add(handler, 0, AT)
    stored = tables.subscriptions()
    assert [(s.subscription, s.position, s.created_at) for s in stored] == [
        (handler, 0, AT),
        (FEED, 3, AT),
    ]


def test_a_taken_name_is_refused_and_nothing_changes(tables: DeliveryTables) -> None:
    """Given a subscription, when another is added under its name, then InvalidInput and the
    first is unchanged."""
    tables.add(FEED, 3, AT)
    with pytest.raises(InvalidInput, match="exists already"):
        tables.add(Subscription("coach-feed", Handler("a:b"), "ana"), 0, AT)
    assert [s.subscription for s in tables.subscriptions()] == [FEED]


def test_a_position_moves_only_from_where_the_batch_started(tables: DeliveryTables) -> None:
    """Given a subscription at 3, when a batch from 3 to 9 parks a dead letter, then it is at 9
    with the letter; a second batch from 3 is a DeliveryConflict that records nothing."""
    tables.add(FEED, 3, AT)
    tables.advance("coach-feed", 3, 9, [_letter("a", 5)])
    with pytest.raises(DeliveryConflict):
        tables.advance("coach-feed", 3, 12, [_letter("b", 11)])
    assert tables.subscriptions()[0].position == 9
    assert tables.dead_letters() == [_letter("a", 5)]


def test_a_settled_letter_is_dropped_or_counted(tables: DeliveryTables) -> None:
    """Given two dead letters, when one is replayed and delivered and the other fails twice
    more, then only the second remains, with 7 tries and its new error."""
    tables.add(FEED, 0, AT)
    tables.advance("coach-feed", 0, 6, [_letter("a", 2), _letter("b", 6)])
    tables.settle(_letter("a", 2), True, 1, "")
    tables.settle(_letter("b", 6), False, 2, "HTTP 502 Bad Gateway")
    [left] = tables.dead_letters("coach-feed")
    assert (left.key, left.attempts, left.error) == ("b", 7, "HTTP 502 Bad Gateway")


def test_removing_a_subscription_forgets_its_dead_letters(tables: DeliveryTables) -> None:
    """Given a subscription with a dead letter, when it is removed, then neither remains, and
    removing it again says there was none."""
    tables.add(FEED, 0, AT)
    tables.advance("coach-feed", 0, 2, [_letter("a", 2)])
    assert tables.remove("coach-feed")
    assert not tables.remove("coach-feed")
    assert tables.subscriptions() == []
    assert tables.dead_letters() == []
