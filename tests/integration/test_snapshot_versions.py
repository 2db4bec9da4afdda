"""Snapshots carry the version and the fingerprint of the state they hold: a load by a decider
of another state version, or of a changed state class, folds the events instead of reading the
old snapshot, and the next snapshot replaces it (SQLite and the real PostgreSQL server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest

from execution_core.decider import Decider
from execution_core.event import Event
from execution_core.organization.state import Organization
from execution_core.streams import ORGANIZATION
from execution_core_adapters.storage.codec import encode_state
from execution_core_adapters.storage.mapper import Snapshot, state_fingerprint
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.conformance.contract import write

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on SQLite (a fresh file) or on the real PostgreSQL (a fresh schema)."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def opened(url: str) -> Iterator[list[ExecutionStore]]:
    """The stores a test opens at ``url`` (closed afterwards)."""
    stores: list[ExecutionStore] = []
    yield stores
    for store in stores:
        store.close()


def _open(url: str, opened: list[ExecutionStore]) -> ExecutionStore:
    store = open_store(url, snapshot_interval=3)
    opened.append(store)
    return store


def _counting(decider: Decider[Organization]) -> tuple[Decider[Organization], list[Event]]:
    folded: list[Event] = []

    def evolve(state: Organization, event: Event) -> Organization:
        folded.append(event)
        return decider.evolve(state, event)

    return attrs.evolve(decider, evolve=evolve), folded


def _snapshotted(url: str, opened: list[ExecutionStore]) -> UUID:
    """An organization stream of 8 events, snapshotted at version 7."""
    stream = uuid4()
    store = _open(url, opened)
    write(store, stream, 7)
    write(store, stream)
    return stream


def test_the_same_state_version_reads_the_snapshot(url: str, opened: list[ExecutionStore]) -> None:
    """Given a stream snapshotted at version 7, when the same decider loads it cold, then only
    the event after the snapshot is folded (the oracle for the tests below)."""
    stream = _snapshotted(url, opened)
    decider, folded = _counting(ORGANIZATION)
    reader = _open(url, opened)
    assert reader.load(stream, decider) == ORGANIZATION.fold(reader.read(stream))
    assert [event.version for event in folded] == [8]


def test_another_state_version_folds_the_events(url: str, opened: list[ExecutionStore]) -> None:
    """Given a stream snapshotted under state version 1, when a decider of state version 2
    loads it cold, then every event is folded, the state equals a fresh fold, and the next
    snapshot (under version 2) is read by the next cold load."""
    stream = _snapshotted(url, opened)
    newer, folded = _counting(attrs.evolve(ORGANIZATION, state_version=2))
    reader = _open(url, opened)
    state = reader.load(stream, newer)
    assert state == ORGANIZATION.fold(reader.read(stream))
    assert len(folded) == 8
    write_with(reader, stream, newer, state, 1)  # version 9: a snapshot at 9
    folded.clear()
    again = _open(url, opened)
    assert again.load(stream, newer) == ORGANIZATION.fold(again.read(stream))
    assert folded == []
    assert again.snapshots_of(stream)[-1].state_version == 2


def write_with(
    store: ExecutionStore, stream: UUID, decider: Decider[Organization], state: Any, count: int
) -> None:
    """Append ``count`` events to the stream with this decider."""
    from tests.conformance.contract import founded

    events: list[Event] = [founded(stream, state.version + n, "v") for n in range(1, count + 1)]
    store.append(events, decider, decider.fold(events, state))


@pytest.mark.parametrize("fingerprint", ["", "0123456789abcdef"])
def test_another_fingerprint_folds_the_events(
    url: str, opened: list[ExecutionStore], fingerprint: str
) -> None:
    """Given the newest snapshot written by another state class (another fingerprint) or
    before snapshots carried one (an old snapshot: no version), when the stream loads cold,
    then every event is folded and the state equals a fresh fold; the verifier does not count
    it as forged."""
    stream = _snapshotted(url, opened)
    store = opened[0]
    forged = ORGANIZATION.fold(store.read(stream, upto=6))
    forged = attrs.evolve(forged, version=8)  # what a misread would start from
    version = None if fingerprint == "" else 1
    planted = Snapshot(stream, 8, "organization", encode_state(forged), version, fingerprint)
    assert store.app.snapshots is not None
    store.app.snapshots.put([planted])
    decider, folded = _counting(ORGANIZATION)
    reader = _open(url, opened)
    assert reader.load(stream, decider) == ORGANIZATION.fold(reader.read(stream))
    assert len(folded) == 8
    report = reader.verify()
    assert report.ok, report.first


def test_the_fingerprint_follows_the_state_class_shape() -> None:
    """A field added, renamed or retyped, in the state class or an attrs class inside it,
    changes the fingerprint; the same shape keeps it."""

    @attrs.frozen
    class Part:
        name: str

    @attrs.frozen
    class Renamed:
        title: str

    @attrs.frozen
    class State:
        version: int
        parts: tuple[Part, ...]

    @attrs.frozen
    class Same:
        version: int
        parts: tuple[Part, ...]

    @attrs.frozen
    class Retyped:
        version: str
        parts: tuple[Part, ...]

    @attrs.frozen
    class Deeper:
        version: int
        parts: tuple[Renamed, ...]

    shapes = {state_fingerprint(cls) for cls in (State, Retyped, Deeper)}
    assert len(shapes) == 3
    assert state_fingerprint(Organization) == state_fingerprint(Organization)
    assert state_fingerprint(Same) != state_fingerprint(State)  # the class name is part of it
