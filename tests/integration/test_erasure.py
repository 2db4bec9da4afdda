"""Erasure without breaking the chain: once a person is erased, their personal fields read as
erased in every view and in the export, what they were cannot be read back from the store's
files, and ``audit verify`` still passes, on memory, a SQLite file and the real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from uuid import UUID

import pytest

from execution_core import Execution, NotPermitted
from execution_core import views as v
from execution_core.privacy import ERASED, PERSONAL
from execution_core_adapters.notebook.frames import events_frame
from execution_core_adapters.storage.mapper import EventMapper
from execution_core_adapters.storage.store import ExecutionStore, open_store
from execution_core_adapters.transfer import export_lines, import_lines
from tests.support import CYCLE_ID, day, seed_deals_goal

GOAL = UUID(int=7)
SECRETS = {
    "name": "Ana",
    "comment": "Ana is worried about her mother's illness",
    "note": "Ana struggles with cold calls",
    "action": "Ana will shadow Ben on three calls",
    "missed": "Ana was on sick leave",
    "summary": "Ana's year was hard on her",
    "reason": "Ana's rating raised after the calibration panel",
    "review": "Ana learned to ask for help",
}
"""What was written about ana, each text starting with her name so a leak is easy to find."""
BEN_NOTE = "Ben closes well"


def record_history(execution: Execution) -> None:
    """The standard org, ana's goal with a commented check-in, coaching for ana and ben, a
    missed commitment, an appraisal and its calibration, and the goal's review."""
    seed_deals_goal(execution, GOAL)
    execution.log_progress(
        GOAL,
        "deals",
        value=4,
        confidence=0.6,
        comment=SECRETS["comment"],
        actor="ana",
        occurred_at=day(7),
    )
    execution.give_coaching(
        "ana",
        note=SECRETS["note"],
        goal_id=GOAL,
        actor="max",
        occurred_at=day(8),
        commitments=[{"commitment_id": "c1", "action": SECRETS["action"], "due_on": "2026-02-01"}],
    )
    execution.give_coaching("ben", note=BEN_NOTE, actor="max", occurred_at=day(8))
    execution.miss_commitment("ana", "c1", note=SECRETS["missed"], actor="max", occurred_at=day(30))
    execution.record_appraisal(
        CYCLE_ID, "ana", 2, summary=SECRETS["summary"], actor="max", occurred_at=day(9)
    )
    execution.calibrate_rating(
        CYCLE_ID, "ana", 3, reason=SECRETS["reason"], actor="hana", occurred_at=day(10)
    )
    execution.review_goal(GOAL, lessons=SECRETS["review"], actor="max", occurred_at=day(11))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL on every backend (PostgreSQL: a fresh schema of the real server)."""
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def erased(store_url: str) -> Iterator[ExecutionStore]:
    """A store whose history above was recorded (snapshotting every 3 events), then ana erased."""
    store = open_store(store_url, snapshot_interval=3)
    execution = Execution(store)
    record_history(execution)
    execution.erase_person("ana", actor="hana", occurred_at=day(40))
    yield store
    store.close()


def _personal_texts(store: ExecutionStore) -> list[str]:
    """Every personal field's value as the store reads it back."""
    found = []
    for recorded in store.read_all():
        personal = PERSONAL.get(type(recorded.event).name)
        for field in personal.fields if personal else ():
            found.append(getattr(recorded.event, field))
    return found


def test_an_erased_store_verifies(erased: ExecutionStore) -> None:
    """Given ana erased, then the hash chain over the stored ciphertext still verifies."""
    report = erased.verify()
    assert report.ok, report.first
    assert report.events_checked == erased.last_position()


def test_every_personal_field_about_ana_reads_erased_and_others_stay(
    erased: ExecutionStore,
) -> None:
    """Given ana erased, then none of her texts is read back, each reads erased, and ben's
    coaching note and the other people's names stay."""
    texts = _personal_texts(erased)
    assert not set(SECRETS.values()) & set(texts)
    assert texts.count(ERASED) == len(SECRETS)
    assert BEN_NOTE in texts
    assert {"Ben", "Max", "Hana"} <= set(texts)


