"""The projection worker: a thin driver that keeps the view tables equal to the core's live
projections (:mod:`execution_core.views.live`) over the store's events, exactly once.

A :class:`ViewWorker` pages the store's events through its port (``read_all``), folds them into
a :class:`~execution_core.views.live.LiveState`, and at each batch's end writes the row changes
the projections give (``view_board``, ``view_appraisal``, ``view_radar``) evaluated at one
stated instant (see docs/materialized-views.md, "The evaluation rule").

Exactly once: each batch writes the rows it changed **and** the worker's tracking position
(eventsourcing's ``Tracking``, one name per view: ``view.board``, ...) in one transaction of a
tracking recorder (:mod:`.recorders`). A position at or below the one already tracked raises
``IntegrityError`` and the whole batch rolls back, so a second worker on the same view, or a
batch replayed after a crash, cannot apply anything twice. Rows are full values of the keys a
batch touched (upserts, and deletes of keys that vanished), computed at the end of the batch,
so writing a batch twice would be harmless anyway.

On start (and after a failed commit) the worker rebuilds its state by replaying the events up
to the tracked position without writing a row, then continues from there. ``rebuild`` drops the
view tables and the tracking rows and catches up from the first event.

An event a view cannot take (it cannot be decoded, the view's logic raises on it, or the
database refuses the rows it gives) **parks** that view: the worker re-applies the failing
batch one event at a time, each view in its own transaction, to find the event; records the
view, the event and the error in ``view_parked``; and goes on with the other views. A parked
view is skipped until ``rebuild`` of that view. A tracking conflict (another worker recorded
the position first) is not a failure: the worker reloads from the tracked position and goes on.
"""

from __future__ import annotations

import bisect
import gc
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import attrs

from execution_core.clock import Clock, as_utc
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.signals import (
    Cause,
    Signal,
    Situation,
    derive_signals,
    observe,
    step_ends,
)
from execution_core.views.live import (
    PROJECTIONS,
    LiveBatch,
    LiveProjection,
    LiveState,
    Touched,
    advance,
    clock_tick,
)
from execution_core_adapters.projections.databases import ViewsDatabase
from execution_core_adapters.projections.log import (
    UNREACHABLE,
    Ref,
    Unreadable,
    event_positions,
    pages,
)
from execution_core_adapters.projections.recorders import (
    Patch,
    RowsRefused,
    TrackingConflict,
    view_recorder,
)
from execution_core_adapters.projections.tables import (
    TABLES,
    VIEWS,
    ParkedView,
    Table,
    error_text,
    tracking_name,
)
from execution_core_adapters.storage.store import ExecutionStore

__all__ = ["Progress", "ViewStatus", "ViewWorker", "parse_views"]

_LOG = logging.getLogger("execution_core_adapters.projections.materialize")
"""The worker's log keeps the name it was first published under (apps and the CLI configure it)."""

Progress = Callable[[int, int], None]
"""Called after every page read: ``(events done, events in total)``; the total is estimated from
positions (they may have gaps), and the last call of a pass reports ``(done, done)``."""


@attrs.frozen
class ViewStatus:
    """Where a view stands: its tracked position, the log's head, the events it has still to
    apply, and why it is parked (None: it is not)."""

    view: str
    position: int
    head: int
    lag: int
    parked: ParkedView | None


