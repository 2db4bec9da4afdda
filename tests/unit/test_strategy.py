"""Strategy commands: the vision and the themes goals align to (executives only, by default)."""

from __future__ import annotations

from typing import Any

import pytest

from execution_core import (
    AddPerson,
    AddTheme,
    Command,
    DefineStrategy,
    FoundUnit,
    NotFound,
    NotPermitted,
    Perspective,
    RetireTheme,
    RuleViolated,
    SetGoal,
)
from execution_core.events import StrategyDefined, ThemeAdded, ThemeRetired
from execution_core.goals.commands import OwnerSpec
from tests.support import CYCLE_ID, Spec, standard_org
from tests.unit import DROP, NAIVE, json_of, make, only_payload, then_invalid

# -- commands with valid defaults on the standard org (by cleo, an executive, at T0) ------------


def define_strategy(**fields: Any) -> DefineStrategy:
    return make(DefineStrategy, fields, vision="Win every customer twice")


def add_theme(**fields: Any) -> AddTheme:
    return make(AddTheme, fields, theme_id="care", title="Delight customers")


def retire_theme(**fields: Any) -> RetireTheme:
    return make(RetireTheme, fields, theme_id="growth", reason="the market shrank")


def org_without_strategy() -> Spec:
    """The standard organization's units and people, with no strategy defined yet."""
    return Spec().given(*(c for c in standard_org() if isinstance(c, FoundUnit | AddPerson)))


EVERY_COMMAND = [define_strategy(), add_theme(), retire_theme()]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_a_naive_business_time_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a strategy command has a naive time, then InvalidInput."""
    then_invalid(org_spec, json_of(command, occurred_at=NAIVE), "occurred_at")


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_an_unknown_field_is_invalid_input(org_spec: Spec, command: Command) -> None:
    """Given the standard org, when a strategy command has an unknown field, then InvalidInput."""
    then_invalid(org_spec, json_of(command, priority=1), "priority")


@pytest.mark.parametrize("actor", ["hana", "max", "system"])
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.command_name)
def test_only_executives_shape_the_strategy(org_spec: Spec, command: Command, actor: str) -> None:
    """Given hana (HR), max (manager) or the HR system, when they touch the strategy, then
    NotPermitted."""
    org_spec.then_refused(command.model_copy(update={"actor": actor}), NotPermitted)


# -- DefineStrategy ----------------------------------------------------------------------------


def test_define_strategy_records_the_first_vision() -> None:
    """Given no strategy, when cleo states the vision, then StrategyDefined is recorded."""
    spec = org_without_strategy()
    events = spec.when(define_strategy())
    assert only_payload(events, StrategyDefined) == {"vision": "Win every customer twice"}
    assert spec.execution.strategy().defined


def test_define_strategy_restates_the_vision(org_spec: Spec) -> None:
    """Given a vision, when cleo states another, then StrategyDefined records the new one."""
    events = org_spec.when(define_strategy())
    assert only_payload(events, StrategyDefined) == {"vision": "Win every customer twice"}
    assert org_spec.execution.strategy().vision == "Win every customer twice"


def test_define_strategy_refuses_a_blank_vision(org_spec: Spec) -> None:
    """Given the standard org, when cleo states a blank vision, then RuleViolated."""
    org_spec.then_refused(define_strategy(vision="   "), RuleViolated, "needs a vision")


def test_define_strategy_refuses_the_vision_already_in_force(org_spec: Spec) -> None:
    """Given the vision of the standard org, when cleo restates it unchanged, then RuleViolated."""
    vision = org_spec.execution.strategy().vision
    org_spec.then_refused(define_strategy(vision=vision), RuleViolated, "already exactly")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vision": DROP}, "vision"),
        ({"vision": "x" * 10_001}, "vision"),
        ({"vision": 42}, "vision"),
    ],
)
def test_define_strategy_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when DefineStrategy arrives malformed, then InvalidInput."""
    then_invalid(org_spec, json_of(define_strategy(), **changes), field)


