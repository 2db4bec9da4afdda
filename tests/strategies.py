"""Shared hypothesis strategies: every registered event type, every stream state, and commands.

Events and states are built generically from their attrs fields and resolved types
(:func:`from_attrs`), with overrides where a validator constrains a field. Commands are drawn
against a :class:`World`: the states the service returned so far and the business clock, so a
drawn command is valid in the state it will meet (:func:`valid_commands`), or invalid in one
stated way with the typed error it must raise (:func:`invalid_attempts`).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import Enum
from types import UnionType
from typing import Any, Literal, TypeVar, Union, cast, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from execution_core import (
    ActionSpec,
    AddKeyResult,
    AddPerson,
    AddTheme,
    AdjustTarget,
    AdoptPolicy,
    AppointUnitLead,
    AuthoriseCoach,
    CalibrateRating,
    CloseCycle,
    CoachingKind,
    Command,
    CommitmentSpec,
    CompleteAction,
    CompleteGoal,
    DeauthoriseCoach,
    DefineStrategy,
    DropAction,
    DropGoal,
    Event,
    Execution,
    ExecutionError,
    FoundUnit,
    GiveCoaching,
    GoalKind,
    InvalidInput,
    KeepCommitment,
    KeyResultSpec,
    LogProgress,
    MakeCommitment,
    MissCommitment,
    MovePerson,
    NotFound,
    NotPermitted,
    OpenCycle,
    Outcome,
    Owner,
    Perspective,
    PlanAction,
    Policy,
    RealignGoal,
    ReassignGoal,
    RecordAppraisal,
    RemovePerson,
    RetireTheme,
    ReviewGoal,
    Role,
    RuleViolated,
    SetGoal,
    SetRoles,
    WeightGoal,
)
from execution_core.catalog import event_types
from execution_core.command import MAX_MAGNITUDE, MIN_GAP
from execution_core.decider import Decider
from execution_core.events import Alignment, Direction
from execution_core.goals.commands import OwnerSpec
from execution_core.ids import ORGANIZATION_ID, STRATEGY_ID, coaching_stream_id
from execution_core.policy import RATINGS
from execution_core.states import Appraisal, CoachingJournal, Cycle, Goal, Organization, Strategy
from execution_core.streams import APPRAISAL, COACHING, CYCLE, GOAL, ORGANIZATION, STRATEGY
from execution_core_adapters.storage.store import open_store
from tests.support import CYCLE_ID, T0, standard_org

__all__ = [
    "DECIDERS",
    "FINITE_FLOATS",
    "STATE_TYPES",
    "UTC_DATETIMES",
    "ZONES",
    "Attempt",
    "TickingClock",
    "World",
    "alignments",
    "command_sequences",
    "decider_of",
    "event_strategies",
    "for_type",
    "from_attrs",
    "invalid_attempts",
    "policies",
    "state_strategies",
    "valid_commands",
]

T = TypeVar("T")


# -- primitives --------------------------------------------------------------------------------

UTC_DATETIMES = st.datetimes(timezones=st.just(UTC))
"""Aware datetimes in UTC, over the whole range datetime allows."""

FINITE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
"""Every finite float, signed zeros and subnormals included (what a stored event may hold)."""

MEASURES = st.floats(-MAX_MAGNITUDE, MAX_MAGNITUDE)
"""Every value a command accepts as a measure (baseline, target, check-in value)."""

TEXTS = st.text(st.characters(codec="utf-8"), max_size=20)
"""Free text: any Unicode scalar (no lone surrogates, which UTF-8 cannot carry)."""

IDS = st.from_regex(r"[a-z][a-z0-9_.-]{0,11}", fullmatch=True)
"""Caller-chosen identifiers: non-empty, no spaces."""

NAMES = (
    st.text(string.ascii_letters + string.digits + " -éßøπ漢字", min_size=1, max_size=16)
    .map(str.strip)
    .filter(bool)
)
"""Short labels with no surrounding whitespace (commands strip it, so equality is predictable)."""

NOTES = st.text(
    st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cf", "Zl", "Zp"), include_characters="\n"
    ),
    max_size=30,
)
"""Notes and comments: free text, possibly empty, line feeds and all but the control and format
characters a command refuses."""

UNIT_INTERVAL = st.floats(0.0, 1.0)
RATING_VALUES = st.sampled_from(RATINGS)
WEIGHTS = st.floats(min_value=0.0, max_value=1_000.0, exclude_min=True)
ZONES: tuple[tzinfo, ...] = (
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-8)),
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-12)),
)
"""Zones business times are given in; the core must store every instant in UTC."""


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """A coherent policy: at_risk <= on_track, rising rating floors, shares adding up to 1."""
    at_risk, on_track = sorted(draw(st.tuples(UNIT_INTERVAL, UNIT_INTERVAL)))
    f2, f3, f4, f5 = sorted(draw(st.tuples(*[st.floats(0.0, 2.0)] * 4)))
    shares = draw(st.tuples(*[st.integers(0, 10)] * 5).filter(any))
    short, long = sorted(draw(st.tuples(st.integers(1, 90), st.integers(1, 90))))
    return Policy(
        on_track=on_track,
        at_risk=at_risk,
        not_started_expected=draw(UNIT_INTERVAL),
        stale_cadences=draw(st.floats(0.1, 10.0)),
        okr_sweet_spot=draw(UNIT_INTERVAL),
        rating_floors=(f2, f3, f4, f5),
        bonus_multipliers=draw(st.tuples(*[st.floats(0.0, 3.0)] * 5)),
        guideline=tuple(share / sum(shares) for share in shares),
        coaching_windows_days=(short, long),
    )


def alignments() -> SearchStrategy[Alignment]:
    """An alignment to exactly one of a theme or a parent goal."""
    return st.one_of(
        st.builds(Alignment, theme_id=TEXTS),
        st.builds(Alignment, parent_id=st.uuids()),
    )


# -- generic strategies from attrs classes ----------------------------------------------------

FIELD_OVERRIDES: dict[str, SearchStrategy[Any]] = {
    "version": st.integers(1, 10**6),
    "actor": IDS | st.just("system"),
    "rating": RATING_VALUES,
    "from_rating": RATING_VALUES,
    "to_rating": RATING_VALUES,
    "recorded_rating": st.none() | RATING_VALUES,
    "calibrated_rating": st.none() | RATING_VALUES,
    "cadence_days": st.integers(1, 366),
}
"""Fields whose validators constrain them, by name (the same name means the same rule)."""

CLASS_OVERRIDES: dict[Any, SearchStrategy[Any]] = {
    Policy: policies(),
    Alignment: alignments(),
}
"""Value objects whose rules span several fields."""

_BASE: dict[Any, SearchStrategy[Any]] = {
    str: TEXTS,
    int: st.integers(-(2**53), 2**53),
    float: FINITE_FLOATS,
    bool: st.booleans(),
    UUID: st.uuids(),
    datetime: UTC_DATETIMES,
    date: st.dates(),
}


def for_type(tp: Any) -> SearchStrategy[Any]:  # noqa: PLR0911 - one return per kind of annotation
    """A strategy of valid values of a resolved type annotation."""
    if tp in CLASS_OVERRIDES:
        return CLASS_OVERRIDES[tp]
    if tp in _BASE:
        return _BASE[tp]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return st.sampled_from(args)
    if origin in (Union, UnionType):
        return st.one_of(*(for_type(arg) for arg in args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(for_type(args[0]), max_size=3).map(tuple)
        return st.tuples(*(for_type(arg) for arg in args))
    if origin is frozenset:
        return st.frozensets(for_type(args[0]), max_size=4)
    if origin in (Mapping, dict):
        return _mappings(args[0], args[1])
    if tp is type(None):
        return st.none()
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return from_attrs(tp)
    raise TypeError(f"no strategy for {tp!r}: add an override")


def _mappings(key: Any, value: Any) -> SearchStrategy[dict[Any, Any]]:
    """Entities keyed by their own id (as the states hold them), in drawn order; else any dict."""
    values = for_type(value)
    if isinstance(value, type) and attrs.has(value) and "id" in attrs.fields_dict(value):
        return st.lists(values, max_size=4, unique_by=lambda v: v.id).map(
            lambda vs: {v.id: v for v in vs}
        )
    return st.dictionaries(for_type(key), values, max_size=4)


def from_attrs(cls: type[T]) -> SearchStrategy[T]:
    """Valid instances of an attrs class, field by field from its resolved annotations."""
    hints = get_type_hints(cls)
    fields = attrs.fields(cast("type[attrs.AttrsInstance]", cls))
    return st.builds(
        cls,
        **{
            field.alias: (
                FIELD_OVERRIDES[field.name]
                if field.name in FIELD_OVERRIDES
                else for_type(hints[field.name])
            )
            for field in fields
            if field.init
        },
    )


def event_strategies() -> dict[str, SearchStrategy[Event]]:
    """One strategy per registered event type, by its stable stored name."""
    return {kind.name: from_attrs(kind.cls) for kind in event_types()}


DECIDERS: dict[str, Decider[Any]] = {
    decider.stream: decider
    for decider in (ORGANIZATION, STRATEGY, CYCLE, GOAL, COACHING, APPRAISAL)
}
"""Every stream type's decider, by stream type name."""

