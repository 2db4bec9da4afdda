"""What the embedding API costs per check-in on the pure fake store, against ``execute``.

    python -m benchmarks.facade_cost [--commands 3000] [--goals 50] [--rounds 8]

Measured, one process, the same ``LogProgress`` check-ins round robin on pre-created goals:

- ``execute`` (the baseline): ``Execution.execute(LogProgress(...))``, the command built by
  the caller;
- ``log_progress``: the facade method (it builds the command and returns the goal's opened
  form, an ``OpenedGoal`` copied from the state);
- ``log_progress, retries=3``: the same with a retry budget and no conflict (tenacity's
  retrying loop is set up for each command);
- ``log_progress, key``: the same with an idempotency key (a receipt stored with the event).

The fake store keeps the database out of the figures, so what is left is the core's and the
facade's own work. Figures are medians of ``--rounds`` (each round runs every way, starting
one further on); ratios are against ``execute``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from execution_core import SYSTEM, Execution, LogProgress, Role
from execution_core.fake_store import FakeEventStore

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)


def _seeded(goals: int) -> tuple[Execution, list[uuid.UUID]]:
    execution = Execution(FakeEventStore())
    execution.found_unit("hq", "Headquarters", actor=SYSTEM, occurred_at=T0)
    execution.add_person("cleo", "Cleo", "hq", roles=[Role.EXECUTIVE], actor=SYSTEM, occurred_at=T0)
    execution.add_person("ana", "Ana", "hq", manager_id="cleo", actor=SYSTEM, occurred_at=T0)
    cycle = execution.open_cycle(
        "2026", date(2026, 1, 1), date(2026, 12, 31), actor="cleo", occurred_at=T0
    )
    ids = [
        execution.set_goal(
            cycle.id,
            f"Goal {n}",
            "ana",
            key_results=[{"kr_id": "kr", "name": "Deals", "target": 1_000_000}],
            actor="cleo",
            occurred_at=T0,
        ).id
        for n in range(goals)
    ]
    return execution, ids


Way = Callable[[Execution, uuid.UUID, int], object]


def _execute(execution: Execution, goal: uuid.UUID, n: int) -> object:
    return execution.execute(
        LogProgress(
            goal_id=goal,
            kr_id="kr",
            value=n,
            confidence=0.5,
            actor="ana",
            occurred_at=T0 + timedelta(seconds=n),
        )
    )


def _method(execution: Execution, goal: uuid.UUID, n: int) -> object:
    at = T0 + timedelta(seconds=n)
    return execution.log_progress(goal, "kr", value=n, confidence=0.5, actor="ana", occurred_at=at)


def _retrying(execution: Execution, goal: uuid.UUID, n: int) -> object:
    at = T0 + timedelta(seconds=n)
    return execution.log_progress(
        goal, "kr", value=n, confidence=0.5, actor="ana", occurred_at=at, retries=3
    )


def _keyed(execution: Execution, goal: uuid.UUID, n: int) -> object:
    at = T0 + timedelta(seconds=n)
    return execution.log_progress(
        goal, "kr", value=n, confidence=0.5, actor="ana", occurred_at=at, idempotency_key=f"k{n}"
    )


WAYS: dict[str, Way] = {
    "execute": _execute,
    "log_progress": _method,
    "log_progress, retries=3": _retrying,
    "log_progress, key": _keyed,
}


def _round(way: Way, commands: int, goals: int) -> float:
    """Microseconds per check-in on a freshly seeded store."""
    execution, ids = _seeded(goals)
    started = time.perf_counter()
    for n in range(1, commands + 1):
        way(execution, ids[n % goals], n)
    return (time.perf_counter() - started) / commands * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=3_000)
    parser.add_argument("--goals", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in WAYS}
    names = list(WAYS)
    for n in range(args.rounds):
        # interleaved, each round starting one way further on, so neither a noisy moment nor
        # the place in the round favours a way
        for name in names[n % len(names) :] + names[: n % len(names)]:
            samples[name].append(_round(WAYS[name], args.commands, args.goals))
    medians = {name: statistics.median(taken) for name, taken in samples.items()}
    baseline = medians["execute"]
    print(f"{args.commands} check-ins on {args.goals} goals, median of {args.rounds} rounds")
    for name, micros in medians.items():
        print(f"{name:<26} {micros:8.1f} µs/check-in   x{micros / baseline:.2f}")


if __name__ == "__main__":
    main()
