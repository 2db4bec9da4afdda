"""What the strategy's facts mean to the views' ledger: the core's own fold, and each event
kept for the "as at" replays (:meth:`~execution_core.views.ledger.Ledger.strategy_at`).
"""

from __future__ import annotations

from execution_core.event import Event
from execution_core.facts import Draft, StreamLedger
from execution_core.strategy.events import StrategyDefined, ThemeAdded, ThemeRetired
from execution_core.strategy.state import evolve as evolve_strategy

__all__ = ["LEDGER"]

LEDGER = StreamLedger("strategy")
"""What each strategy event means to the ledger (named by ``streams.LEDGERS``)."""


@LEDGER.handles(StrategyDefined, ThemeAdded, ThemeRetired)
def _on_strategy(draft: Draft, event: Event, seq: int) -> None:
    draft.put("strategy", evolve_strategy(draft.current["strategy"], event))
    draft.table("strategy_events").append(event)
