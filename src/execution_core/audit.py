"""Auditing the plan: what it was at any recorded time, what changed between two recorded times
(``diff``), and every event about a goal, a person or a cycle (``trail``).

**The plan** is a value (:class:`Plan`): for each goal set by the business time ``at`` (every goal
when ``at`` is None), its cycle, title, kind, status (active, completed or dropped), owner,
alignment, weight, and for each key result its target and stretch, each as the latest fact by
business time says (the same rule the views use). ``plan_of(history.as_of(T))`` is the plan as
the system knew it at recorded time ``T``.

**diff(T1, T2)** lists what changed between ``plan(T1)`` and ``plan(T2)`` (``T1 <= T2``): goals
set and key results added (as they were first agreed), then every attribute whose value differs,
old to new, each attributed to the fact that gave the new value (its actor, reason and both
clocks; such a fact was always recorded after ``T1``). Applying the changes in order to
``plan(T1)`` gives ``plan(T2)`` exactly (a property test checks it). Changes that cancelled out
or were superseded within the window are not listed: the trail has every event.

**trail** lists every event concerning a goal, a person or a cycle, in recorded order, with its
position, both clocks and its actor. An appraisal's ratings and summary are personal: a trail
shows them only to a ``viewer`` the access policy lets see that person's appraisal (the same
rule as the appraisal sheet); for anyone else, and when no viewer is named, the entry stays but
its details are withheld.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Literal, Protocol, TypeVar
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, DefaultAccessPolicy, Owner, Permission
from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.clock import as_utc
from execution_core.coaching.events import (
    CoachingGiven,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.errors import InvalidInput
from execution_core.event import Event
from execution_core.goals.events import (
    Alignment,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalSet,
)
from execution_core.ids import coaching_stream_id
from execution_core.policy import Policy
from execution_core.ports import Recorded
from execution_core.views.adjustments import AdjustmentKind, criteria_text
from execution_core.views.ledger import Fact, GoalRecord, KeyResultRecord, Ledger, latest

__all__ = [
    "AsOf",
    "ChangeKind",
    "GoalStatus",
    "Plan",
    "PlanChange",
    "PlanDiff",
    "PlannedGoal",
    "PlannedKeyResult",
    "Trail",
    "TrailEntry",
    "WITHHELD",
    "compare",
    "describe",
    "diff",
    "plan_of",
    "trail",
    "view_as_of",
]

GoalStatus = Literal["active", "completed", "dropped"]
V = TypeVar("V")
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


class AsOf(Protocol):
    """Anything that gives the ledger as of a recorded time (a ``LedgerHistory``)."""

    def as_of(self, recorded_at: datetime | None = None) -> Ledger:
        """The ledger of the events recorded by ``recorded_at`` (all of them if None)."""
        ...


def view_as_of(
    view: Callable[..., V],
    history: AsOf,
    *args: object,
    as_of: datetime | None = None,
    as_at: datetime | None = None,
    **kwargs: object,
) -> V:
    """Any view as the system knew it at recorded time ``as_of`` and as things were at business
    time ``as_at``: ``view(history.as_of(as_of), *args, at=as_at, **kwargs)``.

    ``as_at`` defaults to ``as_of`` (what we believed then about then); ``as_of`` defaults to
    everything recorded (the view as at ``as_at``, late entries included).
    """
    if as_of is None and as_at is None:
        raise InvalidInput("give as_of (recorded time), as_at (business time) or both")
    at = as_at if as_at is not None else as_of
    return view(history.as_of(as_of), *args, at=at, **kwargs)


# -- the plan ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PlannedKeyResult:
    """A key result of the plan: its agreed target and stretch."""

    kr_id: str
    name: str
    target: float
    stretch: float | None

    def __str__(self) -> str:
        return criteria_text(self.target, self.stretch)


@attrs.frozen(kw_only=True)
class PlannedGoal:
    """A goal of the plan."""

    goal_id: UUID
    cycle_id: UUID
    title: str
    kind: GoalKind
    status: GoalStatus
    owner: Owner
    aligned_to: Alignment | None
    weight: float
    key_results: Mapping[str, PlannedKeyResult] = attrs.Factory(dict)

    def __str__(self) -> str:
        aligned = "nothing" if self.aligned_to is None else str(self.aligned_to)
        return f"{self.title!r} for {self.owner}, aligned to {aligned}, weight {self.weight:g}"


PlanValue = PlannedGoal | PlannedKeyResult | Owner | Alignment | float | str | None


def _text(value: PlanValue) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


ChangeKind = AdjustmentKind
"""What changed in the plan: the views' :class:`~execution_core.views.adjustments.AdjustmentKind`
under its earlier name here (one vocabulary of changes to a plan)."""


@attrs.frozen(kw_only=True)
class PlanChange:
    """One change of the plan: old to new, and the fact that made it (who, why, both clocks)."""

    goal_id: UUID
    goal_title: str
    kind: AdjustmentKind
    kr_id: str | None
    before: PlanValue
    """The value at the earlier time (None for a goal set or a key result added)."""
    after: PlanValue
    reason: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime

    def to_record(self) -> dict[str, object]:
        """The change as a flat dict, old and new values as text."""
        return {
            "goal_id": self.goal_id,
            "goal_title": self.goal_title,
            "kind": self.kind.value,
            "kr_id": self.kr_id,
            "before": "" if self.before is None and self.kind in _ADDITIONS else _text(self.before),
            "after": _text(self.after),
            "reason": self.reason,
            "actor": self.actor,
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
        }


_ADDITIONS = (AdjustmentKind.GOAL_SET, AdjustmentKind.KEY_RESULT_ADDED)


@attrs.frozen(kw_only=True)
class Plan:
    """The plan: every goal (of one cycle, or of all) set by business time ``at`` (any time
    when None), by goal id."""

    cycle_id: UUID | None
    at: datetime | None
    goals: Mapping[UUID, PlannedGoal] = attrs.Factory(dict)

    def apply(self, changes: Iterable[PlanChange]) -> Plan:
        """The plan after the changes, in order (``plan(T1).apply(diff(T1, T2)) == plan(T2)``)."""
        goals = dict(self.goals)
        for change in changes:
            goals[change.goal_id] = _applied(goals.get(change.goal_id), change)
        return attrs.evolve(self, goals=goals)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per goal, its key results' targets as text."""
        return [
            {
                "goal_id": goal.goal_id,
                "cycle_id": goal.cycle_id,
                "title": goal.title,
                "kind": goal.kind.value,
                "status": goal.status,
                "owner_kind": goal.owner.kind,
                "owner_id": goal.owner.id,
                "aligned_to": None if goal.aligned_to is None else str(goal.aligned_to),
                "weight": goal.weight,
                "targets": "; ".join(f"{kr.kr_id}: {kr}" for kr in goal.key_results.values()),
            }
            for goal in self.goals.values()
        ]


