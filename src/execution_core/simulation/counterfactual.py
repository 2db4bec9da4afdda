"""Counterfactuals: a history forked at a time T, changed after it, compared with the original.

Two ways to branch. A *simulated* history is re-played: the same model and seed, the same
policy before week T and another one from T on (the adapter's ``fork``); the engine is
deterministic, so the branch's events before T are the original's, byte for byte. *Any*
history, recorded or simulated, can be edited: :func:`branch_events` keeps every event before
T as it is and passes each later one through the changes (:func:`drop` leaves out events of
some kinds), renumbering the versions of the streams that lost events; the adapter replays
the result into a separate in-memory store through the import's validation.

T is a business time (``occurred_at``) by default: "what if, from March on, we had not lowered
that target?". With ``clock="recorded"`` T is a recorded time: everything the system had
accepted by then stays, whatever its business time. Either way an event is *before* the fork
when its time is earlier than T.

:func:`compare_ledgers` reads both branches with the same views and returns a
:class:`Comparison`: each branch's outcome, and per goal and per person the two side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

import attrs

from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.simulation.outcome import Appraisals, RunOutcome, outcome_of
from execution_core.views._common import cycle_of
from execution_core.views.adjustments import AdjustmentKind, adjustments_log
from execution_core.views.formulas import Outcome
from execution_core.views.ledger import Ledger
from execution_core.views.reading import Reader

__all__ = [
    "Change",
    "Comparison",
    "ForkClock",
    "GoalComparison",
    "PersonComparison",
    "branch_events",
    "compare_ledgers",
    "drop",
]

ForkClock = Literal["business", "recorded"]


class Change(Protocol):
    """A change to the events after the fork: the event to record instead, or None to drop it."""

    def __call__(self, event: Event) -> Event | None:
        """The event as the branch records it (None: not at all)."""
        ...


@attrs.frozen
class _Drop:
    names: frozenset[str]
    stream_id: UUID | None
    where: Callable[[Event], bool] | None

    def __call__(self, event: Event) -> Event | None:
        if type(event).name not in self.names and type(event).__name__ not in self.names:
            return event
        if self.stream_id is not None and event.stream_id != self.stream_id:
            return event
        if self.where is not None and not self.where(event):
            return event
        return None


def drop(
    *kinds: str | type[Event],
    stream_id: UUID | None = None,
    where: Callable[[Event], bool] | None = None,
) -> Change:
    """A change that leaves out the events of these kinds (stored name such as
    ``"goal.TargetAdjusted"``, class name or class), optionally only of one stream or those
    ``where`` accepts."""
    names = frozenset(kind if isinstance(kind, str) else kind.name for kind in kinds)
    return _Drop(names, stream_id, where)


def _time(event: Event, clock: ForkClock) -> datetime:
    return event.occurred_at if clock == "business" else event.recorded_at


def branch_events(
    events: Iterable[Event],
    *,
    at: datetime,
    clock: ForkClock = "business",
    changes: Sequence[Change] = (),
) -> list[Event]:
    """The branch of a history (in recorded order) forked at ``at``: events before it as they
    are, later ones through ``changes`` in turn, stream versions renumbered where events were
    dropped. Pure: the events given are not changed."""
    if clock not in ("business", "recorded"):
        raise InvalidInput(f"clock must be 'business' or 'recorded', got {clock!r}")
    dropped: Counter[UUID] = Counter()
    branch: list[Event] = []
    for event in events:
        changed: Event | None = event
        if _time(event, clock) >= at:
            for change in changes:
                if changed is None:
                    break
                changed = change(changed)
        if changed is None:
            dropped[event.stream_id] += 1
            continue
        behind = dropped[changed.stream_id]
        if behind:
            changed = attrs.evolve(changed, version=changed.version - behind)
        branch.append(changed)
    return branch


@attrs.frozen(kw_only=True)
class GoalComparison:
    """One goal in both branches (None where it is not in a branch)."""

    goal_id: UUID
    title: str
    owner_id: str
    progress_a: float | None
    progress_b: float | None
    outcome_a: Outcome | None
    outcome_b: Outcome | None
    sessions_a: int
    sessions_b: int
    adjustments_a: int
    adjustments_b: int

    @property
    def difference(self) -> float | None:
        """Progress in branch b minus progress in branch a."""
        if self.progress_a is None or self.progress_b is None:
            return None
        return self.progress_b - self.progress_a


@attrs.frozen(kw_only=True)
class PersonComparison:
    """One person's appraisal in both branches."""

    person_id: str
    attainment_a: float | None
    attainment_b: float | None
    rating_a: int | None
    rating_b: int | None


