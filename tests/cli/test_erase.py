"""``execution-core erase PERSON``: erases through the access policy, exits 1 on a refusal
with nothing recorded, and leaves a store that ``audit verify`` passes and whose views show
the person as erased."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from execution_core.privacy import ERASED
from execution_core_adapters.storage.store import open_store
from tests.cli.conftest import run


@pytest.fixture
def store(demo_store: Path, tmp_path: Path) -> Path:
    """A copy of the demo's store, for one test to change."""
    copy = tmp_path / "season.db"
    shutil.copy(demo_store, copy)
    return copy


def _positions(path: Path) -> int:
    store = open_store(f"sqlite:///{path}")
    try:
        return store.last_position()
    finally:
        store.close()


def test_erase_then_verify(store: Path) -> None:
    """Given the demo store, when ana is erased, then --json prints the result, `audit verify`
    exits 0, and `audit export` carries her name as erased."""
    erased = run("erase", "ana", "--db", str(store), "--json")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.stdout)["person_id"] == "ana"
    assert "erased" in erased.stderr
    verified = run("audit", "verify", "--db", str(store), "--json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["ok"] is True
    exported = run("audit", "export", "--db", str(store))
    joined = [
        json.loads(line)["payload"]
        for line in exported.stdout.splitlines()
        if '"organization.PersonJoined"' in line
    ]
    names = {payload["person_id"]: payload["person_name"] for payload in joined}
    assert names["ana"] == ERASED
    assert names["ben"] != ERASED


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("ana", "--actor", "ben"), "not permitted"),
        (("zoe",), "zoe"),
    ],
)
def test_a_refused_erasure_exits_1_and_records_nothing(
    store: Path, args: tuple[str, ...], says: str
) -> None:
    """Given the demo store, when a peer erases ana or anyone erases an unknown person, then
    exit 1 with the reason on standard error, and the store holds no new event."""
    before = _positions(store)
    result = run("erase", *args, "--db", str(store))
    assert result.exit_code == 1
    assert says in result.stderr
    assert result.stdout == ""
    assert _positions(store) == before
