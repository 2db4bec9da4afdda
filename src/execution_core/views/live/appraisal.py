"""The live appraisal rows: one per cycle and person with a goal or an appraisal in it, the
header of :func:`execution_core.views.appraisal_sheet` read at the latest business time."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from execution_core.views.appraisal import Appraiser
from execution_core.views.ledger import CycleRecord
from execution_core.views.live.board import plain
from execution_core.views.live.changes import Row, RowChanges
from execution_core.views.live.state import LiveBatch, LiveState
from execution_core.views.reading import ScoreboardRow

__all__ = ["AppraisalProjection"]

_SHEET_FIELDS = (  # none moves with time alone (see BoardChange.marked)
    "owner",
    "status",
    "weight",
    "progress",
    "raw_progress",
    "outcome",
    "title",
    "kind",
)
"""The columns of a goal row a sheet reads: a change elsewhere leaves the sheets as they are."""


class AppraisalProjection:
    """The live appraisal rows (see :class:`~.projection.LiveProjection`)."""

    name = "appraisal"
    key = ("cycle_id", "person_id")
    columns = (
        "cycle_id",
        "person_id",
        "evaluated_at",
        "cycle_name",
        "goals",
        "attainment",
        "computed_rating",
        "recorded_rating",
        "calibrated_rating",
        "rating",
        "rating_source",
        "bonus_multiplier",
    )

    def sheets(
        self, state: LiveState, cycle: CycleRecord, people: Iterable[str]
    ) -> tuple[list[Row], list[Row]]:
        """The rows of these people in the cycle, and the keys of those with no part in it.
        Each sheet reads the person's rows of the kept board (at the same instant)."""
        assert state.now is not None
        now = state.now
        board = state.boards[cycle.id]
        by_owner: dict[str, dict[UUID, ScoreboardRow]] = {}
        for goal_id, row in board.rows.items():
            if row.owner.kind == "person":
                by_owner.setdefault(row.owner.id, {})[goal_id] = row
        policy = cycle.policy_at(now)
        upserts: list[Row] = []
        deletes: list[Row] = []
        for person in people:
            appraiser = Appraiser.of_rows(
                state.ledger, cycle, now, policy, by_owner.get(person, {})
            )
            if not appraiser.has_part(person):
                deletes.append((cycle.id, person))
                continue
            s = appraiser.sheet(person)
            upserts.append(
                (
                    cycle.id,
                    person,
                    now,
                    s.cycle_name,
                    len(s.goals),
                    s.attainment,
                    s.computed_rating,
                    s.recorded_rating,
                    s.calibrated_rating,
                    s.rating,
                    plain(s.rating_source),
                    s.bonus_multiplier,
                )
            )
        return upserts, deletes

    @staticmethod
    def _everyone(state: LiveState, cycle: CycleRecord) -> list[str]:
        people = dict.fromkeys(state.ledger.organization.people)
        for cycle_id, person in state.ledger.appraisals:
            if cycle_id == cycle.id:
                people.setdefault(person)
        return list(people)

    def changes(self, batch: LiveBatch) -> RowChanges:
        """The sheets of the people whose goals' sheet columns or appraisals changed (everyone
        in a rebuilt cycle); ``evaluated_at`` moved for all when the latest time moved."""
        state = batch.state
        changes = RowChanges(evaluated_at=batch.now if batch.moved else None)
        keys: dict[UUID, set[str]] = {}
        for cycle_id, person in batch.touched.appraisals:
            keys.setdefault(cycle_id, set()).add(person)
        for change in batch.boards:
            cycle = change.cycle
            if change.rebuilt or cycle.id in batch.touched.cycles:
                people: Iterable[str] = self._everyone(state, cycle)
            else:
                touched = keys.setdefault(cycle.id, set())
                assert change.old is not None
                # A sheet reads no column that moves with time alone: only marked rows differ.
                marked = change.changed if change.marked is None else change.marked
                for goal_id in marked:
                    old, new = change.old.rows.get(goal_id), change.new.rows[goal_id]
                    if old is not None and all(
                        getattr(old, n) == getattr(new, n) for n in _SHEET_FIELDS
                    ):
                        continue
                    for row in (old, new):
                        if row is not None and row.owner.kind == "person":
                            touched.add(row.owner.id)
                staff = state.ledger.organization.people
                appraised = state.ledger.appraisals
                people = sorted(p for p in touched if p in staff or (cycle.id, p) in appraised)
            if people:
                upserts, deletes = self.sheets(state, cycle, people)
                changes.upsert.extend(upserts)
                changes.delete.extend(deletes)
            keys.pop(cycle.id, None)
        for cycle_id, people in keys.items():
            known = state.ledger.cycles.get(cycle_id)
            if known is not None and cycle_id in state.boards:
                upserts, deletes = self.sheets(state, known, sorted(people))
                changes.upsert.extend(upserts)
                changes.delete.extend(deletes)
        return changes

    def rows(self, state: LiveState) -> RowChanges:
        """Every sheet of every cycle (closed ones too)."""
        changes = RowChanges(truncate=True)
        if state.now is None:
            return changes
        for cycle in state.ledger.cycles.values():
            upserts, _ = self.sheets(state, cycle, self._everyone(state, cycle))
            changes.upsert.extend(upserts)
        return changes
