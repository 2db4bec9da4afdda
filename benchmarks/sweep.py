"""A sweep of 64 runs (200 people, 26 weeks): a plain loop, then 1 and 2 local Dask workers.

    python -m benchmarks.sweep [--people 200] [--weeks 26] [--seeds 8]

The grid: execution management, coaching effect 0, 0.15, 0.3 and 0.45, check-ins every 7 or 28
days, on 8 seeds: 64 runs. The loop runs them one after the other in this process (the baseline,
measured in the same run); each Dask run starts a local cluster of that many worker processes
(``local_cluster``: one thread each, on 127.0.0.1, no profiler), whose start is timed apart,
then times the sweep alone (submitting, running, streaming the results back). Prints the wall
times, Dask's overhead on one worker against the loop (goal: under 5 %) and the speed-up of two
workers over one (goal: at least 1.8x); the goals are reported, not asserted. It also checks
that the three engines gave the same outcomes. The machine's load average is printed: on a
shared machine the wall times count other work too, so the CPU time each engine took (this
process, which holds the client and the local scheduler, and the workers together, their first
task's imports included) is printed as well, with Dask's CPU overhead against the loop's.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

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


def _on_dask(grid: Grid, workers: int) -> tuple[float, float, float, SweepResult]:
    """Start a local cluster of ``workers`` processes, then sweep: the seconds to start it,
    the sweep's wall time, and the CPU time it took in this process (client and scheduler)
    and in the workers together."""
    started = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        before = sum(client.run(time.process_time).values()) + time.process_time()
        ready = time.perf_counter()
        result = sweep(grid, engine=DaskEngine(client=client))
        done = time.perf_counter()
        cpu = sum(client.run(time.process_time).values()) + time.process_time() - before
    return ready - started, done - ready, cpu, result


def _same(a: SweepResult, b: SweepResult) -> bool:
    return [(r.point, r.seed, r.outcome) for r in a.runs] == [
        (r.point, r.seed, r.outcome) for r in b.runs
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seeds", type=int, default=8)
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
    load = os.getloadavg()
    print(
        f"{grid.runs} runs ({len(grid.points)} points x {len(grid.seeds)} seeds), "
        f"{args.people} people, {args.weeks} weeks; {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    started, cpu = time.perf_counter(), time.process_time()
    looped = sweep(grid, engine=LoopEngine())
    loop, loop_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"plain loop         {loop:8.2f} s wall, {loop_cpu:8.2f} s CPU "
        f"({loop / grid.runs:.3f} s a run)"
    )
    start_one, one, one_cpu, on_one = _on_dask(grid, 1)
    print(
        f"Dask, 1 worker     {one:8.2f} s wall, {one_cpu:8.2f} s CPU "
        f"(cluster started in {start_one:.2f} s)"
    )
    start_two, two, two_cpu, on_two = _on_dask(grid, 2)
    print(
        f"Dask, 2 workers    {two:8.2f} s wall, {two_cpu:8.2f} s CPU "
        f"(cluster started in {start_two:.2f} s)"
    )
    overhead = one / loop - 1.0
    speedup = one / two
    print(
        f"Dask's overhead on 1 worker against the loop: {overhead:+.1%} "
        f"(goal: under {OVERHEAD_GOAL:.0%}: {'met' if overhead < OVERHEAD_GOAL else 'missed'})"
    )
    print(
        f"2 workers against 1: {speedup:.2f}x "
        f"(goal: at least {SPEEDUP_GOAL}x: {'met' if speedup >= SPEEDUP_GOAL else 'missed'})"
    )
    print(f"2 workers against the loop: {loop / two:.2f}x")
    print(
        f"CPU time against the loop's: 1 worker {one_cpu / loop_cpu - 1.0:+.1%}, "
        f"2 workers {two_cpu / loop_cpu - 1.0:+.1%} (this process and the workers together: "
        "less sensitive than the wall time to the machine's load, though not immune)"
    )
    failures = len(looped.failures) + len(on_one.failures) + len(on_two.failures)
    same = _same(looped, on_one) and _same(looped, on_two)
    print(f"same outcomes on the three engines: {same}; failed runs: {failures}")
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
