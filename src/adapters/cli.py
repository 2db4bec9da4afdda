"""The ``execution-core`` command line."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli_audit import audit_app
from adapters.demo import SeasonClock, record_season
from adapters.store import open_store
from execution_core import EVENT_TYPES_BY_STREAM, Execution

__all__ = ["app", "main"]

app = typer.Typer(
    help="Strategy execution management as an immutable event stream.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


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
        "execution-demo.db"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the season's trajectories.")] = 7,
) -> None:
    """Record a sample season (a 12-person company, 26 weeks) into a SQLite file."""
    _prepare_fresh(db)
    clock = SeasonClock()
    started = time.perf_counter()
    with Execution(open_store(f"sqlite:///{db}", clock=clock)) as execution:
        with console.status("Recording the season...") as status:
            season = record_season(execution, clock, seed=seed, progress=status.update)
        elapsed = time.perf_counter() - started
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


app.add_typer(audit_app, name="audit")


def main() -> None:
    """Entry point of the ``execution-core`` command."""
    app()
