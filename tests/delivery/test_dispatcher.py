"""The dispatcher in one process, on a SQLite file and the real PostgreSQL server, with a real
HTTP receiver on 127.0.0.1: webhooks get every signal meant for them with its idempotency key,
retried on 500, parked as dead letters and replayed; handlers get each signal exactly once,
in the transaction that moves the position; the access policy decides who hears of what."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from execution_core import InvalidInput, NotFound
from execution_core.access import DefaultAccessPolicy
from execution_core.ids import ORGANIZATION_ID
from execution_core.organization.decider import ORGANIZATION
from execution_core.signals import Signal
from execution_core.subscriptions import (
    APPRAISAL_KINDS,
    Handler,
    Subscription,
    Webhook,
    may_receive,
)
from execution_core_adapters.delivery import Backoff, DeadLetter, Dispatcher
from execution_core_adapters.storage.store import ExecutionStore
from tests.delivery.log import logged
from tests.delivery.receiver import Post, receiving

FAST = Backoff(attempts=3, base=0.005, cap=0.02)
RECORD = Handler("tests.delivery.handlers:record")


@pytest.fixture
def dispatcher(store: ExecutionStore) -> Iterator[Dispatcher]:
    """A dispatcher on the store, with fast retries and seeded jitter."""
    with Dispatcher(store, backoff=FAST, batch=5, rng=random.Random(3)) as dispatcher:
        yield dispatcher


def _meant_for(store: ExecutionStore, subscription: Subscription) -> list[Signal]:
    """The oracle: the log's signals that pass the filters and the access policy, in order."""
    org = store.load(ORGANIZATION_ID, ORGANIZATION)
    policy = DefaultAccessPolicy()
    return [
        s
        for _, s in logged(store)
        if subscription.matches(s) and may_receive(policy, subscription.recipient, s, org)
    ]


def _received(dispatcher: Dispatcher, table: str) -> list[tuple[str, str]]:
    with dispatcher.tables.transaction() as cursor:
        cursor.execute(f"SELECT subscription, key FROM {table} ORDER BY subscription, seq")
        return [(row["subscription"], row["key"]) for row in cursor.fetchall()]


def test_a_webhook_receives_each_signal_meant_for_it_with_its_key_and_json(
    store: ExecutionStore, dispatcher: Dispatcher
) -> None:
    """Given max's channel subscribed from the start to the whole log, when the dispatcher
    runs, then the receiver gets every signal max may see, in the log's order, each once,
    with its key in the Idempotency-Key header and its JSON as the body; a second pass sends
    nothing."""
    with receiving() as receiver:
        feed = dispatcher.subscribe("max-channel", Webhook(receiver.url), "max", from_start=True)
        delivered = dispatcher.dispatch()
        assert dispatcher.dispatch() == 0
    expected = _meant_for(store, feed)
    assert delivered == len(expected) > 0
    assert receiver.keys() == [s.key for s in expected]
    assert [p.body for p in receiver.posts] == [s.to_dict() for s in expected]
    assert {p.headers["x-execution-subscription"] for p in receiver.posts} == {"max-channel"}
    assert dispatcher.subscriptions()[0].position == logged(store)[-1][0]


def test_an_appraisal_signal_reaches_only_a_recipient_who_may_see_the_appraisal(
    store: ExecutionStore, dispatcher: Dispatcher
) -> None:
    """Given the sales manager max and his report ben each subscribed to everything, when the
    dispatcher runs, then max's channel gets the appraisal signals of his reports (ana's too)
    and ben's gets only his own; both get every other signal."""
    with receiving() as receiver:
        dispatcher.subscribe("max", Webhook(receiver.url), "max", from_start=True)
        dispatcher.subscribe("ben", Webhook(receiver.url), "ben", from_start=True)
        dispatcher.dispatch()
    by: dict[str, list[dict[str, Any]]] = {"max": [], "ben": []}
    for post in receiver.posts:
        by[post.headers["x-execution-subscription"]].append(post.body)
    appraisal = {kind.value for kind in APPRAISAL_KINDS}
    about = {
        name: {b["person_id"] for b in bodies if b["kind"] in appraisal}
        for name, bodies in by.items()
    }
    assert about["ben"] == {"ben"}
    assert {"ana", "ben", "carl"} <= about["max"]
    assert "eve" not in about["max"]
    assert [b for b in by["max"] if b["kind"] not in appraisal] == [
        b for b in by["ben"] if b["kind"] not in appraisal
    ]
    everything = [s.to_dict() for _, s in logged(store) if s.kind not in APPRAISAL_KINDS]
    assert [b for b in by["ben"] if b["kind"] not in appraisal] == everything


