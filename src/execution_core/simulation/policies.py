"""Management policies: what the people of a simulated organization do, week by week.

A policy is any object with a ``name``, a ``cadence_days`` (the check-in cadence the cycle is
opened with) and three hooks that return *acts*: ``check_ins`` (every week: who logs progress),
``manage`` (every week, after the check-ins: coaching, adjustments) and ``close`` (after the
cycle closed: game reviews, appraisals). The hooks read a :class:`Situation` (the live board as
recorded, never the hidden trajectories) and return acts; the engine turns each act into the
facade command a real person would issue, so the domain's rules apply to a policy as to anyone.
A hook may also return any :class:`~execution_core.command.Command` (its actor and time as
given). Policies should keep no state of their own: everything they need is in the situation,
which is what lets a counterfactual switch policy mid-cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import attrs

from execution_core.coaching.events import CoachingKind
from execution_core.command import Command
from execution_core.simulation.model import _at_least, _share
from execution_core.simulation.observation import GoalView, Situation
from execution_core.views.formulas import Health

__all__ = [
    "Act",
    "AdjustTarget",
    "Appraise",
    "BasePolicy",
    "CheckIn",
    "Coach",
    "ExecutionManagement",
    "ManagementPolicy",
    "PerformanceManagement",
    "Review",
]


@attrs.frozen
class CheckIn:
    """The goal's owner logs the current value of its key results (all, or those named)."""

    goal_id: UUID
    kr_ids: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class Coach:
    """A coach (by default the owner's manager) coaches the owner about a goal; with
    ``commitment_weeks`` the owner commits to an action due that many weeks later."""

    goal_id: UUID
    kind: CoachingKind = CoachingKind.GUIDANCE
    note: str = "Coaching on the goal"
    commitment_weeks: int | None = None
    coach_id: str | None = None


@attrs.frozen(kw_only=True)
class AdjustTarget:
    """The owner's manager agrees a new target for a key result, saying why."""

    goal_id: UUID
    kr_id: str
    target: float
    reason: str
    stretch: float | None = None


@attrs.frozen(kw_only=True)
class Review:
    """The game review of a goal, recorded by the owner's manager (or the owner at the top)."""

    goal_id: UUID
    worked: str = ""
    did_not_work: str = ""
    lessons: str = ""


@attrs.frozen(kw_only=True)
class Appraise:
    """A person's appraisal, recorded by their manager (HR for the chief executive).

    ``rating=None`` records the rating the appraisal sheet computes from the goals."""

    person_id: str
    rating: int | None = None
    summary: str = ""


Act = CheckIn | Coach | AdjustTarget | Review | Appraise | Command
"""What a policy's hook may return."""


@runtime_checkable
class ManagementPolicy(Protocol):
    """What the simulator asks of a policy (see the module docstring)."""

    @property
    def name(self) -> str:
        """A short name for reports ("execution", "performance", ...)."""
        ...

    @property
    def cadence_days(self) -> int:
        """The check-in cadence the cycle is opened with."""
        ...

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        """Each week: who logs progress."""
        ...

    def manage(self, situation: Situation) -> Iterable[Act]:
        """Each week, after the check-ins: coaching, target adjustments."""
        ...

    def close(self, situation: Situation) -> Iterable[Act]:
        """After the cycle closed: game reviews and appraisals."""
        ...


@attrs.frozen(kw_only=True)
class BasePolicy:
    """A policy that does nothing at all; subclass it and override the hooks you need."""

    name: str = "custom"
    cadence_days: int = attrs.field(default=7, validator=_at_least(1))

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        """Nobody checks in."""
        return ()

    def manage(self, situation: Situation) -> Iterable[Act]:
        """Nobody manages."""
        return ()

    def close(self, situation: Situation) -> Iterable[Act]:
        """Nobody reviews or appraises."""
        return ()


def _appraise_everyone(situation: Situation) -> list[Act]:
    return [Appraise(person_id=person_id) for person_id in situation.people]


@attrs.frozen(kw_only=True)
class PerformanceManagement(BasePolicy):
    """Goals at the start, judgement at the end, nothing in between: every owner reports their
    results in the last week of the cycle, and every manager records the computed rating."""

    name: str = "performance"

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        """Only the year-end self-assessment, in the last week."""
        if situation.week != situation.weeks - 1:
            return []
        return [CheckIn(goal_id) for goal_id in situation.goals]

    def close(self, situation: Situation) -> Iterable[Act]:
        """The appraisal: the rating the sheet computes."""
        return _appraise_everyone(situation)


