"""Properties: no value a hostile or careless caller sends can poison a store.

The oracle is the library itself on every backend. For each generated input (a command's JSON
with one field made hostile, or an export line with one field made hostile), either the
library refuses it with a typed error (``ExecutionError``) and stores nothing, or it accepts
it and then every view builds at every instant of the cycle, the command line prints the board,
the appraisal sheets and the radar without a traceback or a raw control character, the
projection worker catches up to the head on a SQLite file **and** on the real PostgreSQL
server, and an export imports into both and exports again byte for byte.

``EXECUTION_CORE_FUZZ_REPORT=path`` appends a JSON line per test with how many inputs were
tried and how many were accepted (the closing note of issue 12 quotes those figures).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from execution_core import Execution, ExecutionError
from execution_core import views as v
from execution_core.views import Ledger
from execution_core_adapters.cli.main import app
from execution_core_adapters.projections.materialize import ViewWorker
from execution_core_adapters.storage.store import ExecutionStore, open_store
from execution_core_adapters.transfer import export_lines, import_lines
from tests.conftest import fresh_schema, postgres_server
from tests.support import CYCLE_ID, CYCLE_VIEWS, T0, standard_org

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000f1")
BUSINESS = "2026-02-02T09:00:00+00:00"
"""When the templates' facts happen: inside the 2026 cycle, before the store's clock."""


class TickingClock:
    """A store clock a minute further at every reading: recorded times strictly rise."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _seeded(url: str) -> Execution:
    """A store holding the standard organization, ana's goal with a metric and a milestone,
    a check-in, a coaching session with a commitment and an appraisal: every stream kind."""
    execution = Execution(open_store(url, clock=TickingClock(T0 + timedelta(days=150))))
    for command in standard_org():
        execution.execute(command)
    at = {"occurred_at": "2026-01-12T09:00:00+00:00"}
    for request in (
        {
            "type": "SetGoal",
            "actor": "max",
            "goal_id": str(GOAL_ID),
            "cycle_id": str(CYCLE_ID),
            "title": "Deals",
            "owner": {"kind": "person", "id": "ana"},
            "theme_id": "growth",
            "key_results": [
                {"kr_id": "deals", "name": "Deals", "baseline": 2, "target": 10, "stretch": 14},
                {"kr_id": "launch", "name": "Launch", "milestone": True},
            ],
            "actions": [
                {"action_id": "call", "task": "Call", "owner_id": "ana", "due_on": "2026-03-01"}
            ],
        },
        {
            "type": "LogProgress",
            "actor": "ana",
            "goal_id": str(GOAL_ID),
            "kr_id": "deals",
            "value": 4,
            "confidence": 0.6,
        },
        {
            "type": "GiveCoaching",
            "actor": "max",
            "person_id": "ana",
            "goal_id": str(GOAL_ID),
            "kind": "guidance",
            "note": "Call the warm leads first",
            "commitments": [{"commitment_id": "c1", "action": "Call", "due_on": "2026-02-01"}],
        },
        {
            "type": "RecordAppraisal",
            "actor": "hana",
            "cycle_id": str(CYCLE_ID),
            "person_id": "ben",
            "rating": 3,
            "summary": "Steady",
        },
    ):
        execution.execute({**request, **at})
    return execution


