"""The state of every kind of stream, as the facade returns it (``Execution.goal(...)`` is an
:class:`OpenedGoal`): one import for code that annotates or reads them.

A stream's state before its first event is the plain class (:class:`Goal`, whose ``id`` is
None); the facade returns the *opened* form (:class:`OpenedGoal`, a subclass whose ids are
required), so ``goal.id`` is a ``UUID`` to a type checker, and raises ``NotFound`` for a stream
that was never opened.
"""

from __future__ import annotations

from typing import TypeVar

import attrs

from execution_core.appraisals.state import Appraisal, RecordedAppraisal
from execution_core.coaching.state import CoachingJournal, Commitment, OpenedCoachingJournal
from execution_core.cycles.state import Cycle, OpenedCycle
from execution_core.goals.state import Action, Goal, GoalStatus, KeyResult, OpenedGoal
from execution_core.organization.state import Organization, Person, Unit
from execution_core.strategy.state import Strategy, Theme

__all__ = [
    "Organization",
    "Person",
    "Unit",
    "Strategy",
    "Theme",
    "Cycle",
    "OpenedCycle",
    "Goal",
    "OpenedGoal",
    "GoalStatus",
    "KeyResult",
    "Action",
    "CoachingJournal",
    "OpenedCoachingJournal",
    "Commitment",
    "Appraisal",
    "RecordedAppraisal",
    "opened_as",
]

F = TypeVar("F")


def opened_as(state: object, form: type[F], **known: object) -> F:
    """``state`` in its opened ``form`` (the subclass whose ids are required), with ``known``
    fields filled in; ``TypeError`` when a required id is still missing."""
    if isinstance(state, form) and not known:
        return state
    return form(**{**attrs.asdict(state, recurse=False), **known})  # type: ignore[arg-type]
