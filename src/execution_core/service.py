"""The application service: one command in, the rules of every stream it touches, events out.

Each command writes exactly one stream, atomically, with optimistic concurrency. The states of
other streams it must respect (the organization, the cycle, the strategy, the goals above a new
parent) are read just before deciding. See docs/architecture.md for what that guarantees.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Self, TypeVar
from uuid import UUID, uuid4

import attrs
from pydantic import ValidationError

from execution_core.access import AccessPolicy, DefaultAccessPolicy, Owner
from execution_core.appraisals import commands as appraisal_cmd
from execution_core.appraisals.decider import APPRAISAL
from execution_core.appraisals.state import Appraisal, RecordedAppraisal
from execution_core.catalog import invalid_command, parse_command
from execution_core.coaching import commands as coaching_cmd
from execution_core.coaching.decider import COACHING
from execution_core.coaching.events import CoachingKind
from execution_core.coaching.state import OpenedCoachingJournal
from execution_core.command import Command, Receipt
from execution_core.command import idempotency_key as idempotency_key_checked
from execution_core.cycles import commands as cycle_cmd
from execution_core.cycles.decider import CYCLE
from execution_core.cycles.state import Cycle, OpenedCycle
from execution_core.decider import Context, Decider
from execution_core.errors import (
    ConcurrentChange,
    DatedInTheFuture,
    ExecutionError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    StoreUnavailable,
)
from execution_core.event import Event
from execution_core.folding import without_cyclic_gc
from execution_core.goals import commands as goal_cmd
from execution_core.goals.decider import GOAL
from execution_core.goals.events import GoalKind
from execution_core.goals.state import Goal, OpenedGoal
from execution_core.ids import (
    ORGANIZATION_ID,
    STRATEGY_ID,
    appraisal_stream_id,
    coaching_stream_id,
)
from execution_core.organization import commands as org_cmd
from execution_core.organization.decider import ORGANIZATION
from execution_core.organization.events import Role
from execution_core.organization.state import Organization
from execution_core.plain import JsonForm
from execution_core.policy import Policy
from execution_core.ports import EventStore
from execution_core.retrying import Backoff
from execution_core.states import opened_as
from execution_core.strategy import commands as strategy_cmd
from execution_core.strategy.decider import STRATEGY
from execution_core.strategy.events import Perspective
from execution_core.strategy.state import Strategy
from execution_core.streams import REGISTRY
from execution_core.views.history import LedgerHistory, stream_state
from execution_core.views.ledger import Ledger

__all__ = [
    "DEFAULT_FUTURE_TOLERANCE",
    "DEFAULT_STORE",
    "STORE_VARIABLE",
    "Execution",
    "Outcome",
    "store_url",
]

DEFAULT_STORE = "sqlite:///execution.db"
"""The store ``Execution.open`` and every command of the command line use when none is named
and :data:`STORE_VARIABLE` is not set."""

STORE_VARIABLE = "EXECUTION_CORE_STORE"

DEFAULT_FUTURE_TOLERANCE = timedelta(days=1)
"""How far ahead of the store's clock a fact may be dated unless the facade is told otherwise:
a day absorbs time zones and skewed clocks; a fact dated further (a typo for next year) is
refused rather than recorded for good."""
"""The environment variable naming the store (a URL) when the code or the command line names
none: read by ``Execution.open()`` and every command of the command line."""


def store_url(url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The store to open: ``url`` if given, else the :data:`STORE_VARIABLE` of ``environ``
    (the process environment by default) when set and not empty, else :data:`DEFAULT_STORE`."""
    if url is not None:
        return url
    named = (os.environ if environ is None else environ).get(STORE_VARIABLE, "")
    return named or DEFAULT_STORE


S = TypeVar("S")
C = TypeVar("C", bound=Command)


