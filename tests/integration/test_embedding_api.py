"""The API an app embeds: opened states with ids that are never None, unknown ids as
``NotFound``, errors with structured fields, ``retries`` and idempotency keys on every facade
method with backoff between tries, and JSON forms of outcomes, states and views."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from execution_core import (
    SYSTEM,
    Backoff,
    ConcurrentChange,
    Execution,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    NotPermitted,
    Problem,
    Role,
    RuleViolated,
    StoreUnavailable,
    views,
)
from execution_core.decider import Decider
from execution_core.event import Event
from execution_core.fake_store import FakeEventStore
from execution_core.plain import to_dict, to_json
from execution_core.states import (
    Goal,
    OpenedCoachingJournal,
    OpenedCycle,
    OpenedGoal,
    RecordedAppraisal,
)
from execution_core.views.ledger import Ledger
from tests.support import T0, day

CYCLE = UUID("00000000-0000-4000-8000-0000000000c1")
GOAL = UUID("00000000-0000-4000-8000-0000000000a1")


def _seeded(execution: Execution) -> OpenedGoal:
    """An organization (cleo the executive, ana reporting to her), a 2026 cycle and ana's goal
    with one key result ``deals`` (target 12)."""
    execution.found_unit("hq", "Headquarters", actor=SYSTEM, occurred_at=T0)
    execution.add_person("cleo", "Cleo", "hq", roles=[Role.EXECUTIVE], actor=SYSTEM, occurred_at=T0)
    execution.add_person("ana", "Ana", "hq", manager_id="cleo", actor=SYSTEM, occurred_at=T0)
    cycle = execution.open_cycle(
        "2026", T0.date(), T0.date().replace(month=12, day=31), cycle_id=CYCLE,
        actor="cleo", occurred_at=T0,
    )  # fmt: skip
    return execution.set_goal(
        cycle.id,
        "Win 12 deals",
        "ana",
        goal_id=GOAL,
        key_results=[{"kr_id": "deals", "name": "Deals won", "target": 12}],
        actor="cleo",
        occurred_at=T0,
    )


@pytest.fixture
def execution() -> Execution:
    """A facade on the pure fake store, seeded with ana's goal."""
    facade = Execution(
        FakeEventStore(), backoff=Backoff(sleep=lambda _seconds: None), future_tolerance=None
    )
    _seeded(facade)
    return facade


# -- opened states ---------------------------------------------------------------------------


def test_the_facade_returns_opened_states_whose_ids_are_set(execution: Execution) -> None:
    """Given a seeded store, when a cycle, a goal, coaching and an appraisal are recorded, then
    each method returns the opened form (a subclass of the state) with its ids set."""
    goal = execution.log_progress(
        GOAL, "deals", value=3, confidence=0.8, actor="ana", occurred_at=day(1)
    )
    assert isinstance(goal, OpenedGoal)
    assert isinstance(goal, Goal)
    assert (goal.id, goal.cycle_id) == (GOAL, CYCLE)
    assert goal.key_results["deals"].progress == 0.25
    journal = execution.give_coaching("ana", note="Call them", actor="cleo", occurred_at=day(2))
    assert isinstance(journal, OpenedCoachingJournal)
    assert (journal.person_id, journal.sessions) == ("ana", 1)
    appraisal = execution.record_appraisal(CYCLE, "ana", 4, actor="cleo", occurred_at=day(3))
    assert isinstance(appraisal, RecordedAppraisal)
    assert (appraisal.person_id, appraisal.cycle_id, appraisal.rating) == ("ana", CYCLE, 4)
    assert isinstance(execution.cycle(CYCLE), OpenedCycle)
    assert execution.goal(GOAL) == goal


def test_reading_an_unknown_id_raises_not_found_naming_it(execution: Execution) -> None:
    """Given a seeded store, when an unknown cycle, goal, person's journal or an appraisal not
    yet recorded is read, then NotFound says what was looked for and which id."""
    unknown = uuid4()
    with pytest.raises(NotFound) as cycle:
        execution.cycle(unknown)
    assert (cycle.value.kind, cycle.value.id) == ("cycle", str(unknown))
    with pytest.raises(NotFound) as goal:
        execution.goal(unknown)
    assert (goal.value.kind, goal.value.id) == ("goal", str(unknown))
    with pytest.raises(NotFound) as person:
        execution.coaching_journal("nobody")
    assert (person.value.kind, person.value.id) == ("person", "nobody")
    with pytest.raises(NotFound) as appraisal:
        execution.appraisal(CYCLE, "ana")
    assert appraisal.value.kind == "appraisal"
    assert appraisal.value.ids == {"cycle_id": str(CYCLE), "person_id": "ana"}


