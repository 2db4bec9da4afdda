"""What signals cost after one check-in on a large live board, beyond the board's own update.

    python -m benchmarks.signals_checkin [--goals 10000] [--updates 300] [--checkins 2]

Folds ``--goals`` synthetic goals (benchmarks.fixtures: one person and one key result each,
``--checkins`` check-ins per goal) into a live state and its situation, then applies
``--updates`` single check-ins one batch each, as the projection worker does, each dated before
the latest business time (so the board's instant stays and only the goal's row moves). For each
it times the board's own update (``views.live.advance``) and, apart, the signals
(``signals.observe`` from the situation before, then ``derive_signals``), and prints the
medians and 95th percentiles, the signals' cost beyond the board's update, and their ratio, all
measured in the same run. The last situation is checked equal to one read from scratch.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from datetime import timedelta

from benchmarks.fixtures import events_with_checkins, goal_ids, synthetic_events
from execution_core.events import ProgressLogged
from execution_core.ports import Recorded
from execution_core.signals import Cause, derive_signals, observe
from execution_core.views.live import LiveState, Touched, advance


def _percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--checkins", type=int, default=2, help="check-ins per goal to start")
    args = parser.parse_args(argv)

    total = events_with_checkins(args.goals, args.checkins)
    events = list(synthetic_events(total, args.goals))
    started = time.perf_counter()
    state = LiveState.replay(Recorded(n, e) for n, e in enumerate(events, start=1))
    situation = observe(state)
    print(
        f"{args.goals:,} goals, {len(events):,} events: live state and situation built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    assert state.now is not None
    at = state.now - timedelta(hours=1)
    versions: dict[object, int] = {}
    for event in events:
        versions[event.stream_id] = event.version
    rng = random.Random(3)
    ids = goal_ids(args.goals)
    boards: list[float] = []
    signal_costs: list[float] = []
    found = 0
    position = len(events)
    for n in range(args.updates):
        index = rng.randrange(args.goals)
        goal_id = ids[index]
        versions[goal_id] += 1
        position += 1
        event = ProgressLogged(
            stream_id=goal_id,
            version=versions[goal_id],
            actor=f"p{index}",
            occurred_at=at - timedelta(seconds=n),
            recorded_at=at,
            kr_id="kr",
            value=round(rng.uniform(0, 100), 1),
            confidence=0.5,
        )
        state.fold([event], position)
        touched = Touched()
        touched.note([event])
        started = time.perf_counter()
        batch = advance(state, touched)
        boarded = time.perf_counter()
        after = observe(state, batch, situation)
        signals = derive_signals(situation, after, Cause(position))
        done = time.perf_counter()
        state.written()
        situation = after
        found += len(signals)
        boards.append(boarded - started)
        signal_costs.append(done - boarded)
    if situation != observe(state):
        raise SystemExit("the re-read situation differs from one read from scratch")
    board, extra = statistics.median(boards), statistics.median(signal_costs)
    print(
        f"one check-in, {args.updates} updates ({found} signals): board's own update "
        f"median {board * 1e3:.3f} ms (p95 {_percentile(boards, 0.95) * 1e3:.3f} ms); "
        f"signals beyond it median {extra * 1e3:.3f} ms "
        f"(p95 {_percentile(signal_costs, 0.95) * 1e3:.3f} ms)"
    )
    print(f"ratio: the signals cost {extra / board:.2f} x the board's own update at the median")


if __name__ == "__main__":
    main()
