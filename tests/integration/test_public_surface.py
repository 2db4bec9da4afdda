"""The top-level package is narrow, and the facade cannot drift from the commands it builds."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

import execution_core
from execution_core import Execution
from execution_core.command import COMMANDS, Command
from execution_core.streams import STREAMS

FACADE_ONLY = {"actor", "occurred_at"}
RUN_OPTIONS = {"retries", "idempotency_key"}
"""What every facade method takes besides its command's fields, as ``Execution.execute`` does."""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_top_level_exports_what_an_app_needs_and_no_more() -> None:
    """Given the package, when its ``__all__`` is read, then it holds the facade, the errors,
    the commands and their values, the port and the policies: every command, at most 70 names,
    and no event, state or decider (those live in their subpackages)."""
    exported = set(execution_core.__all__)
    assert {command.__name__ for decider in STREAMS for command in decider.commands} <= exported
    assert {"Execution", "EventStore", "Policy", "ExecutionError", "views"} <= exported
    assert not exported & {"ProgressLogged", "Goal", "GOAL", "Decider", "ORGANIZATION_ID"}
    assert len(exported) <= 70
    for name in exported:
        assert getattr(execution_core, name) is not None


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("ProgressLogged", "execution_core.events"),
        ("Goal", "execution_core.states"),
        ("GOAL", "execution_core.streams"),
        ("ORGANIZATION_ID", "execution_core.ids"),
    ],
)
def test_a_moved_name_still_resolves_with_a_warning_naming_its_home(name: str, home: str) -> None:
    """Given a name the top level exported before 0.2.0, when it is imported from there, then
    it is the same object as in its new home and a DeprecationWarning says where that is."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(execution_core, name)
    assert value is getattr(__import__(home, fromlist=[name]), name)
    assert [str(w.message) for w in caught] == [
        f"execution_core.{name} moved: import it from {home}"
    ]


def test_an_unknown_name_is_an_attribute_error() -> None:
    """Given a name the package never had, when it is asked for, then AttributeError."""
    with pytest.raises(AttributeError):
        _ = execution_core.NoSuchThing


@pytest.mark.parametrize("command", [COMMANDS[name] for name in sorted(COMMANDS)], ids=str)
def test_a_facade_method_takes_exactly_its_commands_fields(command: type[Command]) -> None:
    """Given a command with a facade method (``LogProgress`` -> ``log_progress``), when the
    method's parameters are read, then they are the command's fields, no more and no fewer
    (so a field added to a command cannot be lost on the way, as ``source`` once was)."""
    method = getattr(Execution, _snake(command.__name__), None)
    if method is None:
        pytest.skip(f"{command.__name__} is run through Execution.execute only")
    signature = inspect.signature(method)
    parameters = set(signature.parameters) - {"self"}
    assert parameters - RUN_OPTIONS == set(command.model_fields)
    assert parameters >= FACADE_ONLY | RUN_OPTIONS
    run = inspect.signature(Execution.execute).parameters
    for option in RUN_OPTIONS:
        assert signature.parameters[option].kind is inspect.Parameter.KEYWORD_ONLY
        assert signature.parameters[option].default == run[option].default