STATE_TYPES: tuple[type[Any], ...] = tuple(type(d.initial) for d in DECIDERS.values())
"""The state class of every stream type (Organization, Strategy, Cycle, ...)."""


def state_strategies() -> dict[type[Any], SearchStrategy[Any]]:
    """One strategy per stream state class."""
    return {cls: from_attrs(cls) for cls in STATE_TYPES}


def decider_of(event: Event) -> Decider[Any]:
    """The decider of the stream type an event belongs to (its stable name's prefix)."""
    return DECIDERS[type(event).name.split(".", 1)[0]]


# -- the world commands are drawn against ------------------------------------------------------


class TickingClock:
    """A store clock that moves one second at every reading, read in a chosen zone."""

    def __init__(self, start: datetime = T0, zone: tzinfo = UTC) -> None:
        self._next = start.astimezone(zone)

    def __call__(self) -> datetime:
        now = self._next
        self._next += timedelta(seconds=1)
        return now


@attrs.define
class World:
    """What the next command may refer to: the states the service returned, and business time."""

    at: datetime = T0
    org: Organization = attrs.Factory(Organization)
    strategy: Strategy = attrs.Factory(Strategy)
    cycles: dict[UUID, Cycle] = attrs.Factory(dict)
    goals: dict[UUID, Goal] = attrs.Factory(dict)
    journals: dict[str, CoachingJournal] = attrs.Factory(dict)
    appraisals: dict[tuple[UUID, str], Appraisal] = attrs.Factory(dict)
    serial: int = 0

    @classmethod
    def standard(cls, execution: Execution) -> World:
        """Run the standard org of tests/support.py and return the world it leaves."""
        world = cls()
        for command in standard_org():
            world.record(execution.execute(command))
        return world

    def record(self, outcome: Outcome) -> None:
        """Take in the state a command left its stream in."""
        state = outcome.state
        if isinstance(state, Organization):
            self.org = state
        elif isinstance(state, Strategy):
            self.strategy = state
        elif isinstance(state, Cycle):
            self.cycles[outcome.stream_id] = state
        elif isinstance(state, Goal):
            self.goals[outcome.stream_id] = state
        elif isinstance(state, CoachingJournal):
            assert state.person_id is not None
            self.journals[state.person_id] = state
        elif isinstance(state, Appraisal):
            assert state.cycle_id is not None
            assert state.person_id is not None
            self.appraisals[(state.cycle_id, state.person_id)] = state
        else:
            raise AssertionError(f"unexpected state {state!r}")

    def advance(self, hours: int) -> None:
        """Let business time pass."""
        self.at += timedelta(hours=hours)

    def fresh(self, prefix: str) -> str:
        """An id never used before in this world."""
        self.serial += 1
        return f"{prefix}{self.serial}"

    def fresh_uuid(self) -> UUID:
        """A stream id never used before in this world."""
        self.serial += 1
        return UUID(int=(0x5EED << 96) + self.serial)

    # who is who ---------------------------------------------------------------------------

    def active(self) -> list[str]:
        """Everyone who has not left."""
        return [p.id for p in self.org.people.values() if p.active]

    def with_role(self, *roles: Role) -> list[str]:
        """Active people holding any of these roles."""
        return [p for p in self.active() if self.org.people[p].roles & set(roles)]

    def executives(self) -> list[str]:
        """Active executives."""
        return self.with_role(Role.EXECUTIVE)

    def admins(self) -> list[str]:
        """Who may administer the organization: the HR-system sync, executives and HR."""
        return ["system", *self.with_role(Role.EXECUTIVE, Role.HR)]

    def role_admins(self, before: Iterable[Role], after: Iterable[Role]) -> list[str]:
        """Who may change roles from ``before`` to ``after``: the administrators, but only
        the HR-system sync and executives when the executive role is granted or revoked."""
        if (Role.EXECUTIVE in set(before)) != (Role.EXECUTIVE in set(after)):
            return ["system", *self.executives()]
        return self.admins()

    def managers(self, person_id: str) -> list[str]:
        """Active people above the person in the reporting line."""
        return [m for m in self.org.manager_chain(person_id) if self.org.is_active(m)]

    def coaches(self, person_id: str) -> list[str]:
        """Active coaches authorised for the person."""
        return sorted(c for c, p in self.org.coaches if p == person_id and self.org.is_active(c))

    def _self(self, owner: Owner) -> list[str]:
        if owner.kind == "person":
            return [owner.id] if self.org.is_active(owner.id) else []
        unit = self.org.units[owner.id]
        people = list(self.org.members_of(owner.id))
        if unit.lead_id is not None and self.org.is_active(unit.lead_id):
            people.append(unit.lead_id)
        return people

    def setters(self, owner: Owner) -> list[str]:
        """People who may set (and plan) a goal for this owner."""
        managers = self.managers(owner.id) if owner.kind == "person" else []
        return _unique([*self._self(owner), *managers, *self.executives()])

    def loggers(self, owner: Owner) -> list[str]:
        """People who may log progress on this owner's goals."""
        managers = self.managers(owner.id) if owner.kind == "person" else []
        return _unique([*self._self(owner), *managers])

    def adjusters(self, owner: Owner) -> list[str]:
        """People who may adjust, realign, reassign, weight or drop this owner's goals."""
        if owner.kind == "unit":
            return self.executives()
        return _unique([*self.managers(owner.id), *self.coaches(owner.id), *self.executives()])

    def resolvers(self, person_id: str) -> list[str]:
        """People who may record or resolve the person's commitments."""
        own = [person_id] if self.org.is_active(person_id) else []
        return _unique([*own, *self.managers(person_id), *self.coaches(person_id)])

    # what is where ------------------------------------------------------------------------

    def open_cycles(self) -> list[UUID]:
        """Cycles opened and not closed."""
        return [k for k, c in self.cycles.items() if c.opened and c.closed_at is None]

    def live_goals(self) -> list[UUID]:
        """Active goals of cycles not closed: the ones that still take commands."""
        return [
            k
            for k, g in self.goals.items()
            if g.status == "active" and g.cycle_id in self.open_cycles()
        ]

    def ancestors(self, goal_id: UUID) -> list[UUID]:
        """The goals above a goal, nearest first."""
        chain: list[UUID] = []
        above = self.goals[goal_id].parent_id
        while above is not None and above not in chain:
            chain.append(above)
            above = self.goals[above].parent_id if above in self.goals else None
        return chain

    def descendants(self, goal_id: UUID) -> list[UUID]:
        """The goals that cascade, directly or not, from a goal."""
        return [k for k in self.goals if goal_id in self.ancestors(k)]

    def goals_about(self, person_id: str) -> list[UUID]:
        """Goals that concern a person, in cycles not closed (what coaching may be about)."""
        found = []
        for key, goal in self.goals.items():
            owner = goal.owner
            unit = self.org.units.get(owner.id) if owner.kind == "unit" else None
            concerns = (owner.kind == "person" and owner.id == person_id) or (
                unit is not None and person_id in (unit.lead_id, *self.org.members_of(unit.id))
            )
            if concerns and goal.cycle_id in self.open_cycles():
                found.append(key)
        return found


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return draw(st.sampled_from(options))


def _weighted(draw: st.DrawFn, options: Sequence[tuple[T, int]]) -> T:
    """One option, as likely as its weight; shrinks toward the heaviest.

    ``sampled_from`` over a long list favours its first entries so much that the last ones
    starve; a wide integer reduced modulo the total weight is close to uniform, and 0 (where
    shrinking goes) picks the heaviest option.
    """
    ranked = sorted(options, key=lambda option: -option[1])
    ticket = draw(st.integers(0, 2**32 - 1)) % sum(weight for _, weight in ranked)
    for option, weight in ranked:
        if ticket < weight:
            return option
        ticket -= weight
    raise AssertionError("unreachable")


