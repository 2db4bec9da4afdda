"""The KeyStore port, one suite run against every key store: in memory, in a SQLite file and
in the real PostgreSQL server (each the key store a store opens beside its events)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from execution_core_adapters.storage.keys import KEY_BYTES, KeyStore, MemoryKeyStore
from execution_core_adapters.storage.store import ExecutionStore, open_store

Opener = Callable[[], KeyStore]


class KeyStoreContract:
    """What every key store promises; a subclass gives the ``opener`` fixture."""

    def test_a_person_gets_one_key_of_256_bits(self, opener: Opener) -> None:
        """Writing twice for a person gives the same 32-byte key, and reading gives it too."""
        keys = opener()
        first = keys.key_for_writing("ana")
        assert first is not None
        assert len(first) == KEY_BYTES
        assert keys.key_for_writing("ana") == first
        assert keys.key("ana") == first

    def test_people_get_different_keys(self, opener: Opener) -> None:
        """Two people never share a key."""
        keys = opener()
        assert keys.key_for_writing("ana") != keys.key_for_writing("ben")

    def test_nobody_has_a_key_before_a_write(self, opener: Opener) -> None:
        """Reading makes no key: an unknown person has none and is not erased."""
        keys = opener()
        assert keys.key("zoe") is None
        assert not keys.is_erased("zoe")
        assert keys.key("zoe") is None

    def test_erasing_deletes_the_key_for_good(self, opener: Opener) -> None:
        """Once erased, a person's key cannot be read and no new one is made for them."""
        keys = opener()
        keys.key_for_writing("ana")
        keys.key_for_writing("ben")
        keys.erase("ana")
        assert keys.key("ana") is None
        assert keys.key_for_writing("ana") is None
        assert keys.is_erased("ana")
        assert keys.key("ben") is not None, "erasing ana touched ben's key"

    def test_erasing_is_idempotent_and_covers_a_person_without_a_key(self, opener: Opener) -> None:
        """Erasing twice, or erasing someone never written for, leaves a tombstone."""
        keys = opener()
        keys.erase("zoe")
        keys.erase("zoe")
        assert keys.is_erased("zoe")
        assert keys.key_for_writing("zoe") is None


class DatabaseKeyStoreContract(KeyStoreContract):
    """What a key store in a database adds: its keys outlive the store that made them."""

    def test_keys_and_tombstones_outlive_the_opener(self, opener: Opener) -> None:
        """A second key store on the same database sees the keys and erasures of the first."""
        first = opener()
        key = first.key_for_writing("ana")
        first.erase("ben")
        second = opener()
        assert second.key("ana") == key
        assert second.is_erased("ben")


def _serving(url: str) -> Iterator[Opener]:
    stores: list[ExecutionStore] = []

    def opener() -> KeyStore:
        stores.append(open_store(url))
        return stores[-1].keys()

    try:
        yield opener
    finally:
        for store in stores:
            store.close()


class TestMemoryKeyStore(KeyStoreContract):
    """The key store of a ``memory://`` store."""

    @pytest.fixture
    def opener(self) -> Iterator[Opener]:
        """A memory store's key store, a new one per open."""
        yield from _serving("memory://")

    def test_a_memory_store_keeps_its_keys_in_memory(self) -> None:
        """``memory://`` keeps its keys in a dictionary, gone with the process."""
        store = open_store("memory://")
        assert isinstance(store.keys(), MemoryKeyStore)


class TestSQLiteKeyStore(DatabaseKeyStoreContract):
    """The ``person_keys`` table of a SQLite store file."""

    @pytest.fixture
    def opener(self, tmp_path: Path) -> Iterator[Opener]:
        """Stores on one fresh SQLite file."""
        yield from _serving(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.mark.postgres
class TestPostgresKeyStore(DatabaseKeyStoreContract):
    """The ``person_keys`` table in the store's schema on the real PostgreSQL server."""

    @pytest.fixture
    def opener(self, postgres_url: str) -> Iterator[Opener]:
        """Stores on one fresh schema."""
        yield from _serving(postgres_url)
