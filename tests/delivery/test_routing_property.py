"""Property: over random subscriptions to the season's signal log (any recipient, any kinds,
units and persons), a webhook receives exactly the signals the filters and the access rule
select, in log order. Oracle: the filters and the documented rule (an appraisal signal reaches
the person, their manager chain and HR; any other signal every active person), written out
here over the organization's people, not through the code under test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, Execution, Role
from execution_core.organization.state import Organization
from execution_core.signals import Signal, SignalKind
from execution_core.subscriptions import Webhook
from execution_core_adapters.delivery import Backoff, Dispatcher
from execution_core_adapters.storage.store import open_store
from tests.delivery.log import append, logged, project
from tests.delivery.receiver import Receiver, receiving

PEOPLE = ("cleo", "hana", "max", "pia", "oscar", "ana", "ben", "carl", "dev", "eve", "finn", "gus")
UNITS = ("hq", "sales", "product", "ops")
APPRAISALS = {SignalKind.APPRAISAL_RECORDED.value, SignalKind.APPRAISAL_CALIBRATED.value}


class World:
    """The season's store, its log and organization, a dispatcher and a receiver."""

    def __init__(self, dispatcher: Dispatcher, log: list[Signal], org: Organization) -> None:
        self.dispatcher, self.log, self.org = dispatcher, log, org
        self.receiver: Receiver | None = None
        self.names = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, season: list[Event]) -> Iterator[World]:
    """The season on a SQLite file with its signal log; one receiver for every example."""
    url = f"sqlite:///{tmp_path_factory.mktemp('routing') / 'store.db'}"
    append(url, season)
    store = open_store(url)
    project(store)
    log = [s for _, s in logged(store)]
    org = Execution(store).organization()
    with receiving() as receiver, Dispatcher(store, backoff=Backoff(1, 0, 0)) as dispatcher:
        found = World(dispatcher, log, org)
        found.receiver = receiver
        yield found
    store.close()


def _sees_appraisal(org: Organization, recipient: str, person: str) -> bool:
    """The documented rule, walked by hand: the person, anyone up their manager chain, HR."""
    if recipient == person:
        return True
    if Role.HR in org.people[recipient].roles:
        return True
    manager = org.people[person].manager_id
    while manager is not None:
        if manager == recipient:
            return True
        manager = org.people[manager].manager_id
    return False


@settings(max_examples=40, deadline=None)
@given(
    recipient=st.sampled_from(PEOPLE),
    kinds=st.sets(st.sampled_from([k.value for k in SignalKind]), max_size=4),
    units=st.sets(st.sampled_from(UNITS), max_size=2),
    persons=st.sets(st.sampled_from(PEOPLE), max_size=3),
)
def test_a_webhook_receives_exactly_what_the_filters_and_the_access_rule_select(
    world: World, recipient: str, kinds: set[str], units: set[str], persons: set[str]
) -> None:
    """Property: the keys received by a new subscription equal the oracle's selection of the
    log, in order (see the module)."""
    assert world.receiver is not None
    name = f"feed-{next(world.names)}"
    world.dispatcher.subscribe(
        name,
        Webhook(world.receiver.url),
        recipient,
        kinds=kinds,
        units=units,
        persons=persons,
        from_start=True,
    )
    world.dispatcher.dispatch()
    got = [p.key for p in world.receiver.posts if p.headers["x-execution-subscription"] == name]
    expected = [
        s.key
        for s in world.log
        if (not kinds or s.kind.value in kinds)
        and (not units or s.unit_id in units)
        and (not persons or s.person_id in persons)
        and (
            _sees_appraisal(world.org, recipient, s.person_id)
            if s.kind.value in APPRAISALS and s.person_id is not None
            else world.org.people[recipient].active
        )
    ]
    assert got == expected
