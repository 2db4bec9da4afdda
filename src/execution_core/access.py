"""Who may do what: a replaceable policy, asked before any event is recorded."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Protocol

import attrs

from execution_core.organization.events import Role
from execution_core.organization.state import Organization

__all__ = [
    "SYSTEM",
    "AccessPolicy",
    "DefaultAccessPolicy",
    "Owner",
    "Permission",
]

SYSTEM = "system"
"""The actor of an integration (an HR-system sync): it may administer the organization only."""


class Permission(StrEnum):
    """The kinds of act an access policy rules on."""

    ADMINISTER_ORGANIZATION = "administer organization"
    DEFINE_STRATEGY = "define strategy"
    RUN_CYCLE = "run cycle"
    ADOPT_POLICY = "adopt policy"
    SET_GOAL = "set goal"
    PLAN_GOAL = "plan goal"
    LOG_PROGRESS = "log progress"
    ADJUST_GOAL = "adjust goal"
    COACH = "coach"
    RESOLVE_COMMITMENT = "resolve commitment"
    RECORD_APPRAISAL = "record appraisal"
    CALIBRATE_RATING = "calibrate rating"
    VIEW_APPRAISAL = "view appraisal"
    VIEW_BOARD = "view board"


@attrs.frozen
class Owner:
    """Whom a goal belongs to: a person or a unit."""

    kind: Literal["person", "unit"]
    id: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class AccessPolicy(Protocol):
    """Decides whether ``actor`` may perform ``permission`` concerning ``subject``.

    ``subject`` is the goal owner, the coached or appraised person (as a person ``Owner``),
    or ``None`` for organization-wide acts. Implement this to replace the default rules.
    """

    def permits(
        self,
        actor: str,
        permission: Permission,
        subject: Owner | None,
        org: Organization,
    ) -> bool: ...


class DefaultAccessPolicy:
    """The rules of docs/architecture.md: executives run strategy and cycles, owners and their
    managers log progress, managers and authorised coaches coach and adjust, reviewers and HR
    appraise; nobody appraises or coaches themselves."""

    def permits(
        self,
        actor: str,
        permission: Permission,
        subject: Owner | None,
        org: Organization,
    ) -> bool:
        """Apply the default rules (see the class docstring)."""
        if actor == SYSTEM:
            return permission is Permission.ADMINISTER_ORGANIZATION
        if not org.is_active(actor):
            return False
        executive = org.has_role(actor, Role.EXECUTIVE)
        hr = org.has_role(actor, Role.HR)
        reviewer = org.has_role(actor, Role.REVIEWER)
        organization_wide = {
            Permission.ADMINISTER_ORGANIZATION: executive or hr,
            Permission.DEFINE_STRATEGY: executive,
            Permission.RUN_CYCLE: executive,
            Permission.ADOPT_POLICY: executive or hr,
            Permission.VIEW_BOARD: True,
        }
        if permission in organization_wide:
            return organization_wide[permission]
        if subject is None:
            return False
        owners = _owner_people(subject, org)
        managers = _managers(subject, org)
        coaches = {coach for coach, person in org.coaches if person in _coached(subject, org)}
        is_self = actor in owners
        is_manager = actor in managers
        is_coach = actor in coaches
        about_someone = {
            Permission.SET_GOAL: is_self or is_manager or executive,
            Permission.PLAN_GOAL: is_self or is_manager or executive,
            Permission.LOG_PROGRESS: is_self or is_manager,
            Permission.ADJUST_GOAL: is_manager or is_coach or executive,
            Permission.COACH: not is_self and (is_manager or is_coach),
            Permission.RESOLVE_COMMITMENT: is_self or is_manager or is_coach,
            Permission.RECORD_APPRAISAL: not is_self and (is_manager or reviewer or hr),
            Permission.CALIBRATE_RATING: not is_self and (reviewer or hr),
            Permission.VIEW_APPRAISAL: is_self or is_manager or hr,
        }
        return about_someone.get(permission, False)


def _owner_people(owner: Owner, org: Organization) -> set[str]:
    if owner.kind == "person":
        return {owner.id}
    unit = org.units.get(owner.id)
    people = set(org.members_of(owner.id))
    if unit is not None and unit.lead_id is not None:
        people.add(unit.lead_id)
    return people


def _coached(owner: Owner, org: Organization) -> set[str]:
    """Whose authorised coaches may act: the person, or the lead of a unit (not every member)."""
    if owner.kind == "person":
        return {owner.id}
    unit = org.units.get(owner.id)
    return {unit.lead_id} if unit is not None and unit.lead_id is not None else set()


def _managers(owner: Owner, org: Organization) -> set[str]:
    if owner.kind == "person":
        return set(org.manager_chain(owner.id))
    managers: set[str] = set()
    for unit_id in org.unit_chain(owner.id):
        unit = org.units[unit_id]
        if unit.lead_id is not None:
            if unit_id != owner.id:
                managers.add(unit.lead_id)
            managers.update(org.manager_chain(unit.lead_id))
    return managers
