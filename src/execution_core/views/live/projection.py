"""What every live projection is: named rows, built from a state or changed by a batch."""

from __future__ import annotations

from typing import Protocol

from execution_core.views.live.changes import RowChanges
from execution_core.views.live.state import LiveBatch, LiveState

__all__ = ["LiveProjection"]


class LiveProjection(Protocol):
    """One live view's rows: ``columns`` in order, keyed by ``key``. ``rows`` gives all of them
    for a state (a full rewrite), ``changes`` what a batch changed; applying each batch's
    changes in turn leaves the rows ``rows`` gives for the state after the last one."""

    @property
    def name(self) -> str:
        """The view's name (board, appraisal, radar)."""
        ...

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of a row's values, in order."""
        ...

    @property
    def key(self) -> tuple[str, ...]:
        """The columns that identify a row."""
        ...

    def rows(self, state: LiveState) -> RowChanges:
        """Every row for the state (``truncate`` set)."""
        ...

    def changes(self, batch: LiveBatch) -> RowChanges:
        """The row changes of a batch (the state is the one after it)."""
        ...
