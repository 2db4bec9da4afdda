"""Cycle events: a period of play, the policy in force, and its close.

These classes are the stored format: change them only with a new schema version and an upcaster.
"""

from __future__ import annotations

from datetime import date

import attrs

from execution_core.event import Event, event_type
from execution_core.policy import Policy

__all__ = ["CycleClosed", "CycleOpened", "PolicyAdopted"]


@event_type("cycle.CycleOpened")
@attrs.frozen(kw_only=True)
class CycleOpened(Event):
    """A cycle was opened: it is planned until its start date, then open until closed."""

    cycle_name: str
    starts_on: date
    ends_on: date
    cadence_days: int


@event_type("cycle.PolicyAdopted")
@attrs.frozen(kw_only=True)
class PolicyAdopted(Event):
    """The thresholds and rubric in force in the cycle from ``occurred_at`` on."""

    policy: Policy


@event_type("cycle.CycleClosed")
@attrs.frozen(kw_only=True)
class CycleClosed(Event):
    """The cycle closed: from then on its goals take only reviews; appraisals stay open."""
