"""The ``execution-core`` command line: the demo, the live views, and the audit commands.

Each view command reads a store's whole history into a Ledger (``render.read_history``) and
prints one view (``render``, or JSON Lines with ``--json``); the figures come from
execution_core.views. Results go to standard output, messages and progress to standard error
(``output``); a failure is one line on standard error and an exit code (``errors``); no command
deletes a store it did not make (``demo`` replaces only its own, unchanged since it recorded it).

A command group of its own registers here with one line (``app.add_typer(x_app, name="x")`` or
``app.command("x")(x)``); docs/cli.md says what it must do to behave as the others do.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from execution_core import DEFAULT_STORE, Execution, NotPermitted, __version__
from execution_core import views as v
from execution_core.catalog import EVENT_TYPES_BY_STREAM
from execution_core.signals import replay_signals
from execution_core.views.ledger import CycleRecord
from execution_core_adapters.cli.audit import audit_app
from execution_core_adapters.cli.demo import SeasonClock, print_season_views, record_season
from execution_core_adapters.cli.erase import erase
from execution_core_adapters.cli.errors import (
    EXIT_CODES_HELP,
    EXIT_REFUSED,
    EXIT_USAGE,
    GuardedGroup,
    failure,
)
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import LogLevel, configure_logging, emit, err, out
from execution_core_adapters.cli.render import (
    NARROW,
    History,
    appraisal_sheet_table,
    appraisal_summary_table,
    radar_table,
    read_history,
    scoreboard_table,
    shown,
)
from execution_core_adapters.cli.review_tables import (
    game_review_table,
    lessons_text,
    strategy_map_table,
)
from execution_core_adapters.cli.schema import schema
from execution_core_adapters.cli.signals import signals
from execution_core_adapters.cli.simulate import simulate
from execution_core_adapters.cli.subscriptions import (
    dead_letters_app,
    subscribe,
    subscriptions,
    unsubscribe,
)
from execution_core_adapters.cli.sweep import sweep
from execution_core_adapters.cli.views import views_app
from execution_core_adapters.cli.worker import worker
from execution_core_adapters.storage.chain_verify import head
from execution_core_adapters.storage.config import store_env
from execution_core_adapters.storage.store import SQLITE_TABLES, open_store

__all__ = ["app", "main"]

app = typer.Typer(
    cls=GuardedGroup,
    help="Strategy execution management as an immutable event stream.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"execution-core {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
    log_level: Annotated[
        LogLevel,
        typer.Option(
            "--log-level",
            envvar="EXECUTION_CORE_LOG_LEVEL",
            show_envvar=True,
            case_sensitive=False,
            help="The least severe log line written on standard error.",
        ),
    ] = LogLevel.INFO,
) -> None:
    """Strategy execution management as an immutable event stream."""
    configure_logging(log_level)


DEMO_MARKER = "execution_demo"
"""The table in which ``demo`` notes, after the season, the store it made: the chain head and
the event count then. Only a store whose marker matches its content is ever replaced."""


def _tables(path: Path) -> set[str] | None:
    """The tables of a SQLite file (None: not a SQLite database), read without writing."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            return {row[0] for row in rows}
    except sqlite3.DatabaseError:
        return None


