"""The Ledger: the one read model every view reads, an incremental fold over all events.

The ledger keeps every fact with both clocks (``occurred_at``, business time; ``recorded_at``,
when the store accepted it), its actor and its position ``seq`` in the recorded order, so a view
can ask for any past state of the plan: "as at" business time ``t`` keeps the facts with
``occurred_at <= t``. Where the core's own stream states fit (organization, strategy, cycle,
coaching journal, appraisal) the ledger folds them with the core's ``evolve`` functions; goals
keep their full history (every check-in, adjustment, realignment) because views read them at
any instant.

``Ledger().apply(event)`` returns a new ledger and leaves the old one untouched (tables are
copied on write, only those the event touches); ``Ledger.of(events)`` folds a whole history in
one pass, and ``Ledger.of(events, as_of=T)`` the part of it recorded by ``T`` (the system's
knowledge at recorded time ``T``; see :mod:`execution_core.views.history`). A long catch-up folds
into a :class:`LedgerBuilder`, which changes its tables in place and gives the ledger on
``freeze()``.

Check-ins, by far the most frequent events, are not written into their goal one by one: the
fold keeps them in a list per goal and writes them into the goal's record once, when the ledger
is frozen (or when another event about the goal needs the record), so a run of check-ins costs
one new record per goal instead of one per check-in.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar, cast
from uuid import UUID

import attrs

from execution_core.access import Owner
from execution_core.appraisals.events import AppraisalRecorded, RatingCalibrated
from execution_core.appraisals.state import Appraisal
from execution_core.appraisals.state import evolve as evolve_appraisal
from execution_core.clock import as_utc
from execution_core.coaching.events import (
    CoachingGiven,
    CoachingKind,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.coaching.state import CoachingJournal
from execution_core.coaching.state import evolve as evolve_journal
from execution_core.cycles.events import CycleClosed, CycleOpened, PolicyAdopted
from execution_core.cycles.state import Cycle
from execution_core.cycles.state import evolve as evolve_cycle
from execution_core.event import Event
from execution_core.goals.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Alignment,
    Direction,
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalReviewed,
    GoalSet,
    GoalWeighted,
    KeyResultAdded,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.organization.events import (
    CoachAuthorised,
    CoachDeauthorised,
    PersonJoined,
    PersonLeft,
    PersonMoved,
    RolesChanged,
    UnitFounded,
    UnitLeadAppointed,
)
from execution_core.organization.state import Organization
from execution_core.organization.state import evolve as evolve_organization
from execution_core.policy import Policy
from execution_core.strategy.events import StrategyDefined, ThemeAdded, ThemeRetired
from execution_core.strategy.state import Strategy
from execution_core.strategy.state import evolve as evolve_strategy

__all__ = [
    "ActionRecord",
    "ActionResolved",
    "AppraisalRecord",
    "CheckIn",
    "CommitmentRecord",
    "CommitmentResolved",
    "CycleRecord",
    "Fact",
    "GoalEnded",
    "GoalRecord",
    "GoalReview",
    "JournalRecord",
    "KeyResultRecord",
    "Ledger",
    "LedgerBuilder",
    "PolicyFact",
    "RatingChanged",
    "RatingRecorded",
    "Realignment",
    "Reassignment",
    "Reweighting",
    "Session",
    "TargetChange",
    "latest",
]

F = TypeVar("F", bound="Fact")
S = TypeVar("S")


# -- facts ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Fact:
    """What every fact in the ledger carries: who, both clocks, and its place in the history."""

    actor: str
    occurred_at: datetime
    """Business time: what the fact is about (may be backdated)."""
    recorded_at: datetime
    """When the store accepted the fact."""
    seq: int
    """Position of the event in the ledger's recorded order (1 for the first event)."""

    def happened_by(self, at: datetime) -> bool:
        """Whether the fact had happened by business time ``at``."""
        return self.occurred_at <= at


def latest(facts: Iterable[F], at: datetime) -> F | None:
    """The last fact (by business time, then recorded order) that happened by ``at``."""
    best: F | None = None
    for fact in facts:
        occurred_at = fact.occurred_at
        if occurred_at <= at and (
            best is None
            or occurred_at > best.occurred_at
            or (occurred_at == best.occurred_at and fact.seq > best.seq)
        ):
            best = fact
    return best


def _in_order(facts: Iterable[F], at: datetime) -> tuple[F, ...]:
    return tuple(
        sorted((f for f in facts if f.occurred_at <= at), key=lambda f: (f.occurred_at, f.seq))
    )


# -- goals ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CheckIn(Fact):
    """A check-in on a key result: its value and the owner's confidence of reaching it."""

    kr_id: str
    value: float
    confidence: float
    comment: str = ""


@attrs.frozen(kw_only=True)
class TargetChange(Fact):
    """A key result's target (and stretch) changed, with the reason."""

    goal_id: UUID
    kr_id: str
    old_target: float
    new_target: float
    old_stretch: float | None
    new_stretch: float | None
    reason: str


