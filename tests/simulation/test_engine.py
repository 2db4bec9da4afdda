"""The simulator: deterministic, refused by nothing, and seeing only what was recorded."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core import Command, GiveCoaching
from execution_core.errors import InvalidInput
from execution_core.policy import Policy
from execution_core.simulation import (
    Act,
    BasePolicy,
    CheckIn,
    ExecutionManagement,
    ManagementPolicy,
    Model,
    PerformanceManagement,
    Situation,
    blueprint,
)
from execution_core.simulation.observation import Board
from execution_core.simulation.outcome import Appraisals
from execution_core.views import Ledger, scoreboard
from execution_core_adapters.simulate import simulate
from execution_core_adapters.transfer import write_export
from tests.simulation.helpers import SMALL


def _export(url: str = "memory://", seed: int = 7, model: Model = SMALL) -> bytes:
    with simulate(model, ExecutionManagement(), seed=seed, url=url) as simulation:
        out = io.BytesIO()
        write_export(simulation.execution.store, out)
        return out.getvalue()


def test_same_seed_same_events_byte_for_byte() -> None:
    """Given one model, policy and seed, when simulated twice, then the two exports
    (execution_core_adapters.transfer, canonical JSON with both clocks) are byte-identical."""
    first = _export()
    assert first
    assert _export() == first


def test_a_sqlite_store_records_the_same_history(tmp_path: Path) -> None:
    """Given a SQLite file as the store, when a seed is simulated into it, then its export is
    the in-memory run's, byte for byte."""
    assert _export(f"sqlite:///{tmp_path / 'sim.db'}") == _export()


@pytest.mark.postgres
def test_a_postgresql_store_records_the_same_history(postgres_url: str) -> None:
    """Given the real PostgreSQL server as the store, when a seed is simulated into it, then
    its export is the in-memory run's, byte for byte."""
    assert _export(postgres_url, model=Model(people=6, weeks=4)) == _export(
        model=Model(people=6, weeks=4)
    )


def test_different_seeds_differ() -> None:
    """Given two seeds, when simulated, then their histories differ."""
    assert _export(seed=1) != _export(seed=2)


def test_a_store_with_events_is_refused(tmp_path: Path) -> None:
    """Given a store that already holds a history, when simulated into, then InvalidInput and
    the store keeps exactly what it had."""
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    before = _export(url)
    with pytest.raises(InvalidInput, match="already holds events"):
        simulate(SMALL, seed=7, url=url)
    with simulate(Model(people=2, weeks=2), PerformanceManagement(), url="memory://") as other:
        assert other.events > 0
    assert _export("memory://") == before


@pytest.mark.parametrize(
    "fields",
    [
        {"cadence_days": 0},
        {"recoach_weeks": 0},
        {"commitment_weeks": 0},
        {"adjust_from": 1.5},
        {"infeasible_below": -0.1},
        {"adjusted_floor": 2.0},
    ],
)
def test_a_policy_refuses_parameters_out_of_range(fields: dict[str, float]) -> None:
    """Given a built-in policy parameter out of its range, then the policy refuses it with
    InvalidInput naming the parameter."""
    with pytest.raises(InvalidInput, match=next(iter(fields))):
        ExecutionManagement(**fields)  # type: ignore[arg-type]
    if "cadence_days" in fields:
        with pytest.raises(InvalidInput, match="cadence_days"):
            PerformanceManagement(**fields)  # type: ignore[arg-type]


class _NoCadence:
    """A policy of one's own (the protocol alone) whose cadence is no number of days."""

    name = "no cadence"
    cadence_days = 0

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        return []

    def manage(self, situation: Situation) -> Iterable[Act]:
        return []

    def close(self, situation: Situation) -> Iterable[Act]:
        return []


@pytest.mark.parametrize("switched", [False, True])
def test_a_policy_of_ones_own_with_no_cadence_records_nothing(
    tmp_path: Path, *, switched: bool
) -> None:
    """Given a policy of one's own (as the main policy, or the one switched to) whose
    ``cadence_days`` is 0, when simulated into a SQLite file, then InvalidInput names it and
    the store holds no event."""
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    main, switch = (ExecutionManagement(), (2, _NoCadence())) if switched else (_NoCadence(), None)
    with pytest.raises(InvalidInput, match="cadence_days must be a whole number"):
        simulate(SMALL, main, seed=7, url=url, switch=switch)
    # simulate accepts only an empty store: the refused run left no event in it
    with simulate(Model(people=2, weeks=2), PerformanceManagement(), url=url) as simulation:
        assert simulation.events > 0


