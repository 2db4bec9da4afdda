"""Simulation: play whole organizations through the facade, fork histories, compare policies.

A seeded, deterministic simulator (pure: no I/O, no wall clock) builds an organization, a
strategy and cascaded goals from a :class:`Model`, then plays a cycle week by week: each key
result follows a hidden trajectory, and a *management policy* decides what people do, seeing
only what was recorded. Every act goes through :class:`~execution_core.Execution` as the
command a person would issue, so a simulation yields a real event stream and every view works
on it. ``coaching_effect`` is a stated model parameter, never a finding. An adapter runs
it against a store, forks histories and runs Monte Carlo batches; see docs/simulation.md.
"""

from __future__ import annotations

from execution_core.simulation.blueprint import (
    Blueprint,
    GoalPlan,
    KeyResultPlan,
    PersonPlan,
    ThemePlan,
    UnitPlan,
    blueprint,
)
from execution_core.simulation.counterfactual import (
    Change,
    Comparison,
    ForkClock,
    GoalComparison,
    PersonComparison,
    branch_events,
    compare_ledgers,
    drop,
)
from execution_core.simulation.engine import (
    RECORDING_LAG,
    SimulationClock,
    SimulationRun,
    cycle_instants,
    run_simulation,
    week_start,
)
from execution_core.simulation.model import Model
from execution_core.simulation.observation import (
    Board,
    GoalView,
    KeyResultView,
    PersonView,
    Situation,
)
from execution_core.simulation.outcome import METRICS, MonteCarlo, RunOutcome, outcome_of
from execution_core.simulation.policies import (
    Act,
    AdjustTarget,
    Appraise,
    BasePolicy,
    CheckIn,
    Coach,
    ExecutionManagement,
    ManagementPolicy,
    PerformanceManagement,
    Review,
)
from execution_core.simulation.trajectory import Trajectory

__all__ = [
    # the model and the engine
    "Model",
    "run_simulation",
    "SimulationRun",
    "SimulationClock",
    "RECORDING_LAG",
    "cycle_instants",
    "week_start",
    "Trajectory",
    "blueprint",
    "Blueprint",
    "PersonPlan",
    "UnitPlan",
    "ThemePlan",
    "GoalPlan",
    "KeyResultPlan",
    # policies and what they see
    "ManagementPolicy",
    "BasePolicy",
    "PerformanceManagement",
    "ExecutionManagement",
    "Act",
    "CheckIn",
    "Coach",
    "AdjustTarget",
    "Review",
    "Appraise",
    "Situation",
    "GoalView",
    "KeyResultView",
    "PersonView",
    "Board",
    # outcomes
    "RunOutcome",
    "MonteCarlo",
    "METRICS",
    "outcome_of",
    # counterfactuals
    "Change",
    "drop",
    "branch_events",
    "compare_ledgers",
    "Comparison",
    "ForkClock",
    "GoalComparison",
    "PersonComparison",
]
