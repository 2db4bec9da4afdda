"""``execution-core worker``: a long-running projection worker for a deployment (see
docs/deployment.md, "Running workers").

It is ``execution-core views run`` made for a service manager: plain log lines on stderr
instead of a progress bar, one line per committed batch, and the exit status a supervisor
expects. It keeps the chosen views current from the store's notification log until SIGTERM or
SIGINT, commits what it applied and exits 0. Exactly once comes from :class:`ViewWorker`
(rows and tracking position in one transaction), so a worker killed with SIGKILL anywhere
resumes from its last commit, and a second worker on the same views cannot apply a batch
twice: its commit is refused and it reloads from the position the other one tracked.

Mounted by :mod:`adapters.cli` as ``app.command("worker")(worker)``.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from adapters.cli_views import (
    ALL_VIEWS,
    DEFAULT_DB,
    BatchSize,
    Db,
    PageSize,
    ViewsDb,
    _stopping_on_signals,
    _worker,
)
from adapters.materialize import ViewWorker

__all__ = ["worker"]

Views = Annotated[
    str,
    typer.Option(
        "--views",
        help="Comma-separated views this worker keeps (board, appraisal, radar); run one "
        "worker per group of views, side by side.",
    ),
]
Poll = Annotated[
    float, typer.Option("--poll", min=0.01, help="Seconds between polls when nothing is new.")
]


def _log(message: str) -> None:
    """One line on stderr, flushed (a journal or a pipe sees it at once)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    print(f"{stamp} worker: {message}", file=sys.stderr, flush=True)


def _positions(worker: ViewWorker) -> str:
    return ", ".join(f"{view} at {position}" for view, position in worker.positions().items())


def worker(
    *,
    views: Views = ALL_VIEWS,
    db: Db = DEFAULT_DB,
    views_db: ViewsDb = None,
    poll: Poll = 1.0,
    page: PageSize = 5_000,
    batch: BatchSize = 100_000,
) -> None:
    """Keep the views current from the event log until SIGTERM or Ctrl-C (then exit 0)."""
    with _stopping_on_signals() as stop, _worker(db, views, views_db, page, batch) as keeper:
        _log(f"started; {_positions(keeper)}")
        commits = keeper.commits
        while not stop.is_set():
            try:
                applied = keeper.catch_up(stop_event=stop)
            except IntegrityError:
                _log("another worker tracked these views further: reloading from there")
                continue
            except (OperationalError, InterfaceError) as error:
                _log(f"database unreachable ({type(error).__name__}): retrying in {poll:g} s")
                applied = 0
            if keeper.commits != commits:
                commits = keeper.commits
                _log(f"applied {applied} events; {_positions(keeper)}")
            if not applied:
                stop.wait(poll)
        try:
            _log(f"stopped; {_positions(keeper)}")
        except (OperationalError, InterfaceError):
            _log("stopped; the database is unreachable, positions as last committed")
