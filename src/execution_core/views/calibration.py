"""Calibration: the distribution of ratings per unit against the policy's guideline.

Each person appraised in the cycle counts once, with the rating that stands (calibrated, else
recorded, else computed), in the unit they belonged to at ``at``; one more distribution covers the
whole organization (``unit_id`` None). Units count their direct members only.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from execution_core.policy import RATINGS, Policy
from execution_core.views._common import cycle_of, records, utc
from execution_core.views.appraisal import Appraiser
from execution_core.views.ledger import Ledger

__all__ = ["Calibration", "CalibrationRow", "calibration"]


@attrs.frozen(kw_only=True)
class CalibrationRow:
    """One rating in one unit: how many got it, against the guideline."""

    unit_id: str | None
    """The unit, or None for the whole organization."""
    rating: int
    count: int
    share: float
    """Share of the unit's rated people with this rating (0 when nobody was rated)."""
    guideline: float
    gap: float
    """``share - guideline``: positive when the unit gives this rating more than the guideline."""


@attrs.frozen(kw_only=True)
class Calibration:
    """Rating distributions of a cycle at ``at``."""

    cycle_id: UUID
    at: datetime
    policy: Policy
    rows: tuple[CalibrationRow, ...]
    ratings: tuple[tuple[str, str, int], ...]
    """``(person id, unit id, rating)`` of everyone counted."""

    def of_unit(self, unit_id: str | None) -> tuple[CalibrationRow, ...]:
        """The five rows of one unit (None: the whole organization)."""
        return tuple(row for row in self.rows if row.unit_id == unit_id)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per unit and rating."""
        return records(self.rows)


def _distribution(unit_id: str | None, ratings: list[int], policy: Policy) -> list[CalibrationRow]:
    total = len(ratings)
    rows = []
    for value in RATINGS:
        count = ratings.count(value)
        share = count / total if total else 0.0
        guideline = policy.guideline[value - 1]
        rows.append(
            CalibrationRow(
                unit_id=unit_id,
                rating=value,
                count=count,
                share=share,
                guideline=guideline,
                gap=share - guideline,
            )
        )
    return rows


def calibration(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> Calibration:
    """The rating distribution per unit of a cycle at business time ``at``."""
    at = utc(at)
    appraiser = Appraiser(ledger, cycle_of(ledger, cycle_id), at, policy)
    org = ledger.organization_at(at)
    counted: list[tuple[str, str, int]] = []
    for person in org.people.values():
        if not appraiser.has_part(person.id):
            continue
        rating = appraiser.sheet(person.id).rating
        if rating is not None:
            counted.append((person.id, person.unit_id, rating))
    rows: list[CalibrationRow] = []
    for unit_id in org.units:
        in_unit = [r for _, unit, r in counted if unit == unit_id]
        if in_unit:
            rows.extend(_distribution(unit_id, in_unit, appraiser.policy))
    rows.extend(_distribution(None, [r for _, _, r in counted], appraiser.policy))
    return Calibration(
        cycle_id=cycle_id, at=at, policy=appraiser.policy, rows=tuple(rows), ratings=tuple(counted)
    )
