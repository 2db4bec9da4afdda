"""Given/when/then specifications of every signal kind: the facts before, the batch of facts or
the clock tick, and the signal it gives (what it was, what it is, when, about whom)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from execution_core import (
    ActionSpec,
    AdjustTarget,
    CalibrateRating,
    CloseCycle,
    CommitmentSpec,
    GiveCoaching,
    KeyResultSpec,
    MakeCommitment,
    OpenCycle,
    PlanAction,
    RecordAppraisal,
    SetGoal,
)
from execution_core.goals.commands import OwnerSpec
from execution_core.signals import Cause, SignalKind
from tests.signals.support import CYCLE_ID, GOAL, Watch, kinds, on_line, only
from tests.support import day, standard_org

K = SignalKind


def deals_goal() -> SetGoal:
    """ana's goal: one key result, deals, from 0 to 10, set by her manager at day 0."""
    return SetGoal(
        actor="max",
        occurred_at=day(0),
        goal_id=GOAL,
        cycle_id=CYCLE_ID,
        title="Deals",
        owner=OwnerSpec(id="ana"),
        key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
    )


def watching() -> Watch:
    """The standard organization, its 2026 cycle and ana's deals goal."""
    return Watch().given_org(deals_goal())


def test_a_check_in_below_the_at_risk_line_turns_the_goal_at_risk() -> None:
    """A first check-in whose forecast is 0.8 turns an on-track goal at risk, dated at it."""
    watch = watching()
    signals = watch.when(watch.check_in(on_line(0.8, day(7)), day(7)))
    signal = only(signals, K.TURNED_AT_RISK)
    assert (signal.was, signal.now, signal.at) == ("on track", "at risk", day(7))
    assert (signal.goal_id, signal.person_id, signal.unit_id) == (GOAL, "ana", "sales")
    assert signal.cycle_id == CYCLE_ID
    assert signal.cause == Cause(watch.position)


def test_a_check_in_far_below_pace_turns_the_goal_off_track() -> None:
    """A first check-in whose forecast is 0.3 turns the goal off track."""
    watch = watching()
    signal = only(watch.when(watch.check_in(on_line(0.3, day(7)), day(7))), K.TURNED_OFF_TRACK)
    assert (signal.was, signal.now) == ("on track", "off track")


def test_a_strong_check_in_brings_an_off_track_goal_back_on_track() -> None:
    """After an off-track check-in, one far ahead of pace brings the goal back on track."""
    watch = watching()
    watch.given(watch.check_in(on_line(0.3, day(7)), day(7)))
    signal = only(watch.when(watch.check_in(8.0, day(14))), K.BACK_ON_TRACK)
    assert (signal.was, signal.now, signal.at) == ("off track", "on track", day(14))


def test_a_goal_with_no_check_in_for_two_cadences_goes_stale_with_the_clock_alone() -> None:
    """With no new fact, a tick past twice the cadence since the last check-in makes the goal
    stale, dated when the threshold was crossed, not when the clock ticked."""
    watch = watching()
    watch.given(watch.check_in(on_line(1.2, day(7)), day(7)))
    position = watch.execution.store.last_position()
    signals = watch.when_tick(day(30))
    assert watch.execution.store.last_position() == position  # the clock alone
    signal = only(signals, K.WENT_STALE)
    assert (signal.was, signal.now, signal.at) == ("on track", "stale", day(21))
    assert signal.cause == Cause(position, day(30))


def test_a_goal_never_checked_in_is_not_started_once_a_tenth_of_the_cycle_passed() -> None:
    """With no check-in, a tick past a tenth of the cycle reports the goal not started, at the
    instant the pace reached the policy's 0.1."""
    watch = watching()
    signal = only(watch.when_tick(day(60)), K.NOT_STARTED)
    crossing = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=365) * 0.1
    assert (signal.was, signal.now, signal.at) == ("on track", "not started", crossing)


def test_a_check_in_falls_due_a_cadence_after_the_goal_was_set() -> None:
    """A tick a day past the cadence makes a check-in due, dated a cadence after the goal was
    set; nothing is overdue yet."""
    watch = watching()
    signals = watch.when_tick(day(8))
    signal = only(signals, K.CHECKIN_DUE)
    assert (signal.was, signal.now, signal.at, signal.person_id) == (
        "up to date",
        "due",
        day(7),
        "ana",
    )
    assert K.CHECKIN_OVERDUE.value not in kinds(signals)