def test_views_show_erased_where_the_data_was(erased: ExecutionStore) -> None:
    """Given ana erased (also by a process that opens the store afresh), then the people list,
    plan quality, the appraisal sheet, her coaching journal and the events frame show erased."""
    execution = Execution(erased)
    assert execution.organization().people["ana"].name == ERASED
    ledger = execution.ledger_as_of()
    quality = v.plan_quality(ledger, CYCLE_ID, at=day(40))
    assert f"{ERASED} has no developmental goal in this cycle" in {
        finding.detail for finding in quality.findings
    }
    assert v.appraisal_sheet(ledger, CYCLE_ID, "ana", at=day(40), viewer="hana").summary == ERASED
    journal = execution.coaching_journal("ana")
    assert {c.action for c in journal.commitments.values()} == {ERASED}
    frame = events_frame(erased.read_all())
    cells = {str(cell) for cell in frame.to_numpy().ravel()}
    assert ERASED in cells
    assert not set(SECRETS.values()) & cells


def test_the_export_of_an_erased_person_holds_the_marker_and_imports(
    erased: ExecutionStore,
) -> None:
    """Given ana erased, then the export holds erased where her texts were (ids, dates and
    numbers kept), and imports into a new store that verifies and reads the same."""
    lines = list(export_lines(erased))
    text = b"".join(lines).decode()
    assert not [secret for secret in SECRETS.values() if secret in text]
    assert text.count(json.dumps(ERASED)) == len(SECRETS)
    copy = open_store("memory://")
    import_lines(copy, lines)
    assert copy.verify().ok
    assert list(export_lines(copy)) == lines
    assert copy.keys().is_erased("ana")


def test_a_refused_erasure_records_nothing_and_keeps_the_key(store_url: str) -> None:
    """Given the history, when ana's manager erases her, then NotPermitted, nothing is
    recorded and her texts still read back."""
    store = open_store(store_url)
    try:
        execution = Execution(store)
        record_history(execution)
        before = store.last_position()
        with pytest.raises(NotPermitted):
            execution.erase_person("ana", actor="max", occurred_at=day(40))
        assert store.last_position() == before
        assert not store.keys().is_erased("ana")
        assert set(SECRETS.values()) <= set(_personal_texts(store))
    finally:
        store.close()


def test_nothing_about_ana_is_left_in_the_sqlite_file(tmp_path: Path) -> None:
    """Given ana erased in a SQLite store that snapshotted her streams, then neither her texts
    nor her key are anywhere in the database's files (events sealed, key and snapshots
    overwritten, the write-ahead log truncated)."""
    path = tmp_path / "store.db"
    store = open_store(f"sqlite:///{path}", snapshot_interval=3)
    execution = Execution(store)
    record_history(execution)
    key = store.keys().key("ana")
    assert key is not None
    execution.erase_person("ana", actor="hana", occurred_at=day(40))
    store.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("store.db"))
    assert key not in files
    assert [secret for secret in SECRETS.values() if secret.encode() in files] == []
    assert b"Ben closes well" not in files, "ben's note is sealed too"


def test_a_store_written_before_sealing_reads_and_migrates_by_export(tmp_path: Path) -> None:
    """Given a SQLite store written with personal fields in the clear (as releases before
    sealing wrote them), then it opens, reads them as they are and verifies; erasing records
    the fact but cannot reach those old bytes; its export imported into a new store seals them,
    and an erasure there removes them."""
    old_path = tmp_path / "old.db"
    old = open_store(f"sqlite:///{old_path}")
    cast(EventMapper, old.app.mapper).sealer = None  # what an earlier release wrote
    record_history(Execution(old))
    old.close()

    reopened = open_store(f"sqlite:///{old_path}")
    try:
        assert set(SECRETS.values()) <= set(_personal_texts(reopened))
        assert reopened.verify().ok
        lines = list(export_lines(reopened))
        Execution(reopened).erase_person("ana", actor="hana", occurred_at=day(40))
        assert reopened.verify().ok
        assert SECRETS["note"] in _personal_texts(reopened), "plaintext is out of erasure's reach"
    finally:
        reopened.close()

    new_path = tmp_path / "new.db"
    migrated = open_store(f"sqlite:///{new_path}")
    import_lines(migrated, lines)
    assert set(SECRETS.values()) <= set(_personal_texts(migrated))
    Execution(migrated).erase_person("ana", actor="hana", occurred_at=day(40))
    assert migrated.verify().ok
    migrated.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("new.db"))
    assert [secret for secret in SECRETS.values() if secret.encode() in files] == []
