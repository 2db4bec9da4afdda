"""Execution to appraisal trace: for a rating, the goals, scores and policy that produced the
computed rating, and each recorded or calibrated change from it, with who, why and both clocks.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.policy import Policy
from execution_core.views._common import cycle_of, records, require, utc
from execution_core.views.appraisal import Appraiser
from execution_core.views.formulas import Outcome
from execution_core.views.ledger import Ledger

__all__ = [
    "AppraisalTrace",
    "ChangeKind",
    "RatingChange",
    "TraceGoal",
    "TraceStep",
    "appraisal_trace",
]


@attrs.frozen(kw_only=True)
class TraceGoal:
    """A goal's part in the attainment: its share of the weight and what it contributed."""

    goal_id: UUID
    title: str
    weight: float
    share: float
    """The goal's weight over the total weight of the person's goals."""
    final_score: float
    contribution: float
    """``share * final_score``: the contributions add up to the attainment."""
    outcome: Outcome


class ChangeKind(StrEnum):
    """A change to the rating after it was computed."""

    RECORDED = "recorded"
    CALIBRATED = "calibrated"


@attrs.frozen(kw_only=True)
class RatingChange:
    """A reviewer's recorded rating (from the computed one) or a calibration (from the last)."""

    kind: ChangeKind
    from_rating: int | None
    to_rating: int
    actor: str
    reason: str
    """The reviewer's summary for a recorded rating; the calibration's reason."""
    occurred_at: datetime
    recorded_at: datetime


@attrs.frozen(kw_only=True)
class TraceStep:
    """One step of the trace, flattened for a table."""

    step: str
    goal_id: UUID | None = None
    title: str | None = None
    weight: float | None = None
    score: float | None = None
    contribution: float | None = None
    rating: int | None = None
    from_rating: int | None = None
    actor: str | None = None
    reason: str | None = None
    occurred_at: datetime | None = None
    recorded_at: datetime | None = None


@attrs.frozen(kw_only=True)
class AppraisalTrace:
    """How a person's rating in a cycle came to be, read at ``at``."""

    cycle_id: UUID
    person_id: str
    at: datetime
    policy: Policy
    policy_adopted_at: datetime | None
    """When the policy used was adopted in the cycle (None: the caller gave the policy)."""
    policy_adopted_by: str | None
    goals: tuple[TraceGoal, ...]
    attainment: float | None
    computed_rating: int | None
    changes: tuple[RatingChange, ...]
    rating: int | None
    bonus_multiplier: float | None

    @property
    def steps(self) -> tuple[TraceStep, ...]:
        """The trace in order: each goal, the attainment, the computed rating, each change."""
        steps = [
            TraceStep(
                step="goal",
                goal_id=g.goal_id,
                title=g.title,
                weight=g.weight,
                score=g.final_score,
                contribution=g.contribution,
            )
            for g in self.goals
        ]
        steps.append(TraceStep(step="attainment", score=self.attainment))
        steps.append(
            TraceStep(
                step="computed",
                rating=self.computed_rating,
                actor=self.policy_adopted_by,
                reason=f"rating floors {self.policy.rating_floors}",
                occurred_at=self.policy_adopted_at,
            )
        )
        steps.extend(
            TraceStep(
                step=c.kind.value,
                rating=c.to_rating,
                from_rating=c.from_rating,
                actor=c.actor,
                reason=c.reason,
                occurred_at=c.occurred_at,
                recorded_at=c.recorded_at,
            )
            for c in self.changes
        )
        return tuple(steps)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per step."""
        return records(self.steps)


def appraisal_trace(
    ledger: Ledger,
    cycle_id: UUID,
    person_id: str,
    *,
    viewer: str,
    at: datetime,
    policy: Policy | None = None,
    access: AccessPolicy | None = None,
) -> AppraisalTrace:
    """The trace from execution to a person's rating in a cycle at business time ``at``.

    Raises NotPermitted unless ``access`` lets ``viewer`` see the person's appraisal.
    """
    require(ledger, viewer, Permission.VIEW_APPRAISAL, Owner("person", person_id), access)
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    sheet = Appraiser(ledger, cycle, at, policy).sheet(person_id)
    total = sum(g.weight for g in sheet.goals)
    goals = tuple(
        TraceGoal(
            goal_id=g.goal_id,
            title=g.title,
            weight=g.weight,
            share=g.weight / total,
            final_score=g.final_score,
            contribution=g.weight / total * g.final_score,
            outcome=g.outcome,
        )
        for g in sheet.goals
    )
    adoption = None if policy is not None else cycle.policy_fact_at(at)
    changes: list[RatingChange] = []
    appraisal = ledger.appraisals.get((cycle_id, person_id))
    if appraisal is not None:
        recorded = appraisal.recorded_by(at)
        if recorded is not None:
            changes.append(
                RatingChange(
                    kind=ChangeKind.RECORDED,
                    from_rating=sheet.computed_rating,
                    to_rating=recorded.rating,
                    actor=recorded.actor,
                    reason=recorded.summary,
                    occurred_at=recorded.occurred_at,
                    recorded_at=recorded.recorded_at,
                )
            )
        changes.extend(
            RatingChange(
                kind=ChangeKind.CALIBRATED,
                from_rating=c.from_rating,
                to_rating=c.to_rating,
                actor=c.actor,
                reason=c.reason,
                occurred_at=c.occurred_at,
                recorded_at=c.recorded_at,
            )
            for c in appraisal.calibrations_by(at)
        )
    return AppraisalTrace(
        cycle_id=cycle_id,
        person_id=person_id,
        at=at,
        policy=sheet.policy,
        policy_adopted_at=None if adoption is None else adoption.occurred_at,
        policy_adopted_by=None if adoption is None else adoption.actor,
        goals=goals,
        attainment=sheet.attainment,
        computed_rating=sheet.computed_rating,
        changes=tuple(changes),
        rating=sheet.rating,
        bonus_multiplier=sheet.bonus_multiplier,
    )
