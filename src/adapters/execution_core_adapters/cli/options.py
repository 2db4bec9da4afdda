"""The options every command shares, declared once so they read and behave alike everywhere.

A command module takes ``db: Db = DEFAULT_STORE`` for its store (``--db``, else the
``EXECUTION_CORE_STORE`` environment variable, else ``DEFAULT_STORE``) and, when it prints a
view or a result, ``as_json: AsJson = False`` with :func:`execution_core_adapters.cli.output.emit`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from execution_core import STORE_VARIABLE

__all__ = ["AsJson", "Db"]

Db = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=STORE_VARIABLE,
        show_envvar=True,
        help="The store: a SQLite file (a path or sqlite:///file.db) or "
        "postgresql://user@host/db?schema=s. Default: the environment variable, else "
        "execution.db (where the demo records).",
    ),
]
"""Where the store is: ``--db``, else the environment variable
:data:`execution_core.STORE_VARIABLE`."""

AsJson = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print the result as JSON Lines on standard output (one object a row); messages "
        "stay on standard error.",
    ),
]
"""``--json``: the command's result as JSON Lines on standard output (docs/cli.md)."""
