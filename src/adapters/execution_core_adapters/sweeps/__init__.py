"""Sweeps: many simulated organizations over a grid of parameters, on one machine or a Dask
cluster, with the same code and the same results (the ``distributed`` extra).

A :class:`Grid` declares the policies and any parameter of the model or of a policy, each
with its values, and the seeds; :func:`sweep` runs one job per (point, seed) on an engine
(:class:`LoopEngine`, or :class:`DaskEngine`: a local cluster by default, a running
scheduler by address or ``$EXECUTION_CORE_SCHEDULER``) and returns a :class:`SweepResult`
(a tidy frame, Parquet, summaries with confidence intervals; failed runs with their point
and seed). :func:`counterfactual_sweep` forks a recorded simulation at a week and sweeps
what happens after it. :func:`plot_sweep` draws a metric against a parameter.
See docs/sweeps.md.
"""

from __future__ import annotations

from execution_core_adapters.sweeps.counterfactual import (
    CounterfactualSweep,
    counterfactual_sweep,
    run_branch,
)
from execution_core_adapters.sweeps.engines import (
    LOCAL_WORKER_CONFIG,
    SCHEDULER_ENV,
    DaskEngine,
    Engine,
    Job,
    LoopEngine,
    NotFinished,
    Progress,
    local_cluster,
    scheduler_address,
)
from execution_core_adapters.sweeps.grid import POLICIES, BadGrid, Grid, Point, Value
from execution_core_adapters.sweeps.progress import notebook_bar
from execution_core_adapters.sweeps.results import SUMMARY_METRICS, Run, RunFailure, SweepResult
from execution_core_adapters.sweeps.running import sweep

__all__ = [
    # the grid
    "Grid",
    "Point",
    "Value",
    "BadGrid",
    "POLICIES",
    # running it
    "sweep",
    "Engine",
    "LoopEngine",
    "DaskEngine",
    "Job",
    "Progress",
    "NotFinished",
    "SCHEDULER_ENV",
    "scheduler_address",
    "local_cluster",
    "LOCAL_WORKER_CONFIG",
    "notebook_bar",
    # results
    "SweepResult",
    "Run",
    "RunFailure",
    "SUMMARY_METRICS",
    # counterfactuals
    "counterfactual_sweep",
    "CounterfactualSweep",
    "run_branch",
]
