"""``execution-core subscribe`` / ``unsubscribe`` / ``subscriptions`` / ``dead-letters``: the
subscriptions the dispatcher (``execution-core worker --signals``) delivers signals to, and the
dead letters it parked (see docs/signals.md, "Delivery").

Mounted by :mod:`execution_core_adapters.cli.main`: the three commands with ``app.command``,
the dead letters with ``app.add_typer(dead_letters_app, name="dead-letters")``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from execution_core import DEFAULT_STORE
from execution_core.subscriptions import Handler, Target, Webhook
from execution_core_adapters.cli.errors import EXIT_REFUSED, GuardedGroup, failure
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import emit
from execution_core_adapters.cli.views import ViewsDb
from execution_core_adapters.delivery import Backoff, Dispatcher
from execution_core_adapters.projections import ViewWorker
from execution_core_adapters.storage.config import store_env

__all__ = [
    "Deliver",
    "dead_letters_app",
    "dispatching",
    "subscribe",
    "subscriptions",
    "unsubscribe",
]

dead_letters_app = typer.Typer(
    cls=GuardedGroup,
    help="Signals a subscription gave up on after its tries: list them, deliver them again.",
    no_args_is_help=True,
    add_completion=False,
)

OfSubscription = Annotated[
    str | None, typer.Option("--subscription", help="Only this subscription's dead letters.")
]


@contextmanager
def _dispatcher(
    db: str, views_db: str | None, backoff: Backoff | None = None
) -> Iterator[Dispatcher]:
    """A dispatcher on an existing store (a missing SQLite file is an error, not a new store)."""
    path = store_env(db).get("SQLITE_DBNAME")
    if path and not Path(path).exists():
        raise failure(f"no store at {path}")
    with Dispatcher(db, views_url=views_db, backoff=backoff) as dispatcher:
        yield dispatcher


def subscribe(
    name: Annotated[str, typer.Argument(help="The subscription's name (a-z, 0-9, '.', '_', '-').")],
    *,
    recipient: Annotated[
        str,
        typer.Option(
            "--for",
            help="The person on whose behalf signals are received: the access policy decides "
            "which signals they may be told of.",
        ),
    ],
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each signal's JSON to this URL.")
    ] = None,
    handler: Annotated[
        str | None,
        typer.Option("--handler", help="Call this Python function, named module:function."),
    ] = None,
    kinds: Annotated[
        list[str] | None, typer.Option("--kind", help="Only signals of this kind (repeatable).")
    ] = None,
    units: Annotated[
        list[str] | None, typer.Option("--unit", help="Only signals about this unit (repeatable).")
    ] = None,
    persons: Annotated[
        list[str] | None,
        typer.Option("--person", help="Only signals about this person (repeatable)."),
    ] = None,
    goals: Annotated[
        list[str] | None, typer.Option("--goal", help="Only signals about this goal (repeatable).")
    ] = None,
    from_start: Annotated[
        bool,
        typer.Option(
            "--from-start", help="Deliver the whole signal log, not only what comes next."
        ),
    ] = False,
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    as_json: AsJson = False,
) -> None:
    """Subscribe a webhook or a handler to signals (a bad subscription stores nothing)."""
    if (webhook is None) == (handler is None):
        raise failure("give exactly one of --webhook URL and --handler module:function")
    target: Target = Webhook(webhook) if webhook is not None else Handler(handler or "")
    with _dispatcher(db, views_db) as dispatcher:
        dispatcher.subscribe(
            name,
            target,
            recipient,
            kinds=kinds or (),
            units=units or (),
            persons=persons or (),
            goals=goals or (),
            from_start=from_start,
        )
    if as_json:
        emit([{"subscribed": name, "target": str(target), "recipient": recipient}])
    typer.echo(f"subscribed {name}: {target} for {recipient}", err=True)


def unsubscribe(
    name: Annotated[str, typer.Argument(help="The subscription to remove.")],
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    as_json: AsJson = False,
) -> None:
    """Remove a subscription and its dead letters (exit 1 when there is none by that name)."""
    with _dispatcher(db, views_db) as dispatcher:
        removed = dispatcher.unsubscribe(name)
    if not removed:
        raise failure(f"no subscription named {name!r}", EXIT_REFUSED)
    if as_json:
        emit([{"unsubscribed": name}])
    typer.echo(f"unsubscribed {name}", err=True)


def subscriptions(
    db: Db = DEFAULT_STORE, views_db: ViewsDb = None, as_json: AsJson = False
) -> None:
    """List the subscriptions: target, recipient, filters, position in the signal log and the
    dead letters waiting."""
    with _dispatcher(db, views_db) as dispatcher:
        stored = dispatcher.subscriptions()
        dead = dispatcher.dead_letters()
    for subscribed in stored:
        s = subscribed.subscription
        row = {
            "name": s.name,
            "target": str(s.target),
            "delivery": "webhook" if isinstance(s.target, Webhook) else "handler",
            "recipient": s.recipient,
            "kinds": sorted(s.kinds),
            "units": sorted(s.units),
            "persons": sorted(s.persons),
            "goals": sorted(str(g) for g in s.goals),
            "position": subscribed.position,
            "dead_letters": sum(1 for d in dead if d.subscription == s.name),
        }
        if as_json:
            typer.echo(json.dumps(row, sort_keys=True))
            continue
        filters = "; ".join(
            f"{what} {', '.join(row[what])}"  # type: ignore[arg-type]
            for what in ("kinds", "units", "persons", "goals")
            if row[what]
        )
        typer.echo(
            f"{s.name}: {row['delivery']} {s.target} for {s.recipient}"
            f"{'; ' + filters if filters else ''}; at signal {subscribed.position}; "
            f"{row['dead_letters']} dead letters"
        )


@dead_letters_app.command("list")
def list_dead_letters(
    subscription: OfSubscription = None,
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    as_json: AsJson = False,
) -> None:
    """The dead letters: subscription, signal, tries, last error and when it was parked."""
    with _dispatcher(db, views_db) as dispatcher:
        letters = dispatcher.dead_letters(subscription)
    for letter in letters:
        if as_json:
            row = {
                "subscription": letter.subscription,
                "seq": letter.seq,
                "key": letter.key,
                "kind": letter.kind,
                "attempts": letter.attempts,
                "error": letter.error,
                "parked_at": letter.parked_at.isoformat(),
                "signal": json.loads(letter.body),
            }
            typer.echo(json.dumps(row, sort_keys=True))
        else:
            typer.echo(
                f"{letter.subscription}: signal {letter.seq} {letter.kind} (key {letter.key}), "
                f"{letter.attempts} tries, parked {letter.parked_at:%Y-%m-%d %H:%M}: {letter.error}"
            )


@dead_letters_app.command("replay")
def replay(
    subscription: OfSubscription = None,
    attempts: Annotated[
        int, typer.Option("--attempts", min=1, help="Tries per dead letter in this replay.")
    ] = 3,
    db: Db = DEFAULT_STORE,
    views_db: ViewsDb = None,
    as_json: AsJson = False,
) -> None:
    """Deliver the dead letters again; each delivered one is dropped (exit 1 when some are
    still dead)."""
    with _dispatcher(db, views_db, Backoff(attempts=attempts)) as dispatcher:
        replayed = dispatcher.replay(subscription)
    if as_json:
        emit([{"delivered": replayed.delivered, "still_dead": replayed.still_dead}])
    typer.echo(
        f"replayed: {replayed.delivered} delivered, {replayed.still_dead} still dead", err=True
    )
    if replayed.still_dead:
        raise typer.Exit(code=EXIT_REFUSED)


Deliver = Callable[[threading.Event], int]
"""One dispatch pass of ``worker --signals``: the signals it delivered."""


@contextmanager
def dispatching(worker: ViewWorker, views_db: str | None, enabled: bool) -> Iterator[Deliver]:
    """The dispatch pass ``execution-core worker`` runs after each catch-up of its views: the
    dispatcher on the worker's store and views database, or nothing without ``--signals``."""
    if not enabled:
        yield lambda _stop: 0
        return
    with Dispatcher(worker.store, views_url=views_db) as dispatcher:
        yield dispatcher.dispatch