@attrs.frozen(kw_only=True)
class KeyResultRecord(Fact):
    """A key result as agreed (the fact is its addition), with every check-in and adjustment."""

    id: str
    name: str
    unit: str
    baseline: float
    original_target: float
    original_stretch: float | None
    direction: Direction
    milestone: bool
    weight: float
    checkins: tuple[CheckIn, ...] = ()
    """In recorded order (a backdated check-in comes where it was recorded)."""
    adjustments: tuple[TargetChange, ...] = ()

    def criteria_at(self, at: datetime) -> tuple[float, float | None]:
        """The target and stretch in force at ``at``."""
        change = latest(self.adjustments, at)
        if change is None:
            return self.original_target, self.original_stretch
        return change.new_target, change.new_stretch

    def checkins_by(self, at: datetime) -> tuple[CheckIn, ...]:
        """The check-ins that happened by ``at``, in recorded order."""
        return tuple(c for c in self.checkins if c.occurred_at <= at)

    def latest_checkin(self, at: datetime) -> CheckIn | None:
        """The reading that stands at ``at`` (the latest by business time)."""
        return latest(self.checkins, at)


@attrs.frozen(kw_only=True)
class Realignment(Fact):
    """The goal now serves another theme or parent goal (or nothing)."""

    goal_id: UUID
    old: Alignment | None
    new: Alignment | None
    reason: str


@attrs.frozen(kw_only=True)
class Reassignment(Fact):
    """The goal changed hands."""

    goal_id: UUID
    old: Owner
    new: Owner
    reason: str


@attrs.frozen(kw_only=True)
class Reweighting(Fact):
    """The goal's weight changed."""

    goal_id: UUID
    old: float
    new: float


@attrs.frozen(kw_only=True)
class GoalEnded(Fact):
    """The goal was completed or dropped."""

    goal_id: UUID
    status: Literal["completed", "dropped"]
    reason: str = ""


@attrs.frozen(kw_only=True)
class GoalReview(Fact):
    """The game review of a goal."""

    goal_id: UUID
    worked: str
    did_not_work: str
    lessons: str


@attrs.frozen(kw_only=True)
class ActionResolved(Fact):
    """A planned task was done or dropped."""

    status: Literal["done", "dropped"]
    reason: str = ""


@attrs.frozen(kw_only=True)
class ActionRecord(Fact):
    """A task of a goal's plan (the fact is its planning) and how it ended."""

    id: str
    task: str
    owner_id: str
    due_on: date
    resolutions: tuple[ActionResolved, ...] = ()

    def status_at(self, at: datetime) -> Literal["open", "done", "dropped"]:
        """Open, done or dropped at ``at``."""
        resolution = latest(self.resolutions, at)
        return "open" if resolution is None else resolution.status


@attrs.frozen(kw_only=True)
class GoalRecord(Fact):
    """A goal (the fact is GoalSet) with the full history of everything that happened to it."""

    id: UUID
    cycle_id: UUID
    title: str
    kind: GoalKind
    owner: Owner
    """The owner it was set for (see :meth:`owner_at`)."""
    aligned_to: Alignment | None
    """The alignment it was set with (see :meth:`alignment_at`)."""
    weight: float
    """The weight it was set with (see :meth:`weight_at`)."""
    key_results: Mapping[str, KeyResultRecord] = attrs.Factory(dict)
    actions: Mapping[str, ActionRecord] = attrs.Factory(dict)
    realignments: tuple[Realignment, ...] = ()
    reassignments: tuple[Reassignment, ...] = ()
    reweightings: tuple[Reweighting, ...] = ()
    endings: tuple[GoalEnded, ...] = ()
    reviews: tuple[GoalReview, ...] = ()

    def owner_at(self, at: datetime) -> Owner:
        """Whom the goal belongs to at ``at``."""
        change = latest(self.reassignments, at)
        return self.owner if change is None else change.new

    def alignment_at(self, at: datetime) -> Alignment | None:
        """What the goal is aligned to at ``at``."""
        change = latest(self.realignments, at)
        return self.aligned_to if change is None else change.new

    def weight_at(self, at: datetime) -> float:
        """The goal's weight at ``at``."""
        change = latest(self.reweightings, at)
        return self.weight if change is None else change.new

    def status_at(self, at: datetime) -> Literal["active", "completed", "dropped"]:
        """Active, completed or dropped at ``at``."""
        ending = latest(self.endings, at)
        return "active" if ending is None else ending.status

    def key_results_at(self, at: datetime) -> tuple[KeyResultRecord, ...]:
        """The key results agreed by ``at``, in the order they were added."""
        return tuple(kr for kr in self.key_results.values() if kr.occurred_at <= at)

    def actions_at(self, at: datetime) -> tuple[ActionRecord, ...]:
        """The actions planned by ``at``."""
        return tuple(a for a in self.actions.values() if a.occurred_at <= at)

    def last_checkin_at(self, at: datetime) -> datetime | None:
        """The business time of the latest check-in on any key result by ``at``."""
        times = [c.occurred_at for kr in self.key_results_at(at) for c in kr.checkins_by(at)]
        return max(times) if times else None