def _templates() -> dict[str, dict[str, Any]]:
    """One valid request per command the hostile values are planted in (each is checked
    accepted as it is by the first test below, so a refusal is the planted value's doing)."""
    goal, cycle = str(GOAL_ID), str(CYCLE_ID)
    return {
        "AddPerson": {
            "person_id": "zoe",
            "name": "Zoe",
            "unit_id": "sales",
            "manager_id": "max",
            "roles": ["reviewer"],
            "actor": "system",
        },
        "FoundUnit": {"unit_id": "ops", "name": "Ops", "parent_id": "hq", "actor": "system"},
        "AddTheme": {
            "theme_id": "care",
            "title": "Care",
            "perspective": "customer",
            "actor": "cleo",
        },
        "OpenCycle": {
            "name": "H2",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
            "cadence_days": 14,
            "policy": {
                "on_track": 0.85,
                "stale_cadences": 3.0,
                "rating_floors": [0.4, 0.6, 0.8, 1.0],
                "coaching_windows_days": [7, 21],
            },
            "actor": "cleo",
        },
        "AdoptPolicy": {
            "cycle_id": cycle,
            "policy": {"at_risk": 0.6, "bonus_multipliers": [0, 0.5, 1, 1.2, 1.6]},
            "actor": "hana",
        },
        "SetGoal": {
            "cycle_id": cycle,
            "title": "Renewals",
            "owner": {"kind": "person", "id": "ben"},
            "parent_goal_id": goal,
            "weight": 2.0,
            "key_results": [
                {
                    "kr_id": "churn",
                    "name": "Churn",
                    "unit": "%",
                    "baseline": 12.5,
                    "target": 8.0,
                    "direction": "decrease",
                }
            ],
            "actions": [
                {"action_id": "a1", "task": "Audit", "owner_id": "ben", "due_on": "2026-04-01"}
            ],
            "actor": "max",
        },
        "LogProgress": {
            "goal_id": goal,
            "kr_id": "deals",
            "value": 6.5,
            "confidence": 0.7,
            "comment": "Two more",
            "actor": "ana",
        },
        "AdjustTarget": {
            "goal_id": goal,
            "kr_id": "deals",
            "target": 12,
            "stretch": 15,
            "reason": "Market grew",
            "actor": "max",
        },
        "AddKeyResult": {
            "goal_id": goal,
            "key_result": {"kr_id": "nps", "name": "NPS", "baseline": 30, "target": 45},
            "actor": "max",
        },
        "WeightGoal": {"goal_id": goal, "weight": 3, "actor": "max"},
        "PlanAction": {
            "goal_id": goal,
            "action": {
                "action_id": "a2",
                "task": "Demo",
                "owner_id": "ana",
                "due_on": "2026-05-01",
            },
            "actor": "ana",
        },
        "DropGoal": {"goal_id": goal, "reason": "Reorganised", "actor": "max"},
        "ReviewGoal": {
            "goal_id": goal,
            "worked": "Warm leads",
            "did_not_work": "Cold calls",
            "lessons": "Qualify first",
            "actor": "max",
        },
        "GiveCoaching": {
            "person_id": "ben",
            "kind": "recognition",
            "note": "Great renewal call",
            "commitments": [{"commitment_id": "c2", "action": "Share", "due_on": "2026-03-01"}],
            "actor": "max",
        },
        "MissCommitment": {
            "person_id": "ana",
            "commitment_id": "c1",
            "note": "Ran out of time",
            "actor": "max",
        },
        "RecordAppraisal": {
            "cycle_id": cycle,
            "person_id": "ana",
            "rating": 4,
            "summary": "Strong second half",
            "actor": "hana",
        },
        "CalibrateRating": {
            "cycle_id": cycle,
            "person_id": "ben",
            "rating": 2,
            "reason": "Unit calibration",
            "actor": "hana",
        },
        "RemovePerson": {"person_id": "ben", "reason": "Left", "actor": "system"},
    }


TEMPLATES = _templates()


def _request(name: str) -> dict[str, Any]:
    return {"type": name, "occurred_at": BUSINESS, **json.loads(json.dumps(TEMPLATES[name]))}


# -- hostile values -----------------------------------------------------------------------------

HOSTILE_NUMBERS: list[Any] = [
    1e308,
    -1.7e308,
    1.7e308,
    1e-308,
    5e-324,
    -0.0,
    0,
    -1,
    10**20,
    -(10**20),
    2**63,
    2**64,
    10**400,
    math.inf,
    -math.inf,
    math.nan,
    1e15,
    0.1 + 0.2,
]
HOSTILE_TEXT: list[str] = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "a\x1b[2J\x1b[31mred",
    "r\u202eevil",
    "\u2066isolate\u2069",
    "\u200f",
    "\ud800",
    "tab\there",
    "new\nline",
    "cr\rreturn",
    "\u2028",
    "[red]markup[/red]",
    "x" * 10_001,
    "y" * 100_000,
    "emoji \U0001f600",
    "\ufeffbom",
    "Zoë",
]
HOSTILE_DATES: list[str] = [
    "9999-12-31",
    "0001-01-01",
    "1900-01-01",
    "1899-12-31",
    "2999-12-31",
    "3000-01-01",
    "1970-01-01",
    "2026-02-30",
    "2026-13-01",
    "26-01-01",
    "2026-01-01T00:00:00",
]
HOSTILE_DATETIMES: list[str] = [
    "9999-12-31T23:59:59.999999+00:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "1900-01-01T00:00:00+00:00",
    "2999-12-31T23:59:59+00:00",
    "2026-02-02T09:00:00",
    "2026-02-02T09:00:00+14:00",
    "2026-02-02T09:00:00-23:59",
    "2027-06-01T09:00:00+00:00",
    "1970-01-01T00:00:00Z",
    "not a time",
]
WRONG_TYPES: list[Any] = [True, False, None, "3", "", [], {}, [1], {"a": 1}, 3.5, -7]

