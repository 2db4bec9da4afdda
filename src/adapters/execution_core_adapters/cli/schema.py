"""``execution-core schema``: the JSON schemas an app or a gateway validates input against.

``execution-core schema commands`` prints one schema of every command (a union discriminated
by ``type``, each allowing the ``idempotency_key`` that ``Execution.execute`` takes out of the
same JSON); ``execution-core schema export-line`` prints the schema of one line of
``audit export`` (a union discriminated by the event's stored ``name``). Both are JSON Schema
2020-12, on stdout, with sorted keys, so a build can diff them.

Mounted by :mod:`execution_core_adapters.cli.main` as ``app.command("schema")(schema)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer

from execution_core.catalog import command_schema
from execution_core_adapters.transfer import export_line_schema

__all__ = ["SchemaName", "schema"]


class SchemaName(StrEnum):
    """Which schema to print."""

    COMMANDS = "commands"
    EXPORT_LINE = "export-line"


_BUILDERS: dict[SchemaName, Callable[[], dict[str, object]]] = {
    SchemaName.COMMANDS: command_schema,
    SchemaName.EXPORT_LINE: export_line_schema,
}


def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(help="commands: every command, by type; export-line: a line of an export."),
    ] = SchemaName.COMMANDS,
    indent: Annotated[int, typer.Option(min=0, max=8, help="Spaces per level (0: one line).")] = 2,
) -> None:
    """Print a JSON schema (2020-12): of every command, or of a line of an export."""
    text = json.dumps(_BUILDERS[name](), indent=indent or None, sort_keys=True, ensure_ascii=False)
    typer.echo(text)
