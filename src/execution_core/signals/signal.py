"""A signal: a typed, documented value saying what changed in the live views, about whom, when,
why (the store position or the clock tick) and under which policy."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from execution_core.clock import require_utc
from execution_core.errors import InvalidInput
from execution_core.policy import Policy
from execution_core.signals.kinds import SignalKind

__all__ = ["Cause", "Signal"]


@attrs.frozen
class Cause:
    """What made the live views change: the facts up to store ``position`` (``tick`` None), or
    a clock tick read at ``tick`` over the facts up to ``position``."""

    position: int
    tick: datetime | None = None

    @property
    def is_tick(self) -> bool:
        """Whether the clock, not a new fact, moved the views."""
        return self.tick is not None

    def to_dict(self) -> dict[str, Any]:
        """The cause as JSON values."""
        return {
            "position": self.position,
            "tick": None if self.tick is None else self.tick.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cause:
        """The cause from :meth:`to_dict`'s values."""
        tick = data.get("tick")
        return cls(int(data["position"]), None if tick is None else datetime.fromisoformat(tick))


def _policy_dict(policy: Policy) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.asdict(policy).items()}


def _policy_of(data: dict[str, Any]) -> Policy:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Policy(**values)


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


@attrs.frozen(kw_only=True)
class Signal:
    """One change of the live views an app may be told about.

    ``was`` and ``now`` say what the subject was and is (a health, a check-in state, a target, a
    rating); ``ref`` names the part of a goal or journal it is about (a key result, an action,
    a commitment), when there is one. ``at`` is business time: the instant the threshold was
    crossed for a kind time alone can fire, else the instant the views were read at.
    ``key`` is derived from the content (never from the cause or the policy), so the same
    change derived twice, by a replay or a worker restarted after a crash, has the same key:
    delivery uses it as its idempotency key.
    """

    kind: SignalKind
    at: datetime = attrs.field(validator=require_utc)
    cause: Cause
    policy: Policy
    cycle_id: UUID | None = None
    goal_id: UUID | None = None
    person_id: str | None = None
    unit_id: str | None = None
    ref: str | None = None
    was: str | None = None
    now: str | None = None

    @property
    def key(self) -> str:
        """A stable id of the change: ``<kind>:<32 hex digits of a sha256 of the content>``."""
        content = json.dumps(
            [
                self.kind.value,
                None if self.cycle_id is None else str(self.cycle_id),
                None if self.goal_id is None else str(self.goal_id),
                self.person_id,
                self.unit_id,
                self.ref,
                self.was,
                self.now,
                self.at.isoformat(),
            ],
            separators=(",", ":"),
        )
        return f"{self.kind.value}:{hashlib.sha256(content.encode()).hexdigest()[:32]}"

    def to_dict(self) -> dict[str, Any]:
        """The signal as JSON values (the form the signal log stores and webhooks send)."""
        return {
            "key": self.key,
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "cycle_id": None if self.cycle_id is None else str(self.cycle_id),
            "goal_id": None if self.goal_id is None else str(self.goal_id),
            "person_id": self.person_id,
            "unit_id": self.unit_id,
            "ref": self.ref,
            "was": self.was,
            "now": self.now,
            "cause": self.cause.to_dict(),
            "policy": _policy_dict(self.policy),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        """The signal from :meth:`to_dict`'s values; ``InvalidInput`` when they do not make one
        (or when a ``key`` is given that the content does not derive)."""
        try:
            signal = cls(
                kind=SignalKind(data["kind"]),
                at=datetime.fromisoformat(data["at"]),
                cause=Cause.from_dict(data["cause"]),
                policy=_policy_of(data["policy"]),
                cycle_id=_uuid(data.get("cycle_id")),
                goal_id=_uuid(data.get("goal_id")),
                person_id=data.get("person_id"),
                unit_id=data.get("unit_id"),
                ref=data.get("ref"),
                was=data.get("was"),
                now=data.get("now"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidInput(f"not a signal: {type(error).__name__}: {error}") from None
        key = data.get("key")
        if key is not None and key != signal.key:
            raise InvalidInput(f"signal key {key!r} does not match its content ({signal.key})")
        return signal

    def to_json(self) -> str:
        """One line of JSON, keys sorted."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
