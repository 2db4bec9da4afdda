"""What every view shares: the policy in force, who may see it, and rows as records (private)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, DefaultAccessPolicy, Owner, Permission
from execution_core.clock import as_utc
from execution_core.errors import NotFound, NotPermitted
from execution_core.goals.events import Alignment
from execution_core.policy import Policy
from execution_core.views.ledger import CycleRecord, Ledger

__all__ = [
    "cycle_of",
    "policy_in_force",
    "record",
    "records",
    "require",
    "utc",
]


def utc(at: datetime) -> datetime:
    """The view's instant, aware and in UTC (a naive instant is refused)."""
    return as_utc(at)


def cycle_of(ledger: Ledger, cycle_id: UUID) -> CycleRecord:
    """The cycle, or NotFound."""
    cycle = ledger.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(f"unknown cycle {cycle_id}", kind="cycle", id=cycle_id)
    return cycle


def policy_in_force(cycle: CycleRecord | None, at: datetime, override: Policy | None) -> Policy:
    """``override`` when given, else the cycle's latest adoption by ``at``."""
    if override is not None:
        return override
    return Policy() if cycle is None else cycle.policy_at(at)


def require(
    ledger: Ledger,
    viewer: str,
    permission: Permission,
    subject: Owner | None,
    access: AccessPolicy | None,
) -> None:
    """Raise NotPermitted unless the access policy lets ``viewer`` see this (asked of the
    organization as the ledger knows it now)."""
    policy = access or DefaultAccessPolicy()
    if not policy.permits(viewer, permission, subject, ledger.organization):
        raise NotPermitted.refusing(viewer, permission.value, subject)


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Alignment):
        return str(value)
    return value


def record(row: Any) -> dict[str, object]:
    """An attrs row as a flat dict: an owner becomes ``owner_kind`` and ``owner_id``, enums
    their values, alignments their text."""
    flat: dict[str, object] = {}
    for name, value in attrs.asdict(row, recurse=False).items():
        if isinstance(value, Owner):
            flat[f"{name}_kind"] = value.kind
            flat[f"{name}_id"] = value.id
        else:
            flat[name] = _plain(value)
    return flat


def records(rows: Iterable[Any]) -> list[dict[str, object]]:
    """Rows as flat dicts, in order."""
    return [record(row) for row in rows]
