"""Counterfactual sweeps: a recorded simulation forked at a week, each point of a grid played
from then on, each branch the same as the one `fork` makes; the model cannot change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from distributed import Client

from execution_core.simulation import ExecutionManagement, Model
from execution_core_adapters.simulate import Simulation, fork, fork_events, simulate
from execution_core_adapters.sweeps import (
    BadGrid,
    DaskEngine,
    LoopEngine,
    counterfactual_sweep,
)


@pytest.fixture(scope="module")
def history() -> Iterator[Simulation]:
    """A recorded simulation: 8 people, 6 weeks, execution management, seed 3."""
    with simulate(Model(people=8, weeks=6), ExecutionManagement(), seed=3) as recorded:
        yield recorded


GRID = {"policy": ["performance", ExecutionManagement()], "cadence_days": [7, 21]}


def test_each_branch_is_the_one_fork_makes(history: Simulation, client: Client) -> None:
    """Given a recorded simulation and a grid of policies and cadences, when it is forked at
    week 2 and swept in a loop and on a local cluster, then each point's outcome is the
    outcome of `fork` with that point's policy, on both engines, and the differences are
    the branch's value minus the original's."""
    in_a_loop = counterfactual_sweep(history, at_week=2, grid=GRID, engine=LoopEngine())
    on_dask = counterfactual_sweep(
        history, at_week=2, grid=GRID, engine=DaskEngine(client=client, timeout=300)
    )

    assert [p.label for p in in_a_loop.result.grid.points] == [
        "policy=performance, cadence_days=7",
        "policy=performance, cadence_days=21",
        "policy=execution, cadence_days=7",
        "policy=execution, cadence_days=21",
    ]
    assert not in_a_loop.result.failures
    assert not on_dask.result.failures
    for run, other in zip(in_a_loop.result.runs, on_dask.result.runs, strict=True):
        with fork(history, at_week=2, policy=run.point.policy) as branch:
            assert run.outcome == branch.outcome()
        assert other.outcome == run.outcome
    assert in_a_loop.original == history.outcome()
    row = in_a_loop.difference_records(["coaching_sessions"])[0]
    first = in_a_loop.result.runs[0].outcome.coaching_sessions
    assert row["original"] == history.outcome().coaching_sessions
    assert row["difference"] == first - history.outcome().coaching_sessions
    assert len(in_a_loop.differences()) == 4 * 5


def test_a_counterfactual_keeps_the_model_and_its_week(history: Simulation) -> None:
    """Given a grid naming a model parameter, a week outside the cycle, or a history that was
    not simulated, when a counterfactual sweep is asked, then BadGrid names what is wrong."""
    cases: list[tuple[dict[str, object], int, Simulation, str]] = [
        ({"coaching_effect": [0.5]}, 2, history, "coaching_effect"),
        ({"cadence_days": [0]}, 2, history, "cadence_days"),
        ({}, 7, history, "at_week"),
    ]
    for grid, week, source, parameter in cases:
        with pytest.raises(BadGrid) as refused:
            counterfactual_sweep(source, at_week=week, grid=grid, engine=LoopEngine())
        assert refused.value.parameter == parameter
    with fork_events(history, at=history.latest()) as edited:
        with pytest.raises(BadGrid) as refused:
            counterfactual_sweep(edited, at_week=2, grid={}, engine=LoopEngine())
        assert refused.value.parameter == "history"
