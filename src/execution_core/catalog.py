"""The catalog: every event type and command (from the registry of streams), and untrusted
commands parsed and described."""

from __future__ import annotations

from execution_core.command import COMMANDS, IDEMPOTENCY_KEY_PATTERN, Command
from execution_core.errors import InvalidInput, Problem
from execution_core.event import EVENT_TYPES, EventType
from execution_core.streams import STREAMS

__all__ = [
    "EVENT_TYPES_BY_STREAM",
    "JSON_SCHEMA_DIALECT",
    "command_schema",
    "command_schemas",
    "describe_validation_error",
    "event_types",
    "invalid_command",
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
        raise invalid_command(name, error) from None


def _problems(error: object) -> tuple[Problem, ...]:
    """Each problem of a pydantic validation error, with its field path and pydantic's kind."""
    return tuple(
        Problem(path=tuple(item["loc"]), message=item["msg"], kind=item["type"])
        for item in error.errors(include_url=False, include_input=False)  # type: ignore[attr-defined]
    )


def _described(name: str, problems: tuple[Problem, ...]) -> str:
    return f"invalid {name}: " + "; ".join(f"{p.where}: {p.message}" for p in problems)


def describe_validation_error(name: str, error: object) -> str:
    """One readable line per problem of a pydantic validation error."""
    return _described(name, _problems(error))


def invalid_command(name: str, error: object) -> InvalidInput:
    """The typed error for a command pydantic refused: the readable message, and each problem
    (field path, message, kind) as :attr:`InvalidInput.problems`."""
    problems = _problems(error)
    return InvalidInput(_described(name, problems), problems=problems, command=name)


JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of the published schemas (pydantic's)."""

_IDEMPOTENCY_KEY: dict[str, object] = {
    "type": "string",
    "pattern": IDEMPOTENCY_KEY_PATTERN,
    "description": "Records the command at most once: a retry with the same key returns the "
    "first outcome (1-200 printable ASCII characters, no spaces).",
}


def _one_command(name: str, cls: type[Command], defs: dict[str, object]) -> dict[str, object]:
    """A command's schema as JSON sends it: its ``type`` constant first, its fields, and the
    optional ``idempotency_key``; the models it nests are moved into ``defs``."""
    schema = cls.model_json_schema(ref_template="#/$defs/{model}")
    for model, definition in schema.pop("$defs", {}).items():
        if defs.setdefault(model, definition) != definition:  # pragma: no cover - a name clash
            raise AssertionError(f"two different models named {model!r} in the command schemas")
    properties = dict(schema.get("properties", {}))
    schema["properties"] = {
        "type": {"const": name, "type": "string"},
        **properties,
        "idempotency_key": _IDEMPOTENCY_KEY,
    }
    schema["required"] = ["type", *schema.get("required", [])]
    return schema


def command_schemas() -> dict[str, dict[str, object]]:
    """The JSON schema of every command, with its ``type`` constant and the optional
    ``idempotency_key``, by command name (each one standalone, with its own ``$defs``)."""
    schemas: dict[str, dict[str, object]] = {}
    for name, cls in sorted(COMMANDS.items()):
        defs: dict[str, object] = {}
        schema = _one_command(name, cls, defs)
        schemas[name] = {**schema, "$defs": defs} if defs else schema
    return schemas


def command_schema() -> dict[str, object]:
    """One JSON schema of every command: a union of the commands discriminated by ``type``
    (``oneOf`` with a ``discriminator``, as OpenAPI reads it), each allowing the
    ``idempotency_key`` that ``Execution.execute`` takes out of the same JSON."""
    defs: dict[str, object] = {}
    commands = {name: _one_command(name, cls, defs) for name, cls in sorted(COMMANDS.items())}
    clash = sorted(commands.keys() & defs.keys())
    if clash:  # pragma: no cover - a command and a nested model of the same name
        raise AssertionError(f"commands named like nested models: {clash}")
    mapping = {name: f"#/$defs/{name}" for name in commands}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "Command",
        "description": "Any command execution-core accepts as JSON, told apart by its type.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
        "$defs": {**defs, **commands},
    }
