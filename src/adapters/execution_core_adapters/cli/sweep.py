"""``execution-core sweep``: run a grid of simulated organizations and print per-point summaries.

Mounted by :mod:`.main` as ``app.command("sweep")(sweep)``. The grid comes from a TOML file
(``--grid``: ``seeds`` and a ``[grid]`` table of parameters and their values) and from options
(``--policy``, ``--people``, ``--weeks``, ``--cadence``, ``--coaching-effect``, and
``--param NAME=V1,V2`` for any parameter), an option replacing the file's values of the same
parameter. It runs on a local Dask cluster sized to the machine, on the scheduler named by
``--scheduler`` or ``$EXECUTION_CORE_SCHEDULER``, or in a plain loop (``--loop``). A failed
run is one line on standard error with its point and seed; the others are still summarized
and written, and the exit code is 1. See docs/sweeps.md.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from execution_core.errors import InvalidInput
from execution_core_adapters.cli.errors import EXIT_REFUSED, EXIT_UNAVAILABLE, failure
from execution_core_adapters.cli.options import AsJson
from execution_core_adapters.cli.output import emit, err
from execution_core_adapters.cli.render import printable
from execution_core_adapters.sweeps import (
    SUMMARY_METRICS,
    DaskEngine,
    Engine,
    Grid,
    LoopEngine,
    SweepResult,
)
from execution_core_adapters.sweeps import sweep as run_sweep

__all__ = ["DISTRIBUTED_MODULES", "parse_value", "read_grid_file", "summary_table", "sweep"]

DISTRIBUTED_MODULES = ("dask", "distributed", "pandas", "pyarrow")
"""What the ``distributed`` extra installs; a sweep without it says how to install it."""


def parse_value(text: str) -> object:
    """A value of ``--param``: a whole number, a number, true/false, none, or the text."""
    word = text.strip()
    for parse in (int, float):
        try:
            return parse(word)
        except ValueError:
            pass
    lowered = word.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    return word


def _param(option: str) -> tuple[str, list[object]]:
    name, sep, values = option.partition("=")
    if not sep or not name.strip():
        raise InvalidInput(f"--param {option!r}: write NAME=VALUE[,VALUE...]")
    return name.strip(), [parse_value(v) for v in values.split(",")] if values.strip() else []


def read_grid_file(path: Path) -> tuple[dict[str, object], object]:
    """The ``[grid]`` table and the ``seeds`` of a TOML grid file."""
    try:
        document = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path}: not a TOML grid ({error})") from None
    unknown = sorted(set(document) - {"grid", "seeds"})
    if unknown:
        raise InvalidInput(f"{path}: unknown key {unknown[0]!r} (a grid file has seeds and [grid])")
    grid = document.get("grid", {})
    if not isinstance(grid, dict):
        raise InvalidInput(f"{path}: grid must be a table of parameters")
    return dict(grid), document.get("seeds")


def _interval(low: object, high: object) -> str:
    if isinstance(low, float) and isinstance(high, float):
        return f"{low:.3g} .. {high:.3g}"
    return "-"


def summary_table(result: SweepResult, metrics: Sequence[str], confidence: float) -> Table:
    """Per point (a section each) and metric: the runs, the mean and its interval."""
    table = Table(title=f"{result.grid.runs} runs: each point's mean over its seeds")
    table.add_column("point")
    table.add_column("metric")
    table.add_column("runs", justify="right")
    table.add_column("mean", justify="right")
    table.add_column(f"{confidence:.0%} interval", justify="right")
    rows = result.summary_records(metrics, confidence=confidence)
    for number, point in enumerate(result.grid.points):
        mine = rows[number * len(metrics) : (number + 1) * len(metrics)]  # in point order
        for line, row in enumerate(mine):
            mean = row["mean"]
            table.add_row(
                printable(point.label) if line == 0 else "",
                str(row["metric"]),
                str(row["runs"]),
                f"{mean:.3g}" if isinstance(mean, float) else "-",
                _interval(row["ci_low"], row["ci_high"]),
                end_section=line == len(mine) - 1,
            )
    return table


def _axes(
    grid_file: Path | None,
    given: dict[str, list[Any] | None],
    params: list[str],
    seeds: int | None,
) -> tuple[dict[str, object], Any]:
    """The grid's axes and seeds: the file's, then the options' over them."""
    axes: dict[str, object] = {}
    chosen_seeds: Any = None
    if grid_file is not None:
        axes, chosen_seeds = read_grid_file(grid_file)
    axes.update({name: values for name, values in given.items() if values})
    axes.update(_param(option) for option in params)
    if seeds is not None:
        chosen_seeds = seeds
    return axes, 8 if chosen_seeds is None else chosen_seeds


