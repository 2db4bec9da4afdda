"""The ``execution-core`` command line: the demo, the live views, and the audit commands.

Each view command reads a store's whole history into a Ledger (adapters.render.read_history)
and prints one view (adapters.render); the figures come from execution_core.views.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli_audit import audit_app
from adapters.cli_simulate import simulate
from adapters.cli_views import views_app
from adapters.cli_worker import worker
from adapters.demo import SeasonClock, print_season_views, record_season
from adapters.render import (
    NARROW,
    History,
    appraisal_sheet_table,
    appraisal_summary_table,
    radar_table,
    read_history,
    scoreboard_table,
)
from adapters.store import open_store, store_env
from execution_core import EVENT_TYPES_BY_STREAM, Execution, ExecutionError, NotPermitted
from execution_core import views as v
from execution_core.views.ledger import CycleRecord

__all__ = ["app", "main"]

app = typer.Typer(
    help="Strategy execution management as an immutable event stream.",
    no_args_is_help=True,
    add_completion=False,
)


def _out() -> Console:
    """Where results go (made per command, so the terminal's width is read when it runs)."""
    return Console()


def _err() -> Console:
    """Where messages and progress go."""
    return Console(stderr=True)


def _fail(message: str) -> NoReturn:
    _err().print(f"[red]{message}[/red]")
    raise typer.Exit(code=2)


DEMO_DB = "execution-demo.db"
"""Where `demo` records the season, and where the view commands read by default."""


@app.callback()
def _root() -> None:
    """Strategy execution management as an immutable event stream."""


_STORE_TABLES = {"stored_events", "stored_snapshots", "event_chain"}


def _prepare_fresh(path: Path) -> None:
    """Remove a previous demo store, or refuse to touch a file that is something else."""
    if not path.exists():
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError:
        tables = {"(not a SQLite database)"}
    console = _err()
    if not tables <= _STORE_TABLES:
        console.print(
            f"[red]{path} exists and is not an execution-core store "
            f"(it holds {', '.join(sorted(tables))}); nothing was changed. "
            "Choose another --db.[/red]"
        )
        raise typer.Exit(code=2)
    console.print(f"[yellow]Replacing the previous demo store at {path}.[/yellow]")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="SQLite file to record the season into.")] = Path(
        DEMO_DB
    ),
    seed: Annotated[int, typer.Option(help="Seed of the season's trajectories.")] = 7,
) -> None:
    """Record a sample season (a 12-person company, 26 weeks) into a SQLite file."""
    _prepare_fresh(db)
    console = _out()
    clock = SeasonClock()
    started = time.perf_counter()
    with Execution(open_store(f"sqlite:///{db}", clock=clock)) as execution:
        with _err().status("Recording the season...") as status:
            season = record_season(execution, clock, seed=seed, progress=status.update)
        elapsed = time.perf_counter() - started
        history = read_history(execution.store, _err())
    table = Table(title=f"Recorded into {db}", show_footer=True)
    table.add_column("stream", footer="total")
    table.add_column("event", footer="")
    table.add_column("count", justify="right", footer=str(season.events))
    for stream, names in EVENT_TYPES_BY_STREAM.items():
        for name in names:
            if season.by_type[name]:
                table.add_row(stream, name, str(season.by_type[name]))
    console.print(table)
    console.print(
        f"Season {season.starts_on} to {season.ends_on}: {season.events} events "
        f"in {elapsed:.2f} s ({season.events / elapsed:,.0f} events/s), cycle {season.cycle_id}."
    )
    print_season_views(console, history)
    where = "" if str(db) == DEMO_DB else f" --db {db}"
    console.print(
        f"Read the views again with [bold]execution-core board{where}[/bold], "
        f"[bold]appraisal{where} --viewer hana[/bold] or [bold]radar{where}[/bold]."
    )


# -- the views --------------------------------------------------------------------------------

Db = Annotated[
    str,
    typer.Option(
        "--db",
        help="The store: a SQLite file (the demo's by default) or a store URL "
        "(sqlite:///file.db, postgresql://user@host/db?schema=s).",
    ),
]
CycleOption = Annotated[
    str | None,
    typer.Option("--cycle", help="Cycle id or name (default: the only or most recent cycle)."),
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Business time to read the view at, ISO 8601 (UTC unless it says otherwise; "
        "default: the cycle's end or the latest business time recorded, whichever is earlier).",
    ),
]


def _history(db: str) -> History:
    """The store's history as a Ledger; a missing SQLite file is refused and never created."""
    try:
        path = store_env(db).get("SQLITE_DBNAME")
    except ExecutionError as error:
        _fail(str(error))
    if path:
        _require_store(Path(path))
    store = open_store(db)
    try:
        return read_history(store, _err())
    finally:
        store.close()


def _require_store(path: Path) -> None:
    if not path.exists():
        _fail(
            f"no store at {path}: record the demo with `execution-core demo --db {path}`, "
            "or pass --db"
        )
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except sqlite3.DatabaseError:
        tables = set()
    if "stored_events" not in tables:
        _fail(f"{path} is not an execution-core store; nothing was read")