def _applied(goal: PlannedGoal | None, change: PlanChange) -> PlannedGoal:
    after = change.after
    if change.kind is AdjustmentKind.GOAL_SET:
        assert isinstance(after, PlannedGoal)
        return after
    if goal is None:
        raise InvalidInput(f"{change.kind} on goal {change.goal_id}, which the plan does not have")
    if change.kind in (AdjustmentKind.KEY_RESULT_ADDED, AdjustmentKind.TARGET_ADJUSTED):
        assert isinstance(after, PlannedKeyResult)
        return attrs.evolve(goal, key_results={**goal.key_results, after.kr_id: after})
    if change.kind is AdjustmentKind.REALIGNED:
        assert after is None or isinstance(after, Alignment)
        return attrs.evolve(goal, aligned_to=after)
    if change.kind is AdjustmentKind.REASSIGNED:
        assert isinstance(after, Owner)
        return attrs.evolve(goal, owner=after)
    if change.kind is AdjustmentKind.REWEIGHTED:
        assert isinstance(after, float)
        return attrs.evolve(goal, weight=after)
    return attrs.evolve(goal, status=_ENDED[change.kind])


_ENDED: dict[AdjustmentKind, GoalStatus] = {
    AdjustmentKind.COMPLETED: "completed",
    AdjustmentKind.DROPPED: "dropped",
}


