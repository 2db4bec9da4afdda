"""Cycle commands (executives open and close cycles; executives or HR adopt a policy)."""

from __future__ import annotations

from uuid import UUID

import attrs
from pydantic import BaseModel, ConfigDict, create_model, model_validator

from execution_core.command import Command, Day, Days, Name
from execution_core.policy import Policy

__all__ = ["AdoptPolicy", "CloseCycle", "OpenCycle", "PolicySpec"]

attrs.resolve_types(Policy)


class _PolicyBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="after")
    def _coherent(self) -> _PolicyBase:
        self.to_policy()  # the value object's own rules, reported as validation errors
        return self

    def to_policy(self) -> Policy:
        """The core value this spec describes."""
        return Policy(**{name: getattr(self, name) for name in type(self).model_fields})


PolicySpec: type[_PolicyBase] = create_model(  # one source of truth: the fields of Policy
    "PolicySpec",
    __base__=_PolicyBase,
    __doc__="The JSON form of a Policy; every field is optional and defaults as Policy does.",
    **{f.name: (f.type, f.default) for f in attrs.fields(Policy)},  # type: ignore[call-overload]
)


class OpenCycle(Command):
    """Open a cycle (the policy defaults to ``Policy()``); ``cycle_id`` is assigned if absent."""

    cycle_id: UUID | None = None
    name: Name
    starts_on: Day
    ends_on: Day
    cadence_days: Days = 7
    policy: PolicySpec | None = None

    @model_validator(mode="after")
    def _dates(self) -> OpenCycle:
        if self.ends_on < self.starts_on:
            raise ValueError("a cycle cannot end before it starts")
        return self


class AdoptPolicy(Command):
    """Put a new policy in force in a cycle, from ``occurred_at`` on."""

    cycle_id: UUID
    policy: PolicySpec


class CloseCycle(Command):
    """Close a cycle."""

    cycle_id: UUID
