"""Stream identifiers: random for goals and cycles, derived for the streams one key names."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

__all__ = [
    "NAMESPACE",
    "ORGANIZATION_ID",
    "STRATEGY_ID",
    "appraisal_stream_id",
    "coaching_stream_id",
]

NAMESPACE = UUID("5d8f2a8e-3c1b-4f4e-9a57-6f1c2e0b9d41")
"""The namespace of derived stream ids; fixed forever, since stored streams are named by it."""

ORGANIZATION_ID = uuid5(NAMESPACE, "organization")
"""The one organization stream of a store."""

STRATEGY_ID = uuid5(NAMESPACE, "strategy")
"""The one strategy stream of a store."""


@lru_cache(maxsize=65_536)  # derived on every coaching command; a sha1 and a UUID each time
def coaching_stream_id(person_id: str) -> UUID:
    """The coaching journal stream of a person."""
    return uuid5(NAMESPACE, f"coaching/{person_id}")


@lru_cache(maxsize=65_536)
def appraisal_stream_id(cycle_id: UUID, person_id: str) -> UUID:
    """The appraisal stream of a person in a cycle."""
    return uuid5(NAMESPACE, f"appraisal/{cycle_id}/{person_id}")