def _business_time(at: datetime | None) -> datetime:
    return _END_OF_TIME if at is None else as_utc(at)


def _planned_key_result(kr: KeyResultRecord, at: datetime) -> PlannedKeyResult:
    target, stretch = kr.criteria_at(at)
    return PlannedKeyResult(kr_id=kr.id, name=kr.name, target=target, stretch=stretch)


def _planned_goal(goal: GoalRecord, at: datetime) -> PlannedGoal:
    return PlannedGoal(
        goal_id=goal.id,
        cycle_id=goal.cycle_id,
        title=goal.title,
        kind=goal.kind,
        status=goal.status_at(at),
        owner=goal.owner_at(at),
        aligned_to=goal.alignment_at(at),
        weight=goal.weight_at(at),
        key_results={kr.id: _planned_key_result(kr, at) for kr in goal.key_results_at(at)},
    )


def _goals(ledger: Ledger, cycle_id: UUID | None, at: datetime) -> Iterator[GoalRecord]:
    for goal in ledger.goals.values():
        if goal.occurred_at <= at and (cycle_id is None or goal.cycle_id == cycle_id):
            yield goal


def plan_of(ledger: Ledger, *, cycle_id: UUID | None = None, at: datetime | None = None) -> Plan:
    """The plan the ledger's facts give (of one cycle, or of all), as at business time ``at``
    (None: every fact, whatever its business time)."""
    moment = _business_time(at)
    return Plan(
        cycle_id=cycle_id,
        at=None if at is None else moment,
        goals={goal.id: _planned_goal(goal, moment) for goal in _goals(ledger, cycle_id, moment)},
    )


