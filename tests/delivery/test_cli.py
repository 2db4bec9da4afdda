"""``execution-core subscribe`` / ``unsubscribe`` / ``subscriptions`` / ``dead-letters``: a
subscription stored and listed, a bad one refused with its exit code and nothing stored, dead
letters listed and replayed to a real receiver."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner, Result

from execution_core.subscriptions import Webhook
from execution_core_adapters.cli.main import app
from execution_core_adapters.delivery import Backoff, Dispatcher
from execution_core_adapters.storage.store import ExecutionStore
from tests.delivery.log import logged
from tests.delivery.receiver import Post, receiving

runner = CliRunner()


@pytest.fixture
def db(url: str, store: ExecutionStore) -> str:
    """The URL of a store holding the season, its views and its signal log (SQLite only: the
    commands are the same on PostgreSQL, which the dispatcher's tests cover)."""
    return url


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def _listed(db: str) -> list[dict[str, object]]:
    result = _run("subscriptions", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
def test_a_subscription_is_stored_listed_and_removed(db: str, store: ExecutionStore) -> None:
    """Given a store, when max's channel subscribes to ana's at-risk and off-track signals, then
    the listing shows it at the end of the log with its filters; once unsubscribed it is gone,
    and unsubscribing again exits 1."""
    result = _run(
        "subscribe", "max-channel", "--for", "max", "--webhook", "https://chat.example.com/h",
        "--kind", "turned_at_risk", "--kind", "turned_off_track", "--person", "ana", "--db", db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = _listed(db)
    assert row["name"] == "max-channel"
    assert row["kinds"] == ["turned_at_risk", "turned_off_track"]
    assert row["persons"] == ["ana"]
    assert row["recipient"] == "max"
    assert row["position"] == logged(store)[-1][0]
    assert _run("unsubscribe", "max-channel", "--db", db).exit_code == 0
    assert _listed(db) == []
    assert _run("unsubscribe", "max-channel", "--db", db).exit_code == 1


@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (
            ["--for", "max", "--webhook", "http://x/h", "--kind", "goal_on_fire"],
            2,
            "unknown signal kinds",
        ),
        (["--for", "zed", "--webhook", "http://x/h"], 1, "recipient 'zed'"),
        (["--for", "max", "--webhook", "http://x/h", "--person", "zed"], 1, "unknown persons"),
        (["--for", "max", "--webhook", "mailto:max@example.com"], 2, "http"),
        (["--for", "max", "--handler", "no.such.module:f"], 2, "cannot be found"),
        (["--for", "max"], 2, "exactly one of"),
    ],
)
def test_a_bad_subscription_exits_with_its_code_and_stores_nothing(
    db: str, options: list[str], code: int, message: str
) -> None:
    """Given an unknown kind, recipient or person, a malformed URL, a handler that cannot be
    found, or no target, then the command exits 2 (usage) or 1 (refused) with one line saying
    why, and no subscription is stored."""
    result = _run("subscribe", "feed", *options, "--db", db)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert _listed(db) == []


@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
def test_dead_letters_are_listed_and_replayed_to_the_receiver(
    db: str, store: ExecutionStore
) -> None:
    """Given a receiver that failed every post of one signal until its dead letter was parked,
    when `dead-letters list` runs, then it shows that signal; when the receiver recovers and
    `dead-letters replay` runs, then the signal is accepted with its key and the list is
    empty; a replay that still fails exits 1."""
    failing: set[str] = set()

    def answer(post: Post, _before: int) -> int:
        return 500 if post.key in failing else 200

    with receiving(answer) as receiver:
        with Dispatcher(store, backoff=Backoff(2, 0.001, 0.002), rng=random.Random(1)) as d:
            d.subscribe(
                "max-channel",
                Webhook(receiver.url),
                "max",
                kinds=["turned_off_track"],
                from_start=True,
            )
            keys = [s.key for _, s in d.source(0, 1000) if s.kind.value == "turned_off_track"]
            failing.update(keys[:2])
            d.dispatch()
        listed = _run("dead-letters", "list", "--db", db, "--json")
        assert listed.exit_code == 0, listed.output
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert [r["key"] for r in rows] == keys[:2]
        assert rows[0]["signal"]["key"] == keys[0]
        failing.discard(keys[0])
        still = _run("dead-letters", "replay", "--db", db, "--attempts", "1")
        assert still.exit_code == 1, still.output
        assert "1 delivered, 1 still dead" in still.output
        failing.clear()
        replayed = _run("dead-letters", "replay", "--subscription", "max-channel", "--db", db)
        assert replayed.exit_code == 0, replayed.output
    assert receiver.accepted()[-2:] == keys[:2]
    assert _run("dead-letters", "list", "--db", db).stdout == ""
