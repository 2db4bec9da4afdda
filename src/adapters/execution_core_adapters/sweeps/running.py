"""Run a grid: one job per (point, seed), on any engine, gathered in the grid's order.

Each run is :func:`execution_core_adapters.simulate.run_outcome`: the point's model and
policy simulated on the seed in a fresh in-memory store, its outcome read from the views.
The simulation is deterministic, so the same seed gives the same outcome whichever engine
runs it.
"""

from __future__ import annotations

from collections.abc import Mapping

from execution_core.simulation import Model, RunOutcome
from execution_core_adapters.simulate import run_outcome
from execution_core_adapters.sweeps.engines import DaskEngine, Engine, Job, Progress
from execution_core_adapters.sweeps.grid import Grid, Point
from execution_core_adapters.sweeps.results import Run, RunFailure, SweepResult

__all__ = ["failure_text", "gather", "sweep"]


def failure_text(error: BaseException) -> str:
    """A failed run's error in one line: its type and message."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def gather(
    grid: Grid,
    jobs: list[tuple[Point, int, Job]],
    engine: Engine,
    progress: Progress | None,
) -> SweepResult:
    """Run the jobs on the engine; the outcomes in job order, the failures beside them."""
    finished: dict[int, object] = {}
    if progress is not None:
        progress(0, len(jobs))
    for index, result in engine.run([job for _, _, job in jobs], progress):
        if index in finished:  # an engine's contract; a rescheduled task must not count twice
            raise RuntimeError(f"run {index} was reported twice")
        finished[index] = result
    runs: list[Run] = []
    failures: list[RunFailure] = []
    for index, (point, seed, _) in enumerate(jobs):
        result = finished.get(index)
        if isinstance(result, BaseException):
            failures.append(RunFailure(point, seed, failure_text(result)))
        elif isinstance(result, RunOutcome):
            runs.append(Run(point, seed, result))
        elif index not in finished:
            failures.append(RunFailure(point, seed, "the engine never reported this run"))
        else:
            failures.append(RunFailure(point, seed, f"not an outcome: {type(result).__name__}"))
    return SweepResult(grid, tuple(runs), tuple(failures))


def sweep(
    grid: Grid | Mapping[str, object],
    *,
    seeds: int | None = None,
    model: Model | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    signals: bool = False,
) -> SweepResult:
    """Run every point of ``grid`` on every seed (a mapping is checked as
    ``Grid.of(grid, seeds=seeds, model=model)`` first, before anything runs). The engine is
    a local Dask cluster sized to the machine unless one is given (``LoopEngine()``,
    ``DaskEngine(scheduler=...)``). ``signals`` adds each run's ``signals_sent`` (a replay of
    its history: several times the cost of the run itself)."""
    if not isinstance(grid, Grid):
        grid = Grid.of(grid, seeds=8 if seeds is None else seeds, model=model)
    jobs = [
        (point, seed, Job(run_outcome, (point.model, point.policy, seed, signals)))
        for point in grid.points
        for seed in grid.seeds
    ]
    return gather(grid, jobs, engine or DaskEngine(), progress)
