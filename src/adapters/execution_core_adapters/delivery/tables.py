"""The delivery tables, beside the view tables (the same SQLite file or PostgreSQL schema):
``signal_subscriptions`` (each subscription and its position in the signal log) and
``signal_dead_letters`` (deliveries given up on, kept for a replay).

A subscription's position only moves by a compare-and-set (``WHERE position = <where the
batch started>``) in the transaction that records what the batch delivered, so two dispatchers
of one subscription never both deliver a batch, and a dispatcher killed mid-batch leaves the
position where the last committed batch left it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.sqlite import SQLiteFactory

from execution_core.errors import InvalidInput
from execution_core.subscriptions import Handler, Subscription, Webhook

__all__ = ["DeadLetter", "DeliveryConflict", "DeliveryTables", "Subscribed"]


class DeliveryConflict(Exception):
    """The subscription is no longer at the position a batch started from (another dispatcher
    delivered it, or it was removed): nothing of the batch was recorded."""


@attrs.frozen
class Subscribed:
    """A stored subscription and its position: the last signal (seq) it has dealt with."""

    subscription: Subscription
    position: int
    created_at: datetime


@attrs.frozen
class DeadLetter:
    """A delivery given up on: the subscription, the signal (its seq, key, kind and JSON), how
    many tries were made, the last error, and when it was parked (wall clock)."""

    subscription: str
    seq: int
    key: str
    kind: str
    body: str
    attempts: int
    error: str
    parked_at: datetime


_SUBSCRIPTIONS = "signal_subscriptions"
_DEAD_LETTERS = "signal_dead_letters"
_SUBSCRIPTION_COLUMNS = (
    "name",
    "target_kind",
    "target",
    "recipient",
    "kinds",
    "units",
    "persons",
    "goals",
    "position",
    "created_at",
)
_DEAD_COLUMNS = ("subscription", "seq", "key", "kind", "body", "attempts", "error", "parked_at")


class DeliveryTables:
    """The delivery tables of one database, reached through an eventsourcing factory's
    datastore (the factory the store or the view worker uses; it is not closed here)."""

    def __init__(self, factory: InfrastructureFactory[Any]) -> None:
        datastore: Any = getattr(factory, "datastore", None)
        if datastore is None or not hasattr(datastore, "transaction"):
            raise InvalidInput(
                "signal delivery needs a SQLite or PostgreSQL database: open the store with a "
                "sqlite:/// or postgresql:// URL"
            )
        self._datastore = datastore
        self.sqlite = isinstance(factory, SQLiteFactory)
        self.placeholder = "?" if self.sqlite else "%s"
        """The parameter mark of this database's SQL (handlers writing through a delivery's
        cursor use it)."""
        prefix = "" if self.sqlite else '"' + datastore.schema.replace('"', '""') + '".'
        self._subscriptions = prefix + _SUBSCRIPTIONS
        self._dead = prefix + _DEAD_LETTERS
        self.create()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor inside one transaction, committed at the end of the block (rolled back if
        it raises)."""
        with self._datastore.transaction(commit=True) as cursor:
            yield cursor

    @contextmanager
    def savepoint(self, cursor: Any) -> Iterator[None]:
        """A nested part of a transaction that is undone alone if the block raises."""
        cursor.execute("SAVEPOINT delivery")
        try:
            yield
        except BaseException:
            cursor.execute("ROLLBACK TO SAVEPOINT delivery")
            cursor.execute("RELEASE SAVEPOINT delivery")
            raise
        cursor.execute("RELEASE SAVEPOINT delivery")

    def create(self) -> None:
        """Create the tables that do not exist yet."""
        big = "INTEGER" if self.sqlite else "bigint"
        with self.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self._subscriptions} (name TEXT PRIMARY KEY, "
                "target_kind TEXT NOT NULL, target TEXT NOT NULL, recipient TEXT NOT NULL, "
                "kinds TEXT NOT NULL, units TEXT NOT NULL, persons TEXT NOT NULL, "
                f"goals TEXT NOT NULL, position {big} NOT NULL, created_at TEXT NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self._dead} (subscription TEXT NOT NULL, "
                f"seq {big} NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, "
                f"attempts {big} NOT NULL, error TEXT NOT NULL, parked_at TEXT NOT NULL, "
                "PRIMARY KEY (subscription, key))"
            )

    # -- subscriptions --------------------------------------------------------------------------

    def add(self, subscription: Subscription, position: int, created_at: datetime) -> None:
        """Store a new subscription at ``position`` (InvalidInput, nothing stored, when its
        name is taken)."""
        p = self.placeholder
        target_kind = "webhook" if isinstance(subscription.target, Webhook) else "handler"
        values = (
            subscription.name,
            target_kind,
            str(subscription.target),
            subscription.recipient,
            _json(subscription.kinds),
            _json(subscription.units),
            _json(subscription.persons),
            _json(str(g) for g in subscription.goals),
            position,
            created_at.isoformat(),
        )
        with self.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {self._subscriptions} ({', '.join(_SUBSCRIPTION_COLUMNS)}) "
                f"VALUES ({', '.join(p for _ in values)}) ON CONFLICT (name) DO NOTHING "
                "RETURNING name",
                values,
            )
            if cursor.fetchone() is None:
                raise InvalidInput(f"a subscription named {subscription.name!r} exists already")

    def remove(self, name: str) -> bool:
        """Forget a subscription and its dead letters; False when there was none."""
        p = self.placeholder
        with self.transaction() as cursor:
            cursor.execute(f"DELETE FROM {self._dead} WHERE subscription = {p}", (name,))
            cursor.execute(
                f"DELETE FROM {self._subscriptions} WHERE name = {p} RETURNING name", (name,)
            )
            return cursor.fetchone() is not None

    def subscriptions(self) -> list[Subscribed]:
        """Every subscription with its position, by name."""
        with self.transaction() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_SUBSCRIPTION_COLUMNS)} FROM {self._subscriptions} "
                "ORDER BY name"
            )
            rows = cursor.fetchall()
        return [_subscribed(row) for row in rows]

    def advance(
        self,
        name: str,
        since: int,
        upto: int,
        dead: Sequence[DeadLetter] = (),
        cursor: Any = None,
    ) -> None:
        """Move a subscription from ``since`` to ``upto`` and park ``dead``, in one transaction
        (``cursor``'s, when given: the handler's batch). DeliveryConflict, nothing recorded,
        when the subscription is not at ``since`` any more."""
        if cursor is None:
            with self.transaction() as own:
                self.advance(name, since, upto, dead, own)
            return
        p = self.placeholder
        cursor.execute(
            f"UPDATE {self._subscriptions} SET position = {p} WHERE name = {p} AND position = {p} "
            "RETURNING name",
            (upto, name, since),
        )
        if cursor.fetchone() is None:
            raise DeliveryConflict(
                f"subscription {name!r} is no longer at signal {since}: another dispatcher "
                "delivered these signals, or it was removed"
            )
        if dead:
            cursor.executemany(
                f"INSERT INTO {self._dead} ({', '.join(_DEAD_COLUMNS)}) "
                f"VALUES ({', '.join(p for _ in _DEAD_COLUMNS)}) "
                "ON CONFLICT (subscription, key) DO NOTHING",
                [_dead_values(letter) for letter in dead],
            )

    # -- dead letters ---------------------------------------------------------------------------

    def dead_letters(self, subscription: str | None = None) -> list[DeadLetter]:
        """The dead letters (of one subscription, or all), by subscription and signal."""
        p = self.placeholder
        where, args = (
            ("", ()) if subscription is None else (f" WHERE subscription = {p}", (subscription,))
        )
        with self.transaction() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_DEAD_COLUMNS)} FROM {self._dead}{where} "
                "ORDER BY subscription, seq",
                args,
            )
            rows = cursor.fetchall()
        return [
            DeadLetter(
                row["subscription"],
                int(row["seq"]),
                row["key"],
                row["kind"],
                row["body"],
                int(row["attempts"]),
                row["error"],
                datetime.fromisoformat(row["parked_at"]),
            )
            for row in rows
        ]

    def settle(
        self, letter: DeadLetter, delivered: bool, tries: int, error: str, cursor: Any = None
    ) -> None:
        """After a replay: drop a delivered dead letter, or count its new tries and error (in
        ``cursor``'s transaction, when given: a handler's replay)."""
        if cursor is None:
            with self.transaction() as own:
                self.settle(letter, delivered, tries, error, own)
            return
        p = self.placeholder
        if delivered:
            cursor.execute(
                f"DELETE FROM {self._dead} WHERE subscription = {p} AND key = {p}",
                (letter.subscription, letter.key),
            )
        else:
            cursor.execute(
                f"UPDATE {self._dead} SET attempts = attempts + {p}, error = {p} "
                f"WHERE subscription = {p} AND key = {p}",
                (tries, error, letter.subscription, letter.key),
            )


def _json(values: Any) -> str:
    return json.dumps(sorted(values))


def _dead_values(letter: DeadLetter) -> tuple[Any, ...]:
    return (
        letter.subscription,
        letter.seq,
        letter.key,
        letter.kind,
        letter.body,
        letter.attempts,
        letter.error.replace("\x00", "\\x00"),
        letter.parked_at.isoformat(),
    )


def _subscribed(row: Any) -> Subscribed:
    target = Webhook(row["target"]) if row["target_kind"] == "webhook" else Handler(row["target"])
    subscription = Subscription(
        row["name"],
        target,
        row["recipient"],
        frozenset(json.loads(row["kinds"])),
        frozenset(json.loads(row["units"])),
        frozenset(json.loads(row["persons"])),
        frozenset(UUID(g) for g in json.loads(row["goals"])),
    )
    return Subscribed(subscription, int(row["position"]), datetime.fromisoformat(row["created_at"]))
