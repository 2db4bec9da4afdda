"""The state the live projections share: the ledger folded so far, the latest business time
seen, and every cycle's board read at its instant (the evaluation rule, see
docs/materialized-views.md); and one batch's effect on the boards, which every view reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from execution_core.event import Event
from execution_core.ports import Recorded
from execution_core.views.ledger import CycleRecord, Ledger, LedgerBuilder
from execution_core.views.live.touched import Touched
from execution_core.views.radar import Turn
from execution_core.views.scoreboard import Scoreboard

__all__ = [
    "BoardChange",
    "LiveBatch",
    "LiveState",
    "advance",
    "clock_tick",
    "forget_turnings",
    "with_goals_above",
    "instant",
    "on_board",
]


def instant(cycle: CycleRecord, now: datetime) -> datetime:
    """The instant a cycle's rows are read at: the latest business time seen, capped to the
    cycle's end."""
    return min(now, cycle.ends_at)


def on_board(cycle: CycleRecord, now: datetime) -> bool:
    """Whether a cycle is shown on the live board and radar: not closed by ``now``."""
    return cycle.state.status(now) != "closed"


@attrs.define
class LiveState:
    """The ledger up to ``position``, the latest business time seen, and every cycle's board at
    its instant; a writer keeps it consistent with its rows at ``position``."""

    folding: LedgerBuilder = attrs.Factory(LedgerBuilder)
    """The ledger, folded in place page after page and frozen when read (see :attr:`ledger`)."""
    position: int = 0
    now: datetime | None = None
    """The instant the views are read at: the latest business time seen, or the last clock
    tick once the state is ticked (see :meth:`tick`)."""
    boards: dict[UUID, Scoreboard] = attrs.Factory(dict)
    turned: dict[UUID, Turn | None] = attrs.Factory(dict)
    """What the radar learnt of when each goal turned at risk or off track (None: nothing);
    forgotten when the goal or one below it changes (see :func:`forget_turnings`)."""
    committed_now: datetime | None = None
    """The latest business time seen at the last batch written (what the rows were read at)."""
    shown: set[UUID] = attrs.Factory(set)
    """The cycles on the live board and radar at the last batch written."""
    latest: datetime | None = None
    """The newest business time of the facts folded (may be ahead of a clock's ``now``)."""
    ticked: bool = False
    """Whether a clock drives ``now`` (see :meth:`tick`): then facts no longer move it."""

    @classmethod
    def replay(cls, recorded: Iterable[Recorded]) -> LiveState:
        """The state after these events, as a writer starts from its rows written up to the
        last of them (boards built, nothing pending)."""
        state = cls()
        for item in recorded:
            state.fold([item.event], item.position)
        state.settle()
        return state

    @classmethod
    def of(cls, ledger: Ledger, now: datetime | None, position: int = 0) -> LiveState:
        """The state of a ledger whose latest business time is ``now`` (boards built)."""
        state = cls(LedgerBuilder(ledger), position, now)
        state.latest = now
        state.settle()
        return state

    @property
    def ledger(self) -> Ledger:
        """The ledger up to ``position`` (frozen at the first read after a fold, so a batch of
        many pages pays for new goal records once, not once per page)."""
        return self.folding.freeze()

    def showing(self) -> set[UUID]:
        """The cycles on the live board and radar now: every cycle not closed by the latest
        time seen."""
        now = self.now
        if now is None:
            return set()
        return {c.id for c in self.ledger.cycles.values() if on_board(c, now)}

    def fold(self, events: Sequence[Event], position: int) -> None:
        """Apply a page of events, the last of them recorded at ``position``."""
        if not events:
            return
        self.folding.apply_all(events)
        latest = max(e.occurred_at for e in events)
        if self.latest is None or latest > self.latest:
            self.latest = latest
        if not self.ticked and (self.now is None or latest > self.now):
            self.now = latest
        self.position = position

    def tick(self, at: datetime) -> bool:
        """Read the views at a clock's ``at`` from now on (facts dated later wait for the clock
        to reach them); whether every board must be rebuilt: when ``now`` went back (a row
        read at a later instant cannot be re-timed to an earlier one), or when facts dated
        after the old ``now`` come into view (re-timing a row reads no new fact)."""
        old = self.now
        rebuild = old is not None and (
            at < old or (at > old and self.latest is not None and self.latest > old)
        )
        self.now = at
        self.ticked = True
        return rebuild

    @property
    def ahead(self) -> datetime | None:
        """The newest business time of the facts when it is ahead of a clock's ``now`` (a
        fact dated in the future), else None."""
        if not self.ticked or self.latest is None or self.now is None:
            return None
        return self.latest if self.latest > self.now else None

    def build_boards(self) -> None:
        """Every cycle's board from scratch (after a replay)."""
        self.boards = {}
        if self.now is None:
            return
        for cycle in self.ledger.cycles.values():
            self.boards[cycle.id] = Scoreboard.build(
                self.ledger, cycle.id, at=instant(cycle, self.now)
            )

    def settle(self) -> None:
        """Build the boards and take the state as written (after a replay)."""
        self.build_boards()
        self.written()

    def written(self) -> None:
        """Note that the rows at the current position were written."""
        self.committed_now = self.now
        self.shown = self.showing()


