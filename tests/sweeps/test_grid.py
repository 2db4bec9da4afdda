"""A grid is checked before anything runs: a bad one is refused with the parameter named, and
a good one expands into the points its policies make."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs
import pytest

from execution_core.errors import InvalidInput
from execution_core.simulation import ExecutionManagement, Model
from execution_core_adapters.sweeps import BadGrid, Grid, Job, LoopEngine, Progress, sweep
from tests.sweeps.conftest import SMALL


@attrs.define
class CountingEngine:
    """The loop engine, counting the jobs it was handed."""

    handed: int = 0

    def run(
        self, jobs: Sequence[Job], progress: Progress | None = None
    ) -> Iterator[tuple[int, object]]:
        """Count the jobs, then run them in a loop."""
        self.handed += len(jobs)
        return LoopEngine().run(jobs, progress)


BAD_GRIDS = [
    pytest.param({"coaching_efect": [0.1]}, 4, "coaching_efect", "unknown parameter", id="unknown"),
    pytest.param({"coaching_effect": []}, 4, "coaching_effect", "empty range", id="empty-range"),
    pytest.param({"policy": []}, 4, "policy", "empty range", id="no-policy"),
    pytest.param({"people": [10]}, 0, "seeds", "empty range", id="no-seed"),
    pytest.param({"people": [10]}, [], "seeds", "empty range", id="empty-seeds"),
    pytest.param(
        {"coaching_effect": [0.2, 1.5]}, 4, "coaching_effect", "within 0..1", id="model-range"
    ),
    pytest.param({"people": [10, 1]}, 4, "people", "at least 2", id="too-few-people"),
    pytest.param({"cadence_days": [7, 0]}, 4, "cadence_days", "at least 1", id="policy-range"),
    pytest.param({"people": [10.5]}, 4, "people", "10.5 is not a whole number", id="wrong-type"),
    pytest.param(
        {"developmental": [1]}, 4, "developmental", "1 is not true or false", id="not-a-bool"
    ),
    pytest.param({"policy": ["coaching"]}, 4, "policy", "unknown policy", id="unknown-policy"),
    pytest.param({"weeks": [4, 4]}, 4, "weeks", "repeated", id="repeated-value"),
    pytest.param({"noise": [0, 0.0]}, 4, "noise", "repeated", id="same-number"),
    pytest.param({"people": [10]}, [1, 1], "seeds", "repeated", id="repeated-seed"),
    pytest.param(
        {"policy": ["performance"], "recoach_weeks": [2]},
        4,
        "recoach_weeks",
        "unknown parameter",
        id="no-policy-has-it",
    ),
    pytest.param(
        {"policy": ["execution", ExecutionManagement(cadence_days=14)]},
        4,
        "policy",
        "two policies named 'execution'",
        id="same-name",
    ),
]


@pytest.mark.parametrize(("axes", "seeds", "parameter", "says"), BAD_GRIDS)
def test_a_bad_grid_is_refused_before_anything_runs_with_the_parameter_named(
    axes: dict[str, object], seeds: object, parameter: str, says: str
) -> None:
    """Given a grid with an unknown parameter, an empty range, a value the model or a policy
    refuses, or a value of the wrong type, when it is swept, then BadGrid (an InvalidInput)
    names the parameter and no run is handed to the engine."""
    engine = CountingEngine()

    with pytest.raises(BadGrid) as refused:
        sweep(axes, seeds=seeds, model=SMALL, engine=engine)  # type: ignore[arg-type]

    assert refused.value.parameter == parameter
    assert str(refused.value).startswith(f"{parameter}: ")
    assert says in str(refused.value)
    assert isinstance(refused.value, InvalidInput)
    assert engine.handed == 0


def test_the_models_own_validation_decides_the_range() -> None:
    """Given a value the Model itself refuses, when it is in a grid, then the grid's refusal
    carries the Model's own message after the parameter's name."""
    with pytest.raises(InvalidInput) as by_the_model:
        Model(shock_rate=2.0)
    with pytest.raises(BadGrid) as by_the_grid:
        Grid.of({"shock_rate": [0.1, 2.0]})

    assert str(by_the_grid.value) == f"shock_rate: {by_the_model.value}"


def test_a_policy_parameter_varies_only_the_policies_that_have_it() -> None:
    """Given execution and performance management with two recoaching intervals and two
    coaching effects, when the grid expands, then execution has 4 points, performance 2 (it
    has no recoaching interval), and each point's model and policy carry its values."""
    grid = Grid.of(
        {
            "policy": ["execution", "performance"],
            "coaching_effect": [0, 0.5],
            "recoach_weeks": [1, 4],
        },
        seeds=[3, 5],
        model=SMALL,
    )

    assert grid.parameters == ("policy", "coaching_effect", "recoach_weeks")
    assert grid.seeds == (3, 5)
    assert [p.label for p in grid.points] == [
        "policy=execution, coaching_effect=0.0, recoach_weeks=1",
        "policy=execution, coaching_effect=0.0, recoach_weeks=4",
        "policy=execution, coaching_effect=0.5, recoach_weeks=1",
        "policy=execution, coaching_effect=0.5, recoach_weeks=4",
        "policy=performance, coaching_effect=0.0",
        "policy=performance, coaching_effect=0.5",
    ]
    assert grid.runs == 12
    third = grid.points[2]
    assert third.model == attrs.evolve(SMALL, coaching_effect=0.5)
    assert third.policy == ExecutionManagement(recoach_weeks=1)
    assert grid.points[4].policy.name == "performance"


def test_a_policy_value_of_ones_own_is_the_base_its_parameters_vary() -> None:
    """Given a policy value with its own parameters, when the grid varies one of them, then
    each point's policy is that value with the grid's value, the rest kept."""
    base = ExecutionManagement(name="monthly", cadence_days=28, adjust_targets=False)

    grid = Grid.of({"policy": [base], "recoach_weeks": [2, 8]}, seeds=1)

    assert [p.policy for p in grid.points] == [
        attrs.evolve(base, recoach_weeks=2),
        attrs.evolve(base, recoach_weeks=8),
    ]
    assert grid.points[0].as_dict() == {"policy": "monthly", "recoach_weeks": 2}
