"""The same season on every store gives identical streams, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from execution_core import Execution
from execution_core.streams import GOAL
from execution_core_adapters.storage.store import open_store
from tests.integration.scenario import dump, record

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.scenario", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stdout


@pytest.fixture(scope="module")
def in_memory() -> list[str]:
    """The season recorded in memory, dumped."""
    clock_url = "memory://"
    from execution_core_adapters.cli.demo import SeasonClock, record_season

    clock = SeasonClock()
    with Execution(open_store(clock_url, clock=clock)) as execution:
        record_season(execution, clock)
        return dump(execution.store)


def test_sqlite_file_reopened_in_a_new_process_matches_memory(
    tmp_path: Path, in_memory: list[str]
) -> None:
    """Given the season written to a SQLite file by one process, when another process reads it,
    then its events equal the in-memory recording line for line."""
    url = f"sqlite:///{tmp_path / 'season.db'}"
    _run("record", url)
    assert _run("dump", url).splitlines() == in_memory


@pytest.mark.postgres
def test_postgres_matches_memory(postgres_url: str, in_memory: list[str]) -> None:
    """Given the season written to the real PostgreSQL server, when read back by a fresh store,
    then its events equal the in-memory recording line for line."""
    record(postgres_url)
    store = open_store(postgres_url)
    try:
        assert dump(store) == in_memory
    finally:
        store.close()


def test_states_load_the_same_from_snapshots_and_from_scratch(tmp_path: Path) -> None:
    """Given a season stored with snapshots every 10 events, when goals are loaded cold,
    then each state equals a fold of the goal's events from the start."""
    url = f"sqlite:///{tmp_path / 'season.db'}"
    record(url)
    store = open_store(url, snapshot_interval=10)
    try:
        goal_ids = {
            e.stream_id for e in Execution(store).history() if type(e).name == "goal.GoalSet"
        }
        assert goal_ids
        for goal_id in goal_ids:
            assert store.load(goal_id, GOAL) == GOAL.fold(store.read(goal_id))
    finally:
        store.close()
