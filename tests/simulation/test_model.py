"""The model's laws: a trajectory does what its parameters say, and nothing else."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core.simulation import Model, Trajectory
from execution_core.simulation.trajectory import HIGHEST, LOWEST


def _quiet(reach: float, weeks: int) -> Trajectory:
    return Trajectory(
        random.Random(1), weeks=weeks, reach=reach, noise=0.0, shock_rate=0.0, shock_size=0.0
    )


@given(
    reach=st.floats(0.0, 1.0),
    weeks=st.integers(2, 60),
    week=st.integers(0, 58),
    effect=st.floats(0.0, 1.0),
)
def test_a_session_closes_its_share_of_the_projected_shortfall(
    reach: float, weeks: int, week: int, effect: float
) -> None:
    """Given a key result with no noise and no shocks (so its course is a straight line to
    ``reach``), when coached once at the end of a week, then it ends at its projection plus
    ``coaching_effect`` times the shortfall that projection left (the oracle: the formula of
    docs/simulation.md), and without coaching exactly at ``reach``."""
    week = min(week, weeks - 1)
    coached, alone = _quiet(reach, weeks), _quiet(reach, weeks)
    for w in range(weeks):
        coached.advance()
        alone.advance()
        if w == week:
            coached.coach(effect)
    assert alone.progress == pytest.approx(reach)
    left = weeks - 1 - week
    shortfall = max(0.0, 1.0 - reach) if left else 0.0
    assert coached.progress == pytest.approx(min(HIGHEST, reach + effect * shortfall))


@given(seed=st.integers(0, 1000), shocks=st.floats(0.0, 1.0))
def test_progress_stays_within_its_bounds(seed: int, shocks: float) -> None:
    """Given any luck, then a trajectory's progress never leaves LOWEST..HIGHEST."""
    trajectory = Trajectory(
        random.Random(seed), weeks=30, reach=1.0, noise=0.5, shock_rate=shocks, shock_size=1.0
    )
    for _ in range(30):
        assert LOWEST <= trajectory.advance() <= HIGHEST


@pytest.mark.parametrize(
    "fields",
    [{"people": 1}, {"weeks": 1}, {"span": 1}, {"coaching_effect": 1.5}, {"noise": -0.1}],
)
def test_a_model_refuses_parameters_out_of_range(fields: dict[str, float]) -> None:
    """Given a parameter out of its range, then Model refuses it with ValueError."""
    with pytest.raises(ValueError, match="must be"):
        Model(**fields)  # type: ignore[arg-type]
