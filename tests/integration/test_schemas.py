"""The published JSON schemas: one of every command (a union on ``type`` that allows the
idempotency key) and one of an export line (a union on the event's ``name``), checked with a
JSON Schema validator against what the library really sends and writes, and printed by
``execution-core schema``."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from execution_core import Command, Execution, Outcome, parse_command
from execution_core.catalog import command_schema, command_schemas
from execution_core.command import COMMANDS
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.cli.main import app
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import export_line_schema, write_export


class _Sending(Execution):
    """The facade, keeping every command it was sent (as an app's API gateway would see it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[Command] = []

    def execute(self, command: Any, **options: Any) -> Outcome:
        if isinstance(command, Command):
            self.sent.append(command)
        return super().execute(command, **options)


@pytest.fixture(scope="module")
def season() -> tuple[list[Command], list[str]]:
    """The demo season played through the facade: every command sent, and the export lines
    of the store it made."""
    clock = SeasonClock()
    store = open_store("memory://", clock=clock)
    with _Sending(store) as execution:
        record_season(execution, clock)
        out = io.BytesIO()
        write_export(store, out)
    return execution.sent, out.getvalue().decode().splitlines()


def _validator(schema: dict[str, object]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_command_the_demo_sends_is_valid_under_the_union_with_its_key(
    season: tuple[list[Command], list[str]],
) -> None:
    """Given the commands of the demo season (at least 20 kinds), when each is dumped to JSON
    with an idempotency key, then the union schema accepts it (the oracle: ``parse_command``
    accepts the same JSON once the key is taken out, as ``execute`` does)."""
    validator = _validator(command_schema())
    sent, _lines = season
    assert len({command.command_name for command in sent}) >= 20
    for number, command in enumerate(sent):
        data = {**command.dump(), "idempotency_key": f"demo-{number}"}
        assert list(validator.iter_errors(data)) == []
        data.pop("idempotency_key")
        assert parse_command(data) == command


def test_the_union_refuses_what_parse_command_refuses() -> None:
    """Given a valid check-in, when its type is unknown, a field is missing, a field is extra
    or the key has a space, then the union schema refuses it."""
    validator = _validator(command_schema())
    valid = {
        "type": "LogProgress",
        "goal_id": "00000000-0000-4000-8000-0000000000a1",
        "kr_id": "deals",
        "value": 3,
        "confidence": 0.5,
        "actor": "ana",
        "occurred_at": "2026-01-05T09:00:00Z",
        "idempotency_key": "k-1",
    }
    assert validator.is_valid(valid)
    missing = {k: v for k, v in valid.items() if k != "kr_id"}
    for wrong in (
        {**valid, "type": "LogProgres"},
        missing,
        {**valid, "colour": "blue"},
        {**valid, "idempotency_key": "two words"},
    ):
        assert not validator.is_valid(wrong)


def test_the_union_names_every_command_by_its_type() -> None:
    """Given the registry's commands, when the union is built, then its discriminator maps
    each command's type to its schema, whose ``type`` is that constant and whose properties
    include the optional idempotency key; the standalone schemas allow the key too."""
    schema = command_schema()
    mapping = schema["discriminator"]["mapping"]  # type: ignore[index]
    assert set(mapping) == set(COMMANDS)
    defs: dict[str, Any] = schema["$defs"]  # type: ignore[assignment]
    for name in COMMANDS:
        properties = defs[name]["properties"]
        assert properties["type"] == {"const": name, "type": "string"}
        assert "idempotency_key" in properties
        assert "idempotency_key" not in defs[name]["required"]
        assert "idempotency_key" in command_schemas()[name]["properties"]  # type: ignore[operator]


def test_every_line_of_an_export_is_valid_under_the_line_schema(
    season: tuple[list[Command], list[str]],
) -> None:
    """Given the export of the demo season, when each line is checked, then the line schema
    accepts it; a payload with an extra field, or a line of an unknown event, is refused."""
    validator = _validator(export_line_schema())
    _sent, lines = season
    names = set()
    for line in lines:
        data = json.loads(line)
        names.add(data["name"])
        assert list(validator.iter_errors(data)) == []
    assert len(names) >= 15
    data = json.loads(lines[-1])
    assert not validator.is_valid({**data, "payload": {**data["payload"], "extra": 1}})
    assert not validator.is_valid({**data, "name": "goal.Unheard"})


def test_the_command_line_prints_both_schemas() -> None:
    """Given the command line, when ``schema`` and ``schema export-line`` run, then each
    prints its schema as JSON on stdout."""
    runner = CliRunner()
    commands = runner.invoke(app, ["schema"])
    assert commands.exit_code == 0, commands.output
    assert json.loads(commands.stdout) == command_schema()
    line = runner.invoke(app, ["schema", "export-line", "--indent", "0"])
    assert line.exit_code == 0, line.output
    assert len(line.stdout.splitlines()) == 1
    assert json.loads(line.stdout) == export_line_schema()