def test_a_500_is_retried_and_the_signal_delivered_without_a_dead_letter(
    store: ExecutionStore, dispatcher: Dispatcher
) -> None:
    """Given a receiver that answers 500 to the first two posts of every signal, when the
    dispatcher runs, then each signal is posted three times with one key and accepted once,
    and no dead letter is left."""

    def flaky(_post: Post, before: int) -> int:
        return 500 if before < 2 else 200

    with receiving(flaky) as receiver:
        feed = dispatcher.subscribe("max-channel", Webhook(receiver.url), "max", from_start=True)
        dispatcher.dispatch()
    expected = [s.key for s in _meant_for(store, feed)]
    assert receiver.accepted() == expected
    assert receiver.keys() == [key for key in expected for _ in range(3)]
    assert dispatcher.dead_letters() == []


def test_a_signal_that_keeps_failing_is_parked_and_replayed_with_the_same_key(
    store: ExecutionStore, dispatcher: Dispatcher
) -> None:
    """Given a receiver that answers 500 to one signal, when the dispatcher runs, then that
    signal is parked as a dead letter after the tries and the others are delivered; when the
    receiver recovers and the dead letters are replayed, then it is delivered with the same
    key and body, and no dead letter is left."""
    feed_signals: list[Signal] = []
    broken: dict[str, bool] = {"on": True}

    def failing_one(post: Post, _before: int) -> int:
        return 500 if broken["on"] and post.key == feed_signals[2].key else 200

    with receiving(failing_one) as receiver:
        feed = dispatcher.subscribe("max-channel", Webhook(receiver.url), "max", from_start=True)
        feed_signals.extend(_meant_for(store, feed))
        dispatcher.dispatch()
        [letter] = dispatcher.dead_letters()
        assert (letter.key, letter.attempts) == (feed_signals[2].key, FAST.attempts)
        assert "HTTP 500" in letter.error
        assert json.loads(letter.body) == feed_signals[2].to_dict()
        assert receiver.accepted() == [s.key for i, s in enumerate(feed_signals) if i != 2]
        broken["on"] = False
        replayed = dispatcher.replay()
    assert (replayed.delivered, replayed.still_dead) == (1, 0)
    assert receiver.accepted()[-1] == feed_signals[2].key
    assert receiver.posts[-1].body == feed_signals[2].to_dict()
    assert dispatcher.dead_letters() == []


def test_a_handler_gets_each_signal_once_in_the_positions_transaction(
    store: ExecutionStore, dispatcher: Dispatcher, received: str
) -> None:
    """Given a handler that writes each signal it gets through its delivery's cursor, when the
    dispatcher runs twice, then the table holds each signal meant for it exactly once, in
    order."""
    feed = dispatcher.subscribe(
        "audit", RECORD, "hana", kinds=["turned_at_risk", "turned_off_track"], from_start=True
    )
    dispatcher.dispatch()
    dispatcher.dispatch()
    expected = [("audit", s.key) for s in _meant_for(store, feed)]
    assert _received(dispatcher, received) == expected
    assert len(expected) > 0


