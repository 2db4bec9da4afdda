"""What a simulated cycle came to, read from its history through the views, and many of them.

:func:`outcome_of` reads one run's outcome from its ledger with the same views a coach and HR
use: the appraisal sheets (attainment and ratings), the detection lead time, the coaching
journals (coaching load) and the adjustments log. :class:`MonteCarlo` holds many runs and
summarizes each metric per policy; every value has plain-dict records for a table.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.policy import Policy
from execution_core.views import formulas as f
from execution_core.views._common import cycle_of
from execution_core.views.adjustments import AdjustmentKind, adjustments_log
from execution_core.views.appraisal import AppraisedGoal, Appraiser
from execution_core.views.formulas import Health, Outcome
from execution_core.views.ledger import CycleRecord, Ledger
from execution_core.views.reading import Reader, timeline

__all__ = ["METRICS", "Appraisals", "MonteCarlo", "RunOutcome", "outcome_of"]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@attrs.frozen(kw_only=True)
class RunOutcome:
    """One run: per-person attainment and rating, detection of missed goals, coaching load."""

    policy: str
    seed: int
    people: int
    goals: int
    events: int
    attainments: tuple[float, ...]
    """Each appraised person's attainment (targets in force at the end, as HR sees it)."""
    original_attainments: tuple[float, ...]
    """The same against the targets agreed at the start (adjustments undone)."""
    ratings: tuple[int, ...]
    """Each appraised person's standing rating."""
    missed_goals: int
    """People's goals (those with key results) that ended missed."""
    lead_days: tuple[int | None, ...]
    """For each missed goal, days from the first day the live view flagged it to the cycle
    end (None: never flagged)."""
    coaching_sessions: int
    coaching_per_manager: tuple[int, ...]
    """Sessions given by each manager (everyone with direct reports), zeros included."""
    target_adjustments: int
    signals_sent: int | None = None
    """The signals the live views sent over the run, as a worker logs them (a replay of the
    history day by day, asked for apart: it costs several times the run; None: not asked)."""

    @property
    def attainment_mean(self) -> float | None:
        """Mean attainment over the people appraised."""
        return _mean(self.attainments)

    @property
    def original_attainment_mean(self) -> float | None:
        """Mean attainment against the original targets."""
        return _mean(self.original_attainments)

    @property
    def rating_mean(self) -> float | None:
        """Mean rating."""
        return _mean([float(r) for r in self.ratings])

    @property
    def flagged_missed(self) -> int:
        """Missed goals the live view flagged before the end."""
        return sum(1 for days in self.lead_days if days is not None)

    @property
    def detection_lead_days_mean(self) -> float | None:
        """Mean lead time of the missed goals that were flagged."""
        return _mean([float(d) for d in self.lead_days if d is not None])

    def to_record(self) -> dict[str, object]:
        """The run as one flat dict of plain values."""
        counts = Counter(self.ratings)
        per_manager = self.coaching_per_manager
        return {
            "policy": self.policy,
            "seed": self.seed,
            "people": self.people,
            "goals": self.goals,
            "events": self.events,
            "attainment_mean": self.attainment_mean,
            "attainment_original_mean": self.original_attainment_mean,
            "rating_mean": self.rating_mean,
            **{f"rating_{r}": counts.get(r, 0) for r in range(1, 6)},
            "missed_goals": self.missed_goals,
            "flagged_missed": self.flagged_missed,
            "detection_lead_days_mean": self.detection_lead_days_mean,
            "coaching_sessions": self.coaching_sessions,
            "coaching_per_manager_mean": _mean([float(n) for n in per_manager]),
            "coaching_per_manager_max": max(per_manager, default=0),
            "target_adjustments": self.target_adjustments,
            **({} if self.signals_sent is None else {"signals_sent": self.signals_sent}),
        }


METRICS = (
    "attainment_mean",
    "attainment_original_mean",
    "rating_mean",
    "missed_goals",
    "flagged_missed",
    "detection_lead_days_mean",
    "coaching_sessions",
    "coaching_per_manager_mean",
    "coaching_per_manager_max",
    "target_adjustments",
    "events",
)
"""The numeric metrics :meth:`MonteCarlo.summary_records` summarizes."""


class Appraisals(Appraiser):
    """The appraisal view for everyone in a cycle: :class:`Appraiser` with the goal rows
    grouped by owner once (its sheets are the same; reading each sheet on its own re-scans
    every goal, which for a thousand people is a million comparisons)."""

    def __init__(
        self, ledger: Ledger, cycle: CycleRecord, at: datetime, policy: Policy | None = None
    ) -> None:
        super().__init__(ledger, cycle, at, policy)
        self._by_owner: dict[Owner, list[AppraisedGoal]] = {}
        for row in self.rows.values():
            if row.status == "dropped":
                continue
            self._by_owner.setdefault(row.owner, []).append(
                AppraisedGoal(
                    goal_id=row.goal_id,
                    title=row.title,
                    kind=row.kind,
                    weight=row.weight,
                    final_score=row.progress,
                    raw_progress=row.raw_progress,
                    outcome=row.outcome,
                )
            )

    def _goals(self, person_id: str) -> tuple[AppraisedGoal, ...]:
        return tuple(self._by_owner.get(Owner("person", person_id), ()))


