"""Two processes on one PostgreSQL store: a decision made on cached states that another
process has since changed is never recorded on them; it is made again on fresh reads.

On PostgreSQL a decision uses the states it has cached without asking the database, and its
write commits only if none of them changed meanwhile (checked under the events table's lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from execution_core import (
    AddPerson,
    CloseCycle,
    Execution,
    KeyResultSpec,
    LogProgress,
    RuleViolated,
    SetGoal,
)
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.support import CYCLE_ID, T0, FixedClock, day, standard_org

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000e1")


@pytest.fixture
def two(postgres_url: str) -> Iterator[tuple[Execution, Execution]]:
    """Two facades with their own store objects (as two processes), both caches warm."""
    clock = FixedClock(day(3))
    first = Execution(open_store(postgres_url, clock=clock))
    for command in standard_org():
        first.execute(command)
    first.execute(
        SetGoal(
            actor="max",
            occurred_at=T0,
            goal_id=GOAL_ID,
            cycle_id=CYCLE_ID,
            title="Deals",
            owner=OwnerSpec(id="ana"),
            key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
        )
    )
    second = Execution(open_store(postgres_url, clock=clock))
    second.execute(_log(1))  # warms the second one's cache: organization, goal, cycle
    yield first, second
    first.close()
    second.close()


def _log(value: float, actor: str = "ana", when: float = 1) -> LogProgress:
    return LogProgress(
        actor=actor,
        occurred_at=day(when),
        goal_id=GOAL_ID,
        kr_id="deals",
        value=value,
        confidence=0.5,
    )


def test_a_check_in_after_another_process_wrote_the_goal_follows_it(
    two: tuple[Execution, Execution],
) -> None:
    """Given the goal's check-in recorded by another process since this one cached the goal,
    when this one checks in, then its check-in follows the other's (no conflict surfaces)."""
    first, second = two
    first.execute(_log(2))
    outcome = second.execute(_log(3))
    assert [e.version for e in outcome.events] == [5]
    assert [getattr(e, "value", None) for e in first.events(GOAL_ID)][-3:] == [1, 2, 3]


def test_a_check_in_after_another_process_closed_the_cycle_is_refused(
    two: tuple[Execution, Execution],
) -> None:
    """Given the cycle closed by another process since this one cached it, when this one logs
    progress dated after the close, then it is refused and nothing is recorded."""
    first, second = two
    first.execute(CloseCycle(cycle_id=CYCLE_ID, actor="cleo", occurred_at=day(2)))
    store = second.store
    before = store.last_position()
    with pytest.raises(RuleViolated, match="closed"):
        second.execute(_log(3, when=2.5))
    assert store.last_position() == before


def test_a_person_added_by_another_process_is_known_at_once(
    two: tuple[Execution, Execution],
) -> None:
    """Given a person added by another process since this one cached the organization, when
    a command names them, then it is decided on the fresh organization and recorded."""
    first, second = two
    first.execute(
        AddPerson(
            person_id="zoe",
            name="Zoe",
            unit_id="sales",
            manager_id="ana",
            actor="system",
            occurred_at=day(2),
        )
    )
    second.execute(
        SetGoal(
            actor="zoe",
            occurred_at=day(2),
            cycle_id=CYCLE_ID,
            title="Calls",
            owner=OwnerSpec(id="zoe"),
            key_results=(KeyResultSpec(kr_id="calls", name="Calls", target=5),),
        )
    )
    assert isinstance(second.store, ExecutionStore)
    assert second.store.verify().ok
