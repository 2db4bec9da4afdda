"""Every event type of every stream, and the enums their fields use: one import for code that
reads histories (``from execution_core.events import ProgressLogged``)."""

from __future__ import annotations

from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.coaching.events import (
    CoachingGiven,
    CoachingKind,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.event import Event, EventType
from execution_core.goals.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Alignment,
    Direction,
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalReviewed,
    GoalSet,
    GoalWeighted,
    KeyResultAdded,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonErased,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    Role,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.strategy.events import Perspective, StrategyDefined, ThemeAdded, ThemeRetired

__all__ = [
    "Event",
    "EventType",
    # organization
    "CoachAuthorised",
    "CoachDeauthorised",
    "PersonJoined",
    "PersonErased",
    "PersonLeft",
    "PersonMoved",
    "RolesChanged",
    "UnitFounded",
    "UnitLeadAppointed",
    "Role",
    # strategy
    "StrategyDefined",
    "ThemeAdded",
    "ThemeRetired",
    "Perspective",
    # cycles
    "CycleOpened",
    "PolicyAdopted",
    "CycleClosed",
    # goals
    "GoalSet",
    "KeyResultAdded",
    "ProgressLogged",
    "TargetAdjusted",
    "GoalRealigned",
    "GoalReassigned",
    "GoalWeighted",
    "ActionPlanned",
    "ActionDone",
    "ActionDropped",
    "GoalCompleted",
    "GoalDropped",
    "GoalReviewed",
    "Alignment",
    "Direction",
    "GoalKind",
    # coaching
    "CoachingGiven",
    "CommitmentMade",
    "CommitmentKept",
    "CommitmentMissed",
    "CoachingKind",
    # appraisals
    "AppraisalRecorded",
    "RatingCalibrated",
]