def _weeks_or_none(instance: Any, attribute: Any, value: int | None) -> None:
    if value is not None:
        _at_least(1)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class ExecutionManagement(BasePolicy):
    """Coaching during the game: check-ins every ``cadence_days``; a coaching session (with a
    commitment) when a goal shows at risk or off track and was not coached in the last
    ``recoach_weeks``; a target adjustment when, from ``adjust_from`` of the cycle on, a key
    result's forecast is below ``infeasible_below`` (the new target is where its line heads,
    never below ``adjusted_floor`` of the gap); a game review of every goal at the end; the
    appraisal records the computed rating."""

    name: str = "execution"
    recoach_weeks: int = attrs.field(default=4, validator=_at_least(1))
    commitment_weeks: int | None = attrs.field(default=2, validator=_weeks_or_none)
    adjust_targets: bool = True
    adjust_from: float = attrs.field(default=0.5, validator=_share)
    infeasible_below: float = attrs.field(default=0.5, validator=_share)
    adjusted_floor: float = attrs.field(default=0.3, validator=_share)
    review: bool = True

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        """Everyone checks in when their last check-in is a cadence old (and in the last week)."""
        due = timedelta(days=self.cadence_days) - timedelta(hours=12)
        last_week = situation.week == situation.weeks - 1
        acts: list[Act] = []
        for goal in situation.goals.values():
            if goal.status != "active":
                continue
            last = goal.last_checkin_at
            if last_week or last is None or situation.at - last >= due:
                acts.append(CheckIn(goal.goal_id))
        return acts

    def manage(self, situation: Situation) -> Iterable[Act]:
        """Coach what the board flags; adjust what can no longer be reached."""
        acts: list[Act] = []
        last_weeks = timedelta(weeks=self.recoach_weeks) - timedelta(hours=12)
        adjusting = self.adjust_targets and situation.expected >= self.adjust_from
        for goal in situation.goals.values():
            if goal.status != "active" or goal.manager_id is None:
                continue
            if goal.flagged and not any(
                situation.at - when < last_weeks for when in goal.coached_at
            ):
                off = goal.health is Health.OFF_TRACK
                acts.append(
                    Coach(
                        goal_id=goal.goal_id,
                        kind=CoachingKind.CORRECTION if off else CoachingKind.GUIDANCE,
                        note=f"{'Off track' if off else 'At risk'}: agreed one change to try",
                        commitment_weeks=self.commitment_weeks,
                    )
                )
            if adjusting:
                acts.extend(self._adjustments(goal))
        return acts

    def _adjustments(self, goal: GoalView) -> list[Act]:
        acts: list[Act] = []
        for kr in goal.key_results:
            if kr.forecast is None or kr.forecast >= self.infeasible_below:
                continue
            if kr.target != kr.original_target:
                continue  # adjusted once already: the rest is for the review
            share = max(self.adjusted_floor, kr.forecast)
            target = round(kr.baseline + share * (kr.target - kr.baseline))
            if target in (kr.baseline, kr.target):
                continue
            acts.append(
                AdjustTarget(
                    goal_id=goal.goal_id,
                    kr_id=kr.kr_id,
                    target=target,
                    reason=f"Forecast {kr.forecast:.0%} of the target: agreed a reachable one",
                )
            )
        return acts

    def close(self, situation: Situation) -> Iterable[Act]:
        """Review every goal, then appraise everyone."""
        acts: list[Act] = []
        if self.review:
            for goal in situation.goals.values():
                if goal.reviewed:
                    continue
                coached = len(goal.coached_at)
                acts.append(
                    Review(
                        goal_id=goal.goal_id,
                        worked=f"{coached} coaching session(s)" if coached else "Steady pace",
                        did_not_work="Ended behind its target" if goal.progress < 1.0 else "",
                        lessons=(
                            f"Target adjusted {goal.adjustments} time(s)"
                            if goal.adjustments
                            else "Keep the cadence"
                        ),
                    )
                )
        return acts + _appraise_everyone(situation)
