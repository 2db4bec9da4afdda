"""pandas data frames of the history and of the views, for analysis in a notebook.

The views already flatten themselves (``to_records()``); these functions only turn records into
frames, add the two clocks of each event, and read a view week by week over a cycle, so a
notebook can group, pivot and plot without knowing the view's classes.

Health, status and outcome columns are ordered categoricals (:data:`HEALTH`, :data:`STATUS`,
:data:`OUTCOME`), so sorting, comparing (``frame[frame.health > "on track"]``) and grouping follow
the domain's order, not the alphabet's, and a group that is empty this week still shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol, get_args
from uuid import UUID

import attrs
import pandas as pd

from execution_core import views as v
from execution_core.access import Owner
from execution_core.event import Event
from execution_core.goals.events import Alignment
from execution_core.ports import Recorded
from execution_core.states import GoalStatus, Organization
from execution_core.views import Health, Ledger, Outcome, Scoreboard
from execution_core.views import formulas as f

__all__ = [
    "EVENT_COLUMNS",
    "HEALTH",
    "HEALTH_ORDER",
    "OUTCOME",
    "OUTCOME_ORDER",
    "STATUS",
    "STATUS_ORDER",
    "HasRecords",
    "burnup_frame",
    "cycle_weeks",
    "event_record",
    "events_frame",
    "game_review_frame",
    "records_frame",
    "scoreboard_by_week",
    "strategy_map_frame",
    "view_frame",
    "view_over_time",
]

EVENT_COLUMNS = (
    "position",
    "type",
    "stream",
    "stream_id",
    "version",
    "actor",
    "occurred_at",
    "recorded_at",
)
"""The columns every event has, first in :func:`events_frame`; its payload fields follow."""

HEALTH_ORDER: tuple[str, ...] = tuple(
    health.value
    for health in (
        Health.ON_TRACK,
        Health.AT_RISK,
        Health.OFF_TRACK,
        Health.STALE,
        Health.NOT_STARTED,
    )
)
"""The healths from the best news to the least: the three bands of a forecast (on track < at
risk < off track), then a forecast gone old (stale), then no reading at all (not started). So
``health > "on track"`` is every goal the board cannot call on track, and sorting by health,
descending, puts first the goals a coach should look at."""

STATUS_ORDER: tuple[str, ...] = get_args(GoalStatus)
"""A goal's life: active, then its two ends (active < completed < dropped)."""

OUTCOME_ORDER: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
"""The agreed criteria, from the worst: missed < met < exceeded."""

HEALTH = pd.CategoricalDtype(list(HEALTH_ORDER), ordered=True)
"""The dtype of every health column (``health``, ``final_health``, ``theme_health``, ...)."""

STATUS = pd.CategoricalDtype(list(STATUS_ORDER), ordered=True)
"""The dtype of every goal status column (``status``)."""

OUTCOME = pd.CategoricalDtype(list(OUTCOME_ORDER), ordered=True)
"""The dtype of every outcome column (``outcome``, ``original_outcome``, ``outcome_<branch>``)."""

_ORDERED: Mapping[str, pd.CategoricalDtype] = {
    "health": HEALTH,
    "status": STATUS,
    "outcome": OUTCOME,
}


