"""The ``views`` command line and the documented table schemas."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from execution_core import Event
from execution_core_adapters.cli.views import views_app
from execution_core_adapters.projections.materialize import TABLES, VIEWS, ViewWorker
from tests.materialize.oracle import expected, put

DOC = Path(__file__).resolve().parents[2] / "docs" / "materialized-views.md"
SQLITE = {"uuid": "TEXT", "text": "TEXT", "real": "REAL", "int": "INTEGER", "bool": "INTEGER",
          "time": "TEXT", "list": "TEXT"}  # fmt: skip
POSTGRES = {"uuid": "uuid", "text": "text", "real": "double precision", "int": "bigint",
            "bool": "boolean", "time": "timestamptz", "list": "text"}  # fmt: skip


def _cli() -> typer.Typer:
    """The sub-app mounted as the lead mounts it."""
    app = typer.Typer()
    app.add_typer(views_app, name="views")
    return app


def test_catch_up_and_rebuild_fill_the_tables(sqlite_url: str, season: list[Event]) -> None:
    """Given a store with part of the season, when `views catch-up` then `views rebuild
    --views board` run, then both exit 0, report the positions, and the tables equal the
    projections."""
    put(sqlite_url, season[:333]).close()
    runner = CliRunner()
    result = runner.invoke(_cli(), ["views", "catch-up", "--db", sqlite_url, "--page", "100"])
    assert result.exit_code == 0, result.output
    assert "333 events applied" in result.output
    result = runner.invoke(_cli(), ["views", "rebuild", "--db", sqlite_url, "--views", "board"])
    assert result.exit_code == 0, result.output
    assert "board at 333" in result.output
    with ViewWorker(sqlite_url) as worker:
        for view in VIEWS:
            assert worker.rows(view) == expected(season[:333], view)


def test_a_missing_store_or_an_unknown_view_exits_2(tmp_path: Path) -> None:
    """Given no store file, or an unknown view name, when `views catch-up` runs, then it exits
    2 with the reason and creates nothing."""
    runner = CliRunner()
    missing = tmp_path / "none.db"
    result = runner.invoke(_cli(), ["views", "catch-up", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert "no store" in result.output
    assert not missing.exists()
    result = runner.invoke(_cli(), ["views", "catch-up", "--db", "memory://", "--views", "x"])
    assert result.exit_code == 2
    assert "unknown views" in result.output


def _documented(view: str) -> list[tuple[str, str, str, bool]]:
    """(column, SQLite type, PostgreSQL type, nullable) from the view's table in the doc."""
    section = DOC.read_text().split(f"### view_{view}\n", 1)[1].split("\n#", 1)[0]
    cells = [
        [cell.strip() for cell in line.split("|")[1:5]]
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    return [(name.strip("`"), lite, pg, null == "null") for name, lite, pg, null in cells]


def test_the_documentation_describes_every_column_of_every_table() -> None:
    """Given docs/materialized-views.md, when its schema tables are read, then each lists the
    table's columns in order with the types the recorders create and the right nullability."""
    for view, table in TABLES.items():
        assert _documented(view) == [
            (c.name, SQLITE[c.kind], POSTGRES[c.kind], c.nullable) for c in table.columns
        ], view
