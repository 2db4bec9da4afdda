"""The chain's verifier: :func:`verify` walks the events and the hash chain side by side, in
position order, and names the first event that was edited, removed, reordered or inserted out of
band (a :class:`Tampering` in an :class:`AuditReport`); with an anchor (a
:class:`~execution_core.ports.ChainHead` kept elsewhere) also a truncated or rewritten chain;
and every snapshot a load would use against the fold of its stream's events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Literal, Protocol
from uuid import UUID

import attrs

from execution_core.errors import ExecutionError, InvalidInput
from execution_core.event import Event
from execution_core.ports import ChainHead
from execution_core.streams import decider_of_event
from execution_core_adapters.storage.chain_format import (
    GENESIS,
    ChainEntry,
    StoredRow,
    event_hash,
    head_of,
    link,
)
from execution_core_adapters.storage.codec import decode_state
from execution_core_adapters.storage.mapper import Snapshot
from execution_core_adapters.storage.recorders import ChainedRecorder

__all__ = ["AuditReport", "Kind", "Tampering", "VerifiedStore", "head", "verify"]

_WINDOW = 1000
"""How far back verify looks for the hash a broken link continues from (inserted rows)."""
_DIAGNOSED = 3
"""How many edited events verify searches the whole store for (is it another's moved here?)."""

Kind = Literal["edited", "removed", "reordered", "inserted", "truncated", "rewritten"]


@attrs.frozen
class Tampering:
    """The first sign of tampering: where, which event (as recorded in the chain), what it is."""

    kind: Kind
    """edited, removed, reordered or inserted (out of band); with an anchor also truncated
    (newest events removed with their chain entries) or rewritten (chain recomputed)."""
    position: int
    """The event's position (notification id); 0 for a snapshot."""
    stream_id: str
    version: int | None
    detail: str
    record: Literal["event", "snapshot"] = "event"

    def __str__(self) -> str:
        what = f"{self.stream_id} v{self.version}" if self.stream_id else "(unknown event)"
        where = f"position {self.position}" if self.record == "event" else "snapshot"
        return f"{self.kind}: {where}, {what}: {self.detail}"


@attrs.frozen
class AuditReport:
    """What :func:`verify` found: ``ok`` when the events and the chain agree throughout."""

    ok: bool
    events_checked: int
    head: ChainHead
    first: Tampering | None = None
    """The first (lowest position) sign of tampering."""
    problems: int = 0
    """How many positions (and snapshots) showed a sign of tampering."""
    snapshots_checked: int = 0


class VerifiedStore(Protocol):
    """What the verifier reads of a store: its chained records, its snapshots, its streams."""

    def chained(self) -> ChainedRecorder:
        """The recorder that keeps the chain."""
        ...

    def chain_head(self) -> ChainHead:
        """The newest chain entry's position and hash."""
        ...

    def snapshots_of(self, stream_id: UUID) -> list[Snapshot]:
        """A stream's snapshots, oldest first."""
        ...

    def read(self, stream_id: UUID, *, after: int = 0, upto: int | None = None) -> list[Event]:
        """A stream's events."""
        ...


def head(store: VerifiedStore) -> ChainHead:
    """The store's newest chain hash and position (position 0 when the store is empty)."""
    return store.chain_head()


def _problem(kind: Kind, at: StoredRow | ChainEntry, detail: str) -> Tampering:
    version = at.version if isinstance(at.version, int) else None
    return Tampering(kind, at.position, at.stream_id, version, detail)


class _Walk:
    """One pass over the events and the chain in position order, link by link."""

    def __init__(self, contiguous: bool, anchor: ChainHead | None) -> None:
        self.contiguous = contiguous
        self.anchor = anchor
        self.anchor_seen = anchor is None
        self.problems: list[Tampering] = []
        self.mismatched: list[Tampering] = []
        self.checked = 0
        self.entries_seen = 0
        self.streams: dict[str, str] = {}
        self.previous: ChainEntry | None = None
        self.recent: deque[ChainEntry] = deque(maxlen=_WINDOW)

    def run(self, rows: Iterator[StoredRow], entries: Iterator[ChainEntry]) -> None:
        row, entry = next(rows, None), next(entries, None)
        while row is not None or entry is not None:
            if entry is None or (row is not None and row.position < entry.position):
                assert row is not None
                self._count(row)
                self.problems.append(
                    _problem("inserted", row, "it has no chain entry: written around the store")
                )
                row = next(rows, None)
                continue
            self._gap(entry)
            if row is None or entry.position < row.position:
                self.problems.append(
                    _problem("removed", entry, "recorded in the chain but missing from the events")
                )
            else:
                self._count(row)
                self._pair(row, entry)
                row = next(rows, None)
            self._anchor(entry)
            self.previous = entry
            self.recent.append(entry)
            self.entries_seen += 1
            entry = next(entries, None)
        self._finish()

    def _count(self, row: StoredRow) -> None:
        self.checked += 1
        if isinstance(row.topic, str):
            self.streams.setdefault(row.stream_id, row.topic)

    def _gap(self, entry: ChainEntry) -> None:
        expected = 1 if self.previous is None else self.previous.position + 1
        if self.contiguous and entry.position > expected:
            self.problems.append(
                Tampering(
                    "removed",
                    expected,
                    "",
                    None,
                    f"positions {expected} to {entry.position - 1} are missing from both the "
                    "events and the chain, and this store never leaves gaps",
                )
            )

    def _pair(self, row: StoredRow, entry: ChainEntry) -> None:
        previous_hash = self.previous.chain_hash if self.previous else GENESIS
        if row.digest() != entry.event_hash:
            moved = (row.stream_id, row.version) != (entry.stream_id, entry.version)
            problem = _problem(
                "edited",
                entry,
                f"another event ({row.stream_id} v{row.version}) now sits where it was"
                if moved
                else "its stored bytes differ from those hashed when it was stored",
            )
            self.mismatched.append(problem)
            self.problems.append(problem)
        elif link(previous_hash, entry.event_hash) != entry.chain_hash:
            self.problems.append(self._broken_link(entry))

    def _broken_link(self, entry: ChainEntry) -> Tampering:
        """The link from the previous entry fails: does it hold from an earlier one?"""
        recent = list(self.recent)  # the last one is the previous entry
        bases = [(recent[i].chain_hash, i) for i in range(len(recent) - 2, -1, -1)]
        if self.entries_seen == len(recent):
            bases.append((GENESIS, -1))
        for base, index in bases:
            if link(base, entry.event_hash) == entry.chain_hash:
                since = recent[index].position if index >= 0 else 0
                return _problem(
                    "inserted",
                    recent[index + 1],
                    f"inserted with a forged chain entry: the chain runs from position {since} "
                    f"straight to {entry.position}",
                )
        if self.previous is not None and entry.position > self.previous.position + 1:
            return _problem(
                "removed",
                entry,
                "the chain breaks just before this event: an event recorded before it was "
                "removed together with its chain entry",
            )
        return _problem(
            "edited",
            entry,
            "the chain breaks at this event: it was edited and its hash recomputed, or the "
            "chain table was edited",
        )

    def _anchor(self, entry: ChainEntry) -> None:
        anchor = self.anchor
        if anchor is None or self.anchor_seen or entry.position < anchor.position:
            return
        self.anchor_seen = True
        if entry.position > anchor.position:
            self.problems.append(
                Tampering(
                    "removed",
                    anchor.position,
                    "",
                    None,
                    "the anchored head's event and chain entry are missing",
                )
            )
        elif entry.chain_hash.hex() != anchor.hash:
            self.problems.append(
                _problem(
                    "rewritten",
                    entry,
                    "the chain hash here differs from the anchored head: the chain was "
                    "recomputed over history changed at or before this position",
                )
            )

    def _finish(self) -> None:
        anchor = self.anchor
        if anchor is None or self.anchor_seen:
            return
        if anchor.position == 0:
            if anchor.hash != GENESIS.hex():
                self.problems.append(
                    Tampering("rewritten", 0, "", None, "the anchor is no chain's empty head")
                )
            return
        last = self.previous.position if self.previous else 0
        self.problems.append(
            Tampering(
                "truncated",
                last + 1,
                "",
                None,
                f"the chain ends at position {last}, before the anchored head at "
                f"{anchor.position}: the newest events were removed with their chain entries",
            )
        )


def _diagnose(recorder: ChainedRecorder, walk: _Walk) -> None:
    """Is an 'edited' event in fact one recorded elsewhere (moved), or its payload (swapped)?"""
    targets = {problem.position: problem for problem in walk.mismatched[:_DIAGNOSED]}
    if not targets:
        return
    with recorder.chain_snapshot() as (rows, entries):
        suspects = {row.position: row for row in rows if row.position in targets}
    with recorder.chain_snapshot() as (rows, entries):
        found = _relocations(_pairs(rows, entries), suspects, targets)
    walk.problems = [
        found[p.position] if p.position in found and p in walk.mismatched else p
        for p in walk.problems
    ]


def _relocations(
    pairs: Iterator[tuple[StoredRow, ChainEntry]],
    suspects: dict[int, StoredRow],
    targets: dict[int, Tampering],
) -> dict[int, Tampering]:
    """For each suspect row, the position whose recorded hash it (or its payload) matches."""
    found: dict[int, Tampering] = {}
    for row, entry in pairs:
        for position, suspect in suspects.items():
            if position == row.position or position in found:
                continue
            whole = event_hash(
                entry.position, suspect.stream_id, suspect.version, suspect.topic, suspect.state
            )
            payload = event_hash(
                entry.position, row.stream_id, row.version, row.topic, suspect.state
            )
            if entry.event_hash in (whole, payload):
                what = "the event" if entry.event_hash == whole else "the payload"
                found[position] = attrs.evolve(
                    targets[position],
                    kind="reordered",
                    detail=f"{what} now at position {position} was recorded at position "
                    f"{entry.position} ({entry.stream_id} v{entry.version})",
                )
    return found


def _pairs(
    rows: Iterator[StoredRow], entries: Iterator[ChainEntry]
) -> Iterator[tuple[StoredRow, ChainEntry]]:
    row, entry = next(rows, None), next(entries, None)
    while row is not None and entry is not None:
        if row.position == entry.position:
            yield row, entry
            row, entry = next(rows, None), next(entries, None)
        elif row.position < entry.position:
            row = next(rows, None)
        else:
            entry = next(entries, None)


def _check_snapshots(store: VerifiedStore, streams: dict[str, str], walk: _Walk) -> int:
    """Each snapshot a load would use must equal the fold of its stream's events up to its
    version (a snapshot of another state version or class is never read back: left out)."""
    checked = 0
    for stream_text, topic in streams.items():
        try:
            decider = decider_of_event(topic)
            stream_id = UUID(stream_text)
        except (InvalidInput, ValueError):
            continue  # a receipt, or a name no stream has: the chain walk covers the row
        snapshots = [s for s in store.snapshots_of(stream_id) if s.fits(decider)]
        if not snapshots:  # read before the events (see verify)
            continue
        try:
            events = store.read(stream_id, upto=snapshots[-1].originator_version)
        except ExecutionError:
            continue  # an undecodable event: the chain walk already reports it
        state = decider.initial
        by_version = {snapshot.originator_version: snapshot for snapshot in snapshots}
        for event in events:
            try:
                state = decider.evolve(state, event)
            except (KeyError, TypeError, ValueError, AttributeError):
                break  # not a sequence the domain produces: left to the chain walk and import
            snapshot = by_version.get(event.version)
            if snapshot is None:
                continue
            checked += 1
            try:
                same = decode_state(snapshot.state, type(decider.initial)) == state
            except ExecutionError:
                same = False
            if not same:
                walk.problems.append(
                    Tampering(
                        "edited",
                        0,
                        stream_text,
                        event.version,
                        "the snapshot differs from the fold of the stream's events: loads "
                        "would start from a forged state",
                        record="snapshot",
                    )
                )
    return checked


def verify(
    store: VerifiedStore, *, anchor: ChainHead | None = None, snapshots: bool = True
) -> AuditReport:
    """Check every stored event against the chain (and, with ``anchor``, the chain against a
    head kept elsewhere; with ``snapshots``, every snapshot against its stream's events)."""
    recorder = store.chained()
    walk = _Walk(recorder.contiguous, anchor)
    with recorder.chain_snapshot() as (rows, entries):
        walk.run(rows, entries)
    _diagnose(recorder, walk)
    # Snapshots are read before their streams' events, and a snapshot is written after its
    # events commit, so a concurrent writer cannot make a sound snapshot look forged.
    snapshots_checked = _check_snapshots(store, walk.streams, walk) if snapshots else 0
    chain_head = head_of(walk.previous)
    first = min(walk.problems, key=_order) if walk.problems else None
    return AuditReport(
        ok=not walk.problems,
        events_checked=walk.checked,
        head=chain_head,
        first=first,
        problems=len(walk.problems),
        snapshots_checked=snapshots_checked,
    )


def _order(problem: Tampering) -> tuple[int, int]:
    return (1 if problem.record == "snapshot" else 0, problem.position)
