"""docs/events.md is the catalog the code defines, regenerated and compared."""

from __future__ import annotations

from pathlib import Path

from execution_core.catalog import event_types
from execution_core_adapters.docgen import events_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "events.md"


def test_events_doc_matches_the_code() -> None:
    """Given the code's event and command catalog, when docs/events.md is regenerated, then the
    committed file is identical (refresh it with
    `python -m execution_core_adapters.docgen > docs/events.md`)."""
    assert DOC.read_text() == events_markdown()


def test_every_event_type_is_in_the_doc() -> None:
    """Given every registered event type, when the doc is read, then each stored name appears."""
    text = DOC.read_text()
    assert all(f"`{event_type.name}`" in text for event_type in event_types())
