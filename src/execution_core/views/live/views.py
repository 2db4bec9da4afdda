"""Several live projections driven together over one state: what a writer with no tables of
its own (a test, a notebook, an in-process cache) needs, and the projection worker's core."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from execution_core.ports import Recorded
from execution_core.views.ledger import Ledger
from execution_core.views.live.appraisal import AppraisalProjection
from execution_core.views.live.board import BoardProjection
from execution_core.views.live.changes import RowChanges
from execution_core.views.live.projection import LiveProjection
from execution_core.views.live.radar import RadarProjection
from execution_core.views.live.state import LiveState, advance, clock_tick
from execution_core.views.live.touched import Touched

__all__ = ["PROJECTIONS", "LiveViews"]

PROJECTIONS: Mapping[str, LiveProjection] = {
    p.name: p for p in (BoardProjection(), AppraisalProjection(), RadarProjection())
}
"""Every live projection, by view name."""


class LiveViews:
    """The named projections (default: all) over one :class:`LiveState`."""

    def __init__(self, names: Iterable[str] = PROJECTIONS, state: LiveState | None = None):
        self.projections = [PROJECTIONS[name] for name in names]
        self.state = state or LiveState()

    @classmethod
    def build(
        cls, ledger: Ledger, at: datetime | None, names: Iterable[str] = PROJECTIONS
    ) -> LiveViews:
        """The projections of a ledger whose latest business time is ``at`` (None: no event),
        each cycle read at ``at`` capped to its end (the evaluation rule)."""
        return cls(names, LiveState.of(ledger, at, ledger.position))

    def rows(self) -> dict[str, RowChanges]:
        """Every projection's rows (full rewrites), by name."""
        return {p.name: p.rows(self.state) for p in self.projections}

    def apply(self, recorded: Sequence[Recorded]) -> dict[str, RowChanges]:
        """Fold a batch of recorded events and give each projection's row changes, by name."""
        if not recorded:
            return {p.name: RowChanges() for p in self.projections}
        state = self.state
        events = [r.event for r in recorded]
        state.fold(events, recorded[-1].position)
        touched = Touched()
        touched.note(events)
        batch = advance(state, touched)
        changes = {p.name: p.changes(batch) for p in self.projections}
        state.written()
        return changes

    def tick(self, at: datetime) -> dict[str, RowChanges]:
        """Read the views at a clock's ``at`` with no new fact (as the worker's idle poll
        does) and give each projection's row changes, by name: the boards re-timed, or
        rebuilt when ``at`` went back or brings facts dated after the last instant into view
        (see :meth:`LiveState.tick`)."""
        state = self.state
        touched = Touched()
        clock_tick(state, at, touched)
        batch = advance(state, touched)
        changes = {p.name: p.changes(batch) for p in self.projections}
        state.written()
        return changes
