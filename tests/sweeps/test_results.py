"""A sweep's results: one tidy row per run, Parquet that reads back the same, per-point
summaries whose intervals are Student's t, and a plot of a metric against a parameter."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.collections import PolyCollection

from execution_core_adapters.sweeps import BadGrid, LoopEngine, SweepResult, sweep
from execution_core_adapters.sweeps.plots import plot_sweep
from execution_core_adapters.sweeps.stats import mean_interval, t_quantile
from tests.sweeps.conftest import small_grid

matplotlib.use("Agg")

T_TABLE_975 = {1: 12.7062, 2: 4.3027, 3: 3.1824, 5: 2.5706, 10: 2.2281, 30: 2.0423, 120: 1.9799}
"""Student's t at 97.5 %, from the published tables (four decimals)."""


@pytest.fixture(scope="module")
def result() -> SweepResult:
    """The small grid (6 points) on 3 seeds, in a loop."""
    return sweep(small_grid(seeds=3), engine=LoopEngine())


def test_the_frame_has_one_row_per_run_with_the_points_parameters(result: SweepResult) -> None:
    """Given a sweep where performance management has no recoaching interval, when its frame
    is built, then it has one row per run in grid order, the parameters and the seed first,
    recoach_weeks empty for performance, and each run's metrics as its outcome records them."""
    frame = result.frame()

    assert len(frame) == 18
    assert list(frame.columns[:4]) == ["policy", "coaching_effect", "recoach_weeks", "seed"]
    assert frame["seed"].tolist() == [0, 1, 2] * 6
    assert frame.loc[frame["policy"] == "performance", "recoach_weeks"].isna().all()
    for (_, row), run in zip(frame.iterrows(), result.runs, strict=True):
        assert row["policy"] == run.point.policy.name
        for metric, value in run.outcome.to_record().items():
            if metric not in ("policy", "seed") and value is not None:
                assert row[metric] == value


def test_parquet_reads_back_the_same_frame(result: SweepResult, tmp_path: Path) -> None:
    """Given a sweep's results, when written to Parquet and read back, then the frame is
    unchanged."""
    path = result.to_parquet(tmp_path / "sweep.parquet")

    pd.testing.assert_frame_equal(pd.read_parquet(path), result.frame())


def test_a_points_interval_is_its_mean_plus_or_minus_t_standard_errors(
    result: SweepResult,
) -> None:
    """Given 3 seeds per point, when the summary is read, then each point's mean and standard
    deviation are pandas' over its rows, and the interval is the mean +- t(0.975, 2) standard
    errors, t taken from the published table."""
    summary = result.summary(["attainment_mean", "rating_mean"])
    frame = result.frame()

    assert len(summary) == 12
    for _, row in summary.iterrows():
        same = frame["policy"] == row["policy"]
        same &= frame["coaching_effect"] == row["coaching_effect"]
        if not pd.isna(row["recoach_weeks"]):
            same &= frame["recoach_weeks"] == row["recoach_weeks"]
        values = frame.loc[same, row["metric"]]
        half = T_TABLE_975[2] * values.std() / math.sqrt(3)
        assert row["runs"] == 3
        assert row["mean"] == pytest.approx(values.mean())
        assert row["sd"] == pytest.approx(values.std())
        assert row["ci_low"] == pytest.approx(values.mean() - half, abs=1e-4)
        assert row["ci_high"] == pytest.approx(values.mean() + half, abs=1e-4)


@pytest.mark.parametrize(("df", "expected"), sorted(T_TABLE_975.items()))
def test_t_quantiles_match_the_published_table(df: int, expected: float) -> None:
    """Given degrees of freedom, when the 97.5 % quantile of Student's t is computed, then it
    is the published table's value to four decimals."""
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-5)


@given(st.floats(0.55, 0.995), st.integers(1, 400))
def test_t_is_wider_than_the_normal_and_narrows_with_more_seeds(p: float, df: int) -> None:
    """Property, against the standard library's normal distribution as the oracle: for any
    probability above a half, t's quantile lies above the normal's, is symmetric, and shrinks
    as the degrees of freedom grow."""
    normal = statistics.NormalDist().inv_cdf(p)

    assert t_quantile(p, df) > normal - 1e-9
    assert t_quantile(p, df + 1) <= t_quantile(p, df) + 1e-9
    assert t_quantile(1 - p, df) == pytest.approx(-t_quantile(p, df))


def test_one_value_has_a_mean_but_no_interval() -> None:
    """Given a single run, when its interval is asked, then it has a mean and no spread."""
    interval = mean_interval([0.8])

    assert (interval.runs, interval.mean, interval.sd, interval.low) == (1, 0.8, None, None)


def test_the_plot_draws_a_line_and_a_band_per_policy_and_other_parameter(
    result: SweepResult,
) -> None:
    """Given a sweep of two policies, two coaching effects and (for execution) two recoaching
    intervals, when attainment is plotted against the coaching effect, then there are three
    lines (execution at each interval, performance), each over the two effects, each with a
    band; plotting against the policy is refused."""
    figure = plot_sweep(result, "attainment_mean", against="coaching_effect")
    ax = figure.axes[0]

    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["execution, recoach_weeks=1", "execution, recoach_weeks=4", "performance"]
    assert all(np.asarray(line.get_xdata()).tolist() == [0.0, 0.5] for line in ax.get_lines())
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 3
    with pytest.raises(BadGrid, match="policy"):
        plot_sweep(result, "attainment_mean", against="policy")
