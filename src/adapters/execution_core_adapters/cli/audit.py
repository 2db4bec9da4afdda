"""``execution-core audit``: verify the hash chain, export and import the history, and the
bitemporal audit (``as-of``, ``diff``, ``trail``, from :mod:`execution_core_adapters.cli.history`).

Mounted by :mod:`execution_core_adapters.cli.main` as ``app.add_typer(audit_app, name="audit")``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated
from uuid import UUID

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from execution_core import DEFAULT_STORE
from execution_core.errors import ExecutionError
from execution_core.ports import ChainHead
from execution_core_adapters.cli.errors import EXIT_CODES_HELP, EXIT_REFUSED, GuardedGroup, failure
from execution_core_adapters.cli.history import history_commands
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import emit, err, shows_progress
from execution_core_adapters.cli.render import shown
from execution_core_adapters.storage.chain_verify import head
from execution_core_adapters.storage.config import store_env
from execution_core_adapters.storage.store import ExecutionStore, open_store
from execution_core_adapters.transfer import ImportRefused, export_lines, import_lines

__all__ = ["audit_app", "open_existing"]

audit_app = typer.Typer(
    cls=GuardedGroup,
    epilog=EXIT_CODES_HELP,
    help="Tamper evidence (hash chain), export and import, and the bitemporal audit: the plan "
    "as of a recorded time and as at a business time, diff and trail.",
    no_args_is_help=True,
    add_completion=False,
)


def open_existing(url: str, *, create: bool = False) -> ExecutionStore:
    """Open a store; a SQLite file must already exist unless ``create`` (no silent empty store)."""
    path = store_env(url).get("SQLITE_DBNAME")
    if path and not create and not Path(path).exists():
        raise failure(f"no store at {path}")
    return open_store(url)


@audit_app.command()
def verify(
    db: Db = DEFAULT_STORE,
    anchor: Annotated[
        Path | None,
        typer.Option(help="A head saved earlier by `audit head` (exposes rewrites, truncation)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Check every stored event against the hash chain; exit 1 naming the first tampered one."""
    try:
        expected = ChainHead.from_json(anchor.read_bytes()) if anchor else None
    except (OSError, ValueError) as error:
        raise failure(f"cannot read the anchor {anchor}: {error}") from None
    store = open_existing(db)
    try:
        report = store.verify(anchor=expected)
    finally:
        store.close()
    if as_json:
        emit(
            [
                {
                    "ok": report.ok,
                    "events_checked": report.events_checked,
                    "snapshots_checked": report.snapshots_checked,
                    "problems": report.problems,
                    "first": report.first,
                    "head": report.head,
                    "anchor": expected,
                }
            ]
        )
    if report.ok:
        anchored = f", matches the anchor at {expected.position}" if expected else ""
        err().print(
            f"[green]ok[/green]: {report.events_checked} events and "
            f"{report.snapshots_checked} snapshots checked{anchored}; "
            f"head {report.head.position} {report.head.hash}"
        )
        return
    err().print(
        f"[red]TAMPERED[/red]: {shown(report.first)} "
        f"({report.problems} problem(s), {report.events_checked} events checked)"
    )
    raise typer.Exit(code=EXIT_REFUSED)


@audit_app.command("head")
def head_(db: Db = DEFAULT_STORE) -> None:
    """Print the newest chain hash as JSON (always): keep it elsewhere, then `verify --anchor`
    it."""
    store = open_existing(db)
    try:
        typer.echo(head(store).to_json())
    finally:
        store.close()


