"""How fast the ledger as of a recorded time is answered from checkpoints, against a full replay.

    python -m benchmarks.as_of [--events 1000000] [--goals 1000] [--queries 20] [--replays 3]
                               [--every 1000] [--keep 64] [--ledger-memory]
                               [--dir /tmp/execution-core-bench]

For each size (10k, 100k and 1M events, up to ``--events``) it builds a synthetic SQLite store
(``benchmarks.fixtures.build_store``: an organization, one goal per person, then check-ins; cached
under ``--dir`` between runs), then measures, in the same run:

* **full replay**: ``Ledger.of`` over the store's events read from the first one up to the last
  one recorded by T, what answering as of T costs without checkpoints (``--replays`` random T;
  with the cycle collector paused, as ``LedgerHistory`` pauses it);
* **checkpoints, build**: one ``LedgerHistory.catch_up()`` over the whole store (once per
  process; it keeps a checkpoint every ``--every`` events, at most ``--keep``, doubling the
  spacing as the history grows), and the memory it holds (resident, against one ledger alone);
* **as of T**: ``LedgerHistory.as_of(T)`` for ``--queries`` random T (median, 90th percentile
  and worst), checked equal to the full replay for the replayed T;
* **goal as of T**: one goal's state as of T, folded from its own stream only.

Medians on a shared machine: expect noise, compare within one run.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from itertools import takewhile
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from benchmarks.fixtures import build_store, goal_ids, sqlite_url
from execution_core import Event
from execution_core.states import Goal
from execution_core.streams import GOAL
from execution_core.views import Ledger
from execution_core.views.history import LedgerHistory, stream_state
from execution_core_adapters.storage.store import ExecutionStore

SIZES = (10_000, 100_000, 1_000_000)
T = TypeVar("T")


def _timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _events_by(store: ExecutionStore, moment: datetime) -> Iterator[Event]:
    """The store's events from the first, up to the last one recorded by ``moment`` (the
    synthetic stores record in time order, so the replay can stop there)."""
    return takewhile(lambda event: event.recorded_at <= moment, (r.event for r in store.read_all()))


def _replay(store: ExecutionStore, moment: datetime) -> Ledger:
    return Ledger.of(_events_by(store, moment))


def _goal_as_of(store: ExecutionStore, goal: UUID, moment: datetime) -> Goal:
    return stream_state(store.read(goal), GOAL, as_of=moment)


def _span(store: ExecutionStore) -> tuple[datetime, datetime]:
    first = next(store.read_all(limit=1)).event.recorded_at
    last = next(store.read_all(after=store.last_position() - 1, limit=1)).event.recorded_at
    return first, last


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _rss_mb() -> float:
    """The process's resident memory now, in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _rss_of(build: Callable[[], object]) -> float:
    """How much resident memory the value ``build`` makes takes while it is held, in MB."""
    gc.collect()
    before = _rss_mb()
    gc.disable()
    value = build()
    gc.enable()
    grown = _rss_mb() - before
    del value
    gc.collect()
    return grown


def measure(store: ExecutionStore, args: argparse.Namespace, seed: int) -> dict[str, str]:
    """One size: the figures of one row."""
    rng = random.Random(seed)
    first, last = _span(store)
    moments = [first + (last - first) * rng.random() for _ in range(args.queries)]

    replays = []
    expected: Ledger | None = None
    for moment in moments[: args.replays]:
        gc.disable()  # as LedgerHistory does while folding: the comparison is of the folds
        seconds, ledger = _timed(partial(_replay, store, moment))
        gc.enable()
        replays.append(seconds)
        expected = ledger if expected is None else expected
        del ledger
    gc.collect()

    rss_before = _rss_mb()
    history = LedgerHistory(store, every=args.every, keep=args.keep)
    build, _ = _timed(history.catch_up)
    rss_after = _rss_mb()
    latest_only = (
        _rss_of(lambda: Ledger().apply_all(r.event for r in store.read_all()))
        if args.ledger_memory
        else None
    )

    answers = []
    for number, moment in enumerate(moments):  # distinct instants: no answer comes from a cache
        seconds, ledger = _timed(partial(history.as_of, moment))
        answers.append(seconds)
        if number == 0 and expected is not None:
            assert ledger == expected, "as_of from checkpoints differs from the replay"

    goal = goal_ids(args.goals)[0]
    goal_times = [_timed(partial(_goal_as_of, store, goal, moment))[0] for moment in moments[:5]]
    answers.sort()
    replay = statistics.median(replays)
    median = statistics.median(answers)
    return {
        "events": f"{store.last_position():,}",
        "full replay": _ms(replay),
        "checkpoints build": _ms(build),
        "as_of median": _ms(median),
        "as_of p90": _ms(answers[int(0.9 * (len(answers) - 1))]),
        "as_of worst": _ms(answers[-1]),
        "speed-up": f"{replay / median:,.0f}x",
        "checkpoints": f"{len(history.checkpoints)} (every {history.every:,})",
        "memory": f"{rss_after - rss_before:,.0f} MB"
        + ("" if latest_only is None else f" ({latest_only:,.0f} MB one ledger)"),
        "goal as of": _ms(statistics.median(goal_times)),
    }


def main() -> None:
    """Build (or reuse) the stores and print one row per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--goals", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--replays", type=int, default=3)
    parser.add_argument("--every", type=int, default=1_000)
    parser.add_argument("--keep", type=int, default=64)
    parser.add_argument(
        "--ledger-memory",
        action="store_true",
        help="Also fold one plain ledger to compare memory (one more full replay per size).",
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/execution-core-bench"))
    args = parser.parse_args()
    sizes = [size for size in SIZES if size <= args.events] or [args.events]
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        print(f"{size:,} events: building or opening the store...", flush=True)
        store = build_store(sqlite_url(args.dir, size, args.goals), size, args.goals)
        try:
            rows.append(measure(store, args, seed=size))
        finally:
            store.close()
        print("  " + ", ".join(f"{k} {v}" for k, v in rows[-1].items()), flush=True)
    columns = list(rows[0])
    widths = [max(len(c), *(len(r[c]) for r in rows)) for c in columns]
    print()
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(row[c].rjust(w) for c, w in zip(columns, widths, strict=True)))


if __name__ == "__main__":
    main()