# -- diff -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PlanDiff:
    """What changed in the plan between recorded times ``since`` and ``until``, in the order
    the facts were recorded."""

    since: datetime | None
    until: datetime | None
    at: datetime | None
    cycle_id: UUID | None
    changes: tuple[PlanChange, ...]

    def __iter__(self) -> Iterator[PlanChange]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per change."""
        return [change.to_record() for change in self.changes]


def diff(
    history: AsOf,
    since: datetime,
    until: datetime,
    *,
    cycle_id: UUID | None = None,
    at: datetime | None = None,
) -> PlanDiff:
    """What changed in the plan between recorded times ``since`` and ``until`` (``since <=
    until``), read at business time ``at`` (None: whatever the business time)."""
    since, until = as_utc(since), as_utc(until)
    if since > until:
        raise InvalidInput(f"diff from {since.isoformat()} back to {until.isoformat()}")
    found = compare(history.as_of(since), history.as_of(until), cycle_id=cycle_id, at=at)
    return attrs.evolve(found, since=since, until=until)


def compare(
    before: Ledger,
    after: Ledger,
    *,
    cycle_id: UUID | None = None,
    at: datetime | None = None,
) -> PlanDiff:
    """The changes from the plan of ``before`` to the plan of ``after``, whose facts must
    include those of ``before`` (a ledger of the same history recorded later)."""
    moment = _business_time(at)
    earlier = plan_of(before, cycle_id=cycle_id, at=at).goals
    found: list[tuple[int, PlanChange]] = []
    for goal in _goals(after, cycle_id, moment):
        found.extend(_goal_changes(goal, earlier.get(goal.id), moment))
    found.sort(key=lambda item: item[0])
    return PlanDiff(
        since=None,
        until=None,
        at=None if at is None else moment,
        cycle_id=cycle_id,
        changes=tuple(change for _, change in found),
    )


def _change(
    goal: GoalRecord,
    kind: AdjustmentKind,
    fact: Fact,
    before: PlanValue,
    after: PlanValue,
    *,
    kr_id: str | None = None,
    reason: str = "",
) -> tuple[int, PlanChange]:
    return fact.seq, PlanChange(
        goal_id=goal.id,
        goal_title=goal.title,
        kind=kind,
        kr_id=kr_id,
        before=before,
        after=after,
        reason=reason,
        actor=fact.actor,
        occurred_at=fact.occurred_at,
        recorded_at=fact.recorded_at,
    )


def _goal_changes(
    goal: GoalRecord, earlier: PlannedGoal | None, at: datetime
) -> Iterator[tuple[int, PlanChange]]:
    now = _planned_goal(goal, at)
    if earlier is None:
        earlier = PlannedGoal(
            goal_id=goal.id,
            cycle_id=goal.cycle_id,
            title=goal.title,
            kind=goal.kind,
            status="active",
            owner=goal.owner,
            aligned_to=goal.aligned_to,
            weight=goal.weight,
        )
        yield _change(goal, AdjustmentKind.GOAL_SET, goal, None, earlier)
    for kr in goal.key_results_at(at):
        planned = earlier.key_results.get(kr.id)
        if planned is None:
            planned = PlannedKeyResult(
                kr_id=kr.id, name=kr.name, target=kr.original_target, stretch=kr.original_stretch
            )
            yield _change(goal, AdjustmentKind.KEY_RESULT_ADDED, kr, None, planned, kr_id=kr.id)
        if now.key_results[kr.id] != planned:
            adjusted = latest(kr.adjustments, at)
            assert adjusted is not None
            yield _change(
                goal,
                AdjustmentKind.TARGET_ADJUSTED,
                adjusted,
                planned,
                now.key_results[kr.id],
                kr_id=kr.id,
                reason=adjusted.reason,
            )
    if now.aligned_to != earlier.aligned_to:
        realigned = latest(goal.realignments, at)
        assert realigned is not None
        yield _change(
            goal,
            AdjustmentKind.REALIGNED,
            realigned,
            earlier.aligned_to,
            now.aligned_to,
            reason=realigned.reason,
        )
    if now.owner != earlier.owner:
        reassigned = latest(goal.reassignments, at)
        assert reassigned is not None
        yield _change(
            goal,
            AdjustmentKind.REASSIGNED,
            reassigned,
            earlier.owner,
            now.owner,
            reason=reassigned.reason,
        )
    if now.weight != earlier.weight:
        reweighted = latest(goal.reweightings, at)
        assert reweighted is not None
        yield _change(goal, AdjustmentKind.REWEIGHTED, reweighted, earlier.weight, now.weight)
    if now.status != earlier.status:
        ended = latest(goal.endings, at)
        assert ended is not None
        kind = AdjustmentKind.COMPLETED if ended.status == "completed" else AdjustmentKind.DROPPED
        yield _change(goal, kind, ended, earlier.status, now.status, reason=ended.reason)


# -- trail ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TrailEntry:
    """One event of a trail: where it is in the history, what it says, who and when."""

    position: int
    stream: str
    """The kind of stream (goal, coaching, ...)."""
    stream_id: UUID
    version: int
    event: str
    """The event's stored name (``goal.ProgressLogged``)."""
    relation: str
    """How the event concerns the subject (its own stream, coaching about it, ...)."""
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    details: str
    """The event's own fields, as text."""


