"""``execution-core signals``: list a store's signals (see docs/signals.md).

The signals come from the signal log (``view_signals``) the projection worker writes; the
command first brings the log up to date with a worker on the board view, stepping one business
day at a time (``--no-update``: read the log as it stands, as another process keeps it).
``--since T`` keeps the signals whose business time is at or after ``T`` (an ISO date or
instant; a date is midnight UTC, an instant without a zone is read as UTC). ``--json`` prints
one JSON object per line: the signal's ``to_dict()`` with its ``seq`` in the log.

Mounted by :mod:`execution_core_adapters.cli.main` as ``app.command("signals")(signals)``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from execution_core import DEFAULT_STORE
from execution_core.signals import Signal
from execution_core_adapters.cli.errors import failure
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.views import ViewsDb, open_worker
from execution_core_adapters.projections.signal_log import SignalLog

__all__ = ["parse_since", "signals"]

Since = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only signals at or after this business time (ISO date or instant)."
    ),
]
Update = Annotated[
    bool,
    typer.Option(
        "--update/--no-update", help="Bring the signal log up to date first (a catch-up)."
    ),
]

_PAGE = 5_000
_MAX_PAGES = 100_000
"""A bound on the pages read (5e8 signals): the loop ends even on a log that keeps growing."""


def parse_since(text: str) -> datetime:
    """An ISO date (midnight UTC) or instant (UTC when it names no zone)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise failure(f"--since {text!r} is not an ISO date or instant") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _line(signal: Signal) -> tuple[str, ...]:
    subject = signal.ref or ("" if signal.goal_id is None else str(signal.goal_id)[:8])
    change = f"{signal.was or '-'} -> {signal.now or '-'}"
    return (
        signal.at.strftime("%Y-%m-%d %H:%M"),
        signal.kind.value,
        signal.person_id or signal.unit_id or "",
        subject,
        change,
    )


def signals(
    *,
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    since: Since = None,
    as_json: AsJson = False,
    update: Update = True,
) -> None:
    """List the signals of a store, in the order they were logged."""
    start = None if since is None else parse_since(since)
    with open_worker(db, "board", views_db, 5_000, 100_000) as worker:
        if update:
            worker.signal_steps = True  # a history's signals day by day, as a coach got them
            worker.catch_up()
        with SignalLog(worker.store, views_url=views_db) as log:
            found: list[tuple[int, Signal]] = []
            after = 0
            for _ in range(_MAX_PAGES):
                page = log.read(after, _PAGE, since=start)
                if not page:
                    break
                found.extend(page)
                after = page[-1][0]
    if as_json:
        for seq, signal in found:
            typer.echo(json.dumps({"seq": seq, **signal.to_dict()}, sort_keys=True))
        return
    table = Table("at", "signal", "who", "about", "was -> now", title=f"{len(found)} signals")
    for _, signal in found:
        table.add_row(*_line(signal))
    Console().print(table)
