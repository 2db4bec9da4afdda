"""A real webhook receiver for the tests: stdlib ``http.server`` on 127.0.0.1, a port the OS
chooses, in a thread. It records every POST and answers as told (200 by default)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["Post", "Receiver", "receiving"]


@attrs.frozen
class Post:
    """One request as received: path, headers (lower-case names) and JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def key(self) -> str:
        return self.headers["idempotency-key"]


Answer = Callable[[Post, int], int]
"""The status to answer a post with, given the post and how many posts of its key came before."""


class Receiver:
    """The receiver's record and its answering rule (see :func:`receiving`)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.posts: list[Post] = []
        self._accepted: list[str] = []
        self._lock = threading.Lock()
        self.url = ""

    def take(self, post: Post) -> int:
        """Record a post and choose its answer."""
        with self._lock:
            before = sum(1 for p in self.posts if p.key == post.key)
            self.posts.append(post)
            status = self.answer(post, before)
            if 200 <= status < 300:
                self._accepted.append(post.key)
        return status

    def keys(self) -> list[str]:
        """The idempotency keys received, in order, repeats included."""
        with self._lock:
            return [p.key for p in self.posts]

    def accepted(self) -> list[str]:
        """The keys of the posts answered 2xx, in order: what a deduplicating receiver keeps."""
        with self._lock:
            return list(self._accepted)


def _ok(_post: Post, _before: int) -> int:
    return 200


@contextmanager
def receiving(answer: Answer = _ok, idle_timeout: float | None = None) -> Iterator[Receiver]:
    """A receiver serving on 127.0.0.1 during the block (``receiver.url`` is its address); with
    ``idle_timeout``, it closes a kept-alive connection idle for that many seconds."""
    receiver = Receiver(answer)

    class Handle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = idle_timeout

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            post = Post(self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
            status = receiver.take(post)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the record, not the log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/coach"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
