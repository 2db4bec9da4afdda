"""Histories for the view specs, recorded through ``Execution`` on an in-memory store.

Times are counted in days from the cycle start (2026-01-01 00:00 UTC) so the worked examples
read like the formulas: at ``d(73)`` a 365-day cycle is 20 % through.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from execution_core import Execution, GoalKind, Owner
from execution_core.events import Direction
from execution_core.views import Ledger
from tests.support import CYCLE_ID, Spec, standard_org

__all__ = [
    "CYCLE_ID",
    "CYCLE_DAYS",
    "START",
    "History",
    "d",
    "goal_id",
    "kr",
    "on",
]

START = datetime(2026, 1, 1, tzinfo=UTC)
"""The first instant of the standard cycle (2026-01-01 to 2026-12-31, weekly cadence)."""
CYCLE_DAYS = 365


def d(days: float) -> datetime:
    """Business time ``days`` after the cycle start."""
    return START + timedelta(days=days)


def on(days: int) -> date:
    """The date ``days`` after the cycle start."""
    return (START + timedelta(days=days)).date()


def goal_id(n: int) -> UUID:
    """A readable goal id."""
    return UUID(int=0xC0A1_0000 + n)


def kr(
    kr_id: str = "kr",
    *,
    baseline: float = 0.0,
    target: float = 100.0,
    stretch: float | None = None,
    decrease: bool = False,
    milestone: bool = False,
    weight: float = 1.0,
) -> dict[str, Any]:
    """A key result spec: a metric from ``baseline`` to ``target``, or a milestone."""
    if milestone:
        return {"kr_id": kr_id, "name": kr_id, "milestone": True, "weight": weight}
    return {
        "kr_id": kr_id,
        "name": kr_id,
        "baseline": baseline,
        "target": target,
        "stretch": stretch,
        "direction": Direction.DECREASE if decrease else Direction.INCREASE,
        "weight": weight,
    }


class History:
    """The standard organization (see tests/support.py) and whatever a spec records on it."""

    def __init__(self) -> None:
        self.spec = Spec().given(*standard_org())
        self.execution: Execution = self.spec.execution

    def goal(
        self,
        n: int,
        owner: str | Owner = "ana",
        *,
        key_results: tuple[Mapping[str, Any], ...] = (kr(),),
        theme: str | None = "growth",
        parent: int | None = None,
        weight: float = 1.0,
        kind: GoalKind = GoalKind.INDIVIDUAL,
        actions: tuple[Mapping[str, Any], ...] = (),
        at: float = 0,
        actor: str = "cleo",
    ) -> UUID:
        """Set goal ``n`` (aligned to the theme, to goal ``parent``, or to nothing)."""
        self.execution.set_goal(
            CYCLE_ID,
            f"goal {n}",
            owner,
            goal_id=goal_id(n),
            kind=kind,
            theme_id=None if parent is not None else theme,
            parent_goal_id=None if parent is None else goal_id(parent),
            weight=weight,
            key_results=key_results,
            actions=actions,
            actor=actor,
            occurred_at=d(at),
        )
        return goal_id(n)

    def log(
        self,
        n: int,
        value: float,
        at: float,
        *,
        kr_id: str = "kr",
        confidence: float = 0.7,
        actor: str = "max",
    ) -> None:
        """Check in on goal ``n``'s key result."""
        self.execution.log_progress(
            goal_id(n),
            kr_id,
            value=value,
            confidence=confidence,
            actor=actor,
            occurred_at=d(at),
        )

    def ledger(self) -> Ledger:
        """The ledger of everything recorded so far."""
        return Ledger.of(self.execution.history())
