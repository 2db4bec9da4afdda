"""The signal log: the signals the projection worker derived, in the order it logged them.

The worker appends each batch's signals to ``view_signals`` in the transaction of the batch's
view rows and tracking position (see :mod:`.worker`), so the log holds exactly the signals of
the batches written. Each row has ``seq``, its position in the log: ascending in commit order,
never reused, possibly with gaps (a refused transaction may consume numbers), so a reader
remembers the last ``seq`` it handled and asks for the ones after it. A signal's ``key`` is
unique in the log: a signal derived again (a worker restarted after a crash, a rebuild) is not
logged twice.

The reading API, stable for delivery and apps::

    with SignalLog("sqlite:///plan.db") as log:
        for seq, signal in log.read(after_seq=0, limit=100):
            ...

``read(after_seq, limit, since=None)`` gives ``(seq, Signal)`` pairs in log order (``since``:
only signals whose business time ``at`` is at or after it); ``head()`` the newest ``seq`` (0:
none). :func:`read_signals` does the same in one call. ``log.recorder`` is the views'
recorder: ``log.recorder.transaction()`` opens a transaction on the same database (for rows
kept beside the log, in one transaction), and ``log.recorder.signals_table()`` names the table
in SQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from execution_core.clock import as_utc
from execution_core.errors import InvalidInput
from execution_core.signals import Signal
from execution_core_adapters.projections.databases import ViewsDatabase
from execution_core_adapters.projections.recorders import ViewRecorder, view_recorder
from execution_core_adapters.storage.store import ExecutionStore

__all__ = ["SignalLog", "read_signals"]

MAX_LIMIT = 100_000
"""The most signals one read returns."""


class SignalLog:
    """The signal log of a store's database (``views_url``: where the views live, when another
    database than the store's). ``source`` is an open :class:`ExecutionStore` (left open on
    :meth:`close`) or a store URL (opened here, closed on :meth:`close`)."""

    def __init__(self, source: ExecutionStore | str, *, views_url: str | None = None) -> None:
        self._databases = ViewsDatabase(source, views_url)
        self.store = self._databases.store
        try:
            self.recorder: ViewRecorder = view_recorder(self._databases.factory)
            self.recorder.create_signals()
        except BaseException:
            self.close()
            raise

    def read(
        self, after_seq: int = 0, limit: int = 1_000, *, since: datetime | None = None
    ) -> list[tuple[int, Signal]]:
        """Up to ``limit`` signals logged after ``after_seq``, as ``(seq, signal)`` in log
        order; with ``since``, only those whose business time is at or after it."""
        if after_seq < 0 or not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"after_seq must be >= 0 and limit within 1..{MAX_LIMIT}")
        where: str = ""
        values: tuple[Any, ...] = ()
        if since is not None:
            try:
                moment = as_utc(since)
            except ValueError as error:
                raise InvalidInput(str(error)) from None
            where, values = (
                f" AND at >= {self.recorder.placeholder}",
                (self.recorder.adapt_time(moment),),
            )
        rows = self.recorder.select_signals(after_seq, limit, where, values)
        return [(seq, Signal.from_dict(json.loads(text))) for seq, text in rows]

    def head(self) -> int:
        """The newest ``seq`` of the log (0: nothing logged)."""
        return self.recorder.last_signal_seq()

    def close(self) -> None:
        """Close the views database (when separate) and the store (when opened here)."""
        self._databases.close()

    def __enter__(self) -> SignalLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_signals(
    source: ExecutionStore | str,
    after_seq: int = 0,
    limit: int = 1_000,
    *,
    since: datetime | None = None,
    views_url: str | None = None,
) -> list[tuple[int, Signal]]:
    """Up to ``limit`` signals logged after ``after_seq`` in the store's database, as
    ``(seq, signal)`` in log order (see :class:`SignalLog`)."""
    with SignalLog(source, views_url=views_url) as log:
        return log.read(after_seq, limit, since=since)
