"""Counterfactual sweeps: fork a recorded simulation at a week and sweep what happens after it.

Each point of the grid is a branch: the history's own model and seed, its policy before week
T and the point's policy from T on (what :func:`execution_core_adapters.simulate.fork` does
for one branch), one job per point on any engine. Each branch checks on its worker that its
events before the fork are the recorded history's, byte for byte (the digest of their export
lines), so a branch that is not a fork of this history fails rather than being compared.

Only the policies can change after T: the model (the world: trajectories, the coaching
effect) is the history's, so a model parameter in the grid is refused. A history that was
not simulated cannot be re-played (the simulator does not know its hidden trajectories):
edit it with ``fork_events`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from execution_core.event import Event
from execution_core.simulation import ManagementPolicy, Model, RunOutcome, week_start
from execution_core_adapters.simulate import Simulation, simulate
from execution_core_adapters.sweeps.engines import DaskEngine, Engine, Job, Progress
from execution_core_adapters.sweeps.grid import POLICY, BadGrid, Grid
from execution_core_adapters.sweeps.results import SUMMARY_METRICS, SweepResult
from execution_core_adapters.sweeps.running import gather
from execution_core_adapters.transfer import event_line

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BranchPlan",
    "CounterfactualSweep",
    "NotAFork",
    "counterfactual_sweep",
    "history_digest",
    "run_branch",
]

_MODEL_FIELDS = frozenset(field.name for field in attrs.fields(Model))


def history_digest(events: Iterable[Event]) -> str:
    """The SHA-256 of the events' canonical export lines, in order."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(event_line(event))
    return digest.hexdigest()


class NotAFork(Exception):
    """A branch whose history before the fork is not the recorded one's."""


@attrs.frozen(kw_only=True)
class BranchPlan:
    """What one branch re-plays: the history's model, policy and seed, the week of the fork,
    the policy from then on, and the digest of the recorded events before the fork."""

    model: Model
    policy: ManagementPolicy
    seed: int
    at_week: int
    other: ManagementPolicy
    before: str


def run_branch(plan: BranchPlan) -> RunOutcome:
    """One branch (a job): the simulation re-played with ``plan.other`` from ``plan.at_week``
    on, its events before the fork checked against the recorded history's digest."""
    fork_at = week_start(plan.model, plan.at_week)
    with simulate(
        plan.model, plan.policy, seed=plan.seed, switch=(plan.at_week, plan.other)
    ) as branch:
        if history_digest(e for e in branch.history() if e.occurred_at < fork_at) != plan.before:
            raise NotAFork("the history before the fork is not the recorded one's")
        return attrs.evolve(branch.outcome(), policy=plan.other.name)


@attrs.frozen
class CounterfactualSweep:
    """The recorded history's outcome, the fork, and every branch's (one run per point)."""

    original: RunOutcome
    at_week: int
    result: SweepResult

    def difference_records(
        self, metrics: Iterable[str] = SUMMARY_METRICS
    ) -> list[dict[str, object]]:
        """Per branch and metric: the parameters, the original's value, the branch's and the
        difference (branch minus original; None where either is undefined)."""
        original = self.original.to_record()
        rows: list[dict[str, object]] = []
        chosen = tuple(metrics)
        for run in self.result.runs:
            record = self.result.record(run)
            for metric in chosen:
                a, b = original.get(metric), record.get(metric)
                numbers = isinstance(a, int | float) and isinstance(b, int | float)
                rows.append(
                    {
                        **{name: record[name] for name in self.result.grid.parameters},
                        "metric": metric,
                        "original": a,
                        "branch": b,
                        "difference": b - a if numbers else None,  # type: ignore[operator]
                    }
                )
        return rows

    def differences(self, metrics: Iterable[str] = SUMMARY_METRICS) -> pd.DataFrame:
        """:meth:`difference_records` as a frame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.difference_records(metrics))


def counterfactual_sweep(
    history: Simulation,
    *,
    at_week: int,
    grid: Mapping[str, object],
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> CounterfactualSweep:
    """Fork ``history`` (a recorded simulation) at Monday 00:00 of week ``at_week`` and play
    each point of ``grid`` from then on: the ``policy`` axis (default: the history's own
    policy) and any policy parameter. Checked before anything runs (:class:`BadGrid`)."""
    run = history.run
    if run is None or history.policy is None:
        raise BadGrid("history", "only a simulation can be re-played: use fork_events")
    if run.switch_week is not None:
        raise BadGrid("history", "fork the original simulation, not a branch of it")
    if isinstance(at_week, bool) or not isinstance(at_week, int):
        raise BadGrid("at_week", f"{at_week!r} is not a week number")
    if not 0 <= at_week <= run.model.weeks:
        raise BadGrid("at_week", f"must be within 0..{run.model.weeks}, got {at_week}")
    for name in grid:
        if name in _MODEL_FIELDS:
            raise BadGrid(name, "a model parameter: a counterfactual keeps the history's model")
    axes = dict(grid)
    axes.setdefault(POLICY, [history.policy])
    checked = Grid.of(axes, seeds=[run.seed], model=run.model)
    fork_at = week_start(run.model, at_week)
    before = history_digest(e for e in history.history() if e.occurred_at < fork_at)
    jobs = [
        (
            point,
            run.seed,
            Job(
                run_branch,
                (
                    BranchPlan(
                        model=run.model,
                        policy=history.policy,
                        seed=run.seed,
                        at_week=at_week,
                        other=point.policy,
                        before=before,
                    ),
                ),
            ),
        )
        for point in checked.points
    ]
    result = gather(checked, jobs, engine or DaskEngine(), progress)
    return CounterfactualSweep(history.outcome(), at_week, result)