class _View:
    """One view table the worker keeps: its live projection, and where its rows stand."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.projection: LiveProjection = PROJECTIONS[table.view]
        self.position = 0
        self.full = False
        """Rewrite every row at the next write (the table lags behind the worker's memory)."""

    @property
    def name(self) -> str:
        return self.table.view

    def patch(self, batch: LiveBatch) -> Patch:
        return Patch(self.table, self.projection.changes(batch))

    def full_patch(self, state: LiveState) -> Patch:
        return Patch(self.table, self.projection.rows(state))


def parse_views(views: str | Iterable[str]) -> tuple[str, ...]:
    """View names from ``"board,radar"`` or a list; every name must be known."""
    names = [v.strip() for v in views.split(",")] if isinstance(views, str) else list(views)
    names = [n for n in names if n]
    unknown = [n for n in names if n not in VIEWS]
    if unknown or not names:
        raise InvalidInput(f"unknown views {unknown or names}: choose from {', '.join(VIEWS)}")
    return tuple(dict.fromkeys(names))


@contextmanager
def _gc_paused(paused: bool) -> Iterator[None]:
    """Pause the cyclic garbage collector: a catch-up allocates millions of long-lived,
    acyclic objects, and the collector would otherwise rescan the growing ledger again and
    again (measured: half of the catch-up time). Reference counting still frees everything."""
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- the worker ---------------------------------------------------------------------------------

_MAX_CONFLICTS = 10
"""Tracking conflicts in a row after which a catch-up returns (the next call goes on)."""

_MAX_BACKOFF = 60.0
"""The longest pause, in seconds, between tries while the database is unreachable."""


def _ref(position: int, event: Event) -> Ref:
    return position, str(event.stream_id), type(event).name or type(event).__name__


class Refused(Exception):
    """A batch ending at ``upto`` failed because of one of its events, not known yet."""

    def __init__(self, upto: int) -> None:
        super().__init__(upto)
        self.upto = upto


class _Poisoned(Exception):
    """The ledger every view reads cannot take an event: every active view was parked on it."""


class ViewWorker:
    """Keeps view tables current from a store's notification log, exactly once.

    ``store`` is an open :class:`ExecutionStore` or a store URL (then the worker
    opens it and closes it on :meth:`close`). The view tables live in the store's database
    (the same SQLite file, the same PostgreSQL schema) unless ``views_url`` names another.
    ``page_size`` notifications are read per query. A transaction commits whenever a pass
    reaches the end of the log (or ``limit``, or ``stop_event``), and in between once
    ``batch_size`` events are pending, provided the rows' cost stays within ``commit_share``
    of the time (see :meth:`_commit_due`; None: at every full batch).
    ``progress`` is called after each page; ``before_commit(position)`` inside each batch's
    transaction just before it commits (raising aborts the batch: tests simulate crashes so).
    ``pause_gc`` pauses the cyclic garbage collector during a pass (see :func:`_gc_paused`).
    An event a view cannot take parks that view (see :meth:`parked`) and the others go on.
    With the board view, the worker derives each batch's signals and logs them in
    ``view_signals`` in the batch's transaction (``signals=False``: none); ``signal_steps``
    derives them one business day at a time in a catch-up (see docs/signals.md: a day-by-day
    log of a history, at the cost of advancing the boards at every day). ``clock`` reads the
    views at its time and lets :meth:`tick` move them with no new event.
    """

    def __init__(
        self,
        store: ExecutionStore | str,
        views: str | Iterable[str] = VIEWS,
        *,
        views_url: str | None = None,
        page_size: int = 5_000,
        batch_size: int = 100_000,
        progress: Progress | None = None,
        commit_share: float | None = 0.1,
        pause_gc: bool = True,
        before_commit: Callable[[int], None] | None = None,
        clock: Clock | None = None,
        signals: bool = True,
        signal_steps: bool = False,
    ) -> None:
        if page_size < 1 or batch_size < 1:
            raise InvalidInput("page_size and batch_size must be at least 1")
        if commit_share is not None and not 0.0 < commit_share <= 1.0:
            raise InvalidInput("commit_share must be within (0, 1], or None")
        self.views = parse_views(views)
        self._databases = ViewsDatabase(store, views_url)
        self.store = self._databases.store
        try:
            self.recorder = view_recorder(self._databases.factory)
        except BaseException:
            self.close()
            raise
        self._views = [_View(TABLES[name]) for name in self.views]
        self.recorder.create_views(v.table for v in self._views)
        self.page_size = page_size
        self.batch_size = batch_size
        self.progress = progress
        self.commit_share = commit_share
        self.pause_gc = pause_gc
        self.before_commit = before_commit
        self._init_signals(clock, signals, signal_steps)
        self._commit_cost = 0.0
        self._committed_at = time.perf_counter()
        self.commits = 0
        """How many batches this worker committed (a counter, for monitoring)."""
        self.commit_seconds = 0.0
        """Time spent computing and writing rows and committing, in seconds (a counter)."""
        self.conflicts = 0
        """How many batches were refused because another worker had applied them first (a
        counter: each one only made this worker reload from the tracked position)."""
        self._state: LiveState | None = None
        self._lock = threading.Lock()
        self._parked: dict[str, ParkedView] = {}
        self._isolate_until: int | None = None
        """Apply one event per commit, each view alone, up to this position (a batch failed)."""
        self._applied = 0

    def _init_signals(self, clock: Clock | None, signals: bool, steps: bool) -> None:
        self.clock = clock
        """The clock the views are read at (None: the latest business time seen)."""
        self.signals = signals and "board" in self.views
        """Whether the worker derives signals and logs them (needs the board view)."""
        self.signal_steps = steps and self.signals
        """Whether a catch-up derives signals one business day at a time (else once per
        batch written: the difference of the views before and after it)."""
        self._situation: Situation | None = None
        """What the signals watched in the views at the last step (None: reload)."""
        self._step = Touched()
        """What the events folded since the last step touched."""
        self._steps: LiveBatch | None = None
        """The steps taken since the last batch written, as one batch (None: none)."""
        self._step_signals: list[Signal] = []
        """The signals of those steps, written with the batch."""
        self._ahead: datetime | None = None
        self.signals_logged = 0
        """How many signals this worker derived and wrote (a counter; the log skips a key
        already logged, so fewer rows may have been added)."""

    # -- the public surface --------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        """The tracked position of each of the worker's views (0: nothing applied yet)."""
        return {
            v.name: self.recorder.max_tracking_id(tracking_name(v.name)) or 0 for v in self._views
        }

    def parked(self) -> dict[str, ParkedView]:
        """The worker's views that are parked (as recorded, by any worker), by name."""
        return {name: p for name, p in self.recorder.parked().items() if name in self.views}

    def status(self) -> list[ViewStatus]:
        """Each view's position, the log's head, the events still to apply (read from the log,
        receipts left out) and why it is parked, if it is."""
        positions = self.positions()
        parked = self.parked()
        head = self.store.last_position()
        ids = event_positions(self.store, min(positions.values()), size=self.page_size)
        return [
            ViewStatus(
                view,
                positions[view],
                head,
                len(ids) - bisect.bisect_right(ids, positions[view]),
                parked.get(view),
            )
            for view in self.views
        ]

    def catch_up(
        self, *, limit: int | None = None, stop_event: threading.Event | None = None
    ) -> int:
        """Apply every event recorded after the tracked positions (at most ``limit``); return how
        many were applied. Stops early, after committing what it applied, when ``stop_event``
        is set. Parked views are skipped; a view that cannot take an event is parked on it
        and the others go on; a batch another worker applied first is dropped and the worker
        goes on from the position tracked (see :attr:`conflicts`)."""
        with self._lock, _gc_paused(self.pause_gc):
            self._applied = 0
            conflicts = 0
            while True:
                try:
                    self._catch_up(limit, stop_event)
                except TrackingConflict:
                    self._state = None  # another worker went further: reload from there
                    self.conflicts += 1
                    conflicts += 1
                    if conflicts < _MAX_CONFLICTS:
                        continue
                except Refused as refused:
                    self._state = None  # find the event: one at a time up to the batch's end
                    self._isolate_until = refused.upto
                    continue
                except Unreadable as unreadable:
                    self._state = None
                    for view in self._active():
                        self._park(view, unreadable.ref, unreadable.error)
                except _Poisoned:
                    self._state = None  # the ledger took part of an event: reload next time
                except BaseException:
                    self._state = None  # memory may be ahead of the tables: reload next time
                    raise
                return self._applied

    def rebuild(self, *, stop_event: threading.Event | None = None) -> int:
        """Drop the view tables, their tracking positions and parked rows, then catch up from
        the start (a view whose cause was fixed is so un-parked; one still failing parks
        again)."""
        with self._lock:
            tables = [v.table for v in self._views]
            self.recorder.drop_views(tables)
            self.recorder.create_views(tables)
            self._state = None
            self._parked = {}
            self._isolate_until = None
        return self.catch_up(stop_event=stop_event)

    def run(self, poll_interval: float = 1.0, stop_event: threading.Event | None = None) -> None:
        """Catch up, then poll for new events every ``poll_interval`` seconds until
        ``stop_event`` is set; a poll that finds none ticks the clock (see :meth:`tick`).
        When the database is unreachable it tries again after a pause
        that doubles up to a minute; any other error is raised."""
        stop = stop_event or threading.Event()
        pause = poll_interval
        while not stop.is_set():
            try:
                applied = self.catch_up(stop_event=stop)
                if not applied:
                    self.tick()
            except UNREACHABLE:
                stop.wait(pause)
                pause = min(pause * 2, max(_MAX_BACKOFF, poll_interval))
                continue
            pause = poll_interval
            if not applied:
                stop.wait(poll_interval)

    def rows(self, view: str) -> list[dict[str, Any]]:
        """The rows of a view table as Python values (uuid, datetime, bool, tuple), by key."""
        return self.recorder.select_rows(TABLES[parse_views([view])[0]])

    def close(self) -> None:
        """Close the views database (when separate) and the store (when the worker opened it)."""
        self._databases.close()

    def __enter__(self) -> ViewWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parking -------------------------------------------------------------------------------

    def _active(self) -> list[_View]:
        """The views not parked."""
        return [v for v in self._views if v.name not in self._parked]

    def _refresh_parked(self) -> None:
        """Read which views are parked (another worker may have parked one, a rebuild may have
        un-parked one); log each newly found one once."""
        parked = self.parked()
        for name in parked.keys() - self._parked.keys():
            _LOG.error("%s; skipped until rebuilt", parked[name].describe())
        if self._parked.keys() - parked.keys():
            self._state = None  # un-parked by a rebuild: reload from its position
        self._parked = parked

    def _park(self, view: _View, ref: Ref, error: BaseException) -> None:
        """Record ``view`` as parked on the event ``ref``; the view stays tracked before it."""
        position, stream_id, event_type = ref
        parked = ParkedView(
            view.name, position, stream_id, event_type, error_text(error), datetime.now(UTC)
        )
        self.recorder.park(parked)
        self._parked[view.name] = parked
        _LOG.error("%s; the other views go on", parked.describe())

    def _park_all(self, ref: Ref, error: BaseException) -> None:
        for view in self._active():
            self._park(view, ref, error)

    # -- the work ------------------------------------------------------------------------------

    def _pages(
        self, start: int, stop: int | None, done: int, total: int
    ) -> Generator[tuple[list[int], list[Event]], None, None]:
        """Pages of (positions, events) after ``start`` (up to ``stop``), reporting progress
        after each (see :func:`.log.pages`: an event that cannot be decoded ends them)."""
        for page in pages(self.store, start, size=self.page_size, stop=stop):
            done += len(page)
            if self.progress is not None:
                self.progress(done, max(total, done))
            yield [r.position for r in page], [r.event for r in page]

    def _load(self) -> tuple[LiveState, int]:
        """The state at the tracked positions of the active views: the ledger replayed without
        writing a row."""
        positions = self.positions()
        active = self._active()
        start = min(positions[v.name] for v in active)
        for view in active:
            view.position = positions[view.name]
            view.full = view.position > start
        state = LiveState()
        replayed = 0
        if start:
            total = self.store.last_position()
            for ids, events in self._pages(0, start, 0, total):
                state.fold(events, ids[-1])
                replayed += len(events)
            state.position = start
        state.settle()
        self._situation = observe(state) if self.signals else None
        self._step, self._steps, self._step_signals = Touched(), None, []
        return state, replayed

    def _catch_up(self, limit: int | None, stop_event: threading.Event | None) -> None:
        """One pass; what it commits is counted in ``_applied``. Raises ``Refused`` when a
        batch fails because of an event (then the caller isolates it, see ``_isolate_until``)."""
        self._refresh_parked()
        remaining = None if limit is None else limit - self._applied
        if (remaining is not None and remaining <= 0) or not self._active():
            return
        done = 0
        if self._state is None:
            self._state, done = self._load()
        state = self._state
        total = done + max(0, self.store.last_position() - state.position)
        applied = 0
        dirty = Touched()
        pages = self._pages(state.position, None, done, total)
        try:
            for ids, page in pages:
                events = page
                if remaining is not None and applied + len(events) > remaining:
                    events = events[: remaining - applied]
                stopping = (remaining is not None and applied + len(events) >= remaining) or (
                    stop_event is not None and stop_event.is_set()
                )
                if not self._take(state, dirty, ids, events):
                    return  # every view is parked
                applied += len(events)
                done += len(events)
                full = dirty.events >= self.batch_size and self._commit_due()
                if dirty.events and (stopping or full):
                    self._commit(state, dirty)
                    dirty = Touched()
                if stopping:
                    break
        except Unreadable:
            if dirty.events:
                self._commit(state, dirty)  # what came before the event, then park on it
            raise
        finally:
            pages.close()
        if dirty.events:
            self._commit(state, dirty)
        if self.progress is not None:
            self.progress(done, done)

    def _take(
        self, state: LiveState, dirty: Touched, ids: Sequence[int], events: Sequence[Event]
    ) -> bool:
        """Fold a page into the batch, or apply it one event at a time while isolating a
        failure; False when every view is parked."""
        if self._isolate_until is not None:
            return self._apply_page_alone(state, ids, events)
        try:
            if self.signal_steps and not state.ticked:
                self._fold_in_steps(state, ids, events)
            else:
                state.fold(events, ids[len(events) - 1])
                self._step.note(events)
        except Exception as error:
            raise Refused(ids[len(events) - 1]) from error
        dirty.note(events)
        return True

    def _fold_in_steps(self, state: LiveState, ids: Sequence[int], events: Sequence[Event]) -> None:
        """Fold a page one business day at a time (:func:`~execution_core.signals.step_ends`):
        before the first event dated on a later day than any seen, the views are advanced and
        the signals of that step derived, so a catch-up logs the signals the views showed day
        by day, as a live worker would have."""
        start = 0
        for end in step_ends(events, state.latest):
            if end > start:
                state.fold(events[start:end], ids[end - 1])
                self._step.note(events[start:end])
                start = end
            if self._step.events:
                self._take_step(state)
        state.fold(events[start:], ids[len(events) - 1])
        self._step.note(events[start:])

    def _take_step(self, state: LiveState) -> None:
        """Advance the views over the events folded since the last step and keep the step's
        signals for the next batch written."""
        step = advance(state, self._step)
        signals, self._situation = self._derive(state, step, None)
        self._step_signals.extend(signals)
        self._steps = step if self._steps is None else self._steps.then(step)
        self._step = Touched()

    def _apply_page_alone(
        self, state: LiveState, ids: Sequence[int], events: Sequence[Event]
    ) -> bool:
        """Apply a page one event at a time (see :meth:`_apply_alone`), and leave the isolation
        once past its end; False when no view is left to apply them to."""
        for position, event in zip(ids, events, strict=False):
            self._apply_alone(state, position, event)
            if not self._active():
                return False
        if self._isolate_until is not None and ids[len(events) - 1] >= self._isolate_until:
            self._isolate_until = None
        return True

    def _apply_alone(self, state: LiveState, position: int, event: Event) -> None:
        """Apply one event and commit it for each active view in its own transaction; a view
        that cannot take it is parked on it (every view, when the shared ledger cannot)."""
        try:
            state.fold([event], position)
        except Exception as error:
            self._park_all(_ref(position, event), error)
            raise _Poisoned from error
        dirty = Touched()
        dirty.note([event])
        self._step.note([event])
        self._commit(state, dirty, alone=_ref(position, event))

    def _commit_due(self) -> bool:
        """Whether a full batch may commit now: always without ``commit_share``; else once the
        time since the last commit is long enough for that commit's cost to be at most
        ``commit_share`` of the whole (so a large catch-up commits less often)."""
        if self.commit_share is None:
            return True
        since = time.perf_counter() - self._committed_at
        return since * self.commit_share >= self._commit_cost * (1.0 - self.commit_share)

    def _commit(self, state: LiveState, dirty: Touched, alone: Ref | None = None) -> None:
        """Compute the patches of the batch at its end and write them with the position; the
        memory stays consistent with the tables (on failure the caller drops it)."""
        started = time.perf_counter()
        self._write_batch(state, dirty, alone)
        self._committed_at = time.perf_counter()
        self._commit_cost = self._committed_at - started
        self.commits += 1
        self.commit_seconds += self._commit_cost
        self._applied += dirty.events

    def _write_batch(self, state: LiveState, dirty: Touched, alone: Ref | None) -> None:
        """Write the batch: all views in one transaction; or, for one event (``alone``), each
        view in its own, parking a view that cannot take it."""
        due = [v for v in self._active() if v.position < state.position]
        tick = self._read_clock(state, self._step)
        try:
            last = advance(state, self._step)
            signals, situation = self._derive(state, last, tick)
            signals = (*self._step_signals, *signals)
            batch = last if self._steps is None else self._steps.then(last)
        except Exception as error:
            if alone is None:
                raise Refused(state.position) from error
            self._park_all(alone, error)
            raise _Poisoned from error
        written: list[_View] = []
        if alone is None:
            try:
                patches = [v.full_patch(state) if v.full else v.patch(batch) for v in due]
            except Exception as error:
                raise Refused(state.position) from error
            if patches:
                since = {v.name: v.position for v in due}
                logged = signals if any(v.name == "board" for v in due) else ()
                try:
                    self.recorder.write(
                        patches, state.position, self.before_commit, since, signals=logged
                    )
                except RowsRefused as error:
                    raise Refused(state.position) from error
                self.signals_logged += len(logged)
            written = due
        else:
            for view in due:
                try:
                    patch = view.full_patch(state) if view.full else view.patch(batch)
                except Exception as error:
                    self._park(view, alone, error)
                    continue
                logged = signals if view.name == "board" else ()
                try:
                    self.recorder.write(
                        [patch],
                        state.position,
                        self.before_commit,
                        {view.name: view.position},
                        signals=logged,
                    )
                except RowsRefused as refused:
                    self._park(view, alone, refused.error)
                    continue
                self.signals_logged += len(logged)
                written.append(view)
        for view in written:
            view.position = state.position
            view.full = False
        state.written()
        self._situation = situation
        self._step, self._steps, self._step_signals = Touched(), None, []

    # -- the clock and the signals -------------------------------------------------------------

    def _read_clock(self, state: LiveState, dirty: Touched) -> datetime | None:
        """Tick the state at the clock's reading (None without a clock). A clock behind the
        instant the boards were read at rebuilds them; facts dated ahead of the clock are
        reported (once per newest date) and wait for the clock to reach them."""
        if self.clock is None:
            return None
        at = as_utc(self.clock())
        clock_tick(state, at, dirty)
        ahead = state.ahead
        if ahead is not None and ahead != self._ahead:
            _LOG.warning(
                "the store has facts dated up to %s, ahead of the clock (%s): the views are "
                "read at the clock, and those facts count once it reaches them",
                ahead.isoformat(),
                at.isoformat(),
            )
        self._ahead = ahead
        return at

    def _derive(
        self, state: LiveState, batch: LiveBatch, tick: datetime | None
    ) -> tuple[tuple[Signal, ...], Situation | None]:
        """The signals of a batch (the difference of the situations before and after it) and
        the situation after it; nothing when the worker derives no signals."""
        if not self.signals:
            return (), None
        before = self._situation
        after = observe(state, batch, before)
        if before is None:
            return (), after
        return derive_signals(before, after, Cause(state.position, tick)), after

    @property
    def ahead(self) -> datetime | None:
        """The newest business time of the store's facts when it is ahead of the clock at the
        last tick (a fact dated in the future), else None."""
        return self._ahead

    def tick(self) -> int:
        """Read the views at the clock's current time with no new event (a no-op without a
        clock): the rows that move with time alone are rewritten and the signals time alone
        fires are logged, at the position already tracked. Returns how many signals it
        derived."""
        if self.clock is None:
            return 0
        with self._lock:
            try:
                return self._tick()
            except TrackingConflict:
                self._state = None
                self.conflicts += 1
                return 0
            except BaseException:
                self._state = None
                raise

    def _tick(self) -> int:
        self._refresh_parked()
        if not self._active():
            return 0
        if self._state is None:
            self._state, _ = self._load()
        state = self._state
        views = [v for v in self._active() if v.position == state.position]
        if not views or state.now is None:
            return 0
        dirty = Touched()
        tick = self._read_clock(state, dirty)
        if state.now == state.committed_now and not dirty.cycles:
            return 0
        batch = advance(state, dirty)
        signals, situation = self._derive(state, batch, tick)
        patches = [v.full_patch(state) if v.full else v.patch(batch) for v in views]
        logged = signals if any(v.name == "board" for v in views) else ()
        since = {v.name: v.position for v in views}
        self.recorder.write(patches, state.position, None, since, signals=logged, track=False)
        self.signals_logged += len(logged)
        for view in views:
            view.full = False
        state.written()
        self._situation = situation
        return len(logged)
