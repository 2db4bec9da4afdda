"""What folding many events shares: a frozen state with some of its fields changed, the
handler of an event (or command) by its class, and the cycle collector paused while a fold or a
simulation allocates.

Every command folds its events onto the state it decided on (and every replay folds every
event), so this is on the hottest path of the library. ``attrs.evolve`` walks the class's
fields in Python and reads each attribute with ``getattr``; :func:`changed` calls a function
written once per class and set of changed fields, straight-line code that reads the others and
sets the slots of a new instance (or, for a class whose ``__init__`` does more than store its
arguments, calls it with them all).
"""

from __future__ import annotations

import gc
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import attrs

__all__ = ["changed", "handler", "slot_setters", "without_cyclic_gc"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


_COPIERS: dict[tuple[Any, ...], Callable[..., Any]] = {}
"""A copier per class and the names it changes, made on first use."""


def changed(instance: T, **changes: Any) -> T:
    """A copy of an attrs instance with ``changes``, equal to ``attrs.evolve``'s: a class with
    validators, converters or an init step is built through ``__init__``, so they run; an
    unknown field is a ``TypeError``."""
    key = (instance.__class__, *changes)
    copier = _COPIERS.get(key)
    if copier is None:
        copier = _COPIERS[key] = _copier(instance.__class__, tuple(changes))
    result: T = copier(instance, **changes)
    return result


def handler(dispatcher: F, value: object) -> F:
    """What a ``functools.singledispatch`` function does with ``value``: the implementation
    registered for its exact class, read from the registry (one dict read), else the function
    itself (which dispatches on the class's bases). Calling the function directly looks the
    class up in a ``WeakKeyDictionary`` written in Python, on every event of every fold."""
    found: F | None = dispatcher.registry.get(value.__class__)  # type: ignore[attr-defined]
    return dispatcher if found is None else found


def _copier(cls: type, changing: tuple[str, ...]) -> Callable[..., Any]:
    """A function ``copy(instance, **changes)``, written once per class and changed fields as
    attrs writes its ``__init__``: straight-line code, the changed fields as given, the others
    read from the instance. A class whose ``__init__`` only stores its arguments gets its
    slots set on a new instance (:func:`slot_setters`, a third of the cost); any other is
    called with every ``__init__`` argument, so its validators run."""
    fields = [field for field in attrs.fields(cls) if field.init]
    known = {field.alias for field in fields} - {"_copied", "_cls", "_made", "_new"}
    for name in changing:
        if name not in known:
            raise TypeError(f"{cls.__name__} has no field {name!r}")

    def value(field: attrs.Attribute[Any]) -> str:
        return field.alias if field.alias in changing else f"_copied.{field.name}"

    scope: dict[str, Any] = {"_cls": cls, "_new": object.__new__}
    setters = slot_setters(cls)
    if setters is not None:
        body = ["    _made = _new(_cls)"]
        for n, (field, setter) in enumerate(zip(fields, setters, strict=True)):
            scope[f"_set{n}"] = setter
            body.append(f"    _set{n}(_made, {value(field)})")
        body.append("    return _made")
    else:
        arguments = [value(f) for f in fields if not f.kw_only]
        arguments += [f"{f.alias}={value(f)}" for f in fields if f.kw_only]
        body = [f"    return _cls({', '.join(arguments)})"]
    parameters = "".join(f", {name}" for name in changing)
    exec(f"def copy(_copied{parameters}):\n" + "\n".join(body), scope)
    return cast(Callable[..., Any], scope["copy"])


def slot_setters(cls: type) -> list[Callable[[Any, Any], None]] | None:
    """The setters of an attrs class's fields, in order, when setting them on
    ``object.__new__(cls)`` makes what ``__init__`` makes: a slotted class whose ``__init__``
    only stores its arguments (no validator, converter, pre- or post-init step, cached hash or
    field left out of ``__init__``). None for any other class, which must be called."""
    fields = attrs.fields(cls)
    if (
        hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
        or "_attrs_cached_hash" in getattr(cls, "__slots__", ())
        or any(f.validator is not None or f.converter is not None or not f.init for f in fields)
    ):
        return None
    setters = []
    for field in fields:
        slot = _slot_of(cls, field.name)
        if slot is None:
            return None
        setters.append(slot.__set__)
    return setters


def _slot_of(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None:
            return found if isinstance(found, types.MemberDescriptorType) else None
    return None


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector for a block (restored after, if it was on).

    A fold, or a simulation, allocates millions of small immutable records that form no
    reference cycles (reference counting frees them), and each full collection walks all the
    live ones: on a large ledger, pauses of seconds for nothing; in a 1,000-person simulation,
    a tenth of its time. A cycle made meanwhile waits for the next collection after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
