"""A 1,000-person organization plays a 52-week cycle in memory, through the facade.

    python -m benchmarks.simulation [--people 1000] [--weeks 52] [--cadence 28]
                                    [--policy execution|performance] [--seed 7]

Model sizes (docs/simulation.md, "Benchmark"): span of control 6, 3 themes; every person has
one individual goal with one key result (no developmental goal), cascaded through ~170 team
goals and 3 company goals that roll up; execution management with check-ins every 28 days (13
per key result), coaching at most every 4 weeks per flagged goal with a 2-week commitment,
target adjustments from mid-cycle, a game review of every goal and the appraisals at the end.

Prints the time to simulate (every command decided and stored), to read the history back from
the store and fold it into a Ledger, and to build the views (the final scoreboard and every
appraisal sheet); events/s; peak memory (``ru_maxrss``); and, as the baseline measured in the
same run, the time a bare loop takes to store the same events, one by one, in a fresh
in-memory store as the store writes them (encoded, personal fields sealed, chained, inserted:
what storing alone costs, with nothing decided), with the ratio. The target is under 2.5 s for the
whole on a 2-core machine, and simulating at most 3 times storing alone; both are reported, not
asserted. Each step's process CPU time is printed beside its wall time, and the ratios are given
for both: on a shared machine the wall time also counts other work, the CPU time much less.

Every timed step ends with a full garbage collection, inside its time: a step that pauses the
cycle collector (the simulation does) pays for what it left, and no step pays for garbage an
earlier one made.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections.abc import Sequence
from typing import cast

from execution_core.event import Event
from execution_core.simulation import ExecutionManagement, Model, PerformanceManagement
from execution_core.simulation.outcome import Appraisals
from execution_core.views import Ledger, scoreboard
from execution_core_adapters.simulate import simulate
from execution_core_adapters.storage.mapper import EventMapper
from execution_core_adapters.storage.store import open_store, sealed_by

TARGET_SECONDS = 2.5
TARGET_RATIO = 3.0


def _storing_alone(history: Sequence[Event]) -> tuple[float, float]:
    """Wall and CPU time to store the events one by one in a fresh in-memory store, each as the
    store writes it (encoded, its personal fields sealed with its person's key, chained,
    inserted), with nothing decided."""
    bare = open_store("memory://")
    persons = sealed_by(history)  # deciding whose data an event holds is not storing it
    mapper = cast(EventMapper, bare.app.mapper)
    insert = bare.app.recorder.insert_events
    started, cpu = time.perf_counter(), time.process_time()
    for event, person in zip(history, persons, strict=True):
        insert([mapper.stored_event(event, person)])
    gc.collect()
    figures = time.perf_counter() - started, time.process_time() - cpu
    bare.close()
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--cadence", type=int, default=28, help="check-in cadence in days")
    parser.add_argument("--policy", choices=("execution", "performance"), default="execution")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    model = Model(people=args.people, weeks=args.weeks, developmental=False)
    policy = (
        ExecutionManagement(cadence_days=args.cadence)
        if args.policy == "execution"
        else PerformanceManagement(cadence_days=args.cadence)
    )
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    simulation = simulate(model, policy, seed=args.seed)
    gc.collect()
    simulated, simulated_cpu = time.perf_counter() - started, time.process_time() - cpu
    run = simulation.run
    assert run is not None

    started, cpu = time.perf_counter(), time.process_time()
    history = simulation.history()
    ledger = Ledger.of(history)
    gc.collect()
    folded, folded_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    end = max(event.occurred_at for event in history)  # after the last appraisal
    board = scoreboard(ledger, run.cycle_id, at=end)
    appraisals = Appraisals(ledger, ledger.cycles[run.cycle_id], end)
    sheets = [appraisals.sheet(person.person_id) for person in run.blueprint.people]
    gc.collect()
    viewed, viewed_cpu = time.perf_counter() - started, time.process_time() - cpu
    rated = sum(1 for sheet in sheets if sheet.recorded_rating is not None)
    goals, sheet_count = len(board.rows), len(sheets)
    simulation.close()
    del simulation, ledger, board, appraisals, sheets  # the baseline's heap: the events alone
    gc.collect()

    baseline, baseline_cpu = _storing_alone(history)

    total = simulated + folded + viewed
    total_cpu = simulated_cpu + folded_cpu + viewed_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.people:,} people, {args.weeks} weeks, {args.policy} management "
        f"(check-ins every {args.cadence} days), seed {args.seed}: "
        f"{run.commands:,} commands, {run.events:,} events, {goals:,} goals, "
        f"{rated:,} appraisals"
    )
    print(
        f"simulate (decide + store every command): {simulated:.2f} s, CPU {simulated_cpu:.2f} s "
        f"({run.events / simulated_cpu:,.0f} events/s, {run.commands / simulated_cpu:,.0f} "
        "commands/s of CPU)"
    )
    print(f"read the history back and fold the Ledger: {folded:.2f} s, CPU {folded_cpu:.2f} s")
    print(
        f"build the views (final scoreboard, {sheet_count:,} appraisal sheets): "
        f"{viewed:.2f} s, CPU {viewed_cpu:.2f} s"
    )
    verdict = "within" if total_cpu < TARGET_SECONDS else "OVER"
    print(
        f"total: {total:.2f} s, CPU {total_cpu:.2f} s ({verdict} the {TARGET_SECONDS} s target "
        "in CPU time; the wall time counts other processes on a shared machine)"
    )
    print(f"peak memory (ru_maxrss): {peak_mb:,.0f} MB")
    print(
        f"baseline (store the same {len(history):,} events one by one in a fresh in-memory "
        f"store: encode, seal, chain, insert): {baseline:.2f} s, CPU {baseline_cpu:.2f} s "
        f"({len(history) / baseline_cpu:,.0f} events/s of CPU)"
    )
    ratio = simulated_cpu / baseline_cpu
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"ratio, CPU: simulating costs {ratio:.1f}x storing alone ({verdict} the "
        f"{TARGET_RATIO:.0f}x target); the whole run {total_cpu / baseline_cpu:.1f}x"
    )
    print(
        f"ratio, wall: simulating costs {simulated / baseline:.1f}x storing alone; the whole run "
        f"{total / baseline:.1f}x"
    )


if __name__ == "__main__":
    main()
