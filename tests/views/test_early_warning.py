"""Early warning counted honestly: lead time beside false alarms and misses, and a forecast that
needs enough evidence (a policy value) before it flags a goal."""

from __future__ import annotations

from datetime import UTC, date, datetime

from execution_core import SYSTEM, Execution, Policy, Role
from execution_core.views import Health, Ledger, Outcome, early_warning, scoreboard
from tests.views.scenario import CYCLE_ID, History, d, goal_id

ANA, BEN, MAX = 1, 2, 3


def _slow_starter() -> History:
    """ana's goal (target 100) logged low after two weeks (a slow start), then on pace and met;
    ben's goal logged on pace, then stalled and missed; max's goal never checked in (missed)."""
    h = History()
    for n, person in ((ANA, "ana"), (BEN, "ben"), (MAX, "max")):
        h.goal(n, owner=person)
    h.log(ANA, 2, 14)
    for n, value in enumerate((30, 55, 80, 100), start=1):
        h.log(ANA, value, 14 + 60 * n)
    h.log(BEN, 10, 30)
    h.log(BEN, 20, 60)
    for n in range(1, 8):
        h.log(BEN, 22, 60 + 40 * n)
    return h


def test_a_slow_start_is_a_false_alarm_under_todays_forecast() -> None:
    """Under the default policy, ana's slow first check-in flags her goal off track although it
    ends met (a false alarm); ben's stalled goal and max's never-started goal are caught."""
    h = _slow_starter()
    report = early_warning(h.ledger(), CYCLE_ID, at=d(366))
    by_goal = {row.goal_id: row for row in report.rows}
    ana = by_goal[goal_id(ANA)]
    assert ana.outcome is Outcome.MET
    assert (ana.first_flagged_at, ana.first_flagged_health) == (d(14), Health.OFF_TRACK)
    never = by_goal[goal_id(MAX)]
    assert never.first_flagged_health is Health.NOT_STARTED
    assert never.lead_days is not None
    assert (report.flagged, report.missed, report.false_alarms, report.misses) == (3, 2, 1, 0)
    assert (report.precision, report.recall) == (2 / 3, 1.0)


def test_a_forecast_that_needs_three_check_ins_does_not_flag_the_slow_start() -> None:
    """With forecast_min_checkins=3, ana's goal is never flagged (no false alarm) and ben's
    stalled goal is still caught, later than under today's forecast."""
    h = _slow_starter()
    patient = Policy(forecast_min_checkins=3)
    today = early_warning(h.ledger(), CYCLE_ID, at=d(366))
    report = early_warning(h.ledger(), CYCLE_ID, at=d(366), policy=patient)
    by_goal = {row.goal_id: row for row in report.rows}
    assert by_goal[goal_id(ANA)].first_flagged_at is None
    assert report.false_alarms == 0
    assert report.precision == 1.0
    ben_today = {r.goal_id: r for r in today.rows}[goal_id(BEN)]
    ben = by_goal[goal_id(BEN)]
    assert ben.first_flagged_at is not None
    assert ben_today.first_flagged_at is not None
    assert ben.first_flagged_at >= ben_today.first_flagged_at


def test_without_enough_evidence_the_board_shows_no_forecast_and_no_flag() -> None:
    """Under forecast_min_elapsed=0.2, a check-in in the first tenth of the cycle leaves the
    goal's forecast empty and its health on track on the board; past a fifth it counts."""
    h = _slow_starter()
    policy = Policy(forecast_min_elapsed=0.2)
    early = scoreboard(h.ledger(), CYCLE_ID, at=d(20), policy=policy).rows[goal_id(ANA)]
    assert (early.forecast, early.health) == (None, Health.ON_TRACK)
    later = scoreboard(h.ledger(), CYCLE_ID, at=d(80), policy=policy).rows[goal_id(ANA)]
    assert later.forecast is not None


def test_the_default_policy_reads_forecasts_as_before() -> None:
    """The new policy values default to today's forecast: the default policy and an explicit
    forecast_min_checkins=1, forecast_min_elapsed=0.0 give the same board."""
    h = _slow_starter()
    explicit = Policy(forecast_min_checkins=1, forecast_min_elapsed=0.0)
    assert explicit == Policy()
    default = scoreboard(h.ledger(), CYCLE_ID, at=d(20)).rows[goal_id(ANA)]
    assert default.forecast is not None
    assert default.health is Health.OFF_TRACK


def test_a_goal_never_started_is_flagged_whatever_the_cycle_length() -> None:
    """Given a 91-day cycle, whose pace reaches not_started_expected (0.1) at an instant where
    the pace in float days is 9.1 / 91 < 0.1, and a goal with no check-in till it ends met,
    then early warning flags it not started, as the board read the day after does."""
    t = datetime(2026, 3, 30, 9, tzinfo=UTC)
    with Execution.open("memory://") as ex:
        ex.found_unit("hq", "HQ", actor=SYSTEM, occurred_at=t)
        ex.add_person("iris", "Iris", "hq", roles=[Role.EXECUTIVE], actor=SYSTEM, occurred_at=t)
        q2 = ex.open_cycle("Q2", date(2026, 4, 1), date(2026, 6, 30), actor="iris", occurred_at=t)
        course = ex.set_goal(
            q2.id,
            "Learn Kotlin",
            "iris",
            actor="iris",
            occurred_at=t,
            key_results=[{"kr_id": "course", "name": "Course", "milestone": True}],
        )
        ex.log_progress(
            course.id,
            "course",
            value=1,
            confidence=1.0,
            actor="iris",
            occurred_at=datetime(2026, 6, 12, tzinfo=UTC),
        )
        ledger = Ledger.of(ex.history())
    day_after = scoreboard(ledger, q2.id, at=datetime(2026, 4, 11, tzinfo=UTC))
    assert day_after.rows[course.id].health is Health.NOT_STARTED
    (flag,) = early_warning(ledger, q2.id, at=datetime(2026, 7, 2, tzinfo=UTC)).rows
    assert flag.outcome is Outcome.MET
    assert flag.first_flagged_health is Health.NOT_STARTED
    assert flag.first_flagged_at is not None
    assert flag.first_flagged_at.date() == date(2026, 4, 10)
