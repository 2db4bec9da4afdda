"""An event a view cannot take parks that view, and only it, on a real SQLite file and the real
PostgreSQL server: the other views catch up to the head, ``status`` and ``views status`` say
which event and why, a restart keeps it parked, and a rebuild once the cause is gone un-parks
it. The events are planted below the command layer (through the store's recorder), as an
older version, an import or a bug could have left them. Oracle: the pure projections."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
import typer
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from execution_core import Event
from execution_core_adapters.cli.views import views_app
from execution_core_adapters.projections.materialize import VIEWS, ParkedView, ViewWorker
from tests.materialize.oracle import expected, put
from tests.materialize.planting import BAD, CASES, plant, repair, url_of


def _cli() -> typer.Typer:
    """The sub-app mounted as the lead mounts it."""
    app = typer.Typer()
    app.add_typer(views_app, name="views")
    return app


@pytest.mark.parametrize(("backend", "changes", "reason"), CASES)
def test_an_event_the_board_cannot_take_parks_only_the_board(
    backend: str,
    changes: dict[str, Any],
    reason: str,
    request: pytest.FixtureRequest,
    season: list[Event],
) -> None:
    """Given a stored goal the board table cannot hold, when a worker of every view catches
    up, then the board is parked on exactly that event (tracked just before it, its table as
    the projections there), the other views reach the head equal to the projections, status
    reports it, a restart keeps it parked, a rebuild with the cause still there parks it again,
    and a rebuild once the stored event is repaired un-parks it and catches it up."""
    url = url_of(backend, request)
    store = plant(url, season, changes, 300)
    ids = [r.position for r in store.read_all()]
    bad_at = ids[BAD]
    planted = [r.event for r in store.read_all()]
    with ViewWorker(store, page_size=64, batch_size=64, commit_share=None) as worker:
        assert worker.catch_up() == 300
        parked = worker.parked()
        assert list(parked) == ["board"]
        board = parked["board"]
        assert isinstance(board, ParkedView)
        assert (board.position, board.event_type) == (bad_at, "goal.GoalSet")
        assert board.stream_id == str(season[BAD].stream_id)
        assert reason in board.error
        assert worker.positions() == {"board": ids[BAD - 1], "appraisal": ids[-1], "radar": ids[-1]}
        assert worker.rows("board") == expected(season[:BAD], "board")
        for view in ("appraisal", "radar"):
            assert worker.rows(view) == expected(planted, view)
        status = {s.view: s for s in worker.status()}
        assert status["board"].lag == 300 - BAD
        assert status["board"].parked == board
        assert (status["radar"].lag, status["radar"].parked, status["radar"].head) == (
            0,
            None,
            ids[-1],
        )

    store.app.events.put(cast(Any, season[300:340]))
    with ViewWorker(store) as restarted:
        assert restarted.catch_up() == 40
        assert restarted.parked() == {"board": board}
        assert restarted.positions()["board"] == ids[BAD - 1]
        assert restarted.rebuild() == 340
        assert restarted.parked().keys() == {"board"}
        assert restarted.positions()["board"] == ids[BAD - 1]

    repair(store, bad_at, season[BAD])
    with ViewWorker(store, "board") as fixed:
        fixed.rebuild()
        assert fixed.parked() == {}
        assert fixed.rows("board") == expected(season[:340], "board")
    with ViewWorker(store) as everything:
        assert everything.positions() == dict.fromkeys(VIEWS, store.last_position())
    store.close()


@pytest.mark.parametrize(("backend", "changes", "reason"), CASES)
def test_views_status_and_catch_up_report_the_parked_view(
    backend: str,
    changes: dict[str, Any],
    reason: str,
    request: pytest.FixtureRequest,
    season: list[Event],
) -> None:
    """Given a stored goal the board cannot take, when `views catch-up` runs, then it keeps the
    other views current, names the parked view, its event and the reason, and exits 1; then
    `views status` (text and --json) shows each view's position, the head and the lag, and the
    parked view's event and reason, and exits 1."""
    url = url_of(backend, request)
    store = plant(url, season, changes, 120)
    ids = [r.position for r in store.read_all()]
    runner = CliRunner()
    result = runner.invoke(_cli(), ["views", "catch-up", "--db", url])
    assert result.exit_code == 1, result.output
    assert f"view board parked at event {ids[BAD]} (goal.GoalSet" in result.output
    assert reason in result.output
    assert "views rebuild --views board" in result.output
    result = runner.invoke(_cli(), ["views", "status", "--db", url])
    assert result.exit_code == 1, result.output
    assert f"board      at {ids[BAD - 1]} of {ids[-1]}, {120 - BAD} events behind" in result.output
    assert f"PARKED at event {ids[BAD]}" in result.output
    assert f"radar      at {ids[-1]} of {ids[-1]}, 0 events behind" in result.output
    result = runner.invoke(_cli(), ["views", "status", "--db", url, "--json"])
    assert result.exit_code == 1, result.output
    document = {row["view"]: row for row in map(json.loads, result.stdout.splitlines())}
    for row in document.values():
        del row["view"]
    assert document["appraisal"] == {"position": ids[-1], "head": ids[-1], "lag": 0, "parked": None}
    assert document["board"]["lag"] == 120 - BAD
    assert document["board"]["parked"]["position"] == ids[BAD]
    assert document["board"]["parked"]["event_type"] == "goal.GoalSet"
    assert reason in document["board"]["parked"]["error"]
    store.close()


