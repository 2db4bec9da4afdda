"""``execution-core simulate``: runs a simulation, prints its outcome, records into --db."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from execution_core.simulation import ExecutionManagement, Model
from execution_core_adapters.cli.main import app
from execution_core_adapters.simulate import simulate
from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import write_export

runner = CliRunner()


def _export_of(url: str) -> bytes:
    store = open_store(url)
    try:
        out = io.BytesIO()
        write_export(store, out)
        return out.getvalue()
    finally:
        store.close()


def test_simulate_prints_the_outcome_and_its_notes_apart() -> None:
    """Given a small organization, when `simulate` runs in memory, then it exits 0, prints the
    outcome table on standard output, and the events recorded and the note that the coaching
    effect is a model parameter on standard error."""
    result = runner.invoke(
        app, ["simulate", "--people", "8", "--weeks", "4", "--policy", "performance"]
    )
    assert result.exit_code == 0, result.output
    assert "attainment_mean" in result.stdout
    assert "model parameter" not in result.stdout
    assert "Recorded" in result.stderr
    assert "model parameter" in result.stderr


def test_simulate_json_is_one_line_of_the_outcome() -> None:
    """Given a small organization, when `simulate --json` runs, then standard output is one
    JSON object: the outcome's record, the commands run and the cycle."""
    result = runner.invoke(
        app, ["simulate", "--people", "8", "--weeks", "4", "--seed", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    with simulate(Model(people=8, weeks=4), ExecutionManagement(), seed=3) as same:
        expected = same.outcome().to_record()
        assert same.run is not None
        assert record["commands"] == same.run.commands
    assert {key: record[key] for key in expected} == expected


def test_simulate_records_into_a_store_and_refuses_a_used_one(tmp_path: Path) -> None:
    """Given --db, when `simulate` runs, then the SQLite file holds the same history as the
    same simulation in memory; run again on it, it is refused (exit 2) and left unchanged."""
    db = tmp_path / "sim.db"
    args = ["simulate", "--people", "8", "--weeks", "4", "--seed", "3", "--db", str(db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    recorded = _export_of(f"sqlite:///{db}")
    with simulate(Model(people=8, weeks=4), ExecutionManagement(), seed=3) as same:
        assert recorded == b"".join(same.export_lines())
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already holds events" in " ".join(again.output.split())
    assert _export_of(f"sqlite:///{db}") == recorded


def test_simulate_leaves_a_foreign_database_alone(tmp_path: Path) -> None:
    """Given --db naming a SQLite file that is not a store, when `simulate` runs, then it
    exits 2 saying so, and the file is not changed."""
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE invoices (id INTEGER)")
    before = db.read_bytes()
    result = runner.invoke(app, ["simulate", "--people", "4", "--weeks", "2", "--db", str(db)])
    assert result.exit_code == 2
    assert "execution-core store" in " ".join(result.output.split())
    assert db.read_bytes() == before
