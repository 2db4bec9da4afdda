"""What the fake store promises beyond the contract: its snapshots, its gaps, its clock."""

from __future__ import annotations

from uuid import uuid4

import attrs
import pytest

from execution_core import Execution
from execution_core.errors import InvalidInput
from execution_core.fake_store import FAKE_EPOCH, FakeEventStore
from execution_core.streams import ORGANIZATION
from tests.conformance.contract import counting, founded, write
from tests.support import T0, FixedClock, standard_org


def test_a_load_folds_only_the_events_after_the_newest_snapshot() -> None:
    """Given 23 events in batches snapshotted every 5 (a batch that crosses a multiple of 5 is
    snapshotted at its last version), when the stream is loaded, then only the 3 events past
    the snapshot at version 20 are folded."""
    store = FakeEventStore(snapshot_interval=5)
    stream = uuid4()
    for size in (4, 9, 7, 3):
        write(store, stream, size)
    decider, folded = counting(ORGANIZATION)
    assert store.load(stream, decider) == ORGANIZATION.fold(store.read(stream))
    assert [event.version for event in folded] == [21, 22, 23]


def test_a_snapshot_of_another_state_version_is_not_read() -> None:
    """A decider whose state version changed folds the stream from the start."""
    store = FakeEventStore(snapshot_interval=5)
    stream = uuid4()
    write(store, stream, 12)
    decider, folded = counting(attrs.evolve(ORGANIZATION, state_version=2))
    store.load(stream, decider)
    assert len(folded) == 12


def test_no_snapshots_with_interval_zero() -> None:
    """``snapshot_interval=0`` keeps no snapshot: every load folds every event."""
    store = FakeEventStore(snapshot_interval=0)
    stream = uuid4()
    write(store, stream, 120)
    decider, folded = counting(ORGANIZATION)
    store.load(stream, decider)
    assert len(folded) == 120


def test_versions_that_skip_are_refused_and_nothing_is_stored() -> None:
    """An append whose versions leave a gap is refused with ``InvalidInput``: a decision's
    versions follow the state it read."""
    store = FakeEventStore()
    stream = uuid4()
    events = [founded(stream, 1), founded(stream, 3)]
    with pytest.raises(InvalidInput, match="gap"):
        store.append(events, ORGANIZATION, ORGANIZATION.fold(events))
    assert store.last_position() == 0


def test_without_a_clock_the_store_reads_a_fixed_instant() -> None:
    """The fake never reads the wall clock: without one, ``now()`` is ``FAKE_EPOCH``."""
    assert FakeEventStore().now() == FAKE_EPOCH


def test_the_facade_runs_on_the_fake_store() -> None:
    """An app's tests can run ``Execution`` on the fake: the standard organization records,
    and every event it recorded is read back in order with the store's clock."""
    store = FakeEventStore(clock=FixedClock(T0))
    execution = Execution(store)
    recorded = [event for command in standard_org() for event in execution.execute(command).events]
    assert [r.event for r in store.read_all()] == recorded
    assert {event.recorded_at for event in recorded} == {T0}


def test_the_chain_head_is_a_digest_of_the_records() -> None:
    """Two fake stores given the same records have the same head; one event changed, and the
    heads differ."""
    stream = uuid4()
    heads = []
    for label in ("u", "u", "v"):
        store = FakeEventStore()
        events = [founded(stream, 1, label), founded(stream, 2)]
        store.append(events, ORGANIZATION, ORGANIZATION.fold(events))
        heads.append(store.chain_head())
    assert heads[0] == heads[1] != heads[2]
    assert heads[2].position == 2


def test_an_imported_history_with_a_gap_is_refused_and_nothing_is_stored() -> None:
    """An imported history must number each stream 1, 2, 3...: a gap is ``InvalidInput``."""
    store = FakeEventStore()
    stream = uuid4()
    with pytest.raises(InvalidInput, match="gap"):
        store.import_history([founded(stream, 1), founded(stream, 3)], [])
    assert store.last_position() == 0
