"""Signals: what changed in the live views that an app wants to be told about, derived in the
core as a pure function of the live views before and after a batch of facts or a clock tick.

:func:`observe` reads a :class:`Situation` (what signals watch) from a live state;
:func:`derive_signals` gives the :class:`Signal` values between two situations, each with its
:class:`SignalKind`, subject, business time, :class:`Cause` and policy in force, and a stable
``key``. :func:`replay_signals` gives a history's signals stepped one business day at a time,
as a catch-up logs them. See docs/signals.md for the kinds and the formulas behind each.
"""

from __future__ import annotations

from execution_core.signals.derive import derive_signals
from execution_core.signals.kinds import CLOCK_KINDS, SignalKind
from execution_core.signals.replay import replay_signals, step_ends
from execution_core.signals.signal import Cause, Signal
from execution_core.signals.situation import CheckinState, Situation, observe

__all__ = [
    "CLOCK_KINDS",
    "Cause",
    "CheckinState",
    "Signal",
    "SignalKind",
    "Situation",
    "derive_signals",
    "observe",
    "replay_signals",
    "step_ends",
]
