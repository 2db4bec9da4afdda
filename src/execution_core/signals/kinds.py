"""What can happen to the game that an app wants to be told about: one name per kind of signal."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CLOCK_KINDS", "SignalKind"]


class SignalKind(StrEnum):
    """The kinds of signal; the value is the stable name stored and sent to subscribers."""

    TURNED_AT_RISK = "turned_at_risk"
    TURNED_OFF_TRACK = "turned_off_track"
    BACK_ON_TRACK = "back_on_track"
    WENT_STALE = "went_stale"
    NOT_STARTED = "not_started"
    CHECKIN_DUE = "checkin_due"
    CHECKIN_OVERDUE = "checkin_overdue"
    COMMITMENT_OVERDUE = "commitment_overdue"
    ACTION_OVERDUE = "action_overdue"
    UNCOACHED_AT_RISK = "uncoached_at_risk"
    TARGET_LOWERED_BELOW_FORECAST = "target_lowered_below_forecast"
    APPRAISAL_RECORDED = "appraisal_recorded"
    APPRAISAL_CALIBRATED = "appraisal_calibrated"
    CYCLE_OPENED = "cycle_opened"
    CYCLE_CLOSED = "cycle_closed"


CLOCK_KINDS: frozenset[SignalKind] = frozenset(
    {
        SignalKind.WENT_STALE,
        SignalKind.NOT_STARTED,
        SignalKind.CHECKIN_DUE,
        SignalKind.CHECKIN_OVERDUE,
        SignalKind.COMMITMENT_OVERDUE,
        SignalKind.ACTION_OVERDUE,
        SignalKind.UNCOACHED_AT_RISK,
        SignalKind.CYCLE_OPENED,
    }
)
"""The kinds that time alone can fire, with no new fact (a clock tick): their ``at`` is the
instant the threshold was crossed, so they do not depend on when the clock happened to tick."""
