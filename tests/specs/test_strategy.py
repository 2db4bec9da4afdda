"""The strategy stream: the vision and the themes goals align to."""

from __future__ import annotations

from execution_core.errors import NotFound, NotPermitted, RuleViolated
from execution_core.strategy.commands import AddTheme, DefineStrategy, RetireTheme
from execution_core.strategy.events import (
    Perspective,
    StrategyDefined,
    ThemeAdded,
    ThemeRetired,
)
from tests.specs.background import organization, strategy
from tests.specs.gwt import Scenario, fact
from tests.support import T0

EXEC = {"actor": "cleo", "occurred_at": T0}


def given_strategy() -> Scenario:
    return Scenario().given(*organization(), *strategy())


def test_define_strategy_records_the_vision() -> None:
    """Given the organization, when the executive states a vision, then StrategyDefined."""
    Scenario().given(*organization()).when(DefineStrategy(vision="Win", **EXEC)).then(
        fact(StrategyDefined, vision="Win")
    )


def test_define_strategy_refuses_the_same_vision_and_someone_not_an_executive() -> None:
    """The vision already in force changes nothing; only executives define the strategy."""
    given_strategy().when(
        DefineStrategy(vision="Be the team customers recommend", **EXEC)
    ).then_refused(RuleViolated, "already exactly this")
    given_strategy().when(DefineStrategy(vision="Win", actor="hana", occurred_at=T0)).then_refused(
        NotPermitted, "'hana' is not permitted to define"
    )


def test_add_theme_records_it_with_its_perspective() -> None:
    """When the executive adds a customer theme, then ThemeAdded."""
    given_strategy().when(
        AddTheme(
            theme_id="loyalty", title="Keep customers", perspective=Perspective.CUSTOMER, **EXEC
        )
    ).then(
        fact(
            ThemeAdded,
            theme_id="loyalty",
            title="Keep customers",
            perspective=Perspective.CUSTOMER,
        )
    )


def test_add_theme_refuses_before_a_vision_and_a_taken_id() -> None:
    """A theme needs a vision first; a theme id already taken breaks a rule."""
    Scenario().given(*organization()).when(
        AddTheme(theme_id="growth", title="Grow", **EXEC)
    ).then_refused(RuleViolated, "define the strategy")
    given_strategy().when(AddTheme(theme_id="growth", title="Grow", **EXEC)).then_refused(
        RuleViolated, "already exists"
    )


def test_retire_theme() -> None:
    """When the executive retires growth, then ThemeRetired with the reason."""
    given_strategy().when(RetireTheme(theme_id="growth", reason="done", **EXEC)).then(
        fact(ThemeRetired, theme_id="growth", reason="done")
    )


def test_retire_theme_refuses_an_unknown_theme_and_one_already_retired() -> None:
    """An unknown theme is not found; a retired one is not retired again."""
    given_strategy().when(RetireTheme(theme_id="nope", **EXEC)).then_refused(
        NotFound, "unknown theme 'nope'"
    )
    scenario = given_strategy().given(fact(ThemeRetired, actor="cleo", theme_id="growth"))
    scenario.when(RetireTheme(theme_id="growth", **EXEC)).then_refused(
        RuleViolated, "already retired"
    )
