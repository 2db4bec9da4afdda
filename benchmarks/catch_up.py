"""How fast the materialized views catch up, against a bare loop over the same notifications.

    python -m benchmarks.catch_up [--events 1000000] [--goals 10000] [--dir DIR]
                                  [--views board,appraisal,radar] [--page 5000] [--batch 100000]

Builds (once, then reuses) a synthetic SQLite store with ``benchmarks.fixtures.build_store`` in
``DIR`` (default: a directory under the system's temp dir), then times, in the same run:

- the bare loop: ``select_notifications`` page after page, nothing else (reading only);
- the decode loop: the same, decoding every notification into an event (reading + codec);
- the catch-up: ``ViewWorker.rebuild()`` (drop the view tables and tracking, then apply every
  event: decode, fold into the ledger and the boards, write the rows);
- the restart: a new worker's ``catch_up()`` with nothing new (the ledger replayed from the
  store up to the tracked position, no row written);
- the bare loop again, at the end: the ratio uses the faster of its two runs, so load on a
  shared machine during one of them cannot flatter the catch-up.

Both loops read the same notifications with the same page size; the catch-up is what
``execution-core views catch-up`` does (every view by default: board, appraisal and radar),
writing the view tables and their tracking positions in the same transactions.

It prints each time (wall clock, and the CPU time of this process), the time per event, and the
speed of the catch-up as a share of the bare loop's, by both clocks (the target is at least
0.25). On a shared machine the wall clock moves with whatever else runs (one run here saw the
same catch-up take 20 s and 40 s); the CPU time is what the loops themselves cost.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

import attrs

from benchmarks.fixtures import build_store, sqlite_url
from execution_core_adapters.projections.materialize import VIEWS, ViewWorker, parse_views
from execution_core_adapters.storage.store import ExecutionStore

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


@attrs.frozen
class Took:
    """How long a loop took: wall-clock seconds, and the CPU seconds of this process (what the
    loop itself cost, whatever else the machine was doing)."""

    wall: float
    cpu: float


class _Stopwatch:
    def __enter__(self) -> _Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.took = Took(time.perf_counter() - self._wall, time.process_time() - self._cpu)


def _timed(label: str, events: int, took: Took) -> None:
    print(
        f"{label:<22} {took.wall:9.2f} s  {took.wall / events * 1e6:7.2f} us/event  "
        f"{events / took.wall:12,.0f} events/s   (cpu {took.cpu:7.2f} s, "
        f"{took.cpu / events * 1e6:6.2f} us/event)"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--views", default=",".join(VIEWS))
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

    with _Stopwatch() as first:
        read = bare_loop(store, args.page)
    _timed("bare loop (read)", read, first.took)

    with _Stopwatch() as decoding:
        bare_loop(store, args.page, decode=True)
    _timed("decode loop", read, decoding.took)

    worker = ViewWorker(store, views, page_size=args.page, batch_size=args.batch)
    with _Stopwatch() as catching_up:
        applied = worker.rebuild()
    _timed("view catch-up", applied, catching_up.took)
    print(
        f"{'':<22} of which {worker.commit_seconds:.2f} s in {worker.commits} commits "
        "(rows computed and written)"
    )
    rows = {view: len(worker.rows(view)) for view in views}
    del worker  # its ledger would weigh on every later loop (the collector walks it)
    gc.collect()

    restarted = ViewWorker(store, views, page_size=args.page, batch_size=args.batch)
    with _Stopwatch() as restart:
        restarted.catch_up()
    _timed("restart (replay only)", read, restart.took)
    del restarted
    gc.collect()

    with _Stopwatch() as again:
        bare_loop(store, args.page)
    _timed("bare loop, again", read, again.took)

    # the faster of the two bare runs: the ratios err on the low side
    bare = Took(min(first.took.wall, again.took.wall), min(first.took.cpu, again.took.cpu))
    catch_up, decoded = catching_up.took, decoding.took
    print(f"rows: {', '.join(f'{view} {count:,}' for view, count in rows.items())}")
    print(
        f"catch-up speed / bare loop speed:   {bare.wall / catch_up.wall:.3f} wall clock, "
        f"{bare.cpu / catch_up.cpu:.3f} cpu  (target >= 0.25)"
    )
    print(
        f"catch-up speed / decode loop speed: {decoded.wall / catch_up.wall:.3f} wall clock, "
        f"{decoded.cpu / catch_up.cpu:.3f} cpu"
    )
    store.close()


if __name__ == "__main__":
    main()
