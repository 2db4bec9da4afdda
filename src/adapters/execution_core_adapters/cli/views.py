"""``execution-core views``: keep the materialized view tables current (see
docs/materialized-views.md).

Mounted by :mod:`execution_core_adapters.cli.main` as ``app.add_typer(views_app, name="views")``.
"""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from execution_core import DEFAULT_STORE
from execution_core.clock import Clock
from execution_core_adapters.cli.errors import EXIT_CODES_HELP, EXIT_REFUSED, GuardedGroup, failure
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import emit, err, shows_progress
from execution_core_adapters.projections import VIEWS, ViewWorker, parse_views
from execution_core_adapters.storage.config import store_env

__all__ = [
    "ALL_VIEWS",
    "BatchSize",
    "PageSize",
    "SignalledStop",
    "ViewsDb",
    "open_worker",
    "stopping_on_signals",
    "views_app",
]

views_app = typer.Typer(
    cls=GuardedGroup,
    epilog=EXIT_CODES_HELP,
    help="Materialized views: view_board, view_appraisal and view_radar tables kept current "
    "from the event log, exactly once.",
    no_args_is_help=True,
    add_completion=False,
)

ALL_VIEWS = ",".join(VIEWS)
Views = Annotated[
    str,
    typer.Option("--views", help=f"Comma-separated views to keep: {', '.join(VIEWS)}."),
]
ViewsDb = Annotated[
    str | None,
    typer.Option(
        "--views-db",
        help="Write the view tables to this database instead of the store's (SQLite or "
        "PostgreSQL URL).",
    ),
]
PageSize = Annotated[int, typer.Option("--page", min=1, help="Notifications read per query.")]
BatchSize = Annotated[
    int,
    typer.Option(
        "--batch", min=1, help="Events pending before a long pass commits (see the docs)."
    ),
]


def open_worker(
    db: str,
    views: str,
    views_db: str | None,
    page: int,
    batch: int,
    *,
    clock: Clock | None = None,
) -> ViewWorker:
    """A worker on an existing store (a missing SQLite file is an error, not a new store);
    ``clock``: read the views at its time (see ``ViewWorker``).

    A bad ``--views`` or store URL raises ``InvalidInput`` (exit 2, through the group)."""
    names = parse_views(views)
    path = store_env(db).get("SQLITE_DBNAME")
    if views_db is not None:
        store_env(views_db)
    if path and not Path(path).exists():
        raise failure(f"no store at {path}")
    return ViewWorker(db, names, views_url=views_db, page_size=page, batch_size=batch, clock=clock)


@contextmanager
def _progress_bar(worker: ViewWorker, label: str) -> Iterator[None]:
    """A progress bar on stderr fed by the worker's progress callback while the block runs."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err(), transient=True, disable=not shows_progress()) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        worker.progress = report
        try:
            yield
        finally:
            worker.progress = None


class SignalledStop(threading.Event):
    """A stop event that a signal handler may set.

    ``threading.Event.set`` takes the event's lock, and a handler runs in the main thread
    between two bytecodes, possibly while that thread holds the same lock inside ``wait``:
    the worker then hangs, deaf to every later signal (seen once under load). Here ``set``
    takes no lock (a flag, and a byte written to a pipe), and ``wait`` sleeps on that pipe, so a
    handler never waits for anything; the byte is never read, so every later wait returns at
    once."""

    def __init__(self) -> None:
        super().__init__()
        self._stopped = False
        self._woken, self._wake = os.pipe()
        os.set_blocking(self._wake, False)

    def is_set(self) -> bool:
        return self._stopped

    def set(self) -> None:
        self._stopped = True
        with suppress(OSError):  # a full pipe already wakes every waiter
            os.write(self._wake, b"\0")

    def wait(self, timeout: float | None = None) -> bool:
        if not self._stopped:
            select.select([self._woken], [], [], timeout)
        return self._stopped

    def close(self) -> None:
        """Close the pipe (the event stays set or not as it was)."""
        os.close(self._woken)
        os.close(self._wake)


@contextmanager
def stopping_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM, so the worker commits what it applied and stops."""
    stop = SignalledStop()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        stop.close()


