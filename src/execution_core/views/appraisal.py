"""The appraisal sheet: per person and cycle, the goals, their final scores, the attainment, the
computed, recorded and calibrated ratings, and the bonus multiplier.

A person's goals are the goals of the cycle they own at its end (dropped goals left out); a
goal's final score is its progress (0..1) at the cycle end. Attainment is the mean of the final
scores weighted by goal weight; the computed rating is the policy's rubric applied to it. A
recorded rating overrides the computed one; a calibrated rating overrides both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.goals.events import GoalKind
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, policy_in_force, record, require, utc
from execution_core.views.formulas import Outcome
from execution_core.views.ledger import CycleRecord, Ledger
from execution_core.views.reading import Reader, ScoreboardRow

__all__ = [
    "AppraisalSheet",
    "AppraisedGoal",
    "Appraiser",
    "RatingSource",
    "appraisal_sheet",
]


class RatingSource(StrEnum):
    """Where the rating that stands comes from."""

    COMPUTED = "computed"
    RECORDED = "recorded"
    CALIBRATED = "calibrated"


@attrs.frozen(kw_only=True)
class AppraisedGoal:
    """One goal on an appraisal sheet."""

    goal_id: UUID
    title: str
    kind: GoalKind
    weight: float
    final_score: float
    """Progress at the cycle end, within 0..1."""
    raw_progress: float
    """Progress at the cycle end with over-achievement kept."""
    outcome: Outcome


@attrs.frozen(kw_only=True)
class AppraisalSheet:
    """A person's appraisal for a cycle, read at ``at`` under ``policy``."""

    cycle_id: UUID
    cycle_name: str
    person_id: str
    at: datetime
    policy: Policy
    goals: tuple[AppraisedGoal, ...]
    attainment: float | None
    """Weighted mean of the final goal scores (None: no goals)."""
    computed_rating: int | None
    recorded_rating: int | None
    calibrated_rating: int | None
    rating: int | None
    """The rating that stands: calibrated, else recorded, else computed."""
    rating_source: RatingSource | None
    bonus_multiplier: float | None
    reviewer_id: str | None
    summary: str

    def summary_record(self) -> dict[str, object]:
        """The sheet's header as one flat dict."""
        return {
            "cycle_id": self.cycle_id,
            "cycle_name": self.cycle_name,
            "person_id": self.person_id,
            "goals": len(self.goals),
            "attainment": self.attainment,
            "computed_rating": self.computed_rating,
            "recorded_rating": self.recorded_rating,
            "calibrated_rating": self.calibrated_rating,
            "rating": self.rating,
            "rating_source": None if self.rating_source is None else self.rating_source.value,
            "bonus_multiplier": self.bonus_multiplier,
        }

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal, with the sheet's header columns repeated."""
        header = self.summary_record()
        del header["goals"]
        return [{**header, **record(goal)} for goal in self.goals]


class Appraiser:
    """Appraises people in one cycle at one instant (the goals are read once for everyone)."""

    def __init__(
        self, ledger: Ledger, cycle: CycleRecord, at: datetime, policy: Policy | None
    ) -> None:
        self.ledger = ledger
        self.cycle = cycle
        self.at = at
        self.policy = policy_in_force(cycle, at, policy)
        end = min(at, cycle.ends_at)
        self.rows: Mapping[UUID, ScoreboardRow] = Reader(ledger, cycle, end, self.policy).rows()

    @classmethod
    def of_rows(
        cls,
        ledger: Ledger,
        cycle: CycleRecord,
        at: datetime,
        policy: Policy,
        rows: Mapping[UUID, ScoreboardRow],
    ) -> Appraiser:
        """An appraiser given the cycle's goal rows already read at its end (``policy``: the
        policy in force), so a live projection that keeps them pays only for the sheets."""
        appraiser = cls.__new__(cls)
        appraiser.ledger = ledger
        appraiser.cycle = cycle
        appraiser.at = at
        appraiser.policy = policy
        appraiser.rows = rows
        return appraiser

    def has_part(self, person_id: str) -> bool:
        """Whether the person owned a goal of the cycle or has an appraisal in it."""
        recorded = self.ledger.appraisals.get((self.cycle.id, person_id))
        return bool(
            (recorded is not None and recorded.recorded_by(self.at) is not None)
            or self._goals(person_id)
        )

    def _goals(self, person_id: str) -> tuple[AppraisedGoal, ...]:
        return tuple(
            AppraisedGoal(
                goal_id=row.goal_id,
                title=row.title,
                kind=row.kind,
                weight=row.weight,
                final_score=row.progress,
                raw_progress=row.raw_progress,
                outcome=row.outcome,
            )
            for row in self.rows.values()
            if row.owner == Owner("person", person_id) and row.status != "dropped"
        )

    def sheet(self, person_id: str) -> AppraisalSheet:
        """The person's sheet (no access check: the public functions ask first)."""
        goals = self._goals(person_id)
        attainment = f.weighted_mean((g.weight, g.final_score) for g in goals)
        computed = None if attainment is None else f.rating(attainment, self.policy)
        appraisal = self.ledger.appraisals.get((self.cycle.id, person_id))
        recorded = None if appraisal is None else appraisal.recorded_by(self.at)
        calibrations = () if appraisal is None else appraisal.calibrations_by(self.at)
        calibrated = calibrations[-1].to_rating if calibrations else None
        rating: int | None
        if calibrated is not None:
            rating, source = calibrated, RatingSource.CALIBRATED
        elif recorded is not None:
            rating, source = recorded.rating, RatingSource.RECORDED
        elif computed is not None:
            rating, source = computed, RatingSource.COMPUTED
        else:
            rating, source = None, None
        return AppraisalSheet(
            cycle_id=self.cycle.id,
            cycle_name=self.cycle.state.name,
            person_id=person_id,
            at=self.at,
            policy=self.policy,
            goals=goals,
            attainment=attainment,
            computed_rating=computed,
            recorded_rating=None if recorded is None else recorded.rating,
            calibrated_rating=calibrated,
            rating=rating,
            rating_source=source,
            bonus_multiplier=None if rating is None else f.bonus_multiplier(rating, self.policy),
            reviewer_id=None if recorded is None else recorded.reviewer_id,
            summary="" if recorded is None else recorded.summary,
        )


def appraisal_sheet(
    ledger: Ledger,
    cycle_id: UUID,
    person_id: str,
    *,
    viewer: str,
    at: datetime,
    policy: Policy | None = None,
    access: AccessPolicy | None = None,
) -> AppraisalSheet:
    """A person's appraisal sheet for a cycle at business time ``at``.

    Raises NotPermitted unless ``access`` (default: the default access policy) lets ``viewer``
    see the person's appraisal (the person, their manager chain, HR).
    """
    require(ledger, viewer, Permission.VIEW_APPRAISAL, Owner("person", person_id), access)
    at = utc(at)
    return Appraiser(ledger, cycle_of(ledger, cycle_id), at, policy).sheet(person_id)
