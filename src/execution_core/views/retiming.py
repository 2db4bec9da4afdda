"""A board's rows at a later instant with no new fact, re-timed when first read.

A clock tick moves every row of a board: the pace, the pace gap and the days since the last
check-in change with time alone, and the health now and then (see :func:`~.reading.timed`).
Re-timing 10,000 rows on every tick costs more than the tick's budget, while a tick's readers
look at few of them: the signals watch the health, which time alone changes only for the goals
that :func:`turning` names. So a board advanced in time keeps the rows it had, read at earlier
instants, and re-times a row when it is first read (:class:`TimedRows`); a reader that reads
every row gets the same rows as an eager re-timing, and one that reads a few pays for a few.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from uuid import UUID

from execution_core.policy import Policy
from execution_core.views.reading import ScoreboardRow

__all__ = ["Retimer", "TimedRows", "days_moved", "standing", "turning"]

_DAY = timedelta(days=1)

Retimer = Callable[[ScoreboardRow], ScoreboardRow]
"""A row read at an earlier instant, read at the board's instant (its facts unchanged since)."""


class TimedRows(Mapping[UUID, ScoreboardRow]):
    """A board's rows at its instant: each row is the one last read, re-timed (with
    ``retime``) when first read and kept so. Filled only while its board is being built
    (:meth:`__setitem__`); a value once the board is shared."""

    __slots__ = ("_current", "_owned", "_read", "_retime")

    def __init__(self, read: dict[UUID, ScoreboardRow], retime: Retimer | None) -> None:
        self._read = read
        """Every goal's row, read at the board's instant or earlier (facts unchanged since),
        in the order the goals were set; shared with the board it came from until written."""
        self._owned = False
        self._current: dict[UUID, ScoreboardRow] = {}
        """The rows read or re-timed at the board's instant so far."""
        self._retime = retime

    @classmethod
    def later(cls, rows: Mapping[UUID, ScoreboardRow], retime: Retimer) -> TimedRows:
        """A board's rows read at a later instant (with ``retime``), none of their facts
        changed: nothing re-timed yet."""
        return cls(standing(rows), retime)

    @classmethod
    def of(cls, rows: Mapping[UUID, ScoreboardRow]) -> TimedRows:
        """The same rows at the same instant, to be written while a board is advanced."""
        if not isinstance(rows, TimedRows):
            return cls(dict(rows) if not isinstance(rows, dict) else rows, None)
        copy = cls(rows._read, rows._retime)
        copy._current = dict(rows._current)
        return copy

    def __getitem__(self, goal_id: UUID) -> ScoreboardRow:
        row = self._current.get(goal_id)
        if row is None:
            row = self._read[goal_id]
            if self._retime is not None:
                row = self._current[goal_id] = self._retime(row)
        return row

    def __setitem__(self, goal_id: UUID, row: ScoreboardRow) -> None:
        """Put a row read at the board's instant (only while building the board)."""
        if not self._owned:
            self._read = dict(self._read)
            self._owned = True
        self._read[goal_id] = row
        if self._retime is not None:
            self._current[goal_id] = row

    def __contains__(self, goal_id: object) -> bool:
        return goal_id in self._read

    def __iter__(self) -> Iterator[UUID]:
        return iter(self._read)

    def __len__(self) -> int:
        return len(self._read)

    def __repr__(self) -> str:
        return f"TimedRows({dict(self)!r})"

    def _standing(self) -> dict[UUID, ScoreboardRow]:
        # A row re-timed into ``_current`` has its ``_read`` row's standing columns, and a row
        # put is put in both, so ``_read`` has every standing column at the board's instant.
        return self._read


def standing(rows: Mapping[UUID, ScoreboardRow]) -> dict[UUID, ScoreboardRow]:
    """Every row as last read, in the goals' order, without re-timing one: their standing
    columns (all but the pace, the pace gap, the health and the days since the last check-in)
    are the board's; the others may be of an earlier instant. Not to be written."""
    if isinstance(rows, TimedRows):
        return rows._standing()
    return rows if isinstance(rows, dict) else dict(rows)


def turning(
    rows: Mapping[UUID, ScoreboardRow],
    *,
    policy: Policy,
    cadence_days: float,
    ends_at: datetime,
    was: tuple[datetime, float],
    now: tuple[datetime, float],
) -> list[UUID] | None:
    """The goals whose health may differ between two instants of a board with no new fact,
    ``was`` and ``now`` (each an instant and the pace then): the goals whose last check-in
    grows older than ``policy.stale_cadences`` cadences in between; None (any goal) when the
    pace crosses the policy's ``not_started_expected`` or the cycle's end lies in between, or
    when time went back. The rule is :func:`execution_core.views.formulas.health`'s."""
    (before, expected_before), (at, expected) = was, now
    if at < before:
        return None
    threshold = policy.not_started_expected
    if (expected_before >= threshold) != (expected >= threshold):
        return None
    if (before < ends_at) != (at < ends_at):
        return None
    stale = timedelta(days=policy.stale_cadences * cadence_days)
    low, high = before - stale, at - stale
    return [
        goal_id
        for goal_id, row in standing(rows).items()
        if row.last_checkin_at is not None and low <= row.last_checkin_at < high
    ]


def days_moved(rows: Mapping[UUID, ScoreboardRow], *, was: datetime, now: datetime) -> list[UUID]:
    """The goals whose days since the last check-in differ between two instants of a board
    with no new fact (every goal with a check-in when a day or more lies in between)."""
    lines = standing(rows).items()
    if abs(now - was) >= _DAY:
        return [goal_id for goal_id, row in lines if row.last_checkin_at is not None]
    return [
        goal_id
        for goal_id, row in lines
        if (last := row.last_checkin_at) is not None and (now - last).days != (was - last).days
    ]
