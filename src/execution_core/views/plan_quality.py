"""Plan quality: the checks the article's system implies, on the plan as it stands at ``at``.

- goals aligned to nothing (every goal should serve a corporate initiative);
- people with no developmental goal (at least one for every employee);
- goals with no agreed criteria: no key results and no child goals to roll up;
- goals with no actions (no task planned, or every task dropped);
- weights that do not add up: an owner's goal weights should total 1 (shares) or 100 (percent);
- active goals owned by someone who left: an HR sync records a leaver as a fact, so the leave is
  accepted and their goals are flagged here (and on the agenda of whoever should reassign them:
  the leaver's nearest active manager, else the nearest active lead of their unit's chain).

Dropped goals are left out of every check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import attrs

from execution_core.goals.events import GoalKind
from execution_core.organization.events import PersonLeft
from execution_core.organization.state import Organization, Person
from execution_core.policy import Policy
from execution_core.views._common import cycle_of, policy_in_force, records, utc
from execution_core.views.ledger import Ledger
from execution_core.views.reading import Reader, ScoreboardRow

__all__ = [
    "Finding",
    "FindingKind",
    "OrphanedGoal",
    "PlanQuality",
    "orphaned_goals",
    "plan_quality",
]

WEIGHT_TOTALS = (1.0, 100.0)
"""The totals an owner's goal weights may add up to."""
WEIGHT_TOLERANCE = 1e-6


class FindingKind(StrEnum):
    """What is wrong with the plan."""

    UNALIGNED = "aligned to nothing"
    NO_DEVELOPMENTAL_GOAL = "no developmental goal"
    NO_CRITERIA = "no agreed criteria"
    NO_ACTIONS = "no actions"
    WEIGHTS = "weights do not add up"
    OWNER_LEFT = "owned by someone who left"


@attrs.frozen(kw_only=True)
class Finding:
    """One problem with the plan."""

    kind: FindingKind
    subject: str
    """A goal's title, a person's id, or an owner (``person ana``, ``unit sales``)."""
    goal_id: UUID | None
    detail: str


