"""Personal fields sealed with their person's key (AES-256-GCM), in the stored payload itself.

A sealed payload names its person (``"sealed_by": person id``) and holds each personal field
(:data:`execution_core.privacy.PERSONAL`) as ``"sealed:" + base64url(nonce + ciphertext)``,
authenticated with the event's name, stream, version and field, so a sealed value cannot be
moved to another field or event. The hash chain covers these stored bytes, so deleting a key
changes nothing it vouches for. A payload without ``sealed_by`` (a store written before
sealing, a unit's goal) reads as it is.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from typing import Any, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from execution_core.privacy import ERASED, personal_fields
from execution_core_adapters.storage.codec import uuid_text
from execution_core_adapters.storage.keys import KeyStore

__all__ = ["SEALED_BY", "SEALED_PREFIX", "Sealer"]

SEALED_BY = "sealed_by"
"""The payload key naming the person whose key sealed the payload's personal fields."""
SEALED_PREFIX = "sealed:"
"""How a sealed field's stored value starts."""
_NONCE = 12
_UNKNOWN = object()
"""A person whose key was not read yet (None caches a key that is gone)."""


def _context(name: str, field: str, stream_id: UUID, version: int) -> bytes:
    return f"{name}/{field}/{uuid_text(stream_id)}/{version}".encode()


class Sealer:
    """Seals and unseals the personal fields of stored payloads with the people's keys,
    caching each key read (:meth:`forget` drops one once erased)."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys
        self._ciphers: dict[str, AESGCM | None] = {}
        self._lock = threading.Lock()

    def seal(
        self, name: str, payload: dict[str, Any], person: str, stream_id: UUID, version: int
    ) -> dict[str, Any]:
        """The payload with its personal fields sealed with the person's key (stored as
        erased when the person was erased)."""
        fields = [field for field in personal_fields(name) if payload.get(field)]
        if not fields:
            return payload
        cipher = self._cipher(person, create=True)
        sealed = dict(payload)
        if cipher is None:
            for field in fields:
                sealed[field] = ERASED
            return sealed
        for field in fields:
            nonce = os.urandom(_NONCE)
            text = str(payload[field]).encode()
            secret = cipher.encrypt(nonce, text, _context(name, field, stream_id, version))
            sealed[field] = SEALED_PREFIX + base64.urlsafe_b64encode(nonce + secret).decode()
        sealed[SEALED_BY] = person
        return sealed

    def unseal(
        self, name: str, payload: dict[str, Any], stream_id: UUID, version: int
    ) -> dict[str, Any]:
        """The payload with its sealed fields opened (``ERASED`` where the key is gone) and
        ``sealed_by`` taken out."""
        opened = dict(payload)
        person = str(opened.pop(SEALED_BY))
        cipher = self._cipher(person, create=False)
        for field in personal_fields(name):
            value = opened.get(field)
            if not isinstance(value, str) or not value.startswith(SEALED_PREFIX):
                continue
            if cipher is None:
                opened[field] = ERASED
                continue
            try:
                raw = base64.urlsafe_b64decode(value[len(SEALED_PREFIX) :])
                context = _context(name, field, stream_id, version)
                opened[field] = cipher.decrypt(raw[:_NONCE], raw[_NONCE:], context).decode()
            except (InvalidTag, ValueError, binascii.Error):
                raise ValueError(f"{field} does not open with {person!r}'s key") from None
        return opened

    def erase(self, person: str) -> None:
        """Delete the person's key from the key store and from this sealer's cache."""
        self.keys.erase(person)
        self.forget(person)

    def forget(self, person: str) -> None:
        """Drop a person's cached key (read again from the key store on next use)."""
        with self._lock:
            self._ciphers.pop(person, None)

    def _cipher(self, person: str, *, create: bool) -> AESGCM | None:
        cached = self._ciphers.get(person, _UNKNOWN)  # one probe: atomic, no lock needed
        if cached is not _UNKNOWN and (cached is not None or not create):
            return cast(AESGCM | None, cached)
        key = self.keys.key_for_writing(person) if create else self.keys.key(person)
        cipher = None if key is None else AESGCM(key)
        with self._lock:
            self._ciphers[person] = cipher
        return cipher
