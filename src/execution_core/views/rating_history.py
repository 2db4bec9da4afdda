"""Rating history: a person's appraisal in every cycle they took part in, oldest first.

Each cycle is read under its own policy in force at ``at`` (or under ``policy`` when given).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.policy import Policy
from execution_core.views._common import records, require, utc
from execution_core.views.appraisal import Appraiser, RatingSource
from execution_core.views.ledger import Ledger

__all__ = ["RatingHistory", "RatingHistoryRow", "rating_history"]


@attrs.frozen(kw_only=True)
class RatingHistoryRow:
    """A person's appraisal in one cycle."""

    cycle_id: UUID
    cycle_name: str
    starts_on: date
    ends_on: date
    goals: int
    attainment: float | None
    computed_rating: int | None
    recorded_rating: int | None
    calibrated_rating: int | None
    rating: int | None
    rating_source: RatingSource | None
    bonus_multiplier: float | None


@attrs.frozen(kw_only=True)
class RatingHistory:
    """A person's ratings across cycles, read at ``at``."""

    person_id: str
    at: datetime
    rows: tuple[RatingHistoryRow, ...]

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per cycle."""
        return records(self.rows)


def rating_history(
    ledger: Ledger,
    person_id: str,
    *,
    viewer: str,
    at: datetime,
    policy: Policy | None = None,
    access: AccessPolicy | None = None,
) -> RatingHistory:
    """A person's rating in each cycle opened by business time ``at``, oldest first.

    Raises NotPermitted unless ``access`` lets ``viewer`` see the person's appraisals.
    """
    require(ledger, viewer, Permission.VIEW_APPRAISAL, Owner("person", person_id), access)
    at = utc(at)
    rows: list[RatingHistoryRow] = []
    cycles = sorted(
        (c for c in ledger.cycles.values() if c.opened.occurred_at <= at),
        key=lambda c: (c.state.starts_on, c.opened.seq),
    )
    for cycle in cycles:
        appraiser = Appraiser(ledger, cycle, at, policy)
        if not appraiser.has_part(person_id):
            continue
        sheet = appraiser.sheet(person_id)
        rows.append(
            RatingHistoryRow(
                cycle_id=cycle.id,
                cycle_name=cycle.state.name,
                starts_on=cycle.state.starts_on,
                ends_on=cycle.state.ends_on,
                goals=len(sheet.goals),
                attainment=sheet.attainment,
                computed_rating=sheet.computed_rating,
                recorded_rating=sheet.recorded_rating,
                calibrated_rating=sheet.calibrated_rating,
                rating=sheet.rating,
                rating_source=sheet.rating_source,
                bonus_multiplier=sheet.bonus_multiplier,
            )
        )
    return RatingHistory(person_id=person_id, at=at, rows=tuple(rows))
