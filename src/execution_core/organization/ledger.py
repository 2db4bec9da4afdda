"""What the organization's facts mean to the views' ledger: the core's own fold, and each
event kept for the "as at" replays (:meth:`~execution_core.views.ledger.Ledger.organization_at`).
"""

from __future__ import annotations

from execution_core.event import Event
from execution_core.facts import Draft, StreamLedger
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonErased,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.organization.state import evolve as evolve_organization

__all__ = ["LEDGER"]

LEDGER = StreamLedger("organization")
"""What each organization event means to the ledger (named by ``streams.LEDGERS``)."""


@LEDGER.handles(
    UnitFounded,
    UnitLeadAppointed,
    PersonErased,
    PersonJoined,
    PersonMoved,
    PersonLeft,
    RolesChanged,
    CoachAuthorised,
    CoachDeauthorised,
)
def _on_organization(draft: Draft, event: Event, seq: int) -> None:
    draft.put("organization", evolve_organization(draft.current["organization"], event))
    draft.table("organization_events").append(event)
