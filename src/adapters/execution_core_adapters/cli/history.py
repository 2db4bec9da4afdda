"""``execution-core audit as-of | diff | trail``: the bitemporal audit on the command line.

The commands are plain functions (``history_commands``, by name); :mod:`.audit` registers
them on the ``audit`` sub-app. Times are ISO 8601: ``2026-03-03T12:00+01:00``, or
``2026-03-03T12:00`` (taken as UTC), or a date ``2026-03-03``, which means the **end** of that
day in UTC (everything recorded, or everything that happened, on March 3 included). A cycle is
named by its name (``--cycle T2``, as ``board`` takes it) or its id or the id's first characters.
A person's appraisal, trace or rating history, and the ratings in a trail, are shown only to a
``--viewer`` the access policy lets see them (as ``appraisal`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from execution_core import DEFAULT_STORE, audit
from execution_core import views as v
from execution_core.cycles.events import CycleOpened
from execution_core.errors import ExecutionError
from execution_core.ports import Recorded
from execution_core.views import Ledger
from execution_core.views.history import LedgerHistory
from execution_core_adapters.cli.errors import EXIT_REFUSED, failure
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import emit, err, out
from execution_core_adapters.cli.render import printable, shown
from execution_core_adapters.storage.config import store_env
from execution_core_adapters.storage.store import ExecutionStore, open_store

__all__ = [
    "COLUMNS",
    "PERSON_VIEWS",
    "VIEWS",
    "as_of",
    "diff",
    "history_commands",
    "parse_instant",
    "trail",
]


VIEWS: dict[str, Callable[..., Any]] = {
    "scoreboard": v.scoreboard,
    "alignment": v.alignment_tree,
    "radar": v.coaching_radar,
    "adjustments": v.adjustments_log,
    "lead-time": v.detection_lead_time,
    "agenda": v.agenda,
    "plan-quality": v.plan_quality,
    "honesty": v.target_honesty,
    "confidence": v.confidence_calibration,
    "coaching-effect": v.coaching_effect,
    "calibration": v.calibration,
}
"""The views of a cycle ``as-of --view`` can show, besides the plan."""

PERSON_VIEWS: dict[str, Callable[..., Any]] = {
    "appraisal": v.appraisal_sheet,
    "trace": v.appraisal_trace,
    "rating-history": v.rating_history,
}
"""The views of one person (``--person``, read by ``--viewer``, who must be allowed to)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "plan": ("goal_id", "title", "status", "owner_id", "aligned_to", "weight", "targets"),
    "scoreboard": (
        "goal_id",
        "title",
        "owner_id",
        "status",
        "progress",
        "forecast",
        "health",
        "confidence",
        "last_checkin_at",
    ),
    "adjustments": (
        "goal_title",
        "kind",
        "kr_id",
        "before",
        "after",
        "reason",
        "actor",
        "occurred_at",
        "recorded_at",
    ),
    "appraisal": (
        "title",
        "final_score",
        "attainment",
        "computed_rating",
        "recorded_rating",
        "calibrated_rating",
        "rating",
    ),
    "trace": (
        "step",
        "title",
        "score",
        "rating",
        "from_rating",
        "actor",
        "reason",
        "recorded_at",
    ),
    "rating-history": (
        "cycle_name",
        "attainment",
        "computed_rating",
        "recorded_rating",
        "calibrated_rating",
        "rating",
        "rating_source",
    ),
    "diff": ("goal_id", "goal_title", "change", "reason", "actor", "occurred_at", "recorded_at"),
    "trail": (
        "position",
        "recorded_at",
        "occurred_at",
        "actor",
        "event",
        "relation",
        "details",
    ),
}
"""The columns shown in a table (``--json`` prints every field); other views show all."""


