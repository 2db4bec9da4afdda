"""What a cycle's facts mean to the views' ledger: the cycle's record and its handlers.

A cycle folds with the core's own ``evolve`` (its dates, cadence, policy and closing as they
stand) and keeps the history of its policies and its closing, so a view reads the policy in
force and whether the cycle had closed at any business instant.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from uuid import UUID

import attrs

from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.cycles.state import Cycle
from execution_core.cycles.state import evolve as evolve_cycle
from execution_core.facts import Draft, Fact, StreamLedger, latest, stamp
from execution_core.policy import Policy

__all__ = ["LEDGER", "CycleRecord", "PolicyFact"]

LEDGER = StreamLedger("cycle")
"""What each cycle event means to the ledger (the registry names it: ``streams.LEDGERS``)."""


@attrs.frozen(kw_only=True)
class PolicyFact(Fact):
    """A policy adopted by a cycle, in force from its ``occurred_at`` on."""

    policy: Policy


@attrs.frozen(kw_only=True)
class CycleRecord:
    """A cycle: the core's cycle state, and the history of its policies and closing."""

    id: UUID
    state: Cycle
    opened: Fact
    policies: tuple[PolicyFact, ...] = ()
    closings: tuple[Fact, ...] = ()

    # The cycle's instants are read for every goal of every view: each is worked out from the
    # state's dates once per record (a record never changes), not at every read.

    @cached_property
    def starts_at(self) -> datetime:
        """The first instant of the cycle."""
        return self.state.starts_at

    @cached_property
    def ends_at(self) -> datetime:
        """The instant the cycle ends (midnight after its end date)."""
        return self.state.ends_at

    @property
    def cadence_days(self) -> int:
        """The check-in cadence."""
        return self.state.cadence_days

    @cached_property
    def length_days(self) -> float:
        """The length of the cycle in days."""
        return (self.ends_at - self.starts_at).total_seconds() / 86_400.0

    def policy_fact_at(self, at: datetime) -> PolicyFact | None:
        """The adoption in force at ``at``: the latest by ``at``, else the first one adopted."""
        in_force = latest(self.policies, at)
        if in_force is None and self.policies:
            in_force = min(self.policies, key=lambda p: (p.occurred_at, p.seq))
        return in_force

    def policy_at(self, at: datetime) -> Policy:
        """The policy in force at ``at`` (``Policy()`` if the cycle never adopted one)."""
        fact = self.policy_fact_at(at)
        return Policy() if fact is None else fact.policy

    def closed_at(self, at: datetime) -> datetime | None:
        """When the cycle closed, if it had by ``at``."""
        closing = latest(self.closings, at)
        return None if closing is None else closing.occurred_at


# -- what each event means to the ledger


@LEDGER.handles(CycleOpened)
def _on_cycle_opened(draft: Draft, event: CycleOpened, seq: int) -> None:
    cycles = _cycles(draft)
    cycles[event.stream_id] = CycleRecord(
        id=event.stream_id,
        state=evolve_cycle(Cycle(), event),
        opened=Fact(**stamp(event, seq)),
    )


@LEDGER.handles(PolicyAdopted)
def _on_policy(draft: Draft, event: PolicyAdopted, seq: int) -> None:
    cycles = _cycles(draft)
    cycle = cycles.get(event.stream_id)
    if cycle is None:
        return
    fact = PolicyFact(**stamp(event, seq), policy=event.policy)
    cycles[event.stream_id] = attrs.evolve(
        cycle, state=evolve_cycle(cycle.state, event), policies=(*cycle.policies, fact)
    )


@LEDGER.handles(CycleClosed)
def _on_cycle_closed(draft: Draft, event: CycleClosed, seq: int) -> None:
    cycles = _cycles(draft)
    cycle = cycles.get(event.stream_id)
    if cycle is None:
        return
    cycles[event.stream_id] = attrs.evolve(
        cycle,
        state=evolve_cycle(cycle.state, event),
        closings=(*cycle.closings, Fact(**stamp(event, seq))),
    )


def _cycles(draft: Draft) -> dict[UUID, CycleRecord]:
    cycles: dict[UUID, CycleRecord] = draft.table("cycles")
    return cycles