@attrs.define
class BoardChange:
    """How one cycle's board changed in a batch."""

    cycle: CycleRecord
    old: Scoreboard | None
    new: Scoreboard
    changed: list[UUID]
    """Goals whose row changed (every goal when the board was rebuilt or re-timed)."""
    rebuilt: bool
    marked: list[UUID] | None = None
    """Goals whose row may have changed beyond the columns that move with time alone (the
    pace, the pace gap, the days since the last check-in): None when any may have (see
    :attr:`Advanced.marked <execution_core.views.scoreboard.Advanced.marked>`)."""


@attrs.define
class LiveBatch:
    """A batch's effect, handed to each live projection to compute its row changes."""

    state: LiveState
    touched: Touched
    now: datetime
    moved: bool
    """Whether the latest business time moved in this batch."""
    boards: list[BoardChange]
    shown: set[UUID]
    """The cycles whose rows were on the live board and radar before the batch."""
    retraced: frozenset[UUID] = frozenset()
    """The touched goals and every goal ever above them: a fact can move when such a goal
    turned (a check-in dated back) while leaving its row as it was."""

    def then(self, later: LiveBatch) -> LiveBatch:
        """This batch and a later one over the same state (nothing written in between) as one
        batch: each board from its first old to its last new value, the changed goals of
        both. A writer that steps through a batch in parts (to derive signals at each step)
        writes the rows of the whole so."""
        first = {change.cycle.id: change for change in self.boards}
        boards: list[BoardChange] = []
        for change in later.boards:
            earlier = first.get(change.cycle.id)
            if earlier is None:
                boards.append(change)
                continue
            changed = list(dict.fromkeys([*earlier.changed, *change.changed]))
            marked = (
                None
                if earlier.marked is None or change.marked is None
                else list(dict.fromkeys([*earlier.marked, *change.marked]))
            )
            boards.append(
                BoardChange(
                    change.cycle,
                    earlier.old,
                    change.new,
                    changed,
                    rebuilt=earlier.rebuilt or change.rebuilt,
                    marked=marked,
                )
            )
        touched = Touched()
        touched.merge(self.touched)
        touched.merge(later.touched)
        return LiveBatch(
            self.state,
            touched,
            later.now,
            later.moved,
            boards,
            self.shown,
            self.retraced | later.retraced,
        )


def _update_board(
    ledger: Ledger,
    cycle: CycleRecord,
    board: Scoreboard | None,
    goals: Iterable[UUID],
    now: datetime,
) -> BoardChange:
    """The cycle's board at the batch end: rebuilt when new, when a cycle event came in, or
    when its rows cannot be re-timed to the new instant (another policy in force, forecasts
    withheld until an elapsed share crossed); else advanced (see :meth:`Scoreboard.advance`)."""
    at = instant(cycle, now)
    if board is None or not board.retimable(cycle, at):
        new = Scoreboard.build(ledger, cycle.id, at=at)
        return BoardChange(cycle, board, new, list(new.rows), rebuilt=True)
    new, changed, marked = board.advance(ledger, cycle, goals, at)
    return BoardChange(cycle, board, new, changed, rebuilt=False, marked=marked)