def _when(draw: st.DrawFn, moment: datetime) -> datetime:
    """The same instant, given in a drawn zone."""
    return moment.astimezone(_pick(draw, ZONES))


# -- valid commands -----------------------------------------------------------------------------

Make = Callable[[st.DrawFn], Command]
CommandMaker = Callable[[World], "Make | None"]
VALID: dict[CommandMaker, int] = {}
"""Each maker, with its weight, returns how to draw one kind of valid command, or None when none
is possible. Check-ins weigh most, as in a real cycle.

Makers return plain functions, not strategies: hypothesis reads the source of every function
decorated with ``st.composite``, far too slow to do once per step.
"""


def _valid(weight: int) -> Callable[[CommandMaker], CommandMaker]:
    def register(maker: CommandMaker) -> CommandMaker:
        VALID[maker] = weight
        return maker

    return register


@st.composite
def valid_commands(draw: st.DrawFn, world: World) -> Command:
    """One command the service must accept in this world."""
    makers = [(make, weight) for maker, weight in VALID.items() if (make := maker(world))]
    return _weighted(draw, makers)(draw)


@st.composite
def command_sequences(draw: st.DrawFn, max_size: int = 25) -> list[Command]:
    """Commands to run after the standard org, each valid in the state the ones before leave.

    The sequence is drawn against a scratch in-memory execution, so validity is checked as it
    is drawn: a command the service refuses here is a bug in this strategy or in the core.
    """
    with Execution(open_store("memory://", clock=TickingClock()), future_tolerance=None) as scratch:
        world = World.standard(scratch)
        commands: list[Command] = []
        while len(commands) < max_size and draw(st.integers(0, 15), label="more") != 0:
            world.advance(draw(st.integers(0, 96), label="hours"))
            command = draw(valid_commands(world))
            try:
                outcome = scratch.execute(command)
            except ExecutionError as error:
                raise AssertionError(f"drew a refused command {command!r}: {error!r}") from error
            world.record(outcome)
            commands.append(command)
        return commands


@st.composite
def _key_result_spec(draw: st.DrawFn, kr_id: str) -> KeyResultSpec:
    name, weight = draw(NAMES), draw(WEIGHTS)
    if draw(st.integers(0, 3)) == 0:
        return KeyResultSpec(kr_id=kr_id, name=name, milestone=True, weight=weight)
    direction = draw(st.sampled_from(Direction))
    low, mid, high = sorted(
        draw(
            st.lists(MEASURES, min_size=3, max_size=3, unique=True).filter(
                lambda xs: min(abs(a - b) for a in xs for b in xs if a is not b) >= MIN_GAP
            )
        )
    )
    increase = direction == Direction.INCREASE
    stretched = draw(st.booleans())
    return KeyResultSpec(
        kr_id=kr_id,
        name=name,
        unit=draw(st.sampled_from(["", "EUR", "deals", "%"])),
        baseline=low if increase else high,
        target=mid,
        stretch=(high if increase else low) if stretched else None,
        direction=direction,
        weight=weight,
    )


@st.composite
def _action_spec(draw: st.DrawFn, world: World) -> ActionSpec:
    return ActionSpec(
        action_id=world.fresh("act"),
        task=draw(NAMES),
        owner_id=_pick(draw, world.active()),
        due_on=world.at.date() + timedelta(days=draw(st.integers(-10, 60))),
    )


@st.composite
def _commitment_spec(draw: st.DrawFn, world: World) -> CommitmentSpec:
    return CommitmentSpec(
        commitment_id=world.fresh("c"),
        action=draw(NAMES),
        due_on=world.at.date() + timedelta(days=draw(st.integers(-3, 30))),
    )


def _roles() -> SearchStrategy[tuple[Role, ...]]:
    return st.lists(st.sampled_from(Role), max_size=3).map(tuple)