@attrs.frozen(kw_only=True)
class PlanQuality:
    """The findings on a cycle's plan at ``at``."""

    cycle_id: UUID
    at: datetime
    findings: tuple[Finding, ...]

    def of_kind(self, kind: FindingKind) -> tuple[Finding, ...]:
        """The findings of one kind."""
        return tuple(item for item in self.findings if item.kind is kind)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per finding."""
        return records(self.findings)


@attrs.frozen(kw_only=True)
class OrphanedGoal:
    """An active goal whose owner has left, and who should hand it on."""

    goal_id: UUID
    title: str
    owner_id: str
    owner_name: str
    left_at: datetime
    reassign_by: str | None
    """The leaver's nearest active manager, else the nearest active lead of their unit or a unit
    above it (None: nobody active stands above them)."""


def _left_at(ledger: Ledger, person_id: str, at: datetime) -> datetime:
    return max(
        event.occurred_at
        for event in ledger.organization_events
        if isinstance(event, PersonLeft)
        and event.person_id == person_id
        and event.occurred_at <= at
    )


def _reassigner(org: Organization, person: Person) -> str | None:
    for manager_id in org.manager_chain(person.id):
        if org.is_active(manager_id):
            return manager_id
    for unit_id in org.unit_chain(person.unit_id):
        lead_id = org.units[unit_id].lead_id
        if lead_id is not None and org.is_active(lead_id):
            return lead_id
    return None


def orphaned_goals(
    ledger: Ledger, rows: Iterable[ScoreboardRow], org: Organization, at: datetime
) -> tuple[OrphanedGoal, ...]:
    """The active goals among ``rows`` owned at ``at`` by a person who had left by then
    (``org`` is the organization at ``at``), in the order of ``rows``."""
    orphans: list[OrphanedGoal] = []
    for row in rows:
        if row.status != "active" or row.owner.kind != "person":
            continue
        person = org.person(row.owner.id)
        if person is None or person.active:
            continue
        orphans.append(
            OrphanedGoal(
                goal_id=row.goal_id,
                title=row.title,
                owner_id=person.id,
                owner_name=person.name,
                left_at=_left_at(ledger, person.id, at),
                reassign_by=_reassigner(org, person),
            )
        )
    return tuple(orphans)


def _served(row: ScoreboardRow, rows: dict[UUID, ScoreboardRow], themes: set[str]) -> bool:
    """Whether the goal serves a known theme, directly or through its parents."""
    seen: set[UUID] = set()
    current: ScoreboardRow | None = row
    while current is not None and current.goal_id not in seen:
        seen.add(current.goal_id)
        if current.parent_id is None:
            return current.theme_id is not None and current.theme_id in themes
        current = rows.get(current.parent_id)
    return False


def plan_quality(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, policy: Policy | None = None
) -> PlanQuality:
    """The plan-quality findings of a cycle at business time ``at``."""
    at = utc(at)
    cycle = cycle_of(ledger, cycle_id)
    rows = Reader(ledger, cycle, at, policy_in_force(cycle, at, policy)).rows()
    live = {goal_id: row for goal_id, row in rows.items() if row.status != "dropped"}
    themes = set(ledger.strategy_at(at).themes)
    findings: list[Finding] = []
    has_children = {row.parent_id for row in live.values() if row.parent_id is not None}
    for row in live.values():
        if not _served(row, rows, themes):
            findings.append(
                Finding(
                    kind=FindingKind.UNALIGNED,
                    subject=row.title,
                    goal_id=row.goal_id,
                    detail=f"aligned to {row.aligned_to or 'nothing'}: serves no theme",
                )
            )
        if row.rolls_up and row.goal_id not in has_children:
            findings.append(
                Finding(
                    kind=FindingKind.NO_CRITERIA,
                    subject=row.title,
                    goal_id=row.goal_id,
                    detail="no key results and no child goals: missed, met and exceeded are "
                    "not agreed",
                )
            )
        actions = ledger.goals[row.goal_id].actions_at(at)
        if all(a.status_at(at) == "dropped" for a in actions):
            findings.append(
                Finding(
                    kind=FindingKind.NO_ACTIONS,
                    subject=row.title,
                    goal_id=row.goal_id,
                    detail="no task planned" if not actions else "every task was dropped",
                )
            )
    org = ledger.organization_at(at)
    for person in org.active_people():
        developmental = any(
            row.kind == GoalKind.DEVELOPMENTAL
            and row.owner.kind == "person"
            and row.owner.id == person.id
            for row in live.values()
        )
        if not developmental:
            findings.append(
                Finding(
                    kind=FindingKind.NO_DEVELOPMENTAL_GOAL,
                    subject=person.id,
                    goal_id=None,
                    detail=f"{person.name} has no developmental goal in this cycle",
                )
            )
    weights: dict[str, list[float]] = {}
    for row in live.values():
        weights.setdefault(str(row.owner), []).append(row.weight)
    for owner, values in weights.items():
        total = sum(values)
        if all(abs(total - expected) > WEIGHT_TOLERANCE for expected in WEIGHT_TOTALS):
            findings.append(
                Finding(
                    kind=FindingKind.WEIGHTS,
                    subject=owner,
                    goal_id=None,
                    detail=f"goal weights {', '.join(f'{v:g}' for v in values)} add up to "
                    f"{total:g}, not 1 or 100",
                )
            )
    for orphan in orphaned_goals(ledger, live.values(), org, at):
        by = orphan.reassign_by
        findings.append(
            Finding(
                kind=FindingKind.OWNER_LEFT,
                subject=orphan.title,
                goal_id=orphan.goal_id,
                detail=f"{orphan.owner_name} ({orphan.owner_id}) left on "
                f"{orphan.left_at:%Y-%m-%d} while owning it; "
                + (f"{by} is to reassign it" if by else "nobody active above them to reassign it"),
            )
        )
    return PlanQuality(cycle_id=cycle_id, at=at, findings=tuple(findings))
