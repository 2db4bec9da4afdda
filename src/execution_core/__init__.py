"""execution-core: strategy execution management as an immutable event stream.

Commands in, events out; one history feeds the coach's live views and HR's appraisal views.
Start with :class:`Execution`: ``Execution.open("sqlite:///plan.db")``.
"""

from __future__ import annotations

from execution_core import views
from execution_core.access import (
    SYSTEM,
    AccessPolicy,
    DefaultAccessPolicy,
    Owner,
    Permission,
)
from execution_core.appraisals.commands import (
    CalibrateRating,
    RecordAppraisal,
)
from execution_core.appraisals.decider import APPRAISAL
from execution_core.appraisals.events import (
    AppraisalRecorded,
    RatingCalibrated,
)
from execution_core.appraisals.state import (
    Appraisal,
)
from execution_core.catalog import (
    EVENT_TYPES_BY_STREAM,
    command_schemas,
    event_types,
    parse_command,
)
from execution_core.clock import (
    as_utc,
    require_utc,
)
from execution_core.coaching.commands import (
    CommitmentSpec,
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
)
from execution_core.coaching.decider import COACHING, CoachingFacts
from execution_core.coaching.events import (
    CoachingGiven,
    CoachingKind,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.coaching.state import (
    CoachingJournal,
    Commitment,
)
from execution_core.command import (
    Command,
    Id,
    Name,
    Receipt,
    Text,
    UtcDatetime,
)
from execution_core.cycles.commands import (
    AdoptPolicy,
    CloseCycle,
    OpenCycle,
    PolicySpec,
)
from execution_core.cycles.decider import CYCLE
from execution_core.cycles.events import (
    CycleClosed,
    CycleOpened,
    PolicyAdopted,
)
from execution_core.cycles.state import (
    Cycle,
)
from execution_core.decider import (
    Context,
    Decider,
)
from execution_core.errors import (
    ConcurrentChange,
    ExecutionError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolated,
    StoreUnavailable,
)
from execution_core.event import (
    Event,
    EventType,
)
from execution_core.goals.commands import (
    ActionSpec,
    AddKeyResult,
    AdjustTarget,
    CompleteAction,
    CompleteGoal,
    DropAction,
    DropGoal,
    KeyResultSpec,
    LogProgress,
    OwnerSpec,
    PlanAction,
    RealignGoal,
    ReassignGoal,
    ReviewGoal,
    SetGoal,
    WeightGoal,
)
from execution_core.goals.decider import GOAL, GoalFacts
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
from execution_core.goals.state import (
    Action,
    Goal,
    GoalStatus,
    KeyResult,
)
from execution_core.ids import (
    ORGANIZATION_ID,
    STRATEGY_ID,
    appraisal_stream_id,
    coaching_stream_id,
)
from execution_core.organization.commands import (
    AddPerson,
    AppointUnitLead,
    AuthoriseCoach,
    DeauthoriseCoach,
    FoundUnit,
    MovePerson,
    RemovePerson,
    SetRoles,
)
from execution_core.organization.decider import ORGANIZATION
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    Role,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.organization.state import (
    Organization,
    Person,
    Unit,
)
from execution_core.policy import (
    RATINGS,
    Policy,
)
from execution_core.ports import (
    EventStore,
    Recorded,
)
from execution_core.service import (
    DEFAULT_STORE,
    Execution,
    Outcome,
)
from execution_core.strategy.commands import (
    AddTheme,
    DefineStrategy,
    RetireTheme,
)
from execution_core.strategy.decider import STRATEGY
from execution_core.strategy.events import (
    Perspective,
    StrategyDefined,
    ThemeAdded,
    ThemeRetired,
)
from execution_core.strategy.state import (
    Strategy,
    Theme,
)

__version__ = "0.1.0"

__all__ = [
    "views",
    "EVENT_TYPES_BY_STREAM",
    "ConcurrentChange",
    "ExecutionError",
    "IdempotencyKeyReused",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
    "RuleViolated",
    "StoreUnavailable",
    "as_utc",
    "require_utc",
    "Event",
    "EventType",
    "RATINGS",
    "Policy",
    "SYSTEM",
    "AccessPolicy",
    "DefaultAccessPolicy",
    "Owner",
    "Permission",
    "Command",
    "Id",
    "Name",
    "Receipt",
    "Text",
    "UtcDatetime",
    "Context",
    "Decider",
    "EventStore",
    "Recorded",
    "command_schemas",
    "event_types",
    "parse_command",
    "DEFAULT_STORE",
    "Execution",
    "Outcome",
    "CoachAuthorised",
    "CoachDeauthorised",
    "PersonJoined",
    "PersonLeft",
    "PersonMoved",
    "Role",
    "RolesChanged",
    "UnitFounded",
    "UnitLeadAppointed",
    "AddPerson",
    "AppointUnitLead",
    "AuthoriseCoach",
    "DeauthoriseCoach",
    "FoundUnit",
    "MovePerson",
    "RemovePerson",
    "SetRoles",
    "Organization",
    "Person",
    "Unit",
    "Perspective",
    "StrategyDefined",
    "ThemeAdded",
    "ThemeRetired",
    "AddTheme",
    "DefineStrategy",
    "RetireTheme",
    "Strategy",
    "Theme",
    "CycleClosed",
    "CycleOpened",
    "PolicyAdopted",
    "AdoptPolicy",
    "CloseCycle",
    "OpenCycle",
    "PolicySpec",
    "Cycle",
    "ActionDone",
    "ActionDropped",
    "ActionPlanned",
    "Alignment",
    "Direction",
    "GoalCompleted",
    "GoalDropped",
    "GoalKind",
    "GoalRealigned",
    "GoalReassigned",
    "GoalReviewed",
    "GoalSet",
    "GoalWeighted",
    "KeyResultAdded",
    "ProgressLogged",
    "TargetAdjusted",
    "ActionSpec",
    "AddKeyResult",
    "AdjustTarget",
    "CompleteAction",
    "CompleteGoal",
    "DropAction",
    "DropGoal",
    "KeyResultSpec",
    "LogProgress",
    "OwnerSpec",
    "PlanAction",
    "RealignGoal",
    "ReassignGoal",
    "ReviewGoal",
    "SetGoal",
    "WeightGoal",
    "Action",
    "Goal",
    "GoalStatus",
    "KeyResult",
    "CoachingGiven",
    "CoachingKind",
    "CommitmentKept",
    "CommitmentMade",
    "CommitmentMissed",
    "CommitmentSpec",
    "GiveCoaching",
    "KeepCommitment",
    "MakeCommitment",
    "MissCommitment",
    "CoachingJournal",
    "Commitment",
    "AppraisalRecorded",
    "RatingCalibrated",
    "CalibrateRating",
    "RecordAppraisal",
    "Appraisal",
    "ORGANIZATION_ID",
    "STRATEGY_ID",
    "appraisal_stream_id",
    "coaching_stream_id",
    "ORGANIZATION",
    "STRATEGY",
    "CYCLE",
    "GOAL",
    "GoalFacts",
    "COACHING",
    "CoachingFacts",
    "APPRAISAL",
]
