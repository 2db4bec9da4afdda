"""ProgressLogged version 2 (``source``): version-1 events are upcast on read and on import."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from execution_core import LogProgress
from execution_core.events import ProgressLogged
from execution_core.streams import GOAL
from execution_core_adapters.storage.codec import CodecError, decode_event, dumps, encode_event
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import ImportRefused, export_lines, import_lines
from tests.audit.helpers import GOAL_A, record_small
from tests.support import Spec, day

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "progress_v1.jsonl"
FIXTURE_GOAL = UUID("6a1c0f3e-2b4d-4e5f-9a8b-7c6d5e4f3a21")


def test_progress_logged_is_at_schema_version_two() -> None:
    """Given the event catalog, when ProgressLogged is encoded, then it is stored at version 2
    with its source."""
    event = ProgressLogged(
        stream_id=GOAL_A,
        version=3,
        actor="ana",
        occurred_at=day(1),
        recorded_at=day(1),
        kr_id="deals",
        value=1.0,
        confidence=0.5,
    )
    name, data = encode_event(event)
    assert (name, json.loads(data)["schema_version"], json.loads(data)["source"]) == (
        "goal.ProgressLogged",
        2,
        "check-in",
    )


def test_v1_fixture_lines_are_upcast_on_import() -> None:
    """Given the hand-written version-1 fixture, when imported, then its check-ins read back as
    version 2 with source "check-in" and the goal replays to the last reading."""
    store = open_store("memory://")
    report = import_lines(store, FIXTURE.read_bytes().splitlines(keepends=True))
    assert report.events == len(FIXTURE.read_text().splitlines())
    check_ins = [e for e in store.read(FIXTURE_GOAL) if isinstance(e, ProgressLogged)]
    assert [(e.value, e.source, e.comment) for e in check_ins] == [
        (84.5, "check-in", "new carrier from May"),
        (88.0, "check-in", ""),
    ]
    assert store.load(FIXTURE_GOAL, GOAL).key_results["on-time"].value == 88.0
    exported = [json.loads(line) for line in export_lines(store)]
    progress = [line for line in exported if line["name"] == "goal.ProgressLogged"]
    assert {(line["schema_version"], line["payload"]["source"]) for line in progress} == {
        (2, "check-in")
    }
    assert store.verify().ok


def test_v1_bytes_in_a_store_are_upcast_on_read(tmp_path: Path) -> None:
    """Given a SQLite store holding a check-in stored at version 1 (before source existed), when
    read and loaded, then it is a version-2 ProgressLogged with source "check-in"."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    record_small(url)
    store = open_store(url)
    try:
        newest = store.read(GOAL_A)[-1]
        _, data = encode_event(newest)
        payload = json.loads(data)
        assert isinstance(newest, ProgressLogged)
        v1 = {k: v for k, v in payload.items() if k not in ("source", "schema_version")} | {
            "schema_version": 1
        }
        stored = StoredEvent(
            originator_id=GOAL_A,
            originator_version=newest.version + 1,
            topic="goal.ProgressLogged",
            state=dumps(v1),
        )
        store.app.recorder.insert_events([stored])
    finally:
        store.close()
    store = open_store(url)
    try:
        upcast = store.read(GOAL_A)[-1]
        assert isinstance(upcast, ProgressLogged)
        assert (upcast.version, upcast.source, upcast.value) == (
            newest.version + 1,
            "check-in",
            newest.value,
        )
        assert store.load(GOAL_A, GOAL).version == newest.version + 1
        assert store.verify().ok
    finally:
        store.close()


def test_log_progress_records_where_the_reading_came_from(org_spec: Spec) -> None:
    """Given a goal, when progress is logged with source "integration", then the event carries it
    (and a check-in without one says "check-in")."""
    from execution_core import KeyResultSpec, SetGoal
    from execution_core.goals.commands import OwnerSpec
    from tests.support import CYCLE_ID

    org_spec.given(
        SetGoal(
            actor="max",
            occurred_at=day(1),
            goal_id=GOAL_A,
            cycle_id=CYCLE_ID,
            title="Deals",
            owner=OwnerSpec(id="ana"),
            key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
        )
    )
    common = {"actor": "ana", "occurred_at": day(2), "goal_id": GOAL_A, "kr_id": "deals"}
    (fed,) = org_spec.when(LogProgress(value=3, confidence=0.5, source="integration", **common))
    (typed,) = org_spec.when(LogProgress(value=4, confidence=0.6, **common))
    assert isinstance(fed, ProgressLogged)
    assert isinstance(typed, ProgressLogged)
    assert (fed.source, typed.source) == ("integration", "check-in")


def test_a_v1_payload_that_already_has_a_source_is_refused() -> None:
    """Given a version-1 check-in that carries a source (which version 1 never had), when decoded,
    then it is refused rather than silently overwritten."""
    payload = json.loads(FIXTURE.read_text().splitlines()[5])["payload"]
    payload |= {"schema_version": 1, "source": "integration"}
    with pytest.raises(CodecError, match="version 1 has no field 'source'"):
        decode_event("goal.ProgressLogged", FIXTURE_GOAL, 3, dumps(payload))


def test_a_fixture_line_from_a_newer_schema_is_refused_by_line() -> None:
    """Given the fixture with its last check-in claiming schema version 9, when imported, then the
    refusal names that line and asks for a newer execution-core."""
    lines = FIXTURE.read_bytes().splitlines(keepends=True)
    last = json.loads(lines[-1]) | {"schema_version": 9}
    lines[-1] = json.dumps(last).encode() + b"\n"
    with pytest.raises(ImportRefused, match="upgrade execution-core") as refused:
        import_lines(open_store("memory://"), lines)
    assert refused.value.line == len(lines)