hostile_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
    st.sampled_from(HOSTILE_DATES),
    st.sampled_from(HOSTILE_DATETIMES),
    st.sampled_from(WRONG_TYPES),
    st.uuids().map(str),
)
"""Values a careless or hostile caller sends: extreme and non-finite numbers, boundary and
impossible dates, NUL, control, bidi and surrogate characters, long strings, wrong types."""


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The paths to every leaf of a JSON value (dict keys and list indexes), and to every
    container, since a hostile value may replace a whole list or object too."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _planted(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``document`` with the leaf at ``path`` replaced by ``value``."""
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


# -- the oracle: everything downstream of an accepted input works ---------------------------------

_UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _printable(text: str) -> bool:
    """True when the terminal output holds no control, format or surrogate character (line
    feeds of the layout aside)."""
    return all(ch == "\n" or unicodedata.category(ch) not in _UNSAFE for ch in text)


def _every_view(ledger: Ledger) -> None:
    """Every view of every cycle at its start, middle, end and after, and each person's sheet."""
    people = ["ana", "ben", "max", "zoe"]
    for cycle_id, cycle in ledger.cycles.items():
        start, end = cycle.starts_at, cycle.ends_at
        for at in (start, start + (end - start) / 2, end, end + timedelta(days=1)):
            for view in CYCLE_VIEWS:
                view(ledger, cycle_id, at=at)
            for person in people:
                for sheet in (v.appraisal_sheet, v.appraisal_trace):
                    # a person not (or no longer) in the organization gets a typed answer
                    with contextlib.suppress(ExecutionError):
                        sheet(ledger, cycle_id, person, viewer="hana", at=at)
                v.rating_history(ledger, person, viewer="hana", at=at)


def _cli_reads(path: Path) -> None:
    """The command line prints the views of the store, escaped, without a traceback."""
    runner = CliRunner()
    for args in (
        ["board", "--db", str(path)],
        ["appraisal", "--db", str(path), "--viewer", "hana"],
        ["radar", "--db", str(path)],
    ):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.output,
        )
        assert result.exit_code == 0, (args, result.output)
        assert _printable(result.output), (args, result.output)


def _caught_up(store: ExecutionStore) -> None:
    """The projection worker takes every event of the store into every view table."""
    worker = ViewWorker(store, pause_gc=False)
    try:
        worker.catch_up()
        head = store.last_position()
        assert worker.positions() == dict.fromkeys(worker.views, head)
    finally:
        worker.close()


def _round_trip(lines: list[bytes], url: str) -> list[bytes]:
    """Import ``lines`` into the store at ``url``, catch its view tables up (a database has
    them), and export it again."""
    store = open_store(url)
    try:
        import_lines(store, lines)
        if not url.startswith("memory:"):
            _caught_up(store)
        return list(export_lines(store))
    finally:
        store.close()


def _downstream_works(lines: list[bytes], workdir: Path) -> None:
    """The oracle for an accepted input: views, CLI, worker and round-trips on SQLite and on
    the real PostgreSQL server."""
    memory = open_store("memory://")
    try:
        import_lines(memory, lines)
        _every_view(Ledger.of(Execution(memory).history()))
    finally:
        memory.close()
    sqlite = workdir / f"{uuid4().hex}.db"
    again = _round_trip(lines, f"sqlite:///{sqlite}")
    _cli_reads(sqlite)
    with fresh_schema(postgres_server()) as url:
        assert _round_trip(lines, url) == again
    assert _round_trip(again, "memory://") == again


