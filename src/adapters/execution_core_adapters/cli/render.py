"""The views on a terminal: each view value becomes a rich Table (shared by the commands and the
demo), and a store's history is read into a Ledger in pages behind a progress bar.

Health reads by colour: on track green, at risk yellow, off track red, not started dim, stale
magenta. Nothing here computes a figure: every number comes from the view value it renders.

Every name, id, title and summary goes through :func:`shown` (or :func:`printable` inside a
``Text``): a stored value may hold terminal escapes, bidi overrides or rich markup, written
before the commands refused them, and the terminal must show them as text, never obey them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from uuid import UUID

import attrs
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from execution_core import Event
from execution_core.access import Owner
from execution_core.ports import EventStore
from execution_core.views import (
    AppraisalSheet,
    CoachingRadar,
    Health,
    LeadTimeReport,
    Ledger,
    Outcome,
    Scoreboard,
    ScoreboardRow,
)

__all__ = [
    "HEALTH_STYLES",
    "NARROW",
    "NOTHING",
    "History",
    "appraisal_sheet_table",
    "appraisal_summary_table",
    "health_strip",
    "health_text",
    "lead_time_summary",
    "lead_time_table",
    "moment",
    "outcome_text",
    "owner_text",
    "percent",
    "printable",
    "radar_table",
    "read_history",
    "scoreboard_table",
    "shown",
    "table_box",
]

HEALTH_STYLES: Mapping[Health, str] = {
    Health.ON_TRACK: "green",
    Health.AT_RISK: "yellow",
    Health.OFF_TRACK: "red",
    Health.NOT_STARTED: "dim",
    Health.STALE: "magenta",
}
OUTCOME_STYLES: Mapping[Outcome, str] = {
    Outcome.MISSED: "red",
    Outcome.MET: "green",
    Outcome.EXCEEDED: "bold green",
}
NOTHING = "-"
NARROW = 150
"""Terminals narrower than this many columns get the compact tables (``compact=True``)."""


# -- reading a history ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class History:
    """A store's history folded into a ledger, with what the commands' defaults need."""

    ledger: Ledger
    events: int
    latest: datetime | None
    """The latest business time (``occurred_at``) of any event, None for an empty store."""


class _Reader:
    """Reads a store page by page, counting events and the latest business time on the way."""

    def __init__(self, store: EventStore, page: int) -> None:
        self.store = store
        self.page = page
        self.events = 0
        self.latest: datetime | None = None

    def read(self, progress: Progress, task: TaskID) -> Iterator[Event]:
        position = 0
        while batch := list(self.store.read_all(after=position, limit=self.page)):
            for recorded in batch:
                event = recorded.event
                self.events += 1
                if self.latest is None or event.occurred_at > self.latest:
                    self.latest = event.occurred_at
                yield event
            position = batch[-1].position  # positions may have gaps: the bar follows them
            progress.update(task, completed=position)


def read_history(store: EventStore, console: Console | None = None, *, page: int = 1000) -> History:
    """Every event of ``store`` folded into a Ledger, read ``page`` events at a time; on a
    terminal a progress bar counts positions up to ``store.last_position()``."""
    reader = _Reader(store, page)
    with Progress(
        TextColumn("Reading the history"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None or not console.is_terminal,
    ) as progress:
        task = progress.add_task("read", total=store.last_position())
        ledger = Ledger.of(reader.read(progress, task))
    return History(ledger=ledger, events=reader.events, latest=reader.latest)


# -- small formats ----------------------------------------------------------------------------


def printable(value: object) -> str:
    """``value`` as text with every character that is not printable (control characters such
    as ESC, bidi overrides and other format characters, line and paragraph separators) escaped
    as Python writes it (``\\x1b``, ``\\u202e``), so a terminal shows it and does not obey it."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def shown(value: object) -> str:
    """:func:`printable`, with rich markup escaped too (``[red]`` stays those five characters):
    the form of any stored or typed value in a string rich prints or puts in a table cell."""
    return escape(printable(value))


def percent(value: float | None) -> str:
    """``0.42`` as ``42%``; None as a dash."""
    return NOTHING if value is None else f"{value:.0%}"


def signed_percent(value: float | None) -> str:
    """``-0.12`` as ``-12%``, ``0.05`` as ``+5%``."""
    return NOTHING if value is None else f"{value:+.0%}"