def _report(
    worker: ViewWorker, applied: int, *, as_json: bool = False, exit_when_parked: bool = True
) -> None:
    """The positions reached; each parked view in red with its event and reason, and then exit
    1 (the other views were kept current all the same). With ``as_json``, the same as one JSON
    line on standard output."""
    reached = worker.positions()
    parked = worker.parked()
    if as_json:
        described = {name: view.describe() for name, view in parked.items()}
        emit([{"applied": applied, "positions": reached, "parked": described}])
    positions = ", ".join(f"{view} at {position}" for view, position in reached.items())
    console = err()
    if not parked:
        console.print(f"[green]ok[/green]: {applied} events applied; {positions}")
        return
    console.print(f"{applied} events applied; {positions}")
    for name, view in parked.items():
        console.print(f"[red]{escape(view.describe())}[/red]", highlight=False, soft_wrap=True)
        console.print(f"  fix the cause, then: execution-core views rebuild --views {name}")
    if exit_when_parked:
        raise typer.Exit(code=EXIT_REFUSED)


@views_app.command()
def status(
    db: Db = DEFAULT_STORE,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    as_json: AsJson = False,
) -> None:
    """Each view's tracked position, the log's head, the lag in events and, for a parked view,
    the event it stopped at and why (exit 1 when a view is parked). With --json, one line a
    view."""
    with open_worker(db, views, views_db, 5_000, 100_000) as worker:
        states = worker.status()
    if as_json:
        emit(
            {
                "view": s.view,
                "position": s.position,
                "head": s.head,
                "lag": s.lag,
                "parked": None
                if s.parked is None
                else {
                    "position": s.parked.position,
                    "stream_id": s.parked.stream_id,
                    "event_type": s.parked.event_type,
                    "error": s.parked.error,
                    "parked_at": s.parked.parked_at,
                },
            }
            for s in states
        )
    else:
        for s in states:
            line = f"{s.view:<10} at {s.position} of {s.head}, {s.lag} events behind"
            typer.echo(line if s.parked is None else f"{line}; PARKED at event {s.parked.position}")
            if s.parked is not None:
                typer.echo(f"{'':<10} {s.parked.event_type}, stream {s.parked.stream_id}")
                typer.echo(f"{'':<10} {s.parked.error}")
                typer.echo(f"{'':<10} since {s.parked.parked_at.isoformat()}")
    if any(s.parked is not None for s in states):
        raise typer.Exit(code=EXIT_REFUSED)


@views_app.command("catch-up")
def catch_up(
    *,
    db: Db = DEFAULT_STORE,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
    as_json: AsJson = False,
) -> None:
    """Apply every event recorded since the views' tracked positions, then exit (exit 1 when
    a view is parked)."""
    with open_worker(db, views, views_db, page, batch) as worker, stopping_on_signals() as stop:
        with _progress_bar(worker, "catching up"):
            applied = worker.catch_up(stop_event=stop)
        _report(worker, applied, as_json=as_json)


@views_app.command()
def rebuild(
    *,
    db: Db = DEFAULT_STORE,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
    as_json: AsJson = False,
) -> None:
    """Drop the view tables and their tracking positions, then apply every event again (exit
    1 when a view is parked)."""
    with open_worker(db, views, views_db, page, batch) as worker, stopping_on_signals() as stop:
        with _progress_bar(worker, "rebuilding"):
            applied = worker.rebuild(stop_event=stop)
        _report(worker, applied, as_json=as_json)


@views_app.command()
def run(
    *,
    db: Db = DEFAULT_STORE,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
    poll: Annotated[
        float, typer.Option("--poll", min=0.01, help="Seconds between polls for new events.")
    ] = 1.0,
) -> None:
    """Catch up, then keep the views current until Ctrl-C or SIGTERM."""
    with open_worker(db, views, views_db, page, batch) as worker, stopping_on_signals() as stop:
        with _progress_bar(worker, "catching up"):
            applied = worker.catch_up(stop_event=stop)
        _report(worker, applied, exit_when_parked=False)  # run goes on with the other views
        if stop.is_set():
            return
        err().print(f"following new events every {poll:g} s (Ctrl-C to stop)")
        worker.run(poll_interval=poll, stop_event=stop)
        err().print(f"stopped; {', '.join(f'{v} at {p}' for v, p in worker.positions().items())}")