# -- cycles -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PolicyFact(Fact):
    """A policy adopted by a cycle, in force from its ``occurred_at`` on."""

    policy: Policy


@attrs.frozen(kw_only=True)
class CycleRecord:
    """A cycle: the core's cycle state, and the history of its policies and closing."""

    id: UUID
    state: Cycle
    opened: Fact
    policies: tuple[PolicyFact, ...] = ()
    closings: tuple[Fact, ...] = ()

    @property
    def starts_at(self) -> datetime:
        """The first instant of the cycle."""
        return self.state.starts_at

    @property
    def ends_at(self) -> datetime:
        """The instant the cycle ends (midnight after its end date)."""
        return self.state.ends_at

    @property
    def cadence_days(self) -> int:
        """The check-in cadence."""
        return self.state.cadence_days

    @property
    def length_days(self) -> float:
        """The length of the cycle in days."""
        return (self.ends_at - self.starts_at).total_seconds() / 86_400.0

    def policy_fact_at(self, at: datetime) -> PolicyFact | None:
        """The adoption in force at ``at``: the latest by ``at``, else the first one adopted."""
        in_force = latest(self.policies, at)
        if in_force is None and self.policies:
            in_force = min(self.policies, key=lambda p: (p.occurred_at, p.seq))
        return in_force

    def policy_at(self, at: datetime) -> Policy:
        """The policy in force at ``at`` (``Policy()`` if the cycle never adopted one)."""
        fact = self.policy_fact_at(at)
        return Policy() if fact is None else fact.policy

    def closed_at(self, at: datetime) -> datetime | None:
        """When the cycle closed, if it had by ``at``."""
        closing = latest(self.closings, at)
        return None if closing is None else closing.occurred_at


# -- coaching ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Session(Fact):
    """A coaching conversation."""

    coach_id: str
    person_id: str
    goal_id: UUID | None
    kind: CoachingKind
    note: str = ""


@attrs.frozen(kw_only=True)
class CommitmentResolved(Fact):
    """A commitment was kept or missed."""

    status: Literal["kept", "missed"]
    note: str = ""


@attrs.frozen(kw_only=True)
class CommitmentRecord(Fact):
    """An action a person committed to (the fact is the commitment) and how it ended."""

    id: str
    person_id: str
    action: str
    due_on: date
    goal_id: UUID | None = None
    resolutions: tuple[CommitmentResolved, ...] = ()

    def status_at(self, at: datetime) -> Literal["open", "kept", "missed"]:
        """Open, kept or missed at ``at``."""
        resolution = latest(self.resolutions, at)
        return "open" if resolution is None else resolution.status


@attrs.frozen(kw_only=True)
class JournalRecord:
    """A person's coaching journal: the core's journal state, every session and commitment."""

    person_id: str
    state: CoachingJournal = attrs.Factory(CoachingJournal)
    sessions: tuple[Session, ...] = ()
    commitments: Mapping[str, CommitmentRecord] = attrs.Factory(dict)

    def sessions_by(self, at: datetime) -> tuple[Session, ...]:
        """The sessions that happened by ``at``, in business-time order."""
        return _in_order(self.sessions, at)


# -- appraisals -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RatingRecorded(Fact):
    """A reviewer recorded a rating."""

    reviewer_id: str
    rating: int
    summary: str = ""


@attrs.frozen(kw_only=True)
class RatingChanged(Fact):
    """Calibration changed a rating."""

    from_rating: int
    to_rating: int
    reason: str


@attrs.frozen(kw_only=True)
class AppraisalRecord:
    """A person's appraisal for a cycle: the core's state and the facts behind it."""

    cycle_id: UUID
    person_id: str
    state: Appraisal = attrs.Factory(Appraisal)
    recorded: RatingRecorded | None = None
    calibrations: tuple[RatingChanged, ...] = ()

    def recorded_by(self, at: datetime) -> RatingRecorded | None:
        """The recorded rating, if it had been recorded by ``at``."""
        recorded = self.recorded
        return recorded if recorded is not None and recorded.occurred_at <= at else None

    def calibrations_by(self, at: datetime) -> tuple[RatingChanged, ...]:
        """The calibrations by ``at``, in business-time order; none before the rating they
        change had been recorded (a calibration backdated before it is in force from then)."""
        if self.recorded_by(at) is None:
            return ()
        return _in_order(self.calibrations, at)


