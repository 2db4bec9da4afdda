"""Webhook posts: one signal's JSON to one URL, with its idempotency key, retried with backoff.

A post succeeds on any 2xx. A 5xx, 408, 429, a refused or dropped connection or a timeout is
*transient*: tried again after a pause that doubles from ``base`` up to ``cap`` seconds, with
jitter (each pause is drawn between half and all of its step, so receivers that failed
together are not retried together). Any other status (a 4xx: the receiver refuses this body)
is *permanent*: no further try. The receiver sees the same ``Idempotency-Key`` header on every
try of a signal, and on a replay, so it can drop repeats (delivery is at least once).
"""

from __future__ import annotations

import http.client
import random
import threading
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import attrs

from execution_core.errors import InvalidInput

__all__ = ["IDEMPOTENCY_HEADER", "Attempted", "Backoff", "WebhookSender"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header that carries the signal's stable key (the same on every try and replay)."""

_TRANSIENT_STATUS = frozenset({408, 429})

_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
"""How a kept-alive connection the receiver has closed fails: sent again at once, on a new
connection, without counting a try (a receiver that drops repeats by key is safe from a post
it did take)."""


@attrs.frozen
class Backoff:
    """How often and how patiently a delivery is tried: ``attempts`` tries in all, the pause
    before try n+1 drawn from [step/2, step], step = min(cap, base * 2**(n-1)) seconds."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < self.base:
            raise InvalidInput("backoff: attempts >= 1 and 0 <= base <= cap")

    def pause(self, tries: int, rng: random.Random) -> float:
        """The pause after ``tries`` failed tries (1: after the first), with jitter."""
        step: float = min(self.cap, self.base * 2.0 ** min(tries - 1, 60))
        return step / 2 + rng.uniform(0, step / 2)


@attrs.frozen
class Attempted:
    """How a delivery ended: delivered or not, after how many tries, and the last error."""

    delivered: bool
    tries: int
    error: str = ""
    stopped: bool = False
    """Given up because the dispatcher is stopping, not because the receiver failed: the
    signal is neither delivered nor dead, and is tried again by the next run."""


class _Failed(Exception):
    def __init__(self, why: str, *, transient: bool) -> None:
        super().__init__(why)
        self.transient = transient


class WebhookSender:
    """Posts JSON bodies to webhook URLs, keeping one connection open per host (keep-alive).

    ``wait(seconds)`` sleeps between tries and returns True to give up early (the
    dispatcher passes its stop event's ``wait``); ``rng`` draws the jitter."""

    def __init__(
        self,
        backoff: Backoff | None = None,
        *,
        timeout: float = 10.0,
        wait: Callable[[float], bool] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self._wait = wait or threading.Event().wait
        self._rng = rng or random.Random()
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def deliver(self, url: str, body: bytes, headers: Mapping[str, str]) -> Attempted:
        """Post until delivered, refused for good, or out of tries (see the module's rules)."""
        tries = 0
        while True:
            tries += 1
            try:
                self._post(url, body, headers)
                return Attempted(True, tries)
            except _Failed as failed:
                if not failed.transient or tries >= self.backoff.attempts:
                    return Attempted(False, tries, str(failed))
                if self._wait(self.backoff.pause(tries, self._rng)):
                    return Attempted(False, tries, str(failed), stopped=True)

    def close(self) -> None:
        """Close the open connections."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _post(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (scheme, host, port)
        connection = self._connections.get(key)
        if connection is None:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            connection = kind(host, port, timeout=self.timeout)
            self._connections[key] = connection
        reused = connection.sock is not None
        try:
            response = self._exchange(connection, path, body, headers)
        except _STALE:
            connection.close()
            if not reused:
                raise _Failed("the receiver closed the connection", transient=True) from None
            try:  # a kept-alive connection the receiver closed meanwhile: once more, afresh
                response = self._exchange(connection, path, body, headers)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise _Failed(f"{type(error).__name__}: {error}", transient=True) from error
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnect on the next try
            raise _Failed(f"{type(error).__name__}: {error}", transient=True) from error
        if response.will_close:
            connection.close()
        status = response.status
        if 200 <= status < 300:
            return
        transient = status >= 500 or status in _TRANSIENT_STATUS
        raise _Failed(f"HTTP {status} {response.reason}", transient=transient)

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        path: str,
        body: bytes,
        headers: Mapping[str, str],
    ) -> http.client.HTTPResponse:
        connection.request("POST", path, body, {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        response.read()
        return response