# -- bookkeeping ----------------------------------------------------------------------------------


class Tally:
    """How many inputs a property tried and how many the library accepted."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.counts: Counter[str] = Counter()

    def report(self) -> None:
        """Append the counts to ``$EXECUTION_CORE_FUZZ_REPORT``, when set."""
        where = os.environ.get("EXECUTION_CORE_FUZZ_REPORT")
        if where:
            with open(where, "a", encoding="utf-8") as out:
                out.write(json.dumps({"test": self.name, **self.counts}) + "\n")


@pytest.fixture
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the SQLite files of one test (hypothesis reuses a function's fixtures)."""
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def seeded_lines() -> list[bytes]:
    """The export of the seeded store: the base every mutated input starts from."""
    execution = _seeded("memory://")
    try:
        return list(export_lines(execution.store))
    finally:
        execution.close()


# -- the properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_is_accepted_as_it_is(name: str) -> None:
    """Each template records events on the seeded store, so a refusal in the properties
    below comes from the hostile value planted in it, not from the template."""
    with _seeded("memory://") as execution:
        assert execution.execute(json.dumps(_request(name))).events


COMMAND_TALLY = Tally("commands")


@pytest.mark.postgres
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from(sorted(TEMPLATES)).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(list(_leaves(_request(name)))))
    ),
    value=hostile_values,
)
def test_a_hostile_command_is_refused_whole_or_breaks_nothing_downstream(
    where: tuple[str, tuple[Any, ...]], value: Any, workdir: Path
) -> None:
    """Property: a command's JSON with one field made hostile is either refused with a typed
    error that stores nothing, or accepted and then every view, the CLI, the worker on SQLite
    and PostgreSQL, and export/import all work (oracle: the library on every backend)."""
    name, path = where
    request = _planted(_request(name), path, value)
    COMMAND_TALLY.counts["tried"] += 1
    with _seeded("memory://") as execution:
        before = execution.store.last_position()
        try:
            text = json.dumps(request, allow_nan=True)
        except ValueError:  # pragma: no cover - json.dumps takes any of our values
            return
        try:
            execution.execute(text)
        except ExecutionError:
            assert execution.store.last_position() == before, "a refused command stored events"
            return
        COMMAND_TALLY.counts["accepted"] += 1
        lines = list(export_lines(execution.store))
    _downstream_works(lines, workdir)


LINE_TALLY = Tally("export lines")


@st.composite
def _hostile_lines(draw: st.DrawFn, lines: list[bytes]) -> list[bytes]:
    """The seeded export with one field of one line (envelope or payload) made hostile."""
    index = draw(st.integers(0, len(lines) - 1))
    document = json.loads(lines[index])
    path = draw(st.sampled_from(list(_leaves(document))))
    planted = _planted(document, path, draw(hostile_values))
    mutated = list(lines)
    mutated[index] = json.dumps(planted, allow_nan=True).encode("utf-8", "surrogatepass") + b"\n"
    return mutated


@pytest.mark.postgres
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_hostile_export_line_is_refused_whole_or_breaks_nothing_downstream(
    data: st.DataObject, seeded_lines: list[bytes], workdir: Path
) -> None:
    """Property: an export file with one field of one line made hostile is either refused
    whole with a typed error that stores nothing, or imported and then every view, the CLI,
    the worker on SQLite and PostgreSQL, and a second export/import all work (oracle: the
    library on every backend)."""
    lines = data.draw(_hostile_lines(seeded_lines))
    LINE_TALLY.counts["tried"] += 1
    store = open_store("memory://")
    try:
        try:
            import_lines(store, lines)
        except ExecutionError:
            assert store.last_position() == 0, "a refused import stored events"
            return
    finally:
        store.close()
    LINE_TALLY.counts["accepted"] += 1
    _downstream_works(lines, workdir)


def test_the_seeded_export_itself_round_trips_on_every_backend(
    seeded_lines: list[bytes], workdir: Path
) -> None:
    """The unmutated base passes the whole oracle (so the oracle can pass at all)."""
    postgres_server()
    _downstream_works(seeded_lines, workdir)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    """Write the tallies once the module's properties have run."""
    yield
    COMMAND_TALLY.report()
    LINE_TALLY.report()