def test_the_journal_of_a_known_person_never_coached_is_theirs_and_empty(
    execution: Execution,
) -> None:
    """Given ana was never coached, when her journal is read, then it names her and is empty."""
    journal = execution.coaching_journal("ana")
    assert (journal.person_id, journal.version, journal.sessions) == ("ana", 0, 0)


# -- structured errors -----------------------------------------------------------------------


def test_invalid_input_lists_each_field_path_message_and_kind(execution: Execution) -> None:
    """Given a check-in with a confidence above 1, when it is logged, then InvalidInput holds
    one problem at ``confidence`` with pydantic's kind, the command and its ids; nothing is
    recorded."""
    before = len(execution.history())
    with pytest.raises(InvalidInput) as caught:
        execution.log_progress(
            GOAL, "deals", value=3, confidence=2, actor="ana", occurred_at=day(1)
        )
    error = caught.value
    assert [(p.path, p.kind) for p in error.problems] == [(("confidence",), "less_than_equal")]
    assert isinstance(error.problems[0], Problem)
    assert error.command == "LogProgress"
    assert error.ids == {"actor": "ana", "goal_id": str(GOAL), "kr_id": "deals"}
    assert len(execution.history()) == before


def test_a_nested_field_path_is_kept_whole(execution: Execution) -> None:
    """Given a goal whose second key result has no name, when it is set through JSON, then the
    problem's path is ``key_results.1.name``."""
    command = {
        "type": "SetGoal",
        "cycle_id": str(CYCLE),
        "title": "Two results",
        "owner": {"kind": "person", "id": "ana"},
        "key_results": [{"kr_id": "a", "name": "A", "target": 1}, {"kr_id": "b", "target": 1}],
        "actor": "cleo",
        "occurred_at": day(1).isoformat(),
    }
    with pytest.raises(InvalidInput) as caught:
        execution.execute(json.dumps(command))
    assert [p.where for p in caught.value.problems] == ["key_results.1.name"]
    assert caught.value.problems[0].kind == "missing"


def test_not_found_in_a_decision_names_the_kind_the_id_and_the_command(
    execution: Execution,
) -> None:
    """Given ana's goal, when progress is logged on a key result it does not have, then
    NotFound names the key result, the command and the goal."""
    with pytest.raises(NotFound) as caught:
        execution.log_progress(GOAL, "nope", value=1, confidence=0.5, actor="ana", occurred_at=T0)
    error = caught.value
    assert (error.kind, error.id, error.command) == ("key result", "nope", "LogProgress")
    assert error.ids["goal_id"] == str(GOAL)


def test_not_permitted_reads_well_and_names_actor_act_and_subject(execution: Execution) -> None:
    """Given an actor the organization does not know, when they found a unit, then the refusal
    reads as a sentence whatever their id, and names the actor and the act as fields."""
    with pytest.raises(NotPermitted) as caught:
        execution.found_unit("x", "X", actor="nobody", occurred_at=T0)
    error = caught.value
    assert str(error) == "'nobody' is not permitted to administer organization"
    assert (error.actor, error.permission, error.rule) == (
        "nobody",
        *2 * ["administer organization"],
    )
    assert error.command == "FoundUnit"


def test_an_error_as_json_holds_every_field(execution: Execution) -> None:
    """Given a refused check-in, when the error is turned into a dict, then it is JSON with
    the error's class, message, command, rule, ids and problems."""
    with pytest.raises(InvalidInput) as caught:
        execution.log_progress(GOAL, "deals", value=3, confidence=-1, actor="ana", occurred_at=T0)
    data = json.loads(json.dumps(caught.value.to_dict()))
    assert data["error"] == "InvalidInput"
    assert data["command"] == "LogProgress"
    assert data["problems"][0]["path"] == ["confidence"]
    assert data["message"] == str(caught.value)


