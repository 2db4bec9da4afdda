"""Who may do what: a replaceable policy, asked before any event is recorded."""

from __future__ import annotations

from collections.abc import Callable
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
    "permitted_for_anyone",
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
        """Apply the default rules (see the class docstring).

        Each check computes only what its rule reads: every command asks, so the organization's
        reporting lines are walked only for the rules about someone."""
        if actor == SYSTEM:
            return permission is Permission.ADMINISTER_ORGANIZATION
        if not org.is_active(actor):
            return False
        granting = _ORGANIZATION_WIDE.get(permission)
        if granting is not None:
            return not granting or any(org.has_role(actor, role) for role in granting)
        if subject is None:
            return False
        rule = _ABOUT_SOMEONE.get(permission)
        return rule is not None and rule(_Asking(actor, subject, org))


class _Asking:
    """The facts a rule about someone reads, each computed when read: every rule reads each
    fact at most once, so nothing is cached (``functools.cached_property`` costs more, with its
    lock, than the facts it would keep)."""

    __slots__ = ("actor", "org", "subject")

    def __init__(self, actor: str, subject: Owner, org: Organization) -> None:
        self.actor, self.subject, self.org = actor, subject, org

    @property
    def is_self(self) -> bool:
        return _is_owner(self.actor, self.subject, self.org)

    @property
    def is_manager(self) -> bool:
        subject = self.subject
        if subject.kind == "person":
            return self.actor in self.org.manager_chain(subject.id)
        return self.actor in _managers(subject, self.org)

    @property
    def is_coach(self) -> bool:
        if not self.org.coaches:
            return False
        coached = _coached(self.subject, self.org)
        return any(c == self.actor and p in coached for c, p in self.org.coaches)

    @property
    def executive(self) -> bool:
        return self.org.has_role(self.actor, Role.EXECUTIVE)

    @property
    def hr(self) -> bool:
        return self.org.has_role(self.actor, Role.HR)

    @property
    def reviewer(self) -> bool:
        return self.org.has_role(self.actor, Role.REVIEWER)


def permitted_for_anyone(
    policy: AccessPolicy, actor: str, permission: Permission, org: Organization
) -> bool:
    """Whether ``policy`` grants ``actor`` the permission about anyone in the organization
    (themselves first, then every person and unit).

    A command naming a subject that does not exist is refused as ``NotFound`` to everyone who
    may do this at all, and as ``NotPermitted`` to the others: the answer must not depend on
    whether a rule about the (missing) subject happened to match. Asked only on that refusal,
    so its walk over the organization costs nothing on accepted commands."""
    candidates = (
        Owner("person", actor),
        *(Owner("person", person_id) for person_id in org.people),
        *(Owner("unit", unit_id) for unit_id in org.units),
    )
    return any(policy.permits(actor, permission, subject, org) for subject in candidates)


_ABOUT_SOMEONE: dict[Permission, Callable[[_Asking], bool]] = {
    Permission.SET_GOAL: lambda a: a.is_self or a.is_manager or a.executive,
    Permission.PLAN_GOAL: lambda a: a.is_self or a.is_manager or a.executive,
    Permission.LOG_PROGRESS: lambda a: a.is_self or a.is_manager,
    Permission.ADJUST_GOAL: lambda a: a.is_manager or a.is_coach or a.executive,
    Permission.COACH: lambda a: not a.is_self and (a.is_manager or a.is_coach),
    Permission.RESOLVE_COMMITMENT: lambda a: a.is_self or a.is_manager or a.is_coach,
    Permission.RECORD_APPRAISAL: lambda a: not a.is_self and (a.is_manager or a.reviewer or a.hr),
    Permission.CALIBRATE_RATING: lambda a: not a.is_self and (a.reviewer or a.hr),
    Permission.VIEW_APPRAISAL: lambda a: a.is_self or a.is_manager or a.hr,
}
"""The rules about someone (a goal's owner, the coached or appraised person)."""


_ORGANIZATION_WIDE: dict[Permission, tuple[Role, ...]] = {
    Permission.ADMINISTER_ORGANIZATION: (Role.EXECUTIVE, Role.HR),
    Permission.DEFINE_STRATEGY: (Role.EXECUTIVE,),
    Permission.RUN_CYCLE: (Role.EXECUTIVE,),
    Permission.ADOPT_POLICY: (Role.EXECUTIVE, Role.HR),
    Permission.VIEW_BOARD: (),  # everyone active
}
"""The permissions about no one in particular, and the roles that grant each (none: all)."""


def _is_owner(actor: str, owner: Owner, org: Organization) -> bool:
    """Whether the actor is the owner: the person, or an active member or the lead of the
    unit (asked of the actor's own record, not of every member's)."""
    if owner.kind == "person":
        return actor == owner.id
    person = org.people.get(actor)
    if person is not None and person.active and person.unit_id == owner.id:
        return True
    unit = org.units.get(owner.id)
    return unit is not None and unit.lead_id is not None and unit.lead_id == actor


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