class HasRecords(Protocol):
    """Any value that flattens itself into rows: every view, a plan, a diff, a trail."""

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per row."""
        ...


# -- events -----------------------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Alignment):
        return str(value)
    if isinstance(value, tuple | list | frozenset) and all(
        isinstance(item, str | Enum) for item in value
    ):
        return ", ".join(str(_plain(item)) for item in value)
    if isinstance(value, tuple | list):
        return tuple(_plain(item) for item in value)
    return value


def _flatten(name: str, value: object) -> Iterator[tuple[str, object]]:
    """A payload field as columns: an owner as ``<name>_kind`` and ``<name>_id``, any other
    attrs value (a policy) field by field as ``<name>_<field>``, the rest as plain values."""
    if isinstance(value, Owner):
        yield f"{name}_kind", value.kind
        yield f"{name}_id", value.id
    elif attrs.has(type(value)) and not isinstance(value, Alignment):
        for field, inner in attrs.asdict(value, recurse=False).items():  # type: ignore[arg-type]
            yield from _flatten(f"{name}_{field}", inner)
    else:
        yield name, _plain(value)


def event_record(event: Event, position: int | None = None) -> dict[str, object]:
    """One event as a flat dict: the columns of :data:`EVENT_COLUMNS`, then its payload."""
    stream, _, kind = event.name.partition(".")
    row: dict[str, object] = {
        "position": position,
        "type": kind or type(event).__name__,
        "stream": stream,
        "stream_id": event.stream_id,
        "version": event.version,
        "actor": event.actor,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
    }
    for name, value in attrs.asdict(event, recurse=False).items():
        if name in row:
            continue
        for column, flat in _flatten(name, value):
            row[f"payload_{column}" if column in EVENT_COLUMNS else column] = flat
    return row


def events_frame(history: Iterable[Event | Recorded]) -> pd.DataFrame:
    """One row per event, in the order given (a store's is the recorded order): its type
    (``ProgressLogged``), stream kind (``goal``), stream id, version, actor and both clocks,
    then the payload fields; a field an event type lacks is empty. ``position`` is the store's
    position for :class:`Recorded` events, else empty."""
    rows = [
        event_record(item.event, item.position)
        if isinstance(item, Recorded)
        else event_record(item)
        for item in history
    ]
    frame = pd.DataFrame.from_records(rows, columns=_columns(rows, EVENT_COLUMNS))
    return _typed(frame)


# -- views ------------------------------------------------------------------------------------


def _columns(rows: Sequence[Mapping[str, object]], first: Sequence[str] = ()) -> list[str]:
    columns = dict.fromkeys(first)
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def _ordered(column: object, values: pd.Series) -> pd.CategoricalDtype | None:
    """The ordered dtype a column takes: its name has the word (``health``, ``final_health``,
    ``outcome_kept``) and every value is one of that dtype's categories; else None, so a column
    that only shares the name (an action's status) stays as it is."""
    words = str(column).split("_")
    for word, dtype in _ORDERED.items():
        if word in words and all(
            isinstance(value, str) and value in dtype.categories for value in values
        ):
            return dtype
    return None


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of aware datetimes as pandas UTC timestamps (empty cells as NaT), and health,
    status and outcome columns as their ordered categoricals."""
    for column in frame.columns:
        values = frame[column].dropna()
        dtype = _ordered(column, values)
        if dtype is not None:
            frame[column] = frame[column].astype(dtype)
        elif len(values) and all(
            isinstance(value, datetime) and value.tzinfo is not None for value in values
        ):
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def records_frame(
    records: Sequence[Mapping[str, object]], *, columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Flat records as a frame, ``columns`` first (and present even with no records), aware
    datetimes as UTC timestamps, health, status and outcome as ordered categoricals."""
    return _typed(pd.DataFrame.from_records(records, columns=_columns(records, columns)))


def view_frame(view: HasRecords, *, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Any view (or plan, diff, trail, Monte Carlo result) as a frame of its ``to_records()``."""
    return records_frame(view.to_records(), columns=columns)


def cycle_weeks(ledger: Ledger, cycle_id: UUID) -> list[datetime]:
    """The end of each week of a cycle (week 1 ends seven days after its start), the last one
    at the cycle's end: the instants a weekly review reads the views at."""
    cycle = ledger.cycles[cycle_id]
    weeks = math.ceil(f.days_between(cycle.starts_at, cycle.ends_at) / 7)
    return [
        min(cycle.starts_at + timedelta(weeks=week), cycle.ends_at) for week in range(1, weeks + 1)
    ]


def _week(ledger: Ledger, cycle_id: UUID, at: datetime) -> int:
    start = ledger.cycles[cycle_id].starts_at
    return max(0, math.ceil(round(f.days_between(start, at) / 7, 9)))


def view_over_time(
    view: Callable[..., HasRecords],
    ledger: Ledger,
    cycle_id: UUID,
    moments: Iterable[datetime] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """A cycle view read at each of ``moments`` (default: the end of every week of the cycle),
    stacked: the columns ``week`` (of the cycle, from 1) and ``at``, then the view's."""
    stamped: list[dict[str, object]] = []
    for at in cycle_weeks(ledger, cycle_id) if moments is None else moments:
        week = _week(ledger, cycle_id, at)
        records = view(ledger, cycle_id, at=at, **options).to_records()
        stamped.extend({"week": week, "at": at, **row} for row in records)
    return records_frame(stamped, columns=("week", "at"))


def scoreboard_by_week(
    ledger: Ledger, cycle_id: UUID, *, unit_level: int | None = None, **options: Any
) -> pd.DataFrame:
    """The scoreboard at the end of every week of a cycle: one row per goal and week, then the
    owner's unit that week, ``unit_id`` and ``unit`` (its name): a person's unit, or the unit
    that owns the goal. ``unit_level`` rolls each unit up to its ancestor that many levels below
    the root (1: the units under the company), for a coarser grouping; a unit above that level
    stays itself."""
    frame = view_over_time(Scoreboard.build, ledger, cycle_id, **options)
    units: list[tuple[str | None, str | None]] = []
    organizations: dict[datetime, Organization] = {}
    for at, kind, owner in frame[["at", "owner_kind", "owner_id"]].itertuples(index=False):
        moment = at.to_pydatetime()
        if moment not in organizations:
            organizations[moment] = ledger.organization_at(moment)
        units.append(_unit_of(organizations[moment], str(kind), str(owner), unit_level))
    frame["unit_id"] = [unit_id for unit_id, _name in units]
    frame["unit"] = [name for _unit_id, name in units]
    return frame


def _unit_of(
    organization: Organization, kind: str, owner: str, level: int | None
) -> tuple[str | None, str | None]:
    """The unit a goal's owner belongs to (its id and name), rolled up to ``level``."""
    if kind == "person":
        person = organization.person(owner)
        unit_id = None if person is None else person.unit_id
    else:
        unit_id = owner
    if unit_id is None or unit_id not in organization.units:
        return unit_id, None
    if level is not None:
        chain = organization.unit_chain(unit_id)  # from the unit up to the root
        unit_id = chain[max(0, len(chain) - 1 - level)]
    return unit_id, organization.units[unit_id].name


# -- burn-up ----------------------------------------------------------------------------------


def burnup_frame(
    ledger: Ledger, cycle_id: UUID, goal_id: UUID, kr_id: str | None = None
) -> pd.DataFrame:
    """A goal's (or one key result's) progress when it was set, at each of its check-ins and at
    the cycle's end, against the pace expected then: columns ``at``, ``week``, ``progress`` (raw, so
    over-achievement shows), ``expected``.

    A goal's progress is the scoreboard's at each instant (its key results, or its children's
    when it rolls them up: then the instants are the cycle's weeks); a key result's is its
    reading against the target in force at that instant.
    """
    cycle = ledger.cycles[cycle_id]
    goal = ledger.goals[goal_id]
    end = cycle.ends_at
    krs = [kr for kr in goal.key_results.values() if kr_id is None or kr.id == kr_id]
    if kr_id is not None and not krs:
        raise KeyError(f"goal {goal_id} has no key result {kr_id!r}")
    checkins = sorted({c.occurred_at for kr in krs for c in kr.checkins_by(end)})
    first = max(cycle.starts_at, goal.occurred_at)
    later = checkins or [at for at in cycle_weeks(ledger, cycle_id) if at > first]
    moments = [first, *later, *([end] if not later or later[-1] < end else [])]
    rows: list[dict[str, object]] = []
    for at in moments:
        if kr_id is None:
            progress: float | None = (
                Scoreboard.build(ledger, cycle_id, at=at).row(goal_id).raw_progress
            )
        else:
            kr = krs[0]
            reading = kr.latest_checkin(at)
            target, _stretch = kr.criteria_at(at)
            progress = f.key_result_progress(
                None if reading is None else reading.value,
                kr.baseline,
                target,
                milestone=kr.milestone,
            )
        rows.append(
            {
                "at": at,
                "week": round(f.days_between(cycle.starts_at, at) / 7, 3),
                "progress": progress,
                "expected": f.expected_progress(at, cycle.starts_at, end),
            }
        )
    return records_frame(rows, columns=("at", "week", "progress", "expected"))


# -- reviews and the strategy map -------------------------------------------------------------


def game_review_frame(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, viewer: str | None = None
) -> pd.DataFrame:
    """The game review (:func:`execution_core.views.game_review`): one row per goal, how it
    ended beside what worked, what did not and the lessons (``reviewed`` False: none yet)."""
    return view_frame(v.game_review(ledger, cycle_id, at=at, viewer=viewer))


def strategy_map_frame(
    ledger: Ledger, cycle_id: UUID, *, at: datetime, viewer: str | None = None
) -> pd.DataFrame:
    """The strategy map (:func:`execution_core.views.strategy_map`): one row per goal under its
    theme and perspective, with the theme's rollup; group by ``perspective`` and ``theme_id``."""
    return view_frame(v.strategy_map(ledger, cycle_id, at=at, viewer=viewer))
