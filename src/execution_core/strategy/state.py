"""The strategy as its events leave it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import singledispatch

import attrs

from execution_core.event import Event
from execution_core.folding import changed, handler
from execution_core.plain import JsonForm
from execution_core.strategy.events import (
    Perspective,
    StrategyDefined,
    ThemeAdded,
    ThemeRetired,
)

__all__ = ["Strategy", "Theme", "evolve"]


@attrs.frozen
class Theme:
    """A strategic objective."""

    id: str
    title: str
    perspective: Perspective | None = None
    retired: bool = False


@attrs.frozen
class Strategy(JsonForm):
    """The state of the strategy stream."""

    version: int = 0
    vision: str | None = None
    themes: Mapping[str, Theme] = attrs.Factory(dict)

    @property
    def defined(self) -> bool:
        """Whether a vision has been stated."""
        return self.vision is not None


def evolve(state: Strategy, event: Event) -> Strategy:
    """Apply one strategy event (pure)."""
    return handler(_apply, event)(event, state)


@singledispatch
def _apply(event: Event, state: Strategy) -> Strategy:
    raise TypeError(f"not a strategy event: {type(event).__name__}")


@_apply.register
def _(event: StrategyDefined, state: Strategy) -> Strategy:
    return changed(state, version=event.version, vision=event.vision)


@_apply.register
def _(event: ThemeAdded, state: Strategy) -> Strategy:
    themes = dict(state.themes)
    themes[event.theme_id] = Theme(event.theme_id, event.title, event.perspective)
    return changed(state, version=event.version, themes=themes)


@_apply.register
def _(event: ThemeRetired, state: Strategy) -> Strategy:
    themes = dict(state.themes)
    themes[event.theme_id] = changed(themes[event.theme_id], retired=True)
    return changed(state, version=event.version, themes=themes)
