"""Subscriptions in the core: a bad subscription is a typed error; filters route signals; the
access policy decides who may be told of what (an appraisal only to those who may see it)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import attrs
import pytest

from execution_core import DefaultAccessPolicy, InvalidInput, NotFound
from execution_core.organization.state import Organization
from execution_core.policy import Policy
from execution_core.signals import Cause, Signal, SignalKind
from execution_core.subscriptions import (
    Handler,
    Subscription,
    Webhook,
    may_receive,
    subscription,
)
from tests.support import Spec, standard_org

GOAL = UUID(int=7)
HOOK = Webhook("https://hooks.example.com/coach")


def _signal(
    kind: SignalKind, goal_id: UUID | None, person_id: str | None, unit_id: str | None
) -> Signal:
    return Signal(
        kind=kind,
        at=datetime(2026, 3, 2, tzinfo=UTC),
        cause=Cause(12),
        policy=Policy(),
        goal_id=goal_id,
        person_id=person_id,
        unit_id=unit_id,
    )


@pytest.fixture(scope="module")
def org() -> Organization:
    """The standard organization (cleo executive, hana HR, max manages ana and ben, cora)."""
    return Spec().given(*standard_org()).execution.organization()


@pytest.mark.parametrize(
    ("target", "match"),
    [
        (Webhook("ftp://hooks.example.com/x"), "http"),
        (Webhook("https:///no-host"), "host"),
        (Webhook("not a url"), "http"),
        (Webhook("http://example.com:99999/x"), "(?i)port"),
        (Webhook("http://exa mple.com/x"), "malformed"),
        (Handler("no_colon"), "module:function"),
        (Handler("pkg.mod:"), "module:function"),
    ],
)
def test_a_malformed_target_is_invalid_input(
    target: Webhook | Handler, match: str, org: Organization
) -> None:
    """Given a malformed webhook URL or handler reference, then the subscription is refused as
    InvalidInput naming what is wrong."""
    with pytest.raises(InvalidInput, match=match):
        subscription("coach-feed", target, "max", org)


def test_an_unknown_kind_is_invalid_input(org: Organization) -> None:
    """Given a kind no signal has, then the subscription is refused as InvalidInput listing it
    and the known kinds."""
    with pytest.raises(InvalidInput, match=r"unknown signal kinds \['goal_on_fire'\]"):
        subscription("coach-feed", HOOK, "max", org, kinds=["goal_on_fire"])


@pytest.mark.parametrize(
    ("recipient", "people", "units", "match"),
    [
        ("zed", (), (), "recipient 'zed'"),
        ("max", ("ana", "zed"), (), r"unknown persons \['zed'\]"),
        ("max", (), ("sales", "mars"), r"unknown units \['mars'\]"),
    ],
)
def test_an_unknown_person_or_unit_is_not_found(
    recipient: str, people: tuple[str, ...], units: tuple[str, ...], match: str, org: Organization
) -> None:
    """Given a recipient, person or unit the organization does not know, then the subscription
    is refused as NotFound naming it."""
    with pytest.raises(NotFound, match=match):
        subscription("coach-feed", HOOK, recipient, org, persons=people, units=units)


@pytest.mark.parametrize("name", ["", "Coach Feed", "-feed", "x" * 65])
def test_a_malformed_name_or_goal_id_is_invalid_input(name: str, org: Organization) -> None:
    """Given a name outside the allowed characters or length, or a goal id that is not a UUID,
    then the subscription is refused as InvalidInput."""
    with pytest.raises(InvalidInput, match="subscription name"):
        subscription(name, HOOK, "max", org)
    with pytest.raises(InvalidInput, match="not a UUID"):
        subscription("coach-feed", HOOK, "max", org, goals=["goal-1"])


def test_filters_are_and_across_kinds_units_persons_goals_and_or_within(org: Organization) -> None:
    """Given a subscription to at-risk or stale signals about ana or ben in Sales on one goal,
    then a signal matches only when it passes every filter set."""
    feed = subscription(
        "coach-feed",
        HOOK,
        "max",
        org,
        kinds=["turned_at_risk", "went_stale"],
        persons=["ana", "ben"],
        units=["sales"],
        goals=[str(GOAL)],
    )
    hit = _signal(SignalKind.WENT_STALE, GOAL, "ben", "sales")
    assert feed.matches(hit)
    assert not feed.matches(attrs.evolve(hit, kind=SignalKind.APPRAISAL_RECORDED))
    assert not feed.matches(attrs.evolve(hit, person_id="cora"))
    assert not feed.matches(attrs.evolve(hit, unit_id=None))
    assert not feed.matches(attrs.evolve(hit, goal_id=UUID(int=8)))
    assert Subscription("all", HOOK, "max").matches(
        _signal(SignalKind.CYCLE_OPENED, None, None, None)
    )


@pytest.mark.parametrize(
    ("recipient", "allowed"),
    [("ana", True), ("max", True), ("cleo", True), ("hana", True), ("ben", False), ("cora", False)],
)
def test_an_appraisal_signal_reaches_only_those_who_may_see_the_appraisal(
    recipient: str, allowed: bool, org: Organization
) -> None:
    """Given ana's appraisal signal, then it may reach ana, her manager chain and HR, and not
    her peer or a coach outside her chain; a board signal reaches every active person."""
    policy = DefaultAccessPolicy()
    for kind in (SignalKind.APPRAISAL_RECORDED, SignalKind.APPRAISAL_CALIBRATED):
        appraisal = _signal(kind, None, "ana", "sales")
        assert may_receive(policy, recipient, appraisal, org) is allowed
    board = _signal(SignalKind.TURNED_AT_RISK, GOAL, "ana", "sales")
    assert may_receive(policy, recipient, board, org)
    assert not may_receive(policy, "zed", board, org)
