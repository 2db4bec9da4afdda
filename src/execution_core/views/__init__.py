"""The views: pure projections of the event history, for the coach and for HR.

Fold every event of a store into a :class:`Ledger` (``Ledger.of(execution.history())``), then
read any view at a business time ``at``; each view value has ``to_records()`` for a table. The
ledger as the system knew it at a recorded time ``T`` is ``Ledger.of(events, as_of=T)``, or,
answered from checkpoints, :class:`LedgerHistory` (``execution.ledger_as_of(T)``).

Live execution: :func:`scoreboard`, :func:`alignment_tree`, :func:`coaching_radar`,
:func:`adjustments_log`, :func:`detection_lead_time`, :func:`agenda`, :func:`plan_quality`,
:func:`target_honesty`, :func:`confidence_calibration`, :func:`coaching_effect`,
:func:`game_review` (what worked, what did not, the lessons), :func:`strategy_map` (themes by
perspective).
Classic appraisal: :func:`appraisal_sheet`, :func:`calibration`, :func:`rating_history`,
:func:`appraisal_trace`. The formulas behind them are in :mod:`execution_core.views.formulas`.
"""

from __future__ import annotations

from execution_core.views import live
from execution_core.views.adjustments import (
    Adjustment,
    AdjustmentKind,
    AdjustmentsLog,
    adjustments_log,
)
from execution_core.views.agenda import Agenda, AgendaItem, AgendaKind, agenda
from execution_core.views.alignment import (
    AlignmentNode,
    AlignmentRecord,
    AlignmentTree,
    alignment_tree,
)
from execution_core.views.appraisal import (
    AppraisalSheet,
    AppraisedGoal,
    Appraiser,
    RatingSource,
    appraisal_sheet,
)
from execution_core.views.calibration import Calibration, CalibrationRow, calibration
from execution_core.views.coaching_effect import CoachingEffect, SessionEffect, coaching_effect
from execution_core.views.confidence import (
    ConfidenceCalibration,
    OwnerConfidence,
    confidence_calibration,
)
from execution_core.views.early_warning import EarlyWarning, Flag, early_warning
from execution_core.views.formulas import Health, Outcome
from execution_core.views.game_review import GameReview, ReviewedGoal, game_review
from execution_core.views.history import Checkpoint, LedgerHistory, StoreChanged, stream_state
from execution_core.views.honesty import (
    HonestyRow,
    LoweredTarget,
    TargetHonesty,
    target_honesty,
)
from execution_core.views.lead_time import LeadTime, LeadTimeReport, detection_lead_time
from execution_core.views.ledger import (
    ActionRecord,
    ActionResolved,
    AppraisalRecord,
    CheckIn,
    CommitmentRecord,
    CommitmentResolved,
    CycleRecord,
    Fact,
    GoalEnded,
    GoalRecord,
    GoalReview,
    JournalRecord,
    KeyResultRecord,
    Ledger,
    LedgerBuilder,
    PolicyFact,
    RatingChanged,
    RatingRecorded,
    Realignment,
    Reassignment,
    Reweighting,
    Session,
    TargetChange,
)
from execution_core.views.plan_quality import Finding, FindingKind, PlanQuality, plan_quality
from execution_core.views.radar import CoachingRadar, RadarRow, UncoachedGoal, coaching_radar
from execution_core.views.rating_history import RatingHistory, RatingHistoryRow, rating_history
from execution_core.views.scoreboard import Scoreboard, ScoreboardRow, scoreboard
from execution_core.views.strategy_map import (
    MapGoal,
    MapRecord,
    MapTheme,
    PerspectiveGroup,
    StrategyMap,
    strategy_map,
)
from execution_core.views.trace import (
    AppraisalTrace,
    ChangeKind,
    RatingChange,
    TraceGoal,
    TraceStep,
    appraisal_trace,
)

__all__ = [
    # the live projections (board, appraisal, radar rows kept batch by batch)
    "live",
    # the read model
    "Ledger",
    "LedgerBuilder",
    "Fact",
    "CheckIn",
    "TargetChange",
    "KeyResultRecord",
    "Realignment",
    "Reassignment",
    "Reweighting",
    "GoalEnded",
    "GoalReview",
    "ActionRecord",
    "ActionResolved",
    "GoalRecord",
    "PolicyFact",
    "CycleRecord",
    "Session",
    "CommitmentRecord",
    "CommitmentResolved",
    "JournalRecord",
    "RatingRecorded",
    "RatingChanged",
    "AppraisalRecord",
    # the ledger at any recorded time, stream states as of and as at
    "LedgerHistory",
    "Checkpoint",
    "StoreChanged",
    "stream_state",
    # vocabulary of the formulas
    "Health",
    "Outcome",
    # live execution
    "scoreboard",
    "Scoreboard",
    "ScoreboardRow",
    "alignment_tree",
    "AlignmentTree",
    "AlignmentNode",
    "AlignmentRecord",
    "coaching_radar",
    "CoachingRadar",
    "RadarRow",
    "UncoachedGoal",
    "adjustments_log",
    "AdjustmentsLog",
    "Adjustment",
    "AdjustmentKind",
    "detection_lead_time",
    "LeadTimeReport",
    "LeadTime",
    "early_warning",
    "EarlyWarning",
    "Flag",
    "agenda",
    "Agenda",
    "AgendaItem",
    "AgendaKind",
    "plan_quality",
    "PlanQuality",
    "Finding",
    "FindingKind",
    "target_honesty",
    "TargetHonesty",
    "HonestyRow",
    "LoweredTarget",
    "confidence_calibration",
    "ConfidenceCalibration",
    "OwnerConfidence",
    "coaching_effect",
    "CoachingEffect",
    "SessionEffect",
    "game_review",
    "GameReview",
    "ReviewedGoal",
    "strategy_map",
    "StrategyMap",
    "PerspectiveGroup",
    "MapTheme",
    "MapGoal",
    "MapRecord",
    # classic appraisal
    "appraisal_sheet",
    "AppraisalSheet",
    "AppraisedGoal",
    "Appraiser",
    "RatingSource",
    "calibration",
    "Calibration",
    "CalibrationRow",
    "rating_history",
    "RatingHistory",
    "RatingHistoryRow",
    "appraisal_trace",
    "AppraisalTrace",
    "TraceGoal",
    "TraceStep",
    "RatingChange",
    "ChangeKind",
]
