"""Counterfactuals: a fork never touches the original, and differs from it only after T."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Event, Execution
from execution_core.errors import InvalidInput
from execution_core.events import TargetAdjusted
from execution_core.simulation import (
    ExecutionManagement,
    Model,
    PerformanceManagement,
    branch_events,
)
from execution_core_adapters.cli.demo import SEASON_START, SeasonClock, record_season
from execution_core_adapters.simulate import Simulation, compare, drop, fork, fork_events, simulate
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import event_line, export_lines

MODEL = Model(people=12, weeks=10, reach_mean=0.7)
"""A world where many targets turn infeasible, so execution management adjusts some."""


@pytest.fixture(scope="module")
def original() -> Simulation:
    """Execution management, weekly check-ins, seed 11."""
    return simulate(MODEL, ExecutionManagement(), seed=11)


def _snapshot(simulation: Simulation) -> tuple[int, list[bytes]]:
    return simulation.execution.store.last_position(), simulation.export_lines()


def _lines(events: list[Event]) -> list[bytes]:
    return [event_line(event) for event in events]


def test_forks_and_comparisons_leave_the_original_untouched(original: Simulation) -> None:
    """Given a simulated history, when it is forked (re-played and edited) and compared, then
    its store holds exactly the same events, byte for byte, as before."""
    before = _snapshot(original)
    branch = fork(original, at_week=4, policy=PerformanceManagement())
    edited = fork_events(original, at=branch.fork_at, changes=[drop(TargetAdjusted)])
    compare(original, branch)
    compare(original, edited)
    assert _snapshot(original) == before
    assert branch.execution.store is not original.execution.store


def test_a_replayed_branch_differs_only_after_the_fork(original: Simulation) -> None:
    """Given a simulation forked at week 4 with another policy, then every event that happened
    before the fork is the original's, byte for byte and in the same order, and the two
    histories differ after it."""
    branch = fork(original, at_week=4, policy=ExecutionManagement(cadence_days=28))
    at = branch.fork_at
    mine, theirs = original.history(), branch.history()
    assert _lines([e for e in mine if e.occurred_at < at]) == _lines(
        [e for e in theirs if e.occurred_at < at]
    )
    assert _lines([e for e in mine if e.occurred_at >= at]) != _lines(
        [e for e in theirs if e.occurred_at >= at]
    )
    comparison = compare(original, branch)
    assert comparison.a.coaching_sessions != comparison.b.coaching_sessions or (
        comparison.a.events != comparison.b.events
    )


def test_dropping_target_adjustments_after_t(original: Simulation) -> None:
    """Given a history with target adjustments after T, when forked with them dropped, then
    the branch keeps every other event (versions renumbered), has no adjustment after T, and
    the comparison shows fewer adjustments and an attainment against the original targets."""
    at = original.run.starts_at + timedelta(weeks=4)  # type: ignore[union-attr]
    history = original.history()
    adjusted = [e for e in history if isinstance(e, TargetAdjusted) and e.occurred_at >= at]
    assert adjusted, "the model should make some targets infeasible"
    branch = fork_events(original, at=at, changes=[drop("goal.TargetAdjusted")])
    theirs = branch.history()
    assert len(theirs) == len(history) - len(adjusted)
    assert not any(isinstance(e, TargetAdjusted) and e.occurred_at >= at for e in theirs)
    comparison = compare(original, branch)
    assert comparison.b.target_adjustments == comparison.a.target_adjustments - len(adjusted)
    assert comparison.b.attainment_mean == pytest.approx(comparison.b.original_attainment_mean)
    changed = {g.goal_id for g in comparison.changed_goals}
    assert changed <= {e.stream_id for e in adjusted}
    records = comparison.to_records()
    assert len(records) == len(comparison.goals)
    assert {"progress_original", "progress_branch", "difference"} <= records[0].keys()
    metrics = {row["metric"] for row in comparison.summary_records()}
    assert {"attainment_mean", "target_adjustments", "coaching_sessions"} <= metrics


def test_a_recorded_time_fork_keeps_what_the_system_knew(original: Simulation) -> None:
    """Given T as a recorded time, when forked with everything after it dropped, then the
    branch is exactly the events recorded before T (what the system knew then)."""
    history = original.history()
    at = history[len(history) // 2].recorded_at
    everything = [type(e) for e in history]
    branch = fork_events(original, at=at, clock="recorded", changes=[drop(*set(everything))])
    assert _lines(branch.history()) == _lines([e for e in history if e.recorded_at < at])


def test_a_fork_must_replay_a_simulation(original: Simulation) -> None:
    """Given a history that is not a simulation (a branch of edited events), when re-played,
    then InvalidInput: only fork_events can branch it."""
    edited = fork_events(original, at=original.latest(), changes=[])
    assert edited.run is None
    with pytest.raises(InvalidInput, match="only a simulation"):
        fork(edited, at_week=2, policy=PerformanceManagement())


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_branch_events_renumbers_streams_and_keeps_the_past(
    original: Simulation, data: st.DataObject
) -> None:
    """Given any fork time and any kinds dropped (the property), then events before T are the
    same objects, each stream's versions run 1..n without gaps (the oracle: a fresh count per
    stream), and every event left out was of a dropped kind at or after T."""
    history = original.history()
    at: datetime = data.draw(st.sampled_from([e.occurred_at for e in history]))
    kinds = sorted({type(e).name for e in history})
    dropped = data.draw(st.sets(st.sampled_from(kinds), max_size=3))
    branch = branch_events(history, at=at, changes=[drop(*dropped)])
    assert [e for e in branch if e.occurred_at < at] == [e for e in history if e.occurred_at < at]
    versions: dict[UUID, list[int]] = defaultdict(list)
    for event in branch:
        versions[event.stream_id].append(event.version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    left_out = len(history) - len(branch)
    assert left_out == sum(1 for e in history if e.occurred_at >= at and type(e).name in dropped)


def test_a_recorded_history_forks_too() -> None:
    """Given the demo season (recorded through the facade, not simulated), when forked at
    business time week 10 with its target adjustment dropped, then the branch has no
    adjustment, the demo's store is unchanged, and the adjusted goal is the only one that
    differs (the goal above it has key results of its own: nothing rolls up)."""
    clock = SeasonClock()
    execution = Execution(open_store("memory://", clock=clock))
    season = record_season(execution, clock)
    before = list(export_lines(execution.store))
    at = datetime.combine(SEASON_START, datetime.min.time(), tzinfo=UTC) + timedelta(weeks=10)
    branch = fork_events(execution, at=at, changes=[drop("goal.TargetAdjusted")])
    assert list(export_lines(execution.store)) == before
    recorded = Simulation(execution, season.cycle_id)
    comparison = compare(recorded, branch)
    assert comparison.a.target_adjustments == 1
    assert comparison.b.target_adjustments == 0
    assert {g.goal_id for g in comparison.changed_goals} == {season.goals["finn"]}
    assert {g.goal_id for g in comparison.goals if g.adjustments_a} == {season.goals["finn"]}
