"""A sweep of 64 runs (200 people, 26 weeks): a plain loop, and 1 and 2 local Dask workers.

    python -m benchmarks.sweep [--people 200] [--weeks 26] [--seeds 8] [--rounds 3]

The grid: execution management, coaching effect 0, 0.15, 0.3 and 0.45, check-ins every 7 or 28
days, on 8 seeds: 64 runs. The loop runs them one after the other in this process (the baseline,
measured in the same run); each Dask sweep starts a local cluster of that many worker processes
(``local_cluster``: one thread each, on 127.0.0.1, no profiler, the library imported when a
worker starts), whose start is timed apart, then times the sweep alone (submitting, running,
streaming the results back).

The three engines take turns, ``--rounds`` times, each round in another order (loop, 1, 2;
then 1, 2, loop; ...), so a change in the machine's load during the benchmark weighs on each
engine alike. Each round gives Dask's overhead on one worker against that round's loop (goal:
under 5 %) and the speed-up of two workers over one (goal: at least 1.8x); the verdicts are on
the medians over the rounds, and are reported, not asserted. It also checks that the engines
gave the same outcomes. The machine's load average is printed: on a shared machine the wall
times count other work too, so the CPU time each engine took (this process, which holds the
client and the local scheduler, and the workers together) is printed as well.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence

from distributed import Client

from execution_core.simulation import Model
from execution_core_adapters.sweeps import (
    DaskEngine,
    Grid,
    LoopEngine,
    SweepResult,
    local_cluster,
    sweep,
)

OVERHEAD_GOAL = 0.05
SPEEDUP_GOAL = 1.8

Timing = tuple[float, float, SweepResult]
"""A sweep's wall time, its CPU time, and its result."""


def _on_loop(grid: Grid) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    result = sweep(grid, engine=LoopEngine())
    return time.perf_counter() - started, time.process_time() - cpu, result


def _on_dask(grid: Grid, workers: int) -> Timing:
    """Start a local cluster of ``workers`` processes (not timed), then sweep: its wall time
    and the CPU time it took in this process (client and scheduler) and in the workers."""
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        before = sum(client.run(time.process_time).values()) + time.process_time()
        started = time.perf_counter()
        result = sweep(grid, engine=DaskEngine(client=client))
        wall = time.perf_counter() - started
        cpu = sum(client.run(time.process_time).values()) + time.process_time() - before
    return wall, cpu, result


def _same(a: SweepResult, b: SweepResult) -> bool:
    return [(r.point, r.seed, r.outcome) for r in a.runs] == [
        (r.point, r.seed, r.outcome) for r in b.runs
    ]


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    grid = Grid.of(
        {
            "policy": ["execution"],
            "coaching_effect": [0.0, 0.15, 0.3, 0.45],
            "cadence_days": [7, 28],
        },
        seeds=args.seeds,
        model=Model(people=args.people, weeks=args.weeks),
    )
    print(
        f"{grid.runs} runs ({len(grid.points)} points x {len(grid.seeds)} seeds), "
        f"{args.people} people, {args.weeks} weeks, {args.rounds} rounds; "
        f"{os.cpu_count()} cores, load average {_load()}"
    )
    engines: dict[str, Callable[[], Timing]] = {
        "loop": lambda: _on_loop(grid),
        "1 worker": lambda: _on_dask(grid, 1),
        "2 workers": lambda: _on_dask(grid, 2),
    }
    names = list(engines)
    overheads: list[float] = []
    speedups: list[float] = []
    cpu_overheads: list[float] = []
    reference: SweepResult | None = None
    same = True
    failures = 0
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        timed: dict[str, Timing] = {}
        for name in order:
            timed[name] = engines[name]()
            wall, cpu, result = timed[name]
            print(
                f"round {round_ + 1}  {name:9s} {wall:8.2f} s wall, {cpu:8.2f} s CPU "
                f"({wall / grid.runs:.3f} s a run; load {_load()})",
                flush=True,
            )
            failures += len(result.failures)
            if reference is None:
                reference = result
            same = same and _same(reference, result)
        loop, one, two = (timed[name] for name in names)
        overheads.append(one[0] / loop[0] - 1.0)
        speedups.append(one[0] / two[0])
        cpu_overheads.append(one[1] / loop[1] - 1.0)
        print(
            f"round {round_ + 1}: 1 worker against the loop {overheads[-1]:+.1%} wall, "
            f"{cpu_overheads[-1]:+.1%} CPU; 2 workers against 1 {speedups[-1]:.2f}x"
        )
    overhead = statistics.median(overheads)
    speedup = statistics.median(speedups)
    print(
        f"Dask's overhead on 1 worker against the loop, median of {args.rounds} rounds: "
        f"{overhead:+.1%} (rounds: {', '.join(f'{o:+.1%}' for o in overheads)}; goal: under "
        f"{OVERHEAD_GOAL:.0%}: {'met' if overhead < OVERHEAD_GOAL else 'missed'})"
    )
    print(
        f"2 workers against 1, median: {speedup:.2f}x (rounds: "
        f"{', '.join(f'{s:.2f}x' for s in speedups)}; goal: at least {SPEEDUP_GOAL}x: "
        f"{'met' if speedup >= SPEEDUP_GOAL else 'missed'})"
    )
    print(
        f"CPU time of 1 worker against the loop's, median: "
        f"{statistics.median(cpu_overheads):+.1%} (this process and the worker together: less "
        "sensitive than the wall time to the machine's load, though not immune)"
    )
    print(f"same outcomes on every engine and round: {same}; failed runs: {failures}")
    print(f"load average at the end {_load()}")


if __name__ == "__main__":
    main()
