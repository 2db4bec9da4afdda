"""Detection lead time: how long before the cycle end the live view saw a miss coming."""

from __future__ import annotations

from datetime import date

from execution_core import Policy
from execution_core.views import Health, detection_lead_time
from tests.views.scenario import CYCLE_ID, History, d, goal_id


def _history() -> History:
    h = History()
    h.goal(1)  # flagged on day 60, ends missed
    h.log(1, 10, 30)
    h.log(1, 12, 60)
    h.log(1, 20, 90)
    h.goal(2, "ben")  # one hopeful check-in, then silence: missed and never flagged
    h.log(2, 10, 30, actor="ben")
    h.goal(3, "ben")  # met
    h.log(3, 100, 200, actor="ben")
    return h


def test_lead_time_of_a_goal_that_ended_missed() -> None:
    """Given a goal on track after day 30 (forecast 1.22), at risk after the day-60 check-in
    (0.743) and ending at 0.2, when read after the cycle, then it was first flagged at risk on
    2026-03-02, 304 days before the cycle's last day (2026-12-31)."""
    report = detection_lead_time(_history().ledger(), CYCLE_ID, at=d(400))
    assert report.complete
    row = next(r for r in report.rows if r.goal_id == goal_id(1))
    assert row.final_progress == 0.2
    assert row.first_flagged_at == d(60)
    assert row.first_flagged_health is Health.AT_RISK
    assert (row.first_flagged_on, row.cycle_ends_on) == (date(2026, 3, 2), date(2026, 12, 31))
    assert row.lead_days == 304


def test_a_miss_the_live_view_never_flagged_and_a_met_goal() -> None:
    """Given a goal whose only check-in forecast success and which then went quiet, then it is
    listed as missed with no lead time; a met goal is not listed."""
    report = detection_lead_time(_history().ledger(), CYCLE_ID, at=d(400))
    assert [r.goal_id for r in report.rows] == [goal_id(1), goal_id(2)]
    quiet = report.rows[1]
    assert (quiet.first_flagged_at, quiet.lead_days) == (None, None)
    assert report.mean_lead_days == 304


def test_another_policy_replays_the_instants_under_its_thresholds() -> None:
    """Given a policy on track only at 1.0 and at risk from 0.95, when the instants are replayed
    under it, then goal 1 is first flagged on day 60, off track (0.743 < 0.95), and goal 2 (its
    forecast clamped to 1.0) never."""
    strict = Policy(on_track=1.0, at_risk=0.95)
    report = detection_lead_time(_history().ledger(), CYCLE_ID, at=d(400), policy=strict)
    quiet = next(r for r in report.rows if r.goal_id == goal_id(2))
    assert quiet.first_flagged_at is None
    row = next(r for r in report.rows if r.goal_id == goal_id(1))
    assert (row.first_flagged_at, row.first_flagged_health) == (d(60), Health.OFF_TRACK)


def test_before_the_cycle_ends_the_report_is_not_complete() -> None:
    """Given the history read on day 100, then the report says it is not complete and lists the
    goals missed so far."""
    report = detection_lead_time(_history().ledger(), CYCLE_ID, at=d(100))
    assert not report.complete
    assert goal_id(1) in [r.goal_id for r in report.rows]
