"""A sweep of 64 runs (200 people, 26 weeks): a plain loop, and 1 and 2 local Dask workers.

    python -m benchmarks.sweep [--people 200] [--weeks 26] [--seeds 8] [--seeds-a-turn 2]

The grid: execution management, coaching effect 0, 0.15, 0.3 and 0.45, check-ins every 7 or 28
days, on 8 seeds: 64 runs. The baseline is the plain loop (``LoopEngine``) in a process of its
own that holds nothing else, as a program without Dask runs it; the two local clusters
(``local_cluster``: one thread a worker, on 127.0.0.1, no profiler, the simulator imported as
a worker starts) are started first, their start timed apart, and each sweep on them is timed
from submitting to the last result back, in this process (which holds both clients and both
local schedulers: kept out of the loop's process, whose runs their threads would slow).

The machine this runs on is shared: the same work measures 10 to 20 % apart from one minute to
the next. So the engines take turns: the grid's 8 points on two seeds (16 runs) are swept by the
loop, then by 1 worker, then by 2 workers (the order rotating from turn to turn), and each
engine's wall and CPU times are summed over the turns. Each engine thus runs all 64 runs, as 4
sweeps of 16, under the same drift of the machine's load as the others. Dask's cost of a sweep
(submitting, gathering) is paid four times over, and so is the tail of a sweep on 2 workers
(the last run alone on one worker while the other waits): both weigh against Dask.
Printed: each engine's wall and CPU time, Dask's overhead on one worker against the loop (goal:
under 5 %) and the speed-up of two workers over one (goal: at least 1.8x), with the per-turn
ratios' median and range beside them; the goals are reported, not asserted. It also checks
that the three engines gave the same outcomes, run for run. A Dask engine's CPU time is this
process's (the clients and both schedulers) plus its workers'.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from distributed import Client

from execution_core.simulation import Model
from execution_core_adapters.sweeps import (
    DaskEngine,
    Engine,
    Grid,
    LoopEngine,
    SweepResult,
    local_cluster,
    sweep,
)

OVERHEAD_GOAL = 0.05
SPEEDUP_GOAL = 1.8
AXES: dict[str, object] = {
    "policy": ["execution"],
    "coaching_effect": [0.0, 0.15, 0.3, 0.45],
    "cadence_days": [7, 28],
}

CpuClock = Callable[[], float]
"""The CPU seconds an engine has taken so far (this process's, plus its workers')."""


def _cpu_of(client: Client) -> CpuClock:
    return lambda: sum(client.run(time.process_time).values()) + time.process_time()


def _timed(grid: Grid, engine: Engine, cpu: CpuClock) -> tuple[float, float, SweepResult]:
    before = cpu()
    started = time.perf_counter()
    result = sweep(grid, engine=engine)
    wall = time.perf_counter() - started
    return wall, cpu() - before, result


def _loop_part(seeds: Sequence[int], model: Model) -> tuple[float, float, SweepResult]:
    """The grid on these seeds swept by the plain loop, timed in the process that runs it."""
    return _timed(Grid.of(AXES, seeds=seeds, model=model), LoopEngine(), time.process_time)


def _outcomes(results: Sequence[SweepResult]) -> list[object]:
    return [(run.point, run.seed, run.outcome) for result in results for run in result.runs]


def _median(figures: Sequence[float]) -> float:
    return statistics.median(figures)


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--seeds-a-turn", type=int, default=2)
    args = parser.parse_args(argv)
    if args.seeds_a_turn < 1:
        parser.error(f"--seeds-a-turn: at least 1, got {args.seeds_a_turn}")

    model = Model(people=args.people, weeks=args.weeks)
    grid = Grid.of(AXES, seeds=args.seeds, model=model)
    print(
        f"{grid.runs} runs ({len(grid.points)} points x {len(grid.seeds)} seeds), "
        f"{args.people} people, {args.weeks} weeks; {os.cpu_count()} cores, "
        f"load average {_load()}"
    )
    started = time.perf_counter()
    with (
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as looping,
        local_cluster(1) as one_cluster,
        Client(one_cluster) as one_client,
        local_cluster(2) as two_cluster,
        Client(two_cluster) as two_client,
    ):
        one_client.wait_for_workers(1)
        two_client.wait_for_workers(2)
        ready = time.perf_counter() - started
        print(f"the loop's process and the clusters of 1 and 2 workers started in {ready:.2f} s")
        looping.submit(_loop_part, [0], Model(people=10, weeks=2)).result()  # its imports
        engines: dict[str, Callable[[Sequence[int], Grid], tuple[float, float, SweepResult]]] = {
            "loop": lambda seeds, _part: looping.submit(_loop_part, seeds, model).result(),
            "1 worker": lambda _seeds, part: _timed(
                part, DaskEngine(client=one_client), _cpu_of(one_client)
            ),
            "2 workers": lambda _seeds, part: _timed(
                part, DaskEngine(client=two_client), _cpu_of(two_client)
            ),
        }
        names = list(engines)
        wall = dict.fromkeys(names, 0.0)
        cpu = dict.fromkeys(names, 0.0)
        results: dict[str, list[SweepResult]] = {name: [] for name in names}
        overheads: list[float] = []
        speedups: list[float] = []
        step = args.seeds_a_turn
        for turn, start in enumerate(range(0, len(grid.seeds), step)):
            seeds = grid.seeds[start : start + step]
            part = Grid.of(AXES, seeds=seeds, model=model)
            shift = turn % len(names)
            seconds: dict[str, float] = {}
            for name in names[shift:] + names[:shift]:
                seconds[name], used, result = engines[name](seeds, part)
                wall[name] += seconds[name]
                cpu[name] += used
                results[name].append(result)
            overheads.append(seconds["1 worker"] / seconds["loop"] - 1.0)
            speedups.append(seconds["1 worker"] / seconds["2 workers"])
            print(
                f"seeds {seeds[0]}-{seeds[-1]}: loop {seconds['loop']:6.2f} s, 1 worker "
                f"{seconds['1 worker']:6.2f} s, 2 workers {seconds['2 workers']:6.2f} s "
                f"(load {_load()})",
                flush=True,
            )
    for name in names:
        print(
            f"{name:9s} {wall[name]:8.2f} s wall, {cpu[name]:8.2f} s CPU "
            f"({wall[name] / grid.runs:.3f} s a run)"
        )
    overhead = wall["1 worker"] / wall["loop"] - 1.0
    speedup = wall["1 worker"] / wall["2 workers"]
    print(
        f"Dask's overhead on 1 worker against the loop: {overhead:+.1%} (per turn: median "
        f"{_median(overheads):+.1%}, {min(overheads):+.1%} to {max(overheads):+.1%}; "
        f"goal: under {OVERHEAD_GOAL:.0%}: {'met' if overhead < OVERHEAD_GOAL else 'missed'})"
    )
    print(
        f"2 workers against 1: {speedup:.2f}x (per turn: median {_median(speedups):.2f}x, "
        f"{min(speedups):.2f}x to {max(speedups):.2f}x; goal: at least {SPEEDUP_GOAL}x: "
        f"{'met' if speedup >= SPEEDUP_GOAL else 'missed'})"
    )
    print(f"2 workers against the loop: {wall['loop'] / wall['2 workers']:.2f}x")
    print(
        f"CPU time against the loop's: 1 worker {cpu['1 worker'] / cpu['loop'] - 1.0:+.1%}, "
        f"2 workers {cpu['2 workers'] / cpu['loop'] - 1.0:+.1%}"
    )
    reference = _outcomes(results["loop"])
    same = all(_outcomes(results[name]) == reference for name in names)
    failures = sum(len(result.failures) for runs in results.values() for result in runs)
    print(f"same outcomes on the three engines: {same}; failed runs: {failures}")
    print(f"load average at the end {_load()}")


if __name__ == "__main__":
    main()
