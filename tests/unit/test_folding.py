"""What every fold shares (execution_core.folding): copies with changes, handlers by class, the
collector's pause."""

from __future__ import annotations

import gc
from functools import singledispatch
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from execution_core.event import Event
from execution_core.folding import changed, handler, slot_setters, without_cyclic_gc
from tests.strategies import event_strategies, state_strategies

_STATES = st.one_of(*state_strategies().values())


@given(state=_STATES, data=st.data())
def test_changed_is_attrs_evolve(state: Any, data: st.DataObject) -> None:
    """Property: for any stream state and any subset of its fields set to another state's
    values of the same class, ``changed`` equals ``attrs.evolve`` (the oracle)."""
    other = data.draw(state_strategies()[type(state)])
    names = [field.alias for field in attrs.fields(type(state)) if field.init]
    picked = data.draw(st.lists(st.sampled_from(names), unique=True))
    changes = {name: getattr(other, name) for name in picked}
    assert changed(state, **changes) == attrs.evolve(state, **changes)


@attrs.frozen(kw_only=True)
class _Named:
    """A keyword-only class, copied through its keywords."""

    first: int
    second: str = "b"


@attrs.frozen
class _Checked:
    """A class with a validator, which a copy must run."""

    value: int = attrs.field(validator=attrs.validators.ge(0))


def test_changed_copies_keyword_only_classes_and_runs_validators() -> None:
    """Given a keyword-only class, then ``changed`` copies it with the change; given a
    validated field, then a change that breaks the validator raises as ``__init__`` does."""
    assert changed(_Named(first=1), second="c") == _Named(first=1, second="c")
    with pytest.raises(ValueError, match="value"):
        changed(_Checked(1), value=-1)


def test_changed_refuses_an_unknown_field() -> None:
    """Given a field the class does not have, then ``changed`` raises TypeError naming it."""
    with pytest.raises(TypeError, match="'third'"):
        changed(_Named(first=1), third=3)


@given(event=st.one_of(*event_strategies().values()))
def test_handler_is_what_singledispatch_would_call(event: Event) -> None:
    """Property: for any registered event, the handler found by exact class in the registry is
    the implementation ``singledispatch.dispatch`` picks for its class (the oracle), and for a
    class registered only through a base the function itself (which dispatches)."""

    @singledispatch
    def describe(value: object) -> str:
        return "base"

    @describe.register
    def _(value: Event) -> str:
        return "event"

    exact = describe.dispatch(type(event))
    found = handler(describe, event)
    assert found is (describe if exact is describe.registry[Event] else exact)
    assert found(event) == describe(event) == "event"


def test_the_collector_is_paused_in_the_block_and_restored_after() -> None:
    """Given the collector on, then it is off inside ``without_cyclic_gc`` and on again after,
    even when the block raises; given it off, then it stays off after."""
    seen: list[bool] = []

    def paused_then_raise() -> None:
        with without_cyclic_gc():
            seen.append(gc.isenabled())
            raise RuntimeError("out of the block")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        paused_then_raise()
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with without_cyclic_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@attrs.frozen
class _PostInit:
    """A class with a post-init step, which a copy must run."""

    value: int
    seen: list[int] = attrs.field(factory=list, eq=False)

    def __attrs_post_init__(self) -> None:
        self.seen.append(self.value)


@attrs.frozen(cache_hash=True)
class _CachedHash:
    """A class that caches its hash, which a copy must not carry over."""

    value: int


def test_changed_builds_through_init_what_init_must_build() -> None:
    """Given a class with a post-init step, then ``changed`` runs it; given a class that caches
    its hash, then the copy hashes as a new instance does (only a class whose ``__init__``
    merely stores its arguments gets its slots set directly)."""
    log: list[int] = []
    copied = changed(_PostInit(1, log), value=2)
    assert copied.value == 2
    assert log == [1, 2]
    original = _CachedHash(1)
    hash(original)
    assert hash(changed(original, value=2)) == hash(_CachedHash(2))
    assert slot_setters(_PostInit) is None
    assert slot_setters(_CachedHash) is None