def owner_text(owner: Owner) -> str:
    """A person owner by id (``ana``), a unit owner as ``unit sales``."""
    return shown(owner.id if owner.kind == "person" else str(owner))


def moment(at: datetime | None) -> str:
    """An instant as ``2026-03-16 12:00 UTC``."""
    return NOTHING if at is None else f"{at:%Y-%m-%d %H:%M} UTC"


def health_text(health: Health | None) -> Text:
    """The health word in its colour."""
    if health is None:
        return Text(NOTHING)
    return Text(health.value, style=HEALTH_STYLES[health])


def outcome_text(outcome: Outcome) -> Text:
    """The outcome word in its colour."""
    return Text(outcome.value, style=OUTCOME_STYLES[outcome])


def table_box(compact: bool) -> box.Box:
    """Light rules on a narrow terminal, a full grid on a wide one."""
    return box.SIMPLE_HEAD if compact else box.HEAVY_HEAD


def _rating(value: int | None) -> str:
    return NOTHING if value is None else str(value)


def _bonus(value: float | None) -> str:
    if value is None:
        return NOTHING
    text = f"{value:g}"
    return f"x{text}" if "." in text or "e" in text else f"x{text}.0"


# -- the scoreboard ---------------------------------------------------------------------------


def _tree_order(rows: Mapping[UUID, ScoreboardRow]) -> list[tuple[int, ScoreboardRow]]:
    """The rows depth first under their parent goals (each level in the order goals were set)."""
    below: dict[UUID, list[ScoreboardRow]] = {}
    roots: list[ScoreboardRow] = []
    for row in rows.values():
        if row.parent_id is not None and row.parent_id in rows:
            below.setdefault(row.parent_id, []).append(row)
        else:
            roots.append(row)
    ordered: list[tuple[int, ScoreboardRow]] = []
    seen: set[UUID] = set()
    stack = [(0, row) for row in reversed(roots)]
    while stack:
        depth, row = stack.pop()
        if row.goal_id in seen:
            continue
        seen.add(row.goal_id)
        ordered.append((depth, row))
        stack.extend((depth + 1, child) for child in reversed(below.get(row.goal_id, [])))
    ordered.extend((0, row) for row in rows.values() if row.goal_id not in seen)
    return ordered


def _progress_cell(row: ScoreboardRow) -> str:
    if row.raw_progress > row.progress + 1e-9:
        return f"{row.progress:.0%} ({row.raw_progress:.0%})"
    return percent(row.progress)


def _checkin_cell(row: ScoreboardRow) -> str:
    if row.last_checkin_at is None:
        return NOTHING
    return f"{row.last_checkin_at:%Y-%m-%d} ({row.days_since_checkin}d)"


def scoreboard_table(
    board: Scoreboard, *, title: str | None = None, compact: bool = False
) -> Table:
    """The live scoreboard: one row per goal, child goals indented under their parent.

    ``compact`` (for a narrow terminal) leaves out confidence, open commitments, the raw
    progress of over-achievers and the date of the last check-in (its age stays).
    """
    policy = board.policy
    table = Table(
        title=title or f"Scoreboard at {moment(board.at)}",
        caption=(
            f"Expected (pace) {percent(board.expected)}. Health from the forecast at the cycle end:"
            f"\non track >= {policy.on_track:.0%}, at risk >= {policy.at_risk:.0%}, else off track;"
            f"\nstale after {policy.stale_cadences:g} cadences with no check-in."
        ),
        title_justify="left",
        caption_justify="left",
        box=table_box(compact),
    )
    table.add_column("goal", min_width=16)
    table.add_column("owner")
    if compact:
        for header in ("prog.", "gap", "fcst."):
            table.add_column(header, justify="right")
        table.add_column("health", no_wrap=True)
        table.add_column("check-in", justify="right")
    else:
        for header in ("progress", "pace gap", "forecast"):
            table.add_column(header, justify="right")
        table.add_column("health", no_wrap=True)
        table.add_column("confidence", justify="right")
        table.add_column("last check-in")
        table.add_column("open commitments", justify="right")
    for depth, row in _tree_order(board.rows):
        title_text = ("  " * (depth - 1) + "└ " if depth else "") + shown(row.title)
        if row.status != "active":
            title_text += f" ({row.status})"
        cells: list[str | Text] = [
            title_text,
            owner_text(row.owner),
            percent(row.progress) if compact else _progress_cell(row),
            signed_percent(row.pace_gap),
            percent(row.forecast),
            health_text(row.health),
        ]
        if compact:
            cells.append(
                NOTHING if row.days_since_checkin is None else f"{row.days_since_checkin}d"
            )
        else:
            cells.extend(
                [
                    percent(row.confidence),
                    _checkin_cell(row),
                    str(row.open_commitments) if row.open_commitments else "",
                ]
            )
        table.add_row(*cells, style="dim" if row.status == "dropped" else None)
    return table


