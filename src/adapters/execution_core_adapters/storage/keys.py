"""The key store: one secret key per person, kept beside the events (the ``person_keys`` table
of the same SQLite file or PostgreSQL schema; a dictionary for ``memory://``).

Erasing a person deletes their key and leaves a tombstone, so what was sealed with the key can
never be read again and nothing new is sealed for them (a personal field written for an erased
person is stored as erased). ``tests/conformance/test_key_store.py`` holds every implementation
to the :class:`KeyStore` port.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol, runtime_checkable

from eventsourcing.persistence import ApplicationRecorder

__all__ = [
    "KEY_BYTES",
    "KEY_TABLE",
    "KeyStore",
    "MemoryKeyStore",
    "PostgresKeyStore",
    "SQLiteKeyStore",
    "key_store_for",
]

KEY_TABLE = "person_keys"
"""The table of the keys: ``(person_id PRIMARY KEY, secret)``, a NULL secret once erased."""

KEY_BYTES = 32
"""An AES-256 key."""


@runtime_checkable
class KeyStore(Protocol):
    """Where the people's keys live (the port every key store implements)."""

    def key(self, person_id: str) -> bytes | None:
        """The person's key; None when they have none yet or were erased."""
        ...

    def key_for_writing(self, person_id: str) -> bytes | None:
        """The person's key, made and stored on first use; None once they were erased."""
        ...

    def erase(self, person_id: str) -> None:
        """Delete the person's key for good, leaving a tombstone (also for a person without one)."""
        ...

    def is_erased(self, person_id: str) -> bool:
        """Whether the person was erased."""
        ...


def _new_key() -> bytes:
    return os.urandom(KEY_BYTES)


class MemoryKeyStore:
    """The keys of a ``memory://`` store, gone with the process as its events are."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}
        self._lock = threading.Lock()

    def key(self, person_id: str) -> bytes | None:
        return self._keys.get(person_id)

    def key_for_writing(self, person_id: str) -> bytes | None:
        with self._lock:
            if person_id not in self._keys:
                self._keys[person_id] = _new_key()
            return self._keys[person_id]

    def erase(self, person_id: str) -> None:
        with self._lock:
            self._keys[person_id] = None

    def is_erased(self, person_id: str) -> bool:
        return person_id in self._keys and self._keys[person_id] is None


class _SQLKeyStore:
    """The key table through an eventsourcing datastore's public ``transaction``."""

    placeholder = "?"
    create = ""
    insert = ""

    def __init__(self, datastore: Any, table: str) -> None:
        self._datastore = datastore
        self._table = table
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(self.create.format(table=table))

    def _select(self, person_id: str) -> tuple[bool, bytes | None]:
        sql = f"SELECT secret FROM {self._table} WHERE person_id = {self.placeholder}"
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(sql, (person_id,))
            row = cursor.fetchone()
        if row is None:
            return False, None
        secret = row["secret"]
        return True, None if secret is None else bytes(secret)

    def key(self, person_id: str) -> bytes | None:
        return self._select(person_id)[1]

    def key_for_writing(self, person_id: str) -> bytes | None:
        found, secret = self._select(person_id)
        if found:
            return secret
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(self.insert.format(table=self._table), (person_id, _new_key()))
        return self._select(person_id)[1]  # another writer's key, if it came first

    def erase(self, person_id: str) -> None:
        p = self.placeholder
        with self._datastore.transaction(commit=True) as cursor:
            self._overwriting(cursor)
            cursor.execute(f"DELETE FROM {self._table} WHERE person_id = {p}", (person_id,))
            cursor.execute(
                f"INSERT INTO {self._table} (person_id, secret) VALUES ({p}, NULL)", (person_id,)
            )
        self._flushed()

    def _overwriting(self, cursor: Any) -> None:
        """Make the deletion overwrite what it deletes (where the database can)."""

    def _flushed(self) -> None:
        """Clear copies of deleted pages the database keeps beside its file (where it can)."""

    def is_erased(self, person_id: str) -> bool:
        return self._select(person_id) == (True, None)


class SQLiteKeyStore(_SQLKeyStore):
    """The key table in the store's SQLite file."""

    create = "CREATE TABLE IF NOT EXISTS {table} (person_id TEXT PRIMARY KEY, secret BLOB)"
    insert = "INSERT OR IGNORE INTO {table} (person_id, secret) VALUES (?, ?)"

    def _overwriting(self, cursor: Any) -> None:
        """SQLite zeroes deleted content only with ``secure_delete`` (not every build's default)."""
        cursor.execute("PRAGMA secure_delete = ON")

    def _flushed(self) -> None:
        """The write-ahead log still holds the key's old page until a checkpoint: truncate it
        (a busy reader may delay it; then the next checkpoint overwrites the page)."""
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class PostgresKeyStore(_SQLKeyStore):
    """The key table in the store's PostgreSQL schema."""

    placeholder = "%s"
    create = "CREATE TABLE IF NOT EXISTS {table} (person_id TEXT PRIMARY KEY, secret BYTEA)"
    insert = (
        "INSERT INTO {table} (person_id, secret) VALUES (%s, %s) ON CONFLICT (person_id) DO NOTHING"
    )


def key_store_for(recorder: ApplicationRecorder) -> KeyStore:
    """The key store beside a store's events: its database, or memory."""
    datastore = getattr(recorder, "datastore", None)
    if datastore is None:
        return MemoryKeyStore()
    schema = getattr(datastore, "schema", None)
    if schema is not None:
        return PostgresKeyStore(datastore, f'"{schema}".{KEY_TABLE}')
    return SQLiteKeyStore(datastore, KEY_TABLE)
