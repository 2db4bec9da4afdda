"""``execution-core worker``: a long-running projection worker for a deployment (see
docs/deployment.md, "Running workers").

It is ``execution-core views run`` made for a service manager: log lines on stderr (stdlib
``logging``, logger ``execution_core_adapters.cli.worker``, configured by the command line's
``--log-level``) instead of a progress bar, one line per committed batch, and the exit status a
supervisor expects. It keeps the chosen views current from the store's notification log until
SIGTERM or SIGINT, commits what it applied and exits 0. Exactly once comes from :class:`ViewWorker`
(rows and tracking position in one transaction), so a worker killed with SIGKILL anywhere
resumes from its last commit, and a second worker on the same views cannot apply a batch
twice: its commit is refused and it reloads from the position the other one tracked (logged,
not an error).

It never spins and never dies silently: a view that cannot take an event is parked (logged
once, at ERROR, with the event and the reason) while the other views go on; when the
database is unreachable, or a pass fails for another reason, the error is logged and the
worker tries again after a pause that doubles up to a minute.

Mounted by :mod:`execution_core_adapters.cli.main` as ``app.command("worker")(worker)``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

import typer
from eventsourcing.persistence import InterfaceError, OperationalError

from execution_core import DEFAULT_STORE
from execution_core_adapters.cli.options import Db
from execution_core_adapters.cli.subscriptions import dispatching
from execution_core_adapters.cli.views import (
    ALL_VIEWS,
    BatchSize,
    PageSize,
    ViewsDb,
    open_worker,
    stopping_on_signals,
)
from execution_core_adapters.projections import ViewWorker

__all__ = ["worker"]

Views = Annotated[
    str,
    typer.Option(
        "--views",
        help="Comma-separated views this worker keeps (board, appraisal, radar); run one "
        "worker per group of views, side by side.",
    ),
]
Signals = Annotated[
    bool,
    typer.Option(
        "--signals",
        help="Also deliver the signal log to the subscriptions after each pass (see "
        "`execution-core subscribe`).",
    ),
]
Poll = Annotated[
    float, typer.Option("--poll", min=0.01, help="Seconds between polls when nothing is new.")
]
WallClock = Annotated[
    bool,
    typer.Option(
        "--clock/--no-clock",
        help="Read the views at the wall clock and tick on every idle poll, so stale, not "
        "started and the pace move with time alone (docs/signals.md); default: at the latest "
        "business time seen.",
    ),
]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_LOG = logging.getLogger(__name__)


def _positions(worker: ViewWorker) -> str:
    return ", ".join(f"{view} at {position}" for view, position in worker.positions().items())


MAX_PAUSE = 60.0
"""The longest pause, in seconds, between tries after a failed pass."""


def _why(error: BaseException) -> str:
    """An error on one line, bounded (a log line per failure, however long the message)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= 500 else text[:499] + "…"


class _Parking:
    """Logs each parked view once (again only if it is un-parked and parks anew)."""

    def __init__(self, worker: ViewWorker) -> None:
        self.worker = worker
        self.logged: set[str] = set()

    def report(self) -> None:
        parked = self.worker.parked()
        for name, view in parked.items():
            if name not in self.logged:
                _LOG.error(
                    "%s; the other views go on. Fix the cause, then run "
                    "`execution-core views rebuild --views %s`",
                    view.describe(),
                    name,
                )
        if parked and len(parked) == len(self.worker.views) and parked.keys() - self.logged:
            _LOG.warning("every view of this worker is parked: idle until one is rebuilt")
        self.logged = set(parked)


def worker(
    *,
    views: Views = ALL_VIEWS,
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    poll: Poll = 1.0,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
    clock: WallClock = False,
    signals: Signals = False,
) -> None:
    """Keep the views current from the event log until SIGTERM or Ctrl-C (then exit 0)."""
    reading = _wall_clock if clock else None
    with (
        stopping_on_signals() as stop,
        open_worker(db, views, views_db, page, batch, clock=reading) as keeper,
        dispatching(keeper, views_db, signals) as deliver,
    ):
        _LOG.info("started; %s", _positions(keeper))
        parking = _Parking(keeper)
        parking.report()
        commits, conflicts = keeper.commits, keeper.conflicts
        pause = poll
        while not stop.is_set():
            try:
                applied = keeper.catch_up(stop_event=stop)
                if not applied:
                    keeper.tick()  # no-op without --clock
                parking.report()
                delivered = deliver(stop)
            except Exception as error:  # never die silently: say why, back off, try again
                if isinstance(error, OperationalError | InterfaceError):
                    _LOG.warning("database unreachable (%s): retrying in %g s", _why(error), pause)
                else:
                    _LOG.error("catch-up failed (%s): retrying in %g s", _why(error), pause)
                stop.wait(pause)
                pause = min(pause * 2, max(MAX_PAUSE, poll))
                continue
            pause = poll
            if keeper.conflicts != conflicts:
                conflicts = keeper.conflicts
                _LOG.info("another worker had applied some of these events: went on from there")
            if keeper.commits != commits:
                commits = keeper.commits
                _LOG.info("applied %d events; %s", applied, _positions(keeper))
            if delivered:
                _LOG.info("delivered %d signals", delivered)
            if not applied and not delivered:
                stop.wait(poll)
        try:
            _LOG.info("stopped; %s", _positions(keeper))
        except (OperationalError, InterfaceError):
            _LOG.warning("stopped; the database is unreachable, positions as last committed")
