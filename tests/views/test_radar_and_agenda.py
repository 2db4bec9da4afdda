"""The coaching radar and the agenda, on one worked history.

Ana's goal (0 -> 100) is logged at 10 on day 30 (forecast 1.22: on track) and 12 on day 60
(the line through (0, 0), (30, 0.1), (60, 0.12) reads 0.743 at day 365: at risk), then 14 on
day 74 (0.668: off track). Max coached her generally on day 55, agreeing commitment c1 due day
65, and about the goal on day 75; she kept c1 on day 72.
"""

from __future__ import annotations

import pytest

from execution_core import Policy
from execution_core.views import AgendaKind, Health, agenda, coaching_radar, scoreboard
from tests.views.scenario import CYCLE_ID, History, d, goal_id, on


@pytest.fixture
def history() -> History:
    h = History()
    h.goal(
        1,
        actions=(
            {"action_id": "a1", "task": "call the top ten", "owner_id": "ana", "due_on": on(68)},
            {"action_id": "a2", "task": "write the pitch", "owner_id": "ana", "due_on": on(74)},
            {"action_id": "a3", "task": "hire", "owner_id": "ana", "due_on": on(90)},
        ),
    )
    h.log(1, 10, 30)
    h.log(1, 12, 60)
    h.execution.give_coaching(
        "ana",
        commitments=({"commitment_id": "c1", "action": "book demos", "due_on": on(65)},),
        actor="max",
        occurred_at=d(55),
    )
    return h


def _later(h: History) -> None:
    h.execution.keep_commitment("ana", "c1", actor="ana", occurred_at=d(72))
    h.log(1, 14, 74)
    h.execution.give_coaching("ana", goal_id=goal_id(1), actor="max", occurred_at=d(75))


def test_the_goal_turns_at_risk_then_off_track(history: History) -> None:
    """Given the history, then the goal is on track on day 30, at risk on day 60, and after the
    day-74 check-in off track."""
    ledger = history.ledger()
    assert scoreboard(ledger, CYCLE_ID, at=d(30)).row(goal_id(1)).health is Health.ON_TRACK
    row = scoreboard(ledger, CYCLE_ID, at=d(60)).row(goal_id(1))
    assert row.forecast == pytest.approx(0.7433, abs=1e-4)
    assert row.health is Health.AT_RISK
    _later(history)
    row = scoreboard(history.ledger(), CYCLE_ID, at=d(74)).row(goal_id(1))
    assert row.forecast == pytest.approx(0.6679, abs=1e-4)
    assert row.health is Health.OFF_TRACK


def test_radar_flags_a_goal_with_no_coaching_since_it_turned(history: History) -> None:
    """Given coaching on day 55 before the goal turned at risk on day 60, when the radar is read
    on day 70, then ana's row with max shows no session in 14 days, one in 30, the goal as
    uncoached since day 60, and c1 overdue."""
    radar = coaching_radar(history.ledger(), CYCLE_ID, at=d(70))
    (row,) = [r for r in radar.rows if r.person_id == "ana"]
    assert (row.coach_id, row.relation) == ("max", "manager")
    assert (row.sessions_short, row.sessions_long) == (0, 1)
    assert row.last_session_at == d(55)
    (uncoached,) = row.uncoached_goals
    assert (uncoached.goal_id, uncoached.turned_at) == (goal_id(1), d(60))
    assert row.overdue_commitments == ("c1",)
    record = next(r for r in radar.to_records() if r["person_id"] == "ana")
    assert (record["coaching_14d"], record["coaching_30d"]) == (0, 1)


def test_radar_clears_once_the_goal_is_coached_and_the_commitment_kept(history: History) -> None:
    """Given coaching about the goal on day 75 and c1 kept on day 72, when the radar is read on
    day 80, then the goal (still off track, turned on day 60) is coached and nothing is overdue;
    the counts are 1 in 14 days and 2 in 30."""
    _later(history)
    radar = coaching_radar(history.ledger(), CYCLE_ID, at=d(80))
    (row,) = [r for r in radar.rows if r.person_id == "ana"]
    assert (row.sessions_short, row.sessions_long) == (1, 2)
    assert row.uncoached_goals == ()
    assert row.overdue_commitments == ()


def test_radar_windows_come_from_the_policy(history: History) -> None:
    """Given a policy with 7- and 60-day windows, then the day-55 session counts in neither on
    day 70 by the first and in the second."""
    policy = Policy(coaching_windows_days=(7, 60))
    radar = coaching_radar(history.ledger(), CYCLE_ID, at=d(70), policy=policy)
    (row,) = [r for r in radar.rows if r.person_id == "ana"]
    assert (row.sessions_short, row.sessions_long) == (0, 1)
    assert radar.windows_days == (7, 60)
    assert "coaching_60d" in radar.to_records()[0]


def test_agenda_of_the_owner(history: History) -> None:
    """Given the history, when ana's agenda is read on day 70, then her check-in is 3 days
    overdue (last one day 60, weekly cadence), action a1 is 2 days overdue, a2 is due within the
    cadence, a3 is not listed, and commitment c1 is 5 days overdue."""
    items = agenda(history.ledger(), CYCLE_ID, at=d(70)).for_person("ana")
    found = {(i.kind, i.ref): (i.due_on, i.days_overdue) for i in items}
    assert found == {
        (AgendaKind.CHECK_IN_DUE, None): (on(67), 3),
        (AgendaKind.ACTION_OVERDUE, "a1"): (on(68), 2),
        (AgendaKind.ACTION_DUE, "a2"): (on(74), 0),
        (AgendaKind.COMMITMENT_OVERDUE, "c1"): (on(65), 5),
    }


def test_agenda_of_the_manager_lists_the_coaching_owed(history: History) -> None:
    """Given the history, when max's agenda is read on day 70, then he owes ana coaching (none in
    14 days, and her goal at risk since day 60 uncoached) and ben coaching (none at all)."""
    items = agenda(history.ledger(), CYCLE_ID, at=d(70)).for_person("max")
    owed = sorted((i.ref or "", i.goal_id is not None) for i in items)
    assert all(i.kind is AgendaKind.COACHING_OWED for i in items)
    assert owed == [("ana", False), ("ana", True), ("ben", False)]