def test_a_due_check_in_is_overdue_after_the_policys_grace_days() -> None:
    """Three days (the default grace) after it fell due, a tick makes the check-in overdue."""
    watch = watching()
    watch.when_tick(day(8))
    signal = only(watch.when_tick(day(11)), K.CHECKIN_OVERDUE)
    assert (signal.was, signal.now, signal.at) == ("due", "overdue", day(10))


def test_one_long_tick_gives_both_the_due_and_the_overdue_check_in() -> None:
    """A tick long after both thresholds gives both signals, each at its own instant, as two
    shorter ticks would have."""
    watch = watching()
    signals = watch.when_tick(day(12))
    due, overdue = only(signals, K.CHECKIN_DUE), only(signals, K.CHECKIN_OVERDUE)
    assert (due.at, overdue.at, overdue.was) == (day(7), day(10), "due")


def test_a_check_in_clears_the_due_state_and_gives_no_signal_for_it() -> None:
    """Checking in while a check-in is due gives no check-in signal; the next one falls due a
    cadence later."""
    watch = watching()
    watch.when_tick(day(8))
    watch.state.ticked = False  # facts move the views' instant again
    signals = watch.when(watch.check_in(on_line(1.2, day(9)), day(9)))
    assert K.CHECKIN_DUE.value not in kinds(signals)


def test_an_open_commitment_past_its_due_date_goes_overdue_with_the_clock() -> None:
    """A commitment due on Jan 10, still open, is overdue from the start of Jan 11."""
    watch = watching()
    watch.given(
        MakeCommitment(
            actor="max",
            occurred_at=day(0),
            person_id="ana",
            goal_id=GOAL,
            commitment=CommitmentSpec(
                commitment_id="call", action="Call the top ten", due_on=date(2026, 1, 10)
            ),
        )
    )
    signal = only(watch.when_tick(day(7)), K.COMMITMENT_OVERDUE)
    assert (signal.ref, signal.person_id, signal.goal_id) == ("call", "ana", GOAL)
    assert signal.at == datetime(2026, 1, 11, tzinfo=UTC)


def test_an_open_action_past_its_due_date_goes_overdue_with_the_clock() -> None:
    """An action due on Jan 9, still open, is overdue from the start of Jan 10."""
    watch = watching()
    watch.given(
        PlanAction(
            actor="max",
            occurred_at=day(0),
            goal_id=GOAL,
            action=ActionSpec(
                action_id="list", task="Build the list", owner_id="ana", due_on=date(2026, 1, 9)
            ),
        )
    )
    signal = only(watch.when_tick(day(7)), K.ACTION_OVERDUE)
    assert (signal.ref, signal.person_id, signal.was, signal.now) == (
        "list",
        "ana",
        "open",
        "overdue",
    )
    assert signal.at == datetime(2026, 1, 10, tzinfo=UTC)


def test_an_at_risk_goal_with_no_coaching_for_the_policys_days_is_flagged() -> None:
    """An at-risk goal whose owner had no coaching in the 7 days (the default) since it
    turned gives uncoached_at_risk, dated 7 days after the turn."""
    watch = watching()
    watch.given(watch.check_in(on_line(0.8, day(7)), day(7)))
    signal = only(watch.when_tick(day(16)), K.UNCOACHED_AT_RISK)
    assert (signal.at, signal.now, signal.was) == (day(14), "at risk", day(7).isoformat())


def test_coaching_since_the_turn_keeps_an_at_risk_goal_off_the_uncoached_signal() -> None:
    """Coaching the owner after the goal turned at risk means no uncoached_at_risk signal."""
    watch = watching()
    watch.given(
        watch.check_in(on_line(0.8, day(7)), day(7)),
        GiveCoaching(actor="max", occurred_at=day(8), person_id="ana", goal_id=GOAL),
    )
    assert K.UNCOACHED_AT_RISK.value not in kinds(watch.when_tick(day(16)))


