"""(a) Invariants: whatever valid and invalid commands arrive, the recorded history stays sound.

A hypothesis state machine starts from the standard org (tests/support.py) on an in-memory
store whose clock reads in a non-UTC zone and issues, as business time passes, random valid
commands (which must be accepted) and invalid ones: wrong actors, unknown ids, out-of-range
values, progress on ended goals, alignment loops, dates after the close... (which must raise
their ExecutionError subclass and change nothing). After every step the invariants below are
checked against the oracle of the stored events themselves, folded with each stream's decider.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from execution_core import Event, Execution, ExecutionError
from execution_core.decider import Decider
from execution_core.events import (
    AppraisalRecorded,
    Direction,
    GoalCompleted,
    GoalDropped,
    ProgressLogged,
    RatingCalibrated,
)
from execution_core.policy import RATINGS
from execution_core.states import Appraisal, Cycle, Goal, Organization
from execution_core_adapters.storage.store import open_store
from tests.strategies import TickingClock, World, decider_of, invalid_attempts, valid_commands

STORE_ZONE = timezone(timedelta(hours=-5))
"""The zone the store's clock reads in: recorded_at must come out in UTC all the same."""


class ExecutionMachine(RuleBasedStateMachine):
    """Random valid and invalid commands through Execution; the history checked after each."""

    def __init__(self) -> None:
        super().__init__()
        self.execution = Execution(
            open_store("memory://", clock=TickingClock(zone=STORE_ZONE)), future_tolerance=None
        )
        self.world = World.standard(self.execution)
        self.position = 0
        self.events: dict[UUID, list[Event]] = {}
        self.states: dict[UUID, Any] = {}
        self.deciders: dict[UUID, Decider[Any]] = {}

    def teardown(self) -> None:
        self.execution.close()

    # -- the oracle: the stored events, folded ---------------------------------------------

    def _sync(self) -> None:
        """Fold the events stored since the last look into each stream's state."""
        for recorded in self.execution.store.read_all(after=self.position):
            event = recorded.event
            self.position = recorded.position
            decider = self.deciders.setdefault(event.stream_id, decider_of(event))
            assert decider is decider_of(event), f"{event.stream_id} mixes stream types"
            self.events.setdefault(event.stream_id, []).append(event)
            state = self.states.get(event.stream_id, decider.initial)
            self.states[event.stream_id] = decider.evolve(state, event)

    def _of(self, kind: type[Any]) -> dict[UUID, Any]:
        self._sync()
        return {k: s for k, s in self.states.items() if isinstance(s, kind)}

    def _organization(self) -> Organization:
        (org,) = self._of(Organization).values()
        assert isinstance(org, Organization)
        return org

    def _loaded(self) -> dict[UUID, Any]:
        """Every stream's state as the store loads it now."""
        self._sync()
        return {k: self.execution.store.load(k, d) for k, d in self.deciders.items()}

    # -- rules ------------------------------------------------------------------------------

    @rule(hours=st.integers(0, 96), data=st.data())
    def a_valid_command_is_accepted(self, hours: int, data: st.DataObject) -> None:
        """Some business time passes; then a command valid in the current state is recorded."""
        self.world.advance(hours)
        command = data.draw(valid_commands(self.world), label="command")
        try:
            outcome = self.execution.execute(command)
        except ExecutionError as error:
            raise AssertionError(f"a valid command was refused: {error!r}") from error
        assert outcome.events, "an accepted command recorded nothing"
        self.world.record(outcome)

    @rule(data=st.data())
    def an_invalid_command_is_refused_and_changes_nothing(self, data: st.DataObject) -> None:
        """An invalid command raises its ExecutionError subclass; the store and every state
        are exactly as before."""
        attempt = data.draw(invalid_attempts(self.world), label="attempt")
        position = self.execution.store.last_position()
        before = self._loaded()
        refusal: ExecutionError | None = None
        try:
            self.execution.execute(attempt.command)
        except ExecutionError as error:
            refusal = error
        assert refusal is not None, f"accepted an invalid command ({attempt.why})"
        assert isinstance(refusal, attempt.error), (
            f"{attempt.why}: expected {attempt.error.__name__}, got {refusal!r}"
        )
        assert self.execution.store.last_position() == position, "a refused command recorded"
        assert self._loaded() == before, "a refused command changed a state"

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def every_stream_is_numbered_1_to_n_and_every_clock_is_utc(self) -> None:
        """Versions 1..n with no gap; recorded_at (and occurred_at) aware and in UTC."""
        self._sync()
        for events in self.events.values():
            assert [e.version for e in events] == list(range(1, len(events) + 1))
            for event in events:
                for moment in (event.recorded_at, event.occurred_at):
                    assert moment.tzinfo is not None
                    assert moment.utcoffset() == timedelta(0)

    @invariant()
    def the_store_loads_what_the_events_fold_to(self) -> None:
        """The store's state of every stream (cache or snapshot) is the fold of its events."""
        assert self._loaded() == self.states

    @invariant()
    def reporting_lines_have_no_loops(self) -> None:
        """Following managers up from anyone never comes back to someone already met."""
        people = self._organization().people
        for person_id in people:
            met = {person_id}
            above = people[person_id].manager_id
            while above is not None:
                assert above not in met, f"reporting line of {person_id} loops at {above}"
                met.add(above)
                above = people[above].manager_id if above in people else None

    @invariant()
    def no_goal_is_aligned_to_itself(self) -> None:
        """Following parent goals up from any goal never comes back to it (or loops at all)."""
        goals = self._of(Goal)
        for goal_id in goals:
            met = {goal_id}
            above = goals[goal_id].parent_id
            while above is not None:
                assert above not in met, f"goal {goal_id} is aligned, through {above}, to itself"
                met.add(above)
                above = goals[above].parent_id if above in goals else None

    @invariant()
    def every_goal_has_an_owner_and_a_cycle_that_exist(self) -> None:
        """A goal's owner is a known person or unit, its cycle opened, its parent a known goal."""
        org, goals, cycles = self._organization(), self._of(Goal), self._of(Cycle)
        for goal in goals.values():
            known = org.people if goal.owner.kind == "person" else org.units
            assert goal.owner.id in known, f"owner {goal.owner} of {goal.title!r} is unknown"
            assert goal.cycle_id in cycles, f"cycle of {goal.title!r} is unknown"
            assert cycles[goal.cycle_id].opened
            assert goal.parent_id is None or goal.parent_id in goals

    @invariant()
    def every_key_result_keeps_its_direction(self) -> None:
        """increase: target > baseline; decrease: target < baseline; a stretch lies beyond."""
        for goal in self._of(Goal).values():
            for kr in goal.key_results.values():
                sign = 1 if kr.direction == Direction.INCREASE else -1
                assert sign * (kr.target - kr.baseline) > 0, f"{kr} has no gap to close"
                assert kr.stretch is None or sign * (kr.stretch - kr.target) > 0

    @invariant()
    def confidences_lie_in_0_1_and_ratings_in_1_5(self) -> None:
        """Every logged and current confidence is within 0..1, every rating on the scale."""
        for goal in self._of(Goal).values():
            for kr in goal.key_results.values():
                assert kr.confidence is None or 0.0 <= kr.confidence <= 1.0
        for appraisal in self._of(Appraisal).values():
            for rating in (appraisal.recorded_rating, appraisal.calibrated_rating):
                assert rating is None or rating in RATINGS
        for events in self.events.values():
            for event in events:
                if isinstance(event, ProgressLogged):
                    assert 0.0 <= event.confidence <= 1.0
                elif isinstance(event, AppraisalRecorded):
                    assert event.rating in RATINGS
                elif isinstance(event, RatingCalibrated):
                    assert {event.from_rating, event.to_rating} <= set(RATINGS)

    @invariant()
    def no_progress_is_logged_after_a_goal_ended(self) -> None:
        """On a goal stream, no ProgressLogged follows a GoalDropped or GoalCompleted."""
        self._sync()
        for events in self.events.values():
            ended = False
            for event in events:
                assert not (ended and isinstance(event, ProgressLogged)), "check-in after the end"
                ended = ended or isinstance(event, GoalDropped | GoalCompleted)


TestExecutionInvariants = ExecutionMachine.TestCase