@attrs.frozen(kw_only=True)
class Trail:
    """Every event concerning a goal, a person or a cycle, in recorded order."""

    subject: Literal["goal", "person", "cycle"]
    subject_id: str
    as_of: datetime | None
    entries: tuple[TrailEntry, ...]
    withheld: int = 0
    """How many entries' details (an appraisal's ratings and summary) the viewer may not see."""

    def __iter__(self) -> Iterator[TrailEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def to_records(self) -> list[dict[str, object]]:
        """One flat dict per event."""
        return [attrs.asdict(entry, recurse=False) for entry in self.entries]


_ENVELOPE = frozenset(attrs.fields_dict(Event))


def _plain(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Policy):
        default = Policy()
        changed = [
            f"{name}={getattr(value, name)}"
            for name in attrs.fields_dict(Policy)
            if getattr(value, name) != getattr(default, name)
        ]
        return "default" if not changed else " ".join(changed)
    if isinstance(value, tuple | list | frozenset):
        return "[" + ", ".join(_plain(item) for item in value) + "]"
    return str(value)


def describe(event: Event) -> str:
    """An event's own fields (not the envelope) as ``name=value`` text; empty and false ones
    left out."""
    parts = []
    for name in attrs.fields_dict(type(event)):
        value = getattr(event, name)
        if name in _ENVELOPE or value is None or value is False or value in ("", ()):
            continue
        parts.append(f"{name}={_plain(value)}")
    return ", ".join(parts)


def _recorded(history: Iterable[Event | Recorded], as_of: datetime | None) -> list[Recorded]:
    found = []
    for number, item in enumerate(history, 1):
        recorded = item if isinstance(item, Recorded) else Recorded(number, item)
        if as_of is None or recorded.event.recorded_at <= as_of:
            found.append(recorded)
    return found


def _parent(alignment: Alignment | None) -> UUID | None:
    return None if alignment is None else alignment.parent_id


def _owned_by(owner: Owner | None, person: str) -> bool:
    return owner is not None and owner.kind == "person" and owner.id == person


class _Coaching:
    """Which coaching events concern a set of goals: about one of them, or resolving a
    commitment made about one of them."""

    def __init__(self) -> None:
        self.commitments: set[tuple[UUID, str]] = set()

    def about(self, event: Event, goals: set[UUID]) -> bool:
        if isinstance(event, CoachingGiven | CommitmentMade) and event.goal_id in goals:
            if isinstance(event, CommitmentMade):
                self.commitments.add((event.stream_id, event.commitment_id))
            return True
        if isinstance(event, CommitmentKept | CommitmentMissed):
            return (event.stream_id, event.commitment_id) in self.commitments
        return False


def _goal_relations(events: list[Recorded], goal_id: UUID) -> Iterator[tuple[Recorded, str]]:
    coaching = _Coaching()
    for recorded in events:
        event = recorded.event
        if event.stream_id == goal_id:
            yield recorded, "goal"
        elif (isinstance(event, GoalSet) and _parent(event.aligned_to) == goal_id) or (
            isinstance(event, GoalRealigned)
            and goal_id in (_parent(event.old_alignment), _parent(event.new_alignment))
        ):
            yield recorded, "child goal"
        elif coaching.about(event, {goal_id}):
            yield recorded, "coaching"


def _person_relations(events: list[Recorded], person: str) -> Iterator[tuple[Recorded, str]]:
    goals = {
        r.event.stream_id
        for r in events
        if (isinstance(r.event, GoalSet) and _owned_by(r.event.owner, person))
        or (
            isinstance(r.event, GoalReassigned)
            and (_owned_by(r.event.old_owner, person) or _owned_by(r.event.new_owner, person))
        )
    }
    appraisals = {
        r.event.stream_id
        for r in events
        if isinstance(r.event, AppraisalRecorded) and r.event.person_id == person
    }
    journal = coaching_stream_id(person)
    for recorded in events:
        event = recorded.event
        if event.name.startswith("organization.") and person in (
            getattr(event, "person_id", None),
            getattr(event, "lead_id", None),
            getattr(event, "coach_id", None),
        ):
            yield recorded, "organization"
        elif event.stream_id in goals:
            yield recorded, "goal"
        elif event.stream_id == journal:
            yield recorded, "coaching received"
        elif isinstance(event, CoachingGiven) and event.coach_id == person:
            yield recorded, "coaching given"
        elif event.stream_id in appraisals:
            yield recorded, "appraisal"
        elif event.actor == person:
            yield recorded, "actor"


def _cycle_relations(events: list[Recorded], cycle_id: UUID) -> Iterator[tuple[Recorded, str]]:
    goals = {
        r.event.stream_id
        for r in events
        if isinstance(r.event, GoalSet) and r.event.cycle_id == cycle_id
    }
    appraisals = {
        r.event.stream_id
        for r in events
        if isinstance(r.event, AppraisalRecorded) and r.event.cycle_id == cycle_id
    }
    coaching = _Coaching()
    for recorded in events:
        event = recorded.event
        if event.stream_id == cycle_id:
            yield recorded, "cycle"
        elif event.stream_id in goals:
            yield recorded, "goal"
        elif event.stream_id in appraisals:
            yield recorded, "appraisal"
        elif coaching.about(event, goals):
            yield recorded, "coaching"


WITHHELD = "(withheld: only the person, their managers and HR may see an appraisal)"
"""The details of an appraisal's entry in a trail read by someone who may not see it."""


def _appraised(events: list[Recorded]) -> dict[UUID, str]:
    """The appraised person of each appraisal stream."""
    return {
        r.event.stream_id: r.event.person_id
        for r in events
        if isinstance(r.event, AppraisalRecorded)
    }


def _may_see(
    events: list[Recorded], viewer: str | None, access: AccessPolicy | None
) -> Callable[[str], bool]:
    """Whether ``viewer`` may see a person's appraisal, asked of the organization as the whole
    history leaves it (as :func:`execution_core.views.appraisal_sheet` asks)."""
    if viewer is None:
        return lambda _person: False
    organization = Ledger.of(r.event for r in events if r.event.name.startswith("organization."))
    policy = access or DefaultAccessPolicy()
    org = organization.organization
    return lambda person: policy.permits(
        viewer, Permission.VIEW_APPRAISAL, Owner("person", person), org
    )


def trail(
    history: Iterable[Event | Recorded],
    *,
    goal: UUID | None = None,
    person: str | None = None,
    cycle: UUID | None = None,
    as_of: datetime | None = None,
    viewer: str | None = None,
    access: AccessPolicy | None = None,
) -> Trail:
    """Every event concerning one goal, person or cycle (name exactly one), in recorded order,
    among the events recorded by ``as_of`` (all when None).

    The details of an appraisal's events (its ratings and summary) show only if ``access``
    (default: the default access policy) lets ``viewer`` see that person's appraisal; otherwise
    they read :data:`WITHHELD` and ``Trail.withheld`` counts them.

    A goal's trail: its own events, goals aligned to it or realigned away from it, and coaching
    about it (with the commitments made then, and how they ended). A person's: the organization's
    events about them, every event of the goals they owned at some time, their coaching journal,
    the coaching they gave, their appraisals, and anything else they did. A cycle's: its own
    events, every event of its goals and appraisals, and the coaching about its goals.
    """
    named = [subject for subject in (goal, person, cycle) if subject is not None]
    if len(named) != 1:
        raise InvalidInput("name exactly one of goal, person or cycle")
    known_by = None if as_of is None else as_utc(as_of)
    everything = _recorded(history, None)
    events = [r for r in everything if known_by is None or r.event.recorded_at <= known_by]
    appraised = _appraised(everything)
    may_see = _may_see(everything, viewer, access)
    subject: Literal["goal", "person", "cycle"]
    if goal is not None:
        subject, relations = "goal", _goal_relations(events, goal)
    elif person is not None:
        subject, relations = "person", _person_relations(events, person)
    else:
        assert cycle is not None
        subject, relations = "cycle", _cycle_relations(events, cycle)

    def details(event: Event) -> str:
        if isinstance(event, AppraisalRecorded | RatingCalibrated):
            whose = appraised.get(event.stream_id)
            if whose is None or not may_see(whose):
                return WITHHELD
        return describe(event)

    entries = tuple(
        TrailEntry(
            position=recorded.position,
            stream=recorded.event.name.split(".", maxsplit=1)[0],
            stream_id=recorded.event.stream_id,
            version=recorded.event.version,
            event=recorded.event.name,
            relation=relation,
            actor=recorded.event.actor,
            occurred_at=recorded.event.occurred_at,
            recorded_at=recorded.event.recorded_at,
            details=details(recorded.event),
        )
        for recorded, relation in relations
    )
    return Trail(
        subject=subject,
        subject_id=str(named[0]),
        as_of=known_by,
        entries=entries,
        withheld=sum(entry.details == WITHHELD for entry in entries),
    )
