"""Generates docs/events.md from the code, so the catalog cannot drift from it.

Run ``python -m execution_core_adapters.docgen > docs/events.md``; a test fails when the
file is stale.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing

import attrs

from execution_core.event import Event
from execution_core.streams import STREAMS

__all__ = ["events_markdown"]

_ENVELOPE = {f.name for f in attrs.fields(Event)}


def _type_name(annotation: object) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", None)
    if text is None or typing.get_args(annotation):
        text = str(annotation)
    text = re.sub(r"<class '([\w.]+)'>", r"\1", str(text))
    text = re.sub(r"\b(?:[a-z_]+\.)+(\w+)", r"\1", text).replace("NoneType", "None")
    return text.replace("|", "\\|")


def _doc(obj: object) -> str:
    return " ".join((inspect.getdoc(obj) or "").split())


def events_markdown() -> str:
    """The catalog of events and commands, per stream, as Markdown."""
    lines = [
        "# Event catalog",
        "",
        "Generated from the code by `python -m execution_core_adapters.docgen > docs/events.md`;",
        "a test fails when this file and the code disagree. Every event also carries the envelope",
        "`stream_id`, `version` (1, 2, ... within its stream), `actor`, `occurred_at` (business",
        "time) and `recorded_at` (the store's clock). Stored events are found by their **stored",
        "name** and **schema version**, never by Python class path.",
        "",
    ]
    for decider in STREAMS:
        events_module = sys.modules[decider.events[0].__module__]
        lines += [f"## {decider.stream.capitalize()} stream", "", f"{_doc(events_module)}", ""]
        lines += ["| event | stored name | v | fields | meaning |", "|---|---|---|---|---|"]
        for cls in decider.events:
            name = cls.__name__
            hints = typing.get_type_hints(cls)
            fields = ", ".join(
                f"`{f.name}: {_type_name(hints[f.name])}`"
                for f in attrs.fields(cls)
                if f.name not in _ENVELOPE
            )
            lines.append(
                f"| {name} | `{cls.name}` | {cls.schema_version} | {fields or '-'} | {_doc(cls)} |"
            )
        lines += ["", "| command | fields | meaning |", "|---|---|---|"]
        for command in decider.commands:
            name = command.__name__
            fields = ", ".join(
                f"`{field}`"
                for field in command.model_fields
                if field not in ("actor", "occurred_at")
            )
            lines.append(f"| {name} | {fields or '-'} | {_doc(command)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(events_markdown(), end="")
