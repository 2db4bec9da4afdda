"""Cycle streams: opening a cycle, the policy in force, and its close."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from execution_core.cycles.commands import AdoptPolicy, CloseCycle, OpenCycle, PolicySpec
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.errors import InvalidInput, NotFound, NotPermitted, RuleViolated
from execution_core.policy import Policy
from tests.specs.background import closed_cycle, world
from tests.specs.gwt import Scenario, fact
from tests.support import CYCLE_ID, T0, day

EXEC = {"actor": "cleo", "occurred_at": T0}
Q2 = UUID("00000000-0000-4000-8000-0000000000c2")
UNKNOWN = UUID("00000000-0000-4000-8000-0000000000ee")
STRICTER = Policy(on_track=0.95)


def policy_spec(**fields: float) -> PolicySpec:
    """A policy's JSON form with these fields (the rest as the defaults)."""
    return PolicySpec.model_validate(fields)


def given_world() -> Scenario:
    return Scenario().given(*world())


def test_open_cycle_records_its_dates_and_the_default_policy() -> None:
    """When the executive opens Q2 without a policy, then CycleOpened and the default policy."""
    given_world().when(
        OpenCycle(
            cycle_id=Q2,
            name="Q2",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            cadence_days=14,
            **EXEC,
        )
    ).then(
        fact(
            CycleOpened,
            cycle_name="Q2",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            cadence_days=14,
        ),
        fact(PolicyAdopted, policy=Policy()),
    )


def test_open_cycle_with_its_own_policy() -> None:
    """A cycle opened with a policy adopts that one."""
    given_world().when(
        OpenCycle(
            cycle_id=Q2,
            name="Q2",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            policy=policy_spec(on_track=0.95),
            **EXEC,
        )
    ).then(
        fact(
            CycleOpened,
            cycle_name="Q2",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
            cadence_days=7,
        ),
        fact(PolicyAdopted, policy=STRICTER),
    )


def test_open_cycle_refuses_one_already_opened_a_manager_and_no_id() -> None:
    """A cycle id already opened breaks a rule; only executives run cycles; a command whose id
    the service did not assign is invalid."""
    opening = {"name": "2026", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31)}
    given_world().when(OpenCycle(cycle_id=CYCLE_ID, **opening, **EXEC)).then_refused(
        RuleViolated, "already opened"
    )
    given_world().when(OpenCycle(cycle_id=Q2, **opening, actor="max", occurred_at=T0)).then_refused(
        NotPermitted, "'max' is not permitted to"
    )
    given_world().when(OpenCycle(**opening, **EXEC)).then_refused(
        InvalidInput, "cycle_id must be assigned"
    )


def test_adopt_policy_by_hr() -> None:
    """When HR adopts a stricter policy for the cycle, then PolicyAdopted."""
    given_world().when(
        AdoptPolicy(
            cycle_id=CYCLE_ID, policy=policy_spec(on_track=0.95), actor="hana", occurred_at=day(3)
        )
    ).then(fact(PolicyAdopted, policy=STRICTER))


def test_adopt_policy_refuses_the_policy_in_force_an_unknown_cycle_and_a_manager() -> None:
    """The policy already in force changes nothing; an unknown cycle is not found; a manager
    may not adopt a policy."""
    given_world().when(AdoptPolicy(cycle_id=CYCLE_ID, policy=PolicySpec(), **EXEC)).then_refused(
        RuleViolated, "already in force"
    )
    given_world().when(AdoptPolicy(cycle_id=UNKNOWN, policy=PolicySpec(), **EXEC)).then_refused(
        NotFound, "unknown cycle"
    )
    given_world().when(
        AdoptPolicy(
            cycle_id=CYCLE_ID, policy=policy_spec(on_track=0.95), actor="max", occurred_at=T0
        )
    ).then_refused(NotPermitted, "'max' is not permitted to")


def test_a_closed_cycle_takes_a_policy_dated_inside_it_only() -> None:
    """Given the cycle closed, a corrected policy dated inside it is adopted; one dated at or
    after the close is refused."""
    scenario = given_world().given(closed_cycle())
    scenario.when(
        AdoptPolicy(
            cycle_id=CYCLE_ID, policy=policy_spec(on_track=0.95), actor="hana", occurred_at=day(300)
        )
    ).then(fact(PolicyAdopted, policy=STRICTER))
    scenario.when(
        AdoptPolicy(
            cycle_id=CYCLE_ID,
            policy=policy_spec(on_track=0.8),
            actor="hana",
            occurred_at=datetime(2027, 1, 2, tzinfo=UTC),
        )
    ).then_refused(RuleViolated, "must be dated before its close")


def test_close_cycle() -> None:
    """When the executive closes the cycle, then CycleClosed."""
    given_world().when(CloseCycle(cycle_id=CYCLE_ID, actor="cleo", occurred_at=day(360))).then(
        fact(CycleClosed)
    )


def test_close_cycle_refuses_a_closed_cycle_an_unknown_one_and_a_date_before_its_start() -> None:
    """A closed cycle is not closed again, an unknown one is not found, and no cycle closes
    before it starts."""
    given_world().given(closed_cycle()).when(CloseCycle(cycle_id=CYCLE_ID, **EXEC)).then_refused(
        RuleViolated, "is closed"
    )
    given_world().when(CloseCycle(cycle_id=UNKNOWN, **EXEC)).then_refused(NotFound, "unknown cycle")
    given_world().when(
        CloseCycle(cycle_id=CYCLE_ID, actor="cleo", occurred_at=datetime(2025, 12, 1, tzinfo=UTC))
    ).then_refused(RuleViolated, "cannot close before it starts")