def _cycle(history: History, wanted: str | None) -> CycleRecord:
    """The cycle named by id or name, else the one that starts last."""
    cycles = sorted(history.ledger.cycles.values(), key=lambda c: (c.state.starts_on, c.opened.seq))
    if not cycles:
        _fail("the store holds no cycle")
    if wanted is None:
        return cycles[-1]
    for cycle in cycles:
        if wanted in (str(cycle.id), cycle.state.name):
            return cycle
    known = ", ".join(f"{c.state.name} ({c.id})" for c in cycles)
    _fail(f"no cycle {wanted!r} in the store; it holds {known}")


def _parse_at(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--at {text!r} is not an ISO 8601 date or date and time")
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _at(history: History, cycle: CycleRecord, text: str | None) -> datetime:
    """``--at``, else the cycle's end or the latest business time recorded, whichever is
    earlier (never the wall clock)."""
    if text is not None:
        return _parse_at(text)
    return min(cycle.ends_at, history.latest or cycle.starts_at)


@app.command()
def board(
    db: Db = DEMO_DB,
    cycle: CycleOption = None,
    at: At = None,
    viewer: Annotated[
        str | None, typer.Option(help="Read the board as this person (who must be allowed to).")
    ] = None,
) -> None:
    """The live scoreboard: per goal, progress, pace gap, forecast and health."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _at(history, chosen, at)
    try:
        view = v.scoreboard(history.ledger, chosen.id, at=instant, viewer=viewer)
    except NotPermitted:
        _fail(f"{viewer} may not see the scoreboard (only active people may)")
    title = f"Scoreboard, {chosen.state.name}, at {instant:%Y-%m-%d %H:%M} UTC"
    out = _out()
    out.print(scoreboard_table(view, title=title, compact=out.width < NARROW))


@app.command()
def appraisal(
    viewer: Annotated[str, typer.Option(help="Who reads: the person, their managers, or HR.")],
    db: Db = DEMO_DB,
    cycle: CycleOption = None,
    person: Annotated[
        str | None,
        typer.Option(help="One person's sheet (default: everyone the viewer may see)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Business time, ISO 8601 (default: the latest business time recorded, so "
            "ratings recorded after the cycle's end show; goals are scored at the cycle's end).",
        ),
    ] = None,
) -> None:
    """The appraisal sheets: goals, final scores, attainment, ratings and bonus multiplier."""
    history = _history(db)
    ledger = history.ledger
    chosen = _cycle(history, cycle)
    instant = _parse_at(at) if at is not None else history.latest or chosen.ends_at
    people = ledger.organization.people
    if viewer not in people:
        _fail(f"unknown viewer {viewer!r}")
    names = {person_id: p.name for person_id, p in people.items()}
    out = _out()
    if person is not None:
        if person not in people:
            _fail(f"unknown person {person!r}")
        try:
            sheet = v.appraisal_sheet(ledger, chosen.id, person, viewer=viewer, at=instant)
        except NotPermitted:
            _fail(
                f"{viewer} may not see {person}'s appraisal "
                "(only the person, their managers and HR may)"
            )
        out.print(appraisal_sheet_table(sheet, name=names[person]))
        return
    sheets: list[v.AppraisalSheet] = []
    refused: list[str] = []
    absent: list[str] = []
    for person_id in people:
        try:
            sheet = v.appraisal_sheet(ledger, chosen.id, person_id, viewer=viewer, at=instant)
        except NotPermitted:
            refused.append(person_id)
            continue
        if sheet.goals or sheet.rating is not None:
            sheets.append(sheet)
        else:
            absent.append(person_id)
    for sheet in sheets:
        out.print(appraisal_sheet_table(sheet, name=names[sheet.person_id]))
    if len(sheets) > 1:
        out.print(
            appraisal_summary_table(
                sheets, names=names, title=f"As {viewer} sees them", compact=out.width < NARROW
            )
        )
    if absent:
        out.print(
            f"[dim]No goals and no appraisal in {chosen.state.name}: {', '.join(absent)}.[/dim]"
        )
    if refused:
        out.print(
            f"[yellow]Skipped {len(refused)} people whose appraisal {viewer} may not see: "
            f"{', '.join(refused)}.[/yellow]"
        )


@app.command()
def radar(db: Db = DEMO_DB, cycle: CycleOption = None, at: At = None) -> None:
    """The coaching radar: recent coaching per person and coach, flagged goals not coached
    since, overdue commitments."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _at(history, chosen, at)
    view = v.coaching_radar(history.ledger, chosen.id, at=instant)
    title = f"Coaching radar, {chosen.state.name}, at {instant:%Y-%m-%d %H:%M} UTC"
    out = _out()
    out.print(radar_table(view, title=title, compact=out.width < NARROW))


app.add_typer(audit_app, name="audit")
app.add_typer(views_app, name="views")
app.command("simulate")(simulate)
app.command("worker")(worker)


def main() -> None:
    """Entry point of the ``execution-core`` command."""
    app()