# -- AddTheme ----------------------------------------------------------------------------------


def test_add_theme_records_the_theme_with_its_perspective(org_spec: Spec) -> None:
    """Given a strategy, when cleo adds a customer theme, then ThemeAdded is recorded."""
    events = org_spec.when(add_theme(perspective=Perspective.CUSTOMER))
    assert only_payload(events, ThemeAdded) == {
        "theme_id": "care",
        "title": "Delight customers",
        "perspective": Perspective.CUSTOMER,
    }


def test_add_theme_without_a_perspective(org_spec: Spec) -> None:
    """Given a strategy, when cleo adds a theme with no perspective, then it is recorded as None."""
    events = org_spec.when(add_theme())
    assert only_payload(events, ThemeAdded)["perspective"] is None
    assert "care" in org_spec.execution.strategy().themes


def test_add_theme_refuses_before_the_strategy_is_defined() -> None:
    """Given no vision yet, when cleo adds a theme, then RuleViolated."""
    org_without_strategy().then_refused(add_theme(), RuleViolated, "define the strategy")


def test_add_theme_refuses_an_existing_theme(org_spec: Spec) -> None:
    """Given theme growth, when it is added again, then RuleViolated."""
    org_spec.then_refused(add_theme(theme_id="growth"), RuleViolated, "already exists")


def test_add_theme_refuses_the_id_of_a_retired_theme(org_spec: Spec) -> None:
    """Given growth was retired, when a theme growth is added, then RuleViolated."""
    org_spec.given(retire_theme())
    org_spec.then_refused(add_theme(theme_id="growth"), RuleViolated, "already exists")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"perspective": "marketing"}, "perspective"),
        ({"theme_id": "two words"}, "theme_id"),
        ({"title": ""}, "title"),
        ({"title": DROP}, "title"),
    ],
)
def test_add_theme_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when AddTheme arrives malformed, then InvalidInput names the
    field."""
    then_invalid(org_spec, json_of(add_theme(), **changes), field)


# -- RetireTheme -------------------------------------------------------------------------------


def test_retire_theme_records_the_theme_and_why(org_spec: Spec) -> None:
    """Given theme growth, when cleo retires it, then ThemeRetired is recorded."""
    events = org_spec.when(retire_theme())
    assert only_payload(events, ThemeRetired) == {
        "theme_id": "growth",
        "reason": "the market shrank",
    }
    assert org_spec.execution.strategy().themes["growth"].retired


def test_a_retired_theme_takes_no_new_goals(org_spec: Spec) -> None:
    """Given growth was retired, when max sets ana a goal aligned to it, then RuleViolated."""
    org_spec.given(retire_theme())
    goal = make(
        SetGoal,
        {"actor": "max"},
        cycle_id=CYCLE_ID,
        title="Grow",
        owner=OwnerSpec(id="ana"),
        theme_id="growth",
    )
    org_spec.then_refused(goal, RuleViolated, "retired")


def test_retire_theme_refuses_an_unknown_theme(org_spec: Spec) -> None:
    """Given no theme moon, when it is retired, then NotFound."""
    org_spec.then_refused(retire_theme(theme_id="moon"), NotFound, "moon")


def test_retire_theme_refuses_a_theme_already_retired(org_spec: Spec) -> None:
    """Given growth was retired, when it is retired again, then RuleViolated."""
    org_spec.given(retire_theme())
    org_spec.then_refused(retire_theme(), RuleViolated, "already retired")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"theme_id": DROP}, "theme_id"), ({"reason": "x" * 10_001}, "reason")],
)
def test_retire_theme_malformed_is_invalid_input(
    org_spec: Spec, changes: dict[str, Any], field: str
) -> None:
    """Given the standard org, when RetireTheme arrives malformed, then InvalidInput."""
    then_invalid(org_spec, json_of(retire_theme(), **changes), field)