# -- the ledger -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Ledger:
    """Everything the views read, folded from every event of a store in recorded order."""

    position: int = 0
    """How many events have been applied."""
    organization: Organization = attrs.Factory(Organization)
    """The organization as the latest events leave it (see :meth:`organization_at`)."""
    strategy: Strategy = attrs.Factory(Strategy)
    """The strategy as the latest events leave it (see :meth:`strategy_at`)."""
    organization_events: tuple[Event, ...] = ()
    strategy_events: tuple[Event, ...] = ()
    cycles: Mapping[UUID, CycleRecord] = attrs.Factory(dict)
    goals: Mapping[UUID, GoalRecord] = attrs.Factory(dict)
    """Every goal, in the order it was set."""
    children: Mapping[UUID, tuple[UUID, ...]] = attrs.Factory(dict)
    """Goals ever aligned to a parent goal, by parent, in the order they were aligned to it."""
    journals: Mapping[str, JournalRecord] = attrs.Factory(dict)
    commitments_by_goal: Mapping[UUID, tuple[tuple[str, str], ...]] = attrs.Factory(dict)
    """``(person id, commitment id)`` of the commitments made about each goal."""
    appraisals: Mapping[tuple[UUID, str], AppraisalRecord] = attrs.Factory(dict)
    """Appraisals by ``(cycle id, person id)``."""
    journal_streams: Mapping[UUID, str] = attrs.Factory(dict)
    appraisal_streams: Mapping[UUID, tuple[UUID, str]] = attrs.Factory(dict)

    @classmethod
    def of(cls, events: Iterable[Event], *, as_of: datetime | None = None) -> Ledger:
        """Fold a history (every event of a store, in recorded order) into a ledger.

        With ``as_of`` (recorded time), only the events the store had accepted by then
        (``recorded_at <= as_of``) are folded: the ledger as the system knew it at ``as_of``.
        Business time stays the views' ``at``. For many such questions over a long history,
        :class:`~execution_core.views.history.LedgerHistory` answers from checkpoints.
        """
        if as_of is not None:
            known_by = as_utc(as_of)
            events = (event for event in events if event.recorded_at <= known_by)
        draft = _Draft(cls())
        for event in events:
            draft.apply(event)
        return draft.freeze()

    def apply(self, event: Event) -> Ledger:
        """The ledger after one more event (the next one in recorded order)."""
        draft = _Draft(self)
        draft.apply(event)
        return draft.freeze()

    def apply_all(self, events: Iterable[Event]) -> Ledger:
        """The ledger after more events, folded in one pass."""
        draft = _Draft(self)
        for event in events:
            draft.apply(event)
        return draft.freeze()

    def organization_at(self, at: datetime) -> Organization:
        """The organization as it was at business time ``at``.

        An event about someone the filtered history does not know yet (a backdated move of a
        person who joined later) is skipped.
        """
        return _fold_at(self.organization_events, at, self.organization, Organization(), _org)

    def strategy_at(self, at: datetime) -> Strategy:
        """The strategy as it was at business time ``at``."""
        return _fold_at(self.strategy_events, at, self.strategy, Strategy(), _strategy)

    def goals_of(self, cycle_id: UUID, at: datetime) -> Iterator[GoalRecord]:
        """The goals of a cycle set by ``at``, in the order they were set."""
        for goal in self.goals.values():
            if goal.cycle_id == cycle_id and goal.occurred_at <= at:
                yield goal

    def journal(self, person_id: str) -> JournalRecord:
        """A person's coaching journal (empty if they were never coached)."""
        return self.journals.get(person_id) or JournalRecord(person_id=person_id)

    def commitments_of_goal(self, goal_id: UUID) -> tuple[CommitmentRecord, ...]:
        """The commitments made about a goal."""
        return tuple(
            self.journals[person].commitments[commitment]
            for person, commitment in self.commitments_by_goal.get(goal_id, ())
        )