@audit_app.command("export")
def export(
    db: Db = DEFAULT_STORE,
    cycle: Annotated[
        str | None,
        typer.Option(help="Export one cycle (with the organization and strategy), by id."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (JSON Lines); standard output if omitted.")
    ] = None,
) -> None:
    """Export the history (or one cycle) as JSON Lines, one event a line, byte-stable (the
    export is the result: it is JSON Lines already). Progress shows on a terminal."""
    try:
        cycle_id = UUID(cycle) if cycle else None
    except ValueError:
        raise failure(f"not a cycle id: {cycle!r}") from None
    store = open_existing(db)
    partial = None if out is None else out.with_name(out.name + ".partial")
    try:
        if partial is None:
            count = _export(store, sys.stdout.buffer, cycle_id)
            sys.stdout.buffer.flush()
        else:
            with partial.open("wb") as file:
                count = _export(store, file, cycle_id)
            partial.replace(partial.with_name(partial.name.removesuffix(".partial")))
    except BrokenPipeError:
        raise  # the reader of standard output stopped reading: ends quietly (cli.errors)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise failure(f"cannot write {out}: {error.strerror or error}") from None
    except ExecutionError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise failure(str(error), EXIT_REFUSED) from None
    finally:
        store.close()
    err().print(f"exported {count} events" + (f" to {shown(out)}" if out else ""))


def _progress(*columns: ProgressColumn) -> Progress:
    """A progress bar on standard error, drawn only on a terminal (a pipe or a log sees none)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        *columns,
        TimeElapsedColumn(),
        console=err(),
        transient=True,
        disable=not shows_progress(),
    )


def _export(store: ExecutionStore, file: IO[bytes], cycle_id: UUID | None) -> int:
    """Write the export to ``file`` behind a progress bar (events against the log's length:
    a cycle's export ends early); the number of events written."""
    count = 0
    with _progress(MofNCompleteColumn(), TextColumn("events")) as bar:
        task = bar.add_task("exporting", total=store.last_position() or None)
        for line in export_lines(store, cycle_id=cycle_id):
            file.write(line)
            count += 1
            bar.advance(task)
    return count


def _read_with_progress(lines: IO[bytes], bar: Progress, task: TaskID) -> Iterator[bytes]:
    """The file's lines, the bar advanced by the bytes each one holds."""
    for line in lines:
        bar.advance(task, len(line))
        yield line


@audit_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A JSON Lines export.", exists=True, dir_okay=False)],
    db: Db = DEFAULT_STORE,
    as_json: AsJson = False,
) -> None:
    """Import an export into an EMPTY store: all of it, or (on any bad line) nothing (exit
    1, each bad line named). Progress shows on a terminal."""
    path = store_env(db).get("SQLITE_DBNAME") if _is_store_url(db) else None
    created = path is not None and not Path(path).exists()
    store = open_existing(db, create=True)
    try:
        with file.open("rb") as lines, _progress(DownloadColumn()) as bar:
            task = bar.add_task("validating and storing", total=file.stat().st_size)
            report = import_lines(store, _read_with_progress(lines, bar, task))
    except ExecutionError as error:
        store.close()
        if created and path is not None:  # leave no empty store behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if isinstance(error, ImportRefused):
            _refused(file, error, as_json=as_json)
        raise failure(str(error), EXIT_REFUSED) from None
    store.close()
    if as_json:
        emit([{"imported": True, "events": report.events, "streams": report.streams}])
    err().print(f"imported {report.events} events in {report.streams} streams")


def _refused(file: Path, error: ImportRefused, *, as_json: bool) -> None:
    """Name each bad line on standard error (and, with ``as_json``, on standard output as one
    JSON line), then exit 1: nothing was imported."""
    if as_json:
        problems = [{"line": problem.line, "reason": problem.reason} for problem in error.problems]
        emit([{"imported": False, "problems": problems}])
    console = err()
    console.print(f"[red]refused, nothing imported[/red]: {shown(file)}")
    for problem in error.problems:
        console.print(f"  {shown(file)}:{problem.line}: {shown(problem.reason)}")
    raise typer.Exit(code=EXIT_REFUSED) from None


def _is_store_url(url: str) -> bool:
    try:
        store_env(url)
    except ExecutionError:
        return False
    return True


for _name, _command in history_commands.items():
    audit_app.command(_name)(_command)
