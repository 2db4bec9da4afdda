"""Cycle commands: open a period of play with its policy, adopt a new policy, close it."""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from execution_core import (
    AdoptPolicy,
    CloseCycle,
    Command,
    NotFound,
    NotPermitted,
    OpenCycle,
    Policy,
    RuleViolated,
)
from execution_core.cycles.commands import PolicySpec
from execution_core.events import CycleClosed, CycleOpened, PolicyAdopted
from tests.support import CYCLE_ID, Spec, day, payload
from tests.unit import DROP, NAIVE, json_of, make, only_payload, then_invalid

Q2 = UUID("00000000-0000-4000-8000-0000000000c2")
"""A second cycle, opened by the examples themselves."""

# -- commands with valid defaults on the standard org (by cleo, an executive, at T0) ------------


def open_cycle(**fields: Any) -> OpenCycle:
    return make(
        OpenCycle,
        fields,
        cycle_id=Q2,
        name="2026 Q2",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
        cadence_days=14,
    )


def adopt_policy(**fields: Any) -> AdoptPolicy:
    return make(
        AdoptPolicy, fields, cycle_id=CYCLE_ID, policy=PolicySpec.model_validate({"on_track": 0.8})
    )


def close_cycle(**fields: Any) -> CloseCycle:
    return make(CloseCycle, fields, cycle_id=CYCLE_ID, occurred_at=day(30))


EVERY_COMMAND = [open_cycle(), adopt_policy(), close_cycle()]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a cycle command has a naive time, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_unknown_field_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a cycle command has an unknown field, then InvalidInput."""
    then_invalid(org_spec, json_of(command, season="spring"), "season")


# -- OpenCycle ---------------------------------------------------------------------------------


def test_open_cycle_records_the_cycle_and_the_default_policy(org_spec: Spec) -> None:
    """Given the standard org, when cleo opens Q2, then CycleOpened and the default policy
    follow."""
    events = org_spec.when(open_cycle())
    assert [type(e) for e in events] == [CycleOpened, PolicyAdopted]
    assert payload(events[0]) == {
        "cycle_name": "2026 Q2",
        "starts_on": date(2026, 4, 1),
        "ends_on": date(2026, 6, 30),
        "cadence_days": 14,
    }
    assert payload(events[1]) == {"policy": Policy()}
    assert {e.stream_id for e in events} == {Q2}


def test_open_cycle_adopts_the_policy_given(org_spec: Spec) -> None:
    """Given the standard org, when Q2 opens with a stricter policy, then that policy is adopted."""
    events = org_spec.when(
        open_cycle(policy=PolicySpec.model_validate({"on_track": 0.95, "at_risk": 0.8}))
    )
    assert payload(events[1]) == {"policy": Policy(on_track=0.95, at_risk=0.8)}
    assert org_spec.execution.cycle(Q2).policy.on_track == 0.95


def test_open_cycle_assigns_an_id_when_none_is_given(org_spec: Spec) -> None:
    """Given no cycle_id, when cleo opens a cycle, then the execution assigns it a new id."""
    events = org_spec.when(open_cycle(cycle_id=None))
    assert events[0].stream_id == UUID(int=101)
    assert org_spec.execution.cycle(UUID(int=101)).name == "2026 Q2"


def test_open_cycle_refuses_a_cycle_already_opened(org_spec: Spec) -> None:
    """Given the 2026 cycle, when it is opened again, then RuleViolated."""
    org_spec.then_refused(open_cycle(cycle_id=CYCLE_ID), RuleViolated, "already opened")


@pytest.mark.parametrize("actor", ["hana", "max", "system"])
def test_open_cycle_is_refused_to_anyone_but_an_executive(org_spec: Spec, actor: str) -> None:
    """Given hana (HR), max or the HR system, when they open a cycle, then NotPermitted."""
    org_spec.then_refused(open_cycle(actor=actor), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": "2026-03-31"}, "cannot end before it starts"),
        ({"cadence_days": 0}, "cadence_days"),
        ({"cadence_days": 367}, "cadence_days"),
        ({"name": " "}, "name"),
        ({"starts_on": "spring"}, "starts_on"),
        ({"ends_on": DROP}, "ends_on"),
        ({"cycle_id": "q2"}, "cycle_id"),
        ({"policy": {"on_track": 0.6, "at_risk": 0.7}}, "at_risk must not exceed on_track"),
        ({"policy": {"on_track": 1.2}}, "on_track"),
        ({"policy": {"guideline": [0.5, 0.5, 0.5, 0.0, 0.0]}}, "add up to 1"),
        ({"policy": {"bonus_multipliers": [1, 2]}}, "bonus_multipliers"),
        ({"policy": {"rating_floors": [0.9, 0.8, 0.7, 0.6]}}, "rating_floors must rise"),
        ({"policy": {"stale_cadences": 0}}, "stale_cadences"),
        ({"policy": {"sweet_spot": 0.7}}, "sweet_spot"),
    ],
)
def test_open_cycle_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when OpenCycle arrives malformed, then InvalidInput says what is
    wrong."""
    then_invalid(org_spec, json_of(open_cycle(), **changes), field)