class LedgerBuilder:
    """Folds events into a ledger in place, for long catch-ups: ``freeze()`` gives the ledger of
    the events so far (cheap when nothing was folded since the last call), and folding goes on
    after it without changing the ledgers already given out."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self._ledger = Ledger() if ledger is None else ledger
        self._draft: _Draft | None = None

    @property
    def position(self) -> int:
        """How many events have been folded."""
        return self._ledger.position if self._draft is None else self._draft.position

    def apply(self, event: Event) -> None:
        """Fold the next event (in recorded order)."""
        self.apply_all((event,))

    def apply_all(self, events: Iterable[Event]) -> None:
        """Fold more events, in recorded order."""
        draft = self._draft
        if draft is None:
            draft = self._draft = _Draft(self._ledger)
        apply = draft.apply
        for event in events:
            apply(event)

    def freeze(self) -> Ledger:
        """The ledger of every event folded so far."""
        if self._draft is not None:
            self._ledger = self._draft.freeze()
            self._draft = None
        return self._ledger


def _org(state: Organization, event: Event) -> Organization:
    return evolve_organization(state, event)


def _strategy(state: Strategy, event: Event) -> Strategy:
    return evolve_strategy(state, event)


def _fold_at(
    events: Sequence[Event],
    at: datetime,
    latest_state: S,
    initial: S,
    evolve: Callable[[S, Event], S],
) -> S:
    if all(event.occurred_at <= at for event in events):
        return latest_state
    state = initial
    for event in events:
        if event.occurred_at <= at:
            try:
                state = evolve(state, event)
            except KeyError:
                continue
    return state


def _positional_maker(cls: type[F]) -> Callable[..., F]:
    """A function building ``cls`` from its fields in order, slot by slot: the fold makes one
    check-in per event, and attrs' keyword ``__init__`` of a frozen class costs twice as much.
    Only for a class with no validator, converter or post-init step (else the class itself,
    called with keywords), so the value is the same either way."""
    fields = attrs.fields(cls)
    plain = not hasattr(cls, "__attrs_post_init__") and all(
        f.validator is None and f.converter is None for f in fields
    )
    slots = [_slot_of(cls, f.name) for f in fields]
    if not plain or None in slots:
        names = [f.name for f in fields]
        return lambda *values: cls(**dict(zip(names, values, strict=True)))
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    names = [f"v{n}" for n in range(len(slots))]
    lines = [f"def make({', '.join(names)}):", "    made = _new(_cls)"]
    for name, slot in zip(names, slots, strict=True):
        scope[f"_set_{name}"] = slot.__set__
        lines.append(f"    _set_{name}(made, {name})")
    lines.append("    return made")
    exec("\n".join(lines), scope)  # straight-line code, as attrs writes its own __init__
    return cast(Callable[..., F], scope["make"])


def _slot_of(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


_make_checkin = _positional_maker(CheckIn)
"""``CheckIn`` from actor, occurred_at, recorded_at, seq, kr_id, value, confidence, comment."""


def _stamp(event: Event, seq: int) -> dict[str, Any]:
    return {
        "actor": event.actor,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "seq": seq,
    }


class _Draft:
    """A ledger being changed: tables are copied on first touch, then changed in place; the
    check-ins of each goal wait in ``pending`` until the goal's record is read or the draft is
    frozen (see :meth:`goal`)."""

    def __init__(self, base: Ledger) -> None:
        self.base = base
        self.position = base.position
        self.organization = base.organization
        self.strategy = base.strategy
        self._org_events: list[Event] | None = None
        self._strategy_events: list[Event] | None = None
        self._cycles: dict[UUID, CycleRecord] | None = None
        self._goals: dict[UUID, GoalRecord] | None = None
        self._children: dict[UUID, tuple[UUID, ...]] | None = None
        self._journals: dict[str, JournalRecord] | None = None
        self._by_goal: dict[UUID, tuple[tuple[str, str], ...]] | None = None
        self._appraisals: dict[tuple[UUID, str], AppraisalRecord] | None = None
        self._journal_streams: dict[UUID, str] | None = None
        self._appraisal_streams: dict[UUID, tuple[UUID, str]] | None = None
        self.pending: dict[UUID, list[CheckIn]] = {}
        """Check-ins of goals not yet written into their records, in recorded order."""

    # copy-on-write accessors
    def org_events(self) -> list[Event]:
        if self._org_events is None:
            self._org_events = list(self.base.organization_events)
        return self._org_events

    def strategy_events(self) -> list[Event]:
        if self._strategy_events is None:
            self._strategy_events = list(self.base.strategy_events)
        return self._strategy_events

    def cycles(self) -> dict[UUID, CycleRecord]:
        if self._cycles is None:
            self._cycles = dict(self.base.cycles)
        return self._cycles

    def goals(self) -> dict[UUID, GoalRecord]:
        if self._goals is None:
            self._goals = dict(self.base.goals)
        return self._goals

    def children(self) -> dict[UUID, tuple[UUID, ...]]:
        if self._children is None:
            self._children = dict(self.base.children)
        return self._children

    def journals(self) -> dict[str, JournalRecord]:
        if self._journals is None:
            self._journals = dict(self.base.journals)
        return self._journals

    def by_goal(self) -> dict[UUID, tuple[tuple[str, str], ...]]:
        if self._by_goal is None:
            self._by_goal = dict(self.base.commitments_by_goal)
        return self._by_goal

    def appraisals(self) -> dict[tuple[UUID, str], AppraisalRecord]:
        if self._appraisals is None:
            self._appraisals = dict(self.base.appraisals)
        return self._appraisals

    def journal_streams(self) -> dict[UUID, str]:
        if self._journal_streams is None:
            self._journal_streams = dict(self.base.journal_streams)
        return self._journal_streams

    def appraisal_streams(self) -> dict[UUID, tuple[UUID, str]]:
        if self._appraisal_streams is None:
            self._appraisal_streams = dict(self.base.appraisal_streams)
        return self._appraisal_streams

    def apply(self, event: Event) -> None:
        self.position += 1
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event, self.position)

    def freeze(self) -> Ledger:
        if self.pending:
            goals = self.goals()
            for goal_id, checkins in self.pending.items():
                goals[goal_id] = _with_checkins(goals[goal_id], checkins)
            self.pending = {}
        changes: dict[str, Any] = {
            "position": self.position,
            "organization": self.organization,
            "strategy": self.strategy,
        }
        tables: dict[str, object] = {
            "organization_events": self._org_events,
            "strategy_events": self._strategy_events,
            "cycles": self._cycles,
            "goals": self._goals,
            "children": self._children,
            "journals": self._journals,
            "commitments_by_goal": self._by_goal,
            "appraisals": self._appraisals,
            "journal_streams": self._journal_streams,
            "appraisal_streams": self._appraisal_streams,
        }
        for name, table in tables.items():
            if isinstance(table, list):
                changes[name] = tuple(table)
            elif table is not None:
                changes[name] = table
        # A frozen ledger shares its tables with no draft: the draft is discarded after this.
        return attrs.evolve(self.base, **changes)

    # helpers for handlers
    def goal(self, goal_id: UUID) -> GoalRecord | None:
        """The goal's record, its pending check-ins written into it."""
        goals = self.goals()
        checkins = self.pending.pop(goal_id, None)
        if checkins is not None:
            goals[goal_id] = _with_checkins(goals[goal_id], checkins)
        return goals.get(goal_id)

    def known_goal(self, goal_id: UUID) -> GoalRecord | None:
        """The goal's record as last written (its pending check-ins not in it yet)."""
        goals = self._goals if self._goals is not None else self.base.goals
        return goals.get(goal_id)

    def add_child(self, parent_id: UUID, child_id: UUID) -> None:
        children = self.children()
        known = children.get(parent_id, ())
        if child_id not in known:
            children[parent_id] = (*known, child_id)


