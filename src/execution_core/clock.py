"""Timestamps: every instant the core sees is timezone-aware UTC, and clocks are injected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

__all__ = ["Clock", "as_utc", "require_utc"]

Clock = Callable[[], datetime]
"""A source of the current instant; the core never reads the wall clock itself."""


def as_utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} refused: give a timezone")
    return moment.astimezone(UTC)


def require_utc(_instance: Any, attribute: Any, value: datetime) -> None:
    """attrs validator: the stored instant must already be aware and in UTC."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        return  # the common case, decided without a call (every event checks two instants)
    if not isinstance(value, datetime):
        raise TypeError(f"{attribute.name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{attribute.name}: naive datetime refused: give a timezone")
    if value.utcoffset() != UTC.utcoffset(None):
        raise ValueError(f"{attribute.name}: must be in UTC, got offset {value.utcoffset()}")