def _demo_marker(path: Path) -> tuple[int, str, int] | None:
    """The (chain position, chain hash, events) ``demo`` noted in a store it made."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute(f"SELECT position, hash, events FROM {DEMO_MARKER}").fetchone()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def _content(path: Path) -> tuple[int, str, int]:
    """A store's chain head and event count, as the marker notes them."""
    store = open_store(f"sqlite:///{path}")
    try:
        newest = head(store)
    finally:
        store.close()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (events,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
    return newest.position, newest.hash, int(events)


def _mark(path: Path) -> None:
    """Note in the store that ``demo`` made it, as it is now (see :data:`DEMO_MARKER`)."""
    position, hash_, events = _content(path)
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE {DEMO_MARKER} (position INTEGER, hash TEXT, events INTEGER)")
        db.execute(f"INSERT INTO {DEMO_MARKER} VALUES (?, ?, ?)", (position, hash_, events))
    db.close()


def _prepare_fresh(path: Path) -> None:
    """Replace a store ``demo`` made and nobody changed since; refuse anything else.

    A path that does not exist (or an empty file) is used as it is. A demo store whose marker
    matches its chain head and event count is deleted and recorded again. Any other file is left
    as it is: exit 2 for a file that is not an execution-core store, exit 1 for a store the demo
    did not make or one that changed since (more events, say): its data is someone's.
    """
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return
    tables = _tables(path) if path.is_file() else None
    if tables is None or "stored_events" not in tables:
        raise failure(
            f"{path} exists and is not an execution-core store; nothing was changed: "
            "choose another --db",
            EXIT_USAGE,
        )
    if DEMO_MARKER not in tables or not tables <= SQLITE_TABLES | {DEMO_MARKER}:
        raise failure(
            f"{path} is an execution-core store the demo did not make; nothing was deleted: "
            "choose another --db",
            EXIT_REFUSED,
        )
    noted, now = _demo_marker(path), _content(path)
    if noted != now:
        then = "an unknown number of" if noted is None else str(noted[2])
        raise failure(
            f"{path} has changed since the demo recorded it ({then} events then, {now[2]} "
            "now); nothing was deleted: choose another --db",
            EXIT_REFUSED,
        )
    err().print(f"Replacing the demo store at {shown(path)} (unchanged since the demo).")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite_path(db: str) -> Path:
    """The SQLite file ``demo`` records into (a path or a ``sqlite:///`` URL; nothing else)."""
    path = store_env(db).get("SQLITE_DBNAME")
    if not path:
        raise failure(f"the demo records into a SQLite file, not {shown(db)}: pass --db FILE")
    return Path(path)


@app.command()
def demo(
    db: Db = DEFAULT_STORE,
    seed: Annotated[int, typer.Option(help="Seed of the season's trajectories.")] = 7,
    as_json: AsJson = False,
) -> None:
    """Record a sample season (a 12-person company, 26 weeks) into a SQLite file.

    The file must be new, or a store this command made and nobody changed since (it is then
    replaced); anything else is refused (exit 1, or 2 for a file that is not a store). With
    --json, prints what was recorded (events by type, the cycle) instead of the views."""
    path = _sqlite_path(db)
    _prepare_fresh(path)
    clock = SeasonClock()
    started = time.perf_counter()
    with Execution(open_store(f"sqlite:///{path}", clock=clock)) as execution:
        with err().status("Recording the season...") as status:
            season = record_season(execution, clock, seed=seed, progress=status.update)
        elapsed = time.perf_counter() - started
        history = None if as_json else read_history(execution.store, err())
        signals = replay_signals(execution.store.read_all())
    _mark(path)
    if history is None:
        recorded = {name: count for name, count in season.by_type.items() if count}
        emit(
            [
                {
                    "store": str(path),
                    "cycle_id": season.cycle_id,
                    "starts_on": season.starts_on,
                    "ends_on": season.ends_on,
                    "events": season.events,
                    "by_type": recorded,
                }
            ]
        )
        return
    console = out()
    table = Table(title=f"Recorded into {shown(path)}", show_footer=True)
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
    print_season_views(console, history, signals=signals)
    where = "" if db == DEFAULT_STORE else f" --db {shown(db)}"
    err().print(
        f"Read the views again with [bold]execution-core board{where}[/bold], "
        f"[bold]appraisal{where} --viewer hana[/bold] or [bold]radar{where}[/bold]."
    )


# -- the views --------------------------------------------------------------------------------

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
    path = store_env(db).get("SQLITE_DBNAME")
    if path:
        _require_store(Path(path))
    store = open_store(db)
    try:
        return read_history(store, err())
    finally:
        store.close()


def _require_store(path: Path) -> None:
    if not path.exists():
        raise failure(
            f"no store at {path}: record the demo with `execution-core demo --db {path}`, "
            "or pass --db"
        )
    if "stored_events" not in (_tables(path) or set()):
        raise failure(f"{path} is not an execution-core store; nothing was read")


def _cycle(history: History, wanted: str | None) -> CycleRecord:
    """The cycle named by id or name, else the one that starts last."""
    cycles = sorted(history.ledger.cycles.values(), key=lambda c: (c.state.starts_on, c.opened.seq))
    if not cycles:
        raise failure("the store holds no cycle", EXIT_REFUSED)
    if wanted is None:
        return cycles[-1]
    for cycle in cycles:
        if wanted in (str(cycle.id), cycle.state.name):
            return cycle
    known = ", ".join(f"{c.state.name} ({c.id})" for c in cycles)
    raise failure(f"no cycle {wanted!r} in the store; it holds {known}", EXIT_REFUSED)


def _parse_at(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise failure(f"--at {text!r} is not an ISO 8601 date or date and time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _at(history: History, cycle: CycleRecord, text: str | None) -> datetime:
    """``--at``, else the cycle's end or the latest business time recorded, whichever is
    earlier (never the wall clock)."""
    if text is not None:
        return _parse_at(text)
    return min(cycle.ends_at, history.latest or cycle.starts_at)


@app.command()
def board(
    db: Db = DEFAULT_STORE,
    cycle: CycleOption = None,
    at: At = None,
    viewer: Annotated[
        str | None, typer.Option(help="Read the board as this person (who must be allowed to).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The live scoreboard: per goal, progress, pace gap, forecast and health."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _at(history, chosen, at)
    try:
        view = v.scoreboard(history.ledger, chosen.id, at=instant, viewer=viewer)
    except NotPermitted:
        raise failure(
            f"{viewer} may not see the scoreboard (only active people may)", EXIT_REFUSED
        ) from None
    if as_json:
        emit(view.to_records())
        return
    title = f"Scoreboard, {shown(chosen.state.name)}, at {instant:%Y-%m-%d %H:%M} UTC"
    console = out()
    console.print(scoreboard_table(view, title=title, compact=console.width < NARROW))


@app.command()
def appraisal(
    *,
    viewer: Annotated[str, typer.Option(help="Who reads: the person, their managers, or HR.")],
    db: Db = DEFAULT_STORE,
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
    as_json: AsJson = False,
) -> None:
    """The appraisal sheets: goals, final scores, attainment, ratings and bonus multiplier
    (with --json, one line a person: the sheet's header and its goals)."""
    history = _history(db)
    ledger = history.ledger
    chosen = _cycle(history, cycle)
    instant = _parse_at(at) if at is not None else history.latest or chosen.ends_at
    people = ledger.organization.people
    if viewer not in people:
        raise failure(f"unknown viewer {viewer!r}", EXIT_REFUSED)
    names = {person_id: p.name for person_id, p in people.items()}
    if person is not None:
        if person not in people:
            raise failure(f"unknown person {person!r}", EXIT_REFUSED)
        try:
            sheet = v.appraisal_sheet(ledger, chosen.id, person, viewer=viewer, at=instant)
        except NotPermitted:
            raise failure(
                f"{viewer} may not see {person}'s appraisal "
                "(only the person, their managers and HR may)",
                EXIT_REFUSED,
            ) from None
        sheets = [sheet]
    else:
        sheets = _sheets_seen(ledger, chosen, viewer, instant)
    if as_json:
        emit(_sheet_record(sheet) for sheet in sheets)
        return
    console = out()
    for sheet in sheets:
        console.print(appraisal_sheet_table(sheet, name=names[sheet.person_id]))
    if len(sheets) > 1:
        console.print(
            appraisal_summary_table(
                sheets,
                names=names,
                title=f"As {shown(viewer)} sees them",
                compact=console.width < NARROW,
            )
        )


def _sheets_seen(
    ledger: v.Ledger, cycle: CycleRecord, viewer: str, at: datetime
) -> list[v.AppraisalSheet]:
    """The sheets of everyone ``viewer`` may see who has goals or a rating in ``cycle``; who
    was skipped, and why, is said on standard error."""
    sheets: list[v.AppraisalSheet] = []
    refused: list[str] = []
    absent: list[str] = []
    for person_id in ledger.organization.people:
        try:
            sheet = v.appraisal_sheet(ledger, cycle.id, person_id, viewer=viewer, at=at)
        except NotPermitted:
            refused.append(person_id)
            continue
        if sheet.goals or sheet.rating is not None:
            sheets.append(sheet)
        else:
            absent.append(person_id)
    if absent:
        err().print(
            f"[dim]No goals and no appraisal in {shown(cycle.state.name)}: "
            f"{shown(', '.join(absent))}.[/dim]"
        )
    if refused:
        err().print(
            f"[yellow]Skipped {len(refused)} people whose appraisal {shown(viewer)} may not "
            f"see: {shown(', '.join(refused))}.[/yellow]"
        )
    return sheets


def _sheet_record(sheet: v.AppraisalSheet) -> dict[str, object]:
    """A sheet as one JSON object: its header, and its goals without the header repeated."""
    header = sheet.summary_record()
    goals = [
        {key: value for key, value in row.items() if key not in header}
        for row in sheet.to_records()
    ]
    return {**header, "goals": goals}


@app.command()
def radar(
    db: Db = DEFAULT_STORE, cycle: CycleOption = None, at: At = None, as_json: AsJson = False
) -> None:
    """The coaching radar: recent coaching per person and coach, flagged goals not coached
    since, overdue commitments."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _at(history, chosen, at)
    view = v.coaching_radar(history.ledger, chosen.id, at=instant)
    if as_json:
        emit(view.to_records())
        return
    title = f"Coaching radar, {shown(chosen.state.name)}, at {instant:%Y-%m-%d %H:%M} UTC"
    console = out()
    console.print(radar_table(view, title=title, compact=console.width < NARROW))


Viewer = Annotated[
    str | None, typer.Option(help="Read as this person (who must be allowed to see the board).")
]


def _board_viewer(viewer: str | None, what: str) -> typer.Exit:
    return failure(f"{viewer} may not see {what} (only active people may)", EXIT_REFUSED)


@app.command()
def review(
    db: Db = DEFAULT_STORE,
    cycle: CycleOption = None,
    viewer: Viewer = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Business time, ISO 8601 (default: the latest business time recorded, so "
            "reviews recorded after the cycle's end show; goals are read at the cycle's end).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The game review: per goal, how it ended, what worked, what did not and the lessons;
    the goals not reviewed yet."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _parse_at(at) if at is not None else history.latest or chosen.ends_at
    try:
        view = v.game_review(history.ledger, chosen.id, at=instant, viewer=viewer)
    except NotPermitted:
        raise _board_viewer(viewer, "the game review") from None
    if as_json:
        emit(view.to_records())
        return
    title = f"Game review, {shown(chosen.state.name)}, at {instant:%Y-%m-%d %H:%M} UTC"
    console = out()
    console.print(game_review_table(view, title=title, compact=console.width < NARROW))
    console.print(lessons_text(view))


@app.command("strategy-map")
def strategy_map(
    db: Db = DEFAULT_STORE,
    cycle: CycleOption = None,
    at: At = None,
    viewer: Viewer = None,
    as_json: AsJson = False,
) -> None:
    """The strategy map: themes by balanced-scorecard perspective, their rollup, and the goals
    serving each, directly and through their parents."""
    history = _history(db)
    chosen = _cycle(history, cycle)
    instant = _at(history, chosen, at)
    try:
        view = v.strategy_map(history.ledger, chosen.id, at=instant, viewer=viewer)
    except NotPermitted:
        raise _board_viewer(viewer, "the strategy map") from None
    if as_json:
        emit(view.to_records())
        return
    vision = f": {shown(view.vision)}" if view.vision else ""
    title = f"Strategy map, {shown(chosen.state.name)}, at {instant:%Y-%m-%d %H:%M} UTC{vision}"
    console = out()
    console.print(strategy_map_table(view, title=title, compact=console.width < NARROW))


app.add_typer(audit_app, name="audit")
app.add_typer(views_app, name="views")
app.command("signals")(signals)
app.command("simulate")(simulate)
app.command("sweep")(sweep)
app.command("worker")(worker)
app.command("schema")(schema)
app.command("erase")(erase)
app.command("subscribe")(subscribe)
app.command("unsubscribe")(unsubscribe)
app.command("subscriptions")(subscriptions)
app.add_typer(dead_letters_app, name="dead-letters")


def main() -> None:
    """Entry point of the ``execution-core`` command."""
    app()
