"""``execution-core signals``: the signals of a store, as a table or one JSON object per line,
from a date on; bad options and missing stores are usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from execution_core import Execution
from execution_core_adapters.cli.demo import SeasonClock, record_season
from execution_core_adapters.cli.main import app
from execution_core_adapters.projections.signal_log import read_signals
from execution_core_adapters.storage.store import open_store

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args), env=WIDE)


@pytest.fixture(scope="module")
def season_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the demo season (no worker has run on it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('signals') / 'season.db'}"
    clock = SeasonClock()
    with Execution(open_store(url, clock=clock)) as execution:
        record_season(execution, clock)
    return url


def test_json_lists_every_logged_signal_once_in_log_order(season_db: str) -> None:
    """``--json`` brings the log up to date and prints one object per signal, with its seq,
    equal to the log read through ``signal_log``."""
    result = _run("signals", "--db", season_db, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    logged = read_signals(season_db, 0, 10_000)
    assert [(line["seq"], line["key"]) for line in lines] == [(s, x.key) for s, x in logged]
    assert {"turned_off_track", "cycle_closed", "appraisal_recorded"} <= {
        line["kind"] for line in lines
    }


def test_since_keeps_the_signals_from_that_business_time_on(season_db: str) -> None:
    """``--since 2026-06-01`` keeps exactly the signals dated on or after June 1."""
    result = _run("signals", "--db", season_db, "--json", "--since", "2026-06-01")
    assert result.exit_code == 0, result.output
    dates = [json.loads(line)["at"] for line in result.output.splitlines()]
    everything = [s for _, s in read_signals(season_db, 0, 10_000)]
    assert len(dates) == sum(1 for s in everything if s.at.isoformat() >= "2026-06-01")
    assert dates
    assert all(d >= "2026-06-01" for d in dates)


def test_the_table_names_each_signal_and_counts_them(season_db: str) -> None:
    """Without ``--json`` a table lists the signals under a count."""
    result = _run("signals", "--db", season_db, "--since", "2026-07-01")
    assert result.exit_code == 0, result.output
    assert "appraisal_recorded" in result.output
    assert "signals" in result.output.splitlines()[0]


def test_a_bad_since_is_a_usage_error(season_db: str) -> None:
    """A ``--since`` that is not an ISO date or instant exits 2 with one line."""
    result = _run("signals", "--db", season_db, "--since", "last week")
    assert result.exit_code == 2
    assert "not an ISO date" in result.output


def test_a_missing_store_is_a_usage_error_and_creates_nothing(tmp_path: Path) -> None:
    """Listing the signals of a SQLite file that does not exist exits 2 and creates no file."""
    missing = tmp_path / "nope.db"
    result = _run("signals", "--db", str(missing))
    assert result.exit_code == 2
    assert not missing.exists()


def test_the_demo_prints_the_signals_a_coach_received_beside_the_lead_time(
    tmp_path: Path,
) -> None:
    """The demo ends with what the coach was told about each goal that ended missed, with the
    dates, beside the lead-time view's first flag, and the season's signals by kind."""
    result = _run("demo", "--db", str(tmp_path / "demo.db"))
    assert result.exit_code == 0, result.output
    told = result.output[result.output.index("What the coach was told") :]
    assert "off track" in told
    assert "uncoached" in told
    assert "signals in the season" in told
