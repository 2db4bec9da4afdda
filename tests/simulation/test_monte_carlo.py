"""Monte Carlo: distributions of outcomes, the same in one process or several, and a sanity
check of the model (not a finding: the effect of coaching is the model's own parameter)."""

from __future__ import annotations

import math
import statistics

import pytest

from execution_core.simulation import (
    METRICS,
    ExecutionManagement,
    Model,
    MonteCarlo,
    PerformanceManagement,
)
from execution_core_adapters.simulate import monte_carlo, run_outcome

SEEDS = range(8)
POLICIES = [PerformanceManagement(), ExecutionManagement()]


def _gap_in_standard_errors(mc: MonteCarlo, metric: str) -> float:
    """(execution - performance) / standard error of the difference of the two means."""
    a = mc.values("performance", metric)
    b = mc.values("execution", metric)
    error = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    difference = statistics.fmean(b) - statistics.fmean(a)
    if error == 0.0:
        return 0.0 if difference == 0.0 else math.copysign(math.inf, difference)
    return difference / error


def test_without_a_coaching_effect_the_policies_attain_alike() -> None:
    """Given coaching_effect 0 (the model says coaching changes nothing), when both policies
    play the same seeds, then their attainment against the original targets differs by less
    than three standard errors: the simulator adds no effect of its own. A sanity test of the
    model, not a finding."""
    mc = monte_carlo(Model(people=12, weeks=8, coaching_effect=0.0), POLICIES, seeds=SEEDS)
    assert abs(_gap_in_standard_errors(mc, "attainment_original_mean")) < 3.0


def test_with_a_coaching_effect_execution_management_attains_more() -> None:
    """Given coaching_effect 0.6 (the model says a session closes 60 % of a shortfall), when
    both policies play the same seeds, then execution management's attainment is higher by
    more than three standard errors: the model does what its parameter says."""
    mc = monte_carlo(Model(people=12, weeks=8, coaching_effect=0.6), POLICIES, seeds=SEEDS)
    assert _gap_in_standard_errors(mc, "attainment_original_mean") > 3.0


def test_worker_processes_give_the_same_runs() -> None:
    """Given two worker processes, when the same batch runs, then the runs are the ones a
    single process computes, in the same order."""
    model = Model(people=6, weeks=4)
    alone = monte_carlo(model, POLICIES, seeds=[3, 4], processes=1)
    pooled = monte_carlo(model, POLICIES, seeds=[3, 4], processes=2)
    assert pooled == alone
    assert [(r.policy, r.seed) for r in alone.runs] == [
        ("performance", 3),
        ("performance", 4),
        ("execution", 3),
        ("execution", 4),
    ]
    assert alone.runs[0] == run_outcome(model, PerformanceManagement(), 3)


def test_records_are_plain_values() -> None:
    """Given a batch, then its records and summary are flat dicts of str, int, float or None
    (ready for any table library), one per run and one per policy and metric."""
    mc = monte_carlo(Model(people=5, weeks=3), POLICIES, seeds=2)
    records = mc.to_records()
    assert len(records) == 4
    summary = mc.summary_records()
    assert len(summary) == 2 * len(METRICS)
    for row in [*records, *summary]:
        assert all(isinstance(v, str | int | float | type(None)) for v in row.values())
    execution = mc.of("execution")[0]
    assert execution.to_record()["coaching_per_manager_max"] == max(
        execution.coaching_per_manager, default=0
    )
    assert summary[0]["mean"] == pytest.approx(
        statistics.fmean(mc.values("performance", "attainment_mean"))
    )
