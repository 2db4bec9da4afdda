"""The given/when/then helper itself: it compares whole events and exact error types."""

from __future__ import annotations

from typing import Any

import pytest

from execution_core.errors import NotFound, RuleViolated
from execution_core.strategy.commands import RetireTheme
from execution_core.strategy.events import ThemeRetired
from tests.specs.background import organization, strategy
from tests.specs.gwt import NOW, Scenario, fact
from tests.support import T0, day

RETIRE = RetireTheme(theme_id="growth", reason="done", actor="cleo", occurred_at=day(1))


def given() -> Scenario:
    return Scenario().given(*organization(), *strategy())


def test_then_compares_the_payload() -> None:
    """A different payload fails the spec."""
    with pytest.raises(AssertionError):
        given().when(RETIRE).then(fact(ThemeRetired, theme_id="growth", reason="other"))


@pytest.mark.parametrize(
    "differs", [{"actor": "hana"}, {"occurred_at": T0}], ids=["actor", "occurred_at"]
)
def test_then_compares_who_and_when(differs: dict[str, Any]) -> None:
    """An event by someone else, or dated otherwise, fails the spec."""
    with pytest.raises(AssertionError):
        given().when(RETIRE).then(fact(ThemeRetired, theme_id="growth", reason="done", **differs))


def test_then_compares_the_version_and_the_recording_instant() -> None:
    """The decided event follows the stream's version and carries the clock's reading."""
    (event,) = given().when(RETIRE).then(fact(ThemeRetired, theme_id="growth", reason="done"))
    assert (event.version, event.recorded_at) == (3, NOW)


def test_then_appends_what_was_decided_so_the_spec_goes_on() -> None:
    """After ``then`` the stream holds the events: the same command is refused next."""
    scenario = given()
    scenario.when(RETIRE).then(fact(ThemeRetired, theme_id="growth", reason="done"))
    scenario.when(RETIRE).then_refused(RuleViolated, "already retired")


def test_then_refused_wants_the_exact_error_type_and_a_refusal() -> None:
    """A refusal of another type, or no refusal at all, fails the spec."""
    unknown = RetireTheme(theme_id="nope", actor="cleo", occurred_at=day(1))
    with pytest.raises(AssertionError):
        given().when(unknown).then_refused(RuleViolated, "unknown")
    with pytest.raises(pytest.fail.Exception):
        given().when(RETIRE).then_refused(NotFound, "anything")
