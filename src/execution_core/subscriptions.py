"""Subscriptions: who is told of which signals, and where (pure; delivery is the adapters').

A subscription is a named standing request: the signals of some kinds, about some units,
people or goals, delivered to a webhook URL or a Python handler **on behalf of a recipient**,
a person of the organization. The recipient is who the access policy is asked about: a
signal reaches a subscription only when its recipient may see what the signal is about (a
person's appraisal signal only someone who may see that appraisal), so a subscription cannot
be used to read around the policy. Everything here is checked before anything is stored: a
bad subscription is a typed error, and nothing is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, Owner, Permission
from execution_core.errors import InvalidInput, NotFound
from execution_core.organization.state import Organization
from execution_core.signals import Signal, SignalKind

__all__ = [
    "APPRAISAL_KINDS",
    "Handler",
    "Subscription",
    "Target",
    "Webhook",
    "may_receive",
    "subscription",
]

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_REF = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


APPRAISAL_KINDS: frozenset[SignalKind] = frozenset(
    {SignalKind.APPRAISAL_RECORDED, SignalKind.APPRAISAL_CALIBRATED}
)
"""The kinds about a person's appraisal: told only to those who may see that appraisal."""


@attrs.frozen
class Webhook:
    """Deliver by an HTTP POST of the signal's JSON to ``url`` (http or https)."""

    url: str

    def __str__(self) -> str:
        return self.url


@attrs.frozen
class Handler:
    """Deliver by calling a Python function named ``module:attribute`` (found by import in
    the dispatcher's process)."""

    ref: str

    def __str__(self) -> str:
        return self.ref


Target = Webhook | Handler


@attrs.frozen
class Subscription:
    """A named subscription: where signals go, on whose behalf, and which ones.

    Each filter is a set of accepted values (empty: any). A signal matches when it passes
    every filter that is set: a unit or person filter needs the signal to be about one of
    them; a signal about no unit (or no person, no goal) does not pass that filter."""

    name: str
    target: Target
    recipient: str
    kinds: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()
    goals: frozenset[UUID] = frozenset()

    def matches(self, signal: Signal) -> bool:
        """Whether the signal passes this subscription's filters (not yet the access policy)."""
        return (
            (not self.kinds or signal.kind.value in self.kinds)
            and (not self.units or signal.unit_id in self.units)
            and (not self.persons or signal.person_id in self.persons)
            and (not self.goals or signal.goal_id in self.goals)
        )


def may_receive(policy: AccessPolicy, recipient: str, signal: Signal, org: Organization) -> bool:
    """Whether the access policy lets ``recipient`` be told of ``signal``: a signal of an
    appraisal kind about a person needs the right to see that person's appraisal; any other
    needs the right to see the board. A recipient who has left receives nothing."""
    if signal.kind in APPRAISAL_KINDS and signal.person_id is not None:
        subject = Owner("person", signal.person_id)
        return policy.permits(recipient, Permission.VIEW_APPRAISAL, subject, org)
    return policy.permits(recipient, Permission.VIEW_BOARD, None, org)


def subscription(
    name: str,
    target: Target,
    recipient: str,
    org: Organization,
    *,
    kinds: Iterable[str] = (),
    units: Iterable[str] = (),
    persons: Iterable[str] = (),
    goals: Iterable[str | UUID] = (),
) -> Subscription:
    """A checked subscription: ``InvalidInput`` for a malformed name, URL, handler reference,
    goal id or an unknown kind; ``NotFound`` for a recipient, person or unit the organization
    does not know (or a recipient who has left)."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"subscription name {name!r}: 1 to 64 characters of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or a digit"
        )
    _check_target(target)
    known = {kind.value for kind in SignalKind}
    unknown = sorted(set(kinds) - known)
    if unknown:
        raise InvalidInput(f"unknown signal kinds {unknown}: choose from {', '.join(SignalKind)}")
    person = org.person(recipient)
    if person is None or not person.active:
        raise NotFound(f"recipient {recipient!r} is not an active person of the organization")
    missing_people = sorted(p for p in set(persons) if org.person(p) is None)
    if missing_people:
        raise NotFound(f"unknown persons {missing_people}")
    missing_units = sorted(u for u in set(units) if u not in org.units)
    if missing_units:
        raise NotFound(f"unknown units {missing_units}")
    return Subscription(
        name,
        target,
        recipient,
        frozenset(kinds),
        frozenset(units),
        frozenset(persons),
        frozenset(_goal_id(g) for g in goals),
    )


def _check_target(target: Target) -> None:
    if isinstance(target, Webhook):
        try:
            parts = urlsplit(target.url)
            port = parts.port
        except ValueError as error:
            raise InvalidInput(f"webhook URL {target.url!r}: {error}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"webhook URL {target.url!r}: needs http:// or https:// and a host")
        if port == 0 or any(c.isspace() for c in target.url):
            raise InvalidInput(f"webhook URL {target.url!r}: malformed")
    elif not _REF.fullmatch(target.ref):
        raise InvalidInput(f"handler {target.ref!r}: name it as module:function")


def _goal_id(goal: str | UUID) -> UUID:
    if isinstance(goal, UUID):
        return goal
    try:
        return UUID(goal)
    except ValueError:
        raise InvalidInput(f"goal id {goal!r} is not a UUID") from None