policies = st.sampled_from(
    [
        ExecutionManagement(),
        ExecutionManagement(cadence_days=3, recoach_weeks=1, commitment_weeks=1),
        ExecutionManagement(cadence_days=14, commitment_weeks=None, adjust_from=0.0),
        PerformanceManagement(),
    ]
)


@settings(max_examples=12, deadline=None)
@given(
    people=st.integers(2, 14),
    weeks=st.integers(2, 7),
    span=st.integers(2, 5),
    themes=st.integers(1, 3),
    krs=st.integers(1, 2),
    developmental=st.booleans(),
    effect=st.floats(0.0, 1.0),
    shocks=st.floats(0.0, 0.5),
    seed=st.integers(0, 10_000),
    policy=policies,
    switch=st.none() | st.tuples(st.integers(0, 7), policies),
)
def test_the_domain_refuses_no_simulated_command(  # noqa: PLR0917 - hypothesis draws by name
    people: int,
    weeks: int,
    span: int,
    themes: int,
    krs: int,
    developmental: bool,
    effect: float,
    shocks: float,
    seed: int,
    policy: ManagementPolicy,
    switch: tuple[int, ManagementPolicy] | None,
) -> None:
    """Given any small organization, cycle, policy (or a switch to another one in any week,
    as a counterfactual does) and seed, when simulated, then every command the simulator
    issues is recorded (none is refused: a refusal would raise) and the views read it."""
    model = Model(
        people=people,
        weeks=weeks,
        span=span,
        themes=themes,
        krs_per_goal=krs,
        developmental=developmental,
        coaching_effect=effect,
        shock_rate=shocks,
    )
    if switch is not None:
        switch = (min(switch[0], weeks), switch[1])
    with simulate(model, policy, seed=seed, switch=switch) as simulation:
        run = simulation.run
        assert run is not None
        assert run.events >= run.commands > 0
        outcome = simulation.outcome()
        assert len(outcome.ratings) == people


def test_the_blueprint_cascades_every_goal_from_the_strategy() -> None:
    """Given a blueprint, then every goal aligns to a theme or to a goal set before it, every
    person has an individual goal with key results, and every manager leads a unit."""
    plan = blueprint(40, seed=3, span=4)
    seen: set[object] = set()
    for goal in plan.goals:
        assert goal.theme_id is not None or goal.parent_goal_id in seen
        seen.add(goal.goal_id)
    owners = {g.owner.id for g in plan.goals if g.key_results and g.kind == "individual"}
    assert owners == {p.person_id for p in plan.people}
    managers = {p.manager_id for p in plan.people if p.manager_id}
    assert managers == {u.lead_id for u in plan.units}


@attrs.frozen
class _Watching(ExecutionManagement):
    """Execution management that also keeps, unread, the situations it checked in from."""

    seen: list[Situation] = attrs.field(factory=list, eq=False)

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        self.seen.append(situation)
        return [CheckIn(goal_id) for goal_id in situation.goals]  # reads no goal


def test_a_policy_sees_what_the_scoreboard_shows() -> None:
    """Given a simulation, when the situations a policy kept (without reading them in its
    hook) are read after the run and compared with the scoreboard view read from the store at
    their instants, then every goal's health, progress and forecast are the scoreboard's (the
    oracle): a policy sees the live view of its instant, nothing more and nothing later."""
    policy = _Watching()
    with simulate(Model(people=10, weeks=8), policy, seed=5) as simulation:
        ledger = Ledger.of(simulation.history())
        assert len(policy.seen) == 8
        for situation in policy.seen[::3]:
            board = scoreboard(ledger, simulation.cycle_id, at=situation.at)
            for goal_id, view in situation.goals.items():
                row = board.rows[goal_id]
                assert view.health is row.health
                assert view.progress == pytest.approx(row.progress)
                assert (view.forecast is None) == (row.forecast is None)
                assert view.forecast == pytest.approx(row.forecast)
                assert view.last_checkin_at == row.last_checkin_at


@attrs.frozen
class _Keeping(ExecutionManagement):
    """Execution management that also keeps every situation it decided on."""

    seen: list[Situation] = attrs.field(factory=list, eq=False)

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        self.seen.append(situation)
        return super().check_ins(situation)

    def manage(self, situation: Situation) -> Iterable[Act]:
        self.seen.append(situation)
        return super().manage(situation)


