"""``execution-core simulate``: play a simulated organization's cycle and print its outcome.

Mounted by :mod:`.main` as ``app.command("simulate")(simulate)``. The simulation runs in
memory unless ``--db`` names a store (a SQLite file or a store URL), which must be empty; the
views and audit commands then read it like any other store. See docs/simulation.md.
"""

from __future__ import annotations

import sqlite3
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from execution_core.errors import ExecutionError, InvalidInput
from execution_core.simulation import (
    ExecutionManagement,
    ManagementPolicy,
    Model,
    PerformanceManagement,
)
from execution_core_adapters.cli.errors import report as failed
from execution_core_adapters.cli.options import AsJson
from execution_core_adapters.cli.output import emit, err, out, shows_progress
from execution_core_adapters.cli.render import shown
from execution_core_adapters.simulate import simulate as run_simulation
from execution_core_adapters.storage.store import SQLITE_TABLES

__all__ = ["MAX_WEEKS", "PolicyName", "simulate"]


class PolicyName(StrEnum):
    """The built-in policies the command line offers."""

    EXECUTION = "execution"
    PERFORMANCE = "performance"


def _policy(name: PolicyName, cadence: int) -> ManagementPolicy:
    if name is PolicyName.PERFORMANCE:
        return PerformanceManagement(cadence_days=cadence)
    return ExecutionManagement(cadence_days=cadence)


MAX_WEEKS = 520
"""The longest cycle the command line simulates: ten years (a longer one runs past any date)."""


def _url(db: str | None) -> str:
    """The store URL of ``--db``; a plain path that is some other SQLite file is refused."""
    if db is None:
        return "memory://"
    if "://" in db:
        return db
    path = Path(db)
    if path.exists() and path.stat().st_size:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as found:
                rows = found.execute("SELECT name FROM sqlite_master WHERE type='table'")
                tables = {row[0] for row in rows}
        except sqlite3.DatabaseError:
            tables = {"(not a SQLite database)"}
        if not tables <= SQLITE_TABLES:
            raise InvalidInput(
                f"{path} is not an execution-core store (it holds {', '.join(sorted(tables))})"
            )
    return f"sqlite:///{path}"


def _number(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def simulate(  # noqa: PLR0917 - typer passes the options by name; one per option
    people: Annotated[int, typer.Option(min=2, help="Head count of the organization.")] = 200,
    weeks: Annotated[
        int,
        typer.Option(
            min=2, max=MAX_WEEKS, help="Length of the cycle in weeks (at most ten years)."
        ),
    ] = 52,
    policy: Annotated[
        PolicyName, typer.Option(help="What managers do during the cycle.")
    ] = PolicyName.EXECUTION,
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Record into this empty store (SQLite file or URL); default: in memory."
        ),
    ] = None,
    cadence: Annotated[int, typer.Option(min=1, help="Check-in cadence in days.")] = 7,
    coaching_effect: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Model parameter: share of a projected shortfall one coaching session closes.",
        ),
    ] = 0.3,
    developmental: Annotated[
        bool, typer.Option(help="Give everyone a developmental goal too.")
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Simulate a cycle of an organization through the facade and print what it came to (the
    outcome on standard output; how long it took, and the model's caveat, on standard error).
    It never reads EXECUTION_CORE_STORE: a simulation lands in a store only by --db."""
    model = Model(
        people=people,
        weeks=weeks,
        coaching_effect=coaching_effect,
        developmental=developmental,
    )
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("weeks"),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    try:
        with Progress(*columns, console=err(), transient=True, disable=not shows_progress()) as bar:
            task = bar.add_task(f"Simulating {people} people", total=weeks)

            def report(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            url = _url(db)
            simulation = run_simulation(
                model, _policy(policy, cadence), seed=seed, url=url, progress=report
            )
    except ExecutionError as error:  # mapped as every command's (cli.errors)
        raise failed(error) from None
    elapsed = time.perf_counter() - started
    with simulation:
        run = simulation.run
        assert run is not None
        with err().status("Reading the views..."):
            outcome = simulation.outcome()
        where = f"into {shown(db)}" if db else "in memory"
        note = err()
        note.print(
            f"Recorded {run.events:,} events ({run.commands:,} commands) {where} in "
            f"{elapsed:.2f} s ({run.events / elapsed:,.0f} events/s); cycle {run.cycle_id}."
        )
        note.print(
            f"coaching_effect={coaching_effect} is a model parameter, not a finding "
            "(docs/simulation.md)."
        )
        if as_json:
            emit([{**outcome.to_record(), "commands": run.commands, "cycle_id": run.cycle_id}])
            return
        table = Table(
            title=f"{policy.value} management, {people} people, {weeks} weeks, seed {seed}"
        )
        table.add_column("outcome")
        table.add_column("value", justify="right")
        for metric, value in outcome.to_record().items():
            if metric not in ("policy", "seed"):
                table.add_row(metric, _number(value))
        out().print(table)
