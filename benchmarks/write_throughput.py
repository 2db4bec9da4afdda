"""Commands per second on PostgreSQL: the library against bare eventsourcing and plain psycopg.

    python -m benchmarks.write_throughput [--url postgresql://postgres@127.0.0.1:5432/test]
        [--commands 2000] [--goals 100] [--rounds 3] [--processes 1,2,4,8]

Every measurement runs in a fresh schema, dropped afterwards. Measured, one process:

- ``library``: ``LogProgress`` check-ins through ``Execution.execute`` on pre-created goals
  (round robin), each command reading the organization, the cycle and the goal (cached,
  fast-forwarded) and recording one event with its hash-chain row in one transaction;
- ``library + key``: the same, each command carrying an idempotency key (a receipt row too);
- ``bare eventsourcing``: a plain eventsourcing ``Application``'s recorder inserting the same
  stored events (same streams, versions, topics and bytes), one per transaction;
- ``plain psycopg``: one autocommitted ``INSERT`` per event, same columns and bytes, into a
  table of the same shape (a bigserial key and a unique (stream, version) index).

Then the library with 1 to 8 writer processes (each its own goals, started together): total
commands per second. Figures are medians of ``--rounds``; ratios are against the bare
eventsourcing figure of the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from execution_core import (
    AddPerson,
    Command,
    Execution,
    FoundUnit,
    KeyResultSpec,
    LogProgress,
    OpenCycle,
    Role,
    SetGoal,
)
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.store import open_store

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
CYCLE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _organization() -> list[Command]:
    """An executive, a manager and a report (ana, who checks in), and the 2026 cycle."""
    s: dict[str, Any] = {"actor": "system", "occurred_at": T0}
    return [
        FoundUnit(unit_id="hq", name="Headquarters", **s),
        AddPerson(person_id="cleo", name="Cleo", unit_id="hq", roles=(Role.EXECUTIVE,), **s),
        AddPerson(person_id="max", name="Max", unit_id="hq", manager_id="cleo", **s),
        AddPerson(person_id="ana", name="Ana", unit_id="hq", manager_id="max", **s),
        OpenCycle(
            cycle_id=CYCLE_ID,
            name="2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cadence_days=7,
            actor="cleo",
            occurred_at=T0,
        ),
    ]


@contextmanager
def _fresh_schema(url: str) -> Iterator[str]:
    """A store URL on a new schema of the server, dropped afterwards."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    base = url.split("?", maxsplit=1)[0]
    with psycopg.connect(base, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{base}?schema={schema}"
        finally:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _goal_ids(count: int, writer: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=(writer + 1) << 32 | n) for n in range(count)]


def _seed(url: str, goals: int, writers: int = 1) -> None:
    """The organization and ``goals`` goals of ana's per writer, in the store at ``url``."""
    with Execution(open_store(url)) as execution:
        _seed_store(execution, goals, writers)


def _seed_store(execution: Execution, goals: int, writers: int) -> None:
    for command in _organization():
        execution.execute(command)
    for writer in range(writers):
        for goal_id in _goal_ids(goals, writer):
            execution.execute(
                SetGoal(
                    actor="max",
                    occurred_at=T0,
                    goal_id=goal_id,
                    cycle_id=CYCLE_ID,
                    title="Deals",
                    owner=OwnerSpec(id="ana"),
                    key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=1000),),
                )
            )


def _commands(count: int, goals: list[uuid.UUID]) -> list[LogProgress]:
    return [
        LogProgress(
            actor="ana",
            occurred_at=T0 + timedelta(minutes=n),
            goal_id=goals[n % len(goals)],
            kr_id="deals",
            value=float(n),
            confidence=0.5,
        )
        for n in range(count)
    ]


Run = Callable[[range], None]
"""Records the items of a range (commands, or stored events) one by one."""


@contextmanager
def _library(url: str, commands: list[LogProgress], *, keyed: bool) -> Iterator[Run]:
    """Commands through the facade (the store opened and warm)."""
    with Execution(open_store(url)) as execution:
        execution.organization()

        def run(span: range) -> None:
            for n in span:
                execution.execute(commands[n], idempotency_key=f"k{n}" if keyed else None)

        yield run


def _stored_rows(
    commands: list[LogProgress], goals: int
) -> list[tuple[uuid.UUID, int, str, bytes]]:
    """The check-ins as the library stores them (stream, version, topic, bytes), recorded in
    memory: the same streams, versions, names and payload sizes."""
    store = open_store("memory://")
    _seed_store(Execution(store), goals, 1)
    execution = Execution(store)
    rows = []
    for command in commands:
        event = execution.execute(command).events[0]
        stored = store.app.mapper.to_stored_event(cast(Any, event))
        rows.append((event.stream_id, event.version, stored.topic, stored.state))
    return rows