Handler = Callable[[_Draft, Any, int], None]
_HANDLERS: dict[type[Event], Handler] = {}


def _handles(*types: type[Event]) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for cls in types:
            _HANDLERS[cls] = handler
        return handler

    return register


# organization and strategy: the core's own folds, plus the events for "as at" replays


@_handles(
    UnitFounded,
    UnitLeadAppointed,
    PersonJoined,
    PersonMoved,
    PersonLeft,
    RolesChanged,
    CoachAuthorised,
    CoachDeauthorised,
)
def _on_organization(draft: _Draft, event: Event, seq: int) -> None:
    draft.organization = evolve_organization(draft.organization, event)
    draft.org_events().append(event)


@_handles(StrategyDefined, ThemeAdded, ThemeRetired)
def _on_strategy(draft: _Draft, event: Event, seq: int) -> None:
    draft.strategy = evolve_strategy(draft.strategy, event)
    draft.strategy_events().append(event)


# cycles


@_handles(CycleOpened)
def _on_cycle_opened(draft: _Draft, event: CycleOpened, seq: int) -> None:
    cycles = draft.cycles()
    cycles[event.stream_id] = CycleRecord(
        id=event.stream_id,
        state=evolve_cycle(Cycle(), event),
        opened=Fact(**_stamp(event, seq)),
    )


@_handles(PolicyAdopted)
def _on_policy(draft: _Draft, event: PolicyAdopted, seq: int) -> None:
    cycles = draft.cycles()
    cycle = cycles.get(event.stream_id)
    if cycle is None:
        return
    fact = PolicyFact(**_stamp(event, seq), policy=event.policy)
    cycles[event.stream_id] = attrs.evolve(
        cycle, state=evolve_cycle(cycle.state, event), policies=(*cycle.policies, fact)
    )


@_handles(CycleClosed)
def _on_cycle_closed(draft: _Draft, event: CycleClosed, seq: int) -> None:
    cycles = draft.cycles()
    cycle = cycles.get(event.stream_id)
    if cycle is None:
        return
    cycles[event.stream_id] = attrs.evolve(
        cycle,
        state=evolve_cycle(cycle.state, event),
        closings=(*cycle.closings, Fact(**_stamp(event, seq))),
    )


# goals


@_handles(GoalSet)
def _on_goal_set(draft: _Draft, event: GoalSet, seq: int) -> None:
    draft.pending.pop(event.stream_id, None)  # a goal set again starts afresh
    draft.goals()[event.stream_id] = GoalRecord(
        **_stamp(event, seq),
        id=event.stream_id,
        cycle_id=event.cycle_id,
        title=event.title,
        kind=GoalKind(event.kind),  # a store may hand enums back as plain text
        owner=event.owner,
        aligned_to=event.aligned_to,
        weight=event.weight,
    )
    if event.aligned_to is not None and event.aligned_to.parent_id is not None:
        draft.add_child(event.aligned_to.parent_id, event.stream_id)


def _with_goal(draft: _Draft, event: Event, change: Callable[[GoalRecord], GoalRecord]) -> None:
    goal = draft.goal(event.stream_id)
    if goal is not None:
        draft.goals()[event.stream_id] = change(goal)


def _with_key_result(
    draft: _Draft, event: Event, kr_id: str, change: Callable[[KeyResultRecord], KeyResultRecord]
) -> None:
    def on_goal(goal: GoalRecord) -> GoalRecord:
        kr = goal.key_results.get(kr_id)
        if kr is None:
            return goal
        key_results = dict(goal.key_results)
        key_results[kr_id] = change(kr)
        return attrs.evolve(goal, key_results=key_results)

    _with_goal(draft, event, on_goal)