@_valid(1)
def _found_unit(world: World) -> Make:
    def make(draw: st.DrawFn) -> Command:
        return FoundUnit(
            unit_id=world.fresh("unit"),
            name=draw(NAMES),
            parent_id=draw(st.none() | st.sampled_from(list(world.org.units))),
            lead_id=draw(st.none() | st.sampled_from(world.active())),
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make


@_valid(1)
def _appoint_unit_lead(world: World) -> Make | None:
    pairs = [(u.id, p) for u in world.org.units.values() for p in world.active() if p != u.lead_id]

    def make(draw: st.DrawFn) -> Command:
        unit_id, lead_id = _pick(draw, pairs)
        return AppointUnitLead(
            unit_id=unit_id,
            lead_id=lead_id,
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make if pairs else None


@_valid(2)
def _add_person(world: World) -> Make:
    def make(draw: st.DrawFn) -> Command:
        roles = draw(_roles())
        return AddPerson(
            person_id=world.fresh("p"),
            name=draw(NAMES),
            unit_id=_pick(draw, list(world.org.units)),
            manager_id=draw(st.none() | st.sampled_from(world.active())),
            roles=roles,
            actor=_pick(draw, world.role_admins((), roles)),
            occurred_at=_when(draw, world.at),
        )

    return make


@_valid(1)
def _move_person(world: World) -> Make | None:
    moves: list[tuple[str, str, str | None]] = []
    for person in world.active():
        current = world.org.people[person]
        for manager in [None, *world.active()]:
            if manager is not None and (
                manager == person or person in world.org.manager_chain(manager)
            ):
                continue  # that would make the reporting line loop
            moves.extend(
                (person, unit, manager)
                for unit in world.org.units
                if (unit, manager) != (current.unit_id, current.manager_id)
            )

    def make(draw: st.DrawFn) -> Command:
        person, unit, manager = _pick(draw, moves)
        return MovePerson(
            person_id=person,
            unit_id=unit,
            manager_id=manager,
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make if moves else None


@_valid(1)
def _remove_person(world: World) -> Make | None:
    keep = set(world.with_role(Role.EXECUTIVE, Role.HR))  # someone must still run the place
    leads = {u.lead_id for u in world.org.units.values()}  # a unit's lead is replaced first
    leavers = [
        p
        for p in world.active()
        if p not in keep and p not in leads and not world.org.reports_of(p)
    ]

    def make(draw: st.DrawFn) -> Command:
        return RemovePerson(
            person_id=_pick(draw, leavers),
            reason=draw(NOTES),
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make if leavers else None


@_valid(1)
def _set_roles(world: World) -> Make | None:
    people = [p for p in world.active() if p != "cleo"]  # the standard executive stays one

    def make(draw: st.DrawFn) -> Command:
        person = _pick(draw, people)
        roles = draw(_roles().filter(lambda r: set(r) != world.org.people[person].roles))
        return SetRoles(
            person_id=person,
            roles=roles,
            actor=_pick(draw, world.role_admins(world.org.people[person].roles, roles)),
            occurred_at=_when(draw, world.at),
        )

    return make if people else None


@_valid(1)
def _authorise_coach(world: World) -> Make | None:
    pairs = [
        (c, p)
        for c in world.active()
        for p in world.active()
        if c != p and (c, p) not in world.org.coaches
    ]

    def make(draw: st.DrawFn) -> Command:
        coach, person = _pick(draw, pairs)
        return AuthoriseCoach(
            coach_id=coach,
            person_id=person,
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make if pairs else None


@_valid(1)
def _deauthorise_coach(world: World) -> Make | None:
    pairs = sorted(world.org.coaches)

    def make(draw: st.DrawFn) -> Command:
        coach, person = _pick(draw, pairs)
        return DeauthoriseCoach(
            coach_id=coach,
            person_id=person,
            actor=_pick(draw, world.admins()),
            occurred_at=_when(draw, world.at),
        )

    return make if pairs else None


@_valid(1)
def _define_strategy(world: World) -> Make | None:
    def make(draw: st.DrawFn) -> Command:
        return DefineStrategy(
            vision=draw(NAMES.filter(lambda v: v != world.strategy.vision)),
            actor=_pick(draw, world.executives()),
            occurred_at=_when(draw, world.at),
        )

    return make if world.executives() else None


@_valid(1)
def _add_theme(world: World) -> Make | None:
    def make(draw: st.DrawFn) -> Command:
        return AddTheme(
            theme_id=world.fresh("theme"),
            title=draw(NAMES),
            perspective=draw(st.none() | st.sampled_from(Perspective)),
            actor=_pick(draw, world.executives()),
            occurred_at=_when(draw, world.at),
        )

    return make if world.executives() and world.strategy.defined else None


@_valid(1)
def _retire_theme(world: World) -> Make | None:
    themes = [t.id for t in world.strategy.themes.values() if not t.retired]

    def make(draw: st.DrawFn) -> Command:
        return RetireTheme(
            theme_id=_pick(draw, themes),
            reason=draw(NOTES),
            actor=_pick(draw, world.executives()),
            occurred_at=_when(draw, world.at),
        )

    return make if themes and world.executives() else None


@_valid(2)
def _open_cycle(world: World) -> Make | None:
    def make(draw: st.DrawFn) -> Command:
        starts_on = world.at.date() + timedelta(days=draw(st.integers(-60, 30)))
        policy = draw(st.none() | policies())
        return OpenCycle(
            cycle_id=world.fresh_uuid(),
            name=draw(NAMES),
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=draw(st.integers(0, 180))),
            cadence_days=draw(st.integers(1, 31)),
            policy=None if policy is None else attrs.asdict(policy),
            actor=_pick(draw, world.executives()),
            occurred_at=_when(draw, world.at),
        )

    return make if world.executives() else None


@_valid(1)
def _adopt_policy(world: World) -> Make | None:
    cycles = world.open_cycles()
    actors = world.with_role(Role.EXECUTIVE, Role.HR)

    def make(draw: st.DrawFn) -> Command:
        cycle_id = _pick(draw, cycles)
        policy = draw(policies().filter(lambda p: p != world.cycles[cycle_id].policy))
        return AdoptPolicy(
            cycle_id=cycle_id,
            policy=attrs.asdict(policy),
            actor=_pick(draw, actors),
            occurred_at=_when(draw, world.at),
        )

    return make if cycles and actors else None


@_valid(2)
def _close_cycle(world: World) -> Make | None:
    cycles = [k for k in world.open_cycles() if world.at >= world.cycles[k].starts_at]

    def make(draw: st.DrawFn) -> Command:
        return CloseCycle(
            cycle_id=_pick(draw, cycles),
            actor=_pick(draw, world.executives()),
            occurred_at=_when(draw, world.at),
        )

    return make if cycles and world.executives() else None


def _owners(world: World, *, units: bool = True) -> list[Owner]:
    people = [Owner("person", p) for p in world.active()]
    return people + ([Owner("unit", u) for u in world.org.units] if units else [])


def _owner_spec(owner: Owner) -> OwnerSpec:
    return OwnerSpec(kind=owner.kind, id=owner.id)


def _alignment_options(
    world: World, goal_id: UUID | None, cycle_id: UUID
) -> list[tuple[str | None, UUID | None]]:
    """Every (theme, parent goal) a goal may be aligned to, nothing included."""
    below = set(world.descendants(goal_id)) if goal_id in world.goals else set()
    themes = [t.id for t in world.strategy.themes.values() if not t.retired]
    parents = [
        k
        for k, g in world.goals.items()
        if g.cycle_id == cycle_id and g.status != "dropped" and k != goal_id and k not in below
    ]
    return [(None, None), *((t, None) for t in themes), *((None, p) for p in parents)]


@_valid(8)
def _set_goal(world: World) -> Make | None:
    cycles = world.open_cycles()

    def make(draw: st.DrawFn) -> Command:
        owner = _pick(draw, _owners(world))
        kinds = [k for k in GoalKind if owner.kind == "person" or k != GoalKind.DEVELOPMENTAL]
        cycle_id = _pick(draw, cycles)
        goal_id = world.fresh_uuid()
        theme_id, parent_id = _pick(draw, _alignment_options(world, goal_id, cycle_id))
        key_results = [
            draw(_key_result_spec(world.fresh("kr")))
            for _ in range(draw(st.sampled_from([1, 2, 3, 0])))  # no key result: rolls up children
        ]
        actions = [draw(_action_spec(world)) for _ in range(draw(st.integers(0, 2)))]
        return SetGoal(
            goal_id=goal_id,
            cycle_id=cycle_id,
            title=draw(NAMES),
            kind=_pick(draw, kinds),
            owner=_owner_spec(owner),
            theme_id=theme_id,
            parent_goal_id=parent_id,
            weight=draw(WEIGHTS),
            key_results=tuple(key_results),
            actions=tuple(actions),
            actor=_pick(draw, world.setters(owner)),
            occurred_at=_when(draw, world.at),
        )

    return make if cycles else None


def _goal_maker(
    world: World,
    goals: Sequence[UUID],
    actors: Callable[[Goal], list[str]],
    build: Callable[[st.DrawFn, UUID, Goal], Command],
) -> Make | None:
    """How to draw one goal command on one of ``goals``, by someone ``actors`` allows."""
    choices = [k for k in goals if actors(world.goals[k])]

    def make(draw: st.DrawFn) -> Command:
        goal_id = _pick(draw, choices)
        command = build(draw, goal_id, world.goals[goal_id])
        return type(command).model_validate(
            {
                **command.model_dump(),
                "actor": _pick(draw, actors(world.goals[goal_id])),
                "occurred_at": _when(draw, command.occurred_at),
            }
        )

    return make if choices else None


def _planners(world: World) -> Callable[[Goal], list[str]]:
    return lambda goal: world.setters(goal.owner)


def _adjusters(world: World) -> Callable[[Goal], list[str]]:
    return lambda goal: world.adjusters(goal.owner)


def _loggers(world: World) -> Callable[[Goal], list[str]]:
    return lambda goal: world.loggers(goal.owner)


_PLACEHOLDER = "placeholder"
"""The actor a goal command is built with before the maker draws a permitted one."""


@_valid(3)
def _add_key_result(world: World) -> Make | None:
    def build(draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        spec = draw(_key_result_spec(world.fresh("kr")))
        return AddKeyResult(
            goal_id=goal_id, key_result=spec, actor=_PLACEHOLDER, occurred_at=world.at
        )

    return _goal_maker(world, world.live_goals(), _planners(world), build)


def _checkin_time(draw: st.DrawFn, world: World, cycle: Cycle) -> datetime:
    """A moment inside the cycle, at most now, sometimes backdated."""
    latest = min(world.at, cycle.ends_at - timedelta(microseconds=1))
    back = timedelta(hours=draw(st.integers(0, 72)))
    return max(cycle.starts_at, latest - back)


@_valid(12)
def _log_progress(world: World) -> Make | None:
    goals = [
        k
        for k in world.live_goals()
        if world.goals[k].key_results
        and world.at >= world.cycles[world.goals[k].cycle_id or CYCLE_ID].starts_at
    ]

    def build(draw: st.DrawFn, goal_id: UUID, goal: Goal) -> Command:
        kr = _pick(draw, list(goal.key_results.values()))
        assert goal.cycle_id is not None
        value = draw(st.sampled_from([0.0, 1.0]) if kr.milestone else MEASURES)
        return LogProgress(
            goal_id=goal_id,
            kr_id=kr.id,
            value=value,
            confidence=draw(UNIT_INTERVAL),
            comment=draw(NOTES),
            actor=_PLACEHOLDER,
            occurred_at=_checkin_time(draw, world, world.cycles[goal.cycle_id]),
        )

    return _goal_maker(world, goals, _loggers(world), build)


def _beyond(reference: float, sign: int, gap: float = 0.0) -> SearchStrategy[float] | None:
    """Measures strictly above (sign 1) or below (sign -1) a reference, at least ``gap`` from it
    when a gap is asked for, within the accepted magnitude, if there are any."""
    if sign * reference + gap >= MAX_MAGNITUDE:
        return None
    if sign > 0:
        side = st.floats(min_value=reference + gap, max_value=MAX_MAGNITUDE, exclude_min=not gap)
    else:
        side = st.floats(min_value=-MAX_MAGNITUDE, max_value=reference - gap, exclude_max=not gap)
    # -0.0 is not above 0.0, and reference + gap may round back onto the reference
    return side.filter(lambda x: sign * (x - reference) > 0 and abs(x - reference) >= gap)


@_valid(3)
def _adjust_target(world: World) -> Make | None:
    goals = [
        k
        for k in world.live_goals()
        if any(not kr.milestone for kr in world.goals[k].key_results.values())
    ]

    def build(draw: st.DrawFn, goal_id: UUID, goal: Goal) -> Command:
        kr = _pick(draw, [kr for kr in goal.key_results.values() if not kr.milestone])
        sign = 1 if kr.direction == Direction.INCREASE else -1
        targets = _beyond(kr.baseline, sign, MIN_GAP)
        assert targets is not None  # the current target lies beyond the baseline
        target = draw(targets)
        stretches = _beyond(target, sign)
        stretch = None if stretches is None else draw(st.none() | stretches)
        assume((target, stretch) != (kr.target, kr.stretch))  # rare: the same again
        return AdjustTarget(
            goal_id=goal_id,
            kr_id=kr.id,
            target=target,
            stretch=stretch,
            reason=draw(NAMES),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, goals, _adjusters(world), build)


def _realignments(world: World, goal_id: UUID) -> list[tuple[str | None, UUID | None]]:
    """Every alignment a goal may move to, its current one left out."""
    goal = world.goals[goal_id]
    assert goal.cycle_id is not None
    now = goal.aligned_to
    current = (now.theme_id, now.parent_id) if now is not None else (None, None)
    return [a for a in _alignment_options(world, goal_id, goal.cycle_id) if a != current]


@_valid(2)
def _realign_goal(world: World) -> Make | None:
    goals = [k for k in world.live_goals() if _realignments(world, k)]

    def build(draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        theme_id, parent_id = _pick(draw, _realignments(world, goal_id))
        return RealignGoal(
            goal_id=goal_id,
            theme_id=theme_id,
            parent_goal_id=parent_id,
            reason=draw(NAMES),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, goals, _adjusters(world), build)


@_valid(1)
def _reassign_goal(world: World) -> Make | None:
    setters = {o: set(world.setters(o)) for o in _owners(world)}
    moves = [
        (goal_id, owner, actor)
        for goal_id in world.live_goals()
        for owner in setters
        if owner != world.goals[goal_id].owner
        and (owner.kind == "person" or world.goals[goal_id].kind != GoalKind.DEVELOPMENTAL)
        for actor in world.adjusters(world.goals[goal_id].owner)
        if actor in setters[owner]  # who hands a goal over must be able to set it for the taker
    ]

    def make(draw: st.DrawFn) -> Command:
        goal_id, owner, actor = _pick(draw, moves)
        return ReassignGoal(
            goal_id=goal_id,
            owner=_owner_spec(owner),
            reason=draw(NAMES),
            actor=actor,
            occurred_at=_when(draw, world.at),
        )

    return make if moves else None


@_valid(1)
def _weight_goal(world: World) -> Make | None:
    def build(draw: st.DrawFn, goal_id: UUID, goal: Goal) -> Command:
        return WeightGoal(
            goal_id=goal_id,
            weight=draw(WEIGHTS.filter(lambda w: w != goal.weight)),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, world.live_goals(), _adjusters(world), build)


@_valid(2)
def _plan_action(world: World) -> Make | None:
    def build(draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        return PlanAction(
            goal_id=goal_id,
            action=draw(_action_spec(world)),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, world.live_goals(), _planners(world), build)


def _open_actions(goal: Goal) -> list[str]:
    return [a.id for a in goal.actions.values() if a.status == "open"]


@_valid(2)
def _end_action(world: World) -> Make | None:
    goals = [k for k in world.live_goals() if _open_actions(world.goals[k])]

    def build(draw: st.DrawFn, goal_id: UUID, goal: Goal) -> Command:
        action_id = _pick(draw, _open_actions(goal))
        if draw(st.booleans()):
            return CompleteAction(
                goal_id=goal_id, action_id=action_id, actor=_PLACEHOLDER, occurred_at=world.at
            )
        return DropAction(
            goal_id=goal_id,
            action_id=action_id,
            reason=draw(NOTES),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, goals, _planners(world), build)


@_valid(2)
def _complete_goal(world: World) -> Make | None:
    def build(_draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        return CompleteGoal(goal_id=goal_id, actor=_PLACEHOLDER, occurred_at=world.at)

    return _goal_maker(world, world.live_goals(), _planners(world), build)


@_valid(2)
def _drop_goal(world: World) -> Make | None:
    def build(draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        return DropGoal(
            goal_id=goal_id, reason=draw(NAMES), actor=_PLACEHOLDER, occurred_at=world.at
        )

    return _goal_maker(world, world.live_goals(), _adjusters(world), build)


@_valid(2)
def _review_goal(world: World) -> Make | None:
    goals = [k for k, g in world.goals.items() if not g.reviewed]

    def build(draw: st.DrawFn, goal_id: UUID, _goal: Goal) -> Command:
        return ReviewGoal(
            goal_id=goal_id,
            worked=draw(NOTES),
            did_not_work=draw(NOTES),
            lessons=draw(NOTES),
            actor=_PLACEHOLDER,
            occurred_at=world.at,
        )

    return _goal_maker(world, goals, _planners(world), build)


def _coached(world: World) -> list[tuple[str, str]]:
    """(coach, person) pairs: an active person and someone allowed to coach them."""
    return [
        (coach, person)
        for person in world.active()
        for coach in _unique([*world.managers(person), *world.coaches(person)])
        if coach != person
    ]


@_valid(3)
def _give_coaching(world: World) -> Make | None:
    pairs = _coached(world)

    def make(draw: st.DrawFn) -> Command:
        coach, person = _pick(draw, pairs)
        commitments = draw(st.lists(_commitment_spec(world), max_size=2))
        return GiveCoaching(
            person_id=person,
            goal_id=draw(st.none() | st.sampled_from([None, *world.goals_about(person)])),
            kind=draw(st.sampled_from(CoachingKind)),
            note=draw(NOTES),
            commitments=tuple(commitments),
            actor=coach,
            occurred_at=_when(draw, world.at),
        )

    return make if pairs else None


@_valid(2)
def _make_commitment(world: World) -> Make | None:
    people = [p for p in world.active() if world.resolvers(p)]

    def make(draw: st.DrawFn) -> Command:
        person = _pick(draw, people)
        return MakeCommitment(
            person_id=person,
            commitment=draw(_commitment_spec(world)),
            goal_id=draw(st.sampled_from([None, *world.goals_about(person)])),
            actor=_pick(draw, world.resolvers(person)),
            occurred_at=_when(draw, world.at),
        )

    return make if people else None


@_valid(2)
def _resolve_commitment(world: World) -> Make | None:
    open_ones = [
        (person, c.id)
        for person, journal in world.journals.items()
        for c in journal.open_commitments()
        if world.resolvers(person)
    ]

    def make(draw: st.DrawFn) -> Command:
        person, commitment_id = _pick(draw, open_ones)
        actor = _pick(draw, world.resolvers(person))
        at = _when(draw, world.at)
        if draw(st.booleans()):
            return KeepCommitment(
                person_id=person, commitment_id=commitment_id, actor=actor, occurred_at=at
            )
        return MissCommitment(
            person_id=person,
            commitment_id=commitment_id,
            note=draw(NOTES),
            actor=actor,
            occurred_at=at,
        )

    return make if open_ones else None


def _appraisers(world: World, person: str) -> list[str]:
    return [a for a in _unique([*world.managers(person), *_reviewers(world)]) if a != person]


def _reviewers(world: World) -> list[str]:
    return world.with_role(Role.REVIEWER, Role.HR)


@_valid(2)
def _record_appraisal(world: World) -> Make | None:
    pending = [
        (cycle_id, person)
        for cycle_id, cycle in world.cycles.items()
        if world.at >= cycle.starts_at
        for person in world.org.people
        if (cycle_id, person) not in world.appraisals and _appraisers(world, person)
    ]

    def make(draw: st.DrawFn) -> Command:
        cycle_id, person = _pick(draw, pending)
        return RecordAppraisal(
            cycle_id=cycle_id,
            person_id=person,
            rating=draw(RATING_VALUES),
            summary=draw(NOTES),
            actor=_pick(draw, _appraisers(world, person)),
            occurred_at=_when(draw, world.at),
        )

    return make if pending else None


@_valid(2)
def _calibrate_rating(world: World) -> Make | None:
    recorded = [
        key
        for key, appraisal in world.appraisals.items()
        if [r for r in _reviewers(world) if r != key[1]]
    ]

    def make(draw: st.DrawFn) -> Command:
        cycle_id, person = _pick(draw, recorded)
        current = world.appraisals[(cycle_id, person)].rating
        return CalibrateRating(
            cycle_id=cycle_id,
            person_id=person,
            rating=draw(RATING_VALUES.filter(lambda r: r != current)),
            reason=draw(NAMES),
            actor=_pick(draw, [r for r in _reviewers(world) if r != person]),
            occurred_at=_when(draw, world.at),
        )

    return make if recorded else None


# -- invalid commands ---------------------------------------------------------------------------


@attrs.frozen
class Attempt:
    """A command that breaks one rule, and the typed error it must be refused with."""

    command: Command | dict[str, Any]
    error: type[ExecutionError]
    why: str


AttemptMake = Callable[[st.DrawFn], Attempt]
AttemptMaker = Callable[[World], "AttemptMake | None"]
INVALID: dict[AttemptMaker, int] = {}
"""Each maker, with its weight, returns how to draw one kind of invalid command, or None when
none applies. The ones that need a particular state weigh more: they apply less often."""


def _invalid(weight: int) -> Callable[[AttemptMaker], AttemptMaker]:
    def register(maker: AttemptMaker) -> AttemptMaker:
        INVALID[maker] = weight
        return maker

    return register


@st.composite
def invalid_attempts(draw: st.DrawFn, world: World) -> Attempt:
    """One command the service must refuse in this world, with the error it must raise."""
    makers = [(make, weight) for maker, weight in INVALID.items() if (make := maker(world))]
    return _weighted(draw, makers)(draw)


def _one_of(options: Sequence[AttemptMake]) -> AttemptMake | None:
    """Draw with one of these, or None when there is none."""
    if not options:
        return None
    return lambda draw: _pick(draw, options)(draw)


def _json(command: Command, **changes: Any) -> dict[str, Any]:
    """A command as untrusted JSON-like input, with some fields replaced."""
    return {**command.dump(), **changes}


def _person_goals(world: World, goals: Sequence[UUID]) -> list[UUID]:
    return [k for k in goals if world.goals[k].owner.kind == "person"]


@_invalid(2)
def _progress_by_a_stranger(world: World) -> AttemptMake | None:
    goals = [k for k in _person_goals(world, list(world.goals)) if world.goals[k].key_results]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = _pick(draw, goals)
        goal = world.goals[goal_id]
        allowed = {goal.owner.id, *world.org.manager_chain(goal.owner.id)}
        strangers = ["system", "ghost", *(p for p in world.org.people if p not in allowed)]
        return Attempt(
            LogProgress(
                goal_id=goal_id,
                kr_id=_pick(draw, list(goal.key_results)),
                value=1.0,
                confidence=0.5,
                actor=_pick(draw, strangers),
                occurred_at=world.at,
            ),
            NotPermitted,
            "progress logged by someone who is neither the owner nor above them",
        )

    return make if goals else None


@_invalid(1)
def _coaching_by_a_stranger(world: World) -> AttemptMake:
    def make(draw: st.DrawFn) -> Attempt:
        person = _pick(draw, world.active())
        allowed = {*world.org.manager_chain(person), *world.coaches(person)} - {person}
        strangers = ["system", "ghost", *(p for p in world.org.people if p not in allowed)]
        return Attempt(
            GiveCoaching(person_id=person, actor=_pick(draw, strangers), occurred_at=world.at),
            NotPermitted,
            "coaching by someone who is not the person's manager or authorised coach",
        )

    return make


@_invalid(1)
def _strategy_by_a_non_executive(world: World) -> AttemptMake:
    def make(draw: st.DrawFn) -> Attempt:
        others = [p for p in world.org.people if p not in world.executives()]
        return Attempt(
            AddTheme(
                theme_id=world.fresh("theme"),
                title="Rogue theme",
                actor=_pick(draw, ["system", "ghost", *others]),
                occurred_at=world.at,
            ),
            NotPermitted,
            "a theme added by someone who is not an executive",
        )

    return make


@_invalid(1)
def _self_appraisal(world: World) -> AttemptMake | None:
    cycles = [k for k, c in world.cycles.items() if world.at >= c.starts_at]

    def make(draw: st.DrawFn) -> Attempt:
        person = _pick(draw, world.active())
        return Attempt(
            RecordAppraisal(
                cycle_id=_pick(draw, cycles),
                person_id=person,
                rating=draw(RATING_VALUES),
                actor=person,
                occurred_at=world.at,
            ),
            NotPermitted,
            "a person appraising themselves",
        )

    return make if cycles else None


@_invalid(1)
def _unknown_goal(world: World) -> AttemptMake:
    pairs = _coached(world)

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = world.fresh_uuid()
        actor = _pick(draw, world.active())
        options: list[Command] = [
            LogProgress(
                goal_id=goal_id,
                kr_id="kr",
                value=1.0,
                confidence=0.5,
                actor=actor,
                occurred_at=world.at,
            ),
            DropGoal(goal_id=goal_id, reason="gone", actor=actor, occurred_at=world.at),
            ReviewGoal(goal_id=goal_id, actor=actor, occurred_at=world.at),
        ]
        if pairs:
            coach, person = _pick(draw, pairs)
            options.append(
                GiveCoaching(person_id=person, goal_id=goal_id, actor=coach, occurred_at=world.at)
            )
        return Attempt(_pick(draw, options), NotFound, "a goal id no goal has")

    return make


@_invalid(1)
def _stream_of_another_type(world: World) -> AttemptMake:
    """A goal id that names a cycle, the organization or a journal (and the reverse)."""

    def make(draw: st.DrawFn) -> Attempt:
        not_goals = [ORGANIZATION_ID, STRATEGY_ID, *world.cycles]
        not_goals += [coaching_stream_id(p) for p in world.journals]
        wrong = _pick(draw, not_goals)
        goals = list(world.goals)
        candidates: list[Command] = [
            LogProgress(
                goal_id=wrong,
                kr_id="kr",
                value=1.0,
                confidence=0.5,
                actor="ana",
                occurred_at=world.at,
            ),
            CompleteGoal(goal_id=wrong, actor="cleo", occurred_at=world.at),
            GiveCoaching(person_id="ana", goal_id=wrong, actor="max", occurred_at=world.at),
        ]
        if goals:
            goal_id = _pick(draw, goals)
            candidates += [
                CloseCycle(cycle_id=goal_id, actor="cleo", occurred_at=world.at),
                RecordAppraisal(
                    cycle_id=goal_id, person_id="ana", rating=3, actor="hana", occurred_at=world.at
                ),
            ]
        return Attempt(_pick(draw, candidates), ExecutionError, "an id of another stream type")

    return make


@_invalid(1)
def _unknown_key_result(world: World) -> AttemptMake | None:
    goals = [
        k
        for k in world.live_goals()
        if world.loggers(world.goals[k].owner)
        and world.at >= world.cycles[world.goals[k].cycle_id or CYCLE_ID].starts_at
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = _pick(draw, goals)
        goal = world.goals[goal_id]
        assert goal.cycle_id is not None
        return Attempt(
            LogProgress(
                goal_id=goal_id,
                kr_id=world.fresh("nokr"),
                value=1.0,
                confidence=0.5,
                actor=_pick(draw, world.loggers(goal.owner)),
                occurred_at=_checkin_time(draw, world, world.cycles[goal.cycle_id]),
            ),
            NotFound,
            "a key result the goal does not have",
        )

    return make if goals else None


@_invalid(1)
def _unknown_person(world: World) -> AttemptMake:
    def make(draw: st.DrawFn) -> Attempt:
        ghost = world.fresh("ghost")
        command = draw(
            st.sampled_from(
                [
                    GiveCoaching(person_id=ghost, actor="max", occurred_at=world.at),
                    KeepCommitment(
                        person_id=ghost, commitment_id="c", actor="max", occurred_at=world.at
                    ),
                    AddPerson(
                        person_id=world.fresh("p"),
                        name="New",
                        unit_id="sales",
                        manager_id=ghost,
                        actor="system",
                        occurred_at=world.at,
                    ),
                    AddPerson(
                        person_id=world.fresh("p"),
                        name="New",
                        unit_id=world.fresh("nounit"),
                        actor="system",
                        occurred_at=world.at,
                    ),
                ]
            )
        )
        return Attempt(command, NotFound, "a person or unit that does not exist")

    return make


def _set_goal_for(world: World, draw: st.DrawFn, **changes: Any) -> SetGoal:
    owner = Owner("person", _pick(draw, world.active()))
    fields: dict[str, Any] = {
        "goal_id": world.fresh_uuid(),
        "cycle_id": CYCLE_ID,
        "title": "A goal",
        "owner": _owner_spec(owner),
        "actor": _pick(draw, world.setters(owner)),
        "occurred_at": world.at,
    }
    return SetGoal(**{**fields, **changes})


@_invalid(1)
def _unknown_theme_or_cycle(world: World) -> AttemptMake | None:
    def make(draw: st.DrawFn) -> Attempt:
        if draw(st.booleans()):
            command = _set_goal_for(world, draw, theme_id=world.fresh("notheme"))
            return Attempt(command, NotFound, "a goal aligned to a theme that does not exist")
        command = _set_goal_for(world, draw, cycle_id=world.fresh_uuid())
        return Attempt(command, NotFound, "a goal in a cycle that does not exist")

    return make if CYCLE_ID in world.open_cycles() else None


@_invalid(1)
def _calibrate_unrecorded(world: World) -> AttemptMake | None:
    pairs = [
        (cycle_id, person, reviewer)
        for cycle_id, cycle in world.cycles.items()
        if world.at >= cycle.starts_at
        for person in world.org.people
        if (cycle_id, person) not in world.appraisals
        for reviewer in _reviewers(world)
        if reviewer != person
    ]

    def make(draw: st.DrawFn) -> Attempt:
        cycle_id, person, reviewer = _pick(draw, pairs)
        return Attempt(
            CalibrateRating(
                cycle_id=cycle_id,
                person_id=person,
                rating=3,
                reason="calibration",
                actor=reviewer,
                occurred_at=world.at,
            ),
            NotFound,
            "a calibration with no recorded appraisal",
        )

    return make if pairs else None


@_invalid(2)
def _out_of_range_values(world: World) -> AttemptMake:
    """Values the commands' schemas refuse: confidence, rating, weight, cadence, criteria."""
    nan, inf = float("nan"), float("inf")

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = world.fresh_uuid()
        progress = LogProgress(
            goal_id=goal_id, kr_id="kr", value=1.0, confidence=0.5, actor="ana", occurred_at=T0
        )
        appraisal = RecordAppraisal(
            cycle_id=CYCLE_ID, person_id="ana", rating=3, actor="max", occurred_at=world.at
        )
        weight = WeightGoal(goal_id=goal_id, weight=1.0, actor="max", occurred_at=world.at)
        cycle = OpenCycle(
            name="Q",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 3, 31),
            actor="cleo",
            occurred_at=world.at,
        )
        key_result = AddKeyResult(
            goal_id=goal_id,
            key_result=KeyResultSpec(kr_id="kr", name="KR"),
            actor="max",
            occurred_at=world.at,
        )
        bad_kr = draw(
            st.sampled_from(
                [
                    {"kr_id": "kr", "name": "KR", "baseline": 3.0, "target": 3.0},
                    {"kr_id": "kr", "name": "KR", "baseline": 5.0, "target": 3.0},
                    {"kr_id": "kr", "name": "KR", "target": 3.0, "direction": "decrease"},
                    {"kr_id": "kr", "name": "KR", "target": 3.0, "stretch": 2.0},
                    {"kr_id": "kr", "name": "KR", "milestone": True, "target": 5.0},
                    {"kr_id": "kr", "name": "KR", "target": inf},
                ]
            )
        )
        bad_confidence = draw(
            st.floats(max_value=-5e-324)  # strictly negative: -0.0 is a valid 0
            | st.floats(min_value=1.0, exclude_min=True)
            | st.just(nan)
        )
        bad_weight = draw(st.floats(max_value=0.0) | st.floats(min_value=1_000.0, exclude_min=True))
        options = [
            _json(progress, confidence=bad_confidence),
            _json(progress, value=draw(st.sampled_from([nan, inf, -inf]))),
            _json(appraisal, rating=draw(st.integers().filter(lambda r: r not in RATINGS))),
            _json(appraisal, rating=draw(st.sampled_from([3.0, True, "3"]))),
            _json(weight, weight=bad_weight),
            _json(cycle, cadence_days=draw(st.integers(max_value=0) | st.integers(min_value=367))),
            _json(cycle, ends_on="2025-12-31"),
            _json(key_result, key_result=bad_kr),
            _json(progress, occurred_at=world.at.replace(tzinfo=None).isoformat()),
            _json(progress, actor="two words"),
        ]
        return Attempt(_pick(draw, options), InvalidInput, "a value out of range")

    return make


@_invalid(1)
def _non_finite_policy(world: World) -> AttemptMake | None:
    cycles = world.open_cycles()
    nan, inf = float("nan"), float("inf")

    def make(draw: st.DrawFn) -> Attempt:
        policy = attrs.asdict(Policy())
        field = _pick(draw, ["stale_cadences", "guideline", "bonus_multipliers", "rating_floors"])
        bad = _pick(draw, [nan, inf])
        policy[field] = bad if field == "stale_cadences" else [bad, *policy[field][1:]]
        return Attempt(
            {
                "type": "AdoptPolicy",
                "cycle_id": str(_pick(draw, cycles)),
                "policy": policy,
                "actor": "cleo",
                "occurred_at": world.at.isoformat(),
            },
            InvalidInput,
            f"a policy with a non-finite {field}",
        )

    return make if cycles and "cleo" in world.executives() else None


@_invalid(2)
def _broken_criteria(world: World) -> AttemptMake | None:
    pairs = [
        (k, kr.id)
        for k in world.live_goals()
        for kr in world.goals[k].key_results.values()
        if world.adjusters(world.goals[k].owner)
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id, kr_id = _pick(draw, pairs)
        goal = world.goals[goal_id]
        kr = goal.key_results[kr_id]
        sign = 1 if kr.direction == Direction.INCREASE else -1
        wrong_side = _beyond(kr.baseline, -sign, MIN_GAP)
        if kr.milestone:
            target, why = 2.0, "a milestone target adjusted"
        elif wrong_side is None or draw(st.booleans()):
            target, why = kr.baseline, "a target equal to its baseline"
        else:
            target, why = draw(wrong_side), "a target on the wrong side of its baseline"
        return Attempt(
            AdjustTarget(
                goal_id=goal_id,
                kr_id=kr_id,
                target=target,
                reason="adjust",
                actor=_pick(draw, world.adjusters(goal.owner)),
                occurred_at=world.at,
            ),
            RuleViolated,
            why,
        )

    return make if pairs else None


@_invalid(2)
def _half_a_milestone(world: World) -> AttemptMake | None:
    pairs = [
        (k, kr.id)
        for k in world.live_goals()
        if world.loggers(world.goals[k].owner)
        and world.at >= world.cycles[world.goals[k].cycle_id or CYCLE_ID].starts_at
        for kr in world.goals[k].key_results.values()
        if kr.milestone
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id, kr_id = _pick(draw, pairs)
        goal = world.goals[goal_id]
        assert goal.cycle_id is not None
        return Attempt(
            LogProgress(
                goal_id=goal_id,
                kr_id=kr_id,
                value=draw(MEASURES.filter(lambda v: v not in (0.0, 1.0))),
                confidence=0.5,
                actor=_pick(draw, world.loggers(goal.owner)),
                occurred_at=_checkin_time(draw, world, world.cycles[goal.cycle_id]),
            ),
            RuleViolated,
            "a milestone logged as neither done nor not done",
        )

    return make if pairs else None


@_invalid(4)
def _progress_on_an_ended_goal(world: World) -> AttemptMake | None:
    goals = [
        k
        for k, g in world.goals.items()
        if g.status != "active"
        and g.key_results
        and g.cycle_id in world.open_cycles()
        and world.loggers(g.owner)
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = _pick(draw, goals)
        goal = world.goals[goal_id]
        return Attempt(
            LogProgress(
                goal_id=goal_id,
                kr_id=_pick(draw, list(goal.key_results)),
                value=1.0,
                confidence=0.5,
                actor=_pick(draw, world.loggers(goal.owner)),
                occurred_at=world.at,
            ),
            RuleViolated,
            f"progress on a {goal.status} goal",
        )

    return make if goals else None


@_invalid(2)
def _progress_outside_the_cycle(world: World) -> AttemptMake | None:
    goals = [
        k
        for k in world.live_goals()
        if world.goals[k].key_results and world.loggers(world.goals[k].owner)
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id = _pick(draw, goals)
        goal = world.goals[goal_id]
        assert goal.cycle_id is not None
        cycle = world.cycles[goal.cycle_id]
        hours = timedelta(hours=draw(st.integers(0, 2_000)))
        before, after = cycle.starts_at - timedelta(microseconds=1) - hours, cycle.ends_at + hours
        return Attempt(
            LogProgress(
                goal_id=goal_id,
                kr_id=_pick(draw, list(goal.key_results)),
                value=0.0,
                confidence=0.5,
                actor=_pick(draw, world.loggers(goal.owner)),
                occurred_at=_pick(draw, [before, after]),
            ),
            RuleViolated,
            "progress dated outside the goal's cycle",
        )

    return make if goals else None


@_invalid(3)
def _alignment_loop(world: World) -> AttemptMake | None:
    loops = [
        (k, target)
        for k in world.live_goals()
        if world.adjusters(world.goals[k].owner)
        for target in [k, *world.descendants(k)]
    ]

    def make(draw: st.DrawFn) -> Attempt:
        goal_id, target = _pick(draw, loops)
        return Attempt(
            RealignGoal(
                goal_id=goal_id,
                parent_goal_id=target,
                reason="loop",
                actor=_pick(draw, world.adjusters(world.goals[goal_id].owner)),
                occurred_at=world.at,
            ),
            RuleViolated,
            "a goal aligned to itself" if target == goal_id else "a goal aligned below itself",
        )

    return make if loops else None


@_invalid(6)
def _after_the_close(world: World) -> AttemptMake | None:
    closed = {k for k, c in world.cycles.items() if c.closed_at is not None}
    goals = [
        k
        for k, g in world.goals.items()
        if g.cycle_id in closed and world.adjusters(g.owner) and g.status == "active"
    ]
    coached = [
        (coach, person, k)
        for coach, person in _coached(world)
        for k, g in world.goals.items()
        if g.cycle_id in closed and g.owner == Owner("person", person)
    ]
    options: list[AttemptMake] = []

    def on_goal(draw: st.DrawFn) -> Attempt:
        goal_id = _pick(draw, goals)
        actor = _pick(draw, world.adjusters(world.goals[goal_id].owner))
        command = draw(
            st.sampled_from(
                [
                    WeightGoal(goal_id=goal_id, weight=7.5, actor=actor, occurred_at=world.at),
                    DropGoal(goal_id=goal_id, reason="late", actor=actor, occurred_at=world.at),
                ]
            )
        )
        return Attempt(command, RuleViolated, "a goal changed after its cycle closed")

    def coaching(draw: st.DrawFn) -> Attempt:
        coach, person, goal_id = _pick(draw, coached)
        return Attempt(
            GiveCoaching(person_id=person, goal_id=goal_id, actor=coach, occurred_at=world.at),
            RuleViolated,
            "coaching about a goal after its cycle closed",
        )

    def policy(draw: st.DrawFn) -> Attempt:
        return Attempt(
            AdoptPolicy(
                cycle_id=_pick(draw, sorted(closed)),
                policy=attrs.asdict(draw(policies())),
                actor="cleo",
                occurred_at=world.at,
            ),
            RuleViolated,
            "a policy adopted after the cycle closed",
        )

    if goals:
        options.append(on_goal)
    if coached:
        options.append(coaching)
    if closed and "cleo" in world.executives():
        options.append(policy)
    return _one_of(options)


@_invalid(1)
def _organization_rules(world: World) -> AttemptMake:
    """A reporting-line loop, a manager leaving before their reports, a duplicate person."""
    loops = [
        (p, r)
        for p in world.active()
        for r in [p, *(q for q in world.active() if p in world.org.manager_chain(q))]
    ]
    managers = [p for p in world.active() if world.org.reports_of(p)]

    def make(draw: st.DrawFn) -> Attempt:
        options: list[Attempt] = [
            Attempt(
                AddPerson(
                    person_id=_pick(draw, list(world.org.people)),
                    name="Again",
                    unit_id="hq",
                    actor="system",
                    occurred_at=world.at,
                ),
                RuleViolated,
                "a person added twice",
            )
        ]
        if loops:
            person, report = _pick(draw, loops)
            options.append(
                Attempt(
                    MovePerson(
                        person_id=person, manager_id=report, actor="system", occurred_at=world.at
                    ),
                    RuleViolated,
                    "a person put under themselves or one of their reports",
                )
            )
        if managers:
            options.append(
                Attempt(
                    RemovePerson(
                        person_id=_pick(draw, managers), actor="system", occurred_at=world.at
                    ),
                    RuleViolated,
                    "a manager leaving before their reports moved",
                )
            )
        return _pick(draw, options)

    return make


@_invalid(2)
def _repeats(world: World) -> AttemptMake | None:
    """What was already done: the policy already in force, a second review, a second record."""
    same_policy = world.open_cycles()
    reviewed = [k for k, g in world.goals.items() if g.reviewed and world.setters(g.owner)]
    recorded = [key for key in world.appraisals if _appraisers(world, key[1])]
    options: list[AttemptMake] = []

    def policy(draw: st.DrawFn) -> Attempt:
        cycle_id = _pick(draw, same_policy)
        return Attempt(
            AdoptPolicy(
                cycle_id=cycle_id,
                policy=attrs.asdict(world.cycles[cycle_id].policy),
                actor="cleo",
                occurred_at=world.at,
            ),
            RuleViolated,
            "the policy already in force adopted again",
        )

    if same_policy and "cleo" in world.executives():
        options.append(policy)
    if reviewed:

        def review(draw: st.DrawFn) -> Attempt:
            goal_id = _pick(draw, reviewed)
            return Attempt(
                ReviewGoal(
                    goal_id=goal_id,
                    actor=_pick(draw, world.setters(world.goals[goal_id].owner)),
                    occurred_at=world.at,
                ),
                RuleViolated,
                "a goal reviewed twice",
            )

        options.append(review)
    if recorded:

        def record(draw: st.DrawFn) -> Attempt:
            cycle_id, person = _pick(draw, recorded)
            return Attempt(
                RecordAppraisal(
                    cycle_id=cycle_id,
                    person_id=person,
                    rating=3,
                    actor=_pick(draw, _appraisers(world, person)),
                    occurred_at=world.at,
                ),
                RuleViolated,
                "an appraisal recorded twice",
            )

        options.append(record)
    return _one_of(options)


@_invalid(1)
def _too_early(world: World) -> AttemptMake | None:
    """A cycle closed, or a person appraised, before the cycle starts."""
    cycles = [k for k in world.open_cycles() if "cleo" in world.executives()]
    people = [p for p in world.org.people if _appraisers(world, p)]

    def make(draw: st.DrawFn) -> Attempt:
        cycle_id = _pick(draw, cycles)
        before = world.cycles[cycle_id].starts_at - timedelta(hours=draw(st.integers(1, 500)))
        if draw(st.booleans()):
            return Attempt(
                CloseCycle(cycle_id=cycle_id, actor="cleo", occurred_at=before),
                RuleViolated,
                "a cycle closed before it starts",
            )
        person = _pick(draw, people)
        return Attempt(
            RecordAppraisal(
                cycle_id=cycle_id,
                person_id=person,
                rating=3,
                actor=_pick(draw, _appraisers(world, person)),
                occurred_at=before,
            ),
            RuleViolated,
            "an appraisal dated before the cycle starts",
        )

    return make if cycles and people else None


@_invalid(2)
def _wrong_owner(world: World) -> AttemptMake | None:
    """A developmental goal for a unit, or a goal for someone who left."""
    left = [p.id for p in world.org.people.values() if not p.active]

    def make(draw: st.DrawFn) -> Attempt:
        if draw(st.booleans()) and left:
            return Attempt(
                _set_goal_for(
                    world, draw, owner=_owner_spec(Owner("person", _pick(draw, left))), actor="cleo"
                ),
                RuleViolated,
                "a goal for someone who left",
            )
        return Attempt(
            _set_goal_for(
                world,
                draw,
                owner=_owner_spec(Owner("unit", _pick(draw, list(world.org.units)))),
                kind=GoalKind.DEVELOPMENTAL,
                actor="cleo",
            ),
            RuleViolated,
            "a developmental goal for a unit",
        )

    ready = CYCLE_ID in world.open_cycles() and "cleo" in world.executives()
    return make if ready else None
