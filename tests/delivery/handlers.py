"""Handlers the delivery tests subscribe by reference (``tests.delivery.handlers:record``):
each writes what it received through the delivery's cursor, in the dispatcher's transaction.

The table is ``received`` (or the one the environment variable ``RECEIVED_TABLE`` names: a
PostgreSQL test's schema-qualified table); ``HANDLER_PAUSE`` seconds are slept per signal so a
kill lands mid-batch; each call appends the key to the file ``HANDLER_CALLS`` names, if any
(outside the transaction: it shows every call, repeats included); a signal whose key is in
``HANDLER_FAILS`` (comma-separated) raises after writing its row (the try is undone)."""

from __future__ import annotations

import os
import time

from execution_core_adapters.delivery import Delivery

__all__ = ["RECEIVED", "create_received", "record"]

RECEIVED = "received"


def _table() -> str:
    return os.environ.get("RECEIVED_TABLE", RECEIVED)


def create_received(cursor: object, table: str = RECEIVED) -> None:
    """Create the table the handler writes to (no unique key: a repeat would show)."""
    getattr(cursor, "execute")(  # noqa: B009 - any DB-API cursor
        f"CREATE TABLE IF NOT EXISTS {table} "
        "(subscription TEXT NOT NULL, seq BIGINT NOT NULL, key TEXT NOT NULL)"
    )


def record(delivery: Delivery) -> None:
    """Write (subscription, seq, key) in the delivery's transaction; fail as told."""
    p = delivery.placeholder
    delivery.cursor.execute(
        f"INSERT INTO {_table()} (subscription, seq, key) VALUES ({p}, {p}, {p})",
        (delivery.subscription, delivery.seq, delivery.signal.key),
    )
    calls = os.environ.get("HANDLER_CALLS")
    if calls:
        with open(calls, "a") as file:
            file.write(delivery.signal.key + "\n")
    pause = float(os.environ.get("HANDLER_PAUSE", "0"))
    if pause:
        time.sleep(pause)
    if delivery.signal.key in os.environ.get("HANDLER_FAILS", "").split(","):
        raise RuntimeError(f"refusing {delivery.signal.key}")


not_callable = 42
"""A name a handler reference may point at that cannot be called (a test's bad subscription)."""