@attrs.frozen(kw_only=True)
class Comparison:
    """Two branches of a history read with the same views at business time ``at``."""

    cycle_id: UUID
    at: datetime
    names: tuple[str, str]
    a: RunOutcome
    b: RunOutcome
    goals: tuple[GoalComparison, ...]
    people: tuple[PersonComparison, ...]
    fork_at: datetime | None = None
    clock: ForkClock = "business"

    @property
    def changed_goals(self) -> tuple[GoalComparison, ...]:
        """The goals whose progress or outcome differs between the branches."""
        return tuple(
            g for g in self.goals if (g.progress_a, g.outcome_a) != (g.progress_b, g.outcome_b)
        )

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal, the two branches' columns suffixed with their names."""
        a, b = self.names
        return [
            {
                "goal_id": str(g.goal_id),
                "title": g.title,
                "owner_id": g.owner_id,
                f"progress_{a}": g.progress_a,
                f"progress_{b}": g.progress_b,
                "difference": g.difference,
                f"outcome_{a}": None if g.outcome_a is None else g.outcome_a.value,
                f"outcome_{b}": None if g.outcome_b is None else g.outcome_b.value,
                f"sessions_{a}": g.sessions_a,
                f"sessions_{b}": g.sessions_b,
                f"adjustments_{a}": g.adjustments_a,
                f"adjustments_{b}": g.adjustments_b,
            }
            for g in self.goals
        ]

    def people_records(self) -> list[dict[str, object]]:
        """One flat dict per person appraised in either branch."""
        a, b = self.names
        return [
            {
                "person_id": p.person_id,
                f"attainment_{a}": p.attainment_a,
                f"attainment_{b}": p.attainment_b,
                f"rating_{a}": p.rating_a,
                f"rating_{b}": p.rating_b,
            }
            for p in self.people
        ]

    def summary_records(self) -> list[dict[str, object]]:
        """One flat dict per outcome metric: its value in each branch and the difference."""
        a, b = self.names
        first, second = self.a.to_record(), self.b.to_record()
        rows: list[dict[str, object]] = []
        for metric, value in first.items():
            if metric in ("policy", "seed"):
                continue
            other = second[metric]
            difference = (
                other - value
                if isinstance(value, int | float) and isinstance(other, int | float)
                else None
            )
            rows.append({"metric": metric, a: value, b: other, "difference": difference})
        return rows


@attrs.frozen
class _Reading:
    title: str
    owner_id: str
    progress: float
    outcome: Outcome
    sessions: int
    adjustments: int


def _per_goal(ledger: Ledger, cycle_id: UUID, at: datetime) -> dict[UUID, _Reading]:
    cycle = cycle_of(ledger, cycle_id)
    end = min(at, cycle.ends_at)
    rows = Reader(ledger, cycle, end, cycle.policy_at(end)).rows()
    sessions: Counter[UUID] = Counter()
    for journal in ledger.journals.values():
        for session in journal.sessions_by(at):
            if session.goal_id is not None:
                sessions[session.goal_id] += 1
    adjusted = Counter(
        r.goal_id
        for r in adjustments_log(ledger, cycle_id, at=at).rows
        if r.kind is AdjustmentKind.TARGET
    )
    return {
        goal_id: _Reading(
            row.title, row.owner.id, row.progress, row.outcome, sessions[goal_id], adjusted[goal_id]
        )
        for goal_id, row in rows.items()
    }


def compare_ledgers(
    a: Ledger,
    b: Ledger,
    cycle_id: UUID,
    *,
    at: datetime,
    names: tuple[str, str] = ("original", "branch"),
    policies: tuple[str, str] = ("", ""),
    seed: int = 0,
    fork_at: datetime | None = None,
    clock: ForkClock = "business",
) -> Comparison:
    """Read both ledgers' cycle with the same views at business time ``at``, side by side."""
    outcome_a = outcome_of(a, cycle_id, policy=policies[0] or names[0], seed=seed, at=at)
    outcome_b = outcome_of(b, cycle_id, policy=policies[1] or names[1], seed=seed, at=at)
    goals_a = _per_goal(a, cycle_id, at)
    goals_b = _per_goal(b, cycle_id, at)
    goals = []
    for goal_id in dict.fromkeys([*goals_a, *goals_b]):
        ga, gb = goals_a.get(goal_id), goals_b.get(goal_id)
        some = ga or gb
        assert some is not None
        goals.append(
            GoalComparison(
                goal_id=goal_id,
                title=some.title,
                owner_id=some.owner_id,
                progress_a=None if ga is None else ga.progress,
                progress_b=None if gb is None else gb.progress,
                outcome_a=None if ga is None else ga.outcome,
                outcome_b=None if gb is None else gb.outcome,
                sessions_a=0 if ga is None else ga.sessions,
                sessions_b=0 if gb is None else gb.sessions,
                adjustments_a=0 if ga is None else ga.adjustments,
                adjustments_b=0 if gb is None else gb.adjustments,
            )
        )
    return Comparison(
        cycle_id=cycle_id,
        at=at,
        names=names,
        a=outcome_a,
        b=outcome_b,
        goals=tuple(goals),
        people=_people(a, b, cycle_id, at),
        fork_at=fork_at,
        clock=clock,
    )


def _people(a: Ledger, b: Ledger, cycle_id: UUID, at: datetime) -> tuple[PersonComparison, ...]:
    sheets = []
    for ledger in (a, b):
        appraiser = Appraisals(ledger, cycle_of(ledger, cycle_id), at)
        sheets.append(
            {
                person_id: appraiser.sheet(person_id)
                for person_id in ledger.organization.people
                if appraiser.has_part(person_id)
            }
        )
    first, second = sheets
    return tuple(
        PersonComparison(
            person_id=person_id,
            attainment_a=first[person_id].attainment if person_id in first else None,
            attainment_b=second[person_id].attainment if person_id in second else None,
            rating_a=first[person_id].rating if person_id in first else None,
            rating_b=second[person_id].rating if person_id in second else None,
        )
        for person_id in dict.fromkeys([*first, *second])
    )
