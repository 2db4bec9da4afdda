"""The catalog: every event type and command (from the registry of streams), and untrusted
commands parsed and described."""

from __future__ import annotations

from execution_core.command import COMMANDS, Command
from execution_core.errors import InvalidInput
from execution_core.event import EVENT_TYPES, EventType
from execution_core.streams import STREAMS

__all__ = [
    "EVENT_TYPES_BY_STREAM",
    "command_schemas",
    "describe_validation_error",
    "event_types",
    "parse_command",
]

EVENT_TYPES_BY_STREAM: dict[str, tuple[str, ...]] = {
    decider.stream: tuple(event.__name__ for event in decider.events) for decider in STREAMS
}
"""The class names of each stream's event types, in catalog order (from the registry)."""


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
