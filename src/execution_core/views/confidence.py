"""Confidence calibration: per owner, how well stated confidence predicted the outcome.

Every check-in states a confidence (0..1) of reaching the key result; what happened is whether
the key result ended met or exceeded (read at the cycle end, or at ``at`` if earlier). The Brier
score is the mean squared gap between the two: 0 is a perfect forecaster, 0.25 is what always
saying 50 % earns, 1 is always certain and always wrong. Check-ins on dropped goals are left out.

A confidence counts for whoever owned the goal when it was stated (at the check-in's business
time), not for its owner at ``at``: the score is about who made the forecast, so a goal handed
over mid-cycle splits its check-ins between its owners.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of, records, utc
from execution_core.views.formulas import Outcome
from execution_core.views.ledger import Ledger
from execution_core.views.reading import read_key_result

__all__ = ["OwnerConfidence", "ConfidenceCalibration", "confidence_calibration"]


@attrs.frozen(kw_only=True)
class OwnerConfidence:
    """One owner's stated confidence against what happened."""

    owner: Owner
    checkins: int
    mean_confidence: float
    hit_rate: float
    """The share of those check-ins whose key result ended met or exceeded."""
    brier: float


@attrs.frozen(kw_only=True)
class ConfidenceCalibration:
    """Confidence calibration of a cycle's owners at ``at``."""

    cycle_id: UUID
    at: datetime
    rows: tuple[OwnerConfidence, ...]

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per owner."""
        return records(self.rows)


def confidence_calibration(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> ConfidenceCalibration:
    """Per owner (the goal's owner when each check-in was stated), the Brier score of the
    confidence stated at every check-in by ``at`` against whether its key result ended met or
    exceeded (``policy`` plays no part)."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    end = min(at, cycle.ends_at)
    pairs: dict[Owner, list[tuple[float, bool]]] = {}
    for goal in ledger.goals_of(cycle_id, at):
        if goal.status_at(at) == "dropped":
            continue
        for kr in goal.key_results_at(at):
            happened = read_key_result(kr, cycle, end).outcome is not Outcome.MISSED
            for checkin in kr.checkins_by(end):
                owner = goal.owner_at(checkin.occurred_at)
                pairs.setdefault(owner, []).append((checkin.confidence, happened))
    rows = []
    for owner in sorted(pairs, key=lambda o: (o.kind, o.id)):
        stated = pairs[owner]
        brier = f.brier_score(stated)
        assert brier is not None
        rows.append(
            OwnerConfidence(
                owner=owner,
                checkins=len(stated),
                mean_confidence=sum(c for c, _ in stated) / len(stated),
                hit_rate=sum(1 for _, hit in stated if hit) / len(stated),
                brier=brier,
            )
        )
    return ConfidenceCalibration(cycle_id=cycle_id, at=at, rows=tuple(rows))
