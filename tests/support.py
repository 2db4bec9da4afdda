"""Given/when/then support: a fresh in-memory execution with a fixed clock and a small org."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    AddPerson,
    AddTheme,
    Command,
    DefineStrategy,
    Event,
    Execution,
    ExecutionError,
    FoundUnit,
    KeyResultSpec,
    OpenCycle,
    Role,
    SetGoal,
)
from execution_core import views as v
from execution_core.goals.commands import OwnerSpec
from execution_core_adapters.storage.store import open_store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""A Monday early in the 2026 cycle: the default business time of the specs."""

CYCLE_ID = UUID("00000000-0000-4000-8000-000000000001")


def day(n: float) -> datetime:
    """Business time ``n`` days after T0."""
    return T0 + timedelta(days=n)


class FixedClock:
    """A store clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _ids() -> Iterator[UUID]:
    n = 100
    while True:
        n += 1
        yield UUID(int=n)


class Spec:
    """One specification: given commands (or a standard org), when a command, then events."""

    def __init__(self) -> None:
        self.clock = FixedClock()
        ids = _ids()
        # The specs date facts freely against a clock they move by hand: the facade's check of
        # dates ahead of the store's clock has its own spec (tests/signals/test_future_facts.py).
        self.execution = Execution(
            open_store("memory://", clock=self.clock),
            new_id=lambda: next(ids),
            future_tolerance=None,
        )

    def given(self, *commands: Command) -> Spec:
        """Run commands that must all succeed."""
        for command in commands:
            self.execution.execute(command)
        return self

    def when(self, command: Command) -> tuple[Event, ...]:
        """Run the command under test and return the events it recorded."""
        return self.execution.execute(command).events

    def then_refused(
        self, command: Command, error: type[ExecutionError], match: str | None = None
    ) -> ExecutionError:
        """The command raises ``error`` and the store is left exactly as it was."""
        before = self.execution.store.last_position()
        with pytest.raises(error, match=match) as caught:
            self.execution.execute(command)
        assert self.execution.store.last_position() == before, "a refused command recorded events"
        return caught.value


def payload(event: Event) -> dict[str, Any]:
    """An event's own fields, without stream id, version, actor and clocks."""
    import attrs

    data = attrs.asdict(event, recurse=False)
    for key in ("stream_id", "version", "actor", "occurred_at", "recorded_at"):
        data.pop(key)
    return data


def standard_org() -> list[Command]:
    """A small organization: HQ > Sales; an executive, HR, a manager, two reports, a coach.

    - ``cleo`` (executive, HQ), ``hana`` (HR, reviewer, HQ, reports to cleo)
    - ``max`` manages Sales and reports to cleo; ``ana`` and ``ben`` report to max
    - ``cora`` is a coach in HQ with no reports
    Plus a strategy with theme ``growth`` and the cycle CYCLE_ID (2026, weekly cadence).
    """
    s = {"actor": "system", "occurred_at": T0}
    x = {"actor": "cleo", "occurred_at": T0}
    return [
        FoundUnit(unit_id="hq", name="Headquarters", **s),
        FoundUnit(unit_id="sales", name="Sales", parent_id="hq", **s),
        AddPerson(person_id="cleo", name="Cleo", unit_id="hq", roles=(Role.EXECUTIVE,), **s),
        AddPerson(
            person_id="hana",
            name="Hana",
            unit_id="hq",
            manager_id="cleo",
            roles=(Role.HR, Role.REVIEWER),
            **s,
        ),
        AddPerson(person_id="max", name="Max", unit_id="sales", manager_id="cleo", **s),
        AddPerson(person_id="ana", name="Ana", unit_id="sales", manager_id="max", **s),
        AddPerson(person_id="ben", name="Ben", unit_id="sales", manager_id="max", **s),
        AddPerson(person_id="cora", name="Cora", unit_id="hq", manager_id="cleo", **s),
        DefineStrategy(vision="Be the team customers recommend", **x),
        AddTheme(theme_id="growth", title="Grow revenue", **x),
        OpenCycle(
            cycle_id=CYCLE_ID,
            name="2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cadence_days=7,
            **x,
        ),
    ]


def seed_deals_goal(execution: Execution, goal_id: UUID) -> None:
    """Record the standard organization, then ana's goal ``goal_id`` in the 2026 cycle with
    one key result, ``deals``, target 10, set by her manager max."""
    for command in standard_org():
        execution.execute(command)
    execution.execute(
        SetGoal(
            actor="max",
            occurred_at=day(0),
            goal_id=goal_id,
            cycle_id=CYCLE_ID,
            title="Deals",
            owner=OwnerSpec(id="ana"),
            key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
        )
    )


CYCLE_VIEWS: tuple[Callable[..., Any], ...] = (
    v.scoreboard,
    v.alignment_tree,
    v.coaching_radar,
    v.adjustments_log,
    v.detection_lead_time,
    v.agenda,
    v.plan_quality,
    v.target_honesty,
    v.confidence_calibration,
    v.coaching_effect,
    v.calibration,
)
"""Every view read as ``view(ledger, cycle_id, at=...)``: the properties build them all."""
