"""What folding many events shares: a frozen state with some of its fields changed, the
handler of an event (or command) by its class, and the cycle collector paused while a fold or a
simulation allocates.

Every command folds its events onto the state it decided on (and every replay folds every
event), so this is on the hottest path of the library. ``attrs.evolve`` walks the class's
fields in Python and reads each attribute with ``getattr``; :func:`changed` reads them all with
one ``operator.attrgetter`` made once per class, which halves the cost of a fold step.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import attrs

__all__ = ["changed", "handler", "without_cyclic_gc"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

_READERS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}
"""Per attrs class: the ``__init__`` parameter names of its fields, and one reader of them all."""


def changed(instance: T, **changes: Any) -> T:
    """A copy of an attrs instance with ``changes`` (as ``attrs.evolve``: built through
    ``__init__``, so validators run, and an unknown field is a ``TypeError``)."""
    cls = type(instance)
    reader = _READERS.get(cls)
    if reader is None:
        reader = _READERS[cls] = _reader_of(cls)
    names, read = reader
    values = dict(zip(names, read(instance), strict=True))
    values.update(changes)
    return cls(**values)


def handler(dispatcher: F, value: object) -> F:
    """What a ``functools.singledispatch`` function does with ``value``: the implementation
    registered for its exact class, read from the registry (one dict read), else the function
    itself (which dispatches on the class's bases). Calling the function directly looks the
    class up in a ``WeakKeyDictionary`` written in Python, on every event of every fold."""
    found: F | None = cast(Any, dispatcher).registry.get(value.__class__)
    return dispatcher if found is None else found


def _reader_of(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    fields = [field for field in attrs.fields(cls) if field.init]
    names = tuple(field.alias for field in fields)
    if not fields:
        return names, lambda instance: ()
    getter = operator.attrgetter(*(field.name for field in fields))
    if len(fields) == 1:
        return names, lambda instance: (getter(instance),)
    return names, getter


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
