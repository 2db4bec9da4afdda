"""as_of (recorded time) and as_at (business time), alone and together, on hand-computed histories.

The standard organization is recorded on 2026-01-05. In February, ana's goal (0 to 100, so
progress is value / 100) gets check-ins recorded the day they happen: 20 on the 2nd and 30 on
the 3rd. On the 10th, max corrects the 3rd's reading to 50 (a check-in recorded on the 10th about
the 3rd, at the same business instant, so it supersedes the first reading from then on).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from execution_core import ExecutionError, Policy
from execution_core import views as v
from execution_core.audit import view_as_of
from execution_core.views import Ledger, appraisal_sheet
from execution_core.views.history import LedgerHistory
from tests.views.scenario import CYCLE_ID, History, d, goal_id


def feb(day: int, hour: int = 12) -> datetime:
    """An instant in February 2026."""
    return datetime(2026, 2, day, hour, tzinfo=UTC)


def end_of(day: int) -> datetime:
    """The last instant of a February day."""
    return datetime(2026, 2, day, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def late() -> History:
    h = History()
    clock = h.spec.clock
    clock.now = feb(1, 9)
    h.goal(1)
    for day, value, confidence in ((2, 20, 0.6), (3, 30, 0.6)):
        clock.now = feb(day)
        h.execution.log_progress(
            goal_id(1), "kr", value=value, confidence=confidence, actor="ana", occurred_at=feb(day)
        )
    clock.now = feb(10)
    h.execution.log_progress(
        goal_id(1),
        "kr",
        value=50,
        confidence=0.4,
        comment="corrected: two deals were booked late",
        actor="max",
        occurred_at=feb(3),
    )
    return h


def _progress(ledger: Ledger, at: datetime) -> float:
    return v.scoreboard(ledger, CYCLE_ID, at=at).rows[goal_id(1)].progress


@pytest.mark.parametrize(
    ("as_of", "as_at", "progress"),
    [
        (end_of(5), end_of(5), 0.3),  # on the 5th we believed the 3rd's reading: 30
        (end_of(9), end_of(5), 0.3),  # still the day before the correction was entered
        (end_of(10), end_of(5), 0.5),  # from the 10th, the corrected 3rd: 50
        (end_of(10), end_of(2), 0.2),  # the correction is about the 3rd, not the 2nd
        (end_of(2), end_of(5), 0.2),  # on the 2nd only the 2nd's reading was known
        (feb(1, 10), end_of(5), 0.0),  # the goal was set, nothing logged yet
        (None, end_of(5), 0.5),  # as at the 5th with everything recorded since: corrected
    ],
)
def test_a_late_correction_is_seen_only_as_of_its_recording(
    late: History, as_of: datetime | None, as_at: datetime, progress: float
) -> None:
    """Given a check-in recorded on the 10th about the 3rd, when the scoreboard is read as of
    a recorded time and as at a business time, then the corrected reading counts only when both
    the recording (as_of >= the 10th) and the fact (as_at >= the 3rd) are in view."""
    events = late.execution.history()
    history = LedgerHistory.of(events, every=2, keep=3)
    assert _progress(history.as_of(as_of), as_at) == pytest.approx(progress)
    assert _progress(Ledger.of(events, as_of=as_of), as_at) == pytest.approx(progress)
    assert _progress(late.execution.ledger_as_of(as_of), as_at) == pytest.approx(progress)


def test_the_goal_stream_state_as_of_and_as_at(late: History) -> None:
    """Given the late correction, then the goal's own state (its key result's latest reading)
    follows both clocks: 30 as of the 5th, 50 as of the 10th, 20 as at the 2nd, and no goal at
    all as of January."""
    x = late.execution

    def reading(as_of: datetime | None = None, as_at: datetime | None = None) -> float | None:
        return x.goal_as_of(goal_id(1), as_of=as_of, as_at=as_at).key_results["kr"].value

    assert reading(as_of=end_of(5)) == 30
    assert reading(as_of=end_of(10)) == 50
    assert reading() == 50
    assert reading(as_at=end_of(2)) == 20
    assert reading(as_of=end_of(10), as_at=feb(3)) == 50
    assert reading(as_of=end_of(5), as_at=end_of(2)) == 20
    assert x.goal_as_of(goal_id(1), as_of=datetime(2026, 1, 31, tzinfo=UTC)).exists is False
    assert x.goal_as_of(goal_id(1), as_at=datetime(2025, 12, 31, tzinfo=UTC)).exists is False
    assert x.goal_as_of(goal_id(1)) == x.goal(goal_id(1))


def test_other_streams_as_of_and_as_at() -> None:
    """Given ben moved to HQ on day 60 (recorded on 2026-03-15), then the organization as at
    day 59 has him in sales whatever was known, and as at day 60 he is in HQ only as of the
    recording; the cycle and journal follow the same rule."""
    h = History()
    x = h.execution
    h.spec.clock.now = datetime(2026, 3, 15, tzinfo=UTC)
    x.move_person("ben", unit_id="hq", actor="cleo", occurred_at=d(60))
    before_move = datetime(2026, 3, 14, tzinfo=UTC)
    assert x.organization_as_of(as_at=d(59)).people["ben"].unit_id == "sales"
    assert x.organization_as_of(as_at=d(60)).people["ben"].unit_id == "hq"
    assert x.organization_as_of(as_of=before_move, as_at=d(60)).people["ben"].unit_id == "sales"
    assert x.organization_as_of() == x.organization()
    assert x.cycle_as_of(CYCLE_ID, as_of=before_move) == x.cycle(CYCLE_ID)
    assert not x.cycle_as_of(CYCLE_ID, as_of=datetime(2026, 1, 4, tzinfo=UTC)).opened
    assert x.strategy_as_of(as_of=before_move) == x.strategy()
    assert x.coaching_journal_as_of("ana", as_of=before_move) == x.coaching_journal("ana")


def test_view_as_of_reads_any_view_with_both_clocks(late: History) -> None:
    """Given the late correction, then view_as_of gives a view as of a recorded time (as at the
    same instant by default), as at a business time, or both, and refuses neither."""
    history = late.execution.ledger_history()
    board = view_as_of(v.scoreboard, history, CYCLE_ID, as_of=end_of(5))
    assert board.rows[goal_id(1)].progress == pytest.approx(0.3)
    board = view_as_of(v.scoreboard, history, CYCLE_ID, as_at=end_of(5))
    assert board.rows[goal_id(1)].progress == pytest.approx(0.5)
    board = view_as_of(v.scoreboard, history, CYCLE_ID, as_of=end_of(10), as_at=end_of(2))
    assert board.rows[goal_id(1)].progress == pytest.approx(0.2)
    with pytest.raises(ExecutionError, match="as_of"):
        view_as_of(v.scoreboard, history, CYCLE_ID)


def test_a_past_appraisal_is_recomputed_exactly_after_the_rubric_changed() -> None:
    """Given ana's only goal at 80 % (attainment 0.8: rating 3 under the default floors 0.5 /
    0.7 / 0.85 / 1.0), when HR later adopts a softer rubric backdated to 11 January (floors
    0.4 / 0.6 / 0.75 / 0.9: rating 4), then the sheet as of before the adoption equals the
    original sheet exactly, while the sheet as of now reads 4."""
    h = History()
    clock = h.spec.clock
    clock.now = datetime(2026, 2, 1, tzinfo=UTC)
    h.goal(1)
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    h.log(1, 80, 300)
    decided = datetime(2027, 1, 10, tzinfo=UTC)
    clock.now = decided
    original = appraisal_sheet(h.ledger(), CYCLE_ID, "ana", viewer="hana", at=d(366))
    assert original.attainment == pytest.approx(0.8)
    assert original.computed_rating == 3

    clock.now = datetime(2027, 3, 1, tzinfo=UTC)
    softer = Policy(rating_floors=(0.4, 0.6, 0.75, 0.9))
    h.execution.adopt_policy(CYCLE_ID, softer, actor="hana", occurred_at=d(10))

    now = appraisal_sheet(h.execution.ledger_as_of(), CYCLE_ID, "ana", viewer="hana", at=d(366))
    assert (now.computed_rating, now.policy) == (4, softer)
    then = appraisal_sheet(
        h.execution.ledger_as_of(decided), CYCLE_ID, "ana", viewer="hana", at=d(366)
    )
    assert then == original
    trace_then = v.appraisal_trace(
        h.execution.ledger_as_of(decided), CYCLE_ID, "ana", viewer="hana", at=d(366)
    )
    assert trace_then == v.appraisal_trace(
        Ledger.of(h.execution.history(), as_of=decided), CYCLE_ID, "ana", viewer="hana", at=d(366)
    )


def test_the_facade_history_catches_up_with_new_events(late: History) -> None:
    """Given the facade's ledger history read once, when more events are recorded, then the
    next read includes them and older recorded times still answer as before."""
    x = late.execution
    before = x.ledger_as_of()
    late.spec.clock.now = feb(20)
    late.log(1, 70, 50, actor="ana")
    after = x.ledger_as_of()
    assert after.position == before.position + 1
    assert x.ledger_as_of(end_of(10)) == before
    assert after == Ledger.of(x.history())


def test_a_naive_time_is_refused(late: History) -> None:
    """Given any history, when asked as of a naive datetime, then ValueError (the zone would be
    a guess)."""
    with pytest.raises(ValueError, match="naive"):
        late.execution.ledger_as_of(datetime(2026, 2, 5))