_MIN_WIDTHS = {
    "occurred_at": 16,
    "recorded_at": 16,
    "last_checkin_at": 16,
    "goal_id": 8,
    "computed_rating": 15,
    "recorded_rating": 15,
    "calibrated_rating": 17,
}
"""Columns that must not be squeezed below a readable width (a timestamp is 16 characters)."""


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant in UTC; a date alone is the end of that day, a naive time is UTC."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) - timedelta(
                microseconds=1
            )
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date or time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_UUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def _cell(value: object) -> str:
    """A value for a table cell: ids as their first 8 characters (the commands accept them)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, Enum):
        return str(value.value)
    return shown(_UUID.sub(r"\1", str(value)))


def _show(title: str, records: Sequence[Mapping[str, object]], kind: str, *, as_json: bool) -> None:
    if as_json:
        emit(records)
        return
    console = out()
    columns = COLUMNS.get(kind) or (tuple(records[0]) if records else ())
    if not columns:  # a table without columns prints nothing, not even its title
        console.print(shown(title), highlight=False)
    else:
        table = Table(title=shown(title), title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold", min_width=_MIN_WIDTHS.get(column))
        for row in records:
            table.add_row(*(_cell(row.get(column)) for column in columns))
        console.print(table)
    if not records:
        err().print("(nothing)")


def _history(store: ExecutionStore) -> LedgerHistory:
    history = LedgerHistory(store)
    history.catch_up()
    return history


def _resolve(prefix: str, known: Iterable[UUID], what: str) -> UUID:
    """A full id from an id or an unambiguous prefix of one (as the tables show them)."""
    matches = sorted({known_id for known_id in known if str(known_id).startswith(prefix.lower())})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise failure(f"no {what} id starts with {prefix!r}", EXIT_REFUSED)
    raise failure(f"{prefix!r} names {len(matches)} {what}s; give more of the id")


def _cycle_named(given: str, names: Mapping[UUID, str]) -> UUID:
    """A cycle by its name (as ``board --cycle`` takes it), else by its id or a prefix of it."""
    named = [cycle_id for cycle_id, name in names.items() if name == given]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise failure(f"{len(named)} cycles are named {given!r}; give the id")
    return _resolve(given, names, "cycle")


def _cycle(ledger: Ledger, given: str | None) -> UUID:
    names = {cycle_id: c.state.name for cycle_id, c in ledger.cycles.items()}
    if given is not None:
        return _cycle_named(given, names)
    if len(ledger.cycles) == 1:
        return next(iter(ledger.cycles))
    known = ", ".join(f"{c.state.name} ({str(c.id)[:8]})" for c in ledger.cycles.values())
    raise failure(f"name the cycle with --cycle: {known or 'there is none'}")


def _change_text(row: Mapping[str, object]) -> str:
    kind = f"{row['kind']} {row['kr_id']}" if row["kr_id"] else str(row["kind"])
    before = f"{row['before']} -> " if row["before"] else ""
    return f"{kind}: {before}{row['after']}"


def _when(moment: datetime | None) -> str:
    return "everything recorded" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


Cycle = Annotated[
    str | None,
    typer.Option(help="The cycle (name, id or the id's first characters); default: the only one."),
]


def _open(url: str) -> ExecutionStore:
    """Open an existing store (a missing SQLite file is an error, not a new empty store)."""
    path = store_env(url).get("SQLITE_DBNAME")
    if path and not Path(path).exists():
        raise failure(f"no store at {path}")
    return open_store(url)


def as_of(
    when: Annotated[
        str | None,
        typer.Argument(help="Recorded time: what the system knew then (default: everything)."),
    ] = None,
    *,
    at: Annotated[
        str | None,
        typer.Option(help="Business time: as things were then (default: the recorded time)."),
    ] = None,
    view: Annotated[
        str, typer.Option(help=f"plan, or a view: {', '.join([*VIEWS, *PERSON_VIEWS])}.")
    ] = "plan",
    goal: Annotated[
        str | None, typer.Option(help="Only the rows of this goal (id or its first characters).")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="The person of an appraisal, trace or rating history.")
    ] = None,
    viewer: Annotated[
        str | None,
        typer.Option(help="Who reads a person's view (required with --person; access is checked)."),
    ] = None,
    cycle: Cycle = None,
    db: Db = DEFAULT_STORE,
    as_json: AsJson = False,
) -> None:
    """Show the plan (or a view) as the system knew it at a recorded time, as at a business
    time: `as-of 2026-03-03 --at 2026-02-28` is what we believed on March 3 about the end of
    February. Every view reads the policy in force then, as known then."""
    recorded = None if when is None else parse_instant(when)
    known = ["plan", *VIEWS, *PERSON_VIEWS]
    if view not in known:
        raise typer.BadParameter(f"unknown view {view!r}: {', '.join(known)}")
    if (view in PERSON_VIEWS) != (person is not None):
        raise typer.BadParameter(f"--person goes with {', '.join(PERSON_VIEWS)}, and they need it")
    if person is not None and viewer is None:
        raise typer.BadParameter(
            f"--view {view} shows {person}'s ratings: name who reads them with --viewer "
            "(the person, their managers or HR)"
        )
    store = _open(db)
    try:
        history = _history(store)
        ledger = history.as_of(recorded)
        business = parse_instant(at) if at is not None else recorded
        business = business or history.last_recorded_at or datetime.now(UTC)
        title = f"{view} as of {_when(recorded)}, as at {_when(business)}"
        if person is not None:
            title = f"{view} of {person} as of {_when(recorded)}, as at {_when(business)}"
            reader = viewer or ""
            if view == "rating-history":
                found: Any = v.rating_history(ledger, person, viewer=reader, at=business)
            else:
                found = PERSON_VIEWS[view](
                    ledger, _cycle(ledger, cycle), person, viewer=reader, at=business
                )
        elif view == "plan":
            found = audit.plan_of(ledger, cycle_id=_cycle(ledger, cycle), at=business)
        else:
            found = VIEWS[view](ledger, _cycle(ledger, cycle), at=business)
        rows = found.to_records()
        if goal is not None:
            chosen = _resolve(goal, ledger.goals, "goal")
            rows = [row for row in rows if chosen in (row.get("goal_id"), row.get("id"))]
        _show(title, rows, view, as_json=as_json)
    except ExecutionError as error:
        raise failure(str(error), EXIT_REFUSED) from None
    finally:
        store.close()


def diff(
    since: Annotated[str, typer.Argument(help="The earlier recorded time.")],
    until: Annotated[
        str | None, typer.Argument(help="The later recorded time (default: everything).")
    ] = None,
    *,
    at: Annotated[
        str | None,
        typer.Option(help="Compare the plans as at this business time (default: the latest)."),
    ] = None,
    cycle: Annotated[
        str | None, typer.Option(help="Only this cycle (name, id or the id's first characters).")
    ] = None,
    db: Db = DEFAULT_STORE,
    as_json: AsJson = False,
) -> None:
    """List what changed in the plan between two recorded times, old to new, with who, why
    and both clocks."""
    start = parse_instant(since)
    business = None if at is None else parse_instant(at)
    store = _open(db)
    try:
        history = _history(store)
        end = parse_instant(until) if until is not None else history.last_recorded_at or start
        names = {cycle_id: c.state.name for cycle_id, c in history.latest.cycles.items()}
        cycle_id = None if cycle is None else _cycle_named(cycle, names)
        found = audit.diff(history, start, max(start, end), cycle_id=cycle_id, at=business)
        title = f"plan changes recorded after {_when(start)} up to {_when(end)}"
        if business is not None:
            title += f", as at {_when(business)}"
        rows = found.to_records()
        if not as_json:  # one column for what changed: kind (key result): old -> new
            rows = [{**row, "change": _change_text(row)} for row in rows]
        _show(title, rows, "diff", as_json=as_json)
    except ExecutionError as error:
        raise failure(str(error), EXIT_REFUSED) from None
    finally:
        store.close()


def trail(
    *,
    goal: Annotated[str | None, typer.Option(help="A goal (id or its first characters).")] = None,
    person: Annotated[str | None, typer.Option(help="A person id.")] = None,
    cycle: Annotated[
        str | None, typer.Option(help="A cycle (name, id or the id's first characters).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only the events recorded by then (default: all)."),
    ] = None,
    viewer: Annotated[
        str | None,
        typer.Option(
            help="Who reads: an appraisal's ratings and summary show only if they may see them "
            "(the person, their managers, HR); withheld without --viewer."
        ),
    ] = None,
    db: Db = DEFAULT_STORE,
    as_json: AsJson = False,
) -> None:
    """List every event concerning a goal, a person or a cycle, in recorded order, with its
    position, both clocks and its actor."""
    if sum(subject is not None for subject in (goal, person, cycle)) != 1:
        raise typer.BadParameter("name exactly one of --goal, --person or --cycle")
    recorded = None if as_of is None else parse_instant(as_of)
    store = _open(db)
    try:
        events: list[Recorded] = list(store.read_all())
    finally:
        store.close()
    goals = {r.event.stream_id for r in events if r.event.name == "goal.GoalSet"}
    cycles = {
        r.event.stream_id: r.event.cycle_name for r in events if isinstance(r.event, CycleOpened)
    }
    found = audit.trail(
        events,
        goal=None if goal is None else _resolve(goal, goals, "goal"),
        person=person,
        cycle=None if cycle is None else _cycle_named(cycle, cycles),
        as_of=recorded,
        viewer=viewer,
    )
    title = f"trail of {found.subject} {found.subject_id}, {_when(recorded)}"
    rows = found.to_records()
    if not as_json:  # the table names events without their stream (the relation says it)
        rows = [{**row, "event": str(row["event"]).split(".")[-1]} for row in rows]
    _show(title, rows, "trail", as_json=as_json)
    if found.withheld:
        reader = "no --viewer given" if viewer is None else f"{printable(viewer)} may not see them"
        typer.echo(
            f"execution-core: the ratings and summary of {found.withheld} appraisal event(s) "
            f"are withheld ({reader}); the person, their managers and HR may see them",
            err=True,
        )


history_commands: dict[str, Callable[..., None]] = {
    "as-of": as_of,
    "diff": diff,
    "trail": trail,
}
"""The commands by name, for :mod:`.audit` to register on the ``audit`` sub-app."""
