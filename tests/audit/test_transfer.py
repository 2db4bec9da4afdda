"""Export and import as JSON Lines: byte-stable round trips, all-or-nothing imports."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core import (
    AddKeyResult,
    AddPerson,
    AddTheme,
    AdjustTarget,
    CalibrateRating,
    CloseCycle,
    Command,
    Execution,
    ExecutionError,
    GiveCoaching,
    InvalidInput,
    KeyResultSpec,
    LogProgress,
    MakeCommitment,
    NotFound,
    OpenCycle,
    RecordAppraisal,
    SetGoal,
)
from execution_core.coaching.commands import CommitmentSpec
from execution_core.goals.commands import OwnerSpec
from execution_core.ids import ORGANIZATION_ID, STRATEGY_ID, appraisal_stream_id, coaching_stream_id
from execution_core_adapters.storage.codec import dumps
from execution_core_adapters.storage.store import ExecutionStore, open_store
from execution_core_adapters.transfer import (
    ImportRefused,
    cycle_streams,
    export_lines,
    import_lines,
    validate_lines,
)
from tests.audit.helpers import GOAL_A
from tests.integration.scenario import record
from tests.support import CYCLE_ID, T0, FixedClock, day, standard_org

SECOND_CYCLE = UUID("00000000-0000-4000-8000-000000000002")
PEOPLE = ("ana", "ben", "max", "cora", "hana", "cleo")


def _export(store: ExecutionStore, cycle_id: UUID | None = None) -> bytes:
    return b"".join(export_lines(store, cycle_id=cycle_id))


def _imported(data: bytes) -> ExecutionStore:
    store = open_store("memory://")
    import_lines(store, data.splitlines(keepends=True))
    return store


# -- random histories ----------------------------------------------------------------------------

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=40
)
names = texts.map(lambda text: text.strip()).filter(bool)
amounts = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def steps(draw: st.DrawFn) -> Callable[[int, list[UUID]], Command | None]:
    """One step of a history: a command built from what exists (goal ids) at that point."""
    kind = draw(
        st.sampled_from(
            (
                *("goal",) * 3,
                *("progress",) * 5,
                "adjust",
                "key result",
                *("coach",) * 2,
                "commit",
                "appraise",
                "calibrate",
                "theme",
                "person",
                "close",
            )
        )
    )
    person = draw(st.sampled_from(PEOPLE))
    coached = draw(st.sampled_from(PEOPLE[:-1]))  # everyone but cleo, who coaches them
    value, text, label = draw(amounts), draw(texts), draw(names)
    pick = draw(st.integers(min_value=0, max_value=1_000))
    source = draw(st.sampled_from(("check-in", "import", "integration")))
    rating = draw(st.integers(min_value=1, max_value=5))
    ident = draw(st.text(alphabet=st.characters(exclude_categories=["Z", "C"]), min_size=1))

    def build(n: int, goals: list[UUID]) -> Command | None:  # noqa: PLR0911 - one per kind
        at = T0 + timedelta(hours=n, microseconds=pick)
        goal = goals[pick % len(goals)] if goals else None
        cycle = (CYCLE_ID, SECOND_CYCLE)[pick % 2]
        match kind:
            case "goal":
                return SetGoal(
                    actor="cleo",
                    occurred_at=at,
                    goal_id=UUID(int=10_000 + n),
                    cycle_id=cycle,
                    title=label,
                    owner=OwnerSpec(id=person),
                    key_results=(KeyResultSpec(kr_id="k", name=label, target=abs(value) + 1),),
                )
            case "progress" if goal:
                return LogProgress(
                    actor="cleo",
                    occurred_at=at,
                    goal_id=goal,
                    kr_id="k",
                    value=value,
                    confidence=pick / 1_000,
                    comment=text,
                    source=source,
                )
            case "adjust" if goal:
                return AdjustTarget(
                    actor="cleo",
                    occurred_at=at,
                    goal_id=goal,
                    kr_id="k",
                    target=value,
                    reason=label,
                )
            case "key result" if goal:
                spec = KeyResultSpec(kr_id=f"k{n}", name=label, unit=text[:50], target=value + 1)
                return AddKeyResult(actor="cleo", occurred_at=at, goal_id=goal, key_result=spec)
            case "coach":
                return GiveCoaching(
                    actor="cleo", occurred_at=at, person_id=coached, goal_id=goal, note=text
                )
            case "commit":
                spec_c = CommitmentSpec(
                    commitment_id=f"c{n}", action=label, due_on=date(2026, 6, 1)
                )
                return MakeCommitment(
                    actor="cleo", occurred_at=at, person_id=coached, commitment=spec_c
                )
            case "appraise":
                return RecordAppraisal(
                    actor="hana", occurred_at=at, cycle_id=cycle, person_id=person, rating=rating
                )
            case "calibrate":
                return CalibrateRating(
                    actor="hana",
                    occurred_at=at,
                    cycle_id=cycle,
                    person_id=person,
                    rating=rating,
                    reason=label,
                )
            case "theme":
                return AddTheme(actor="cleo", occurred_at=at, theme_id=f"t{n}", title=label)
            case "person":
                return AddPerson(
                    actor="system",
                    occurred_at=at,
                    person_id=ident,
                    name=label,
                    unit_id="sales",
                    manager_id="max",
                )
            case "close":
                return CloseCycle(
                    actor="cleo", occurred_at=at + timedelta(days=400), cycle_id=cycle
                )
        return None

    return build


def _record(history: list[Callable[[int, list[UUID]], Command | None]]) -> ExecutionStore:
    clock = FixedClock()
    store = open_store("memory://", clock=clock, snapshot_interval=5)
    execution = Execution(store, future_tolerance=None)
    for setup in standard_org():
        execution.execute(setup)
    execution.execute(
        OpenCycle(
            actor="cleo",
            occurred_at=T0,
            cycle_id=SECOND_CYCLE,
            name="2026 Q1",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 3, 31),
        )
    )
    goals: list[UUID] = []
    for n, step in enumerate(history, start=1):
        clock.now = T0 + timedelta(minutes=n, microseconds=n)
        try:
            built = step(n, goals)
        except ValueError:
            continue  # not a valid command (pydantic refused it): nothing to record
        if built is None:
            continue
        command: Command = built
        try:
            outcome = execution.execute(command)
        except ExecutionError:
            continue  # a refusal records nothing: the history is what the domain accepted
        if isinstance(command, SetGoal):
            goals.append(outcome.stream_id)
    return store


@given(st.lists(steps(), max_size=40))
def test_export_import_export_is_byte_identical(
    history: list[Callable[[int, list[UUID]], Command | None]],
) -> None:
    """Property: for any history the domain accepts, export -> import into an empty store ->
    export gives the same bytes, and the imported store verifies (oracle: the first export)."""
    store = _record(history)
    first = _export(store)
    copy = _imported(first)
    assert _export(copy) == first
    assert _export(copy) == _export(copy)
    assert copy.verify().ok
    for cycle_id in (CYCLE_ID, SECOND_CYCLE):
        part = _export(store, cycle_id)
        assert _export(_imported(part), cycle_id) == part
        assert _export(_imported(part)) == part


def test_lines_are_canonical_json_in_recorded_order() -> None:
    """Given the standard organization, when exported, then each line is its own canonical JSON
    and the lines follow the store's recorded order."""
    store = open_store("memory://")
    execution = Execution(store, future_tolerance=None)
    for command in standard_org():
        execution.execute(command)
    lines = list(export_lines(store))
    assert [dumps(json.loads(line)) + b"\n" for line in lines] == lines
    recorded = [(r.event.stream_id, r.event.version) for r in store.read_all()]
    exported = [
        (UUID(json.loads(line)["stream_id"]), json.loads(line)["version"]) for line in lines
    ]
    assert exported == recorded


