"""The typed errors a command can raise; a refused command records nothing."""

from __future__ import annotations

__all__ = [
    "ConcurrentChange",
    "DatedInTheFuture",
    "ExecutionError",
    "IdempotencyKeyReused",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
    "RuleViolated",
    "StoreUnavailable",
]


class ExecutionError(Exception):
    """Root of every error execution-core raises on purpose, so an app catches one type."""


class InvalidInput(ExecutionError, ValueError):
    """The command itself is malformed: wrong types, missing fields, values out of range."""


class DatedInTheFuture(InvalidInput):
    """The fact is dated further ahead of the store's clock than the facade's tolerance (a
    typo dated next year would otherwise move every live view's "now")."""


class NotFound(ExecutionError, LookupError):
    """The command names a person, unit, theme, cycle, goal or key result that does not exist."""


class RuleViolated(ExecutionError):
    """The command is well formed but breaks a rule of the domain in the current state."""


class NotPermitted(RuleViolated):
    """The access policy refused the actor: they may not do this to this subject."""


class ConcurrentChange(ExecutionError):
    """Someone else wrote the same stream between our read and our write; re-read and retry."""


class IdempotencyKeyReused(InvalidInput):
    """An idempotency key already recorded a different command; nothing was recorded."""


class StoreUnavailable(ExecutionError):
    """The database could not be reached, or the connection was lost mid-command.

    A transaction cut short is rolled back whole, but when the connection drops while the
    commit is in flight the outcome is unknown: retry with the same idempotency key, which
    records the command at most once.
    """
