"""What keeping the live scoreboard current costs, against building it from scratch.

    python -m benchmarks.scoreboard_update [--goals 10000] [--updates 300] [--checkins 2]

Builds a ledger of ``--goals`` goals (one person and one key result each, ``--checkins``
check-ins per goal, every goal aligned to a theme, so no rollup) from the synthetic events of
benchmarks.fixtures, in memory, and the scoreboard of its cycle. Then it times ``--updates``
single check-ins, each applied as the app would (``ledger = ledger.apply(event)`` then
``board = board.apply(event, ledger)``), and prints the median and 95th percentile per update
against a baseline measured in the same run (the median of a few full ``Scoreboard.build``
calls on the final ledger), with the ratio. The last board is checked equal to one built from
scratch.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from datetime import timedelta

from benchmarks.fixtures import CYCLE_ID, START, events_with_checkins, goal_ids, synthetic_events
from execution_core import Event
from execution_core.events import ProgressLogged
from execution_core.views import Ledger, Scoreboard

AT = START + timedelta(days=362)
"""The board's instant: after every synthetic check-in, before the cycle's end."""


def _percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _checkins(events: Sequence[Event], goals: int, updates: int, seed: int) -> list[Event]:
    """``updates`` new check-ins on random goals, dated after every check-in in ``events``."""
    versions: dict[object, int] = {}
    for event in events:
        versions[event.stream_id] = event.version
    rng = random.Random(seed)
    ids = goal_ids(goals)
    made: list[Event] = []
    for n in range(updates):
        index = rng.randrange(goals)
        goal_id = ids[index]
        versions[goal_id] += 1
        at = START + timedelta(days=360, seconds=n)
        made.append(
            ProgressLogged(
                stream_id=goal_id,
                version=versions[goal_id],
                actor=f"p{index}",
                occurred_at=at,
                recorded_at=at,
                kr_id="kr",
                value=round(rng.uniform(0, 100), 1),
                confidence=round(rng.random(), 2),
            )
        )
    return made


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--checkins", type=int, default=2, help="check-ins per goal to start")
    parser.add_argument("--builds", type=int, default=5, help="full builds for the baseline")
    args = parser.parse_args(argv)

    total = events_with_checkins(args.goals, args.checkins)
    events = list(synthetic_events(total, args.goals))
    started = time.perf_counter()
    ledger = Ledger.of(events)
    folded = time.perf_counter() - started
    started = time.perf_counter()
    board = Scoreboard.build(ledger, CYCLE_ID, at=AT)
    built = time.perf_counter() - started
    print(
        f"{args.goals:,} goals, {len(events):,} events: Ledger.of {folded:.2f} s, "
        f"first Scoreboard.build {built:.2f} s"
    )

    updates: list[float] = []
    ledger_parts: list[float] = []
    for event in _checkins(events, args.goals, args.updates, seed=2):
        started = time.perf_counter()
        ledger = ledger.apply(event)
        applied = time.perf_counter()
        board = board.apply(event, ledger)
        updates.append(time.perf_counter() - started)
        ledger_parts.append(applied - started)

    builds: list[float] = []
    for _ in range(args.builds):
        started = time.perf_counter()
        rebuilt = Scoreboard.build(ledger, CYCLE_ID, at=AT)
        builds.append(time.perf_counter() - started)
    if rebuilt != board:
        raise SystemExit("the updated board differs from the board built from scratch")

    median, p95 = statistics.median(updates), _percentile(updates, 0.95)
    baseline = statistics.median(builds)
    print(
        f"one check-in (Ledger.apply + Scoreboard.apply), {len(updates)} updates: "
        f"median {median * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms "
        f"(of which Ledger.apply: median {statistics.median(ledger_parts) * 1e3:.3f} ms)"
    )
    print(f"baseline (full Scoreboard.build), median of {len(builds)}: {baseline * 1e3:.1f} ms")
    print(f"ratio: an update costs 1/{baseline / median:,.0f} of a build at the median")
    print(f"       (1/{baseline / p95:,.0f} at p95); the updated board equals a fresh build")


if __name__ == "__main__":
    main()
