"""The state of every kind of stream, as the facade returns it (``Execution.goal(...)`` is a
:class:`Goal`): one import for code that annotates or reads them."""

from __future__ import annotations

from execution_core.appraisals.state import Appraisal
from execution_core.coaching.state import CoachingJournal, Commitment
from execution_core.cycles.state import Cycle
from execution_core.goals.state import Action, Goal, GoalStatus, KeyResult
from execution_core.organization.state import Organization, Person, Unit
from execution_core.strategy.state import Strategy, Theme

__all__ = [
    "Organization",
    "Person",
    "Unit",
    "Strategy",
    "Theme",
    "Cycle",
    "Goal",
    "GoalStatus",
    "KeyResult",
    "Action",
    "CoachingJournal",
    "Commitment",
    "Appraisal",
]