def outcome_of(
    ledger: Ledger,
    cycle_id: UUID,
    *,
    policy: str,
    seed: int,
    at: datetime,
    events: int | None = None,
) -> RunOutcome:
    """A run's outcome read at business time ``at`` (after its appraisals) from the views."""
    cycle = cycle_of(ledger, cycle_id)
    appraiser = Appraisals(ledger, cycle, at)
    end = min(at, cycle.ends_at)
    original = Reader(ledger, cycle, end, appraiser.policy, original_targets=True).rows()
    people = ledger.organization.people
    attainments: list[float] = []
    originals: list[float] = []
    ratings: list[int] = []
    for person_id in people:
        if not appraiser.has_part(person_id):
            continue
        sheet = appraiser.sheet(person_id)
        if sheet.attainment is not None:
            attainments.append(sheet.attainment)
            owner = Owner("person", person_id)
            mine = [
                (row.weight, row.progress)
                for row in original.values()
                if row.owner == owner and row.status != "dropped"
            ]
            originals.append(f.weighted_mean(mine) or 0.0)
        if sheet.rating is not None:
            ratings.append(sheet.rating)
    lead_days = _lead_days(ledger, cycle, end)
    managers = {p.manager_id for p in people.values() if p.manager_id is not None}
    sessions: Counter[str] = Counter()
    for journal in ledger.journals.values():
        for session in journal.sessions_by(at):
            if cycle.starts_at <= session.occurred_at < cycle.ends_at:
                sessions[session.coach_id] += 1
    adjustments = adjustments_log(ledger, cycle_id, at=at)
    return RunOutcome(
        policy=policy,
        seed=seed,
        people=len(people),
        goals=sum(1 for _ in ledger.goals_of(cycle_id, at)),
        events=ledger.position if events is None else events,
        attainments=tuple(attainments),
        original_attainments=tuple(originals),
        ratings=tuple(ratings),
        missed_goals=len(lead_days),
        lead_days=tuple(lead_days),
        coaching_sessions=sum(sessions.values()),
        coaching_per_manager=tuple(sessions.get(m, 0) for m in sorted(managers)),
        target_adjustments=sum(1 for r in adjustments.rows if r.kind is AdjustmentKind.TARGET),
    )


def _lead_days(ledger: Ledger, cycle: CycleRecord, end: datetime) -> list[int | None]:
    """The detection lead time (as :func:`execution_core.views.detection_lead_time` reads it)
    of the people's goals with key results that ended missed; the unit goals they roll up
    into are left out (replaying a rollup at every change below it is costly, and it is
    flagged when its children are)."""
    final = Reader(ledger, cycle, end, cycle.policy_at(end)).rows()
    days: list[int | None] = []
    for row in final.values():
        if row.rolls_up or row.status == "dropped" or row.outcome is not Outcome.MISSED:
            continue
        first = next(
            (
                instant
                for instant, past, _ in timeline(ledger, cycle, row.goal_id, end, None)
                if past.health in (Health.AT_RISK, Health.OFF_TRACK)
            ),
            None,
        )
        days.append(None if first is None else (cycle.state.ends_on - first.date()).days)
    return days


def _quantile(ordered: Sequence[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@attrs.frozen(kw_only=True)
class MonteCarlo:
    """Many runs of one or more policies (the same seeds for each), in policy then seed order."""

    runs: tuple[RunOutcome, ...]

    @property
    def policies(self) -> tuple[str, ...]:
        """The policies run, in order."""
        return tuple(dict.fromkeys(run.policy for run in self.runs))

    def of(self, policy: str) -> tuple[RunOutcome, ...]:
        """The runs of one policy."""
        return tuple(run for run in self.runs if run.policy == policy)

    def values(self, policy: str, metric: str) -> list[float]:
        """A metric's values over a policy's runs (runs where it is undefined left out)."""
        found = (run.to_record()[metric] for run in self.of(policy))
        return [float(v) for v in found if isinstance(v, int | float)]

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per run."""
        return [run.to_record() for run in self.runs]

    def summary_records(self, metrics: Iterable[str] = METRICS) -> list[dict[str, object]]:
        """Per policy and metric: runs, mean, standard deviation and the 10/50/90 % quantiles."""
        rows: list[dict[str, object]] = []
        for policy in self.policies:
            for metric in metrics:
                values = sorted(self.values(policy, metric))
                rows.append(
                    {
                        "policy": policy,
                        "metric": metric,
                        "runs": len(values),
                        "mean": statistics.fmean(values) if values else None,
                        "sd": statistics.stdev(values) if len(values) > 1 else None,
                        "p10": _quantile(values, 0.1) if values else None,
                        "p50": _quantile(values, 0.5) if values else None,
                        "p90": _quantile(values, 0.9) if values else None,
                    }
                )
        return rows