def test_demo_season_round_trips_through_sqlite(tmp_path: Path) -> None:
    """Given the demo season on SQLite, when exported, imported into another SQLite file and
    exported again, then the bytes are identical and the copy's chain reaches the original's
    position (its hashes are its own: the copy seals personal fields with its own keys)."""
    record(f"sqlite:///{tmp_path / 'a.db'}")
    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    target = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        data = _export(source)
        report = import_lines(target, data.splitlines(keepends=True))
        assert report.events == len(data.splitlines())
        assert _export(target) == data
        assert target.verify().ok
        assert target.verify().head.position == source.verify().head.position
    finally:
        source.close()
        target.close()


@pytest.mark.postgres
def test_demo_season_round_trips_into_postgres(tmp_path: Path, postgres_url: str) -> None:
    """Given the demo season exported from SQLite, when imported into the real PostgreSQL in one
    transaction and exported again, then the bytes are identical and the chain verifies."""
    record(f"sqlite:///{tmp_path / 'a.db'}")
    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    target = open_store(postgres_url)
    try:
        data = _export(source)
        import_lines(target, data.splitlines(keepends=True))
        assert _export(target) == data
        report = target.verify()
        assert report.ok, report.first
        assert report.snapshots_checked > 0
    finally:
        source.close()
        target.close()


