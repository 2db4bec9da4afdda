"""The dispatcher: delivers the signal log to the subscriptions, each from its own position.

Each pass reads, per subscription, the signals after its position (``batch`` at a time), keeps
those that pass its filters and that its recipient may receive under the access policy, and
delivers them in the log's order:

- **to a Python handler, exactly once**: the handler is called with a :class:`Delivery` whose
  ``cursor`` is inside the transaction that then moves the subscription's position; what the
  handler writes through it commits with that position or not at all. A handler that raises
  is tried again (``backoff``), each try undone alone (a savepoint); after the last, the signal
  is parked as a dead letter in the same transaction. A handler's effects outside that
  transaction (a message sent, memory) are at least once: a kill after the call and before
  the commit calls it again for that batch after a restart.
- **to a webhook, at least once**: each signal is posted (see :mod:`.webhook`) before the
  transaction that moves the position past it; a kill in between posts it again after a
  restart, with the same ``Idempotency-Key`` header. After ``backoff.attempts`` tries (or at
  once on a permanent refusal, a 4xx) it is parked as a dead letter and the subscription goes
  on with the next signal. No database transaction is open during a post.

Dead letters are replayed with :meth:`Dispatcher.replay` (``execution-core dead-letters
replay``): each is delivered again, under the same rules, and dropped once delivered.
"""

from __future__ import annotations

import importlib
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs

from execution_core.access import AccessPolicy, DefaultAccessPolicy
from execution_core.errors import InvalidInput
from execution_core.ids import ORGANIZATION_ID
from execution_core.organization.decider import ORGANIZATION
from execution_core.organization.state import Organization
from execution_core.signals import Signal
from execution_core.subscriptions import (
    Handler,
    Subscription,
    Target,
    Webhook,
    may_receive,
    subscription,
)
from execution_core_adapters.delivery.tables import (
    DeadLetter,
    DeliveryConflict,
    DeliveryTables,
    Subscribed,
)
from execution_core_adapters.delivery.webhook import (
    IDEMPOTENCY_HEADER,
    Attempted,
    Backoff,
    WebhookSender,
)
from execution_core_adapters.projections.databases import ViewsDatabase
from execution_core_adapters.projections.signal_log import SignalLog
from execution_core_adapters.storage.store import ExecutionStore

__all__ = ["Delivery", "Dispatcher", "Replayed", "SignalSource", "resolve_handler"]

_LOG = logging.getLogger("execution_core_adapters.delivery")

SignalSource = Callable[[int, int], Sequence[tuple[int, Signal]]]
"""Reads the signal log: ``(after_seq, limit)`` to at most ``limit`` (seq, signal) pairs."""


@attrs.frozen
class Delivery:
    """What a handler is called with: the signal, its position in the signal log, the
    subscription's name, and a cursor inside the transaction that records the delivery (write
    with ``placeholder`` as the parameter mark: ``?`` on SQLite, ``%s`` on PostgreSQL)."""

    signal: Signal
    seq: int
    subscription: str
    cursor: Any
    placeholder: str


HandlerFunction = Callable[[Delivery], object]


def resolve_handler(ref: str) -> HandlerFunction:
    """The function a handler reference ``module:attribute`` names (InvalidInput when it
    cannot be imported or is not callable)."""
    module_name, _, path = ref.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in path.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError) as error:
        raise InvalidInput(f"handler {ref!r} cannot be found: {error}") from None
    if not callable(found):
        raise InvalidInput(f"handler {ref!r} is not callable")
    handler: HandlerFunction = found
    return handler


@attrs.frozen
class Replayed:
    """What a replay did: dead letters delivered now, and those still dead."""

    delivered: int
    still_dead: int


class _Unresolved(Exception):
    """A subscription's handler cannot be imported here: the subscription waits (logged)."""


class _Stopping(Exception):
    """The dispatcher was asked to stop in a handler's backoff: the batch is rolled back."""