def test_a_handler_that_raises_leaves_nothing_of_its_tries_and_is_parked(
    store: ExecutionStore, dispatcher: Dispatcher, received: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a handler that writes a row then raises for one signal, when the dispatcher runs,
    then that signal's rows are undone, it is parked after the tries, and the others are
    received once; once the handler is fixed, a replay delivers it exactly once."""
    feed = Subscription("audit", RECORD, "hana")
    keys = [s.key for s in _meant_for(store, feed)]
    monkeypatch.setenv("HANDLER_FAILS", keys[1])
    dispatcher.subscribe("audit", RECORD, "hana", from_start=True)
    dispatcher.dispatch()
    assert [k for _, k in _received(dispatcher, received)] == [k for k in keys if k != keys[1]]
    [letter] = dispatcher.dead_letters()
    assert (letter.key, letter.attempts) == (keys[1], FAST.attempts)
    assert "RuntimeError: refusing" in letter.error
    monkeypatch.setenv("HANDLER_FAILS", "")
    assert dispatcher.replay().delivered == 1
    assert sorted(k for _, k in _received(dispatcher, received)) == sorted(keys)
    assert dispatcher.dead_letters() == []


@pytest.mark.parametrize(
    ("target", "recipient", "options", "error", "match"),
    [
        (
            Webhook("http://127.0.0.1:9/x"),
            "max",
            {"kinds": ["goal_on_fire"]},
            InvalidInput,
            "kinds",
        ),
        (Webhook("http://127.0.0.1:9/x"), "zed", {}, NotFound, "recipient"),
        (Webhook("http://127.0.0.1:9/x"), "max", {"persons": ["zed"]}, NotFound, "persons"),
        (Webhook("hxxp://127.0.0.1/x"), "max", {}, InvalidInput, "http"),
        (Handler("tests.delivery.nowhere:record"), "max", {}, InvalidInput, "cannot be found"),
        (Handler("tests.delivery.handlers:not_callable"), "max", {}, InvalidInput, "not callable"),
    ],
)
def test_a_bad_subscription_is_a_typed_error_and_stores_nothing(  # noqa: PLR0917 - parameters
    dispatcher: Dispatcher,
    target: Webhook | Handler,
    recipient: str,
    options: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    """Given an unknown kind, recipient or person, a malformed URL or a handler that cannot be
    imported or called, when subscribing, then the typed error is raised and no subscription
    is stored."""
    with pytest.raises(error, match=match):
        dispatcher.subscribe("feed", target, recipient, **options)
    assert dispatcher.subscriptions() == []


def test_a_new_subscription_starts_at_the_end_of_the_log(
    store: ExecutionStore, dispatcher: Dispatcher
) -> None:
    """Given a log with signals, when a webhook subscribes without --from-start, then the
    dispatcher sends it nothing of the past."""
    with receiving() as receiver:
        dispatcher.subscribe("max-channel", Webhook(receiver.url), "max")
        assert dispatcher.dispatch() == 0
    assert receiver.posts == []
    assert dispatcher.subscriptions()[0].position == logged(store)[-1][0]


def test_a_handler_that_cannot_be_imported_holds_its_subscription_only(
    store: ExecutionStore, dispatcher: Dispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    """Given a handler subscription whose module has gone since it subscribed, and a webhook
    subscription, when the dispatcher runs twice, then the webhook gets its signals, the
    handler's subscription stays at the start, and the error is logged once."""
    gone = Subscription("audit", Handler("tests.delivery.gone:record"), "hana")
    dispatcher.tables.add(gone, 0, datetime(2026, 1, 1, tzinfo=UTC))
    with receiving() as receiver:
        dispatcher.subscribe("max-channel", Webhook(receiver.url), "max", from_start=True)
        dispatcher.dispatch()
        dispatcher.dispatch()
    assert len(receiver.posts) == len(_meant_for(store, Subscription("m", Webhook("x"), "max")))
    positions = {s.subscription.name: s.position for s in dispatcher.subscriptions()}
    assert positions == {"audit": 0, "max-channel": logged(store)[-1][0]}
    errors = [r for r in caplog.records if "tests.delivery.gone:record" in r.getMessage()]
    assert len(errors) == 1


def test_a_dead_letter_that_cannot_be_read_back_stays_and_says_why(
    dispatcher: Dispatcher,
) -> None:
    """Given a dead letter whose stored body is not a signal (written by another version),
    when the dead letters are replayed, then it is still dead, its error says it cannot be
    read back, and the replay goes on."""
    with receiving() as receiver:
        dispatcher.subscribe("max-channel", Webhook(receiver.url), "max")
        letter = DeadLetter("max-channel", 1, "k", "turned_at_risk", '{"k": 1}', 5, "HTTP 500", NOW)
        [subscribed] = dispatcher.subscriptions()
        since = subscribed.position
        dispatcher.tables.advance("max-channel", since, since + 1, [letter])
        replayed = dispatcher.replay()
    assert (replayed.delivered, replayed.still_dead) == (0, 1)
    [left] = dispatcher.dead_letters()
    assert left.error.startswith("cannot be read back")
    assert receiver.posts == []


NOW = datetime(2026, 12, 7, tzinfo=UTC)