class _Keep:
    """Marks an argument left out (distinct from an explicit ``None``)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _ids_of(fields: Iterable[tuple[str, object]]) -> dict[str, object]:
    """The ids a command names (its actor and every ``..._id`` field given), for its errors."""
    return {
        name: value
        for name, value in fields
        if (name == "actor" or name.endswith("_id")) and value is not None
    }


def _owner(owner: str | Owner | Mapping[str, str]) -> Mapping[str, str]:
    if isinstance(owner, str):
        return {"kind": "person", "id": owner}
    if isinstance(owner, Owner):
        return {"kind": owner.kind, "id": owner.id}
    return owner


STORE_ENTRY_POINTS = "execution_core.stores"
"""The entry-point group ``Execution.open`` finds a store opener in: the adapters declare one
(pyproject.toml), so the core never names its adapter."""


def _store_opener() -> Callable[..., EventStore]:
    """The installed store opener (the first of the group, by name)."""
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=STORE_ENTRY_POINTS), key=lambda point: point.name)
    if not found:
        raise StoreUnavailable(
            f"no store adapter is installed (entry points {STORE_ENTRY_POINTS!r}): "
            "pip install execution-core"
        )
    opener: Callable[..., EventStore] = found[0].load()
    return opener


@attrs.frozen
class Outcome(JsonForm):
    """What one command recorded: the stream it wrote, the events, and the state they lead to
    (``to_dict()``/``to_json()`` give it as JSON data)."""

    stream_id: UUID
    events: tuple[Event, ...]
    state: object
    replayed: bool = False
    """True when an idempotency key had already recorded the command: these are the events
    it recorded then, and the state they led to."""


class Execution:
    """The facade an app uses: open a store, run commands, read states and events.

    Every method that records takes ``actor`` (who asks) and ``occurred_at`` (business time,
    aware), and, like :meth:`execute`, ``retries`` and ``idempotency_key``; a refused command
    raises a subclass of ``ExecutionError`` and records nothing. Those methods return the
    stream's opened state (``OpenedGoal``...), whose ids are never None. ``backoff`` says how
    long to wait between retries (:class:`~execution_core.retrying.Backoff`).
    """

    def __init__(
        self,
        store: EventStore,
        *,
        access: AccessPolicy | None = None,
        new_id: Callable[[], UUID] = uuid4,
        backoff: Backoff | None = None,
        future_tolerance: timedelta | None = DEFAULT_FUTURE_TOLERANCE,
    ) -> None:
        if future_tolerance is not None and future_tolerance < timedelta(0):
            raise InvalidInput("future_tolerance must not be negative")
        self.store = store
        self.access: AccessPolicy = access or DefaultAccessPolicy()
        self.backoff = backoff or Backoff()
        self._new_id = new_id
        self.future_tolerance = future_tolerance
        """How far ahead of the store's clock a fact may be dated (:data:`DEFAULT_FUTURE_TOLERANCE`
        unless given; None: any date, for replays of histories recorded so); a command dated
        further is refused with ``DatedInTheFuture`` and records nothing."""
        self._ledger_history: LedgerHistory | None = None

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        access: AccessPolicy | None = None,
        new_id: Callable[[], UUID] = uuid4,
        backoff: Backoff | None = None,
        future_tolerance: timedelta | None = DEFAULT_FUTURE_TOLERANCE,
        **store_options: Any,
    ) -> Execution:
        """Open a store by URL: ``memory://``, ``sqlite:///path.db`` (or a plain path),
        ``postgresql://user@host:port/dbname?sslmode=require`` (any libpq parameter). With no
        URL, the environment variable :data:`STORE_VARIABLE` names it, else
        :data:`DEFAULT_STORE`. Options go to the store adapter."""
        return cls(
            _store_opener()(store_url(url), **store_options),
            access=access,
            new_id=new_id,
            backoff=backoff,
            future_tolerance=future_tolerance,
        )

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- running commands ------------------------------------------------------------------

    def execute(
        self,
        command: Command | Mapping[str, Any] | str | bytes,
        *,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Validate (if untrusted), decide and record one command; return what it recorded.

        With ``retries``, a ``ConcurrentChange`` (another writer took the stream's next version
        between our read and our write) is answered by re-reading, re-deciding and re-trying,
        up to that many times, after the facade's ``backoff`` wait; the rules are checked
        again on the fresh state each time.

        With ``idempotency_key`` (or an ``"idempotency_key"`` field in a JSON command), the
        command records at most once: a retry with the same key returns the first outcome
        (``replayed`` true) without deciding again, and the same key with another command
        raises ``IdempotencyKeyReused``. The key's receipt is stored in the transaction of the
        events; a lost connection (``StoreUnavailable``) is then retried too, being safe.

        Every error raised names the command (``error.command``) and its ids (``error.ids``).
        """
        key = idempotency_key
        if not isinstance(command, Command):
            command, key = self._untrusted(command, key)
        try:
            decider = REGISTRY.for_command(command)
            if key is None:
                assigned: Command = decider.assign_ids(command, self._new_id)
                if retries == 0:  # one try: no policy to ask, nothing to wait for
                    return self._execute_once(decider, assigned)
                return self.backoff.run(
                    lambda: self._execute_once(decider, assigned),
                    retries=retries,
                    retry_if=(ConcurrentChange,),
                )
            return self._execute_keyed(decider, command, idempotency_key_checked(key), retries)
        except ExecutionError as error:
            error.concerning(command.command_name, _ids_of(command))
            raise

    def _execute_keyed(
        self, decider: Decider[Any], command: Command, key: str, retries: int
    ) -> Outcome:
        fingerprint = Receipt.fingerprint_of(command)
        assigned: Command = decider.assign_ids(command, self._new_id)

        # Optimistic: decide and record with the receipt; only a refusal, a conflict or a
        # decision that records nothing asks whether the key already recorded the command
        # (a second receipt for a key cannot be stored, so a retry never records twice).
        def attempt() -> Outcome:
            try:
                outcome = self._execute_once(decider, assigned, (key, fingerprint))
            except StoreUnavailable:
                raise
            except ExecutionError:
                replayed = self._replay(key, fingerprint)
                if replayed is not None:
                    return replayed
                raise
            if outcome.events:
                return outcome
            return self._replay(key, fingerprint) or outcome

        return self.backoff.run(
            attempt, retries=retries, retry_if=(ConcurrentChange, StoreUnavailable)
        )

    @staticmethod
    def _untrusted(
        command: Mapping[str, Any] | str | bytes, key: str | None
    ) -> tuple[Command, str | None]:
        """Parse a JSON or dict command, taking its ``idempotency_key`` field out first."""
        data: object = command
        if isinstance(command, str | bytes | bytearray):
            try:
                data = json.loads(command)
            except ValueError:
                data = command  # parse_command names the problem
            except RecursionError:
                raise InvalidInput("malformed JSON: nested too deeply") from None
        if isinstance(data, Mapping) and "idempotency_key" in data:
            fields = dict(data)
            given = fields.pop("idempotency_key")
            if given is None:
                return parse_command(fields), key
            if key is not None and given != key:
                raise InvalidInput("two different idempotency keys given for one command")
            return parse_command(fields), idempotency_key_checked(given)
        return parse_command(data), key

    def _replay(self, key: str, fingerprint: str) -> Outcome | None:
        """The outcome a key already recorded, if it did (see ``execute``)."""
        receipt = self.store.receipt(key)
        if receipt is None:
            return None
        if receipt.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                f"idempotency key {key!r} already recorded another command (in stream "
                f"{receipt.stream_id}); nothing was recorded",
                key=key,
                stream_id=receipt.stream_id,
            )
        decider = REGISTRY.named(receipt.stream)
        events = tuple(
            self.store.read(
                receipt.stream_id, after=receipt.first_version - 1, upto=receipt.last_version
            )
        )
        state = self.store.load(receipt.stream_id, decider)
        if getattr(state, "version", None) != receipt.last_version:
            state = decider.fold(self.store.read(receipt.stream_id, upto=receipt.last_version))
        return Outcome(receipt.stream_id, events, state, replayed=True)

    def _execute_once(
        self, decider: Decider[Any], command: Command, key: tuple[str, str] | None = None
    ) -> Outcome:
        stream_id = decider.stream_id(command)
        # A store may let the decision use its cached states of the streams the command reads
        # and check, in the write's transaction, that they are still current. Only a decision
        # that records is checked so: one that refuses or records nothing on cached states is
        # made again on fresh reads, as is one whose check failed.
        read_set = [ORGANIZATION_ID, stream_id, *decider.reads(command)]
        with self.store.reading(read_set) as assumed:
            try:
                outcome = self._decide_and_record(decider, stream_id, command, key)
            except StoreUnavailable:
                raise
            except ExecutionError:
                if not assumed:
                    raise
            else:
                if outcome.events or not assumed:
                    return outcome
        return self._decide_and_record(decider, stream_id, command, key)

    def _decide_and_record(
        self,
        decider: Decider[Any],
        stream_id: UUID,
        command: Command,
        key: tuple[str, str] | None,
    ) -> Outcome:
        store = self.store  # the event log the decision is read from and appended to
        context = Context(now=store.now(), org=self._org(), access=self.access)
        self._refuse_future(command, context.now)
        state, events = decider.decide_on(stream_id, command, context, store)
        if not events:
            return Outcome(stream_id, (), state)
        new_state = decider.fold(events, state)
        if key is None:
            store.append(events, decider, new_state)
        else:
            receipt = Receipt(
                key=key[0],
                fingerprint=key[1],
                stream=decider.stream,
                stream_id=stream_id,
                first_version=events[0].version,
                last_version=events[-1].version,
            )
            store.append_once(events, decider, new_state, receipt)
        return Outcome(stream_id, events, new_state)

    def _refuse_future(self, command: Command, now: datetime) -> None:
        """Refuse a fact dated beyond the tolerance ahead of the store's clock."""
        tolerance = self.future_tolerance
        # Compared as a difference: ``now + tolerance`` overflows for a tolerance near
        # timedelta.max, which the facade accepts.
        if tolerance is not None and command.occurred_at - now > tolerance:
            raise DatedInTheFuture(
                f"{type(command).__name__} dated {command.occurred_at.isoformat()} is more than "
                f"{tolerance} ahead of the store's clock ({now.isoformat()}): nothing was "
                "recorded"
            )

    def _org(self) -> Organization:
        return self.store.load(ORGANIZATION_ID, ORGANIZATION)

    def _state(
        self,
        form: type[S],
        cls: type[Command],
        /,
        *,
        retries: int,
        idempotency_key: str | None,
        **fields: Any,
    ) -> S:
        """Build a command from a facade method's arguments, run it, and give the state it led
        to in its opened ``form`` (a field the command refuses is ``InvalidInput``, as for an
        untrusted command)."""
        try:
            command = cls(**fields)
        except ValidationError as error:
            invalid = invalid_command(cls.__name__, error)
            invalid.concerning(cls.__name__, _ids_of(fields.items()))
            raise invalid from None
        outcome = self.execute(command, retries=retries, idempotency_key=idempotency_key)
        return opened_as(outcome.state, form)

    # -- organization ------------------------------------------------------------------------

    def found_unit(
        self,
        unit_id: str,
        name: str,
        *,
        parent_id: str | None = None,
        lead_id: str | None = None,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Found a unit under ``parent_id`` (or at the top)."""
        return self._state(
            Organization,
            org_cmd.FoundUnit,
            unit_id=unit_id,
            name=name,
            parent_id=parent_id,
            lead_id=lead_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def appoint_unit_lead(
        self,
        unit_id: str,
        lead_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Make a person the lead of a unit."""
        return self._state(
            Organization,
            org_cmd.AppointUnitLead,
            unit_id=unit_id,
            lead_id=lead_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def add_person(
        self,
        person_id: str,
        name: str,
        unit_id: str,
        *,
        manager_id: str | None = None,
        roles: Sequence[Role | str] = (),
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Bring a person into a unit, reporting to ``manager_id`` (their default coach)."""
        return self._state(
            Organization,
            org_cmd.AddPerson,
            person_id=person_id,
            name=name,
            unit_id=unit_id,
            manager_id=manager_id,
            roles=roles,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def move_person(
        self,
        person_id: str,
        *,
        unit_id: str | None = None,
        manager_id: str | _Keep | None = KEEP,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Change a person's unit and/or manager (``manager_id=None``: no manager)."""
        kept = {} if isinstance(manager_id, _Keep) else {"manager_id": manager_id}
        return self._state(
            Organization,
            org_cmd.MovePerson,
            person_id=person_id,
            unit_id=unit_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
            **kept,
        )

    def remove_person(
        self,
        person_id: str,
        *,
        reason: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Record that a person left (their reports must be moved first)."""
        return self._state(
            Organization,
            org_cmd.RemovePerson,
            person_id=person_id,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def erase_person(
        self,
        person_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Erase a person's personal data: records ``PersonErased`` (whoever may administer the
        organization may), and the store deletes the person's key, so their name and the notes
        and comments about them read as erased everywhere (see docs/privacy.md)."""
        return self._state(
            Organization,
            org_cmd.ErasePerson,
            person_id=person_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def set_roles(
        self,
        person_id: str,
        roles: Sequence[Role | str],
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Set a person's roles to exactly these."""
        return self._state(
            Organization,
            org_cmd.SetRoles,
            person_id=person_id,
            roles=roles,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def authorise_coach(
        self,
        coach_id: str,
        person_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """Let someone outside the reporting line coach a person."""
        return self._state(
            Organization,
            org_cmd.AuthoriseCoach,
            coach_id=coach_id,
            person_id=person_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def deauthorise_coach(
        self,
        coach_id: str,
        person_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Organization:
        """End a coach's authorisation for a person."""
        return self._state(
            Organization,
            org_cmd.DeauthoriseCoach,
            coach_id=coach_id,
            person_id=person_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- strategy ----------------------------------------------------------------------------

    def define_strategy(
        self,
        vision: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Strategy:
        """State or restate the vision."""
        return self._state(
            Strategy,
            strategy_cmd.DefineStrategy,
            vision=vision,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def add_theme(
        self,
        theme_id: str,
        title: str,
        *,
        perspective: Perspective | str | None = None,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Strategy:
        """Add a strategic theme goals can align to."""
        return self._state(
            Strategy,
            strategy_cmd.AddTheme,
            theme_id=theme_id,
            title=title,
            perspective=perspective,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def retire_theme(
        self,
        theme_id: str,
        *,
        reason: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> Strategy:
        """Retire a theme: it takes no new goals."""
        return self._state(
            Strategy,
            strategy_cmd.RetireTheme,
            theme_id=theme_id,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- cycles ------------------------------------------------------------------------------

    def open_cycle(
        self,
        name: str,
        starts_on: date,
        ends_on: date,
        *,
        cadence_days: int = 7,
        policy: Policy | None = None,
        cycle_id: UUID | None = None,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCycle:
        """Open a cycle; its policy (default ``Policy()``) is adopted with it."""
        return self._state(
            OpenedCycle,
            cycle_cmd.OpenCycle,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            cadence_days=cadence_days,
            policy=None if policy is None else attrs.asdict(policy),
            cycle_id=cycle_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def adopt_policy(
        self,
        cycle_id: UUID,
        policy: Policy,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCycle:
        """Put a new policy in force in a cycle from ``occurred_at`` on."""
        return self._state(
            OpenedCycle,
            cycle_cmd.AdoptPolicy,
            cycle_id=cycle_id,
            policy=attrs.asdict(policy),
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def close_cycle(
        self,
        cycle_id: UUID,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCycle:
        """Close a cycle: from then on its goals take only reviews, whatever their date."""
        return self._state(
            OpenedCycle,
            cycle_cmd.CloseCycle,
            cycle_id=cycle_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- goals -------------------------------------------------------------------------------

    def set_goal(
        self,
        cycle_id: UUID,
        title: str,
        owner: str | Owner,
        *,
        kind: GoalKind | str = GoalKind.INDIVIDUAL,
        theme_id: str | None = None,
        parent_goal_id: UUID | None = None,
        weight: float = 1.0,
        key_results: Sequence[goal_cmd.KeyResultSpec | Mapping[str, Any]] = (),
        actions: Sequence[goal_cmd.ActionSpec | Mapping[str, Any]] = (),
        goal_id: UUID | None = None,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Set a goal for a person (``owner="ana"``) or a unit (``Owner("unit", "sales")``),
        aligned to a theme or a parent goal, with its key results and action plan."""
        return self._state(
            OpenedGoal,
            goal_cmd.SetGoal,
            cycle_id=cycle_id,
            title=title,
            owner=_owner(owner),
            kind=kind,
            theme_id=theme_id,
            parent_goal_id=parent_goal_id,
            weight=weight,
            key_results=key_results,
            actions=actions,
            goal_id=goal_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def add_key_result(
        self,
        goal_id: UUID,
        key_result: goal_cmd.KeyResultSpec | Mapping[str, Any],
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Add a key result to a goal."""
        return self._state(
            OpenedGoal,
            goal_cmd.AddKeyResult,
            goal_id=goal_id,
            key_result=key_result,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def log_progress(
        self,
        goal_id: UUID,
        kr_id: str,
        *,
        value: float,
        confidence: float,
        comment: str = "",
        source: str = "check-in",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Check in: a key result's value now, and the confidence (0..1) of reaching it;
        ``source`` says where the reading came from (``"check-in"``, an integration's name)."""
        return self._state(
            OpenedGoal,
            goal_cmd.LogProgress,
            goal_id=goal_id,
            kr_id=kr_id,
            value=value,
            confidence=confidence,
            comment=comment,
            source=source,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def adjust_target(
        self,
        goal_id: UUID,
        kr_id: str,
        *,
        target: float,
        stretch: float | None = None,
        reason: str,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Agree a new target (and stretch) for a key result, saying why."""
        return self._state(
            OpenedGoal,
            goal_cmd.AdjustTarget,
            goal_id=goal_id,
            kr_id=kr_id,
            target=target,
            stretch=stretch,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def realign_goal(
        self,
        goal_id: UUID,
        *,
        theme_id: str | None = None,
        parent_goal_id: UUID | None = None,
        reason: str,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Align a goal to another theme or parent goal (neither: to nothing)."""
        return self._state(
            OpenedGoal,
            goal_cmd.RealignGoal,
            goal_id=goal_id,
            theme_id=theme_id,
            parent_goal_id=parent_goal_id,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def reassign_goal(
        self,
        goal_id: UUID,
        owner: str | Owner,
        *,
        reason: str,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Hand a goal to another owner."""
        return self._state(
            OpenedGoal,
            goal_cmd.ReassignGoal,
            goal_id=goal_id,
            owner=_owner(owner),
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def weight_goal(
        self,
        goal_id: UUID,
        weight: float,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Change a goal's weight."""
        return self._state(
            OpenedGoal,
            goal_cmd.WeightGoal,
            goal_id=goal_id,
            weight=weight,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def plan_action(
        self,
        goal_id: UUID,
        action: goal_cmd.ActionSpec | Mapping[str, Any],
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Add a task to a goal's plan."""
        return self._state(
            OpenedGoal,
            goal_cmd.PlanAction,
            goal_id=goal_id,
            action=action,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def complete_action(
        self,
        goal_id: UUID,
        action_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Mark a planned task done."""
        return self._state(
            OpenedGoal,
            goal_cmd.CompleteAction,
            goal_id=goal_id,
            action_id=action_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def drop_action(
        self,
        goal_id: UUID,
        action_id: str,
        *,
        reason: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Drop a planned task."""
        return self._state(
            OpenedGoal,
            goal_cmd.DropAction,
            goal_id=goal_id,
            action_id=action_id,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def complete_goal(
        self,
        goal_id: UUID,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Declare a goal complete."""
        return self._state(
            OpenedGoal,
            goal_cmd.CompleteGoal,
            goal_id=goal_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def drop_goal(
        self,
        goal_id: UUID,
        *,
        reason: str,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Abandon a goal, saying why."""
        return self._state(
            OpenedGoal,
            goal_cmd.DropGoal,
            goal_id=goal_id,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def review_goal(
        self,
        goal_id: UUID,
        *,
        worked: str = "",
        did_not_work: str = "",
        lessons: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedGoal:
        """Record the game review of a goal (allowed after its cycle closed)."""
        return self._state(
            OpenedGoal,
            goal_cmd.ReviewGoal,
            goal_id=goal_id,
            worked=worked,
            did_not_work=did_not_work,
            lessons=lessons,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- coaching ----------------------------------------------------------------------------

    def give_coaching(
        self,
        person_id: str,
        *,
        kind: CoachingKind | str = CoachingKind.GUIDANCE,
        note: str = "",
        goal_id: UUID | None = None,
        commitments: Sequence[coaching_cmd.CommitmentSpec | Mapping[str, Any]] = (),
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCoachingJournal:
        """The actor coaches a person (about a goal, or in general) and may agree commitments."""
        return self._state(
            OpenedCoachingJournal,
            coaching_cmd.GiveCoaching,
            person_id=person_id,
            kind=kind,
            note=note,
            goal_id=goal_id,
            commitments=commitments,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def make_commitment(
        self,
        person_id: str,
        commitment: coaching_cmd.CommitmentSpec | Mapping[str, Any],
        *,
        goal_id: UUID | None = None,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCoachingJournal:
        """Record a commitment outside a coaching conversation."""
        return self._state(
            OpenedCoachingJournal,
            coaching_cmd.MakeCommitment,
            person_id=person_id,
            commitment=commitment,
            goal_id=goal_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def keep_commitment(
        self,
        person_id: str,
        commitment_id: str,
        *,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCoachingJournal:
        """Record that a commitment was kept."""
        return self._state(
            OpenedCoachingJournal,
            coaching_cmd.KeepCommitment,
            person_id=person_id,
            commitment_id=commitment_id,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def miss_commitment(
        self,
        person_id: str,
        commitment_id: str,
        *,
        note: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> OpenedCoachingJournal:
        """Record that a commitment was missed."""
        return self._state(
            OpenedCoachingJournal,
            coaching_cmd.MissCommitment,
            person_id=person_id,
            commitment_id=commitment_id,
            note=note,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- appraisals --------------------------------------------------------------------------

    def record_appraisal(
        self,
        cycle_id: UUID,
        person_id: str,
        rating: int,
        *,
        summary: str = "",
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> RecordedAppraisal:
        """The actor, as reviewer, records a person's rating (1..5) for a cycle."""
        return self._state(
            RecordedAppraisal,
            appraisal_cmd.RecordAppraisal,
            cycle_id=cycle_id,
            person_id=person_id,
            rating=rating,
            summary=summary,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    def calibrate_rating(
        self,
        cycle_id: UUID,
        person_id: str,
        rating: int,
        *,
        reason: str,
        actor: str,
        occurred_at: datetime,
        retries: int = 0,
        idempotency_key: str | None = None,
    ) -> RecordedAppraisal:
        """Change a recorded rating in calibration, saying why."""
        return self._state(
            RecordedAppraisal,
            appraisal_cmd.CalibrateRating,
            cycle_id=cycle_id,
            person_id=person_id,
            rating=rating,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            retries=retries,
            idempotency_key=idempotency_key,
        )

    # -- reading ----------------------------------------------------------------------------

    def organization(self) -> Organization:
        """The organization as it stands."""
        return self._org()

    def strategy(self) -> Strategy:
        """The strategy as it stands."""
        return self.store.load(STRATEGY_ID, STRATEGY)

    def cycle(self, cycle_id: UUID) -> OpenedCycle:
        """A cycle as it stands; ``NotFound`` for a cycle never opened."""
        cycle = self.store.load(cycle_id, CYCLE)
        if not cycle.opened:
            raise NotFound(f"unknown cycle {cycle_id}", kind="cycle", id=cycle_id)
        return opened_as(cycle, OpenedCycle)

    def goal(self, goal_id: UUID) -> OpenedGoal:
        """A goal as it stands; ``NotFound`` for a goal never set."""
        goal = self.store.load(goal_id, GOAL)
        if not goal.exists:
            raise NotFound(f"unknown goal {goal_id}", kind="goal", id=goal_id)
        return opened_as(goal, OpenedGoal)

    def coaching_journal(self, person_id: str) -> OpenedCoachingJournal:
        """A person's coaching journal (empty before their first coaching); ``NotFound`` for
        a person the organization never had."""
        if self._org().person(person_id) is None:
            raise NotFound(f"unknown person {person_id!r}", kind="person", id=person_id)
        journal = self.store.load(coaching_stream_id(person_id), COACHING)
        return opened_as(journal, OpenedCoachingJournal, person_id=person_id)

    def appraisal(self, cycle_id: UUID, person_id: str) -> RecordedAppraisal:
        """A person's appraisal for a cycle; ``NotFound`` until a reviewer recorded it."""
        appraisal = self.store.load(appraisal_stream_id(cycle_id, person_id), APPRAISAL)
        if not appraisal.recorded:
            raise NotFound(
                f"no appraisal of {person_id!r} recorded for cycle {cycle_id}",
                kind="appraisal",
                ids={"cycle_id": cycle_id, "person_id": person_id},
            )
        return opened_as(appraisal, RecordedAppraisal)

    def events(self, stream_id: UUID) -> list[Event]:
        """Every event of one stream, in order."""
        return self.store.read(stream_id)

    def history(self, *, after: int = 0) -> list[Event]:
        """Every event of the store, in the order it was recorded."""
        with without_cyclic_gc():  # decoded events form no cycles (see folding)
            return [recorded.event for recorded in self.store.read_all(after=after)]

    # -- bitemporal reading (docs/audit.md) -------------------------------------------------

    def state_as_of(
        self,
        stream_id: UUID,
        decider: Decider[S],
        *,
        as_of: datetime | None = None,
        as_at: datetime | None = None,
    ) -> S:
        """A stream's state as the system knew it at recorded time ``as_of`` (its events
        recorded by then) and as things were at business time ``as_at`` (those that had
        happened by then); either or both (see ``views.history.stream_state``)."""
        return stream_state(self.store.read(stream_id), decider, as_of=as_of, as_at=as_at)

    def organization_as_of(
        self, *, as_of: datetime | None = None, as_at: datetime | None = None
    ) -> Organization:
        """The organization as known at ``as_of`` and as it was at ``as_at``."""
        return self.state_as_of(ORGANIZATION_ID, ORGANIZATION, as_of=as_of, as_at=as_at)

    def strategy_as_of(
        self, *, as_of: datetime | None = None, as_at: datetime | None = None
    ) -> Strategy:
        """The strategy as known at ``as_of`` and as it was at ``as_at``."""
        return self.state_as_of(STRATEGY_ID, STRATEGY, as_of=as_of, as_at=as_at)

    def cycle_as_of(
        self, cycle_id: UUID, *, as_of: datetime | None = None, as_at: datetime | None = None
    ) -> Cycle:
        """A cycle as known at ``as_of`` and as it was at ``as_at`` (opened: an
        ``OpenedCycle``; else the plain ``Cycle``, ``opened`` false)."""
        cycle = self.state_as_of(cycle_id, CYCLE, as_of=as_of, as_at=as_at)
        return opened_as(cycle, OpenedCycle) if cycle.opened else cycle

    def goal_as_of(
        self, goal_id: UUID, *, as_of: datetime | None = None, as_at: datetime | None = None
    ) -> Goal:
        """A goal as known at ``as_of`` and as it was at ``as_at`` (set: an ``OpenedGoal``;
        else the plain ``Goal``, ``exists`` false)."""
        goal = self.state_as_of(goal_id, GOAL, as_of=as_of, as_at=as_at)
        return opened_as(goal, OpenedGoal) if goal.exists else goal

    def coaching_journal_as_of(
        self, person_id: str, *, as_of: datetime | None = None, as_at: datetime | None = None
    ) -> OpenedCoachingJournal:
        """A person's coaching journal as known at ``as_of`` and as it was at ``as_at`` (empty
        before their first coaching, as :meth:`coaching_journal`)."""
        journal = self.state_as_of(
            coaching_stream_id(person_id), COACHING, as_of=as_of, as_at=as_at
        )
        return opened_as(journal, OpenedCoachingJournal, person_id=person_id)

    def appraisal_as_of(
        self,
        cycle_id: UUID,
        person_id: str,
        *,
        as_of: datetime | None = None,
        as_at: datetime | None = None,
    ) -> Appraisal:
        """A person's appraisal as known at ``as_of`` and as it was at ``as_at`` (recorded: a
        ``RecordedAppraisal``; else the plain ``Appraisal``, ``recorded`` false)."""
        appraisal = self.state_as_of(
            appraisal_stream_id(cycle_id, person_id), APPRAISAL, as_of=as_of, as_at=as_at
        )
        return opened_as(appraisal, RecordedAppraisal) if appraisal.recorded else appraisal

    def ledger_history(self) -> LedgerHistory:
        """The ledger at any recorded time, from checkpoints kept in memory by this facade and
        caught up with the store on every call (the first call folds the whole history once)."""
        if self._ledger_history is None:
            self._ledger_history = LedgerHistory(self.store)
        self._ledger_history.catch_up()
        return self._ledger_history

    def ledger_as_of(self, as_of: datetime | None = None) -> Ledger:
        """The ledger of the events recorded by ``as_of`` (all of them when None), for any
        view; the views' ``at`` is the business time."""
        return self.ledger_history().as_of(as_of)
