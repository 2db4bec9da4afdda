"""Bad input from the network edge, against the real PostgreSQL server: every malformed,
mistyped, oversized, unknown or non-finite request is a typed error and stores nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from execution_core import (
    Execution,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from execution_core_adapters.storage.store import ExecutionStore, open_store
from tests.conftest import POSTGRES_DSN
from tests.support import FixedClock, seed_deals_goal

GOAL_ID = UUID("00000000-0000-4000-8000-0000000000d1")
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture(scope="module")
def execution(request: pytest.FixtureRequest) -> Iterator[Execution]:
    """One PostgreSQL store for the module: the standard organization and a goal of ana's."""
    url = _module_url(request)
    with Execution(open_store(url, clock=FixedClock())) as execution:
        seed_deals_goal(execution, GOAL_ID)
        yield execution


def _module_url(request: pytest.FixtureRequest) -> str:
    """A fresh schema for the whole module, as the ``postgres_url`` fixture makes one per test
    (and, like it, failing instead of skipping when CI requires the server)."""
    import os

    import psycopg

    try:
        connection = psycopg.connect(POSTGRES_DSN, connect_timeout=3, autocommit=True)
    except Exception as error:  # any failure to reach the server means "no server here"
        if os.environ.get("EXECUTION_CORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_DSN}: {error}")
        pytest.skip(f"no PostgreSQL server reachable at {POSTGRES_DSN}: {error}")
    schema = f"ec_test_{uuid4().hex[:12]}"
    connection.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')

    request.addfinalizer(drop)
    return f"{POSTGRES_DSN}?schema={schema}"


def _progress(**changes: Any) -> dict[str, Any]:
    """A valid LogProgress request, with some fields changed (``None``: removed)."""
    request: dict[str, Any] = {
        "type": "LogProgress",
        "actor": "ana",
        "occurred_at": "2026-01-06T09:00:00+00:00",
        "goal_id": str(GOAL_ID),
        "kr_id": "deals",
        "value": 3,
        "confidence": 0.5,
    }
    request.update(changes)
    return {key: value for key, value in request.items() if value is not None}


def _json(**changes: Any) -> str:
    return json.dumps(_progress(**changes))


BAD: dict[str, tuple[str | bytes, type[Exception], str | None]] = {
    "malformed JSON": ('{"type": "LogProgress", "actor": ', InvalidInput, "malformed JSON"),
    "not UTF-8": (b'{"type": "LogProgress\xff"}', InvalidInput, "malformed JSON"),
    "not an object": ("[1, 2, 3]", InvalidInput, "JSON object"),
    "null": ("null", InvalidInput, "JSON object"),
    "no type": (json.dumps(_progress(type=None)), InvalidInput, "unknown command type"),
    "unknown type": (_json(type="DeleteEverything"), InvalidInput, "unknown command type"),
    "type not a string": (_json(type=["LogProgress"]), InvalidInput, "unknown command type"),
    "value as text": (_json(value="three"), InvalidInput, "value"),
    "goal id a number": (_json(goal_id=42), InvalidInput, "goal_id"),
    "date a list": (_json(occurred_at=[2026, 1, 6]), InvalidInput, "occurred_at"),
    "missing field": (_json(kr_id=None), InvalidInput, "kr_id"),
    "extra field": (_json(admin=True), InvalidInput, "admin"),
    "NaN": (_json().replace('"value": 3', '"value": NaN'), InvalidInput, "value"),
    "Infinity": (
        _json().replace('"confidence": 0.5', '"confidence": Infinity'),
        InvalidInput,
        None,
    ),
    "overflowing float": (_json().replace('"value": 3', '"value": 1e999'), InvalidInput, "value"),
    "huge integer": (_json().replace('"value": 3', '"value": ' + "9" * 5000), InvalidInput, None),
    "naive datetime": (_json(occurred_at="2026-01-06T09:00:00"), InvalidInput, "occurred_at"),
    "not a datetime": (_json(occurred_at="next tuesday"), InvalidInput, "occurred_at"),
    "huge actor": (_json(actor="a" * 1_000_000), InvalidInput, "actor"),
    "huge note": (_json(comment="n" * 1_000_000), InvalidInput, "comment"),
    "actor with spaces": (_json(actor="ana ben"), InvalidInput, "actor"),
    "deep nesting": ('{"type": "LogProgress", "x": ' + "[" * 100_000, InvalidInput, None),
    "unknown goal": (_json(goal_id=UNKNOWN), NotFound, "unknown goal"),
    "unknown key result": (_json(kr_id="nope"), NotFound, "nope"),
    "unknown actor": (_json(actor="mallory"), NotPermitted, "mallory"),
    "bad idempotency key": (_json(idempotency_key=""), InvalidInput, "idempotency key"),
    "idempotency key a number": (_json(idempotency_key=7), InvalidInput, "idempotency key"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_requests_are_typed_errors_and_store_nothing(execution: Execution, name: str) -> None:
    """Given a store on PostgreSQL, when a bad request arrives as JSON, then it raises its
    typed error (InvalidInput or NotFound, both ExecutionError) and the notification log's
    newest position is unchanged."""
    request, error, match = BAD[name]
    store = execution.store
    assert isinstance(store, ExecutionStore)
    before = store.last_position()
    with pytest.raises(error, match=match) as caught:
        execution.execute(request)
    assert type(caught.value).__module__.startswith("execution_core"), caught.value
    assert store.last_position() == before


def test_the_valid_request_the_bad_ones_derive_from_is_recorded(execution: Execution) -> None:
    """Given the request every bad one above is a variation of, when it arrives, then it is
    recorded (so the refusals above are about what was changed)."""
    before = execution.store.last_position()
    outcome = execution.execute(_json(comment="all good", idempotency_key="ok-1"))
    assert len(outcome.events) == 1
    assert execution.store.last_position() > before