# -- one cycle -----------------------------------------------------------------------------------


def _two_cycles() -> ExecutionStore:
    """Goals, coaching and appraisals in the 2026 cycle and in a second, Q1 2027 cycle."""
    clock = FixedClock()
    store = open_store("memory://", clock=clock)
    execution = Execution(store, future_tolerance=None)
    for command in standard_org():
        execution.execute(command)
    x = {"actor": "cleo"}
    execution.execute(
        OpenCycle(
            cycle_id=SECOND_CYCLE,
            name="2027 Q1",
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 3, 31),
            occurred_at=day(2),
            **x,
        )
    )
    for goal_id, cycle_id, owner in (
        (UUID(int=1), CYCLE_ID, "ana"),
        (UUID(int=2), SECOND_CYCLE, "ben"),
        (UUID(int=3), SECOND_CYCLE, "cora"),
    ):
        execution.execute(
            SetGoal(
                goal_id=goal_id,
                cycle_id=cycle_id,
                title=f"Goal of {owner}",
                owner=OwnerSpec(id=owner),
                occurred_at=day(3),
                key_results=(KeyResultSpec(kr_id="k", name="K", target=5),),
                **x,
            )
        )
    execution.execute(
        GiveCoaching(actor="max", occurred_at=day(4), person_id="ana", goal_id=UUID(int=1))
    )
    execution.execute(GiveCoaching(actor="cleo", occurred_at=day(4), person_id="ben"))
    execution.execute(
        RecordAppraisal(
            actor="hana", occurred_at=day(5), cycle_id=CYCLE_ID, person_id="ana", rating=4
        )
    )
    return store


def test_cycle_export_holds_the_cycle_and_what_it_needs() -> None:
    """Given two cycles, when the 2026 cycle is exported, then it holds the organization, the
    strategy, the cycle, its goal, its appraisal and the coaching dated in it, and nothing of the
    other cycle's goals."""
    store = _two_cycles()
    expected = {
        ORGANIZATION_ID,
        STRATEGY_ID,
        CYCLE_ID,
        UUID(int=1),
        appraisal_stream_id(CYCLE_ID, "ana"),
        coaching_stream_id("ana"),
        coaching_stream_id("ben"),  # coached in general, on a date within 2026
    }
    assert cycle_streams(store, CYCLE_ID) == expected
    exported = {
        UUID(json.loads(line)["stream_id"]) for line in export_lines(store, cycle_id=CYCLE_ID)
    }
    assert exported == expected
    assert cycle_streams(store, SECOND_CYCLE) == {
        ORGANIZATION_ID,
        STRATEGY_ID,
        SECOND_CYCLE,
        UUID(int=2),
        UUID(int=3),
    }


