"""``execution-core views``: keep the materialized view tables current (see
docs/materialized-views.md).

Mounted by :mod:`adapters.cli` as ``app.add_typer(views_app, name="views")``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from adapters.materialize import VIEWS, ViewWorker, parse_views
from adapters.store import store_env
from execution_core.errors import ExecutionError

__all__ = ["views_app"]

views_app = typer.Typer(
    help="Materialized views: view_board, view_appraisal and view_radar tables kept current "
    "from the event log, exactly once.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)

DEFAULT_DB = "sqlite:///execution.db"
ALL_VIEWS = ",".join(VIEWS)

Db = Annotated[
    str,
    typer.Option(
        "--db",
        help="Store URL: sqlite:///file.db (or a plain path) or postgresql://user@host/db?schema=s.",
    ),
]
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


def _worker(db: str, views: str, views_db: str | None, page: int, batch: int) -> ViewWorker:
    """A worker on an existing store (a missing SQLite file is an error, not a new store)."""
    try:
        names = parse_views(views)
        path = store_env(db).get("SQLITE_DBNAME")
        if views_db is not None:
            store_env(views_db)
    except ExecutionError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    if path and not Path(path).exists():
        err.print(f"[red]no store at {path}[/red]")
        raise typer.Exit(code=2)
    try:
        return ViewWorker(db, names, views_url=views_db, page_size=page, batch_size=batch)
    except ExecutionError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None


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
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        worker.progress = report
        try:
            yield
        finally:
            worker.progress = None


@contextmanager
def _stopping_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM, so the worker commits what it applied and stops."""
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _report(worker: ViewWorker, applied: int) -> None:
    positions = ", ".join(f"{view} at {position}" for view, position in worker.positions().items())
    err.print(f"[green]ok[/green]: {applied} events applied; {positions}")


@views_app.command("catch-up")
def catch_up(
    db: Db = DEFAULT_DB,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
) -> None:
    """Apply every event recorded since the views' tracked positions, then exit."""
    with _worker(db, views, views_db, page, batch) as worker, _stopping_on_signals() as stop:
        with _progress_bar(worker, "catching up"):
            applied = worker.catch_up(stop_event=stop)
        _report(worker, applied)


@views_app.command()
def rebuild(
    db: Db = DEFAULT_DB,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
) -> None:
    """Drop the view tables and their tracking positions, then apply every event again."""
    with _worker(db, views, views_db, page, batch) as worker, _stopping_on_signals() as stop:
        with _progress_bar(worker, "rebuilding"):
            applied = worker.rebuild(stop_event=stop)
        _report(worker, applied)


@views_app.command()
def run(
    *,
    db: Db = DEFAULT_DB,
    views: Views = ALL_VIEWS,
    views_db: ViewsDb = None,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
    poll: Annotated[
        float, typer.Option("--poll", min=0.01, help="Seconds between polls for new events.")
    ] = 1.0,
) -> None:
    """Catch up, then keep the views current until Ctrl-C or SIGTERM."""
    with _worker(db, views, views_db, page, batch) as worker, _stopping_on_signals() as stop:
        with _progress_bar(worker, "catching up"):
            applied = worker.catch_up(stop_event=stop)
        _report(worker, applied)
        if stop.is_set():
            return
        err.print(f"following new events every {poll:g} s (Ctrl-C to stop)")
        worker.run(poll_interval=poll, stop_event=stop)
        err.print(f"stopped; {', '.join(f'{v} at {p}' for v, p in worker.positions().items())}")
