"""How fast a projection worker catches up on PostgreSQL, against a bare loop reading the same
notifications (and, with ``--sqlite``, the same on a SQLite file for comparison).

    python -m benchmarks.projection_pg [--url postgresql://postgres@127.0.0.1:5432/test]
        [--events 100000] [--goals 1000] [--views board,appraisal] [--page 5000] [--sqlite]

Builds a synthetic store (``benchmarks.fixtures.build_store``: people with one goal each and
their check-ins) in a fresh schema of the server (dropped at the end), then times, in one run:

- the bare loop: ``select_notifications`` page after page over the network, nothing else;
- the catch-up: ``ViewWorker.rebuild()``, what ``execution-core worker`` does on a store it has
  never seen: read, decode, fold into the ledger, compute and write the rows and the tracking
  position to the server;
- the restart: a new worker's ``catch_up()`` with nothing new (the ledger replayed, no row);
- the bare loop again: the ratio uses the faster of the two, so a busy moment of the machine
  during one of them cannot flatter the catch-up.

Prints each time (wall clock, and the CPU time of this process) and the catch-up's speed as a
share of the bare loop's, by both clocks.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.catch_up import Took, _Stopwatch, _timed, bare_loop
from benchmarks.fixtures import build_store
from execution_core_adapters.projections.materialize import ViewWorker, parse_views

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def measure(url: str, views: tuple[str, ...], events: int, goals: int, page: int) -> float:
    """Build the store at ``url``, time the loops, print them; return catch-up / bare (wall)."""
    started = time.perf_counter()
    store = build_store(url, events, goals)
    total = store.last_position()
    print(f"{url}: {total:,} events ready in {time.perf_counter() - started:.1f} s")
    try:
        with _Stopwatch() as first:
            read = bare_loop(store, page)
        _timed("bare loop (read)", read, first.took)
        worker = ViewWorker(store, views, page_size=page)
        with _Stopwatch() as catching_up:
            applied = worker.rebuild()
        _timed("worker catch-up", applied, catching_up.took)
        print(
            f"{'':<22} of which {worker.commit_seconds:.2f} s in {worker.commits} commits "
            "(rows computed and written)"
        )
        worker.close()
        del worker
        gc.collect()
        restarted = ViewWorker(store, views, page_size=page)
        with _Stopwatch() as restart:
            restarted.catch_up()
        _timed("restart (replay only)", read, restart.took)
        restarted.close()
        del restarted
        gc.collect()
        with _Stopwatch() as again:
            bare_loop(store, page)
        _timed("bare loop, again", read, again.took)
    finally:
        store.close()
    bare = Took(min(first.took.wall, again.took.wall), min(first.took.cpu, again.took.cpu))
    ratio = bare.wall / catching_up.took.wall
    print(
        f"catch-up speed / bare loop speed: {ratio:.3f} wall clock, "
        f"{bare.cpu / catching_up.took.cpu:.3f} cpu"
    )
    return ratio


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="the server (a database, no schema)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--goals", type=int, default=1_000)
    parser.add_argument("--views", default="board,appraisal")
    parser.add_argument("--page", type=int, default=5_000)
    parser.add_argument("--sqlite", action="store_true", help="the same on a SQLite file too")
    args = parser.parse_args(argv)
    views = parse_views(args.views)

    import psycopg

    schema = f"bench_projection_{uuid.uuid4().hex[:8]}"
    print(f"{args.events:,} events, {args.goals:,} goals; views {','.join(views)}")
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            pg = measure(f"{args.url}?schema={schema}", views, args.events, args.goals, args.page)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    if args.sqlite:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
            lite = measure(url, views, args.events, args.goals, args.page)
        print(f"PostgreSQL ratio / SQLite ratio: {pg / lite:.2f}")


if __name__ == "__main__":
    main()
