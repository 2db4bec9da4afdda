"""What folding many events shares: a frozen state with some of its fields changed, the
handler of an event (or command) by its class, and the cycle collector paused while a fold or a
simulation allocates.

Every command folds its events onto the state it decided on (and every replay folds every
event), so this is on the hottest path of the library. ``attrs.evolve`` walks the class's
fields in Python and reads each attribute with ``getattr``; :func:`changed` reads them all with
a function written once per class and set of changed fields, which passes them all in one call
(by position where ``__init__`` takes them so).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import attrs

__all__ = ["changed", "handler", "without_cyclic_gc"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


_COPIERS: dict[tuple[Any, ...], Callable[..., Any]] = {}
"""A copier per class and the names it changes, made on first use."""


def changed(instance: T, **changes: Any) -> T:
    """A copy of an attrs instance with ``changes`` (as ``attrs.evolve``: built through
    ``__init__``, so validators run, and an unknown field is a ``TypeError``)."""
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
    found: F | None = cast(Any, dispatcher).registry.get(value.__class__)
    return dispatcher if found is None else found


def _copier(cls: type, changing: tuple[str, ...]) -> Callable[..., Any]:
    """A function ``copy(instance, **changes)`` calling ``cls`` with every ``__init__``
    argument: the changed ones as given, the others read from the instance. Written as one
    call, as attrs writes its ``__init__``: a fold changes the same few fields of the same
    classes on every event, and a generic copy spends more walking the fields than building."""
    fields = [field for field in attrs.fields(cls) if field.init]
    known = {field.alias for field in fields} - {"_copied", "_cls"}
    for name in changing:
        if name not in known:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
    positional = [f for f in fields if not f.kw_only]
    keywords = [f for f in fields if f.kw_only]
    arguments = [f.alias if f.alias in changing else f"_copied.{f.name}" for f in positional]
    arguments += [
        f"{f.alias}={f.alias if f.alias in changing else f'_copied.{f.name}'}" for f in keywords
    ]
    parameters = "".join(f", {name}" for name in changing)
    source = f"def copy(_copied{parameters}):\n    return _cls({', '.join(arguments)})\n"
    scope: dict[str, Any] = {"_cls": cls}
    exec(source, scope)  # straight-line code, as attrs writes its own __init__
    return cast(Callable[..., Any], scope["copy"])


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