def test_each_walk_of_the_board_is_every_goal_read_afresh() -> None:
    """Given a simulation with coaching and target adjustments, whose board's walks start from
    the views the last walk gave, when its history up to each situation's instant is recorded
    into a fresh board, then every goal's view read from it alone is the situation's."""
    policy = _Keeping(cadence_days=14, recoach_weeks=2, adjust_from=0.3)
    with simulate(Model(people=30, weeks=12), policy, seed=3) as simulation:
        run = simulation.run
        assert run is not None
        history = simulation.history()
    times = [event.occurred_at for event in history]
    assert times == sorted(times)  # so the facts of an instant are those recorded before it

    def new_board() -> Board:
        return Board(
            run.blueprint,
            starts_at=run.starts_at,
            ends_at=run.ends_at,
            cadence_days=policy.cadence_days,
            thresholds=Policy(),
        )

    fresh = new_board()
    recorded = 0
    assert len(policy.seen) == 2 * 12
    for situation in policy.seen:
        while recorded < len(history) and history[recorded].occurred_at <= situation.at:
            fresh.record(history[recorded])
            recorded += 1
        afresh = new_board()
        for event in history[:recorded]:
            afresh.record(event)
        goals = dict(situation.goals.items())
        assert list(goals) == list(fresh.goal_ids())
        for goal_id, view in goals.items():
            assert view == afresh.view(goal_id, situation.at), (situation.at, goal_id)
            assert view == fresh.view(goal_id, situation.at), (situation.at, goal_id)
    assert any(view.coached_at for view in goals.values())
    assert any(view.adjustments for view in goals.values())


def test_every_recorded_rating_is_the_appraisal_views_computed_rating() -> None:
    """Given a simulation whose policy records the computed rating at the close, when the
    appraisal view is read from the whole stream read back from the store (coaching journals
    included), then each person's recorded rating is that view's computed rating (the oracle):
    the engine's own reading, which leaves the journals out, rates as the view does."""
    model = Model(people=40, weeks=16, coaching_effect=0.3)
    with simulate(model, ExecutionManagement(cadence_days=14), seed=11) as simulation:
        history = simulation.history()
        ledger = Ledger.of(history)
        run = simulation.run
        assert run is not None
        coached = [e for e in history if e.name == "coaching.CoachingGiven"]
        end = max(event.occurred_at for event in history)  # after the last appraisal
        appraisals = Appraisals(ledger, ledger.cycles[run.cycle_id], end)
        rated = 0
        for person in run.blueprint.people:
            sheet = appraisals.sheet(person.person_id)
            if sheet.computed_rating is not None:
                assert sheet.recorded_rating == sheet.computed_rating, person.person_id
                rated += 1
    assert coached, "the journals the engine leaves out hold sessions"
    assert rated == len(run.blueprint.people)


class _Weekly:
    """A custom policy written against the protocol alone (no base class): everyone checks
    in every week, and in week 2 the chief's manager-less goal gets a raw command."""

    name = "weekly"
    cadence_days = 7

    def check_ins(self, situation: Situation) -> Iterable[Act]:
        return [CheckIn(goal_id) for goal_id in situation.goals]

    def manage(self, situation: Situation) -> Iterable[Act]:
        if situation.week != 2:
            return []
        acts: list[Act] = []
        for goal in situation.goals.values():
            if goal.manager_id is not None:
                command: Command = GiveCoaching(
                    person_id=goal.owner_id,
                    goal_id=goal.goal_id,
                    note="Recognition for a steady start",
                    kind="recognition",
                    actor=goal.manager_id,
                    occurred_at=situation.at,
                )
                acts.append(command)
        return acts

    def close(self, situation: Situation) -> Iterable[Act]:
        return []


def test_a_custom_policy_plugs_in() -> None:
    """Given a policy that only follows the ManagementPolicy protocol, when simulated, then it
    is recognised as one, its acts (raw commands included) are recorded, and nothing it did
    not ask for happens (no appraisal)."""
    policy = _Weekly()
    assert isinstance(policy, ManagementPolicy)
    with simulate(Model(people=6, weeks=4), policy, seed=1) as simulation:
        assert simulation.run is not None
        plan = simulation.run.blueprint
        history = simulation.history()
        names = [type(e).name for e in history]
        people_goals = [g for g in plan.goals if g.key_results]
        coached = [g for g in people_goals if plan.people[int(g.owner.id[1:])].manager_id]
        assert names.count("goal.ProgressLogged") == 4 * len(people_goals)
        assert names.count("coaching.CoachingGiven") == len(coached)
        assert "appraisal.AppraisalRecorded" not in names


def test_the_base_policy_does_nothing_after_setting_goals() -> None:
    """Given BasePolicy, when simulated, then the history holds the organization, strategy,
    cycle and goals, and no check-in, coaching or appraisal."""
    with simulate(Model(people=5, weeks=3), BasePolicy(), seed=1) as simulation:
        names = {type(e).name.split(".")[0] for e in simulation.history()}
        assert names == {"organization", "strategy", "cycle", "goal"}
