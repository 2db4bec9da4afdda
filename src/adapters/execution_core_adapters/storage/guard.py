"""The guard against stale reads, and the co-reads it learns.

Inside a ``reading`` block a decision may use cached states without asking the database; the
write that follows hands the versions it assumed to the recorder, which commits only if none of
those streams grew meanwhile. The caller names the streams its command's ids name; a decision
often loads more (a check-in loads its goal's cycle). So the guard remembers, for a bounded
number of written streams, which other streams the last decision that wrote the stream loaded,
and assumes those too next time. It is a storage cache: it knows streams, not what they mean.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from uuid import UUID

import attrs

__all__ = ["CO_READS_KEPT", "ReadGuard"]

CO_READS_KEPT = 10_000
"""For how many written streams the guard remembers their co-reads (least recent forgotten)."""

_ASSUMING_NOTHING = nullcontext(False)
"""What ``reading`` is where every load asks the store (reusable)."""


@attrs.define
class _Block:
    """One ``reading`` block of one thread: what it assumes and what it loaded."""

    named: frozenset[UUID]
    assumed: dict[UUID, int]
    loaded: list[UUID] = attrs.field(factory=list)


class ReadGuard:
    """The ``reading`` blocks of one store, per thread, and the co-reads of written streams.

    ``cached_version`` gives the version of a stream's cached state (None when none is cached);
    ``checks`` says whether the store's writes can check assumed versions (PostgreSQL): where
    they cannot, every load asks the store and nothing is assumed.
    """

    def __init__(
        self,
        cached_version: Callable[[UUID], int | None],
        *,
        checks: bool,
        kept: int = CO_READS_KEPT,
    ) -> None:
        self._cached_version = cached_version
        self._checks = checks
        self._kept = kept
        self._co_reads: OrderedDict[UUID, tuple[UUID, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def checks(self) -> bool:
        """Whether the store's writes check assumed versions: where they do not, nothing is
        assumed, so a load need not tell the guard about itself."""
        return self._checks

    def reading(self, stream_ids: Sequence[UUID]) -> AbstractContextManager[bool]:
        """A block in which the cached states of these streams and of their co-reads are
        assumed current; yields whether any was."""
        if not self._checks:
            return _ASSUMING_NOTHING
        return self._assuming(stream_ids)

    @contextmanager
    def _assuming(self, stream_ids: Sequence[UUID]) -> Iterator[bool]:
        named = dict.fromkeys(stream_ids)
        with self._lock:
            for stream_id in list(named):
                named.update(dict.fromkeys(self._co_reads.get(stream_id, ())))
        assumed: dict[UUID, int] = {}
        for stream_id in named:
            version = self._cached_version(stream_id)
            if version is not None:
                assumed[stream_id] = version
        self._local.block = _Block(frozenset(stream_ids), assumed)
        try:
            yield bool(assumed)
        finally:
            self._local.block = None

    def loaded(self, stream_id: UUID) -> None:
        """Note a load (inside a block, it may become a co-read of the stream written)."""
        block: _Block | None = getattr(self._local, "block", None)
        if block is not None:
            block.loaded.append(stream_id)

    def assumes(self, stream_id: UUID) -> bool:
        """Whether the current block assumes this stream's cached state current."""
        block: _Block | None = getattr(self._local, "block", None)
        return block is not None and stream_id in block.assumed

    def writing(self, stream_id: UUID) -> dict[UUID, int]:
        """The versions the write of ``stream_id`` must find unchanged (none outside a block);
        the other streams the block loaded become the stream's co-reads."""
        if not self._checks:
            return {}  # no block is ever opened: every load asked the store
        block: _Block | None = getattr(self._local, "block", None)
        if block is None:
            return {}
        others = tuple(
            dict.fromkeys(s for s in block.loaded if s not in block.named and s != stream_id)
        )
        with self._lock:
            self._co_reads[stream_id] = others
            self._co_reads.move_to_end(stream_id)
            while len(self._co_reads) > self._kept:
                self._co_reads.popitem(last=False)
        return block.assumed

    def co_reads(self, stream_id: UUID) -> tuple[UUID, ...]:
        """The streams a ``reading`` block naming this stream also assumes (for tests)."""
        with self._lock:
            return self._co_reads.get(stream_id, ())