NON_FINITE_POLICIES = [
    pytest.param({"stale_cadences": math.nan}, id="nan-cadences"),
    pytest.param({"stale_cadences": math.inf}, id="inf-cadences"),
    pytest.param({"guideline": [math.nan, 0.2, 0.4, 0.2, 0.1]}, id="nan-guideline"),
    pytest.param({"bonus_multipliers": [0.0, 0.5, 1.0, 1.2, math.inf]}, id="inf-bonus"),
    pytest.param({"rating_floors": [0.5, 0.7, 0.85, math.nan]}, id="nan-floor"),
]
"""Policy values the Policy validators let through today, though a command allows no NaN or inf."""


@pytest.mark.parametrize("policy", NON_FINITE_POLICIES)
@pytest.mark.parametrize("command", [open_cycle(), adopt_policy()], ids=lambda c: c.command_name)
def test_a_policy_with_nan_or_infinity_is_invalid_input(
    org_spec: Spec, command: Command, policy: dict[str, Any]
) -> None:
    """Given the standard org, when a cycle opens or adopts a policy holding NaN or infinity,
    then InvalidInput and nothing is recorded."""
    then_invalid(org_spec, json_of(command, policy=policy), "policy")


# -- AdoptPolicy -------------------------------------------------------------------------------


def test_adopt_policy_records_the_new_policy(org_spec: Spec) -> None:
    """Given the 2026 cycle on the default policy, when cleo adopts another, then it is recorded."""
    events = org_spec.when(adopt_policy(occurred_at=day(10)))
    assert only_payload(events, PolicyAdopted) == {"policy": Policy(on_track=0.8)}
    assert events[0].occurred_at == day(10)
    assert org_spec.execution.cycle(CYCLE_ID).policy == Policy(on_track=0.8)


def test_hr_may_adopt_a_policy(org_spec: Spec) -> None:
    """Given hana is HR, when she adopts a policy in the 2026 cycle, then PolicyAdopted is
    recorded."""
    events = org_spec.when(adopt_policy(actor="hana"))
    assert [type(e) for e in events] == [PolicyAdopted]


def test_adopt_policy_refuses_an_unknown_cycle(org_spec: Spec) -> None:
    """Given no cycle Q2, when a policy is adopted in it, then NotFound."""
    org_spec.then_refused(adopt_policy(cycle_id=Q2), NotFound, "unknown cycle")


def test_adopt_policy_refuses_a_date_after_a_closed_cycles_close(org_spec: Spec) -> None:
    """Given the 2026 cycle closed on day 30, when a policy dated day 30 or 31 is adopted in it,
    then RuleViolated."""
    org_spec.given(close_cycle())
    for on in (30, 31):
        command = adopt_policy(occurred_at=day(on))
        org_spec.then_refused(command, RuleViolated, "must be dated before its close")


