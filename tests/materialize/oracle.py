"""The oracle: what each view table must hold, computed with the pure projections.

Every row is the projection's ``to_records()`` (or the appraisal sheet's ``summary_record()``)
over the same events, read at the documented instant, with the columns renamed as the table
names them. Nothing here shares code with ``execution_core_adapters.projections.materialize``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from execution_core import Event
from execution_core.views import Ledger, coaching_radar, scoreboard
from execution_core.views.appraisal import Appraiser
from execution_core_adapters.storage.store import ExecutionStore, open_store

__all__ = ["expected", "expected_all", "latest", "put", "sort_rows"]

KEYS = {
    "board": ("goal_id",),
    "appraisal": ("cycle_id", "person_id"),
    "radar": ("cycle_id", "person_id", "coach_id"),
}


def latest(events: Sequence[Event]) -> datetime:
    """The evaluation instant before capping: the latest business time of any event."""
    return max(e.occurred_at for e in events)


def sort_rows(view: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in key order (as ``ViewWorker.rows`` returns them)."""
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in KEYS[view]))


def expected(
    events: Sequence[Event], view: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The rows the view table must hold after ``events``, read at ``now`` (a clock's; by
    default the latest business time of the events)."""
    if not events:
        return []
    ledger = Ledger.of(events)
    now = now or latest(events)
    rows: list[dict[str, Any]] = []
    for cycle in ledger.cycles.values():
        live = cycle.state.status(now) != "closed"
        at = min(now, cycle.ends_at)
        if view == "board" and live:
            rows.extend(
                {**r, "cycle_id": cycle.id, "evaluated_at": at}
                for r in scoreboard(ledger, cycle.id, at=at).to_records()
            )
        elif view == "appraisal":
            appraiser = Appraiser(ledger, cycle, now, None)
            people = dict.fromkeys(ledger.organization.people)
            people.update(dict.fromkeys(p for c, p in ledger.appraisals if c == cycle.id))
            for person in people:
                if appraiser.has_part(person):
                    record = appraiser.sheet(person).summary_record()
                    rows.append({**record, "evaluated_at": now})
        elif view == "radar" and live:
            radar = coaching_radar(ledger, cycle.id, at=at)
            short, long = radar.windows_days
            for r in radar.to_records():
                row = dict(r)
                row["coaching_short"] = row.pop(f"coaching_{short}d")
                row["coaching_long"] = row.pop(f"coaching_{long}d")
                row["coach_id"] = row["coach_id"] or ""
                row["uncoached_goals"] = tuple(
                    str(g) for g in cast(tuple[UUID, ...], row["uncoached_goals"])
                )
                rows.append(
                    {
                        **row,
                        "cycle_id": cycle.id,
                        "evaluated_at": at,
                        "short_days": short,
                        "long_days": long,
                    }
                )
    return sort_rows(view, rows)


def expected_all(events: Sequence[Event], views: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of several views."""
    return {view: expected(events, view) for view in views}


def put(url: str, events: Sequence[Event]) -> ExecutionStore:
    """A store at ``url`` with these events appended (in order, in pages)."""
    store = open_store(url, snapshot_interval=0)
    for start in range(0, len(events), 500):
        store.app.events.put(cast(Any, list(events[start : start + 500])))
    return store
