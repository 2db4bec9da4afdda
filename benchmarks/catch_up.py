"""How fast the materialized views catch up, against a bare loop over the same notifications.

    python -m benchmarks.catch_up [--events 1000000] [--goals 10000] [--dir DIR]
                                  [--views board,appraisal] [--page 5000] [--batch 100000]

Builds (once, then reuses) a synthetic SQLite store with ``benchmarks.fixtures.build_store`` in
``DIR`` (default: a directory under the system's temp dir), then times, in the same run:

- the bare loop: ``select_notifications`` page after page, nothing else (reading only);
- the decode loop: the same, decoding every notification into an event (reading + codec);
- the catch-up: ``ViewWorker.rebuild()`` (drop the view tables and tracking, then apply every
  event: decode, fold into the ledger and the boards, write the rows);
- the restart: a new worker's ``catch_up()`` with nothing new (the ledger replayed from the
  store up to the tracked position, no row written).

It prints each time, the time per event, and the speed of the catch-up as a share of the bare
loop's (the target is at least 0.25).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from adapters.materialize import ViewWorker, parse_views
from adapters.store import ExecutionStore
from benchmarks.fixtures import build_store, sqlite_url

DEFAULT_DIR = Path(tempfile.gettempdir()) / "execution-core-bench"


def bare_loop(store: ExecutionStore, page: int, *, decode: bool = False) -> int:
    """Read every notification in pages (and decode each one when ``decode``)."""
    select = store.app.recorder.select_notifications
    to_event = store.app.mapper.to_domain_event
    position = 0
    count = 0
    while True:
        notifications = select(start=position, limit=page, inclusive_of_start=False)
        if not notifications:
            return count
        if decode:
            for notification in notifications:
                to_event(notification)
        count += len(notifications)
        position = notifications[-1].id


def _timed(label: str, events: int, seconds: float) -> None:
    print(
        f"{label:<22} {seconds:9.2f} s  {seconds / events * 1e6:7.2f} us/event  "
        f"{events / seconds:12,.0f} events/s"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--views", default="board,appraisal")
    parser.add_argument("--page", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args(argv)
    views = parse_views(args.views)
    args.dir.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(args.dir, args.events, args.goals)
    started = time.perf_counter()
    store = build_store(url, args.events, args.goals)
    print(f"store {url} ready in {time.perf_counter() - started:.1f} s")
    total = store.last_position()
    print(f"{total:,} events, {args.goals:,} goals; views {','.join(views)}; page {args.page}")

    started = time.perf_counter()
    read = bare_loop(store, args.page)
    bare = time.perf_counter() - started
    _timed("bare loop (read)", read, bare)

    started = time.perf_counter()
    bare_loop(store, args.page, decode=True)
    decoding = time.perf_counter() - started
    _timed("decode loop", read, decoding)

    worker = ViewWorker(store, views, page_size=args.page, batch_size=args.batch)
    started = time.perf_counter()
    applied = worker.rebuild()
    catch_up = time.perf_counter() - started
    _timed("view catch-up", applied, catch_up)
    print(
        f"{'':<22} of which {worker.commit_seconds:.2f} s in {worker.commits} commits "
        "(rows computed and written)"
    )
    rows = {view: len(worker.rows(view)) for view in views}

    restarted = ViewWorker(store, views, page_size=args.page, batch_size=args.batch)
    started = time.perf_counter()
    restarted.catch_up()
    restart = time.perf_counter() - started
    _timed("restart (replay only)", read, restart)

    print(f"rows: {', '.join(f'{view} {count:,}' for view, count in rows.items())}")
    print(f"catch-up speed / bare loop speed:   {bare / catch_up:.3f}  (target >= 0.25)")
    print(f"catch-up speed / decode loop speed: {decoding / catch_up:.3f}")
    store.close()


if __name__ == "__main__":
    main()