def advance(state: LiveState, touched: Touched) -> LiveBatch:
    """Every cycle's board at the batch end (what every view reads); the state keeps them. A
    cycle event or a realignment rebuilds its cycle's board, as in :meth:`Scoreboard.apply`."""
    assert state.now is not None
    ledger = state.ledger
    touched.resolve(ledger)
    by_cycle: dict[UUID, list[UUID]] = {}
    for goal_id in touched.goals:
        goal = ledger.goals.get(goal_id)
        if goal is not None:
            by_cycle.setdefault(goal.cycle_id, []).append(goal_id)
    rebuilt = set(touched.cycles)
    rebuilt.update(ledger.goals[g].cycle_id for g in touched.realigned if g in ledger.goals)
    changes = [
        _update_board(
            ledger,
            cycle,
            None if cycle.id in rebuilt else state.boards.get(cycle.id),
            by_cycle.get(cycle.id, ()),
            state.now,
        )
        for cycle in ledger.cycles.values()
    ]
    retraced = frozenset(with_goals_above(ledger, touched.goals))
    forget_turnings(state, retraced, [c.cycle.id for c in changes if c.rebuilt], touched.earliest)
    state.boards = {c.cycle.id: c.new for c in changes}
    return LiveBatch(
        state,
        touched,
        state.now,
        state.now != state.committed_now,
        changes,
        state.shown,
        retraced,
    )


def clock_tick(state: LiveState, at: datetime, touched: Touched) -> None:
    """Read the state at a clock's ``at`` with no new fact (:meth:`LiveState.tick`), noting in
    ``touched`` every cycle's board as to rebuild when the tick went back or brought facts
    dated after the last instant into view; :func:`advance` then re-times or rebuilds."""
    if state.tick(at):
        touched.cycles.update(state.ledger.cycles)


def forget_turnings(
    state: LiveState,
    retraced: Iterable[UUID],
    cycles: Iterable[UUID],
    earliest: datetime | None = None,
) -> None:
    """Update the remembered turning instants that the batch may have changed: of the
    ``retraced`` goals (the touched ones and every goal ever above them, see
    :func:`with_goals_above`), and of every goal of a cycle with a cycle event (dropped). A
    retraced goal's known turn is kept as stale from ``earliest`` (the batch's earliest
    business time; None: dropped), what it says of the instants before still true."""
    if not state.turned:
        return
    ledger = state.ledger
    cycles = set(cycles)
    if cycles:
        for goal_id in list(state.turned):
            record = ledger.goals.get(goal_id)
            if record is None or record.cycle_id in cycles:
                del state.turned[goal_id]
    turned = state.turned
    for goal_id in retraced:
        turn = turned.pop(goal_id, None)
        if turn is not None and earliest is not None and turn.seen_at is not None:
            turned[goal_id] = turn.staled(earliest)


def with_goals_above(ledger: Ledger, goals: Iterable[UUID]) -> set[UUID]:
    """The goals and every goal ever above them: those whose timeline a fact about the goals
    can change (a rollup's reading at an instant reads the goals below it then). Walks up each
    goal's own alignments (its first and every realignment), not the whole ledger."""
    records = ledger.goals
    stack = list(goals)
    seen: set[UUID] = set()
    while stack:
        goal_id = stack.pop()
        if goal_id in seen:
            continue
        seen.add(goal_id)
        record = records.get(goal_id)
        if record is None:
            continue
        for alignment in (record.aligned_to, *(r.new for r in record.realignments)):
            if alignment is not None and alignment.parent_id is not None:
                stack.append(alignment.parent_id)
    return seen