def _body(signal: Signal) -> bytes:
    return signal.to_json().encode()


def _now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Delivers signals from the signal log to the stored subscriptions (see the module).

    ``store`` is an open :class:`ExecutionStore` or a URL (then opened here and closed on
    :meth:`close`); the subscriptions live beside the view tables and the signal log, in the
    store's database unless ``views_url`` names the one the view worker writes to.
    ``source`` reads the signal log (default: that database's ``view_signals``); ``access``
    is the access policy (default: :class:`DefaultAccessPolicy`); ``backoff`` how often and
    how patiently each delivery is tried; ``timeout`` each webhook post's, in seconds;
    ``batch`` how many signals a subscription takes per transaction."""

    def __init__(
        self,
        store: ExecutionStore | str,
        *,
        views_url: str | None = None,
        source: SignalSource | None = None,
        access: AccessPolicy | None = None,
        backoff: Backoff | None = None,
        timeout: float = 10.0,
        batch: int = 100,
        rng: random.Random | None = None,
    ) -> None:
        if batch < 1:
            raise InvalidInput("batch must be at least 1")
        self._databases = ViewsDatabase(store, views_url)
        self.store = self._databases.store
        try:
            self.tables = DeliveryTables(self._databases.factory)
            self._log = SignalLog(self.store, views_url=views_url)
        except BaseException:
            self.close()
            raise
        self.source: SignalSource = source or self._log.read
        self.access = access or DefaultAccessPolicy()
        self.backoff = backoff or Backoff()
        self.batch = batch
        self._stop = threading.Event()
        self._sender = WebhookSender(self.backoff, timeout=timeout, wait=self._wait, rng=rng)
        self._handlers: dict[str, HandlerFunction] = {}
        self._unresolved: set[str] = set()
        self.delivered = 0
        """Signals delivered by this dispatcher (a counter, for monitoring)."""
        self.dead = 0
        """Signals this dispatcher parked as dead letters (a counter)."""
        self.conflicts = 0
        """Batches dropped because another dispatcher had delivered them first (a counter)."""

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(
        self,
        name: str,
        target: Target,
        recipient: str,
        *,
        kinds: Iterable[str] = (),
        units: Iterable[str] = (),
        persons: Iterable[str] = (),
        goals: Iterable[str | UUID] = (),
        from_start: bool = False,
    ) -> Subscription:
        """Store a checked subscription (typed error, nothing stored, when it is not valid: see
        :func:`execution_core.subscriptions.subscription`; a handler must also be importable
        here). It starts at the log's current end, or at its start with ``from_start``."""
        checked = subscription(
            name,
            target,
            recipient,
            self._organization(),
            kinds=kinds,
            units=units,
            persons=persons,
            goals=goals,
        )
        if isinstance(target, Handler):
            resolve_handler(target.ref)
        position = 0 if from_start else self._log.head()
        self.tables.add(checked, position, _now())
        return checked

    def unsubscribe(self, name: str) -> bool:
        """Remove a subscription and its dead letters; False when there was none."""
        return self.tables.remove(name)

    def subscriptions(self) -> list[Subscribed]:
        """Every subscription with its position."""
        return self.tables.subscriptions()

    def dead_letters(self, subscription: str | None = None) -> list[DeadLetter]:
        """The dead letters (of one subscription, or all)."""
        return self.tables.dead_letters(subscription)

    # -- delivery -------------------------------------------------------------------------------

    def dispatch(self, stop_event: threading.Event | None = None) -> int:
        """Deliver what every subscription has still to receive (until ``stop_event`` is set);
        return how many signals were delivered."""
        stop = stop_event or self._stop
        self._stop = stop
        delivered_before = self.delivered
        org: Organization | None = None
        pending = self.tables.subscriptions()
        while pending and not stop.is_set():
            going: list[Subscribed] = []
            for subscribed in pending:
                page = self.source(subscribed.position, self.batch)
                if not page:
                    continue
                if org is None:
                    org = self._organization()
                upto = self._deliver(subscribed, page, org)
                if upto is not None and upto > subscribed.position and len(page) == self.batch:
                    going.append(attrs.evolve(subscribed, position=upto))
                if stop.is_set():
                    break
            pending = going
        return self.delivered - delivered_before

    def run(self, poll_interval: float = 1.0, stop_event: threading.Event | None = None) -> None:
        """Dispatch, then poll every ``poll_interval`` seconds until ``stop_event`` is set."""
        stop = stop_event or threading.Event()
        while not stop.is_set():
            if not self.dispatch(stop):
                stop.wait(poll_interval)

    def replay(self, subscription: str | None = None) -> Replayed:
        """Deliver the dead letters again (of one subscription, or all), each under its
        subscription's rules; a delivered one is dropped, the others keep their new count of
        tries and last error."""
        targets = {s.subscription.name: s.subscription for s in self.tables.subscriptions()}
        org = self._organization()
        delivered = still = 0
        for letter in self.tables.dead_letters(subscription):
            target = targets.get(letter.subscription)
            if target is None:
                continue
            try:
                signal = Signal.from_dict(json.loads(letter.body))
            except (InvalidInput, ValueError) as error:
                self.tables.settle(letter, False, 0, f"cannot be read back: {error}")
                still += 1
                continue
            if not self._may_receive(target, signal, org):
                self.tables.settle(letter, False, 0, "its recipient may no longer receive it")
                still += 1
                continue
            if isinstance(target.target, Webhook):
                attempted = self._post(target, signal, letter.body.encode())
                self.tables.settle(letter, attempted.delivered, attempted.tries, attempted.error)
            else:
                try:
                    attempted = self._replay_to_handler(target, signal, letter)
                except _Unresolved:
                    still += 1
                    continue
            delivered += attempted.delivered
            still += not attempted.delivered
        return Replayed(delivered, still)

    def close(self) -> None:
        """Close the connections this dispatcher opened (and the store, if it opened it)."""
        if hasattr(self, "_sender"):
            self._sender.close()
        if hasattr(self, "_log"):
            self._log.close()
        self._databases.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the work -------------------------------------------------------------------------------

    def _organization(self) -> Organization:
        return self.store.load(ORGANIZATION_ID, ORGANIZATION)

    def _wait(self, seconds: float) -> bool:
        return self._stop.wait(seconds)

    def _may_receive(self, target: Subscription, signal: Signal, org: Organization) -> bool:
        return target.matches(signal) and may_receive(self.access, target.recipient, signal, org)

    def _deliver(
        self, subscribed: Subscribed, page: Sequence[tuple[int, Signal]], org: Organization
    ) -> int | None:
        """Deliver one page to one subscription; the position it reached (None: the batch was
        not recorded, another dispatcher had it or the stop came in a handler's backoff)."""
        target = subscribed.subscription
        try:
            if isinstance(target.target, Webhook):
                return self._deliver_to_webhook(subscribed, page, org)
            return self._deliver_to_handler(subscribed, page, org)
        except DeliveryConflict:
            self.conflicts += 1
            return None
        except _Stopping:
            return None
        except _Unresolved:
            return None

    def _headers(self, target: Subscription, signal: Signal) -> dict[str, str]:
        return {
            IDEMPOTENCY_HEADER: signal.key,
            "X-Execution-Signal": signal.kind.value,
            "X-Execution-Subscription": target.name,
        }

    def _post(self, target: Subscription, signal: Signal, body: bytes) -> Attempted:
        assert isinstance(target.target, Webhook)
        return self._sender.deliver(target.target.url, body, self._headers(target, signal))

    def _deliver_to_webhook(
        self, subscribed: Subscribed, page: Sequence[tuple[int, Signal]], org: Organization
    ) -> int:
        target = subscribed.subscription
        upto = subscribed.position
        dead: list[DeadLetter] = []
        delivered = 0
        for seq, signal in page:
            if self._stop.is_set():
                break
            if self._may_receive(target, signal, org):
                body = _body(signal)
                attempted = self._post(target, signal, body)
                if attempted.stopped:
                    break
                if attempted.delivered:
                    delivered += 1
                else:
                    dead.append(self._dead_letter(target, seq, signal, body, attempted))
            upto = seq
        if upto > subscribed.position:
            self.tables.advance(target.name, subscribed.position, upto, dead)
            self.delivered += delivered
            self.dead += len(dead)
        return upto

    def _deliver_to_handler(
        self, subscribed: Subscribed, page: Sequence[tuple[int, Signal]], org: Organization
    ) -> int:
        target = subscribed.subscription
        assert isinstance(target.target, Handler)
        handler = self._handler(target.target.ref)
        dead: list[DeadLetter] = []
        delivered = 0
        upto = subscribed.position
        with self.tables.transaction() as cursor:
            for seq, signal in page:
                if self._stop.is_set():
                    break
                if self._may_receive(target, signal, org):
                    attempted = self._call(handler, target, seq, signal, cursor)
                    if attempted.delivered:
                        delivered += 1
                    else:
                        dead.append(
                            self._dead_letter(target, seq, signal, _body(signal), attempted)
                        )
                upto = seq
            if upto > subscribed.position:
                self.tables.advance(target.name, subscribed.position, upto, dead, cursor)
        self.delivered += delivered
        self.dead += len(dead)
        return upto

    def _call(
        self,
        handler: HandlerFunction,
        target: Subscription,
        seq: int,
        signal: Signal,
        cursor: Any,
    ) -> Attempted:
        """Call the handler until it returns, each try in a savepoint; raises _Stopping when
        asked to stop during a pause (the caller's transaction then rolls back)."""
        delivery = Delivery(signal, seq, target.name, cursor, self.tables.placeholder)
        rng = random.Random(signal.key)
        tries = 0
        while True:
            tries += 1
            try:
                with self.tables.savepoint(cursor):
                    handler(delivery)
                return Attempted(True, tries)
            except Exception as error:
                if tries >= self.backoff.attempts:
                    return Attempted(False, tries, f"{type(error).__name__}: {error}")
                if self._stop.wait(self.backoff.pause(tries, rng)):
                    raise _Stopping from error

    def _replay_to_handler(
        self, target: Subscription, signal: Signal, letter: DeadLetter
    ) -> Attempted:
        assert isinstance(target.target, Handler)
        handler = self._handler(target.target.ref)
        try:
            with self.tables.transaction() as cursor:
                attempted = self._call(handler, target, letter.seq, signal, cursor)
                if attempted.delivered:
                    self.tables.settle(letter, True, attempted.tries, "", cursor)
        except _Stopping:
            return Attempted(False, 0, "stopped", stopped=True)
        if not attempted.delivered:
            self.tables.settle(letter, False, attempted.tries, attempted.error)
        return attempted

    def _handler(self, ref: str) -> HandlerFunction:
        """The handler a reference names; _Unresolved (logged once per reference) when it
        cannot be imported here: its subscription waits, keeping its position, and the others
        go on."""
        if ref not in self._handlers:
            try:
                self._handlers[ref] = resolve_handler(ref)
            except InvalidInput as error:
                if ref not in self._unresolved:
                    self._unresolved.add(ref)
                    _LOG.error("%s; its subscriptions wait until it can be imported", error)
                raise _Unresolved(ref) from error
        return self._handlers[ref]

    def _dead_letter(
        self, target: Subscription, seq: int, signal: Signal, body: bytes, attempted: Attempted
    ) -> DeadLetter:
        return DeadLetter(
            target.name,
            seq,
            signal.key,
            signal.kind.value,
            body.decode(),
            attempted.tries,
            attempted.error,
            _now(),
        )