def test_a_rule_violated_names_its_rule_and_the_ids(execution: Execution) -> None:
    """Given the cycle closed, when progress is logged on its goal, then RuleViolated names
    the rule ``cycle closed``, the command and the goal; nothing is recorded."""
    execution.close_cycle(CYCLE, actor="cleo", occurred_at=day(30))
    before = len(execution.history())
    with pytest.raises(RuleViolated) as caught:
        execution.log_progress(
            GOAL, "deals", value=2, confidence=0.5, actor="ana", occurred_at=day(10)
        )
    error = caught.value
    assert (error.rule, error.command, error.ids["goal_id"]) == (
        "cycle closed",
        "LogProgress",
        str(GOAL),
    )
    assert len(execution.history()) == before


def test_every_rule_the_core_names_is_documented() -> None:
    """Given every ``rule=`` a refusal of the core names, when docs/embedding.md is read, then
    each rule is listed there, in backquotes."""
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text() for p in (root / "src" / "execution_core").rglob("*.py"))
    rules = set(re.findall(r'\brule="([^"]+)"', source))
    assert len(rules) >= 30
    guide = (root / "docs" / "embedding.md").read_text()
    assert sorted(rule for rule in rules if f"`{rule}`" not in guide) == []


# -- retries and idempotency keys --------------------------------------------------------------


def test_every_facade_method_records_once_per_idempotency_key(execution: Execution) -> None:
    """Given a check-in sent with a key, when it is sent again with the same key, then it is
    recorded once and the same state returns; another check-in under that key is refused."""
    first = execution.log_progress(
        GOAL, "deals", value=3, confidence=0.8, actor="ana", occurred_at=day(1),
        idempotency_key="check-in-1",
    )  # fmt: skip
    again = execution.log_progress(
        GOAL, "deals", value=3, confidence=0.8, actor="ana", occurred_at=day(1),
        idempotency_key="check-in-1",
    )  # fmt: skip
    assert again == first
    assert [type(e).__name__ for e in execution.events(GOAL)].count("ProgressLogged") == 1
    with pytest.raises(IdempotencyKeyReused) as caught:
        execution.log_progress(
            GOAL, "deals", value=4, confidence=0.8, actor="ana", occurred_at=day(1),
            idempotency_key="check-in-1",
        )  # fmt: skip
    assert (caught.value.key, caught.value.stream_id) == ("check-in-1", GOAL)


class _Contended(FakeEventStore):
    """A fake store where, before each of the next ``conflicts`` appends, another writer
    records a check-in on the same goal first: a real conflict on the stream's next version."""

    def __init__(self) -> None:
        super().__init__()
        self.conflicts = 0
        self.rival: Callable[[], object] = lambda: None
        self._rival_writing = False

    def append(self, events: Sequence[Event], decider: Decider[Any], state: Any) -> None:
        if self.conflicts and not self._rival_writing:
            self.conflicts -= 1
            self._rival_writing = True
            try:
                self.rival()
            finally:
                self._rival_writing = False
        super().append(events, decider, state)


def _contended(waits: list[float], backoff: dict[str, float]) -> tuple[Execution, _Contended]:
    store = _Contended()
    execution = Execution(
        store, backoff=Backoff(**backoff, sleep=waits.append), future_tolerance=None
    )
    _seeded(execution)
    rival = Execution(store, future_tolerance=None)
    store.rival = lambda: rival.log_progress(
        GOAL, "deals", value=1, confidence=0.5, actor="ana", occurred_at=day(1)
    )
    return execution, store


def test_a_conflict_is_retried_after_an_exponential_backoff_with_jitter() -> None:
    """Given two rival writes land before ours, when we log progress with three retries, then
    it is recorded on the third try after waits of 0.1 s then 0.2 s, each plus at most 0.05 s
    of jitter (the oracle: ``first * 2 ** (n - 1)`` plus jitter, read from the injected
    sleep)."""
    waits: list[float] = []
    execution, store = _contended(waits, {"first": 0.1, "most": 1.0, "jitter": 0.05})
    store.conflicts = 2
    goal = execution.log_progress(
        GOAL, "deals", value=6, confidence=0.9, actor="ana", occurred_at=day(2), retries=3
    )
    assert goal.key_results["deals"].value == 6
    assert len(waits) == 2
    assert 0.1 <= waits[0] <= 0.15
    assert 0.2 <= waits[1] <= 0.25


def test_the_wait_never_exceeds_the_most_plus_jitter() -> None:
    """Given four rival writes, when we retry four times with ``most`` 0.15 s, then no wait is
    above 0.15 s plus the jitter."""
    waits: list[float] = []
    execution, store = _contended(waits, {"first": 0.1, "most": 0.15, "jitter": 0.01})
    store.conflicts = 4
    execution.log_progress(
        GOAL, "deals", value=6, confidence=0.9, actor="ana", occurred_at=day(2), retries=4
    )
    assert len(waits) == 4
    assert all(0.1 <= wait <= 0.16 for wait in waits)