def test_a_target_lowered_while_the_forecast_was_below_it_is_signalled() -> None:
    """Lowering the target from 10 to 5 while the forecast was half of it gives the signal,
    naming the key result and both targets."""
    watch = watching()
    watch.given(watch.check_in(on_line(0.5, day(7)), day(7)))
    signal = only(
        watch.when(
            AdjustTarget(
                actor="max",
                occurred_at=day(8),
                goal_id=GOAL,
                kr_id="deals",
                target=5,
                reason="the market shrank",
            )
        ),
        K.TARGET_LOWERED_BELOW_FORECAST,
    )
    assert (signal.ref, signal.was, signal.now, signal.at) == ("deals", "10.0", "5.0", day(8))


def test_a_target_raised_gives_no_lowered_target_signal() -> None:
    """Raising a target is not lowering it: no signal."""
    watch = watching()
    watch.given(watch.check_in(on_line(0.5, day(7)), day(7)))
    signals = watch.when(
        AdjustTarget(
            actor="max",
            occurred_at=day(8),
            goal_id=GOAL,
            kr_id="deals",
            target=20,
            reason="stretch",
        )
    )
    assert K.TARGET_LOWERED_BELOW_FORECAST.value not in kinds(signals)


def test_an_appraisal_recorded_and_then_calibrated_gives_one_signal_each() -> None:
    """Recording ana's rating gives appraisal_recorded (now 3); calibrating it to 4 gives
    appraisal_calibrated (was 3, now 4), both about ana in the cycle."""
    watch = watching()
    recorded = only(
        watch.when(
            RecordAppraisal(
                actor="max", occurred_at=day(300), cycle_id=CYCLE_ID, person_id="ana", rating=3
            )
        ),
        K.APPRAISAL_RECORDED,
    )
    assert (recorded.person_id, recorded.cycle_id, recorded.now, recorded.at) == (
        "ana",
        CYCLE_ID,
        "3",
        day(300),
    )
    calibrated = only(
        watch.when(
            CalibrateRating(
                actor="hana",
                occurred_at=day(301),
                cycle_id=CYCLE_ID,
                person_id="ana",
                rating=4,
                reason="calibration panel",
            )
        ),
        K.APPRAISAL_CALIBRATED,
    )
    assert (calibrated.was, calibrated.now, calibrated.unit_id) == ("3", "4", "sales")


def test_opening_a_cycle_that_has_started_signals_it_opened() -> None:
    """Opening a cycle whose start date has passed gives cycle_opened, dated by the fact (the
    facts, not time, made it so)."""
    watch = Watch()
    signals = watch.when(*standard_org())
    signal = only(signals, K.CYCLE_OPENED)
    assert (signal.cycle_id, signal.was, signal.now) == (CYCLE_ID, None, "open")
    assert signal.at == day(0)


def test_a_planned_cycle_opens_with_the_clock_alone() -> None:
    """A cycle opened ahead of its start is planned; a tick past its start date gives
    cycle_opened at its first instant."""
    watch = Watch().given_org()
    q2_id = UUID("00000000-0000-4000-8000-0000000000b2")
    planned = watch.when(
        OpenCycle(
            actor="cleo",
            occurred_at=day(0),
            cycle_id=q2_id,
            name="Q2",
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 6, 30),
        )
    )
    assert planned == ()
    signal = only(watch.when_tick(datetime(2026, 4, 2, tzinfo=UTC)), K.CYCLE_OPENED)
    assert (signal.cycle_id, signal.was, signal.at) == (
        q2_id,
        "planned",
        datetime(2026, 4, 1, tzinfo=UTC),
    )


def test_closing_a_cycle_signals_it_closed_and_its_goals_give_no_more_signals() -> None:
    """Closing the cycle gives cycle_closed at the close; a later tick gives nothing about its
    goals."""
    watch = watching()
    signals = watch.when(CloseCycle(actor="cleo", occurred_at=day(360), cycle_id=CYCLE_ID))
    signal = only(signals, K.CYCLE_CLOSED)
    assert (signal.was, signal.now, signal.at) == ("open", "closed", day(360))
    assert watch.when_tick(day(400)) == ()
