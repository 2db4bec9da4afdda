"""What the events of a batch touch, noted cheaply per event and resolved once per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.coaching.events import (
    CoachingGiven,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.event import Event
from execution_core.goals.events import GoalRealigned
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.views.ledger import Ledger

__all__ = ["Touched"]

_ORG_EVENTS = (
    UnitFounded,
    UnitLeadAppointed,
    PersonJoined,
    PersonMoved,
    PersonLeft,
    RolesChanged,
    CoachAuthorised,
    CoachDeauthorised,
)
_CYCLE_EVENTS = (CycleOpened, PolicyAdopted, CycleClosed)
_SPECIAL: frozenset[type[Event]] = frozenset(
    (
        *_ORG_EVENTS,
        *_CYCLE_EVENTS,
        CommitmentMade,
        CommitmentKept,
        CommitmentMissed,
        CoachingGiven,
        AppraisalRecorded,
        RatingCalibrated,
        GoalRealigned,
    )
)


@attrs.define
class Touched:
    """What the events of a batch touched (resolved against the ledger at the batch end)."""

    streams: set[UUID] = attrs.Factory(set)
    goals: set[UUID] = attrs.Factory(set)
    cycles: set[UUID] = attrs.Factory(set)
    """Cycles with a cycle event (opened, a policy adopted, closed): their boards are rebuilt."""
    realigned: set[UUID] = attrs.Factory(set)
    """Goals realigned: a realignment can open or close an alignment loop, which changes the
    effective parent of goals below it too, so their cycle's board is rebuilt (as
    ``Scoreboard.apply`` does)."""
    appraisals: set[tuple[UUID, str]] = attrs.Factory(set)
    appraisal_streams: set[UUID] = attrs.Factory(set)
    resolved_commitments: set[tuple[UUID, str]] = attrs.Factory(set)
    org: bool = False
    events: int = 0
    earliest: datetime | None = None
    """The earliest business time of the events: no reading before it has changed."""

    def note(self, events: Sequence[Event]) -> None:
        """Remember what these events touch (cheap: the work is done once, at the batch end)."""
        self.events += len(events)
        if events:
            first = min(e.occurred_at for e in events)
            if self.earliest is None or first < self.earliest:
                self.earliest = first
        self.streams.update(e.stream_id for e in events)
        for event in events:
            if type(event) not in _SPECIAL:
                continue
            if isinstance(event, _CYCLE_EVENTS):
                self.cycles.add(event.stream_id)
            elif isinstance(event, _ORG_EVENTS):
                self.org = True
            elif isinstance(event, CommitmentMade):
                if event.goal_id is not None:
                    self.goals.add(event.goal_id)
            elif isinstance(event, CommitmentKept | CommitmentMissed):
                self.resolved_commitments.add((event.stream_id, event.commitment_id))
            elif isinstance(event, AppraisalRecorded):
                self.appraisals.add((event.cycle_id, event.person_id))
            elif isinstance(event, RatingCalibrated):
                self.appraisal_streams.add(event.stream_id)
            elif isinstance(event, GoalRealigned):
                self.realigned.add(event.stream_id)

    def merge(self, other: Touched) -> None:
        """Add what another batch touched (both resolved or both not)."""
        self.streams |= other.streams
        self.goals |= other.goals
        self.cycles |= other.cycles
        self.realigned |= other.realigned
        self.appraisals |= other.appraisals
        self.appraisal_streams |= other.appraisal_streams
        self.resolved_commitments |= other.resolved_commitments
        self.org = self.org or other.org
        self.events += other.events
        if other.earliest is not None and (self.earliest is None or other.earliest < self.earliest):
            self.earliest = other.earliest

    def resolve(self, ledger: Ledger) -> None:
        """Turn streams into goals and appraisal keys, and commitments into their goals."""
        goals = ledger.goals
        self.goals.update(s for s in self.streams if s in goals)
        for stream in self.appraisal_streams:
            key = ledger.appraisal_streams.get(stream)
            if key is not None:
                self.appraisals.add(key)
        for stream, commitment_id in self.resolved_commitments:
            person = ledger.journal_streams.get(stream)
            if person is None:
                continue
            commitment = ledger.journal(person).commitments.get(commitment_id)
            if commitment is not None and commitment.goal_id is not None:
                self.goals.add(commitment.goal_id)
