"""The ``execution-core audit`` commands: verify, head, export, import."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from execution_core_adapters.cli.audit import audit_app
from tests.audit.helpers import edited, raw_for, record_small
from tests.support import CYCLE_ID

runner = CliRunner()


def _store(tmp_path: Path, name: str = "store.db") -> str:
    url = f"sqlite:///{tmp_path / name}"
    record_small(url)
    return url


def test_verify_passes_an_untouched_store_and_fails_a_tampered_one(tmp_path: Path) -> None:
    """Given a recorded store, when `audit verify` runs before and after a row is edited in the
    database, then it exits 0 and then 1 naming the edited event."""
    url = _store(tmp_path)
    ok = runner.invoke(audit_app, ["verify", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert "ok" in ok.output
    raw = raw_for(url)
    position, _, _, _, state = raw.rows()[-3]
    raw.execute(
        "UPDATE {events} SET state = ? WHERE rowid = ?", edited(state, actor="eve"), position
    )
    bad = runner.invoke(audit_app, ["verify", "--db", url])
    assert bad.exit_code == 1
    assert "TAMPERED" in bad.output
    assert f"edited: position {position}" in bad.output


def test_head_then_verify_against_it_exposes_truncation(tmp_path: Path) -> None:
    """Given a head saved with `audit head`, when the newest event is removed with its chain entry,
    then `audit verify` alone passes and `audit verify --anchor` fails with "truncated"."""
    url = _store(tmp_path)
    saved = runner.invoke(audit_app, ["head", "--db", url])
    assert saved.exit_code == 0
    anchor = tmp_path / "head.json"
    anchor.write_text(saved.stdout)
    position = json.loads(saved.stdout)["position"]
    raw = raw_for(url)
    raw.execute("DELETE FROM {events} WHERE rowid = ?", position)
    raw.execute("DELETE FROM {chain} WHERE notification_id = ?", position)
    assert runner.invoke(audit_app, ["verify", "--db", url]).exit_code == 0
    caught = runner.invoke(audit_app, ["verify", "--db", url, "--anchor", str(anchor)])
    assert caught.exit_code == 1
    assert "truncated" in caught.output


def test_export_import_export_through_the_command_line(tmp_path: Path) -> None:
    """Given a recorded store, when exported to a file, imported into a new store and exported to
    standard output, then the two exports are identical."""
    url = _store(tmp_path)
    out = tmp_path / "history.jsonl"
    assert runner.invoke(audit_app, ["export", "--db", url, "--out", str(out)]).exit_code == 0
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    imported = runner.invoke(audit_app, ["import", str(out), "--db", copy])
    assert imported.exit_code == 0, imported.output
    again = runner.invoke(audit_app, ["export", "--db", copy])
    assert again.exit_code == 0
    assert again.stdout_bytes == out.read_bytes()
    assert runner.invoke(audit_app, ["import", str(out), "--db", copy]).exit_code == 1


def test_import_of_a_broken_file_names_the_line_and_leaves_no_store(tmp_path: Path) -> None:
    """Given an export with line 5 cut short, when `audit import` runs into a new file, then it
    exits 1 naming line 5 and leaves no store file behind."""
    url = _store(tmp_path)
    out = tmp_path / "history.jsonl"
    runner.invoke(audit_app, ["export", "--db", url, "--out", str(out)])
    lines = out.read_bytes().splitlines(keepends=True)
    lines[4] = lines[4][:30] + b"\n"
    out.write_bytes(b"".join(lines))
    target = tmp_path / "never.db"
    result = runner.invoke(audit_app, ["import", str(out), "--db", f"sqlite:///{target}"])
    assert result.exit_code == 1
    assert f"{out}:5:" in result.output.replace("\n", "")
    assert not target.exists()


def test_commands_refuse_a_store_that_does_not_exist(tmp_path: Path) -> None:
    """Given no store file, when `audit verify` or `audit export` run on it, then they exit 2 and
    create nothing."""
    missing = tmp_path / "missing.db"
    for command in ("verify", "export"):
        result = runner.invoke(audit_app, [command, "--db", f"sqlite:///{missing}"])
        assert result.exit_code == 2
    assert not missing.exists()


def test_one_cycle_exports_and_round_trips_through_the_command_line(tmp_path: Path) -> None:
    """Given a recorded store, when one cycle is exported with `--cycle`, imported into a new
    store and exported again, then the bytes are identical and every line is of the cycle's
    streams or of the organization and strategy."""
    url = _store(tmp_path)
    out = tmp_path / "cycle.jsonl"
    result = runner.invoke(
        audit_app, ["export", "--db", url, "--cycle", str(CYCLE_ID), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    copy = f"sqlite:///{tmp_path / 'cycle.db'}"
    assert runner.invoke(audit_app, ["import", str(out), "--db", copy]).exit_code == 0
    again = runner.invoke(audit_app, ["export", "--db", copy, "--cycle", str(CYCLE_ID)])
    assert again.exit_code == 0
    assert again.stdout_bytes == out.read_bytes()
    assert runner.invoke(audit_app, ["export", "--db", url, "--cycle", "nope"]).exit_code == 2
