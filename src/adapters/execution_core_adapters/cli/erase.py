"""``execution-core erase PERSON``: erase a person's personal data (docs/privacy.md).

Records ``organization.PersonErased`` through the facade, so the access policy decides who may
(whoever may administer the organization) and a refusal records nothing and exits 1; the store
deletes the person's key, and their name and the notes about them read as erased from then on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from execution_core import DEFAULT_STORE, Execution
from execution_core.access import SYSTEM
from execution_core_adapters.cli.audit import open_existing
from execution_core_adapters.cli.options import AsJson, Db
from execution_core_adapters.cli.output import emit, err

__all__ = ["erase"]


def erase(
    person: Annotated[str, typer.Argument(help="The id of the person to erase.")],
    db: Db = DEFAULT_STORE,
    actor: Annotated[
        str,
        typer.Option(help="Who erases (the access policy decides); default: the HR system."),
    ] = SYSTEM,
    as_json: AsJson = False,
) -> None:
    """Erase a person: delete their key, so their name, notes and comments read as erased;
    the hash chain still verifies (ids, dates and numbers stay)."""
    store = open_existing(db)
    try:
        execution = Execution(store)
        state = execution.erase_person(person, actor=actor, occurred_at=datetime.now(UTC))
    finally:
        store.close()
    if as_json:
        emit([{"person_id": person, "erased": True, "organization_version": state.version}])
    err().print(f"[green]erased[/green]: {person} (their key is deleted)")
