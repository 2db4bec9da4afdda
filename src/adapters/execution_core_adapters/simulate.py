"""Simulations against a real store: run, fork, compare, and Monte Carlo batches.

The engine lives in the pure core (:mod:`execution_core.simulation`); this module gives it a
store (in memory by default, any store URL) whose clock follows the simulation, forks
histories into separate in-memory stores (the original is only read), and runs many seeds in
worker processes. See docs/simulation.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Self
from uuid import UUID

import attrs

from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.service import Execution
from execution_core.signals import replay_signals
from execution_core.simulation import (
    Change,
    Comparison,
    ExecutionManagement,
    ForkClock,
    ManagementPolicy,
    Model,
    MonteCarlo,
    RunOutcome,
    SimulationClock,
    SimulationRun,
    branch_events,
    compare_ledgers,
    drop,
    outcome_of,
    run_simulation,
    week_start,
)
from execution_core.views.ledger import Ledger
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import event_line, export_lines, import_lines

__all__ = [
    "Branch",
    "Simulation",
    "compare",
    "drop",
    "fork",
    "fork_events",
    "monte_carlo",
    "run_outcome",
    "simulate",
]


class Simulation:
    """A history in a store, with what is known of how it was made (for a simulation: its
    model, policy and seed). Close it (or use it as a context manager) to close the store."""

    def __init__(
        self,
        execution: Execution,
        cycle_id: UUID,
        *,
        run: SimulationRun | None = None,
        policy: ManagementPolicy | None = None,
        name: str = "original",
    ) -> None:
        self.execution = execution
        self.cycle_id = cycle_id
        self.run = run
        self.policy = policy
        self.name = name
        self._ledger: tuple[int, Ledger] | None = None

    @property
    def seed(self) -> int | None:
        """The seed of the simulation (None for a history that was not simulated)."""
        return None if self.run is None else self.run.seed

    @property
    def model(self) -> Model | None:
        """The model of the simulation."""
        return None if self.run is None else self.run.model

    @property
    def events(self) -> int:
        """How many events the store holds."""
        return self.ledger().position

    def history(self) -> list[Event]:
        """Every event of the store, in recorded order."""
        return self.execution.history()

    def ledger(self) -> Ledger:
        """The ledger of the whole history, for any view (cached until the store grows)."""
        position = self.execution.store.last_position()
        if self._ledger is None or self._ledger[0] != position:
            self._ledger = (position, Ledger.of(self.history()))
        return self._ledger[1]

    def latest(self) -> datetime:
        """The business time of the latest fact (an instant to read final views at)."""
        return max(event.occurred_at for event in self.history())

    def outcome(self, *, signals: bool = False) -> RunOutcome:
        """The run's outcome, read from the views after its appraisals; with ``signals``, also
        the number of signals its live views sent (a replay of its history, several times
        the run's own cost)."""
        ledger = self.ledger()
        outcome = outcome_of(
            ledger,
            self.cycle_id,
            policy=self.policy.name if self.policy is not None else self.name,
            seed=self.seed or 0,
            at=self.latest(),
            events=ledger.position,
        )
        if not signals:
            return outcome
        sent = len(replay_signals(self.execution.store.read_all()))
        return attrs.evolve(outcome, signals_sent=sent)

    def export_lines(self) -> list[bytes]:
        """The canonical export of the history (``transfer``), line by line."""
        return list(export_lines(self.execution.store))

    def close(self) -> None:
        """Close the store."""
        self.execution.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Branch(Simulation):
    """A fork of a history, in its own in-memory store."""

    def __init__(
        self,
        execution: Execution,
        cycle_id: UUID,
        *,
        fork_at: datetime,
        clock: ForkClock,
        run: SimulationRun | None = None,
        policy: ManagementPolicy | None = None,
        name: str = "branch",
    ) -> None:
        super().__init__(execution, cycle_id, run=run, policy=policy, name=name)
        self.fork_at = fork_at
        self.clock = clock


def _fresh(url: str, clock: SimulationClock) -> Execution:
    execution = Execution(open_store(url, clock=clock))
    if execution.store.last_position():
        execution.close()
        raise InvalidInput(f"{url} already holds events: simulate into an empty store")
    return execution


def simulate(
    model: Model | None = None,
    policy: ManagementPolicy | None = None,
    *,
    seed: int = 7,
    url: str = "memory://",
    progress: Callable[[int, int], None] | None = None,
    switch: tuple[int, ManagementPolicy] | None = None,
) -> Simulation:
    """Simulate a cycle into a new store (in memory by default; any empty store's URL).

    ``switch=(week, other)`` plays ``other`` from that week on; ``progress(week, weeks)`` is
    called after each simulated week.
    """
    model = model or Model()
    policy = policy or ExecutionManagement()
    clock = SimulationClock()
    execution = _fresh(url, clock)
    try:
        run = run_simulation(
            execution, model, policy, seed=seed, clock=clock, switch=switch, progress=progress
        )
    except BaseException:
        execution.close()
        raise
    return Simulation(execution, run.cycle_id, run=run, policy=policy)


def fork(
    simulation: Simulation,
    *,
    at_week: int,
    policy: ManagementPolicy,
    name: str = "branch",
) -> Branch:
    """Re-play a simulation in a new in-memory store with ``policy`` from week ``at_week`` on.

    The fork time is business time: Monday 00:00 of that week. The same model and seed make
    every event before it the same as the original's (the original store is only read, to
    check that); the hidden trajectories after it differ only where the new policy's acts
    (coaching) change them.
    """
    run = simulation.run
    if run is None or simulation.policy is None:
        raise InvalidInput("only a simulation can be re-played: use fork_events for a history")
    if run.switch_week is not None:
        raise InvalidInput("fork the original simulation, not a branch of it")
    branch = simulate(
        run.model,
        simulation.policy,
        seed=run.seed,
        switch=(at_week, policy),
    )
    fork_at = week_start(run.model, at_week)
    mine = [e for e in simulation.history() if e.occurred_at < fork_at]
    theirs = [e for e in branch.history() if e.occurred_at < fork_at]
    if [event_line(e) for e in mine] != [event_line(e) for e in theirs]:
        branch.close()
        raise InvalidInput("the history before the fork is not this simulation's: fork_events")
    return Branch(
        branch.execution,
        branch.cycle_id,
        fork_at=fork_at,
        clock="business",
        run=branch.run,
        policy=policy,
        name=name,
    )


def fork_events(
    source: Simulation | Execution,
    *,
    at: datetime,
    clock: ForkClock = "business",
    changes: Sequence[Change] = (),
    cycle_id: UUID | None = None,
    name: str = "branch",
) -> Branch:
    """Fork any history at ``at``: events before it kept, later ones through ``changes``,
    replayed (validated like an import) into a separate in-memory store. The source is only
    read. ``cycle_id`` names the cycle to compare (default: the source's, or its only one)."""
    execution = source.execution if isinstance(source, Simulation) else source
    events = branch_events(execution.history(), at=at, clock=clock, changes=changes)
    target = Execution(open_store("memory://"))
    try:
        import_lines(target.store, (event_line(event) for event in events))
    except BaseException:
        target.close()
        raise
    if cycle_id is None:
        cycle_id = source.cycle_id if isinstance(source, Simulation) else _only_cycle(events)
    # an edited history is no simulation's: it has no run to re-play
    return Branch(target, cycle_id, fork_at=at, clock=clock, name=name)


def _only_cycle(events: Iterable[Event]) -> UUID:
    cycles = list(dict.fromkeys(e.stream_id for e in events if type(e).name == "cycle.CycleOpened"))
    if len(cycles) != 1:
        raise InvalidInput(f"the history has {len(cycles)} cycles: name the one to compare")
    return cycles[0]


def compare(a: Simulation, b: Simulation, *, at: datetime | None = None) -> Comparison:
    """Read both histories' cycle with the same views at business time ``at`` (default: after
    the latest fact of either, appraisals included) and put them side by side."""
    if a.cycle_id != b.cycle_id:
        raise InvalidInput("the two histories are not of the same cycle")
    at = at or max(a.latest(), b.latest())
    fork_at = b.fork_at if isinstance(b, Branch) else None
    clock: ForkClock = b.clock if isinstance(b, Branch) else "business"
    return compare_ledgers(
        a.ledger(),
        b.ledger(),
        a.cycle_id,
        at=at,
        names=(a.name, b.name),
        policies=(
            a.policy.name if a.policy is not None else a.name,
            b.policy.name if b.policy is not None else b.name,
        ),
        seed=a.seed or 0,
        fork_at=fork_at,
        clock=clock,
    )


def run_outcome(
    model: Model, policy: ManagementPolicy, seed: int, signals: bool = False
) -> RunOutcome:
    """Simulate one seed in memory and return its outcome (a Monte Carlo task; ``signals``:
    count the signals sent, see :meth:`Simulation.outcome`)."""
    with simulate(model, policy, seed=seed) as simulation:
        return simulation.outcome(signals=signals)


def _task(job: tuple[Model, ManagementPolicy, int]) -> RunOutcome:
    return run_outcome(*job)


def monte_carlo(
    model: Model,
    policies: Sequence[ManagementPolicy],
    *,
    seeds: int | Iterable[int] = 20,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarlo:
    """Run every policy on the same seeds (``seeds=N``: 0..N-1) and collect the outcomes.

    ``processes > 1`` spreads the runs over that many worker processes (the policies and the
    model must be picklable, as the built-in ones are); the result is the same either way.
    """
    chosen = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    jobs = [(model, policy, seed) for policy in policies for seed in chosen]
    runs: list[RunOutcome] = []
    if processes <= 1:
        for job in jobs:
            runs.append(_task(job))
            if progress is not None:
                progress(len(runs), len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            for outcome in pool.map(_task, jobs):
                runs.append(outcome)
                if progress is not None:
                    progress(len(runs), len(jobs))
    return MonteCarlo(runs=tuple(runs))
