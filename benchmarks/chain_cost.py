"""What the hash chain costs on insert: the demo season recorded with and without it.

    python -m benchmarks.chain_cost [--rounds 7] [--url sqlite|postgresql://...] [--raw]

Each round records the demo season (517 events, one transaction per command, as the facade
writes them) into a fresh store, alternating a store whose recorder keeps the chain with one
whose recorder is eventsourcing's plain one; it prints the median time of each and the
difference per event. ``--raw`` inserts the season's events one per transaction straight into
the event store instead, leaving out the deciders: the cost of the insert alone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from execution_core import Event, Execution
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.storage.store import StoreApplication, open_store


@contextmanager
def _plain_recorder() -> Iterator[None]:
    """eventsourcing's own recorder, without the chain (for comparison only)."""
    application: Any = StoreApplication
    chained = application.construct_recorder

    def plain(self: Any) -> Any:
        return self.factory.application_recorder()

    application.construct_recorder = plain
    try:
        yield
    finally:
        application.construct_recorder = chained


@contextmanager
def _fresh(url: str, directory: Path) -> Iterator[str]:
    """A new empty store: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if url == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    base = url.split("?", maxsplit=1)[0]
    with psycopg.connect(base, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{base}?schema={schema}"
        finally:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _record(url: str) -> tuple[float, int]:
    clock = SeasonClock()
    store = open_store(url, clock=clock)
    started = time.perf_counter()
    events = record_season(Execution(store), clock).events
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, events


def _season_events() -> list[Event]:
    clock = SeasonClock()
    store = open_store("memory://", clock=clock)
    record_season(Execution(store), clock)
    return [recorded.event for recorded in store.read_all()]


def _insert(url: str, events: list[Event]) -> tuple[float, int]:
    store = open_store(url)
    started = time.perf_counter()
    for event in events:
        store.app.events.put(cast(Any, [event]))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, len(events)


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", default="sqlite", help="sqlite, or a postgresql:// server URL")
    parser.add_argument("--raw", action="store_true", help="bare inserts, one event each")
    args = parser.parse_args()
    season = _season_events() if args.raw else []

    def run(url: str) -> tuple[float, int]:
        return _insert(url, season) if args.raw else _record(url)

    with_chain: list[float] = []
    without: list[float] = []
    events = 0
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(args.rounds):
            with _fresh(args.url, Path(directory)) as url:
                elapsed, events = run(url)
            with_chain.append(elapsed)
            with _plain_recorder(), _fresh(args.url, Path(directory)) as url:
                elapsed, _ = run(url)
            without.append(elapsed)
    chained, plain = statistics.median(with_chain), statistics.median(without)
    backend = args.url.split(":", maxsplit=1)[0]
    what = "bare inserts" if args.raw else "through the facade"
    print(f"{events} events {what}, {args.rounds} rounds, median of each, backend {backend}")
    print(f"  without chain: {plain:.3f} s ({plain / events * 1e6:.0f} us/event)")
    print(f"  with chain:    {chained:.3f} s ({chained / events * 1e6:.0f} us/event)")
    print(
        f"  chain cost:    {(chained - plain) / events * 1e6:+.0f} us/event "
        f"({(chained / plain - 1) * 100:+.1f} %)"
    )


if __name__ == "__main__":
    main()