@pytest.mark.parametrize("actor", ["cleo", "hana"], ids=["an executive", "HR"])
def test_adopt_policy_dated_inside_a_closed_cycle_corrects_its_rubric(
    org_spec: Spec, actor: str
) -> None:
    """Given the 2026 cycle closed on day 30, when an executive or HR adopts a policy dated day 1,
    then PolicyAdopted is recorded: the appraisal side stays open (issue 12 changed this from
    refused)."""
    org_spec.given(close_cycle())
    events = org_spec.when(adopt_policy(actor=actor, occurred_at=day(1)))
    assert [type(e) for e in events] == [PolicyAdopted]


def test_adopt_policy_refuses_the_policy_already_in_force(org_spec: Spec) -> None:
    """Given the default policy in force, when the default is adopted again, then RuleViolated."""
    command = adopt_policy(policy=PolicySpec())
    org_spec.then_refused(command, RuleViolated, "already in force")


@pytest.mark.parametrize("actor", ["max", "cora", "system"])
def test_adopt_policy_is_refused_to_anyone_but_an_executive_or_hr(
    org_spec: Spec, actor: str
) -> None:
    """Given max, cora or the HR system, when they adopt a policy, then NotPermitted."""
    org_spec.then_refused(adopt_policy(actor=actor), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"policy": DROP}, "policy"),
        ({"policy": {"at_risk": 1.5}}, "at_risk"),
        ({"policy": {"okr_sweet_spot": math.nan}}, "okr_sweet_spot"),
        ({"cycle_id": DROP}, "cycle_id"),
        ({"cycle_id": None}, "cycle_id"),
    ],
)
def test_adopt_policy_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when AdoptPolicy arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(adopt_policy(), **changes), field)


# -- CloseCycle --------------------------------------------------------------------------------


def test_close_cycle_records_the_close_at_its_business_time(org_spec: Spec) -> None:
    """Given the open 2026 cycle, when cleo closes it, then CycleClosed is recorded and dated."""
    events = org_spec.when(close_cycle())
    assert only_payload(events, CycleClosed) == {}
    cycle = org_spec.execution.cycle(CYCLE_ID)
    assert cycle.closed_at == day(30)
    assert cycle.status(day(31)) == "closed"
    assert cycle.status(day(29)) == "open"


def test_close_cycle_refuses_an_unknown_cycle(org_spec: Spec) -> None:
    """Given no cycle Q2, when it is closed, then NotFound."""
    org_spec.then_refused(close_cycle(cycle_id=Q2), NotFound, "unknown cycle")


def test_close_cycle_refuses_a_cycle_already_closed(org_spec: Spec) -> None:
    """Given the 2026 cycle closed, when it is closed again, then RuleViolated."""
    org_spec.given(close_cycle())
    org_spec.then_refused(close_cycle(occurred_at=day(40)), RuleViolated, "closed")


def test_close_cycle_refuses_a_close_before_the_cycle_starts(org_spec: Spec) -> None:
    """Given Q2 starts on April 1, when it is closed in January, then RuleViolated."""
    org_spec.given(open_cycle())
    org_spec.then_refused(close_cycle(cycle_id=Q2), RuleViolated, "before it starts")


@pytest.mark.parametrize("actor", ["hana", "max", "system"])
def test_close_cycle_is_refused_to_anyone_but_an_executive(org_spec: Spec, actor: str) -> None:
    """Given hana (HR), max or the HR system, when they close a cycle, then NotPermitted."""
    org_spec.then_refused(close_cycle(actor=actor), NotPermitted)


@pytest.mark.parametrize(
    ("changes", "field"), [({"cycle_id": DROP}, "cycle_id"), ({"cycle_id": "2026"}, "cycle_id")]
)
def test_close_cycle_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when CloseCycle arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(close_cycle(), **changes), field)
