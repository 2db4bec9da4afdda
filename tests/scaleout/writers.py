"""Concurrent writers for the scale-out tests: a realistic mix of commands against shared goals,
each writer a separate process with its own connection, retrying on conflicts.

A writer returns every event its accepted commands recorded (``Outcome.events``), so a test can
check that the store holds exactly these, once each, and nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs

from execution_core import (
    AdjustTarget,
    Command,
    CommitmentSpec,
    ConcurrentChange,
    Event,
    Execution,
    ExecutionError,
    GiveCoaching,
    KeepCommitment,
    KeyResultSpec,
    LogProgress,
    SetGoal,
    WeightGoal,
)
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.store import open_store
from tests.support import CYCLE_ID, day, standard_org

OWNERS = ("ana", "ben", "max", "cora", "hana")
"""Goal owners, in turn; each owner's manager adjusts targets and coaches."""

MANAGERS = {"ana": "max", "ben": "max", "max": "cleo", "cora": "cleo", "hana": "cleo"}

KEY_RESULTS = ("deals", "calls")


def goal_id(n: int) -> UUID:
    """The id of the n-th shared goal."""
    return UUID(int=0x5C0_0000 + n)


def owner_of(n: int) -> str:
    return OWNERS[n % len(OWNERS)]


def seed(url: str, goals: int) -> list[Event]:
    """The standard organization and ``goals`` goals of two key results each; the events."""
    with Execution(open_store(url)) as execution:
        recorded: list[Event] = []
        for command in standard_org():
            recorded.extend(execution.execute(command).events)
        for n in range(goals):
            command = SetGoal(
                goal_id=goal_id(n),
                cycle_id=CYCLE_ID,
                title=f"Goal {n}",
                owner=OwnerSpec(kind="person", id=owner_of(n)),
                theme_id="growth",
                key_results=(
                    KeyResultSpec(kr_id="deals", name="Deals won", target=100),
                    KeyResultSpec(kr_id="calls", name="Calls made", target=400),
                ),
                actor="cleo",
                occurred_at=day(0),
            )
            recorded.extend(execution.execute(command).events)
        return recorded


@attrs.frozen
class Written:
    """What one writer did: the events its accepted commands recorded, and its refusals."""

    events: tuple[Event, ...]
    accepted: int
    refused: dict[str, int]


def _command(rng: random.Random, i: int, n: int, goals: int, commitments: list[str]) -> Command:
    """The i-th of n commands: check-ins mostly, then targets, coaching, commitments kept,
    weights. Business time moves through the first half of the cycle with some jitter."""
    g = rng.randrange(goals)
    owner = owner_of(g)
    at = day(i * 180 / n + rng.uniform(0, 2))
    kr = rng.choice(KEY_RESULTS)
    roll = rng.random()
    if roll < 0.62:
        return LogProgress(
            goal_id=goal_id(g),
            kr_id=kr,
            value=round(rng.uniform(0, 120), 1),
            confidence=round(rng.random(), 2),
            actor=owner,
            occurred_at=at,
        )
    if roll < 0.72:
        return AdjustTarget(
            goal_id=goal_id(g),
            kr_id=kr,
            target=rng.choice((80, 100, 120, 400, 500)),
            reason="re-planned",
            actor=MANAGERS[owner],
            occurred_at=at,
        )
    if roll < 0.88:
        agreed: Sequence[CommitmentSpec] = ()
        if rng.random() < 0.5:
            commitment = f"c{i}-{rng.getrandbits(32):08x}"
            commitments.append(f"{owner}:{commitment}")
            agreed = (
                CommitmentSpec(
                    commitment_id=commitment,
                    action="Call back",
                    due_on=at.date() + timedelta(days=14),
                ),
            )
        return GiveCoaching(
            person_id=owner,
            goal_id=goal_id(g),
            note="weekly",
            commitments=agreed,
            actor=MANAGERS[owner],
            occurred_at=at,
        )
    if roll < 0.95 and commitments:
        person, commitment = commitments.pop(rng.randrange(len(commitments))).split(":")
        return KeepCommitment(
            person_id=person, commitment_id=commitment, actor=person, occurred_at=at
        )
    return WeightGoal(
        goal_id=goal_id(g),
        weight=rng.choice((0.5, 1.0, 2.0)),
        actor=MANAGERS[owner],
        occurred_at=at,
    )


def write(url: str, writer: int, commands: int, goals: int, retries: int = 50) -> Written:
    """Run ``commands`` commands of the mix (seeded by ``writer``) with ``retries`` on
    conflicts; return what was recorded. Meant to run in its own process."""
    rng = random.Random(writer)
    recorded: list[Event] = []
    refused: dict[str, int] = {}
    accepted = 0
    commitments: list[str] = []
    with Execution(open_store(url)) as execution:
        for i in range(commands):
            command = _command(rng, i, commands, goals, commitments)
            try:
                outcome = execution.execute(command, retries=retries)
            except ConcurrentChange:
                refused["ConcurrentChange"] = refused.get("ConcurrentChange", 0) + 1
                continue
            except ExecutionError as error:
                name = type(error).__name__
                refused[name] = refused.get(name, 0) + 1
                continue
            accepted += 1
            recorded.extend(outcome.events)
    return Written(tuple(recorded), accepted, refused)


def identity(event: Event) -> tuple[UUID, int]:
    """Where an event lives: its stream and version."""
    return (event.stream_id, event.version)


def run_writers(url: str, writers: int, commands: int, goals: int) -> list[Written]:
    """``writers`` processes writing at once (spawned: each has its own connections)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        results: list[Any] = [
            pool.apply_async(write, (url, w, commands, goals)) for w in range(writers)
        ]
        return [result.get() for result in results]
