"""Large synthetic stores for the benchmarks, written straight through the store's event store.

The events are built from the core's event classes (so they are valid by construction) and
inserted in large batches, bypassing the deciders: building a million-event store through the
facade would measure the deciders, not what a benchmark is about.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID, uuid5

from execution_core import Event, GoalKind, Owner, Policy, Role
from execution_core.events import (
    Alignment,
    CycleOpened,
    Direction,
    GoalSet,
    KeyResultAdded,
    PersonJoined,
    PolicyAdopted,
    ProgressLogged,
    StrategyDefined,
    ThemeAdded,
    UnitFounded,
)
from execution_core.ids import NAMESPACE, ORGANIZATION_ID, STRATEGY_ID
from execution_core_adapters.storage.store import ExecutionStore, open_store

__all__ = ["CYCLE_ID", "START", "build_store", "goal_ids", "synthetic_events"]

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
CYCLE_ID = uuid5(NAMESPACE, "bench/cycle")


def goal_ids(goals: int) -> list[UUID]:
    """The ids of the synthetic goals."""
    return [uuid5(NAMESPACE, f"bench/goal/{n}") for n in range(goals)]


def setup_events(goals: int) -> int:
    """How many events the synthetic organization takes before its first check-in: the
    company and its executive, a person each, the strategy and cycle, a goal and key result
    each."""
    return 2 + goals + 4 + 2 * goals


def events_with_checkins(goals: int, checkins: int) -> int:
    """The ``total`` of :func:`synthetic_events` that gives each goal ``checkins`` check-ins."""
    return setup_events(goals) + checkins * goals


def synthetic_events(total: int, goals: int, *, seed: int = 1) -> Iterator[Event]:
    """An organization of ``goals`` people with one goal each, then check-ins up to ``total``."""
    rng = random.Random(seed)
    t = START

    def envelope(stream: UUID, version: int, at: datetime, actor: str = "system") -> dict[str, Any]:
        return {
            "stream_id": stream,
            "version": version,
            "actor": actor,
            "occurred_at": at,
            "recorded_at": at,
        }

    yield UnitFounded(**envelope(ORGANIZATION_ID, 1, t), unit_id="co", unit_name="Company")
    yield PersonJoined(
        **envelope(ORGANIZATION_ID, 2, t),
        person_id="boss",
        person_name="Boss",
        unit_id="co",
        roles=(Role.EXECUTIVE,),
    )
    for n in range(goals):
        yield PersonJoined(
            **envelope(ORGANIZATION_ID, 3 + n, t),
            person_id=f"p{n}",
            person_name=f"Person {n}",
            unit_id="co",
            manager_id="boss",
        )
    yield StrategyDefined(**envelope(STRATEGY_ID, 1, t, "boss"), vision="Benchmark")
    yield ThemeAdded(**envelope(STRATEGY_ID, 2, t, "boss"), theme_id="t", title="Theme")
    yield CycleOpened(
        **envelope(CYCLE_ID, 1, t, "boss"),
        cycle_name="2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        cadence_days=7,
    )
    yield PolicyAdopted(**envelope(CYCLE_ID, 2, t, "boss"), policy=Policy())
    ids = goal_ids(goals)
    for n, goal_id in enumerate(ids):
        yield GoalSet(
            **envelope(goal_id, 1, t, "boss"),
            title=f"Goal {n}",
            kind=GoalKind.INDIVIDUAL,
            owner=Owner("person", f"p{n}"),
            cycle_id=CYCLE_ID,
            aligned_to=Alignment(theme_id="t"),
            weight=1.0,
        )
        yield KeyResultAdded(
            **envelope(goal_id, 2, t, "boss"),
            kr_id="kr",
            kr_name="Result",
            unit="",
            baseline=0.0,
            target=100.0,
            stretch=None,
            direction=Direction.INCREASE,
            milestone=False,
            weight=1.0,
        )
    versions = dict.fromkeys(ids, 2)
    written = setup_events(goals)
    span = timedelta(days=360)
    step = span / max(1, total - written)
    n = 0
    while written < total:
        goal_id = ids[n % goals]
        versions[goal_id] += 1
        at = START + step * n
        yield ProgressLogged(
            **envelope(goal_id, versions[goal_id], at, f"p{n % goals}"),
            kr_id="kr",
            value=round(rng.uniform(0, 100), 1),
            confidence=round(rng.random(), 2),
        )
        written += 1
        n += 1


def build_store(url: str, total: int, goals: int, *, batch: int = 5_000) -> ExecutionStore:
    """A store at ``url`` holding ``total`` synthetic events (creating it once per path)."""
    store = open_store(url, snapshot_interval=0)
    if store.last_position() >= total:
        return store
    if store.last_position():
        raise RuntimeError(f"{url} holds a different benchmark store; delete it first")
    pending: list[Event] = []
    for event in synthetic_events(total, goals):
        pending.append(event)
        if len(pending) >= batch:
            store.app.events.put(cast(Any, pending))
            pending = []
    if pending:
        store.app.events.put(cast(Any, pending))
    return store


def sqlite_url(directory: Path, total: int, goals: int) -> str:
    """Where the benchmark keeps a store of this size between runs."""
    return f"sqlite:///{directory / f'bench-{total}-{goals}.db'}"