def test_unknown_cycle_is_refused() -> None:
    """Given a store, when a cycle it does not hold is exported, then NotFound is raised."""
    with pytest.raises(NotFound, match="no cycle"):
        _export(_two_cycles(), UUID(int=99))


# -- refusing a broken file ----------------------------------------------------------------------


def _where(lines: list[bytes], name: str, nth: int = 0) -> int:
    return [i for i, line in enumerate(lines) if json.loads(line)["name"] == name][nth]


def _with(line: bytes, **changes: Any) -> bytes:
    data = json.loads(line)
    payload = changes.pop("payload", {})
    data.update(changes)
    data["payload"].update(payload)
    return dumps(data) + b"\n"


BREAKAGES: dict[str, tuple[Callable[[list[bytes]], int], str]] = {}


def breakage(reason: str) -> Callable[[Callable[[list[bytes]], int]], Callable[[list[bytes]], int]]:
    """Register a way to break one line of a good file, and the reason an import must give."""

    def register(func: Callable[[list[bytes]], int]) -> Callable[[list[bytes]], int]:
        BREAKAGES[func.__name__] = (func, reason)
        return func

    return register


@breakage("Invalid JSON")
def malformed_json(lines: list[bytes]) -> int:
    """A line cut short."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = lines[i][:40] + b"\n"
    return i


@breakage("unknown event type 'goal.ProgressFaked'")
def unknown_event(lines: list[bytes]) -> int:
    """A name no event type has."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = _with(lines[i], name="goal.ProgressFaked")
    return i


@breakage("expected float @ $.value")
def wrong_type(lines: list[bytes]) -> int:
    """A value of the wrong type."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = _with(lines[i], payload={"value": "lots"})
    return i


@breakage("version gap")
def version_gap(lines: list[bytes]) -> int:
    """A stream that skips a version."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = _with(lines[i], version=json.loads(lines[i])["version"] + 1)
    return i


@breakage("again")
def duplicate(lines: list[bytes]) -> int:
    """The same event twice."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines.insert(i + 1, lines[i])
    return i + 1


@breakage("refers to 'nope'")
def unknown_key_result(lines: list[bytes]) -> int:
    """A check-in on a key result the goal does not have."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = _with(lines[i], payload={"kr_id": "nope"})
    return i


@breakage("a goal event in stream")
def wrong_stream(lines: list[bytes]) -> int:
    """A goal event in the cycle's stream."""
    i = _where(lines, "goal.ProgressLogged", 2)
    cycle = json.loads(lines[_where(lines, "cycle.CycleOpened")])
    lines[i] = _with(lines[i], stream_id=cycle["stream_id"], version=3)
    return i


@breakage("opens a goal stream")
def reopened(lines: list[bytes]) -> int:
    """A goal set twice."""
    i = _where(lines, "goal.ProgressLogged", 2)
    goal_set = json.loads(lines[_where(lines, "goal.GoalSet")])
    mine = json.loads(lines[i])
    lines[i] = _with(
        lines[i], name="goal.GoalSet", payload={}, stream_id=mine["stream_id"]
    ).replace(json.dumps(mine["payload"], sort_keys=True, separators=(",", ":")).encode(), b"")
    lines[i] = (
        dumps({**goal_set, "stream_id": mine["stream_id"], "version": mine["version"]}) + b"\n"
    )
    return i


@breakage("is not the coaching journal of 'ana'")
def wrong_journal(lines: list[bytes]) -> int:
    """Coaching of one person filed in another's journal (moved before the last check-in)."""
    coaching = lines.pop(_where(lines, "coaching.CoachingGiven"))
    i = _where(lines, "goal.ProgressLogged", 7)
    lines.insert(i, _with(coaching, stream_id=str(coaching_stream_id("ben"))))
    return i


