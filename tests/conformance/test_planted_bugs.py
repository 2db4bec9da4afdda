"""The contract catches a planted bug: a store that drops an event, or reorders two."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator

import pytest

from execution_core.clock import Clock
from execution_core.fake_store import FakeEventStore
from execution_core.ports import EventStore
from execution_core_adapters.storage.store import open_store
from tests.conformance.backend import Backend
from tests.conformance.broken import DroppingStore, ReorderingStore
from tests.conformance.contract import EventStoreContract

Breaker = Callable[[EventStore], EventStore]
Inner = Callable[[Clock | None, int], EventStore]


def _fake(clock: Clock | None, interval: int) -> EventStore:
    return FakeEventStore(clock=clock, snapshot_interval=interval)


def _memory(clock: Clock | None, interval: int) -> EventStore:
    return open_store("memory://", clock=clock, snapshot_interval=interval)


def _checks() -> Iterator[tuple[str, Callable[[Backend], None]]]:
    """Every check of the contract, bound to a fresh contract (a paged one with pages of 2)."""
    contract = EventStoreContract()
    for name, method in inspect.getmembers(contract, inspect.ismethod):
        if not name.startswith("test_"):
            continue
        if "page" in inspect.signature(method).parameters:
            yield name, functools.partial(method, page=2)
        else:
            yield name, method


def failing_checks(breaker: Breaker, inner: Inner) -> dict[str, BaseException]:
    """Run every check of the contract on broken stores; what each failing check raised."""
    failures: dict[str, BaseException] = {}
    for name, check in _checks():
        backend = Backend(
            "broken", lambda clock, interval: breaker(inner(clock, interval)), shared=False
        )
        try:
            check(backend)
        except Exception as error:  # every kind of failure is recorded, and judged below
            failures[name] = error
        finally:
            backend.close()
    return failures


@pytest.mark.parametrize("inner", [_fake, _memory], ids=["fake", "memory"])
def test_a_store_that_drops_an_event_of_a_multi_event_append_fails_the_contract(
    inner: Inner,
) -> None:
    """Given a store that drops the last event of every multi-event append, when the contract
    runs on it, then the atomic-append check fails with an AssertionError (and others fail,
    some of them on the stream the lost event left behind)."""
    failures = failing_checks(DroppingStore, inner)
    caught = failures.get("test_a_multi_event_append_stores_every_event_together")
    assert isinstance(caught, AssertionError), failures
    assert len(failures) > 3  # the dropped event shows wherever a check appends several


@pytest.mark.parametrize("inner", [_fake, _memory], ids=["fake", "memory"])
def test_a_store_that_reorders_two_events_in_read_all_fails_the_contract(inner: Inner) -> None:
    """Given a store whose ``read_all`` swaps two events, when the contract runs on it, then
    the recorded-order and paging checks fail with an AssertionError, and nothing else does."""
    failures = failing_checks(ReorderingStore, inner)
    assert {
        "test_read_all_gives_every_event_in_recorded_order",
        "test_read_all_pages_by_after_and_limit",
    } <= failures.keys()
    assert all(isinstance(e, AssertionError) for e in failures.values()), failures


@pytest.mark.parametrize("inner", [_fake, _memory], ids=["fake", "memory"])
def test_the_wrapper_itself_passes_the_contract(inner: Inner) -> None:
    """The wrapper the broken stores build on passes every check: the failures above come from
    the planted bugs alone."""
    from tests.conformance.broken import Wrapper

    assert failing_checks(Wrapper, inner) == {}
