"""Two writers on one goal: the second to write gets ConcurrentChange and nothing is lost."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from execution_core import ConcurrentChange, Event, Execution, KeyResultSpec, LogProgress, SetGoal
from execution_core.decider import Decider
from execution_core.events import ProgressLogged
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.support import CYCLE_ID, T0, FixedClock, day, standard_org


class _Interleaving(ExecutionStore):
    """A store that lets another writer slip in between our read and our write, once."""

    def __init__(self, inner: ExecutionStore, other: Any) -> None:
        self.__dict__.update(inner.__dict__)
        self._other = other

    def append(self, events: Sequence[Event], decider: Decider[Any], state: Any) -> None:
        if self._other is not None:
            other, self._other = self._other, None
            other()
        super().append(events, decider, state)


def _log(value: float, actor: str = "ana") -> LogProgress:
    return LogProgress(
        actor=actor,
        occurred_at=day(1),
        goal_id=GOAL_ID,
        kr_id="deals",
        value=value,
        confidence=0.6,
    )


GOAL_ID = UUID("00000000-0000-4000-8000-0000000000aa")


def _writers(url: str) -> tuple[Execution, Execution, Execution]:
    """A goal of ana's, and a racing writer whose first write lets max's check-in slip in."""
    clock = FixedClock()
    first = Execution(open_store(url, clock=clock))
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
    second = Execution(open_store(url, clock=clock))
    racing = Execution(
        _Interleaving(open_store(url, clock=clock), lambda: second.execute(_log(3, "max")))
    )
    return first, second, racing


def _two_writers(url: str) -> None:
    first, second, racing = _writers(url)
    before = racing.store.read(GOAL_ID)
    with pytest.raises(ConcurrentChange):
        racing.execute(_log(2))
    after = first.events(GOAL_ID)
    assert len(after) == len(before) + 1, "exactly the other writer's check-in was stored"
    assert isinstance(after[-1], ProgressLogged)
    assert (after[-1].value, after[-1].actor) == (3, "max")
    # the loser re-reads and retries, and both check-ins now stand
    racing.execute(_log(2))
    values = [e.value for e in first.events(GOAL_ID) if isinstance(e, ProgressLogged)]
    assert values == [3, 2]
    for execution in (first, second, racing):
        execution.close()


def test_second_writer_on_sqlite_gets_concurrent_change(tmp_path: Path) -> None:
    """Given two writers on one goal in one SQLite file, when both log progress from the same
    read, then the second gets ConcurrentChange, stores nothing, and succeeds on retry."""
    _two_writers(f"sqlite:///{tmp_path / 'plan.db'}")


@pytest.mark.postgres
def test_second_writer_on_postgres_gets_concurrent_change(postgres_url: str) -> None:
    """Given two writers on one goal on PostgreSQL, when both log progress from the same read,
    then the second gets ConcurrentChange, stores nothing, and succeeds on retry."""
    _two_writers(postgres_url)


def test_execute_with_retries_re_reads_and_succeeds(tmp_path: Path) -> None:
    """Given another writer slipping in between read and write, when the command runs with
    retries=1, then it is re-decided on the fresh state and both check-ins stand."""
    first, second, racing = _writers(f"sqlite:///{tmp_path / 'plan.db'}")
    racing.execute(_log(2), retries=1)
    values = [e.value for e in first.events(GOAL_ID) if isinstance(e, ProgressLogged)]
    assert values == [3, 2]
    for execution in (first, second, racing):
        execution.close()
