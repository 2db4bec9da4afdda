"""What a clock tick costs the materialized worker over a large live board: the idle poll of
``execution-core worker --clock``, which re-reads the views at the clock and writes the rows
that moved with time alone.

    python -m benchmarks.worker_tick [--goals 10000] [--ticks 20] [--minutes 30] [--url URL]
        [--views board,appraisal,radar]

Builds (once, cached like the other benchmarks) a synthetic SQLite store of ``--goals`` goals
with two check-ins each spread over the year (``benchmarks.fixtures``: the last one on the
cycle's last day), or, with ``--url``, in a fresh schema of that PostgreSQL server (dropped at
the end), catches a ``ViewWorker`` up on it with a clock an hour past the newest fact, then
moves the clock ``--minutes`` at a time and calls ``worker.tick()`` ``--ticks`` times, as
``run`` does on a poll that finds no event. For each tick it times the whole tick and, within
it, the rows' computation (the projections' ``changes``, and each view's share) and their
write, in wall and CPU time, and counts the rows upserted per view and the cycles moved in
place (the board's pace, the radar's ``evaluated_at``). The ratio is against
the tick's baseline in the same run: every row of the same views computed in full at the same
instant (each projection's ``rows`` for a live state of the same events, what a tick that
rewrote its views would compute before writing them).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from benchmarks.catch_up import DEFAULT_DIR
from benchmarks.fixtures import build_store, sqlite_url
from execution_core.views.live import PROJECTIONS, LiveState, RowChanges, Touched, advance
from execution_core_adapters.projections.materialize import ViewWorker, parse_views


class _Spy:
    """Times and counts the row changes the worker's views compute and write."""

    def __init__(self, worker: ViewWorker) -> None:
        self.worker = worker
        self.views = worker.views
        self.rows: dict[str, float] = {}
        self.upserted: dict[str, int] = {}
        self.in_place: dict[str, int] = {}
        self.write = 0.0
        recorder: Any = worker.recorder
        self._write = recorder.write
        recorder.write = self._timed_write
        for name in worker.views:
            projection: Any = PROJECTIONS[name]
            projection.changes = self._timed_changes(name, projection.changes)
        self.reset()

    def _timed_changes(
        self, name: str, changes: Callable[..., RowChanges]
    ) -> Callable[..., RowChanges]:
        def timed(batch: Any) -> RowChanges:
            started = time.process_time()
            found = changes(batch)
            self.rows[name] += time.process_time() - started
            self.upserted[name] += len(found.upsert)
            self.in_place[name] += len(found.paced) + len(found.timed)
            return found

        return timed

    def _timed_write(self, patches: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return self._write(patches, *args, **kwargs)
        finally:
            self.write += time.process_time() - started

    def reset(self) -> None:
        self.write = 0.0
        for name in self.views:
            self.rows[name] = 0.0
            self.upserted[name] = self.in_place[name] = 0


class _Figures:
    """Each tick's costs, and the baseline's."""

    def __init__(self, views: Sequence[str]) -> None:
        self.views = views
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self.rows: list[float] = []
        self.writes: list[float] = []
        self.per_view: dict[str, list[tuple[float, int, int]]] = {v: [] for v in views}
        self.full: list[float] = []
        self.full_per_view: dict[str, list[float]] = {v: [] for v in views}

    def note(self, spy: _Spy) -> None:
        self.rows.append(sum(spy.rows.values()))
        self.writes.append(spy.write)
        for name in self.views:
            self.per_view[name].append((spy.rows[name], spy.upserted[name], spy.in_place[name]))

    def print(self, goals: int) -> None:
        def ms(values: list[float]) -> str:
            return f"{statistics.median(values[1:]) * 1e3:.1f} ms"

        tick_cpu, baseline = statistics.median(self.cpus[1:]), statistics.median(self.full[1:])
        print(
            f"one tick over {goals:,} goals, {len(self.cpus) - 1} ticks after the first: median "
            f"{ms(self.walls)} wall, {ms(self.cpus)} CPU; of which rows computed {ms(self.rows)} "
            f"CPU and written {ms(self.writes)} CPU"
        )
        for name, figures in self.per_view.items():
            cpu, upserted, in_place = zip(*figures[1:], strict=True)
            print(
                f"  {name}: rows computed median {statistics.median(cpu) * 1e3:.1f} ms CPU, "
                f"rows upserted median {statistics.median(upserted):,.0f}, cycles moved in "
                f"place {statistics.median(in_place):.0f}; every row in full "
                f"{statistics.median(self.full_per_view[name][1:]) * 1e3:.1f} ms CPU"
            )
        print(
            f"ratio: a tick costs {tick_cpu / baseline:.2f} x computing every row of its views "
            f"in full ({baseline * 1e3:.1f} ms CPU at the median)"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--url", default=None, help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--views", default="board,appraisal,radar")
    args = parser.parse_args(argv)
    total = 2 + args.goals + 4 + 4 * args.goals
    views = parse_views(args.views)
    if args.url is None:
        DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
        measure(sqlite_url(DEFAULT_DIR, total, args.goals), views, args, total)
        return
    import psycopg

    schema = f"bench_tick_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            measure(f"{args.url}?schema={schema}", views, args, total)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def measure(url: str, views: tuple[str, ...], args: argparse.Namespace, total: int) -> None:
    """Build the store at ``url``, tick a worker on it, print the figures."""
    store = build_store(url, total, args.goals)
    state = LiveState.replay(store.read_all())
    assert state.latest is not None
    now = state.latest + timedelta(hours=1)
    backend = url.split(":", maxsplit=1)[0]
    print(f"{args.goals:,} goals, {total:,} events, views {','.join(views)}, {backend}")
    figures = _Figures(views)
    with ViewWorker(store, views, clock=lambda: now) as worker:
        worker.rebuild()
        spy = _Spy(worker)
        for _ in range(args.ticks):
            now += timedelta(minutes=args.minutes)
            spy.reset()
            cpu, wall = time.process_time(), time.perf_counter()
            worker.tick()
            figures.cpus.append(time.process_time() - cpu)
            figures.walls.append(time.perf_counter() - wall)
            figures.note(spy)
            full = _in_full(state, now, views)
            figures.full.append(sum(full.values()))
            for name, spent in full.items():
                figures.full_per_view[name].append(spent)
    store.close()
    figures.print(args.goals)


def _in_full(state: LiveState, now: datetime, views: Sequence[str]) -> dict[str, float]:
    """The CPU seconds every row of each view takes to compute for a state ticked to ``now``
    (the baseline: a tick that rewrote its views in full)."""
    touched = Touched()
    if state.tick(now):
        touched.cycles.update(state.ledger.cycles)
    advance(state, touched)
    state.written()
    spent: dict[str, float] = {}
    gc.collect()
    gc.disable()  # else a collection of the large ledger lands in every other baseline
    try:
        for name in views:
            started = time.process_time()
            PROJECTIONS[name].rows(state)
            spent[name] = time.process_time() - started
    finally:
        gc.enable()
    return spent


if __name__ == "__main__":
    main()
