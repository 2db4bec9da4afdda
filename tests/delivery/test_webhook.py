"""Webhook posts against a real HTTP receiver on 127.0.0.1: delivered with the idempotency key,
retried on 500 with backoff, given up on after the tries or at once on a 4xx."""

from __future__ import annotations

import random
import socket
import time

from hypothesis import given
from hypothesis import strategies as st

from execution_core_adapters.delivery import IDEMPOTENCY_HEADER, Backoff
from execution_core_adapters.delivery.webhook import WebhookSender
from tests.delivery.receiver import Post, receiving

FAST = Backoff(attempts=4, base=0.01, cap=0.04)


def _sender(pauses: list[float] | None = None) -> WebhookSender:
    def wait(seconds: float) -> bool:
        if pauses is not None:
            pauses.append(seconds)
        return False

    return WebhookSender(FAST, timeout=5, wait=wait, rng=random.Random(7))


def test_a_post_reaches_the_receiver_with_its_body_and_idempotency_key() -> None:
    """Given a receiver answering 200, when a body is delivered, then it is received once,
    with its JSON, its idempotency key header and a JSON content type."""
    with receiving() as receiver:
        sender = _sender()
        attempted = sender.deliver(
            receiver.url, b'{"kind":"goal_at_risk"}', {IDEMPOTENCY_HEADER: "k1"}
        )
        sender.close()
    assert attempted.delivered
    assert attempted.tries == 1
    [post] = receiver.posts
    assert post.body == {"kind": "goal_at_risk"}
    assert post.key == "k1"
    assert post.headers["content-type"] == "application/json"
    assert post.path == "/hooks/coach"


def test_a_500_is_retried_with_the_same_key_until_the_receiver_takes_it() -> None:
    """Given a receiver that answers 500 twice then 200, when a body is delivered, then it is
    posted three times with the same key, delivered, after two growing pauses."""

    def flaky(_post: Post, before: int) -> int:
        return 500 if before < 2 else 200

    pauses: list[float] = []
    with receiving(flaky) as receiver:
        sender = _sender(pauses)
        attempted = sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k2"})
        sender.close()
    assert attempted.delivered
    assert attempted.tries == 3
    assert receiver.keys() == ["k2", "k2", "k2"]
    assert len(pauses) == 2
    assert 0.005 <= pauses[0] <= 0.01 <= pauses[1] <= 0.02


def test_a_receiver_that_keeps_failing_is_given_up_on_after_the_last_try() -> None:
    """Given a receiver that always answers 503, when a body is delivered, then it is tried
    exactly ``attempts`` times and not delivered, the last status named."""
    with receiving(lambda _p, _b: 503) as receiver:
        sender = _sender()
        attempted = sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k3"})
        sender.close()
    assert not attempted.delivered
    assert attempted.tries == FAST.attempts
    assert "HTTP 503" in attempted.error
    assert len(receiver.posts) == FAST.attempts


def test_a_4xx_is_not_retried() -> None:
    """Given a receiver that answers 422 (it refuses the body), when a body is delivered, then
    it is posted once and given up on at once."""
    with receiving(lambda _p, _b: 422) as receiver:
        sender = _sender()
        attempted = sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k4"})
        sender.close()
    assert not attempted.delivered
    assert attempted.tries == 1
    assert "HTTP 422" in attempted.error


def test_a_refused_connection_is_transient() -> None:
    """Given a port nobody listens on, when a body is delivered, then every try is made and the
    error names the refused connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = _sender()
    attempted = sender.deliver(f"http://127.0.0.1:{port}/x", b"{}", {IDEMPOTENCY_HEADER: "k5"})
    assert not attempted.delivered
    assert attempted.tries == FAST.attempts
    assert "Connection" in attempted.error


def test_a_stop_during_the_pause_gives_up_without_calling_it_a_failure() -> None:
    """Given a receiver answering 500 and a wait that reports a stop, when a body is
    delivered, then it is posted once and the outcome says it stopped (not dead)."""
    with receiving(lambda _p, _b: 500) as receiver:
        sender = WebhookSender(FAST, wait=lambda _s: True)
        attempted = sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k6"})
        sender.close()
    assert attempted.stopped
    assert not attempted.delivered
    assert len(receiver.posts) == 1


@given(
    tries=st.integers(1, 30),
    base=st.floats(0, 5),
    extra=st.floats(0, 60),
    seed=st.integers(0, 2**32),
)
def test_each_pause_lies_between_half_and_all_of_its_capped_doubling_step(
    tries: int, base: float, extra: float, seed: int
) -> None:
    """Property: every pause lies in [step/2, step]; oracle: step = min(cap, base * 2**(n-1))."""
    backoff = Backoff(attempts=3, base=base, cap=base + extra)
    step = min(backoff.cap, base * 2 ** (tries - 1))
    pause = backoff.pause(tries, random.Random(seed))
    assert step / 2 <= pause <= step


def test_a_kept_alive_connection_the_receiver_closed_is_reopened_without_a_lost_try() -> None:
    """Given a receiver that closes a connection idle for 0.2 s, when a second body is delivered
    after 0.5 s of quiet, then it is delivered at its first try, with no pause."""
    pauses: list[float] = []
    with receiving(idle_timeout=0.2) as receiver:
        sender = _sender(pauses)
        assert sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k7"}).delivered
        time.sleep(0.5)
        attempted = sender.deliver(receiver.url, b"{}", {IDEMPOTENCY_HEADER: "k8"})
        sender.close()
    assert attempted.delivered
    assert attempted.tries == 1
    assert pauses == []
    assert receiver.accepted() == ["k7", "k8"]
