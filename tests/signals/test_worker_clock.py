"""``execution-core worker --clock`` as a real process: it reads the views at the wall clock,
so a goal whose last check-in is months old shows stale on view_board with no new fact, and
the signal is logged; without ``--clock`` the board stays at the latest business time."""

from __future__ import annotations

import signal
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

from execution_core import SYSTEM, Execution, Role
from execution_core.signals import SignalKind
from execution_core_adapters.projections.signal_log import read_signals
from execution_core_adapters.storage.store import open_store
from tests.scaleout.test_worker_faults import WorkerProcess
from tests.support import FixedClock

CHECKED_IN = datetime(2026, 2, 2, 12, tzinfo=UTC)


def _store(url: str) -> None:
    """A two-year cycle still running by the wall clock, one goal checked in on Feb 2 2026."""
    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with Execution(open_store(url, clock=FixedClock(CHECKED_IN))) as ex:
        ex.found_unit("hq", "HQ", actor=SYSTEM, occurred_at=t)
        ex.add_person("cleo", "Cleo", "hq", roles=[Role.EXECUTIVE], actor=SYSTEM, occurred_at=t)
        ex.add_person("ana", "Ana", "hq", manager_id="cleo", actor=SYSTEM, occurred_at=t)
        cycle = ex.open_cycle(
            "long", date(2026, 1, 1), date(2099, 12, 31), actor="cleo", occurred_at=t
        )
        assert cycle.id is not None
        goal = ex.set_goal(
            cycle.id,
            "Deals",
            "ana",
            actor="cleo",
            occurred_at=t,
            key_results=[{"kr_id": "deals", "name": "Deals", "target": 1000}],
        )
        assert goal.id is not None
        ex.log_progress(
            goal.id, "deals", value=1, confidence=0.9, actor="ana", occurred_at=CHECKED_IN
        )


def _board_row(url: str) -> dict[str, object]:
    """The goal's view_board row read with plain SQL (empty before the worker wrote it)."""
    try:
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as db:
            found = db.execute("SELECT health, evaluated_at FROM view_board").fetchone()
    except sqlite3.OperationalError:  # the table is not there yet, or the file is busy
        return {}
    if found is None:
        return {}
    return {"health": found[0], "evaluated_at": datetime.fromisoformat(found[1])}


def test_a_worker_with_the_wall_clock_turns_a_quiet_goal_stale(sqlite_url: str) -> None:
    """Given a goal last checked in on Feb 2 2026, when ``worker --clock`` runs, then its
    view_board row is evaluated at the wall clock (not at the check-in) and shows stale, the
    went_stale signal is logged, and SIGTERM exits 0."""
    _store(sqlite_url)
    started = datetime.now(UTC)
    worker = WorkerProcess(sqlite_url, "board", "--clock")
    try:
        deadline = time.monotonic() + 60
        row = _board_row(sqlite_url)
        while row.get("health") != "stale" and time.monotonic() < deadline:
            time.sleep(0.1)
            row = _board_row(sqlite_url)
    finally:
        code = worker.signal(signal.SIGTERM)
    assert code == 0, "\n".join(worker.lines)
    assert row.get("health") == "stale", row
    evaluated = row["evaluated_at"]
    assert isinstance(evaluated, datetime)
    assert evaluated >= started - timedelta(minutes=1)
    kinds = [s.kind for _, s in read_signals(sqlite_url)]
    assert SignalKind.WENT_STALE in kinds


def test_without_the_clock_the_board_stays_at_the_latest_business_time(sqlite_url: str) -> None:
    """Without ``--clock`` the worker reads the board at the check-in, as before: the goal is
    not stale there."""
    _store(sqlite_url)
    worker = WorkerProcess(sqlite_url, "board")
    try:
        worker.wait_for("applied")
        deadline = time.monotonic() + 30
        row = _board_row(sqlite_url)
        while not row and time.monotonic() < deadline:
            time.sleep(0.1)
            row = _board_row(sqlite_url)
    finally:
        code = worker.signal(signal.SIGTERM)
    assert code == 0, "\n".join(worker.lines)
    assert row["evaluated_at"] == CHECKED_IN
    assert row["health"] != "stale"
