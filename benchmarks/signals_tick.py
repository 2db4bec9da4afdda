"""What a clock tick costs over a large live board: the views re-read at a later instant with no
new fact, and the signals time alone fires.

    python -m benchmarks.signals_tick [--goals 10000] [--ticks 20] [--checkins 2]

Folds the first half of a year of ``--goals`` synthetic goals (benchmarks.fixtures: the
check-ins dated by mid-cycle) into a live state and its situation, then ticks the clock
``--ticks`` times, a day each, from there, so goals fall due, overdue and stale: each tick is
``LiveState.tick``, the boards advanced to the new instant (``views.live.advance``: rows
re-timed when first read), the situation re-read and the signals derived, as the projection
worker does on a poll that finds no event. It prints the first tick apart (it learns when every
flagged goal turned, which later ticks reuse), then the median and slowest of the others in
wall time and their median in CPU time, split into the board's own advance and the signals.

Two ratios, measured in the same run: the signals against the board's advance, and the whole
tick against its baseline, re-timing every row of every board at the tick's instant (what a
tick did before boards re-timed rows when first read; timed apart, after each tick, on the
rows as the first situation read them). The last situation is checked equal to one read from
scratch.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from benchmarks.fixtures import START, events_with_checkins, synthetic_events
from execution_core.ports import Recorded
from execution_core.signals import Cause, derive_signals, observe
from execution_core.views.live import LiveState, Touched, advance
from execution_core.views.reading import ScoreboardRow


def _eager_retiming(state: LiveState, rows: dict[UUID, list[ScoreboardRow]]) -> float:
    """The CPU seconds re-timing every one of ``rows`` (by cycle) at the state's instant takes."""
    started = time.process_time()
    for cycle_id, cycle_rows in rows.items():
        retime = state.boards[cycle_id].retimer(state.ledger.cycles[cycle_id])
        for row in cycle_rows:
            retime(row)
    return time.process_time() - started


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--checkins", type=int, default=2, help="check-ins per goal")
    args = parser.parse_args(argv)

    total = events_with_checkins(args.goals, args.checkins)
    middle = START + timedelta(days=180)
    events = [e for e in synthetic_events(total, args.goals) if e.occurred_at <= middle]
    state = LiveState.replay(Recorded(n, e) for n, e in enumerate(events, start=1))
    situation = observe(state)
    assert state.now is not None
    start = state.now
    rows = {c: list(board.rows.values()) for c, board in state.boards.items()}
    print(f"{args.goals:,} goals, {len(events):,} events, ticking a day at a time from {start:%F}")
    boards: list[float] = []
    signal_costs: list[float] = []
    cpu: list[float] = []
    eager: list[float] = []
    found = 0
    for n in range(1, args.ticks + 1):
        at = start + timedelta(days=n)
        cpu_started = time.process_time()
        started = time.perf_counter()
        touched = Touched()
        if state.tick(at):
            touched.cycles.update(state.ledger.cycles)
        batch = advance(state, touched)
        boarded = time.perf_counter()
        after = observe(state, batch, situation)
        signals = derive_signals(situation, after, Cause(len(events), at))
        done = time.perf_counter()
        cpu.append(time.process_time() - cpu_started)
        eager.append(_eager_retiming(state, rows))
        state.written()
        situation = after
        found += len(signals)
        boards.append(boarded - started)
        signal_costs.append(done - boarded)
    if situation != observe(state):
        raise SystemExit("the re-read situation differs from one read from scratch")
    ticks = [b + s for b, s in zip(boards, signal_costs, strict=True)]
    print(
        f"first tick: {ticks[0] * 1e3:.1f} ms (board {boards[0] * 1e3:.1f} ms, signals "
        f"{signal_costs[0] * 1e3:.1f} ms); {found} signals in all"
    )
    boards, signal_costs, ticks = boards[1:], signal_costs[1:], ticks[1:]
    board, extra = statistics.median(boards), statistics.median(signal_costs)
    tick_cpu, eager_cpu = statistics.median(cpu[1:]), statistics.median(eager[1:])
    print(
        f"one tick over {args.goals:,} goals, {len(ticks)} later ticks: median "
        f"{statistics.median(ticks) * 1e3:.1f} ms, slowest {max(ticks) * 1e3:.1f} ms, median "
        f"CPU {tick_cpu * 1e3:.1f} ms; of which the board's advance median {board * 1e3:.1f} ms "
        f"and the signals {extra * 1e3:.1f} ms"
    )
    print(f"ratio: the signals cost {extra / board:.2f} x the board's own advance at the median")
    print(
        f"ratio: a tick costs {tick_cpu / eager_cpu:.3f} x its baseline, re-timing every row "
        f"eagerly ({eager_cpu * 1e3:.1f} ms CPU at the median)"
    )


if __name__ == "__main__":
    main()