def test_without_retries_a_conflict_is_raised_at_once_naming_the_stream() -> None:
    """Given a rival write lands before ours, when we log progress with no retries, then
    ConcurrentChange names the goal's stream and nothing was waited for."""
    waits: list[float] = []
    execution, store = _contended(waits, {})
    store.conflicts = 1
    with pytest.raises(ConcurrentChange) as caught:
        execution.log_progress(
            GOAL, "deals", value=6, confidence=0.9, actor="ana", occurred_at=day(2)
        )
    assert caught.value.stream_id == GOAL
    assert waits == []


class _Unreachable(FakeEventStore):
    """A fake store whose next ``drops`` appends fail as a lost connection, storing nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.drops = 0

    def append_once(self, *args: Any, **kwargs: Any) -> None:
        if self.drops:
            self.drops -= 1
            raise StoreUnavailable("the connection was lost")
        super().append_once(*args, **kwargs)

    def append(self, events: Sequence[Event], decider: Decider[Any], state: Any) -> None:
        if self.drops:
            self.drops -= 1
            raise StoreUnavailable("the connection was lost")
        super().append(events, decider, state)


def test_a_lost_connection_is_retried_only_with_an_idempotency_key() -> None:
    """Given the store's connection drops once, when a check-in without a key is sent with
    retries, then StoreUnavailable is raised; with a key, it is retried and recorded once."""
    store = _Unreachable()
    execution = Execution(
        store, backoff=Backoff(sleep=lambda _seconds: None), future_tolerance=None
    )
    _seeded(execution)
    store.drops = 1
    with pytest.raises(StoreUnavailable) as caught:
        execution.log_progress(
            GOAL, "deals", value=2, confidence=0.5, actor="ana", occurred_at=day(1), retries=2
        )
    assert caught.value.command == "LogProgress"
    store.drops = 1
    execution.log_progress(
        GOAL, "deals", value=2, confidence=0.5, actor="ana", occurred_at=day(1), retries=2,
        idempotency_key="k-2",
    )  # fmt: skip
    assert [type(e).__name__ for e in execution.events(GOAL)].count("ProgressLogged") == 1


def test_negative_retries_are_invalid_input(execution: Execution) -> None:
    """Given a check-in, when it is sent with retries=-1, then InvalidInput, nothing recorded."""
    before = len(execution.history())
    with pytest.raises(InvalidInput, match="retries"):
        execution.log_progress(
            GOAL, "deals", value=2, confidence=0.5, actor="ana", occurred_at=day(1), retries=-1
        )
    assert len(execution.history()) == before


def test_a_backoff_refuses_a_negative_wait() -> None:
    """Given a backoff, when a wait is negative, then it is refused on construction."""
    with pytest.raises(ValueError, match="first"):
        Backoff(first=-1)


# -- JSON forms ------------------------------------------------------------------------------


def test_outcomes_states_and_views_have_a_json_form(execution: Execution) -> None:
    """Given a check-in, when its outcome, the goal's state and the scoreboard are turned into
    JSON, then each parses back with ids as text and times in ISO 8601."""
    outcome = execution.execute(
        {
            "type": "LogProgress",
            "goal_id": str(GOAL),
            "kr_id": "deals",
            "value": 6,
            "confidence": 0.7,
            "actor": "ana",
            "occurred_at": day(1).isoformat(),
        }
    )
    data = json.loads(outcome.to_json())
    assert data["stream_id"] == str(GOAL)
    assert data["events"][0]["kr_id"] == "deals"
    assert data["events"][0]["occurred_at"] == day(1).isoformat()
    goal = json.loads(execution.goal(GOAL).to_json())
    assert goal["key_results"]["deals"]["value"] == 6
    assert goal["owner"] == {"kind": "person", "id": "ana"}
    assert execution.goal(GOAL).to_dict() == goal
    board = views.scoreboard(Ledger.of(execution.history()), CYCLE, at=day(2))
    rows = json.loads(to_json(board))
    assert to_dict(board) == rows
    assert list(rows["rows"]) == [str(GOAL)]
    assert rows["rows"][str(GOAL)]["owner"] == {"kind": "person", "id": "ana"}
