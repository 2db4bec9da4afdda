"""The standard world of the specs, as the events that made it (see ``tests.support``).

HQ > Sales; ``cleo`` (executive, HQ), ``hana`` (HR and reviewer, reports to cleo), ``max``
(Sales, reports to cleo), ``ana`` and ``ben`` (Sales, report to max), ``cora`` (HQ, reports
to cleo, no reports). The strategy has the theme ``growth``; the cycle ``CYCLE_ID`` is 2026
with a weekly cadence and the default policy; ``deals_goal`` is ana's goal with one key result.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from execution_core.access import Owner
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.goals.events import Direction, GoalKind, GoalSet, KeyResultAdded
from execution_core.organization.events import PersonJoined, Role, UnitFounded
from execution_core.policy import Policy
from execution_core.strategy.events import StrategyDefined, ThemeAdded
from tests.specs.gwt import Fact, fact
from tests.support import CYCLE_ID

__all__ = ["GOAL_ID", "closed_cycle", "cycle", "deals_goal", "organization", "strategy", "world"]

GOAL_ID = UUID("00000000-0000-4000-8000-00000000a001")


def organization() -> list[Fact]:
    """Two units and six people."""
    people = [
        ("cleo", "Cleo", "hq", None, (Role.EXECUTIVE,)),
        ("hana", "Hana", "hq", "cleo", (Role.HR, Role.REVIEWER)),
        ("max", "Max", "sales", "cleo", ()),
        ("ana", "Ana", "sales", "max", ()),
        ("ben", "Ben", "sales", "max", ()),
        ("cora", "Cora", "hq", "cleo", ()),
    ]
    return [
        fact(UnitFounded, unit_id="hq", unit_name="Headquarters"),
        fact(UnitFounded, unit_id="sales", unit_name="Sales", parent_id="hq"),
        *(
            fact(
                PersonJoined,
                person_id=person,
                person_name=name,
                unit_id=unit,
                manager_id=manager,
                roles=roles,
            )
            for person, name, unit, manager, roles in people
        ),
    ]


def strategy() -> list[Fact]:
    """A vision and the theme ``growth``."""
    return [
        fact(StrategyDefined, actor="cleo", vision="Be the team customers recommend"),
        fact(ThemeAdded, actor="cleo", theme_id="growth", title="Grow revenue"),
    ]


def cycle(cycle_id: UUID = CYCLE_ID, name: str = "2026") -> list[Fact]:
    """A cycle over 2026 with a weekly cadence and the default policy."""
    return [
        fact(
            CycleOpened,
            stream_id=cycle_id,
            actor="cleo",
            cycle_name=name,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cadence_days=7,
        ),
        fact(PolicyAdopted, stream_id=cycle_id, actor="cleo", policy=Policy()),
    ]


def closed_cycle(cycle_id: UUID = CYCLE_ID) -> Fact:
    """The cycle's close, at the end of 2026."""
    return fact(
        CycleClosed,
        stream_id=cycle_id,
        actor="cleo",
        occurred_at=datetime(2026, 12, 31, 18, 0, tzinfo=UTC),
    )


def deals_goal(goal_id: UUID = GOAL_ID, owner: str = "ana", title: str = "Deals") -> list[Fact]:
    """``owner``'s goal in the 2026 cycle, set by max, with the key result ``deals`` (0 to 10)."""
    return [
        fact(
            GoalSet,
            stream_id=goal_id,
            actor="max",
            title=title,
            kind=GoalKind.INDIVIDUAL,
            owner=Owner("person", owner),
            cycle_id=CYCLE_ID,
            aligned_to=None,
            weight=1.0,
        ),
        fact(
            KeyResultAdded,
            stream_id=goal_id,
            actor="max",
            kr_id="deals",
            kr_name="Deals",
            unit="",
            baseline=0.0,
            target=10.0,
            stretch=None,
            direction=Direction.INCREASE,
            milestone=False,
            weight=1.0,
        ),
    ]


def world() -> list[Fact]:
    """The organization, the strategy and the open 2026 cycle."""
    return [*organization(), *strategy(), *cycle()]
