"""The typed errors a command can raise; a refused command records nothing.

Each error carries what an app needs without parsing its message, as attributes: the
``command`` refused (its type name), the ``ids`` it named (and the one a refusal is about), the
``rule`` involved, and, for malformed input, every ``problem`` with its field path; ``to_dict``
gives them as JSON-ready data. The message stays one readable sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import attrs

__all__ = [
    "ConcurrentChange",
    "DatedInTheFuture",
    "ExecutionError",
    "IdempotencyKeyReused",
    "InvalidInput",
    "NotFound",
    "NotPermitted",
    "Problem",
    "RuleViolated",
    "StoreUnavailable",
]


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (``path``, the field path from the command's top,
    e.g. ``("key_results", 0, "target")``), what (``message``) and pydantic's ``kind`` of error
    (``"greater_than_equal"``, ``"missing"``...)."""

    path: tuple[str | int, ...]
    message: str
    kind: str = "value_error"

    @property
    def where(self) -> str:
        """The path as dotted text (``key_results.0.target``), ``(command)`` for the whole."""
        return ".".join(str(part) for part in self.path) or "(command)"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``path`` (a list), ``where``, ``message``, ``kind``."""
        return {
            "path": list(self.path),
            "where": self.where,
            "message": self.message,
            "kind": self.kind,
        }


def _text(value: object) -> str:
    return str(value)


class ExecutionError(Exception):
    """Root of every error execution-core raises on purpose, so an app catches one type.

    ``rule`` names the rule or permission involved (None when the message is all there is);
    ``ids`` maps a name (``goal_id``, ``person_id``...) to the id as text; ``command`` is the
    refused command's type, filled in by ``Execution.execute`` for every error it raises.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        ids: Mapping[str, object] | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.ids: dict[str, str] = {name: _text(value) for name, value in (ids or {}).items()}
        self.command = command

    def concerning(self, command: str, ids: Mapping[str, object]) -> None:
        """Add the refused command's type and its ids (the error's own ids win)."""
        self.command = self.command or command
        self.ids = {**{name: _text(value) for name, value in ids.items()}, **self.ids}

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data: ``error`` (its class name), ``message``, ``command``,
        ``rule``, ``ids`` and what the subclass adds."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "command": self.command,
            "rule": self.rule,
            "ids": dict(self.ids),
            **self._details(),
        }

    def _details(self) -> dict[str, object]:
        return {}


class InvalidInput(ExecutionError, ValueError):
    """The command itself is malformed: wrong types, missing fields, values out of range.

    ``problems`` lists each one with its field path (empty when the input as a whole is wrong,
    such as a store URL or JSON that does not parse)."""

    def __init__(
        self,
        message: str,
        *,
        problems: tuple[Problem, ...] = (),
        rule: str | None = None,
        ids: Mapping[str, object] | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message, rule=rule, ids=ids, command=command)
        self.problems = problems

    def _details(self) -> dict[str, object]:
        return {"problems": [problem.to_dict() for problem in self.problems]}


class DatedInTheFuture(InvalidInput):
    """The fact is dated further ahead of the store's clock than the facade's tolerance (a
    typo dated next year would otherwise move every live view's "now")."""


class NotFound(ExecutionError, LookupError):
    """The command names a person, unit, theme, cycle, goal or key result that does not exist.

    ``kind`` says what was looked for (``"person"``, ``"goal"``, ``"key result"``...) and
    ``id`` which one, when the refusal names one."""

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        id: object = None,
        rule: str | None = None,
        ids: Mapping[str, object] | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message, rule=rule, ids=ids, command=command)
        self.kind = kind
        self.id: str | None = None if id is None else _text(id)

    def _details(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id}


class RuleViolated(ExecutionError):
    """The command is well formed but breaks a rule of the domain in the current state."""


class NotPermitted(RuleViolated):
    """The access policy refused the actor: they may not do this to this subject.

    ``actor``, ``permission`` (the act, e.g. ``"log progress"``, also the ``rule``) and
    ``subject`` (whose goal or record, as text, when there is one) say who was refused what."""

    def __init__(
        self,
        message: str,
        *,
        actor: str | None = None,
        permission: str | None = None,
        subject: str | None = None,
        ids: Mapping[str, object] | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message, rule=permission, ids=ids, command=command)
        self.actor = actor
        self.permission = permission
        self.subject = subject

    @classmethod
    def refusing(cls, actor: str, permission: str, subject: object = None) -> NotPermitted:
        """The refusal of ``actor`` for an act (``permission``, such as ``"log progress"``) on
        ``subject``, in a sentence that reads well whatever the actor's id is."""
        whom = "" if subject is None else f" for {subject}"
        return cls(
            f"{actor!r} is not permitted to {permission}{whom}",
            actor=actor,
            permission=permission,
            subject=None if subject is None else str(subject),
        )

    def _details(self) -> dict[str, object]:
        return {"actor": self.actor, "permission": self.permission, "subject": self.subject}


class ConcurrentChange(ExecutionError):
    """Someone else wrote the same stream between our read and our write; re-read and retry.

    ``stream_id`` is the stream that changed, when the store knows it."""

    def __init__(
        self,
        message: str,
        *,
        stream_id: UUID | None = None,
        rule: str | None = None,
        ids: Mapping[str, object] | None = None,
        command: str | None = None,
    ) -> None:
        super().__init__(message, rule=rule, ids=ids, command=command)
        self.stream_id = stream_id

    def _details(self) -> dict[str, object]:
        return {"stream_id": None if self.stream_id is None else str(self.stream_id)}


class IdempotencyKeyReused(InvalidInput):
    """An idempotency key already recorded a different command; nothing was recorded.

    ``key`` is the key and ``stream_id`` the stream its first command wrote."""

    def __init__(self, message: str, *, key: str, stream_id: UUID | None = None) -> None:
        super().__init__(message, rule="idempotency key reused")
        self.key = key
        self.stream_id = stream_id

    def _details(self) -> dict[str, object]:
        return {
            **super()._details(),
            "key": self.key,
            "stream_id": None if self.stream_id is None else str(self.stream_id),
        }


class StoreUnavailable(ExecutionError):
    """The database could not be reached, or the connection was lost mid-command.

    A transaction cut short is rolled back whole, but when the connection drops while the
    commit is in flight the outcome is unknown: retry with the same idempotency key, which
    records the command at most once.
    """