@contextmanager
def _bare(url: str, rows: list[tuple[uuid.UUID, int, str, bytes]]) -> Iterator[Run]:
    """A plain eventsourcing application's recorder inserting the same rows, one each."""
    from eventsourcing.application import Application
    from eventsourcing.persistence import StoredEvent

    base, schema = url.split("?schema=")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": base.rsplit("/", 1)[1],
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
    }

    class Bare(Application[uuid.UUID]):
        name = "Bare"

    app = Bare(env=env)
    recorder = app.recorder
    stored = [StoredEvent(stream, version, topic, state) for stream, version, topic, state in rows]

    def run(span: range) -> None:
        for n in span:
            recorder.insert_events([stored[n]])

    try:
        yield run
    finally:
        app.close()


@contextmanager
def _psycopg(url: str, rows: list[tuple[uuid.UUID, int, str, bytes]]) -> Iterator[Run]:
    """One autocommitted, prepared INSERT per row into a table of the same shape."""
    import psycopg

    base, schema = url.split("?schema=")
    with psycopg.connect(base, autocommit=True) as db:
        db.execute(
            f'CREATE TABLE "{schema}".plain_events (notification_id bigserial PRIMARY KEY, '
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text NOT NULL, state bytea NOT NULL, "
            "UNIQUE (originator_id, originator_version))"
        )
        insert = (
            f'INSERT INTO "{schema}".plain_events '
            "(originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
        )

        def run(span: range) -> None:
            for n in span:
                db.execute(insert, rows[n], prepare=True)

        yield run


def _single_process(url: str, count: int, goals: int, batch: int) -> dict[str, float]:
    """Commands (or rows) per second of each way of writing, measured in alternating batches
    so that a change in the machine's load affects them all alike."""
    commands = _commands(count, _goal_ids(goals, 0))
    rows = _stored_rows(commands, goals)
    with ExitStack() as stack:
        library, keyed, bare, plain = (stack.enter_context(_fresh_schema(url)) for _ in range(4))
        _seed(library, goals)
        _seed(keyed, goals)
        runs = {
            "library": stack.enter_context(_library(library, commands, keyed=False)),
            "library + key": stack.enter_context(_library(keyed, commands, keyed=True)),
            "bare eventsourcing": stack.enter_context(_bare(bare, rows)),
            "plain psycopg": stack.enter_context(_psycopg(plain, rows)),
        }
        spent = dict.fromkeys(runs, 0.0)
        for start in range(0, count, batch):
            span = range(start, min(start + batch, count))
            for name, run in runs.items():
                started = time.perf_counter()
                run(span)
                spent[name] += time.perf_counter() - started
    return {name: count / seconds for name, seconds in spent.items()}


def _writer(url: str, writer: int, goals: int, count: int, sync: tuple[Any, Any]) -> None:
    barrier, results = sync
    commands = _commands(count, _goal_ids(goals, writer))
    with Execution(open_store(url)) as execution:
        for goal_id in _goal_ids(goals, writer):
            execution.goal(goal_id)  # warm: the measurement is of writes
        barrier.wait()
        started = time.perf_counter()
        for command in commands:
            execution.execute(command)
        results.put((started, time.perf_counter()))


def _run_processes(url: str, processes: int, goals: int, count: int) -> float:
    """Total commands per second of ``processes`` writers started together."""
    _seed(url, goals, processes)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_writer, args=(url, n, goals, count, (barrier, results)))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans: list[tuple[float, float]] = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return processes * count / elapsed


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--goals", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--processes", default="1,2,4,8")
    args = parser.parse_args()
    n = args.commands
    rounds: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, value in _single_process(args.url, n, args.goals, args.batch).items():
            rounds.setdefault(name, []).append(value)
    rate = {name: statistics.median(values) for name, values in rounds.items()}
    bare = rate["bare eventsourcing"]
    print(
        f"{n} check-ins on {args.goals} goals, one process, batches of {args.batch} "
        f"alternating between the four, median of {args.rounds} rounds"
    )
    print(f"{'':22}{'commands/s':>12}{'us/command':>12}{'vs bare':>10}")
    for name, value in rate.items():
        print(f"{name:22}{value:12.0f}{1e6 / value:12.0f}{value / bare:10.2f}")
    print()
    print(f"library, writer processes ({n // 2} check-ins each, own goals), median of rounds")
    print(f"{'processes':>10}{'commands/s':>12}{'vs 1':>8}")
    first = 0.0
    for processes in (int(p) for p in args.processes.split(",")):
        rates = []
        for _ in range(args.rounds):
            with _fresh_schema(args.url) as url:
                rates.append(_run_processes(url, processes, args.goals, n // 2))
        total = statistics.median(rates)
        first = first or total
        print(f"{processes:10}{total:12.0f}{total / first:8.2f}")


if __name__ == "__main__":
    main()
