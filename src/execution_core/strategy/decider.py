"""Decisions of the strategy stream."""

from __future__ import annotations

from functools import singledispatch
from uuid import UUID

from execution_core.access import Permission
from execution_core.command import Command
from execution_core.decider import Context, Decider, Stamper, authorise, members, refuse
from execution_core.errors import NotFound
from execution_core.event import Event
from execution_core.folding import handler
from execution_core.ids import STRATEGY_ID
from execution_core.strategy import commands as _commands
from execution_core.strategy import events as _events
from execution_core.strategy.commands import AddTheme, DefineStrategy, RetireTheme
from execution_core.strategy.events import StrategyDefined, ThemeAdded, ThemeRetired
from execution_core.strategy.state import Strategy, evolve

__all__ = ["STRATEGY", "decide"]


def decide(
    state: Strategy, command: Command, context: Context, facts: None = None
) -> tuple[Event, ...]:
    """Decide what a strategy command records, or refuse it with a typed error."""
    authorise(context, command.actor, Permission.DEFINE_STRATEGY)
    stamp = Stamper(STRATEGY_ID, state.version, command, context.now)
    handler(_decide, command)(command, state, stamp)
    return stamp.done()


@singledispatch
def _decide(command: Command, state: Strategy, stamp: Stamper) -> None:
    raise TypeError(f"not a strategy command: {type(command).__name__}")


@_decide.register
def _(command: DefineStrategy, state: Strategy, stamp: Stamper) -> None:
    if not command.vision.strip():
        refuse("a strategy needs a vision", rule="vision missing")
    if command.vision == state.vision:
        refuse("the vision is already exactly this", rule="no change")
    stamp(StrategyDefined, vision=command.vision)


@_decide.register
def _(command: AddTheme, state: Strategy, stamp: Stamper) -> None:
    if not state.defined:
        refuse("define the strategy (its vision) before adding themes", rule="strategy undefined")
    if command.theme_id in state.themes:
        refuse(f"theme {command.theme_id!r} already exists", rule="theme exists")
    stamp(
        ThemeAdded,
        theme_id=command.theme_id,
        title=command.title,
        perspective=command.perspective,
    )


@_decide.register
def _(command: RetireTheme, state: Strategy, stamp: Stamper) -> None:
    theme = state.themes.get(command.theme_id)
    if theme is None:
        raise NotFound(f"unknown theme {command.theme_id!r}", kind="theme", id=command.theme_id)
    if theme.retired:
        refuse(f"theme {command.theme_id!r} is already retired", rule="theme retired")
    stamp(ThemeRetired, theme_id=command.theme_id, reason=command.reason)


def _stream_id(command: Command) -> UUID:
    return STRATEGY_ID


STRATEGY: Decider[Strategy] = Decider(
    "strategy",
    Strategy(),
    evolve,
    decide=decide,
    commands=members(_commands, Command),
    events=members(_events, Event),
    stream_id=_stream_id,
)
"""The strategy stream (one per store)."""
