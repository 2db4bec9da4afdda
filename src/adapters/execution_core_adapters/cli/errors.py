"""How the command line reports a failure: one line on standard error and an exit code, never a
traceback for a user's mistake or an unavailable store.

The exit codes (also in ``execution-core --help`` and docs/cli.md, pinned by
tests/cli/test_exit_codes.py):

- **0** done;
- **1** refused: the domain refused (not permitted, a rule, not found: a viewer, person, cycle
  or goal the store does not hold), the store's hash chain is broken or it holds an event this
  version cannot read (run ``audit verify``), an import was refused, a view is parked, or
  ``demo`` would have replaced a store it did not make;
- **2** a usage error: a bad option or store URL, a missing store file, a file that is not an
  execution-core store, a store that must be empty and is not, a PostgreSQL schema that does
  not exist, a path that cannot be read or written;
- **3** the store is unavailable: the server cannot be reached, or the PostgreSQL driver is not
  installed (``pip install 'execution-core[postgres]'``);
- **4** a bug in execution-core: the line says what failed (set ``EXECUTION_CORE_TRACEBACK=1``
  for the traceback, and please report it).

Each Typer app of the command line is built with ``cls=GuardedGroup``: the group's ``invoke``
maps whatever a command raised through :func:`explain`, so a command raises the library's typed
errors (or ``failure(message, code)`` for its own) and never exits by hand.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from execution_core.errors import ExecutionError, InvalidInput, StoreUnavailable
from execution_core_adapters.cli.render import printable
from execution_core_adapters.storage.chain_format import ChainBroken
from execution_core_adapters.storage.codec import CodecError

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_INTERNAL",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "GuardedGroup",
    "explain",
    "failure",
    "report",
]

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
EXIT_INTERNAL = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 refused (by the domain or not found, a broken hash chain, a refused "
    "import, a parked view, a store demo did not make); 2 usage error (option, store URL, no "
    "store or not a store, missing schema, unreadable or unwritable path); 3 store unavailable "
    "(server unreachable, PostgreSQL driver missing); 4 a bug (please report it)."
)
"""The exit codes in one paragraph, for the commands' help."""

_VERIFY = "run `execution-core audit verify --db <store>` to find the first bad event"


def _line(text: str) -> str:
    """One line: whitespace (a driver's multi-line message) folded, control characters escaped."""
    return printable(" ".join(text.split()))


def explain(error: BaseException) -> tuple[str, int]:  # noqa: PLR0911 - one return per kind
    """The one-line message and the exit code for an exception a command raised."""
    if isinstance(error, ChainBroken):
        return f"the store's hash chain is broken: {error}; {_VERIFY}", EXIT_REFUSED
    if isinstance(error, CodecError):
        return (
            f"the store holds an event this version cannot read ({error}); {_VERIFY}",
            EXIT_REFUSED,
        )
    if isinstance(error, StoreUnavailable):
        return str(error), EXIT_UNAVAILABLE
    if isinstance(error, InvalidInput):
        return str(error), EXIT_USAGE
    if isinstance(error, ExecutionError):
        return f"refused: {error}", EXIT_REFUSED
    if isinstance(error, ModuleNotFoundError) and (error.name or "").startswith("psycopg"):
        return (
            "PostgreSQL support is not installed: pip install 'execution-core[postgres]'",
            EXIT_UNAVAILABLE,
        )
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}", EXIT_USAGE
    return (
        f"internal error ({type(error).__name__}: {error}); this is a bug, please report it "
        "(EXECUTION_CORE_TRACEBACK=1 shows the traceback)",
        EXIT_INTERNAL,
    )


def report(error: BaseException) -> typer.Exit:
    """Print ``error`` as one line on standard error; the ``typer.Exit`` to raise for it."""
    message, code = explain(error)
    typer.echo(f"execution-core: {_line(message)}", err=True)
    return typer.Exit(code=code)


def failure(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``message`` as one line on standard error; the ``typer.Exit`` (with ``code``) to
    raise: ``raise failure("no store at x.db")``."""
    typer.echo(f"execution-core: {_line(message)}", err=True)
    return typer.Exit(code=code)


class GuardedGroup(TyperGroup):
    """A command group whose commands fail with one line and an exit code (see the module)."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; an exception that is not the command line's own becomes a line."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:
            # The reader stopped reading (``| head``): that ends the command quietly. Standard
            # output goes nowhere from here, so the interpreter's last flush cannot fail too.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(code=0) from None
        except Exception as error:
            if os.environ.get("EXECUTION_CORE_TRACEBACK") == "1":
                raise
            raise report(error) from None