def _engine(loop: bool, scheduler: str | None, workers: int | None) -> tuple[Engine, str]:
    """The engine the options choose, and where it runs, in words."""
    if loop:
        return LoopEngine(), "a plain loop"
    engine = DaskEngine(scheduler=scheduler, workers=workers)
    if scheduler:
        return engine, f"the scheduler at {scheduler}"
    return engine, f"a local cluster of {workers or os.cpu_count() or 1} workers"


def _run(grid: Grid, engine: Engine, signals: bool) -> SweepResult:
    """Run the sweep under a progress bar on standard error (when it is a terminal)."""
    err = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        points = len(grid.points)
        task = bar.add_task(f"Sweeping {points} point{'' if points == 1 else 's'}", total=grid.runs)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run_sweep(grid, engine=engine, progress=report, signals=signals)


def sweep(  # noqa: PLR0917 - typer passes the options by name; one per option
    grid_file: Annotated[
        Path | None,
        typer.Option("--grid", help="A TOML file: seeds = N and a [grid] table of parameters."),
    ] = None,
    policy: Annotated[
        list[str] | None, typer.Option(help="A policy to sweep (execution, performance).")
    ] = None,
    people: Annotated[list[int] | None, typer.Option(help="Head counts to sweep.")] = None,
    weeks: Annotated[list[int] | None, typer.Option(help="Cycle lengths in weeks.")] = None,
    cadence: Annotated[
        list[int] | None, typer.Option(help="Check-in cadences in days (cadence_days).")
    ] = None,
    coaching_effect: Annotated[
        list[float] | None,
        typer.Option(help="Model parameter: share of a shortfall one coaching session closes."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(help="Any model or policy parameter: NAME=VALUE[,VALUE...]."),
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help="Run every point on seeds 0..N-1 (default 8).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            envvar="EXECUTION_CORE_SCHEDULER",
            help="A running Dask scheduler (tcp://HOST:PORT); default: a local cluster.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes of the local cluster.")
    ] = None,
    loop: Annotated[bool, typer.Option("--loop", help="Run in a plain loop, no Dask.")] = False,
    signals: Annotated[
        bool,
        typer.Option(
            "--signals",
            help="Count each run's signals (signals_sent; a replay, several times a run's cost).",
        ),
    ] = False,
    parquet: Annotated[
        Path | None, typer.Option(help="Write one row per run to this Parquet file.")
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="A metric to summarize (default: five of them).")
    ] = None,
    confidence: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Confidence of the intervals.")
    ] = 0.95,
    as_json: AsJson = False,
) -> None:
    """Simulate every point of a grid on every seed and summarize each point (``--json``: one
    summary record a point and metric)."""
    given: dict[str, list[Any] | None] = {
        "policy": policy,
        "people": people,
        "weeks": weeks,
        "cadence_days": cadence,
        "coaching_effect": coaching_effect,
    }
    axes, chosen_seeds = _axes(grid_file, given, param or [], seeds)
    grid = Grid.of(axes, seeds=chosen_seeds)
    metrics = tuple(metric or (*SUMMARY_METRICS, *(("signals_sent",) if signals else ())))
    engine, where = _engine(loop, scheduler, workers)
    started = time.perf_counter()
    try:
        result = _run(grid, engine, signals)
        elapsed = time.perf_counter() - started
        out = err() if as_json else Console()
        if as_json:
            emit(result.summary_records(metrics, confidence=confidence))
        else:
            out.print(summary_table(result, metrics, confidence))
        out.print(
            f"{len(result.runs)} of {grid.runs} runs in {elapsed:.2f} s on {printable(where)}."
        )
        if parquet is not None:
            written = result.to_parquet(parquet)
            out.print(f"Wrote {len(result.runs)} rows to {printable(str(written))}.")
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in DISTRIBUTED_MODULES:
            raise
        raise failure(
            "sweeps need the distributed extra: pip install 'execution-core[distributed]'",
            EXIT_UNAVAILABLE,
        ) from None
    out.print("coaching_effect is a model parameter, not a finding (docs/simulation.md).")
    for failed in result.failures:
        typer.echo(f"execution-core: run failed: {printable(str(failed))}", err=True)
    if result.failures:
        raise typer.Exit(code=EXIT_REFUSED)