def test_views_status_exits_0_when_nothing_is_parked(sqlite_url: str, season: list[Event]) -> None:
    """Given a store of 200 events and the board caught up to 150, when `views status --json`
    runs, then it exits 0 with each view's position and lag (receipts and gaps aside)."""
    put(sqlite_url, season[:200]).close()
    with ViewWorker(sqlite_url, "board") as board:
        board.catch_up(limit=150)
    result = CliRunner().invoke(_cli(), ["views", "status", "--db", sqlite_url, "--json"])
    assert result.exit_code == 0, result.output
    document = {row["view"]: row for row in map(json.loads, result.stdout.splitlines())}
    for row in document.values():
        del row["view"]
    assert document["board"] == {"position": 150, "head": 200, "lag": 50, "parked": None}
    assert document["radar"] == {"position": 0, "head": 200, "lag": 200, "parked": None}


def test_an_event_no_view_can_decode_parks_every_view_after_the_events_before_it(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given a stored event of an unknown type at position 28, when a worker of every view
    catches up, then every view is parked on it, tracked at 27 with tables equal to the
    projections there, and a restart applies nothing."""
    store = put(sqlite_url, season[:BAD])
    stored = store.app.mapper.to_stored_event(cast(Any, season[BAD]))
    unknown = StoredEvent(
        stored.originator_id, stored.originator_version, "goal.NoSuchEvent", stored.state
    )
    store.app.recorder.insert_events([unknown])
    store.app.events.put(cast(Any, season[BAD + 1 : 200]))
    with ViewWorker(store, page_size=100, batch_size=100) as worker:
        assert worker.catch_up() == BAD
        parked = worker.parked()
        assert parked.keys() == set(VIEWS)
        assert {p.position for p in parked.values()} == {BAD + 1}
        assert {p.event_type for p in parked.values()} == {"goal.NoSuchEvent"}
        assert worker.positions() == dict.fromkeys(VIEWS, BAD)
        for view in VIEWS:
            assert worker.rows(view) == expected(season[:BAD], view)
    with ViewWorker(store) as restarted:
        assert restarted.catch_up() == 0
        assert restarted.positions() == dict.fromkeys(VIEWS, BAD)
    store.close()


def test_a_tracking_conflict_is_not_reported_as_a_failure(
    sqlite_url: str, season: list[Event]
) -> None:
    """Given two workers of every view loaded at 100 and the first committing up to 200, when
    the second catches up, then it is refused once as a conflict, parks nothing, raises
    nothing, and the tables equal the projections (a failed write would have parked a view)."""
    store = put(sqlite_url, season[:100])
    with ViewWorker(store) as first, ViewWorker(store) as second:
        first.catch_up()
        second.catch_up()
        store.app.events.put(cast(Any, season[100:200]))
        first.catch_up()
        assert second.catch_up() == 0
        assert (second.conflicts, second.parked()) == (1, {})
        assert {view: second.rows(view) for view in VIEWS} == {
            view: expected(season[:200], view) for view in VIEWS
        }
    store.close()