@_handles(KeyResultAdded)
def _on_key_result(draft: _Draft, event: KeyResultAdded, seq: int) -> None:
    kr = KeyResultRecord(
        **_stamp(event, seq),
        id=event.kr_id,
        name=event.kr_name,
        unit=event.unit,
        baseline=event.baseline,
        original_target=event.target,
        original_stretch=event.stretch,
        direction=Direction(event.direction),
        milestone=event.milestone,
        weight=event.weight,
    )
    _with_goal(
        draft,
        event,
        lambda goal: attrs.evolve(goal, key_results={**goal.key_results, kr.id: kr}),
    )


@_handles(ProgressLogged)
def _on_progress(draft: _Draft, event: ProgressLogged, seq: int) -> None:
    goal = draft.known_goal(event.stream_id)
    if goal is None or event.kr_id not in goal.key_results:
        return
    checkin = _make_checkin(
        event.actor,
        event.occurred_at,
        event.recorded_at,
        seq,
        event.kr_id,
        event.value,
        event.confidence,
        event.comment,
    )
    pending = draft.pending.get(event.stream_id)
    if pending is None:
        draft.pending[event.stream_id] = [checkin]
    else:
        pending.append(checkin)


def _with_checkins(goal: GoalRecord, checkins: Sequence[CheckIn]) -> GoalRecord:
    """The goal with these check-ins appended to their key results, in order."""
    if len(goal.key_results) == 1:  # every check-in is on it (the fold checked the key result)
        ((only, kr),) = goal.key_results.items()
        extended = attrs.evolve(kr, checkins=kr.checkins + tuple(checkins))
        return attrs.evolve(goal, key_results={only: extended})
    by_kr: dict[str, list[CheckIn]] = {}
    for checkin in checkins:
        by_kr.setdefault(checkin.kr_id, []).append(checkin)
    key_results = dict(goal.key_results)
    for kr_id, added in by_kr.items():
        kr = key_results[kr_id]
        key_results[kr_id] = attrs.evolve(kr, checkins=(*kr.checkins, *added))
    return attrs.evolve(goal, key_results=key_results)


@_handles(TargetAdjusted)
def _on_target(draft: _Draft, event: TargetAdjusted, seq: int) -> None:
    change = TargetChange(
        **_stamp(event, seq),
        goal_id=event.stream_id,
        kr_id=event.kr_id,
        old_target=event.old_target,
        new_target=event.new_target,
        old_stretch=event.old_stretch,
        new_stretch=event.new_stretch,
        reason=event.reason,
    )
    _with_key_result(
        draft,
        event,
        event.kr_id,
        lambda kr: attrs.evolve(kr, adjustments=(*kr.adjustments, change)),
    )


@_handles(GoalRealigned)
def _on_realigned(draft: _Draft, event: GoalRealigned, seq: int) -> None:
    fact = Realignment(
        **_stamp(event, seq),
        goal_id=event.stream_id,
        old=event.old_alignment,
        new=event.new_alignment,
        reason=event.reason,
    )
    _with_goal(
        draft, event, lambda goal: attrs.evolve(goal, realignments=(*goal.realignments, fact))
    )
    if event.new_alignment is not None and event.new_alignment.parent_id is not None:
        draft.add_child(event.new_alignment.parent_id, event.stream_id)


@_handles(GoalReassigned)
def _on_reassigned(draft: _Draft, event: GoalReassigned, seq: int) -> None:
    fact = Reassignment(
        **_stamp(event, seq),
        goal_id=event.stream_id,
        old=event.old_owner,
        new=event.new_owner,
        reason=event.reason,
    )
    _with_goal(
        draft, event, lambda goal: attrs.evolve(goal, reassignments=(*goal.reassignments, fact))
    )


@_handles(GoalWeighted)
def _on_weighted(draft: _Draft, event: GoalWeighted, seq: int) -> None:
    fact = Reweighting(
        **_stamp(event, seq), goal_id=event.stream_id, old=event.old_weight, new=event.new_weight
    )
    _with_goal(
        draft, event, lambda goal: attrs.evolve(goal, reweightings=(*goal.reweightings, fact))
    )


@_handles(GoalCompleted, GoalDropped)
def _on_ended(draft: _Draft, event: GoalCompleted | GoalDropped, seq: int) -> None:
    if isinstance(event, GoalDropped):
        fact = GoalEnded(
            **_stamp(event, seq), goal_id=event.stream_id, status="dropped", reason=event.reason
        )
    else:
        fact = GoalEnded(**_stamp(event, seq), goal_id=event.stream_id, status="completed")
    _with_goal(draft, event, lambda goal: attrs.evolve(goal, endings=(*goal.endings, fact)))


@_handles(GoalReviewed)
def _on_reviewed(draft: _Draft, event: GoalReviewed, seq: int) -> None:
    fact = GoalReview(
        **_stamp(event, seq),
        goal_id=event.stream_id,
        worked=event.worked,
        did_not_work=event.did_not_work,
        lessons=event.lessons,
    )
    _with_goal(draft, event, lambda goal: attrs.evolve(goal, reviews=(*goal.reviews, fact)))