# -- the appraisal ----------------------------------------------------------------------------


def _rating_line(sheet: AppraisalSheet) -> str:
    parts = [
        f"attainment {percent(sheet.attainment)}",
        f"computed {_rating(sheet.computed_rating)}",
    ]
    if sheet.recorded_rating is not None:
        parts.append(f"recorded {sheet.recorded_rating} by {shown(sheet.reviewer_id)}")
    if sheet.calibrated_rating is not None:
        parts.append(f"calibrated {sheet.calibrated_rating}")
    source = "" if sheet.rating_source is None else f" ({sheet.rating_source.value})"
    return (
        "; ".join(parts)
        + f" -> rating {_rating(sheet.rating)}{source}, bonus {_bonus(sheet.bonus_multiplier)}"
    )


def appraisal_sheet_table(sheet: AppraisalSheet, *, name: str | None = None) -> Table:
    """One person's appraisal sheet: their goals and final scores, then how the rating came."""
    who = f"{name} ({sheet.person_id})" if name else sheet.person_id
    table = Table(
        title=f"Appraisal of {shown(who)}, {shown(sheet.cycle_name)}, at {moment(sheet.at)}",
        caption=_rating_line(sheet) + (f'\n"{shown(sheet.summary)}"' if sheet.summary else ""),
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("goal", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("weight", justify="right")
    table.add_column("final score", justify="right", no_wrap=True)
    table.add_column("raw progress", justify="right", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    for goal in sheet.goals:
        table.add_row(
            shown(goal.title),
            goal.kind.value,
            f"{goal.weight:g}",
            percent(goal.final_score),
            percent(goal.raw_progress),
            outcome_text(goal.outcome),
        )
    if not sheet.goals:
        table.add_row("(no goals in this cycle)", "", "", "", "", "")
    return table


def appraisal_summary_table(
    sheets: Sequence[AppraisalSheet],
    *,
    names: Mapping[str, str] | None = None,
    title: str = "",
    compact: bool = False,
) -> Table:
    """Several appraisal sheets, one row each: attainment and the computed, recorded,
    calibrated and standing ratings with the bonus multiplier (``compact``: short headers,
    people by id)."""
    table = Table(title=title or "Appraisals", title_justify="left", box=table_box(compact))
    table.add_column("person")
    headers = (
        ("goals", "attain.", "comp.", "rec.", "calib.", "rating")
        if compact
        else ("goals", "attainment", "computed", "recorded", "calibrated", "rating")
    )
    for header in headers:
        table.add_column(header, justify="right", style="bold" if header == "rating" else None)
    table.add_column("from", min_width=10)
    table.add_column("bonus", justify="right")
    for sheet in sheets:
        name = None if compact else (names or {}).get(sheet.person_id)
        table.add_row(
            shown(f"{name} ({sheet.person_id})" if name else sheet.person_id),
            str(len(sheet.goals)),
            percent(sheet.attainment),
            _rating(sheet.computed_rating),
            _rating(sheet.recorded_rating),
            _rating(sheet.calibrated_rating),
            _rating(sheet.rating),
            NOTHING if sheet.rating_source is None else sheet.rating_source.value,
            _bonus(sheet.bonus_multiplier),
        )
    return table


# -- the coaching radar -----------------------------------------------------------------------


def radar_table(radar: CoachingRadar, *, title: str | None = None, compact: bool = False) -> Table:
    """The coaching radar: per person and coach, recent coaching, goals flagged with no coaching
    since they turned, and overdue commitments (the person's columns shown on their first row)."""
    short, long = radar.windows_days
    table = Table(
        title=title or f"Coaching radar at {moment(radar.at)}",
        title_justify="left",
        box=table_box(compact),
    )
    table.add_column("person")
    table.add_column("coach")
    table.add_column("relation")
    table.add_column(f"{short}d", justify="right")
    table.add_column(f"{long}d", justify="right")
    table.add_column("last session")
    table.add_column("flagged, not coached since", min_width=20)
    table.add_column("overdue" if compact else "overdue commitments")
    previous: str | None = None
    for row in radar.rows:
        first = row.person_id != previous
        previous = row.person_id
        uncoached = Text()
        if first:
            for n, goal in enumerate(row.uncoached_goals):
                if n:
                    uncoached.append("\n")
                uncoached.append(f"{printable(goal.title)}: ")
                uncoached.append(health_text(goal.health))
                uncoached.append(f" since {goal.turned_at:%Y-%m-%d}")
        table.add_row(
            shown(row.person_id) if first else "",
            shown(row.coach_id) if row.coach_id else NOTHING,
            row.relation,
            str(row.sessions_short) if row.coach_id else "",
            str(row.sessions_long) if row.coach_id else "",
            NOTHING if row.last_session_at is None else f"{row.last_session_at:%Y-%m-%d}",
            uncoached,
            shown(", ".join(row.overdue_commitments)) if first else "",
        )
    return table


# -- detection lead time ----------------------------------------------------------------------


def median_lead_days(report: LeadTimeReport) -> float | None:
    """The median lead time of the missed goals the live view flagged (None: none flagged)."""
    days = [row.lead_days for row in report.rows if row.lead_days is not None]
    return statistics.median(days) if days else None


def lead_time_summary(report: LeadTimeReport) -> str:
    """One sentence: how many missed goals the live view flagged, and how early (median)."""
    missed = len(report.rows)
    if not missed:
        return "No goal ended missed." if report.complete else "No goal is missed so far."
    flagged = [row for row in report.rows if row.lead_days is not None]
    ends_on = report.rows[0].cycle_ends_on
    sentence = (
        f"The live view flagged {len(flagged)} of the {missed} goals that ended missed"
        if report.complete
        else f"The live view flagged {len(flagged)} of the {missed} goals missed so far"
    )
    median = median_lead_days(report)
    if median is None:
        return sentence + "."
    return (
        f"{sentence}, a median {median:g} days before the cycle's last day ({ends_on}), "
        "where the appraisal first sees them."
    )


HEALTH_GLYPHS: Mapping[Health, str] = {
    Health.ON_TRACK: "+",
    Health.AT_RISK: "!",
    Health.OFF_TRACK: "x",
    Health.NOT_STARTED: "0",
    Health.STALE: "s",
}
HEALTH_LEGEND = ", ".join(f"{glyph} {health.value}" for health, glyph in HEALTH_GLYPHS.items())


def health_strip(healths: Sequence[Health]) -> Text:
    """A goal's health over time, one coloured glyph per reading (see ``HEALTH_GLYPHS``)."""
    strip = Text()
    for health in healths:
        strip.append(HEALTH_GLYPHS[health], style=HEALTH_STYLES[health])
    return strip


def lead_time_table(
    report: LeadTimeReport,
    *,
    title: str | None = None,
    strips: Mapping[UUID, Sequence[Health]] | None = None,
    strip_label: str = "health over time",
    compact: bool = False,
) -> Table:
    """The goals that ended missed and the first day the live view flagged each; ``strips``
    adds each goal's health at a series of instants (read from scoreboards by the caller)."""
    table = Table(
        title=title or "Detection lead time",
        title_justify="left",
        caption=f"{strip_label}: {HEALTH_LEGEND}" if strips else None,
        caption_justify="left",
        box=table_box(compact),
    )
    table.add_column("goal", min_width=14)
    table.add_column("owner")
    table.add_column("final", justify="right")
    table.add_column("first flagged")
    table.add_column("days before the end", justify="right")
    if strips:
        table.add_column(strip_label, overflow="fold")
    for row in report.rows:
        gap = "\n" if compact else " "
        flagged = Text(NOTHING if row.first_flagged_on is None else f"{row.first_flagged_on}{gap}")
        flagged.append(health_text(row.first_flagged_health) if row.first_flagged_health else "")
        cells: list[str | Text] = [
            shown(row.title),
            owner_text(row.owner),
            percent(row.final_progress),
            flagged,
            "never flagged" if row.lead_days is None else str(row.lead_days),
        ]
        if strips:
            cells.append(health_strip(strips.get(row.goal_id, ())))
        table.add_row(*cells)
    return table
