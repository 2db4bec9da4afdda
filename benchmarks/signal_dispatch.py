"""Dispatch throughput to a local webhook receiver, against a bare loop of the same HTTP posts.

    python -m benchmarks.signal_dispatch [--signals 2000] [--batch 100] [--runs 3]

A SQLite store in a temporary directory holds a small organization (an executive, the
subscription's recipient); ``--signals`` distinct signals (turned at risk, one a goal) are fed
to a :class:`Dispatcher` through its ``source`` (the signal log's reader is not what is
measured), with one webhook subscription to a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (a
port the OS chooses, HTTP/1.1 keep-alive, answering 200) in a process of its own, so the
receiver does not compete with the sender for one interpreter's lock. The dispatcher's rate
(filters, the access policy, JSON, the post with its headers, and one transaction per
``--batch`` signals to move the position) is printed against the baseline measured in the same
run: a bare loop that posts the same bodies with the same headers over one keep-alive
``http.client`` connection. The two alternate, ``--runs`` times each: the ratio of the bests,
and the median of the run-by-run ratios, are printed; the receiver's count of posts is checked.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

from execution_core import AddPerson, Execution, FoundUnit, Policy, Role
from execution_core.signals import Cause, Signal, SignalKind
from execution_core.subscriptions import Webhook
from execution_core_adapters.delivery import IDEMPOTENCY_HEADER, Dispatcher
from execution_core_adapters.storage.store import open_store

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _receive(ports: Any, posts: Any, stop: Any) -> None:
    """The receiver's process: serve on 127.0.0.1 until ``stop`` is set, counting posts."""

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with posts.get_lock():
                posts.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    ports.put(server.server_address[1])
    stop.wait(3600)
    server.shutdown()
    server.server_close()


def _signals(count: int) -> list[tuple[int, Signal]]:
    policy = Policy()
    return [
        (
            n + 1,
            Signal(
                kind=SignalKind.TURNED_AT_RISK,
                at=START + timedelta(minutes=n),
                cause=Cause(n + 1),
                policy=policy,
                goal_id=UUID(int=n + 1),
                person_id="cleo",
                unit_id="hq",
                was="on track",
                now="at risk",
            ),
        )
        for n in range(count)
    ]


def _bare_loop(port: int, signals: Sequence[tuple[int, Signal]]) -> float:
    """Seconds to post every signal's body with the dispatcher's headers, nothing else."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    for _, signal in signals:
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: signal.key,
            "X-Execution-Signal": signal.kind.value,
            "X-Execution-Subscription": "bench",
        }
        connection.request("POST", "/hook", signal.to_json().encode(), headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"the receiver answered {response.status}")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _dispatch(
    url: str, port: int, signals: Sequence[tuple[int, Signal]], batch: int, run: int
) -> float:
    """Seconds for a dispatcher to deliver every signal to a new subscription."""

    def source(after: int, limit: int) -> Sequence[tuple[int, Signal]]:
        return signals[after : after + limit]

    with Dispatcher(url, source=source, batch=batch) as dispatcher:
        dispatcher.subscribe(
            f"bench-{run}", Webhook(f"http://127.0.0.1:{port}/hook"), "cleo", from_start=True
        )
        started = time.perf_counter()
        delivered = dispatcher.dispatch()
        elapsed = time.perf_counter() - started
    if delivered != len(signals):
        raise SystemExit(f"delivered {delivered} of {len(signals)} signals")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signals", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100, help="signals per transaction")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args(argv)

    signals = _signals(args.signals)
    context = multiprocessing.get_context("spawn")
    ports, posts, stop = context.Queue(), context.Value("q", 0), context.Event()
    receiver = context.Process(target=_receive, args=(ports, posts, stop))
    receiver.start()
    port = ports.get(timeout=60)
    try:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'store.db'}"
            with Execution(open_store(url)) as execution:
                execution.execute(
                    FoundUnit(unit_id="hq", name="HQ", actor="system", occurred_at=START)
                )
                execution.execute(
                    AddPerson(
                        person_id="cleo", name="Cleo", unit_id="hq", roles=(Role.EXECUTIVE,),
                        actor="system", occurred_at=START,
                    )
                )  # fmt: skip
            bares: list[float] = []
            dispatches: list[float] = []
            for run in range(args.runs):  # alternating, so both see the same machine
                bares.append(_bare_loop(port, signals))
                dispatches.append(_dispatch(url, port, signals, args.batch, run))
            bare, dispatched = min(bares), min(dispatches)
    finally:
        stop.set()
        receiver.join(timeout=30)
    expected = 2 * args.runs * args.signals
    if posts.value != expected:
        raise SystemExit(f"the receiver counted {posts.value} posts, not {expected}")
    n = args.signals
    print(f"{n:,} signals to a webhook on 127.0.0.1, best of {args.runs} runs each")
    print(
        f"dispatcher (batch {args.batch}): {n / dispatched:,.0f} signals/s "
        f"({dispatched * 1e3 / n:.3f} ms a signal)"
    )
    print(
        f"baseline, a bare loop of the same posts: {n / bare:,.0f} posts/s "
        f"({bare * 1e3 / n:.3f} ms a post)"
    )
    print(f"ratio: the dispatcher runs at {bare / dispatched:.2f} of the bare loop's rate (bests)")
    paired = sorted(b / d for b, d in zip(bares, dispatches, strict=True))
    print(
        f"       run by run: median {statistics.median(paired):.2f} "
        f"(from {paired[0]:.2f} to {paired[-1]:.2f}; a busy machine spreads them)"
    )


if __name__ == "__main__":
    main()