@_handles(ActionPlanned)
def _on_action_planned(draft: _Draft, event: ActionPlanned, seq: int) -> None:
    action = ActionRecord(
        **_stamp(event, seq),
        id=event.action_id,
        task=event.task,
        owner_id=event.owner_id,
        due_on=event.due_on,
    )
    _with_goal(
        draft, event, lambda goal: attrs.evolve(goal, actions={**goal.actions, action.id: action})
    )


@_handles(ActionDone, ActionDropped)
def _on_action_resolved(draft: _Draft, event: ActionDone | ActionDropped, seq: int) -> None:
    if isinstance(event, ActionDropped):
        fact = ActionResolved(**_stamp(event, seq), status="dropped", reason=event.reason)
    else:
        fact = ActionResolved(**_stamp(event, seq), status="done")

    def on_goal(goal: GoalRecord) -> GoalRecord:
        action = goal.actions.get(event.action_id)
        if action is None:
            return goal
        resolved = attrs.evolve(action, resolutions=(*action.resolutions, fact))
        return attrs.evolve(goal, actions={**goal.actions, action.id: resolved})

    _with_goal(draft, event, on_goal)


# coaching


def _journal_of(draft: _Draft, event: Event, person_id: str | None) -> JournalRecord | None:
    if person_id is None:
        person_id = draft.journal_streams().get(event.stream_id)
        if person_id is None:
            return None
    else:
        draft.journal_streams()[event.stream_id] = person_id
    return draft.journals().get(person_id) or JournalRecord(person_id=person_id)


@_handles(CoachingGiven)
def _on_coaching(draft: _Draft, event: CoachingGiven, seq: int) -> None:
    journal = _journal_of(draft, event, event.person_id)
    assert journal is not None
    session = Session(
        **_stamp(event, seq),
        coach_id=event.coach_id,
        person_id=event.person_id,
        goal_id=event.goal_id,
        kind=CoachingKind(event.kind),
        note=event.note,
    )
    draft.journals()[journal.person_id] = attrs.evolve(
        journal,
        state=evolve_journal(journal.state, event),
        sessions=(*journal.sessions, session),
    )


@_handles(CommitmentMade)
def _on_commitment(draft: _Draft, event: CommitmentMade, seq: int) -> None:
    journal = _journal_of(draft, event, event.person_id)
    assert journal is not None
    commitment = CommitmentRecord(
        **_stamp(event, seq),
        id=event.commitment_id,
        person_id=event.person_id,
        action=event.action,
        due_on=event.due_on,
        goal_id=event.goal_id,
    )
    draft.journals()[journal.person_id] = attrs.evolve(
        journal,
        state=evolve_journal(journal.state, event),
        commitments={**journal.commitments, commitment.id: commitment},
    )
    if event.goal_id is not None:
        by_goal = draft.by_goal()
        by_goal[event.goal_id] = (
            *by_goal.get(event.goal_id, ()),
            (event.person_id, event.commitment_id),
        )


@_handles(CommitmentKept, CommitmentMissed)
def _on_commitment_resolved(
    draft: _Draft, event: CommitmentKept | CommitmentMissed, seq: int
) -> None:
    journal = _journal_of(draft, event, None)
    if journal is None or event.commitment_id not in journal.commitments:
        return
    if isinstance(event, CommitmentMissed):
        fact = CommitmentResolved(**_stamp(event, seq), status="missed", note=event.note)
    else:
        fact = CommitmentResolved(**_stamp(event, seq), status="kept")
    commitment = journal.commitments[event.commitment_id]
    resolved = attrs.evolve(commitment, resolutions=(*commitment.resolutions, fact))
    draft.journals()[journal.person_id] = attrs.evolve(
        journal,
        state=evolve_journal(journal.state, event),
        commitments={**journal.commitments, resolved.id: resolved},
    )


# appraisals


@_handles(AppraisalRecorded)
def _on_appraisal(draft: _Draft, event: AppraisalRecorded, seq: int) -> None:
    key = (event.cycle_id, event.person_id)
    draft.appraisal_streams()[event.stream_id] = key
    record = draft.appraisals().get(key) or AppraisalRecord(
        cycle_id=event.cycle_id, person_id=event.person_id
    )
    draft.appraisals()[key] = attrs.evolve(
        record,
        state=evolve_appraisal(record.state, event),
        recorded=RatingRecorded(
            **_stamp(event, seq),
            reviewer_id=event.reviewer_id,
            rating=event.rating,
            summary=event.summary,
        ),
    )


@_handles(RatingCalibrated)
def _on_calibrated(draft: _Draft, event: RatingCalibrated, seq: int) -> None:
    key = draft.appraisal_streams().get(event.stream_id)
    if key is None:
        return
    record = draft.appraisals()[key]
    change = RatingChanged(
        **_stamp(event, seq),
        from_rating=event.from_rating,
        to_rating=event.to_rating,
        reason=event.reason,
    )
    draft.appraisals()[key] = attrs.evolve(
        record,
        state=evolve_appraisal(record.state, event),
        calibrations=(*record.calibrations, change),
    )
