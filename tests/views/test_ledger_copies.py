"""The ledger's record copies (folding.changed): what ``attrs.evolve`` gives, for less."""

from __future__ import annotations

from functools import cache
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execution_core.folding import changed
from execution_core.simulation import ExecutionManagement, Model
from execution_core.views.ledger import (
    CommitmentRecord,
    GoalRecord,
    JournalRecord,
    KeyResultRecord,
    Ledger,
)
from execution_core_adapters.simulate import simulate


@cache
def _records() -> dict[type, list[Any]]:
    """Every goal, key result, journal and commitment record of a small simulated season."""
    policy = ExecutionManagement(cadence_days=14, recoach_weeks=2)
    with simulate(Model(people=12, weeks=8), policy, seed=5) as simulation:
        ledger = Ledger.of(simulation.history())
    goals = list(ledger.goals.values())
    journals = list(ledger.journals.values())
    return {
        GoalRecord: goals,
        KeyResultRecord: [kr for goal in goals for kr in goal.key_results.values()],
        JournalRecord: journals,
        CommitmentRecord: [c for journal in journals for c in journal.commitments.values()],
    }


def _fields(record: Any) -> dict[str, Any]:
    return {field.name: getattr(record, field.name) for field in attrs.fields(type(record))}


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_copy_is_attrs_evolve(data: st.DataObject) -> None:
    """Property: for any record of the ledger's copied classes and any of its fields set to
    another record's values, the copy equals ``attrs.evolve`` (the oracle), field by field, and
    leaves the record as it was."""
    cls = data.draw(st.sampled_from(sorted(_records(), key=lambda c: c.__name__)))
    records = _records()[cls]
    assert records, cls
    record: Any = data.draw(st.sampled_from(records))
    other: Any = data.draw(st.sampled_from(records))
    before = _fields(record)
    names = [field.alias for field in attrs.fields(cls)]
    picked = data.draw(st.lists(st.sampled_from(names), unique=True))
    changes = {name: getattr(other, name) for name in picked}
    copied: Any = changed(record, **changes)
    expected: Any = attrs.evolve(record, **changes)
    assert type(copied) is cls
    assert _fields(copied) == _fields(expected)
    assert copied == expected
    assert _fields(record) == before


@attrs.frozen(kw_only=True)
class _Kept:
    first: int
    second: str = "b"


@attrs.frozen(kw_only=True)
class _Wider(_Kept):
    third: float = 0.0


@attrs.frozen
class _Checked:
    value: int = attrs.field(validator=attrs.validators.ge(0))
    label: str = ""


def test_a_copy_refuses_an_unknown_field_and_keeps_a_subclass_and_its_checks() -> None:
    """Given a field the class does not have, then the copy raises TypeError naming it; given
    a subclass's record, then the copy is of the subclass; given a validated field, then a
    change that breaks the validator raises as ``__init__`` does."""
    copy = changed
    assert copy(_Kept(first=1), second="c") == _Kept(first=1, second="c")
    with pytest.raises(TypeError, match="'fourth'"):
        copy(_Kept(first=1), fourth=4)
    assert copy(_Wider(first=1, third=2.0), first=3) == _Wider(first=3, third=2.0)
    with pytest.raises(ValueError, match="value"):
        changed(_Checked(1), value=-1)
