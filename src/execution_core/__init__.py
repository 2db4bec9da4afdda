"""execution-core: strategy execution management as an immutable event stream.

Commands in, events out; one history feeds the coach's live views and HR's appraisal views.
Start with :class:`Execution`: ``Execution.open("sqlite:///plan.db")``.

The top level holds what an app needs to run the game: the facade, its errors, the commands and
the values they take, the store port, the policy and the access policy. The rest is reached
through its subpackage: the views (:mod:`execution_core.views`), the events
(:mod:`execution_core.events`), the states (:mod:`execution_core.states`), the registry of
streams (:mod:`execution_core.streams`), the audit (:mod:`execution_core.audit`) and the
simulation (:mod:`execution_core.simulation`). Names that used to be here still resolve, with a
``DeprecationWarning`` naming their new home (CHANGELOG.md, 0.2.0).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from execution_core import views
from execution_core.access import (
    SYSTEM,
    AccessPolicy,
    DefaultAccessPolicy,
    Owner,
)
from execution_core.appraisals.commands import (
    CalibrateRating,
    RecordAppraisal,
)
from execution_core.catalog import (
    command_schemas,
    parse_command,
)
from execution_core.coaching.commands import (
    CommitmentSpec,
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
)
from execution_core.coaching.events import (
    CoachingKind,
)
from execution_core.command import (
    Command,
)
from execution_core.cycles.commands import (
    AdoptPolicy,
    CloseCycle,
    OpenCycle,
)
from execution_core.errors import (
    ConcurrentChange,
    DatedInTheFuture,
    ExecutionError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    NotPermitted,
    Problem,
    RuleViolated,
    StoreUnavailable,
)
from execution_core.event import (
    Event,
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
    PlanAction,
    RealignGoal,
    ReassignGoal,
    ReviewGoal,
    SetGoal,
    WeightGoal,
)
from execution_core.goals.events import (
    GoalKind,
)
from execution_core.organization.commands import (
    AddPerson,
    AppointUnitLead,
    AuthoriseCoach,
    DeauthoriseCoach,
    ErasePerson,
    FoundUnit,
    MovePerson,
    RemovePerson,
    SetRoles,
)
from execution_core.organization.events import (
    Role,
)
from execution_core.policy import (
    Policy,
)
from execution_core.ports import (
    EventStore,
    Recorded,
)
from execution_core.retrying import (
    Backoff,
)
from execution_core.service import (
    DEFAULT_FUTURE_TOLERANCE,
    DEFAULT_STORE,
    STORE_VARIABLE,
    Execution,
    Outcome,
)
from execution_core.strategy.commands import (
    AddTheme,
    DefineStrategy,
    RetireTheme,
)
from execution_core.strategy.events import (
    Perspective,
)

__version__ = "0.1.0"
"""The package's version, its one source (the build reads it here; CHANGELOG.md says what
changed)."""

__all__ = [
    # the facade
    "Execution",
    "Outcome",
    "DEFAULT_FUTURE_TOLERANCE",
    "DEFAULT_STORE",
    "STORE_VARIABLE",
    "Backoff",
    # errors
    "ExecutionError",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
    "RuleViolated",
    "ConcurrentChange",
    "DatedInTheFuture",
    "IdempotencyKeyReused",
    "StoreUnavailable",
    "Problem",
    # the store port
    "EventStore",
    "Recorded",
    # policy and access
    "Policy",
    "SYSTEM",
    "AccessPolicy",
    "DefaultAccessPolicy",
    "Owner",
    "Role",
    # commands
    "Command",
    "parse_command",
    "command_schemas",
    "AddPerson",
    "AppointUnitLead",
    "AuthoriseCoach",
    "DeauthoriseCoach",
    "FoundUnit",
    "MovePerson",
    "RemovePerson",
    "ErasePerson",
    "SetRoles",
    "AddTheme",
    "DefineStrategy",
    "RetireTheme",
    "AdoptPolicy",
    "CloseCycle",
    "OpenCycle",
    "AddKeyResult",
    "AdjustTarget",
    "CompleteAction",
    "CompleteGoal",
    "DropAction",
    "DropGoal",
    "LogProgress",
    "PlanAction",
    "RealignGoal",
    "ReassignGoal",
    "ReviewGoal",
    "SetGoal",
    "WeightGoal",
    "GiveCoaching",
    "KeepCommitment",
    "MakeCommitment",
    "MissCommitment",
    "CalibrateRating",
    "RecordAppraisal",
    # values commands take
    "KeyResultSpec",
    "ActionSpec",
    "CommitmentSpec",
    "GoalKind",
    "CoachingKind",
    "Perspective",
    # events and views
    "Event",
    "views",
]

_MOVED: dict[str, str] = {
    "EVENT_TYPES_BY_STREAM": "execution_core.catalog",
    "as_utc": "execution_core.clock",
    "require_utc": "execution_core.clock",
    "EventType": "execution_core.events",
    "RATINGS": "execution_core.policy",
    "Permission": "execution_core.access",
    "Id": "execution_core.command",
    "Name": "execution_core.command",
    "Receipt": "execution_core.command",
    "Text": "execution_core.command",
    "UtcDatetime": "execution_core.command",
    "Context": "execution_core.decider",
    "Decider": "execution_core.decider",
    "event_types": "execution_core.catalog",
    "CoachAuthorised": "execution_core.events",
    "CoachDeauthorised": "execution_core.events",
    "PersonJoined": "execution_core.events",
    "PersonLeft": "execution_core.events",
    "PersonMoved": "execution_core.events",
    "RolesChanged": "execution_core.events",
    "UnitFounded": "execution_core.events",
    "UnitLeadAppointed": "execution_core.events",
    "Organization": "execution_core.states",
    "Person": "execution_core.states",
    "Unit": "execution_core.states",
    "StrategyDefined": "execution_core.events",
    "ThemeAdded": "execution_core.events",
    "ThemeRetired": "execution_core.events",
    "Strategy": "execution_core.states",
    "Theme": "execution_core.states",
    "CycleClosed": "execution_core.events",
    "CycleOpened": "execution_core.events",
    "PolicyAdopted": "execution_core.events",
    "PolicySpec": "execution_core.cycles.commands",
    "Cycle": "execution_core.states",
    "ActionDone": "execution_core.events",
    "ActionDropped": "execution_core.events",
    "ActionPlanned": "execution_core.events",
    "Alignment": "execution_core.events",
    "Direction": "execution_core.events",
    "GoalCompleted": "execution_core.events",
    "GoalDropped": "execution_core.events",
    "GoalRealigned": "execution_core.events",
    "GoalReassigned": "execution_core.events",
    "GoalReviewed": "execution_core.events",
    "GoalSet": "execution_core.events",
    "GoalWeighted": "execution_core.events",
    "KeyResultAdded": "execution_core.events",
    "ProgressLogged": "execution_core.events",
    "TargetAdjusted": "execution_core.events",
    "OwnerSpec": "execution_core.goals.commands",
    "Action": "execution_core.states",
    "Goal": "execution_core.states",
    "GoalStatus": "execution_core.states",
    "KeyResult": "execution_core.states",
    "CoachingGiven": "execution_core.events",
    "CommitmentKept": "execution_core.events",
    "CommitmentMade": "execution_core.events",
    "CommitmentMissed": "execution_core.events",
    "CoachingJournal": "execution_core.states",
    "Commitment": "execution_core.states",
    "AppraisalRecorded": "execution_core.events",
    "RatingCalibrated": "execution_core.events",
    "Appraisal": "execution_core.states",
    "ORGANIZATION_ID": "execution_core.ids",
    "STRATEGY_ID": "execution_core.ids",
    "appraisal_stream_id": "execution_core.ids",
    "coaching_stream_id": "execution_core.ids",
    "ORGANIZATION": "execution_core.streams",
    "STRATEGY": "execution_core.streams",
    "CYCLE": "execution_core.streams",
    "GOAL": "execution_core.streams",
    "GoalFacts": "execution_core.goals.decider",
    "COACHING": "execution_core.streams",
    "CoachingFacts": "execution_core.coaching.decider",
    "APPRAISAL": "execution_core.streams",
}
"""Names the top level exported before 0.2.0, with the module that holds each now."""


def __getattr__(name: str) -> Any:
    """A name that moved to a subpackage still resolves here, with a deprecation warning."""
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'execution_core' has no attribute {name!r}")
    warnings.warn(
        f"execution_core.{name} moved: import it from {home}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(__all__)
