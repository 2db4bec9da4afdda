"""The whole catalog: every event type and every command, registered by importing this module."""

from __future__ import annotations

from execution_core.appraisals import commands as _appraisal_commands
from execution_core.appraisals import events as _appraisal_events
from execution_core.coaching import commands as _coaching_commands
from execution_core.coaching import events as _coaching_events
from execution_core.command import COMMANDS, Command
from execution_core.cycles import commands as _cycle_commands
from execution_core.cycles import events as _cycle_events
from execution_core.errors import InvalidInput
from execution_core.event import EVENT_TYPES, Event, EventType
from execution_core.goals import commands as _goal_commands
from execution_core.goals import events as _goal_events
from execution_core.organization import commands as _org_commands
from execution_core.organization import events as _org_events
from execution_core.strategy import commands as _strategy_commands
from execution_core.strategy import events as _strategy_events

__all__ = [
    "EVENT_TYPES_BY_STREAM",
    "STREAMS",
    "command_schemas",
    "event_types",
    "parse_command",
]

STREAMS = {
    "organization": (_org_events, _org_commands),
    "strategy": (_strategy_events, _strategy_commands),
    "cycle": (_cycle_events, _cycle_commands),
    "goal": (_goal_events, _goal_commands),
    "coaching": (_coaching_events, _coaching_commands),
    "appraisal": (_appraisal_events, _appraisal_commands),
}
"""Each stream type with the modules of its events and commands."""

EVENT_TYPES_BY_STREAM: dict[str, tuple[str, ...]] = {
    stream: tuple(
        name
        for name in events.__all__
        if isinstance(cls := getattr(events, name), type) and issubclass(cls, Event)
    )
    for stream, (events, _commands) in STREAMS.items()
}
"""The class names of each stream's event types, in catalog order."""

_ = (
    _appraisal_commands,
    _appraisal_events,
)  # imported for their registration side effect


def event_types() -> list[EventType]:
    """Every registered event type, in catalog order."""
    return list(EVENT_TYPES.values())


def parse_command(data: object) -> Command:
    """Validate an untrusted command: a JSON string/bytes or a dict with a ``type`` key.

    Raises :class:`InvalidInput` naming every problem; nothing is recorded.
    """
    from pydantic import ValidationError

    payload: object = data
    if isinstance(data, str | bytes | bytearray):
        import json

        try:
            payload = json.loads(data)
        except ValueError as error:
            raise InvalidInput(f"malformed JSON: {error}") from None
    if not isinstance(payload, dict):
        raise InvalidInput("a command is a JSON object with a 'type'")
    fields = dict(payload)
    name = fields.pop("type", None)
    if not isinstance(name, str) or name not in COMMANDS:
        raise InvalidInput(f"unknown command type {name!r}")
    try:
        return COMMANDS[name].model_validate(fields)
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(name, error)) from None


def describe_validation_error(name: str, error: object) -> str:
    """One readable line per problem of a pydantic validation error."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):  # type: ignore[attr-defined]
        where = ".".join(str(part) for part in item["loc"]) or "(command)"
        problems.append(f"{where}: {item['msg']}")
    return f"invalid {name}: " + "; ".join(problems)


def command_schemas() -> dict[str, dict[str, object]]:
    """The JSON schema of every command, with its ``type`` constant, by command name."""
    schemas: dict[str, dict[str, object]] = {}
    for name, cls in sorted(COMMANDS.items()):
        schema = cls.model_json_schema()
        properties = dict(schema.get("properties", {}))
        schema["properties"] = {"type": {"const": name, "type": "string"}, **properties}
        schema["required"] = ["type", *schema.get("required", [])]
        schemas[name] = schema
    return schemas