@breakage("empty line")
def blank(lines: list[bytes]) -> int:
    """An empty line in the middle."""
    i = len(lines) // 2
    lines.insert(i, b"\n")
    return i


@breakage("schema version 3, newer than")
def from_the_future(lines: list[bytes]) -> int:
    """A schema version this library does not know yet."""
    i = _where(lines, "goal.ProgressLogged", 2)
    lines[i] = _with(lines[i], schema_version=3)
    return i


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_a_bad_line_in_the_middle_imports_nothing_and_is_named(
    name: str, good_lines: list[bytes]
) -> None:
    """Given a good export with one line broken in the middle (each way in BREAKAGES), when
    imported, then nothing is stored and the refusal names that line and the reason."""
    lines = list(good_lines)
    func, reason = BREAKAGES[name]
    index = func(lines)
    assert 0 < index < len(lines) - 1
    store = open_store("memory://")
    with pytest.raises(ImportRefused) as refused:
        import_lines(store, lines)
    assert refused.value.line == index + 1, refused.value
    assert reason in refused.value.reason, refused.value.reason
    assert str(refused.value).startswith(f"line {index + 1}: ")
    assert store.last_position() == 0


def test_a_goal_whose_cycle_is_not_in_the_file_is_refused(good_lines: list[bytes]) -> None:
    """Given an export without its cycle's events, when imported, then the refusal names the
    GoalSet line whose cycle is missing."""
    lines = [line for line in good_lines if not json.loads(line)["name"].startswith("cycle.")]
    with pytest.raises(ImportRefused, match="is not in the file") as refused:
        import_lines(open_store("memory://"), lines)
    assert refused.value.line == _where(lines, "goal.GoalSet") + 1


def test_import_into_a_store_that_holds_events_is_refused(good_lines: list[bytes]) -> None:
    """Given a store holding events, when a good file is imported, then InvalidInput is raised
    and the store is unchanged."""
    store = _imported(b"".join(good_lines))
    before = store.last_position()
    with pytest.raises(InvalidInput, match="empty store"):
        import_lines(store, good_lines)
    assert store.last_position() == before


def test_validate_lines_accepts_a_good_file(good_lines: list[bytes]) -> None:
    """Given the small history's export, when validated without a store, then every line
    becomes its event."""
    events = validate_lines(good_lines)
    assert len(events) == len(good_lines)
    assert GOAL_A in {event.stream_id for event in events}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store URL on SQLite (a fresh file) or on the real PostgreSQL (a fresh schema)."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.mark.parametrize("name", ["malformed_json", "version_gap", "unknown_key_result"])
def test_a_bad_line_in_the_middle_imports_nothing_into_a_database(
    name: str, good_lines: list[bytes], empty_url: str
) -> None:
    """Given a good export with one line broken in the middle, when imported into an empty
    SQLite or PostgreSQL store, then the refusal names that line, and the database, opened
    afresh, holds no event, no chain entry and no snapshot (its chain verifies empty)."""
    lines = list(good_lines)
    func, reason = BREAKAGES[name]
    index = func(lines)
    store = open_store(empty_url)
    try:
        with pytest.raises(ImportRefused) as refused:
            import_lines(store, lines)
    finally:
        store.close()
    assert (refused.value.line, reason in refused.value.reason) == (index + 1, True)
    reopened = open_store(empty_url)
    try:
        assert reopened.last_position() == 0
        assert list(reopened.read_all()) == []
        report = reopened.verify()
        assert (report.ok, report.events_checked, report.snapshots_checked) == (True, 0, 0)
        import_lines(reopened, good_lines)  # the same store takes the good file afterwards
        assert _export(reopened) == b"".join(good_lines)
    finally:
        reopened.close()
