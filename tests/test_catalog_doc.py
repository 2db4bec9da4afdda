"""docs/events.md is the catalog the code defines, regenerated and compared."""

from __future__ import annotations

from pathlib import Path

from adapters.docgen import events_markdown
from execution_core import event_types

DOC = Path(__file__).resolve().parents[1] / "docs" / "events.md"


def test_events_doc_matches_the_code() -> None:
    """Given the code's event and command catalog, when docs/events.md is regenerated, then the
    committed file is identical (run `python -m adapters.docgen > docs/events.md` to refresh)."""
    assert DOC.read_text() == events_markdown()


def test_every_event_type_is_in_the_doc() -> None:
    """Given every registered event type, when the doc is read, then each stored name appears."""
    text = DOC.read_text()
    assert all(f"`{event_type.name}`" in text for event_type in event_types())
