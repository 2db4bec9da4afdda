"""What sealing personal fields costs: check-ins with a comment written and read back, with
the comment sealed with its owner's key and without (as a store before sealing wrote it).

    python -m benchmarks.sealing_cost [--url memory://|sqlite] [--checkins 2000] [--rounds 7]

Each round records, into a fresh store, a small organization, one goal per person and then
``--checkins`` ``LogProgress`` commands through ``Execution.execute``, each with a comment
(the personal field a check-in carries), alternating a sealing store and one whose mapper has
no sealer; then it reads every event back (``read_all``, as the view worker and the export
do). It prints the median CPU time (``time.process_time``) of writing and of reading in each,
and the ratios sealed / plain, all from the same run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

from execution_core import (
    AddPerson,
    Execution,
    FoundUnit,
    KeyResultSpec,
    LogProgress,
    OpenCycle,
    Role,
    SetGoal,
)
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.mapper import EventMapper
from execution_core_adapters.storage.store import ExecutionStore, open_store

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
CYCLE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
PEOPLE = 20


@contextmanager
def _store(url: str, *, sealed: bool) -> Iterator[ExecutionStore]:
    with tempfile.TemporaryDirectory() as folder:
        target = f"sqlite:///{Path(folder) / 'bench.db'}" if url == "sqlite" else url
        store = open_store(target)
        if not sealed:
            cast(EventMapper, store.app.mapper).sealer = None
        try:
            yield store
        finally:
            store.close()


def _seed(execution: Execution) -> list[uuid.UUID]:
    s = {"actor": "system", "occurred_at": T0}
    execution.execute(FoundUnit(unit_id="hq", name="Headquarters", **s))
    execution.execute(
        AddPerson(person_id="cleo", name="Cleo", unit_id="hq", roles=(Role.EXECUTIVE,), **s)
    )
    goals = []
    for n in range(PEOPLE):
        execution.execute(
            AddPerson(person_id=f"p{n}", name=f"Person {n}", unit_id="hq", manager_id="cleo", **s)
        )
    execution.execute(
        OpenCycle(
            cycle_id=CYCLE_ID,
            name="2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cadence_days=7,
            actor="cleo",
            occurred_at=T0,
        )
    )
    for n in range(PEOPLE):
        goal_id = uuid.UUID(int=1000 + n)
        execution.execute(
            SetGoal(
                goal_id=goal_id,
                cycle_id=CYCLE_ID,
                title=f"Goal {n}",
                owner=OwnerSpec(id=f"p{n}"),
                key_results=(KeyResultSpec(kr_id="kr", name="Deals", target=1000),),
                actor="cleo",
                occurred_at=T0,
            )
        )
        goals.append(goal_id)
    return goals


def _round(url: str, checkins: int, *, sealed: bool) -> tuple[float, float]:
    """CPU seconds to write the check-ins, and to read the whole store back."""
    with _store(url, sealed=sealed) as store:
        execution = Execution(store)
        goals = _seed(execution)
        commands = [
            LogProgress(
                goal_id=goals[n % PEOPLE],
                kr_id="kr",
                value=float(n // PEOPLE + 1),
                confidence=0.7,
                comment=f"Check-in {n}: waiting on the customer's legal review, café closed",
                actor=f"p{n % PEOPLE}",
                occurred_at=T0 + timedelta(minutes=n),
            )
            for n in range(checkins)
        ]
        start = time.process_time()
        for command in commands:
            execution.execute(command)
        written = time.process_time() - start
        start = time.process_time()
        read = sum(1 for _ in store.read_all())
        reading = time.process_time() - start
        assert read >= checkins
        return written, reading


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="memory://", help="memory:// or sqlite (a temp file)")
    parser.add_argument("--checkins", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for sealed in (False, True):
            figures[sealed].append(_round(args.url, args.checkins, sealed=sealed))
    medians = {
        sealed: (
            statistics.median(w for w, _ in runs),
            statistics.median(r for _, r in runs),
        )
        for sealed, runs in figures.items()
    }
    n = args.checkins
    for sealed, label in ((False, "plain"), (True, "sealed")):
        write, read = medians[sealed]
        print(
            f"{label:>6}: write {n / write:8.0f} check-ins/s CPU ({write * 1e6 / n:6.1f} us each),"
            f" read back {read * 1e3:7.1f} ms CPU"
        )
    print(
        f"ratio sealed/plain ({args.url}, {n} check-ins, median of {args.rounds}): "
        f"write CPU x{medians[True][0] / medians[False][0]:.3f}, "
        f"read CPU x{medians[True][1] / medians[False][1]:.3f}"
    )


if __name__ == "__main__":
    main()
