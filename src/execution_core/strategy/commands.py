"""Strategy commands (executives only, by default)."""

from __future__ import annotations

from execution_core.command import Command, Id, Name, Text
from execution_core.strategy.events import Perspective

__all__ = ["AddTheme", "DefineStrategy", "RetireTheme"]


class DefineStrategy(Command):
    """State or restate the vision."""

    vision: Text


class AddTheme(Command):
    """Add a strategic theme."""

    theme_id: Id
    title: Name
    perspective: Perspective | None = None


class RetireTheme(Command):
    """Retire a theme: it takes no new goals."""

    theme_id: Id
    reason: Text = ""
